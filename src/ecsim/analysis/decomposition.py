"""The gap between two regimes, decomposed into the design dimensions that carry it (exact Shapley values).

Two regimes A and B differ on a set D of design dimensions.  Running A with every
subset S of D switched to B's values (a full factorial, paired on seeds) gives the
outcome v(S) of each intermediate regime; v(∅) is A and v(D) is B.  Each dimension's
contribution is its Shapley value

    φ_i = Σ_{S ⊆ D \\ {i}} |S|! (|D| - |S| - 1)! / |D|!  [v(S ∪ {i}) − v(S)],

the average of its marginal effect over every order in which the dimensions could be
switched.  The contributions add up exactly to the gap v(D) − v(∅) (efficiency), so no
part of the gap is left unexplained or counted twice; interactions are shared between
the dimensions that make them.  Intervals come from a paired percentile bootstrap over
seeds (``scipy.stats.bootstrap``; every seed carries all 2^|D| regimes).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

#: Separator of a subset's dimensions in the ``switched`` column (e.g. "reporting+routing").
JOIN = "+"


def subsets(dimensions: Sequence[str]) -> list[tuple[str, ...]]:
    """Every subset of ``dimensions`` (the factorial's cells), smallest first, each in the given order."""
    return [combo for k in range(len(dimensions) + 1) for combo in itertools.combinations(dimensions, k)]


def shapley(values: Mapping[frozenset[str], float], dimensions: Sequence[str]) -> dict[str, float]:
    """Each dimension's Shapley value from ``values[frozenset(S)] = v(S)`` for every subset S of ``dimensions``."""
    k = len(dimensions)
    phi = {}
    for i in dimensions:
        others = [d for d in dimensions if d != i]
        total = 0.0
        for combo in subsets(others):
            s = frozenset(combo)
            weight = math.factorial(len(s)) * math.factorial(k - len(s) - 1) / math.factorial(k)
            total += weight * (values[s | {i}] - values[s])
        phi[i] = total
    return phi


def _cell_means(table: pd.DataFrame, outcome: str) -> dict[frozenset[str], np.ndarray]:
    """Per cell (switched dimensions), the outcome per seed, seeds in one shared order."""
    wide = table.pivot_table(index="seed", columns="switched", values=outcome, aggfunc="mean")
    if wide.isna().any().any():
        missing = wide.columns[wide.isna().any()].tolist()
        raise ValueError(f"decompose: some seeds lack a run of cell(s) {missing}; every seed needs every cell")
    return {frozenset(filter(None, str(col).split(JOIN))): wide[col].to_numpy() for col in wide.columns}


def decompose(
    table: pd.DataFrame,
    dimensions: Sequence[str],
    outcome: str = "harm_reduction",
    comparison: str = "",
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Shapley decomposition of the gap B − A in ``outcome``, with paired bootstrap intervals over seeds.

    ``table`` has one row per run: ``seed``, ``switched`` (the dimensions switched from A to B, joined
    with ``+``; empty for A itself) and the ``outcome``.  Returns one row per dimension and one
    ``dimension == "total"`` row: ``comparison``, ``dimension``, ``contribution``, ``ci_low``, ``ci_high``.
    """
    cells = _cell_means(table.assign(switched=table["switched"].fillna("")), outcome)
    expected = {frozenset(s) for s in subsets(list(dimensions))}
    if set(cells) != expected:
        raise ValueError(f"decompose: the table's cells are not the full factorial over {list(dimensions)}")
    n = len(next(iter(cells.values())))
    names = [*dimensions, "total"]

    def statistic(index: np.ndarray) -> np.ndarray:
        """Every dimension's contribution and the total gap, over the seeds ``index`` picks."""
        index = index.astype(np.int64)
        phi = shapley({s: float(v[index].mean()) for s, v in cells.items()}, dimensions)
        total = float(cells[frozenset(dimensions)][index].mean() - cells[frozenset()][index].mean())
        return np.array([*(phi[d] for d in dimensions), total])

    point = statistic(np.arange(n))
    if n >= 2:
        low, high = stats.bootstrap(
            (np.arange(n),),  # resampling seeds keeps each seed's cells together (paired)
            statistic,
            vectorized=False,
            confidence_level=confidence,
            n_resamples=resamples,
            method="percentile",
            rng=np.random.default_rng(np.random.SeedSequence(seed)),
        ).confidence_interval
    else:
        low = high = point
    return pd.DataFrame(
        {
            "comparison": comparison,
            "dimension": names,
            "contribution": point,
            "ci_low": np.asarray(low, dtype=float),
            "ci_high": np.asarray(high, dtype=float),
        }
    )


def differing(a: Mapping[str, str], b: Mapping[str, str], among: Iterable[str]) -> list[str]:
    """The dimensions (in the order of ``among``) on which coordinates ``a`` and ``b`` differ."""
    return [d for d in among if a[d] != b[d]]


def factorial(reference: str, others: Sequence[str]) -> tuple[dict[str, list[tuple[str, str]]], dict[str, Any]]:
    """The full factorial of regimes between ``reference`` and each of ``others``, for :func:`gap_table`.

    Returns the factorial's regimes by name and, for each, the (comparison, switched dimensions) cells it
    stands for (a regime shared by two comparisons, the reference itself among them, runs once).  Shared by
    the regime decomposition on the defaults and on the calibrated scenario, so both split the same gaps.
    """
    from ecsim.dimensions import DIMENSIONS
    from ecsim.model.regimes import REGIMES

    cells: dict[str, list[tuple[str, str]]] = {}
    regimes: dict[str, Any] = {}
    a = REGIMES[reference]
    for other in others:
        b = REGIMES[other]
        for subset in subsets(differing(a.dimensions, b.dimensions, DIMENSIONS)):
            regime = a.with_dimensions(**{d: b.dimensions[d] for d in subset})
            regimes[regime.name] = regime
            cells.setdefault(regime.name, []).append((f"{reference} vs {other}", JOIN.join(subset)))
    return cells, regimes


def gap_table(
    runs: pd.DataFrame,
    cells: Mapping[str, Sequence[tuple[str, str]]],
    reference: str,
    others: Sequence[str],
    outcome: str = "harm_reduction",
) -> pd.DataFrame:
    """Per comparison, each dimension's Shapley contribution to the ``reference`` regime's advantage in
    ``outcome`` over the other (and the whole advantage, ``dimension == "total"``), from paired ``runs`` of
    the :func:`factorial`'s regimes; a row per seed pairs the regimes, whatever parameter set it ran on."""
    from ecsim.dimensions import DIMENSIONS
    from ecsim.model.regimes import REGIMES

    rows = []
    for regime, regime_cells in cells.items():
        mine = runs[(runs["regime"] == regime) & (runs["status"] == "ok")]
        for comparison, switched in regime_cells:
            rows.append(
                mine.assign(comparison=comparison, switched=switched)[["comparison", "switched", "seed", outcome]]
            )
    table = pd.concat(rows, ignore_index=True)
    parts = []
    for other in others:
        comparison = f"{reference} vs {other}"
        dims = differing(REGIMES[reference].dimensions, REGIMES[other].dimensions, DIMENSIONS)
        mine = table[table["comparison"] == comparison]
        advantage = mine.assign(advantage=-mine[outcome])
        parts.append(decompose(advantage, dims, "advantage", comparison=comparison))
    return pd.concat(parts, ignore_index=True)


def changes(table: pd.DataFrame, scenario: str = "scenario", reference: str = "defaults") -> pd.DataFrame:
    """What changed between the ``reference`` scenario's decomposition and each other scenario's.

    ``table`` stacks :func:`gap_table`'s for several scenarios (a ``scenario`` column).  One row per other
    scenario, comparison and dimension (the total included): both contributions (the reference's with its
    interval: ``reference``, ``reference_low``, ``reference_high``), ``sign_changed`` (their signs
    differ and each interval lies on its own side of 0), ``rank`` and ``reference_rank`` (the dimension's rank
    by the size of its contribution within the comparison, 1 the largest; 0 for the total), ``rank_changed``
    and ``excludes_reference`` (the scenario's interval leaves out the reference's contribution).
    """

    def ranked(part: pd.DataFrame) -> pd.DataFrame:
        part = part.copy()
        dims = part["dimension"] != "total"
        part["rank"] = 0
        part.loc[dims, "rank"] = (
            part.loc[dims].groupby("comparison")["contribution"].transform(lambda c: c.abs().rank(ascending=False))
        ).astype(int)
        return part.set_index(["comparison", "dimension"])

    base = ranked(table[table[scenario] == reference])
    rows = []
    for name, part in table[table[scenario] != reference].groupby(scenario, sort=False):
        mine = ranked(part).join(base[["contribution", "ci_low", "ci_high", "rank"]].add_suffix("_reference"))
        opposite = np.sign(mine["contribution"]) * np.sign(mine["contribution_reference"]) < 0
        clear = (np.sign(mine["ci_low"]) == np.sign(mine["ci_high"])) & (
            np.sign(mine["ci_low_reference"]) == np.sign(mine["ci_high_reference"])
        )
        rows.append(
            pd.DataFrame(
                {
                    scenario: name,
                    "contribution": mine["contribution"],
                    "ci_low": mine["ci_low"],
                    "ci_high": mine["ci_high"],
                    "reference": mine["contribution_reference"],
                    "reference_low": mine["ci_low_reference"],
                    "reference_high": mine["ci_high_reference"],
                    "sign_changed": opposite & clear,
                    "rank": mine["rank"],
                    "reference_rank": mine["rank_reference"],
                    "rank_changed": mine["rank"] != mine["rank_reference"],
                    "excludes_reference": (mine["contribution_reference"] < mine["ci_low"])
                    | (mine["contribution_reference"] > mine["ci_high"]),
                }
            ).reset_index()
        )
    return pd.concat(rows, ignore_index=True)

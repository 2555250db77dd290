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

"""Pairing against the baseline regime: ``harm_reduction`` on a runs table.

Every regime of a (design point, replicate) pair runs on the same seed (common
random numbers), so each run can be compared with the baseline regime's run
(:data:`ecsim.model.regimes.BASELINE`, ``no_cooperation``) on the identical
stakeholders and issues.  The store (:func:`ecsim.load_results`) returns the runs
as they were stored; the paired outcome is added here, once, for every study,
notebook and test::

    runs = analysis.paired_runs(load_results(folder))     # runs + harm_reduction
    runs = analysis.harm_reduction(some_runs_table)        # the same on any runs table
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ecsim.analysis.stats import PAIR
from ecsim.model.regimes import BASELINE

if TYPE_CHECKING:
    from ecsim.experiment.store import Results

#: Labels of the paired outcomes (figures read them through :func:`ecsim.plots.label`).
LABELS: dict[str, str] = {
    "harm_reduction": f"Harm reduction vs. {BASELINE.replace('_', ' ')} (share)",
}


def reduction(harm: np.ndarray | pd.Series, baseline: np.ndarray | pd.Series) -> np.ndarray:
    """``1 - harm / baseline`` element by element; NaN where the baseline's harm is not positive (or missing).

    The same arithmetic as :func:`ecsim.model.compare` on one seed (docs/ODD.md, "Across regimes").
    """
    harm = np.asarray(harm, dtype=float)
    base = np.asarray(baseline, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(base > 0, 1.0 - harm / base, np.nan)


def harm_reduction(runs: pd.DataFrame, baseline: str = BASELINE) -> pd.DataFrame:
    """``runs`` with a ``harm_reduction`` column: 1 - cumulative harm / that of the baseline's run.

    Each run is paired with the ``baseline`` regime's successful run of the same design
    point and replicate (same seed).  ``harm_reduction`` is NaN where that run failed or is
    missing, where the run itself failed, and where the baseline's cumulative harm is 0; it
    is 0 for the baseline's own runs.  Rows, their order and index are kept; an existing
    ``harm_reduction`` column is replaced.  Raises ValueError if no run of ``baseline`` is
    in the table at all (nothing to pair with).
    """
    missing = {"regime", "cumulative_harm", *PAIR} - set(runs.columns)
    if missing:
        raise ValueError(f"harm_reduction: the runs table lacks {', '.join(sorted(missing))}")
    if not (runs["regime"] == baseline).any():
        regimes = ", ".join(dict.fromkeys(runs["regime"].astype(str))) or "none"
        raise ValueError(f"harm_reduction: no run of the baseline regime {baseline!r} to pair with (regimes {regimes})")
    ok = runs["status"] == "ok" if "status" in runs else pd.Series(True, index=runs.index)
    base = runs.loc[(runs["regime"] == baseline) & ok, [*PAIR, "cumulative_harm"]]
    if base.duplicated(PAIR).any():
        raise ValueError(f"harm_reduction: more than one {baseline!r} run per point and replicate")
    base = base.set_index(PAIR)["cumulative_harm"].rename("_baseline_harm")
    joined = runs[[*PAIR, "cumulative_harm"]].join(base, on=PAIR)
    values = pd.Series(reduction(joined["cumulative_harm"], joined["_baseline_harm"]), index=runs.index)
    kept = runs.drop(columns="harm_reduction") if "harm_reduction" in runs else runs
    # One concatenation, not an insert into a runs table of many parameter columns (fragmented); ``runs`` is
    # never modified.
    return pd.concat([kept, values.rename("harm_reduction")], axis=1)


def paired_runs(results: Results, baseline: str = BASELINE) -> pd.DataFrame:
    """The runs of a stored sweep with ``harm_reduction`` paired against ``baseline`` (see :func:`harm_reduction`).

    ``results`` is what :func:`ecsim.load_results` returns; its ``runs`` are not modified.
    """
    return harm_reduction(results.runs, baseline)


__all__ = ["LABELS", "harm_reduction", "paired_runs", "reduction"]

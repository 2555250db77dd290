"""Outcomes at several horizons and in the steady state: does a ranking of regimes depend on when it is read?

Harm never stops arriving, and failed issues stay failed, so a regime's harm
reduction over 60 months need not rank the regimes as its reduction over 480 does.
These functions read the per-step table of a sweep (``Results.steps``: point,
replicate, regime, step and the metrics) and pair every run with the baseline's run
of the same point and replicate, as harm reduction always is.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ecsim.model.regimes import BASELINE

_KEYS = ["point", "replicate", "regime"]


def at_horizons(steps: pd.DataFrame, months: Sequence[int], baseline: str = BASELINE) -> pd.DataFrame:
    """Harm reduction at each horizon: 1 - cumulative harm at month h / the baseline's at h, same point and replicate.

    One row per run and horizon (columns point, replicate, regime, horizon, harm_reduction); horizons
    beyond the runs' length are left out.  NaN where the baseline's cumulative harm is 0.
    """
    rows = steps.loc[steps["step"].isin(list(months)), [*_KEYS, "step", "cumulative_harm"]]
    base = rows.loc[rows["regime"] == baseline, ["point", "replicate", "step", "cumulative_harm"]]
    merged = rows.merge(base, on=["point", "replicate", "step"], suffixes=("", "_baseline"), how="inner")
    denominator = merged["cumulative_harm_baseline"].where(merged["cumulative_harm_baseline"] > 0)
    merged["harm_reduction"] = 1.0 - merged["cumulative_harm"] / denominator
    merged = merged.rename(columns={"step": "horizon"})
    return merged[[*_KEYS, "horizon", "harm_reduction"]].reset_index(drop=True)


def steady_state(steps: pd.DataFrame, last: int = 60) -> pd.DataFrame:
    """Mean harm per month over each run's last ``last`` months: the harm a regime settles at.

    One row per run (point, replicate, regime, steady_harm).
    """
    end = steps.groupby(_KEYS)["step"].transform("max")
    tail = steps[steps["step"] > end - last]
    out = tail.groupby(_KEYS, as_index=False)["harm"].mean()
    return out.rename(columns={"harm": "steady_harm"})


def rankings(summary: pd.DataFrame, by: str = "horizon", metric: str = "harm_reduction") -> pd.DataFrame:
    """The regimes ranked by mean ``metric`` at every level of ``by`` (rank 1 = highest), one column per level."""
    rows = summary[summary["metric"] == metric]
    ranks = rows.assign(rank=rows.groupby(by)["mean"].rank(ascending=False, method="min").astype(int))
    return ranks.pivot(index="regime", columns=by, values="rank")


def ranking_changes(ranks: pd.DataFrame) -> bool:
    """Whether any regime's rank differs between the levels (columns) of ``rankings``."""
    return bool((ranks.nunique(axis=1) > 1).any())

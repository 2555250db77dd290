"""Outcomes at several horizons and in the steady state: does a ranking of regimes depend on when it is read?

Harm never stops arriving, and failed issues stay failed, so a regime's harm
reduction over 60 months need not rank the regimes as its reduction over 480 does.
These functions read the per-step table of a sweep and pair every run with the baseline's
run of the same point and replicate, as harm reduction always is.  The table is either a
DataFrame (``Results.steps``: point, replicate, regime, step and the metrics) or, for a
store of any size, the lazy ``Results.step_table``: then DuckDB reads only the columns and
steps needed from the Parquet parts and returns one row per run (and horizon), the same
numbers as on the DataFrame.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ecsim.experiment.steps import StepTable, ident, literal, number
from ecsim.model.regimes import BASELINE

_KEYS = ["point", "replicate", "regime"]


def at_horizons(steps: pd.DataFrame | StepTable, months: Sequence[int], baseline: str = BASELINE) -> pd.DataFrame:
    """Harm reduction at each horizon: 1 - cumulative harm at month h / the baseline's at h, same point and replicate.

    One row per run and horizon (columns point, replicate, regime, horizon, harm_reduction); horizons
    beyond the runs' length (or not stored, in a thinned table) are left out.  NaN where the baseline's
    cumulative harm is 0.
    """
    if isinstance(steps, StepTable):
        months_sql = ", ".join(literal(int(m)) for m in months) or "NULL"
        out = steps.sql(
            "WITH h AS (SELECT point, replicate, regime, step, CAST(cumulative_harm AS DOUBLE) AS harm, _rank "
            f"FROM {{steps}} WHERE step IN ({months_sql})) "
            "SELECT a.point, a.replicate, a.regime, a.step AS horizon, "
            "1.0 - a.harm / (CASE WHEN b.harm > 0 THEN b.harm END) AS harm_reduction "
            "FROM h a JOIN h b ON a.point = b.point AND a.replicate = b.replicate AND a.step = b.step "
            f"AND b.regime = {literal(baseline)} ORDER BY a._rank, a.step"
        )
        return out.astype({"harm_reduction": "float64"})
    rows = steps.loc[steps["step"].isin(list(months)), [*_KEYS, "step", "cumulative_harm"]]
    base = rows.loc[rows["regime"] == baseline, ["point", "replicate", "step", "cumulative_harm"]]
    merged = rows.merge(base, on=["point", "replicate", "step"], suffixes=("", "_baseline"), how="inner")
    denominator = merged["cumulative_harm_baseline"].where(merged["cumulative_harm_baseline"] > 0)
    merged["harm_reduction"] = 1.0 - merged["cumulative_harm"] / denominator
    merged = merged.rename(columns={"step": "horizon"})
    return merged[[*_KEYS, "horizon", "harm_reduction"]].reset_index(drop=True)


def steady_state(steps: pd.DataFrame | StepTable, last: int = 60) -> pd.DataFrame:
    """Mean harm per month over each run's last ``last`` months: the harm a regime settles at.

    One row per run (point, replicate, regime, steady_harm), sorted by them.  In a thinned table
    the mean is over the stored months among the last ``last``.
    """
    if isinstance(steps, StepTable):
        return steps.sql(
            "WITH e AS (SELECT run_id, max(step) AS _end FROM {steps} GROUP BY run_id) "
            f"SELECT s.point, s.replicate, s.regime, favg({number('s.harm')}) AS steady_harm "
            f"FROM {{steps}} s JOIN e ON s.run_id = e.run_id WHERE s.step > e._end - {int(last)} "
            "GROUP BY s.point, s.replicate, s.regime ORDER BY s.point, s.replicate, s.regime"
        )
    end = steps.groupby(_KEYS)["step"].transform("max")
    tail = steps[steps["step"] > end - last]
    out = tail.groupby(_KEYS, as_index=False)["harm"].mean()
    return out.rename(columns={"harm": "steady_harm"})


def first_step(steps: pd.DataFrame | StepTable, metric: str, threshold: float, above: bool = True) -> pd.DataFrame:
    """Time to a threshold: each run's first stored step where ``metric`` >= ``threshold`` (<= if not ``above``).

    One row per run (point, replicate, regime, step), in the order of the step table; ``step`` is NaN
    where the run never gets there (censored at its end).  On a lazy ``StepTable`` it runs in DuckDB.
    """
    op = ">=" if above else "<="
    if isinstance(steps, StepTable):
        out = steps.sql(
            f"SELECT point, replicate, regime, min(step) FILTER (WHERE {ident(metric)} {op} {literal(threshold)}) "
            "AS step FROM {steps} GROUP BY run_id, point, replicate, regime ORDER BY min(_rank)"
        )
        return out.astype({"step": "float64"})
    hit = steps[f"{metric}"].ge(threshold) if above else steps[f"{metric}"].le(threshold)
    rows = steps.assign(_hit=steps["step"].where(hit))
    out = rows.groupby("run_id", sort=False).agg(
        point=("point", "first"), replicate=("replicate", "first"), regime=("regime", "first"), step=("_hit", "min")
    )
    return out.reset_index(drop=True).astype({"step": "float64"})


def rankings(summary: pd.DataFrame, by: str = "horizon", metric: str = "harm_reduction") -> pd.DataFrame:
    """The regimes ranked by mean ``metric`` at every level of ``by`` (rank 1 = highest), one column per level."""
    rows = summary[summary["metric"] == metric]
    ranks = rows.assign(rank=rows.groupby(by)["mean"].rank(ascending=False, method="min").astype(int))
    return ranks.pivot(index="regime", columns=by, values="rank")


def ranking_changes(ranks: pd.DataFrame) -> bool:
    """Whether any regime's rank differs between the levels (columns) of ``rankings``."""
    return bool((ranks.nunique(axis=1) > 1).any())

"""The response to a shock (a burst of issues in one month), against a no-shock control.

A sweep with a shocked and an unshocked design point gives each regime's shock-free
trajectory.  The response is a difference in differences: a shocked run's open issues
(or harm) minus the regime's mean control run, less the run's own mean gap over the
``pre`` months before the shock (:func:`excess`).  From that excess backlog, per run:
its peak, the months to half and to 90% recovery (censored at the end of the run),
and the excess failures, resolutions and harm after the shock (:func:`responses`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The per-run response measures of :func:`responses`, in the order of a report's table.
RESPONSE: tuple[str, ...] = (
    "burst",
    "peak_excess",
    "months_to_peak",
    "excess_after_year",
    "half_recovery",
    "recovery_90",
    "excess_resolved",
    "excess_failed",
    "excess_harm",
)

#: Labels (with units) of the response measures and of the per-step excess series.
LABELS: dict[str, str] = {
    "burst": "Issues raised in the shock month",
    "peak_excess": "Peak excess backlog (issues)",
    "months_to_peak": "Time to peak backlog (months)",
    "excess_after_year": "Excess backlog 12 months on (issues)",
    "half_recovery": "Time to half recovery (months)",
    "recovery_90": "Time to 90% recovery (months)",
    "excess_resolved": "Excess issues resolved (issues)",
    "excess_failed": "Excess issues failed (issues)",
    "excess_harm": "Excess cumulative harm (issue-months)",
    "excess_open": "Excess open issues (issues)",
    "excess_harm_step": "Excess harm (issue-months per month)",
}

_CONTROL = ["issues_open", "harm", "issues_failed", "issues_resolved", "issues_arrived"]


def with_point_factor(steps: pd.DataFrame, runs: pd.DataFrame, factor: str) -> pd.DataFrame:
    """``steps`` with a design factor's value (a column of ``runs``) on every row, by design point."""
    value = runs.drop_duplicates("point").set_index("point")[factor]
    return steps.assign(**{factor: steps["point"].map(value)})


def excess(steps: pd.DataFrame, shocked: pd.Series, shock: int, pre: int = 12) -> pd.DataFrame:
    """Per shocked run and step: its excess open issues and harm over the control (difference in differences).

    ``shocked`` marks the rows of shocked runs; the other rows are the control.  Returns the
    shocked rows with the control's means alongside (``<column>_control``), ``excess_open``
    and ``excess_harm_step``: the run's value minus the control mean of its regime at that
    step, less the run's mean gap over the ``pre`` months before month ``shock``.
    """
    control = steps[~shocked].groupby(["regime", "step"])[_CONTROL].mean().add_suffix("_control").reset_index()
    s = steps[shocked].merge(control, on=["regime", "step"], how="left")
    for c in ("issues_open", "harm"):
        gap = s[c] - s[f"{c}_control"]
        before = gap.where(s["step"].between(shock - pre, shock - 1))
        s[f"gap_{c}"] = gap - before.groupby(s["run_id"]).transform("mean")
    return s.rename(columns={"gap_issues_open": "excess_open", "gap_harm": "excess_harm_step"})


def first_month(months: np.ndarray, condition: np.ndarray) -> float:
    """The first of ``months`` where ``condition`` holds, NaN if it never does (time to a threshold)."""
    hit = np.flatnonzero(condition)
    return float(months[hit[0]]) if hit.size else np.nan


def excess_growth(run: pd.DataFrame, column: str, shock: int, end: int) -> float:
    """Growth of a cumulative count from the month before the shock to ``end``, less the control's growth.

    ``run`` is one run's rows of :func:`excess`, indexed by step.
    """
    own = run.loc[end, column] - run.loc[shock - 1, column]
    return float(own - (run.loc[end, f"{column}_control"] - run.loc[shock - 1, f"{column}_control"]))


def responses(s: pd.DataFrame, shock: int, end: int) -> pd.DataFrame:
    """One row per shocked run (of :func:`excess`): the measures of :data:`RESPONSE`.

    Recovery times count months after the shock until the excess backlog, after its peak,
    is at most half (``half_recovery``) or a tenth (``recovery_90``) of the peak; a run
    that never gets there is censored at ``end - shock`` months and flagged
    (``half_censored``, ``recovery_90_censored``).
    """
    rows = []
    for run_id, r in s.sort_values(["run_id", "step"]).groupby("run_id", sort=True):
        r = r.set_index("step")
        post = r.loc[shock:end]
        months = post.index.to_numpy() - shock
        x = post["excess_open"].to_numpy()
        peak_at = int(np.argmax(x))
        peak = float(x[peak_at])
        after = np.arange(len(x)) >= peak_at
        half = first_month(months, after & (x <= peak / 2))
        ninety = first_month(months, after & (x <= peak / 10))
        rows.append(
            {
                "run_id": run_id,
                "point": r["point"].iloc[0],
                "replicate": r["replicate"].iloc[0],
                "regime": r["regime"].iloc[0],
                "burst": float(r.loc[shock, "issues_arrived"] - r.loc[shock - 1, "issues_arrived"]),
                "peak_excess": peak,
                "months_to_peak": float(months[peak_at]),
                "excess_after_year": float(x[12]) if len(x) > 12 else np.nan,
                "half_recovery": months[-1] if np.isnan(half) else half,
                "half_censored": bool(np.isnan(half)),
                "recovery_90": months[-1] if np.isnan(ninety) else ninety,
                "recovery_90_censored": bool(np.isnan(ninety)),
                "excess_resolved": excess_growth(r, "issues_resolved", shock, end),
                "excess_failed": excess_growth(r, "issues_failed", shock, end),
                "excess_harm": float(post["excess_harm_step"].sum()),
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "LABELS",
    "RESPONSE",
    "excess",
    "excess_growth",
    "first_month",
    "responses",
    "with_point_factor",
]

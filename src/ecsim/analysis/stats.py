"""Statistics on stored results: bootstrap confidence intervals, paired differences, replicate adequacy.

Functions take the tidy tables of :func:`ecsim.load_results` (``runs`` or
``steps``) and return tidy DataFrames; they never need to know how the runs
were executed.  Bootstrap intervals use :func:`scipy.stats.bootstrap` (BCa by
default) with a generator seeded by the caller, so tables are reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ecsim.experiment.steps import StepTable, ident, number

#: Columns that identify a run's pairing partner: same design point and replicate = same seed.
PAIR = ["point", "replicate"]
#: Values a bootstrap holds at once (resamples x sample size; BCa's jackknife is n x n otherwise: 5 GB for
#: 25,000 pairs).  Batches draw the same resamples in the same order: the interval does not change.
BATCH_VALUES = 500_000


def mean_ci(
    values: Sequence[float] | np.ndarray,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
    method: str = "BCa",
) -> tuple[float, float, float]:
    """(mean, low, high): the mean and its bootstrap confidence interval.

    With fewer than 2 values, or no variation, the interval collapses to the mean.  Beyond
    :data:`BATCH_VALUES` / ``n_resamples`` values the resamples are drawn in batches (bounded memory).
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(x.mean())
    if x.size < 2 or np.ptp(x) == 0:
        return (mean, mean, mean)
    batch = BATCH_VALUES // x.size
    batch = None if batch >= n_resamples else max(batch, 1)
    res = stats.bootstrap(
        (x,),
        np.mean,
        confidence_level=confidence,
        n_resamples=n_resamples,
        method=method,
        rng=np.random.default_rng(seed),
        vectorized=True,
        batch=batch,
    )
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if not (np.isfinite(low) and np.isfinite(high)):  # BCa can fail on degenerate samples
        res = stats.bootstrap(
            (x,),
            np.mean,
            confidence_level=confidence,
            n_resamples=n_resamples,
            method="percentile",
            rng=np.random.default_rng(seed),
            vectorized=True,
            batch=batch,
        )
        low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return (mean, low, high)


def summarise(
    runs: pd.DataFrame,
    metrics: Sequence[str],
    by: Sequence[str] = ("regime",),
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Mean and bootstrap CI of each metric per group: columns ``by``, metric, n, mean, low, high."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    rows = []
    for key, group in ok.groupby(list(by), sort=False):
        key = key if isinstance(key, tuple) else (key,)
        for metric in metrics:
            mean, low, high = mean_ci(group[metric], confidence, n_resamples, seed)
            rows.append(
                {
                    **dict(zip(by, key, strict=True)),
                    "metric": metric,
                    "n": int(group[metric].notna().sum()),
                    "mean": mean,
                    "low": low,
                    "high": high,
                }
            )
    return pd.DataFrame(rows)


def paired_differences(runs: pd.DataFrame, metric: str, a: str, b: str) -> pd.DataFrame:
    """Per pair (same point and replicate, hence same seed): ``metric`` of regime ``a`` minus regime ``b``.

    Returns one row per pair with the design point's factor columns kept, and
    ``difference``.  Pairs where either run failed are dropped.
    """
    ok = runs["status"] == "ok" if "status" in runs else pd.Series(True, index=runs.index)
    mine = ok & (runs["regime"] == a)
    right = runs.loc[ok & (runs["regime"] == b), [*PAIR, metric]].set_index(PAIR)[metric]
    if not mine.any() or right.empty:
        raise ValueError(f"paired_differences: need runs of both regimes {a!r} and {b!r}")
    # An inner join on the pair that keeps a's order (as DataFrame.join does), copying a's rows once.
    keys = pd.MultiIndex.from_frame(runs.loc[mine, PAIR])
    present = keys.isin(right.index)
    mine[mine] = present
    out = runs.loc[mine, [*PAIR, *(c for c in runs.columns if c not in PAIR)]].reset_index(drop=True)
    out["difference"] = out[metric].to_numpy() - right.reindex(keys[present]).to_numpy()
    out["comparison"] = f"{a} - {b}"
    return out


def paired_summary(
    runs: pd.DataFrame,
    metric: str,
    pairs: Sequence[tuple[str, str]],
    by: Sequence[str] = (),
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Mean paired difference with a bootstrap CI for each (a, b), optionally per group of ``by`` columns."""
    rows = []
    needed = [c for c in (*PAIR, "regime", "status", metric, *by) if c in runs]
    runs = runs[list(dict.fromkeys(needed))]  # the other columns are not copied with the pairs (lazily: no copy)
    for a, b in pairs:
        diffs = paired_differences(runs, metric, a, b)
        groups = diffs.groupby(list(by), sort=False) if by else [((), diffs)]
        for key, group in groups:
            key = key if isinstance(key, tuple) else (key,)
            mean, low, high = mean_ci(group["difference"], confidence, seed=seed)
            rows.append(
                {
                    **dict(zip(by, key, strict=True)),
                    "comparison": f"{a} - {b}",
                    "metric": metric,
                    "n_pairs": len(group),
                    "mean": mean,
                    "low": low,
                    "high": high,
                    "share_positive": float((group["difference"] > 0).mean()),
                }
            )
    return pd.DataFrame(rows)


def replicate_adequacy(
    runs: pd.DataFrame,
    metric: str,
    by: Sequence[str] = ("regime",),
    target: float | None = None,
    relative: float = 0.05,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Is the number of replicates enough?  CI half-width of the mean against the replicates used.

    For r = 2 .. R (the first r replicates of each group) the half-width of a
    Student-t interval is reported; ``enough`` says whether the half-width with
    all R replicates is within ``target`` (absolute), or else within ``relative``
    x |mean|.  ``needed`` extrapolates the replicates required (half-width ~ 1/sqrt(r)).
    """
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    rows = []
    for key, group in ok.groupby(list(by), sort=False):
        key = key if isinstance(key, tuple) else (key,)
        values = group.sort_values(["replicate", *[c for c in ("point",) if c in group]])[metric].to_numpy(float)
        values = values[np.isfinite(values)]
        for r in range(2, values.size + 1):
            x = values[:r]
            half = float(stats.t.ppf(0.5 + confidence / 2, r - 1) * x.std(ddof=1) / np.sqrt(r))
            rows.append(
                {**dict(zip(by, key, strict=True)), "replicates": r, "mean": float(x.mean()), "half_width": half}
            )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    last = table.groupby(list(by), sort=False).tail(1).copy()
    goal = target if target is not None else relative * last["mean"].abs()
    last["target"] = goal
    last["enough"] = last["half_width"] <= last["target"]
    ratio = (last["half_width"] / last["target"].where(last["target"] > 0)) ** 2
    last["needed"] = np.ceil(last["replicates"] * ratio.fillna(np.inf)).clip(lower=2)
    return table.merge(last[[*by, "target", "enough", "needed"]], on=list(by))


def adequacy_verdict(adequacy: pd.DataFrame, by: Sequence[str] = ("regime",)) -> pd.DataFrame:
    """One row per group of a :func:`replicate_adequacy` table (sorted by ``by``): ``enough`` and ``needed``
    with all the replicates used."""
    return adequacy.groupby(list(by))[["enough", "needed"]].last()


def timeseries(
    steps: pd.DataFrame | StepTable, metric: str, by: str = "regime", confidence: float = 0.95
) -> pd.DataFrame:
    """Per step and group: mean of ``metric`` across runs and a Student-t confidence band.

    Columns ``by``, step, mean, n, low, high; the band is mean ± t(n-1) sd / sqrt(n) (none for n = 1),
    from the count, mean and standard deviation per step alone: no bootstrap, so it also runs out
    of core.  ``steps`` is a DataFrame (e.g. ``Results.steps``) or a lazy
    :class:`~ecsim.experiment.steps.StepTable` (``Results.step_table``): then DuckDB computes the
    count, mean and standard deviation (Welford's streaming variance) over the Parquet parts and
    only the table of steps x groups is in memory; the numbers equal the DataFrame's to about 1e-15
    (another order of summation).  ``by`` may then also be a column of the runs table (a factor).
    """
    if isinstance(steps, StepTable):
        out = _timeseries_sql(steps, metric, by)
    else:
        g = steps.groupby([by, "step"], sort=False)[metric]
        out = g.agg(mean="mean", sd="std", n="count").reset_index()
    tcrit = stats.t.ppf(0.5 + confidence / 2, np.maximum(out["n"] - 1, 1))
    half = np.where(out["n"] > 1, tcrit * out["sd"] / np.sqrt(out["n"]), 0.0)
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    return out.drop(columns="sd")


def _timeseries_sql(steps: StepTable, metric: str, by: str) -> pd.DataFrame:
    """Count, mean and sd of ``metric`` per (``by``, step) in DuckDB, in the order pandas' ``groupby(sort=False)``
    gives on the eager frame (groups by their first row: the first run's rank, then step)."""
    x = number(f"s.{ident(metric)}")
    if by in steps.columns:
        group, rows = f"s.{ident(by)}", "{steps} s"
    else:  # a column of the runs table: a design factor
        group, rows = f"r.{ident(by)}", "{steps} s JOIN runs r ON s.run_id = r.run_id"
    out = steps.sql(
        f"SELECT {group} AS {ident(by)}, s.step AS step, avg({x}) AS mean, stddev_samp({x}) AS sd, "
        f"count({x}) AS n FROM {rows} WHERE {group} IS NOT NULL GROUP BY {group}, s.step "
        "ORDER BY min(s._rank), s.step"
    )
    return out.astype({"n": "int64", "mean": "float64", "sd": "float64"})

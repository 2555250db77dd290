"""One-line summaries of runs and the paired comparison of regimes on one seed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ecsim.model.metrics import SUMMARY
from ecsim.model.model import EnhancedCooperationModel
from ecsim.model.regimes import BASELINE, REGIMES, Regime, RegimeError, resolve_regime
from ecsim.rng import SeedLike


def summarise(model: EnhancedCooperationModel, metrics: pd.DataFrame | None = None) -> dict[str, Any]:
    """The end-of-run figures of one model, as each metric's declaration says (:mod:`ecsim.model.metrics`).

    ``metrics`` may pass ``model.metrics()`` when the caller has it already.
    """
    m = model.metrics() if metrics is None else metrics
    last = m.iloc[-1]
    summary: dict[str, Any] = {"steps": int(last["step"])}
    for metric in SUMMARY:
        if metric.summary == "last":
            value = last[metric.name]
        elif metric.summary == "mean":
            value = m[metric.name].mean()
        else:
            value = m[metric.name].sum()
        summary[metric.name] = metric.dtype(value)
    return summary


def parameter_columns(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as flat, Parquet-friendly columns (``issue_mix`` as ``issue_mix_<category>``)."""
    flat: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, dict):
            flat.update({f"{name}_{key}": float(v) for key, v in value.items()})
        else:
            flat[name] = value
    return flat


def tidy_metrics(model: EnhancedCooperationModel) -> pd.DataFrame:
    """Per-step metrics with the regime, the seed and every parameter alongside (one row per step)."""
    df = model.metrics()
    df.insert(0, "regime", model.regime.name)
    df.insert(1, "seed", str(model.seed_sequence.entropy))
    for name, value in parameter_columns(model.params).items():
        df[name] = value
    return df


def compare(
    seed: SeedLike = 0,
    regimes: Iterable[str | Regime] = tuple(REGIMES),
    **params: Any,
) -> pd.DataFrame:
    """Run each regime on the same seed and compare it with ``no_cooperation``.

    Common random numbers: every regime faces the same population and issue
    stream, so ``harm_reduction = 1 - cumulative_harm / cumulative_harm of
    no_cooperation`` is a paired comparison.  The baseline is always run (and
    reported only if asked for).  Returns one row per regime.

    Runs are shared by content, not by name: a regime asked for twice runs once.  Two
    different regimes with one name (e.g. two dicts of venues, both named ``custom``) are
    refused, because their rows could not be told apart; name each with ``Regime(name, routes)``.
    """
    if seed is None:
        raise RegimeError("compare needs a seed: the regimes must share one (common random numbers)")
    wanted = [resolve_regime(r) for r in regimes]
    if not wanted:
        raise RegimeError("regimes is empty: name at least one regime")
    baseline = resolve_regime(BASELINE)
    by_name: dict[str, str] = {}
    for regime in [baseline, *wanted]:
        if by_name.setdefault(regime.name, _content(regime)) != _content(regime):
            what = "the built-in baseline and another regime are" if regime.name == BASELINE else "two regimes are"
            raise RegimeError(
                f"regimes: {what} both named {regime.name!r} but route issues differently: "
                "give each its own name, e.g. Regime('co_regulation', routes)"
            )
    runs: dict[str, dict[str, Any]] = {}  # by the regime's content (its routes and name), never by name alone
    for regime in [baseline, *wanted]:
        key = _content(regime)
        if key not in runs:
            runs[key] = summarise(EnhancedCooperationModel(regime=regime, rng=seed, **params).run())
    base = runs[_content(baseline)]["cumulative_harm"]
    rows = []
    for regime in wanted:
        row = {"regime": regime.name, **runs[_content(regime)]}
        harm = row["cumulative_harm"]
        row["harm_reduction"] = 1.0 - harm / base if base > 0 else np.nan
        rows.append(row)
    columns = ["regime", "cumulative_harm", "harm_reduction"]
    df = pd.DataFrame(rows)
    return df[columns + [c for c in df.columns if c not in columns]]


def _content(regime: Regime) -> str:
    """What a regime is (its name and every venue of its routing), as canonical JSON: the key of a run."""
    return json.dumps(regime.describe(), sort_keys=True, default=str)

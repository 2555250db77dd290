"""What summary tables say: leaders and ties, intervals clear of a value, changes between two intervals,
rank trends, and the best group at each design point.

These read the tables of :mod:`ecsim.analysis.stats` (columns ``mean``, ``low``, ``high``)
and return plain values; a study's report turns them into words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats


def leaders(values: pd.Series | Mapping[Any, float], lowest: bool = False) -> list[Any]:
    """The labels whose value equals the largest (``lowest``: the smallest) within floating-point
    tolerance (:func:`numpy.isclose`), in the order of ``values``: one label, or several on a tie."""
    values = pd.Series(values, dtype=float)
    target = values.min() if lowest else values.max()
    return [k for k, v in values.items() if np.isclose(v, target)]


def ci_side(table: pd.DataFrame, value: float = 0.0) -> pd.Series:
    """Per row: 1 if the interval [low, high] lies above ``value``, -1 if below, 0 if it includes it."""
    side = np.where(table["low"] > value, 1, np.where(table["high"] < value, -1, 0))
    return pd.Series(side, index=table.index, dtype=int)


def interval_change(before: Mapping[str, float] | pd.Series, after: Mapping[str, float] | pd.Series) -> int:
    """1 if ``after``'s interval lies above ``before``'s, -1 if below, 0 if they overlap (no detectable change)."""
    if before["high"] < after["low"]:
        return 1
    if before["low"] > after["high"]:
        return -1
    return 0


class Trend(NamedTuple):
    """A Spearman rank correlation and its direction at a significance level."""

    rho: float
    p: float
    direction: int  # 1 rises, -1 falls, 0 no clear trend


def rank_trend(x: Sequence[float], y: Sequence[float], alpha: float = 0.05) -> Trend:
    """Does ``y`` rise or fall with ``x``?  Spearman's rho, its p-value and the direction (0 if p >= alpha)."""
    res = stats.spearmanr(x, y)
    rho, p = float(res.statistic), float(res.pvalue)
    direction = 1 if rho > 0 and p < alpha else -1 if rho < 0 and p < alpha else 0
    return Trend(rho, p, direction)


def best_rows(summary: pd.DataFrame, by: Sequence[str], lowest: bool = False, column: str = "mean") -> pd.DataFrame:
    """Per group of ``by`` (e.g. a design point), the row with the largest ``column`` (``lowest``: the
    smallest); the first such row on a tie."""
    groups = summary.groupby(list(by))[column]
    return summary.loc[groups.idxmin() if lowest else groups.idxmax()]


def always_equal(runs: pd.DataFrame, column: str, value: float, by: Sequence[str]) -> pd.Series:
    """Per group of ``by``: whether ``column`` equals ``value`` in every run of the group."""
    return runs[column].eq(value).groupby([runs[b] for b in by]).all()


def in_regime_order(table: pd.DataFrame, regimes: Sequence[str], then: Sequence[str] = ("replicate",)) -> pd.DataFrame:
    """``table`` sorted (stably) by the position of its regime in ``regimes``, then by the columns ``then``."""
    position = table["regime"].map(list(regimes).index)
    out = table.assign(_position=position).sort_values(["_position", *then], kind="stable")
    return out.drop(columns="_position")


__all__ = [
    "Trend",
    "always_equal",
    "best_rows",
    "ci_side",
    "in_regime_order",
    "interval_change",
    "leaders",
    "rank_trend",
]

"""The issue mix of a run: category shares, their heterogeneity (normalised entropy), readable names.

A run's ``issue_mix`` parameter is stored flat, one ``issue_mix_<category>``
column of (unnormalised) weights per category (:func:`ecsim.model.summary.parameter_columns`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ecsim.model.regimes import REGIMES, Regime
from ecsim.params import CATEGORIES, PARAMETERS

#: Short names of the categories, for names of mixes in tables and figures.
SHORT: dict[str, str] = {
    "national": "national",
    "international": "international",
    "critical_resources": "critical res.",
    "corporate_harm": "corporate harm",
    "technical_operational": "technical",
}

#: Labels of the quantities computed here.
LABELS: dict[str, str] = {
    "entropy": "Heterogeneity of issues (normalised entropy of the mix, 0–1)",
}


def mix_shares(runs: pd.DataFrame, categories: Sequence[str] = CATEGORIES) -> pd.DataFrame:
    """Each row's issue mix as shares summing to 1: one column per category, the rows' index kept."""
    w = runs[[f"issue_mix_{c}" for c in categories]].to_numpy(float)
    return pd.DataFrame(w / w.sum(axis=1, keepdims=True), columns=list(categories), index=runs.index)


def entropy(shares: pd.DataFrame, digits: int = 3) -> pd.Series:
    """Normalised Shannon entropy of each row of shares (0 log 0 = 0): 0 = one category, 1 = all equally often.

    Normalised by the log of the number of columns and rounded to ``digits`` decimals, so
    that mixes of equal heterogeneity share one value (a level to group runs by).
    """
    x = shares.to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(x > 0, x * np.log(x), 0.0).sum(axis=1)
    return pd.Series(np.abs(np.round(h / np.log(x.shape[1]), digits)), index=shares.index)


def mix_label(
    shares: pd.Series,
    default: Mapping[str, float] | None = None,
    short: Mapping[str, str] = SHORT,
    categories: Sequence[str] = CATEGORIES,
) -> str:
    """A readable name of a mix from its shares (one row of :func:`mix_shares`).

    ``default`` (the declared default mix unless given): "default"; all categories equally:
    "uniform"; all but one equally: "all but X"; some equally: "X + Y"; otherwise each
    category with its share.
    """
    default = dict(PARAMETERS["issue_mix"].default) if default is None else dict(default)
    cats = list(categories)
    reference = pd.Series(default, dtype=float).reindex(cats, fill_value=0.0)
    reference = reference / reference.sum()
    if np.allclose(shares[cats].to_numpy(float), reference.to_numpy(float)):
        return "default"
    present = [c for c in cats if shares[c] > 0]
    if not np.allclose(shares[present], shares[present].iloc[0]):
        return ", ".join(f"{short[c]} {shares[c]:.2f}" for c in present)
    if len(present) == len(cats):
        return "uniform"
    if len(present) == len(cats) - 1:
        return "all but " + short[next(c for c in cats if c not in present)]
    return " + ".join(short[c] for c in present)


def limited_venues(regime: str | Regime, shares: pd.Series, categories: Sequence[str] = CATEGORIES) -> int:
    """How many venues with a limited (shared) agenda ``regime`` routes the categories present in a mix to."""
    routes = (REGIMES[regime] if isinstance(regime, str) else regime).routes
    return len({routes[c].name for c in categories if shares[c] > 0 and routes[c].shared_agenda})


def mixes(runs: pd.DataFrame, regime: str | Regime = "flexible") -> tuple[pd.DataFrame, pd.DataFrame]:
    """``runs`` with ``entropy`` and ``mix`` (its name) added, and one row per mix.

    The second table has one row per design point, ordered by entropy then point, with
    columns ``point``, ``mix``, ``entropy`` and ``limited_venues`` (of ``regime``).
    """
    shares = mix_shares(runs)
    runs = runs.assign(entropy=entropy(shares), mix=[mix_label(s) for _, s in shares.iterrows()])
    first = runs.drop_duplicates("point").sort_values(["entropy", "point"])
    table = first[["point", "mix", "entropy"]].reset_index(drop=True)
    table["limited_venues"] = [limited_venues(regime, shares.loc[i]) for i in first.index]
    return runs, table


__all__ = ["LABELS", "SHORT", "entropy", "limited_venues", "mix_label", "mix_shares", "mixes"]

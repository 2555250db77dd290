"""One factor varied alone: harm reduction and paired gaps at each level, in tables, a figure and sentences.

The studies that vary one parameter across its range with every regime paired on seeds at each level
(``experiments/delegation_capacity.py``, ``experiments/outside_option.py``) read their runs the same
way; this module is that reading, so each study only says what its factor is and how to draw it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from ecsim.analysis.findings import ci_side
from ecsim.analysis.stats import paired_summary, summarise
from ecsim.analysis.tables import export, format_ci, paired_table
from ecsim.model.regimes import BASELINE

Level = Callable[[float], str]


def tables(
    runs: pd.DataFrame, factor: str, metrics: Sequence[str], pairs: Sequence[tuple[str, str]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary of ``metrics`` by regime and level, paired differences in harm reduction by level)."""
    summary = summarise(runs, list(metrics), by=["regime", factor])
    return summary, paired_summary(runs, "harm_reduction", pairs, by=[factor])


def export_tables(
    summary: pd.DataFrame, paired: pd.DataFrame, factor: str, stem: Path, what: str, label: str, ci: str
) -> list[Path]:
    """harm_reduction.csv/.tex (regimes by level) and paired.csv/.tex in ``stem``'s folder; ``what`` names the
    factor in the captions, ``label`` prefixes the LaTeX labels."""
    hr = summary[summary["metric"] == "harm_reduction"]
    paths = export(
        hr.assign(value=format_ci(hr)).pivot_table(index=factor, columns="regime", values="value", aggfunc="first"),
        stem / "harm_reduction",
        caption=f"Harm reduction by {what}: mean [{ci}] over replicates.",
        label=f"tab:{label}-harm",
    )
    return paths + export(
        paired.set_index([factor, "comparison"])[["mean", "low", "high", "n_pairs", "share_positive"]],
        stem / "paired",
        caption=f"Paired differences in harm reduction by {what}: mean, low and high of the {ci}, and the share "
        "of pairs with a positive difference.",
        label=f"tab:{label}-paired",
        latex=paired_table(paired, by=[factor]),
    )


def pair_sentences(
    paired: pd.DataFrame, factor: str, pairs: Sequence[tuple[str, str]], level: Level
) -> tuple[list[str], dict[str, float]]:
    """For each pair, where each regime removes more (intervals clear of 0) and the gap at every level; and the
    gaps as key numbers (``a-b[level]``)."""
    lines, key = [], {}
    for a, b in pairs:
        d = paired[paired["comparison"] == f"{a} - {b}"].sort_values(factor)
        side = ci_side(d)
        groups = {s: [level(v) for v in d.loc[side == s, factor]] for s in (1, 0, -1)}
        parts = [
            f"{a} removes more (interval above 0) at {', '.join(groups[1])}" if groups[1] else "",
            f"neither is detectably better at {', '.join(groups[0])}" if groups[0] else "",
            f"{b} removes more at {', '.join(groups[-1])}" if groups[-1] else "",
        ]
        values = "; ".join(
            f"{level(r[factor])}: {r['mean']:+.3f} [{r['low']:+.3f}, {r['high']:+.3f}]" for _, r in d.iterrows()
        )
        lines.append(f"- **{a} − {b}**: " + "; ".join(p for p in parts if p) + f". By level: {values}.")
        for _, r in d.iterrows():
            key[f"{a}-{b}[{level(r[factor])}]"] = float(r["mean"])
    return lines, key


def harm_keys(summary: pd.DataFrame, factor: str, level: Level) -> dict[str, float]:
    """Each regime's mean harm reduction at each level, as key numbers (``harm_reduction[regime, level]``)."""
    hr = summary[(summary["metric"] == "harm_reduction") & (summary["regime"] != BASELINE)]
    return {f"harm_reduction[{r['regime']}, {level(r[factor])}]": float(r["mean"]) for _, r in hr.iterrows()}


def headline(summary: pd.DataFrame, factor: str, level: Level, regimes: Sequence[str]) -> pd.DataFrame:
    """The terminal's table: each regime's mean harm reduction (3 decimals) by level."""
    hr = summary[summary["metric"] == "harm_reduction"]
    pivot = hr.assign(v=hr["mean"].map(lambda v: f"{v:.3f}")).pivot_table(
        index=factor, columns="regime", values="v", aggfunc="first"
    )[[*regimes]]
    pivot.index = [level(v) for v in pivot.index]
    return pivot.rename_axis(factor)

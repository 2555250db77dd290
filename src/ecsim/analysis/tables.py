"""Summary tables exported as CSV and LaTeX (booktabs), ready for a paper."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd


def number(x: float, digits: int) -> str:
    """``x`` to ``digits`` decimals, without the sign of a negative value that rounds to zero ('-0.0')."""
    text = f"{x:.{digits}f}"
    return text.lstrip("-") if float(text) == 0 else text


def ci_text(row: Mapping[str, Any] | pd.Series, digits: int = 3) -> str:
    """'mean [low, high]' for prose, from anything with mean/low/high (a summary row); no '-0.0'."""
    return f"{number(row['mean'], digits)} [{number(row['low'], digits)}, {number(row['high'], digits)}]"


def format_ci(table: pd.DataFrame, digits: int = 3) -> pd.Series:
    """'mean [low, high]' strings from a table with mean/low/high columns."""
    f = f"{{:.{digits}f}}"
    return table.apply(lambda r: f"{f.format(r['mean'])} [{f.format(r['low'])}, {f.format(r['high'])}]", axis=1)


def wide_ci_table(
    summary: pd.DataFrame, index: str = "regime", columns: str = "metric", digits: int = 3
) -> pd.DataFrame:
    """One row per ``index`` value, one column per metric, cells 'mean [low, high]'."""
    cells = summary.assign(cell=format_ci(summary, digits))
    wide = cells.pivot(index=index, columns=columns, values="cell")
    order = list(dict.fromkeys(summary[index]))
    metric_order = list(dict.fromkeys(summary[columns]))
    return wide.loc[order, metric_order]


def export(table: pd.DataFrame, path_stem: str | Path, caption: str = "", label: str = "") -> list[Path]:
    """Write ``table`` as ``STEM.csv`` and ``STEM.tex`` (booktabs rules); return the paths."""
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    csv, tex = stem.with_suffix(".csv"), stem.with_suffix(".tex")
    table.to_csv(csv)
    styler = table.style.format(precision=3, na_rep="--", escape="latex")
    styler = styler.format_index(escape="latex", axis=0).format_index(escape="latex", axis=1)
    latex = styler.to_latex(hrules=True, caption=caption or None, label=label or None, position_float="centering")
    tex.write_text(latex)
    return [csv, tex]

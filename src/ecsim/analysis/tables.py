"""Summary tables exported as CSV and LaTeX (booktabs), ready for a paper."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


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

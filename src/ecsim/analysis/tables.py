"""Summary tables exported as CSV and LaTeX (booktabs), ready for a paper, and intervals in words.

An interval from fewer than :data:`MIN_CI_N` replicates is not presented as a 95% confidence
interval: with 2 replicates a bootstrap interval is about their minimum and maximum.  The tables
of :mod:`ecsim.analysis.stats` carry the number of values behind each interval (``n``, or
``n_pairs`` for paired differences); :func:`ci_text` and :func:`format_ci` mark the intervals
from too few, and :func:`ci_name` and :func:`few_note` word captions and reports accordingly.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Fewer values than this behind an interval and it is flagged, not called a 95% confidence interval.
MIN_CI_N = 5


def sample_size(data: Mapping[str, Any] | pd.Series | pd.DataFrame) -> int | None:
    """The number of values behind an interval (a row's ``n`` or ``n_pairs``; a table's smallest), or None."""
    for column in ("n", "n_pairs"):
        if isinstance(data, pd.DataFrame):
            if column in data.columns and len(data):
                return int(np.nanmin(data[column].to_numpy(float)))
        elif column in data and pd.notna(data[column]):
            return int(data[column])
    return None


def too_few(n: int | None) -> bool:
    """Whether an interval from ``n`` values is too few to be called a 95% confidence interval."""
    return n is not None and n < MIN_CI_N


def ci_name(n: int | None, name: str = "95% bootstrap CI", kind: str = "interval") -> str:
    """What to call an interval from ``n`` replicates in a caption: ``name``, or a warning when ``n`` < 5.

    ``ci_name(6)`` is '95% bootstrap CI'; ``ci_name(2)`` is 'interval from only 2 replicates (fewer than 5:
    not a 95% bootstrap CI)'.
    """
    if not too_few(n):
        return name
    return f"{kind} from only {n} replicate{'' if n == 1 else 's'} (fewer than {MIN_CI_N}: not a {name})"


def few_note(n: int | None) -> str:
    """A sentence for a report whose intervals come from fewer than 5 replicates ('' otherwise)."""
    if not too_few(n):
        return ""
    return (
        f"**Caution: the intervals here come from only {n} replicate{'' if n == 1 else 's'}** (fewer than "
        f"{MIN_CI_N}). They show the spread of a few runs (with 2, about their minimum and maximum), not 95% "
        "confidence intervals; run more replicates (--replicates) before reading them as such."
    )


def number(x: float, digits: int) -> str:
    """``x`` to ``digits`` decimals, without the sign of a negative value that rounds to zero ('-0.0')."""
    text = f"{x:.{digits}f}"
    return text.lstrip("-") if float(text) == 0 else text


def ci_text(row: Mapping[str, Any] | pd.Series, digits: int = 3) -> str:
    """'mean [low, high]' for prose, from anything with mean/low/high (a summary row); no '-0.0'.

    A row from fewer than 5 values (its ``n`` or ``n_pairs``) says so: '... (n=2, not a 95% CI)'.
    """
    text = f"{number(row['mean'], digits)} [{number(row['low'], digits)}, {number(row['high'], digits)}]"
    n = sample_size(row)
    return text + (f" (n={n}, not a 95% CI)" if too_few(n) else "")


def format_ci(table: pd.DataFrame, digits: int = 3, mark_few: bool = True) -> pd.Series:
    """'mean [low, high]' strings from a table with mean/low/high columns.

    With ``mark_few``, a cell whose interval comes from fewer than 5 values ends in '(n=2)': a caption
    worded with :func:`ci_name` explains the mark.
    """
    f = f"{{:.{digits}f}}"

    def cell(r: pd.Series) -> str:
        n = sample_size(r) if mark_few else None
        mark = f" (n={n})" if too_few(n) else ""
        return f"{f.format(r['mean'])} [{f.format(r['low'])}, {f.format(r['high'])}]{mark}"

    return table.apply(cell, axis=1)


def text_table(
    summary: pd.DataFrame,
    columns: Mapping[str, str],
    index: str = "regime",
    digits: int | Mapping[str, int] = 3,
    title: str = "",
) -> str:
    """A short plain-text table for a terminal: one row per ``index`` value, cells 'mean [low, high]'.

    ``columns`` maps each metric of ``summary`` (an ``analysis.summarise`` table) to its heading;
    ``digits`` is one number of decimals or one per metric.  The line under the table names the
    interval, and says so when it comes from fewer than 5 replicates (then it is no 95% CI).
    """
    rows = summary[summary["metric"].isin(list(columns))]
    cells: dict[str, list[str]] = {index: [str(k) for k in dict.fromkeys(rows[index])]}
    for metric, heading in columns.items():
        d = rows[rows["metric"] == metric].set_index(index).reindex(cells[index])
        places = digits if isinstance(digits, int) else digits.get(metric, 3)
        cells[heading] = [
            f"{number(r['mean'], places)} [{number(r['low'], places)}, {number(r['high'], places)}]"
            for _, r in d.iterrows()
        ]
    widths = {h: max(len(h), *(len(c) for c in col)) for h, col in cells.items()}
    lines = [title] if title else []
    lines.append("  ".join(h.ljust(widths[h]) for h in cells).rstrip())
    for i in range(len(cells[index])):
        lines.append("  ".join(cells[h][i].ljust(widths[h]) for h in cells).rstrip())
    interval = ci_name(sample_size(rows), "95% bootstrap confidence interval")
    lines.append(f"(mean [{interval}] over replicates)")
    return "\n".join(lines)


def wide_ci_table(
    summary: pd.DataFrame, index: str = "regime", columns: str = "metric", digits: int = 3, mark_few: bool = True
) -> pd.DataFrame:
    """One row per ``index`` value, one column per metric, cells 'mean [low, high]' (see :func:`format_ci`)."""
    cells = summary.assign(cell=format_ci(summary, digits, mark_few))
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

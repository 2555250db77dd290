"""Summary tables exported as CSV and LaTeX (booktabs), ready for a paper, and intervals in words.

An interval from fewer than :data:`MIN_CI_N` replicates is not presented as a 95% confidence
interval: with 2 replicates a bootstrap interval is about their minimum and maximum.  The tables
of :mod:`ecsim.analysis.stats` carry the number of values behind each interval (``n``, or
``n_pairs`` for paired differences); :func:`ci_text` and :func:`format_ci` mark the intervals
from too few, and :func:`ci_name` and :func:`few_note` word captions and reports accordingly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Fewer values than this behind an interval and it is flagged, not called a 95% confidence interval.
MIN_CI_N = 5
#: The minus sign (U+2212) of a displayed difference and of a negative number in a figure or a report.
MINUS = "\N{MINUS SIGN}"


def display(name: object, spaces: bool = True) -> str:
    """A regime or comparison as figures, tables and reports show it: a true minus sign in a difference and,
    with ``spaces``, spaces for underscores ('flexible - self_regulatory' -> 'flexible − self regulatory'; a
    report that names regimes as in code keeps them: 'flexible − self_regulatory').  The tables' data (CSV,
    the ``comparison`` column) keep the name as computed."""
    text = str(name).replace(" - ", f" {MINUS} ")
    return text.replace("_", " ") if spaces else text


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


#: A cell of :func:`text_table` whose metric no run has a value for (a mean of nothing, not a number).
NO_VALUE = "none"


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
            if pd.notna(r["mean"])
            else NO_VALUE
            for _, r in d.iterrows()
        ]
    widths = {h: max(len(h), *(len(c) for c in col)) for h, col in cells.items()}
    lines = [title] if title else []
    lines.append("  ".join(h.ljust(widths[h]) for h in cells).rstrip())
    for i in range(len(cells[index])):
        lines.append("  ".join(cells[h][i].ljust(widths[h]) for h in cells).rstrip())
    interval = ci_name(
        sample_size(rows[rows["mean"].notna()]), "95% bootstrap confidence interval"
    )  # of the intervals shown
    lines.append(f"(mean [{interval}] over replicates)")
    if any(NO_VALUE in c for col in cells.values() for c in col):
        lines.append(f"({NO_VALUE}: no run has a value, e.g. no agreement within the run's months)")
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


#: Units of the analysed quantities that no metric declares (a metric's unit is in its declaration).
UNITS: dict[str, str] = {
    "harm_reduction": "share",
    "open_share": "share",
    "failed_share": "share",
    "steady_harm": "issue-months per month",
}


def heading(name: object) -> tuple[str, str]:
    """(short heading, unit) of a column: a metric's label without its parenthesis and its declared unit
    (``ecsim.model.metrics``), an analysed quantity's likewise; else the name with spaces and no unit.

    ``heading("cumulative_harm")`` is ('Cumulative harm', 'issue-months')."""
    from ecsim.analysis import backlog, paired
    from ecsim.model.metrics import BY_NAME

    key = str(name)
    labels = {**paired.LABELS, **backlog.LABELS}
    if key in BY_NAME:
        text, unit = BY_NAME[key].label, BY_NAME[key].unit
    elif key in labels:
        text, unit = labels[key], UNITS.get(key, "")
    else:
        return display(key), UNITS.get(key, "")
    return text.split(" (")[0], unit


def scaled(values: Sequence[float], digits: int = 3) -> tuple[float, str, int]:
    """(divisor, suffix, decimals) to write ``values`` with ``digits`` significant figures of the largest:
    millions as 'M' and tens of thousands and more as 'k' (1930401 -> 1.93 M), values below 1 with at least
    ``digits`` decimals of the largest (0.116, -0.012)."""
    finite = [abs(v) for v in values if v is not None and np.isfinite(v)]
    top = max(finite, default=0.0)
    divisor, suffix = (1e6, " M") if top >= 1e6 else (1e3, " k") if top >= 1e4 else (1.0, "")
    top /= divisor
    decimals = max(0, digits - 1 - int(np.floor(np.log10(top)))) if top > 0 else 0
    return divisor, suffix, decimals


def signed(text: str) -> str:
    """``text`` with a true minus sign (U+2212) for the hyphen of every negative number."""
    return re.sub(r"(?<![\w.])-(?=\d)", MINUS, text)


def ci_parts(rows: pd.DataFrame, digits: int = 3) -> list[tuple[str, str]]:
    """('mean', '[low, high]') of rows of one quantity (columns mean/low/high), written alike: one scale and
    number of decimals (:func:`scaled`), unless the means span more than two orders of magnitude, when each
    row takes its own; a true minus sign; the scale ('k', 'M') after both; '(n=2)' after the interval where
    too few values are behind it."""
    means = rows["mean"].to_numpy(float)
    nonzero = np.abs(means[np.isfinite(means) & (means != 0)])
    each = nonzero.size > 1 and nonzero.max() / nonzero.min() > 100
    parts = []
    for _, r in rows.iterrows():
        if not np.isfinite(r["mean"]):
            parts.append(("--", ""))
            continue
        divisor, suffix, decimals = scaled([r["mean"]] if each else means, digits)
        mean, low, high = (number(r[c] / divisor, decimals) for c in ("mean", "low", "high"))
        n = sample_size(r)
        mark = f" (n={n})" if too_few(n) else ""
        parts.append((signed(f"{mean}{suffix}"), signed(f"[{low}, {high}]{suffix}{mark}")))
    return parts


def ci_cells(rows: pd.DataFrame, digits: int = 3) -> list[str]:
    """'mean [low, high]' cells of rows of one quantity, written alike (:func:`ci_parts`):
    '1.93 [1.90, 1.96] M', '−0.012 [−0.013, −0.010]'."""
    cells = []
    for mean, interval in ci_parts(rows, digits):
        scale = mean.rsplit(" ", 1)[1] if " " in mean else ""
        cells.append(f"{mean.removesuffix(' ' + scale) if scale else mean} {interval}".strip())
    return cells


def ci_table(
    summary: pd.DataFrame, metrics: Sequence[str] | None = None, index: str = "regime", stacked: bool = False
) -> pd.DataFrame:
    """A table to read: one row per quantity (its short heading and unit, :func:`heading`), one column per
    ``index`` value (regimes, spaced), cells 'mean [low, high]' to three significant figures (:func:`ci_cells`).

    ``summary`` is an ``analysis.summarise`` table; ``metrics`` selects and orders its quantities.  With
    ``stacked`` each quantity takes two rows, narrow enough for a page: its heading and the means, then its
    unit (in brackets) and the intervals."""
    metrics = list(metrics) if metrics is not None else list(dict.fromkeys(summary["metric"]))
    columns = list(dict.fromkeys(summary[index]))
    shown = [display(c) for c in columns]
    keys: list[object] = []
    cells: list[list[str]] = []
    for metric in metrics:
        d = summary[summary["metric"] == metric].set_index(index).reindex(columns)
        name, unit = heading(metric)
        if stacked:
            parts = ci_parts(d)
            keys += [name, f"({unit})" if unit else ""]
            cells += [[m for m, _ in parts], [i for _, i in parts]]
        else:
            keys.append((name, unit))
            cells.append(ci_cells(d))
    table = pd.DataFrame(cells, columns=shown)
    if stacked:
        table.index = pd.Index(keys)
    else:
        table.index = pd.MultiIndex.from_tuples(keys, names=["outcome", "unit"])  # type: ignore[arg-type]
    return table


def paired_table(paired: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Paired differences to read (``analysis.paired_summary``): one row per comparison ('a − b') and group of
    ``by``; the mean difference and its interval to three significant figures, the pairs, and the share of
    pairs with a positive difference."""
    rows = paired.reset_index(drop=True)
    table = pd.DataFrame(
        {
            "mean difference [95% CI]": ci_cells(rows),
            "pairs": rows["n_pairs"].astype(int).to_numpy(),
            "positive": [f"{x:.0%}" for x in rows["share_positive"]],
        }
    )
    keys = [*(rows[c] for c in by), rows["comparison"].map(display)]
    names = [*map(display, by), None]
    table.index = pd.MultiIndex.from_arrays(keys, names=names) if by else pd.Index(keys[-1], name=None)
    return table


def _latex_number(x: object) -> object:
    if isinstance(x, float | np.floating) and not isinstance(x, bool):
        if not np.isfinite(x):
            return "--"
        magnitude = abs(float(x))
        if magnitude == 0 or 1e-3 <= magnitude < 1e6:
            _, _, decimals = scaled([float(x)])
            return signed(number(float(x), decimals))
        return signed(f"{float(x):.3g}")
    return signed(x) if isinstance(x, str) else x


def _readable(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` as a paper shows it: short headers (:func:`heading`), regimes and comparisons spaced and with a
    true minus sign (:func:`display`), numbers to three significant figures, negative ones with a minus sign."""

    def names(index: pd.Index, head: bool) -> pd.Index:
        def one(v: object) -> object:
            return heading(v)[0] if head and isinstance(v, str) else (display(v) if isinstance(v, str) else v)

        if isinstance(index, pd.MultiIndex):
            return pd.MultiIndex.from_tuples(
                [tuple(one(v) for v in t) for t in index], names=[display(n) if n else n for n in index.names]
            )
        out = pd.Index([one(v) for v in index])
        out.name = display(index.name) if index.name else index.name
        return out

    out = table.copy()
    out.columns = names(out.columns, True)
    out.index = names(out.index, False)
    return out.apply(lambda col: col.map(_latex_number))


def to_latex(table: pd.DataFrame, caption: str = "", label: str = "") -> str:
    """A booktabs table of ``table`` as it is (cells written as given), LaTeX-escaped; the true minus sign
    (U+2212) becomes ``$-$``, which every LaTeX engine sets."""
    styler = table.style.format(na_rep="--", escape="latex")
    styler = styler.format_index(escape="latex", axis=0).format_index(escape="latex", axis=1)
    latex = styler.to_latex(
        hrules=True, caption=latex_escape(caption) or None, label=label or None, position_float="centering"
    )
    return latex.replace(MINUS, "$-$")


def latex_escape(text: str) -> str:
    """``text`` safe in LaTeX: its special characters escaped ('95%' would start a comment, '_' fail)."""
    special = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_"}
    special |= {"{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
    return "".join(special.get(c, c) for c in text)


def export(
    table: pd.DataFrame,
    path_stem: str | Path,
    caption: str = "",
    label: str = "",
    latex: pd.DataFrame | None = None,
) -> list[Path]:
    """Write ``table`` as ``STEM.csv`` (the data, as computed) and ``STEM.tex`` (booktabs rules); return the paths.

    The LaTeX table is ``latex`` if given (e.g. :func:`ci_table`: a selection, one row per quantity), else
    ``table`` made readable: short headers from the metrics' declarations, names with spaces and a true minus
    sign, numbers to three significant figures."""
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    csv, tex = stem.with_suffix(".csv"), stem.with_suffix(".tex")
    table.to_csv(csv)
    shown = latex if latex is not None else _readable(table)
    tex.write_text(to_latex(shown, caption, label))
    return [csv, tex]

"""Publication figures from analysed results: ``fn(data, ax=None) -> Axes``.

Plot functions read only the tidy tables of :mod:`ecsim.analysis`; they never
run a model, never call ``show()`` and never save implicitly (use :func:`save`).
One fixed, colour-blind-safe colour per regime (Okabe & Ito 2008), intervals
drawn as bands or error bars, axis labels with units, sized for a journal
column (:data:`COLUMN_WIDTH` inches).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.colors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ecsim.analysis import backlog, issue_mix, paired, shock
from ecsim.analysis.scenarios import DENSITY as SCENARIO_DENSITY
from ecsim.analysis.scenarios import LABELS as SCENARIO_LABELS
from ecsim.analysis.tables import MIN_CI_N, display, sample_size, too_few
from ecsim.analysis.tables import MINUS as MINUS  # re-exported: the minus sign of a displayed difference
from ecsim.model.metrics import DECLARED

COLUMN_WIDTH = 3.5  # inches, one journal column
DOUBLE_WIDTH = 7.2  # inches, full page width


@dataclass(frozen=True)
class Style:
    """How one regime (or one kind of row) is drawn: a colour, a marker and a line style.

    Every figure, and the explorer (:mod:`ecsim.viz.app`), takes a regime's look from :func:`style`, so a
    regime looks the same everywhere.  Colours are from the Okabe & Ito (2008) colour-blind-safe palette and
    differ in greyscale luminance (:func:`luminance`) by at least 0.1 between the built-in regimes; markers
    and line styles are unique, so a figure printed in greyscale still tells the regimes apart.
    """

    colour: str
    marker: str
    linestyle: str | tuple[int, tuple[int, ...]]

    def line(self) -> dict[str, object]:
        """Keyword arguments of ``Axes.plot`` and ``Axes.errorbar`` for this style."""
        return {"color": self.colour, "marker": self.marker, "linestyle": self.linestyle}


#: One style per built-in regime.  The baseline (no cooperation) is black and dotted: the neutral reference.
REGIME_STYLE: dict[str, Style] = {
    "centralised": Style("#D55E00", "s", "--"),  # vermillion, squares, dashed
    "flexible": Style("#0072B2", "o", "-"),  # blue, circles, solid
    "self_regulatory": Style("#CC79A7", "^", "-."),  # reddish purple, triangles, dash-dot
    "no_cooperation": Style("#000000", "D", ":"),  # black, diamonds, dotted: the baseline
}
#: Styles of regimes that are not built in, in turn (by position among a figure's other regimes).
SPARE_STYLES: tuple[Style, ...] = (
    Style("#E69F00", "v", (0, (5, 1))),  # orange
    Style("#56B4E9", "P", (0, (3, 1, 1, 1, 1, 1))),  # sky blue
    Style("#009E73", "X", (0, (1, 2))),  # bluish green
    Style("#F0E442", "*", (0, (8, 2))),  # yellow
)
#: Rows that are no regime (a paired difference, a whole gap, a total): dark grey, circles, solid.
NEUTRAL = Style("#4D4D4D", "o", "-")

#: The box reported from a PRIM trajectory (a star; the chosen box is ringed in black): orange, which no built-in
#: regime has.
CHOSEN = SPARE_STYLES[0].colour

#: The regimes' colours (:data:`REGIME_STYLE`), for code that needs only a colour.
REGIME_COLOURS: dict[str, str] = {r: s.colour for r, s in REGIME_STYLE.items()}
MARKERS: dict[str, str] = {r: s.marker for r, s in REGIME_STYLE.items()}
#: Labels of model parameters on axes (a parameter declares its unit and meaning, not a label).
PARAMETER_LABELS: dict[str, str] = {
    "market_concentration": "Market concentration c",
    "monitoring_capacity": "Civil-society monitoring capacity",
    "n_governments": "Number of governments",
    "agenda_capacity": "Agenda capacity per venue (negotiations at once)",
    "negotiation_budget": "Negotiating budget (negotiations at once)",
    "delegation_capacity": "Delegation capacity (negotiations a government staffs)",
}

#: Axis labels with units, in the domain's words: every metric's from its declaration
#: (:data:`ecsim.model.metrics.DECLARED`), those of analysed quantities (``harm_reduction``,
#: shares of the backlog, shock responses, the entropy of an issue mix) from the analysis
#: module that computes them, then time and the parameters.
LABELS: dict[str, str] = {
    **{m.name: m.label for m in DECLARED},
    **paired.LABELS,
    **backlog.LABELS,
    **issue_mix.LABELS,
    **shock.LABELS,
    "step": "Time (months)",
    "horizon": "Horizon (months)",
    "steady_harm": "Harm per month, last five years (issue-months per month)",
    **PARAMETER_LABELS,
}

#: Units of the metrics (their declarations) and of the analysed quantities that are shares.
UNITS: dict[str, str] = {
    **{m.name: m.unit for m in DECLARED},
    "harm_reduction": "share",
    "open_share": "share",
    "failed_share": "share",
}
#: Units whose axis runs from 0 (to 1): :func:`share_axis`.
SHARE_UNITS = ("share", "probability")

STYLE: dict[str, object] = {
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.2,
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,  # embed TrueType: editable text in vector figures
}


def style(regime: str, order: Sequence[str] = ()) -> Style:
    """The regime's fixed style (custom regimes get spare styles by position in ``order``)."""
    if regime in REGIME_STYLE:
        return REGIME_STYLE[regime]
    extras = [r for r in order if r not in REGIME_STYLE]
    return SPARE_STYLES[extras.index(regime) % len(SPARE_STYLES)] if regime in extras else SPARE_STYLES[0]


def colour(regime: str, order: Sequence[str] = ()) -> str:
    """The regime's fixed colour (custom regimes get spare colours by position in ``order``)."""
    return style(regime, order).colour


def luminance(colour_: str) -> float:
    """Greyscale value of a colour, 0 (black) to 1 (white): ITU-R BT.601 luma, as greyscale printing uses."""
    r, g, b = matplotlib.colors.to_rgb(colour_)
    return 0.299 * r + 0.587 * g + 0.114 * b


def label(name: str) -> str:
    """The axis label of a metric, an analysed quantity or a parameter (else the name, spaced)."""
    return LABELS.get(name, name.replace("_", " "))


def is_share(name: str) -> bool:
    """Whether a metric or analysed quantity is a share or a probability (its declared unit)."""
    return UNITS.get(name) in SHARE_UNITS


def share_axis(ax: Axes, name: str, axis: str = "y") -> None:
    """A share's axis starts at 0 (or below, for negative values) and ends at 1 once its values pass 0.5,
    so that 0.74 to 0.78 does not look like a large range; other quantities' axes are left as they are."""
    if not is_share(name):
        return
    low, high = ax.get_ylim() if axis == "y" else ax.get_xlim()
    inverted = low > high
    low, high = sorted((low, high))
    limits = (min(low, 0.0), max(high, 1.0) if high > 0.5 else high)
    if inverted:
        limits = limits[::-1]
    (ax.set_ylim if axis == "y" else ax.set_xlim)(*limits)


def panel_letters(axes: Axes | Sequence[Axes] | np.ndarray, start: int = 0) -> list[str]:
    """Letter the panels of a figure a, b, c ... (row by row), in bold at each panel's top left; return them.

    Every figure of more than one panel is lettered by this one helper, so a caption can say "(b)"."""
    letters = []
    for i, ax in enumerate(np.ravel(np.asarray(axes, dtype=object))):
        letter = chr(ord("a") + start + i)
        ax.annotate(
            letter,
            (0.0, 1.0),
            xycoords="axes fraction",
            xytext=(-4, 4),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=9,
            fontweight="bold",
        )
        letters.append(letter)
    return letters


def _spread(values: Sequence[float], gap: float) -> list[float]:
    """Positions near ``values`` (sorted ascending) at least ``gap`` apart: touching labels are grouped and each
    group centred on its values' mean."""
    groups: list[list[int]] = [[i] for i in range(len(values))]

    def bottom(group: list[int]) -> float:
        return float(np.mean([values[i] for i in group])) - gap * (len(group) - 1) / 2

    merged = True
    while merged:
        merged = False
        for k in range(len(groups) - 1):
            if bottom(groups[k + 1]) - (bottom(groups[k]) + gap * (len(groups[k]) - 1)) < gap:
                groups[k] += groups.pop(k + 1)
                merged = True
                break
    return [bottom(g) + gap * j for g in groups for j in range(len(g))]


def end_labels(ax: Axes, ends: Sequence[tuple[str, float, float, str]], fontsize: float = 6.5) -> list[str]:
    """Label lines directly at their right ends instead of a legend: ``ends`` holds (text, x, y, colour) per line.

    The labels sit just right of the axes, in the order of the lines' end values (highest on top), pushed
    apart where ends are close, each joined to its line's end by a thin leader.  Returns the texts from top
    to bottom."""
    if not ends:
        return []
    ordered = sorted(ends, key=lambda e: e[2])
    low, high = ax.get_ylim()
    fig = ax.get_figure()
    engine = fig.get_layout_engine()
    if engine is not None:  # the axes' height once laid out (the labels, right of the axes, narrow it only)
        engine.execute(fig)
    height = max(ax.get_position().height * fig.get_figheight() * 72 * 0.95, 1.0)  # points
    gap = fontsize * 1.35 / height * abs(high - low)
    positions = _spread([e[2] for e in ordered], gap)
    for (text, x, y, c), at in zip(ordered, positions, strict=True):
        ax.annotate(
            text,
            (x, y),
            xytext=(1.03, at),
            textcoords=ax.get_yaxis_transform(),
            ha="left",
            va="center",
            fontsize=fontsize,
            color=c,
            annotation_clip=False,
            arrowprops={"arrowstyle": "-", "color": c, "linewidth": 0.5, "shrinkA": 0, "shrinkB": 1},
        )
    return [e[0] for e in reversed(ordered)]


def figure(width: float = COLUMN_WIDTH, aspect: float = 0.72, ncols: int = 1, nrows: int = 1) -> tuple[Figure, object]:
    """A figure in the house style (``width`` inches; height = width x aspect x nrows / ncols)."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, width * aspect * nrows / ncols), squeeze=True)
    fig.set_layout_engine("constrained")
    return fig, axes


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    _, ax = figure()
    return ax


def _regimes(df: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(df["regime"]))


def flag_few(
    ax: Axes,
    data: pd.DataFrame,
    what: str = "intervals",
    name: str = "95% bootstrap CI of the mean",
    of: str = "runs",
    tail: str = "",
) -> None:
    """Name the figure's intervals under it, '{What}: {name} over {n} {of}{tail}' (``n`` is ``data``'s ``n`` or
    ``n_pairs``), or, when they come from fewer than 5 replicates, say that they are no 95% CIs.

    Such an interval is not a 95% confidence interval (with 2 replicates a bootstrap interval is about their
    minimum and maximum), so the figure says so wherever it is shown, whatever its caption.  One note per
    figure: each kind of interval its panels draw (with the smallest number behind it), or the warning naming
    the smallest number of replicates behind any of its panels.
    """
    n = sample_size(data)
    if n is None:
        return
    fig = ax.get_figure()
    note = {"fontsize": 6, "color": "0.3", "style": "italic"}
    fewest = getattr(fig, "_ecsim_fewest", None)
    if too_few(n) or fewest is not None:
        smallest = min(n, fewest if fewest is not None else n)
        if not too_few(smallest):
            return
        fig._ecsim_fewest = smallest  # type: ignore[union-attr]
        fig.supxlabel(  # type: ignore[union-attr]
            f"{what.capitalize()} from only {smallest} replicate{'' if smallest == 1 else 's'} "
            f"(fewer than {MIN_CI_N}): not 95% confidence intervals",
            **note,
        )
        return
    # (what, name) -> (of, tail) -> the smallest n: one phrase per kind of interval, its sample sizes joined.
    named: dict[tuple[str, str], dict[tuple[str, str], int]] = getattr(fig, "_ecsim_named", {})
    sizes = named.setdefault((what.capitalize(), name), {})
    sizes[(of, tail)] = min(n, sizes.get((of, tail), n))
    fig._ecsim_named = named  # type: ignore[union-attr]
    text = "; ".join(
        f"{w}: {m} over " + " or ".join(f"{k} {o}{t}" for (o, t), k in counts.items())
        for (w, m), counts in named.items()
    )
    fig.supxlabel(text, **note)  # type: ignore[union-attr]


def timeseries(
    ts: pd.DataFrame, metric: str, ax: Axes | None = None, legend: bool = False, labels: bool = True
) -> Axes:
    """Mean over runs per step with its confidence band, one line per regime (from ``analysis.timeseries``).

    Each regime has its style (:func:`style`: colour, line style, a marker every few steps) and, with
    ``labels``, its name written at its line's end (ordered by end value); ``legend`` adds a legend in the
    same order.  The band's kind is named under the figure (:func:`flag_few`).  A share's axis starts at 0."""
    ax = _axes(ax)
    with plt.rc_context(STYLE):
        order = _regimes(ts)
        ends = []
        for i, regime in enumerate(order):
            d = ts[ts["regime"] == regime]
            s = style(regime, order)
            every = max(1, len(d) // 8)
            ax.plot(
                d["step"],
                d["mean"],
                **s.line(),
                markevery=(i * every // max(len(order), 1), every),
                markersize=3,
                label=display(regime),
            )
            ax.fill_between(d["step"], d["low"], d["high"], color=s.colour, alpha=0.2, linewidth=0)
            if len(d):
                ends.append((display(regime), float(d["step"].iloc[-1]), float(d["mean"].iloc[-1]), s.colour))
        ax.set_xlabel(label("step"))
        ax.set_ylabel(label(metric))
        share_axis(ax, metric)
        top_down = end_labels(ax, ends) if labels else [e[0] for e in sorted(ends, key=lambda e: -e[2])]
        if legend:
            handles = {h.get_label(): h for h in ax.get_lines()}
            ax.legend([handles[t] for t in top_down], top_down, loc="best")
        flag_few(ax, ts, "bands", "95% confidence interval of the mean (Student t)")
    return ax


def regime_intervals(summary: pd.DataFrame, metric: str, ax: Axes | None = None) -> Axes:
    """One point and confidence interval per regime (from ``analysis.summarise``); a share's axis starts at 0."""
    ax = _axes(ax)
    d = summary[summary["metric"] == metric]
    order = _regimes(d)
    with plt.rc_context(STYLE):
        for i, regime in enumerate(order):
            r = d[d["regime"] == regime].iloc[0]
            s = style(regime, order)
            ax.errorbar(
                r["mean"],
                i,
                xerr=[[r["mean"] - r["low"]], [r["high"] - r["mean"]]],
                fmt=s.marker,
                color=s.colour,
                capsize=2,
                markersize=4,
            )
        ax.set_yticks(range(len(order)), [display(r) for r in order])
        ax.set_ylim(-0.6, len(order) - 0.4)
        ax.invert_yaxis()
        ax.set_xlabel(label(metric))
        share_axis(ax, metric, "x")
        flag_few(ax, d, "error bars", "mean and 95% bootstrap CI", "runs each")
    return ax


def paired_intervals(
    paired: pd.DataFrame, ax: Axes | None = None, differences: pd.DataFrame | None = None, seed: int = 0
) -> Axes:
    """Mean paired differences with confidence intervals, one row per comparison (``analysis.paired_summary``).

    Rows are neutral (no regime's colour) and named with a true minus sign ('flexible − centralised').
    ``differences`` (``analysis.paired_differences`` of the same comparisons, concatenated: columns
    ``comparison`` and ``difference``) adds each pair's difference as a faint dot, jittered within its row
    (``seed`` fixes the jitter), behind the mean and interval.  The share of pairs with a positive
    difference (``share_positive``, else from ``differences``) is written at the right of each row."""
    ax = _axes(ax)
    rng = np.random.default_rng(seed)
    with plt.rc_context(STYLE):
        for i, r in enumerate(paired.itertuples()):
            d = None
            if differences is not None:
                d = differences.loc[differences["comparison"] == r.comparison, "difference"].dropna().to_numpy()
                ax.scatter(
                    d,
                    i + rng.uniform(-0.22, 0.22, len(d)),
                    s=6,
                    color="0.55",
                    alpha=0.5,
                    linewidths=0,
                    zorder=1,
                    label="one pair (seed)" if i == 0 else None,
                )
            ax.errorbar(
                r.mean,
                i,
                xerr=[[r.mean - r.low], [r.high - r.mean]],
                fmt=NEUTRAL.marker,
                color=NEUTRAL.colour,
                ecolor="black",
                capsize=2.5,
                markersize=4,
                elinewidth=1.2,
                zorder=3,
            )
            share = getattr(r, "share_positive", None)
            if (share is None or pd.isna(share)) and d is not None and len(d):
                share = float((d > 0).mean())
            if share is not None and pd.notna(share):
                ax.annotate(
                    f"{share:.0%} > 0",
                    (1.0, i),
                    xycoords=ax.get_yaxis_transform(),
                    xytext=(4, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize=6.5,
                    color="0.25",
                    annotation_clip=False,
                )
        ax.axvline(0, color="0.6", linewidth=0.8, linestyle="--", zorder=0)
        ax.set_yticks(range(len(paired)), [display(c) for c in paired["comparison"]])
        ax.set_ylim(-0.6, len(paired) - 0.4)
        ax.invert_yaxis()
        ax.set_xlabel(f"Paired difference in {label(paired['metric'].iloc[0]).lower()}")
        dots = "; dots: one pair each" if differences is not None else ""
        flag_few(ax, paired, "error bars", "mean and 95% bootstrap CI", "pairs", f"{dots}; right: share of pairs > 0")
    return ax


def decomposition(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """One comparison's gap and each dimension's contribution to it, with intervals
    (``analysis.decomposition.decompose``: columns dimension, contribution, ci_low, ci_high).  The whole gap is
    a dark bar, the dimensions' shares light, both neutral (no regime's colour)."""
    ax = _axes(ax)
    parts = table[table["dimension"] != "total"].sort_values("contribution", key=abs, ascending=False)
    rows = pd.concat([table[table["dimension"] == "total"], parts])
    with plt.rc_context(STYLE):
        for i, r in enumerate(rows.itertuples()):
            total = r.dimension == "total"
            ax.barh(i, r.contribution, color=NEUTRAL.colour if total else "0.72", height=0.6)
            ax.errorbar(
                r.contribution,
                i,
                xerr=[[r.contribution - r.ci_low], [r.ci_high - r.contribution]],
                fmt="none",
                ecolor="black",
                capsize=2,
                linewidth=0.8,
            )
        ax.axvline(0, color="0.6", linewidth=0.8)
        names = ["whole gap" if d == "total" else d for d in rows["dimension"]]
        ax.set_yticks(range(len(rows)), names)
        ax.invert_yaxis()
        first, _, second = str(rows["comparison"].iloc[0]).partition(" vs ")
        ax.set_title(f"{display(first)} vs {display(second)}")
        ax.set_xlabel(f"Advantage of {display(first)} in harm reduction")
    return ax


def decomposition_beside(
    table: pd.DataFrame, scenarios: Sequence[str], ax: Axes | None = None, scenario: str = "scenario"
) -> Axes:
    """One comparison's gap and each dimension's contribution to it in several scenarios side by side (rows of
    ``analysis.decomposition.gap_table`` stacked with a ``scenario`` column), each scenario a marker and shade
    with its interval, rows in the order of the first scenario's contributions: where a share moved, and how far."""
    ax = _axes(ax)
    first = table[table[scenario] == scenarios[0]]
    parts = first[first["dimension"] != "total"].sort_values("contribution", key=abs, ascending=False)
    order = ["total", *parts["dimension"]]
    looks = (NEUTRAL, *SPARE_STYLES[1:])  # dark grey, then sky blue, green, ...: no regime's colour
    offsets = np.linspace(-0.18, 0.18, len(scenarios)) if len(scenarios) > 1 else np.zeros(1)
    with plt.rc_context(STYLE):
        for k, name in enumerate(scenarios):
            mine = table[table[scenario] == name].set_index("dimension").reindex(order)
            y = np.arange(len(order)) + offsets[k]
            look = looks[k % len(looks)]
            ax.errorbar(
                mine["contribution"],
                y,
                xerr=[mine["contribution"] - mine["ci_low"], mine["ci_high"] - mine["contribution"]],
                fmt=look.marker,
                color=look.colour,
                ecolor=look.colour,
                markersize=4,
                capsize=2,
                linewidth=0.9,
                label=name,
            )
        ax.axvline(0, color="0.6", linewidth=0.8)
        ax.set_yticks(range(len(order)), ["whole gap" if d == "total" else d for d in order])
        ax.invert_yaxis()
        first_regime, _, second = str(table["comparison"].iloc[0]).partition(" vs ")
        ax.set_title(f"{display(first_regime)} vs {display(second)}")
        ax.set_xlabel(f"Advantage of {display(first_regime)} in harm reduction")
    return ax


def factor_lines(
    summary: pd.DataFrame,
    factor: str,
    metric: str,
    ax: Axes | None = None,
    legend: bool = True,
    labels: bool = False,
) -> Axes:
    """Mean and CI of ``metric`` against a factor, one line per regime in its style (``analysis.summarise`` by
    regime+factor); the legend lists the regimes in the order of their lines' ends (highest first), and with
    ``labels`` their names are written at the lines' ends instead (``legend=False``) or as well.  A share's
    axis starts at 0."""
    ax = _axes(ax)
    d = summary[summary["metric"] == metric].sort_values(factor)
    order = _regimes(d)
    with plt.rc_context(STYLE):
        ends = {}
        for regime in order:
            r = d[d["regime"] == regime]
            s = style(regime, order)
            ax.errorbar(
                r[factor],
                r["mean"],
                yerr=[r["mean"] - r["low"], r["high"] - r["mean"]],
                **s.line(),
                markersize=3,
                capsize=2,
                label=display(regime),
            )
            ends[display(regime)] = float(r["mean"].iloc[-1]) if len(r) else np.nan
        ax.set_xlabel(label(factor))
        ax.set_ylabel(label(metric))
        share_axis(ax, metric)
        if labels:
            x = float(d[factor].max())
            end_labels(ax, [(n, x, y, style(r, order).colour) for (n, y), r in zip(ends.items(), order, strict=True)])
        if legend:
            _legend_by_end(ax, ends)
        flag_few(ax, d, "error bars", "mean and 95% bootstrap CI", "runs each")
    return ax


def _legend_by_end(ax: Axes, ends: dict[str, float], **kwargs: object) -> None:
    """A legend whose entries follow the lines' end values, highest first (the order the eye meets them)."""
    handles, names = ax.get_legend_handles_labels()
    found = dict(zip(names, handles, strict=True))
    order = sorted(found, key=lambda n: -ends.get(n, -np.inf) if np.isfinite(ends.get(n, np.nan)) else np.inf)
    ax.legend([found[n] for n in order], order, **({"loc": "best"} | kwargs))


def heatmap(
    grid: pd.DataFrame,
    x: str,
    y: str,
    value: str,
    ax: Axes | None = None,
    cmap: str = "cividis",
    centre: float | None = None,
) -> Axes:
    """A value over two factors (long table with columns x, y, value); cividis is colour-blind safe."""
    ax = _axes(ax)
    table = grid.pivot_table(index=y, columns=x, values=value)
    with plt.rc_context(STYLE):
        kwargs = {}
        if centre is not None:
            span = np.nanmax(np.abs(table.to_numpy() - centre))
            kwargs = {"vmin": centre - span, "vmax": centre + span}
            cmap = "PuOr"
        mesh = ax.pcolormesh(table.columns, table.index, table.to_numpy(), cmap=cmap, shading="nearest", **kwargs)
        cbar = ax.figure.colorbar(mesh, ax=ax)
        cbar.set_label(label(value))
        ax.set_xlabel(label(x))
        ax.set_ylabel(label(y))
    return ax


def sensitivity_bars(
    indices: pd.DataFrame,
    value: str,
    conf: str | None = None,
    top: int = 12,
    ax: Axes | None = None,
    colour_: str = NEUTRAL.colour,
    labels: dict[str, str] | None = None,
) -> Axes:
    """Horizontal bars of a sensitivity index per factor (largest first), with CI whiskers.

    ``indices`` is a table of ``analysis.morris_indices`` (value ``mu_star``) or
    ``analysis.sobol_indices`` (value ``ST`` or ``S1``).
    """
    ax = _axes(ax)
    d = indices.sort_values(value, ascending=False).head(top)
    names = [(labels or {}).get(f, f.replace("_", " ")) for f in d["factor"]]
    with plt.rc_context(STYLE):
        err = d[conf].to_numpy() if conf else None
        ax.barh(range(len(d)), d[value], xerr=err, color=colour_, alpha=0.85, capsize=2, error_kw={"elinewidth": 0.8})
        ax.set_yticks(range(len(d)), names)
        ax.invert_yaxis()
        ax.axvline(0, color="0.6", linewidth=0.6)
        ax.set_xlabel(
            {
                "mu_star": "Morris μ* (mean |elementary effect|)",
                "ST": "Total-order Sobol' index ST",
                "S1": "First-order Sobol' index S1",
            }.get(value, value)
        )
    return ax


def group_intervals(
    summary: pd.DataFrame,
    group: str,
    metric: str,
    ax: Axes | None = None,
    order: Sequence[object] | None = None,
    labels: dict[object, str] | None = None,
    hue: str = "regime",
) -> Axes:
    """Mean and CI per group (one row each) and regime (markers side by side within a row).

    ``summary`` is ``analysis.summarise`` by regime and ``group``, or, with ``hue="comparison"``,
    ``analysis.paired_summary`` by ``group`` (a comparison ``a - b`` takes the style of ``b``, as in
    :func:`paired_lines`).  ``order`` fixes the rows (default: order of appearance) and ``labels``
    renames them.  The legend sits above the axes.  A share's axis starts at 0.
    """
    ax = _axes(ax)
    d = summary[summary["metric"] == metric]
    series = list(dict.fromkeys(d[hue]))
    groups = list(order) if order is not None else list(dict.fromkeys(d[group]))
    offsets = np.linspace(-0.25, 0.25, len(series)) if len(series) > 1 else np.zeros(1)
    with plt.rc_context(STYLE):
        for name, offset in zip(series, offsets, strict=True):
            regime = name.split(" - ")[-1] if hue == "comparison" else name
            s = style(regime, [n.split(" - ")[-1] for n in series])
            r = d[d[hue] == name].set_index(group).reindex(groups)
            ax.errorbar(
                r["mean"],
                np.arange(len(groups)) + offset,
                xerr=[r["mean"] - r["low"], r["high"] - r["mean"]],
                fmt=s.marker,
                color=s.colour,
                capsize=1.5,
                markersize=3,
                elinewidth=0.8,
                label=display(name),
            )
        ax.set_yticks(range(len(groups)), [(labels or {}).get(g, str(g)) for g in groups])
        ax.set_ylim(-0.6, len(groups) - 0.4)
        ax.invert_yaxis()
        if hue == "comparison":
            ax.axvline(0, color="0.6", linewidth=0.8, linestyle="--")
            ax.set_xlabel(f"Paired difference in {label(metric).lower()}")
        else:
            ax.set_xlabel(label(metric))
            share_axis(ax, metric, "x")
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(series), handletextpad=0.2, borderaxespad=0.2)
        flag_few(ax, d, "error bars", "mean and 95% bootstrap CI", "pairs" if hue == "comparison" else "runs each")
    return ax


def level_heatmap(
    grid: pd.DataFrame,
    x: str,
    y: str,
    value: str,
    ax: Axes | None = None,
    cmap: str = "cividis",
    fmt: str = "{:.1f}",
    centre: float | None = None,
    colorbar_label: str | None = None,
    limits: tuple[float, float] | None = None,
) -> Axes:
    """A value over the levels of two factors, one equal-sized cell per combination with its value
    written in it (long table with columns x, y, value).  Unlike :func:`heatmap`, unevenly spaced
    levels (25, 50, 100, 193, 400) get equal cells, labelled by level; missing cells stay blank.
    With ``centre`` (e.g. 0 for paired differences) the colour scale is diverging (PuOr, colour-blind
    safe) and symmetric about it; ``limits`` fixes the scale (to share it between panels).  Cell text is
    black or white, whichever reads on the cell's colour."""
    ax = _axes(ax)
    table = grid.pivot_table(index=y, columns=x, values=value).sort_index().sort_index(axis=1)
    values = table.to_numpy(float)
    finite = values[np.isfinite(values)]
    norm = matplotlib.colors.Normalize(*limits) if limits else None
    if centre is not None:
        cmap = "PuOr"
        span = (
            max(abs(v - centre) for v in limits)
            if limits
            else (float(np.max(np.abs(finite - centre))) if finite.size else 1.0)
        )
        norm = matplotlib.colors.Normalize(vmin=centre - span, vmax=centre + span)
    with plt.rc_context(STYLE):
        mesh = ax.pcolormesh(values, cmap=cmap, norm=norm)
        cbar = ax.figure.colorbar(mesh, ax=ax)
        cbar.set_label(colorbar_label or label(value))
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                r, g, b, _ = mesh.cmap(mesh.norm(v))
                light = 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5  # relative luminance of the cell
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    fmt.format(v),
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="black" if light else "white",
                )
        ax.set_xticks(np.arange(len(table.columns)) + 0.5, [f"{v:.3g}" for v in table.columns])
        ax.set_yticks(np.arange(len(table.index)) + 0.5, [f"{v:.3g}" for v in table.index])
        ax.tick_params(length=0)
        ax.set_xlabel(label(x))
        ax.set_ylabel(label(y))
    return ax


def paired_lines(paired: pd.DataFrame, factor: str, ax: Axes | None = None) -> Axes:
    """Mean paired difference and CI against a factor, one line per comparison (``analysis.paired_summary``
    with ``by=[factor]``).  A line takes the style of the regime compared against (``b`` in ``a - b``), so
    one regime's comparisons with the others are told apart; 0 is marked.  The legend follows the lines' ends."""
    ax = _axes(ax)
    d = paired.sort_values(factor)
    with plt.rc_context(STYLE):
        ends = {}
        for comparison in dict.fromkeys(d["comparison"]):
            r = d[d["comparison"] == comparison]
            against = comparison.split(" - ")[-1]
            ax.errorbar(
                r[factor],
                r["mean"],
                yerr=[r["mean"] - r["low"], r["high"] - r["mean"]],
                **style(against).line(),
                markersize=3,
                capsize=2,
                label=display(comparison),
            )
            ends[display(comparison)] = float(r["mean"].iloc[-1]) if len(r) else np.nan
        ax.axhline(0, color="0.6", linewidth=0.8, linestyle="--")
        ax.set_xlabel(label(factor))
        ax.set_ylabel(f"Paired difference in {label(d['metric'].iloc[0]).lower()}")
        _legend_by_end(ax, ends)
        flag_few(ax, d, "error bars", "mean and 95% bootstrap CI", "pairs")
    return ax


def factor_panels(
    summary: pd.DataFrame,
    paired: pd.DataFrame,
    factor: str,
    third: str,
    titles: Sequence[str],
    xlabel: str,
    axis: Callable[[Axes], None],
    symlog_third: bool = False,
) -> Figure:
    """One factor varied alone, three panels: harm reduction by regime, the flexible regime's paired advantage,
    and ``third`` by regime (on a symmetric log scale with ``symlog_third``), against the factor
    (``analysis.one_factor.tables``); ``axis`` sets each x axis.  Panels lettered a-c."""
    fig, axes = figure(width=DOUBLE_WIDTH, aspect=1.0, ncols=3, nrows=1)
    shown = summary[summary["regime"] != "no_cooperation"]
    factor_lines(shown, factor, "harm_reduction", axes[0])
    paired_lines(paired[paired["comparison"].str.startswith("flexible")], factor, axes[1])
    factor_lines(shown, factor, third, axes[2])
    if symlog_third:
        axes[2].set_yscale("symlog", linthresh=10)
    for ax, title in zip(axes, titles, strict=True):
        axis(ax)
        ax.set_title(title, fontsize=7)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("")
        found = dict(zip(*ax.get_legend_handles_labels()[::-1], strict=True))
        names = [t.get_text() for t in ax.get_legend().get_texts()]  # in its order (the lines' ends)
        ax.legend(
            [found[n] for n in names], names, loc="upper center", bbox_to_anchor=(0.5, -0.42), fontsize=6, frameon=False
        )
    panel_letters(axes)
    return fig


def res_dim_ticks(top: int) -> list[int]:
    """Colour-bar ticks for 0..``top`` restricted dimensions (every one up to 6, then every other)."""
    return list(range(0, top + 1, 1 if top <= 6 else 2))


def peeling_trajectory(
    trajectory: pd.DataFrame,
    ax: Axes | None = None,
    vmax: int | None = None,
    colorbar: bool = True,
    legend: bool = True,
) -> Axes:
    """A PRIM peeling trajectory (``analysis.scenarios.prim_box(...).trajectory``): each box's coverage
    against its density, coloured by its number of restricted dimensions (cividis, colour-blind safe); the
    same boxes with their significant restrictions only (columns ``sig_coverage``, ``sig_density``, when
    present) as grey crosses; the chosen box ringed, the box reported (the chosen one, significant limits
    only) starred, the base rate (the whole space's density) dashed.  ``vmax`` fixes the colour scale's top
    (to share it between panels), ``colorbar`` draws the scale beside the axes and ``legend`` the legend in
    them (a figure of several panels may rather draw one for all)."""
    ax = _axes(ax)
    top = int(vmax if vmax is not None else max(1, int(trajectory["res_dim"].max())))
    cmap = plt.get_cmap("cividis", top + 1)
    norm = matplotlib.colors.BoundaryNorm(np.arange(-0.5, top + 1.5), cmap.N)
    with plt.rc_context(STYLE):
        ax.plot(trajectory["coverage"], trajectory["density"], color="0.75", linewidth=0.6, zorder=1)
        points = ax.scatter(
            trajectory["coverage"],
            trajectory["density"],
            c=trajectory["res_dim"],
            cmap=cmap,
            norm=norm,
            s=9,
            linewidths=0,
            zorder=2,
            label="PRIM's boxes",
        )
        significant = "sig_coverage" in trajectory and "sig_density" in trajectory
        if significant:
            ax.scatter(
                trajectory["sig_coverage"],
                trajectory["sig_density"],
                marker="x",
                s=10,
                color="0.55",
                linewidths=0.6,
                zorder=1.5,
                label="significant limits only",
            )
        chosen = trajectory[trajectory["chosen"]]
        ax.scatter(
            chosen["coverage"],
            chosen["density"],
            s=60,
            facecolors="none",
            edgecolors="black",
            linewidths=1.2,
            zorder=3,
            label="chosen box",
        )
        if significant:
            ax.scatter(
                chosen["sig_coverage"],
                chosen["sig_density"],
                marker="*",
                s=70,
                color=CHOSEN,
                edgecolors="black",
                linewidths=0.5,
                zorder=4,
                label="reported",
            )
        base = float(trajectory.loc[trajectory["res_dim"] == 0, "density"].iloc[0])
        ax.axhline(base, color="0.5", linewidth=0.8, linestyle="--", zorder=0)
        ax.annotate(
            "base rate",
            (0.02, base),
            xycoords=("axes fraction", "data"),
            xytext=(0, 2),
            textcoords="offset points",
            fontsize=6,
            color="0.4",
            va="bottom",
        )
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.05)
        ax.set_xlabel(SCENARIO_LABELS["coverage"])
        ax.set_ylabel(SCENARIO_LABELS["density"])
        if legend:
            ax.legend(loc="best", handletextpad=0.2, borderaxespad=0.3, markerscale=0.8)
        if colorbar:
            cbar = ax.figure.colorbar(points, ax=ax, ticks=res_dim_ticks(top))
            cbar.set_label(SCENARIO_LABELS["res_dim"])
    return ax


def scenario_box(box: pd.DataFrame, ax: Axes | None = None, digits: int = 3, slots: int | None = None) -> Axes:
    """One PRIM box (the rows of ``boxes.csv`` for one winner and loser, ``analysis.scenarios.boxes_table``):
    each restricted dimension's range, in the winner's colour, within its plausible range (grey; both scaled
    to 0-1), with the limits written at its ends and the quasi-p-value on the right; a categorical dimension
    as its levels side by side, the kept ones filled.  A box not worth reporting is drawn in grey and says so;
    one that restricts nothing is a line of text.  ``slots`` sizes the axes for that many dimensions (to give
    every panel of a figure the same row height)."""
    ax = _axes(ax)
    head = box.iloc[0]
    rows = box[box["dimension"].fillna("").astype(str) != ""].reset_index(drop=True)
    worth = bool(head["worth_reporting"])
    fill = colour(str(head["winner"])) if worth else "0.55"
    title = f"{head['winner']} beats {head['loser']}".replace("_", " ")
    if head["n_interest"] == 0:
        stats = f"at none of the {int(head['n_points'])} points"
    else:
        stats = f"coverage {head['coverage']:.2f}, density {head['density']:.2f} (base rate {head['base_rate']:.2f})"
    with plt.rc_context(STYLE):
        ax.set_title(f"{title}\n{stats}", fontsize=7)
        if rows.empty:
            if head["n_interest"] == 0:
                note = "never by the margin"
            elif head["base_rate"] >= SCENARIO_DENSITY:
                note = "across most of the space: no box needed"
            else:
                note = "no box worth reporting"
            ax.text(0.5, 0.5, note, ha="center", va="center", transform=ax.transAxes, color="0.3", style="italic")
            ax.set_axis_off()
            return ax
        for i, r in rows.iterrows():
            ax.barh(i, 1.0, left=0.0, height=0.4, color="0.9", edgecolor="0.7", linewidth=0.5)
            if r["kind"] == "levels":
                choices = str(r["plausible_levels"]).split("|") if isinstance(r["plausible_levels"], str) else []
                kept = set(str(r["levels"]).split("|"))
                choices = choices or sorted(kept)
                width = 1.0 / len(choices)
                for j, level in enumerate(choices):
                    on = level in kept
                    ax.barh(
                        i,
                        width,
                        left=j * width,
                        height=0.4,
                        color=fill if on else "none",
                        edgecolor="0.7",
                        linewidth=0.5,
                        alpha=0.85,
                    )
                    ax.text(
                        (j + 0.5) * width,
                        i,
                        level.replace("_", " "),
                        ha="center",
                        va="center",
                        fontsize=5,
                        color="white" if on else "0.4",
                    )
            else:
                low0 = r["plausible_lower"] if pd.notna(r["plausible_lower"]) else r["lower"]
                high0 = r["plausible_upper"] if pd.notna(r["plausible_upper"]) else r["upper"]
                span = (high0 - low0) or 1.0
                a = 0.0 if not r["lower_restricted"] else (r["lower"] - low0) / span
                b = 1.0 if not r["upper_restricted"] else (r["upper"] - low0) / span
                a, b = min(max(a, 0.0), 1.0), min(max(b, 0.0), 1.0)
                ax.barh(i, b - a, left=a, height=0.4, color=fill, alpha=0.85)
                if r["lower_restricted"]:
                    ax.text(a, i - 0.22, f"{r['lower']:.{digits}g}", ha="center", va="bottom", fontsize=6)
                if r["upper_restricted"]:
                    ax.text(b, i - 0.22, f"{r['upper']:.{digits}g}", ha="center", va="bottom", fontsize=6)
                ax.text(0.0, i + 0.22, f"{low0:.{digits}g}", ha="left", va="top", fontsize=5, color="0.45")
                ax.text(1.0, i + 0.22, f"{high0:.{digits}g}", ha="right", va="top", fontsize=5, color="0.45")
            ax.text(1.03, i, f"qp {r['qp']:.2g}", ha="left", va="center", fontsize=5.5, color="0.3")
        ax.set_yticks(range(len(rows)), [str(d) for d in rows["dimension"]])
        ax.set_ylim(max(len(rows), slots or 0) - (0.4 if worth else -0.25), -0.75)
        ax.set_xlim(0.0, 1.0)
        ax.set_xticks([0.0, 0.5, 1.0], ["low", "", "high"])
        ax.set_xlabel("Position in the plausible range")
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        if not worth:
            ax.text(
                0.5,
                len(rows) + 0.2,
                "not worth reporting: density barely above the base rate",
                ha="center",
                va="bottom",
                fontsize=6,
                color="0.3",
                style="italic",
            )
    return ax


def pattern_check(
    runs: pd.Series | np.ndarray,
    items: pd.Series | np.ndarray,
    target: tuple[float, float],
    accept: tuple[float, float],
    xlabel: str,
    axes: Sequence[Axes] | None = None,
    passed: bool | None = None,
) -> Sequence[Axes]:
    """A pattern against the model (``ecsim validate``): two panels on one horizontal scale.

    Top: the per-issue values the statistic summarises, pooled over runs (``items``, a histogram). Bottom: each
    run's statistic (``runs``, one dot per seed), their mean and its 95% bootstrap interval. Both panels shade the
    target (its value or interval, dark) and the acceptance interval around it (light); ``passed`` colours the mean.
    """
    from ecsim.analysis.stats import mean_ci

    if axes is None:
        _, axes = figure(aspect=0.9, nrows=2)
    top, bottom = axes
    runs = np.asarray(runs, dtype=float)
    runs = runs[np.isfinite(runs)]
    items = np.asarray(items, dtype=float)
    items = items[np.isfinite(items)]
    span = [*accept, *target, *(items if items.size else []), *(runs if runs.size else [])]
    low, high = float(np.min(span)), float(np.max(span))
    pad = 0.05 * (high - low or 1.0)
    for ax in (top, bottom):
        ax.axvspan(accept[0], accept[1], color="#009E73", alpha=0.12, lw=0, label="accepted")
        if target[0] == target[1]:
            ax.axvline(target[0], color="#009E73", lw=1.5, label="target")
        else:
            ax.axvspan(target[0], target[1], color="#009E73", alpha=0.3, lw=0, label="target")
        ax.set_xlim(low - pad, high + pad)
    if items.size:
        top.hist(items, bins=min(30, max(5, int(np.sqrt(items.size)))), color="0.55", edgecolor="white", lw=0.3)
    top.set_ylabel("Issues (all runs)")
    rng = np.random.default_rng(0)  # jitter only
    bottom.scatter(runs, rng.uniform(-0.25, 0.25, runs.size), s=8, color="0.35", alpha=0.7, lw=0, label="one run")
    if runs.size:
        mean, lo, hi = mean_ci(runs)
        shade = "0.1" if passed is None else ("#0072B2" if passed else "#D55E00")
        bottom.errorbar(
            [mean], [0.0], xerr=[[mean - lo], [hi - mean]], fmt="D", color=shade, ms=5, capsize=3, label="mean, 95% CI"
        )
    bottom.set_ylim(-0.6, 0.6)
    bottom.set_yticks([])
    bottom.spines["left"].set_visible(False)
    bottom.set_xlabel(xlabel)
    bottom.legend(loc="best", fontsize=6)  # one legend: the bands are the same above
    return axes


def save(fig: Figure, stem: str | Path, dpi: int = 300) -> list[Path]:
    """Write ``STEM.pdf`` (vector) and ``STEM.png`` (``dpi``); return the paths."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".pdf"), stem.with_suffix(".png")]
    with plt.rc_context(STYLE):
        fig.savefig(paths[0])
        fig.savefig(paths[1], dpi=dpi)
    plt.close(fig)
    return paths

"""Publication figures from analysed results: ``fn(data, ax=None) -> Axes``.

Plot functions read only the tidy tables of :mod:`ecsim.analysis`; they never
run a model, never call ``show()`` and never save implicitly (use :func:`save`).
One fixed, colour-blind-safe colour per regime (Okabe & Ito 2008), intervals
drawn as bands or error bars, axis labels with units, sized for a journal
column (:data:`COLUMN_WIDTH` inches).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from ecsim.analysis.tables import MIN_CI_N, sample_size, too_few
from ecsim.model.metrics import DECLARED

COLUMN_WIDTH = 3.5  # inches, one journal column
DOUBLE_WIDTH = 7.2  # inches, full page width

#: Okabe-Ito palette: one fixed colour per built-in regime; others take the remaining colours in turn.
REGIME_COLOURS: dict[str, str] = {
    "centralised": "#D55E00",  # vermillion
    "flexible": "#0072B2",  # blue
    "self_regulatory": "#009E73",  # bluish green
    "no_cooperation": "#000000",  # black
}
_SPARE = ["#E69F00", "#56B4E9", "#CC79A7", "#F0E442"]
MARKERS = {"centralised": "s", "flexible": "o", "self_regulatory": "^", "no_cooperation": "D"}

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
    "steady_harm": "Harm per month, last five years (units)",
    **PARAMETER_LABELS,
}

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


def colour(regime: str, order: Sequence[str] = ()) -> str:
    """The regime's fixed colour (custom regimes get spare colours by position in ``order``)."""
    if regime in REGIME_COLOURS:
        return REGIME_COLOURS[regime]
    extras = [r for r in order if r not in REGIME_COLOURS]
    return _SPARE[extras.index(regime) % len(_SPARE)] if regime in extras else _SPARE[0]


def label(name: str) -> str:
    """The axis label of a metric, an analysed quantity or a parameter (else the name, spaced)."""
    return LABELS.get(name, name.replace("_", " "))


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


def flag_few(ax: Axes, data: pd.DataFrame, what: str = "intervals") -> None:
    """Note under the figure when ``data``'s intervals come from fewer than 5 replicates (its ``n`` or ``n_pairs``).

    Such an interval is not a 95% confidence interval (with 2 replicates a bootstrap interval is about their
    minimum and maximum), so the figure says so wherever it is shown, whatever its caption.  One note per
    figure, naming the smallest number of replicates behind any of its panels.
    """
    n = sample_size(data)
    if not too_few(n):
        return
    fig = ax.get_figure()
    smallest = min(n, getattr(fig, "_ecsim_fewest", n))
    fig._ecsim_fewest = smallest  # type: ignore[union-attr]
    fig.supxlabel(  # type: ignore[union-attr]
        f"{what.capitalize()} from only {smallest} replicate{'' if smallest == 1 else 's'} "
        f"(fewer than {MIN_CI_N}): not 95% confidence intervals",
        fontsize=6,
        color="0.3",
        style="italic",
    )


def timeseries(ts: pd.DataFrame, metric: str, ax: Axes | None = None) -> Axes:
    """Mean over runs per step with its confidence band, one line per regime (from ``analysis.timeseries``)."""
    ax = _axes(ax)
    with plt.rc_context(STYLE):
        order = _regimes(ts)
        for regime in order:
            d = ts[ts["regime"] == regime]
            c = colour(regime, order)
            ax.plot(d["step"], d["mean"], color=c, label=regime.replace("_", " "))
            ax.fill_between(d["step"], d["low"], d["high"], color=c, alpha=0.2, linewidth=0)
        ax.set_xlabel(label("step"))
        ax.set_ylabel(label(metric))
        ax.legend(loc="best")
        flag_few(ax, ts, "bands")
    return ax


def regime_intervals(summary: pd.DataFrame, metric: str, ax: Axes | None = None) -> Axes:
    """One point and confidence interval per regime (from ``analysis.summarise``)."""
    ax = _axes(ax)
    d = summary[summary["metric"] == metric]
    order = _regimes(d)
    with plt.rc_context(STYLE):
        for i, regime in enumerate(order):
            r = d[d["regime"] == regime].iloc[0]
            ax.errorbar(
                r["mean"],
                i,
                xerr=[[r["mean"] - r["low"]], [r["high"] - r["mean"]]],
                fmt=MARKERS.get(regime, "o"),
                color=colour(regime, order),
                capsize=2,
                markersize=4,
            )
        ax.set_yticks(range(len(order)), [r.replace("_", " ") for r in order])
        ax.set_ylim(-0.6, len(order) - 0.4)
        ax.invert_yaxis()
        ax.set_xlabel(label(metric))
        flag_few(ax, d)
    return ax


def paired_intervals(paired: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Mean paired differences with confidence intervals, one row per comparison (``analysis.paired_summary``)."""
    ax = _axes(ax)
    with plt.rc_context(STYLE):
        for i, r in enumerate(paired.itertuples()):
            first = r.comparison.split(" - ")[0]
            ax.errorbar(
                r.mean,
                i,
                xerr=[[r.mean - r.low], [r.high - r.mean]],
                fmt="o",
                color=colour(first),
                capsize=2,
                markersize=4,
            )
        ax.axvline(0, color="0.6", linewidth=0.8, linestyle="--")
        ax.set_yticks(range(len(paired)), [c.replace("_", " ") for c in paired["comparison"]])
        ax.invert_yaxis()
        ax.set_xlabel(f"Paired difference in {label(paired['metric'].iloc[0]).lower()}")
        flag_few(ax, paired)
    return ax


def decomposition(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """One comparison's gap and each dimension's contribution to it, with intervals
    (``analysis.decomposition.decompose``: columns dimension, contribution, ci_low, ci_high)."""
    ax = _axes(ax)
    parts = table[table["dimension"] != "total"].sort_values("contribution", key=abs, ascending=False)
    rows = pd.concat([table[table["dimension"] == "total"], parts])
    with plt.rc_context(STYLE):
        for i, r in enumerate(rows.itertuples()):
            total = r.dimension == "total"
            ax.barh(i, r.contribution, color="0.3" if total else "#0072B2", height=0.6)
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
        ax.set_title(f"{first} vs {second}".replace("_", " "))
        ax.set_xlabel(f"Advantage of {first.replace('_', ' ')} in harm reduction")
    return ax


def factor_lines(summary: pd.DataFrame, factor: str, metric: str, ax: Axes | None = None) -> Axes:
    """Mean and CI of ``metric`` against a factor, one line per regime (``analysis.summarise`` by regime+factor)."""
    ax = _axes(ax)
    d = summary[summary["metric"] == metric].sort_values(factor)
    order = _regimes(d)
    with plt.rc_context(STYLE):
        for regime in order:
            r = d[d["regime"] == regime]
            c = colour(regime, order)
            ax.errorbar(
                r[factor],
                r["mean"],
                yerr=[r["mean"] - r["low"], r["high"] - r["mean"]],
                color=c,
                marker=MARKERS.get(regime, "o"),
                markersize=3,
                capsize=2,
                label=regime.replace("_", " "),
            )
        ax.set_xlabel(label(factor))
        ax.set_ylabel(label(metric))
        ax.legend(loc="best")
        flag_few(ax, d)
    return ax


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
    colour_: str = "#0072B2",
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
    ``analysis.paired_summary`` by ``group`` (a comparison ``a - b`` takes the colour and marker
    of ``b``, as in :func:`paired_lines`).  ``order`` fixes the rows (default: order of
    appearance) and ``labels`` renames them.  The legend sits above the axes.
    """
    ax = _axes(ax)
    d = summary[summary["metric"] == metric]
    series = list(dict.fromkeys(d[hue]))
    groups = list(order) if order is not None else list(dict.fromkeys(d[group]))
    offsets = np.linspace(-0.25, 0.25, len(series)) if len(series) > 1 else np.zeros(1)
    with plt.rc_context(STYLE):
        for name, offset in zip(series, offsets, strict=True):
            regime = name.split(" - ")[-1] if hue == "comparison" else name
            r = d[d[hue] == name].set_index(group).reindex(groups)
            ax.errorbar(
                r["mean"],
                np.arange(len(groups)) + offset,
                xerr=[r["mean"] - r["low"], r["high"] - r["mean"]],
                fmt=MARKERS.get(regime, "o"),
                color=colour(regime, series),
                capsize=1.5,
                markersize=3,
                elinewidth=0.8,
                label=name.replace("_", " ").replace(" - ", " − "),
            )
        ax.set_yticks(range(len(groups)), [(labels or {}).get(g, str(g)) for g in groups])
        ax.set_ylim(-0.6, len(groups) - 0.4)
        ax.invert_yaxis()
        if hue == "comparison":
            ax.axvline(0, color="0.6", linewidth=0.8, linestyle="--")
            ax.set_xlabel(f"Paired difference in {label(metric).lower()}")
        else:
            ax.set_xlabel(label(metric))
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(series), handletextpad=0.2, borderaxespad=0.2)
        flag_few(ax, d)
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
    with ``by=[factor]``).  A line takes the colour and marker of the regime compared against (``b`` in
    ``a - b``), so one regime's comparisons with the others are told apart; 0 is marked."""
    ax = _axes(ax)
    d = paired.sort_values(factor)
    with plt.rc_context(STYLE):
        for comparison in dict.fromkeys(d["comparison"]):
            r = d[d["comparison"] == comparison]
            against = comparison.split(" - ")[-1]
            ax.errorbar(
                r[factor],
                r["mean"],
                yerr=[r["mean"] - r["low"], r["high"] - r["mean"]],
                color=colour(against),
                marker=MARKERS.get(against, "o"),
                markersize=3,
                capsize=2,
                label=comparison.replace("_", " ").replace(" - ", " − "),
            )
        ax.axhline(0, color="0.6", linewidth=0.8, linestyle="--")
        ax.set_xlabel(label(factor))
        ax.set_ylabel(f"Paired difference in {label(d['metric'].iloc[0]).lower()}")
        ax.legend(loc="best")
        flag_few(ax, d)
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
    (``analysis.one_factor.tables``); ``axis`` sets each x axis."""
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
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.42), fontsize=6, frameon=False)
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
            edgecolors="#D55E00",
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
                color="#D55E00",
                edgecolors="white",
                linewidths=0.4,
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

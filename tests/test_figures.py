"""Figures a journal takes as they are (issue 16, item 6): regimes told apart in greyscale (marker and line style,
not colour alone; colours apart in luminance), one style per regime everywhere (the explorer too), direct labels
in the order of the lines' ends, intervals named, shares on axes from 0, panel letters, a true minus sign in a
difference, and tables with short headers, units and three significant figures.

Every figure function is drawn from small synthetic tables of the shape ``ecsim.analysis`` returns, then read
back from its artists (lines, error bars, texts) and from a greyscale rendering."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from ecsim import analysis, plots

REGIMES = ("centralised", "flexible", "self_regulatory", "no_cooperation")
MINUS = "\N{MINUS SIGN}"
#: Two regimes' colours must differ at least this much in greyscale (0 black, 1 white).
GREY_MARGIN = 0.1


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def ts_table(n: int = 50, steps: int = 40, metric_end: dict[str, float] | None = None) -> pd.DataFrame:
    """What ``analysis.timeseries`` returns: regime, step, mean, n, low, high (lines rising to their ends)."""
    ends = metric_end or {"centralised": 640.0, "flexible": 566.0, "self_regulatory": 633.0, "no_cooperation": 636.0}
    rows = []
    for regime, end in ends.items():
        for step in range(steps):
            mean = end * step / (steps - 1)
            rows.append({"regime": regime, "step": step, "mean": mean, "n": n, "low": mean - 5, "high": mean + 5})
    return pd.DataFrame(rows)


def summary_table(metric: str, means: dict[str, float], n: int = 50, half: float = 0.005) -> pd.DataFrame:
    """What ``analysis.summarise`` returns for one metric."""
    return pd.DataFrame(
        [
            {"regime": r, "metric": metric, "n": n, "mean": m, "low": m - half, "high": m + half}
            for r, m in means.items()
        ]
    )


def paired_tables(n: int = 20) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``analysis.paired_summary`` and the per-pair ``analysis.paired_differences`` behind it."""
    rng = np.random.default_rng(1)
    pairs = [("flexible", "centralised", 0.13), ("flexible", "self_regulatory", 0.1), ("self_regulatory", "x", -0.01)]
    diffs, rows = [], []
    for a, b, centre in pairs:
        d = centre + rng.normal(0, 0.02, n)
        diffs.append(pd.DataFrame({"comparison": f"{a} - {b}", "difference": d}))
        rows.append(
            {
                "comparison": f"{a} - {b}",
                "metric": "harm_reduction",
                "n_pairs": n,
                "mean": d.mean(),
                "low": d.mean() - 0.01,
                "high": d.mean() + 0.01,
                "share_positive": float((d > 0).mean()),
            }
        )
    return pd.DataFrame(rows), pd.concat(diffs, ignore_index=True)


def factor_table(factor: str = "outside_option", metric: str = "harm_reduction") -> pd.DataFrame:
    levels = [0.0, 0.5, 0.75, 0.9]
    means = {"centralised": -0.01, "flexible": 0.12, "self_regulatory": 0.03, "no_cooperation": 0.0}
    return pd.concat(
        [
            summary_table(metric, means, n=20).assign(**{factor: v, "mean": lambda d, v=v: d["mean"] + v / 50})
            for v in levels
        ]
    ).assign(low=lambda d: d["mean"] - 0.005, high=lambda d: d["mean"] + 0.005)


def paired_factor_table(factor: str = "outside_option") -> pd.DataFrame:
    rows = []
    for v, (comparison, centre) in itertools.product(
        [0.0, 0.5, 0.75, 0.9], [("flexible - centralised", 0.12), ("flexible - self_regulatory", 0.09)]
    ):
        m = centre + v / 20
        rows.append(
            {
                factor: v,
                "comparison": comparison,
                "metric": "harm_reduction",
                "n_pairs": 20,
                "mean": m,
                "low": m - 0.01,
                "high": m + 0.01,
                "share_positive": 1.0,
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------- reading figures back
def _marker(artist) -> str:
    return str(artist.get_marker())


def _linestyle(artist) -> str:
    return str(artist.get_linestyle())


def regime_artists(ax, names: list[str]) -> dict[str, tuple[str, str, str]]:
    """(colour, marker, line style) of each named series: lines and error-bar lines, found by their label."""
    found = {}
    handles, labels = ax.get_legend_handles_labels()
    for handle, text in zip(handles, labels, strict=True):
        line = handle[0] if isinstance(handle, tuple | matplotlib.container.Container) else handle
        found[text] = (matplotlib.colors.to_hex(line.get_color()), _marker(line), _linestyle(line))
    for container in ax.containers:  # error bars drawn without a label: by position
        line = container.lines[0] if hasattr(container, "lines") else container[0]
        if container.get_label() and not container.get_label().startswith("_"):
            found.setdefault(
                container.get_label(), (matplotlib.colors.to_hex(line.get_color()), _marker(line), _linestyle(line))
            )
    return {n: found[n] for n in names}


def assert_greyscale_distinct(styles: dict[str, tuple[str, str, str]], lines: bool = True) -> None:
    """Each series has its own marker (and, for lines, its own line style): a greyscale print tells them apart
    without colour; and their colours differ in greyscale luminance by :data:`GREY_MARGIN` at least."""
    markers = [m for _, m, _ in styles.values()]
    assert len(set(markers)) == len(markers), f"markers repeat: {styles}"
    assert all(m not in ("None", "", " ") for m in markers), f"a series without a marker: {styles}"
    if lines:
        linestyles = [ls for *_, ls in styles.values()]
        assert len(set(linestyles)) == len(linestyles), f"line styles repeat: {styles}"
    greys = sorted(plots.luminance(c) for c, _, _ in styles.values())
    gaps = np.diff(greys)
    assert gaps.min() >= GREY_MARGIN, f"colours too close in greyscale ({greys}): {styles}"


def greyscale(fig) -> np.ndarray:
    """The figure rendered by Agg and converted to greyscale (BT.601 luma), values 0-1."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba(), dtype=float) / 255
    return rgba[..., 0] * 0.299 + rgba[..., 1] * 0.587 + rgba[..., 2] * 0.114


def note(fig) -> str:
    label = getattr(fig, "_supxlabel", None)
    return label.get_text() if label is not None else ""


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


# ---------------------------------------------------------------------------------- the regimes' styles
def test_one_style_per_regime_distinct_in_greyscale_and_the_neutral_rows_apart():
    styles = {r: (s.colour, s.marker, s.linestyle) for r, s in plots.REGIME_STYLE.items()}
    assert set(styles) == set(REGIMES)
    assert_greyscale_distinct({r: (c, m, str(ls)) for r, (c, m, ls) in styles.items()})
    for r in REGIMES:  # the declaration is the one source of every regime's colour and marker
        assert plots.style(r) is plots.REGIME_STYLE[r]
        assert plots.colour(r) == plots.REGIME_COLOURS[r] == plots.REGIME_STYLE[r].colour
        assert plots.MARKERS[r] == plots.REGIME_STYLE[r].marker
    # Regimes that are not built in take spare styles, none of them a built-in regime's colour, marker or dash.
    spare = [plots.style(r, ["flexible", "treaty", "club"]) for r in ("treaty", "club")]
    assert spare[0] != spare[1]
    for s in spare:
        assert s.colour not in plots.REGIME_COLOURS.values() and s.marker not in plots.MARKERS.values()
    assert plots.NEUTRAL.colour not in plots.REGIME_COLOURS.values()


def test_the_greyscale_check_fails_on_colour_alone():
    """The old figures: solid lines without markers, bluish green beside vermillion (0.06 apart in grey)."""
    old = {"centralised": ("#D55E00", "None", "-"), "self_regulatory": ("#009E73", "None", "-")}
    with pytest.raises(AssertionError):
        assert_greyscale_distinct(old)


# ---------------------------------------------------------------------------------- time series
def test_timeseries_styles_direct_labels_in_end_order_and_a_named_band():
    ts = ts_table()
    fig, ax = plots.figure()
    plots.timeseries(ts, "harm", ax)
    lines = {line.get_label(): line for line in ax.get_lines()}
    names = [plots.display(r) for r in REGIMES]
    styles = {
        n: (matplotlib.colors.to_hex(lines[n].get_color()), _marker(lines[n]), _linestyle(lines[n])) for n in names
    }
    assert_greyscale_distinct(styles)
    for n in names:  # a marker every few steps, not at every step
        every = lines[n].get_markevery()
        assert every is not None and every != 1
    # Direct labels at the line ends, highest end on top, none overlapping (in data units along y).
    labels = [t for t in ax.texts if t.get_text() in names]
    assert len(labels) == len(names)
    placed = sorted(labels, key=lambda t: -t.xyann[1])
    by_end = ts.groupby("regime")["mean"].last().sort_values(ascending=False).index
    assert [t.get_text() for t in placed] == [plots.display(r) for r in by_end]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [matplotlib.text.Text.get_window_extent(t, renderer) for t in placed]  # the text, not its leader
    for upper, lower in itertools.pairwise(boxes):
        assert upper.y0 >= lower.y1 - 0.5, "end labels overlap"
    assert ax.get_legend() is None  # the labels replace the legend
    # With a legend as well, it lists the regimes in the same order as the line ends.
    fig, ax = plots.figure()
    plots.timeseries(ts, "harm", ax, legend=True)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [plots.display(r) for r in by_end]
    # The band's kind is named under the figure, and harm's unit is in words.
    assert "95% confidence interval of the mean" in note(fig) and "50 runs" in note(fig)
    assert ax.get_ylabel() == "Harm (issue-months per month)"


def test_timeseries_in_greyscale_keeps_every_regime_visible():
    """Rendered and converted to grey, each regime's line still darkens the plot where it alone runs."""
    ends = {"centralised": 100.0, "flexible": 400.0, "self_regulatory": 700.0, "no_cooperation": 1000.0}
    for regime in REGIMES:
        fig, ax = plots.figure()
        plots.timeseries(ts_table(metric_end={regime: ends[regime]}), "harm", ax, labels=False)
        ax.set_xlim(0, 40)
        ax.set_ylim(0, 1000)
        grey = greyscale(fig)
        assert grey.min() < 0.75, f"{regime} fades to near white in greyscale"


def test_share_axes_start_at_zero_and_end_at_one():
    close = summary_table("legitimacy", {r: 0.74 + 0.01 * i for i, r in enumerate(REGIMES)})
    _, ax = plots.figure()
    plots.regime_intervals(close, "legitimacy", ax)
    assert ax.get_xlim() == (0.0, 1.0)  # 0.74-0.78 no longer fills the axis
    low_share = summary_table("harm_reduction", {"centralised": -0.012, "flexible": 0.116, "no_cooperation": 0.0})
    _, ax = plots.figure()
    plots.regime_intervals(low_share, "harm_reduction", ax)
    assert ax.get_xlim()[0] <= -0.012 - 0.005 and ax.get_xlim()[1] < 0.5  # negatives kept, not stretched to 1
    ts = ts_table(metric_end={"flexible": 0.28, "centralised": 0.24})
    _, ax = plots.figure()
    plots.timeseries(ts.assign(mean=ts["mean"] + 0.5, low=0.5, high=0.8), "compliance", ax)
    assert ax.get_ylim() == (0.0, 1.0)
    _, ax = plots.figure()
    plots.factor_lines(
        factor_table(metric="coverage").assign(mean=0.75, low=0.74, high=0.76), "outside_option", "coverage", ax
    )
    assert ax.get_ylim()[0] == 0.0
    # A quantity that is not a share keeps its own range.
    __, ax = plots.figure()
    plots.regime_intervals(
        summary_table("time_to_agreement", {"flexible": 12.0, "centralised": 32.0}), "time_to_agreement", ax
    )
    assert ax.get_xlim()[0] > 5


# ---------------------------------------------------------------------------------- intervals by regime
def test_interval_figures_tell_regimes_apart_without_colour():
    summary = summary_table(
        "harm_reduction", {"centralised": -0.01, "flexible": 0.12, "self_regulatory": 0.02, "no_cooperation": 0.0}
    )
    fig, ax = plots.figure()
    plots.regime_intervals(summary, "harm_reduction", ax)
    points = {
        t.get_text(): (matplotlib.colors.to_hex(c.lines[0].get_color()), _marker(c.lines[0]), "")
        for t, c in zip(ax.get_yticklabels(), ax.containers, strict=True)
    }
    assert_greyscale_distinct(points, lines=False)
    assert "95% bootstrap CI" in note(fig)

    fig, ax = plots.figure()
    plots.factor_lines(factor_table(), "outside_option", "harm_reduction", ax)
    assert_greyscale_distinct(regime_artists(ax, [plots.display(r) for r in REGIMES]))
    ends = factor_table().sort_values("outside_option").groupby("regime")["mean"].last().sort_values(ascending=False)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [plots.display(r) for r in ends.index]

    by_group = pd.concat([summary.assign(point=p) for p in (0, 1)])
    fig, ax = plots.figure()
    plots.group_intervals(by_group, "point", "harm_reduction", ax)
    assert_greyscale_distinct(regime_artists(ax, [plots.display(r) for r in REGIMES]), lines=False)


def test_paired_figures_name_differences_with_a_minus_sign():
    paired = paired_factor_table()
    _, ax = plots.figure()
    plots.paired_lines(paired, "outside_option", ax)
    shown = [t.get_text() for t in ax.get_legend().get_texts()]
    assert set(shown) == {f"flexible {MINUS} centralised", f"flexible {MINUS} self regulatory"}
    assert_greyscale_distinct(regime_artists(ax, shown))
    groups = paired.rename(columns={"outside_option": "mix"})
    _fig, ax = plots.figure()
    plots.group_intervals(groups, "mix", "harm_reduction", ax, hue="comparison")
    assert all(MINUS in t.get_text() and " - " not in t.get_text() for t in ax.get_legend().get_texts())


# ---------------------------------------------------------------------------------- the paired comparison
def test_paired_intervals_neutral_rows_per_pair_dots_and_share_positive():
    paired, differences = paired_tables(n=20)
    fig, ax = plots.figure(aspect=0.5)
    plots.paired_intervals(paired, ax, differences)
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows == [f"flexible {MINUS} centralised", f"flexible {MINUS} self regulatory", f"self regulatory {MINUS} x"]
    assert not any(" - " in r or "_" in r for r in rows)
    # Neutral: every row's mean in the same grey, no regime's colour.
    colours = {matplotlib.colors.to_hex(c.lines[0].get_color()) for c in ax.containers}
    assert colours == {matplotlib.colors.to_hex(plots.NEUTRAL.colour)}
    assert not colours & {matplotlib.colors.to_hex(c) for c in plots.REGIME_COLOURS.values()}
    # Each pair's difference as a dot, behind the mean and interval.
    dots = [c for c in ax.collections if c.get_offsets().shape[0] == 20]
    assert len(dots) == 3
    assert all(d.get_zorder() < ax.containers[0].lines[0].get_zorder() for d in dots)
    for dot, (_, r) in zip(dots, paired.iterrows(), strict=True):
        x = dot.get_offsets()[:, 0]
        d = differences.loc[differences["comparison"] == r["comparison"], "difference"].to_numpy()
        assert np.allclose(np.sort(x), np.sort(d))
    # The share of positive pairs written on each row.
    shares = [t for t in texts(ax) if t.endswith("> 0")]
    assert shares == [f"{s:.0%} > 0" for s in paired["share_positive"]]
    assert "95% bootstrap CI" in note(fig) and "20 pairs" in note(fig) and "one pair each" in note(fig)
    # Without the per-pair table it still draws (a table without share_positive writes no share).
    fig, ax = plots.figure()
    plots.paired_intervals(paired.drop(columns="share_positive"), ax)
    assert not [t for t in texts(ax) if t.endswith("> 0")]


# ---------------------------------------------------------------------------------- panel letters
def test_multi_panel_figures_are_lettered():
    fig, axes = plots.figure(ncols=3, nrows=2)
    assert plots.panel_letters(axes) == list("abcdef")
    assert [texts(ax) for ax in axes.flat] == [[c] for c in "abcdef"]
    fig = plots.factor_panels(
        factor_table(),
        paired_factor_table(),
        "outside_option",
        "harm_reduction",
        ["one", "two", "three"],
        "Outside option",
        lambda ax: None,
    )
    letters = [[t for t in texts(ax) if len(t) == 1] for ax in fig.axes]
    assert letters == [["a"], ["b"], ["c"]]
    for ax in fig.axes:  # the legends moved under each panel keep each series' marker
        legend = ax.get_legend()
        caps = {"None", "none", "", None, "_", "|"}  # no marker, or an error bar's caps
        markers = {line.get_marker() for line in legend.findobj(matplotlib.lines.Line2D)} - caps
        assert len(markers) == len(legend.get_texts())


def test_decomposition_is_neutral_and_named_with_spaces():
    table = pd.DataFrame(
        {
            "comparison": "flexible vs self_regulatory",
            "dimension": ["total", "routing", "reporting"],
            "contribution": [0.09, 0.05, 0.04],
            "ci_low": [0.085, 0.045, 0.035],
            "ci_high": [0.095, 0.055, 0.045],
        }
    )
    _fig, ax = plots.figure()
    plots.decomposition(table, ax)
    assert ax.get_title() == "flexible vs self regulatory"
    bars = {matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches}
    assert not bars & {matplotlib.colors.to_hex(c) for c in plots.REGIME_COLOURS.values()}


# ---------------------------------------------------------------------------------- tables
def test_tables_have_short_headers_units_and_three_significant_figures(tmp_path):
    summary = pd.concat(
        [
            summary_table("cumulative_harm", {"flexible": 1930401.0, "centralised": 2050000.0}, half=4000),
            summary_table("harm_reduction", {"flexible": 0.1164, "centralised": -0.0121}, half=0.002),
            summary_table("time_to_agreement", {"flexible": 12.482, "centralised": 32.33}, half=0.4),
        ]
    )
    table = analysis.ci_table(summary)
    assert list(table.columns) == ["flexible", "centralised"]
    assert list(table.index) == [
        ("Cumulative harm", "issue-months"),
        ("Harm reduction vs. no cooperation", "share"),
        ("Time to agreement", "months"),
    ]
    assert table.loc[("Cumulative harm", "issue-months"), "flexible"] == "1.93 [1.93, 1.93] M"
    assert (
        table.loc[("Harm reduction vs. no cooperation", "share"), "centralised"]
        == f"{MINUS}0.012 [{MINUS}0.014, {MINUS}0.010]"
    )
    assert table.loc[("Time to agreement", "months"), "flexible"] == "12.5 [12.1, 12.9]"
    wide = analysis.wide_ci_table(summary)
    csv, tex = analysis.export(
        wide,
        tmp_path / "summary",
        caption="Outcomes: mean [95% CI]",
        label="t",
        latex=analysis.ci_table(summary, stacked=True),
    )
    assert pd.read_csv(csv, index_col=0).loc["flexible", "cumulative_harm"] == "1930401.000 [1926401.000, 1934401.000]"
    text = tex.read_text()
    assert "cumulative\\_harm" not in text and "1930401" not in text and "Cumulative harm" in text
    assert "(issue-months)" in text and "1.93 M" in text and "$-$0.012" in text
    assert "95\\% CI" in text  # the caption is escaped: a bare % would start a LaTeX comment
    # Any table exported without its own LaTeX form is made readable too.
    paired, _ = paired_tables()
    _, tex = analysis.export(paired.set_index("comparison"), tmp_path / "paired")
    text = tex.read_text()
    assert "flexible $-$ centralised" in text and "share positive" in text and "n\\_pairs" not in text
    _, tex = analysis.export(paired.set_index("comparison"), tmp_path / "paired2", latex=analysis.paired_table(paired))
    assert "flexible $-$ self regulatory" in tex.read_text() and "positive" in tex.read_text()


# ---------------------------------------------------------------------------------- the explorer
def test_the_explorer_draws_a_regime_in_its_figure_style_and_nothing_else_in_a_regimes_colour():
    pytest.importorskip("solara")
    from matplotlib.figure import Figure

    from ecsim.viz.app import _OUTCOME_COLOURS, PANELS, _style

    regime_colours = set(plots.REGIME_COLOURS.values())
    assert not set(_OUTCOME_COLOURS.values()) & regime_colours
    for panel in PANELS:
        for regime in REGIMES:
            colours = panel.colours_for(regime)
            if panel.by_regime:
                assert set(colours.values()) == {plots.colour(regime)}
            else:
                assert not set(colours.values()) & regime_colours
    panel = next(p for p in PANELS if p.by_regime)
    for regime in REGIMES:
        ax = Figure().subplots()
        for name, c in panel.colours_for(regime).items():
            ax.plot([0, 1, 2], [1, 2, 3], color=c, label=name)
        _style(panel, regime)(ax)
        line = ax.get_lines()[0]
        assert matplotlib.colors.to_hex(line.get_color()) == matplotlib.colors.to_hex(plots.colour(regime))
        assert line.get_linestyle() == plots.style(regime).linestyle

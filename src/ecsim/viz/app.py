"""The explorer page: Mesa's SolaraViz over the model, its controls derived from :mod:`ecsim.params`.

``solara run ecsim.viz.app`` (what ``ecsim explore`` does) serves :func:`Page`, which
builds a fresh model for each browser session; :func:`explorer` returns the same page
for a Jupyter cell.  Nothing here starts a server at import.

The sidebar holds Mesa's controls (Reset, Play, Step) and one widget per parameter
in :data:`WIDGETS`; a changed widget takes effect at the next Reset, which rebuilds
the model from the widgets' values.  The seed is one of them, so a run on screen is
repeated exactly by the code the "This run" panel prints.
"""

from __future__ import annotations

import contextlib
import html
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
import solara
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from reacton.core import Element

from ecsim.model import REGIMES, EnhancedCooperationModel, Regime, Venue
from ecsim.model.metrics import BY_NAME
from ecsim.model.regimes import RegimeError, resolve_regime
from ecsim.params import CATEGORIES, PARAMETERS, ParameterError, defaults, validate
from ecsim.plots import REGIME_COLOURS, style

#: The regime every run is measured against, stepped beside the chosen one on the same seed.
BASELINE = "no_cooperation"
#: The "compare with" menu's entry for no second regime.
NO_COMPARISON = "none"

with warnings.catch_warnings():
    # Solara's hook checker flags an early return inside Mesa's own ComponentsView at import.
    warnings.filterwarnings("ignore", message=".*use_state.*found despite early return", category=UserWarning)
    from mesa.visualization import SolaraViz, make_plot_component

try:  # what Mesa's own Step calls to redraw every view (present in Mesa 3.x)
    from mesa.visualization.utils import force_update
except ImportError:  # pragma: no cover - a Mesa without it: "Run to end" is not offered
    force_update = None

#: The parameters with a widget: those the source text's argument turns on (how many issues,
#: how concentrated the market, who monitors and enforces, how venues decide) plus the
#: population sizes.  The value is the slider's top where the declared maximum is far beyond
#: what an interactive session needs (the declared bound still applies to ``explorer(**params)``),
#: and the slider's increment.
WIDGETS: dict[str, tuple[float | None, float | None]] = {
    "decision_rule": (None, None),
    "negotiation_protocol": (None, None),
    "issue_rate": (5.0, 0.1),
    "market_concentration": (None, 0.05),
    "monitoring_capacity": (None, 0.05),
    "enforcement_capacity": (None, 0.05),
    "peer_visibility": (None, 0.05),
    "negotiation_budget": (64, 1),
    "delegation_capacity": (48.0, 1.0),
    "capacity": (None, None),
    "consultation": (None, None),
    "n_governments": (400, 1),
    "n_companies": (2000, 1),
}

#: Outcomes of an issue in the issue log, in the order the venue chart stacks them.
OUTCOMES: tuple[str, ...] = ("adopted", "failed", "negotiating", "queued")
#: Okabe-Ito colours that no regime has (a regime's colour means that regime everywhere: ``ecsim.plots.style``).
_OUTCOME_COLOURS = {"adopted": "#009E73", "failed": "#E69F00", "negotiating": "#56B4E9", "queued": "#CCCCCC"}
#: A panel's colour that stands for the running regime's own style (:func:`ecsim.plots.style`).
REGIME = "regime"
#: Line styles of the metrics of a panel of several, in turn (greyscale: they differ in more than colour).
_LINESTYLES = ("-", "--", "-.", ":")
_FIGSIZE = (5.6, 4.4)
_UNSHOWN_UNITS = ("", "-", "probability", "agents")  # evident from the name; a long label shortens the slider


class ExplorerModel(EnhancedCooperationModel):
    """The model as SolaraViz rebuilds it on Reset: keyword arguments only, the seed as typed.

    SolaraViz checks the constructor's signature (it accepts extra parameters only through a
    ``**kwargs`` argument) and passes the seed widget's text; this adapter turns that text
    into ``rng`` and looks regime names up among the built-in and the user's own regimes.

    The seed is the one value typed by hand.  A mistyped seed must not crash the page
    (Mesa's Reset has no error path), so the run takes a fresh seed instead and
    ``seed_note`` says so; the page shows the note beside the seed actually used.
    """

    def __init__(
        self,
        regime: str = "flexible",
        seed: int | str | None = 0,
        compare: str = NO_COMPARISON,
        user_regimes: Mapping[str, Regime] | None = None,
        **kwargs: Any,
    ) -> None:
        regimes = {**REGIMES, **(user_regimes or {})}
        note = ""
        try:
            rng = parse_seed(seed)
        except ParameterError as exc:
            rng, note = None, f"{exc}: this run uses a fresh seed instead."
        super().__init__(regime=regimes.get(regime, regime), rng=rng, **kwargs)
        self.seed_note: str = note
        # Common random numbers: the baseline and the comparison draw from this run's seed (a fresh seed's
        # entropy included), with the same parameters, so their gaps to this run are the regimes' doing.
        entropy = self.seed_sequence.entropy
        self.baseline: EnhancedCooperationModel | None = None
        self.comparison: EnhancedCooperationModel | None = None
        if self.regime.name != BASELINE:
            self.baseline = EnhancedCooperationModel(regime=BASELINE, rng=entropy, **kwargs)
        if compare not in (NO_COMPARISON, BASELINE, self.regime.name):
            self.comparison = EnhancedCooperationModel(regime=regimes.get(compare, compare), rng=entropy, **kwargs)

    @property
    def runs(self) -> dict[str, EnhancedCooperationModel]:
        """The runs on screen by role: ``shown`` (the chosen regime), ``baseline``, ``comparison`` (if any)."""
        runs = {"shown": self, "baseline": self.baseline, "comparison": self.comparison}
        return {role: run for role, run in runs.items() if run is not None}

    def step(self) -> None:
        """One month of every run on screen; past the last month, nothing (a Step that Mesa left enabled)."""
        if not self.running:
            with contextlib.suppress(RuntimeError):  # the model refuses a step past ``steps``, unchanged
                super().step()
            return
        super().step()
        for run in (self.baseline, self.comparison):
            if run is not None:
                run.step()


def parse_seed(seed: int | str | None) -> int | None:
    """The seed widget's text as ``rng``: a non-negative integer, or None (blank) for a fresh seed."""
    if seed is None or isinstance(seed, int | np.integer):
        return None if seed is None else int(seed)
    text = str(seed).strip()
    if not text:
        return None
    if not text.isdigit():
        raise ParameterError(f"seed={seed!r} is not allowed: expected a non-negative integer, or blank for a fresh one")
    return int(text)


# ---------------------------------------------------------------------------------- controls
def model_params(
    regime: str = "flexible",
    seed: int | str | None = 0,
    regimes: Mapping[str, Regime] | None = None,
    compare: str = NO_COMPARISON,
    **params: Any,
) -> dict[str, Any]:
    """SolaraViz's ``model_params``: regime, "compare with", seed, a widget per :data:`WIDGETS` entry,
    every other parameter fixed.

    Ranges, defaults and choices come from the parameter declarations; ``params`` set the
    widgets' starting values (validated first, so a mistake fails here with one line).
    """
    values = validate(params)
    parse_seed(seed)
    for name, custom in (regimes or {}).items():
        if name in REGIMES and not _built_in(custom):
            # The menu and the "This run" panel find regimes by name: a namesake would hide the built-in one
            # and the panel would print an `ecsim run --regime` command that runs the built-in instead.
            raise RegimeError(
                f"regime {name!r}: a built-in regime has this name but routes issues differently: "
                "give yours its own name, e.g. Regime('my_regime', routes)"
            )
    names = list(REGIMES) + [name for name in (regimes or {}) if name not in REGIMES]
    if regime not in names:
        raise ParameterError(f"regime={regime!r} is not allowed: expected one of {', '.join(names)}")
    if compare not in (NO_COMPARISON, *names):
        expected = f"expected {NO_COMPARISON} or one of {', '.join(names)}"
        raise ParameterError(f"compare={compare!r} is not allowed: {expected}")
    controls: dict[str, Any] = {
        "regime": {"type": "Select", "value": regime, "values": names, "label": "regime"},
        "compare": {"type": "Select", "value": compare, "values": [NO_COMPARISON, *names], "label": "compare with"},
        "seed": {"type": "InputText", "value": "" if seed is None else str(seed), "label": "seed (blank: fresh)"},
    }
    for name, (top, increment) in WIDGETS.items():
        p = PARAMETERS[name]
        value = values[name]
        if p.kind == "choice":
            controls[name] = {"type": "Select", "value": value, "values": list(p.choices or ()), "label": name}
            continue
        high = p.max if top is None else max(min(top, p.max), value)
        label = name if p.unit in _UNSHOWN_UNITS else f"{name} ({p.unit})"
        controls[name] = {
            "type": "SliderInt" if p.kind == "int" else "SliderFloat",
            "value": value,
            "min": p.min,
            "max": high,
            "step": increment if p.kind == "int" else _increment(value, p.min, increment),
            "label": label,
        }
    fixed: dict[str, Any] = {name: values[name] for name in params if name not in WIDGETS}
    if regimes:
        fixed["user_regimes"] = dict(regimes)
    return controls | fixed


def _increment(value: float, low: float, increment: float | None) -> float | None:
    """A float slider's increment, made as fine as the starting value's last decimal if that is off the grid.

    A browser's slider snaps its value to the grid (from its minimum) and reports the snapped value, which
    Reset then uses: a default of 0.943 on a 0.05 grid would silently run as 0.95.
    """

    def on_grid(step: float) -> bool:
        return abs((value - low) / step - round((value - low) / step)) < 1e-6

    if increment is None or on_grid(increment):
        return increment
    decimals = len(f"{value:.6f}".rstrip("0").split(".")[1])
    step = 10.0**-decimals
    return step if step < increment and on_grid(step) else increment


# ---------------------------------------------------------------------------------- plots
@dataclass(frozen=True)
class Panel:
    """A time-series panel: metrics (names in :data:`ecsim.model.metrics.BY_NAME`) and their colours.

    Its legend, y-axis and scale come from the metrics' declarations: each line is labelled
    with its metric's label, the y-axis with their unit, shares and probabilities run from
    0 to 1, and counts get whole-number ticks.  A panel of one metric is titled with its
    label; a panel of several has a ``heading`` saying what they have in common.  A colour
    :data:`REGIME` draws the line in the running regime's colour and line style, as every
    figure draws that regime (:func:`ecsim.plots.style`); other colours are ones no regime
    has, and the lines of a panel of several differ in line style too.
    """

    colours: Mapping[str, str]
    heading: str = ""

    def __post_init__(self) -> None:
        unknown = [name for name in self.colours if name not in BY_NAME]
        if unknown:
            raise ValueError(f"panel: {', '.join(unknown)} is not a declared metric (ecsim.model.metrics)")
        taken = [name for name, c in self.colours.items() if c in REGIME_COLOURS.values()]
        if taken:
            raise ValueError(f"panel: {', '.join(taken)} has a regime's colour; use REGIME for the running regime's")

    @property
    def by_regime(self) -> bool:
        """Whether its lines take the running regime's style."""
        return REGIME in self.colours.values()

    def colours_for(self, regime: str) -> dict[str, str]:
        """The colour of each metric when ``regime`` runs (:data:`REGIME` is that regime's colour)."""
        return {name: style(regime).colour if c == REGIME else c for name, c in self.colours.items()}

    @property
    def title(self) -> str:
        return self.heading or "; ".join(BY_NAME[name].label for name in self.colours)

    @property
    def unit(self) -> str:
        return ", ".join(dict.fromkeys(BY_NAME[name].unit for name in self.colours))

    @property
    def fraction(self) -> bool:
        """All its metrics lie between 0 and 1 (shares, probabilities)."""
        return all(BY_NAME[name].unit in ("share", "probability") for name in self.colours)

    @property
    def counts(self) -> bool:
        return all(BY_NAME[name].dtype is int for name in self.colours)


#: The explorer's time series, in page order: a small selection of the declared metrics.
PANELS: tuple[Panel, ...] = (
    Panel({"harm": REGIME}),
    Panel({"issues_open": REGIME}),
    Panel(
        {"issues_resolved": "#009E73", "issues_failed": "#E69F00"}, "Agreements (norms adopted) and failures, to date"
    ),
    Panel({"compliance": "#E69F00", "coverage": "#56B4E9"}, "Norms in force: compliance and harm covered"),
    Panel({"boldness": "#E69F00", "vengefulness": "#56B4E9"}, "The norms game among firms bound by industry codes"),
)


def _style(panel: Panel, regime: str | None = None) -> Callable[[Axes], None]:
    """A ``post_process`` for Mesa's plot component: title, declared labels and units, readable size; the
    running ``regime``'s colour and line style on a :data:`REGIME` line, one line style per metric otherwise."""

    def post_process(ax: Axes) -> None:
        ax.figure.set_size_inches(*_FIGSIZE)
        ax.set_title(panel.title, fontsize=11, loc="left")
        ax.set_ylabel(panel.unit)
        lines = ax.get_lines()
        for i, line in enumerate(lines):  # Mesa labels a line with its column's name
            name = str(line.get_label())
            if panel.colours.get(name) == REGIME and regime is not None:
                line.set_color(style(regime).colour)
                line.set_linestyle(style(regime).linestyle)
            elif len(lines) > 1:
                line.set_linestyle(_LINESTYLES[i % len(_LINESTYLES)])
            metric = BY_NAME.get(name)
            if metric is not None:
                line.set_label(metric.label)
        _axes(ax, panel)
        if len(lines) > 1:
            ax.legend(loc="upper left", fontsize=8, frameon=False)
        elif ax.get_legend() is not None:  # one series: the title names it
            ax.get_legend().remove()
        ax.set_xlabel("month")
        # Mesa labels the x-axis "Step" after post_process; here a step is a month.
        ax.set_xlabel = lambda *args, **kwargs: None  # type: ignore[method-assign]

    return post_process


def _axes(ax: Axes, panel: Panel) -> None:
    """A panel's axes: a year's axis at least, 0 to 1 for shares, whole numbers for counts, a light grid."""
    lines = ax.get_lines()
    x = max((float(np.nanmax(line.get_xdata(), initial=0)) for line in lines), default=0.0)
    y = max((float(np.nanmax(line.get_ydata(), initial=0)) for line in lines), default=0.0)
    ax.set_xlim(0, max(12.0, x))  # one step is one month: start with a year's axis
    ax.set_ylim(*((0.0, 1.02) if panel.fraction else (0.0, max(1.0, 1.05 * y))))
    ax.grid(alpha=0.3)
    if panel.counts:
        ax.yaxis.set_major_locator(mticker.MaxNLocator(integer=True))


#: How the legend names a run that is not the chosen regime's.
_ROLES = {"shown": "", "baseline": " (baseline)", "comparison": " (compared)"}


def runs_of(model: EnhancedCooperationModel) -> dict[str, EnhancedCooperationModel]:
    """The runs on screen by role (:attr:`ExplorerModel.runs`); a plain model is the one run shown."""
    return model.runs if isinstance(model, ExplorerModel) else {"shown": model}


def paired_figure(model: EnhancedCooperationModel, panel: Panel) -> Figure:
    """A one-metric panel drawn for every run on screen, each in its regime's style (:func:`ecsim.plots.style`):
    the chosen regime (a thicker line), the no_cooperation baseline and the compared regime, all on one seed."""
    (name,) = panel.colours
    runs = runs_of(model)
    order = [run.regime.name for run in runs.values()]
    fig = Figure(figsize=_FIGSIZE)
    ax = fig.subplots()
    for role, run in runs.items():
        values = run.datacollector.get_model_vars_dataframe()[name].to_numpy()
        look = style(run.regime.name, order)
        ax.plot(
            np.arange(len(values)),
            values,
            color=look.colour,
            linestyle=look.linestyle,
            linewidth=2.0 if role == "shown" else 1.3,
            label=run.regime.name + _ROLES[role],
        )
    ax.set_title(panel.title, fontsize=11, loc="left")
    ax.set_ylabel(panel.unit)
    ax.set_xlabel("month")
    _axes(ax, panel)
    if len(runs) > 1:
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def plot_components() -> list[tuple[Callable, int]]:
    """One plot component per :data:`PANELS` entry, read from the model's DataCollector columns; a panel
    drawn in the running regime's style (:attr:`Panel.by_regime`) shows the baseline and the compared
    regime beside it (:func:`paired_figure`), the others are Mesa's plot components."""
    return [_paired_component(panel) if panel.by_regime else _component(panel) for panel in PANELS]


def _component(panel: Panel, regime: str | None = None) -> tuple[Callable, int]:
    colours = panel.colours_for(regime) if regime is not None else dict(panel.colours)
    made = make_plot_component(colours, save_format="svg", post_process=_style(panel, regime))
    return made if isinstance(made, tuple) else (made, 0)  # Mesa 3.3 returns (component, page), later ones may not


def _paired_component(panel: Panel) -> tuple[Callable, int]:
    def draw(model: EnhancedCooperationModel) -> Element:
        return solara.FigureMatplotlib(paired_figure(model, panel), format="svg", bbox_inches="tight")

    draw.__name__ = f"Paired_{next(iter(panel.colours))}"
    return (draw, 0)


# ---------------------------------------------------------------------------------- venues
def venue_table(model: EnhancedCooperationModel) -> pd.DataFrame:
    """Which venue handles which category of issue, and what came of its issues so far.

    One row per issue category: the venue the regime routes it to, the issues raised,
    how many were adopted, failed or are still open, and the mean months to agreement.
    """
    log = model.issue_log()
    rows = []
    for category in CATEGORIES:
        venue: Venue = model.regime.routes[category]
        issues = log[log["category"] == category]
        outcome = issues["outcome"].value_counts()
        months = issues["time_to_agreement"].mean() if len(issues) else np.nan
        rows.append(
            {
                "category": category,
                "venue": venue.name + ("" if category in venue.remit else " †"),
                "raised": len(issues),
                "adopted": int(outcome.get("adopted", 0)),
                "failed": int(outcome.get("failed", 0)),
                "open": int(outcome.get("negotiating", 0) + outcome.get("queued", 0)),
                "months to agree": months,
            }
        )
    return pd.DataFrame(rows)


def venue_figure(model: EnhancedCooperationModel) -> Figure:
    """Issues at each venue, stacked by outcome: where the regime sends the work and how it fares."""
    log = model.issue_log()
    venues = [v.name for v in model.regime.venues]
    counts = pd.DataFrame(0, index=venues, columns=list(OUTCOMES))
    if len(log):
        counts = counts.add(log.groupby(["venue", "outcome"]).size().unstack(fill_value=0), fill_value=0)
        counts = counts.reindex(index=venues, columns=list(OUTCOMES)).fillna(0)
    fig = Figure(figsize=_FIGSIZE)
    ax = fig.subplots()
    left = np.zeros(len(venues))
    for outcome in OUTCOMES:
        ax.barh(venues, counts[outcome], left=left, color=_OUTCOME_COLOURS[outcome], label=outcome)
        left += counts[outcome].to_numpy()
    ax.invert_yaxis()
    ax.set_xlim(0, max(5.0, 1.05 * float(left.max(initial=0))))
    ax.set_xlabel("issues raised to date")
    ax.set_title(f"Issues by venue and outcome ({model.regime.name})", fontsize=11, loc="left")
    ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=4, fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def _html_table(df: pd.DataFrame) -> str:
    """A compact HTML table; snake_case names may wrap at their underscores to fit a tile."""

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "–" if np.isnan(v) else f"{v:.1f}"
        return html.escape(str(v)).replace("_", "_<wbr>")

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in df.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


#: Page-wide style: the sliders show their values (Mesa's sliders show them only while dragged),
#: and the text tiles stay compact.
CSS = """
.v-slider__thumb-label-container { display: block !important; }
.v-slider__thumb-label {
  transform: translate(-50%, 50%) translateY(-1px) !important; width: auto !important; min-width: 26px;
  height: 16px !important; border-radius: 8px !important; padding: 0 4px; font-size: 10.5px; line-height: 16px;
}
.v-slider__thumb-label > * { transform: none !important; }
.ecsim-panel { font-size: 12.5px; line-height: 1.4; padding: 6px 8px; }
.ecsim-panel h4 { font-size: 14px; margin: 0 0 6px 0; }
.ecsim-panel p { margin: 0 0 6px 0; }
.ecsim-panel table { border-collapse: collapse; width: 100%; margin-bottom: 6px; }
.ecsim-panel th { text-align: left; border-bottom: 1px solid #999; padding: 2px 4px; font-weight: 600; }
.ecsim-panel td { padding: 2px 4px; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
.ecsim-panel td:nth-child(n+3), .ecsim-panel th:nth-child(n+3) { text-align: right; }
.ecsim-warning { color: #b00020; font-weight: 600; }
/* Mesa 3.3 draws a tab bar even when every view is on one page (a lone "Page 0" tab): hide a bar of one tab.
   By what is on the page, not by Mesa's version: a Mesa that draws no tabs, or several, is left alone. */
.v-tabs:not(:has(.v-tab ~ .v-tab)) { display: none !important; }
.ecsim-panel code { font-size: 11.5px; white-space: pre-wrap; word-break: break-word; background: #f3f3f3;
  padding: 1px 3px; border-radius: 3px; }
"""


def _panel(body: str) -> Element:
    """A text tile: our own HTML (no Markdown: solara's Markdown fetches KaTeX from a CDN)."""
    return solara.HTML(tag="div", unsafe_innerHTML=body, classes=["ecsim-panel"])


def VenueChart(model: EnhancedCooperationModel) -> Element:
    """Issues at each venue by outcome (:func:`venue_figure`).

    A plain function, not a component: SolaraViz wraps it in a component that re-renders
    on every step (Mesa's ``update_counter``), so the view follows the run.
    """
    return solara.FigureMatplotlib(venue_figure(model), format="svg", bbox_inches="tight")


def VenueTable(model: EnhancedCooperationModel) -> Element:
    """Which venue handles which category of issue, with the outcomes so far (:func:`venue_table`)."""
    table = venue_table(model).rename(columns={"category": "issue category", "months to agree": "months"})
    return _panel(
        f"<h4>Which venue handles which issue ({html.escape(model.regime.name)})</h4>"
        + _html_table(table)
        + "<p>months: mean months from an issue's arrival to its norm; "
        + "† outside the venue's remit (overreach).</p>"
    )


def RunPanel(model: EnhancedCooperationModel) -> Element:
    """What is on screen and how to repeat it: regime, seed, month, and the command for the same run."""
    seed = model.seed_sequence.entropy
    base = defaults()
    changed = {k: v for k, v in model.params.items() if v != base[k]}
    regime, month = html.escape(model.regime.name), model.steps
    args = "".join(f", {k}={v!r}" for k, v in changed.items())
    note = getattr(model, "seed_note", "")
    parts = [
        f"<h4>This run: {regime}, seed {seed}, month {month} of {model.params['steps']} (year {month / 12:.1f})</h4>",
        f'<p class="ecsim-warning">{html.escape(note)}</p>' if note else "",
        f"<p>{int(model.current_metrics['issues_arrived'])} issues raised so far. Widget changes apply at "
        "<b>Reset</b>, which rebuilds the model; the same seed repeats the same run, here or anywhere:</p>",
    ]
    beside = [run.regime.name + _ROLES[role] for role, run in runs_of(model).items() if role != "shown"]
    if beside:
        parts.insert(
            2,
            f"<p>Drawn beside it (harm, open issues): {html.escape(' and '.join(beside))}, on the same seed and "
            "parameters, so the gaps between the lines come from the regimes, not from chance.</p>",
        )
    if _built_in(model.regime):  # by content: a user's regime that took a built-in name has no command
        sets = "".join(f" --set {k}={_cli_value(v)}" for k, v in changed.items())
        parts.append(
            f"<p><code>ecsim run --regime {regime} --seed {seed} --steps {month}{html.escape(sets)}</code></p>"
        )
    code = f"m = ecsim.EnhancedCooperationModel(regime={model.regime.name!r}, rng={seed}{args})"
    parts.append(f"<p><code>{html.escape(code)}</code> then <code>m.step()</code> {month} times.</p>")
    with solara.Column(gap="0px") as panel:
        solara.Style(CSS)
        _panel("".join(parts))
        RunControls(model, month=model.steps, running=model.running)  # new props: redrawn at each step
    return panel


@solara.component
def RunControls(model: EnhancedCooperationModel, month: int, running: bool) -> Element:
    """Run to end (every run on screen to the last month, one redraw) and the download of the metrics as CSV,
    for the run at ``month`` (``running``: not yet at the last month)."""

    def run_to_end() -> None:
        model.run()
        if force_update is not None:
            force_update()

    with solara.Row(style={"padding": "0 8px 6px 8px", "flex-wrap": "wrap"}) as row:
        if force_update is not None:
            solara.Button(label="Run to end", color="primary", outlined=True, on_click=run_to_end, disabled=not running)
        solara.FileDownload(
            lambda: metrics_csv(model),
            filename=csv_name(model),
            label="Download metrics (CSV)",
            mime_type="text/csv",
        )
    return row


def metrics_csv(model: EnhancedCooperationModel) -> bytes:
    """The per-month metrics of every run on screen, as CSV: one row per run and month, the run's role
    (``shown``, ``baseline``, ``comparison``) and regime first, then :meth:`EnhancedCooperationModel.metrics`."""
    frames = [
        run.metrics().assign(run=role, regime=run.regime.name, seed=model.seed_sequence.entropy)
        for role, run in runs_of(model).items()
    ]
    table = pd.concat(frames, ignore_index=True)
    first = ["run", "regime", "seed"]
    table = table[first + [c for c in table.columns if c not in first]]
    return table.to_csv(index=False).encode()


def csv_name(model: EnhancedCooperationModel) -> str:
    """The download's file name: regime, seed and month, e.g. ``ecsim_flexible_seed0_month12.csv``."""
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in model.regime.name)
    return f"ecsim_{name}_seed{model.seed_sequence.entropy}_month{model.steps}.csv"


def _built_in(regime: Regime) -> bool:
    """Whether ``regime`` is the built-in regime of its name (same routing), not merely a namesake."""
    return regime.name in REGIMES and regime.describe() == REGIMES[regime.name].describe()


def _cli_value(value: Any) -> str:
    if isinstance(value, dict):
        return ",".join(f"{k}:{v:g}" for k, v in value.items())
    return str(value)


# ---------------------------------------------------------------------------------- page
def explorer(
    regime: str | Regime | Mapping[str, Venue] = "flexible",
    seed: int | str | None = 0,
    compare: str = NO_COMPARISON,
    **params: Any,
) -> Element:
    """The explorer page (a SolaraViz element): the last expression of a Jupyter cell shows it.

    Args:
        regime: the starting regime: a built-in name, or a Regime / mapping of venues, which is
            added to the regime menu under its name.
        seed: the starting seed (``rng``); blank or None draws a fresh one, shown on the page.
        compare: a second regime drawn beside the chosen one on the same seed ("none": only the
            no_cooperation baseline is).
        **params: model parameters: those with a widget start there, the others stay fixed
            for the session (e.g. ``steps=120``, ``n_cso=100``).

    Builds no server: serve it with ``ecsim explore``.
    """
    regimes: dict[str, Regime] = {}
    if not isinstance(regime, str):
        custom = resolve_regime(regime)
        regimes[custom.name] = custom
        regime = custom.name
    controls = model_params(regime, seed, regimes, compare, **params)
    start = {k: (v["value"] if isinstance(v, dict) and "type" in v else v) for k, v in controls.items()}
    model = ExplorerModel(**start)
    return SolaraViz(
        model,
        components=[*plot_components(), (VenueChart, 0), (VenueTable, 0), (RunPanel, 0)],
        model_params=controls,
        name="ecsim explorer: enhanced cooperation in Internet governance",
    )


@solara.component
def Page() -> Element:
    """The page ``solara run ecsim.viz.app`` serves: one model per browser session."""
    return explorer()

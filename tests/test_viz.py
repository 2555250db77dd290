"""The explorer without a browser: its controls come from the parameter declarations, the page
renders headless, stepping through it moves the plots, a regime switch takes effect at Reset,
and `ecsim explore` fails in one line on a bad port and stops cleanly on Ctrl-C."""

from __future__ import annotations

import html
import os
import signal
import socket
import subprocess
import sys
import time

import ipyvuetify as v
import ipywidgets
import pandas as pd
import pytest
import solara
from solara.widgets import HTML

import ecsim
from ecsim import REGIMES, EnhancedCooperationModel, ParameterError
from ecsim.cli import main
from ecsim.params import PARAMETERS
from ecsim.viz import ExplorerModel, explorer
from ecsim.viz.app import WIDGETS, model_params, parse_seed, venue_table

SMALL = dict(n_cso=40, n_technical=8, steps=60)  # fixed for the session; the widgets keep their defaults


# ---------------------------------------------------------------------------------- pieces
def test_controls_come_from_the_parameter_declarations():
    controls = model_params()
    assert controls["regime"] == {"type": "Select", "value": "flexible", "values": list(REGIMES), "label": "regime"}
    assert controls["seed"]["type"] == "InputText" and controls["seed"]["value"] == "0"
    for name, (top, increment) in WIDGETS.items():
        p, c = PARAMETERS[name], controls[name]
        assert c["value"] == p.default, name
        if p.kind == "choice":
            assert c["type"] == "Select" and c["values"] == list(p.choices)
            continue
        assert c["type"] == ("SliderInt" if p.kind == "int" else "SliderFloat")
        assert c["min"] == p.min
        # The default lies on the slider's grid (a browser snaps a value to it, and Reset would run the snapped one).
        assert c["step"] == increment or (p.kind == "float" and c["step"] < increment), name
        assert abs((p.default - p.min) / c["step"] - round((p.default - p.min) / c["step"])) < 1e-6, name
        assert c["max"] == (p.max if top is None else min(top, p.max))
        assert c["label"].startswith(name)
    assert controls["issue_rate"]["label"] == "issue_rate (issues/step)"  # the declared unit
    assert model_params(issue_rate=1.55)["issue_rate"]["step"] == 0.01


def test_starting_values_and_fixed_parameters():
    controls = model_params("centralised", seed=7, issue_rate=12.0, n_cso=40, steps=60)
    assert controls["regime"]["value"] == "centralised" and controls["seed"]["value"] == "7"
    assert controls["issue_rate"]["value"] == 12.0 and controls["issue_rate"]["max"] == 12.0  # beyond the cap
    assert controls["n_cso"] == 40 and controls["steps"] == 60  # no widget: fixed for the session
    with pytest.raises(ParameterError, match="unknown parameter 'bogus'"):
        model_params(bogus=1)
    with pytest.raises(ParameterError, match="market_concentration"):
        model_params(market_concentration=2.0)
    with pytest.raises(ParameterError, match="regime='feudal'"):
        model_params("feudal")
    with pytest.raises(ParameterError, match="seed='x'"):
        model_params(seed="x")


def test_seed_text():
    assert parse_seed("7") == 7 and parse_seed(" 12 ") == 12 and parse_seed(3) == 3
    assert parse_seed("") is None and parse_seed(None) is None
    for bad in ("-1", "1.5", "seven"):
        with pytest.raises(ParameterError, match="non-negative integer"):
            parse_seed(bad)


def test_the_explorer_model_is_the_model_on_the_same_seed():
    """What the page shows is the run the printed code repeats (every draw from the seed)."""
    shown = ExplorerModel(regime="self_regulatory", seed="5", issue_rate=1.5, **SMALL)
    again = EnhancedCooperationModel(regime="self_regulatory", rng=5, issue_rate=1.5, **SMALL)
    for _ in range(24):
        shown.step()
        again.step()
    pd.testing.assert_frame_equal(shown.metrics(), again.metrics())
    fresh = ExplorerModel(seed="")
    assert EnhancedCooperationModel(rng=fresh.seed_sequence.entropy).issues[0].arrival == fresh.issues[0].arrival
    assert fresh.seed_note == "" and shown.seed_note == ""


def test_the_baseline_and_the_compared_regime_run_on_the_same_seed():
    """Common random numbers: beside the chosen regime, no_cooperation and the compared regime are the runs
    the seed gives them on their own, with the same parameters, stepped together."""
    shown = ExplorerModel(regime="flexible", seed="5", compare="centralised", issue_rate=1.5, **SMALL)
    assert list(shown.runs) == ["shown", "baseline", "comparison"]
    for _ in range(12):
        shown.step()
    for role, regime in (("baseline", "no_cooperation"), ("comparison", "centralised")):
        alone = EnhancedCooperationModel(regime=regime, rng=5, issue_rate=1.5, **SMALL)
        for _ in range(12):
            alone.step()
        run = shown.runs[role]
        assert run.regime.name == regime and run.steps == shown.steps == 12
        pd.testing.assert_frame_equal(run.metrics(), alone.metrics())
    fresh = ExplorerModel(seed="", compare="self_regulatory", **SMALL)
    assert fresh.baseline.seed_sequence.entropy == fresh.comparison.seed_sequence.entropy == fresh.seed_sequence.entropy
    # The baseline is not drawn twice, nor the chosen regime compared with itself.
    assert list(ExplorerModel(regime="no_cooperation", compare="no_cooperation", **SMALL).runs) == ["shown"]
    assert list(ExplorerModel(regime="flexible", compare="flexible", **SMALL).runs) == ["shown", "baseline"]
    with pytest.raises(ParameterError, match="compare='feudal' is not allowed: expected none or one of"):
        model_params(compare="feudal")


def test_the_harm_and_open_issues_plots_draw_each_run_in_its_regime_style():
    from matplotlib.colors import to_hex

    from ecsim.plots import style
    from ecsim.viz.app import PANELS, paired_figure

    model = ExplorerModel(regime="self_regulatory", seed=4, compare="centralised", **SMALL)
    for _ in range(5):
        model.step()
    for panel in (p for p in PANELS if p.by_regime):
        (name,) = panel.colours
        ax = paired_figure(model, panel).axes[0]
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == [
            "self_regulatory",
            "no_cooperation (baseline)",
            "centralised (compared)",
        ]
        for line, run in zip(lines, model.runs.values(), strict=True):
            assert to_hex(line.get_color()) == to_hex(style(run.regime.name).colour)
            assert line.get_linestyle() == style(run.regime.name).linestyle
            assert list(line.get_ydata()) == list(run.metrics()[name])
        assert ax.get_xlabel() == "month" and ax.get_title(loc="left") == panel.title


def test_a_mistyped_seed_runs_on_a_fresh_seed_and_says_so():
    """Typed into the page, a bad seed must not crash it (Mesa's Reset has no error path)."""
    model = ExplorerModel(seed="12a", **SMALL)
    assert model.seed_note.startswith("seed='12a' is not allowed: expected a non-negative integer")
    assert model.seed_note.endswith("this run uses a fresh seed instead.")
    rc = render(explorer(**SMALL))
    seed = rc.find(v.TextField, label="seed (blank: fresh)").widget
    seed.v_model = "12a"
    seed.fire_event("keyup.enter", None)
    click(rc, "Reset")
    _, steps, panels = state(rc)
    assert steps == "Step: 0" and "seed='12a' is not allowed" in panels and "fresh seed instead" in panels


def test_plot_panels_take_names_labels_and_units_from_the_metric_declarations():
    from matplotlib.figure import Figure

    from ecsim.model.metrics import BY_NAME
    from ecsim.viz.app import PANELS, Panel, _style, plot_components

    assert len(plot_components()) == len(PANELS)
    assert all(name in BY_NAME for panel in PANELS for name in panel.colours)
    assert PANELS[0].title == BY_NAME["harm"].label and PANELS[0].unit == BY_NAME["harm"].unit
    panel = next(p for p in PANELS if "compliance" in p.colours)
    ax = Figure().subplots()
    for name in panel.colours:  # as Mesa draws them: one line per column, labelled with its name
        ax.plot([0, 1, 2], [0.2, 0.5, 0.4], label=name)
    ax.legend()
    _style(panel)(ax)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [BY_NAME[n].label for n in panel.colours]
    assert ax.get_ylabel() == "share" and ax.get_ylim() == (0.0, 1.02) and ax.get_title(loc="left") == panel.title
    with pytest.raises(ValueError, match="harmony is not a declared metric"):
        Panel({"harmony": "#000000"})


def test_venue_table_agrees_with_the_issue_log_and_the_metrics():
    model = ExplorerModel(regime="flexible", seed=3, issue_rate=2.0, **SMALL)
    for _ in range(30):
        model.step()
    table = venue_table(model).set_index("category")
    log, last = model.issue_log(), model.metrics().iloc[-1]
    assert table["raised"].sum() == len(log) == last["issues_arrived"] > 0
    assert table["adopted"].sum() == last["issues_resolved"] > 0
    assert table["failed"].sum() == last["issues_failed"]
    assert table["open"].sum() == last["issues_open"]
    for category, row in table.iterrows():
        assert row["venue"].rstrip(" †") == REGIMES["flexible"].routes[category].name
    central = ExplorerModel(regime="centralised", seed=3, **SMALL)
    central.step()
    # The central forum's remit leaves out national and technical issues: marked as overreach.
    assert venue_table(central).set_index("category").loc["national", "venue"] == "central_forum †"


# ---------------------------------------------------------------------------------- the page
def render(page):
    """Render as solara's server and Jupyter do: inside an app layout (which holds the sidebar)."""
    _, rc = solara.render(solara.AppLayout(children=[page]), handle_error=False)
    return rc


def state(rc) -> tuple[list[bytes], str, str]:
    """The plot images, the step counter and the text panels, as a user would read them."""
    images = [w.value for w in rc.find(ipywidgets.Image).widgets]
    steps = [w.children[0] for w in rc.find(v.Html, tag="span").widgets if str(w.children[0]).startswith("Step:")]
    panels = " ".join(w.unsafe_innerHTML for w in rc.find(HTML).widgets if w.unsafe_innerHTML)
    return images, steps[0], html.unescape(panels.replace("<wbr>", ""))


def click(rc, label: str, times: int = 1) -> None:
    for _ in range(times):
        rc.find(v.Btn, children=[label]).widget.click()


def test_explorer_renders_headless_with_controls_and_plots():
    element = explorer(**SMALL)
    assert type(element).__name__ == "Element"  # a page to display, not a running server
    rc = render(element)
    for label in ("Reset", "▶", "Step"):
        rc.find(v.Btn, children=[label]).assert_single()
    regime = rc.find(v.Select, label="regime").widget
    assert regime.v_model == "flexible" and regime.items == list(REGIMES)
    for name in ("decision_rule", "negotiation_protocol"):
        assert rc.find(v.Select, label=name).widget.items == list(PARAMETERS[name].choices)
    slider_labels = [w.label for w in rc.find(v.Slider).widgets]
    for name in WIDGETS:
        if PARAMETERS[name].kind != "choice":
            assert any(label.startswith(name) for label in slider_labels), name
    assert rc.find(v.TextField, label="seed (blank: fresh)").widget.v_model == "0"
    compare = rc.find(v.Select, label="compare with").widget
    assert compare.v_model == "none" and compare.items == ["none", *REGIMES]
    images, steps, panels = state(rc)
    assert len(images) == 6 and all(images)  # harm, open issues, agreements, compliance, traits; venues
    assert steps == "Step: 0"
    assert "Which venue handles which issue (flexible)" in panels and "multilateral_forum" in panels
    assert "This run: flexible, seed 0, month 0" in panels


def test_stepping_through_the_page_moves_every_view():
    rc = render(explorer(seed=11, issue_rate=2.0, **SMALL))
    images0, _, panels0 = state(rc)
    click(rc, "Step", 3)
    images3, steps, panels3 = state(rc)
    assert steps == "Step: 3"
    assert all(a != b for a, b in zip(images0, images3, strict=True)), "every plot redraws with the new data"
    assert "month 3 of 60" in panels3 and panels3 != panels0
    model = EnhancedCooperationModel(regime="flexible", rng=11, issue_rate=2.0, **SMALL)
    for _ in range(3):
        model.step()
    raised = int(model.metrics()["issues_arrived"].iloc[-1])
    assert raised > 0 and f"{raised} issues raised so far" in panels3  # the same run as the seed's


def test_run_to_end_steps_every_run_to_the_last_month_and_redraws_once():
    rc = render(explorer(seed=6, compare="centralised", **SMALL))
    images0, _, _ = state(rc)
    click(rc, "Run to end")
    images, steps, panels = state(rc)
    assert steps == "Step: 60" and "month 60 of 60" in panels
    assert all(a != b for a, b in zip(images0, images, strict=True)), "every plot redraws with the new data"
    assert rc.find(v.Btn, children=["Run to end"]).widget.disabled  # nothing left to run
    click(rc, "Step")  # Mesa's Step does not know the run ended: a step past the end does nothing
    _, steps, panels = state(rc)
    assert steps == "Step: 60" and "month 60 of 60" in panels
    alone = EnhancedCooperationModel(regime="flexible", rng=6, **SMALL).run()
    assert f"{int(alone.metrics()['issues_arrived'].iloc[-1])} issues raised so far" in panels
    click(rc, "Reset")
    _, steps, panels = state(rc)
    assert steps == "Step: 0" and not rc.find(v.Btn, children=["Run to end"]).widget.disabled


def test_the_metrics_download_is_every_run_on_screen_as_csv():
    import io

    from ecsim.viz.app import csv_name, metrics_csv

    model = ExplorerModel(regime="flexible", seed=8, compare="self_regulatory", **SMALL)
    for _ in range(7):
        model.step()
    table = pd.read_csv(io.BytesIO(metrics_csv(model)))
    assert list(table.columns[:4]) == ["run", "regime", "seed", "step"] and (table["seed"] == 8).all()
    for role, run in model.runs.items():
        rows = table[table["run"] == role]
        assert (rows["regime"] == run.regime.name).all()
        got = rows.drop(columns=["run", "regime", "seed"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, run.metrics(), check_dtype=False)
    assert list(table["run"].unique()) == ["shown", "baseline", "comparison"] and len(table) == 3 * 8
    assert csv_name(model) == "ecsim_flexible_seed8_month7.csv"
    rc = render(explorer(**SMALL))
    buttons = [w for w in rc.find(v.Btn).widgets if "Download metrics (CSV)" in w.children]
    assert len(buttons) == 1


def test_switching_the_regime_takes_effect_at_reset():
    rc = render(explorer(seed=2, **SMALL))
    rc.find(v.Select, label="regime").widget.v_model = "centralised"
    _, _, panels = state(rc)
    assert "This run: flexible" in panels  # not yet: widgets apply at Reset
    click(rc, "Reset")
    images0, steps, panels = state(rc)
    assert steps == "Step: 0" and "This run: centralised, seed 2" in panels and "central_forum" in panels
    assert "ecsim run --regime centralised --seed 2" in panels
    click(rc, "Step", 2)
    images2, steps, panels = state(rc)
    assert steps == "Step: 2" and images2[0] != images0[0]
    seed = rc.find(v.TextField, label="seed (blank: fresh)").widget
    seed.v_model = "99"
    seed.fire_event("keyup.enter", None)  # as typed: the text field reports on Enter or leaving it
    rc.find(v.Select, label="decision_rule").widget.v_model = "simple_majority"
    click(rc, "Reset")
    _, _, panels = state(rc)
    assert "seed 99" in panels and "--set decision_rule=simple_majority" in panels
    assert "beside it (harm, open issues): no_cooperation (baseline), on the same seed" in panels
    rc.find(v.Select, label="compare with").widget.v_model = "self_regulatory"
    click(rc, "Reset")
    _, _, panels = state(rc)
    assert "no_cooperation (baseline) and self_regulatory (compared), on the same seed" in panels


def test_a_user_regime_joins_the_menu():
    routes = dict(REGIMES["flexible"].routes) | {"corporate_harm": REGIMES["centralised"].routes["corporate_harm"]}
    rc = render(explorer(regime=ecsim.Regime("mixed", routes), **SMALL))
    regime = rc.find(v.Select, label="regime").widget
    assert regime.v_model == "mixed" and regime.items == [*REGIMES, "mixed"]
    click(rc, "Step")
    click(rc, "Reset")  # rebuilt from the menu's name
    _, steps, panels = state(rc)
    assert steps == "Step: 0" and "This run: mixed" in panels and "central_forum" in panels
    assert "ecsim run" not in panels  # a user regime has no command-line form; the Python line remains


# ---------------------------------------------------------------------------------- the command
@pytest.mark.parametrize("port", ["abc", "70000", "-1"])
def test_explore_bad_port_is_one_line_and_status_2(port, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["explore", "--port", port])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.count("\n") == 1 and "argument --port" in err and "Traceback" not in err


def test_explore_port_in_use_is_one_line_and_status_2(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["explore", "--port", str(port)]) == 2
    assert capsys.readouterr().err == (
        f"ecsim: error: --port {port}: cannot listen on 127.0.0.1:{port} (Address already in use)\n"
    )


def test_explore_is_listed_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["explore", "--help"])
    out = capsys.readouterr().out
    assert "--port" in out and "--host" in out and "ecsim.viz.explorer()" in out


def test_explore_serves_until_ctrl_c_and_exits_130_without_traceback(tmp_path):
    out, err = tmp_path / "out", tmp_path / "err"
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ecsim.cli", "explore", "--port", "0"],
            stdout=stdout,
            stderr=stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            deadline = time.monotonic() + 60
            while "(Ctrl-C stops it)" not in out.read_text() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            text = out.read_text()
            assert "(Ctrl-C stops it)" in text, (text, err.read_text())
            url = text.split("open ", 1)[1].split()[0]
            assert url.startswith("http://127.0.0.1:")
            proc.send_signal(signal.SIGINT)
            status = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert status == 130, err.read_text()
    assert "Traceback" not in err.read_text() and "interrupted" in err.read_text()

"""The README's promises, one regression test each: right numbers for custom regimes, a result at the end
of `make run`, one-line errors that suggest the nearest name, manifests that record when a session ends,
documentation that cites only what the repository holds, and honest statistics and help texts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from ecsim import REGIMES, Regime, RegimeError, Venue, analysis, compare, plots
from ecsim.experiment import Experiment, ExperimentError, Range, plan, run_experiment
from ecsim.experiment import worker as worker_module
from ecsim.params import PARAMETERS

matplotlib.use("Agg")

ROOT = Path(__file__).parents[1]
TINY = {"n_governments": 12, "n_companies": 30, "n_cso": 10, "n_technical": 4}
SMALL = {"n_governments": 30, "n_companies": 60, "n_cso": 30, "n_technical": 6, "steps": 48, "issue_rate": 1.5}


def ecsim(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ecsim.cli", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd
    )


def one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, proc.stderr
    return proc.stderr.strip()


def tiny_script(folder: Path, body: str = "", name: str = "tiny") -> Path:
    path = folder / f"{name}.py"
    path.write_text(
        body
        or textwrap.dedent(f"""
            from ecsim.experiment import Experiment, main
            EXPERIMENT = Experiment("{name}", regimes=("flexible",), fixed={TINY!r}, replicates=1, steps=6, seed=1)
            if __name__ == "__main__":
                raise SystemExit(main(EXPERIMENT))
        """)
    )
    return path


# --- 1. compare: one result per regime, never another regime's ---------------------------------------------------

CO_REGULATION = Venue(
    name="co_regulation",
    deciders=("causing_companies", "affected_governments"),
    decision_rule="qualified_majority",
    remit={"corporate_harm"},
    enforcement="state_law",
    consulted=("affected_cso",),
)


def custom_routes() -> tuple[dict, dict]:
    a = dict(REGIMES["flexible"].routes) | {"corporate_harm": CO_REGULATION}
    b = dict(REGIMES["centralised"].routes) | {"corporate_harm": CO_REGULATION}
    return a, b


def test_compare_never_gives_one_regime_another_regimes_numbers():
    a, b = custom_routes()
    # Two dicts of venues are both named "custom": their rows could not be told apart, so compare refuses.
    with pytest.raises(RegimeError, match="two regimes are both named 'custom' but route issues differently"):
        compare(seed=3, regimes=[a, b], **SMALL)
    # Named, each gets its own run: the numbers of each alone.
    both = compare(seed=3, regimes=[Regime("a", a), Regime("b", b)], **SMALL).set_index("regime")
    alone = compare(seed=3, regimes=[Regime("b", b)], **SMALL).set_index("regime")
    assert both.loc["b", "cumulative_harm"] == alone.loc["b", "cumulative_harm"]
    assert both.loc["a", "cumulative_harm"] != both.loc["b", "cumulative_harm"]
    # A regime of one's own may not pass for the baseline it is compared against.
    with pytest.raises(RegimeError, match="the built-in baseline and another regime are both named 'no_cooperation'"):
        compare(seed=3, regimes=[Regime("no_cooperation", a)], **SMALL)
    # The same regime asked for twice is one regime (and still one row each).
    twice = compare(seed=3, regimes=[a, a], **SMALL)
    assert twice["cumulative_harm"].nunique() == 1 and len(twice) == 2


def test_the_explorer_refuses_a_regime_that_takes_a_built_in_name():
    """Its menu and its `ecsim run` line find regimes by name: a namesake would run the built-in instead."""
    from ecsim.viz import explorer
    from ecsim.viz.app import _built_in

    a, _ = custom_routes()
    with pytest.raises(RegimeError, match="regime 'flexible': a built-in regime has this name"):
        explorer(regime=Regime("flexible", a), n_cso=20, steps=12)
    assert _built_in(REGIMES["flexible"]) and not _built_in(Regime("flexible", a))
    assert not _built_in(Regime("mine", dict(REGIMES["flexible"].routes)))


def test_reproduce_refuses_two_studies_that_share_a_results_folder(tmp_path):
    """A study's folder is named after its Experiment: a copied script that kept the name must not share it."""
    folder = tmp_path / "experiments"
    folder.mkdir()
    body = textwrap.dedent(f"""
        from ecsim.analysis import Section
        from ecsim.experiment import Experiment
        EXPERIMENT = Experiment("same", regimes=("flexible",), fixed={TINY!r}, replicates=REPLICATES, steps=6, seed=1)
        def report(results, figures):
            return Section(title="t", text="")
    """)
    (folder / "first.py").write_text(body.replace("REPLICATES", "1"))
    (folder / "second.py").write_text(body.replace("REPLICATES", "2"))
    out = ecsim("reproduce", "--serial", "--experiments", str(folder), "--results", str(tmp_path / "results"))
    one_line_error(out, "first.py and ", "second.py both name their Experiment 'same'")
    assert not (tmp_path / "results").exists()  # refused before anything ran


# --- 3. make run ends with the result --------------------------------------------------------------------------


@pytest.mark.parametrize("replicates", [5, 2])
def test_reproduce_ends_with_the_headline_table_and_where_the_figures_are(tmp_path, replicates):
    """What `make run` prints (`ecsim reproduce --only regime_comparison`), at a small size."""
    results = tmp_path / "results"
    out = ecsim(
        "reproduce",
        "--only",
        "regime_comparison",
        "--quick",
        "--serial",
        "--replicates",
        str(replicates),
        "--steps",
        "24",
        "--experiments",
        str(ROOT / "experiments"),
        "--results",
        str(results),
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("regime ") and "harm reduction" in line)
    assert "time to agreement" in lines[header]
    rows = {line.split()[0]: line for line in lines[header + 1 : header + 5]}
    assert set(rows) == set(REGIMES)
    # Time to agreement is 'none' for a regime that agreed nothing in any run (the central forum, meeting every
    # four months, may not agree within 24); then a line under the table says what 'none' means.
    interval = r"-?\d\.\d{3} \[-?\d\.\d{3}, -?\d\.\d{3}\]\s+(\d+\.\d \[\d+\.\d, \d+\.\d\]|none$)"
    for line in rows.values():
        assert re.search(interval, line), line
    assert re.search(r"\d+\.\d \[", rows["flexible"])  # the flexible regime agrees within two years
    if any(line.endswith("none") for line in rows.values()):
        assert lines[header + 6] == "(none: no run has a value, e.g. no agreement within the run's months)"
    note = lines[header + 5]
    if replicates >= 5:
        assert note == "(mean [95% bootstrap confidence interval] over replicates)"
    else:
        assert "only 2 replicates (fewer than 5: not a 95% bootstrap confidence interval)" in note
    folder = results / "quick" / "regime_comparison"
    assert lines[-3:] == [
        f"figures: {folder / 'figures'}",
        f"report:  {folder / 'report.md'}",
        f"report: {results / 'quick' / 'REPORT.md'}",
    ]
    assert header > next(i for i, line in enumerate(lines) if line.startswith("done: "))  # after the sweep


# --- 5. one line, exit status 2, never a traceback ---------------------------------------------------------------


def test_sweep_out_that_cannot_be_a_store_is_one_line(tmp_path):
    script = tiny_script(tmp_path)
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    one_line_error(ecsim("sweep", str(script), "--serial", "--out", str(a_file)), "is a file, not a store folder")
    one_line_error(ecsim("sweep", str(script), "--serial", "--out", "/dev/null/x"), "/dev/null/x: cannot write")


def _read_only_sweep(script: Path, folder: Path) -> subprocess.CompletedProcess:
    """``ecsim sweep --out folder`` where ``folder`` is read-only (root writes anywhere: a read-only mount)."""
    cmd = [sys.executable, "-m", "ecsim.cli", "sweep", str(script), "--serial", "--out"]
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return subprocess.run([*cmd, str(folder)], capture_output=True, text=True, timeout=120)
        finally:
            folder.chmod(0o755)
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: cannot make a folder read-only")
    quoted = " ".join(f"'{c}'" for c in [*cmd, str(folder)])
    shell = f"mount --bind -o ro '{folder}' '{folder}' || exit 99; exec {quoted}"
    proc = subprocess.run(["unshare", "-m", "sh", "-c", shell], capture_output=True, text=True, timeout=120)
    if proc.returncode == 99 or "unshare failed" in proc.stderr or "Operation not permitted" in proc.stderr:
        pytest.skip(f"cannot mount read-only here: {proc.stderr.strip()}")
    return proc


def test_sweep_out_in_a_read_only_folder_is_one_line(tmp_path):
    script, folder = tiny_script(tmp_path), tmp_path / "read_only"
    folder.mkdir()
    one_line_error(_read_only_sweep(script, folder), f"{folder}: cannot write a store here")


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        ('from ecsim.experiment import Experiment\nEXPERIMENT = Experiment("x",\n', ["line 2", "not valid Python"]),
        ("import math\nimport no_such_module_here\n", ["line 2", "cannot import", "no_such_module_here"]),
        ("x = 1\ny = 1 / 0\n", ["line 2", "the script raised ZeroDivisionError: division by zero"]),
        (
            "from ecsim.experiment import Experiment\n\nEXPERIMENT = Experiment('x', fixed=[('issue_rate', 2.0)])\n",
            ["line 3", "fixed=[('issue_rate', 2.0)]: expected a mapping from parameter name to value"],
        ),
    ],
)
def test_a_broken_experiment_script_is_one_line_naming_it_and_the_line(tmp_path, body, fragments):
    script = tiny_script(tmp_path, body, name="broken")
    error = one_line_error(ecsim("sweep", str(script), "--serial"), f"{script}, ", *fragments)
    assert error.startswith("ecsim: error: ")


def test_a_broken_study_script_is_one_line_in_reproduce(tmp_path):
    folder = tmp_path / "experiments"
    folder.mkdir()
    (folder / "bad.py").write_text("import no_such_module_here\nEXPERIMENT = None\ndef report(results, figures): ...\n")
    out = ecsim("reproduce", "--serial", "--experiments", str(folder), "--results", str(tmp_path / "r"))
    one_line_error(out, f"{folder / 'bad.py'}, line 1: cannot import")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"fixed": [("issue_rate", 2.0)]}, re.escape("fixed=[('issue_rate', 2.0)]: expected a mapping")),
        ({"fixed": ["issue_rate"]}, re.escape("fixed=['issue_rate']: expected a mapping")),
        ({"factors": [("issue_rate", (1.0, 2.0))]}, re.escape("factors=[('issue_rate', (1.0, 2.0))]: expected a")),
        ({"regimes": "flexible"}, "regimes='flexible': expected a list of regimes"),
        ({"fixed": {"issue_rat": 2.0}}, "unknown parameter 'issue_rat'.*; did you mean 'issue_rate'\\?"),
        ({"factors": {"issue_rat": (1.0, 2.0)}}, "factor 'issue_rat' is not a parameter.*did you mean 'issue_rate'\\?"),
        ({"design": "sobl"}, "design='sobl' is not allowed: .*; did you mean 'sobol'\\?"),
        ({"regimes": ("flexibel",)}, "regime='flexibel' is not allowed: .*; did you mean 'flexible'\\?"),
    ],
)
def test_experiment_mistakes_are_one_line_and_suggest_the_nearest_name(kw, message):
    with pytest.raises(ExperimentError, match=message) as caught:
        Experiment("x", **kw)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["run", "--set", "issue_rat=2"], ["unknown parameter 'issue_rat'", "did you mean 'issue_rate'?"]),
        (["run", "--set", "decision_rule=consensu"], ["did you mean 'consensus'?"]),
        (["run", "--regime", "flexibl"], ["invalid choice: 'flexibl'", "did you mean 'flexible'?"]),
        (["compare", "--regimes", "flexible,self_regulatry"], ["did you mean 'self_regulatory'?"]),
    ],
)
def test_cli_mistakes_suggest_the_nearest_name(args, fragments):
    one_line_error(ecsim(*args), *fragments)


def test_the_cli_speaks_of_regimes_not_of_python_objects():
    error = one_line_error(ecsim("compare", "--regimes", "flexible,anarchy"), "regime='anarchy' is not allowed")
    assert "Regime" not in error and "dict" not in error
    assert error.endswith("expected one of centralised, flexible, self_regulatory, no_cooperation")


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:{port}", "notanaddress"])
def test_an_unreachable_or_malformed_dask_scheduler_is_one_line_within_seconds(tmp_path, address):
    import socket

    with socket.socket() as s:  # a local port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = address.format(port=port)
    start = time.monotonic()
    out = ecsim("sweep", str(tiny_script(tmp_path)), "--dask-scheduler", address, "--out", str(tmp_path / "s"))
    assert time.monotonic() - start < 30
    one_line_error(out, f"--dask-scheduler {address}: cannot connect")
    assert not (tmp_path / "s").exists()


# --- 6. the manifest records when each session ends -------------------------------------------------------------


def _sessions(folder: Path) -> tuple[str, list[dict]]:
    manifest = json.loads((folder / "manifest.json").read_text())
    return manifest["status"], manifest["sessions"]


def _small_experiment() -> Experiment:
    return Experiment("ends", regimes=("flexible",), fixed=TINY, replicates=3, steps=6, seed=4)


def _ended(session: dict) -> bool:
    return session["end"] is not None and session["end"] >= session["start"]


def test_the_manifest_records_the_end_of_a_complete_sweep(tmp_path):
    run_experiment(_small_experiment(), tmp_path / "s", progress=False)
    status, sessions = _sessions(tmp_path / "s")
    assert status == "complete" and len(sessions) == 1 and _ended(sessions[0])
    run_experiment(_small_experiment(), tmp_path / "s", progress=False)  # a resume is a second session
    status, sessions = _sessions(tmp_path / "s")
    assert status == "complete" and len(sessions) == 2 and all(_ended(s) for s in sessions)


def test_the_manifest_records_the_end_of_a_sweep_with_failures(tmp_path, monkeypatch):
    exp = _small_experiment()
    victim = plan(exp)[1]
    real = worker_module.EnhancedCooperationModel

    def flaky(regime, rng, **params):
        if rng == victim.seed and regime.name == victim.regime.name:
            raise FloatingPointError("boom")
        return real(regime=regime, rng=rng, **params)

    monkeypatch.setattr(worker_module, "EnhancedCooperationModel", flaky)
    assert run_experiment(exp, tmp_path / "s", progress=False).failed == 1
    status, sessions = _sessions(tmp_path / "s")
    assert status == "failures" and _ended(sessions[-1])


def test_the_manifest_records_the_end_of_an_interrupted_sweep(tmp_path, monkeypatch):
    exp = _small_experiment()
    real, calls = worker_module.EnhancedCooperationModel, []

    def interrupted(regime, rng, **params):  # Ctrl-C while the third run is being built
        calls.append(rng)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(regime=regime, rng=rng, **params)

    monkeypatch.setattr(worker_module, "EnhancedCooperationModel", interrupted)
    report = run_experiment(exp, tmp_path / "s", progress=False)
    assert report.interrupted
    status, sessions = _sessions(tmp_path / "s")
    assert status == "interrupted" and _ended(sessions[-1])


# --- 7. the documentation cites what the repository holds --------------------------------------------------------

#: Files that a citation may name: anything in the repository (documents, modules, data).
_FILE = re.compile(r"`?([\w./-]+\.(?:md|txt|py|json|cff))`?")


def _cited_files(text: str) -> set[str]:
    return {m.group(1) for m in _FILE.finditer(text)}


def _exists(name: str) -> bool:
    candidates = [ROOT / name, ROOT / "docs" / name, ROOT / "src" / "ecsim" / name]
    return any(p.exists() for p in candidates) or any(ROOT.glob(f"**/{Path(name).name}"))


def test_parameter_sources_cite_the_source_text_the_odd_or_published_work():
    for p in PARAMETERS.values():
        assert "DESIGN.md" not in p.source, p.name
        for name in _cited_files(p.source):
            assert _exists(name), f"{p.name}: its source cites {name}, which is not in the repository"


def test_no_code_or_doc_cites_a_file_outside_the_repository():
    """The package, studies, benchmarks and docs stand alone: no DESIGN.md, REFERENCES.md or ../shared."""
    outside = re.compile(r"DESIGN(?:\.md| §)|REFERENCES\.md|\.\./shared|shared/seed")
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    for folder in ("src", "experiments", "benchmarks", "notebooks"):
        files += [f for f in (ROOT / folder).rglob("*") if f.suffix in {".py", ".md", ".ipynb"}]
    cited = [f"{f.relative_to(ROOT)}: {m.group()}" for f in files for m in outside.finditer(f.read_text())]
    assert not cited, cited


def test_the_odd_cites_nothing_outside_the_repository():
    odd = (ROOT / "docs" / "ODD.md").read_text()
    for gone in ("DESIGN.md", "REFERENCES.md", "seed/"):
        assert gone not in odd, f"docs/ODD.md cites {gone}, which is not in the repository"
    for name in _cited_files(odd):
        if "/" in name or name.endswith(".md"):
            assert _exists(name), f"docs/ODD.md cites {name}, which is not in the repository"
    assert "- Hegselmann, R. & Krause, U. (2002)." in odd  # cited in §7.6 and §8: listed in §10


def test_ecsim_params_cites_no_missing_document():
    out = ecsim("params")
    assert out.returncode == 0 and "DESIGN.md" not in out.stdout


# --- 8. small statistics and honest help texts ------------------------------------------------------------------


def test_intervals_from_fewer_than_five_replicates_are_flagged_in_text_and_tables():
    few = pd.DataFrame(
        [{"regime": "flexible", "metric": "harm_reduction", "n": 2, "mean": 0.2, "low": 0.1, "high": 0.3}]
    )
    enough = few.assign(n=5)
    assert analysis.ci_text(few.iloc[0]) == "0.200 [0.100, 0.300] (n=2, not a 95% CI)"
    assert analysis.ci_text(enough.iloc[0]) == "0.200 [0.100, 0.300]"
    assert analysis.format_ci(few).iloc[0] == "0.200 [0.100, 0.300] (n=2)"
    assert analysis.wide_ci_table(enough).loc["flexible", "harm_reduction"] == "0.200 [0.100, 0.300]"
    assert analysis.ci_name(6) == "95% bootstrap CI"
    assert analysis.ci_name(2) == "interval from only 2 replicates (fewer than 5: not a 95% bootstrap CI)"
    assert "only 2 replicates" in analysis.few_note(2) and analysis.few_note(5) == ""
    table = analysis.text_table(few, {"harm_reduction": "harm reduction"})
    assert "flexible" in table and "0.200 [0.100, 0.300]" in table and "not a 95%" in table
    paired = pd.DataFrame([{"comparison": "a - b", "n_pairs": 3, "mean": 0.1, "low": 0.0, "high": 0.2}])
    assert analysis.ci_text(paired.iloc[0]).endswith("(n=3, not a 95% CI)")


def _note(fig) -> str:
    label = getattr(fig, "_supxlabel", None)
    return label.get_text() if label is not None else ""


@pytest.mark.parametrize("n", [2, 5])
def test_figures_say_when_their_intervals_come_from_fewer_than_five_replicates(n):
    summary = pd.DataFrame(
        [
            {"regime": r, "metric": "harm_reduction", "n": n, "mean": m, "low": m - 0.1, "high": m + 0.1}
            for r, m in (("flexible", 0.2), ("centralised", 0.1))
        ]
    )
    paired = pd.DataFrame(
        [{"comparison": "flexible - centralised", "metric": "harm_reduction", "n_pairs": n, "mean": 0.1}]
    ).assign(low=0.0, high=0.2)
    steps = pd.DataFrame(
        [{"regime": "flexible", "step": step, "harm": float(run + step)} for step in (0, 1) for run in range(n)]
    )
    for draw in (
        lambda ax: plots.regime_intervals(summary, "harm_reduction", ax),
        lambda ax: plots.paired_intervals(paired, ax),
        lambda ax: plots.timeseries(analysis.timeseries(steps, "harm"), "harm", ax),
    ):
        fig, ax = plots.figure()
        draw(ax)
        note = _note(fig)
        assert ("not 95% confidence intervals" in note) == (n < 5), note
        matplotlib.pyplot.close(fig)


def test_the_sweep_summary_says_when_it_added_the_baseline(tmp_path):
    exp = Experiment(
        "six",
        regimes=("flexible", "centralised"),
        fixed=TINY,
        factors={"issue_rate": Range(0.5, 2.0, levels=6)},
        replicates=1,
        steps=3,
        seed=1,
    )
    assert exp.added_baseline and exp.with_sizes(replicates=1, steps=4).added_baseline
    report = run_experiment(exp, tmp_path / "s", progress=False)
    assert report.planned == 18
    text = str(report)
    assert "(of 18 runs = 6 points x 1 replicate x 3 regimes (no_cooperation added as the baseline" in text
    explicit = Experiment("both", regimes=("flexible", "no_cooperation"), fixed=TINY, replicates=2, steps=3)
    assert not explicit.added_baseline
    assert "(of 4 runs = 1 point x 2 replicates x 2 regimes) in" in str(run_experiment(explicit, tmp_path / "b"))


def test_reproduce_help_offers_only_its_own_options():
    text = ecsim("reproduce", "--help").stdout
    assert "--out" not in text  # reproduce writes each study to results/NAME; it has no --out
    assert "--fresh" in text and "--only" in text


def test_ecsim_params_shows_the_plausible_ranges():
    lines = ecsim("params").stdout.splitlines()
    concentration = next(line for line in lines if line.startswith("market_concentration "))
    assert "plausible (sensitivity): 0.843-1.043" in concentration
    rule = next(line for line in lines if line.startswith("decision_rule "))
    assert "plausible (sensitivity): every choice" in rule
    steps = next(line for line in lines if line.startswith("steps "))
    assert "not varied in sensitivity analyses" in steps


def test_a_study_run_directly_does_not_claim_ecsim_reproduce(tmp_path):
    out = tmp_path / "direct"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "experiments" / "regime_comparison.py"),
            "--serial",
            "--replicates",
            "2",
            "--steps",
            "12",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    report = (out / "report.md").read_text()
    assert "ecsim reproduce" not in report
    assert "by `python " in report and "regime_comparison.py" in report


def test_steps_as_a_whole_float_is_the_same_specification():
    a, b = Experiment("x", steps=24), Experiment("x", steps=24.0)
    assert b.steps == 24 and isinstance(b.steps, int)
    assert a.hash == b.hash and a.to_dict() == b.to_dict()
    with pytest.raises(ExperimentError, match=r"^steps=24.5 has the wrong type"):
        Experiment("x", steps=24.5)

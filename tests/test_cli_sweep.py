"""Sweeps from the command line without a script (``ecsim sweep --factor ...``), and what to do with a store
or a run afterwards: ``ecsim export`` and ``ecsim plot``.

One tiny sweep (small population, 24 months, 2 design points, 1 replicate) is run once for the module
and read by the tests below; mistakes are checked in this process (``main``), without a sweep.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ecsim.cli import build_parser, main
from ecsim.experiment import Experiment, Levels, Range, load_results

TINY = ("n_governments=12", "n_companies=30", "n_cso=10", "n_technical=4")
SWEEP = (
    "sweep",
    "--regimes",
    "flexible,centralised",
    "--factor",
    "monitoring_capacity=0.2:0.8",
    "--factor",
    "decision_rule=consensus,qualified_majority",
    *(arg for pair in TINY for arg in ("--set", pair)),
    "--design",
    "lhs",
    "--samples",
    "2",
    "--replicates",
    "1",
    "--steps",
    "24",
    "--seed",
    "3",
    "--serial",
)


def ecsim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ecsim.cli", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli_sweep") / "store"
    done = ecsim(*SWEEP, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "done: 6 runs completed, 0 failed, 0 already stored (of 6 runs = 2 points x 1 replicate x 3 regimes" in (
        done.stdout
    )
    return out


def test_a_sweep_defined_on_the_command_line_is_the_experiment_written_in_python():
    args = build_parser().parse_args([*SWEEP, "--out", "unused"])
    from ecsim.cli.sweeps import experiment_from_args

    from_cli = experiment_from_args(args)
    in_python = Experiment(
        "sweep",
        regimes=("flexible", "centralised"),
        fixed={"n_governments": 12, "n_companies": 30, "n_cso": 10, "n_technical": 4},
        factors={"monitoring_capacity": Range(0.2, 0.8), "decision_rule": Levels(["consensus", "qualified_majority"])},
        design="lhs",
        samples=2,
        replicates=1,
        steps=24,
        seed=3,
    )
    assert from_cli.hash == in_python.hash and from_cli.to_dict() == in_python.to_dict()


def test_the_store_holds_the_runs_the_factors_and_the_command(store):
    results = load_results(store)
    runs = results.runs
    assert len(runs) == 6 and (runs["status"] == "ok").all()
    assert list(dict.fromkeys(runs["regime"])) == ["flexible", "centralised", "no_cooperation"]
    assert runs["monitoring_capacity"].between(0.2, 0.8).all()
    assert set(runs["decision_rule"]) <= {"consensus", "qualified_majority"}
    assert (runs["n_companies"] == 30).all() and (runs["steps"] == 24).all()
    manifest = json.loads((store / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["spec"]["factors"]["monitoring_capacity"] == {"range": [0.2, 0.8], "levels": None}
    assert manifest["sessions"][0]["command"].startswith("ecsim sweep --regimes flexible,centralised --factor")


def test_the_same_command_resumes_and_runs_nothing_again(store):
    parts = sorted(p.name for p in (store / "runs").iterdir())
    again = ecsim(*SWEEP, "--out", str(store))
    assert again.returncode == 0, again.stderr
    assert "done: 0 runs completed, 0 failed, 6 already stored" in again.stdout
    assert sorted(p.name for p in (store / "runs").iterdir()) == parts


def run_main(capsys, *args: str) -> tuple[int, str]:
    """``ecsim ARGS`` in this process: (exit status, stderr)."""
    try:
        status = main(list(args))
    except SystemExit as exc:  # argparse's own errors
        status = int(exc.code or 0)
    return status, capsys.readouterr().err


def test_another_experiment_in_the_same_folder_is_refused_naming_what_differs(store, capsys):
    status, err = run_main(capsys, *[a if a != "2" else "3" for a in SWEEP], "--out", str(store))
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and "holds runs of another specification" in err
    assert "they differ in samples" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--factor", "monitoring_capacit=0:1"], "--factor monitoring_capacit=0:1: unknown parameter"),
        (["--factor", "monitoring_capacity=0:2", "--design", "lhs"], "monitoring_capacity=2.0 is out of range"),
        (["--factor", "monitoring_capacity=0.8:0.2", "--design", "lhs"], "a range needs LOW < HIGH"),
        (["--factor", "monitoring_capacity=0:1"], "the factorial design needs levels"),
        (["--factor", "decision_rule=consensus,vote"], "decision_rule='vote' is not allowed: expected one of"),
        (["--factor", "decision_rule=consensus:qualified_majority"], "takes a list of levels (A,B,C), not a range"),
        (["--factor", "issue_rate=abc"], "--factor issue_rate=abc: issue_rate='abc' cannot be read"),
        (["--factor", "issue_rate=1:2:1"], "K (the number of levels) must be a whole number >= 2"),
        (["--factor", "issue_rate"], "expected NAME=LOW:HIGH, NAME=A,B,C or NAME=VALUE"),
        (["--factor", "steps=12:24"], "set it with --steps"),
        (["--factor", "issue_rate=1,2", "--set", "issue_rate=2"], "issue_rate is given twice"),
        (["--regimes", "flexible,anarchy"], "'anarchy' is not a regime: expected some of"),
        (["--design", "lhx"], "--design lhx: expected one of factorial, ablation, lhs"),
        (["--samples", "4"], "the factorial design takes no samples"),
        (["--outputs", "harm,harms"], "'harms' is not a metric"),
        (["--samples", "0"], "argument --samples: '0' is not allowed"),
        (["experiments/regime_comparison.py", "--factor", "issue_rate=1,2"], "defines the experiment"),
    ],
)
def test_mistakes_in_a_sweep_give_one_line_naming_the_option(args, message, capsys, tmp_path):
    status, err = run_main(capsys, "sweep", *args, "--out", str(tmp_path / "never"))
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and message in err, err
    assert not (tmp_path / "never").exists()


# ------------------------------------------------------------------------------------------------ export
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_writes_runs_and_steps_with_the_factors_on_every_step(store, fmt, tmp_path, capsys):
    import pandas as pd

    from ecsim import analysis

    status, err = run_main(capsys, "export", str(store), f"--{fmt}", "--to", str(tmp_path / "out"))
    assert status == 0, err
    results = load_results(store)

    def read(name: str) -> pd.DataFrame:
        path = tmp_path / "out" / f"{name}.{fmt}"
        return pd.read_parquet(path) if fmt == "parquet" else pd.read_csv(path, keep_default_na=False, na_values=[""])

    runs, steps = read("runs"), read("steps")
    paired = analysis.paired_runs(results)  # the stored runs and harm_reduction
    same = [c for c in paired.columns if c != "error"]  # CSV reads an empty error as missing
    pd.testing.assert_frame_equal(runs[same], paired[same], check_dtype=False, check_exact=True)
    factors = ["monitoring_capacity", "decision_rule"]
    assert list(steps.columns[:7]) == ["run_id", "point", "replicate", "regime", "seed", *factors]
    expected = results.steps.merge(results.runs[["run_id", *factors]], on="run_id")
    pd.testing.assert_frame_equal(steps[expected.columns], expected, check_dtype=False, check_exact=True)
    assert len(steps) == 6 * 25


def test_export_defaults_to_csv_inside_the_store_which_still_opens(store, capsys):
    status, _ = run_main(capsys, "export", str(store))
    assert status == 0
    assert (store / "export" / "runs.csv").is_file() and (store / "export" / "steps.csv").is_file()
    assert len(load_results(store).runs) == 6


# ------------------------------------------------------------------------------------------------ plot
PNG = b"\x89PNG\r\n\x1a\n"


def test_plot_draws_a_store_and_a_run(store, tmp_path, capsys):
    figure = tmp_path / "store.png"
    status, err = run_main(capsys, "plot", str(store), "--metric", "cumulative_harm", "--out", str(figure))
    assert status == 0, err
    assert figure.read_bytes()[:8] == PNG and figure.stat().st_size > 10_000
    run = tmp_path / "run.parquet"
    assert run_main(capsys, "run", "--steps", "24", "--set", "n_companies=80", "--out", str(run))[0] == 0
    status, err = run_main(capsys, "plot", str(run))
    assert status == 0, err
    assert (tmp_path / "run_harm.png").read_bytes()[:8] == PNG


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "{tmp}"], "no manifest.json here"),
        (["export", "{tmp}/none"], "no such folder"),
        (["export", "{store}", "--csv", "--parquet"], "not allowed with argument"),
        (["plot", "{store}", "--metric", "harms"], "--metric harms: not a per-step metric"),
        (["plot", "{tmp}/none.parquet"], "no such file or folder"),
        (["plot", "{store}", "--out", "{tmp}/figure.jpg"], "must end in .png, .pdf or .svg"),
        (["plot", "{tmp}/table.csv"], "not a per-step table of a run"),
    ],
)
def test_mistakes_in_export_and_plot_give_one_line(args, message, store, tmp_path, capsys):
    (tmp_path / "table.csv").write_text("regime,harm_reduction\nflexible,0.1\n")
    args = [a.format(tmp=tmp_path, store=store) for a in args]
    status, err = run_main(capsys, *args)
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_plot_of_a_store_without_steps_draws_the_factor_alone(tmp_path, capsys):
    """A Morris design keeps run summaries only: the figure is each run's harm reduction against the factor."""
    sets = [arg for pair in TINY for arg in ("--set", pair)]
    design = ["--design", "morris", "--samples", "2", "--replicates", "1", "--steps", "12", "--serial", "--quiet"]
    argv = ["sweep", "--regimes", "flexible", "--factor", "monitoring_capacity=0:1", *sets, *design]
    assert run_main(capsys, *argv, "--out", str(tmp_path / "m"))[0] == 0
    status, err = run_main(capsys, "plot", str(tmp_path / "m"))
    assert status == 0, err
    assert (tmp_path / "m" / "quick_harm.png").read_bytes()[:8] == PNG
    status, err = run_main(capsys, "plot", str(tmp_path / "m"), "--metric", "coverage")
    assert status == 2 and "this store keeps no per-step coverage; it keeps none (outputs=())" in err

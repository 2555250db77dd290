"""The experiment engine: spec validation, designs, seeds, executors, store, resume and faults."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecsim import analysis
from ecsim.experiment import (
    DaskExecutor,
    Experiment,
    ExperimentError,
    Levels,
    ProcessExecutor,
    Range,
    SerialExecutor,
    StoreError,
    design_points,
    load_results,
    plan,
    run_experiment,
)
from ecsim.experiment import runner as runner_module
from ecsim.experiment import worker as worker_module
from ecsim.experiment.designs import count_points
from ecsim.rng import run_seed

TINY = {"n_governments": 12, "n_companies": 30, "n_cso": 10, "n_technical": 4}


def tiny(name="tiny", **kw) -> Experiment:
    spec = dict(
        fixed=TINY,
        replicates=2,
        steps=12,
        seed=5,
        factors={"market_concentration": Range(0.2, 0.8, levels=2), "decision_rule": ["consensus", "simple_majority"]},
    )
    spec.update(kw)
    return Experiment(name, **spec)


def comparable(results):
    """Runs and steps without what legitimately differs between executions (wall time)."""
    return results.runs.drop(columns=["wall_time"]), results.steps


# --- specification ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"factors": {"n_agents": (1, 2)}}, "factor 'n_agents' is not a parameter"),
        ({"factors": {"issue_rate": (1, 60)}}, "factor issue_rate=60.0 is out of range"),
        ({"factors": {"issue_rate": (2.0, 1.0)}}, "Range needs low < high"),
        ({"factors": {"issue_rate": (1.0, 2.0)}}, "the factorial design needs levels"),
        ({"factors": {"decision_rule": ["consensus", "vote"]}}, "decision_rule='vote' is not allowed"),
        ({"factors": {"decision_rule": Range(0, 1)}}, "a choice parameter takes a list of levels"),
        ({"factors": {"issue_rate": [1.0]}, "fixed": {"issue_rate": 2.0}}, "factor 'issue_rate' is also fixed"),
        ({"factors": {"steps": [10, 20]}}, "factor 'steps': set the run length"),
        ({"fixed": {"n_cso": -1}}, "fixed: n_cso=-1 is out of range"),
        (
            {"design": "grid"},
            "design='grid' is not allowed: expected one of factorial, ablation, lhs, sobol, morris, saltelli",
        ),
        ({"replicates": 0}, "replicates=0: expected an integer >= 1"),
        ({"outputs": ("harm", "happiness")}, "outputs: 'happiness' is not a metric"),
        ({"regimes": ("flexible", "anarchy")}, "regimes: regime='anarchy' is not allowed"),
        ({"steps": 0}, "steps=0 is out of range"),
    ],
)
def test_invalid_specs_fail_before_any_run_with_one_line(kw, message):
    spec = {"factors": {}, **kw}
    with pytest.raises((ExperimentError, ValueError), match=None) as info:
        Experiment("bad", **spec)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_baseline_is_always_run_and_sizes_can_be_overridden():
    exp = Experiment("x", regimes=("flexible",))
    assert exp.regime_names == ("flexible", "no_cooperation")
    smaller = exp.with_sizes(replicates=3, steps=24)
    assert (smaller.replicates, smaller.steps) == (3, 24) and smaller.hash != exp.hash
    assert Experiment("x", regimes=("flexible",)).hash == exp.hash  # the hash is canonical


# --- designs and seeds --------------------------------------------------------------------------------


def test_full_factorial_crosses_every_level():
    exp = tiny(
        factors={
            "market_concentration": Range(0.2, 0.8, levels=3),
            "agenda_capacity": [2, 4],
            "decision_rule": ["consensus", "qualified_majority", "simple_majority"],
        }
    )
    points = design_points(exp)
    assert len(points) == 3 * 2 * 3
    assert {p["decision_rule"] for p in points} == {"consensus", "qualified_majority", "simple_majority"}
    assert sorted({p["market_concentration"] for p in points}) == [0.2, 0.5, 0.8]


def test_the_ablation_design_moves_each_factor_alone_then_all_at_once_on_the_reference_seeds():
    factors = {"fit_weight": [0.5, 0.0], "decision_rule": ["consensus", "qualified_majority", "simple_majority"]}
    exp = tiny(design="ablation", factors=factors, replicates=3)
    points = design_points(exp)
    assert points == [
        {"fit_weight": 0.5, "decision_rule": "consensus"},  # the reference: every factor at its first level
        {"fit_weight": 0.0, "decision_rule": "consensus"},  # one at a time
        {"fit_weight": 0.5, "decision_rule": "qualified_majority"},
        {"fit_weight": 0.5, "decision_rule": "simple_majority"},
        {"fit_weight": 0.0, "decision_rule": "simple_majority"},  # every factor at its last level
    ]
    assert count_points(exp) == len(points)
    assert design_points(tiny(design="ablation", factors={"fit_weight": [0.5, 0.0]})) == [
        {"fit_weight": 0.5},
        {"fit_weight": 0.0},  # with one factor, moving it alone is moving all
    ]
    seeds = {(t.point, t.replicate): t.seed for t in plan(exp)}
    for (_point, replicate), seed in seeds.items():  # paired: every point runs on the reference's seeds
        assert seed == seeds[(0, replicate)] == run_seed(exp.seed, 0, replicate)
    assert len({seeds[(0, r)] for r in range(3)}) == 3  # replicates still differ
    with pytest.raises(ExperimentError, match="the ablation design needs levels"):
        tiny(design="ablation", factors={"issue_rate": (1.0, 2.0)})


@pytest.mark.parametrize(("design", "size"), [("lhs", 8), ("sobol", 8), ("morris", 8 * 4), ("saltelli", 8 * 8)])
def test_sampled_designs_handle_numeric_integer_and_categorical_factors(design, size):
    factors = {
        "market_concentration": (0.1, 0.9),
        "agenda_capacity": (5, 50),
        "decision_rule": ["consensus", "simple_majority"],
    }
    exp = tiny(design=design, samples=8, factors=factors)
    points = design_points(exp)
    assert len(points) == size  # morris: N(k+1); saltelli: N(2k+2) with k = 3
    assert all(0.1 <= p["market_concentration"] <= 0.9 for p in points)
    assert all(isinstance(p["agenda_capacity"], int) and 5 <= p["agenda_capacity"] <= 50 for p in points)
    assert {p["decision_rule"] for p in points} == {"consensus", "simple_majority"}
    assert design_points(exp) == points  # deterministic given the root seed
    assert design_points(tiny(design=design, samples=8, factors=factors, seed=6)) != points


def test_a_first_order_saltelli_design_runs_the_full_designs_runs_for_s1_and_st(tmp_path):
    """second_order=False: N(k+2) points, each the same row and seed as in the full N(2k+2) design, so the
    total indices are the same (S1 differs in SALib's centring only: it standardises over every row)."""
    factors = {
        "market_concentration": (0.1, 0.9),
        "issue_rate": (0.5, 2.0),
        "decision_rule": ["consensus", "simple_majority"],
    }
    full = tiny("full", design="saltelli", samples=4, replicates=1, factors=factors, regimes=("flexible",))
    first = tiny(
        "first", design="saltelli", samples=4, replicates=1, factors=factors, regimes=("flexible",), second_order=False
    )
    assert count_points(first) == len(design_points(first)) == 4 * (3 + 2) and count_points(full) == 4 * 8

    def runs(exp):
        return {(t.seed, t.regime.name, tuple(sorted(t.params.items()))) for t in plan(exp)}

    assert runs(first) <= runs(full)  # the same rows on the same seeds
    tables = {}
    for exp in (full, first):
        run_experiment(exp, tmp_path / exp.name, progress=False)
        results = load_results(tmp_path / exp.name)
        tables[exp.name] = analysis.sobol_indices(
            analysis.paired_runs(results), results.manifest, "harm_reduction", "flexible"
        )
    # The same estimate: SALib standardises the outputs over the rows it is given, so the last bits differ.
    pd.testing.assert_series_equal(tables["first"]["ST"], tables["full"]["ST"], check_exact=False, rtol=1e-12)
    assert tables["first"]["factor"].tolist() == tables["full"]["factor"].tolist()
    with pytest.raises(ExperimentError, match="second_order=False applies to the saltelli design only"):
        tiny(design="lhs", second_order=False)


@pytest.mark.parametrize(
    ("design", "index", "column"), [("saltelli", "sobol_indices", "ST"), ("morris", "morris_indices", "mu_star")]
)
def test_sensitivity_designs_difference_points_on_common_seeds(tmp_path, design, index, column):
    """A factor without effect gets an index of exactly 0: the points a sensitivity index differences (A and AB_i
    of one base sample; one Morris trajectory) share their seeds, so the model's noise is not counted as the
    factor's effect.  shock_novelty does nothing without shock issues (shock_issues is 0 by default)."""
    factors = {"market_concentration": (0.1, 0.9), "shock_novelty": (0.1, 0.9)}
    exp = tiny(design=design, samples=6, replicates=1, factors=factors, regimes=("flexible",))
    seeds = [t.seed for t in plan(exp) if t.regime.name == "flexible"]
    group = 2 * 2 + 2 if design == "saltelli" else 2 + 1  # rows per base sample / points per trajectory
    assert all(len(set(seeds[i : i + group])) == 1 for i in range(0, len(seeds), group))
    assert len(set(seeds)) == 6  # a seed per base sample or trajectory
    run_experiment(exp, tmp_path / "s", progress=False)
    results = load_results(tmp_path / "s")
    table = getattr(analysis, index)(analysis.paired_runs(results), results.manifest, "cumulative_harm", "flexible")
    effect = table.set_index("factor")[column]
    assert effect["shock_novelty"] == 0.0 and effect["market_concentration"] > 0.0


def test_latin_hypercube_stratifies_every_factor():
    exp = tiny(design="lhs", samples=10, factors={"issue_rate": (0.5, 2.5), "novelty": (0.0, 1.0)})
    for name in ("issue_rate", "novelty"):
        bins = sorted(int(p[f"u_{name}"] * 10) for p in design_points(exp))
        assert bins == list(range(10))


def test_seeds_depend_only_on_root_point_and_replicate():
    small, large = plan(tiny(replicates=2)), plan(tiny(replicates=5))
    by_id = {t.run_id: t.seed for t in large}
    assert all(by_id[t.run_id] == t.seed for t in small)  # design size does not move seeds
    for t in small:
        assert t.seed == run_seed(5, t.point, t.replicate)
    pairs = {}
    for t in large:
        pairs.setdefault((t.point, t.replicate), set()).add(t.seed)
    assert all(len(s) == 1 for s in pairs.values())  # all regimes of a pair share the seed
    assert len({next(iter(s)) for s in pairs.values()}) == len(pairs)  # pairs differ


# --- executors, store, resume -------------------------------------------------------------------------


def test_serial_processes_and_dask_give_identical_results(tmp_path):
    exp = tiny()
    outs = {}
    for label, executor in (
        ("serial", SerialExecutor()),
        ("processes", ProcessExecutor(2)),
        ("dask", DaskExecutor(local_workers=2)),
    ):
        report = run_experiment(exp, tmp_path / label, executor, progress=False)
        assert (report.completed, report.failed) == (len(plan(exp)), 0)
        outs[label] = comparable(load_results(tmp_path / label))
    runs, steps = outs["serial"]
    assert len(runs) == 4 * 2 * 4 and len(steps) == len(runs) * 13
    for label in ("processes", "dask"):
        pd.testing.assert_frame_equal(outs[label][0], runs)
        pd.testing.assert_frame_equal(outs[label][1], steps)


def test_store_round_trip_and_paired_harm_reduction(tmp_path):
    exp = tiny()
    run_experiment(exp, tmp_path / "s", progress=False)
    results = load_results(tmp_path / "s")
    runs = results.runs
    assert (runs["status"] == "ok").all() and runs["run_id"].is_unique
    runs_only = load_results(tmp_path / "s", steps=False)  # sensitivity needs no per-step table
    pd.testing.assert_frame_equal(runs_only.runs, runs)
    assert runs_only.steps.empty and not results.steps.empty
    for column in (
        "point",
        "replicate",
        "regime",
        "seed",
        "market_concentration",
        "decision_rule",
        "n_cso",
        "issue_mix_national",
        "steps",
        "cumulative_harm",
        "wall_time",
    ):
        assert column in runs.columns, column
    # The store only reads; the pairing against the baseline is analysis.
    assert "harm_reduction" not in runs.columns
    paired = analysis.paired_runs(results)
    pd.testing.assert_frame_equal(paired.drop(columns="harm_reduction"), runs)
    base = runs[runs["regime"] == "no_cooperation"].set_index(["point", "replicate"])["cumulative_harm"]
    for row in paired.itertuples():
        assert row.harm_reduction == pytest.approx(1 - row.cumulative_harm / base[(row.point, row.replicate)])
    assert (paired.loc[paired["regime"] == "no_cooperation", "harm_reduction"] == 0).all()
    # A run is reproducible from its stored row alone.
    from ecsim import EnhancedCooperationModel

    row = runs.iloc[5]
    again = EnhancedCooperationModel(
        row["regime"],
        rng=int(row["seed"]),
        **TINY,
        steps=12,
        market_concentration=row["market_concentration"],
        decision_rule=row["decision_rule"],
    ).run()
    assert again.metrics()["cumulative_harm"].iloc[-1] == row["cumulative_harm"]
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["spec_hash"] == exp.hash and manifest["status"] == "complete"
    assert manifest["runs_ok"] == len(runs) and manifest["runs_failed"] == 0
    assert "runs" not in manifest  # each run's status, seed and wall time are in the runs table only
    for key in ("ecsim", "git_commit", "git_dirty", "python", "numpy", "mesa", "platform"):
        assert key in manifest["provenance"]
    files = {p.suffix or p.name for p in (tmp_path / "s").rglob("*") if p.is_file()}
    assert files == {".parquet", ".json", ".lock"}  # no pickle anywhere


def test_rerun_skips_stored_runs_and_a_different_spec_is_refused(tmp_path):
    exp = tiny()
    run_experiment(exp, tmp_path / "s", progress=False)
    again = run_experiment(exp, tmp_path / "s", progress=False)
    assert (again.completed, again.skipped) == (0, len(plan(exp)))
    with pytest.raises(StoreError, match="holds runs of another specification"):
        run_experiment(exp.with_sizes(replicates=3), tmp_path / "s", progress=False)
    fresh = run_experiment(exp.with_sizes(replicates=3), tmp_path / "s", fresh=True, progress=False)
    assert fresh.completed == len(plan(exp.with_sizes(replicates=3)))


def test_runs_of_other_model_code_are_never_mixed_into_a_store(tmp_path, monkeypatch):
    exp = tiny()
    run_experiment(exp, tmp_path / "s", progress=False)
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["model_fingerprint"] == runner_module.model_fingerprint()
    # The model's code changes (as after editing src/ecsim/model): resuming is refused, --fresh reruns.
    monkeypatch.setattr(runner_module, "model_fingerprint", lambda: "0123456789abcdef")
    with pytest.raises(StoreError, match="holds runs made by other model code"):
        run_experiment(exp, tmp_path / "s", progress=False)
    assert len(load_results(tmp_path / "s").runs) == len(plan(exp))  # nothing stored was lost
    fresh = run_experiment(exp, tmp_path / "s", fresh=True, progress=False)
    assert fresh.completed == len(plan(exp))


def test_the_model_fingerprint_follows_the_model_code_only(tmp_path):
    import shutil

    import ecsim

    copy = tmp_path / "ecsim"
    shutil.copytree(Path(ecsim.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    original = runner_module.model_fingerprint()
    assert runner_module.model_fingerprint(copy) == original and len(original) == 16
    (copy / "plots.py").write_text((copy / "plots.py").read_text() + "\n# a comment\n")
    assert runner_module.model_fingerprint(copy) == original  # figures do not change what a run computes
    (copy / "model" / "peer.py").write_text((copy / "model" / "peer.py").read_text() + "\n# a comment\n")
    changed = runner_module.model_fingerprint(copy)
    assert changed != original
    # The code and the libraries that draw design points are part of it: a resume never mixes two designs.
    (copy / "experiment" / "designs.py").write_text((copy / "experiment" / "designs.py").read_text() + "\n#\n")
    assert runner_module.model_fingerprint(copy) not in (original, changed)


@pytest.mark.parametrize("library", ["scipy", "SALib"])
def test_the_model_fingerprint_follows_the_design_libraries(monkeypatch, library):
    original = runner_module.model_fingerprint()
    real = runner_module.version
    monkeypatch.setattr(runner_module, "version", lambda name: "0.0.1" if name == library else real(name))
    assert runner_module.model_fingerprint() != original


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    exp = tiny()
    victim = plan(exp)[6]
    real = worker_module.EnhancedCooperationModel

    def flaky(regime, rng, **params):
        if rng == victim.seed and regime.name == victim.regime.name:
            raise FloatingPointError("boom")
        return real(regime=regime, rng=rng, **params)

    monkeypatch.setattr(worker_module, "EnhancedCooperationModel", flaky)
    report = run_experiment(exp, tmp_path / "s", progress=False)
    assert (report.failed, report.completed) == (1, len(plan(exp)) - 1)
    assert "failed 1" in str(report) or "1 failed" in str(report)
    failed = load_results(tmp_path / "s").failed
    assert failed["run_id"].tolist() == [victim.run_id]
    assert failed["error"].iloc[0] == "FloatingPointError: boom" and failed["seed"].iloc[0] == victim.seed
    # Resuming retries the failed run only.
    monkeypatch.setattr(worker_module, "EnhancedCooperationModel", real)
    again = run_experiment(exp, tmp_path / "s", progress=False)
    assert (again.completed, again.failed) == (1, 0)
    results = load_results(tmp_path / "s")
    assert results.failed.empty and results.runs["run_id"].is_unique


SCRIPT = textwrap.dedent(
    """
    from ecsim.experiment import Experiment, main
    EXPERIMENT = Experiment("killable", fixed={fixed}, factors={{"issue_rate": [0.5, 1.0, 1.5, 2.0, 2.5]}},
                            replicates=8, steps=60, seed=3)
    if __name__ == "__main__":
        raise SystemExit(main(EXPERIMENT))
    """
)


def _script(tmp_path: Path) -> Path:
    path = tmp_path / "killable.py"
    path.write_text(SCRIPT.format(fixed=TINY))
    return path


def _wait_for_parts(folder: Path, count: int, proc: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if folder.exists() and len(list(folder.glob("part-*.parquet"))) >= count:
            return
        if proc.poll() is not None:
            pytest.fail(f"the sweep ended before it could be interrupted: {proc.stderr.read()}")
        time.sleep(0.02)
    pytest.fail("the sweep wrote no parts in time")


@pytest.mark.parametrize("backend", [["--serial"], ["--workers", "2"]])
def test_a_sweep_killed_with_sigkill_resumes_to_the_uninterrupted_result(tmp_path, backend):
    script = _script(tmp_path)
    cmd = [sys.executable, str(script), "--quiet", *backend]
    reference = subprocess.run([*cmd, "--out", str(tmp_path / "ref")], capture_output=True, text=True, timeout=300)
    assert reference.returncode == 0, reference.stderr
    victim = subprocess.Popen(
        [*cmd, "--out", str(tmp_path / "killed")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    _wait_for_parts(tmp_path / "killed" / "runs", 3, victim)
    os.killpg(victim.pid, signal.SIGKILL)  # the driver and its workers, mid-sweep
    victim.wait(timeout=30)
    partial = load_results(tmp_path / "killed").runs
    assert 0 < len(partial) < 5 * 8 * 4
    resumed = subprocess.run([*cmd, "--out", str(tmp_path / "killed")], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    a, b = comparable(load_results(tmp_path / "ref")), comparable(load_results(tmp_path / "killed"))
    assert b[0]["run_id"].is_unique and not b[1].duplicated(["run_id", "step"]).any()
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])


def test_ctrl_c_stops_cleanly_and_leaves_a_resumable_store(tmp_path):
    script = _script(tmp_path)
    # Long enough (600 runs) that the interrupt comes mid-sweep even on a loaded machine.
    cmd = [sys.executable, str(script), "--serial", "--replicates", "30", "--out", str(tmp_path / "s")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_parts(tmp_path / "s" / "runs", 2, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "re-run the same command to resume" in err and "Traceback" not in err
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    done = subprocess.run([*cmd, "--quiet"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(load_results(tmp_path / "s").runs) == 5 * 30 * 4


def test_ecsim_sweep_runs_a_script_and_reports_mistakes_in_one_line(tmp_path):
    script = _script(tmp_path)
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "ecsim.cli",
            "sweep",
            str(script),
            "--replicates",
            "1",
            "--steps",
            "6",
            "--workers",
            "2",
            "--out",
            str(tmp_path / "s"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr
    assert "20 runs completed, 0 failed" in ok.stdout
    assert len(load_results(tmp_path / "s").runs) == 5 * 1 * 4
    for args, message in (
        (["sweep", str(tmp_path / "missing.py")], "no such experiment script"),
        (["sweep", str(script), "--workers", "0"], "'0' is not a positive integer"),
        (
            ["sweep", str(script), "--replicates", "2", "--steps", "6", "--out", str(tmp_path / "s")],
            "holds runs of another specification",
        ),
    ):
        bad = subprocess.run([sys.executable, "-m", "ecsim.cli", *args], capture_output=True, text=True, timeout=60)
        assert bad.returncode == 2 and "Traceback" not in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1 and message in bad.stderr, bad.stderr


def test_a_sweep_can_be_launched_from_code_without_a_main_module(tmp_path):
    """As from a Jupyter kernel: no script file, worker processes still work."""
    code = textwrap.dedent(f"""
        from ecsim.experiment import Experiment, ProcessExecutor, run_experiment, load_results
        exp = Experiment("nb", fixed={TINY!r}, replicates=2, steps=6, seed=1)
        report = run_experiment(exp, {str(tmp_path / "nb")!r}, ProcessExecutor(2), progress=False)
        print(report.completed, len(load_results({str(tmp_path / "nb")!r}).runs))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["8", "8"]


def test_levels_shorthand_and_results_without_factors(tmp_path):
    exp = Experiment("plain", fixed=TINY, replicates=3, steps=6, seed=2)
    assert design_points(exp) == [{}]
    assert isinstance(Experiment("l", factors={"n_cso": Levels([1, 2])}).factors["n_cso"], Levels)
    run_experiment(exp, tmp_path / "p", progress=False)
    steps = load_results(tmp_path / "p").steps
    assert steps.groupby("run_id").size().eq(7).all()
    assert np.isfinite(steps["harm"]).all()

"""The results store keeps what it is given and nothing else: one writer, parts never replaced, every part
checked on open, a repair that sets bad parts aside, a schema fixed by the declarations, designs refused before
they are built."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from ecsim.experiment import (
    Experiment,
    ExperimentError,
    Range,
    StoreError,
    load_results,
    plan,
    run_experiment,
)
from ecsim.experiment import worker as worker_module
from ecsim.experiment.cli import load_experiment
from ecsim.experiment.store import Store, repair
from ecsim.model.metrics import BY_NAME

TINY = {"n_governments": 12, "n_companies": 30, "n_cso": 10, "n_technical": 4}
INTEGER_SUMMARIES = [m.name for m in BY_NAME.values() if m.dtype is int and m.summary]


def tiny(name: str = "tiny", **kw) -> Experiment:
    spec = dict(fixed=TINY, replicates=2, steps=12, seed=5, factors={"market_concentration": [0.2, 0.8]})
    spec.update(kw)
    return Experiment(name, **spec)


def comparable(results):
    return results.runs.drop(columns=["wall_time"]), results.steps


def ecsim(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ecsim.cli", *args], capture_output=True, text=True, timeout=timeout)


def one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, proc.stderr


SCRIPT = textwrap.dedent(
    """
    from ecsim.experiment import Experiment, main
    EXPERIMENT = Experiment("{name}", fixed={fixed}, factors={{"issue_rate": [0.5, 1.0, 1.5, 2.0]}},
                            replicates={replicates}, steps={steps}, seed={seed})
    if __name__ == "__main__":
        raise SystemExit(main(EXPERIMENT))
    """
)


def script(tmp_path: Path, name: str = "study", replicates: int = 3, steps: int = 24, seed: int = 2) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(SCRIPT.format(name=name, fixed=TINY, replicates=replicates, steps=steps, seed=seed))
    return path


# --- one writer ----------------------------------------------------------------------------------------------


def test_a_second_sweep_on_the_same_store_is_refused_and_the_first_completes(tmp_path):
    study = script(tmp_path, replicates=30, steps=48)
    out = tmp_path / "s"
    first = subprocess.Popen(
        [sys.executable, str(study), "--serial", "--quiet", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list((out / "runs").glob("part-*.parquet")) if (out / "runs").exists() else True:
        assert first.poll() is None and time.monotonic() < deadline, first.stderr.read() if first.stderr else ""
        time.sleep(0.05)
    second = ecsim("sweep", str(study), "--serial", "--quiet", "--out", str(out))
    one_line_error(second, f"{out} is in use by another sweep (PID {first.pid} on {socket.gethostname()}")
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    results = load_results(out)
    assert len(results.runs) == len(plan(load_experiment(study))) and results.runs["run_id"].is_unique
    assert not results.steps.duplicated(["run_id", "step"]).any()
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_the_lock_is_released_when_its_holder_dies(tmp_path):
    out = tmp_path / "s"
    code = f"from ecsim.experiment.store import Store; Store({str(out)!r}).acquire(); print('locked', flush=True); "
    holder = subprocess.Popen(
        [sys.executable, "-c", code + "import time; time.sleep(60)"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(StoreError, match=f"in use by another sweep \\(PID {holder.pid} on "):
        Store(out).acquire()
    holder.kill()
    holder.wait()
    with Store(out).locked():  # kill -9 leaves no stale lock
        pass


def test_parts_are_created_never_replaced(tmp_path):
    exp = tiny()
    run_experiment(exp, tmp_path / "s", progress=False)
    store = Store(tmp_path / "s")
    first = sorted((tmp_path / "s" / "runs").glob("part-*.parquet"))[0]
    before = first.read_bytes()
    from ecsim.experiment.runner import Identity, Plan, model_fingerprint

    identity = Identity(exp.hash, model_fingerprint(), Plan(2, 2, exp.regime_names))
    with store.locked():
        store._next = int(first.stem.split("-")[1])  # as a second writer that counted parts before the first wrote
        table = pq.read_table(first)
        with pytest.raises(StoreError, match="a part of this name exists already"):
            store.write_batch(identity, table, None)
    assert first.read_bytes() == before


# --- integrity on open ---------------------------------------------------------------------------------------


@pytest.fixture
def stored(tmp_path) -> tuple[Path, Path, Path]:
    """(script, a complete store, a second complete store of the same sweep: the reference)."""
    study = script(tmp_path)
    for out in ("s", "ref"):
        done = subprocess.run(
            [sys.executable, str(study), "--serial", "--quiet", "--out", str(tmp_path / out)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
    return study, tmp_path / "s", tmp_path / "ref"


def _part(store: Path, kind: str, index: int = 1) -> Path:
    return sorted((store / kind).glob("part-*.parquet"))[index]


def test_a_truncated_steps_part_is_named_on_resume_and_on_load(stored):
    study, out, _ = stored
    part = _part(out, "steps")
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    resumed = ecsim("sweep", str(study), "--serial", "--quiet", "--out", str(out))
    one_line_error(resumed, str(part), "not a readable Parquet part")
    with pytest.raises(StoreError, match="not a readable Parquet part"):
        load_results(out)


def test_a_garbage_runs_part_is_named_not_a_traceback(stored):
    study, out, _ = stored
    part = _part(out, "runs", 2)
    part.write_bytes(b"this is not parquet" * 10)
    one_line_error(ecsim("sweep", str(study), "--serial", "--out", str(out)), str(part))


def test_a_garbage_steps_part_without_runs_is_refused_not_deleted(stored):
    study, out, _ = stored
    stray = out / "steps" / "part-009999.parquet"
    stray.write_bytes(b"garbage")
    one_line_error(ecsim("sweep", str(study), "--serial", "--out", str(out)), str(stray))
    assert stray.exists()


def test_a_part_copied_in_from_another_study_is_refused(stored, tmp_path):
    study, out, _ = stored
    other = script(tmp_path / "other" if (tmp_path / "other").mkdir() is None else tmp_path, "other", seed=9)
    done = subprocess.run(
        [sys.executable, str(other), "--serial", "--quiet", "--out", str(tmp_path / "o")],
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0
    alien = out / "runs" / "part-000777.parquet"
    shutil.copy(_part(tmp_path / "o", "runs", 0), alien)
    with pytest.raises(StoreError, match="a part of another specification"):
        load_results(out)
    one_line_error(ecsim("sweep", str(study), "--serial", "--out", str(out)), str(alien), "another specification")


def test_a_run_stored_twice_is_named_with_its_part(stored):
    """A batch copied again under a new name (as a second writer would store it) holds runs already stored ok."""
    study, out, _ = stored
    for kind in ("steps", "runs"):  # steps first: the runs part commits the batch
        shutil.copy(_part(out, kind, 1), out / kind / "part-000900.parquet")
    first = pq.read_table(_part(out, "runs", 1)).column("run_id")[0].as_py()
    with pytest.raises(StoreError, match=f"part-000900.parquet: run {first} is stored twice"):
        load_results(out)
    one_line_error(ecsim("sweep", str(study), "--serial", "--out", str(out)), "part-000900.parquet", "stored twice")


def test_a_run_id_outside_the_plan_is_refused(stored):
    _, out, _ = stored
    part = _part(out, "runs", 0)
    table = pq.read_table(part)
    ids = table.column("run_id").to_pylist()
    ids[0] = "p09999-r0000-flexible"
    forged = table.set_column(table.schema.get_field_index("run_id"), "run_id", [ids])
    pq.write_table(forged, out / "runs" / "part-000888.parquet")
    with pytest.raises(StoreError, match="run p09999-r0000-flexible is not a run of this sweep's plan"):
        load_results(out)


def test_repair_sets_bad_parts_aside_and_the_resume_restores_the_reference(stored):
    study, out, ref = stored
    truncated, garbage = _part(out, "steps", 1), _part(out, "runs", 3)
    truncated.write_bytes(truncated.read_bytes()[:100])
    garbage.write_bytes(b"junk")
    (out / "steps" / "part-009999.parquet").write_bytes(b"junk")
    (out / "manifest.json").write_text("{ not json")
    fixed = ecsim("store", "repair", str(out))
    assert fixed.returncode == 0, fixed.stderr
    assert "set aside 5 files" in fixed.stdout and "runs/part-000001.parquet" in fixed.stdout, fixed.stdout
    quarantined = list((out / "quarantine").rglob("*.parquet"))
    assert len(quarantined) == 5  # both parts of the two damaged batches, and the stray steps part
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "incomplete" and manifest["runs_ok"] < manifest["runs_planned"]
    resumed = subprocess.run(
        [sys.executable, str(study), "--serial", "--quiet", "--out", str(out)], capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr
    a, b = comparable(load_results(ref)), comparable(load_results(out))
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_repair_of_a_sound_store_changes_nothing(stored):
    _, out, _ = stored
    before = comparable(load_results(out))
    report = repair(out)
    assert report.set_aside == [] and report.runs_ok == report.planned
    after = comparable(load_results(out))
    pd.testing.assert_frame_equal(before[0], after[0])
    one_line_error(ecsim("store", "repair", str(out / "nowhere")), "no such store folder")


# --- impossible designs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "count"),
    [
        (
            {
                "factors": {
                    "issue_rate": Range(0.5, 2.0, levels=1000),
                    "market_concentration": Range(0.1, 0.9, levels=1000),
                    "monitoring_capacity": Range(0.0, 1.0, levels=1000),
                },
                "replicates": 1,
            },
            "4,000,000,000 runs",
        ),
        ({"factors": {"issue_rate": (0.5, 2.0)}, "design": "lhs", "samples": 10**9, "replicates": 1}, "4,000,000,000"),
    ],
)
def test_an_impossible_design_is_refused_before_anything_is_built(tmp_path, kw, count):
    exp = tiny(**kw)
    start = time.perf_counter()
    with pytest.raises(ExperimentError, match=f"the design plans {count}.*more than max_runs=1,000,000"):
        run_experiment(exp, tmp_path / "s", progress=False)
    assert time.perf_counter() - start < 5
    assert not (tmp_path / "s").exists()  # no empty store left behind


def test_the_run_limit_is_settable_from_the_command_line(tmp_path):
    study = script(tmp_path)
    refused = ecsim("sweep", str(study), "--serial", "--out", str(tmp_path / "s"), "--max-runs", "10")
    one_line_error(refused, "plans 48 runs", "max_runs=10")
    assert not (tmp_path / "s").exists()
    allowed = ecsim("sweep", str(study), "--serial", "--quiet", "--out", str(tmp_path / "s"), "--max-runs", "48")
    assert allowed.returncode == 0, allowed.stderr


# --- types ---------------------------------------------------------------------------------------------------


def test_types_survive_failures_and_retries(tmp_path, monkeypatch):
    exp = tiny()
    victims = {(t.seed, t.regime.name) for t in plan(exp)[:5]}  # a whole batch and more
    real = worker_module.EnhancedCooperationModel

    def flaky(regime, rng, **params):
        if (rng, regime.name) in victims:
            raise FloatingPointError("boom")
        return real(regime=regime, rng=rng, **params)

    monkeypatch.setattr(worker_module, "EnhancedCooperationModel", flaky)
    run_experiment(exp, tmp_path / "s", progress=False, executor=None)
    with_failures = load_results(tmp_path / "s").runs
    for name in INTEGER_SUMMARIES:
        assert with_failures[name].dtype == "Int64", name  # nullable: the failed runs have no value
    monkeypatch.setattr(worker_module, "EnhancedCooperationModel", real)
    run_experiment(exp, tmp_path / "s", progress=False)
    results = load_results(tmp_path / "s")
    assert results.failed.empty
    for name in [*INTEGER_SUMMARIES, "steps", "point", "replicate", "seed"]:
        assert results.runs[name].dtype == np.int64, name
    for name in ("cumulative_harm", "compliance", "wall_time"):
        assert results.runs[name].dtype == np.float64, name
    for name, metric in BY_NAME.items():
        assert results.steps[name].dtype == (np.int64 if metric.dtype is int else np.float64), name
    assert results.steps["step"].dtype == np.int32

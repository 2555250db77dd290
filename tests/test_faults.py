"""Sweeps under faults, in real processes with real signals: dead workers, hung runs, a killed or terminated
driver, Ctrl-C twice, and memory that stays flat over many runs.

Faults are injected into every process of a sweep by ``tests/faults/sitecustomize.py`` (see its docstring).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from ecsim.experiment import load_results, plan
from ecsim.experiment.cli import load_experiment
from ecsim.experiment.store import Store

FAULTS = Path(__file__).parent / "faults"
TINY = {"n_governments": 12, "n_companies": 30, "n_cso": 10, "n_technical": 4}

SCRIPT = textwrap.dedent(
    """
    from ecsim.experiment import Experiment, main
    EXPERIMENT = Experiment("faulty", fixed={fixed}, factors={{"issue_rate": [0.5, 1.0, 1.5]}},
                            replicates={replicates}, steps={steps}, seed=4)
    if __name__ == "__main__":
        raise SystemExit(main(EXPERIMENT))
    """
)


def _script(tmp_path: Path, replicates: int = 2, steps: int = 24, fixed: dict | None = None) -> Path:
    path = tmp_path / "faulty.py"
    path.write_text(SCRIPT.format(fixed=fixed or TINY, replicates=replicates, steps=steps))
    return path


def _victim(script: Path, index: int = 5):
    return plan(load_experiment(script))[index]


def _env(fault: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(FAULTS), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    if fault:
        env["ECSIM_FAULT"] = fault
    return env


def _sweep(script: Path, out: Path, *options: str, fault: str | None = None, **kw) -> subprocess.Popen:
    cmd = [sys.executable, str(script), "--out", str(out), "--quiet", *options]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(fault), **kw)


def _wait_for(predicate, proc: subprocess.Popen, limit: float = 60, what: str = "the sweep") -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail(f"{what} ended too early (status {proc.returncode}): {proc.stderr.read()}")
        time.sleep(0.05)
    pytest.fail(f"{what}: condition not reached in {limit} s")


def _parts(out: Path) -> int:
    return len(list((out / "runs").glob("part-*.parquet"))) if (out / "runs").exists() else 0


def _gone(pids: list[int], limit: float = 15) -> list[int]:
    """The pids still alive (zombies count as gone) after waiting up to ``limit`` seconds."""
    deadline = time.monotonic() + limit
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        time.sleep(0.1)
    return alive


def test_the_fault_injection_reaches_the_workers(tmp_path):
    """The harness itself: without this, the tests below could pass without any fault happening."""
    script = _script(tmp_path)
    victim = _victim(script)
    proc = _sweep(script, tmp_path / "s", "--workers", "2", fault=f"exit:{victim.seed}:{victim.regime.name}")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert f"failed {victim.run_id}" in err


def test_the_worker_that_broke_the_pool_is_told_apart_from_its_stopped_siblings():
    """Siblings stopped by the broken pool end by SIGTERM, or as 255 when the forkserver cannot read their status
    (seen under load); the culprit's own code is told, whatever order the codes come in."""
    from ecsim.experiment.executors import _culprit

    assert _culprit([255, -signal.SIGKILL]) == -signal.SIGKILL
    assert _culprit([-signal.SIGTERM, 255, 3]) == 3
    assert _culprit([255, -signal.SIGSEGV, -signal.SIGTERM]) == -signal.SIGSEGV
    assert _culprit([0, -signal.SIGTERM]) is None and _culprit([255]) == 255


@pytest.mark.parametrize(
    ("kind", "how"),
    [
        ("exit", "its worker process exited with status 3"),
        ("segv", "its worker process was killed by SIGSEGV"),
        ("kill", "its worker process was killed by SIGKILL (the out-of-memory killer sends this)"),
    ],
)
def test_a_dead_worker_is_named_with_its_seed_and_the_sweep_goes_on(tmp_path, kind, how):
    script = _script(tmp_path)
    victim = _victim(script)
    out = tmp_path / "s"
    fault = f"{kind}:{victim.seed}:{victim.regime.name}"
    proc = _sweep(script, out, "--workers", "2", fault=fault)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "BrokenProcessPool" not in err
    results = load_results(out)
    planned = len(plan(load_experiment(script)))
    assert len(results.runs) == planned and results.runs["run_id"].is_unique
    failed = results.failed
    assert failed["run_id"].tolist() == [victim.run_id]  # the culprit, and only the culprit
    assert failed["seed"].iloc[0] == victim.seed
    assert failed["error"].iloc[0] == f"WorkerLost: {how}"
    assert json.loads((out / "manifest.json").read_text())["status"] == "failures"
    # Resuming retries the culprit alone; it kills its worker again and is named again, nothing crashes.
    again = _sweep(script, out, "--workers", "2", fault=fault)
    _, err = again.communicate(timeout=180)
    assert again.returncode == 1 and f"failed {victim.run_id} (seed {victim.seed}): WorkerLost" in err, err
    # Without the fault it completes.
    fixed = _sweep(script, out, "--workers", "2")
    _, err = fixed.communicate(timeout=180)
    assert fixed.returncode == 0, err
    assert load_results(out).failed.empty
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


@pytest.mark.parametrize("backend", [["--serial"], ["--workers", "2"]])
def test_a_run_that_hangs_is_stopped_by_the_run_timeout_and_recorded(tmp_path, backend):
    script = _script(tmp_path)
    victim = _victim(script)
    out = tmp_path / "s"
    proc = _sweep(script, out, *backend, "--run-timeout", "3", fault=f"hang:{victim.seed}:{victim.regime.name}")
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 1, err
    failed = load_results(out).failed
    assert failed["run_id"].tolist() == [victim.run_id]
    assert failed["error"].iloc[0] == "RunTimeout: the run took longer than the per-run timeout of 3 s"
    assert 3 <= failed["wall_time"].iloc[0] < 10


def test_workers_exit_when_the_driver_is_killed(tmp_path):
    script = _script(tmp_path, replicates=40, steps=60)
    out = tmp_path / "s"
    proc = _sweep(script, out, "--workers", "2")
    _wait_for(lambda: _parts(out) >= 2, proc)
    children = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    assert len(children) >= 3  # forkserver (or spawn) machinery and two workers
    os.kill(proc.pid, signal.SIGKILL)  # the driver alone: its workers are not told
    proc.wait(timeout=10)
    assert _gone(children) == []


def test_sigterm_stops_like_ctrl_c_and_leaves_no_process_behind(tmp_path):
    script = _script(tmp_path, replicates=40, steps=60)
    out = tmp_path / "s"
    proc = _sweep(script, out, "--workers", "2")
    _wait_for(lambda: _parts(out) >= 2, proc)
    children = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err and "re-run the same command to resume" in err
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert _gone(children) == []
    done = _sweep(script, out, "--workers", "2")
    _, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    assert len(load_results(out).runs) == len(plan(load_experiment(script)))


def test_a_second_ctrl_c_stops_a_hung_sweep_at_once(tmp_path):
    script = _script(tmp_path, replicates=6)
    victim = _victim(script, index=2)
    out = tmp_path / "s"
    proc = _sweep(script, out, "--workers", "2", fault=f"hang:{victim.seed}:{victim.regime.name}")
    _wait_for(lambda: _parts(out) >= 3, proc)
    children = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    proc.send_signal(signal.SIGINT)
    time.sleep(2)
    assert proc.poll() is None  # the first Ctrl-C waits for the runs in flight, and one never ends
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 130, err
    assert "Ctrl-C again to stop them at once" in err and "Traceback" not in err
    assert _gone(children) == []
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    stored = set(Store(out).read_runs(["status"])["run_id"])
    assert victim.run_id not in stored  # abandoned, not recorded: a resume runs it


MEMORY_CHILD = """
import gc, json, sys, weakref
import psutil
from ecsim.model.model import EnhancedCooperationModel

def rss():
    gc.collect()
    return psutil.Process().memory_info().rss

refs, marks = [], {}
for i in range(int(sys.argv[1])):
    model = EnhancedCooperationModel("flexible", rng=i, steps=24).run()
    model.metrics()
    refs.append(weakref.ref(model))
    del model
    if i + 1 in (50, int(sys.argv[1])):
        marks[i + 1] = rss()
gc.collect()
print(json.dumps({"alive": sum(r() is not None for r in refs), "marks": marks}))
"""

#: Memory a long loop of runs may gain between its 50th and its last run (allocator noise), in bytes.
MEMORY_TOLERANCE = 16 * 2**20


def test_finished_models_are_freed_and_memory_stays_flat_over_many_runs():
    """Mesa 3.3 kept every model alive in ``Agent._ids`` (Mesa issue 3179): ~1 MB per run at this size."""
    proc = subprocess.run([sys.executable, "-c", MEMORY_CHILD, "250"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["alive"] == 0
    growth = result["marks"]["250"] - result["marks"]["50"]
    assert growth < MEMORY_TOLERANCE, f"memory grew by {growth / 2**20:.1f} MB over 200 runs"

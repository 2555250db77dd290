"""Speed and memory of the experiment engine (``ecsim.experiment``): parallel throughput, overhead, batch_run, memory.

What it measures on the default scenario (default population, 240 steps; wall time with ``time.perf_counter``
around the whole ``run_experiment`` call, executor start-up included, ``gc.collect()`` first, warm-up sweeps
first, best of ``--repeats`` rounds, every other one in reverse order; every sweep writes to a fresh folder in
a temporary directory):

1. Throughput: runs per second of the same sweep (4 regimes x 50 replicates = 200 runs) with ``SerialExecutor``
   and with ``ProcessExecutor(2)``.  Target: 2 workers reach at least 1.8x the serial throughput.
2. Orchestration overhead: the serial sweep against a bare Python loop that builds and runs the same models
   (same regimes, seeds and parameters, from ``plan(exp)``) and does nothing else.  The sweep's extra work
   (per-step tables, summaries, Parquet parts, manifest) is the overhead.  Target: (sweep - bare) / bare <= 5%.
   A breakdown of where the extra time goes is printed for information.
3. Against ``mesa.batch_run``: the same design (the four regimes x the same seeds, same steps, 2 processes,
   ``data_collection_period=-1``) against ``run_experiment`` with ``ProcessExecutor(2)``.  The script checks
   that batch_run did the same runs and steps (its figures match ecsim's stored per-step metrics).
   Target: ecsim's wall time at most batch_run's.
4. Driver peak memory: a sweep of 200 runs and one of 2,000 runs (a small population and 24 steps: the point is
   the number of runs), each in a fresh subprocess with ``ProcessExecutor(2)``.  The driver's peak RSS is
   VmHWM from ``/proc/self/status`` in that subprocess (worker processes excluded); not ``ru_maxrss``, which on
   Linux keeps the parent's high-water mark across fork + exec.  Target: peak(2,000) / peak(200) <= 1.3.
5. Memory over long sweeps: the serial driver, and the worker processes of ``ProcessExecutor(2)``, after 100 and
   after 1,000 runs at the default population (24 steps each; fresh process per sweep).  Serial: the driver's peak
   RSS (VmHWM); processes: the largest RSS any worker reached, sampled every 0.1 s.  Mesa 3.3 kept every finished
   model alive (Mesa issue 3179); the target is flat memory: peak(1,000) / peak(100) <= 1.1 for both.

Run it with ``make bench`` (which runs model_speed.py too) or ``python benchmarks/sweep_speed.py``.  Options:
``--repeats N`` (timed rounds, default 3), ``--quick`` (a smoke run: 20 runs of 60 steps, one round, 12 steps
in the memory sweeps), ``--check`` (exit 1 if a target is missed; otherwise the script always exits 0).  It needs
2 free cores: the load is printed first, and other work on the machine skews the figures.  This is a
benchmark that prints figures, not a timed test.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

import ecsim
from ecsim.experiment import Experiment, ProcessExecutor, SerialExecutor, SweepReport, load_results, plan
from ecsim.experiment import run_experiment as run_sweep
from ecsim.experiment.worker import RunTask

WORKERS = 2
SPEEDUP_TARGET = 1.8  # throughput with 2 workers / serial throughput must be at least this
OVERHEAD_TARGET = 0.05  # (serial sweep - bare loop) / bare loop must be at most this
BATCH_RUN_TARGET = 1.0  # ecsim wall time / batch_run wall time must be at most this
MEMORY_TARGET = 1.3  # driver peak RSS at 2,000 runs / at 200 runs must be at most this
LONG_RUNS = (100, 1000)  # section 5: memory after this many runs of the default population
LONG_TARGET = 1.1  # peak RSS after 1,000 runs / after 100 runs, serial driver and workers
SEED = 20261128
MEMORY_RUNS = (200, 2000)
SMALL_POPULATION = {"n_governments": 20, "n_companies": 50, "n_cso": 30, "n_technical": 3}

# Runs in a fresh interpreter: one sweep with ProcessExecutor, then the driver's peak RSS.  On Linux the peak is
# VmHWM from /proc/self/status: ru_maxrss is no good here, because Linux carries the parent's high-water mark across
# fork + exec, so a child of a large parent reports at least the parent's RSS.  Elsewhere ru_maxrss (KiB on Linux,
# bytes on macOS).  argv: replicates, steps, population as JSON, output folder, root seed, workers.
MEMORY_CHILD = """
import json, resource, sys, time
import pyarrow.parquet, tqdm.auto
from ecsim.experiment import Experiment, ProcessExecutor, run_experiment

def peak_rss():
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)

replicates, steps, population, out = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
seed, workers = int(sys.argv[5]), int(sys.argv[6])
exp = Experiment("memory", replicates=replicates, steps=steps, fixed=population, seed=seed)
base = peak_rss()
t0 = time.perf_counter()
report = run_experiment(exp, out, ProcessExecutor(workers), fresh=True, progress=False)
seconds = time.perf_counter() - t0
peak = peak_rss()
print(json.dumps({"base": base, "peak": peak, "completed": report.completed, "failed": report.failed,
                  "planned": report.planned, "seconds": seconds}))
"""


# Section 5, in a fresh interpreter: a sweep of argv[1] runs (default population, argv[2] steps) with argv[3]
# ("serial" or a number of workers); prints the driver's peak RSS and the largest RSS a worker process reached.
LONG_CHILD = """
import json, sys, threading, time
import psutil
from ecsim.experiment import Experiment, ProcessExecutor, SerialExecutor, run_experiment

runs, steps, how, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
me, workers_peak, done = psutil.Process(), [0], threading.Event()

def sample():
    while not done.is_set():
        for child in me.children(recursive=True):
            try:
                workers_peak[0] = max(workers_peak[0], child.memory_info().rss)
            except psutil.Error:
                pass
        time.sleep(0.1)

def driver_peak():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmHWM:"))

threading.Thread(target=sample, daemon=True).start()
exp = Experiment("long", regimes=("flexible",), replicates=runs // 2, steps=steps, seed=1)
executor = SerialExecutor() if how == "serial" else ProcessExecutor(int(how))
report = run_experiment(exp, out, executor, fresh=True, progress=False)
done.set()
print(json.dumps({"driver": driver_peak(), "workers": workers_peak[0], "completed": report.completed,
                  "planned": report.planned}))
"""


def long_child(runs: int, steps: int, how: str, out: Path) -> dict[str, Any]:
    """Peak memory of the driver and of its workers over a sweep of ``runs`` runs, in a fresh interpreter."""
    args = [str(runs), str(steps), how, str(out)]
    proc = subprocess.run([sys.executable, "-c", LONG_CHILD, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"long sweep of {runs} runs ({how}) failed:\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["completed"] != result["planned"]:
        raise RuntimeError(f"long sweep of {runs} runs ({how}) did not complete: {result}")
    return result


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def cpu_busy(seconds: float = 1.0) -> float | None:
    """Share of all CPUs' time spent busy over ``seconds`` (from /proc/stat; None where there is none)."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as fh:
            values = [int(v) for v in fh.readline().split()[1:9]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError):
        return None
    return 1.0 - (idle1 - idle0) / max(1, total1 - total0)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(wall seconds, result) of one call, after a garbage collection."""
    gc.collect()
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def bare_loop(exp: Experiment) -> int:
    """Build and run every model of the sweep, and nothing else."""
    tasks = plan(exp)
    for task in tasks:
        ecsim.EnhancedCooperationModel(regime=task.regime, rng=task.seed, **task.params).run()
    return len(tasks)


def _run_task(task: RunTask) -> None:
    ecsim.EnhancedCooperationModel(regime=task.regime, rng=task.seed, **task.params).run()


def _ready(_: int) -> int:
    return os.getpid()


def pool_context() -> Any:
    """fork where there is one (workers inherit the imports), else the platform's default."""
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)


def bare_parallel(exp: Experiment, pool: Any) -> int:
    """The bare loop on the pool's started workers, one run at a time: the machine's parallel ceiling."""
    tasks = plan(exp)
    pool.map(_run_task, tasks, chunksize=1)
    return len(tasks)


def sweep(exp: Experiment, out: Path, workers: int | None) -> SweepReport:
    """The whole sweep, executor construction (and so worker start-up) included."""
    executor = SerialExecutor() if workers is None else ProcessExecutor(workers)
    report = run_sweep(exp, out, executor, fresh=True, progress=False)
    if report.completed != report.planned or report.failed:
        raise RuntimeError(f"sweep into {out} did not complete: {report}")
    return report


def batch(exp: Experiment) -> list[dict[str, Any]]:
    """The same design with mesa.batch_run: every regime x every seed of the plan, the same steps."""
    seeds = sorted({task.seed for task in plan(exp)})
    return mesa.batch_run(
        ecsim.EnhancedCooperationModel,
        parameters={"regime": list(exp.regime_names), "rng": seeds, "steps": exp.steps},
        number_processes=WORKERS,
        iterations=1,
        data_collection_period=-1,
        max_steps=exp.steps,
        display_progress=False,
    )


def check_batch_run(rows: list[dict[str, Any]], exp: Experiment, store: Path) -> str | None:
    """None if batch_run did the sweep's runs with the sweep's steps, else what differs.

    With ``data_collection_period=-1`` batch_run reports the model variables at index ``model.steps - 1``
    (ecsim's tables also hold the initial state at index 0), so each row must match ecsim's stored per-step
    metrics at step ``steps - 1`` of the run with the same regime and seed, and report ``Step == steps - 1``.
    """
    planned = len(plan(exp))
    if len(rows) != planned:
        return f"batch_run returned {len(rows)} rows for {planned} runs"
    wrong = [r["Step"] for r in rows if r["Step"] != exp.steps - 1]
    if wrong:
        return f"batch_run stopped at model.steps = {wrong[0] + 1}, not {exp.steps}"
    steps = load_results(store).steps
    ref = steps[steps["step"] == exp.steps - 1].set_index(["regime", "seed"])
    metrics = ["cumulative_harm", "issues_arrived", "issues_resolved"]
    for row in rows:
        key = (row["regime"], row["rng"])
        if key not in ref.index:
            return f"batch_run ran {key}, which the sweep did not"
        if not np.allclose([row[m] for m in metrics], ref.loc[key, metrics].to_numpy(dtype=float)):
            return f"batch_run's run {key} differs from the sweep's"
    return None


def memory_child(runs: int, steps: int, out: Path) -> dict[str, Any]:
    """Driver memory of one sweep of ``runs`` runs, in a fresh interpreter."""
    replicates = runs // 4
    args = [str(replicates), str(steps), json.dumps(SMALL_POPULATION), str(out), str(SEED), str(WORKERS)]
    proc = subprocess.run([sys.executable, "-c", MEMORY_CHILD, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"memory sweep of {runs} runs failed:\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["completed"] != result["planned"] or result["failed"]:
        raise RuntimeError(f"memory sweep of {runs} runs did not complete: {result}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None, help="timed rounds (default 3; best taken)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 20 runs of 60 steps, one round")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 3)
    replicates, steps = (5, 60) if args.quick else (50, 240)
    memory_steps = 12 if args.quick else 24
    exp = Experiment("sweep_speed", replicates=replicates, steps=steps, seed=SEED)
    runs = len(plan(exp))
    start = time.perf_counter()

    print("ecsim experiment engine benchmark")
    print("=" * 72)
    print(f"Python {platform.python_version()} ({platform.python_implementation()}), NumPy {np.__version__}, ", end="")
    print(f"pandas {pd.__version__}, Mesa {mesa.__version__}, ecsim {ecsim.__version__}")
    print(f"Platform {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    busy = cpu_busy()
    warn = "  <- the machine is busy: figures will be skewed" if (busy if busy is not None else load / 2) > 0.1 else ""
    now = "" if busy is None else f", CPU busy over the last second {busy:.0%}"
    print(f"Before starting: load average (1 min) {load:.2f}{now}{warn}")
    print(f"Sweep: {len(exp.regimes)} regimes x {replicates} replicates = {runs} runs of {steps} steps at the default")
    print(f"population; {repeats} timed round(s), best taken; {WORKERS} workers where parallel")
    own = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    print(f"multiprocessing start method: ProcessExecutor {own}, mesa.batch_run {multiprocessing.get_start_method()}")
    print()

    ok = True
    with tempfile.TemporaryDirectory(prefix="ecsim-sweep-speed-") as tmp_name:
        tmp = Path(tmp_name)
        # Warm-up: imports, first Parquet write, first forkserver and fork pools, first-call costs.
        warm = Experiment("warm_up", replicates=1, steps=24, seed=SEED)
        bare_loop(warm)
        sweep(warm, tmp / "warm-serial", None)
        first_start, _ = timed(lambda: sweep(warm, tmp / "warm-process-1", WORKERS))
        again, _ = timed(lambda: sweep(warm, tmp / "warm-process-2", WORKERS))
        batch(warm)

        best: dict[str, float] = {}
        kept: dict[str, SweepReport] = {}
        batch_rows: list[dict[str, Any]] = []
        with pool_context().Pool(WORKERS) as pool:
            pool.map(_ready, range(WORKERS))
            for i in range(repeats):
                jobs: dict[str, Callable[[], Any]] = {
                    "bare": lambda: bare_loop(exp),
                    "bare_parallel": lambda: bare_parallel(exp, pool),
                    "serial": lambda i=i: sweep(exp, tmp / f"serial-{i}", None),
                    "process": lambda i=i: sweep(exp, tmp / f"process-{i}", WORKERS),
                    "batch_run": lambda: batch(exp),
                }
                # Every other round in reverse order, so that a slow drift of the machine's speed evens out.
                order = list(jobs) if i % 2 == 0 else list(reversed(jobs))
                results = {name: timed(jobs[name]) for name in order}
                for name, (seconds, result) in results.items():
                    if seconds < best.get(name, float("inf")):
                        best[name] = seconds
                        if name in ("serial", "process"):
                            kept[name] = result
                        if name == "batch_run":
                            batch_rows = result
                round_times = ", ".join(f"{name} {seconds:.2f} s" for name, (seconds, _) in results.items())
                print(f"   round {i + 1}: {round_times}")
        print()

        serial_runs = load_results(kept["serial"].out).runs
        process_runs = load_results(kept["process"].out).runs

        print(f"1. Throughput ({runs} runs; wall time of run_experiment, worker start-up included)")
        serial_rate, process_rate = runs / best["serial"], runs / best["process"]
        speedup = process_rate / serial_rate
        passed = speedup >= SPEEDUP_TARGET
        ok &= passed
        print(f"   SerialExecutor      : {best['serial']:8.2f} s  {serial_rate:7.2f} runs/s")
        print(f"   ProcessExecutor({WORKERS})  : {best['process']:8.2f} s  {process_rate:7.2f} runs/s")
        print(f"   speedup {speedup:.2f}x   target >= {SPEEDUP_TARGET:g}x   {verdict(passed)}")
        serial_run = serial_runs["wall_time"].mean()
        worker_run = process_runs["wall_time"].mean()
        busy_share = process_runs["wall_time"].sum() / (WORKERS * best["process"])
        print(f"   mean time per run inside run_one: serial {serial_run * 1e3:.1f} ms, in the workers ", end="")
        print(f"{worker_run * 1e3:.1f} ms (x{worker_run / serial_run:.2f}); workers busy {busy_share:.0%} of the wall")
        start_up = first_start - again
        print(f"   first ProcessExecutor in a process: {start_up:+.2f} s to start the forkserver (ecsim preloaded);")
        print("   paid once per driver process, here in the warm-up, so not in the figures above")
        ceiling = best["bare"] / best["bare_parallel"]
        share = speedup / ceiling
        print(
            f"   machine's ceiling: the bare loop on {WORKERS} started processes: {ceiling:.2f}x the serial one ",
            end="",
        )
        print(f"({runs / best['bare_parallel']:.2f} runs/s); the sweep's speedup is {share:.0%} of it")
        print()

        print(f"2. Orchestration overhead (serial sweep against a bare loop over the same {runs} models)")
        overhead = (best["serial"] - best["bare"]) / best["bare"]
        passed = overhead <= OVERHEAD_TARGET
        ok &= passed
        print(f"   bare loop           : {best['bare']:8.2f} s  ({best['bare'] / runs * 1e3:.1f} ms per run)")
        print(f"   serial sweep        : {best['serial']:8.2f} s  ({best['serial'] / runs * 1e3:.1f} ms per run)")
        print(f"   overhead {overhead:+.1%}   target <= {OVERHEAD_TARGET:.0%}   {verdict(passed)}")
        in_runs = serial_runs["wall_time"].sum()
        print("   where the sweep's time goes (best serial round; the first line carries run-to-run noise):")
        print(f"     model runs + per-step table + summary (run_one) : {in_runs:8.2f} s", end="")
        print(f"  ({(in_runs - best['bare']) / runs * 1e3:+.2f} ms per run against the bare loop)")
        print(f"     driver: batch frames + Parquet parts            : {kept['serial'].seconds - in_runs:8.2f} s")
        setup = best["serial"] - kept["serial"].seconds
        print(f"     setup + finish (plan, provenance, manifest)     : {setup:8.2f} s")
        print()

        print(f"3. Against mesa.batch_run (the same {runs} runs of {steps} steps, {WORKERS} processes)")
        problem = check_batch_run(batch_rows, exp, kept["process"].out)
        ratio = best["process"] / best["batch_run"]
        passed = ratio <= BATCH_RUN_TARGET and problem is None
        ok &= passed
        print(f"   mesa.batch_run      : {best['batch_run']:8.2f} s  {runs / best['batch_run']:7.2f} runs/s")
        print(f"   ecsim sweep         : {best['process']:8.2f} s  {process_rate:7.2f} runs/s  (Parquet store written)")
        print(f"   ecsim / batch_run {ratio:.2f}   target <= {BATCH_RUN_TARGET:g}   {verdict(passed)}")
        same = "same runs and steps, checked against ecsim's stored metrics" if problem is None else problem
        print(f"   batch_run: {len(batch_rows)} rows; {same}")
        print()

        print(f"4. Driver peak memory (ProcessExecutor({WORKERS}), {memory_steps} steps, population ", end="")
        print(f"{sum(SMALL_POPULATION.values())} agents, one fresh process per sweep)")
        memory = {n: memory_child(n, memory_steps, tmp / f"memory-{n}") for n in MEMORY_RUNS}
        for n, m in memory.items():
            mib = {k: m[k] / 2**20 for k in ("base", "peak")}
            print(f"   {n:>5} runs: peak {mib['peak']:7.1f} MiB  (after imports {mib['base']:7.1f} MiB, ", end="")
            print(f"sweep adds {mib['peak'] - mib['base']:6.1f} MiB)  in {m['seconds']:.1f} s")
        added = [memory[n]["peak"] - memory[n]["base"] for n in MEMORY_RUNS]
        per_k = (added[1] - added[0]) / 2**20 / ((MEMORY_RUNS[1] - MEMORY_RUNS[0]) / 1000)
        print(f"   the sweep's own share grows by {per_k:.1f} MiB per 1,000 runs")
        small, large = (memory[n]["peak"] for n in MEMORY_RUNS)
        growth = large / small
        passed = growth <= MEMORY_TARGET
        ok &= passed
        print(
            f"   peak({MEMORY_RUNS[1]}) / peak({MEMORY_RUNS[0]}) = {growth:.2f}   target <= {MEMORY_TARGET:g}   ",
            end="",
        )
        print(verdict(passed))
        print()

        long_runs = (20, 200) if args.quick else LONG_RUNS
        print(f"5. Memory over long sweeps (default population, {memory_steps} steps, one fresh process per sweep)")
        for label, how, key in (("serial driver", "serial", "driver"), (f"{WORKERS} workers", str(WORKERS), "workers")):
            peaks = [long_child(n, memory_steps, how, tmp / f"long-{how}-{n}")[key] for n in long_runs]
            growth = peaks[1] / peaks[0]
            passed = growth <= LONG_TARGET
            ok &= passed
            print(f"   {label:<14}: peak after {long_runs[0]:>5} runs {peaks[0] / 2**20:7.1f} MiB, after ", end="")
            print(f"{long_runs[1]:>5} runs {peaks[1] / 2**20:7.1f} MiB   ratio {growth:.2f}   ", end="")
            print(f"target <= {LONG_TARGET:g}   {verdict(passed)}")
        print()

    print(f"Total time: {time.perf_counter() - start:.0f} s")
    print(f"Overall: {verdict(ok)}" + ("" if args.check else " (informational; use --check to fail on a miss)"))
    return 1 if (args.check and not ok) else 0


if __name__ == "__main__":
    sys.exit(main())

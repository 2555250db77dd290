"""Analysis at the scale of the sweep: time and peak memory to open a store and analyse it, against its size.

What it measures, on synthetic stores of 10^4 and 10^5 runs x 240 months (241 stored steps each) built
directly with the real schema (no model run: the runs table has every key, parameter and summary column a
sweep stores, typed by ``ecsim.experiment.schema``; the steps table every per-step metric), and on any real
store given with ``--store`` (e.g. the Morris screening's, ``results/sensitivity_morris``):

1. **open**: ``load_results(folder)``: every part checked, the runs table read; the step table stays on disk.
2. **bands**: open, then the harm-over-time bands ``analysis.timeseries(results.step_table, "harm")``
   (mean and Student-t band per regime and month, aggregated in DuckDB over the Parquet parts).
3. **paired**: open, then a paired comparison on the runs table: ``analysis.paired_summary`` of
   ``harm_reduction`` (``analysis.paired_runs``) for three pairs of regimes, with BCa bootstrap intervals.
4. **eager** (10^4 runs only, for reference): open, then ``results.steps`` (the whole step table in pandas)
   and the same bands from it, as every study did before the step table became lazy.

Each measurement runs in a fresh process: wall time with ``time.perf_counter`` (after the imports), peak memory
as VmHWM from ``/proc/self/status`` (``ru_maxrss`` carries the parent's high-water mark across fork + exec).
The memory after the imports is printed too: most of a small store's peak is the imports.
Targets: the peak of open + bands (and of paired) grows at most 1.5x from 10^4 to 10^5 runs, and 10^5 runs are
analysed within 4 GB.

The synthetic stores: four regimes, 50 replicates per design point (50 and 500 points), parts of 100 runs (a
sweep writes parts of up to 16 runs; fewer, larger parts keep the build short: one run's rows are the same),
0.2% of the runs failed (no steps).  ``harm`` is random, ``cumulative_harm`` its running sum (so the paired
harm reduction is consistent with the runs table); the other per-step metrics hold one value per run (they
are stored but not read here).  Building the 10^5 store writes about 24 M step rows and takes a minute or two.

Run: ``python benchmarks/analysis_scale.py`` (``--sizes 10000`` for one size, ``--store DIR`` for a real
store, ``--keep DIR`` to build the synthetic stores there and keep them, ``--check`` to exit 1 if a target
is missed).  A benchmark that prints figures, not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ecsim.experiment.schema import to_arrow
from ecsim.experiment.store import Identity, Plan, Store, finish_manifest, run_id
from ecsim.model.metrics import BY_NAME
from ecsim.model.model import METRICS
from ecsim.model.summary import parameter_columns
from ecsim.params import validate

REGIMES = ("centralised", "flexible", "self_regulatory", "no_cooperation")
REPLICATES = 50
STEPS = 240
RUNS_PER_PART = 100
FAILED_SHARE = 0.002
GROWTH_TARGET = 1.5
MEMORY_TARGET = 4 * 2**30
PAIRS = [("flexible", "centralised"), ("flexible", "self_regulatory"), ("self_regulatory", "centralised")]

# ---------------------------------------------------------------------------------------------- synthetic store


def build_store(folder: Path, runs: int, seed: int = 0) -> Path:
    """A store of ``runs`` runs x STEPS months with the real schema, written part by part."""
    points = runs // (REPLICATES * len(REGIMES))
    plan = Plan(points, REPLICATES, REGIMES)
    spec = {"name": f"synthetic_{runs}", "regimes": [{"name": r} for r in REGIMES], "steps": STEPS}
    identity = Identity(f"synthetic{runs:010d}", "synthetic-model", plan, spec)
    store = Store(folder)
    rng = np.random.default_rng(seed)
    params = parameter_columns(validate({"steps": STEPS}))
    summaries = [m for m in BY_NAME if m not in ("harm", "issues_open")]
    ids = [(p, r, g) for p in range(points) for r in range(REPLICATES) for g in REGIMES]
    with store.locked():
        store.write_manifest(
            {
                "name": spec["name"],
                "spec": spec,
                "spec_hash": identity.spec_hash,
                "model_fingerprint": identity.model_fingerprint,
                "plan": plan.to_dict(),
                "runs_planned": plan.size,
                "sessions": [],
            }
        )
        store.open_for_writing(identity, fresh=False)
        steps = np.arange(STEPS + 1, dtype=np.int32)
        for start in range(0, len(ids), RUNS_PER_PART):
            batch = ids[start : start + RUNS_PER_PART]
            n = len(batch)
            failed = rng.random(n) < FAILED_SHARE
            level = rng.gamma(4.0, 5.0, n) * np.array([{"no_cooperation": 1.0}.get(g, 0.7) for _, _, g in batch])
            harm = np.maximum(level[:, None] + rng.normal(0.0, 3.0, (n, STEPS + 1)), 0.0)
            harm[:, 0] = 0.0
            cumulative = np.cumsum(harm, axis=1)
            ok = ~failed
            rows = pd.DataFrame(
                {
                    "run_id": [run_id(p, r, g) for p, r, g in batch],
                    "point": [p for p, _, _ in batch],
                    "replicate": [r for _, r, _ in batch],
                    "regime": [g for _, _, g in batch],
                    "seed": rng.integers(0, 2**62, n),
                    "steps": STEPS,
                }
            )
            for name in summaries:
                rows[name] = rng.random(n) * 100 if BY_NAME[name].dtype is float else rng.integers(0, 500, n)
            rows["cumulative_harm"] = cumulative[:, -1]
            rows["status"] = np.where(failed, "failed", "ok")
            rows["error"] = np.where(failed, "RuntimeError: synthetic failure", "")
            rows["wall_time"] = rng.gamma(2.0, 2.0, n)
            rows.loc[failed, summaries] = np.nan
            for name, value in params.items():
                rows[name] = value
            table = _steps_table(rows.loc[ok, "run_id"].to_numpy(), steps, harm[ok], cumulative[ok], rng)
            store.write_batch(identity, to_arrow(rows), table)
        manifest = store.read_manifest() or {}
        finish_manifest(store, manifest)
    return folder


def _steps_table(ids: np.ndarray, steps: np.ndarray, harm: np.ndarray, cumulative: np.ndarray, rng: Any) -> pa.Table:
    n, k = harm.shape
    columns: dict[str, Any] = {"run_id": pa.array(np.repeat(ids, k)), "step": pa.array(np.tile(steps, n))}
    for name in METRICS:
        if name == "harm":
            values: Any = harm.ravel()
        elif name == "cumulative_harm":
            values = cumulative.ravel()
        elif BY_NAME[name].dtype is int:
            values = np.repeat(rng.integers(0, 500, n), k)
        else:
            values = np.repeat(rng.random(n), k)
        columns[name] = pa.array(values, pa.int64() if BY_NAME[name].dtype is int else pa.float64())
    return pa.table(columns)


# ---------------------------------------------------------------------------------------------- measurements
CHILD = r"""
import json, sys, time
def peak():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmHWM:"))
def rss():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmRSS:"))
from ecsim import analysis
from ecsim.experiment import load_results
import duckdb, scipy.stats  # imported by the first query or bootstrap anyway: counted with the imports
folder, task = sys.argv[1], sys.argv[2]
pairs = json.loads(sys.argv[3])
base = rss()
t0 = time.perf_counter()
results = load_results(folder)
t1 = time.perf_counter()
rows = 0
if task == "bands":
    rows = len(analysis.timeseries(results.step_table, "harm"))
elif task == "paired":
    runs = analysis.paired_runs(results)
    regimes = set(runs["regime"])
    rows = len(analysis.paired_summary(runs, "harm_reduction", [p for p in pairs if set(p) <= regimes]))
elif task == "eager":
    rows = len(analysis.timeseries(results.steps, "harm"))
t2 = time.perf_counter()
print(json.dumps({"open": t1 - t0, "task": t2 - t1, "peak": peak(), "base": base, "rows": rows,
                  "runs": len(results.runs)}))
"""


def measure(folder: Path, task: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), task, json.dumps(PAIRS)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{task} on {folder} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def mb(n: float) -> str:
    return f"{n / 2**20:7.0f} MB"


def disk(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*.parquet"))


def report_store(label: str, folder: Path, tasks: list[str]) -> dict[str, dict[str, Any]]:
    out = {task: measure(folder, task) for task in tasks}
    runs = out[tasks[0]]["runs"]
    print(
        f"{label}: {runs:,} runs, {disk(folder) / 2**20:.0f} MB of Parquet, after imports {mb(out[tasks[0]]['base'])}"
    )
    for task, m in out.items():
        what = {"open": "open", "bands": "open + harm bands", "paired": "open + paired", "eager": "eager bands"}[task]
        detail = "" if task == "open" else f"  (open {m['open']:6.2f} s + {m['task']:6.2f} s)"
        print(f"   {what:<18} {m['open'] + m['task']:7.2f} s   peak {mb(m['peak'])}{detail}")
    return out


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="synthetic store sizes in runs (comma-separated)")
    parser.add_argument("--store", action="append", default=[], help="a real store to measure too (repeatable)")
    parser.add_argument("--keep", help="build the synthetic stores in this folder and keep them (reused if there)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; duckdb, pandas {pd.__version__}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="ecsim-analysis-scale-") as tmp:
        root = Path(args.keep) if args.keep else Path(tmp)
        figures: dict[int, dict[str, dict[str, Any]]] = {}
        for size in sizes:
            folder = root / f"synthetic-{size}"
            if not (folder / "manifest.json").exists():
                start = time.perf_counter()
                build_store(folder, size)
                print(f"built {folder.name} in {time.perf_counter() - start:.0f} s")
            tasks = ["open", "bands", "paired", *(["eager"] if size <= 10_000 else [])]
            figures[size] = report_store(f"synthetic store of {size:,} runs x {STEPS} months", folder, tasks)
        for path in args.store:
            report_store(f"store {path}", Path(path), ["open", "bands", "paired"])
        if len(sizes) >= 2:
            small, large = min(sizes), max(sizes)
            print(f"\ntargets ({small:,} -> {large:,} runs)")
            for task in ("bands", "paired"):
                growth = figures[large][task]["peak"] / figures[small][task]["peak"]
                passed = growth <= GROWTH_TARGET
                ok &= passed
                print(
                    f"   peak growth, open + {task:<7}: {growth:5.2f}x  target <= {GROWTH_TARGET}x  {verdict(passed)}"
                )
            worst = max(m["peak"] for m in figures[large].values())
            passed = worst <= MEMORY_TARGET
            ok &= passed
            print(f"   largest peak at {large:,} runs: {mb(worst)}  target <= 4096 MB  {verdict(passed)}")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Run an experiment: plan the runs, skip stored ones, farm batches out, stream results to the store.

Seeds are assigned when the runs are planned, before any work is farmed out
(one per design point and replicate, shared by all regimes), so results are the
same for every executor and worker count.  Completed batches are written as
they arrive; the driver keeps only counters, so its memory stays flat however
large the sweep.  Ctrl-C stops cleanly and leaves a folder that the same
command resumes.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecsim.experiment.designs import design_points
from ecsim.experiment.executors import Executor, SerialExecutor
from ecsim.experiment.spec import Experiment
from ecsim.experiment.store import Store
from ecsim.experiment.worker import RunTask, run_batch
from ecsim.model.summary import parameter_columns
from ecsim.params import validate
from ecsim.rng import run_seed


@dataclass
class SweepReport:
    """What a sweep did: counts, failures and where the results are."""

    out: Path
    planned: int
    skipped: int  # already stored when the sweep started
    completed: int = 0
    failed: int = 0
    interrupted: bool = False
    seconds: float = 0.0
    failures: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        state = "interrupted" if self.interrupted else "done"
        text = (
            f"{state}: {self.completed} runs completed, {self.failed} failed, {self.skipped} already stored "
            f"(of {self.planned}) in {self.seconds:.1f} s -> {self.out}"
        )
        if self.interrupted:
            text += "\nre-run the same command to resume"
        for f in self.failures[:5]:
            text += f"\n  failed {f['run_id']} (seed {f['seed']}): {f['error']}"
        if self.failed > 5:
            text += f"\n  ... and {self.failed - 5} more (see load_results(...).failed)"
        return text


def plan(experiment: Experiment) -> list[RunTask]:
    """Every run of the experiment, in a fixed order: point, replicate, regime."""
    tasks = []
    for p, point in enumerate(design_points(experiment)):
        values = {k: v for k, v in point.items() if not k.startswith("u_")}
        params = {**experiment.fixed, **values, "steps": experiment.steps}
        for r in range(experiment.replicates):
            seed = run_seed(experiment.seed, p, r)
            for regime in experiment.regimes:
                run_id = f"p{p:05d}-r{r:04d}-{regime.name}"  # type: ignore[union-attr]
                tasks.append(RunTask(run_id, p, r, regime, seed, params))  # type: ignore[arg-type]
    return tasks


def _batches(tasks: list[RunTask], workers: int, largest: int = 16) -> list[list[RunTask]]:
    """Split into batches: about eight per worker, so the last ones leave little idle time at the end,
    and never more than ``largest`` runs each, so a batch's results stay small."""
    if not tasks:
        return []
    size = max(1, min(largest, math.ceil(len(tasks) / (workers * 8))))
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


def _git(args: list[str]) -> str | None:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", *args], cwd=here, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


#: The code that decides what a run computes: a store's runs must all come from the same bytes of it.
_MODEL_CODE = ("model", "games", "params.py", "rng.py", "experiment/worker.py")


def model_fingerprint(package: Path | None = None) -> str:
    """Hash of the source files that decide a run's numbers (the model, its games, parameters, seeds).

    Stored in a sweep's manifest; a resume with different model code is refused, so that one
    store never mixes runs of two models.  Analysis, plotting and documentation are not part of it.
    """
    root = Path(__file__).resolve().parents[1] if package is None else Path(package)
    digest = hashlib.sha256()
    for entry in _MODEL_CODE:
        path = root / entry
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(root).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _provenance() -> dict[str, Any]:
    import mesa
    import scipy

    from ecsim import __version__

    commit = _git(["rev-parse", "HEAD"])
    dirty = _git(["status", "--porcelain", "--untracked-files=no"])
    return {
        "ecsim": __version__,
        "git_commit": commit,
        "git_dirty": None if dirty is None else bool(dirty),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
        "mesa": mesa.__version__,
        "platform": platform.platform(),
    }


def _rows_frame(rows: list[dict[str, Any]], tasks: dict[str, RunTask], points: list[dict[str, Any]]) -> pd.DataFrame:
    """Summary rows with every parameter (defaults included) and the design's unit coordinates."""
    records = []
    for row in rows:
        task = tasks[row["run_id"]]
        full = parameter_columns(validate(task.params))
        units = {k: v for k, v in points[task.point].items() if k.startswith("u_")}
        records.append({**row, **full, **units})
    return pd.DataFrame.from_records(records)


def run_experiment(
    experiment: Experiment,
    out: str | Path | None = None,
    executor: Executor | None = None,
    fresh: bool = False,
    progress: bool | None = None,
) -> SweepReport:
    """Run (or resume) ``experiment`` into the store folder ``out`` (default ``results/NAME``).

    Args:
        executor: where runs execute (default: serial in this process).  The executor is
            closed when the sweep ends.
        fresh: discard what the folder holds instead of resuming.
        progress: show a progress bar (default: when stderr is a terminal, or in Jupyter).
    """
    out = Path(out) if out is not None else Path("results") / experiment.name
    executor = executor or SerialExecutor()
    store = Store(out)
    try:
        fingerprint = model_fingerprint()
        store.open_for_writing(experiment.hash, fresh, fingerprint)
        tasks = plan(experiment)
        done = store.completed()
        pending = [t for t in tasks if t.run_id not in done]
        report = SweepReport(out=out, planned=len(tasks), skipped=len(tasks) - len(pending))
        manifest = store.read_manifest() or {
            "name": experiment.name,
            "spec": experiment.to_dict(),
            "spec_hash": experiment.hash,
            "model_fingerprint": fingerprint,
            "root_seed": experiment.seed,
            "runs_planned": len(tasks),
            "sessions": [],
        }
        manifest["provenance"] = _provenance()
        session = {"start": dt.datetime.now(dt.UTC).isoformat(), "executor": executor.description, "end": None}
        manifest["sessions"].append(session)
        manifest["status"] = "running"
        store.write_manifest(manifest)
        by_id = {t.run_id: t for t in tasks}
        points = design_points(experiment)
        _execute(experiment, store, executor, pending, by_id, points, report, progress)
    finally:
        executor.close()
    return _finish(store, report, session)


def _execute(
    experiment: Experiment,
    store: Store,
    executor: Executor,
    pending: list[RunTask],
    by_id: dict[str, RunTask],
    points: list[dict[str, Any]],
    report: SweepReport,
    progress: bool | None,
) -> None:
    from tqdm.auto import tqdm

    in_jupyter = "ipykernel" in sys.modules  # tqdm.auto draws a widget there
    show = (sys.stderr.isatty() or in_jupyter) if progress is None else progress
    bar = tqdm(
        total=report.planned,
        initial=report.skipped,
        disable=not show,
        unit="run",
        desc=experiment.name,
        dynamic_ncols=True,
    )
    start = time.perf_counter()
    work = functools.partial(run_batch, outputs=experiment.outputs)
    results: Iterator[Any] = executor.map_unordered(work, _batches(pending, executor.workers))
    try:
        for rows, steps in results:
            store.write_batch(_rows_frame(rows, by_id, points), steps)
            failed = [r for r in rows if r["status"] != "ok"]
            report.completed += len(rows) - len(failed)
            report.failed += len(failed)
            report.failures.extend({k: r[k] for k in ("run_id", "seed", "error")} for r in failed)
            bar.update(len(rows))
            bar.set_postfix(failed=report.failed, refresh=False)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        bar.close()
        report.seconds = time.perf_counter() - start


def _finish(store: Store, report: SweepReport, session: dict[str, Any]) -> SweepReport:
    manifest = store.read_manifest() or {}
    session["end"] = dt.datetime.now(dt.UTC).isoformat()
    runs = store.read_runs(columns=["run_id", "status", "wall_time", "seed"])  # not the whole table: memory
    manifest["status"] = "interrupted" if report.interrupted else ("failures" if report.failed else "complete")
    if not runs.empty:
        manifest["runs"] = {
            r.run_id: {"status": r.status, "wall_time": round(float(r.wall_time), 4), "seed": int(r.seed)}
            for r in runs[["run_id", "status", "wall_time", "seed"]].itertuples(index=False)
        }
        manifest["runs_ok"] = int((runs["status"] == "ok").sum())
        manifest["runs_failed"] = int((runs["status"] != "ok").sum())
    store.write_manifest(manifest)
    return report

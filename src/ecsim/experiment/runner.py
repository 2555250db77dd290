"""Run an experiment: plan the runs, skip stored ones, farm batches out, stream results to the store.

Seeds are assigned when the runs are planned, before any work is farmed out
(one per design point and replicate, shared by all regimes), so results are the
same for every executor and worker count.  Completed batches are written as
they arrive; the driver keeps only counters, so its memory stays flat however
large the sweep.

Faults: a run that raises or outlasts ``run_timeout`` is stored as failed.  A
worker process that dies (a crash, ``os._exit``, the out-of-memory killer) loses
the batches it and its pool ran: their runs are run again one at a time, alone,
so that a run which kills its worker again is named and stored as failed with
its seed, and the sweep goes on.  Ctrl-C or SIGTERM stops cleanly: batches in
flight finish and are stored, nothing new starts (a second Ctrl-C stops the
workers at once), and the same command resumes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import math
import platform
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecsim.dimensions import DIMENSIONS
from ecsim.experiment import reuse
from ecsim.experiment.designs import count_points, design_points, seed_point
from ecsim.experiment.executors import Executor, SerialExecutor, WorkerLost
from ecsim.experiment.schema import to_arrow
from ecsim.experiment.spec import Experiment, ExperimentError
from ecsim.experiment.store import Identity, Plan, Store, finish_manifest, run_id
from ecsim.experiment.worker import RunTask, failed_row, run_batch
from ecsim.model.metrics import SUMMARY
from ecsim.model.regimes import BASELINE
from ecsim.model.summary import parameter_columns
from ecsim.params import validate
from ecsim.rng import run_seed


@dataclass
class SweepReport:
    """What a sweep did: counts, failures and where the results are."""

    out: Path
    planned: int
    skipped: int  # already stored when the sweep started
    completed: int = 0  # run in this session (copies included)
    reused: int = 0  # of them, copied from other stores (``reuse``)
    reused_from: dict[str, int] = field(default_factory=dict)  # how many from each store
    failed: int = 0
    interrupted: bool = False
    signal: str = ""  # what interrupted it: SIGINT (Ctrl-C) or SIGTERM
    seconds: float = 0.0
    failures: list[dict[str, Any]] = field(default_factory=list)
    plan: str = ""  # how the planned runs come about (:func:`plan_text`)

    def __str__(self) -> str:
        state = "interrupted" if self.interrupted else "done"
        text = (
            f"{state}: {self.completed} runs completed, {self.failed} failed, {self.skipped} already stored "
            f"(of {self.plan or self.planned}) in {self.seconds:.1f} s -> {self.out}"
        )
        if self.reused:
            text += f"\n{self.reused} of the completed runs were copied from stores that hold them already"
        if self.interrupted:
            text += "\nre-run the same command to resume"
        for f in self.failures[:5]:
            text += f"\n  failed {f['run_id']} (seed {f['seed']}): {f['error']}"
        if self.failed > 5:
            text += f"\n  ... and {self.failed - 5} more (see load_results(...).failed)"
        return text


def plan(experiment: Experiment) -> list[RunTask]:
    """Every run of the experiment, in a fixed order: point, replicate, regime.

    Design dimensions set as fixed values or factors (``consultation``, ``scope``, ...) change every
    regime of the experiment but the baseline: harm reduction is always paired against the same
    world without enhanced cooperation.
    """
    tasks = []
    for p, point in enumerate(design_points(experiment)):
        values = {k: v for k, v in point.items() if not k.startswith("u_")}
        params = {**experiment.fixed, **values, "steps": experiment.steps}
        baseline_params = {k: v for k, v in params.items() if k not in DIMENSIONS}
        for r in range(experiment.replicates):
            seed = run_seed(experiment.seed, seed_point(experiment, p), r)
            for regime in experiment.regimes:
                name = regime.name  # type: ignore[union-attr]
                own = baseline_params if name == BASELINE else params
                tasks.append(RunTask(run_id(p, r, name), p, r, regime, seed, own))  # type: ignore[arg-type]
    return tasks


#: The most runs a sweep may plan unless told otherwise (``max_runs``, ``--max-runs``).
MAX_RUNS = 1_000_000


def count_runs(experiment: Experiment) -> int:
    """How many runs the experiment plans (design points x replicates x regimes), without building them."""
    return count_points(experiment) * experiment.replicates * len(experiment.regimes)


def plan_text(experiment: Experiment, points: int | None = None) -> str:
    """'18 runs = 6 points x 1 replicate x 3 regimes (no_cooperation added: ...)': what a sweep plans, and why.

    Says when ``no_cooperation`` was added to the regimes asked for (harm reduction is paired against it),
    so that a 2-regime, 6-point sweep's 18 runs are no surprise.
    """
    points = count_points(experiment) if points is None else points
    replicates, regimes = experiment.replicates, len(experiment.regimes)
    total = points * replicates * regimes

    def n(count: int, word: str) -> str:
        return f"{count:,} {word}{'' if count == 1 else 's'}"

    text = f"{total:,} runs = {n(points, 'point')} x {n(replicates, 'replicate')} x {n(regimes, 'regime')}"
    if experiment.added_baseline:
        text += f" ({BASELINE} added as the baseline that harm reduction is paired against)"
    return text


def check_size(experiment: Experiment, max_runs: int = MAX_RUNS) -> int:
    """The number of runs planned; ExperimentError (nothing built, nothing written) if above ``max_runs``."""
    planned = count_runs(experiment)
    if planned > max_runs:
        raise ExperimentError(
            f"the design plans {plan_text(experiment)}, more than max_runs={max_runs:,}: "
            "make it smaller or raise the limit (--max-runs)"
        )
    return planned


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
_MODEL_CODE = ("model", "games", "data", "params.py", "rng.py", "experiment/worker.py", "experiment/designs.py")
#: The files of those folders that count: code, and the data tables the model reads (ecsim.data).
_MODEL_FILES = ("*.py", "*.csv")
#: The libraries that draw a sweep's design points.
_DESIGN_LIBRARIES = ("scipy", "SALib")


def model_fingerprint(package: Path | None = None) -> str:
    """Hash of what decides a run's numbers and a sweep's design points.

    The source of the model, its games, parameters and seeds, the data tables it reads (ecsim.data),
    the worker, and the design code, plus the versions of scipy and SALib that draw designs.  Stored in a sweep's
    manifest and in every part; a resume with a different fingerprint is refused, so one
    store never mixes runs of two models or two sets of design points.  Analysis, plotting
    and documentation are not part of it.
    """
    root = Path(__file__).resolve().parents[1] if package is None else Path(package)
    digest = hashlib.sha256()
    for entry in _MODEL_CODE:
        path = root / entry
        files = sorted(f for pattern in _MODEL_FILES for f in path.rglob(pattern)) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(root).as_posix().encode())
            digest.update(file.read_bytes())
    for library in _DESIGN_LIBRARIES:
        try:
            digest.update(f"{library}=={version(library)}".encode())
        except PackageNotFoundError:  # pragma: no cover - declared dependencies
            digest.update(f"{library} missing".encode())
    return digest.hexdigest()[:16]


def _provenance() -> dict[str, Any]:
    import mesa
    import scipy

    from ecsim._version import __version__

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


_SUMMARY_COLUMNS = ("steps", *(m.name for m in SUMMARY))


def _rows_frame(rows: list[dict[str, Any]], tasks: dict[str, RunTask], points: list[dict[str, Any]]) -> pd.DataFrame:
    """Summary rows with every parameter (defaults included) and the design's unit coordinates.

    Every frame has every summary column, also when all its runs failed: a store's schema
    does not depend on which runs failed.
    """
    records = []
    for row in rows:
        task = tasks[row["run_id"]]
        full = parameter_columns(validate(task.params))
        units = {k: v for k, v in points[task.point].items() if k.startswith("u_")}
        records.append({**row, **full, **units})
    frame = pd.DataFrame.from_records(records)
    for name in _SUMMARY_COLUMNS:
        if name not in frame:
            frame[name] = float("nan")
    return frame


def stored_steps(steps: pd.DataFrame | None, experiment: Experiment) -> pd.DataFrame | None:
    """What the store keeps of a batch's per-step tables: nothing without ``outputs``, and with
    ``step_every=k`` every k-th step plus each run's last (the summaries were made from every step)."""
    if steps is None or not experiment.outputs:
        return None
    k = experiment.step_every
    if k > 1:
        last = steps.groupby("run_id", sort=False)["step"].transform("max")
        steps = steps[(steps["step"] % k == 0) | (steps["step"] == last)].reset_index(drop=True)
    return steps


def run_experiment(
    experiment: Experiment,
    out: str | Path | None = None,
    executor: Executor | None = None,
    fresh: bool = False,
    progress: bool | None = None,
    run_timeout: float | None = None,
    max_runs: int = MAX_RUNS,
    command: str | None = None,
    reuse: Sequence[str | Path] = (),
) -> SweepReport:
    """Run (or resume) ``experiment`` into the store folder ``out`` (default ``results/NAME``).

    Args:
        executor: where runs execute (default: serial in this process).  The executor is
            closed when the sweep ends.
        fresh: discard what the folder holds instead of resuming.
        progress: show a progress bar (default: when stderr is a terminal, or in Jupyter).
        run_timeout: seconds after which a run is stopped and stored as failed (default: none).
        max_runs: refuse, before anything is built or written, a design of more runs than this.
        command: the command line that started the sweep, recorded with the session in the manifest
            (how to resume it: the same command).
        reuse: other stores whose identical runs are copied instead of run (:mod:`ecsim.experiment.reuse`);
            the manifest's session says how many came from each.
    """
    out = Path(out) if out is not None else Path("results") / experiment.name
    executor = executor or SerialExecutor()
    store = Store(out)
    session: dict[str, Any] = {}
    try:
        check_size(experiment, max_runs)
        if run_timeout is not None and not run_timeout > 0:
            raise ExperimentError(f"run_timeout={run_timeout!r}: expected a positive number of seconds")
        with store.locked(), _Signals() as signals:
            points = design_points(experiment)
            tasks = plan(experiment)
            identity = Identity(
                experiment.hash,
                model_fingerprint(),
                Plan(len(points), experiment.replicates, experiment.regime_names),
                experiment.to_dict(),
            )
            store.open_for_writing(identity, fresh)
            done = store.completed(identity)
            pending = [t for t in tasks if t.run_id not in done]
            report = SweepReport(
                out=out, planned=len(tasks), skipped=len(tasks) - len(pending), plan=plan_text(experiment, len(points))
            )
            manifest = store.read_manifest() or {
                "name": experiment.name,
                "spec": experiment.to_dict(),
                "spec_hash": experiment.hash,
                "model_fingerprint": identity.model_fingerprint,
                "plan": identity.plan.to_dict(),
                "root_seed": experiment.seed,
                "runs_planned": len(tasks),
                "sessions": [],
            }
            manifest["provenance"] = _provenance()
            session = {"start": dt.datetime.now(dt.UTC).isoformat(), "executor": executor.description, "end": None}
            if command is not None:
                session["command"] = command
            manifest["sessions"].append(session)
            manifest["status"] = "running"
            store.write_manifest(manifest)
            sweep = _Sweep(experiment, store, identity, executor, {t.run_id: t for t in tasks}, points, report)
            try:
                if reuse and pending:
                    pending = sweep.copy(pending, reuse)
                sweep.run(pending, progress, run_timeout, signals)
            finally:
                manifest = store.read_manifest() or manifest
                manifest["sessions"][-1]["end"] = dt.datetime.now(dt.UTC).isoformat()
                if report.reused_from:
                    manifest["sessions"][-1]["reused"] = report.reused_from
                finish_manifest(store, manifest, interrupted=report.interrupted)
    finally:
        executor.close()
    return report


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the driver like Ctrl-C's KeyboardInterrupt."""


class _Signals:
    """Ctrl-C (SIGINT) and SIGTERM (what batch schedulers send) during a sweep.

    Inside :meth:`live` they raise at once (KeyboardInterrupt; :class:`_Terminated` for
    SIGTERM), so a wait or a serial run stops; anywhere else they are held and raised by
    :meth:`check`, so that storing a batch or writing the manifest is never cut short.
    Handlers are installed only in the main thread (elsewhere Python delivers no signals).
    """

    def __init__(self) -> None:
        self._live = False
        self.pending: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, frame: Any) -> None:
        if self._live:
            self._raise(signum)
        if self.pending is None:
            self.pending = signum

    @staticmethod
    def _raise(signum: int) -> None:
        raise _Terminated if signum == signal.SIGTERM else KeyboardInterrupt

    @contextlib.contextmanager
    def live(self) -> Iterator[None]:
        """Signals raise at once inside this block."""
        self._live = True
        try:
            yield
        finally:
            self._live = False

    def check(self) -> None:
        """Raise the interrupt held since the last check, if any."""
        if self.pending is not None:
            signum, self.pending = self.pending, None
            self._raise(signum)


@dataclass
class _Batch:
    tasks: list[RunTask]
    alone: bool = False  # runs with nothing else in flight: if its worker dies, this run is the cause


class _Sweep:
    """The driver's loop: keep the workers busy, store what returns, isolate what kills a worker."""

    def __init__(
        self,
        experiment: Experiment,
        store: Store,
        identity: Identity,
        executor: Executor,
        by_id: dict[str, RunTask],
        points: list[dict[str, Any]],
        report: SweepReport,
    ) -> None:
        self.experiment, self.store, self.identity, self.executor = experiment, store, identity, executor
        self.by_id, self.points, self.report = by_id, points, report
        self.in_flight: dict[Any, _Batch] = {}
        self.suspects: deque[_Batch] = deque()  # runs lost with a dead worker, to run again one by one
        self.stopping = False
        self.bar: Any = None  # the progress bar, while runs run

    def run(self, pending: list[RunTask], progress: bool | None, run_timeout: float | None, signals: _Signals) -> None:
        from tqdm.auto import tqdm

        in_jupyter = "ipykernel" in sys.modules  # tqdm.auto draws a widget there
        show = (sys.stderr.isatty() or in_jupyter) if progress is None else progress
        self.bar = tqdm(
            total=self.report.planned,
            initial=self.report.skipped + self.report.reused,
            disable=not show,
            unit="run",
            desc=self.experiment.name,
            dynamic_ncols=True,
        )
        work = functools.partial(run_batch, outputs=self.experiment.outputs, timeout=run_timeout)
        queue = deque(_Batch(b) for b in _batches(pending, self.executor.workers))
        start = time.perf_counter()
        try:
            while self.in_flight or ((queue or self.suspects) and not self.stopping):
                try:
                    signals.check()
                    with signals.live():
                        self._submit(work, queue)
                        done = self.executor.wait(list(self.in_flight)) if self.in_flight else set()
                    for future in done:
                        self._collect(future)
                except KeyboardInterrupt as exc:
                    if self._interrupt(exc):
                        break
        finally:
            self.bar.close()
            self.report.seconds += time.perf_counter() - start

    def _submit(self, work: Any, queue: deque[_Batch]) -> None:
        if self.stopping or any(b.alone for b in self.in_flight.values()):
            return
        if self.suspects:  # one at a time, with nothing else in flight
            if not self.in_flight:
                batch = self.suspects.popleft()
                batch.alone = True
                self.in_flight[self.executor.submit(work, batch.tasks)] = batch
            return
        while queue and len(self.in_flight) < 2 * self.executor.workers:
            batch = queue.popleft()
            self.in_flight[self.executor.submit(work, batch.tasks)] = batch

    def _collect(self, future: Any) -> None:
        batch = self.in_flight.pop(future)
        try:
            rows, steps = self.executor.outcome(future)
        except WorkerLost as lost:
            if self.stopping:
                return  # abandoned on the way out: these runs run again on resume
            if not batch.alone:
                self.suspects.extend(_Batch([task]) for task in batch.tasks)
                return
            rows, steps = [failed_row(batch.tasks[0], f"WorkerLost: {lost}")], None
        self._store(rows, steps)

    def copy(self, pending: list[RunTask], donors: Sequence[str | Path]) -> list[RunTask]:
        """Store the runs of ``pending`` that a store among ``donors`` holds identically; return the others."""
        copied: set[str] = set()
        counts = self.report.reused_from
        start = time.perf_counter()
        for donor, rows, steps in reuse.copies(
            pending, donors, self.experiment, self.identity.model_fingerprint, self.store.path
        ):
            self._store(rows, steps)
            copied.update(r["run_id"] for r in rows)
            counts[str(donor)] = counts.get(str(donor), 0) + len(rows)
        self.report.reused += len(copied)
        self.report.seconds += time.perf_counter() - start
        return [t for t in pending if t.run_id not in copied]

    def _store(self, rows: list[dict[str, Any]], steps: pd.DataFrame | None) -> None:
        runs = to_arrow(_rows_frame(rows, self.by_id, self.points))
        steps = stored_steps(steps, self.experiment)
        self.store.write_batch(self.identity, runs, None if steps is None else to_arrow(steps))
        failed = [r for r in rows if r["status"] != "ok"]
        self.report.completed += len(rows) - len(failed)
        self.report.failed += len(failed)
        self.report.failures.extend({k: r[k] for k in ("run_id", "seed", "error")} for r in failed)
        if self.bar is not None:
            self.bar.update(len(rows))
            self.bar.set_postfix(failed=self.report.failed, refresh=False)

    def _interrupt(self, exc: KeyboardInterrupt) -> bool:
        """First interrupt: finish what is in flight, start nothing new.  Second: stop at once.  True to stop."""
        self.report.interrupted = True
        if not self.report.signal:
            self.report.signal = "SIGTERM" if isinstance(exc, _Terminated) else "SIGINT"
        if self.stopping or not self.in_flight:
            if self.in_flight:
                self.executor.terminate()
                self.in_flight.clear()
            self.stopping = True
            return True
        self.stopping = True
        n = sum(len(b.tasks) for b in self.in_flight.values())
        print(
            f"\n{self.experiment.name}: stopping; {n} runs in flight finish and are stored "
            "(Ctrl-C again to stop them at once)",
            file=sys.stderr,
            flush=True,
        )
        return False

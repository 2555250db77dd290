"""What a worker does: run a batch of model runs and return their rows.

A run is fully determined by its regime, parameters and seed, so it gives the
same numbers whichever process, machine or backend executes it.  A run that
raises, or outlasts the sweep's per-run timeout, is returned as a failed row
(error and seed kept) instead of stopping the batch.  Imported by worker
processes, so it stays light.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ecsim.model.model import EnhancedCooperationModel
from ecsim.model.regimes import Regime
from ecsim.model.summary import summarise


@dataclass(frozen=True)
class RunTask:
    """One model run of a sweep."""

    run_id: str
    point: int
    replicate: int
    regime: Regime
    seed: int
    params: dict[str, Any]  # the run's non-default parameters (fixed + factors + steps)


class RunTimeout(Exception):
    """A run took longer than the sweep's per-run timeout."""


def task_row(task: RunTask) -> dict[str, Any]:
    """The keys of a run's summary row."""
    return {
        "run_id": task.run_id,
        "point": task.point,
        "replicate": task.replicate,
        "regime": task.regime.name,
        "seed": task.seed,
    }


def failed_row(task: RunTask, error: str, wall_time: float = float("nan")) -> dict[str, Any]:
    """The summary row of a run that produced no result."""
    return {**task_row(task), "status": "failed", "error": error[:2000], "wall_time": wall_time}


@contextlib.contextmanager
def _alarm(seconds: float | None) -> Iterator[None]:
    """Raise RunTimeout in this thread after ``seconds``, even inside a step (SIGALRM; main thread only)."""
    usable = seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise RunTimeout(f"the run took longer than the per-run timeout of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_one(
    task: RunTask, outputs: tuple[str, ...], timeout: float | None = None
) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Run one task; return its summary row and its per-step table (None if it failed).

    ``timeout`` (seconds) bounds the run: checked after every step, and, in a process's
    main thread, enforced by an alarm that also interrupts a step that never returns.
    """
    row = task_row(task)
    start = time.perf_counter()
    try:
        with _alarm(timeout):
            model = EnhancedCooperationModel(regime=task.regime, rng=task.seed, **task.params)
            while model.running:
                model.step()
                if timeout and time.perf_counter() - start > timeout:
                    raise RunTimeout(f"the run took longer than the per-run timeout of {timeout:g} s")
        everything = model.metrics()
        metrics = everything[["step", *outputs]]
        row.update(summarise(model, everything))
        row.update(status="ok", error="")
    except Exception as exc:  # a failing run is recorded, the sweep goes on
        row.update(status="failed", error=f"{type(exc).__name__}: {exc}"[:2000])
        metrics = None
    row["wall_time"] = time.perf_counter() - start
    if metrics is not None:
        metrics.insert(0, "run_id", task.run_id)
    return row, metrics


def run_batch(
    tasks: list[RunTask], outputs: tuple[str, ...], timeout: float | None = None
) -> tuple[list[dict[str, Any]], pd.DataFrame | None]:
    """Run every task of a batch; return the summary rows and the concatenated per-step tables."""
    rows, tables = [], []
    for task in tasks:
        row, table = run_one(task, outputs, timeout)
        rows.append(row)
        if table is not None:
            tables.append(table)
    steps = pd.concat(tables, ignore_index=True) if tables else None
    if steps is not None:
        steps["step"] = steps["step"].astype(np.int32)
    return rows, steps

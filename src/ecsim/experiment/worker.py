"""What a worker does: run a batch of model runs and return their rows.

A run is fully determined by its regime, parameters and seed, so it gives the
same numbers whichever process, machine or backend executes it.  A run that
raises is returned as a failed row (error and seed kept) instead of stopping
the batch.  Imported by worker processes, so it stays light.
"""

from __future__ import annotations

import time
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


def run_one(task: RunTask, outputs: tuple[str, ...]) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Run one task; return its summary row and its per-step table (None if it failed)."""
    row: dict[str, Any] = {
        "run_id": task.run_id,
        "point": task.point,
        "replicate": task.replicate,
        "regime": task.regime.name,
        "seed": task.seed,
    }
    start = time.perf_counter()
    try:
        model = EnhancedCooperationModel(regime=task.regime, rng=task.seed, **task.params).run()
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


def run_batch(tasks: list[RunTask], outputs: tuple[str, ...]) -> tuple[list[dict[str, Any]], pd.DataFrame | None]:
    """Run every task of a batch; return the summary rows and the concatenated per-step tables."""
    rows, tables = [], []
    for task in tasks:
        row, table = run_one(task, outputs)
        rows.append(row)
        if table is not None:
            tables.append(table)
    steps = pd.concat(tables, ignore_index=True) if tables else None
    if steps is not None:
        steps["step"] = steps["step"].astype(np.int32)
    return rows, steps

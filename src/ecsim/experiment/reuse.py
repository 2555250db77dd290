"""Runs a sweep copies instead of running: the same run, stored by another sweep.

A run is fully determined by the model code, its regime, every parameter and its seed
(:mod:`ecsim.experiment.worker`), so a run another store holds with all of these equal
would give the same numbers again.  ``run_experiment(..., reuse=[folders])`` copies such
runs (their summary row and their per-step rows, under this sweep's run ids) before it
runs the rest; ``ecsim reproduce`` offers every study it has already run, so a study
whose design repeats another's points (the calibrated scenario discovery repeats the
scenario discovery's hypercube) runs only what is new.

A store is used only if it was written by the same model code (its fingerprint) from the same
root seed (every run's seed derives from it), keeps the same per-step metrics (``outputs``) at
the same ``step_every``, and passes every check of
:func:`ecsim.experiment.load_results`; otherwise it is passed over and its runs are run.
Only runs stored ``ok`` are copied.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecsim.experiment.spec import Experiment
from ecsim.experiment.store import Results, Store, StoreError, load_results
from ecsim.experiment.worker import RunTask, task_row
from ecsim.model.summary import parameter_columns
from ecsim.params import validate

#: Columns of a stored run that say which run it is (this sweep's own replace them when copied).
KEYS = ("run_id", "point", "replicate", "regime", "seed")
#: Runs copied per stored batch.
BATCH = 256


def _plain(value: Any) -> Any:
    """A stored value as the Python value a run's parameters hold (NaN and missing as None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _regime(description: dict[str, Any]) -> str:
    return json.dumps(description, sort_keys=True, default=str)


def task_key(task: RunTask) -> tuple[Any, ...]:
    """What determines a run's numbers: its regime (as described), seed and every parameter."""
    params = parameter_columns(validate(task.params))
    return (_regime(task.regime.describe()), int(task.seed), tuple(sorted((k, _plain(v)) for k, v in params.items())))


def _donor(path: Path, experiment: Experiment, fingerprint: str) -> Results | None:
    """The stored results at ``path`` if its runs can stand for this sweep's; otherwise None."""
    store = Store(path)
    try:
        manifest = store.read_manifest()
        if manifest is None or manifest.get("model_fingerprint") != fingerprint:
            return None
        spec = manifest.get("spec", {})
        if (
            spec.get("seed") != experiment.seed  # a run's seed derives from the root seed: no run can match
            or list(spec.get("outputs", ())) != list(experiment.outputs)
            or spec.get("step_every", 1) != experiment.step_every
        ):
            return None
        results = load_results(path)
    except StoreError:
        return None
    return None if results.runs.empty else results


def copies(
    pending: Sequence[RunTask], donors: Sequence[str | Path], experiment: Experiment, fingerprint: str, out: Path
) -> Iterator[tuple[Path, list[dict[str, Any]], pd.DataFrame | None]]:
    """For runs of ``pending`` that a store among ``donors`` holds: (that store, their summary rows under this
    sweep's run ids, their per-step rows or None), in batches of :data:`BATCH` runs."""
    wanted: dict[tuple[Any, ...], RunTask] | None = None  # keyed by what determines a run; built if a store fits
    names = sorted(parameter_columns(validate(pending[0].params))) if pending else []
    for path in map(Path, donors):
        if not pending or wanted == {} or path.resolve() == out.resolve() or not path.is_dir():
            continue
        results = _donor(path, experiment, fingerprint)
        if results is None:
            continue
        if wanted is None:
            wanted = {task_key(t): t for t in pending}
        runs = results.runs[results.runs["status"] == "ok"]
        if runs.empty or not set(names) <= set(runs.columns):
            continue
        described = {r["name"]: _regime(r) for r in results.manifest["spec"]["regimes"]}
        found: list[tuple[RunTask, pd.Series]] = []
        values = runs[["regime", "seed", *names]].itertuples(index=False, name=None)
        for position, (regime, seed, *params) in enumerate(values):
            key = (described.get(regime), int(seed), tuple(zip(names, map(_plain, params), strict=True)))
            task = wanted.pop(key, None)
            if task is not None:
                found.append((task, runs.iloc[position]))
        # Every stored column but the keys and the donor's design coordinates, in the stored order: the
        # sweep adds this design's coordinates, so copied and run batches have one layout.
        kept = [c for c in runs.columns if c not in KEYS and not str(c).startswith("u_")]
        for start in range(0, len(found), BATCH):
            batch = found[start : start + BATCH]
            rows = [{**task_row(task), **{c: row[c] for c in kept}} for task, row in batch]
            steps = None
            if experiment.outputs:
                renamed = {str(row["run_id"]): task.run_id for task, row in batch}
                ids = ", ".join("'" + r.replace("'", "''") + "'" for r in renamed)
                steps = results.steps_frame(["run_id", "step", *experiment.outputs], where=f"run_id IN ({ids})")
                steps["run_id"] = steps["run_id"].map(renamed)
            yield path, rows, steps
        results.step_table.close()


__all__ = ["BATCH", "KEYS", "copies", "task_key"]

"""The results store of a sweep: Parquet parts plus a JSON manifest, safe to kill at any moment.

Layout of a store folder::

    manifest.json            the spec and its hash, versions, git commit, platform, times, run status
    runs/part-000012.parquet one row per run of one batch (parameters, seed, summary, status)
    steps/part-000012.parquet the per-step metrics of the same batch's successful runs

Each part is written to a temporary name and renamed into place (atomic on POSIX),
steps before runs: a runs part is the commit record of its batch.  After a crash
(even ``kill -9``) a steps part without its runs part is an orphan and is ignored
and removed; its runs simply run again on resume.  No pickle is ever stored.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

MANIFEST = "manifest.json"
_PART = re.compile(r"^part-(\d{6,})\.parquet$")


class StoreError(ValueError):
    """The store folder cannot be used as asked (one line naming the folder and the fix)."""


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".tmp-{path.name}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _atomic_parquet(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".tmp-{path.name}")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


class Store:
    """A folder of results; see the module docstring."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.runs_dir = self.path / "runs"
        self.steps_dir = self.path / "steps"

    # ------------------------------------------------------------------ manifest
    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    def read_manifest(self) -> dict[str, Any] | None:
        if not self.manifest_path.exists():
            return None
        try:
            return json.loads(self.manifest_path.read_text())
        except json.JSONDecodeError:
            raise StoreError(f"{self.manifest_path}: not a valid manifest (corrupt JSON)") from None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        _atomic_write_bytes(self.manifest_path, (json.dumps(manifest, indent=2, default=str) + "\n").encode())

    # ------------------------------------------------------------------ parts
    def _parts(self, folder: Path) -> dict[int, Path]:
        if not folder.exists():
            return {}
        parts = {}
        for p in folder.iterdir():
            m = _PART.match(p.name)
            if m:
                parts[int(m.group(1))] = p
        return dict(sorted(parts.items()))

    def open_for_writing(self, spec_hash: str, fresh: bool, model_fingerprint: str | None = None) -> None:
        """Make the folder ready: refuse a different spec or model code, clear it if ``fresh``, drop crash debris."""
        manifest = self.read_manifest()
        if fresh:
            for name in (MANIFEST,):
                (self.path / name).unlink(missing_ok=True)
            for folder in (self.runs_dir, self.steps_dir):
                shutil.rmtree(folder, ignore_errors=True)
        elif manifest is not None and manifest.get("spec_hash") != spec_hash:
            raise StoreError(
                f"{self.path} holds runs of another specification (hash {manifest.get('spec_hash')}, this one "
                f"{spec_hash}): use another --out folder, or --fresh to discard them"
            )
        elif (
            manifest is not None
            and model_fingerprint is not None
            and manifest.get("model_fingerprint") != model_fingerprint
        ):
            raise StoreError(
                f"{self.path} holds runs made by other model code (fingerprint {manifest.get('model_fingerprint')}, "
                f"this code {model_fingerprint}): use --fresh to run them again, or another --out folder"
            )
        elif manifest is None and any(self._parts(d) for d in (self.runs_dir, self.steps_dir)):
            raise StoreError(f"{self.path} holds result parts but no manifest: use another --out folder or --fresh")
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.steps_dir.mkdir(parents=True, exist_ok=True)
        for folder in (self.runs_dir, self.steps_dir):
            for tmp in folder.glob(".tmp-*"):
                tmp.unlink(missing_ok=True)
        runs = self._parts(self.runs_dir)
        for seq, path in self._parts(self.steps_dir).items():
            if seq not in runs:  # killed between the two renames: the batch runs again
                path.unlink(missing_ok=True)
        self._next = max([*runs, *self._parts(self.steps_dir), -1]) + 1

    def completed(self) -> set[str]:
        """Run ids stored with status ok (their latest record)."""
        status: dict[str, str] = {}
        for path in self._parts(self.runs_dir).values():
            table = pq.read_table(path, columns=["run_id", "status"])
            status.update(zip(table.column("run_id").to_pylist(), table.column("status").to_pylist(), strict=True))
        return {run for run, s in status.items() if s == "ok"}

    def write_batch(self, runs: pd.DataFrame, steps: pd.DataFrame | None) -> None:
        """Store one batch atomically (steps first, then the runs part that commits it)."""
        name = f"part-{self._next:06d}.parquet"
        self._next += 1
        if steps is not None and len(steps):
            _atomic_parquet(steps, self.steps_dir / name)
        _atomic_parquet(runs, self.runs_dir / name)

    # ------------------------------------------------------------------ reading
    def read_runs(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The latest record of every run (empty if none); ``columns`` limits what is read."""
        parts = self._parts(self.runs_dir)
        if not parts:
            return pd.DataFrame()
        runs = pd.concat([pd.read_parquet(p, columns=columns) for p in parts.values()], ignore_index=True)
        return runs.drop_duplicates("run_id", keep="last")

    def read(self, steps: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(runs, steps): the latest record of every run, and the steps of successful runs (unless ``steps=False``)."""
        runs_parts = self._parts(self.runs_dir)
        if not runs_parts:
            return pd.DataFrame(), pd.DataFrame()
        runs = self.read_runs()
        wanted = self._parts(self.steps_dir).items() if steps else ()
        steps_parts = [p for seq, p in wanted if seq in runs_parts]
        table = pd.concat([pd.read_parquet(p) for p in steps_parts], ignore_index=True) if steps_parts else None
        ok = set(runs.loc[runs["status"] == "ok", "run_id"])
        if table is None:
            table = pd.DataFrame(columns=["run_id", "step"])
        table = table[table["run_id"].isin(ok)].drop_duplicates(["run_id", "step"], keep="last")
        return runs, table


@dataclass(frozen=True)
class Results:
    """A stored sweep: ``runs`` (one row per run), ``steps`` (tidy per-step metrics), ``manifest``."""

    runs: pd.DataFrame
    steps: pd.DataFrame
    manifest: dict[str, Any]

    @property
    def failed(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] != "ok"]


KEYS = ["point", "replicate", "regime"]


def load_results(path: str | os.PathLike, steps: bool = True) -> Results:
    """Read a store written by a sweep (``steps=False``: skip the per-step table, e.g. for sensitivity).

    ``runs`` has one row per run: its keys (point, replicate, regime, seed), every
    parameter, the summary metrics, status, error and wall time, and
    ``harm_reduction``, paired against the ``no_cooperation`` run of the same
    design point and replicate (same seed).  ``steps`` has one row per run and
    step with the run's keys.  Both are sorted by point, replicate, regime (and step).
    """
    store = Store(path)
    manifest = store.read_manifest()
    if manifest is None:
        raise StoreError(f"{store.path}: no {MANIFEST} here; is this the --out folder of a sweep?")
    runs, step_table = store.read(steps)
    if runs.empty:
        return Results(runs, step_table, manifest)
    regime_order = {r["name"]: i for i, r in enumerate(manifest["spec"]["regimes"])}
    runs = runs.assign(_order=runs["regime"].map(regime_order)).sort_values(["point", "replicate", "_order"])
    runs = runs.drop(columns="_order").reset_index(drop=True)
    base = runs.loc[
        (runs["regime"] == "no_cooperation") & (runs["status"] == "ok"), ["point", "replicate", "cumulative_harm"]
    ]
    base = base.rename(columns={"cumulative_harm": "_baseline"})
    runs = runs.merge(base, on=["point", "replicate"], how="left")
    runs["harm_reduction"] = 1.0 - runs["cumulative_harm"] / runs["_baseline"]
    runs = runs.drop(columns="_baseline")
    keys = runs[["run_id", *KEYS, "seed"]]
    table = keys.merge(step_table, on="run_id", how="inner")
    table = table.assign(_order=table["regime"].map(regime_order))
    table = table.sort_values(["point", "replicate", "_order", "step"]).drop(columns="_order").reset_index(drop=True)
    return Results(runs, table, manifest)

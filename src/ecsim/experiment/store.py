"""The results store of a sweep: Parquet parts plus a JSON manifest, safe to kill at any moment.

Layout of a store folder::

    manifest.json             the spec and its hash, the plan, versions, git commit, platform, times, run counts
    .lock                     held (flock) by the one sweep writing here; names its PID and host
    runs/part-000012.parquet  one row per run of one batch (parameters, seed, summary, status)
    steps/part-000012.parquet the per-step metrics of the same batch's successful runs
    quarantine/...            parts that ``ecsim store repair`` set aside (never deleted)

Guarantees:

* **One writer.** A sweep holds an exclusive lock on the folder for its whole session;
  a second one is refused with the holder's PID and host.  The lock dies with its process,
  so ``kill -9`` leaves no stale lock.
* **Parts are never replaced.** Each part is written to a temporary name, flushed to disk,
  then linked to its final name only if that name is free; the folder is synced after.
  Steps go before runs: a runs part is the commit record of its batch.  A steps part
  without its runs part (a crash between the two) is the debris of an uncommitted batch:
  it is removed on the next open and its runs run again.
* **Every part proves what it is.** Its Parquet metadata carries the spec hash, the model
  fingerprint and the plan of the sweep that wrote it (runs parts also the size of their
  steps part).  On open every part is checked: readable footer, same spec and model, run
  ids of the plan, a steps part of the announced size.  Any fault is one
  :class:`StoreError` naming the file; :func:`repair` sets bad parts aside and rebuilds
  the manifest from the good ones.

No pickle is ever stored.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ecsim.experiment.steps import StepTable

MANIFEST = "manifest.json"
LOCK = ".lock"
QUARANTINE = "quarantine"
_PART = re.compile(r"^part-(\d{6,})\.parquet$")
_RUN_ID = re.compile(r"^p(\d+)-r(\d+)-(.+)$")
_META_KEY = b"ecsim"


class StoreError(ValueError):
    """The store folder cannot be used as asked (one line naming the folder or file and the fix)."""


# ---------------------------------------------------------------------------------------------- identity
@dataclass(frozen=True)
class Plan:
    """Which runs a sweep consists of: design points x replicates x regimes (run ids follow from it)."""

    points: int
    replicates: int
    regimes: tuple[str, ...]

    @property
    def size(self) -> int:
        return self.points * self.replicates * len(self.regimes)

    def index(self, run: str) -> int:
        """The run's position in the plan (point, then replicate, then regime), or -1 if it is not a run of it."""
        m = _RUN_ID.match(run)
        if m is None or m.group(3) not in self.regimes:
            return -1
        p, r = int(m.group(1)), int(m.group(2))
        if p >= self.points or r >= self.replicates or run != run_id(p, r, m.group(3)):
            return -1
        return (p * self.replicates + r) * len(self.regimes) + self.regimes.index(m.group(3))

    def run_at(self, index: int) -> str:
        """The id of the run at ``index`` (the inverse of :meth:`index`)."""
        rest, g = divmod(int(index), len(self.regimes))
        p, r = divmod(rest, self.replicates)
        return run_id(p, r, self.regimes[g])

    def to_dict(self) -> dict[str, Any]:
        return {"points": self.points, "replicates": self.replicates, "regimes": list(self.regimes)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Plan:
        return cls(int(d["points"]), int(d["replicates"]), tuple(d["regimes"]))


def run_id(point: int, replicate: int, regime: str) -> str:
    """The id of one run of a sweep."""
    return f"p{point:05d}-r{replicate:04d}-{regime}"


@dataclass(frozen=True)
class Identity:
    """What every part of one store shares: the sweep's spec, model code and plan."""

    spec_hash: str
    model_fingerprint: str
    plan: Plan
    spec: dict[str, Any] = field(default_factory=dict, compare=False)

    def metadata(self, kind: str, **extra: Any) -> dict[bytes, bytes]:
        record = {
            "kind": kind,
            "spec_hash": self.spec_hash,
            "model_fingerprint": self.model_fingerprint,
            "plan": self.plan.to_dict(),
            **extra,
        }
        if kind == "runs":
            record["spec"] = self.spec
        return {_META_KEY: json.dumps(record, sort_keys=True, default=str).encode()}


# ---------------------------------------------------------------------------------------------- files
def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows, where folders cannot be opened
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - file systems that do not sync folders
        pass
    finally:
        os.close(fd)


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically (the manifest, which is rewritten; parts never are)."""
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _create_part(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path``, which must not exist: temporary file, fsync, exclusive link, folder sync."""
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
    with open(tmp, "wb") as fh:
        pq.write_table(table, fh)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        try:
            os.link(tmp, path)  # fails if the name is taken: a part is never replaced
        except FileExistsError:
            raise StoreError(f"{path}: a part of this name exists already; another sweep writes here?") from None
        except OSError:  # pragma: no cover - a file system without hard links: the lock makes this safe
            if path.exists():
                raise StoreError(f"{path}: a part of this name exists already") from None
            os.rename(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _part_metadata(path: Path) -> tuple[pq.FileMetaData, dict[str, Any]]:
    """A part's Parquet footer and ecsim record; StoreError if the file is not a whole part of a store."""
    try:
        meta = pq.read_metadata(path)
    except (OSError, pa.ArrowException) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoreError(f"{path}: not a readable Parquet part (truncated or corrupt: {reason})") from None
    raw = (meta.metadata or {}).get(_META_KEY)
    if raw is None:
        raise StoreError(f"{path}: not a part written by this version of ecsim (no ecsim metadata)")
    try:
        record = json.loads(raw)
    except json.JSONDecodeError:
        raise StoreError(f"{path}: its ecsim metadata is corrupt") from None
    return meta, record


def _read_part(path: Path, columns: list[str] | None = None) -> pa.Table:
    """A part's rows (``columns`` of them), without its schema metadata.  ``pq.ParquetFile`` rather than
    ``pq.read_table``: the dataset machinery of the latter leaves about 50 kB of native memory resident per
    file read (55 MB over the 1,000 parts of a 10^5-run store)."""
    with pq.ParquetFile(path) as part:
        return part.read(columns=columns).replace_schema_metadata(None)


def _stored_twice(path: Path, run: str) -> StoreError:
    """The error for a run stored ok in ``path`` although an earlier part holds it ok already."""
    return StoreError(f"{path}: run {run} is stored twice (a second writer?)")


def _column_names(meta: pq.FileMetaData) -> tuple[str, ...]:
    """A part's column names, read from its first row group's column chunks: ``meta.schema`` builds a schema
    object per part whose native memory stays resident after it is freed (52 MB over 1,000 parts)."""
    if meta.num_row_groups == 0:
        return tuple(meta.schema.names)
    group = meta.row_group(0)
    return tuple(group.column(i).path_in_schema for i in range(meta.num_columns))


# ---------------------------------------------------------------------------------------------- lock
def _lock_file(fd: int) -> bool:
    """Try to take an exclusive lock on ``fd`` without waiting; False if another process holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


# ---------------------------------------------------------------------------------------------- store
class Store:
    """A folder of results; see the module docstring."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.runs_dir = self.path / "runs"
        self.steps_dir = self.path / "steps"
        self._next = 0
        self._lock_fd: int | None = None
        self._layouts: set[tuple[str, ...]] = set()  # the column names of the runs parts seen by verify()
        self._records = self._distinct = 0  # run records in them, and runs (fewer if a run was stored again)

    # ------------------------------------------------------------------ lock
    @contextmanager
    def locked(self) -> Iterator[Store]:
        """Hold the folder's exclusive lock (one writer at a time) for the ``with`` block."""
        self.acquire()
        try:
            yield self
        finally:
            self.release()

    def acquire(self) -> None:
        """Take the folder's lock, or raise StoreError naming the process that holds it."""
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path}: is a file, not a store folder; give a folder for --out")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot write a store here ({exc.strerror or exc})") from None
        if not _lock_file(fd):
            try:
                holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
            except (OSError, json.JSONDecodeError):
                holder = {}
            os.close(fd)
            who = f"PID {holder.get('pid', '?')} on {holder.get('host', '?')}, since {holder.get('since', '?')}"
            raise StoreError(
                f"{self.path} is in use by another sweep ({who}): wait for it to end, or use another --out folder"
            )
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": dt.datetime.now(dt.UTC).isoformat()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._lock_fd = fd

    def release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the lock
            self._lock_fd = None

    # ------------------------------------------------------------------ manifest
    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest (None if there is none).  A table of every run's status, wall time and seed, which
        ecsim wrote into manifests before 2026-11-30, is dropped while parsing: the runs table has them."""
        if not self.manifest_path.exists():
            return None
        try:
            manifest = json.loads(self.manifest_path.read_text(), object_pairs_hook=_without_run_records)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise StoreError(
                f"{self.manifest_path}: not a valid manifest (corrupt JSON); `ecsim store repair {self.path}` "
                "rebuilds it from the parts"
            ) from None
        manifest.pop("runs", None)
        return manifest

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

    def open_for_writing(self, identity: Identity, fresh: bool) -> None:
        """Make the (locked) folder ready: refuse another spec or model code, clear it if ``fresh``,
        check every part, drop the debris of a crash."""
        if self._lock_fd is None:
            raise RuntimeError("open_for_writing needs the store's lock: use `with store.locked():`")
        if fresh:
            self.manifest_path.unlink(missing_ok=True)
            for folder in (self.runs_dir, self.steps_dir):
                shutil.rmtree(folder, ignore_errors=True)
        manifest = self.read_manifest()
        if manifest is not None and manifest.get("spec_hash") != identity.spec_hash:
            stored, asked = manifest.get("spec") or {}, identity.spec
            differ = [k for k in sorted({*stored, *asked}) if stored.get(k) != asked.get(k)] if asked else []
            raise StoreError(
                f"{self.path} holds runs of another specification (hash {manifest.get('spec_hash')}, this one "
                f"{identity.spec_hash}{'; they differ in ' + ', '.join(differ) if differ else ''}): use another "
                "--out folder, or --fresh to discard them"
            )
        if manifest is not None and manifest.get("model_fingerprint") != identity.model_fingerprint:
            raise StoreError(
                f"{self.path} holds runs made by other model code (fingerprint {manifest.get('model_fingerprint')}, "
                f"this code {identity.model_fingerprint}): use --fresh to run them again, or another --out folder"
            )
        if manifest is None and any(self._parts(d) for d in (self.runs_dir, self.steps_dir)):
            raise StoreError(
                f"{self.path} holds result parts but no manifest: `ecsim store repair {self.path}` rebuilds it, "
                "or use another --out folder or --fresh"
            )
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.steps_dir.mkdir(parents=True, exist_ok=True)
        for folder in (self.runs_dir, self.steps_dir):
            for tmp in folder.glob(".tmp-*"):  # a write that never reached its final name
                tmp.unlink(missing_ok=True)
        self.verify(identity, remove_uncommitted=True)
        self._next = max([*self._parts(self.runs_dir), *self._parts(self.steps_dir), -1]) + 1

    def verify(self, identity: Identity | None = None, remove_uncommitted: bool = False) -> None:
        """Check every part (raises StoreError on the first fault) and learn the runs they hold.

        ``identity`` is what every part must carry (by default the manifest's).  A steps
        part without its runs part is an uncommitted batch: removed if ``remove_uncommitted``
        (a writer holding the lock), otherwise ignored.  A run is kept as its position in the
        plan (an integer) and whether it is ok, not as Python strings, whose memory would stay
        resident after the check (20 MB at 10^5 runs).
        """
        if identity is None:
            identity = self._manifest_identity()
        self._layouts, self._plan = set(), identity.plan
        runs_parts, steps_parts = self._parts(self.runs_dir), self._parts(self.steps_dir)
        batches = [self._check_batch(path, steps_parts.get(seq), identity) for seq, path in runs_parts.items()]
        for seq, path in steps_parts.items():
            if seq not in runs_parts:
                self._check_steps_part(path, identity, None)  # must be ours, even if uncommitted
                if remove_uncommitted:
                    path.unlink()
        self._runs = np.concatenate([b[0] for b in batches]) if batches else np.empty(0, np.int64)
        self._ok = np.concatenate([b[1] for b in batches]) if batches else np.empty(0, bool)
        self._records = len(self._runs)
        self._distinct = len(np.unique(self._runs))
        if self._distinct == self._records:
            return
        # A run stored again after a failure (or twice: an error), in the order the records were written.
        order = np.lexsort((np.arange(self._records), self._runs))  # by run, then by when it was written
        same = self._runs[order][1:] == self._runs[order][:-1]
        twice = order[1:][same & self._ok[order][1:] & self._ok[order][:-1]]
        if len(twice):
            first = int(twice.min())
            part = int(np.searchsorted(np.cumsum([len(b[0]) for b in batches]), first, side="right"))
            raise _stored_twice(list(runs_parts.values())[part], self._plan.run_at(self._runs[first]))

    def _check_batch(self, runs: Path, steps: Path | None, identity: Identity) -> tuple[np.ndarray, np.ndarray]:
        """Check one committed batch (its runs part and its steps part) against ``identity``; return its runs'
        positions in the plan and whether each is ok."""
        table, steps_rows = self._check_runs_part(runs, identity)
        index = np.fromiter(map(identity.plan.index, table.column("run_id").to_pylist()), np.int64, table.num_rows)
        if (index < 0).any():
            alien = table.column("run_id")[int(np.flatnonzero(index < 0)[0])].as_py()
            raise StoreError(f"{runs}: run {alien} is not a run of this sweep's plan")
        if steps_rows and steps is None:
            raise StoreError(f"{runs}: its steps part {self.steps_dir.name}/{runs.name} is missing")
        if steps is not None:
            self._check_steps_part(steps, identity, steps_rows)
        return index, np.asarray(pc.equal(table.column("status"), "ok").fill_null(False))

    def _manifest_identity(self, manifest: dict[str, Any] | None = None) -> Identity:
        manifest = self.read_manifest() if manifest is None else manifest
        if manifest is None:
            raise StoreError(f"{self.path}: no {MANIFEST} here; is this the --out folder of a sweep?")
        try:
            return Identity(manifest["spec_hash"], manifest["model_fingerprint"], Plan.from_dict(manifest["plan"]))
        except (KeyError, TypeError, ValueError):
            raise StoreError(
                f"{self.manifest_path}: written by an older ecsim or damaged (no plan); rerun the sweep with --fresh"
            ) from None

    def _check_identity(self, path: Path, record: dict[str, Any], identity: Identity, kind: str) -> None:
        if record.get("kind") != kind:
            raise StoreError(f"{path}: a {record.get('kind')} part in the {kind} folder")
        if record.get("spec_hash") != identity.spec_hash:
            raise StoreError(
                f"{path}: a part of another specification (hash {record.get('spec_hash')}, this store "
                f"{identity.spec_hash}); copied in from another sweep?"
            )
        if record.get("model_fingerprint") != identity.model_fingerprint:
            raise StoreError(
                f"{path}: a part made by other model code (fingerprint {record.get('model_fingerprint')}, this store "
                f"{identity.model_fingerprint})"
            )

    def _check_runs_part(self, path: Path, identity: Identity) -> tuple[pa.Table, int]:
        """(run_id and status of the part's runs, the rows its steps part must hold), once the part is checked."""
        meta, record = _part_metadata(path)
        self._layouts.add(_column_names(meta))
        self._check_identity(path, record, identity, "runs")
        try:
            table = _read_part(path, ["run_id", "status"])
        except (OSError, pa.ArrowException) as exc:
            raise StoreError(f"{path}: cannot read its run ids ({str(exc).splitlines()[0]})") from None
        if table.column_names != ["run_id", "status"]:
            raise StoreError(f"{path}: cannot read its run ids (no run_id or status column)")
        return table, int(record.get("steps_rows", 0))

    def _check_steps_part(self, path: Path, identity: Identity, expected_rows: int | None) -> None:
        meta, record = _part_metadata(path)
        self._check_identity(path, record, identity, "steps")
        if expected_rows is not None and meta.num_rows != expected_rows:
            raise StoreError(f"{path}: holds {meta.num_rows} rows, its runs part announces {expected_rows}")

    def completed(self, identity: Identity | None = None) -> set[str]:
        """Run ids stored with status ok (their latest record); every part checked against ``identity``."""
        self.verify(identity)
        last = len(self._runs) - 1 - np.unique(self._runs[::-1], return_index=True)[1]  # each run's latest record
        return {self._plan.run_at(i) for i in self._runs[last][self._ok[last]]}

    def write_batch(self, identity: Identity, runs: pa.Table, steps: pa.Table | None) -> None:
        """Store one batch (steps first, then the runs part that commits it); parts are created, never replaced."""
        name = f"part-{self._next:06d}.parquet"
        self._next += 1
        n_steps = 0 if steps is None else steps.num_rows
        if n_steps:
            assert steps is not None
            _create_part(steps.replace_schema_metadata(identity.metadata("steps")), self.steps_dir / name)
        _create_part(runs.replace_schema_metadata(identity.metadata("runs", steps_rows=n_steps)), self.runs_dir / name)

    # ------------------------------------------------------------------ reading
    def _runs_table(self, columns: list[str] | None = None) -> pa.Table | None:
        """The latest record of every run, as one Arrow table (None if the store holds none)."""
        parts = self._parts(self.runs_dir)
        if not parts:
            return None
        tables = []
        for path in parts.values():
            try:
                tables.append(_read_part(path, columns))
            except (OSError, pa.ArrowException) as exc:
                raise StoreError(f"{path}: cannot be read ({str(exc).splitlines()[0]})") from None
        table = pa.concat_tables(tables, promote_options="permissive")
        ids = table.column("run_id").to_pandas()
        latest = ids.drop_duplicates(keep="last").index.to_numpy()
        return table.take(pa.array(latest))

    def read_runs(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The latest record of every run (empty if none); ``columns`` limits what is read."""
        if columns is not None and "run_id" not in columns:
            columns = ["run_id", *columns]
        table = self._runs_table(columns)
        return pd.DataFrame() if table is None else _to_pandas(table)

    def step_parts(self) -> list[Path]:
        """The steps parts of committed batches (those whose runs part exists), in order."""
        runs_parts = self._parts(self.runs_dir)
        return [path for seq, path in self._parts(self.steps_dir).items() if seq in runs_parts]

    def runs_frame(self, regimes: Sequence[str]) -> pd.DataFrame:
        """The latest record of every run, sorted by point, replicate and regime (in the order of ``regimes``).

        The same table as :meth:`read_runs`, sorted, in less memory: each part is copied into columns of
        the final size as it is read (no table per part kept, no concatenation), then sorted a column at
        a time.  Call :meth:`verify` first: it learns the parts' layouts and how many runs they hold.
        """
        parts = list(self._parts(self.runs_dir).values())
        if not parts:
            return pd.DataFrame()
        if len(self._layouts) != 1 or self._records != self._distinct:
            # Parts of different layouts (e.g. after a change of ecsim), or a run stored again after a
            # failure (its latest record counts): the general path.
            table = self._runs_table()
            return _sort_runs(_to_pandas(table) if table is not None else pd.DataFrame(), regimes)
        schema = pq.read_schema(parts[0]).remove_metadata()

        def batches() -> Iterator[pa.RecordBatch]:
            for path in parts:
                try:
                    table = _read_part(path)
                except (OSError, pa.ArrowException) as exc:
                    raise StoreError(f"{path}: cannot be read ({str(exc).splitlines()[0]})") from None
                yield from table.to_batches()

        return _sort_runs(_batches_to_pandas(batches(), schema, self._records), regimes)

    def read(self, steps: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(runs, steps): the latest record of every run, and the steps of successful runs (unless ``steps=False``)."""
        runs_parts = self._parts(self.runs_dir)
        table = self._runs_table()
        if table is None:
            return pd.DataFrame(), pd.DataFrame()
        runs = _to_pandas(table)
        wanted = self._parts(self.steps_dir).items() if steps else ()
        frames = []
        for seq, path in wanted:
            if seq in runs_parts:
                try:
                    frames.append(_read_part(path).to_pandas())
                except (OSError, pa.ArrowException) as exc:
                    raise StoreError(f"{path}: cannot be read ({str(exc).splitlines()[0]})") from None
        step_table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["run_id", "step"])
        ok = set(runs.loc[runs["status"] == "ok", "run_id"])
        step_table = step_table[step_table["run_id"].isin(ok)].drop_duplicates(["run_id", "step"], keep="last")
        return runs, step_table


def _to_pandas(table: pa.Table, self_destruct: bool = False) -> pd.DataFrame:
    """Arrow to pandas, keeping integer columns integer: nullable ``Int64`` where failed runs leave gaps.

    ``self_destruct``: free each Arrow column once converted (``table`` is unusable after)."""
    gaps = {
        name: pd.array(column.to_pylist(), dtype="Int64")
        for name, column in zip(table.column_names, table.columns, strict=True)
        if pa.types.is_integer(column.type) and column.null_count
    }
    if self_destruct:
        df = table.to_pandas(split_blocks=True, self_destruct=True)
        del table
    else:
        df = table.to_pandas()
    for name, values in gaps.items():
        df[name] = values
    return df


#: Runs parts whose string columns are joined into one chunk as they are read: one small chunk per part and
#: column took twice its size in allocator overhead (34 MB for 17 MB of strings over 1,000 parts).
_STRING_CHUNKS = 64


def _batches_to_pandas(reader: Iterable[pa.RecordBatch], schema: pa.Schema, rows: int) -> pd.DataFrame:
    """``rows`` rows of record batches (of ``schema``) as one DataFrame, with the types :func:`_to_pandas` gives.

    Numbers are copied batch by batch into arrays of the final size (no whole Arrow table beside the
    DataFrame, no pieces to concatenate); other columns (strings) stay Arrow arrays, in chunks of
    :data:`_STRING_CHUNKS` parts.
    """
    numeric = {
        name: np.empty(rows, kind.to_pandas_dtype())
        for name, kind in zip(schema.names, schema.types, strict=True)
        if pa.types.is_integer(kind) or pa.types.is_floating(kind)
    }
    masks = {
        name: np.zeros(rows, bool)
        for name, kind in zip(schema.names, schema.types, strict=True)
        if pa.types.is_integer(kind)
    }
    chunks: dict[str, list[pa.Array]] = {name: [] for name in schema.names if name not in numeric}
    small: dict[str, list[pa.Array]] = {name: [] for name in chunks}
    at = 0
    for batch in reader:
        if batch.schema.names != schema.names:
            raise StoreError(f"a runs part has other columns than {schema.names[:3]}...: read it with read_runs()")
        n = batch.num_rows
        if at + n > rows:
            raise StoreError(f"the runs parts hold more than the {rows} run records their check counted")
        for name, column in zip(schema.names, batch.columns, strict=True):
            if name in masks:
                masks[name][at : at + n] = column.is_null().to_numpy(zero_copy_only=False)
                numeric[name][at : at + n] = column.fill_null(0).to_numpy(zero_copy_only=False)
            elif name in numeric:
                numeric[name][at : at + n] = column.to_numpy(zero_copy_only=False)  # nulls become NaN
            else:
                small[name].append(column)
                if len(small[name]) == _STRING_CHUNKS:  # the last few parts' small chunks as one
                    chunks[name].append(pa.concat_arrays(small[name]))
                    small[name] = []
        at += n
    if at != rows:
        raise StoreError(f"the runs parts hold {at} run records, their check counted {rows}")
    for name, rest in small.items():
        chunks[name].extend(rest)
    columns: dict[str, Any] = {}
    for name, kind in zip(schema.names, schema.types, strict=True):
        if name in chunks and not chunks[name]:
            columns[name] = pa.array([], kind).to_pandas()
        elif name in masks and masks[name].any():
            columns[name] = pd.arrays.IntegerArray(numeric.pop(name).astype(np.int64), masks.pop(name))
        elif name in numeric:
            columns[name] = numeric.pop(name)
        else:
            columns[name] = pa.chunked_array(chunks.pop(name), kind).to_pandas()
    return pd.DataFrame(columns, copy=False)


def _sort_runs(runs: pd.DataFrame, regimes: Sequence[str]) -> pd.DataFrame:
    """``runs`` sorted by point, replicate and regime (in the order of ``regimes``), one column at a time
    (a sort of the whole frame would hold it twice)."""
    if runs.empty:
        return runs
    order = runs["regime"].map({r: i for i, r in enumerate(regimes)}).to_numpy(dtype=float)
    perm = np.lexsort((order, runs["replicate"].to_numpy(), runs["point"].to_numpy()))
    if np.array_equal(perm, np.arange(len(runs))):
        return runs.reset_index(drop=True)
    columns = {}
    for name in list(runs.columns):
        columns[name] = runs.pop(name).take(perm).reset_index(drop=True)
    return pd.DataFrame(columns, copy=False)


def _without_run_records(pairs: list[tuple[str, Any]]) -> dict[str, Any] | None:
    """``object_pairs_hook`` that drops the manifest's per-run records while parsing (their table is large)."""
    if pairs and {k for k, _ in pairs} <= {"status", "wall_time", "seed"} and len(pairs) == 3:
        return None
    return dict(pairs)


# ---------------------------------------------------------------------------------------------- repair
@dataclass
class RepairReport:
    """What :func:`repair` did."""

    path: Path
    kept: int = 0
    runs_ok: int = 0
    planned: int = 0
    set_aside: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    quarantine: Path | None = None

    def __str__(self) -> str:
        text = (
            f"{self.path}: kept {self.kept} batches ({self.runs_ok} of {self.planned} runs stored ok); manifest rebuilt"
        )
        if self.set_aside:
            text += f"; set aside {len(self.set_aside)} files in {self.quarantine}:"
            text += "".join(f"\n  {name}: {reason}" for name, reason in self.set_aside)
        if self.runs_ok < self.planned:
            text += "\nre-run the sweep's command to run what is missing"
        return text


def repair(path: str | os.PathLike) -> RepairReport:
    """Set aside every part that fails its checks (into ``quarantine/``) and rebuild the manifest from the rest.

    The sweep's identity comes from the manifest if it can be read, otherwise from the
    most common identity among the runs parts.  Nothing is deleted but temporary files.
    """
    store = Store(path)
    if not store.path.is_dir():
        raise StoreError(f"{store.path}: no such store folder")
    with store.locked():
        try:
            manifest = store.read_manifest()
        except StoreError:
            manifest = None
        identity = _repair_identity(store, manifest)
        report = RepairReport(store.path, planned=identity.plan.size)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        report.quarantine = store.path / QUARANTINE / stamp
        for folder in (store.runs_dir, store.steps_dir):
            for tmp in folder.glob(".tmp-*") if folder.exists() else ():
                tmp.unlink(missing_ok=True)
        status: dict[int, bool] = {}  # whether each run's latest record (by its position in the plan) is ok
        runs_parts, steps_parts = store._parts(store.runs_dir), store._parts(store.steps_dir)
        for seq, runs_path in runs_parts.items():
            steps_path = steps_parts.get(seq)
            try:
                index, ok = store._check_batch(runs_path, steps_path, identity)
                batch = dict(zip(index.tolist(), ok.tolist(), strict=True))
                twice = next((i for i, good in batch.items() if good and status.get(i)), None)
                if twice is not None:
                    raise _stored_twice(runs_path, identity.plan.run_at(twice))
            except StoreError as exc:
                _set_aside(report, store, [runs_path, steps_path], str(exc))
                continue
            status.update(batch)
            report.kept += 1
        for seq, steps_path in steps_parts.items():
            if seq not in runs_parts:
                _set_aside(report, store, [steps_path], "a steps part without its runs part (an uncommitted batch)")
        report.runs_ok = sum(status.values())
        base = manifest or {}
        base.update(
            spec=identity.spec or base.get("spec", {}),
            spec_hash=identity.spec_hash,
            model_fingerprint=identity.model_fingerprint,
            plan=identity.plan.to_dict(),
            runs_planned=identity.plan.size,
        )
        base.setdefault("name", base.get("spec", {}).get("name"))
        base.setdefault("root_seed", base.get("spec", {}).get("seed"))
        base.setdefault("sessions", [])
        base["repaired"] = [*base.get("repaired", []), {"time": stamp, "set_aside": [n for n, _ in report.set_aside]}]
        finish_manifest(store, base)
        if not report.set_aside:
            report.quarantine = None
        return report


def _set_aside(report: RepairReport, store: Store, paths: Iterable[Path | None], reason: str) -> None:
    assert report.quarantine is not None
    for path in paths:
        if path is None or not path.exists():
            continue
        target = report.quarantine / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        report.set_aside.append((str(path.relative_to(store.path)), reason.split(": ", 1)[-1]))


def _repair_identity(store: Store, manifest: dict[str, Any] | None) -> Identity:
    if manifest is not None and {"spec_hash", "model_fingerprint", "plan"} <= manifest.keys():
        return Identity(
            manifest["spec_hash"], manifest["model_fingerprint"], Plan.from_dict(manifest["plan"]), manifest["spec"]
        )
    votes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for path in store._parts(store.runs_dir).values():
        try:
            _, record = _part_metadata(path)
            key = (record["spec_hash"], record["model_fingerprint"])
            Plan.from_dict(record["plan"])
        except (StoreError, KeyError, TypeError, ValueError):
            continue
        votes.setdefault(key, []).append(record)
    if not votes:
        raise StoreError(f"{store.path}: neither a readable manifest nor a readable runs part; nothing to repair")
    record = max(votes.values(), key=len)[0]
    return Identity(
        record["spec_hash"], record["model_fingerprint"], Plan.from_dict(record["plan"]), record.get("spec", {})
    )


def finish_manifest(store: Store, manifest: dict[str, Any], interrupted: bool = False) -> dict[str, Any]:
    """Write the manifest's run counts and status: complete only when every planned run is stored ok.

    Each run's status, seed and wall time are in the runs table only: a table of them in the manifest
    grew with the sweep (12 MB at 10^5 runs, parsed whenever the store was opened)."""
    runs = store.read_runs(["status"])
    planned = int(manifest.get("runs_planned", 0))
    ok = int((runs["status"] == "ok").sum()) if not runs.empty else 0
    failed = len(runs) - ok
    if interrupted:
        state = "interrupted"
    elif ok == planned:
        state = "complete"
    elif failed:
        state = "failures"
    else:
        state = "incomplete"
    manifest.update(status=state, runs_ok=ok, runs_failed=failed)
    store.write_manifest(manifest)
    return manifest


# ---------------------------------------------------------------------------------------------- results
class Results:
    """A stored sweep: ``runs`` (one row per run, as stored), the per-step metrics, ``manifest``.

    ``runs`` is a pandas DataFrame (small: one row per run).  The per-step table can be large
    (runs x steps rows) and is read only when asked:

    * ``step_table``: a lazy :class:`~ecsim.experiment.steps.StepTable` over the store's Parquet
      parts (DuckDB).  ``ecsim.analysis`` aggregates it out of core (``timeseries``,
      ``at_horizons``, ``steady_state``, ``first_step`` accept it), and
      ``steps_frame(columns=..., where=...)`` materialises only the columns and rows asked for;
    * ``steps``: the whole table as a pandas DataFrame, read on first access and kept (fine for
      small stores; memory grows with runs x steps).

    Paired outcomes are not stored: ``ecsim.analysis.paired_runs(results)`` is ``runs`` with
    ``harm_reduction`` against the baseline regime.
    """

    def __init__(
        self,
        runs: pd.DataFrame,
        steps: pd.DataFrame | None = None,
        manifest: dict[str, Any] | None = None,
        *,
        step_table: StepTable | None = None,
    ) -> None:
        self.runs = runs
        self.manifest = manifest if manifest is not None else {}
        self._steps = steps
        self._step_table = step_table

    @property
    def step_table(self) -> StepTable:
        """The per-step table, lazily (a DuckDB relation over the parts; nothing read until queried)."""
        if self._step_table is None:
            frame = self._steps if self._steps is not None else pd.DataFrame(columns=["run_id", "step"])
            self._step_table = StepTable.from_frame(frame, self.runs)
        return self._step_table

    @property
    def steps(self) -> pd.DataFrame:
        """The whole per-step table as a DataFrame (read on first access, then kept): one row per
        successful run and stored step, with the run's keys, sorted like ``runs`` and by step."""
        if self._steps is None:
            self._steps = self.step_table.frame()
        return self._steps

    def steps_frame(
        self,
        columns: Sequence[str] | None = None,
        where: str | None = None,
        regimes: Sequence[str] | None = None,
        steps: Sequence[int] | None = None,
    ) -> pd.DataFrame:
        """Only the asked part of the per-step table (see :meth:`StepTable.frame`), in the order of ``steps``."""
        return self.step_table.frame(columns, where, regimes, steps)

    @property
    def failed(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] != "ok"]

    def __repr__(self) -> str:
        return f"Results({len(self.runs)} runs, {self.step_table!r})"


KEYS = ["point", "replicate", "regime"]


def load_results(
    path: str | os.PathLike, steps: bool = True, memory_limit: str | None = None, threads: int | None = None
) -> Results:
    """Open a store written by a sweep: read its runs, and its per-step table lazily.

    Every part is checked first (a damaged or alien part is a one-line StoreError naming it).
    ``runs`` has one row per run, as stored: its keys (point, replicate, regime, seed),
    every parameter, the summary metrics, status, error and wall time, sorted by point,
    replicate and regime (in the spec's order).  The per-step table (one row per run and
    stored step, with the run's keys, sorted the same way and by step) is not read here:
    ``results.step_table`` queries it in DuckDB (out of core, within ``memory_limit``, e.g.
    ``"2GB"``, on ``threads`` threads; defaults in :mod:`ecsim.experiment.steps`),
    ``results.steps_frame(columns, where)`` reads a part of it, ``results.steps`` all of it.
    ``steps=False`` gives an empty step table.  This only reads: outcomes paired across regimes,
    such as ``harm_reduction`` against the baseline regime of the same point and replicate, are
    analysis (``ecsim.analysis.paired_runs(results)``).
    """
    store = Store(path)
    manifest = store.read_manifest()
    if manifest is None:
        raise StoreError(f"{store.path}: no {MANIFEST} here; is this the --out folder of a sweep?")
    store.verify(store._manifest_identity(manifest))
    regimes = [r["name"] for r in manifest["spec"]["regimes"]]
    runs = store.runs_frame(regimes)
    if runs.empty:
        return Results(pd.DataFrame(), pd.DataFrame(), manifest)
    parts = store.step_parts() if steps else []
    return Results(runs, None, manifest, step_table=StepTable(parts, runs, memory_limit, threads))

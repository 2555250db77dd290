"""Where runs execute: serially, in local processes, or on a Dask cluster.

Every executor has one interface, a context manager with ``submit(fn, item)`` (a
future), ``wait(futures)`` (those done), ``outcome(future)`` (the value, or
:class:`WorkerLost` if the process running it died), ``terminate()`` (stop at once)
and ``close()``; ``map_unordered`` is built on them.  Results do not depend on the
executor: each run is determined by its seed.  Dask is imported only when a Dask
executor is used.

Local worker processes live and die with their sweep: each watches a pipe that only
the driver holds open, and exits when the driver is gone, however it ended
(``kill -9`` included).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool
from typing import Any


class WorkerLost(RuntimeError):
    """The process running an item died (killed, crashed, out of memory) before returning its result."""


class Executor:
    """Base class: runs items, and says when the process running one died."""

    workers = 1
    description = "serial"

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, fn: Callable[[Any], Any], item: Any) -> Any:
        """Start ``fn(item)``; return a future."""
        raise NotImplementedError

    def wait(self, futures: Iterable[Any]) -> set[Any]:
        """Block until at least one of ``futures`` is done; return those done."""
        done, _ = wait_futures(list(futures), return_when=FIRST_COMPLETED)
        return done

    def outcome(self, future: Any) -> Any:
        """The value of a done future; raises WorkerLost if its process died, else what ``fn`` raised."""
        return future.result()

    def terminate(self) -> None:
        """Stop at once: kill the workers and abandon what they run (a second Ctrl-C)."""
        self.close()

    def close(self) -> None:
        """Release the workers once what they run is done."""

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Yield ``fn(item)`` for every item as results complete, at most ``2 x workers`` in flight."""
        source, pending = iter(items), set()
        for item in source:
            pending.add(self.submit(fn, item))
            if len(pending) >= 2 * self.workers:
                done = self.wait(pending)
                pending -= done
                yield from (self.outcome(f) for f in done)
        while pending:
            done = self.wait(pending)
            pending -= done
            yield from (self.outcome(f) for f in done)


class SerialExecutor(Executor):
    """Run in this process, one item after another (the reference; easiest to debug)."""

    def submit(self, fn: Callable[[Any], Any], item: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(item))
        except Exception as exc:
            future.set_exception(exc)
        return future


def _watch_driver(alive: Any) -> None:
    """Exit this worker as soon as the driver's end of the ``alive`` pipe closes (the driver is gone)."""
    with contextlib.suppress(EOFError, OSError):
        alive.recv()  # the driver never sends: this returns only by EOF
    os._exit(1)


def _init_worker(alive: Any) -> None:
    """Worker set-up: Ctrl-C is the driver's to handle; exit when the driver is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_driver, args=(alive,), daemon=True, name="ecsim-driver-watch").start()


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "its worker process died"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (the out-of-memory killer sends this)" if -code == signal.SIGKILL else ""
        return f"its worker process was killed by {name}{hint}"
    return f"its worker process exited with status {code}"


def _culprit(codes: Iterable[int]) -> int | None:
    """The exit code that tells how the worker that broke the pool died, among those of the pool's workers.

    The pool stops the other workers with SIGTERM, and a forkserver reports 255 for a worker whose status
    it could not read (CPython's ``popen_forkserver``), which happens to those siblings under load; so a
    signal other than SIGTERM is the culprit's first, then any other non-zero status, then 255.
    """
    told = [code for code in codes if code not in (0, -signal.SIGTERM)]
    ranked = sorted(told, key=lambda code: 0 if code < 0 else 2 if code == 255 else 1)
    return ranked[0] if ranked else None


class ProcessExecutor(Executor):
    """Local worker processes (``--workers N``; default: all cores).

    Uses the ``forkserver`` start method where available, with ecsim preloaded, so
    workers start fast and safely, also from a Jupyter kernel.  Workers exit when the
    driver dies.  A worker that dies makes its items :class:`WorkerLost` and the pool is
    rebuilt for what follows.  As a backstop against memory that a long-lived worker
    might accumulate, the pool is replaced by a fresh one after ``recycle_after``
    items per worker (in-flight items finish in the old one).
    """

    def __init__(self, workers: int | None = None, recycle_after: int | None = 200) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.description = f"{self.workers} local processes"
        self.recycle_after = recycle_after
        methods = multiprocessing.get_all_start_methods()
        self._ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if self._ctx.get_start_method() == "forkserver":
            self._ctx.set_forkserver_preload(["ecsim.experiment.worker"])
        self._alive_r, self._alive_w = self._ctx.Pipe(duplex=False)
        self._pool = self._new_pool()
        self._old: list[ProcessPoolExecutor] = []
        self._submitted = 0
        self._processes: dict[int, Any] = {}  # pid -> Process, to name how a dead worker ended

    def _new_pool(self) -> ProcessPoolExecutor:
        self._submitted = 0
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self._ctx, initializer=_init_worker, initargs=(self._alive_r,)
        )

    def submit(self, fn: Callable[[Any], Any], item: Any) -> Future:
        if self.recycle_after and self._submitted >= self.recycle_after * self.workers:
            self._retire()
        try:
            future = self._pool.submit(fn, item)
        except BrokenProcessPool:  # a worker died earlier: start afresh
            self._retire()
            future = self._pool.submit(fn, item)
        self._submitted += 1
        self._processes.update(getattr(self._pool, "_processes", None) or {})
        return future

    def _retire(self) -> None:
        """Let the current pool finish what it runs and exit; new items go to a fresh pool."""
        self._pool.shutdown(wait=False)
        self._old.append(self._pool)
        self._pool = self._new_pool()

    def outcome(self, future: Future) -> Any:
        try:
            return future.result()
        except BrokenProcessPool:
            deadline = time.monotonic() + 2.0
            while True:  # the culprit's code may come in after its siblings': wait a moment while it is unclear
                dead = {pid: p.exitcode for pid, p in self._processes.items() if p.exitcode is not None}
                if _culprit(dead.values()) not in (None, 255) or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            for pid in dead:  # each death is told once
                del self._processes[pid]
            raise WorkerLost(_describe_exit(_culprit(dead.values()))) from None

    def terminate(self) -> None:
        self._alive_w.close()  # every worker's watch thread sees EOF and exits at once
        for pool in (*self._old, self._pool):
            pool.shutdown(wait=False, cancel_futures=True)
        for process in self._processes.values():
            process.join(timeout=5)
        self._alive_r.close()

    def close(self) -> None:
        for pool in (*self._old, self._pool):
            pool.shutdown(wait=True, cancel_futures=True)
        self._alive_w.close()
        self._alive_r.close()


class DaskExecutor(Executor):
    """A Dask cluster: a LocalCluster of ``local_workers`` processes, or a running scheduler at ``address``.

    Joining a scheduler lets a sweep scale out, e.g. to a SLURM allocation started with
    dask-jobqueue (see the README).  A task whose workers keep dying is reported as
    WorkerLost once Dask gives up on it (``KilledWorker``).
    """

    def __init__(self, local_workers: int | None = None, address: str | None = None, timeout: float = 10) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - dask is a declared dependency
            raise RuntimeError("the Dask executor needs dask[distributed]: pip install 'dask[distributed]'") from None
        self._cluster = None
        if address:
            self._client = Client(address, timeout=f"{timeout}s")
            self.description = f"Dask scheduler at {address}"
        else:
            n = local_workers or os.cpu_count() or 1
            self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
            self._client = Client(self._cluster)
            self.description = f"Dask LocalCluster of {n} workers"
        self.workers = max(1, sum(self._client.nthreads().values()))

    def submit(self, fn: Callable[[Any], Any], item: Any) -> Any:
        return self._client.submit(fn, item, pure=False)

    def wait(self, futures: Iterable[Any]) -> set[Any]:
        from dask.distributed import wait

        return set(wait(list(futures), return_when="FIRST_COMPLETED").done)

    def outcome(self, future: Any) -> Any:
        from distributed.scheduler import KilledWorker

        try:
            return future.result()
        except KilledWorker as exc:
            raise WorkerLost(f"Dask lost the workers that ran it ({exc})") from None
        finally:
            future.release()

    def terminate(self) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

"""Where runs execute: serially, in local processes, or on a Dask cluster.

Every executor has one interface: a context manager whose ``map_unordered(fn,
items)`` yields ``fn(item)`` results as they complete.  Results do not depend
on the executor: each run is determined by its seed.  Dask is imported only
when a Dask executor is used.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the driver, which stops the sweep cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Executor:
    """Base class: a context manager that maps a function over items, yielding results as they finish."""

    workers = 1
    description = "serial"

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release workers (also called on Ctrl-C)."""

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        raise NotImplementedError


class SerialExecutor(Executor):
    """Run in this process, one item after another (the reference; easiest to debug)."""

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            yield fn(item)


class ProcessExecutor(Executor):
    """Local worker processes (``--workers N``; default: all cores).

    Uses the ``forkserver`` start method where available, with ecsim preloaded, so
    workers start fast and safely, also from a Jupyter kernel.  At most
    ``2 x workers`` items are in flight, so the driver's memory does not grow with
    the size of the sweep.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.description = f"{self.workers} local processes"
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if ctx.get_start_method() == "forkserver":
            ctx.set_forkserver_preload(["ecsim.experiment.worker"])
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_ignore_sigint)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        pending: set[Future] = set()
        source = iter(items)
        limit = 2 * self.workers
        for item in source:
            pending.add(self._pool.submit(fn, item))
            if len(pending) >= limit:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()


class DaskExecutor(Executor):
    """A Dask cluster: a LocalCluster of ``local_workers`` processes, or a running scheduler at ``address``.

    Joining a scheduler lets a sweep scale out, e.g. to a SLURM allocation started with
    dask-jobqueue (see the README).  Items are submitted with a bounded number in flight.
    """

    def __init__(self, local_workers: int | None = None, address: str | None = None) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - dask is a declared dependency
            raise RuntimeError("the Dask executor needs dask[distributed]: pip install 'dask[distributed]'") from None
        self._cluster = None
        if address:
            self._client = Client(address, timeout="30s")
            self.description = f"Dask scheduler at {address}"
        else:
            self._cluster = LocalCluster(
                n_workers=local_workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self._client = Client(self._cluster)
            self.description = f"Dask LocalCluster of {local_workers} workers"
        self.workers = max(1, sum(self._client.nthreads().values()))

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        from dask.distributed import as_completed

        source = iter(items)
        limit = 2 * self.workers
        first = [self._client.submit(fn, item, pure=False) for _, item in zip(range(limit), source, strict=False)]
        stream = as_completed(first)
        for future in stream:
            result = future.result()
            future.release()
            nxt = next(source, None)
            if nxt is not None:
                stream.add(self._client.submit(fn, nxt, pure=False))
            yield result

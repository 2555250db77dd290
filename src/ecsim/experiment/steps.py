"""The per-step table of a stored sweep, lazily: a DuckDB relation over the store's Parquet parts.

A sweep's step table grows with its runs (runs x steps rows: 1.56 M rows for the Morris screening,
240 M for 10^6 runs), its runs table does not grow with steps.  :class:`StepTable` opens the step
parts without reading them: a query names the columns it needs and its filters, DuckDB reads only
those columns (and skips row groups a filter rules out) and aggregates out of core, within a memory
limit, spilling to a temporary folder if it must.  Only the result is materialised.

Two views can be queried (:meth:`StepTable.sql`):

* ``steps``: one row per successful run and stored step, with the run's keys (run_id, point,
  replicate, regime, seed), ``step``, the stored metrics and ``_rank``, the run's position in the
  sorted runs table (point, replicate, regime in the spec's order), so ``ORDER BY _rank, step``
  is the order of :attr:`ecsim.experiment.Results.steps`;
* ``runs``: the runs table (one row per run: parameters, summary, status), small, from pandas.

The same queries run on a step table already in memory (:meth:`StepTable.from_frame`), so every
function built on them gives the same numbers on an eager ``Results.steps`` frame.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

#: The keys of a run carried on every row of the step table, in the eager frame's column order.
RUN_KEYS = ("run_id", "point", "replicate", "regime", "seed")
#: DuckDB's memory limit for step-table queries (beyond it, it spills to a temporary folder).
MEMORY_LIMIT = "1GB"
#: DuckDB threads for step-table queries: one makes every floating-point sum, hence every
#: aggregate, the same from one call to the next (parallel partial sums may differ in the last bit).
THREADS = 1


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A Python scalar as a SQL literal (strings quoted, numbers as they print)."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, int) else repr(float(value))
    if hasattr(value, "item"):  # a NumPy scalar
        return literal(value.item())
    raise TypeError(f"literal: cannot write {value!r} as SQL")


def connect(memory_limit: str | None = None, threads: int | None = None) -> Any:
    """An in-memory DuckDB connection set up for reading a store: memory limit, threads, a private spill folder,
    and no cache of the Parquet files' bytes (memory would grow with the store)."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = {literal(memory_limit or MEMORY_LIMIT)}")
    con.execute(f"SET threads = {int(threads or THREADS)}")
    spill = Path(tempfile.gettempdir()) / f"ecsim-duckdb-{os.getpid()}"
    con.execute(f"SET temp_directory = {literal(str(spill))}")
    for option in ("enable_external_file_cache", "preserve_insertion_order"):
        with contextlib.suppress(duckdb.Error):  # an older DuckDB without the setting
            con.execute(f"SET {option} = false")
    return con


class StepTable:
    """A lazy step table: query it in DuckDB, materialise only what is asked.

    Built by :func:`ecsim.load_results` (over the store's parts) or by :meth:`from_frame` (over a
    DataFrame).  :meth:`frame` returns rows as pandas (columns and filters pushed down to the
    Parquet scan), :meth:`sql` any query over the views ``steps`` and ``runs`` (module docstring);
    :mod:`ecsim.analysis` aggregates through it (``timeseries``, ``at_horizons``, ``steady_state``,
    ``first_step``) without reading every row into memory.
    """

    def __init__(
        self,
        parts: Sequence[str | os.PathLike],
        runs: pd.DataFrame,
        memory_limit: str | None = None,
        threads: int | None = None,
        connection: Any = None,
    ) -> None:
        """``parts``: the committed steps parts; ``runs``: the runs table sorted as ``Results.runs``
        (its row number is a run's ``_rank``; only runs with status ok have steps); ``connection``:
        a DuckDB connection of :func:`connect` to use (by default one is opened on the first query)."""
        self._parts = [str(p) for p in parts]
        self._frame: pd.DataFrame | None = None
        self._runs = runs
        self._memory_limit, self._threads = memory_limit, threads
        self._runs_registered = False  # the view ``runs`` exists (registered on the first query that reads it)
        self._con: Any = None if connection is None else self._open(connection)
        self._owner: StepTable = self  # the table whose connection a subset shares
        self._conditions: tuple[str, ...] = ()

    @classmethod
    def from_frame(cls, steps: pd.DataFrame, runs: pd.DataFrame | None = None) -> StepTable:
        """The same queries over a step table already in memory (an eager ``Results.steps``).

        Runs keep the order of their first row in ``steps`` (``_rank``).
        """
        table = cls([], runs if runs is not None else pd.DataFrame())
        frame = steps.reset_index(drop=True)
        frame = frame.assign(_rank=pd.factorize(frame["run_id"])[0] if "run_id" in frame else 0)
        table._frame = frame
        return table

    def subset(
        self, where: str | None = None, regimes: Sequence[str] | None = None, steps: Sequence[int] | None = None
    ) -> StepTable:
        """This table restricted to some rows, still lazily (``where``: a SQL condition; ``regimes`` and
        ``steps``: keep only these).  Every query and aggregate of the subset sees only those rows."""
        child = StepTable.__new__(StepTable)
        child.__dict__.update(self.__dict__)
        child._conditions = (*self._conditions, *_conditions(where, regimes, steps))
        return child

    @property
    def source(self) -> str:
        """SQL for this table's rows: ``steps``, or a subquery of it with the subset's conditions."""
        if not self._conditions:
            return "steps"
        return f"(SELECT * FROM steps WHERE {' AND '.join(self._conditions)})"

    # ------------------------------------------------------------------ engine
    @property
    def connection(self) -> Any:
        """The DuckDB connection holding the views ``steps`` and ``runs`` (opened on first use)."""
        return self._connect(runs=True)

    def _connect(self, runs: bool) -> Any:
        """The connection; with the view ``runs`` if ``runs``.  Registering the runs table costs memory in
        proportion to the runs (9 MB at 10^5), so queries that do not read it do without."""
        owner = self._owner
        if owner._con is None:
            owner._con = owner._open()
        if runs and not owner._runs_registered:
            owner._con.register("runs", owner._runs_table())
            owner._runs_registered = True
        return owner._con

    def _runs_table(self) -> pd.DataFrame:
        runs = self._runs
        if runs.empty or "run_id" not in runs:
            empty = {k: pd.Series(dtype="int64" if k in ("point", "replicate", "seed") else object) for k in RUN_KEYS}
            runs = pd.DataFrame({**empty, "status": pd.Series(dtype=object)})
        return runs

    def _open(self, con: Any = None) -> Any:
        con = connect(self._memory_limit, self._threads) if con is None else con
        self._runs_registered = False
        runs = self._runs_table()
        if self._frame is not None:
            con.register("_step_frame", self._frame)
            con.execute("CREATE VIEW steps AS SELECT * FROM _step_frame")
            return con
        ok = runs.loc[runs["status"] == "ok", list(RUN_KEYS)] if "status" in runs else runs[list(RUN_KEYS)]
        keys = ok.assign(_rank=ok.index.to_numpy().astype("int64")).reset_index(drop=True)
        con.register("_keys", keys)
        if self._parts:
            files = "[" + ", ".join(literal(p) for p in self._parts) + "]"
            # One layout: every steps part of a store holds run_id, step and the spec's outputs, typed alike.
            con.execute(f"CREATE VIEW _parts AS SELECT * FROM read_parquet({files})")
        else:
            con.execute("CREATE VIEW _parts AS SELECT NULL::VARCHAR AS run_id, NULL::INTEGER AS step WHERE false")
        key_columns = ", ".join(f"k.{ident(c)}" for c in RUN_KEYS)
        con.execute(
            f"CREATE VIEW steps AS SELECT {key_columns}, s.* EXCLUDE (run_id), k._rank "
            "FROM _parts s JOIN _keys k ON s.run_id = k.run_id"
        )
        return con

    def close(self) -> None:
        """Close the DuckDB connection (it reopens on the next query)."""
        owner = self._owner
        if owner._con is not None:
            owner._con.close()
            owner._con = None

    # ------------------------------------------------------------------ what it holds
    @property
    def columns(self) -> list[str]:
        """The columns of :meth:`frame`: the run's keys, ``step`` and the stored metrics."""
        if self._frame is not None:
            return [c for c in self._frame.columns if c != "_rank"]
        names = self._connect(runs=False).sql("SELECT * FROM steps LIMIT 0").columns
        return [c for c in names if c != "_rank"]

    @property
    def metrics(self) -> list[str]:
        """The stored per-step metrics (the columns other than the run's keys and ``step``)."""
        return [c for c in self.columns if c not in (*RUN_KEYS, "step")]

    def __len__(self) -> int:
        return int(self._connect(runs=False).execute(f"SELECT count(*) FROM {self.source}").fetchall()[0][0])

    def __repr__(self) -> str:
        where = f"{len(self._parts)} Parquet parts" if self._frame is None else "a DataFrame"
        return f"StepTable({where}; columns {', '.join(self.columns)})"

    # ------------------------------------------------------------------ queries
    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """The result of a DuckDB query over the views ``steps`` and ``runs``, as a DataFrame.

        ``{steps}`` in ``query`` stands for this table's rows (a :meth:`subset`'s only); ``params``
        fill ``?`` placeholders.  Example: ``table.sql("SELECT regime, max(harm) FROM {steps} GROUP BY
        regime")``.
        """
        query = query.replace("{steps}", self.source)
        con = self._connect(runs=_reads_runs(query))
        relation = con.sql(query, params=list(params)) if params else con.sql(query)
        table = relation.to_arrow_table()
        return table.to_pandas()  # through Arrow: the same column types as a Parquet part read by pyarrow

    def relation(self, query: str = "SELECT * FROM {steps}") -> Any:
        """A DuckDB relation (lazy) for ``query`` (as in :meth:`sql`): chain, aggregate, export."""
        query = query.replace("{steps}", self.source)
        return self._connect(runs=_reads_runs(query)).sql(query)

    def frame(
        self,
        columns: Sequence[str] | None = None,
        where: str | None = None,
        regimes: Sequence[str] | None = None,
        steps: Sequence[int] | None = None,
    ) -> pd.DataFrame:
        """Rows of the step table as a DataFrame, in the order of ``Results.steps``.

        ``columns``: which columns (default all; the run's keys are not added); ``where``: a SQL
        condition on the columns (e.g. ``"step >= 120 AND harm > 0"``); ``regimes`` / ``steps``: keep
        only these.  Columns and conditions are pushed down: only what is asked is read.
        """
        names = list(self.columns if columns is None else columns)
        unknown = [c for c in names if c not in self.columns]
        if unknown:
            raise KeyError(f"steps: no column {unknown[0]!r}; the step table holds {', '.join(self.columns)}")
        conditions = _conditions(where, regimes, steps)
        clause = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        select = ", ".join(ident(c) for c in names) or "NULL AS _none"
        out = self.sql(f"SELECT {select} FROM {{steps}}{clause} ORDER BY _rank, step")
        if not names:
            out = out.drop(columns="_none")
        return out


def _reads_runs(query: str) -> bool:
    """Whether ``query`` may read the view ``runs`` (the word appears in it)."""
    return re.search(r"\bruns\b", query, re.IGNORECASE) is not None


def _conditions(where: str | None, regimes: Sequence[str] | None, steps: Sequence[int] | None) -> list[str]:
    conditions = [f"({where})"] if where else []
    if regimes is not None:
        conditions.append(f"regime IN ({', '.join(literal(str(r)) for r in regimes) or 'NULL'})")
    if steps is not None:
        conditions.append(f"step IN ({', '.join(literal(int(s)) for s in steps) or 'NULL'})")
    return conditions


def number(expression: str) -> str:
    """SQL for a metric as a DOUBLE with NaN as NULL: aggregates skip it, as pandas skips NaN."""
    return f"nullif(CAST({expression} AS DOUBLE), 'NaN'::DOUBLE)"


__all__ = ["MEMORY_LIMIT", "RUN_KEYS", "THREADS", "StepTable", "connect", "ident", "literal", "number"]

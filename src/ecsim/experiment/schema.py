"""The column types of a sweep's stored tables, fixed by the declarations, never by the data.

A batch whose runs all failed, or a part written after failed runs were retried,
has the same Arrow schema as any other: metric columns take their type from the
metric declarations (:mod:`ecsim.model.metrics`), parameter columns from the
parameter declarations (:mod:`ecsim.params`).  So a store's tables read back with
the same types however its runs went.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from ecsim.model.metrics import BY_NAME
from ecsim.params import PARAMETERS

_KEYS: dict[str, pa.DataType] = {
    "run_id": pa.string(),
    "point": pa.int64(),
    "replicate": pa.int64(),
    "regime": pa.string(),
    "seed": pa.int64(),
    "steps": pa.int64(),
    "status": pa.string(),
    "error": pa.string(),
    "wall_time": pa.float64(),
    "step": pa.int32(),
}
_KINDS: dict[str, pa.DataType] = {"int": pa.int64(), "float": pa.float64(), "choice": pa.string()}


def column_type(name: str) -> pa.DataType | None:
    """The declared Arrow type of a stored column (None: not declared, inferred from the data)."""
    if name in _KEYS:
        return _KEYS[name]
    if name in BY_NAME:
        return pa.int64() if BY_NAME[name].dtype is int else pa.float64()
    if name.startswith("u_"):
        return pa.float64()  # a design's unit coordinate
    if name in PARAMETERS:
        return _KINDS.get(PARAMETERS[name].kind)
    base = name.rpartition("_")[0]
    while base:  # a mix parameter's weight per category, e.g. issue_mix_national
        if base in PARAMETERS and PARAMETERS[base].kind == "mix":
            return pa.float64()
        base = base.rpartition("_")[0]
    return None


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """A DataFrame as an Arrow table with the declared types (missing values become nulls)."""
    fields, arrays = [], []
    for name in frame.columns:
        declared = column_type(str(name))
        values: Any = frame[name]
        array = pa.array(values, from_pandas=True) if declared is None else pa.array(values, declared, from_pandas=True)
        fields.append(pa.field(str(name), array.type))
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))

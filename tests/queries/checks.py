"""Shared checks: a result has the columns, in order, and the value types its header declares."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from oncokg.queries import QuerySpec

_SCALARS = {
    "string": (str,),
    "integer": (int, np.integer),
    "float": (float, int, np.floating, np.integer),
    "boolean": (bool, np.bool_),
}


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _matches(value, declared: str) -> bool:
    if declared in _SCALARS:
        if declared in ("integer", "float") and isinstance(value, bool | np.bool_):
            return False
        return isinstance(value, _SCALARS[declared])
    if declared == "map":
        return isinstance(value, dict)
    inner = declared.removeprefix("list<").removesuffix(">")
    return isinstance(value, list) and all(_matches(v, inner) for v in value)


def assert_matches_header(frame: pd.DataFrame, spec: QuerySpec) -> None:
    assert list(frame.columns) == [c.name for c in spec.returns], spec.name
    for column in spec.returns:
        for value in frame[column.name].tolist():
            if not _missing(value):
                assert _matches(value, column.type), (
                    f"{spec.name}.{column.name}: {value!r} is not {column.type}")

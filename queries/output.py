"""Render a result DataFrame as a text table, CSV or JSON (the CLI's ``--format``)."""

from __future__ import annotations

import json
import math

import pandas as pd

FORMATS = ("table", "csv", "json")


def render(frame: pd.DataFrame, fmt: str = "table", max_colwidth: int = 60) -> str:
    """The rows of ``frame`` as text.

    ``table`` is for reading (long cells are shortened); ``csv`` writes lists and maps as JSON
    cells; ``json`` is a list of row objects with missing values as ``null``.
    """
    if fmt == "table":
        if frame.empty:
            return "(no rows)" if len(frame.columns) == 0 else (
                " ".join(map(str, frame.columns)) + "\n(no rows)")
        return frame.to_string(index=False, max_colwidth=max_colwidth, na_rep="")
    if fmt == "csv":
        cells = frame.map(_json_cell) if not frame.empty else frame
        return cells.to_csv(index=False).rstrip("\n")
    if fmt == "json":
        rows = [{k: _jsonable(v) for k, v in row.items()}
                for row in frame.to_dict(orient="records")]
        return json.dumps(rows, indent=2, ensure_ascii=False, default=str)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _json_cell(value):
    if isinstance(value, list | dict | tuple):
        return json.dumps(_jsonable(value), ensure_ascii=False, default=str)
    return value


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value

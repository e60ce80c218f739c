"""What a release changes: two releases' tables compared per label and relationship type.

A node is identified by its key, a relationship by its endpoints and identity properties
(``RelType.identity``, less any named in ``ignore``: GDSC v17 and release 8 responses of the
same pair are then one fact whose values changed). A fact is ``added`` (only in the new
release), ``removed`` (only in the old), ``changed`` (in both, some property other than
``sources`` differs) or ``unchanged``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from oncokg.contract.schema import SCHEMA
from oncokg.contract.tables import NodeTable, RelTable

COLUMNS = ["kind", "name", "old", "new", "added", "changed", "removed", "unchanged"]


def release_diff(old: Iterable[NodeTable | RelTable], new: Iterable[NodeTable | RelTable],
                 ignore: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per label and type either release holds: counts per ``COLUMNS``."""
    old_tables, new_tables = _by_name(old), _by_name(new)
    rows = []
    for name in sorted(set(old_tables) | set(new_tables)):
        kind = "node" if name in SCHEMA.nodes else "relationship"
        identity = _identity(name, ignore)
        a = _facts(old_tables.get(name), identity)
        b = _facts(new_tables.get(name), identity)
        both = a.index.intersection(b.index)
        shared = [c for c in a.columns if c in b.columns and c not in ("sources", *ignore)]
        differ = np.zeros(len(both), dtype=bool)
        for column in shared:
            differ |= ~_same(a.loc[both, column], b.loc[both, column])
        rows.append({"kind": kind, "name": name, "old": len(a), "new": len(b),
                     "added": len(b.index.difference(a.index)), "changed": int(differ.sum()),
                     "removed": len(a.index.difference(b.index)),
                     "unchanged": int((~differ).sum())})
    return pd.DataFrame(rows, columns=COLUMNS)


def _by_name(tables: Iterable[NodeTable | RelTable]) -> dict[str, pd.DataFrame]:
    out: dict[str, list[pd.DataFrame]] = {}
    for table in tables:
        name = table.label if isinstance(table, NodeTable) else table.type
        out.setdefault(name, []).append(table.rows)
    return {name: pd.concat(frames, ignore_index=True) for name, frames in out.items()}


def _identity(name: str, ignore: tuple[str, ...]) -> list[str]:
    if name in SCHEMA.nodes:
        return [SCHEMA.node(name).key]
    return ["start", "end", *(c for c in SCHEMA.rel(name).identity if c not in ignore)]


def _facts(rows: pd.DataFrame | None, identity: list[str]) -> pd.DataFrame:
    """Rows indexed by identity (as text), one per fact."""
    if rows is None:
        return pd.DataFrame(index=pd.Index([], dtype=object))
    index = rows[[c for c in identity if c in rows.columns]].astype(str).agg("\x1f".join, axis=1)
    return rows.set_index(index).loc[lambda f: ~f.index.duplicated()]


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise equality; missing equals missing, lists compare as sets, floats to 1e-9."""
    if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
        x, y = a.to_numpy(float), b.to_numpy(float)
        return np.isclose(x, y, rtol=0, atol=1e-9, equal_nan=True)
    return np.array([_equal(x, y) for x, y in zip(a, b, strict=True)], dtype=bool)


def _equal(x, y) -> bool:
    x_missing, y_missing = _missing(x), _missing(y)
    if x_missing or y_missing:
        return x_missing and y_missing
    if isinstance(x, (list, tuple, np.ndarray)) or isinstance(y, (list, tuple, np.ndarray)):
        return set(map(str, np.atleast_1d(x))) == set(map(str, np.atleast_1d(y)))
    if isinstance(x, float) or isinstance(y, float):
        try:
            return abs(float(x) - float(y)) <= 1e-9
        except (TypeError, ValueError):
            return False
    return x == y


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    return False

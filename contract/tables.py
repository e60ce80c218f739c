"""Typed node and relationship tables: the currency between loaders, the writer and the export.

A ``NodeTable`` is a DataFrame with one row per node: the label's key column plus property
columns. A ``RelTable`` is a DataFrame with ``start`` and ``end`` columns holding the keys of
the endpoint nodes (labels come from the schema) plus property columns. Missing values (None/NaN)
mean "no value" and are not written, so they never overwrite what another source set.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from oncokg.contract.schema import SCHEMA


@dataclass
class NodeTable:
    """Nodes of one label, e.g. ``NodeTable("Gene", df)`` with a ``symbol`` column."""

    label: str
    rows: pd.DataFrame
    name: str = ""

    def __post_init__(self) -> None:
        key = SCHEMA.node(self.label).key
        if key not in self.rows.columns:
            raise ValueError(f"{self.display}: missing key column {key!r}")
        if not self.name:
            self.name = self.label

    @property
    def display(self) -> str:
        return f"node table {self.name or self.label!r}"


@dataclass
class RelTable:
    """Relationships of one type with ``start``/``end`` endpoint keys."""

    type: str
    rows: pd.DataFrame
    name: str = ""

    def __post_init__(self) -> None:
        SCHEMA.rel(self.type)
        for column in ("start", "end"):
            if column not in self.rows.columns:
                raise ValueError(f"{self.display}: missing endpoint column {column!r}")
        if not self.name:
            self.name = self.type

    @property
    def display(self) -> str:
        return f"relationship table {self.name or self.type!r}"

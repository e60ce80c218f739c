"""Typed node and relationship tables: the currency between loaders, the writer and the export.

A ``NodeTable`` is a DataFrame with one row per node: the label's key column plus property
columns (Drug tables also get ``name_forms``, derived here from the name and synonyms). A
``RelTable`` is a DataFrame with ``start`` and ``end`` columns holding the keys of the endpoint
nodes (labels come from the schema) plus property columns. Missing values (None/NaN) mean "no
value" and are not written, so they never overwrite what another source set.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from oncokg.contract.names import name_forms
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
        if self.label == "Drug" and "name" in self.rows.columns:
            self.rows = self.rows.assign(name_forms=drug_name_forms(self.rows))

    @property
    def display(self) -> str:
        return f"node table {self.name or self.label!r}"


def drug_name_forms(rows: pd.DataFrame) -> list[list[str] | None]:
    """``name_forms`` of Drug rows: the normalized forms of each name and its synonyms, which
    the query runner matches a typed name against (``oncokg.contract.names``)."""
    synonyms = rows["synonyms"] if "synonyms" in rows.columns else [None] * len(rows)
    forms = []
    for name, others in zip(rows["name"], synonyms, strict=True):
        listed = [] if others is None or isinstance(others, float) else list(others)
        forms.append(name_forms([name if isinstance(name, str) else None, *listed]) or None)
    return forms


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

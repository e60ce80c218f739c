"""Shared pieces of every loader: the error type, file and source declarations, the result.

A loader is a function ``load(ctx: LoadContext) -> LoadResult``. It reads the files its
``Source`` declares (``ctx.path(name)``), normalizes identifiers through the shared gene and
drug resolvers, and returns node and relationship tables (``contract.tables``) in which every row
carries ``sources`` (``["<source>:<release>"]``) and every relationship endpoint is a node of
the same result. Loaders know nothing of Neo4j.

Who sets node properties: a node's scalar properties come from one authoritative place so
that the graph does not depend on load order. ``genes`` owns Gene properties, ``gdsc`` owns
CellLine properties, ``oncotree`` owns TumorType properties; any other loader emits key-only
rows (key + ``sources``) for those labels. Drug and Mutation properties are pure functions of
shared, deterministic code (the drug resolver, the mutation id rules), so every loader emits
the same full rows for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from oncokg.contract.licences import UNKNOWN
from oncokg.contract.schema import INDEX_VALUE_BYTES, SCHEMA, indexed_properties
from oncokg.contract.tables import NodeTable, RelTable
from oncokg.loaders.drugs import DrugResolver
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.files import SourceError, SourceFile
from oncokg.loaders.readers import LINE
from oncokg.loaders.report import Report

__all__ = ["LoadContext", "LoadResult", "Source", "SourceError", "SourceFile"]


@dataclass(frozen=True)
class Source:
    """A loadable source: its provenance name and release, its files and its loader."""

    name: str
    tag: str
    release: str
    files: Mapping[str, SourceFile]
    loader: Callable[[LoadContext], LoadResult]
    description: str = ""
    #: the id of the licence the source's data come under (``contract.licences``)
    licence: str = UNKNOWN

    @property
    def provenance(self) -> str:
        """The string every row of this source carries in ``sources``, e.g. ``gdsc:v17``."""
        return f"{self.tag}:{self.release}"


@dataclass
class LoadContext:
    """What a loader gets: its source, the file locator and a report to fill."""

    source: Source
    fetcher: Fetcher
    report: Report
    #: builds (once per vocabulary) the shared drug resolver from the fetcher's files
    resolve_drugs: Callable[[Fetcher], DrugResolver]

    @property
    def drugs(self) -> DrugResolver:
        """The shared drug resolver: every loader names drugs the same way."""
        return self.resolve_drugs(self.fetcher)

    def path(self, name: str) -> Path:
        """The local path of one of the source's declared files (downloaded if needed)."""
        return self.fetcher.path(self.source.files[name])

    @property
    def provenance(self) -> str:
        return self.source.provenance

    def result(self, nodes: list[NodeTable], rels: list[RelTable]) -> LoadResult:
        """Wrap tables into this source's ``LoadResult``; record loaded counts and inputs."""
        for table in nodes:
            self.report.loaded[table.label] = len(table.rows)
        for table in rels:
            self.report.loaded[table.type] = len(table.rows)
        files = {str(p): self.fetcher.sha256(p) for p in self.fetcher.used}
        return LoadResult(self.source.name, self.source.release, nodes, rels, self.report, files,
                          self.source.provenance, self.source.licence)


@dataclass
class LoadResult:
    """Node and relationship tables of one source load, with its report and release.

    ``files`` maps each file read to its sha256, so a load can be traced to exact inputs;
    ``provenance`` is the tag its rows carry and ``licence`` the licence id they come under.
    """

    source: str
    release: str
    nodes: list[NodeTable]
    rels: list[RelTable]
    report: Report
    files: dict[str, str] = field(default_factory=dict)
    provenance: str = ""
    licence: str = UNKNOWN

    def node_table(self, label: str) -> NodeTable:
        """The node table of one label (each label appears at most once)."""
        for table in self.nodes:
            if table.label == label:
                return table
        raise KeyError(f"{self.source}: no {label} node table")

    def rel_table(self, rel_type: str) -> RelTable:
        """The relationship table of one type (each type appears at most once)."""
        for table in self.rels:
            if table.type == rel_type:
                return table
        raise KeyError(f"{self.source}: no {rel_type} relationship table")

    def check(self) -> None:
        """Assert the result is self-contained and well-formed.

        Keys are unique and present, every row has ``sources``, every relationship's endpoints
        are nodes of this result, and no two relationships share endpoints and identity
        properties (``RelType.identity``). Raises ``ValueError`` on a loader bug.
        """
        keys: dict[str, set] = {}
        for table in self.nodes:
            key = SCHEMA.node(table.label).key
            if table.label in keys:
                raise ValueError(f"{self.source}: two {table.label} node tables")
            column = table.rows[key]
            if column.isna().any():
                raise ValueError(f"{self.source}: {table.label} rows without {key}")
            if column.duplicated().any():
                dup = column[column.duplicated()].iloc[0]
                raise ValueError(f"{self.source}: duplicate {table.label} key {dup!r}")
            _check_sources(self.source, table.display, table.rows)
            _check_indexable(self.source, table)
            keys[table.label] = set(column)
        for table in self.rels:
            rel = SCHEMA.rel(table.type)
            _check_sources(self.source, table.display, table.rows)
            identity = ["start", "end", *rel.identity]
            if table.rows.duplicated(identity).any():
                raise ValueError(f"{self.source}: {table.type} rows repeat {identity}; the "
                                 "writer would merge them into one relationship")
            for column, label in (("start", rel.start), ("end", rel.end)):
                missing = set(table.rows[column]) - keys.get(label, set())
                if missing:
                    raise ValueError(
                        f"{self.source}: {table.type} {column} keys not among the {label} "
                        f"nodes of this result, e.g. {sorted(map(str, missing))[:3]}"
                    )


def _check_indexable(source: str, table: NodeTable) -> None:
    """Refuse key and indexed values too long for Neo4j's indexes, before anything is written."""
    for column in indexed_properties(table.label):
        if column not in table.rows.columns:
            continue
        values = table.rows[column]
        sizes = values.map(lambda v: len(v.encode()) if isinstance(v, str) else 0)
        if len(sizes) and sizes.max() > INDEX_VALUE_BYTES:
            at = int(sizes.to_numpy().argmax())
            row = table.rows.iloc[at]
            line = row.get(LINE) if LINE in table.rows.columns else None
            where = f", line {line}" if line is not None else ""
            raise SourceError(
                f"{source}{where}: {table.label}.{column} value of {int(sizes.iloc[at]):,} bytes "
                f"({str(values.iloc[at])[:40]!r}…) is longer than the {INDEX_VALUE_BYTES:,} "
                "bytes an indexed property may hold; nothing was written")


def _check_sources(source: str, display: str, rows: pd.DataFrame) -> None:
    if "sources" not in rows.columns:
        raise ValueError(f"{source}: {display} has no sources column")
    if len(rows) and not all(isinstance(v, list) and v for v in rows["sources"]):
        raise ValueError(f"{source}: {display} has rows with empty sources")


# -- table building ----------------------------------------------------------------------------

def node_table(label: str, rows: pd.DataFrame | Iterable[Mapping[str, Any]],
               provenance: str) -> NodeTable:
    """A sorted ``NodeTable`` with a fresh ``sources`` list per row.

    Columns are the label's key first, then the schema's properties in schema order (those
    present), so tables are identical however the loader built them.
    """
    spec = SCHEMA.node(label)
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if frame.empty:
        frame = pd.DataFrame(columns=[spec.key])
    frame = frame.copy()
    frame["sources"] = [[provenance] for _ in range(len(frame))]
    _check_columns(label, frame.columns, (spec.key, *spec.properties))
    columns = [spec.key] + [p for p in spec.properties if p in frame.columns]
    frame = frame[columns].sort_values(spec.key, kind="mergesort").reset_index(drop=True)
    return NodeTable(label, frame)


def rel_table(rel_type: str, rows: pd.DataFrame | Iterable[Mapping[str, Any]],
              provenance: str, sort: tuple[str, ...] = ()) -> RelTable:
    """A sorted ``RelTable`` (by start, end and ``sort`` columns) with ``sources`` per row."""
    spec = SCHEMA.rel(rel_type)
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if frame.empty:
        frame = pd.DataFrame(columns=["start", "end"])
    frame = frame.copy()
    frame["sources"] = [[provenance] for _ in range(len(frame))]
    _check_columns(rel_type, frame.columns, ("start", "end", *spec.properties))
    columns = ["start", "end"] + [p for p in spec.properties if p in frame.columns]
    frame = frame[columns].sort_values(["start", "end", *sort], kind="mergesort")
    return RelTable(rel_type, frame.reset_index(drop=True))


def key_nodes(label: str, keys: Iterable[Any], provenance: str) -> NodeTable:
    """Key-only node rows (key + ``sources``) for a label another source owns."""
    key = SCHEMA.node(label).key
    return node_table(label, pd.DataFrame({key: sorted(set(keys))}), provenance)


def _check_columns(name: str, present: Iterable[str], allowed: tuple[str, ...]) -> None:
    extra = sorted(set(present) - set(allowed))
    if extra:
        raise ValueError(f"{name}: columns {extra} are not in the schema")


def clean(value: Any) -> str | None:
    """A stripped string, or None for missing/blank/NaN cells."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    text = str(value).strip()
    return text or None


def split_list(value: Any, sep: str = ",") -> list[str]:
    """Split a delimited cell into stripped, non-empty parts."""
    text = clean(value)
    if text is None:
        return []
    return [part.strip() for part in text.split(sep) if part.strip()]

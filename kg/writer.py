"""Batched, idempotent writes of node and relationship tables into Neo4j.

Each batch is one ``UNWIND $rows AS row MERGE …`` statement inside a managed write transaction
(``execute_write``), so transient errors are retried and a failed batch leaves nothing behind.
Labels, relationship types and key names come from ``contract.schema``; every value travels as a
parameter. Missing values are skipped, never written as nulls over another source's value; list
properties named in ``RelType.merged_lists`` (and ``sources`` on nodes) accumulate as a sorted
set union, so loading sources twice or in any order gives the same graph.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import neo4j
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from oncokg.contract.errors import OncoKGError
from oncokg.contract.licences import licence
from oncokg.contract.schema import PROPERTY_TYPES, SCHEMA, SOURCE_LABEL, constraint_statements
from oncokg.contract.tables import NodeTable, RelTable

DEFAULT_BATCH_SIZE = 10_000

#: Node list properties that accumulate across sources instead of being overwritten.
NODE_MERGED_LISTS = ("sources",)


class WriteError(OncoKGError, ValueError):
    """A table row cannot be written; the message names the table, row and field."""


@dataclass
class WriteSummary:
    """What a write did: rows sent, entities created, and rows that matched existing ones."""

    table: str
    rows: int = 0
    created: int = 0
    properties_set: int = 0

    @property
    def updated(self) -> int:
        return self.rows - self.created

    def __str__(self) -> str:
        return (f"{self.table}: {self.rows} rows, {self.created} created, "
                f"{self.updated} matched existing")


@dataclass
class LoadSummary:
    """Summaries of several writes."""

    tables: list[WriteSummary] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(t.created for t in self.tables)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def apply_schema(driver: neo4j.Driver, database: str | None = None) -> int:
    """Create every constraint and index of the schema; idempotent. Returns statements run."""
    statements = constraint_statements()
    with driver.session(database=database) as session:
        for statement in statements:
            session.run(statement).consume()
    return len(statements)


def clear_graph(driver: neo4j.Driver, database: str | None = None) -> None:
    """Delete every node and relationship (not the schema), in batches.

    Relationships go first, so no batch of nodes drags a cell line's hundreds of thousands of
    responses into one transaction.
    """
    with driver.session(database=database) as session:
        session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS"
                    ).consume()
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
                    ).consume()


def record_sources(driver: neo4j.Driver, sources: Iterable[tuple[str, str]],
                   database: str | None = None) -> int:
    """MERGE one ``Source`` node per ``(provenance tag, licence id)``: its name, release and
    licence (id, URL, whether open), so the graph says which licence each tag comes under.
    Both load paths (MERGE and bulk) call this after their writes. Returns nodes written."""
    rows = []
    for tag, licence_id in sources:
        name, _, release = tag.partition(":")
        lic = licence(licence_id)
        rows.append({"id": tag, "props": {"name": name, "release": release, "licence": lic.id,
                                          "licence_url": lic.url, "open": lic.open}})
    driver.execute_query(f"UNWIND $rows AS row MERGE (s:{SOURCE_LABEL} {{id: row.id}}) "
                         "SET s += row.props", rows=rows, database_=database)
    return len(rows)


class GraphWriter:
    """Writes ``NodeTable`` and ``RelTable`` objects in batches."""

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: bool = True,
    ) -> None:
        self.driver = driver
        self.database = database
        self.batch_size = batch_size
        self.progress = progress

    def write(self, nodes: Iterable[NodeTable] = (), rels: Iterable[RelTable] = ()) -> LoadSummary:
        """Write all node tables, then all relationship tables."""
        summary = LoadSummary()
        for table in nodes:
            summary.tables.append(self.write_nodes(table))
        for table in rels:
            summary.tables.append(self.write_rels(table))
        return summary

    def write_nodes(self, table: NodeTable) -> WriteSummary:
        node = SCHEMA.node(table.label)
        rows = _rows(table.rows, table.display, required=(node.key,), key_columns=(node.key,))
        merged = [c for c in NODE_MERGED_LISTS if c in table.rows.columns]
        query = (
            f"UNWIND $rows AS row MERGE (n:{node.label} {{{node.key}: row.key}}) "
            "SET n += row.props" + _merge_lists("n", merged)
        )
        payload = [
            {"key": r.pop(node.key), "props": _without(r, merged), **_lists(r, merged)}
            for r in rows
        ]
        return self._run_batches(table.display, query, payload, "nodes_created")

    def write_rels(self, table: RelTable) -> WriteSummary:
        return self._run_batches(table.display, *_rel_statement(table))

    def write_rels_in(self, tx: neo4j.ManagedTransaction, table: RelTable) -> WriteSummary:
        """Write ``table`` inside the caller's transaction (all of it commits, or none)."""
        query, payload, counter, check = _rel_statement(table)
        summary = WriteSummary(table.display, rows=len(payload))
        for offset in range(0, len(payload), self.batch_size):
            counters = _run_batch(tx, query, payload[offset: offset + self.batch_size], check)
            summary.created += getattr(counters, counter)
            summary.properties_set += counters.properties_set
        return summary

    # -- internals -----------------------------------------------------------------------
    def _run_batches(self, name, query, payload, counter, check=None) -> WriteSummary:
        summary = WriteSummary(name, rows=len(payload))
        batches = range(0, len(payload), self.batch_size)
        show = self.progress and len(payload) > self.batch_size
        with self.driver.session(database=self.database) as session:
            for offset in tqdm(batches, desc=name, unit="batch", disable=not show, leave=False):
                batch = payload[offset: offset + self.batch_size]
                counters = session.execute_write(_run_batch, query, batch, check)
                summary.created += getattr(counters, counter)
                summary.properties_set += counters.properties_set
        return summary


def _run_batch(tx, query: str, batch: list[dict], check=None):
    result = tx.run(query, rows=batch)
    records = [r.data() for r in result]
    if check is not None:
        check(records)
    return result.consume().counters


def _rel_statement(table: RelTable):
    """``(query, payload, counter, check)`` that MERGE ``table``'s relationships."""
    rel = SCHEMA.rel(table.type)
    start, end = SCHEMA.node(rel.start), SCHEMA.node(rel.end)
    for column in rel.identity:
        if column not in table.rows.columns:
            raise WriteError(f"{table.display}: missing identity column {column!r}")
    rows = _rows(table.rows, table.display, required=("start", "end", *rel.identity),
                 key_columns=("start", "end"))
    merged = [c for c in rel.merged_lists if c in table.rows.columns]
    identity = ", ".join(f"{c}: row.props.{c}" for c in rel.identity)
    identity = f" {{{identity}}}" if identity else ""
    query = (
        "UNWIND $rows AS row "
        f"OPTIONAL MATCH (a:{start.label} {{{start.key}: row.start}}) "
        f"OPTIONAL MATCH (b:{end.label} {{{end.key}: row.end}}) "
        "FOREACH (_ IN CASE WHEN a IS NULL OR b IS NULL THEN [] ELSE [1] END | "
        f"MERGE (a)-[r:{rel.type}{identity}]->(b) SET r += row.props"
        + _merge_lists("r", merged) + ") "
        "WITH row, a, b WHERE a IS NULL OR b IS NULL "
        "RETURN row.i AS i, row.start AS start, row.end AS end, "
        "a IS NULL AS no_start, b IS NULL AS no_end LIMIT 5"
    )
    payload = [
        {"i": i, "start": r.pop("start"), "end": r.pop("end"),
         "props": _without(r, merged), **_lists(r, merged)}
        for i, r in enumerate(rows)
    ]

    def check(missing: list[dict]) -> None:
        if missing:
            first = missing[0]
            which = []
            if first["no_start"]:
                which.append(f"start {rel.start} {start.key}={first['start']!r}")
            if first["no_end"]:
                which.append(f"end {rel.end} {end.key}={first['end']!r}")
            raise WriteError(
                f"{table.display}, row {first['i']}: {rel.type} endpoint does not exist "
                f"({' and '.join(which)}); load the {rel.start}/{rel.end} nodes first"
            )

    return query, payload, "relationships_created", check


def _merge_lists(var: str, columns: list[str]) -> str:
    """Cypher that sets each list to the sorted union of its old and new values.

    New entities take the (pre-sorted) row value and unchanged ones keep theirs; only a real
    change pays for the sorting subquery.
    """
    return "".join(
        f" SET {var}.{c} = CASE WHEN {var}.{c} IS NULL THEN row.{c} "
        f"WHEN all(v IN row.{c} WHERE v IN {var}.{c}) THEN {var}.{c} "
        f"ELSE COLLECT {{ UNWIND {var}.{c} + row.{c} AS v "
        "WITH DISTINCT v ORDER BY v RETURN v } END"
        for c in columns
    )


def _without(row: dict, columns: list[str]) -> dict:
    return {k: v for k, v in row.items() if k not in columns}


def _lists(row: dict, columns: list[str]) -> dict:
    return {c: sorted(set(row.get(c) or [])) for c in columns}


_SCALARS = (str, bool, int, float)
_ONE_SCALAR_TYPE = (set(), {str}, {int}, {float}, {bool})
#: numpy kinds whose values already have the declared type (no per-value check needed)
_NATIVE_KINDS = {float: "f", int: "iu", bool: "b"}


def _rows(frame: pd.DataFrame, display: str, required: tuple[str, ...],
          key_columns: tuple[str, ...]) -> list[dict]:
    """Validate a table and turn it into parameter dicts with missing values dropped."""
    columns = table_values(frame, display, required, key_columns)
    names = list(columns)
    return [
        {name: value for name, value in zip(names, values, strict=True) if value is not None}
        for values in zip(*columns.values(), strict=True)
    ]


def table_values(frame: pd.DataFrame, display: str, required: tuple[str, ...],
                 key_columns: tuple[str, ...]) -> dict[str, list]:
    """Validate a table and return its columns as Neo4j-storable Python values (None where
    missing): what the MERGE writer sends and the bulk importer writes, checked the same way.

    Works column by column (numeric and string columns in bulk) so that large tables stay cheap.
    """
    columns: dict[str, list] = {}
    for column in frame.columns:
        if not isinstance(column, str) or not column.isidentifier():
            raise WriteError(f"{display}: column name {column!r} is not a valid property name")
        columns[column] = _column_values(frame[column], display, column)
    for column in required:
        values = columns.get(column)
        if values is None:
            raise WriteError(f"{display}: missing key column {column!r}")
        for position, value in enumerate(values):
            if value is None or value == "":
                raise WriteError(f"{display}, row {position}: missing key field {column!r}")
            if column in key_columns and not (
                isinstance(value, str | int) and not isinstance(value, bool)
            ):
                raise WriteError(
                    f"{display}, row {position}, field {column!r}: key must be a string or "
                    f"integer, got {type(value).__name__} {value!r}"
                )
    return columns


def _column_values(series: pd.Series, display: str, column: str) -> list:
    """A column as Neo4j-storable Python values, None where missing."""
    expected = PROPERTY_TYPES.get(column)
    if series.dtype.kind in "biuf":
        missing = series.isna().to_numpy()
        values = series.astype(float if series.dtype.kind == "f" else object).tolist()
        if missing.any():
            values = [None if m else v for v, m in zip(values, missing, strict=True)]
        if series.dtype.kind in "iu":
            values = [v if v is None else int(v) for v in values]
        if expected is not None and series.dtype.kind not in _NATIVE_KINDS.get(expected, ""):
            values = [
                None if v is None else _typed(v, expected, display, i, column)
                for i, v in enumerate(values)
            ]
        return values
    if expected in (None, str) and series.dtype != object \
            and pd.api.types.is_string_dtype(series.dtype):
        # a pandas string column holds only strings and missing values
        return series.astype(object).where(series.notna(), None).tolist()
    out = []
    for position, value in enumerate(series.tolist()):
        value = _value(value, display, position, column)
        if value is not None and expected is not None:
            value = _typed(value, expected, display, position, column)
        out.append(value)
    return out


def _typed(value, expected: type, display: str, position: int, column: str):
    """Check a value against the schema's declared type (ints are accepted as floats)."""
    ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not ok:
        raise WriteError(
            f"{display}, row {position}, field {column!r}: expected {expected.__name__}, "
            f"got {type(value).__name__} {value!r:.60}"
        )
    return value


def _value(value, display: str, position: int, column: str):
    """A Neo4j-storable value, None for missing, or a WriteError naming the cell."""
    if value is None:
        return None
    if type(value) is list and {type(v) for v in value} in _ONE_SCALAR_TYPE:
        return value  # the common case, checked cheaply: a list of str, int, float or bool
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, np.ndarray | list | tuple):
        items = [v.item() if isinstance(v, np.generic) else v for v in value]
        kinds = {type(v) for v in items}
        if all(isinstance(v, _SCALARS) for v in items) and len(kinds) <= 1:
            return items
        raise WriteError(
            f"{display}, row {position}, field {column!r}: a list property must hold values of "
            f"one scalar type, got {sorted(k.__name__ for k in kinds)}"
        )
    if value is pd.NaT or value is pd.NA:
        return None
    raise WriteError(
        f"{display}, row {position}, field {column!r}: unsupported value type "
        f"{type(value).__name__} ({value!r:.60})"
    )

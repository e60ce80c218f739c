"""Fresh builds through Neo4j's offline importer (``neo4j-admin database import full``).

The batched writer (``kg.writer``) MERGEs rows into a running server; a fresh build of the whole
graph is much faster offline. ``merge_tables`` folds the loaders' tables the way the writer's
``MERGE`` would (one row per node key and per relationship identity, scalars from the last
source that sets them, merged lists as sorted set unions, the same validation and errors);
``write_import_files`` writes them with the importer's header conventions (an id space per
label, typed columns, arrays); ``build_graph`` imports them into the managed server's store,
keeping the store it replaces until the new one has started and shows the expected counts, then
applies the schema. The result is the graph the ``MERGE`` path builds from the same tables.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import neo4j
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv

from oncokg.contract.errors import OncoKGError
from oncokg.contract.schema import SCHEMA
from oncokg.contract.tables import NodeTable, RelTable
from oncokg.kg.connection import open_driver
from oncokg.kg.server import ADMIN_CLASS, JVM_FLAGS, MANAGED_DATABASE, ManagedServer
from oncokg.kg.settings import ConnectionSettings
from oncokg.kg.stats import graph_counts, node_count
from oncokg.kg.writer import NODE_MERGED_LISTS, WriteSummary, apply_schema, table_values

#: The managed server's (Community's only) user database.
DATABASE = MANAGED_DATABASE
#: Between the elements of an array value; refused inside a string element.
ARRAY_DELIMITER = "\x1f"
#: The importer's names of the property types the writer stores.
_TYPE_NAMES = {str: "string", int: "long", float: "double", bool: "boolean"}


class BulkImportError(OncoKGError):
    """The offline import cannot run or did not produce the expected graph."""


@dataclass
class MergedTable:
    """One label's nodes or one type's relationships, one row per entity, values as stored."""

    name: str
    rows: pd.DataFrame
    #: the columns that identify a row: the node key, or start, end and identity properties
    identity: list[str]


@dataclass
class MergedGraph:
    """What the importer writes: merged tables, and per input table what MERGE would report."""

    nodes: dict[str, MergedTable] = field(default_factory=dict)
    rels: dict[str, MergedTable] = field(default_factory=dict)
    summaries: list[WriteSummary] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Expected count per label and relationship type."""
        return {name: len(t.rows) for name, t in (self.nodes | self.rels).items()}

    @property
    def node_count(self) -> int:
        return sum(len(t.rows) for t in self.nodes.values())

    @property
    def rel_count(self) -> int:
        return sum(len(t.rows) for t in self.rels.values())


@dataclass
class BulkBuild:
    """What a bulk build did, with the seconds of each phase."""

    nodes: int
    relationships: int
    files_s: float
    #: stopping the server, moving the old store aside, the importer
    import_s: float
    #: starting the server on the new store, verifying every count
    start_s: float
    #: constraints and indexes, online; the empty lists
    schema_s: float
    replaced: bool

    @property
    def write_s(self) -> float:
        """The write phase end to end: files, import, server start, verification, schema and
        the empty lists."""
        return self.files_s + self.import_s + self.start_s + self.schema_s


# -- merging tables as the MERGE writer would -----------------------------------------------

def merge_tables(tables: Sequence[NodeTable | RelTable]) -> MergedGraph:
    """Fold ``tables`` (in the order the writer would write them) into one table per label and
    relationship type with the ``MERGE`` path's semantics; ``summaries`` holds, per input table,
    its rows and how many entities it would create. Bad rows raise the writer's ``WriteError``."""
    groups: dict[tuple[str, str], list[tuple[int, pd.DataFrame]]] = {}
    identities: dict[tuple[str, str], list[str]] = {}
    merged_lists: dict[tuple[str, str], tuple[str, ...]] = {}
    graph = MergedGraph()
    for position, table in enumerate(tables):
        if isinstance(table, NodeTable):
            node = SCHEMA.node(table.label)
            group, identity, lists = ("node", table.label), [node.key], NODE_MERGED_LISTS
            values = table_values(table.rows, table.display, (node.key,), (node.key,))
        else:
            rel = SCHEMA.rel(table.type)
            group, identity, lists = ("rel", table.type), ["start", "end", *rel.identity], \
                rel.merged_lists
            missing = [c for c in rel.identity if c not in table.rows.columns]
            if missing:
                raise BulkImportError(f"{table.display}: missing identity column {missing[0]!r}")
            values = table_values(table.rows, table.display, tuple(identity), ("start", "end"))
        for column in lists:
            if column in values:  # as the writer: a row without the list adds an empty one
                values[column] = [(v if len(v) == 1 else sorted(set(v))) if v else []
                                  for v in values[column]]
        frame = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in values.items()})
        groups.setdefault(group, []).append((position, frame))
        identities[group], merged_lists[group] = identity, lists
        graph.summaries.append(WriteSummary(table.display, rows=len(frame)))
    for (kind, name), frames in groups.items():
        rows, created = _merge(frames, identities[(kind, name)], merged_lists[(kind, name)])
        for position, count in created.items():
            graph.summaries[position].created = count
        target = graph.nodes if kind == "node" else graph.rels
        target[name] = MergedTable(name, rows, identities[(kind, name)])
    return graph


def _merge(frames: list[tuple[int, pd.DataFrame]], identity: list[str],
           lists: tuple[str, ...]) -> tuple[pd.DataFrame, dict[int, int]]:
    """One row per identity: scalars (and other lists) from the last row that has them, merged
    lists as the sorted union; and per input table the identities it is first to bring."""
    stacked = _none_for_missing(pd.concat([f.assign(_table=p) for p, f in frames],
                                          ignore_index=True))
    first = ~stacked.duplicated(identity, keep="first")
    created = first.groupby(stacked["_table"]).sum()
    created = {int(p): int(created.get(p, 0)) for p, _ in frames}
    repeated = stacked.duplicated(identity, keep=False)
    if repeated.any():
        many = stacked[repeated].drop(columns="_table")
        columns = [c for c in many.columns if c not in identity]
        # groupby's last() skips missing values: the last row that has the property wins
        folded = many.groupby(identity, sort=False)[columns].last().reset_index()
        keys = list(zip(*(folded[c].tolist() for c in identity), strict=True))
        for column in (c for c in columns if c in lists):
            union = _unions(many, identity, column)
            folded[column] = pd.Series([union.get(k) for k in keys], dtype=object)
        stacked = _none_for_missing(pd.concat([stacked[~repeated], folded], ignore_index=True))
    stacked = stacked.drop(columns="_table").sort_values(identity, kind="mergesort")
    return stacked.reset_index(drop=True), created


def _none_for_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns with None where a value is missing (concat and agg leave NaN there)."""
    frame = frame.astype(object)
    return frame.where(frame.notna(), None)


def _unions(rows: pd.DataFrame, identity: list[str], column: str) -> dict[tuple, list]:
    """Per identity, the sorted union of the lists in ``column`` (absent where every row
    lacks the column)."""
    keys = zip(*(rows[c].tolist() for c in identity), strict=True)
    found: dict[tuple, set] = {}
    for key, value in zip(keys, rows[column].tolist(), strict=True):
        if value is not None:
            found.setdefault(key, set()).update(value)
    return {key: sorted(values) for key, values in found.items()}


# -- the importer's files -------------------------------------------------------------------

@dataclass
class ImportFiles:
    """The files of one import and the importer arguments that name them."""

    directory: Path
    arguments: list[str]
    multiline: bool


def write_import_files(graph: MergedGraph, directory: Path) -> ImportFiles:
    """One CSV per label and per relationship type, header first, every string quoted.

    Node ids are the key's text in an id space per label (``:ID(Gene)``, not stored); the key
    itself is a typed property column, as every other property. Arrow writes the files:
    strings quoted (quotes doubled), a missing value as an empty field, numbers as Java
    parses them, arrays as one string joined on U+001F.
    """
    directory.mkdir(parents=True, exist_ok=True)
    arguments, multiline = [], False
    for label, table in graph.nodes.items():
        if table.rows.empty:
            continue
        key = table.identity[0]
        columns = {f":ID({label})": _ids(table.rows[key])}
        columns |= _typed_columns(f"{label} node", table.rows, ())
        path = directory / f"nodes_{label}.csv"
        multiline |= _write_csv(path, columns)
        arguments.append(f"--nodes={label}={path}")
    for rel_type, table in graph.rels.items():
        if table.rows.empty:
            continue
        rel = SCHEMA.rel(rel_type)
        columns = {f":START_ID({rel.start})": _ids(table.rows["start"]),
                   f":END_ID({rel.end})": _ids(table.rows["end"])}
        columns |= _typed_columns(f"{rel_type} relationship", table.rows, ("start", "end"))
        path = directory / f"rels_{rel_type}.csv"
        multiline |= _write_csv(path, columns)
        arguments.append(f"--relationships={rel_type}={path}")
    return ImportFiles(directory, arguments, multiline)


def _ids(keys: pd.Series) -> pa.Array:
    """Node ids: a key's text (the same for a node and for the relationships naming it)."""
    return pa.array([str(k) for k in keys], pa.string())


def _typed_columns(what: str, rows: pd.DataFrame, skip: tuple[str, ...]) -> dict[str, pa.Array]:
    """``{"name:type": values}`` for every property column (a node's key included)."""
    out = {}
    for column in rows.columns:
        if column in skip:
            continue
        kind = _column_type(what, column, rows[column])
        if kind is None:
            continue
        out[f"{column}:{kind}"] = _arrow(rows[column].tolist(), kind, what, column)
    return out


def _column_type(what: str, column: str, values: pd.Series) -> str | None:
    """The importer type of a column (``string``, ``long[]``…), None when it holds no value."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    kinds = {type(v) for v in present}
    if kinds == {list}:
        elements = {type(x) for v in present for x in v}
        if len(elements) > 1:
            raise BulkImportError(_mixed(what, column, elements))
        element = elements.pop() if elements else str
        return _TYPE_NAMES[element] + "[]"
    if len(kinds) > 1:
        raise BulkImportError(_mixed(what, column, kinds))
    return _TYPE_NAMES[kinds.pop()]


def _mixed(what: str, column: str, kinds: set[type]) -> str:
    names = sorted(k.__name__ for k in kinds)
    return (f"{what} property {column!r} holds values of several types {names}; the offline "
            "importer needs one type per property: load without --bulk (MERGE) instead")


_ARROW_TYPES = {"string": pa.string(), "long": pa.int64(), "double": pa.float64(),
                "boolean": pa.bool_()}


def _arrow(values: list, kind: str, what: str, column: str) -> pa.Array:
    """One column's values as Arrow: scalars typed, arrays joined into one string."""
    base = kind.removesuffix("[]")
    if kind.endswith("[]"):
        if base != "string":
            values = [v if v is None else [_scalar(x, base) for x in v] for v in values]
        for value in values:
            if value and any(ARRAY_DELIMITER in x for x in value):
                raise BulkImportError(
                    f"{what} property {column!r}: a list element holds the array delimiter "
                    f"U+001F ({value!r:.60}); load without --bulk instead")
        return pa.array([v if v is None else ARRAY_DELIMITER.join(v) for v in values],
                        pa.string())
    if base == "double" and any(v is not None and math.isinf(v) for v in values):
        return pa.array([v if v is None else _scalar(v, base) for v in values], pa.string())
    return pa.array(values, _ARROW_TYPES[base])


def _scalar(value, kind: str) -> str:
    """An array element or a non-finite double as Java parses it."""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "double" and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return str(value) if kind != "double" else repr(float(value))


def _write_csv(path: Path, columns: dict[str, pa.Array]) -> bool:
    """Write header and rows; True when a field spans lines (the importer must be told)."""
    table = pa.table(columns)
    csv.write_csv(table, path, csv.WriteOptions(quoting_style="needed"))
    return any(
        pc.any(pc.match_substring_regex(array, "[\\r\\n]")).as_py()
        for array in table.columns if pa.types.is_string(array.type)
    )


# -- the import and the swap ----------------------------------------------------------------

def existing_nodes(server: ManagedServer, progress: Callable[[str], None] = print) -> int:
    """Nodes in the managed server's graph (0 for a store never created); starts the server
    when a store exists but it is not running."""
    store = server.settings.data_dir / "databases" / DATABASE
    if not store.is_dir():
        return 0
    server.start(progress=progress)
    with open_driver(ConnectionSettings.from_env_managed(server.settings)) as driver:
        return node_count(driver, DATABASE)


def check_replaceable(server: ManagedServer, replace: bool,
                      progress: Callable[[str], None] = print) -> int:
    """The nodes a bulk build would replace; ``BulkImportError`` when there are some and
    ``replace`` is false."""
    nodes = existing_nodes(server, progress)
    if nodes and not replace:
        raise BulkImportError(
            f"the graph at {server.settings.bolt_uri} already holds {nodes:,} nodes; a bulk "
            "build replaces the whole graph: rerun with --replace to do so (the old store is "
            "kept until the new one is verified), or load without --bulk to update it")
    return nodes


def build_graph(graph: MergedGraph, server: ManagedServer, *, replace: bool = False,
                progress: Callable[[str], None] = print,
                driver: neo4j.Driver | None = None) -> BulkBuild:
    """Import ``graph`` into the managed server's database and start the server on it.

    The store it replaces (when ``replace``; otherwise a graph with nodes is refused) is moved
    aside and restored, with the server as it was, if the import fails or the started graph
    does not hold the expected count of every label and type. ``driver``, when given, is one
    the caller keeps using: it is made to reconnect to the restarted server.
    """
    settings = server.settings
    replaced = check_replaceable(server, replace, progress) > 0
    was_running = server.pid() is not None
    work = settings.home / "import"
    shutil.rmtree(work, ignore_errors=True)
    started = time.perf_counter()
    progress(f"writing import files for {graph.node_count:,} nodes and "
             f"{graph.rel_count:,} relationships ...")
    files = write_import_files(graph, work / "csv")
    files_s = time.perf_counter() - started
    lib = server.resolve_jars()
    server.write_config()
    started = time.perf_counter()
    server.stop()
    server.set_store_aside()
    try:
        progress("importing (neo4j-admin database import full) ...")
        _run_importer(server, lib, files, work)
        import_s = time.perf_counter() - started
        started = time.perf_counter()
        server.start(progress=progress)
        with open_driver(ConnectionSettings.from_env_managed(settings)) as own:
            _verify(own, graph)
            start_s = time.perf_counter() - started
            started = time.perf_counter()
            progress("applying the schema (constraints and indexes) ...")
            apply_schema(own, DATABASE)
            own.execute_query("CALL db.awaitIndexes(300)", database_=DATABASE)
            _set_empty_lists(own, graph)
            schema_s = time.perf_counter() - started
    except BaseException:
        server.stop()
        server.restore_store_aside()
        if was_running:
            server.start(progress=progress)
            _reconnect(driver)
        raise
    server.drop_store_aside()
    shutil.rmtree(work, ignore_errors=True)
    _reconnect(driver, replaced=True)
    return BulkBuild(graph.node_count, graph.rel_count, files_s, import_s, start_s, schema_s,
                     replaced)


def _reconnect(driver: neo4j.Driver | None, replaced: bool = False) -> None:
    """Pooled connections died with the stopped server: a retried query replaces them. After
    a replacing build the store's transaction history starts again, so the bookmarks that
    ``execute_query`` kept from the old one (which it would wait for, in vain) are swapped for
    the new store's."""
    if driver is None:
        return
    with driver.session(database=DATABASE) as session:
        session.execute_read(lambda tx: tx.run("RETURN 1").consume())
        current = session.last_bookmarks().raw_values
    if replaced:
        manager = driver.execute_query_bookmark_manager
        manager.update_bookmarks(manager.get_bookmarks(), current)


def _run_importer(server: ManagedServer, lib: Path, files: ImportFiles, work: Path) -> None:
    s = server.settings
    command = [
        "java", f"-Xmx{s.heap}", *JVM_FLAGS, "-cp", f"{lib}/*", ADMIN_CLASS,
        "database", "import", "full", DATABASE, f"--report-file={work / 'import.report'}",
        "--array-delimiter=U+001F", "--bad-tolerance=0", f"--threads={os.cpu_count() or 2}",
        f"--max-off-heap-memory={s.pagecache}",
        *(["--multiline-fields=true"] if files.multiline else []),
        *files.arguments,
    ]
    result = subprocess.run(
        command, cwd=work, capture_output=True, text=True,
        env={**os.environ, "NEO4J_HOME": str(s.home), "NEO4J_CONF": str(s.conf_dir)},
    )
    if result.returncode != 0 or "IMPORT DONE" not in result.stdout:
        report = work / "import.report"
        bad = report.read_text(errors="replace")[-1500:] if report.exists() else ""
        raise BulkImportError(
            f"neo4j-admin database import failed (exit {result.returncode}); the previous "
            f"graph is kept:\n{(result.stdout + result.stderr)[-2500:]}\n{bad}")


def _verify(driver: neo4j.Driver, graph: MergedGraph) -> None:
    """Every label and type holds the expected count, or ``BulkImportError`` naming the first
    that does not."""
    found = graph_counts(driver, DATABASE).set_index("name")["count"].to_dict()
    for name, expected in graph.counts().items():
        if found.get(name, 0) != expected:
            raise BulkImportError(f"the imported graph holds {found.get(name, 0):,} {name}, "
                                  f"expected {expected:,}; the previous graph is kept")



def _set_empty_lists(driver: neo4j.Driver, graph: MergedGraph, batch: int = 10_000) -> int:
    """Set the empty list properties the importer cannot write (it skips an empty array; the
    ``MERGE`` path stores ``[]`` for a merged list that a row lacks). Returns entities set."""
    done = 0
    for label, table in graph.nodes.items():
        key = table.identity[0]
        for column, rows in _empty_lists(table):
            query = (f"UNWIND $rows AS row MATCH (n:{label} {{{key}: row.{key}}}) "
                     f"SET n.{column} = []")
            done += _in_batches(driver, query, rows, batch)
    for rel_type, table in graph.rels.items():
        rel = SCHEMA.rel(rel_type)
        start, end = SCHEMA.node(rel.start), SCHEMA.node(rel.end)
        identity = ", ".join(f"{c}: row.{c}" for c in rel.identity)
        identity = f" {{{identity}}}" if identity else ""
        for column, rows in _empty_lists(table):
            query = (f"UNWIND $rows AS row MATCH (:{start.label} {{{start.key}: row.start}})"
                     f"-[r:{rel_type}{identity}]->(:{end.label} {{{end.key}: row.end}}) "
                     f"SET r.{column} = []")
            done += _in_batches(driver, query, rows, batch)
    return done


def _empty_lists(table: MergedTable):
    """``(column, identity rows)`` for each column where some rows hold an empty list."""
    for column in table.rows.columns:
        empty = table.rows[column].map(lambda v: isinstance(v, list) and not v)
        if empty.any():
            yield column, table.rows.loc[empty, table.identity].to_dict("records")


def _in_batches(driver: neo4j.Driver, query: str, rows: list[dict], batch: int) -> int:
    for offset in range(0, len(rows), batch):
        driver.execute_query(query, rows=rows[offset: offset + batch], database_=DATABASE)
    return len(rows)

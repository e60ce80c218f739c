"""Load sources into Neo4j: every selected source is parsed first, then written.

Parsing everything before the first write means a malformed or truncated file stops the load
with nothing written, so the graph stays as it was. ``load_into_graph`` writes through the
batched ``MERGE`` writer (``kg.writer``): idempotent, so loading the same release twice changes
no count, and it updates a graph in place. ``bulk_load_into_graph`` builds the whole graph
afresh through Neo4j's offline importer (``kg.bulk``) on the managed server: the same graph,
many times faster.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import neo4j

from oncokg import loaders
from oncokg.contract.schema import SCHEMA
from oncokg.kg.bulk import (
    DATABASE,
    BulkBuild,
    BulkImportError,
    build_graph,
    check_replaceable,
    merge_tables,
)
from oncokg.kg.connection import open_driver
from oncokg.kg.releases import tagged_nodes
from oncokg.kg.server import ManagedServer
from oncokg.kg.settings import ConnectionSettings
from oncokg.kg.writer import GraphWriter, WriteSummary, apply_schema, record_sources
from oncokg.loaders import LoadResult

Say = Callable[[str], None]


@dataclass
class SourceLoad:
    """What loading one source did: its report, the writes and the time they took."""

    name: str
    release: str
    rows: int
    parse_s: float
    write_s: float
    writes: list[WriteSummary]
    report: object
    report_path: Path | None = None
    tag: str = ""
    #: Nodes per label that carry the release's tag but this load did not assert: left by a
    #: load of the same release with another vocabulary (e.g. an older OncoKG's drug keys).
    #: Counted on the last source of a tag, when the load holds every source of that tag.
    stale: dict[str, int] = field(default_factory=dict)

    def stale_warning(self) -> str:
        """One line naming the stale nodes, or '' when there are none."""
        if not self.stale:
            return ""
        what = ", ".join(f"{n:,} {label}" for label, n in sorted(self.stale.items()))
        return (f"warning: the graph holds {what} node(s) from an earlier load of {self.tag} "
                "that this load did not assert (keys of another vocabulary); `oncokg load "
                "--bulk --replace` rebuilds the graph without them")

    @property
    def created(self) -> int:
        return sum(w.created for w in self.writes)


@dataclass
class GraphLoad:
    """A load's sources; the wall seconds of parsing them all (``parse_s``: sources are parsed
    side by side, so it is less than the sum of theirs); for a bulk build also its import
    phases (``bulk``) and the seconds spent folding the tables for the importer
    (``prepare_s``)."""

    sources: list[SourceLoad] = field(default_factory=list)
    bulk: BulkBuild | None = None
    prepare_s: float = 0.0
    parse_s: float = 0.0

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.sources)

    @property
    def write_s(self) -> float:
        """The write phase: the writer's batches, or folding, files, import, start, schema."""
        bulk = self.bulk.write_s if self.bulk else 0.0
        return sum(s.write_s for s in self.sources) + self.prepare_s + bulk

    @property
    def seconds(self) -> float:
        return self.parse_s + self.write_s


def load_into_graph(
    driver: neo4j.Driver,
    names: Iterable[str] | None = None,
    data_dir: str | Path | None = None,
    *,
    database: str | None = None,
    report_dir: str | Path | None = None,
    progress: Callable[[str], None] = lambda _: None,
    show_bars: bool = True,
) -> GraphLoad:
    """Parse the named sources or source sets (default: the default set), then write them.

    Normalization reports are written to ``report_dir`` (one JSON file per source) when given.
    """
    started = time.perf_counter()
    parsed = _parse(names, data_dir, progress)
    outcome = GraphLoad(parse_s=time.perf_counter() - started)
    apply_schema(driver, database)
    writer = GraphWriter(driver, database, progress=show_bars)
    for result, parse_s in parsed:
        progress(f"writing {result.source} ...")
        started = time.perf_counter()
        summary = writer.write(result.nodes, result.rels)
        write_s = time.perf_counter() - started
        outcome.sources.append(_source_load(result, parse_s, write_s, summary.tables,
                                            report_dir))
    for tag, stale in unasserted_nodes(driver, [r for r, _ in parsed], database).items():
        [s for s in outcome.sources if s.tag == tag][-1].stale = stale
    record_sources(driver, _licences(parsed), database)
    return outcome


def unasserted_nodes(driver: neo4j.Driver, results: list[LoadResult],
                     database: str | None = None) -> dict[str, dict[str, int]]:
    """Per release tag and label, the nodes tagged with it beyond the keys the ``results``
    assert (a ``MERGE`` load adds and updates; it never removes what an earlier load of the
    release asserted under keys this one no longer makes). Only tags whose every source is
    among ``results`` (sources sharing a tag assert different nodes)."""
    asserted: dict[str, dict[str, set]] = {}
    for result in results:
        for table in result.nodes:
            keys = asserted.setdefault(result.provenance, {}).setdefault(table.label, set())
            keys.update(table.rows[SCHEMA.node(table.label).key])
    loaded = {result.source for result in results}
    whole = [tag for tag in asserted
             if not {s.name for s in loaders.SOURCES.values() if s.provenance == tag} - loaded]
    out = {}
    for tag, counts in tagged_nodes(driver, whole, database).items():
        labels = asserted[tag]
        stale = {label: n - len(labels.get(label, ())) for label, n in counts.items()
                 if n > len(labels.get(label, ()))}
        if stale:
            out[tag] = stale
    return out


def bulk_load_into_graph(
    names: Iterable[str] | None = None,
    data_dir: str | Path | None = None,
    *,
    server: ManagedServer | None = None,
    replace: bool = False,
    report_dir: str | Path | None = None,
    progress: Say = lambda _: None,
    driver: neo4j.Driver | None = None,
) -> GraphLoad:
    """Build the graph of the named sources afresh through the offline importer.

    The managed server (``server``, default: the one the environment names) ends up running
    on the new graph with the schema applied. A graph with data is refused unless
    ``replace`` (``kg.bulk.BulkImportError``), before anything is parsed; the old store is kept
    until the new one is verified. ``driver``, when given, is reconnected to the restarted
    server. Per source, ``SourceLoad.writes`` says what the ``MERGE`` path would have created.
    """
    server = server or ManagedServer()
    check_replaceable(server, replace, progress)
    started = time.perf_counter()
    parsed = _parse(names, data_dir, progress)
    parse_s = time.perf_counter() - started
    progress("folding the tables for the importer ...")
    started = time.perf_counter()
    merged = merge_tables([t for result, _ in parsed for t in (*result.nodes, *result.rels)])
    outcome = GraphLoad(prepare_s=time.perf_counter() - started, parse_s=parse_s)
    outcome.bulk = build_graph(merged, server, replace=replace, progress=progress,
                               driver=driver)
    with open_driver(ConnectionSettings.from_env_managed(server.settings)) as own:
        record_sources(own, _licences(parsed), DATABASE)
    summaries = iter(merged.summaries)
    for result, parse_s in parsed:
        writes = [next(summaries) for _ in (*result.nodes, *result.rels)]
        outcome.sources.append(_source_load(result, parse_s, 0.0, writes, report_dir))
    return outcome


def bulk_server(settings: ConnectionSettings) -> ManagedServer | None:
    """The managed server when ``settings`` name its database (a bulk build can write its
    store), else None."""
    if settings.managed and settings.database in (None, DATABASE):
        return ManagedServer()
    return None


def check_bulk_target(settings: ConnectionSettings) -> None:
    """``BulkImportError`` unless ``settings`` name the managed server's database: the offline
    importer writes the store files, which only the managed server's are ours to write."""
    if not settings.managed:
        raise BulkImportError(
            f"--bulk builds the managed server's store; NEO4J_URI points at {settings.uri}: "
            "load without --bulk (MERGE), or unset NEO4J_URI")
    if settings.database not in (None, DATABASE):
        raise BulkImportError(f"--bulk builds the managed server's {DATABASE!r} database, "
                              f"not NEO4J_DATABASE={settings.database!r}")


def _parse(names: Iterable[str] | None, data_dir: str | Path | None,
           progress: Say) -> list[tuple[LoadResult, float]]:
    """Every selected source parsed (with its seconds) before anything is written, in the
    selection's order; several sources are parsed side by side, one process per core (each
    builds the shared drug vocabulary once, unless this process had it already)."""
    names = list(loaders.expand_sources(names))
    workers = min(len(names), os.cpu_count() or 1)
    if workers <= 1:
        return [_parse_one(name, data_dir, progress) for name in names]
    progress(f"parsing {len(names)} sources, {workers} at a time ...")
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(_parse_one, name, data_dir) for name in names]
        parsed = []
        for name, future in zip(names, futures, strict=True):
            parsed.append(future.result())
            progress(f"parsed {name} ({parsed[-1][1]:.1f}s)")
    return parsed


def _parse_one(name: str, data_dir: str | Path | None,
               progress: Say = lambda _: None) -> tuple[LoadResult, float]:
    progress(f"parsing {name} ...")
    started = time.perf_counter()
    result = loaders.load_source(name, data_dir)
    return result, time.perf_counter() - started


def _licences(parsed: list[tuple[LoadResult, float]]) -> list[tuple[str, str]]:
    """``(provenance tag, licence id)`` of each parsed source, each tag once."""
    return list(dict((result.provenance, result.licence) for result, _ in parsed).items())


def _source_load(result: LoadResult, parse_s: float, write_s: float,
                 writes: list[WriteSummary], report_dir: str | Path | None) -> SourceLoad:
    report_path = None
    if report_dir is not None:
        report_path = result.report.write(Path(report_dir) / f"{result.source}.json")
    rows = sum(len(t.rows) for t in [*result.nodes, *result.rels])
    return SourceLoad(result.source, result.release, rows, parse_s, write_s, writes,
                      result.report, report_path, tag=result.provenance)

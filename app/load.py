"""Load sources into Neo4j: every selected source is parsed first, then written.

Parsing everything before the first write means a malformed or truncated file stops the load
with nothing written, so the graph stays as it was. Writing is idempotent (``kg.writer``), so
loading the same release twice changes no count.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import neo4j

from oncokg import loaders
from oncokg.kg.writer import GraphWriter, WriteSummary, apply_schema


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

    @property
    def created(self) -> int:
        return sum(w.created for w in self.writes)


@dataclass
class GraphLoad:
    sources: list[SourceLoad] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.sources)

    @property
    def seconds(self) -> float:
        return sum(s.parse_s + s.write_s for s in self.sources)


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
    parsed = []
    for name in loaders.expand_sources(names):
        progress(f"parsing {name} ...")
        started = time.perf_counter()
        result = loaders.load_source(name, data_dir)
        parsed.append((result, time.perf_counter() - started))
    apply_schema(driver, database)
    writer = GraphWriter(driver, database, progress=show_bars)
    outcome = GraphLoad()
    for result, parse_s in parsed:
        progress(f"writing {result.source} ...")
        started = time.perf_counter()
        summary = writer.write(result.nodes, result.rels)
        write_s = time.perf_counter() - started
        report_path = None
        if report_dir is not None:
            report_path = result.report.write(Path(report_dir) / f"{result.source}.json")
        rows = sum(len(t.rows) for t in [*result.nodes, *result.rels])
        outcome.sources.append(SourceLoad(
            result.source, result.release, rows, parse_s, write_s, summary.tables,
            result.report, report_path,
        ))
    return outcome

"""Full-load benchmark: the MERGE writer and the offline importer on the same graph, one run.

Empties the target graph, loads the sources with the batched MERGE writer (per source: rows
parsed and written, parse and write seconds and rows/s), then builds the same graph afresh with
``load --bulk`` (the managed server only) and compares the two write phases: rows/s,
relationships/s and the ratio. Then the graph's size (nodes, relationships, store and
transaction-log bytes on disk for the managed server), the export Neo4j → ``GraphExport`` in
edges/s, and the export for learning (with the omics profiles when the graph holds expression)
and its size as Parquet.

    python -m bench.bench_load                      # the default sources
    python -m bench.bench_load default recent       # everything in ../shared/data
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from oncokg.app.export import export_for_learning
from oncokg.app.load import GraphLoad, bulk_load_into_graph, bulk_server, load_into_graph
from oncokg.kg.connection import open_driver
from oncokg.kg.export import export_graph
from oncokg.kg.settings import ConnectionSettings
from oncokg.kg.stats import graph_counts, store_size
from oncokg.kg.writer import clear_graph


@dataclass
class LoadBench:
    """One full load by MERGE and by the importer, graph size and export figures."""

    load: GraphLoad
    bulk: GraphLoad | None
    bulk_wall_s: float
    counts: pd.DataFrame
    disk: dict[str, int] | None
    export_s: float
    export_cold_s: float
    export_edges: int
    learning_s: float
    export_bytes: int
    profiles: dict[str, list[int]]


def run(data_dir: str | None = None, sources: tuple[str, ...] = ()) -> LoadBench:
    data_dir = data_dir or os.environ.get("ONCOKG_DATA_DIR")
    settings = ConnectionSettings.from_env()
    server = bulk_server(settings)
    bulk, bulk_wall_s = None, 0.0
    driver = open_driver(settings)
    try:
        clear_graph(driver)
        outcome = load_into_graph(driver, sources or None, data_dir=data_dir, show_bars=False)
        counts = graph_counts(driver)
        disk = store_size()
        if server is not None:
            started = time.perf_counter()
            bulk = bulk_load_into_graph(sources or None, data_dir, server=server, replace=True,
                                        driver=driver)
            bulk_wall_s = time.perf_counter() - started
        started = time.perf_counter()
        export_graph(driver)  # the first read after the bulk build's restart: a cold cache
        cold_s = time.perf_counter() - started
        started = time.perf_counter()
        graph = export_graph(driver)
        export_s = time.perf_counter() - started
        started = time.perf_counter()
        export = export_for_learning(driver, data_dir=data_dir)
        learning_s = time.perf_counter() - started
    finally:
        driver.close()
    with tempfile.TemporaryDirectory() as tmp:
        saved = export.save(Path(tmp) / "export")
        export_bytes = sum(f.stat().st_size for f in saved.iterdir())
    edges = sum(len(frame) for frame in graph.edges.values())
    return LoadBench(outcome, bulk, bulk_wall_s, counts, disk, export_s, cold_s, edges,
                     learning_s, export_bytes, export.manifest.get("profiles", {}))


def report(bench: LoadBench) -> str:
    outcome = bench.load
    lines = [
        "Full load into an empty graph",
        "",
        "| source | release | rows | parse s | write s | rows/s (write) | rows/s (total) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for s in outcome.sources:
        total = s.parse_s + s.write_s
        lines.append(
            f"| {s.name} | {s.release} | {s.rows:,} | {s.parse_s:.1f} | {s.write_s:.1f} | "
            f"{s.rows / max(s.write_s, 1e-9):,.0f} | {s.rows / max(total, 1e-9):,.0f} |"
        )
    parse = outcome.parse_s
    write = sum(s.write_s for s in outcome.sources)
    lines.append(f"| **all** | | {outcome.rows:,} | {parse:.1f} | {write:.1f} | "
                 f"{outcome.rows / max(write, 1e-9):,.0f} | "
                 f"{outcome.rows / max(parse + write, 1e-9):,.0f} |")
    lines += ["", "(parse s: each source's own, in its process; **all**: the wall time of "
              "parsing them side by side)"]
    by_kind = bench.counts.groupby("kind")["count"].sum()
    rels = int(by_kind.get("relationship", 0))
    disk = bench.disk
    lines += ["", *_versus(bench, rels), "",
        f"graph: {by_kind.get('node', 0):,} nodes, {rels:,} "
        "relationships; on disk after the MERGE load: "
        + (f"store {_mib(disk['store'])}, transaction logs {_mib(disk['transactions'])}"
           if disk else "n/a (not the managed server)"),
        f"export Neo4j → GraphExport: {bench.export_edges:,} edges in {bench.export_s:.1f}s, "
        f"{bench.export_edges / max(bench.export_s, 1e-9):,.0f} edges/s (the first export "
        f"after the restart, cold cache: {bench.export_cold_s:.1f}s, "
        f"{bench.export_edges / max(bench.export_cold_s, 1e-9):,.0f} edges/s)",
        f"export for learning (with the omics profiles): {bench.learning_s:.1f}s, "
        f"{_mib(bench.export_bytes)} as Parquet"
        + "".join(f"; profile {name} {rows:,} × {columns:,}"
                  for name, (rows, columns) in bench.profiles.items()),
    ]
    return "\n".join(lines)


def _versus(bench: LoadBench, rels: int) -> list[str]:
    """The MERGE writer and the offline importer side by side, write phase and total."""
    if bench.bulk is None:
        return ["bulk build: skipped (NEO4J_URI names a server this project does not run)"]
    merge, bulk = bench.load, bench.bulk
    phases = bulk.bulk
    rows = [
        ("MERGE writer (`oncokg load`)", merge, merge.seconds),
        ("offline importer (`oncokg load --bulk`)", bulk, bench.bulk_wall_s),
    ]
    lines = [
        f"MERGE vs bulk build of the same {rels:,} relationships",
        "",
        "| path | rows | write s | rows/s (write) | relationships/s (write) | total s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, outcome, total in rows:
        lines.append(f"| {name} | {outcome.rows:,} | {outcome.write_s:.1f} | "
                     f"{outcome.rows / max(outcome.write_s, 1e-9):,.0f} | "
                     f"{rels / max(outcome.write_s, 1e-9):,.0f} | {total:.1f} |")
    lines += [
        "",
        f"bulk / MERGE, write phase: {merge.write_s / max(bulk.write_s, 1e-9):.1f}x; "
        f"bulk write phase: fold {bulk.prepare_s:.1f}s, files {phases.files_s:.1f}s, "
        f"stop and import {phases.import_s:.1f}s, start and verify {phases.start_s:.1f}s, "
        f"schema {phases.schema_s:.1f}s; total `load --bulk` (parse included) "
        f"{bench.bulk_wall_s:.1f}s",
    ]
    return lines


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", help="sources or sets (default: default)")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    print(report(run(args.data_dir, tuple(args.sources))))

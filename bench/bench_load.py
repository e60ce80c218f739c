"""Full-load benchmark: sources from a data directory into an empty Neo4j, then its size and export.

Prints, per source, the rows parsed and written, parse and write seconds and rows/s, then the
total; the graph's size (nodes, relationships, store and transaction-log bytes on disk for the
managed server); and the time to export it for learning (with the omics profiles when the
graph holds expression) and the export's size as Parquet. Empties the target graph first.

    python -m bench.bench_load                      # the default sources
    python -m bench.bench_load default recent       # plus GDSC release 8, expression, CTRP
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
from oncokg.app.load import GraphLoad, load_into_graph
from oncokg.kg.connection import open_driver
from oncokg.kg.stats import graph_counts, store_size
from oncokg.kg.writer import clear_graph


@dataclass
class LoadBench:
    """One full load: per-source figures, graph size and export figures."""

    load: GraphLoad
    counts: pd.DataFrame
    disk: dict[str, int] | None
    export_s: float
    export_bytes: int
    profiles: dict[str, list[int]]


def run(data_dir: str | None = None, sources: tuple[str, ...] = ()) -> LoadBench:
    data_dir = data_dir or os.environ.get("ONCOKG_DATA_DIR")
    driver = open_driver()
    try:
        clear_graph(driver)
        outcome = load_into_graph(driver, sources or None, data_dir=data_dir, show_bars=False)
        counts = graph_counts(driver)
        started = time.perf_counter()
        export = export_for_learning(driver, data_dir=data_dir)
        export_s = time.perf_counter() - started
    finally:
        driver.close()
    with tempfile.TemporaryDirectory() as tmp:
        saved = export.save(Path(tmp) / "export")
        export_bytes = sum(f.stat().st_size for f in saved.iterdir())
    return LoadBench(outcome, counts, store_size(), export_s, export_bytes,
                     export.manifest.get("profiles", {}))


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
    parse = sum(s.parse_s for s in outcome.sources)
    write = sum(s.write_s for s in outcome.sources)
    lines.append(f"| **all** | | {outcome.rows:,} | {parse:.1f} | {write:.1f} | "
                 f"{outcome.rows / max(write, 1e-9):,.0f} | "
                 f"{outcome.rows / max(parse + write, 1e-9):,.0f} |")
    by_kind = bench.counts.groupby("kind")["count"].sum()
    disk = bench.disk
    lines += [
        "",
        f"graph: {by_kind.get('node', 0):,} nodes, {by_kind.get('relationship', 0):,} "
        "relationships; on disk: "
        + (f"store {_mib(disk['store'])}, transaction logs {_mib(disk['transactions'])}"
           if disk else "n/a (not the managed server)"),
        f"export for learning: {bench.export_s:.1f}s, {_mib(bench.export_bytes)} as Parquet"
        + "".join(f"; profile {name} {rows:,} × {columns:,}"
                  for name, (rows, columns) in bench.profiles.items()),
    ]
    return "\n".join(lines)


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", help="sources or sets (default: default)")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    print(report(run(args.data_dir, tuple(args.sources))))

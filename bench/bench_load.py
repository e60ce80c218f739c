"""Full-load benchmark: every source from a data directory into an empty Neo4j.

Prints, per source, the rows parsed and written, parse and write seconds and rows/s, then the
total. Empties the target graph first.
"""

from __future__ import annotations

import argparse
import os

from oncokg.app.load import GraphLoad, load_into_graph
from oncokg.kg.connection import open_driver
from oncokg.kg.writer import clear_graph


def run(data_dir: str | None = None) -> GraphLoad:
    driver = open_driver()
    try:
        clear_graph(driver)
        return load_into_graph(driver, data_dir=data_dir or os.environ.get("ONCOKG_DATA_DIR"),
                               show_bars=False)
    finally:
        driver.close()


def report(outcome: GraphLoad) -> str:
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
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    print(report(run(parser.parse_args().data_dir)))

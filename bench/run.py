"""Run the quick benchmarks and print their figures (`make bench`).

The writer and the full load run against the test server (emptied first). The screen
benchmark needs the models `make demo` writes (runs/demo); the GNN benchmark is long and runs
on its own: `python bench/bench_gnn.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bench_load, bench_screen, bench_writer  # noqa: E402


def main() -> None:
    print(bench_writer.report(bench_writer.run()))
    print()
    print(bench_load.report(bench_load.run()))
    print()
    if (bench_screen.MODELS / "drug-target.pt").exists():
        print(bench_screen.report(bench_screen.run(
            bench_screen.MODELS / "drug-response.pt", bench_screen.MODELS / "drug-target.pt",
            bench_screen.EXPORT)))
    else:
        print(f"screen benchmark skipped: run `make demo` first ({bench_screen.MODELS})")


if __name__ == "__main__":
    main()

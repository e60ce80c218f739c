"""Run the quick benchmarks and print their figures (`make bench`).

The writer and the full load (everything in the data directory: the default and the recent
sources, by MERGE and by the offline importer) run against the test server (emptied first).
The screen benchmark needs the models `make demo` writes (runs/demo); the GNN benchmark is
long and runs on its own: `python -m bench.bench_gnn`.
"""

from __future__ import annotations

from bench import bench_load, bench_screen, bench_writer


def main() -> None:
    print(bench_writer.report(bench_writer.run()))
    print()
    print(bench_load.report(bench_load.run(sources=("default", "recent"))))
    print()
    if (bench_screen.MODELS / "drug-target.pt").exists():
        print(bench_screen.report(bench_screen.run(
            bench_screen.MODELS / "drug-response.pt", bench_screen.MODELS / "drug-target.pt",
            bench_screen.EXPORT)))
    else:
        print(f"screen benchmark skipped: run `make demo` first ({bench_screen.MODELS})")


if __name__ == "__main__":
    main()

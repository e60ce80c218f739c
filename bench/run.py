"""Run every benchmark and print its figures (`make bench`)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bench_load, bench_writer  # noqa: E402


def main() -> None:
    print(bench_writer.report(bench_writer.run()))
    print()
    print(bench_load.report(bench_load.run()))


if __name__ == "__main__":
    main()

"""Subgraph and licence benchmark: seconds to export the graph, to narrow it by each selector,
to count per licence and to run the licence-exclusion query, on the graph the server holds.

``python -m bench.bench_subgraph`` (the managed server or ``NEO4J_URI``, with a graph loaded).
"""

from __future__ import annotations

import time

from oncokg import queries
from oncokg.app.export import export_for_learning
from oncokg.contract.subgraph import Selection, select
from oncokg.kg.connection import open_driver
from oncokg.kg.settings import ConnectionSettings
from oncokg.kg.stats import licence_counts

SELECTIONS = {
    "--open": Selection(licences=("open",)),
    "--dataset 'GDSC1 v17'": Selection(datasets=("GDSC1 v17",)),
    "--seed Gene:EGFR,ERBB2 --hops 2": Selection(seeds=("Gene:EGFR,ERBB2",), hops=2),
    "--seed TumorType:tissue=Lung --hops 2": Selection(seeds=("TumorType:tissue=Lung",)),
}


def run() -> dict[str, float]:
    out: dict[str, float] = {}
    with open_driver(ConnectionSettings.from_env()) as driver:
        started = time.perf_counter()
        whole = export_for_learning(driver)
        out["export (whole graph)"] = time.perf_counter() - started
        for name, selection in SELECTIONS.items():
            started = time.perf_counter()
            select(whole, selection)
            out[f"select {name}"] = time.perf_counter() - started
        started = time.perf_counter()
        licence_counts(driver)
        out["stats --licences"] = time.perf_counter() - started
        started = time.perf_counter()
        queries.run("licence_exclusions", driver=driver)
        out["query licence_exclusions"] = time.perf_counter() - started
    return out


def report(figures: dict[str, float]) -> str:
    lines = ["| step | seconds |", "|---|---|"]
    lines += [f"| {name} | {seconds:.2f} |" for name, seconds in figures.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run()))

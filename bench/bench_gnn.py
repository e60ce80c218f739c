"""GNN benchmark: every task × split, the model beside every baseline, over seeds.

Builds the real graph from the default sources (``loaders.DEFAULT_SOURCES``) over the reference data
(``../shared/data`` or ``ONCOKG_DATA_DIR``) without Neo4j, then runs
:func:`gnn.train.train` for each task and split and prints one Markdown table (test mean ± SD
over seeds, training seconds on this machine's CPUs). Per-run tables (Markdown + JSON) go to
``--out``.

    python -m bench.bench_gnn                       # full run: 3 seeds, all splits
    python -m bench.bench_gnn --seeds 0 --splits random cold-drug
    python -m bench.bench_gnn --export DIR          # a saved GraphExport instead of loaders
    python -m bench.bench_gnn --synthetic           # smoke run on the synthetic graph
    python -m bench.bench_gnn --tasks drug-response --add-sources gdsc2 gdsc_expression \
        --datasets "GDSC1 v17" "GDSC2 r8" --jobs 2  # ``make bench-gnn``: both response screens

Each seed of each run is one job; ``--jobs N`` runs N of them side by side in spawned worker
processes that split the CPU threads between them (``gnn.threads``): on 2 cores two one-thread
trainings get more done than one on two threads (the GNN and LightGBM gain only 1.2–1.5× from
the second thread). A job trains as it would alone, with the thread count it is given.

Models trained on the first dataset's drug-response random split are also scored on the second
studies (CCLE 2012, CTRP v2; ``--cross-study``, none with ``--cross-study`` and no names).
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from threadpoolctl import threadpool_limits

from oncokg import loaders
from oncokg.app.export import with_omics
from oncokg.contract import paths
from oncokg.contract.export import GraphExport
from oncokg.contract.tasks import SPLITS, Task
from oncokg.gnn.evaluate import Results
from oncokg.gnn.features import build_features
from oncokg.gnn.synthetic import make_synthetic_export
from oncokg.gnn.train import train
from oncokg.loaders.crossstudy import read_study

ROOT = Path(__file__).resolve().parents[1]

COLUMNS = {
    "drug-response": (("within_drug_r", "within-drug r"), ("auroc", "AUROC"),
                      ("pooled_r", "pooled r"), ("rmse", "RMSE")),
    "drug-target": (("mrr", "MRR"), ("hits@10", "Hits@10"), ("auroc", "AUROC"),
                    ("hits@1", "Hits@1")),
}


def data_dir() -> Path:
    return paths.data_dir() or ROOT.parent / "shared" / "data"


def real_export(directory: Path, extra: tuple[str, ...] = ()):
    """The default sources (and ``extra`` opt-in ones) over ``directory``, merged with
    ``GraphExport.from_tables``.

    Sources that need a download (absent from the reference data) are skipped and named.
    With ``gdsc_expression`` the export carries the cell-line omics profiles, as the app's does.
    """
    nodes, rels, releases = [], [], []
    for name in loaders.expand_sources(("default", *extra)):
        started = time.perf_counter()
        try:
            result = loaders.load_source(name, directory)
        except loaders.SourceError as error:
            print(f"skipped source {name}: {error}", file=sys.stderr)
            continue
        nodes += list(result.nodes)
        rels += list(result.rels)
        releases.append(f"{result.source}:{result.release}")
        print(f"loaded {name} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return with_omics(GraphExport.from_tables(nodes, rels, release=",".join(releases)),
                      directory)


def build_export(args):
    if args.export:
        return GraphExport.load(args.export)
    if args.synthetic:
        return make_synthetic_export(seed=0, n_families=6, drugs_per_family=8, n_genes=200,
                                     n_cell_lines=200, n_pathways=30)
    return real_export(Path(args.data_dir), tuple(args.add_sources))


def _override(item: str) -> tuple[str, object]:
    """``FIELD=VALUE`` → (field, int/float/str value)."""
    name, _, text = item.partition("=")
    for kind in (int, float):
        try:
            return name, kind(text)
        except ValueError:
            pass
    return name, text


def runs(tasks: list[str], datasets: list[str | None], splits: list[str] | None):
    """``(task, dataset, split)`` in benchmark order; the target task has one graph whatever
    the response dataset, so it runs once."""
    for task in tasks:
        for dataset in (datasets if task == Task.RESPONSE else [None]):
            for split in splits or Task(task).splits:
                if split in Task(task).splits:
                    yield task, dataset, split


def table(all_results: list[Results]) -> str:
    lines = []
    groups = dict.fromkeys((r.task, r.release) for r in all_results)
    for task, release in groups:
        group = [r for r in all_results if (r.task, r.release) == (task, release)]
        cols = COLUMNS[task]
        lines += [f"\n#### {task} (release `{release}`, seeds "
                  f"{', '.join(map(str, group[0].seeds))})\n",
                  "| split | method | " + " | ".join(c[1] for c in cols) + " | train s |",
                  "|---|---|" + "---|" * len(cols) + "---|"]
        for results in group:
            for _, row in results.summary().iterrows():
                cells = [_fmt(row[c], row[f"{c}_sd"]) for c, _ in cols]
                name = f"**{row['method']}**" if row["method"] == results.model \
                    else row["method"]
                lines.append(f"| {results.split} | {name} | " + " | ".join(cells)
                             + f" | {row['seconds']:.1f} |")
    for results in all_results:
        for cross in results.cross_study:
            lines.append("\n" + cross.to_markdown())
    return "\n".join(lines)


def _fmt(mean, sd) -> str:
    return "—" if mean != mean else f"{mean:.3f} ± {sd:.3f}"


@dataclass(frozen=True)
class Job:
    """One seed of one benchmark run."""

    task: str
    dataset: str | None
    split: str
    seed: int


class Bench:
    """What every job of one process shares: the graph, its features, the second studies
    (scored by the first dataset's random-split models) and the training settings."""

    def __init__(self, export: GraphExport, studies: list, first_dataset: str | None,
                 settings: dict, progress: bool) -> None:
        self.export, self.studies, self.first_dataset = export, studies, first_dataset
        self.features = build_features(export)
        self.settings, self.progress = settings, progress

    def run(self, job: Job) -> tuple[Results, float]:
        """The job's results and its seconds."""
        started = time.perf_counter()
        scored = (job.task, job.split, job.dataset) == (Task.RESPONSE, "random",
                                                        self.first_dataset)
        results = train(self.export, task=job.task, split=job.split, seeds=(job.seed,),
                        features=self.features, progress=self.progress,
                        cross_study=self.studies if scored else (), dataset=job.dataset,
                        **self.settings)
        return results, time.perf_counter() - started


_worker: Bench | None = None


def _start_worker(export_dir: str, studies: list, first_dataset: str | None,
                  settings: dict) -> None:
    """Worker initializer: the thread budget for BLAS and OpenMP too, the graph loaded once."""
    global _worker
    threadpool_limits(settings["threads"])     # kept until the process ends
    _worker = Bench(GraphExport.load(export_dir), studies, first_dataset, settings,
                    progress=False)


def _run_in_worker(job: Job) -> tuple[Results, float]:
    if _worker is None:
        raise RuntimeError("no graph loaded in this worker")
    return _worker.run(job)


def run_jobs(jobs: list[Job], bench: Bench, workers: int
             ) -> Iterator[tuple[Job, tuple[Results, float]]]:
    """Each job with its outcome as it finishes: here one by one, or in ``workers`` spawned
    processes (none inherits this one's threads) that split the thread budget."""
    if workers <= 1:
        for job in jobs:
            yield job, bench.run(job)
        return
    threads = bench.settings.get("threads") or max(1, (os.cpu_count() or 1) // workers)
    with tempfile.TemporaryDirectory(prefix="oncokg-bench-") as export_dir:
        bench.export.save(export_dir)
        pool = ProcessPoolExecutor(workers, multiprocessing.get_context("spawn"),
                                   initializer=_start_worker,
                                   initargs=(export_dir, bench.studies, bench.first_dataset,
                                             {**bench.settings, "threads": threads}))
        try:
            futures = {pool.submit(_run_in_worker, job): job for job in jobs}
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            pool.shutdown(cancel_futures=True)


def main(argv: list[str] | None = None) -> list[Results]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(data_dir()))
    parser.add_argument("--export", help="a GraphExport directory (skips the loaders)")
    parser.add_argument("--synthetic", action="store_true", help="synthetic smoke graph")
    parser.add_argument("--tasks", nargs="+", default=[t.value for t in Task],
                        choices=[t.value for t in Task])
    parser.add_argument("--add-sources", nargs="*", default=[], metavar="SOURCE",
                        help="opt-in sources to load too, e.g. gdsc2 gdsc_expression")
    parser.add_argument("--datasets", "--dataset", nargs="+", default=[None],
                        metavar="DATASET",
                        help="response screens to learn from, one benchmark each (default: "
                             "the export's, GDSC1 v17); e.g. 'GDSC1 v17' 'GDSC2 r8'")
    parser.add_argument("--splits", nargs="+", default=None, choices=SPLITS,
                        help="default: every split each task defines")
    parser.add_argument("--model", default="sage")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--hidden", type=int, default=None)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "gnn"))
    parser.add_argument("--save-export", help="also save the built export to this directory")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--jobs", type=int, default=1,
                        help="seeds trained side by side in worker processes that split the "
                             "CPU threads (default 1: one at a time in this process)")
    parser.add_argument("--cross-study", nargs="*", default=["ccle_2012", "ctrp_v2"],
                        help="second studies scored by the drug-response random-split models")
    parser.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE",
                        help="TrainConfig overrides, e.g. epochs=400 response_messages=levels")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    started = time.perf_counter()
    export = build_export(args)
    if args.save_export:
        export.save(args.save_export)
    print(f"graph: {export.manifest.get('node_counts')} "
          f"({time.perf_counter() - started:.0f}s)", file=sys.stderr)
    settings = {"model": args.model, "epochs": args.epochs,
                **dict(_override(item) for item in args.set)}
    if args.hidden:
        settings["hidden"] = args.hidden
    studies = []
    if args.cross_study and not args.synthetic:
        studies = [read_study(name, args.data_dir) for name in args.cross_study]

    bench = Bench(export, studies, args.datasets[0], settings, progress=not args.quiet)
    print(bench.features.report.summary(), file=sys.stderr)
    order = list(runs(args.tasks, args.datasets, args.splits))
    jobs = [Job(task, dataset, split, seed) for task, dataset, split in order
            for seed in args.seeds]
    done: dict[tuple, dict[int, tuple[Results, float]]] = {key: {} for key in order}
    finished: dict[tuple, Results] = {}
    for job, outcome in run_jobs(jobs, bench, args.jobs):
        key = (job.task, job.dataset, job.split)
        done[key][job.seed] = outcome
        if len(done[key]) < len(args.seeds):
            continue
        results = Results.combine([done[key][seed][0] for seed in args.seeds])
        results.save(Path(args.out) / job.dataset.replace(" ", "-") if job.dataset
                     else args.out)
        finished[key] = results
        print(f"{job.task} / {job.dataset or 'default dataset'} / {job.split}: "
              f"{sum(seconds for _, seconds in done[key].values()):.0f}s", file=sys.stderr)
        print(results.to_markdown(), file=sys.stderr)
    jobs_note = f"{args.jobs} jobs side by side" if args.jobs > 1 else "one job at a time"
    print(f"\n### GNN benchmark ({args.model}; test mean ± SD over seeds; total "
          f"{(time.perf_counter() - started) / 60:.1f} min on {os.cpu_count()} CPUs, "
          f"{jobs_note})")
    all_results = [finished[key] for key in order]
    print(table(all_results))
    return all_results


if __name__ == "__main__":
    main()

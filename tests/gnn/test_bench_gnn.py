"""The GNN benchmark's plan, and its jobs: seed by seed, here or in worker processes."""

import pandas as pd
import pytest

from bench.bench_gnn import Bench, Job, run_jobs, runs
from oncokg.gnn.evaluate import Results
from oncokg.gnn.threads import set_threads
from oncokg.gnn.train import train
from tests.gnn.conftest import make_export


def test_each_response_dataset_runs_every_split_and_the_target_task_runs_once():
    plan = list(runs(["drug-response", "drug-target"], ["GDSC1 v17", "GDSC2 r8"],
                     ["random", "cold-cell"]))
    assert plan == [("drug-response", "GDSC1 v17", "random"),
                    ("drug-response", "GDSC1 v17", "cold-cell"),
                    ("drug-response", "GDSC2 r8", "random"),
                    ("drug-response", "GDSC2 r8", "cold-cell"),
                    ("drug-target", None, "random")]   # targets have no cold-cell split


@pytest.fixture
def small_bench():
    """A tiny synthetic benchmark on one thread (as each worker has); the default restored."""
    export = make_export(0, n_families=3, drugs_per_family=4, n_cell_lines=40)
    settings = {"model": "sage", "epochs": 5, "hidden": 8, "threads": 1,
                "baselines": ("drug-mean", "additive", "als")}
    yield Bench(export, [], None, settings, progress=False)
    set_threads()


def _table(results: Results) -> pd.DataFrame:
    return results.summary().drop(columns="seconds")


def test_seeds_trained_one_by_one_combine_into_the_table_of_one_training(small_bench):
    together = train(small_bench.export, split="cold-drug", seeds=(0, 1), progress=False,
                     features=small_bench.features, **small_bench.settings)
    jobs = [Job("drug-response", None, "cold-drug", seed) for seed in (0, 1)]
    parts = [small_bench.run(job)[0] for job in jobs]
    combined = Results.combine(parts)
    assert combined.seeds == [0, 1] and len(combined.runs) == len(together.runs)
    pd.testing.assert_frame_equal(_table(combined), _table(together))
    with pytest.raises(ValueError, match="one task, split"):
        Results.combine([parts[0], small_bench.run(Job("drug-response", None, "random", 0))[0]])


def test_jobs_in_worker_processes_reproduce_the_jobs_run_here(small_bench):
    jobs = [Job("drug-response", None, split, seed)
            for split in ("random", "cold-cell") for seed in (0, 1)]
    here = {job: outcome[0] for job, outcome in run_jobs(jobs, small_bench, workers=1)}
    there = {job: outcome[0] for job, outcome in run_jobs(jobs, small_bench, workers=2)}
    assert set(there) == set(jobs)
    for job in jobs:
        pd.testing.assert_frame_equal(_table(there[job]), _table(here[job]))

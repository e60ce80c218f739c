"""The GNN benchmark's plan: every response dataset gets every split, the target task once."""

from bench.bench_gnn import runs


def test_each_response_dataset_runs_every_split_and_the_target_task_runs_once():
    plan = list(runs(["drug-response", "drug-target"], ["GDSC1 v17", "GDSC2 r8"],
                     ["random", "cold-cell"]))
    assert plan == [("drug-response", "GDSC1 v17", "random"),
                    ("drug-response", "GDSC1 v17", "cold-cell"),
                    ("drug-response", "GDSC2 r8", "random"),
                    ("drug-response", "GDSC2 r8", "cold-cell"),
                    ("drug-target", None, "random")]   # targets have no cold-cell split

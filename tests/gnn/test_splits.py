import numpy as np
import pandas as pd
import pytest
import torch

from oncokg.contract.export import GraphExport
from oncokg.contract.subgraph import without_nodes
from oncokg.contract.tasks import RESPONSE_EDGE, Task, TaskError
from oncokg.gnn.graph import (
    RESPONSE_LEVELS,
    LeakageError,
    assert_no_leakage,
    base_edges,
    level_type,
    message_graph,
    response_levels,
    task_message_positions,
)
from oncokg.gnn.splits import cell_tumor_types, make_split, with_response_dataset
from oncokg.gnn.train import train

CASES = [(task.value, kind) for task in Task for kind in task.splits]


def _pair_set(pairs) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in pairs}


@pytest.mark.parametrize(("task", "kind"), CASES)
def test_parts_are_disjoint_and_cover(export, task, kind):
    split = make_split(export, task, kind, seed=1)
    parts = [set(split.part(p).tolist()) for p in ("train", "val", "test")]
    assert not (parts[0] & parts[1]) and not (parts[0] & parts[2]) and not (parts[1] & parts[2])
    assert set().union(*parts) == set(range(len(split.pairs)))
    assert all(len(p) for p in parts)
    # Same pairs never sit in two parts (no duplicate supervision edges across parts).
    train, val, test = (_pair_set(split.part_pairs(p)) for p in ("train", "val", "test"))
    assert not (train & val) and not (train & test) and not (val & test)


@pytest.mark.parametrize(("task", "kind"), [c for c in CASES if c[1] != "random"])
def test_held_out_entities_never_reach_training(export, task, kind):
    split = make_split(export, task, kind, seed=2)
    train = split.part_pairs("train")
    start, _, end = split.edge_type
    for part in ("val", "test"):
        held = split.held_out[part]
        assert held, f"{kind} holds nothing out"
        if start in held:
            assert not np.isin(train[:, 0], held[start]).any()
        if end in held:
            assert not np.isin(train[:, 1], held[end]).any()
    for label, test_units in split.held_out["test"].items():
        assert not set(test_units) & set(split.held_out["val"].get(label, []))


def test_cold_tumor_holds_out_every_cell_line_of_the_type(export):
    split = make_split(export, "drug-response", "cold-tumor", seed=0)
    tumor = cell_tumor_types(export)
    for part in ("val", "test"):
        types = split.held_out[part]["TumorType"]
        cells_of_types = set(np.flatnonzero(np.isin(tumor, types)).tolist())
        assert set(split.held_out[part]["CellLine"].tolist()) == cells_of_types & set(
            split.pairs[:, 1].tolist())
        assert not np.isin(tumor[split.part_pairs("train")[:, 1]], types).any()


def test_cold_target_response_drugs_share_no_held_out_target(export):
    split = make_split(export, "drug-response", "cold-target", seed=0)
    targets = export.edges[("Drug", "TARGETS", "Gene")]
    train_drugs = set(split.part_pairs("train")[:, 0].tolist())
    for part in ("val", "test"):
        genes = set(split.held_out[part]["Gene"].tolist())
        hits = targets[targets["src"].isin(train_drugs) & targets["dst"].isin(genes)]
        assert hits.empty


def test_splits_are_pure_functions_of_the_seed(export):
    a = make_split(export, "drug-response", "cold-drug", seed=3)
    b = make_split(export, "drug-response", "cold-drug", seed=3)
    c = make_split(export, "drug-response", "cold-drug", seed=4)
    assert np.array_equal(a.test, b.test) and np.array_equal(a.val, b.val)
    assert not np.array_equal(a.test, c.test)


@pytest.mark.parametrize(("task", "kind"), CASES)
@pytest.mark.parametrize("response_messages", ["none", "all", "levels"])
def test_val_test_edges_and_reverses_never_pass_messages(export, task, kind, response_messages):
    split = make_split(export, task, kind, seed=0)
    base = base_edges(export, split, response_messages)
    allowed = task_message_positions(split, export, response_messages)
    graph = message_graph(base, split, allowed)
    assert_no_leakage(graph, split)
    start, rel, end = split.edge_type
    held = _pair_set(split.part_pairs("val")) | _pair_set(split.part_pairs("test"))
    for (s, r, d), index in graph.items():
        index = index.numpy()
        if (s, d) == (start, end):
            assert not (_pair_set(index.T) & held), (s, r, d)
        if (s, d) == (end, start):
            assert not (_pair_set(index[::-1].T) & held), (s, r, d)
    for (s, r, d), where in allowed.items():
        assert np.isin(where, split.train).all()
        assert (d, f"rev_{r}", s) in graph or not len(where)
    # Training edges hidden for an epoch are gone too, whichever type they pass messages as.
    hidden = split.train[:5]
    epoch_graph = message_graph(base, split, allowed, hidden=hidden)
    for edge_type in allowed:
        if edge_type in epoch_graph:
            assert not (_pair_set(split.pairs[hidden])
                        & _pair_set(epoch_graph[edge_type].T.numpy()))


def test_response_levels_are_per_drug_quantiles_of_training_edges(export):
    levels = response_levels(np.array([0, 0, 0, 0, 0, 1, 1]),
                             np.array([5.0, 1.0, 3.0, 2.0, 4.0, 9.0, -9.0]))
    assert levels.tolist() == [4, 0, 2, 1, 3, 2, 0]
    split = make_split(export, "drug-response", "random", seed=0)
    allowed = task_message_positions(split, export, "levels")
    assert set(allowed) == {level_type(k) for k in range(RESPONSE_LEVELS)}
    together = np.concatenate(list(allowed.values()))
    assert sorted(together.tolist()) == sorted(split.train.tolist())


def test_leak_check_catches_an_injected_test_edge(export):
    split = make_split(export, "drug-target", "random", seed=0)
    base = base_edges(export, split)
    graph = message_graph(base, split, split.train)
    d, g = split.part_pairs("test")[0]
    rev = ("Gene", "rev_TARGETS", "Drug")
    graph[rev] = np.hstack([graph[rev].numpy(), [[g], [d]]])

    graph[rev] = torch.as_tensor(graph[rev])
    with pytest.raises(LeakageError):
        assert_no_leakage(graph, split)
    with pytest.raises(AssertionError):
        message_graph(base, split, np.r_[split.train, split.test])


def test_unknown_or_undefined_splits_raise(export):
    with pytest.raises(TaskError, match="cold-cell"):
        make_split(export, "drug-target", "cold-cell")
    with pytest.raises(TaskError, match="unknown task"):
        make_split(export, "drug-toxicity", "random")


def test_one_response_dataset_is_learned_and_the_others_leave_the_graph(export):
    frame = export.edges[RESPONSE_EDGE]
    other = frame.assign(dataset="OTHER", ln_ic50=frame["ln_ic50"] + 1.0)
    responses = pd.concat([frame, other], ignore_index=True)
    profile = pd.DataFrame({"g1": [1.0]}, index=[export.keys("CellLine")[0]])
    both = GraphExport(export.nodes, {**export.edges, RESPONSE_EDGE: responses}, export.manifest,
                       {"expression": profile})
    with pytest.raises(TaskError, match="several response datasets"):
        with_response_dataset(both)
    with pytest.raises(TaskError, match="no RESPONSE edges of dataset 'NOPE'"):
        with_response_dataset(both, "NOPE")
    chosen, name = with_response_dataset(both, "OTHER")
    kept = chosen.edges[RESPONSE_EDGE]
    assert name == "OTHER" and set(kept["dataset"]) == {"OTHER"} and len(kept) == len(frame)
    assert chosen.profiles["expression"] is profile  # the omics profiles stay with the export
    assert with_response_dataset(export) == (export, "SYNTH")  # one dataset: unchanged
    results = train(both, task="drug-response", split="random", seeds=(0,), epochs=2,
                    baselines=False, progress=False, dataset="OTHER")
    assert results.release.endswith("responses: OTHER")


def test_held_out_nodes_leave_the_export_with_every_edge_they_touch(export):
    drugs = export.keys("Drug")
    held = [1, 3]
    reduced = without_nodes(export, "Drug", held)
    assert reduced.manifest["left_out"]["held out"] == {"Drug": 2}
    assert reduced.keys("Drug") == [k for i, k in enumerate(drugs) if i not in held]
    for key, frame in export.edges.items():
        kept = reduced.edges[key]
        touching = np.zeros(len(frame), dtype=bool)
        for end, column in ((key[0], "src"), (key[2], "dst")):
            if end == "Drug":
                touching |= frame[column].isin(held).to_numpy()
        assert len(kept) == (~touching).sum(), key
        # every kept edge still joins the same keys
        assert _named(kept, reduced, key) == _named(frame[~touching], export, key), key


def _named(frame, export, key) -> set[tuple[str, str]]:
    return {(export.keys(key[0])[s], export.keys(key[2])[d])
            for s, d in zip(frame["src"], frame["dst"], strict=True)}

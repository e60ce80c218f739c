"""Known biology from a response model trained without the cell lines it is asked about.

A cold-cell model (seed 0, 200 steps) on the real graph: for the BRAF inhibitors, the held-out
BRAF-mutant lines rank high and melanoma is among the top tumor types by selectivity. The
thresholds are regression guards below the goals of the response-model issue (3× enrichment
in the top 50), which this model does not reach yet (about 2.7× in the top 25, 1.6× in the top
50 on this split).
"""

from __future__ import annotations

import numpy as np
import pytest

from oncokg.gnn.predict import Predictor
from oncokg.gnn.splits import make_split
from oncokg.gnn.train import train
from oncokg.kg.export import export_graph

BRAF_INHIBITORS = ("Dabrafenib", "PLX-4720", "SB590885")


@pytest.fixture(scope="module")
def _trained() -> dict:
    return {}


@pytest.fixture
def cold_cell(_trained, loaded_graph, tmp_path_factory):
    """(predictor, export, held-out cell-line indices) of a cold-cell response model, trained
    once per module (``loaded_graph`` is per test, so the cache lives in ``_trained``)."""
    if not _trained:
        export = export_graph(loaded_graph)
        path = tmp_path_factory.mktemp("biology") / "drug-response.pt"
        # one thread: with two, float sums in sparse message passing land in varying order
        # and the 200 steps drift apart between runs (rankings near a cut-off flip)
        train(export, task="drug-response", split="cold-cell", seeds=(0,), epochs=200,
              baselines=False, artifact_path=path, progress=False, threads=1)
        split = make_split(export, "drug-response", "cold-cell", seed=0)
        held = np.unique(np.concatenate([split.part_pairs(part)[:, 1]
                                         for part in ("val", "test")]))
        _trained.update(predictor=Predictor.load(path), export=export, held=held)
    return _trained["predictor"], _trained["export"], _trained["held"]


def _carriers(export, mutation: str) -> set[int]:
    index = export.index_of("Mutation")[mutation]
    has = export.edges[("CellLine", "HAS_MUTATION", "Mutation")]
    return set(has.loc[has["dst"] == index, "src"].tolist())


def test_held_out_braf_mutant_lines_rank_sensitive_to_braf_inhibitors(cold_cell):
    predictor, export, held = cold_cell
    keys = export.keys("CellLine")
    cells = np.array([predictor.resolve("CellLine", keys[i]) for i in held])
    braf = np.array([i in _carriers(export, "BRAF mutation") for i in held])
    assert braf.sum() >= 10  # enough mutant lines among the held-out ones to measure
    drug = predictor.resolve("Drug", "Dabrafenib")
    p = predictor.response_matrix(np.array([drug]), cells)[0]
    top = np.argsort(-p)[:25]
    assert braf[top].mean() >= 2.0 * braf.mean()


@pytest.mark.parametrize("drug", BRAF_INHIBITORS)
def test_melanoma_is_a_top_tumor_type_for_braf_inhibitors(cold_cell, drug):
    predictor, _, _ = cold_cell
    top = predictor.top_tumor_types(drug, k=3, min_cell_lines=3)
    assert {"MEL", "SKCM"} & set(top["tumor_type"])

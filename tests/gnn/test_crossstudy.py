"""Cross-study scoring: a second study's measurements mapped onto the graph and scored."""

import json

import numpy as np
import pandas as pd
import pytest

from oncokg.contract.tasks import RESPONSE_EDGE
from oncokg.gnn.baselines import GBM
from oncokg.gnn.crossstudy import new_compounds, score_study, study_pairs, unseen_mask
from oncokg.gnn.evaluate import task_data
from oncokg.gnn.splits import make_split
from oncokg.gnn.train import train
from oncokg.loaders.crossstudy import StudyResponses
from oncokg.loaders.report import Report


def second_study(export, noise: float = 0.3, seed: int = 0) -> StudyResponses:
    """A study that re-measured every GDSC pair on its own scale (AUC-like, with noise), plus
    rows the graph cannot place (an unknown drug, an unmapped cell line)."""
    rng = np.random.default_rng(seed)
    frame = export.edges[RESPONSE_EDGE]
    drugs, cells = export.keys("Drug"), export.keys("CellLine")
    ln_ic50 = pd.to_numeric(frame["ln_ic50"]).to_numpy(float)
    table = pd.DataFrame({
        "drug": [drugs[i] for i in frame["src"]],
        "drug_name": [drugs[i] for i in frame["src"]],
        "cell_line": [cells[i] for i in frame["dst"]],
        "cell_name": [cells[i] for i in frame["dst"]],
        "resistance": 10 + 2 * ln_ic50 + rng.normal(0, noise, len(frame)),
    })
    extra = pd.DataFrame({"drug": [None, drugs[0]], "drug_name": ["unknown-x", drugs[0]],
                          "cell_line": [cells[0], None], "cell_name": ["c", "unmapped"],
                          "resistance": [1.0, 2.0]})
    # Compounds GDSC never screened, known by SMILES only, on every cell line.
    novel = pd.DataFrame([
        {"drug": None, "drug_name": name, "smiles": smiles, "inchikey": key,
         "cell_line": cell, "cell_name": cell, "resistance": rng.normal()}
        for name, smiles, key in NEW
        for cell in cells])
    return StudyResponses("toy_study", "1", "AUC", pd.concat([table, extra, novel]),
                          Report("toy_study", "1"))


NEW = [("aspirin", "CC(=O)Oc1ccccc1C(=O)O", "BSYNRYMUTXBXSQ-UHFFFAOYSA-N"),
       ("caffeine", "Cn1cnc2c1c(=O)n(C)c(=O)n2C", "RYYVLZVUVIJVGH-UHFFFAOYSA-N"),
       ("broken", "C1CC(", None)]


def test_study_pairs_keep_placeable_pairs_with_gdsc_values(export):
    study = second_study(export)
    pairs = study_pairs(study, export, min_cell_lines=3)
    frame = export.edges[RESPONSE_EDGE]
    assert len(pairs) == len(frame.groupby(["src", "dst"]))   # the two extra rows are dropped
    assert np.isfinite(pairs.gdsc_ln_ic50).all()
    # The study's sensitive call is each drug's most sensitive fifth.
    share = pd.Series(pairs.sensitive).groupby(pairs.pairs[:, 0]).mean()
    assert share.between(0.1, 0.3).all()
    # Raising the bar on cell lines per drug drops drugs.
    most = int(pd.Series(pairs.pairs[:, 0]).value_counts().max())
    assert len(study_pairs(study, export, min_cell_lines=most + 1)) == 0


def test_scores_follow_the_predictor(export):
    pairs = study_pairs(second_study(export, noise=0.0), export, min_cell_lines=3)
    perfect = score_study(pairs, pairs.gdsc_ln_ic50)
    assert perfect["within_drug_r"] == pytest.approx(1.0)
    assert perfect["auroc"] > 0.99   # pooled over drugs, so near 1, not exactly
    reverse = score_study(pairs, -pairs.gdsc_ln_ic50)
    assert reverse["within_drug_r"] == pytest.approx(-1.0)
    assert reverse["auroc"] < 0.05
    assert perfect["pairs"] == len(pairs)


def test_unseen_pairs_exclude_training_edges(export):
    pairs = study_pairs(second_study(export), export, min_cell_lines=3)
    split = make_split(export, "drug-response", "random", seed=0)
    unseen = unseen_mask(pairs, split)
    train_pairs = {tuple(p) for p in split.part_pairs("train").tolist()}
    assert not any(tuple(p) in train_pairs for p in pairs.pairs[unseen].tolist())
    assert all(tuple(p) in train_pairs for p in pairs.pairs[~unseen].tolist())
    assert 0 < unseen.sum() < len(pairs)


def test_training_scores_every_method_on_the_second_study(export, features, tmp_path):
    results = train(export, task="drug-response", split="random", seeds=(0,), epochs=30,
                    features=features, out_dir=tmp_path, progress=False,
                    baselines=("drug-mean", "additive"),
                    cross_study=[second_study(export)])
    assert [r.split for r in results.cross_study] == ["random → toy_study (all)",
                                                      "random → toy_study (unseen)",
                                                      "random → toy_study (new compounds)"]
    new = results.cross_study[2].summary().set_index("method")
    # Only methods that can place a new structure score it; two valid compounds × 60 lines.
    assert list(new.index) == ["sage", "additive"]
    assert new.loc["sage", "pairs"] == 2 * len(export.nodes["CellLine"])
    for table in results.cross_study[:2]:
        summary = table.summary().set_index("method")
        assert list(summary.index) == ["sage", "drug-mean", "additive", "gdsc-measured"]
        # The study re-measured GDSC with little noise: GDSC's own value agrees best.
        assert summary.loc["gdsc-measured", "within_drug_r"] > 0.9
        assert summary.loc["drug-mean", "within_drug_r"] == pytest.approx(0.0)
        assert summary.loc["sage", "within_drug_r"] > 0.2
    stored = json.loads((tmp_path / "results_drug-response_random_sage.json").read_text())
    assert len(stored["cross_study"]) == 3
    assert "toy_study (unseen)" in (tmp_path / "results_drug-response_random_sage.md").read_text()
    with pytest.raises(ValueError, match="drug-response"):
        train(export, task="drug-target", split="random", seeds=(0,), epochs=1,
              features=features, cross_study=[second_study(export)], progress=False)


def test_new_compounds_are_unscreened_structures_featurized_once(export, features):
    study = second_study(export)
    found = new_compounds(study, export, features.featurizer, min_cell_lines=3)
    assert found.names == ["aspirin", "caffeine"]      # sorted by InChIKey; screened drugs out
    assert found.invalid == 1                          # the broken SMILES
    assert found.drug_x.shape == (2, features.drug_x.shape[1])
    assert len(found) == 2 * len(export.nodes["CellLine"])
    assert set(found.pairs[:, 0]) == {0, 1}


def test_gbm_places_a_new_structure_like_a_known_one(export, features):
    data = task_data(export, make_split(export, "drug-response", "random", seed=0), features)
    gbm = GBM(max_iter=20).fit(data)
    drug = int(np.flatnonzero(features.drug_has_structure.numpy())[0])
    pairs = np.array([[drug, 0], [drug, 1]])
    known = gbm.predict(pairs)
    as_new = gbm.predict_new(features.drug_x[[drug]].numpy(), np.array([[0, 0], [0, 1]]))
    assert np.allclose(known, as_new, atol=1e-5)

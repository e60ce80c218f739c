"""The response prior: ALS + neighbours (``als-neighbours``) and the models that correct it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from oncokg.gnn.baselines import NeighbourALS
from oncokg.gnn.evaluate import evaluate_response, task_data
from oncokg.gnn.models import LinkModel
from oncokg.gnn.predict import Predictor
from oncokg.gnn.splits import make_split
from oncokg.gnn.train import TrainConfig, evaluate_fit, fit_gnn


def test_the_prior_chooses_its_als_grid_point_after_completing_the_held_out_lines(
        export, features):
    data = task_data(export, make_split(export, "drug-response", "cold-cell", seed=0), features)
    prior = NeighbourALS().fit(data)
    val = data.split.part_pairs("val")

    def val_r(factors):
        return evaluate_response(data, "val", factors.predict(val))["within_drug_r"]

    completed = {(rank, reg): NeighbourALS._complete(factors, prior._mixing(data.split.train,
                                                                             data))
                 for rank, reg, factors in prior.als.candidates}
    assert len(completed) == len(prior.als.ranks) * len(prior.als.regs)
    assert val_r(prior.factors) == max(val_r(f) for f in completed.values())
    assert val_r(prior.factors) == val_r(completed[prior.rank, prior.reg])


def test_an_unseen_drug_borrows_its_neighbours_rows(export, features):
    data = task_data(export, make_split(export, "drug-response", "cold-drug", seed=0), features)
    prior = NeighbourALS().fit(data)
    test_drugs = np.unique(data.split.part_pairs("test")[:, 0])
    assert not prior.donors[test_drugs].any()
    given = np.flatnonzero(prior.donors)
    for drug in test_drugs:
        row = prior.factors.drug[drug]
        assert np.any(row != 0)
        # a convex mix of donor rows: inside their range, column by column
        donors = prior.factors.drug[given]
        assert np.all(row >= donors.min(0) - 1e-9) and np.all(row <= donors.max(0) + 1e-9)
    plain = evaluate_response(data, "test", prior.als.predict(data.split.part_pairs("test")))
    mixed = evaluate_response(data, "test", prior.predict(data.split.part_pairs("test")))
    assert plain["within_drug_r"] == 0 or not np.isfinite(plain["within_drug_r"]) or \
        mixed["within_drug_r"] > plain["within_drug_r"]


def test_an_unseen_cell_line_borrows_from_its_tissue_first(export, features):
    """Mutation columns of noise swamp the tissue in the unweighted similarity; weighting the
    tissue block makes an unseen line's donors its own tissue's lines."""
    data = task_data(export, make_split(export, "drug-response", "cold-cell", seed=0), features)
    noise = np.random.default_rng(0).random((features.cell_x.shape[0], 300)) < 0.3
    noisy = replace(features, cell_x=torch.cat([features.cell_x, torch.from_numpy(
                        noise.astype(np.float32))], dim=1),
                    cell_feature_names=[*features.cell_feature_names,
                                        *(f"mut:noise{i}" for i in range(300))])
    data = replace(data, features=noisy)
    tissue = np.array([n.startswith("tissue:") for n in noisy.cell_feature_names])
    of_line = noisy.cell_x.numpy()[:, tissue].argmax(1)
    kept = np.unique(data.split.part_pairs("train")[:, 1])
    lost = np.unique(data.split.part_pairs("test")[:, 1])

    def mates_share(prior: NeighbourALS) -> float:
        mix = prior.cell_mix(kept, lost).tocoo()
        return float(mix.data[of_line[lost[mix.row]] == of_line[kept[mix.col]]].sum() / len(lost))

    als = NeighbourALS(cell_k=5, cell_blocks={}).fit(data).als
    assert mates_share(NeighbourALS(cell_k=5, als=als, cell_blocks={"tissue": 10.0}).fit(data)) \
        == pytest.approx(1.0)
    assert mates_share(NeighbourALS(cell_k=5, als=als, cell_blocks={}).fit(data)) < 0.9


def test_out_of_fold_predictions_never_saw_their_pair(export, features):
    """On pure noise the in-sample fit remembers the pairs; out-of-fold predictions cannot."""
    data = task_data(export, make_split(export, "drug-response", "random", seed=0), features)
    data.y = np.random.default_rng(1).normal(size=len(data.y))
    prior = NeighbourALS().fit(data)
    train = data.split.train
    in_sample = np.corrcoef(prior.predict(data.split.pairs[train]), data.y[train])[0, 1]
    held_out = np.corrcoef(prior.out_of_fold(data), data.y[train])[0, 1]
    assert in_sample > 0.3 and abs(held_out) < 0.1


def test_untrained_response_model_predicts_as_its_prior(export, features):
    data = task_data(export, make_split(export, "drug-response", "cold-cell", seed=0), features)
    prior = NeighbourALS().fit(data)
    fit = fit_gnn(data, TrainConfig(epochs=1, lr=1e-12, hidden=16), seed=0, progress=False,
                  response_prior=prior)
    assert fit.history[0]["epoch"] == 0 and fit.model.response_prior is not None
    expected = evaluate_response(data, "test", prior.predict(data.split.part_pairs("test")))
    got = evaluate_fit(fit, data, "test", fit.messages)
    for metric in ("within_drug_r", "rmse"):
        assert np.isclose(got[metric], expected[metric], atol=1e-4)


def test_a_correction_replaces_the_prior_only_beyond_one_bootstrap_se(export, features):
    """On noise labels an epoch beats the prior on validation by chance; the one-SE rule keeps
    the prior unless the gain clears its bootstrap standard error over validation lines."""
    data = task_data(export, make_split(export, "drug-response", "cold-cell", seed=0), features)
    data.y = np.random.default_rng(3).normal(size=len(data.y))
    prior = NeighbourALS().fit(data)
    fit = fit_gnn(data, TrainConfig(epochs=80, hidden=16, threads=1, patience=80), seed=0,
                  progress=False, response_prior=prior)
    raw_best = max(fit.history, key=lambda row: row["within_drug_r"])
    assert raw_best["epoch"] > 0 and fit.selection["epoch"] == raw_best["epoch"]
    gain, se = fit.selection["val_gain"], fit.selection["val_gain_se"]
    assert gain == pytest.approx(raw_best["within_drug_r"] - fit.history[0]["within_drug_r"],
                                 abs=1e-4)
    assert 0 < gain <= se and fit.best_epoch == 0
    kept = evaluate_fit(fit, data, "val", fit.messages)["within_drug_r"]
    assert kept == pytest.approx(fit.history[0]["within_drug_r"], abs=1e-4)


def test_saved_response_model_keeps_its_prior(response_artifact, export, features):
    path, _ = response_artifact
    predictor = Predictor.load(path)
    held = predictor.model.response_prior
    assert held is not None and bool(held.donor.any())
    data = task_data(export, make_split(export, "drug-response", "cold-drug", seed=0), features)
    prior = NeighbourALS().fit(data)
    assert torch.allclose(held.drug, torch.as_tensor(prior.factors.drug, dtype=torch.float32),
                          atol=1e-5)
    # a new compound is placed by its structural neighbours, through the same featurizer
    smiles = "c1ccc2ncnc(NCC)c2c1"
    x = predictor.featurize(smiles)[None]
    expected = prior.predict_new(x.numpy(), np.c_[np.zeros(3, int), np.arange(3)])
    with torch.no_grad():
        held.s.zero_()   # the prior alone
    got = predictor.ln_ic50_matrix(predictor.smiles_embeddings([smiles]), np.arange(3))[0]
    assert np.allclose(got, expected, atol=1e-3)


def test_a_response_model_that_is_its_prior_screens_without_the_encoder(response_artifact,
                                                                         monkeypatch):
    """Correction weight 0: new compounds' sensitivities and ln IC50s without message
    passing, decoder or descriptors equal the full computation bit for bit."""
    predictor = Predictor.load(response_artifact[0])
    with torch.no_grad():
        predictor.model.response_prior.s.zero_()
    smiles = ["c1ccc2ncnc(NCC)c2c1", "CCOc1ccccc1", "c1ccc2ncnc(NCCCC)c2c1"]
    cells = np.arange(len(predictor.nodes["CellLine"]["keys"]))

    def scores():
        h = predictor.smiles_embeddings(smiles)
        return predictor.sensitivity(h), predictor.ln_ic50_matrix(h, cells)

    assert not predictor.model.uses_encoder
    fast = scores()
    monkeypatch.setattr(LinkModel, "uses_encoder", property(lambda self: True))
    full = scores()
    assert all(np.array_equal(a, b) for a, b in zip(fast, full, strict=True))

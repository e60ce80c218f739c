"""The neighbour votes of target models: baselines, the prior, and a saved model's scores."""

import numpy as np
import scipy.sparse as sp
import torch

from oncokg.gnn.baselines import FingerprintNN, SharedTargets
from oncokg.gnn.evaluate import evaluate_targets, task_data
from oncokg.gnn.models import LinkModel
from oncokg.gnn.predict import Predictor
from oncokg.gnn.prior import (
    BIOMARKER_EDGE,
    MUTATION_GENE_EDGE,
    NeighbourPrior,
    SparseScores,
    evidence_genes,
)
from oncokg.gnn.splits import make_split
from oncokg.gnn.train import TrainConfig, evaluate_fit, fit_gnn, fit_prior


def _known(pairs, n_drugs=4, n_genes=6):
    pairs = np.asarray(pairs)
    return sp.csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])),
                         shape=(n_drugs, n_genes))


def test_shared_targets_votes_for_what_co_targeting_drugs_hit():
    # drug 0 targets genes 0, 1; drug 1 targets 0, 1, 2; drug 2 targets 4; drug 3 targets 0
    known = _known([(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 4), (3, 0)])
    votes = SharedTargets(k=2).fit_library(known).neighbour_scores(np.array([0, 2]))
    row = votes.toarray()[0]
    assert row[2] > 0                      # drug 1 shares two targets and adds gene 2
    assert row[4] == 0                     # drug 2 shares nothing with drug 0
    assert np.isclose(row.max(), 1.0) and row.max() <= 1.0    # votes are shares of neighbours
    assert votes.toarray()[1].sum() == 0   # drug 2's only target is its own: no neighbour


def test_shared_targets_reads_the_profile_it_is_given():
    known = _known([(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 4), (3, 0)])
    shared = SharedTargets(k=2).fit_library(known)
    hidden = sp.csr_matrix(np.zeros((1, 6)))          # drug 0 with every edge hidden
    assert shared.neighbour_scores(np.array([0]), hidden).nnz == 0


def test_sharing_a_rare_target_counts_more_than_sharing_a_hub():
    # drug 0 targets hub gene 0 and rare gene 1; drug 1 shares the hub and adds gene 2, drug 2
    # shares the rare gene and adds gene 3; drugs 3-7 target the hub only
    pairs = [(0, 0), (0, 1), (1, 0), (1, 2), (2, 1), (2, 3)] + [(d, 0) for d in range(3, 8)]
    known = _known(pairs, n_drugs=8, n_genes=4)
    plain = SharedTargets(k=7, idf=0, sharpen=1).fit_library(known)
    weighted = SharedTargets(k=7, idf=1, sharpen=2).fit_library(known)
    via_hub, via_rare = 2, 3
    row = plain.neighbour_scores(np.array([0])).toarray()[0]
    assert row[via_hub] > 0 and np.isclose(row[via_hub], row[via_rare])
    row = weighted.neighbour_scores(np.array([0])).toarray()[0]
    assert row[via_rare] > 2 * row[via_hub]


def test_evidence_votes_for_the_genes_of_a_drugs_biomarkers():
    # mutations 0, 1 of gene 2 and mutation 2 of gene 0; drug 1's response: mutations 0 and 1,
    # drug 0's: mutation 2; drug 2 has no biomarker
    graph = {BIOMARKER_EDGE: np.array([[0, 1, 2], [1, 1, 0]]),
             MUTATION_GENE_EDGE: np.array([[0, 1, 2], [2, 2, 0]])}
    evidence = evidence_genes(graph, n_drugs=3, n_genes=4).toarray()
    assert evidence.tolist() == [[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]]
    assert evidence_genes({}, 3, 4).nnz == 0


def test_fingerprint_votes_never_copy_a_drugs_own_targets():
    fp = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0]], dtype=bool)
    known = _known([(0, 0), (1, 3), (2, 5)])
    nn = FingerprintNN(k=1).fit_library(fp, np.array([1, 1, 1, 0], dtype=bool), known)
    votes = nn.neighbour_scores(fp.astype(np.float32), np.arange(4)).toarray()
    assert votes[0, 3] == 1.0 and votes[0, 0] == 0     # drug 1's target, not its own
    assert votes[1, 0] == 1.0
    assert votes[3].sum() == 0                          # no structure, no vote
    scores = nn.score(np.arange(4))
    assert scores[0].argmax() == 3


def test_training_votes_hide_the_scored_edges(export, features):
    data = task_data(export, make_split(export, "drug-target", "random", seed=0), features)
    prior = fit_prior(data)
    drug = int(data.split.part_pairs("train")[0, 0])
    own = data.train_known[drug].toarray().ravel() > 0
    # every own target hidden: the shared vote has nothing to start from
    nothing = sp.csr_matrix((1, len(own)))
    structure, shared, _ = prior.training_rows(np.array([drug]), nothing)
    assert float(shared.sum()) == 0
    assert torch.equal(structure, prior.rows(np.array([drug]))[0])
    # all visible: the evaluation vote
    full = sp.csr_matrix(own[None].astype(float))
    assert torch.allclose(prior.training_rows(np.array([drug]), full)[1],
                          prior.rows(np.array([drug]))[1], atol=1e-6)


def test_untrained_prior_model_ranks_as_the_votes(export, features):
    data = task_data(export, make_split(export, "drug-target", "cold-drug", seed=0), features)
    # one step at a vanishing learning rate: the model is still its initial state
    fit = fit_gnn(data, TrainConfig(epochs=1, lr=1e-12, hidden=16), seed=0, progress=False)
    assert fit.history[0]["epoch"] == 0 and fit.model.prior is not None
    votes = fit_prior(data)
    a, c, e, b = (float(getattr(fit.model.prior, name).detach()) for name in "aceb")

    def by_votes(drugs):
        structure, shared, evidence = votes.rows(drugs)
        return (a * structure + c * shared + e * evidence + b * votes.degree[None]).numpy()

    assert np.isclose(evaluate_fit(fit, data, "test", fit.messages)["mrr"],
                      evaluate_targets(data, "test", by_votes)["mrr"], atol=1e-6)


def test_saved_model_reproduces_its_target_scores(target_artifact, export, features):
    path, _ = target_artifact
    predictor = Predictor.load(path)
    assert predictor.model.prior is not None
    split = make_split(export, "drug-target", "random", seed=0)
    data = task_data(export, split, features)
    rebuilt = predictor.prior
    trained = fit_prior(data)
    assert (rebuilt.structure != trained.structure).nnz == 0
    assert (rebuilt.shared != trained.shared).nnz == 0
    assert (rebuilt.evidence != trained.evidence).nnz == 0 and trained.evidence.nnz > 0
    # a new compound's votes come from every drug, through the same featurizer
    smiles = "c1ccc2ncnc(NCC)c2c1"
    scores = predictor.smiles_target_matrix([smiles])
    assert scores.shape == (1, len(predictor.nodes["Gene"]["keys"]))
    table = predictor.score_smiles(smiles, relation="TARGETS", k=3)
    assert np.allclose(table["score"], np.sort(scores[0])[::-1][:3], atol=1e-5)


def test_prior_from_pairs_matches_the_baseline(export, features):
    data = task_data(export, make_split(export, "drug-target", "cold-drug", seed=0), features)
    baseline = FingerprintNN().fit(data)
    fp = features.drug_x[:, : features.settings.fp_bits].numpy() > 0
    prior = NeighbourPrior.fit(fp, features.drug_has_structure.numpy(),
                               data.split.part_pairs("train"), data.num_nodes["Gene"])
    drugs = np.unique(data.split.part_pairs("test")[:, 0])
    assert np.allclose(prior.rows(drugs)[0].numpy() + 0, baseline.score(drugs)
                       - 1e-6 * baseline.degree / baseline.degree.max(), atol=1e-6)


def _canonical_top(score: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's best ``k`` columns by a full sort: score descending, then the lower column."""
    order = np.stack([np.lexsort((np.arange(score.shape[1]), -row)) for row in score])[:, :k]
    return order, np.take_along_axis(score, order, axis=1)


def test_sparse_scores_rank_as_the_full_matrix_ties_included():
    """Top k of ``base + votes`` from the votes and the base's best alone equals a full sort
    of the dense matrix, in both directions, with ties everywhere (repeated base values, equal
    votes, rows without votes) and a vote on a column the base already ranks high."""
    rng = np.random.default_rng(0)
    n, m, k = 30, 50, 6
    base = rng.choice([0.0, 0.1, 0.2, 0.5], size=m).astype(np.float32)
    votes = sp.random(n, m, density=0.08, random_state=1, format="coo", dtype=np.float32)
    keep = votes.row != 7  # a row without votes
    data = np.round(votes.data[keep] * 4) / 4 + 0.25  # few distinct values: ties
    rows, cols = votes.row[keep], votes.col[keep]
    top_base = int(np.argmax(base))  # a vote where the base alone ranks high
    votes = sp.csr_matrix((np.r_[data, 1.0].astype(np.float32),
                           (np.r_[rows, 3], np.r_[cols, top_base])), shape=(n, m))
    scores = SparseScores(base, votes)
    dense = scores.dense()
    for got, want in ((scores.top_per_row(k), _canonical_top(dense, k)),
                      (scores.top_per_column(k), _canonical_top(dense.T, k))):
        assert np.array_equal(got[0], want[0])
        assert np.array_equal(got[1], want[1])
    assert scores.top_per_row(m + 5)[0].shape == (n, m)


def test_a_model_that_is_its_prior_scores_new_compounds_without_the_encoder(
        target_artifact, monkeypatch):
    """With the correction weight at 0 the encoder's term is 0: skipping message passing, the
    decoder and the descriptors gives the same scores, bit for bit, and sparse votes give the
    same matrix."""
    predictor = Predictor.load(target_artifact[0])
    with torch.no_grad():
        predictor.model.prior.s.zero_()
    assert not predictor.model.uses_encoder
    smiles = ["c1ccc2ncnc(NCC)c2c1", "CCOc1ccccc1", "c1ccc2ncnc(NCCCC)c2c1"]
    x = torch.stack([predictor.featurize(s) for s in smiles])
    assert not x[:, predictor.featurizer.settings.fp_bits:].any()  # no descriptors computed
    fast = predictor.new_compound_targets(x)
    sparse = predictor.new_compound_target_scores(x)
    assert isinstance(sparse, SparseScores) and np.array_equal(sparse.dense(), fast)
    monkeypatch.setattr(LinkModel, "uses_encoder", property(lambda self: True))
    x_full = torch.stack([predictor.featurize(s) for s in smiles])
    assert x_full[:, predictor.featurizer.settings.fp_bits:].any()
    assert np.array_equal(predictor.new_compound_targets(x_full), fast)

"""The neighbour and evidence prior of target models, and target logits with it.

A drug's structural neighbours' targets are the strongest single signal for its own targets
(the ``fingerprint-nn`` baseline). A target model built with ``target_prior`` scores
``decoder(drug, gene)`` corrected by :class:`gnn.models.TargetPrior` over three votes: the
targets of the structurally nearest training drugs, those of the drugs sharing the most known
targets, and the genes whose mutations the graph's clinical evidence ties to the drug's
response (CIViC: a drug whose response EGFR mutations predict acts through EGFR). Training,
evaluation and prediction compute the prior here, from the same training targets and graph
the model holds, so a saved model reproduces its scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch

from oncokg.contract.export import EdgeKey
from oncokg.gnn.baselines import FingerprintNN, SharedTargets
from oncokg.gnn.evaluate import pair_matrix
from oncokg.gnn.models import LinkModel

#: The three votes of :class:`NeighbourPrior`: structure, shared targets, evidence.
Votes = tuple[torch.Tensor, torch.Tensor, torch.Tensor]
#: The graph path of the evidence vote: Drug ← BIOMARKER_OF_RESPONSE – Mutation – OF_GENE → Gene.
BIOMARKER_EDGE: EdgeKey = ("Mutation", "BIOMARKER_OF_RESPONSE", "Drug")
MUTATION_GENE_EDGE: EdgeKey = ("Mutation", "OF_GENE", "Gene")


@dataclass
class NeighbourPrior:
    """Votes for every graph drug (never its own donor) and gene degrees: ``structure`` from
    the nearest fingerprints, ``shared`` from the drugs sharing the most known targets (the
    graph's drug → gene → drug paths; empty for drugs without targets), ``evidence`` the genes
    of the drug's clinical biomarkers (:func:`evidence_genes`)."""

    by_structure: FingerprintNN
    by_targets: SharedTargets
    structure: sp.csr_matrix
    shared: sp.csr_matrix
    evidence: sp.csr_matrix
    degree: torch.Tensor

    @classmethod
    def fit(cls, fp: np.ndarray, has_structure: np.ndarray, train_targets: np.ndarray,
            n_genes: int, evidence: sp.csr_matrix | None = None) -> NeighbourPrior:
        """From drug fingerprints (bits), the training (drug, gene) target pairs and the
        evidence genes (drugs × genes; none when not given)."""
        pairs = np.asarray(train_targets, dtype=np.int64).reshape(-1, 2)
        known = pair_matrix(pairs, len(fp), n_genes)
        by_structure = FingerprintNN().fit_library(fp, has_structure, known)
        has = np.asarray(has_structure, dtype=bool)
        drugs = np.arange(len(fp))
        structure = by_structure.neighbour_scores(by_structure.fp * has[:, None], drugs)
        by_targets = SharedTargets().fit_library(known)
        degree = torch.tensor(by_structure.degree, dtype=torch.float32)
        if evidence is None:
            evidence = sp.csr_matrix((len(fp), n_genes), dtype=np.float32)
        return cls(by_structure, by_targets, structure, by_targets.neighbour_scores(drugs),
                   sp.csr_matrix(evidence, dtype=np.float32), degree)

    def rows(self, drugs: np.ndarray) -> Votes:
        """Dense (structure, shared, evidence) votes of graph drugs, each (len(drugs),
        n_genes)."""
        drugs = np.asarray(drugs)
        return (_dense(self.structure[drugs]), _dense(self.shared[drugs]),
                _dense(self.evidence[drugs]))

    def training_rows(self, drugs: np.ndarray, visible: sp.csr_matrix) -> Votes:
        """Votes while training: the shared-target vote from each drug's ``visible`` targets
        (its rows: training targets minus the edges being scored)."""
        drugs = np.asarray(drugs)
        return (_dense(self.structure[drugs]),
                _dense(self.by_targets.neighbour_scores(drugs, visible)),
                _dense(self.evidence[drugs]))

    def new_rows(self, fp: np.ndarray) -> Votes:
        """Votes for structures outside the graph: every donor allowed, no shared targets,
        no evidence."""
        exclude = np.full(len(fp), -1)
        structure = _dense(self.by_structure.neighbour_scores(np.asarray(fp, np.float32),
                                                              exclude))
        return structure, torch.zeros_like(structure), torch.zeros_like(structure)

    def pairs(self, drugs: np.ndarray, genes: np.ndarray) -> Votes:
        """The three votes of (drug, gene) pairs, each (len(drugs),)."""
        return tuple(torch.from_numpy(np.asarray(m[drugs, genes]).ravel().astype(np.float32))
                     for m in (self.structure, self.shared, self.evidence))


def evidence_genes(graph: Mapping[EdgeKey, np.ndarray | torch.Tensor], n_drugs: int,
                   n_genes: int) -> sp.csr_matrix:
    """Drugs × genes, 1 where a mutation of the gene is clinical evidence of the drug's
    response (sensitivity or resistance, any level): the graph path
    Drug ← BIOMARKER_OF_RESPONSE – Mutation – OF_GENE → Gene over ``graph``'s (2, E) edge
    arrays. Empty where the graph holds neither type. These are not target edges: a drug's
    evidence stays visible when its targets are held out."""
    if BIOMARKER_EDGE not in graph or MUTATION_GENE_EDGE not in graph:
        return sp.csr_matrix((n_drugs, n_genes), dtype=np.float32)
    biomarker = np.asarray(graph[BIOMARKER_EDGE])
    of_gene = np.asarray(graph[MUTATION_GENE_EDGE])
    n_mutations = int(max(biomarker[0].max(initial=-1), of_gene[0].max(initial=-1))) + 1
    drug_mutation = pair_matrix(biomarker[::-1].T, n_drugs, n_mutations)
    mutation_gene = pair_matrix(of_gene.T, n_mutations, n_genes)
    evidence = (drug_mutation @ mutation_gene).tocsr()
    evidence.data[:] = 1.0
    return evidence


@dataclass
class SparseScores:
    """Scores ``base[j] + votes[i, j]`` of rows (compounds) × columns (genes), ``votes``
    sparse and non-negative: a target model that is its prior scoring new compounds (the
    structural vote, which reaches only the neighbours' targets, over the degree term).

    The best ``k`` of a row or a column are found among the entries with a vote and the ``k``
    best by ``base`` alone (every other entry is its ``base``), so ranking costs the votes'
    size, not rows × columns. Ties rank the lower column (row) first, as
    :func:`gnn.library` ranks dense scores.
    """

    base: np.ndarray
    votes: sp.csr_matrix

    @property
    def shape(self) -> tuple[int, int]:
        return self.votes.shape

    def dense(self) -> np.ndarray:
        """The full matrix (for tests and small screens)."""
        return self.base[None, :] + self.votes.toarray()

    def top_per_row(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Each row's best ``k`` columns, best first (ties: the lower column), and their scores;
        arrays (rows, k)."""
        n, m = self.shape
        k = min(k, m)
        by_base = np.lexsort((np.arange(m), -self.base))[:k]
        votes = self.votes.tocoo()
        extra = ~np.isin(votes.col, by_base)
        rows = np.concatenate([np.repeat(np.arange(n), k), votes.row[extra]])
        cols = np.concatenate([np.tile(by_base, n), votes.col[extra]])
        scores = np.concatenate([(self.base[by_base][None, :]
                                  + self.votes[:, by_base].toarray()).ravel(),
                                 self.base[votes.col[extra]] + votes.data[extra]])
        return _best(rows, cols, scores, n, k)

    def top_per_column(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Each column's best ``k`` rows, best first (ties: the lower row), and their scores;
        arrays (columns, k)."""
        n, m = self.shape
        k = min(k, n)
        votes = self.votes.tocoo()
        extra = votes.row >= k
        first = self.base[None, :] + self.votes[:k].toarray()
        cols = np.concatenate([np.tile(np.arange(m), k), votes.col[extra]])
        rows = np.concatenate([np.repeat(np.arange(k), m), votes.row[extra]])
        scores = np.concatenate([first.ravel(), self.base[votes.col[extra]] + votes.data[extra]])
        return _best(cols, rows, scores, m, k)


def _best(group: np.ndarray, member: np.ndarray, score: np.ndarray, n_groups: int, k: int
          ) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best members of each group (every group has at least ``k`` candidates) by
    score, ties the lower member: (n_groups, k) members and scores."""
    order = np.lexsort((member, -score, group))
    starts = np.searchsorted(group[order], np.arange(n_groups))
    pick = order[(starts[:, None] + np.arange(k)[None, :]).ravel()]
    return member[pick].reshape(n_groups, k), score[pick].reshape(n_groups, k)


def scores_sparsely(model: LinkModel) -> bool:
    """Whether new compounds' target scores are :class:`SparseScores`: the model is its prior
    (no encoder term) and the structural vote's weight is non-negative."""
    return model.prior is not None and not model.uses_encoder and float(model.prior.a.detach()) >= 0


def new_compound_scores(model: LinkModel, prior: NeighbourPrior, fp: np.ndarray
                        ) -> SparseScores | None:
    """New compounds' (fingerprint bits ``fp``) target scores as :class:`SparseScores`, when
    the model is its prior with a non-negative structural weight; None when they need the
    dense :func:`target_logits` (the same values)."""
    if not scores_sparsely(model):
        return None
    weights = model.prior
    votes = prior.by_structure.neighbour_scores(np.asarray(fp, np.float32),
                                                np.full(len(fp), -1))
    votes.sum_duplicates()
    votes = votes.astype(np.float32)
    votes.data *= weights.a.detach().numpy()
    return SparseScores((weights.b * prior.degree).detach().numpy(), votes)


def _dense(matrix: sp.spmatrix) -> torch.Tensor:
    return torch.from_numpy(matrix.toarray().astype(np.float32))


def pair_logits(model: LinkModel, drug_h: torch.Tensor, gene_h: torch.Tensor,
                prior: NeighbourPrior | None, drugs: np.ndarray, genes: np.ndarray
                ) -> torch.Tensor:
    """Scores of (drug, gene) pairs: embeddings row by row (n, hidden) each, with the prior's
    votes for graph drug indices ``drugs`` and gene indices ``genes`` where the model has one."""
    logits = model.decoder(drug_h, gene_h)
    if model.prior is not None:
        logits = model.prior(logits, *prior.pairs(drugs, genes),
                             prior.degree[torch.from_numpy(np.asarray(genes))])
    return logits


def target_logits(model: LinkModel, drug_h: torch.Tensor, gene_h: torch.Tensor,
                  prior: NeighbourPrior | None = None,
                  votes: Votes | None = None) -> torch.Tensor:
    """Scores of drugs (n, hidden) against genes (m, hidden), with the prior's ``votes``
    ((n, m) each, from :meth:`NeighbourPrior.rows`) where the model has a prior."""
    if not model.uses_encoder:  # the model is its prior: the decoder's term is 0
        return model.prior(torch.zeros(()), *votes, prior.degree[None, :])
    logits = model.decoder.score_all(drug_h, gene_h)
    if model.prior is not None:
        logits = model.prior(logits, *votes, prior.degree[None, :])
    return logits

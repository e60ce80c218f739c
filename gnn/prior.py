"""The fingerprint-neighbour prior of target models, and target logits with it.

A drug's structural neighbours' targets are the strongest single signal for its own targets
(the ``fingerprint-nn`` baseline). A target model built with ``target_prior`` scores
``decoder(drug, gene)`` corrected by :class:`gnn.models.TargetPrior` over two neighbour votes:
the targets of the structurally nearest training drugs and of the drugs sharing the most known
targets. Training, evaluation and prediction compute the prior here, from
the same training targets the model's graph holds, so a saved model reproduces its scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch

from oncokg.gnn.baselines import FingerprintNN, SharedTargets
from oncokg.gnn.evaluate import pair_matrix
from oncokg.gnn.models import LinkModel


@dataclass
class NeighbourPrior:
    """Neighbour votes for every graph drug (never its own donor) and gene degrees:
    ``structure`` from the nearest fingerprints, ``shared`` from the drugs sharing the most
    known targets (the graph's drug → gene → drug paths; empty for drugs without targets)."""

    by_structure: FingerprintNN
    by_targets: SharedTargets
    structure: sp.csr_matrix
    shared: sp.csr_matrix
    degree: torch.Tensor

    @classmethod
    def fit(cls, fp: np.ndarray, has_structure: np.ndarray, train_targets: np.ndarray,
            n_genes: int) -> NeighbourPrior:
        """From drug fingerprints (bits) and the training (drug, gene) target pairs."""
        pairs = np.asarray(train_targets, dtype=np.int64).reshape(-1, 2)
        known = pair_matrix(pairs, len(fp), n_genes)
        by_structure = FingerprintNN().fit_library(fp, has_structure, known)
        has = np.asarray(has_structure, dtype=bool)
        drugs = np.arange(len(fp))
        structure = by_structure.neighbour_scores(by_structure.fp * has[:, None], drugs)
        by_targets = SharedTargets().fit_library(known)
        degree = torch.tensor(by_structure.degree, dtype=torch.float32)
        return cls(by_structure, by_targets, structure, by_targets.neighbour_scores(drugs),
                   degree)

    def rows(self, drugs: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """Dense (structure, shared) votes of graph drugs, each (len(drugs), n_genes)."""
        drugs = np.asarray(drugs)
        return (_dense(self.structure[drugs]), _dense(self.shared[drugs]))

    def training_rows(self, drugs: np.ndarray, visible: sp.csr_matrix
                      ) -> tuple[torch.Tensor, torch.Tensor]:
        """Votes while training: the shared-target vote from each drug's ``visible`` targets
        (its rows: training targets minus the edges being scored)."""
        drugs = np.asarray(drugs)
        return (_dense(self.structure[drugs]),
                _dense(self.by_targets.neighbour_scores(drugs, visible)))

    def new_rows(self, fp: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """Votes for structures outside the graph: every donor allowed, no shared targets."""
        exclude = np.full(len(fp), -1)
        structure = _dense(self.by_structure.neighbour_scores(np.asarray(fp, np.float32),
                                                              exclude))
        return structure, torch.zeros_like(structure)

    def pairs(self, drugs: np.ndarray, genes: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """The two votes of (drug, gene) pairs, each (len(drugs),)."""
        return tuple(torch.from_numpy(np.asarray(m[drugs, genes]).ravel().astype(np.float32))
                     for m in (self.structure, self.shared))


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
                  votes: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
    """Scores of drugs (n, hidden) against genes (m, hidden), with the prior's ``votes``
    ((n, m) each, from :meth:`NeighbourPrior.rows`) where the model has a prior."""
    logits = model.decoder.score_all(drug_h, gene_h)
    if model.prior is not None:
        logits = model.prior(logits, *votes, prior.degree[None, :])
    return logits

"""Baselines, fitted on the training part of the same split the GNN sees.

Response (predict ln IC50 for (drug, cell line) pairs):

* ``drug-mean``: the drug's mean training ln IC50 (global mean for unseen drugs);
* ``additive``: ``μ + a_drug + b_cell`` by regularized alternating least squares;
* ``als``: additive + rank-k matrix factorization ``u_drug · v_cell`` (ALS, λ chosen on the
  validation set);
* ``gbm``: gradient boosting (scikit-learn ``HistGradientBoostingRegressor``, early-stopped on
  the validation set) on drug fingerprint (PCA) + descriptors + cell-line genomic features;
* ``lgbm``: LightGBM on every training pair with the drug's identity as a categorical feature
  (what lets boosting learn per-drug biomarkers for unseen cell lines), the same drug structure
  block, and the cell-line features: genomic columns as they are, wide omics profiles
  (``expr:``, ``pes:``, ``gene_mut:``, ``cnv:``) reduced to principal components fitted on the
  training lines; early-stopped on the validation set.

Targets (rank genes for a drug):

* ``degree-prior``: genes ranked by their number of training targets;
* ``fingerprint-nn``: targets of the k structurally nearest training drugs (Tanimoto on the
  Morgan bits), weighted by similarity cubed (k and the power chosen on validation), with the
  degree prior breaking ties;
* ``shared-targets``: targets of the k training drugs whose known targets overlap the drug's
  own most (cosine of the target sets, each gene weighted by its rarity; item-based
  collaborative filtering, the graph's drug → gene → drug paths). Drugs with no training target
  (unseen drugs) get the degree prior.

Regression baselines have no classifier; their sensitivity score is the drug's predicted 20th
percentile minus the prediction (see ``gnn.evaluate.sensitivity_from_regression``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import lightgbm
import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from oncokg.contract.errors import UnknownSettingError
from oncokg.contract.tasks import TARGET_EDGE
from oncokg.gnn.evaluate import TaskData, evaluate_response, pair_matrix
from oncokg.gnn.features import drug_neighbour_weights, tanimoto, top_k_mix
from oncokg.gnn.threads import cpu_threads

RESPONSE_BASELINES = ("drug-mean", "additive", "als", "als-neighbours", "gbm", "lgbm")
#: Cell-feature prefixes of the wide omics profiles (``gnn.features.PROFILE_PREFIX``).
PROFILE_COLUMNS = ("expr:", "pes:", "gene_mut:", "cnv:")
TARGET_BASELINES = ("degree-prior", "fingerprint-nn", "shared-targets")
#: Weights of cell-feature blocks (name prefix before ``:``) in the cell-line similarity of
#: ``als-neighbours``; validation of GDSC v17 unseen cell lines chose tissue × 3 over 1 and 10,
#: and on GDSC2 release 8 with expression and pathway profiles over 1, 10, 30 and equal blocks.
CELL_BLOCK_WEIGHTS = {"tissue": 3.0}
#: The shared-target vote's inverse-drug-frequency power and similarity sharpening; validation
#: MRR of the prior alone (GDSC v17 random pairs, seeds 0, 1, 2): plain cosine (0, 1) 0.443,
#: (1, 1) 0.445, (1, 2) 0.447, (1.5, 2) 0.448, (2, 2) 0.449.
SHARED_IDF = 2.0
SHARED_SHARPEN = 2.0
Item, Result = TypeVar("Item"), TypeVar("Result")


class ResponseBaseline:
    name = "response-baseline"

    def fit(self, data: TaskData) -> ResponseBaseline:  # pragma: no cover - interface
        raise NotImplementedError

    def predict(self, pairs: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


class DrugMean(ResponseBaseline):
    name = "drug-mean"

    def fit(self, data: TaskData) -> DrugMean:
        train = data.split.train
        drugs, y = data.split.pairs[train, 0], data.y[train]
        n = data.num_nodes["Drug"]
        sums = np.bincount(drugs, y, minlength=n)
        counts = np.bincount(drugs, minlength=n)
        self.mean = float(y.mean())
        self.drug = np.where(counts > 0, sums / np.maximum(counts, 1), self.mean)
        return self

    def predict(self, pairs: np.ndarray) -> np.ndarray:
        return self.drug[pairs[:, 0]]


class Additive(ResponseBaseline):
    """μ + a_d + b_c with ridge penalty ``reg`` per effect, fitted by alternating updates."""

    name = "additive"

    def __init__(self, reg: float = 2.0, iterations: int = 15) -> None:
        self.reg, self.iterations = reg, iterations

    def fit(self, data: TaskData) -> Additive:
        train = data.split.train
        d, c, y = data.split.pairs[train, 0], data.split.pairs[train, 1], data.y[train]
        self.mu, self.a, self.b = additive_effects(d, c, y, data.num_nodes["Drug"],
                                                   data.num_nodes["CellLine"], self.reg,
                                                   self.iterations)
        return self

    def predict(self, pairs: np.ndarray) -> np.ndarray:
        return self.mu + self.a[pairs[:, 0]] + self.b[pairs[:, 1]]

    def predict_new(self, drug_x: np.ndarray, pairs: np.ndarray) -> np.ndarray:
        """A new compound has no drug effect: μ + b_c (the cell line's general sensitivity)."""
        return self.mu + self.b[pairs[:, 1]]


class ALS(ResponseBaseline):
    """Biased matrix factorization by alternating ridge regressions; rank and λ chosen on
    validation (GDSC v17 random pairs, seed 0: rank 16 / λ 10 0.712 within-drug r, rank 150 /
    λ 12 0.750; ``../shared/BASELINES.md``'s independent run reached 0.728 at rank 20)."""

    name = "als"

    def __init__(self, ranks: tuple[int, ...] = (40, 150),
                 regs: tuple[float, ...] = (8.0, 12.0, 20.0), iterations: int = 12,
                 seed: int = 0) -> None:
        self.ranks, self.regs, self.iterations, self.seed = ranks, regs, iterations, seed

    def fit(self, data: TaskData) -> ALS:
        train = data.split.train
        pairs, y = data.split.pairs[train], data.y[train]
        sizes = data.num_nodes["Drug"], data.num_nodes["CellLine"]
        grid = [(rank, reg) for rank in self.ranks for reg in self.regs]
        fits = parallel_map(lambda point: als_factors(pairs, y, sizes, *point, self.iterations,
                                                      self.seed), grid)
        self.candidates = [(rank, reg, factors) for (rank, reg), factors in zip(grid, fits,
                                                                                strict=True)]
        self.rank, self.reg, self.factors = best_on_validation(data, self.candidates)
        return self

    def predict(self, pairs: np.ndarray) -> np.ndarray:
        return self.factors.predict(pairs)


def best_on_validation(data: TaskData, candidates: Sequence[tuple[int, float, Factors]]
                       ) -> tuple[int, float, Factors]:
    """The ``(rank, λ, factors)`` whose factors score the highest within-drug r on the
    validation pairs (the first where none is defined)."""
    val = data.split.part_pairs("val")
    scores = [evaluate_response(data, "val", factors.predict(val))["within_drug_r"]
              for *_, factors in candidates]
    scores = [score if np.isfinite(score) else -np.inf for score in scores]
    return candidates[int(np.argmax(scores))]


@dataclass
class Factors:
    """``μ + a_d + b_c + u_d · v_c``: ``drug`` rows are ``[a | u]``, ``cell`` rows ``[b | v]``;
    drugs and cell lines without training pairs have zero rows."""

    mu: float
    drug: np.ndarray
    cell: np.ndarray

    def predict(self, pairs: np.ndarray) -> np.ndarray:
        return self.pair_values(self.drug[pairs[:, 0]], self.cell[pairs[:, 1]])

    def pair_values(self, drug: np.ndarray, cell: np.ndarray) -> np.ndarray:
        """Predictions of drug rows against cell rows, row by row."""
        return self.mu + drug[:, 0] + cell[:, 0] + (drug[:, 1:] * cell[:, 1:]).sum(1)


def als_factors(pairs: np.ndarray, y: np.ndarray, sizes: tuple[int, int], rank: int,
                reg: float, iterations: int = 12, seed: int = 0) -> Factors:
    """Biased rank-``rank`` factorization of (drug, cell) → y by alternating ridge solves,
    started from the additive fit."""
    rng = np.random.default_rng(seed)
    d, c = pairs[:, 0], pairs[:, 1]
    (nd, nc), k = sizes, rank
    mu, a, b = additive_effects(d, c, y, nd, nc)
    u = rng.normal(0, 0.1, (nd, k))
    v = rng.normal(0, 0.1, (nc, k))
    drugs, cells = _RidgeSide(d, c), _RidgeSide(c, d)
    penalty = reg * np.eye(k + 1)
    penalty[-1, -1] *= 0.1  # light penalty on the bias column
    for _ in range(iterations):
        sol = drugs.solve(v, y - mu - b[c], penalty)
        u[drugs.units], a[drugs.units] = sol[:, :k], sol[:, k]
        sol = cells.solve(u, y - mu - a[d], penalty)
        v[cells.units], b[cells.units] = sol[:, :k], sol[:, k]
    seen_d = np.bincount(d, minlength=nd) > 0
    seen_c = np.bincount(c, minlength=nc) > 0
    drug, cell = np.c_[a, u], np.c_[b, v]
    drug[~seen_d], cell[~seen_c] = 0.0, 0.0
    return Factors(mu, drug, cell)


class _RidgeSide:
    """One side of the alternating solves: for each unit (drug or cell line) with pairs, the
    ridge regression of its responses on its partners' factor rows and a bias column.

    A unit paired with most of the partners gets its Gram matrix as the Gram of every partner
    minus those it lacks (GDSC's matrix is dense), and the solves run batched: a rank-150 fit
    on GDSC v17 unseen cell lines took 10.3 s one unit at a time, 7.7 s this way.
    """

    def __init__(self, own: np.ndarray, partner: np.ndarray, chunk: int = 256) -> None:
        groups = _group_positions(own)
        self.units = np.array([unit for unit, _ in groups], dtype=np.int64)
        self.positions = [pos for _, pos in groups]
        self.partners = [partner[pos] for pos in self.positions]
        self.seen = np.unique(partner)
        self.lacking = [np.setdiff1d(self.seen, p) if 2 * len(p) > len(self.seen)
                        and len(np.unique(p)) == len(p) else None for p in self.partners]
        self.chunk = chunk

    def solve(self, partner_rows: np.ndarray, resid: np.ndarray,
              penalty: np.ndarray) -> np.ndarray:
        """``[factor row | bias]`` of every unit, in ``units`` order."""
        design = np.c_[partner_rows, np.ones(len(partner_rows))]
        full = design[self.seen].T @ design[self.seen]
        width = design.shape[1]
        out = np.empty((len(self.units), width))
        for start in range(0, len(self.units), self.chunk):
            stop = min(start + self.chunk, len(self.units))
            grams = np.empty((stop - start, width, width))
            rhs = np.empty((stop - start, width))
            for i in range(start, stop):
                rows = design[self.partners[i]]
                rhs[i - start] = rows.T @ resid[self.positions[i]]
                lacking = self.lacking[i]
                if lacking is None:
                    grams[i - start] = rows.T @ rows
                else:
                    rest = design[lacking]
                    grams[i - start] = full - rest.T @ rest
            out[start:stop] = np.linalg.solve(grams + penalty, rhs[..., None])[..., 0]
        return out


@dataclass
class Mixing:
    """Neighbour weights that complete a factorization: ``missing`` drugs from ``given`` ones,
    ``lost`` cell lines from ``kept`` ones (``donors``: the drugs with pairs, as a mask)."""

    donors: np.ndarray
    given: np.ndarray
    missing: np.ndarray
    drug_weights: sp.csr_matrix
    kept: np.ndarray
    lost: np.ndarray
    cell_weights: sp.csr_matrix | None


class NeighbourALS(ResponseBaseline):
    """``als`` where a drug and a cell line have training responses, neighbours where not.

    A drug without any takes the weighted factor rows of the ``drug_k`` training drugs most like
    it by known targets (cosine of the target sets: the graph's drug → gene → drug paths) plus
    structure (Tanimoto cubed); a cell line without any those of the ``cell_k`` training lines
    with the most similar profile (cosine of the features standardized on the training lines,
    each block weighted by ``cell_blocks``: tissue × 3, so lines of the same tissue are
    neighbours first; the 677 mutation columns outweighed the 20 tissue columns before).
    Measured on GDSC v17 unseen drugs (test, seeds 0, 1, 2): 0.543 / 0.523 / 0.561 within-drug r
    vs the additive model's 0.514 / 0.502 / 0.539; unseen cell lines (seeds 0, 1, 2, validation
    / test) tissue × 3 0.307 / 0.403, 0.354 / 0.350, 0.347 / 0.387 against unweighted 0.207 /
    0.345, 0.252 / 0.232, 0.303 / 0.272 and × 10 0.296 / 0.397, 0.365 / 0.366, 0.331 / 0.396.
    Also the prior that response models correct (``TrainConfig.response_prior``).
    """

    name = "als-neighbours"

    def __init__(self, drug_k: int = 20, cell_k: int = 100, folds: int = 5, seed: int = 0,
                 als: ALS | None = None, cell_blocks: Mapping[str, float] | None = None) -> None:
        """``als``: an ``als`` baseline already fitted on the same split (fitted here if not);
        ``cell_blocks``: weights of cell-feature blocks by name prefix (others weigh 1)."""
        self.drug_k, self.cell_k, self.folds, self.seed = drug_k, cell_k, folds, seed
        self.als = als
        self.cell_blocks = dict(CELL_BLOCK_WEIGHTS if cell_blocks is None else cell_blocks)

    def fit(self, data: TaskData) -> NeighbourALS:
        """Complete each of the ALS grid's factorizations with neighbours and keep the one
        best on validation: on cold splits the ALS's own choice cannot see the held-out units
        (its predictions there are the drug or line effect alone)."""
        self.als = self.als or ALS(seed=self.seed).fit(data)
        f = data.features
        self.fp = f.drug_x[:, : f.settings.fp_bits].numpy() > 0
        self.fp[~f.drug_has_structure.numpy()] = False
        targets = data.export.edges.get(TARGET_EDGE)
        pairs = (np.zeros((0, 2), dtype=np.int64) if targets is None
                 else np.c_[targets["src"].to_numpy(), targets["dst"].to_numpy()])
        self.targets = pair_matrix(pairs, data.num_nodes["Drug"], data.num_nodes.get("Gene", 1))
        self.targets.data[:] = 1.0
        self.cell_x = f.cell_x.numpy().astype(np.float64)
        self.cell_w = block_weights(f.cell_feature_names, self.cell_blocks)
        mixing = self._mixing(data.split.train, data)
        completed = [(rank, reg, self._complete(factors, mixing))
                     for rank, reg, factors in self.als.candidates]
        self.rank, self.reg, self.factors = best_on_validation(data, completed)
        self.iterations = self.als.iterations
        self.donors = mixing.donors
        return self

    def _mixing(self, positions: np.ndarray, data: TaskData) -> Mixing:
        """Who lends factor rows to whom when only the pairs at ``positions`` are known."""
        pairs = data.split.pairs[positions]
        donors = np.zeros(data.num_nodes["Drug"], dtype=bool)
        donors[pairs[:, 0]] = True
        given, missing = np.flatnonzero(donors), np.flatnonzero(~donors)
        drug_weights = drug_neighbour_weights(self.fp[missing], self.fp[given],
                                              self.targets[missing], self.targets[given],
                                              self.drug_k)
        seen = np.zeros(len(self.cell_x), dtype=bool)
        seen[pairs[:, 1]] = True
        kept, lost = np.flatnonzero(seen), np.flatnonzero(~seen)
        cell_weights = self.cell_mix(kept, lost) if len(lost) and len(kept) else None
        return Mixing(donors, given, missing, drug_weights, kept, lost, cell_weights)

    @staticmethod
    def _complete(factors: Factors, mixing: Mixing) -> Factors:
        """``factors`` with the rows of drugs and cell lines without pairs mixed from their
        neighbours'."""
        drug, cell = factors.drug.copy(), factors.cell.copy()
        drug[mixing.missing] = mixing.drug_weights @ drug[mixing.given]
        if mixing.cell_weights is not None:
            cell[mixing.lost] = mixing.cell_weights @ cell[mixing.kept]
        return Factors(factors.mu, drug, cell)

    def cell_mix(self, kept: np.ndarray, lost: np.ndarray) -> sp.csr_matrix:
        """Weights (lost × kept, rows summing to 1) of each ``lost`` line's ``cell_k`` most
        similar ``kept`` lines: cosine of the block-weighted features standardized on
        ``kept``."""
        x = self.cell_x
        z = (x - x[kept].mean(0)) / (x[kept].std(0) + 1e-6) * self.cell_w
        z /= np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-9)
        return top_k_mix(np.maximum(z[lost] @ z[kept].T, 0), self.cell_k)

    def predict(self, pairs: np.ndarray) -> np.ndarray:
        return self.factors.predict(pairs)

    def new_drug_rows(self, fp: np.ndarray) -> np.ndarray:
        """Factor rows of structures outside the graph, from their structural neighbours."""
        given = np.flatnonzero(self.donors)
        return drug_neighbour_weights(np.asarray(fp) > 0, self.fp[given],
                                      k=self.drug_k) @ self.factors.drug[given]

    def predict_new(self, drug_x: np.ndarray, pairs: np.ndarray) -> np.ndarray:
        rows = self.new_drug_rows(drug_x[:, : self.fp.shape[1]])[pairs[:, 0]]
        return self.factors.pair_values(rows, self.factors.cell[pairs[:, 1]])

    def out_of_fold(self, data: TaskData) -> np.ndarray:
        """Predictions for the training pairs from fits that did not see them: the training
        units (the split's groups: pairs, drugs, cell lines …) in ``folds`` folds, each
        predicted by ALS + neighbours fitted on the others, as held-out pairs will be."""
        train = data.split.train
        groups = data.split.groups[train]
        units = np.unique(groups)
        fold_of = dict(zip(units.tolist(),
                           np.random.default_rng(self.seed).permutation(len(units)) % self.folds,
                           strict=True))
        fold = np.array([fold_of[g] for g in groups.tolist()])
        sizes = data.num_nodes["Drug"], data.num_nodes["CellLine"]

        def held_out(k: int) -> np.ndarray:
            inside = train[fold != k]
            factors = als_factors(data.split.pairs[inside], data.y[inside], sizes,
                                  self.rank, self.reg, self.iterations, self.seed)
            factors = self._complete(factors, self._mixing(inside, data))
            return factors.predict(data.split.pairs[train[fold == k]])

        out = np.empty(len(train))
        for k, values in enumerate(parallel_map(held_out, range(self.folds))):
            out[fold == k] = values
        return out


class GBM(ResponseBaseline):
    """Gradient boosting on drug structure + cell-line features (omics profiles as their
    principal components, as ``lgbm`` sees them: 7,468 raw profile columns cost 300 s a fit)."""

    name = "gbm"

    def __init__(self, max_rows: int = 30_000, fp_components: int = 32,
                 omics_components: int = 64, max_iter: int = 200, seed: int = 0) -> None:
        self.max_rows, self.fp_components, self.max_iter, self.seed = (
            max_rows, fp_components, max_iter, seed)
        self.omics_components = omics_components

    def fit(self, data: TaskData) -> GBM:
        f = data.features
        self.structure = DrugStructure(f, self.fp_components, self.seed)
        self.drug_block = self.structure.block(f.drug_x.numpy(), f.drug_has_structure.numpy())
        self.cell_block = cell_block(f.cell_x.numpy(), f.cell_feature_names,
                                     data.split.part_pairs("train")[:, 1],
                                     self.omics_components, self.seed)
        rng = np.random.default_rng(self.seed)
        train = data.split.train
        if len(train) > self.max_rows:
            train = rng.choice(train, self.max_rows, replace=False)
        val = data.split.val
        if len(val) > self.max_rows // 4:
            val = rng.choice(val, self.max_rows // 4, replace=False)
        self.model = HistGradientBoostingRegressor(
            max_iter=self.max_iter, learning_rate=0.1, max_leaf_nodes=31, early_stopping=True,
            n_iter_no_change=10, random_state=self.seed)
        self.model.fit(self._x(data.split.pairs[train]), data.y[train],
                       X_val=self._x(data.split.pairs[val]), y_val=data.y[val])
        return self

    def _x(self, pairs: np.ndarray, drug_block: np.ndarray | None = None) -> np.ndarray:
        drugs = self.drug_block if drug_block is None else drug_block
        return np.hstack([drugs[pairs[:, 0]], self.cell_block[pairs[:, 1]]])

    def predict(self, pairs: np.ndarray, drug_block: np.ndarray | None = None) -> np.ndarray:
        out = []
        for start in range(0, len(pairs), 20_000):
            out.append(self.model.predict(self._x(pairs[start:start + 20_000], drug_block)))
        return np.concatenate(out) if out else np.zeros(0)

    def predict_new(self, drug_x: np.ndarray, pairs: np.ndarray) -> np.ndarray:
        """Predictions for new compounds given their featurizer vectors (rows of ``drug_x``,
        indexed by ``pairs[:, 0]``), through the same fingerprint projection."""
        return self.predict(pairs, self.structure.block(drug_x))


class DrugStructure:
    """[fingerprint PCA components ‖ descriptors ‖ 1] per drug; NaN for drugs without one."""

    def __init__(self, features, components: int, seed: int) -> None:
        bits = self.fp_bits = features.settings.fp_bits
        fp = features.drug_x[:, :bits].numpy()
        has = features.drug_has_structure.numpy()
        self.n_comp = max(1, min(components, int(has.sum()) - 1, bits))
        self.pca = (PCA(self.n_comp, random_state=seed).fit(fp[has])
                    if has.sum() > self.n_comp else None)

    def block(self, drug_x: np.ndarray, has: np.ndarray | None = None) -> np.ndarray:
        fp, desc = drug_x[:, :self.fp_bits], drug_x[:, self.fp_bits:]
        comps = (self.pca.transform(fp) if self.pca is not None
                 else np.zeros((len(drug_x), self.n_comp)))
        out = np.hstack([comps, desc, np.ones((len(drug_x), 1))]).astype(np.float32)
        if has is not None:
            out[~has] = np.nan
        return out


def cell_block(cell_x: np.ndarray, names: list[str], train_cells: np.ndarray,
               components: int, seed: int) -> np.ndarray:
    """Cell-line features for the tree baselines: genomic columns as they are, omics profile
    columns → ``components`` principal components fitted on the training lines."""
    wide = np.array([n.startswith(PROFILE_COLUMNS) for n in names], dtype=bool)
    if not wide.any():
        return cell_x.astype(np.float32)
    profiles = cell_x[:, wide]
    fit_rows = np.unique(train_cells)
    n = max(1, min(components, len(fit_rows) - 1, int(wide.sum())))
    pca = PCA(n, random_state=seed).fit(profiles[fit_rows])
    return np.hstack([cell_x[:, ~wide], pca.transform(profiles)]).astype(np.float32)


class LightGBM(ResponseBaseline):
    """LightGBM on drug id (categorical) + drug structure + cell-line features, all pairs.

    Every tree sees every feature (so always the drug id); learning rate 0.05, early stopping
    after 50 rounds: chosen on validation pairs (GDSC v17, seed 0: unseen cell lines r 0.342 vs
    0.320 with rate 0.1, 80 % feature sampling and patience 20; unseen drugs 0.459 vs 0.458).
    """

    name = "lgbm"

    def __init__(self, fp_components: int = 32, omics_components: int = 64,
                 num_leaves: int = 63, learning_rate: float = 0.05, max_rounds: int = 1000,
                 patience: int = 50, seed: int = 0) -> None:
        self.fp_components, self.omics_components = fp_components, omics_components
        self.params = {"objective": "regression", "learning_rate": learning_rate,
                       "num_leaves": num_leaves, "min_data_in_leaf": 20,
                       "bagging_fraction": 0.8, "bagging_freq": 1,
                       "seed": seed, "deterministic": True, "verbosity": -1}
        self.max_rounds, self.patience, self.seed = max_rounds, patience, seed

    def fit(self, data: TaskData) -> LightGBM:
        f = data.features
        self.structure = DrugStructure(f, self.fp_components, self.seed)
        self.drug_block = self.structure.block(f.drug_x.numpy(), f.drug_has_structure.numpy())
        self.cell_block = cell_block(f.cell_x.numpy(), f.cell_feature_names,
                                     data.split.part_pairs("train")[:, 1],
                                     self.omics_components, self.seed)
        train, val = data.split.train, data.split.val
        pairs = data.split.pairs
        train_set = lightgbm.Dataset(self._x(pairs[train]), data.y[train],
                                     categorical_feature=[0], free_raw_data=True)
        val_set = lightgbm.Dataset(self._x(pairs[val]), data.y[val], reference=train_set)
        self.model = lightgbm.train(
            {**self.params, "num_threads": cpu_threads()}, train_set, self.max_rounds,
            valid_sets=[val_set],
            callbacks=[lightgbm.early_stopping(self.patience, verbose=False)])
        return self

    def _x(self, pairs: np.ndarray, drug_block: np.ndarray | None = None) -> np.ndarray:
        drugs = self.drug_block if drug_block is None else drug_block
        ids = pairs[:, 0] if drug_block is None else np.full(len(pairs), -1)  # -1: missing
        ids = ids.astype(np.float32)[:, None]
        return np.hstack([ids, drugs[pairs[:, 0]], self.cell_block[pairs[:, 1]]])

    def predict(self, pairs: np.ndarray, drug_block: np.ndarray | None = None) -> np.ndarray:
        out = [self.model.predict(self._x(pairs[start:start + 50_000], drug_block),
                                  num_iteration=self.model.best_iteration)
               for start in range(0, len(pairs), 50_000)]
        return np.concatenate(out) if out else np.zeros(0)

    def predict_new(self, drug_x: np.ndarray, pairs: np.ndarray) -> np.ndarray:
        """New compounds: an identity never seen in training, their structure block."""
        return self.predict(pairs, self.structure.block(drug_x))


class TargetBaseline:
    name = "target-baseline"

    def fit(self, data: TaskData) -> TargetBaseline:  # pragma: no cover - interface
        raise NotImplementedError

    def score(self, drugs: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


class DegreePrior(TargetBaseline):
    name = "degree-prior"

    def fit(self, data: TaskData) -> DegreePrior:
        self.degree = log_degree(data.train_known)
        return self

    def score(self, drugs: np.ndarray) -> np.ndarray:
        return np.tile(self.degree, (len(drugs), 1))


class FingerprintNN(TargetBaseline):
    """Similarity-weighted targets of the ``k`` nearest training drugs by Tanimoto.

    Also the prior the target GNN corrects (``TrainConfig.target_prior``): the same neighbour
    scores, fitted on the same training targets, as a sparse drugs × genes matrix.
    """

    name = "fingerprint-nn"

    def __init__(self, k: int = 20, power: float = 3.0) -> None:
        self.k = k
        self.power = power

    def fit(self, data: TaskData) -> FingerprintNN:
        f = data.features
        fp = f.drug_x[:, : f.settings.fp_bits].numpy() > 0
        return self.fit_library(fp, f.drug_has_structure.numpy(), data.train_known)

    def fit_library(self, fp: np.ndarray, has: np.ndarray, known: sp.csr_matrix
                    ) -> FingerprintNN:
        """Donors: the drugs with a structure and at least one target in ``known``."""
        self.fp = np.asarray(fp, dtype=np.float32)
        self.has = np.asarray(has, dtype=bool)
        self.train_known = sp.csr_matrix(known)
        self.donors = np.flatnonzero(self.has & (np.asarray(self.train_known.sum(1)).ravel()
                                                 > 0))
        self.degree = log_degree(self.train_known)
        return self

    def similarity(self, query_fp: np.ndarray) -> np.ndarray:
        return tanimoto(np.asarray(query_fp), self.fp[self.donors])

    def neighbour_scores(self, query_fp: np.ndarray, exclude: np.ndarray,
                         batch: int = 1024) -> sp.csr_matrix:
        """Σ similarity × targets of each query's ``k`` nearest donors (queries × genes).

        ``exclude[i]`` is query i's own drug index (never its own donor), -1 for none; a
        query without fingerprint bits gets an empty row.
        """
        n_genes = self.train_known.shape[1]
        blocks = []
        for start in range(0, len(query_fp), batch):
            fp = np.asarray(query_fp[start:start + batch], dtype=np.float32)
            rows = len(fp)
            if not len(self.donors):
                blocks.append(sp.csr_matrix((rows, n_genes)))
                continue
            sim = self.similarity(fp)
            sim[self.donors[None, :] == np.asarray(exclude[start:start + batch])[:, None]] = 0
            sim[fp.sum(1) == 0] = 0
            blocks.append(top_k_mix(sim ** self.power, self.k)
                          @ self.train_known[self.donors])
        return sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, n_genes))

    def score(self, drugs: np.ndarray) -> np.ndarray:
        fp = self.fp[drugs] * self.has[drugs][:, None]
        return self.neighbour_scores(fp, drugs).toarray() + tie_break(self.degree)


class SharedTargets(TargetBaseline):
    """Targets of the ``k`` training drugs sharing most known targets with the drug.

    Sharing a rare target says more than sharing a hub: profiles are compared by cosine with
    each gene weighted by its inverse drug frequency, ``log((1 + drugs) / (1 + its drugs))``
    to the power ``idf`` (0: plain cosine), and the neighbours' similarities are raised to
    ``sharpen`` before they vote. Without it erlotinib's nearest drugs are those sharing its
    metabolic enzymes and transporters (CYP3A4, ABCB1), not its EGFR. Chosen on validation:
    :data:`SHARED_IDF`, :data:`SHARED_SHARPEN`.
    """

    name = "shared-targets"

    def __init__(self, k: int = 50, idf: float | None = None, sharpen: float | None = None
                 ) -> None:
        self.k = k
        self.idf = SHARED_IDF if idf is None else idf
        self.sharpen = SHARED_SHARPEN if sharpen is None else sharpen

    def fit(self, data: TaskData) -> SharedTargets:
        return self.fit_library(data.train_known)

    def fit_library(self, known: sp.csr_matrix) -> SharedTargets:
        self.train_known = sp.csr_matrix(known, dtype=np.float32)
        self.degree = log_degree(self.train_known)
        drugs_per_gene = np.asarray((self.train_known > 0).sum(0)).ravel()
        n_drugs = self.train_known.shape[0]
        self.gene_weight = sp.diags(
            (np.log((1 + n_drugs) / (1 + drugs_per_gene)) ** self.idf).astype(np.float32))
        self.weighted = (self.train_known @ self.gene_weight).tocsr()
        self.norm = _row_norms(self.weighted)
        return self

    def neighbour_scores(self, drugs: np.ndarray, profiles: sp.csr_matrix | None = None,
                         batch: int = 1024) -> sp.csr_matrix:
        """Σ similarity × targets of each drug's ``k`` nearest drugs by known targets, itself
        left out (drugs × genes; empty rows for drugs with no training target).

        ``profiles`` replaces the drugs' own target rows (training hides the scored edges).
        """
        known = self.train_known
        if profiles is None:
            profiles = known[np.asarray(drugs)]
        weighted = (sp.csr_matrix(profiles, dtype=np.float32) @ self.gene_weight).tocsr()
        blocks = []
        for start in range(0, len(drugs), batch):
            rows = np.asarray(drugs[start:start + batch])
            profile = weighted[start:start + batch]
            overlap = (profile @ self.weighted.T).toarray()
            cosine = overlap / np.maximum(_row_norms(profile)[:, None] * self.norm[None], 1e-9)
            cosine[np.arange(len(rows)), rows] = 0
            blocks.append(top_k_mix(cosine ** self.sharpen, self.k) @ known)
        return sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, known.shape[1]))

    def score(self, drugs: np.ndarray) -> np.ndarray:
        return self.neighbour_scores(drugs).toarray() + tie_break(self.degree)


def _row_norms(matrix: sp.csr_matrix) -> np.ndarray:
    return np.sqrt(np.asarray(matrix.multiply(matrix).sum(1)).ravel())


def block_weights(names: list[str], blocks: Mapping[str, float]) -> np.ndarray:
    """A weight per feature column: its block's (the name's prefix before ``:``), else 1."""
    return np.array([blocks.get(name.partition(":")[0], 1.0) for name in names])


def log_degree(known: sp.spmatrix) -> np.ndarray:
    """Each gene's log(1 + number of drugs targeting it) in ``known`` (drugs × genes)."""
    return np.log1p(np.asarray(known.sum(0)).ravel())


def tie_break(degree: np.ndarray) -> np.ndarray:
    """The degree prior scaled far below any neighbour vote: it only orders ties."""
    return (1e-6 * degree / max(degree.max(), 1e-9))[None]


def additive_effects(d: np.ndarray, c: np.ndarray, y: np.ndarray, nd: int, nc: int,
                     reg: float = 2.0, iterations: int = 15
                     ) -> tuple[float, np.ndarray, np.ndarray]:
    """``(μ, a, b)`` of ``y ≈ μ + a_d + b_c``, ridge ``reg`` on each effect, alternating."""
    mu = float(y.mean())
    a, b = np.zeros(nd), np.zeros(nc)
    cd, cc = np.bincount(d, minlength=nd), np.bincount(c, minlength=nc)
    for _ in range(iterations):
        a = np.bincount(d, y - mu - b[c], minlength=nd) / (cd + reg)
        b = np.bincount(c, y - mu - a[d], minlength=nc) / (cc + reg)
    return mu, a, b


def resolve_baseline(name: str):
    table = {cls.name: cls for cls in (DrugMean, Additive, ALS, NeighbourALS, GBM, LightGBM,
                                       DegreePrior, FingerprintNN, SharedTargets)}
    try:
        return table[name]
    except KeyError:
        raise UnknownSettingError(f"unknown baseline {name!r}; "
                                  f"choose one of {sorted(table)}") from None


def parallel_map(fn: Callable[[Item], Result], items: Iterable[Item]) -> list[Result]:
    """``fn`` over ``items`` on the thread budget (``gnn.threads``), each with single-threaded
    BLAS.

    Independent ALS fits are small dense solves that BLAS threads do not speed up (rank 150 on
    GDSC v17: 8.5 s with one BLAS thread, 8.8 s with two); two fits side by side take 10.0 s.
    """
    items = list(items)
    workers = max(1, min(len(items), cpu_threads()))
    with threadpool_limits(1), ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


def _group_positions(keys: np.ndarray) -> list[tuple[int, np.ndarray]]:
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    bounds = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1], True])
    return [(int(sorted_keys[a]), order[a:b]) for a, b in zip(bounds[:-1], bounds[1:],
                                                              strict=True)]

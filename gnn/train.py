"""Training: fit a hetero GNN on one split, compare it with every baseline over seeds.

``train(export, task=..., split=..., model=..., seeds=(0, 1, 2))`` is the entry point: for each
seed it makes the split, fits the GNN (full-graph, early-stopped on the validation set),
fits every baseline on the same training edges, scores all on the test set and returns a
:class:`gnn.evaluate.Results` table (Markdown + JSON with ``out_dir``). With ``artifact_path``
the first seed's model is saved for :class:`gnn.predict.Predictor`.

Leakage guards: the message-passing graph holds only training edges of the task's relation
(plus their reverses), :func:`gnn.graph.assert_no_leakage` checks every graph built for
evaluation, and in each epoch the training edges being scored are hidden from message passing
(by the same unit the split holds out: edge, drug, cell line, gene or tumor type).
"""

from __future__ import annotations

import copy
import functools
import logging
import math
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from oncokg.contract.errors import UnknownSettingError
from oncokg.contract.export import EdgeKey, GraphExport
from oncokg.contract.subgraph import Selection
from oncokg.contract.tasks import RESPONSE_EDGE, Task
from oncokg.gnn.artifact import build_artifact
from oncokg.gnn.baselines import (
    ALS,
    RESPONSE_BASELINES,
    TARGET_BASELINES,
    NeighbourALS,
    resolve_baseline,
)
from oncokg.gnn.crossstudy import (
    CROSS_METRICS,
    NEW_COMPOUNDS,
    SUBSETS,
    StudyPairs,
    new_compounds,
    score_all_subsets,
    score_study,
    study_pairs,
)
from oncokg.gnn.evaluate import (
    Results,
    RunResult,
    TaskData,
    evaluate_response,
    evaluate_targets,
    pair_matrix,
    task_data,
)
from oncokg.gnn.features import FeatureSettings, NodeFeatures, build_features
from oncokg.gnn.graph import (
    REVERSE_PREFIX,
    Subgraph,
    assert_no_leakage,
    base_edges,
    message_graph,
    receptive_field,
    reverse_type,
    task_message_positions,
)
from oncokg.gnn.metrics import bootstrap_within_drug_r
from oncokg.gnn.models import EVIDENCE_WEIGHT, LinkModel, resolve_encoder
from oncokg.gnn.predict import Predictor
from oncokg.gnn.prior import (
    NeighbourPrior,
    evidence_genes,
    pair_logits,
    target_logits,
)
from oncokg.gnn.splits import make_split, with_response_dataset
from oncokg.gnn.threads import set_threads
from oncokg.gnn.validation import attach_calibration

log = logging.getLogger(__name__)

TARGET_LOSSES = ("softmax", "bce")
# A trained correction replaces the response prior only when its validation gain exceeds one
# bootstrap standard error over the held-out units (the one-standard-error rule).
SELECTION_ROUNDS = 200
SEEDED_BASELINES = ("als", "als-neighbours", "gbm", "lgbm")


@dataclass
class TrainConfig:
    """Hyperparameters of the GNN; every field is recorded in results and artifacts."""

    model: str = "sage"
    decoder: str | None = None          # default: response-mlp / distmult by task
    hidden: int = 64
    layers: int = 2
    heads: int = 2
    dropout: float = 0.1
    lr: float | None = None             # default: 1e-2 response, 3e-2 targets
    weight_decay: float = 1e-5
    schedule: str = "onecycle"          # learning-rate schedule: onecycle (warmup, cosine) / none
    epochs: int | None = None           # optimizer steps (full-graph passes); default by task
    patience: int = 60                  # epochs without validation gain before stopping
    eval_every: int = 10
    response_messages: str = "levels"   # RESPONSE messages: none/sensitive/all/levels
    hide_fraction: float = 0.3          # share of training units scored (hidden) per epoch
    isolate_drugs: float = 0.1          # share of drugs trained with no edges (inductive path)
    id_dropout: float = 0.2
    batch_size: int = 32768             # supervision edges scored per step (full graph)
    target_loss: str = "softmax"        # softmax over every gene (1-vs-all) / bce (sampled)
    target_prior: bool = True           # correct the neighbour votes (gnn.prior), not replace
    evidence_weight: float = EVIDENCE_WEIGHT   # the evidence vote's starting weight (0: none)
    response_prior: bool = True         # correct ALS + neighbours (als-neighbours), not replace
    target_drugs: int = 512             # drugs per step in the softmax loss
    neg_ratio: int = 5                  # sampled non-targets per target edge (bce)
    hard_negatives: float = 0.5         # share of them drawn by target degree, not uniformly
    cls_weight: float = 1.0             # weight of the sensitivity loss beside the regression
    within_weight: float = 1.0          # weight of the drug-centered (within-drug) loss
    threads: int = 2                    # CPU threads (gnn.threads: torch, LightGBM, ALS)
    val_frac: float = 0.1
    test_frac: float = 0.2

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class FitResult:
    """A fitted GNN with what prediction needs: its inputs, graph and label scaling."""

    model: LinkModel
    inputs: dict[str, torch.Tensor]
    messages: dict         # the evaluation message-passing graph (every training message)
    y_mean: float = 0.0
    y_std: float = 1.0
    best_epoch: int = 0
    val: dict[str, float] = field(default_factory=dict)
    history: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    sub: Subgraph | None = None   # the receptive field of the scored nodes (training only)
    prior: NeighbourPrior | None = None   # the fingerprint prior of target models
    selection: dict = field(default_factory=dict)   # the one-SE check against the prior

    @property
    def graph(self) -> dict:
        """The forward edge types of :attr:`messages` (reverses are rebuilt on loading)."""
        return {k: v for k, v in self.messages.items() if not k[1].startswith(REVERSE_PREFIX)}


def default_lr(task: str) -> float:
    """Peak learning rate when none is given (chosen on validation sets of the real graph)."""
    return 1e-2 if task == Task.RESPONSE else 3e-2


def default_epochs(task: str) -> int:
    """Optimizer steps when none are given: response models still gained on validation up to
    ~300 steps on the real graph (random split, seed 0), target models peaked earlier."""
    return 400 if task == Task.RESPONSE else 200


def with_task_defaults(config: TrainConfig, task: str) -> TrainConfig:
    """``config`` with the task's learning rate and step count where they are unset."""
    return replace(config, lr=config.lr or default_lr(task),
                   epochs=config.epochs or default_epochs(task))


def model_inputs(data: TaskData, features: NodeFeatures) -> dict[str, torch.Tensor]:
    """Input tensors of the model; ``*_known`` marks entities with training supervision."""
    split = data.split
    n_drugs = data.num_nodes.get("Drug", 0)
    n_cells = data.num_nodes.get("CellLine", 0)
    train = split.part_pairs("train")
    drug_known = torch.zeros(n_drugs, dtype=torch.bool)
    drug_known[torch.from_numpy(np.unique(train[:, 0]))] = True
    if split.edge_type == RESPONSE_EDGE:
        cell_known = torch.zeros(n_cells, dtype=torch.bool)
        cell_known[torch.from_numpy(np.unique(train[:, 1]))] = True
    else:
        cell_known = torch.ones(n_cells, dtype=torch.bool)
    return {
        "drug_x": features.drug_x, "drug_has_structure": features.drug_has_structure,
        "drug_known": drug_known, "cell_x": features.cell_x, "cell_known": cell_known,
    }


def model_config(data: TaskData, features: NodeFeatures, config: TrainConfig,
                 edge_types: list, prior_rank: int = 0) -> dict:
    """The plain-dict config that rebuilds a :class:`LinkModel` (stored in artifacts)."""
    decoder = config.decoder or ("response-mlp" if data.task == Task.RESPONSE else "distmult")
    return {
        "task": data.task, "model": config.model, "decoder": decoder,
        "hidden": config.hidden, "layers": config.layers, "heads": config.heads,
        "dropout": config.dropout, "id_dropout": config.id_dropout,
        "num_nodes": dict(data.num_nodes),
        "drug_dim": int(features.drug_x.shape[1]), "cell_dim": int(features.cell_x.shape[1]),
        "edge_types": [list(et) for et in edge_types],
        "target_prior": data.task != Task.RESPONSE and bool(config.target_prior),
        "evidence_weight": float(config.evidence_weight),
        "response_prior": int(prior_rank), "fp_bits": int(features.settings.fp_bits),
    }


def fit_gnn(data: TaskData, config: TrainConfig, seed: int, progress: bool = True,
            response_prior: NeighbourALS | None = None) -> FitResult:
    """Train one GNN on ``data.split`` with early stopping on the validation headline.

    A response model with ``config.response_prior`` corrects ``response_prior`` (an
    ``als-neighbours`` baseline fitted on the same split; fitted here when not given) and
    keeps it unless the best epoch clears one bootstrap SE on validation (``fit.selection``).
    """
    started = time.perf_counter()
    config = with_task_defaults(config, data.task)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    split, export = data.split, data.export
    features = data.features
    response = data.task == Task.RESPONSE
    base = base_edges(export, split, config.response_messages, features.similar)
    allowed = task_message_positions(split, export, config.response_messages)
    task_in_graph = any(len(where) for where in allowed.values())
    eval_graph = message_graph(base, split, allowed)
    assert_no_leakage(eval_graph, split)
    edge_types = sorted(set(eval_graph) | set(allowed)
                        | {reverse_type(edge_type) for edge_type in allowed})
    inputs = model_inputs(data, features)
    seeds = {"Drug": split.pairs[:, 0]}
    if response:
        seeds["CellLine"] = split.pairs[:, 1]
    else:
        seeds["Gene"] = np.arange(data.num_nodes["Gene"])
    sub = Subgraph(*receptive_field(eval_graph, seeds, data.num_nodes, config.layers),
                   data.num_nodes)
    if response and config.response_prior:
        response_prior = response_prior or NeighbourALS(seed=seed).fit(data)
    else:
        response_prior = None
    model = LinkModel(model_config(data, features, config, edge_types,
                                   response_prior.rank if response_prior else 0))
    lr = config.lr
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, _one_cycle(config.epochs)) if config.schedule == "onecycle" else None
    train_pos = split.train
    y_mean = y_std = 0.0
    if response:
        y_train = data.y[train_pos]
        y_mean, y_std = float(y_train.mean()), float(y_train.std() or 1.0)
        y_all = torch.tensor((data.y - y_mean) / y_std, dtype=torch.float32)
        sens_all = torch.tensor(data.sensitive, dtype=torch.float32)
        base_all = None
        if response_prior is not None:
            base_all = hold_prior(model, response_prior, data, y_mean, y_std)
    train_groups = split.groups[train_pos]
    unique_groups = np.unique(train_groups)
    n_drugs = data.num_nodes.get("Drug", 0)
    n_genes = data.num_nodes.get("Gene", 0)
    train_pairs = split.part_pairs("train")
    train_codes = np.unique(train_pairs[:, 0] * max(n_genes, 1) + train_pairs[:, 1])
    result = FitResult(model, inputs, eval_graph, y_mean, y_std, sub=sub)
    if not response and config.target_prior:
        result.prior = fit_prior(data, eval_graph)
    if not response and config.target_loss not in TARGET_LOSSES:
        raise UnknownSettingError(f"target_loss must be one of {TARGET_LOSSES}")
    best_score, best_state, since_best = -math.inf, None, 0
    prior_state = None
    if model.prior is not None or model.response_prior is not None:
        # the untrained model is the prior (the neighbours' vote): a candidate like any epoch
        val = evaluate_fit(result, data, "val", eval_graph)
        best_score, best_state = val[Task(data.task).headline], copy.deepcopy(model.state_dict())
        prior_state = (best_state, val)
        result.val = val
        result.history.append({"epoch": 0, **val})
    bar = tqdm(range(1, config.epochs + 1), desc=f"{config.model} seed {seed}",
               disable=not progress, leave=False)
    for epoch in bar:
        model.train()
        if task_in_graph and config.hide_fraction > 0:
            chosen = rng.choice(unique_groups, max(1, int(config.hide_fraction
                                                          * len(unique_groups))),
                                replace=False)
            scored = train_pos[np.isin(train_groups, chosen)]
        else:
            scored = train_pos
        batch = scored
        if len(batch) > config.batch_size:
            batch = rng.choice(scored, config.batch_size, replace=False)
        isolate = {}
        if config.isolate_drugs > 0 and n_drugs:
            isolate["Drug"] = rng.choice(n_drugs, int(config.isolate_drugs * n_drugs),
                                         replace=False)
        graph = message_graph(base, split, allowed, hidden=scored, isolate=isolate)
        h = model(inputs, sub.edges(graph), sub.node_ids)
        if response:
            loss = _response_loss(model, h, sub, split.pairs[batch], y_all[batch],
                                  sens_all[batch], config,
                                  None if base_all is None else base_all[batch])
        elif config.target_loss == "softmax":
            loss = _target_softmax_loss(model, h, sub, split.pairs[batch],
                                        split.pairs[scored], result.prior, data.train_known,
                                        config.target_drugs, rng)
        else:
            loss = _target_loss(model, h, sub, split.pairs[batch], train_codes, n_genes,
                                train_pairs[:, 1], config, rng, result.prior)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        if epoch % config.eval_every == 0 or epoch == config.epochs:
            val = evaluate_fit(result, data, "val", eval_graph)
            score = val[Task(data.task).headline]
            score = -math.inf if not np.isfinite(score) else score
            result.history.append({"epoch": epoch, "loss": loss.item(), **val})
            bar.set_postfix(loss=f"{loss.item():.3f}", val=f"{score:.3f}")
            if score > best_score:
                best_score, best_state, since_best = score, copy.deepcopy(model.state_dict()), 0
                result.best_epoch, result.val = epoch, val
            else:
                since_best += config.eval_every
                if since_best >= config.patience:
                    break
    if best_state is not None:
        model.load_state_dict(best_state)
    if response and prior_state is not None and result.best_epoch:
        _prefer_prior_unless_clear(result, data, eval_graph, prior_state, best_state, seed)
    model.eval()
    result.seconds = time.perf_counter() - started
    return result


def _prefer_prior_unless_clear(fit: FitResult, data: TaskData, eval_graph,
                               prior_state: tuple[dict, dict], chosen_state: dict,
                               seed: int) -> None:
    """Fall back to the prior when the chosen epoch's validation gain is within noise.

    The gain in within-drug r and its standard error come from a paired bootstrap over the
    validation units (:func:`gnn.metrics.bootstrap_within_drug_r`); about 100 validation cell
    lines let a correction win validation by chance and lose on test.
    """
    state, prior_val = prior_state
    idx = data.split.part("val")
    pairs = data.split.pairs[idx]
    chosen = predict_response(fit, eval_graph, pairs)
    fit.model.load_state_dict(state)
    prior = predict_response(fit, eval_graph, pairs)
    scores = bootstrap_within_drug_r(pairs[:, 0], data.split.groups[idx], data.y[idx],
                                     [prior, chosen], SELECTION_ROUNDS, seed)
    gains = scores[:, 1] - scores[:, 0]
    gain, se = float(gains[0]), float(np.nanstd(gains[1:]))
    fit.selection = {"epoch": fit.best_epoch, "val_gain": gain, "val_gain_se": se}
    if gain > se:
        fit.model.load_state_dict(chosen_state)
        return
    log.info("epoch %d beat the prior on validation by %.3f within-drug r, within one bootstrap "
             "SE (%.3f): the prior is kept", fit.best_epoch, gain, se)
    fit.best_epoch, fit.val = 0, prior_val


def _one_cycle(total: int, warmup: float = 0.1, floor: float = 0.04):
    """Learning-rate factor: linear warm-up over ``warmup`` of the steps, then cosine decay."""
    ramp = max(1, int(warmup * total))

    def factor(step: int) -> float:
        if step < ramp:
            return (step + 1) / ramp
        progress = min(1.0, (step - ramp) / max(1, total - ramp))
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


def hold_prior(model: LinkModel, prior: NeighbourALS, data: TaskData, y_mean: float,
               y_std: float) -> torch.Tensor:
    """Put the fitted ``prior`` into ``model``; returns the standardized out-of-fold prior of
    every supervision pair (NaN outside training), what the correction learns against."""
    factors = prior.factors
    model.response_prior.set(factors.mu, factors.drug, factors.cell, prior.donors, y_mean,
                             y_std)
    base = np.full(len(data.split.pairs), np.nan)
    base[data.split.train] = prior.out_of_fold(data)
    return torch.tensor((base - y_mean) / y_std, dtype=torch.float32)


def _response_loss(model, h, sub, pairs, y, sensitive, config: TrainConfig, base=None):
    """MSE of ln IC50 + MSE after centering per drug (what within-drug r scores) + BCE."""
    drugs = torch.from_numpy(pairs[:, 0])
    out = model.respond(h["Drug"][sub.index("Drug", pairs[:, 0])],
                        h["CellLine"][sub.index("CellLine", pairs[:, 1])], base)
    loss = F.mse_loss(out[:, 0], y)
    if config.within_weight:
        loss = loss + config.within_weight * F.mse_loss(_center(out[:, 0], drugs),
                                                        _center(y, drugs))
    ok = torch.isfinite(sensitive)
    if config.cls_weight and ok.any():
        loss = loss + config.cls_weight * F.binary_cross_entropy_with_logits(out[ok, 1],
                                                                             sensitive[ok])
    return loss


def _center(values: torch.Tensor, groups: torch.Tensor) -> torch.Tensor:
    """Subtract each group's mean (within the batch)."""
    _, inverse = torch.unique(groups, return_inverse=True)
    n = int(inverse.max()) + 1
    sums = torch.zeros(n, dtype=values.dtype).index_add(0, inverse, values)
    counts = torch.zeros(n, dtype=values.dtype).index_add(0, inverse, torch.ones_like(values))
    return values - (sums / counts)[inverse]


def fit_prior(data: TaskData, graph: Mapping[EdgeKey, np.ndarray] | None = None
              ) -> NeighbourPrior:
    """The votes from the split's training targets and the evidence paths of ``graph`` (the
    model's message graph; the export's edges when not given)."""
    f = data.features
    fp = f.drug_x[:, : f.settings.fp_bits].numpy() > 0
    if graph is None:
        graph = base_edges(data.export, data.split)
    return NeighbourPrior.fit(fp, f.drug_has_structure.numpy(), data.split.part_pairs("train"),
                              data.num_nodes["Gene"],
                              evidence_genes(graph, data.num_nodes["Drug"],
                                             data.num_nodes["Gene"]))


def _target_softmax_loss(model, h, sub, pairs, hidden, prior: NeighbourPrior | None,
                         train_known, max_drugs: int, rng):
    """Cross-entropy of each scored target edge against every gene (1-vs-all), for up to
    ``max_drugs`` drugs per step. The drug's targets still visible (training targets not
    being scored) are filtered out of its softmax, as evaluation filters known targets."""
    drugs = np.unique(pairs[:, 0])
    if len(drugs) > max_drugs:
        drugs = np.sort(rng.choice(drugs, max_drugs, replace=False))
        pairs = pairs[np.isin(pairs[:, 0], drugs)]
    hidden = hidden[np.isin(hidden[:, 0], drugs)]
    scored = pair_matrix(np.c_[np.searchsorted(drugs, hidden[:, 0]), hidden[:, 1]],
                         len(drugs), train_known.shape[1])
    visible = (train_known[drugs] - scored).maximum(0).tocsr()
    visible.eliminate_zeros()
    genes = h["Gene"][sub.index("Gene", np.arange(len(sub.lookup["Gene"])))]
    votes = prior.training_rows(drugs, visible) if prior is not None else None
    logits = target_logits(model, h["Drug"][sub.index("Drug", drugs)], genes, prior, votes)
    mask = torch.from_numpy(visible.toarray() > 0)
    logits = logits.masked_fill(mask, -math.inf)
    row = np.searchsorted(drugs, pairs[:, 0])
    return -F.log_softmax(logits, dim=1)[torch.from_numpy(row),
                                         torch.from_numpy(pairs[:, 1])].mean()


def _target_loss(model, h, sub, pairs, train_codes, n_genes: int, target_genes: np.ndarray,
                 config: TrainConfig, rng, prior: NeighbourPrior | None = None):
    """BCE of target edges against type-constrained negatives (drug × non-target gene).

    A share ``hard_negatives`` of the negative genes is drawn in proportion to how often they
    are targets in training (hard negatives: other drugs' targets), the rest uniformly.
    """
    drugs = np.repeat(pairs[:, 0], config.neg_ratio)
    genes = rng.integers(n_genes, size=len(drugs))
    hard = rng.random(len(drugs)) < config.hard_negatives
    genes[hard] = rng.choice(target_genes, size=int(hard.sum()))
    is_pos = np.isin(drugs * n_genes + genes, train_codes)
    drugs, genes = drugs[~is_pos], genes[~is_pos]
    hd, hg = h["Drug"], h["Gene"]
    pos = pair_logits(model, hd[sub.index("Drug", pairs[:, 0])],
                      hg[sub.index("Gene", pairs[:, 1])], prior, pairs[:, 0], pairs[:, 1])
    neg = pair_logits(model, hd[sub.index("Drug", drugs)], hg[sub.index("Gene", genes)], prior,
                      drugs, genes)
    return (F.binary_cross_entropy_with_logits(pos, torch.ones_like(pos))
            + F.binary_cross_entropy_with_logits(neg, torch.zeros_like(neg)))


@torch.no_grad()
def embed(fit: FitResult, eval_graph) -> dict[str, torch.Tensor]:
    """Embeddings of the kept nodes (indexed through ``fit.sub``) or of all nodes."""
    fit.model.eval()
    if fit.sub is None:
        return fit.model(fit.inputs, eval_graph)
    return fit.model(fit.inputs, fit.sub.edges(eval_graph), fit.sub.node_ids)


@torch.no_grad()
def evaluate_fit(fit: FitResult, data: TaskData, part: str, eval_graph) -> dict[str, float]:
    """Metrics of a fitted GNN on ``part`` using the evaluation graph (all training messages)."""
    model = fit.model
    was_training = model.training
    h = embed(fit, eval_graph)
    try:
        if data.task == Task.RESPONSE:
            out = _response_out(fit, h, data.split.part_pairs(part))
            return evaluate_response(data, part, out[:, 0] * fit.y_std + fit.y_mean, out[:, 1])

        genes = h["Gene"][_at(fit, "Gene", np.arange(data.num_nodes["Gene"]))]

        def rows(drugs):
            prior = fit.prior
            return target_logits(model, h["Drug"][_at(fit, "Drug", drugs)], genes, prior,
                                 prior.rows(drugs) if prior is not None else None).numpy()

        return evaluate_targets(data, part, rows)
    finally:
        model.train(was_training)


@torch.no_grad()
def predict_response(fit: FitResult, eval_graph, pairs: np.ndarray) -> np.ndarray:
    """Predicted ln IC50 of (drug, cell line) index pairs; the nodes must be in ``fit.sub``."""
    return _response_out(fit, embed(fit, eval_graph), pairs)[:, 0] * fit.y_std + fit.y_mean


def _response_out(fit: FitResult, h, pairs: np.ndarray) -> np.ndarray:
    return fit.model.respond(h["Drug"][_at(fit, "Drug", pairs[:, 0])],
                             h["CellLine"][_at(fit, "CellLine", pairs[:, 1])]).numpy()


def _at(fit: FitResult, label: str, idx: np.ndarray) -> torch.Tensor:
    return fit.sub.index(label, idx) if fit.sub is not None else torch.from_numpy(idx)


def fit_baselines(data: TaskData, names: Sequence[str], seed: int) -> list[tuple]:
    """``(name, fitted baseline, seconds)`` for each named baseline on ``data.split``."""
    out, fitted = [], {}
    for name in names:
        started = time.perf_counter()
        cls = resolve_baseline(name)
        baseline = cls(seed=seed) if name in SEEDED_BASELINES else cls()
        if name == NeighbourALS.name:
            baseline.als = fitted.get(ALS.name)   # the same grid on the same split: reuse
        baseline.fit(data)
        fitted[name] = baseline
        out.append((name, baseline, time.perf_counter() - started))
    return out


def run_baselines(data: TaskData, names: Sequence[str], seed: int,
                  fitted: list[tuple] | None = None) -> list[RunResult]:
    """Test (and validation) metrics of each named baseline (fitted here unless given)."""
    out = []
    for name, baseline, seconds in fitted or fit_baselines(data, names, seed):
        if data.task == Task.RESPONSE:
            test = evaluate_response(data, "test", baseline.predict(data.split.part_pairs("test")))
            val = evaluate_response(data, "val", baseline.predict(data.split.part_pairs("val")))
        else:
            test = evaluate_targets(data, "test", baseline.score)
            val = evaluate_targets(data, "val", baseline.score)
        out.append(RunResult(name, seed, test, val, seconds))
    return out


def _new_compound_runs(novel, seed: int, model: str, predictor, fitted, tables: dict) -> None:
    """Score the GNN (from SMILES alone) and the baselines that can place a new structure."""
    for compounds in novel:
        pairs = compounds.as_pairs()
        ln_ic50 = predictor.ln_ic50_matrix(predictor.smiles_embeddings(compounds.smiles),
                                           np.arange(predictor.inputs["cell_x"].shape[0]))
        predictions = [(model, ln_ic50[pairs.pairs[:, 0], pairs.pairs[:, 1]])]
        predictions += [(name, b.predict_new(compounds.drug_x, pairs.pairs))
                        for name, b, _ in fitted if hasattr(b, "predict_new")]
        for method, values in predictions:
            tables[(compounds.study, NEW_COMPOUNDS)].runs.append(
                RunResult(method, seed, score_study(pairs, values)))


def _cross_study_runs(studies, split, seed: int, model: str, predict_gnn, fitted,
                      tables: dict) -> None:
    """Score the GNN, every baseline and GDSC's own measurement on each study's pairs."""
    for pairs in studies:
        predictors = [(model, predict_gnn)] + [(name, b.predict) for name, b, _ in fitted]
        predictors.append(("gdsc-measured", lambda _p, pairs=pairs: pairs.gdsc_ln_ic50))
        for method, predict in predictors:
            for subset, metrics in score_all_subsets(pairs, split, predict).items():
                tables[(pairs.study, subset)].runs.append(RunResult(method, seed, metrics))


def train(
    export: GraphExport,
    task: str = "drug-response",
    split: str = "random",
    model: str = "sage",
    seeds: Sequence[int] = (0, 1, 2),
    epochs: int | None = None,
    *,
    baselines: bool | Sequence[str] = True,
    out_dir: str | os.PathLike | None = None,
    artifact_path: str | os.PathLike | None = None,
    feature_settings: FeatureSettings | None = None,
    features: NodeFeatures | None = None,
    progress: bool = True,
    cross_study: Sequence = (),
    dataset: str | None = None,
    **overrides,
) -> Results:
    """Train ``model`` on ``task``/``split`` for each seed, beside the baselines.

    ``overrides`` set :class:`TrainConfig` fields (``hidden=32``, ``lr=1e-2`` …). Returns the
    results table; writes ``results_<task>_<split>_<model>.md/.json`` under ``out_dir`` and the
    first seed's model to ``artifact_path`` when given. ``cross_study`` takes second studies
    (:class:`loaders.crossstudy.StudyResponses`, drug-response only): every method of every
    seed is also scored on their measurements (``results.cross_study``). ``dataset`` names the
    response screen to learn from when the export holds several (default ``GDSC1 v17``); the
    other screens' responses are left out of the graph altogether.
    """
    Task.parse(task).check_split(split)
    resolve_encoder(model)
    export, dataset = with_response_dataset(export, dataset)
    if cross_study and task != Task.RESPONSE:
        raise UnknownSettingError("cross-study scoring needs --task drug-response")
    config = replace(TrainConfig(model=model), **overrides)
    if epochs is not None:
        config = replace(config, epochs=epochs)
    config = with_task_defaults(config, task)
    set_threads(config.threads)
    features = features or build_features(export, feature_settings)
    if features.report.missing_structure or features.report.invalid_smiles:
        log.warning("%s", features.report.summary())
    if baselines is True:
        names = RESPONSE_BASELINES if task == Task.RESPONSE else TARGET_BASELINES
    else:
        names = tuple(baselines or ())
    release = str(export.manifest.get("release", "unknown"))
    if "response_dataset" in export.manifest:
        release = f"{release}; responses: {dataset}"
    if (selection := Selection.of(export)) is not None:
        release = f"{release}; subgraph: {selection.describe()}"
    results = Results(task, split, model, list(seeds), release, config=config.to_dict(),
                      feature_report=features.report.to_dict())
    studies = [study_pairs(study, export) for study in cross_study]
    novel = [n for n in (new_compounds(study, export, features.featurizer)
                         for study in cross_study) if len(n)]
    tables = {(p.study, subset): Results(task, f"{split} → {p.study} ({subset})", model,
                                         list(seeds), f"{release}; {p.study}: {p.measure}",
                                         metrics=CROSS_METRICS)
              for p in [*studies, *novel]
              for subset in (SUBSETS if isinstance(p, StudyPairs) else [NEW_COMPOUNDS])}
    results.cross_study = list(tables.values())
    kept = None
    for seed in tqdm(list(seeds), desc=f"{task} {split}", disable=not progress):
        the_split = make_split(export, task, split, seed, config.val_frac, config.test_frac)
        data = task_data(export, the_split, features)
        results.split_sizes.append({"seed": seed, "train": len(the_split.train),
                                    "val": len(the_split.val), "test": len(the_split.test)})
        fitted = fit_baselines(data, names, seed)
        prior = next((b for name, b, _ in fitted if name == NeighbourALS.name), None)
        fit = fit_gnn(data, config, seed, progress, prior)
        eval_graph = fit.messages
        test = evaluate_fit(fit, data, "test", eval_graph)
        results.runs.append(RunResult(model, seed, test, fit.val, fit.seconds, fit.best_epoch,
                                      fit.selection))
        results.runs += run_baselines(data, names, seed, fitted)
        if studies:
            _cross_study_runs(studies, the_split, seed, model,
                              functools.partial(predict_response, fit, eval_graph), fitted,
                              tables)
        if novel:
            predictor = Predictor(build_artifact(fit, data, config, results, test, seed))
            _new_compound_runs(novel, seed, model, predictor, fitted, tables)
        if kept is None and artifact_path is not None:
            kept = (fit, data, test, seed)
    if out_dir is not None:
        results.save(out_dir)
    if kept is not None:
        fit, data, test, seed = kept
        artifact = build_artifact(fit, data, config, results, test, seed)
        attach_calibration(artifact, data).save(artifact_path)
        results.artifact = str(artifact_path)
    return results

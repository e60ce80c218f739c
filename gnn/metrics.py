"""Evaluation metrics: pure functions plus a small stateful filtered-rank evaluator.

Response (regression of ln IC50 and classification of ``sensitive``):

* ``within_drug_pearson`` — the headline: Pearson r between predicted and measured ln IC50
  computed per drug, then averaged over drugs. Drug potency alone makes pooled r high, so the
  pooled figure is reported beside it, never instead of it. A drug whose predictions are
  constant has r = 0 (the predictor knows nothing about which cell lines respond).
* ``pooled_pearson``, ``rmse``; ``auroc``/``auprc`` of ``sensitive``.

Targets (link prediction): filtered ranks — when ranking the true gene of a (drug, gene) test
edge among all genes, the drug's *other* known targets are removed first — summarized as MRR
and Hits@k, plus AUROC of positives against sampled negatives. Ties count half (the
"realistic" rank: 1 + #higher + #tied/2).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson correlation; NaN with fewer than two points or zero variance in ``y``."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 2 or np.std(y) == 0:
        return math.nan
    if np.std(x) == 0:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])


def within_drug_pearson(drugs: Sequence, y_true: Sequence[float], y_pred: Sequence[float],
                        min_pairs: int = 3) -> float:
    """Mean over drugs (with ≥ ``min_pairs`` pairs) of the per-drug Pearson r."""
    drugs = np.asarray(drugs)
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    order = np.argsort(drugs, kind="stable")
    drugs, y_true, y_pred = drugs[order], y_true[order], y_pred[order]
    bounds = np.flatnonzero(np.r_[True, drugs[1:] != drugs[:-1], True])
    values = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if b - a < min_pairs:
            continue
        r = pearson(y_pred[a:b], y_true[a:b])
        if not math.isnan(r):
            values.append(r)
    return float(np.mean(values)) if values else math.nan


def bootstrap_within_drug_r(drugs: np.ndarray, units: np.ndarray, y_true: np.ndarray,
                             preds: Sequence[np.ndarray], rounds: int = 200, seed: int = 0
                             ) -> np.ndarray:
    """Within-drug r of each prediction over ``rounds`` bootstrap resamples of ``units``.

    Row 0 is the sample itself; rows 1.. resample the units (the split's held-out groups: cell
    lines, drugs …) with replacement, the same draw for every prediction, so differences
    between predictions are paired. Returns shape ``(rounds + 1, len(preds))``.
    """
    _, unit = np.unique(units, return_inverse=True)
    _, drug = np.unique(drugs, return_inverse=True)
    n_units, n_drugs = unit.max() + 1, drug.max() + 1
    y = np.asarray(y_true, dtype=float)
    preds = [np.asarray(p, dtype=float) for p in preds]
    rng = np.random.default_rng(seed)
    out = np.zeros((rounds + 1, len(preds)))

    def sums(weight, values):
        return np.bincount(drug, weight * values, n_drugs)

    for row in range(rounds + 1):
        counts = (np.ones(n_units) if row == 0 else
                  np.bincount(rng.integers(0, n_units, n_units), minlength=n_units))
        w = counts[unit].astype(float)
        n = np.bincount(drug, w, n_drugs)
        safe = np.maximum(n, 1)
        mean_y = sums(w, y) / safe
        var_y = sums(w, y * y) / safe - mean_y ** 2
        for col, p in enumerate(preds):
            mean_p = sums(w, p) / safe
            cov = sums(w, y * p) / safe - mean_y * mean_p
            var_p = sums(w, p * p) / safe - mean_p ** 2
            with np.errstate(invalid="ignore", divide="ignore"):
                r = np.where(var_p > 1e-12, cov / np.sqrt(var_y * var_p), 0.0)
            kept = (n >= 3) & (var_y > 1e-12) & np.isfinite(r)
            out[row, col] = r[kept].mean() if kept.any() else math.nan
    return out


def pooled_pearson(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    return pearson(y_pred, y_true)


def rmse(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2))) if len(y_true) else math.nan


def auroc(labels: Sequence, scores: Sequence[float]) -> float:
    """Area under the ROC curve; NaN when only one class is present."""
    return _two_class_score(roc_auc_score, labels, scores)


def auprc(labels: Sequence, scores: Sequence[float]) -> float:
    """Average precision; NaN when only one class is present."""
    return _two_class_score(average_precision_score, labels, scores)


def _two_class_score(metric, labels: Sequence, scores: Sequence[float]) -> float:
    """``metric(labels, scores)`` over the finite labels; NaN unless both classes occur."""
    labels = np.asarray(labels, dtype=float)
    ok = np.isfinite(labels)
    if len(np.unique(labels[ok])) < 2:
        return math.nan
    return float(metric(labels[ok], np.asarray(scores, dtype=float)[ok]))


def response_metrics(drugs, y_true, y_pred, sensitive, sensitivity_score) -> dict[str, float]:
    """All response metrics of one set of predictions."""
    return {
        "within_drug_r": within_drug_pearson(drugs, y_true, y_pred),
        "pooled_r": pooled_pearson(y_true, y_pred),
        "rmse": rmse(y_true, y_pred),
        "auroc": auroc(sensitive, sensitivity_score),
        "auprc": auprc(sensitive, sensitivity_score),
    }


def filtered_ranks(scores: np.ndarray, true_index: np.ndarray, filter_mask: np.ndarray
                   ) -> np.ndarray:
    """Realistic filtered rank of ``scores[i, true_index[i]]`` in each row.

    ``filter_mask[i, j]`` is True for candidates to drop (other known positives); the true
    candidate is never dropped.
    """
    scores = np.asarray(scores, dtype=float)
    rows = np.arange(len(scores))
    true_score = scores[rows, true_index]
    mask = np.asarray(filter_mask, dtype=bool).copy()
    mask[rows, true_index] = False
    higher = ((scores > true_score[:, None]) & ~mask).sum(1)
    tied = ((scores == true_score[:, None]) & ~mask).sum(1) - 1
    return 1.0 + higher + tied / 2.0


class FilteredRankEvaluator:
    """Accumulate filtered ranks batch by batch; ``compute`` gives MRR and Hits@k."""

    def __init__(self, ks: Sequence[int] = (1, 10)) -> None:
        self.ks = tuple(ks)
        self.ranks: list[np.ndarray] = []

    def update(self, scores: np.ndarray, true_index: np.ndarray, filter_mask: np.ndarray
               ) -> None:
        self.ranks.append(filtered_ranks(scores, true_index, filter_mask))

    def compute(self) -> dict[str, float]:
        if not self.ranks:
            return {"mrr": math.nan, **{f"hits@{k}": math.nan for k in self.ks}}
        ranks = np.concatenate(self.ranks)
        out = {"mrr": float(np.mean(1.0 / ranks))}
        for k in self.ks:
            out[f"hits@{k}"] = float(np.mean(ranks <= k))
        out["mean_rank"] = float(np.mean(ranks))
        return out

    def reset(self) -> None:
        self.ranks = []


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample SD of the finite values (NaN when none; SD 0 for one value)."""
    finite = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if not len(finite):
        return math.nan, math.nan
    sd = float(np.std(finite, ddof=1)) if len(finite) > 1 else 0.0
    return float(np.mean(finite)), sd

"""Evaluation layer: the data every method is scored on, the scoring, and the results table.

:class:`TaskData` fixes, for one split, the labels, the candidate sets and the sampled
negatives, so the GNN and every baseline are measured on exactly the same pairs.
:func:`evaluate_response` and :func:`evaluate_targets` turn predictions into metrics;
:class:`Results` collects runs over seeds and writes the Markdown + JSON table.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from oncokg.contract.export import GraphExport
from oncokg.contract.tasks import (
    SENSITIVE_QUANTILE,
    Task,
    parse_sensitive,
    sensitive_calls,
)
from oncokg.gnn.features import NodeFeatures
from oncokg.gnn.metrics import FilteredRankEvaluator, auprc, auroc, mean_sd, response_metrics
from oncokg.gnn.splits import Split

RESPONSE_METRICS = ("within_drug_r", "pooled_r", "rmse", "auroc", "auprc")
TARGET_METRICS = ("mrr", "hits@1", "hits@10", "auroc", "auprc")


@dataclass
class TaskData:
    """Labels and candidate sets of one split, shared by the model and the baselines."""

    export: GraphExport
    split: Split
    features: NodeFeatures
    num_nodes: dict[str, int]
    y: np.ndarray | None = None            # ln IC50 per supervision edge (response)
    sensitive: np.ndarray | None = None    # 1/0/NaN per supervision edge (response)
    known: sp.csr_matrix | None = None     # all known drug→gene targets (targets)
    train_known: sp.csr_matrix | None = None
    negatives: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def task(self) -> str:
        return self.split.task


def task_data(export: GraphExport, split: Split, features: NodeFeatures) -> TaskData:
    """Collect labels (response) or known-target matrices and fixed negatives (targets)."""
    num_nodes = {label: len(frame) for label, frame in export.nodes.items()}
    data = TaskData(export, split, features, num_nodes)
    if split.task == Task.RESPONSE:
        frame = export.edges[split.edge_type].iloc[split.rows]
        data.y = pd.to_numeric(frame["ln_ic50"], errors="coerce").to_numpy(float)
        data.sensitive = sensitive_labels(frame, data.y, split.pairs[:, 0])
    else:
        n_drugs, n_genes = num_nodes["Drug"], num_nodes["Gene"]
        all_pairs = split.pairs
        data.known = pair_matrix(all_pairs, n_drugs, n_genes)
        data.train_known = pair_matrix(split.part_pairs("train"), n_drugs, n_genes)
        rng = np.random.default_rng(10_000 + split.seed)
        for part in ("val", "test"):
            data.negatives[part] = sample_negatives(split.part_pairs(part), data.known, n_genes,
                                                    rng)
    return data


def sensitive_labels(frame: pd.DataFrame, y: np.ndarray, drugs: np.ndarray) -> np.ndarray:
    """``sensitive`` as 1/0/NaN; if the loader did not set it, ln IC50 < drug's 20th pct."""
    if "sensitive" in frame.columns:
        return parse_sensitive(frame["sensitive"])
    return sensitive_calls(y, drugs).astype(float)


def sample_negatives(pairs: np.ndarray, known: sp.csr_matrix, n_genes: int,
                     rng: np.random.Generator) -> np.ndarray:
    """One (drug, gene) non-target per positive: type-constrained, known targets excluded."""
    out = np.empty_like(pairs)
    for i, (drug, _) in enumerate(pairs):
        targets = set(known.indices[known.indptr[drug]:known.indptr[drug + 1]].tolist())
        for _ in range(1000):
            gene = int(rng.integers(n_genes))
            if gene not in targets:
                break
        out[i] = (drug, gene)
    return out


def sensitivity_from_regression(drugs: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Sensitivity score for a regression-only method: the drug's predicted 20th percentile
    (over the pairs scored) minus the prediction, since ``sensitive`` is defined per drug."""
    cutoff = pd.Series(pred).groupby(drugs).quantile(SENSITIVE_QUANTILE)
    return cutoff.loc[drugs].to_numpy() - pred


def evaluate_response(data: TaskData, part: str, ln_ic50: np.ndarray,
                      sensitivity: np.ndarray | None = None) -> dict[str, float]:
    """Response metrics of predictions for the pairs of ``part`` (in split order)."""
    idx = data.split.part(part)
    drugs = data.split.pairs[idx, 0]
    if sensitivity is None:
        sensitivity = sensitivity_from_regression(drugs, ln_ic50)
    return response_metrics(drugs, data.y[idx], ln_ic50, data.sensitive[idx], sensitivity)


def evaluate_targets(data: TaskData, part: str,
                     score_rows: Callable[[np.ndarray], np.ndarray],
                     batch: int = 256) -> dict[str, float]:
    """Filtered MRR/Hits@k over all genes, and AUROC/AUPRC against the fixed negatives.

    ``score_rows(drug_indices)`` returns a (len(drugs), n_genes) score matrix.
    """
    pairs = data.split.part_pairs(part)
    negatives = data.negatives[part]
    evaluator = FilteredRankEvaluator((1, 10))
    pos_scores = np.empty(len(pairs))
    neg_scores = np.empty(len(pairs))
    drugs = np.unique(pairs[:, 0])
    for start in range(0, len(drugs), batch):
        block = drugs[start:start + batch]
        scores = np.asarray(score_rows(block), dtype=float)
        row_of = {int(d): i for i, d in enumerate(block)}
        sel = np.flatnonzero(np.isin(pairs[:, 0], block))
        rows = np.array([row_of[int(d)] for d in pairs[sel, 0]])
        mask = data.known[block].toarray().astype(bool)[rows]
        evaluator.update(scores[rows], pairs[sel, 1], mask)
        pos_scores[sel] = scores[rows, pairs[sel, 1]]
        neg_scores[sel] = scores[rows, negatives[sel, 1]]
    labels = np.r_[np.ones(len(pairs)), np.zeros(len(pairs))]
    both = np.r_[pos_scores, neg_scores]
    out = evaluator.compute()
    out.pop("mean_rank", None)
    out["auroc"] = auroc(labels, both)
    out["auprc"] = auprc(labels, both)
    return out


def pair_matrix(pairs: np.ndarray, n_rows: int, n_cols: int) -> sp.csr_matrix:
    """A 0/1 matrix with a 1 at each (row, column) pair, duplicates counted once."""
    matrix = sp.csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])),
                           shape=(n_rows, n_cols))
    matrix.data[:] = 1.0
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


# -- results ------------------------------------------------------------------------------------
@dataclass
class RunResult:
    """One method on one seed: test metrics, validation headline and time."""

    method: str
    seed: int
    test: dict[str, float]
    val: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    best_epoch: int | None = None
    selection: dict = field(default_factory=dict)   # a GNN's one-SE check against its prior


@dataclass
class Results:
    """Every method on every seed of one task and split, with where the data came from."""

    task: str
    split: str
    model: str
    seeds: list[int]
    release: str
    runs: list[RunResult] = field(default_factory=list)
    config: dict = field(default_factory=dict)
    feature_report: dict = field(default_factory=dict)
    split_sizes: list[dict] = field(default_factory=list)
    artifact: str | None = None
    metrics: tuple[str, ...] | None = None     # default: the task's metrics
    cross_study: list[Results] = field(default_factory=list)

    @classmethod
    def combine(cls, parts: Sequence[Results]) -> Results:
        """One table from the same task and split trained seed by seed (in ``parts`` order)."""
        first = parts[0]
        if any((p.task, p.split, p.model, p.release) != (first.task, first.split, first.model,
                                                          first.release) for p in parts):
            raise ValueError("only results of one task, split, model and release combine")
        return replace(
            first,
            seeds=[seed for p in parts for seed in p.seeds],
            runs=[run for p in parts for run in p.runs],
            split_sizes=[size for p in parts for size in p.split_sizes],
            cross_study=[cls.combine(tables) for tables in zip(*(p.cross_study for p in parts),
                                                               strict=True)])

    @property
    def metric_names(self) -> tuple[str, ...]:
        if self.metrics:
            return tuple(self.metrics)
        return RESPONSE_METRICS if self.task == Task.RESPONSE else TARGET_METRICS

    def methods(self) -> list[str]:
        seen: list[str] = []
        for run in self.runs:
            if run.method not in seen:
                seen.append(run.method)
        return seen

    def summary(self) -> pd.DataFrame:
        """Mean and SD over seeds per method and metric (columns ``<metric>``/``<metric>_sd``)."""
        rows = []
        for method in self.methods():
            runs = [r for r in self.runs if r.method == method]
            row: dict[str, object] = {"method": method, "seeds": len(runs)}
            for name in self.metric_names:
                mean, sd = mean_sd([r.test.get(name, math.nan) for r in runs])
                row[name], row[f"{name}_sd"] = mean, sd
            row["seconds"] = float(np.mean([r.seconds for r in runs]))
            rows.append(row)
        return pd.DataFrame(rows)

    def to_markdown(self) -> str:
        head = (f"### {self.task} · split `{self.split}` · release `{self.release}` · "
                f"seeds {', '.join(map(str, self.seeds))}\n\n")
        names = self.metric_names
        lines = ["| method | " + " | ".join(names) + " | train s |",
                 "|---|" + "---|" * len(names) + "---|"]
        timed = not self.metrics       # scoring on a second study trains nothing
        if not timed:
            lines = [line.removesuffix(" train s |").removesuffix("---|") for line in lines]
        for _, row in self.summary().iterrows():
            cells = [_fmt(row[n], row[f"{n}_sd"], whole=n == "pairs") for n in names]
            lines.append(f"| {row['method']} | " + " | ".join(cells) + " |"
                         + (f" {row['seconds']:.1f} |" if timed else ""))
        note = (f"\nTest-set mean ± SD over {len(self.seeds)} seeds; model selection on the "
                f"validation set only. Headline: `{Task(self.task).headline}`.\n")
        if self.metrics:
            note = (f"\nMean ± SD over {len(self.seeds)} seeds of models trained on the GDSC "
                    f"split's training edges; per-drug r against the second study's measure.\n")
        extra = "".join("\n" + other.to_markdown() for other in self.cross_study)
        return head + "\n".join(lines) + "\n" + note + extra

    def to_dict(self) -> dict:
        out = asdict(self)
        out["summary"] = self.summary().to_dict(orient="records")
        out["cross_study"] = [other.to_dict() for other in self.cross_study]
        return out

    def save(self, directory: str | Path, stem: str | None = None) -> tuple[Path, Path]:
        """Write ``<stem>.md`` and ``<stem>.json``; returns both paths."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        stem = stem or f"results_{self.task}_{self.split}_{self.model}"
        md, js = out / f"{stem}.md", out / f"{stem}.json"
        md.write_text(self.to_markdown())
        js.write_text(json.dumps(self.to_dict(), indent=2, default=_json_default))
        return md, js


def _fmt(mean: float, sd: float, whole: bool = False) -> str:
    if mean is None or not np.isfinite(mean):
        return "—"
    return f"{mean:,.0f}" if whole else f"{mean:.3f} ± {sd:.3f}"


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def best_of(results: Results, method: str | None = None) -> dict[str, float]:
    """Mean test metrics of ``method`` (the model by default)."""
    frame = results.summary().set_index("method")
    row = frame.loc[method or results.model]
    return {name: float(row[name]) for name in results.metric_names}


__all__ = [
    "Results", "RunResult", "TaskData", "best_of", "evaluate_response", "evaluate_targets",
    "sample_negatives", "sensitivity_from_regression", "task_data",
]

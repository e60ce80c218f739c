"""Score and rank drug links with a trained OncoKG model.

A short tour (it runs: ``python -m doctest gnn/predict.py`` once installed). Train a
small drug-target model on a synthetic graph and save its artifact:

>>> import tempfile, os
>>> from oncokg.gnn.synthetic import make_synthetic_export
>>> from oncokg.gnn.train import train
>>> export = make_synthetic_export(seed=0)
>>> path = os.path.join(tempfile.mkdtemp(), "targets.pt")
>>> results = train(export, task="drug-target", split="random", seeds=(0,), epochs=20,
...                 baselines=False, artifact_path=path, progress=False)

Load it (``torch.load(weights_only=True)`` underneath) and rank genes for a drug named by its
graph key, name or synonym, in any case or spelling (``oncokg.contract.names``):

>>> predictor = Predictor.load(path)
>>> predictor.task, predictor.release
('drug-target', 'synthetic-1')
>>> top = predictor.top_targets("synthinib-00", k=3)
>>> list(top.columns)
['rank', 'drug', 'drug_name', 'gene', 'gene_name', 'score', 'known']
>>> len(top)
3

Score given pairs, rank drugs for a gene, or score a compound that is not in the graph by its
SMILES (its fingerprint goes through the model's drug-feature path, and it is linked to its
structurally nearest graph drugs as any drug is):

>>> scores = predictor.score_pairs([("DRUG0_0", "GENE1"), ("Synthinib-10", "GENE4")])
>>> scores["gene"].tolist()
['GENE1', 'GENE4']
>>> len(predictor.top_drugs_for_gene("GENE0", k=5))
5
>>> new = predictor.score_smiles("c1ccc2ncnc(NCC)c2c1", relation="TARGETS", k=5)
>>> len(new), new["drug"].iloc[0]
(5, 'SMILES:c1ccc2ncnc(NCC)c2c1')

Unknown names and invalid SMILES raise :class:`PredictionError` with a clear message:

>>> predictor.top_targets("no-such-drug")
Traceback (most recent call last):
...
oncokg.gnn.predict.PredictionError: unknown drug 'no-such-drug' (no key, name or synonym matches)
>>> predictor.score_smiles("C1CC(")
Traceback (most recent call last):
...
oncokg.gnn.predict.PredictionError: invalid SMILES: RDKit cannot parse SMILES 'C1CC('

A response model (``task="drug-response"``) answers ``top_cell_lines``, ``top_tumor_types``
and ``top_drugs_for_cell_line`` the same way; its scores are the predicted probability that a
cell line is sensitive (ln IC50 below the drug's 20th percentile) with the predicted ln IC50.
Every table carries graph keys (drug id, gene symbol, COSMIC id, OncoTree code) and names.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from oncokg.contract.errors import OncoKGError
from oncokg.contract.names import AmbiguousName, NameIndex, NameNotFound
from oncokg.contract.tasks import TARGET_EDGE, Task, TaskError
from oncokg.gnn.artifact import ArtifactError, ModelArtifact
from oncokg.gnn.calibration import Calibrator
from oncokg.gnn.features import DrugFeaturizer, InvalidSmilesError, tanimoto_neighbours
from oncokg.gnn.graph import SIMILAR_EDGE, reverse_type
from oncokg.gnn.models import LinkModel
from oncokg.gnn.prior import (
    NeighbourPrior,
    SparseScores,
    evidence_genes,
    new_compound_scores,
    pair_logits,
    target_logits,
)

#: How each label is called in messages.
NOUNS = {"Drug": "drug", "Gene": "gene", "CellLine": "cell line", "TumorType": "tumor type",
         "Mutation": "mutation", "Pathway": "pathway"}
#: Batch of (drug, cell line) pairs scored at once.
PAIR_BATCH = 65_536
#: How drugs for cell-line groups and tumor types for a drug are ranked: by ``selectivity``
#: (potency minus a background, see ``rank_tumor_types`` and ``gnn.screen``) or ``potency``.
RANKINGS = ("selectivity", "potency")


class PredictionError(OncoKGError, ValueError):
    """A prediction request that cannot be answered: unknown entity, invalid SMILES, or a
    relation this model was not trained for."""


@dataclass(frozen=True)
class TumorTypes:
    """Tumor types screened by their cell lines: graph indices, line counts, and the
    (types × cell lines) matrix whose product with per-line values is each type's mean."""

    index: np.ndarray
    n_cell_lines: np.ndarray
    mean: np.ndarray


class Predictor:
    """A trained model with its graph and id maps, ready to score links."""

    def __init__(self, artifact: ModelArtifact) -> None:
        self.artifact = artifact
        self.task: str = artifact.task
        self.relation: str = artifact.relation
        self.release: str = artifact.release
        self.metrics: dict = artifact.metrics
        self.model = LinkModel(artifact.config)
        try:
            self.model.load_state_dict(artifact.state_dict)
        except RuntimeError as error:
            first = str(error).strip().splitlines()[-1].strip()
            raise ArtifactError(f"the artifact's weights do not fit its model config: {first}"
                                ) from None
        self.model.eval()
        self.featurizer = DrugFeaturizer.from_state(artifact.featurizer)
        self.nodes = artifact.nodes
        raw = artifact.inputs
        self.inputs = {
            "drug_x": torch.cat([raw["drug_fp"].float(), raw["drug_desc"]], dim=1),
            "drug_has_structure": raw["drug_has_structure"],
            "drug_known": raw["drug_known"],
            "cell_x": raw["cell_x"], "cell_known": raw["cell_known"],
        }
        self.graph = {}
        for edge_type, index in artifact.graph.items():
            self.graph[edge_type] = index
            self.graph[reverse_type(edge_type)] = index.flip(0)
        self._names: dict[str, NameIndex[int]] = {}
        self.calibrator = (Calibrator.from_state(artifact.calibration)
                           if artifact.calibration else None)
        self._h: dict[str, torch.Tensor] | None = None
        self._background: np.ndarray | None = None
        self._prior: NeighbourPrior | None = None
        self._fp_library: tuple[np.ndarray, np.ndarray] | None = None
        self._donor_fp: np.ndarray | None = None
        self._tumor_types: dict[int, TumorTypes] = {}
        self.y_mean = artifact.scaling.get("y_mean", 0.0)
        self.y_std = artifact.scaling.get("y_std", 1.0)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Predictor:
        """Load an artifact written by ``train(..., artifact_path=...)``."""
        return cls(ModelArtifact.load(path))

    def __repr__(self) -> str:
        return (f"Predictor(task={self.task!r}, model={self.artifact.model_name!r}, "
                f"release={self.release!r}, split={self.artifact.split!r})")

    # -- identifiers ----------------------------------------------------------------------------
    def resolve(self, label: str, name: str) -> int:
        """Node index of ``name`` of ``label``: its key, name or synonym in any spelling."""
        if label not in self.nodes:
            raise PredictionError(f"this model has no {label} nodes")
        if label not in self._names:
            self._names[label] = _name_index(label, self.nodes[label])
        try:
            return self._names[label].resolve(name)
        except (NameNotFound, AmbiguousName) as error:
            raise PredictionError(str(error)) from None

    def key(self, label: str, i: int) -> str:
        """Graph key of node ``i`` of ``label``."""
        return self.nodes[label]["keys"][i]

    def name(self, label: str, i: int) -> str:
        """Name of node ``i`` of ``label`` (empty when the graph has none)."""
        return self.nodes[label]["names"][i]

    def require(self, relation: str) -> None:
        """Raise :class:`PredictionError` unless this model scores ``relation``."""
        try:
            needed = Task.of_relation(relation)
        except TaskError as error:
            raise PredictionError(str(error)) from None
        if relation != self.relation:
            raise PredictionError(f"this model was trained for {self.task} ({self.relation}); "
                                  f"{relation} needs a {needed.value} model")

    # -- embeddings -----------------------------------------------------------------------------
    @torch.no_grad()
    def embeddings(self) -> dict[str, torch.Tensor]:
        """Node embeddings after message passing over the model's graph (cached)."""
        if self._h is None:
            self._h = self.model(self.inputs, self.graph)
        return self._h

    def smiles_embedding(self, smiles: str) -> torch.Tensor:
        """The embedding of a new compound (no graph node) from its SMILES."""
        return self.smiles_embeddings([smiles])[0]

    def smiles_embeddings(self, smiles: Sequence[str]) -> torch.Tensor:
        """Embeddings (n, hidden) of new compounds from their SMILES, in one forward pass.

        Each compound joins the graph as a drug with its structure features and edges from its
        structurally nearest graph drugs only, so it cannot change any other node's embedding.
        """
        return self.new_compound_embeddings(self._featurize(smiles))

    def featurize(self, smiles: str) -> torch.Tensor:
        """The model's feature vector of one structure (``PredictionError`` if invalid); its
        descriptors are zeros for a model that is its prior (only the fingerprint is read)."""
        try:
            return self.featurizer.featurize(smiles, descriptors=self.model.uses_encoder)
        except InvalidSmilesError as error:
            raise PredictionError(f"invalid SMILES: {error}") from None

    def _featurize(self, smiles: Sequence[str]) -> torch.Tensor:
        rows = [self.featurize(text) for text in smiles]
        if not rows:
            return torch.zeros(0, self.inputs["drug_x"].shape[1])
        return torch.stack(rows)

    @torch.no_grad()
    def new_compound_embeddings(self, x: torch.Tensor) -> torch.Tensor:
        """Embeddings of new compounds from their feature rows (:meth:`featurize`), all in one
        message-passing pass."""
        if not len(x):
            return torch.zeros(0, self.embeddings()["Drug"].shape[1])
        if not self.model.uses_encoder:
            return self._prior_embeddings(x)
        n_old, n_new = len(self.inputs["drug_has_structure"]), len(x)
        inputs = dict(self.inputs)
        inputs["drug_x"] = torch.cat([self.inputs["drug_x"], x])
        inputs["drug_has_structure"] = torch.cat([self.inputs["drug_has_structure"],
                                                  torch.ones(n_new, dtype=torch.bool)])
        inputs["drug_known"] = torch.cat([self.inputs["drug_known"],
                                          torch.zeros(n_new, dtype=torch.bool)])
        graph = dict(self.graph)
        if SIMILAR_EDGE in graph:
            extra = [torch.stack([torch.from_numpy(found),
                                  torch.full((len(found),), n_old + i, dtype=torch.long)])
                     for i, found in enumerate(self.similar_drugs_of(x)) if len(found)]
            if extra:  # into the new compounds only: never back into the graph's drugs
                graph[SIMILAR_EDGE] = torch.cat([graph[SIMILAR_EDGE], *extra], dim=1)
        return self.model(inputs, graph)["Drug"][n_old:]

    def _prior_embeddings(self, x: torch.Tensor) -> torch.Tensor:
        """New compounds' rows for a model that is its prior: zeros where the encoder's
        embedding would be (no score reads it), then the response prior's columns."""
        h = torch.zeros(len(x), self.model.config["hidden"])
        prior = self.model.response_prior
        if prior is None:
            return h
        if self._donor_fp is None:
            donors = torch.nonzero(prior.donor).ravel()
            self._donor_fp = self.inputs["drug_x"][donors, : prior.fp_bits].numpy() > 0
        return torch.cat([h, prior.new_rows(x[:, : prior.fp_bits].numpy() > 0,
                                            self._donor_fp)], dim=1)

    def similar_drugs(self, x: torch.Tensor) -> np.ndarray:
        """Indices of the graph drugs structurally nearest to feature vector ``x``."""
        return self.similar_drugs_of(x[None])[0]

    def similar_drugs_of(self, x: torch.Tensor) -> list[np.ndarray]:
        """:meth:`similar_drugs` of each row of ``x`` (n, features), in one pass."""
        settings = self.featurizer.settings
        if self._fp_library is None:
            has = np.flatnonzero(self.inputs["drug_has_structure"].numpy())
            self._fp_library = (has, self.artifact.inputs["drug_fp"][has].numpy() > 0)
        has, library = self._fp_library
        if settings.similar_k <= 0 or not len(has):
            return [np.zeros(0, dtype=np.int64) for _ in range(len(x))]
        query = x[:, : settings.fp_bits].numpy() > 0
        rows, neighbours = tanimoto_neighbours(query, library, settings.similar_k,
                                               settings.similar_min)
        bounds = np.searchsorted(rows, np.arange(len(x) + 1))
        return [has[neighbours[bounds[i]:bounds[i + 1]]] for i in range(len(x))]

    # -- score matrices (screens, write-back, cross-study) --------------------------------------
    @property
    def prior(self) -> NeighbourPrior | None:
        """The neighbour votes of a target model with a prior, from its training targets."""
        if self.model.prior is None:
            return None
        if self._prior is None:
            fp = self.artifact.inputs["drug_fp"].numpy() > 0
            index = self.graph.get(TARGET_EDGE, torch.zeros((2, 0), dtype=torch.long))
            n_genes = len(self.nodes["Gene"]["keys"])
            evidence = evidence_genes(self.graph, len(fp), n_genes)
            self._prior = NeighbourPrior.fit(fp, self.inputs["drug_has_structure"].numpy(),
                                             index.numpy().T, n_genes, evidence)
        return self._prior

    @torch.no_grad()
    def target_matrix(self, drugs: np.ndarray) -> np.ndarray:
        """Target scores, graph drugs × every gene."""
        self.require("TARGETS")
        drugs = np.asarray(drugs)
        votes = self.prior.rows(drugs) if self.prior is not None else None
        return target_logits(self.model, self.embeddings()["Drug"][torch.as_tensor(drugs)],
                             self.embeddings()["Gene"], self.prior, votes).numpy()

    @torch.no_grad()
    def smiles_target_matrix(self, smiles: Sequence[str]) -> np.ndarray:
        """Target scores, new compounds (by SMILES) × every gene."""
        self.require("TARGETS")
        return self.new_compound_targets(self._featurize(smiles))

    @torch.no_grad()
    def new_compound_targets(self, x: torch.Tensor) -> np.ndarray:
        """Target scores, new compounds (feature rows from :meth:`featurize`) × every gene."""
        self.require("TARGETS")
        fp = (x[:, : self.featurizer.settings.fp_bits] > 0).numpy()
        votes = self.prior.new_rows(fp) if self.prior is not None else None
        return target_logits(self.model, self.new_compound_embeddings(x),
                             self.embeddings()["Gene"], self.prior, votes).numpy()

    @torch.no_grad()
    def new_compound_target_scores(self, x: torch.Tensor) -> np.ndarray | SparseScores:
        """:meth:`new_compound_targets`, as :class:`gnn.prior.SparseScores` where the model is
        its prior (same values; screens rank them without the compounds × genes matrix)."""
        self.require("TARGETS")
        if self.prior is not None:
            fp = (x[:, : self.featurizer.settings.fp_bits] > 0).numpy()
            scores = new_compound_scores(self.model, self.prior, fp)
            if scores is not None:
                return scores
        return self.new_compound_targets(x)

    @torch.no_grad()
    def sensitivity(self, drug_h: torch.Tensor, cells: np.ndarray | None = None) -> np.ndarray:
        """Predicted probability of sensitivity, drug embeddings × cells (all when None)."""
        self.require("RESPONSE")
        cell_h = self.embeddings()["CellLine"]
        if cells is not None:
            cell_h = cell_h[torch.as_tensor(cells)]
        rows = max(1, PAIR_BATCH // max(len(cell_h), 1))
        out = [torch.sigmoid(self.model.respond_all(drug_h[start:start + rows], cell_h)[..., 1])
               for start in range(0, len(drug_h), rows)]
        return torch.cat(out).numpy() if out else np.zeros((0, len(cell_h)), dtype=np.float32)

    def response_matrix(self, drugs: np.ndarray, cells: np.ndarray | None) -> np.ndarray:
        """Predicted probability of sensitivity, graph drugs × cells (all cells when None)."""
        return self.sensitivity(self.embeddings()["Drug"][torch.as_tensor(drugs)], cells)

    @torch.no_grad()
    def ln_ic50_matrix(self, drug_h: torch.Tensor, cells: np.ndarray) -> np.ndarray:
        """Predicted ln IC50, drug embeddings (n, hidden) × the given cell lines."""
        self.require("RESPONSE")
        cell_h = self.embeddings()["CellLine"][torch.as_tensor(cells)]
        n_d, n_c = len(drug_h), len(cell_h)
        out = self.model.respond(drug_h.repeat_interleave(n_c, 0), cell_h.repeat(n_d, 1))
        return (out[:, 0] * self.y_std + self.y_mean).reshape(n_d, n_c).numpy()

    @torch.no_grad()
    def _response(self, drug_h: torch.Tensor, cells: torch.Tensor
                  ) -> tuple[np.ndarray, np.ndarray]:
        """(probability of sensitivity, ln IC50) of one drug embedding over ``cells``."""
        out = self.model.respond(drug_h.expand(len(cells), -1),
                                 self.embeddings()["CellLine"][cells])
        return (torch.sigmoid(out[:, 1]).numpy(),
                (out[:, 0] * self.y_std + self.y_mean).numpy())

    def calibrate(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of scores (validation isotonic fit; NaN without one)."""
        if self.calibrator is None:
            return np.full(np.shape(scores), np.nan, dtype=float)
        return self.calibrator(scores)

    # -- what the model was trained and measured on ---------------------------------------------
    @property
    def name_tag(self) -> str:
        """The model's name in write-back: encoder and task, e.g. ``sage-drug-response``."""
        return f"{self.artifact.model_name}-{self.task}"

    @property
    def model_version(self) -> str:
        """A version that changes whenever the trained weights change (creation time + hash)."""
        return self.artifact.version

    def describe(self) -> dict:
        """What the predictions were measured on: task, model, split, seeds, release, metrics."""
        return {"task": self.task, "model": self.name_tag, "model_version": self.model_version,
                "split": self.artifact.split, "seeds": self.metrics.get("seeds", []),
                "release": self.release, "summary": self.metrics.get("summary", {})}

    def known_pairs(self, name: str) -> set[tuple[int, int]]:
        """Known (row, column) index pairs: ``TARGETS``, ``RESPONSE`` (measured) or
        ``SENSITIVE`` (measured and sensitive)."""
        index = self.artifact.known.get(name)
        if index is None:
            return set()
        return set(zip(index[0].tolist(), index[1].tolist(), strict=True))

    def screenable_drugs(self, pool: str = "screened") -> np.ndarray:
        """Candidate drugs: ``screened`` — those with a measured response in the graph (the
        panel the response data covers); ``all`` — every drug with a structure or seen in
        training (extrapolates far beyond the screened chemistry)."""
        if pool == "screened":
            measured = self.artifact.known.get("RESPONSE")
            if measured is not None and measured.shape[1]:
                return np.unique(measured[0].numpy())
        elif pool != "all":
            raise PredictionError(f"unknown drug pool {pool!r}; use 'screened' or 'all'")
        usable = self.inputs["drug_has_structure"] | self.inputs["drug_known"]
        return np.flatnonzero(usable.numpy())

    def cell_lines_for(self, kind: str, value: str) -> np.ndarray:
        """Cell lines of a tumor type (with its OncoTree subtypes), carrying a mutation (id or
        gene symbol) or one cell line."""
        if kind == "cell_line":
            return np.array([self.resolve("CellLine", value)])
        if kind == "tumor":
            types = {self.resolve("TumorType", value)}
            subtype = self.graph.get(("TumorType", "SUBTYPE_OF", "TumorType"))
            if subtype is not None:
                child, parent = subtype[0].numpy(), subtype[1].numpy()
                frontier = set(types)
                while frontier:
                    frontier = set(child[np.isin(parent, list(frontier))].tolist()) - types
                    types |= frontier
            model_of = self.artifact.known["MODEL_OF"]
            cells, tumors = model_of[0].numpy(), model_of[1].numpy()
            return np.unique(cells[np.isin(tumors, list(types))])
        if kind == "mutation":
            has = self.graph.get(("CellLine", "HAS_MUTATION", "Mutation"))
            if has is None:
                raise PredictionError("this model's graph has no HAS_MUTATION links")
            try:
                mutation = self.resolve("Mutation", value)
            except PredictionError:
                mutation = self.resolve("Mutation", f"{value} mutation")
            return np.unique(has[0].numpy()[has[1].numpy() == mutation])
        raise PredictionError(f"unknown screen kind {kind!r}")

    # -- rankings -------------------------------------------------------------------------------
    def cell_background(self) -> np.ndarray:
        """Each cell line's general sensitivity: its mean predicted probability of sensitivity
        over the screened drugs (cached)."""
        if self._background is None:
            self._background = self.response_matrix(self.screenable_drugs(), None).mean(axis=0)
        return self._background

    def tumor_types(self, min_cell_lines: int = 1) -> TumorTypes:
        """The tumor types with at least ``min_cell_lines`` cell lines (``MODEL_OF``; cached)."""
        if min_cell_lines not in self._tumor_types:
            self._tumor_types[min_cell_lines] = self._count_tumor_types(min_cell_lines)
        return self._tumor_types[min_cell_lines]

    def _count_tumor_types(self, min_cell_lines: int) -> TumorTypes:
        model_of = self.artifact.known["MODEL_OF"]
        cells, tumors = model_of[0].numpy(), model_of[1].numpy()
        types, counts = np.unique(tumors, return_counts=True)
        keep = counts >= min_cell_lines
        row = np.full(int(types.max()) + 1 if len(types) else 0, -1)
        row[types[keep]] = np.arange(int(keep.sum()))
        member = np.zeros((int(keep.sum()), len(self.nodes["CellLine"]["keys"])))
        kept = row[tumors] >= 0
        np.add.at(member, (row[tumors[kept]], cells[kept]), 1.0)
        return TumorTypes(types[keep], counts[keep],
                          member / np.maximum(member.sum(1, keepdims=True), 1.0))

    def tumor_type_values(self, p: np.ndarray, types: TumorTypes) -> dict[str, np.ndarray]:
        """Drugs × tumor types from predicted sensitivities ``p`` (drugs × every cell line).

        ``potency``: the mean of ``p`` over a type's lines; ``background``: the mean of those
        lines' general sensitivity (:meth:`cell_background`); ``selectivity = potency −
        background``, what the drug does to the type beyond what every drug does to it (so
        leukemia lines that respond to everything do not top every drug's list); and the mean
        calibrated ``probability``.
        """
        p = np.asarray(p, dtype=np.float64)
        potency = p @ types.mean.T
        background = types.mean @ self.cell_background().astype(np.float64)
        return {"potency": potency,
                "background": np.broadcast_to(background, potency.shape),
                "selectivity": potency - background,
                "probability": self.calibrate(p) @ types.mean.T}

    def rank_tumor_types(self, p: np.ndarray, k: int = 10, min_cell_lines: int = 1,
                         drug: int | None = None, rank_by: str = "selectivity") -> pd.DataFrame:
        """Tumor types for one drug from its predicted sensitivity ``p`` (one value per cell
        line), by :meth:`tumor_type_values`' ``rank_by`` (``score``; ties: more cell lines).
        For a graph ``drug``, ``known`` says whether any of its measured responses in the type
        was sensitive."""
        if rank_by not in RANKINGS:
            raise PredictionError(f"unknown ranking {rank_by!r}; use one of {RANKINGS}")
        types = self.tumor_types(min_cell_lines)
        values = {name: v[0] for name, v in self.tumor_type_values(p[None], types).items()}
        order = np.lexsort((-types.n_cell_lines, -values[rank_by]))[:k]
        sensitive = np.zeros(types.mean.shape[1])
        if drug is not None:
            cells = [c for d, c in self.known_pairs("SENSITIVE") if d == drug]
            sensitive[cells] = 1.0
        known = (types.mean @ sensitive) > 0
        return pd.DataFrame({
            "rank": np.arange(1, len(order) + 1),
            "tumor_type": [self.key("TumorType", int(t)) for t in types.index[order]],
            "tumor_type_name": [self.name("TumorType", int(t)) for t in types.index[order]],
            "score": values[rank_by][order],
            **{column: values[column][order]
               for column in ("potency", "background", "selectivity", "probability")},
            "n_cell_lines": types.n_cell_lines[order], "known": known[order],
        })

    @torch.no_grad()
    def score_pairs(self, pairs: Iterable[tuple[str, str]]) -> pd.DataFrame:
        """Score (drug, gene) or (drug, cell line) pairs, by the model's relation."""
        rows = []
        h = self.embeddings()
        known = self.known_pairs(self.relation)
        for drug_name, other_name in pairs:
            d = self.resolve("Drug", drug_name)
            if self.relation == "TARGETS":
                g = self.resolve("Gene", other_name)
                score = float(pair_logits(self.model, h["Drug"][d][None], h["Gene"][g][None],
                                          self.prior, np.array([d]), np.array([g]))[0])
                rows.append({"drug": self.key("Drug", d), "drug_name": self.name("Drug", d),
                             "gene": self.key("Gene", g), "gene_name": self.name("Gene", g),
                             "score": score, "known": (d, g) in known})
            else:
                c = self.resolve("CellLine", other_name)
                p, ln = self._response(h["Drug"][d], torch.tensor([c]))
                rows.append({"drug": self.key("Drug", d), "drug_name": self.name("Drug", d),
                             "cell_line": self.key("CellLine", c),
                             "cell_line_name": self.name("CellLine", c),
                             "p_sensitive": float(p[0]), "ln_ic50": float(ln[0]),
                             "measured": (d, c) in known})
        return pd.DataFrame(rows)

    def top_targets(self, drug: str, k: int = 10, exclude_known: bool = False) -> pd.DataFrame:
        """The ``k`` genes the model ranks highest as targets of ``drug``."""
        self.require("TARGETS")
        d = self.resolve("Drug", drug)
        scores = self.target_matrix(np.array([d]))[0]
        known = {g for dd, g in self.known_pairs("TARGETS") if dd == d}
        return self._gene_table(scores, k, known, exclude_known,
                                (self.key("Drug", d), self.name("Drug", d)))

    def top_drugs_for_gene(self, gene: str, k: int = 10, exclude_known: bool = False
                           ) -> pd.DataFrame:
        """The ``k`` drugs the model ranks highest as acting on ``gene``."""
        self.require("TARGETS")
        g = self.resolve("Gene", gene)
        h = self.embeddings()
        drugs = np.arange(len(h["Drug"]))
        with torch.no_grad():
            scores = pair_logits(self.model, h["Drug"], h["Gene"][g].expand(len(drugs), -1),
                                 self.prior, drugs, np.full(len(drugs), g)).numpy()
        known = {d for d, gg in self.known_pairs("TARGETS") if gg == g}
        order = [i for i in np.argsort(-scores, kind="stable")
                 if not (exclude_known and i in known)][:k]
        return pd.DataFrame([{"rank": r + 1, "gene": self.key("Gene", g),
                              "gene_name": self.name("Gene", g), "drug": self.key("Drug", i),
                              "drug_name": self.name("Drug", i), "score": float(scores[i]),
                              "known": i in known} for r, i in enumerate(order)])

    def top_cell_lines(self, drug: str, k: int = 10) -> pd.DataFrame:
        """The ``k`` cell lines predicted most sensitive to ``drug``."""
        self.require("RESPONSE")
        d = self.resolve("Drug", drug)
        return self._cell_table(self.embeddings()["Drug"][d], k, d,
                                (self.key("Drug", d), self.name("Drug", d)))

    def top_tumor_types(self, drug: str, k: int = 10, min_cell_lines: int = 1,
                        rank_by: str = "selectivity") -> pd.DataFrame:
        """Tumor types ranked by the drug's selectivity (or potency) over their cell lines
        (MODEL_OF); see :meth:`rank_tumor_types`."""
        d = self.resolve("Drug", drug)
        ranked = self.rank_tumor_types(self.response_matrix(np.array([d]), None)[0], k,
                                       min_cell_lines, drug=d, rank_by=rank_by)
        ranked.insert(1, "drug", self.key("Drug", d))
        ranked.insert(2, "drug_name", self.name("Drug", d))
        return ranked

    def top_drugs_for_cell_line(self, cell_line: str, k: int = 10) -> pd.DataFrame:
        """The ``k`` drugs a cell line is predicted most sensitive to."""
        self.require("RESPONSE")
        c = self.resolve("CellLine", cell_line)
        h = self.embeddings()
        with torch.no_grad():
            out = self.model.respond(h["Drug"], h["CellLine"][c].expand(len(h["Drug"]), -1))
        p = torch.sigmoid(out[:, 1]).numpy()
        ln = (out[:, 0] * self.y_std + self.y_mean).numpy()
        measured = {d for d, cc in self.known_pairs("RESPONSE") if cc == c}
        order = np.argsort(-p, kind="stable")[:k]
        return pd.DataFrame([{"rank": r + 1, "cell_line": self.key("CellLine", c),
                              "cell_line_name": self.name("CellLine", c),
                              "drug": self.key("Drug", i), "drug_name": self.name("Drug", i),
                              "p_sensitive": float(p[i]), "ln_ic50": float(ln[i]),
                              "measured": i in measured} for r, i in enumerate(order)])

    def score_smiles(self, smiles: str, relation: str | None = None, k: int = 10
                     ) -> pd.DataFrame:
        """Rank genes (TARGETS) or cell lines (RESPONSE) for a compound given by SMILES."""
        relation = relation or self.relation
        self.require(relation)
        label = (f"SMILES:{smiles}", "")
        if relation == "TARGETS":
            return self._gene_table(self.smiles_target_matrix([smiles])[0], k, set(), False,
                                    label)
        return self._cell_table(self.smiles_embedding(smiles), k, None, label)

    # -- tables ---------------------------------------------------------------------------------
    def _gene_table(self, scores, k, known, exclude_known, drug) -> pd.DataFrame:
        order = [i for i in np.argsort(-scores, kind="stable")
                 if not (exclude_known and i in known)][:k]
        return pd.DataFrame([{"rank": r + 1, "drug": drug[0], "drug_name": drug[1],
                              "gene": self.key("Gene", i), "gene_name": self.name("Gene", i),
                              "score": float(scores[i]), "known": i in known}
                             for r, i in enumerate(order)])

    def _cell_table(self, drug_h, k, d, drug) -> pd.DataFrame:
        n_cells = len(self.nodes["CellLine"]["keys"])
        p, ln = self._response(drug_h, torch.arange(n_cells))
        measured = ({c for dd, c in self.known_pairs("RESPONSE") if dd == d}
                    if d is not None else set())
        order = np.argsort(-p, kind="stable")[:k]
        return pd.DataFrame([{"rank": r + 1, "drug": drug[0], "drug_name": drug[1],
                              "cell_line": self.key("CellLine", i),
                              "cell_line_name": self.name("CellLine", i),
                              "p_sensitive": float(p[i]), "ln_ic50": float(ln[i]),
                              "measured": i in measured} for r, i in enumerate(order)])


def _name_index(label: str, ids: dict) -> NameIndex[int]:
    """Node indices of ``label`` by key, name and synonym (``oncokg.contract.names``)."""
    index: NameIndex[int] = NameIndex(NOUNS.get(label, label))
    names = ids.get("names") or [""] * len(ids["keys"])
    synonyms = ids.get("synonyms") or [[] for _ in ids["keys"]]
    for i, (key, name, others) in enumerate(zip(ids["keys"], names, synonyms, strict=True)):
        index.add(i, key=key, names=[name], synonyms=others)
    return index

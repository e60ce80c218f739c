"""Batch drug-repurposing screens with a trained model.

``Screen`` holds one loaded model (``Predictor``) and answers many queries with it:

- ``drugs_for("tumor", ["MEL", "LUAD"])``: drugs ranked for the cell lines of each tumor type
  (OncoTree subtypes included), for cell lines carrying a mutation (``"mutation"``: a mutation
  id such as ``BRAF mutation`` or a gene symbol), or for single cell lines (``"cell_line"``),
  by **selectivity** (default) or by potency: ``potency`` is the drug's mean predicted
  probability of sensitivity over the query's lines, ``background`` the same over every cell
  line of the model, ``selectivity = potency − background`` (what is special about the query,
  not how potent the drug is everywhere: a drug that kills every line scores about 0);
- ``targets_for(drugs)`` and ``tumor_types_for(drugs)``: the reverse, per drug (tumor types
  by selectivity too: the drug's potency in a type's lines minus those lines' sensitivity to
  every screened drug, ``Predictor.rank_tumor_types``);
- ``compounds(path)``: new compounds from a SMILES file, ranked targets or tumor types for each
  (``gnn.library``'s chunk scorer, held in memory).

Every candidate carries its score, rank, a calibrated probability (isotonic, fitted on the
validation split only, see ``gnn.calibration``) and ``known``: an existing ``TARGETS`` link or a
measured sensitive response of that drug in the query's cell lines. ``exclude_known=True`` drops
known positives from the ranking instead of flagging them. The screen knows nothing of Cypher:
evidence paths are attached by the caller (``queries.evidence``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from oncokg.gnn.library import CHUNK_SIZE, ChunkScorer, InvalidLine, LibrarySource
from oncokg.gnn.predict import RANKINGS, PredictionError, Predictor

log = logging.getLogger(__name__)
QUERY_KINDS = ("tumor", "mutation", "cell_line")


@dataclass
class ScreenResult:
    """Ranked candidates of one screen, with what they were measured on."""

    title: str
    relation: str
    candidates: pd.DataFrame
    model: dict
    skipped: list[InvalidLine] = field(default_factory=list)
    #: Files that already hold the candidates (a library screen's top k): none are rewritten.
    saved: list[Path] = field(default_factory=list)


class Screen:
    """Runs many screening queries against one loaded model."""

    def __init__(self, predictor: Predictor, progress: bool = True) -> None:
        self.predictor = predictor
        self.progress = progress

    # -- drugs for cell-line groups --------------------------------------------------------
    def drugs_for(self, kind: str, values: Iterable[str], k: int = 20,
                  exclude_known: bool = False, min_cell_lines: int = 1,
                  pool: str = "screened", rank_by: str = "selectivity") -> ScreenResult:
        """Rank drugs for each query's cell lines by selectivity (or potency), see the module.

        ``pool`` is ``screened`` (drugs with measured responses, the default) or ``all``.
        ``score`` is the ranking statistic; ``potency``, ``background`` and ``selectivity``
        stand beside it whichever ranks.
        """
        self.predictor.require("RESPONSE")
        if kind not in QUERY_KINDS:
            raise PredictionError(f"unknown screen kind {kind!r}; use one of {QUERY_KINDS}")
        if rank_by not in RANKINGS:
            raise PredictionError(f"unknown ranking {rank_by!r}; use one of {RANKINGS}")
        candidates = self.predictor.screenable_drugs(pool)
        sensitive = self.predictor.known_pairs("SENSITIVE")
        every_line = self.predictor.response_matrix(candidates, None)
        background = every_line.mean(axis=1)
        frames = []
        for value in self._each(values, f"screen {kind}"):
            cells = self.predictor.cell_lines_for(kind, value)
            if len(cells) < min_cell_lines:
                raise PredictionError(f"{kind} {value!r} has {len(cells)} cell lines in this "
                                      f"model; at least {min_cell_lines} needed")
            p = every_line[:, cells]
            potency = p.mean(axis=1)
            selectivity = potency - background
            probability = self.predictor.calibrate(p).mean(axis=1)
            cell_set = set(cells.tolist())
            known = np.array([any((d, c) in sensitive for c in cell_set) for d in candidates])
            columns = {"potency": potency, "background": background, "selectivity": selectivity}
            frame = self._ranked(candidates, columns[rank_by], probability, known, k,
                                 exclude_known, **columns)
            for column, item in reversed(list({
                    "query_kind": kind, "query": value, "n_cell_lines": len(cells),
                    "cell_lines": [self.predictor.key("CellLine", c) for c in cells],
                    "ranked_by": rank_by}.items())):
                frame.insert(0, column, [item] * len(frame))
            frames.append(frame)
        return self._result(f"drugs for {kind}", "RESPONSE", frames)

    # -- per drug ------------------------------------------------------------------------
    def targets_for(self, drugs: Iterable[str], k: int = 20, exclude_known: bool = False
                    ) -> ScreenResult:
        """Rank genes as targets of each drug (a TARGETS model)."""
        self.predictor.require("TARGETS")
        known_pairs = self.predictor.known_pairs("TARGETS")
        frames = []
        for name in self._each(drugs, "screen targets"):
            d = self.predictor.resolve("Drug", name)
            frames.append(self._per_drug_targets(
                self.predictor.target_matrix(np.array([d]))[0],
                {g for dd, g in known_pairs if dd == d}, k, exclude_known,
                drug=self.predictor.key("Drug", d), drug_name=self.predictor.name("Drug", d)))
        return self._result("targets for drugs", "TARGETS", frames)

    def tumor_types_for(self, drugs: Iterable[str], k: int = 20, min_cell_lines: int = 3,
                        rank_by: str = "selectivity") -> ScreenResult:
        """Rank tumor types for each drug (``Predictor.rank_tumor_types``)."""
        self.predictor.require("RESPONSE")
        frames = []
        for name in self._each(drugs, "screen tumor types"):
            d = self.predictor.resolve("Drug", name)
            frames.append(self._per_drug_tumors(
                self.predictor.response_matrix(np.array([d]), None)[0], d, k, min_cell_lines,
                rank_by, drug=self.predictor.key("Drug", d),
                drug_name=self.predictor.name("Drug", d)))
        return self._result("tumor types for drugs", "RESPONSE", frames)

    def compounds(self, path: str | Path, k: int = 20, min_cell_lines: int = 3,
                  rank_by: str = "selectivity") -> ScreenResult:
        """Screen new compounds from a library file (``SMILES [name]`` per line, ``#``
        comments; or a CSV/Parquet ``smiles`` column, see ``gnn.library.LibrarySource``).

        Invalid SMILES (and lines over ``MAX_SMILES`` characters, never parsed) are logged and
        reported by line; the rest are ranked against the model's relation (targets, or tumor
        types for a response model) chunk by chunk, as a library screen ranks them. The whole
        result is held in memory: for large libraries use ``app.library.screen_library``.
        """
        scorer = ChunkScorer(self.predictor, k, min_cell_lines, rank_by)
        source = LibrarySource(Path(path))
        frames, skipped, n_read = [], [], 0
        for index, entries in enumerate(self._each(source.chunks(CHUNK_SIZE),
                                                   "screen compounds")):
            chunk = scorer.score(index, entries)
            frames.append(chunk.compounds)
            skipped += chunk.skipped
            n_read += chunk.n_read
        if not n_read:
            raise PredictionError(f"{path}: no SMILES found")
        for invalid in skipped:
            log.warning("%s: line %d skipped: %s", path, invalid.line, invalid.reason)
        result = self._result(f"new compounds from {Path(path).name}",
                              self.predictor.relation, [f for f in frames if not f.empty])
        result.skipped = skipped
        return result

    # -- internals -----------------------------------------------------------------------
    def _each(self, items: Iterable, desc: str) -> Iterator:
        items = list(items)
        return iter(tqdm(items, desc=desc, disable=not self.progress or len(items) < 2))

    def _ranked(self, items: np.ndarray, score: np.ndarray, probability: np.ndarray,
                known: np.ndarray, k: int, exclude_known: bool,
                **per_item: np.ndarray) -> pd.DataFrame:
        """The top ``k`` items by ``score``, with ``per_item`` columns beside the score."""
        order = np.argsort(-score, kind="stable")
        if exclude_known:
            order = order[~known[order]]
        order = order[:k]
        return pd.DataFrame({
            "rank": np.arange(1, len(order) + 1),
            "drug": [self.predictor.key("Drug", int(i)) for i in items[order]],
            "drug_name": [self.predictor.name("Drug", int(i)) for i in items[order]],
            "score": score[order],
            **{column: values[order] for column, values in per_item.items()},
            "probability": probability[order], "known": known[order],
        })

    def _per_drug_targets(self, scores: np.ndarray, known: set[int], k: int,
                          exclude_known: bool, drug: str, drug_name: str) -> pd.DataFrame:
        order = np.argsort(-scores, kind="stable")
        if exclude_known:
            order = np.array([g for g in order if g not in known], dtype=int)
        order = order[:k]
        return pd.DataFrame({
            "drug": drug, "drug_name": drug_name, "rank": np.arange(1, len(order) + 1),
            "gene": [self.predictor.key("Gene", int(g)) for g in order],
            "score": scores[order], "probability": self.predictor.calibrate(scores[order]),
            "known": [int(g) in known for g in order],
        })

    def _per_drug_tumors(self, p: np.ndarray, d: int | None, k: int, min_cell_lines: int,
                         rank_by: str, drug: str, drug_name: str) -> pd.DataFrame:
        ranked = self.predictor.rank_tumor_types(p, k, min_cell_lines, drug=d, rank_by=rank_by)
        ranked.insert(0, "drug_name", drug_name)
        ranked.insert(0, "drug", drug)
        return ranked

    def _result(self, title: str, relation: str, frames: list[pd.DataFrame]) -> ScreenResult:
        candidates = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return ScreenResult(title, relation, candidates, self.predictor.describe())

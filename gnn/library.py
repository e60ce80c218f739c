"""Compound libraries screened in chunks: a streaming reader, a chunk scorer, a bounded top-k.

A library is read ``chunk_size`` compounds at a time (:class:`LibrarySource`: ``SMILES [name]``
lines, plain or gzipped, or a CSV/Parquet column), so memory does not grow with its length.
:class:`ChunkScorer` featurizes one chunk and scores it with one loaded model; a
:class:`ChunkResult` holds each compound's top ``k`` (genes, or tumor types for a response
model) and each query's top ``k`` compounds in the chunk. :meth:`TopK.merge` folds those per-query
tables into the library's top ``k`` one chunk at a time. Ties rank the earlier line first, so the
result does not depend on which worker scored which chunk or in what order.

Invalid SMILES, undecodable bytes and overlong lines are kept as :class:`InvalidLine` with their
line number (for Parquet: row number; for CSV: the file line, header = 1); they never stop a
screen.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import torch

from oncokg.gnn.predict import RANKINGS, PredictionError, Predictor
from oncokg.gnn.prior import SparseScores, scores_sparsely

#: New compounds embedded and scored together (one message-passing pass per batch), at most;
#: fewer when a batch's score matrix would pass ``BATCH_SCORES`` (a target model's genes).
COMPOUND_BATCH = 1_024
BATCH_SCORES = 1 << 24
#: The longest SMILES a screen parses; longer lines are reported, never handed to RDKit.
MAX_SMILES = 5_000
#: Compounds read, featurized and scored as one unit of work (and one shard of results).
CHUNK_SIZE = 2_048

#: One library compound: (line, SMILES, name).
Entry = tuple[int, str, str]


@dataclass
class InvalidLine:
    """A line of a compound library that could not be screened."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class LibrarySource:
    """Where a library's structures are: a ``.smi``/``.txt`` file (gzipped when it ends in
    ``.gz``), or a ``.csv``/``.parquet`` table with a SMILES ``column`` (default: the one named
    ``smiles`` in any case) and an optional ``name_column`` (default: ``name`` or ``id``)."""

    path: Path
    column: str | None = None
    name_column: str | None = None

    @property
    def kind(self) -> str:
        suffixes = [s.lower() for s in self.path.suffixes if s.lower() != ".gz"]
        last = suffixes[-1] if suffixes else ""
        return {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet"
                }.get(last, "smi")

    def chunks(self, size: int = CHUNK_SIZE) -> Iterator[list[Entry]]:
        """The library's entries, ``size`` at a time (the last chunk may be shorter)."""
        if size < 1:
            raise PredictionError(f"chunk size must be at least 1, got {size}")
        entries = {"smi": self._smi, "csv": self._csv, "parquet": self._parquet}[self.kind]()
        chunk: list[Entry] = []
        for entry in entries:
            chunk.append(entry)
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _open(self, mode: str = "rb"):
        try:
            if self.path.suffix.lower() == ".gz":
                return gzip.open(self.path, mode)
            return open(self.path, mode)  # noqa: SIM115 - the caller closes it
        except OSError as error:
            raise PredictionError(f"{self.path}: cannot read ({error.strerror})") from None

    def _smi(self) -> Iterator[Entry]:
        with self._open() as handle:
            for number, raw in enumerate(handle, start=1):
                line = raw.decode("utf-8", errors="replace").strip()
                if not line or line.startswith("#"):
                    continue
                parts = line.split(maxsplit=1)
                if parts[0].lower() == "smiles":  # a header line
                    continue
                yield number, parts[0], parts[1].strip() if len(parts) > 1 else ""

    def _csv(self) -> Iterator[Entry]:
        delimiter = "\t" if ".tsv" in [s.lower() for s in self.path.suffixes] else ","
        with self._open() as raw:
            reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", errors="replace",
                                                 newline=""), delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                return
            smiles, name = self._columns(header)
            for row in reader:
                if not row:
                    continue
                line = reader.line_num
                text = row[smiles].strip() if smiles < len(row) else ""
                label = row[name].strip() if name is not None and name < len(row) else ""
                yield line, text, label

    def _parquet(self) -> Iterator[Entry]:
        try:
            table = pq.ParquetFile(self.path)
        except (OSError, ValueError) as error:
            raise PredictionError(f"{self.path}: not a Parquet file ({error})") from None
        smiles, name = self._columns(table.schema_arrow.names)
        names = table.schema_arrow.names
        columns = [names[smiles]] + ([names[name]] if name is not None else [])
        row = 0
        for batch in table.iter_batches(batch_size=CHUNK_SIZE, columns=columns):
            values = batch.column(0).to_pylist()
            labels = batch.column(1).to_pylist() if name is not None else [""] * len(values)
            for text, label in zip(values, labels, strict=True):
                row += 1
                yield row, str(text).strip() if text is not None else "", \
                    "" if label is None else str(label)

    def _columns(self, header: list[str]) -> tuple[int, int | None]:
        """Positions of the SMILES column and of the name column (None when absent)."""
        lowered = [h.strip().lower() for h in header]
        wanted = (self.column or "smiles").lower()
        if wanted not in lowered:
            raise PredictionError(f"{self.path}: no column {self.column or 'smiles'!r} "
                                  f"(columns: {', '.join(header)})")
        if self.name_column is not None:
            if self.name_column.lower() not in lowered:
                raise PredictionError(f"{self.path}: no name column {self.name_column!r}")
            return lowered.index(wanted), lowered.index(self.name_column.lower())
        name = next((lowered.index(c) for c in ("name", "id") if c in lowered), None)
        return lowered.index(wanted), name


@dataclass
class ChunkResult:
    """What one chunk gave: each compound's top ``k`` (``compounds``), each query's top ``k``
    compounds (``top``), the lines it could not screen, and how many it read."""

    index: int
    compounds: pd.DataFrame
    top: TopK
    skipped: list[InvalidLine] = field(default_factory=list)
    n_read: int = 0

    @property
    def n_scored(self) -> int:
        return self.n_read - len(self.skipped)


class ChunkScorer:
    """Featurizes and scores chunks of a library with one loaded model.

    A target model ranks every gene for each compound; a response model ranks tumor types (with
    at least ``min_cell_lines`` lines) by ``rank_by`` of ``Predictor.tumor_type_values``, as
    ``Predictor.rank_tumor_types`` does.
    """

    def __init__(self, predictor: Predictor, k: int = 20, min_cell_lines: int = 3,
                 rank_by: str = "selectivity") -> None:
        if rank_by not in RANKINGS:
            raise PredictionError(f"unknown ranking {rank_by!r}; use one of {RANKINGS}")
        self.predictor = predictor
        self.k = k
        self.rank_by = rank_by
        self.relation = predictor.relation
        columns = len(predictor.nodes["Gene" if self.relation == "TARGETS" else "CellLine"]
                      ["keys"])
        self.batch = int(np.clip(BATCH_SCORES // max(columns, 1), 64, COMPOUND_BATCH))
        if self.relation == "TARGETS":
            if scores_sparsely(predictor.model):
                self.batch = COMPOUND_BATCH  # no compounds × genes matrix is held
            genes = predictor.nodes["Gene"]
            self.query_kind = "gene"
            self.queries = np.arange(len(genes["keys"]))
            self.query_keys, self.query_names = list(genes["keys"]), list(genes["names"])
            _ = predictor.prior  # fitted once, before the first chunk
        else:
            self._tumor_types(min_cell_lines)

    def _tumor_types(self, min_cell_lines: int) -> None:
        """The tumor types screened (``Predictor.tumor_types``)."""
        self.types = self.predictor.tumor_types(min_cell_lines)
        self.queries, self.n_cell_lines = self.types.index, self.types.n_cell_lines
        self.query_kind = "tumor_type"
        self.query_keys = [self.predictor.key("TumorType", int(t)) for t in self.queries]
        self.query_names = [self.predictor.name("TumorType", int(t)) for t in self.queries]

    # -- featurize --------------------------------------------------------------------------
    def featurize(self, entries: list[Entry]) -> tuple[torch.Tensor, list[Entry],
                                                      list[InvalidLine]]:
        """Feature rows of the valid entries, those entries, and the invalid ones."""
        rows, valid, skipped = [], [], []
        for entry in entries:
            line, smiles, _ = entry
            try:
                if len(smiles) > MAX_SMILES:
                    raise PredictionError(f"a SMILES of {len(smiles):,} characters (the limit "
                                          f"is {MAX_SMILES:,})")
                rows.append(self.predictor.featurize(smiles))
            except PredictionError as error:
                shown = smiles if len(smiles) <= 80 else smiles[:77] + "..."
                skipped.append(InvalidLine(line, shown, str(error)))
                continue
            valid.append(entry)
        x = torch.stack(rows) if rows else torch.zeros(0, self.predictor.inputs["drug_x"].shape[1])
        return x, valid, skipped

    # -- score ------------------------------------------------------------------------------
    def score(self, index: int, entries: list[Entry]) -> ChunkResult:
        """Featurize and score one chunk, ``self.batch`` compounds embedded at a time (the
        compounds × queries matrices of one batch are the largest thing held). A compound's
        scores do not depend on the others in its batch or chunk."""
        x, valid, skipped = self.featurize(entries)
        lines = np.array([e[0] for e in valid], dtype=np.int64)
        drugs = np.array([f"SMILES:{e[1]}" for e in valid], dtype=object)
        names = np.array([e[2] or f"line {e[0]}" for e in valid], dtype=object)
        frames, top = [], self._per_query({}, lines[:0], drugs[:0], names[:0])
        for start in range(0, len(valid), self.batch):
            part = slice(start, start + self.batch)
            columns = self.matrices(x[part])
            frames.append(self._per_compound(columns, lines[part], drugs[part], names[part]))
            top = top.merge(self._per_query(columns, lines[part], drugs[part], names[part]),
                            self.k)
        compounds = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return ChunkResult(index, compounds, top, skipped, len(entries))

    def matrices(self, x: torch.Tensor) -> dict[str, np.ndarray]:
        """Compounds × queries: ``score`` and, for a response model, the columns beside it
        (potency, background, selectivity, probability). A target score's probability is
        calibrated once ranked (:meth:`_with_probability`)."""
        if self.relation == "TARGETS":
            return {"score": self.predictor.new_compound_target_scores(x)}
        p = self.predictor.sensitivity(self.predictor.new_compound_embeddings(x))
        values = self.predictor.tumor_type_values(p, self.types)
        return {"score": values[self.rank_by], **values}

    def _with_probability(self, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Ranked values, with a target score's calibrated probability beside it."""
        values = {name: v.astype(np.float64) for name, v in values.items()}
        if "probability" not in values:
            values["probability"] = self.predictor.calibrate(values["score"])
        return values

    def _per_compound(self, columns: dict[str, np.ndarray], lines: np.ndarray,
                      drugs: np.ndarray, names: np.ndarray) -> pd.DataFrame:
        """Each compound's top ``k`` queries (ties: more cell lines, then query order)."""
        score = columns["score"]
        n = score.shape[0]
        if isinstance(score, SparseScores):
            order, best = score.top_per_row(self.k)
        elif self.relation == "TARGETS":
            order = _top_columns(score, self.k)
        else:
            tie = np.broadcast_to(-self.n_cell_lines, score.shape)
            order = np.stack([np.lexsort((tie[i], -score[i])) for i in range(n)]
                             ).reshape(n, -1)[:, : self.k]
        picked = ({"score": best} if isinstance(score, SparseScores) else
                  {name: np.take_along_axis(values, order, axis=1)
                   for name, values in columns.items()})
        kk = order.shape[1]
        rows = np.repeat(np.arange(n), kk)
        cols = order.ravel()
        frame = {"drug": drugs[rows], "drug_name": names[rows], "line": lines[rows],
                 "rank": np.tile(np.arange(1, kk + 1), n)}
        keys, labels = np.array(self.query_keys, dtype=object), np.array(self.query_names,
                                                                         dtype=object)
        if self.relation == "TARGETS":
            frame["gene"] = keys[cols]
        else:
            frame["tumor_type"], frame["tumor_type_name"] = keys[cols], labels[cols]
        frame.update(self._with_probability({name: values.ravel()
                                             for name, values in picked.items()}))
        if self.relation != "TARGETS":
            frame["n_cell_lines"] = self.n_cell_lines[cols]
        frame["known"] = np.zeros(len(rows), dtype=bool)
        return pd.DataFrame(frame)

    def _per_query(self, columns: dict[str, np.ndarray], lines: np.ndarray,
                   drugs: np.ndarray, names: np.ndarray) -> TopK:
        """Each query's top ``k`` of these compounds (ties: the earlier line)."""
        m = len(self.queries)
        kk = min(self.k, len(lines))
        score = columns.get("score")
        if not kk:
            order, picked = np.zeros((m, 0), dtype=int), {"score": np.zeros((m, 0))}
        elif isinstance(score, SparseScores):
            order, best = score.top_per_column(kk)
            picked = {"score": best}
        else:
            order = _top_columns(score.T, kk)
            cols = np.arange(m)[:, None]
            picked = {name: v[order, cols] for name, v in columns.items()}
        values = self._with_probability(picked)
        return TopK(self.query_kind, np.array(self.query_keys, dtype=object),
                    np.array(self.query_names, dtype=object), lines[order], drugs[order],
                    names[order], values)


def _top_columns(score: np.ndarray, k: int) -> np.ndarray:
    """Column indices (rows, k) of each row's ``k`` largest values, best first (ties: the
    lower column; which of values tied at the k-th place get in is the selection's choice)."""
    score = np.ascontiguousarray(score)
    if k < score.shape[1]:
        values, part = torch.topk(torch.from_numpy(score), k, dim=1, sorted=False)
        values, part = values.numpy(), part.numpy()
    else:
        part = np.broadcast_to(np.arange(score.shape[1]), score.shape)
        values = score
    within = np.lexsort((part, -values), axis=1)
    return np.take_along_axis(part, within, axis=1)


#: The line of an empty slot of a :class:`TopK` (ranks after every real line).
NO_LINE = np.iinfo(np.int64).max


@dataclass
class TopK:
    """Each query's best compounds so far: arrays (queries × slots), best first; a query with
    fewer compounds than slots has empty slots (line ``NO_LINE``, score −inf) at the end."""

    query_kind: str
    keys: np.ndarray
    names: np.ndarray
    line: np.ndarray
    drug: np.ndarray
    drug_name: np.ndarray
    values: dict[str, np.ndarray]

    def merge(self, other: TopK, k: int) -> TopK:
        """The best ``k`` of both (ties: the earlier line): bounded by queries × ``k``."""
        if not other.line.shape[1]:
            return self
        if not self.line.shape[1]:
            return other
        if list(self.keys) != list(other.keys):
            raise PredictionError("chunks of one screen ranked different queries")
        line = np.concatenate([self.line, other.line], axis=1)
        values = {n: np.concatenate([v, other.values[n]], axis=1) for n, v in self.values.items()}
        order = np.lexsort((line, -values["score"]), axis=1)[:, :k]
        pick = functools.partial(np.take_along_axis, indices=order, axis=1)
        return TopK(self.query_kind, self.keys, self.names, pick(line),
                    pick(np.concatenate([self.drug, other.drug], axis=1)),
                    pick(np.concatenate([self.drug_name, other.drug_name], axis=1)),
                    {n: pick(v) for n, v in values.items()})

    def best_first(self) -> TopK:
        """The same, queries ordered by their best score (ties: their order here)."""
        best = self.values["score"][:, 0] if self.line.shape[1] else np.zeros(len(self.keys))
        order = np.argsort(-best, kind="stable")
        return TopK(self.query_kind, self.keys[order], self.names[order], self.line[order],
                    self.drug[order], self.drug_name[order],
                    {n: v[order] for n, v in self.values.items()})

    def to_frame(self) -> pd.DataFrame:
        """One row per filled slot: query, rank, compound and its values."""
        m, slots = self.line.shape
        filled = (self.line != NO_LINE).ravel()
        q = np.repeat(np.arange(m), slots)[filled]
        return pd.DataFrame({
            "query_kind": self.query_kind, "query": self.keys[q], "query_name": self.names[q],
            "rank": np.tile(np.arange(1, slots + 1), m)[filled],
            "line": self.line.ravel()[filled], "drug": self.drug.ravel()[filled],
            "drug_name": self.drug_name.ravel()[filled],
            **{n: v.ravel()[filled] for n, v in self.values.items()},
        })

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> TopK:
        """Read back :meth:`to_frame` of a chunk (every query with the same number of rows)."""
        keys, first = np.unique(frame["query"].to_numpy(), return_index=True)
        order = np.argsort(first)
        keys = keys[order].astype(object)
        names = frame["query_name"].to_numpy()[first[order]]
        m = len(keys)
        slots = len(frame) // m if m else 0
        kind = str(frame["query_kind"].iloc[0]) if len(frame) else ""
        fixed = ("query_kind", "query", "query_name", "rank", "line", "drug", "drug_name")

        def grid(column: str) -> np.ndarray:
            return frame[column].to_numpy().reshape(m, slots)

        return cls(kind, keys, names.astype(object), grid("line").astype(np.int64),
                   grid("drug").astype(object), grid("drug_name").astype(object),
                   {c: grid(c).astype(np.float64) for c in frame.columns if c not in fixed})

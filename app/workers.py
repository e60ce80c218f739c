"""Where library-screen chunks are scored: here, or in a pool of worker processes.

Every backend answers ``submit(index, entries)`` with a handle and ``result(handle)`` with the
chunk's ``ChunkResult``; ``close()`` releases it. Each worker loads the model once
(:func:`load_scorer`) and scores on one thread, so results do not depend on the backend.
``app.ray_workers`` is the same on a Ray cluster.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import torch

from oncokg.gnn.library import ChunkResult, ChunkScorer
from oncokg.gnn.predict import Predictor


@dataclass(frozen=True)
class ScoringSettings:
    """How every chunk is scored; travels to the workers with the model."""

    k: int = 20
    min_cell_lines: int = 3
    rank_by: str = "selectivity"


_scorer: ChunkScorer | None = None


def load_scorer(model_path: str | os.PathLike, settings: ScoringSettings) -> None:
    """Worker initializer: one thread, the model loaded once, its embeddings computed once."""
    global _scorer
    torch.set_num_threads(1)
    _scorer = ChunkScorer(Predictor.load(model_path), settings.k, settings.min_cell_lines,
                          settings.rank_by)


def score_chunk(index: int, entries: list) -> ChunkResult:
    """Score one chunk with this worker's model (:func:`load_scorer`)."""
    if _scorer is None:
        raise RuntimeError("no model loaded in this worker")
    return _scorer.score(index, entries)


class InProcess:
    """Chunks scored here, one at a time, on one thread (as a worker would)."""

    def __init__(self, scorer: ChunkScorer) -> None:
        self.scorer = scorer
        self.threads = torch.get_num_threads()
        torch.set_num_threads(1)

    def submit(self, index: int, entries: list) -> ChunkResult:
        return self.scorer.score(index, entries)

    def result(self, handle: ChunkResult) -> ChunkResult:
        return handle

    def close(self) -> None:
        torch.set_num_threads(self.threads)


class ProcessPool:
    """Chunks scored by ``workers`` processes (spawned: none inherits this one's threads)."""

    def __init__(self, model_path: Path, settings: ScoringSettings, workers: int) -> None:
        self.workers = workers
        self.pool = ProcessPoolExecutor(workers, multiprocessing.get_context("spawn"),
                                        initializer=load_scorer,
                                        initargs=(str(model_path), settings))

    def submit(self, index: int, entries: list) -> Future:
        return self.pool.submit(score_chunk, index, entries)

    def result(self, handle: Future) -> ChunkResult:
        return handle.result()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)

"""Library-screen chunks scored on a Ray cluster (the optional ``ray`` extra).

Only ``app.library`` imports this module, and only for ``--ray``: without it nothing imports Ray.
The model file is put in Ray's object store once and each worker (an actor holding one CPU)
loads it once; chunks go to the workers in turn and come back in order.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import ray

from oncokg.app.workers import ScoringSettings, load_scorer, score_chunk
from oncokg.contract.errors import OncoKGError
from oncokg.gnn.library import ChunkResult


class RayUnavailable(OncoKGError, ConnectionError):
    """No Ray cluster answers at the address given."""


class ChunkWorker:
    """One Ray worker: the model loaded once from the object store, one thread."""

    def __init__(self, model: bytes, settings: ScoringSettings) -> None:
        with tempfile.NamedTemporaryFile(suffix=".pt") as handle:
            handle.write(model)
            handle.flush()
            load_scorer(handle.name, settings)

    def score(self, index: int, entries: list) -> ChunkResult:
        return score_chunk(index, entries)


class RayPool:
    """Chunks scored by ``workers`` Ray actors, on the cluster at ``address``.

    ``address`` is a cluster's address (``ray://host:10001`` or ``host:6379``), ``auto`` (the
    cluster this machine belongs to) or ``local`` (a cluster of ``workers`` CPUs started here
    for the screen and stopped after it).
    """

    def __init__(self, address: str, model_path: Path, settings: ScoringSettings,
                 workers: int) -> None:
        self.started = not ray.is_initialized()
        if self.started:
            try:
                if address == "local":
                    ray.init(num_cpus=workers, include_dashboard=False,
                             log_to_driver=False)
                else:
                    ray.init(address=address, log_to_driver=False)
            except ConnectionError as error:
                raise RayUnavailable(f"no Ray cluster at {address!r}: {error}") from None
        model = ray.put(Path(model_path).read_bytes())  # broadcast once
        actor = ray.remote(num_cpus=1)(ChunkWorker)
        self.workers = [actor.remote(model, settings) for _ in range(max(1, workers))]
        self.turn = 0

    def submit(self, index: int, entries: list):
        worker = self.workers[self.turn % len(self.workers)]
        self.turn += 1
        return worker.score.remote(index, entries)

    def result(self, handle) -> ChunkResult:
        return ray.get(handle)

    def close(self) -> None:
        for worker in self.workers:
            ray.kill(worker)
        if self.started:
            ray.shutdown()

"""Library screens: chunks scored in parallel, written as shards, resumed after a kill.

``screen_library`` reads a library in chunks (``gnn.library``), scores them in this process, in
a pool of worker processes (``workers``) or on a Ray cluster (``ray_address``, see
``app.ray_workers``), and writes under ``out_dir``:

- ``manifest.json``: the arguments' fingerprint (model version, the library's size and SHA-256,
  chunk size, k, ranking). A rerun with the same arguments resumes; with others it stops with
  :class:`LibraryScreenError` naming what differs, unless ``fresh`` starts over;
- ``chunks/NNNNNN.compounds.parquet`` (each compound's top k), ``chunks/NNNNNN.top.parquet``
  (each query's top k compounds of the chunk) and ``chunks/NNNNNN.json``, the chunk's commit
  record (counts, invalid lines), written last. Every file is written to a temporary name and
  renamed, so a killed screen leaves whole chunks or none, and a rerun redoes only the chunks
  without a commit record;
- ``top_k.parquet``/``top_k.csv``: each query's top k compounds over the whole library, and
  ``invalid_lines.csv``.

Each worker loads the model once and uses one thread, and chunks are the same whoever scores
them, so every backend (``app.workers``, ``app.ray_workers``) gives the same results.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from oncokg.app.workers import InProcess, ProcessPool, ScoringSettings
from oncokg.contract.errors import OncoKGError
from oncokg.gnn.library import (
    CHUNK_SIZE,
    ChunkResult,
    ChunkScorer,
    InvalidLine,
    LibrarySource,
    TopK,
)
from oncokg.gnn.predict import Predictor
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.vocabulary import known_compounds

Say = Callable[[str], None]
#: Libraries ``named_library`` builds from the sources.
LIBRARIES = ("known-compounds",)
#: Invalid lines kept in memory for the report and the log (all are in invalid_lines.csv).
SHOWN_INVALID = 200
MANIFEST_VERSION = 1


class LibraryScreenError(OncoKGError, ValueError):
    """A library screen that cannot start: its output holds a screen with other arguments."""


@dataclass
class LibraryScreen:
    """What a library screen did and where its results are."""

    out_dir: Path
    top: pd.DataFrame
    n_read: int = 0
    n_scored: int = 0
    n_invalid: int = 0
    n_chunks: int = 0
    resumed_chunks: int = 0
    skipped: list[InvalidLine] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


# -- the screen ---------------------------------------------------------------------------------
def screen_library(model_path: str | os.PathLike | None, source: LibrarySource,
                   out_dir: str | os.PathLike, settings: ScoringSettings | None = None,
                   chunk_size: int = CHUNK_SIZE, workers: int = 1,
                   ray_address: str | None = None, fresh: bool = False,
                   say: Say = lambda _: None, predictor: Predictor | None = None,
                   progress: Callable[[ChunkResult], None] | None = None) -> LibraryScreen:
    """Screen ``source`` chunk by chunk into ``out_dir``, resuming a screen found there.

    ``workers`` processes (1: this process; with ``ray_address``, Ray workers) each load the
    model from ``model_path`` once; ``predictor`` (already loaded) serves this process only.
    ``progress`` is called with each chunk once it is committed.
    """
    settings = settings or ScoringSettings()
    out = Path(out_dir)
    chunks_dir = out / "chunks"
    if predictor is None:
        if model_path is None:
            raise LibraryScreenError("a library screen needs a model file or a loaded model")
        predictor = Predictor.load(model_path)
    fingerprint = _fingerprint(predictor, source, settings, chunk_size)
    done = _prepare(out, fingerprint, fresh, say)
    chunks = source.chunks(chunk_size)
    ahead = list(itertools.islice(chunks, 2))
    if len(ahead) < 2:  # the whole library is one chunk: no worker would have a second
        workers, ray_address = 1, None
    backend = _backend(model_path, predictor, settings, workers, ray_address, out)
    window = 2 * max(1, workers)
    pending: deque = deque()
    total = 0
    try:
        for index, entries in enumerate(itertools.chain(ahead, chunks)):
            total = index + 1
            if index in done:
                continue
            pending.append(backend.submit(index, entries))
            while len(pending) >= window:
                _commit(chunks_dir, backend.result(pending.popleft()), say, progress)
        while pending:
            _commit(chunks_dir, backend.result(pending.popleft()), say, progress)
    finally:
        backend.close()
    if not total:
        raise LibraryScreenError(f"{source.path}: no compounds found")
    result = _merge(out, total, settings.k)
    result.resumed_chunks = len([i for i in done if i < total])
    return result


def _fingerprint(predictor: Predictor, source: LibrarySource, settings: ScoringSettings,
                 chunk_size: int) -> dict:
    """Everything a screen's results depend on."""
    digest = hashlib.sha256()
    try:
        with open(source.path, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except OSError as error:
        raise LibraryScreenError(f"{source.path}: cannot read ({error.strerror})") from None
    return {"version": MANIFEST_VERSION, "model_version": predictor.model_version,
            "library": {"name": source.path.name, "bytes": source.path.stat().st_size,
                        "sha256": digest.hexdigest(), "column": source.column,
                        "name_column": source.name_column},
            "chunk_size": chunk_size, **asdict(settings)}


def _prepare(out: Path, fingerprint: dict, fresh: bool, say: Say) -> set[int]:
    """Write or check the manifest; the chunks already committed under ``out``."""
    manifest = out / "manifest.json"
    chunks_dir = out / "chunks"
    if manifest.exists() and not fresh:
        found = json.loads(manifest.read_text())
        if found != fingerprint:
            differs = [key for key in fingerprint if found.get(key) != fingerprint[key]]
            raise LibraryScreenError(
                f"{out} holds a screen with other arguments ({', '.join(differs)} differ); "
                f"rerun with the same ones to resume it, or start over with --fresh or "
                f"another --out")
        done = {int(p.stem) for p in chunks_dir.glob("*.json")}
        if done:
            say(f"resuming: {len(done):,} chunks already screened in {out}")
        return done
    if chunks_dir.exists():
        shutil.rmtree(chunks_dir)
    for stale in ("top_k.parquet", "top_k.csv", "invalid_lines.csv"):
        (out / stale).unlink(missing_ok=True)
    chunks_dir.mkdir(parents=True)
    _write_text(manifest, json.dumps(fingerprint, indent=2))
    return set()


def _backend(model_path, predictor: Predictor, settings: ScoringSettings, workers: int,
             ray_address: str | None, out: Path):
    if ray_address is None and workers <= 1:
        return InProcess(ChunkScorer(predictor, settings.k, settings.min_cell_lines,
                                     settings.rank_by))
    if model_path is None:  # workers load the model from a file: save the loaded one
        model_path = out / "model.pt"
        predictor.artifact.save(model_path)
    if ray_address is not None:
        try:
            from oncokg.app.ray_workers import RayPool  # optional Ray: imported only when asked
        except ModuleNotFoundError as error:
            raise LibraryScreenError(f"--ray needs Ray ({error}): pip install 'oncokg[ray]'"
                                     ) from None
        return RayPool(ray_address, Path(model_path), settings, workers)
    return ProcessPool(Path(model_path), settings, workers)


def _commit(chunks_dir: Path, result: ChunkResult, say: Say,
            progress: Callable[[ChunkResult], None] | None = None) -> None:
    """Write one chunk's shards, then its commit record (each atomically)."""
    stem = chunks_dir / f"{result.index:06d}"
    _write_parquet(result.compounds, stem.with_suffix(".compounds.parquet"))
    _write_parquet(result.top.to_frame(), stem.with_suffix(".top.parquet"))
    record = {"index": result.index, "n_read": result.n_read, "n_scored": result.n_scored,
              "skipped": [asdict(s) for s in result.skipped]}
    _write_text(stem.with_suffix(".json"), json.dumps(record))
    for skipped in result.skipped[:3]:
        say(f"line {skipped.line} skipped: {skipped.reason}")
    if len(result.skipped) > 3:
        say(f"... {len(result.skipped) - 3} more invalid lines in chunk {result.index}")
    if progress is not None:
        progress(result)


def _merge(out: Path, n_chunks: int, k: int) -> LibraryScreen:
    """Fold every chunk's per-query top k into the library's, with counts and invalid lines."""
    chunks_dir = out / "chunks"
    top = None
    result = LibraryScreen(out, pd.DataFrame(), n_chunks=n_chunks)
    invalid_path = out / "invalid_lines.csv"
    tmp = invalid_path.with_name(invalid_path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as invalid:
        invalid.write("line,text,reason\n")
        for index in range(n_chunks):
            stem = chunks_dir / f"{index:06d}"
            record = json.loads(stem.with_suffix(".json").read_text())
            result.n_read += record["n_read"]
            result.n_scored += record["n_scored"]
            result.n_invalid += len(record["skipped"])
            if record["skipped"]:
                frame = pd.DataFrame(record["skipped"], columns=["line", "text", "reason"])
                frame.to_csv(invalid, header=False, index=False)
                room = SHOWN_INVALID - len(result.skipped)
                result.skipped += [InvalidLine(**s) for s in record["skipped"][:max(room, 0)]]
            chunk = TopK.from_frame(pd.read_parquet(stem.with_suffix(".top.parquet")))
            top = chunk if top is None else top.merge(chunk, k)
    os.replace(tmp, invalid_path)
    result.top = top.best_first().to_frame() if top is not None else pd.DataFrame()
    _write_parquet(result.top, out / "top_k.parquet")
    result.top.to_csv(out / "top_k.csv", index=False)
    result.files = [out / "top_k.parquet", out / "top_k.csv", invalid_path]
    return result


def named_library(name: str, folder: str | os.PathLike,
                  data_dir: str | os.PathLike | None = None) -> LibrarySource:
    """A library by name, written as Parquet under ``folder``: ``known-compounds`` is every
    compound with a structure in the drug sources (``loaders.vocabulary.known_compounds``), one
    per InChIKey. The same sources give the same file, so a screen of it resumes."""
    if name not in LIBRARIES:
        raise LibraryScreenError(f"unknown library {name!r}; use one of {LIBRARIES}")
    path = Path(folder) / f"{name}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_parquet(known_compounds(Fetcher(data_dir)), path)
    return LibrarySource(path, "smiles", "name")


def compound_shards(out_dir: str | os.PathLike) -> Iterator[pd.DataFrame]:
    """Each compound's top k, one chunk's shard at a time, in library order."""
    for path in sorted((Path(out_dir) / "chunks").glob("*.compounds.parquet")):
        yield pd.read_parquet(path)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)

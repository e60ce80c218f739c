"""Library screens: streamed in chunks, bounded top k, resumed after a kill, same on every
backend. Small models trained on a synthetic export (no Neo4j)."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
import torch

from oncokg.app.library import LibraryScreenError, compound_shards, screen_library
from oncokg.app.pipeline import ScreenRequest, run_screen
from oncokg.app.workers import ScoringSettings
from oncokg.gnn.library import ChunkScorer, LibrarySource
from oncokg.gnn.predict import PredictionError, Predictor
from oncokg.gnn.synthetic import SCAFFOLDS, SUBSTITUENTS, make_synthetic_export
from oncokg.gnn.train import train

GROUPS = SUBSTITUENTS + ("CCCC", "CCO", "CC(=O)N", "CCOC")


def library_lines(n: int) -> list[str]:
    """``n`` compounds: the synthetic scaffolds with varied substituents, repeating."""
    combos = itertools.cycle(itertools.product(SCAFFOLDS, GROUPS))
    return [f"{scaffold.format(R=group)} cmpd-{i}"
            for i, (scaffold, group) in zip(range(n), combos, strict=False)]


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    export = make_synthetic_export(seed=0)
    out = {}
    for task in ("drug-response", "drug-target"):
        path = tmp_path_factory.mktemp("models") / f"{task}.pt"
        train(export, task=task, split="random", seeds=(0,), epochs=5, hidden=16,
              baselines=False, artifact_path=path, progress=False)
        out[task] = path
    return out


def test_library_formats_stream_the_same_entries_in_chunks(tmp_path):
    lines = library_lines(7)
    text = "# a comment\nsmiles name\n" + "\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:])
    (tmp_path / "lib.smi").write_text(text)
    with gzip.open(tmp_path / "lib.smi.gz", "wt") as handle:
        handle.write(text)
    table = pd.DataFrame({"ID": [s.split()[1] for s in lines],
                          "SMILES": [s.split()[0] for s in lines]})
    table.to_csv(tmp_path / "lib.csv", index=False)
    table.to_parquet(tmp_path / "lib.parquet")
    smi = [e for c in LibrarySource(tmp_path / "lib.smi").chunks(3) for e in c]
    assert [len(c) for c in LibrarySource(tmp_path / "lib.smi").chunks(3)] == [3, 3, 1]
    assert [e[0] for e in smi] == [3, 4, 5, 7, 8, 9, 10]  # file lines, blanks skipped
    assert smi == [e for c in LibrarySource(tmp_path / "lib.smi.gz").chunks(2) for e in c]
    for name, first_line in (("lib.csv", 2), ("lib.parquet", 1)):
        entries = [e for c in LibrarySource(tmp_path / name).chunks(4) for e in c]
        assert [(s, n) for _, s, n in entries] == [(s, n) for _, s, n in smi]
        assert entries[0][0] == first_line
    with pytest.raises(PredictionError, match="no column 'structure'"):
        next(LibrarySource(tmp_path / "lib.csv", column="structure").chunks())


@pytest.mark.parametrize("task", ["drug-response", "drug-target"])
def test_library_top_k_is_the_best_of_every_compound_and_bad_lines_are_reported(
        task, artifacts, tmp_path):
    lines = library_lines(40)
    lines[5] = "C1CC( broken"
    lines[17] = "C" * 6_000 + " huge"
    (tmp_path / "lib.smi").write_text("\n".join(lines) + "\n")
    run = screen_library(artifacts[task], LibrarySource(tmp_path / "lib.smi"), tmp_path / "out",
                         ScoringSettings(k=4, min_cell_lines=1), chunk_size=8)
    assert (run.n_read, run.n_scored, run.n_invalid, run.n_chunks) == (40, 38, 2, 5)
    assert [s.line for s in run.skipped] == [6, 18]
    invalid = pd.read_csv(tmp_path / "out" / "invalid_lines.csv")
    assert invalid["line"].tolist() == [6, 18] and "characters" in invalid["reason"][1]
    # Every query's top 4 are its 4 best compounds of the whole library.
    predictor = Predictor.load(artifacts[task])
    scorer = ChunkScorer(predictor, k=4, min_cell_lines=1)
    x, valid, _ = scorer.featurize([(i + 1, s.split()[0], "") for i, s in enumerate(lines)])
    # the dense score matrix (a target model that is its prior ranks sparse votes instead)
    full = (predictor.new_compound_targets(x) if task == "drug-target"
            else scorer.matrices(x)["score"])
    top = run.top
    assert set(top["query"]) == set(scorer.query_keys) and len(top) == 4 * len(scorer.queries)
    lines_of = np.array([e[0] for e in valid])
    for q, key in enumerate(scorer.query_keys):
        best = np.sort(full[:, q])[::-1][:4]
        assert np.allclose(top.loc[top["query"] == key, "score"], best, atol=1e-4)
        assert top.loc[top["query"] == key, "rank"].tolist() == [1, 2, 3, 4]
        assert set(top.loc[top["query"] == key, "line"]) <= set(lines_of)
    # Queries come best first; each compound's own ranking is in the shards.
    assert top.groupby("query", sort=False)["score"].max().is_monotonic_decreasing
    per_compound = pd.concat(list(compound_shards(tmp_path / "out")))
    assert sorted(per_compound["line"].unique()) == sorted(lines_of)
    assert (per_compound.groupby("line")["rank"].max() == 4).all()


@pytest.mark.parametrize("task", ["drug-response", "drug-target"])
def test_a_compound_scores_the_same_alone_and_among_its_analogues(task, artifacts):
    """New compounds join the graph only as receivers: one never moves another's embedding
    (through the graph drugs they share as neighbours), so neither batch nor chunk matters."""
    scaffold = SCAFFOLDS[0]
    entries = [(i + 1, scaffold.format(R=group), "") for i, group in enumerate(GROUPS)]
    predictor = Predictor.load(artifacts[task])
    scorer = ChunkScorer(predictor, k=1_000, min_cell_lines=1)
    x, valid, _ = scorer.featurize(entries)
    assert len(valid) == len(entries)
    assert all(len(found) for found in predictor.similar_drugs_of(x))  # shared neighbours
    together = predictor.new_compound_embeddings(x)
    for i in range(len(x)):
        alone = predictor.new_compound_embeddings(x[i:i + 1])[0]
        assert torch.allclose(together[i], alone, atol=1e-6)
    chunk = scorer.score(0, entries).compounds
    for entry in entries[:3]:
        alone = scorer.score(0, [entry]).compounds
        mine = chunk[chunk["line"] == entry[0]]
        assert np.allclose(mine["score"].to_numpy(), alone["score"].to_numpy(), atol=1e-6)


def _screen(model, library, out, *extra):
    """The CLI's screen of a library, in a process of its own."""
    return subprocess.Popen(
        [sys.executable, "-c", "from oncokg.app.cli import main; main()", "screen",
         "--model", str(model), "--smiles-file", str(library), "--no-evidence",
         "--chunk-size", "8", "-k", "3", "--out", str(out), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"})


def test_a_killed_screen_resumes_to_exactly_the_uninterrupted_result(artifacts, tmp_path):
    library = tmp_path / "lib.smi"
    library.write_text("\n".join(library_lines(800)) + "\n")
    model = artifacts["drug-response"]
    whole = _screen(model, library, tmp_path / "whole", "--workers", "1")
    killed = _screen(model, library, tmp_path / "killed", "--workers", "1")
    chunks = tmp_path / "killed" / "library" / "chunks"
    deadline = time.monotonic() + 120
    while len(list(chunks.glob("*.json"))) < 3 and killed.poll() is None:
        assert time.monotonic() < deadline, "the screen committed no chunk in 2 minutes"
        time.sleep(0.01)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert killed.returncode == -signal.SIGKILL
    done = len(list(chunks.glob("*.json")))
    assert 3 <= done < 100  # killed mid-run
    resumed = _screen(model, library, tmp_path / "killed", "--workers", "1")
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert f"resuming: {done:,} chunks already screened" in err
    assert whole.wait(timeout=300) == 0
    a, b = tmp_path / "whole" / "library", tmp_path / "killed" / "library"
    assert pd.read_parquet(a / "top_k.parquet").equals(pd.read_parquet(b / "top_k.parquet"))
    shards = sorted(p.name for p in (a / "chunks").glob("*.parquet"))
    assert len(shards) == 200 and shards == sorted(p.name for p in (b / "chunks").glob("*.parquet"))
    for name in shards:
        assert pd.read_parquet(a / "chunks" / name).equals(pd.read_parquet(b / "chunks" / name))
    # Other arguments in the same folder: refused, naming what differs; --fresh starts over.
    other = _screen(model, library, tmp_path / "killed", "--workers", "1", "-k", "5")
    _, err = other.communicate(timeout=300)
    assert other.returncode == 1 and "k differ" in err and "--fresh" in err


def test_a_changed_library_is_refused_and_fresh_starts_over(artifacts, tmp_path):
    library = tmp_path / "lib.smi"
    library.write_text("\n".join(library_lines(20)) + "\n")
    settings = ScoringSettings(k=2, min_cell_lines=1)
    model = artifacts["drug-target"]
    screen_library(model, LibrarySource(library), tmp_path / "out", settings, chunk_size=8)
    library.write_text("\n".join(library_lines(21)) + "\n")
    with pytest.raises(LibraryScreenError, match="library differ"):
        screen_library(model, LibrarySource(library), tmp_path / "out", settings, chunk_size=8)
    run = screen_library(model, LibrarySource(library), tmp_path / "out", settings,
                         chunk_size=8, fresh=True)
    assert run.n_read == 21 and run.resumed_chunks == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["library"]["bytes"] == library.stat().st_size and manifest["k"] == 2
    library.write_text("# only a comment\n\n")
    with pytest.raises(LibraryScreenError, match="no compounds found"):
        screen_library(model, LibrarySource(library), tmp_path / "empty", settings)


def test_worker_processes_and_ray_give_the_same_top_k(artifacts, tmp_path):
    library = tmp_path / "lib.smi"
    library.write_text("\n".join(library_lines(60)) + "\n")
    model = artifacts["drug-response"]
    settings = ScoringSettings(k=3, min_cell_lines=1)

    def top(out, **how):
        run = screen_library(model, LibrarySource(library), tmp_path / out, settings,
                             chunk_size=8, **how)
        assert run.n_chunks == 8 and run.n_scored == 60
        shards = pd.concat(list(compound_shards(tmp_path / out)), ignore_index=True)
        return run.top, shards

    plain, shards = top("plain", workers=1)
    for out, how in (("pool", {"workers": 2}), ("ray1", {"workers": 1, "ray_address": "local"}),
                     ("ray2", {"workers": 2, "ray_address": "local"})):
        other, other_shards = top(out, **how)
        pd.testing.assert_frame_equal(plain, other, check_exact=True, obj=out)
        pd.testing.assert_frame_equal(shards, other_shards, check_exact=True, obj=out)


def test_a_screen_without_ray_never_imports_it(artifacts, tmp_path):
    library = tmp_path / "lib.smi"
    library.write_text("\n".join(library_lines(20)) + "\n")
    code = ("import sys; from pathlib import Path; from oncokg.app.cli import main; "
            "from oncokg.app.library import screen_library; "
            "from oncokg.gnn.library import LibrarySource; "
            f"screen_library({str(artifacts['drug-target'])!r}, LibrarySource(Path("
            f"{str(library)!r})), {str(tmp_path / 'out')!r}, chunk_size=8, workers=2); "
            "print('ray' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    assert len(list((tmp_path / "out" / "chunks").glob("*.json"))) == 3


def test_run_screen_writes_a_small_library_per_compound_and_its_top_k_once(artifacts, tmp_path):
    library = tmp_path / "lib.smi"
    library.write_text("\n".join(library_lines(12) + ["C1CC( broken"]) + "\n")
    output = run_screen(artifacts["drug-response"], ScreenRequest(smiles_file=library, k=3,
                                                                 workers=1), tmp_path / "out")
    per_compound, top = output.screens
    assert per_compound.candidates["line"].nunique() == 12
    assert [s.line for s in per_compound.skipped] == [13]
    assert (top.candidates.groupby("query")["rank"].max() == 3).all()
    written = sorted(p.name for p in (tmp_path / "out").glob("screen_*"))
    assert [name.split("_")[1] for name in written] == ["1", "1"]  # csv + parquet, no copy
    assert tmp_path / "out" / "library" / "top_k.csv" in output.files
    report = output.report.read_text()
    assert "best compounds of lib.smi" in report and "line 13" in report

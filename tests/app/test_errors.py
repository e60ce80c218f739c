"""Every command answers bad input with one line on stderr and a non-zero exit, never a traceback.

No Neo4j is needed: the commands fail on their input (or on the unreachable server they are
pointed at) before they would touch a graph.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from oncokg.app.cli import main
from oncokg.gnn.synthetic import make_synthetic_export
from oncokg.gnn.train import train

ONCOKG = Path(sys.executable).with_name("oncokg")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """A saved synthetic export, a small target model, a text file posing as a model."""
    base = tmp_path_factory.mktemp("cli-errors")
    export = make_synthetic_export(seed=0)
    export.save(base / "export")
    model = base / "targets.pt"
    train(export, task="drug-target", split="random", seeds=(0,), epochs=2, baselines=False,
          artifact_path=model, progress=False)
    (base / "notes.pt").write_text("not a model\n")
    return {"export": base / "export", "model": model, "text": base / "notes.pt",
            "missing": base / "missing.pt"}


CASES = {
    "unknown split for the task": ["train", "--task", "drug-target", "--split", "cold-cell",
                                   "--export", "{export}"],
    "unknown split in a list": ["evaluate", "--task", "drug-target", "--splits",
                                "random,cold-tumor", "--export", "{export}"],
    "unknown model name": ["train", "--model", "transformer-xl", "--export", "{export}"],
    "cross-study on targets": ["train", "--task", "drug-target", "--cross-study", "ccle_2012",
                               "--export", "{export}"],
    "unknown drug": ["predict", "--model", "{model}", "--drug", "Nonexistinib"],
    "unknown gene": ["predict", "--model", "{model}", "--gene", "NOTAGENE"],
    "wrong relation for the model": ["predict", "--model", "{model}", "--cell-line", "CL-1"],
    "invalid SMILES": ["predict", "--model", "{model}", "--smiles", "C1CC("],
    "missing model file": ["predict", "--model", "{missing}", "--drug", "DRUG0_0"],
    "text file as a model": ["predict", "--model", "{text}", "--drug", "DRUG0_0"],
    "missing export": ["train", "--export", "{missing}"],
    "unknown query": ["query", "no_such_query"],
    "unknown command": ["trian"],
    "unknown source": ["load", "--list", "--data-dir", "{missing}"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gives_one_line(case, files):
    args = [a.format(**files) for a in CASES[case]]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr


def test_neo4j_down_gives_one_line(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")
    monkeypatch.setenv("NEO4J_PASSWORD", "irrelevant")
    for args in (["stats"], ["query", "drug_targets", "--param", "drug=Erlotinib"],
                 ["cypher", "RETURN 1"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "127.0.0.1:9" in lines[0], result.stderr


def test_query_timeout_bounds_connecting_to_a_silent_server(monkeypatch, silent_server):
    monkeypatch.setenv("NEO4J_URI", silent_server)
    monkeypatch.setenv("NEO4J_PASSWORD", "irrelevant")
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["cypher", "RETURN 1", "--timeout", "1"])
    assert time.perf_counter() - started < 3  # not the 5 s a connection may otherwise take
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not reachable" in lines[0], result.stderr


@pytest.mark.parametrize("env", [{"NEO4J_URI": "garbage", "NEO4J_PASSWORD": "x"},
                                 {"NEO4J_URI": "bolt://127.0.0.1:notaport",
                                  "NEO4J_PASSWORD": "x"},
                                 {"ONCOKG_BOLT_PORT": "seven"},
                                 {"ONCOKG_BOLT_PORT": "70000"}])
def test_bad_connection_settings_give_one_line(monkeypatch, env):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert next(iter(env.values())) in lines[0]


@pytest.mark.parametrize("command", [["neo4j", "status"], ["neo4j", "stop"],
                                     ["neo4j", "start"]])
def test_unusable_oncokg_home_gives_one_line(monkeypatch, tmp_path, command):
    home = tmp_path / "a-file"
    home.write_text("not a folder\n")
    monkeypatch.setenv("ONCOKG_HOME", str(home))
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "a-file" in lines[0], result.stderr


def test_a_normal_prediction_prints_no_warnings(files):
    """The installed command, as a user runs it: a clean table, nothing on stderr."""
    done = subprocess.run([str(ONCOKG), "predict", "--model", str(files["model"]),
                           "--drug", "synthinib-00", "--top-k", "3"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "synthinib" in done.stdout.lower()

"""Screens on a small model trained on the real graph: ranked, flagged, explained, written back."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from oncokg import queries
from oncokg.app.cli import main
from oncokg.app.pipeline import ScreenRequest, run_screen
from oncokg.gnn.predict import Predictor
from oncokg.gnn.screen import Screen
from oncokg.gnn.train import train
from oncokg.kg.export import export_graph
from oncokg.queries.evidence import explain
from oncokg.queries.runner import Runner

SMILES = """# name after the SMILES
COc1cc(N(C)CCN(C)C)c(NC(=O)C=C)cc1Nc1nccc(-c2cn(C)c3ccccc23)n1 osimertinib-like
C1CC(N(C1 broken
CC(=O)Oc1ccccc1C(=O)O aspirin
"""


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """A response and a target model, a few epochs each, on the real graph's export."""
    return {}


def _model(models, loaded_graph, tmp_path_factory, task: str) -> Predictor:
    if task not in models:
        if "export" not in models:
            models["export"] = export_graph(loaded_graph)
        path = tmp_path_factory.mktemp("models") / f"{task}.pt"
        train(models["export"], task=task, split="random", seeds=(0,), epochs=3, hidden=16,
              baselines=False, artifact_path=path, progress=False)
        models[task] = path
    return Predictor.load(models[task])


def test_tumor_screen_is_ranked_flagged_and_calibrated(models, loaded_graph, tmp_path_factory):
    predictor = _model(models, loaded_graph, tmp_path_factory, "drug-response")
    result = Screen(predictor, progress=False).drugs_for("tumor", ["MEL", "LUAD"], k=15)
    frame = result.candidates
    assert set(frame["query"]) == {"MEL", "LUAD"}
    for _, group in frame.groupby("query"):
        assert group["rank"].tolist() == list(range(1, 16))
        assert group["score"].is_monotonic_decreasing
        assert group["probability"].between(0, 1).all()
        assert group["n_cell_lines"].iloc[0] >= 20
    # Ranked by selectivity: potency in the query's lines minus potency in every line.
    assert np.allclose(frame["score"], frame["selectivity"])
    assert np.allclose(frame["selectivity"], frame["potency"] - frame["background"])
    assert (frame["ranked_by"] == "selectivity").all()
    by_potency = Screen(predictor, progress=False).drugs_for(
        "tumor", ["MEL"], k=10_000, rank_by="potency").candidates
    assert np.allclose(by_potency["score"], by_potency["potency"])
    assert by_potency["potency"].is_monotonic_decreasing
    mel = frame[frame["query"] == "MEL"].set_index("drug")["background"]
    assert np.allclose(mel, by_potency.set_index("drug").loc[mel.index, "background"])
    # A drug measured sensitive in melanoma lines is flagged as known, and can be excluded.
    all_mel = Screen(predictor, progress=False).drugs_for("tumor", ["MEL"], k=10_000).candidates
    assert all_mel["known"].any() and not all_mel["known"].all()
    excluded = Screen(predictor, progress=False).drugs_for(
        "tumor", ["MEL"], k=50, exclude_known=True).candidates
    assert not excluded["known"].any()


def test_evidence_paths_run_and_return_that_path(loaded_graph):
    runner = Runner(loaded_graph)
    drug = runner.cypher("MATCH (d:Drug) WHERE toLower(d.name) = 'dabrafenib' "
                         "RETURN d.id AS id")["id"][0]
    for label, ends in (("TumorType", ["MEL"]), ("CellLine", ["906793"]),
                        ("Gene", ["MAP2K1", "RAF1"])):
        paths = explain(runner, drug, label, ends, per_kind=2)
        assert not paths.empty, label
        for row in paths.itertuples():
            found = runner.cypher(row.cypher, row.params)
            assert len(found) == 1, row.path
            nodes = found["p"][0]  # the runner writes a path as its nodes
            assert len(nodes) == len(row.params)
            assert nodes[0]["id"] == drug and row.end in nodes[-1].values()
    kinds = set(explain(runner, drug, "TumorType", ["MEL"])["kind"])
    assert {"sensitive cell line", "target mutated in cell line"} <= kinds


def test_screen_writes_files_report_and_predictions_once(models, loaded_graph,
                                                         tmp_path_factory, tmp_path):
    predictor = _model(models, loaded_graph, tmp_path_factory, "drug-response")
    smiles = tmp_path / "new.smi"
    smiles.write_text(SMILES)
    request = ScreenRequest(tumor=["MEL"], smiles_file=smiles, k=5, explain_top=5)

    def predicted() -> int:
        with loaded_graph.session() as session:
            return session.run("MATCH ()-[r:PREDICTED_RESPONSE {model_version: $v}]->() "
                               "RETURN count(r) AS n", v=predictor.model_version).single()["n"]

    first = run_screen(None, request, tmp_path / "out", loaded_graph, write_back=True,
                       predictor=predictor)
    written = predicted()
    assert written == first.written > 0
    second = run_screen(None, request, tmp_path / "out", loaded_graph, write_back=True,
                        predictor=predictor)
    assert predicted() == written and second.removed == written
    # `known` is each (drug, cell line) pair's own measured sensitivity, not the drug's
    with loaded_graph.session() as session:
        flags = session.run(
            "MATCH (d:Drug)-[p:PREDICTED_RESPONSE {model_version: $v}]->(c:CellLine) "
            "OPTIONAL MATCH (d)-[m:RESPONSE]->(c) WITH p, collect(m.sensitive) AS measured "
            "RETURN p.known AS known, any(x IN measured WHERE x) AS sensitive",
            v=predictor.model_version).data()
    assert any(f["known"] for f in flags) and not all(f["known"] for f in flags)
    assert all(f["known"] == bool(f["sensitive"]) for f in flags)
    compounds = first.screens[1]
    assert [s.line for s in compounds.skipped] == [3]
    assert set(compounds.candidates["drug_name"]) == {"osimertinib-like", "aspirin"}
    report = first.report.read_text()
    assert "calibration" in report and "MEL" in report and "line 3" in report
    csv = pd.read_csv(next((tmp_path / "out").glob("screen_1_*.csv")))
    assert len(csv) == 5 and {"rank", "score", "probability", "known"} <= set(csv.columns)


def test_target_screen_ranks_genes_and_flags_known_targets(models, loaded_graph,
                                                           tmp_path_factory):
    predictor = _model(models, loaded_graph, tmp_path_factory, "drug-target")
    result = Screen(predictor, progress=False).targets_for(["Erlotinib"], k=1_000_000)
    frame = result.candidates
    assert frame.loc[frame["gene"] == "EGFR", "known"].item()
    assert frame["score"].is_monotonic_decreasing
    top = Screen(predictor, progress=False).targets_for(
        ["Erlotinib"], k=10, exclude_known=True).candidates
    assert not top["known"].any() and "EGFR" not in set(top["gene"])


SPELLINGS = ("AZD-6244", "selumetinib", "Selumetinib ", "AZD6244")


def _drugs_named(name: str, model: str, out) -> set[str]:
    """The drug keys that `oncokg query`, `oncokg predict` and `oncokg screen` report for a
    typed name."""
    cli = CliRunner()
    found = set()
    query = cli.invoke(main, ["query", "drug_targets", "--param", f"drug={name}", "-f", "json"])
    assert query.exit_code == 0, query.stderr
    found |= {row["drug_id"] for row in json.loads(query.stdout)}
    predict = cli.invoke(main, ["predict", "--model", model, "--drug", name, "-f", "json"])
    assert predict.exit_code == 0, predict.stderr
    found |= {row["drug"] for row in json.loads(predict.stdout)}
    screen = cli.invoke(main, ["screen", "--model", model, "--drug", name, "--no-evidence",
                               "--out", str(out)])
    assert screen.exit_code == 0, screen.stderr
    for table in out.glob("screen_*.csv"):
        found |= set(pd.read_csv(table)["drug"])
    return found


def test_one_resolver_for_every_spelling_and_every_path(models, loaded_graph, tmp_path_factory,
                                                        tmp_path):
    _model(models, loaded_graph, tmp_path_factory, "drug-response")
    model = str(models["drug-response"])
    selumetinib = Runner(loaded_graph).cypher(
        "MATCH (d:Drug {name: 'Selumetinib'}) RETURN d.id AS id")["id"].tolist()
    assert len(selumetinib) == 1
    for number, name in enumerate(SPELLINGS):
        through_api = set(queries.run("drug_targets", drug=name, driver=loaded_graph)["drug_id"])
        assert through_api == set(selumetinib), name
        assert _drugs_named(name, model, tmp_path / str(number)) == set(selumetinib), name
    # Torisel is a synonym of both temsirolimus and rapamycin: refused everywhere, never picked.
    with pytest.raises(queries.QueryError, match="ambiguous drug 'Torisel'"):
        queries.run("drug_targets", drug="Torisel", driver=loaded_graph)
    cli = CliRunner()
    for args in (["query", "drug_targets", "--param", "drug=Torisel"],
                 ["predict", "--model", model, "--drug", "Torisel"],
                 ["screen", "--model", model, "--drug", "Torisel", "--no-evidence",
                  "--out", str(tmp_path / "ambiguous")]):
        result = cli.invoke(main, args)
        assert result.exit_code == 1 and "ambiguous drug 'Torisel'" in result.stderr, args


def test_a_screen_into_a_log_draws_no_progress_bars(models, loaded_graph, tmp_path_factory,
                                                    tmp_path, capfd):
    """Stderr is not a terminal here (as in `make demo > demo.log`): plain lines only."""
    _model(models, loaded_graph, tmp_path_factory, "drug-response")
    run_screen(models["drug-response"], ScreenRequest(tumor=("MEL", "LUAD", "BRCA"), k=3),
               tmp_path, say=print)
    captured = capfd.readouterr()
    assert "model Predictor" in captured.out
    assert "\r" not in captured.err + captured.out

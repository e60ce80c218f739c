"""``oncokg query`` and ``oncokg cypher`` on the loaded graph: the same path as the API."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from oncokg import queries
from oncokg.app.cli import main


@pytest.fixture
def oncokg(loaded_graph):
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None):
        return runner.invoke(main, list(args), input=stdin)

    return invoke


def test_list_and_show(oncokg):
    listed = oncokg("query", "--list")
    assert listed.exit_code == 0
    for name in queries.library():
        assert name in listed.stdout
    shown = oncokg("query", "similar_drugs", "--show")
    assert shown.exit_code == 0
    assert "min_similarity (float, default 0.1, example 0.2)" in shown.stdout
    assert "MATCH (d:Drug {id: $drug})" in shown.stdout


def test_query_formats(oncokg):
    table = oncokg("query", "drug_targets", "--param", "drug=erlotinib")
    assert table.exit_code == 0, table.output
    assert "EGFR" in table.stdout and "Erlotinib" in table.stdout
    csv = oncokg("query", "drug_targets", "-p", "drug=Gefitinib", "--format", "csv")
    header, *rows = csv.stdout.splitlines()
    assert header == "drug,drug_id,gene,gene_name,actions,sources,pmids"
    assert any(",EGFR," in row for row in rows)
    rows = json.loads(oncokg("query", "top_mutated_genes", "-p", "tumor=MEL", "-p", "top=3",
                             "-f", "json").stdout)
    assert len(rows) == 3 and rows[0]["gene"] == "BRAF"


def test_limit_note_goes_to_stderr(oncokg):
    result = oncokg("query", "drug_targets", "-p", "drug=Erlotinib", "--limit", "1",
                    "-f", "json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 1
    assert "note: query 'drug_targets' returned more than 1 row" in result.stderr


def test_ad_hoc_cypher(oncokg):
    result = oncokg("cypher", "MATCH (d:Drug)-[:TARGETS]->(g:Gene {symbol: $gene}) "
                    "WHERE d.name = $name RETURN d.name AS drug, $n + 1 AS n",
                    "-p", "gene=EGFR", "-p", "name=Gefitinib", "-p", "n:=41", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"drug": "Gefitinib", "n": 42}]
    piped = oncokg("cypher", "-", "-f", "csv", stdin="MATCH (t:TumorType {code: 'MEL'}) "
                   "RETURN t.name AS name")
    assert piped.stdout.splitlines() == ["name", "Melanoma"]


@pytest.mark.parametrize("args, message", [
    (("query", "no_such_query"), "unknown query 'no_such_query'"),
    (("query", "drug_targets"), "missing parameter 'drug'"),
    (("query", "top_mutated_genes", "-p", "tumor=MEL", "-p", "top=many"),
     "parameter 'top' must be an integer, got 'many'"),
    (("query", "drug_targets", "-p", "drug"), "expected KEY=VALUE"),
    (("cypher", "MATCH (d:Drug) SET d.name = 'x'"), "refused: the query is not read-only"),
    (("cypher", "LOAD CSV FROM 'file:///etc/passwd' AS r RETURN r"), "LOAD CSV is not allowed"),
    (("cypher", "MATCH (n RETURN n"), "Cypher syntax error"),
])
def test_errors_are_one_clean_line(oncokg, args, message):
    result = oncokg(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_command_line_defaults_are_the_runners():
    for command in ("query", "cypher"):
        options = {p.name: p.default for p in main.commands[command].params}
        assert options["limit"] == queries.DEFAULT_LIMIT
        assert options["timeout"] == queries.DEFAULT_TIMEOUT_S

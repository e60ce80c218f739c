"""The batched writer against the real Neo4j: idempotence, updates, refusals, provenance."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from oncokg.contract.schema import SchemaError
from oncokg.contract.tables import NodeTable, RelTable
from oncokg.kg.predictions import write_predictions
from oncokg.kg.writer import GraphWriter, WriteError, apply_schema
from tests.conftest import counts


def genes(n: int = 50, source: str = "test:1") -> NodeTable:
    return NodeTable("Gene", pd.DataFrame({
        "symbol": [f"G{i}" for i in range(n)],
        "entrez_id": [str(1000 + i) for i in range(n)],
        "sources": [[source]] * n,
    }))


def drugs(n: int = 10) -> NodeTable:
    return NodeTable("Drug", pd.DataFrame({"id": [f"D{i}" for i in range(n)],
                                           "name": [f"drug {i}" for i in range(n)]}))


def targets(pairs, source: str = "test:1", action: str = "inhibitor") -> RelTable:
    return RelTable("TARGETS", pd.DataFrame({
        "start": [d for d, _ in pairs], "end": [g for _, g in pairs],
        "sources": [[source]] * len(pairs), "actions": [[action]] * len(pairs),
    }))


def test_schema_apply_twice_changes_nothing(empty_graph):
    with empty_graph.session() as session:
        before = session.run("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS n").single()["n"]
        apply_schema(empty_graph)
        after = session.run("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS n").single()["n"]
    assert sorted(before) == sorted(after)
    assert "gene_symbol_unique" in after and "drug_id_unique" in after


def test_writing_twice_leaves_counts_unchanged(empty_graph):
    writer = GraphWriter(empty_graph, batch_size=7)
    pairs = [(f"D{i % 10}", f"G{i}") for i in range(40)]
    first = writer.write([genes(), drugs()], [targets(pairs)])
    snapshot = counts(empty_graph)
    second = writer.write([genes(), drugs()], [targets(pairs)])
    assert counts(empty_graph) == snapshot
    assert first.created == 50 + 10 + 40
    assert second.created == 0
    assert snapshot["node:Gene"] == 50 and snapshot["rel:TARGETS"] == 40


def test_updates_in_place_and_merges_sources(empty_graph):
    writer = GraphWriter(empty_graph)
    writer.write([genes(3, "a:1"), drugs(1)], [targets([("D0", "G1")], "a:1", "inhibitor")])
    changed = genes(3, source="b:2")
    changed.rows["name"] = ["zero", "one", "two"]
    writer.write([changed], [targets([("D0", "G1")], "b:2", "antagonist")])
    # A third write without `name` must not erase it.
    writer.write([genes(3, source="a:1")])
    with empty_graph.session() as session:
        gene = session.run("MATCH (g:Gene {symbol:'G1'}) RETURN g").single()["g"]
        rel = session.run("MATCH (:Drug {id:'D0'})-[r:TARGETS]->(:Gene {symbol:'G1'}) "
                          "RETURN r").single()["r"]
        n = session.run("MATCH (g:Gene) RETURN count(g) AS c").single()["c"]
    assert n == 3
    assert gene["name"] == "one"
    assert gene["sources"] == ["a:1", "b:2"]
    assert rel["sources"] == ["a:1", "b:2"]
    assert rel["actions"] == ["antagonist", "inhibitor"]


def test_source_order_does_not_matter(empty_graph):
    writer = GraphWriter(empty_graph)
    writer.write([genes(2, "b:1"), genes(2, "a:1")])
    with empty_graph.session() as session:
        one = session.run("MATCH (g:Gene {symbol:'G0'}) RETURN g.sources AS s").single()["s"]
    assert one == ["a:1", "b:1"]


def test_missing_key_names_table_row_and_field(empty_graph):
    table = NodeTable("Gene", pd.DataFrame({"symbol": ["A", None, "C"]}), name="genes.tsv")
    with pytest.raises(WriteError, match=r"genes.tsv.*row 1.*'symbol'"):
        GraphWriter(empty_graph).write_nodes(table)


def test_wrong_value_type_names_field(empty_graph):
    GraphWriter(empty_graph).write([drugs(1), NodeTable("CellLine", pd.DataFrame(
        {"cosmic_id": ["1"]}))])
    table = RelTable("RESPONSE", pd.DataFrame(
        {"start": ["D0", "D0"], "end": ["1", "1"], "ln_ic50": [1.5, "high"],
         "dataset": ["t", "t"]}), name="ic50")
    with pytest.raises(WriteError, match=r"ic50.*row 1.*'ln_ic50'.*expected float"):
        GraphWriter(empty_graph).write_rels(table)
    with pytest.raises(WriteError, match=r"row 0.*'name'.*unsupported"):
        GraphWriter(empty_graph).write_nodes(
            NodeTable("Drug", pd.DataFrame({"id": ["X"], "name": [{"a": 1}]})))


def test_missing_endpoint_refused_earlier_batches_kept(empty_graph):
    writer = GraphWriter(empty_graph, batch_size=5)
    writer.write([genes(10), drugs(1)])
    pairs = [("D0", f"G{i}") for i in range(10)] + [("D0", "NOPE")]
    with pytest.raises(WriteError, match=r"row 10: TARGETS endpoint does not exist.*'NOPE'"):
        writer.write_rels(targets(pairs))
    snapshot = counts(empty_graph)
    assert snapshot["rel:TARGETS"] == 10  # the two full batches before the bad one stay
    # Retrying with the bad row fixed creates only what is missing: nothing is duplicated.
    writer.write([genes(11)])
    writer.write_rels(targets([(d, g if g != "NOPE" else "G10") for d, g in pairs]))
    assert counts(empty_graph)["rel:TARGETS"] == 11


def test_unknown_label_and_type_refused():
    with pytest.raises(SchemaError, match="unknown node label 'Protein'"):
        NodeTable("Protein", pd.DataFrame({"id": ["P1"]}))
    with pytest.raises(SchemaError, match="unknown relationship type 'BINDS'"):
        RelTable("BINDS", pd.DataFrame({"start": ["a"], "end": ["b"]}))
    with pytest.raises(ValueError, match="missing key column 'symbol'"):
        NodeTable("Gene", pd.DataFrame({"name": ["x"]}))


def test_values_are_parameters_not_query_text(empty_graph):
    evil = "x'}) DETACH DELETE n //"
    GraphWriter(empty_graph).write([NodeTable("Gene", pd.DataFrame(
        {"symbol": ["SAFE", evil], "name": [evil, "ok"]}))])
    with empty_graph.session() as session:
        names = session.run("MATCH (g:Gene) RETURN g.symbol AS s ORDER BY s").value()
    assert names == ["SAFE", evil]


def test_predictions_of_two_model_versions_are_separate_relationships(empty_graph):
    writer = GraphWriter(empty_graph)
    writer.write([genes(2), drugs(1)])

    def predicted(version: str, score: float) -> RelTable:
        return RelTable("PREDICTED_TARGET", pd.DataFrame({
            "start": ["D0", "D0"], "end": ["G0", "G1"], "score": [score, score / 2],
            "rank": [1, 2], "model": ["sage", "sage"], "model_version": [version, version]}))

    writer.write_rels(predicted("v1", 0.9))
    writer.write_rels(predicted("v2", 0.8))
    writer.write_rels(predicted("v2", 0.7))  # rerun: updates v2 in place
    with empty_graph.session() as session:
        rows = session.run("MATCH (:Drug)-[r:PREDICTED_TARGET]->(g:Gene {symbol:'G0'}) "
                           "RETURN r.model_version AS v, r.score AS s ORDER BY v").data()
    assert rows == [{"v": "v1", "s": 0.9}, {"v": "v2", "s": 0.7}]
    with pytest.raises(WriteError, match="missing identity column 'model_version'"):
        writer.write_rels(RelTable("PREDICTED_TARGET", pd.DataFrame(
            {"start": ["D0"], "end": ["G0"], "score": [0.1], "model": ["sage"]})))


def test_concurrent_write_backs_of_one_version_leave_one_screens_links(empty_graph):
    """Two screens of one model version written back at once: exactly one screen's links
    remain (each replacement is one transaction behind the write-back lock), never the union."""
    writer = GraphWriter(empty_graph)
    writer.write([genes(40), drugs(2)])

    def screen(drug: str, offset: int) -> pd.DataFrame:
        return pd.DataFrame({"start": [drug] * 20, "end": [f"G{offset + i}" for i in range(20)],
                             "score": [1.0] * 20, "rank": list(range(1, 21))})

    screens = [screen("D0", 0), screen("D1", 20)]
    for _ in range(3):
        with ThreadPoolExecutor(2) as pool:
            done = list(pool.map(lambda frame: write_predictions(
                empty_graph, "TARGETS", frame, "sage", "v1"), screens))
        assert all(summary.rows == 20 for _, summary in done)
        with empty_graph.session() as session:
            drugs_left = session.run(
                "MATCH (d:Drug)-[r:PREDICTED_TARGET {model_version: 'v1'}]->() "
                "RETURN d.id AS drug, count(r) AS n").data()
        assert len(drugs_left) == 1 and drugs_left[0]["n"] == 20, drugs_left

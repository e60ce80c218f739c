"""Export from the real Neo4j to GraphExport / HeteroData, and back to graph keys."""

from __future__ import annotations

import pandas as pd

from oncokg.contract.export import GraphExport
from oncokg.contract.schema import SCHEMA
from oncokg.contract.tables import NodeTable, RelTable
from oncokg.gnn.graph import to_heterodata
from oncokg.kg.export import export_graph
from oncokg.kg.writer import GraphWriter


def _small_graph(driver) -> None:
    GraphWriter(driver).write(
        [
            NodeTable("Drug", pd.DataFrame({"id": ["D1", "D2"], "name": ["one", "two"],
                                            "smiles": ["CCO", None]})),
            NodeTable("Gene", pd.DataFrame({"symbol": ["EGFR", "BRAF", "KRAS"]})),
            NodeTable("CellLine", pd.DataFrame({"cosmic_id": ["100", "200"]})),
        ],
        [
            RelTable("TARGETS", pd.DataFrame({"start": ["D1", "D2", "D2"],
                                              "end": ["EGFR", "BRAF", "KRAS"],
                                              "sources": [["t:1"]] * 3})),
            RelTable("RESPONSE", pd.DataFrame({"start": ["D1", "D1", "D2"],
                                               "end": ["100", "200", "100"],
                                               "ln_ic50": [1.0, -2.5, 0.5],
                                               "sensitive": [False, True, False],
                                               "dataset": ["test"] * 3})),
        ],
    )


def roundtrip_mismatches(driver, export: GraphExport) -> int:
    """Exported edges (mapped back to graph keys) that match no relationship in Neo4j."""
    missing = 0
    with driver.session() as session:
        for (start, rel_type, end), frame in export.edges.items():
            if frame.empty:
                continue
            s_key, e_key = SCHEMA.node(start).key, SCHEMA.node(end).key
            starts, ends = export.keys(start), export.keys(end)
            pairs = [{"s": starts[s], "e": ends[e]}
                     for s, e in zip(frame["src"], frame["dst"], strict=True)]
            found = session.run(
                f"UNWIND $pairs AS p MATCH (:{start} {{{s_key}: p.s}})-[r:{rel_type}]->"
                f"(:{end} {{{e_key}: p.e}}) RETURN count(DISTINCT r) AS c", pairs=pairs
            ).single()["c"]
            missing += len(pairs) - found
    return missing


def test_export_maps_every_edge_back_to_a_relationship(empty_graph, tmp_path):
    _small_graph(empty_graph)
    export = export_graph(empty_graph)
    assert export.manifest["node_counts"]["Drug"] == 2
    assert export.manifest["edge_counts"]["Drug|RESPONSE|CellLine"] == 3
    assert roundtrip_mismatches(empty_graph, export) == 0
    response = export.edge_frame("RESPONSE")
    keyed = {(export.keys("Drug")[s], export.keys("CellLine")[d]): v
             for s, d, v in zip(response["src"], response["dst"], response["ln_ic50"],
                                strict=True)}
    assert keyed[("D1", "200")] == -2.5

    saved = GraphExport.load(export.save(tmp_path / "export"))
    assert saved.keys("Gene") == export.keys("Gene")
    data = to_heterodata(saved, edge_attrs={"RESPONSE": ["ln_ic50"]})
    assert data["Drug"].num_nodes == 2
    assert data["Drug", "TARGETS", "Gene"].edge_index.shape == (2, 3)
    assert sorted(data["Drug", "RESPONSE", "CellLine"].edge_attr[:, 0].tolist()) == [-2.5, 0.5,
                                                                                     1.0]


def test_tables_keep_one_edge_per_identity_as_neo4j_does():
    """Two screens of one pair are two RESPONSE edges, in Neo4j and in an export of tables."""
    nodes = [NodeTable("Drug", pd.DataFrame({"id": ["D1"]})),
             NodeTable("CellLine", pd.DataFrame({"cosmic_id": ["100", "200"]}))]
    first = RelTable("RESPONSE", pd.DataFrame({"start": ["D1", "D1"], "end": ["100", "200"],
                                               "ln_ic50": [1.0, 2.0],
                                               "dataset": ["GDSC1 v17"] * 2}))
    second = RelTable("RESPONSE", pd.DataFrame({"start": ["D1", "D1"], "end": ["100", "100"],
                                                "ln_ic50": [3.0, 3.0],
                                                "dataset": ["GDSC2 r8"] * 2}))
    response = GraphExport.from_tables(nodes, [first, second]).edge_frame("RESPONSE")
    assert sorted(zip(response["dataset"], response["ln_ic50"], strict=True)) == [
        ("GDSC1 v17", 1.0), ("GDSC1 v17", 2.0), ("GDSC2 r8", 3.0)]


def test_export_in_parts_keeps_missing_values_and_every_sources_group(empty_graph, monkeypatch):
    """Edges read in several parts per type, anchored on either side, grouped by ``sources``,
    with missing property values: the same frames as the export of the same tables."""
    drugs = [f"D{i}" for i in range(5)]
    lines = [str(100 + i) for i in range(7)]
    pairs = [(d, c) for d in drugs for c in lines if (int(d[1:]) + int(c)) % 3]
    response = pd.DataFrame({
        "start": [d for d, _ in pairs], "end": [c for _, c in pairs],
        "ln_ic50": [float(i) - 4.5 for i in range(len(pairs))],
        "auc": [None if i % 4 == 0 else i / 100 for i in range(len(pairs))],
        "dataset": ["GDSC1" if i % 2 else "GDSC2" for i in range(len(pairs))],
        "sources": [["a:1"] if i % 3 else ["a:1", "b:2"] for i in range(len(pairs))],
    })
    targets = pd.DataFrame({"start": ["D0", "D1", "D1", "D4"],
                            "end": ["EGFR", "EGFR", "BRAF", "KRAS"],
                            "actions": [["inhibitor"], ["binder"], ["agonist", "binder"], []],
                            "sources": [["t:1"], ["t:1"], ["u:1"], ["t:1"]]})
    nodes = [NodeTable("Drug", pd.DataFrame({"id": drugs})),
             NodeTable("CellLine", pd.DataFrame({"cosmic_id": lines})),
             NodeTable("Gene", pd.DataFrame({"symbol": ["EGFR", "BRAF", "KRAS"]}))]
    rels = [RelTable("RESPONSE", response), RelTable("TARGETS", targets)]
    GraphWriter(empty_graph).write(nodes, rels)
    monkeypatch.setattr("oncokg.kg.export.EDGES_PER_PART", 4)

    export = export_graph(empty_graph, rel_types=["RESPONSE", "TARGETS"], workers=2)
    expected = GraphExport.from_tables(nodes, rels)
    assert export.manifest["sources"] == ["a:1", "b:2", "t:1", "u:1"]
    for rel_type in ("RESPONSE", "TARGETS"):
        got, want = export.edge_frame(rel_type), expected.edge_frame(rel_type)
        assert len(got) == len(want) > 3
        assert got[["src", "dst"]].equals(want[["src", "dst"]])
        for column in want.columns.drop(["src", "dst"]):
            assert got[column].tolist() == want[column].tolist() or (
                got[column].isna().equals(want[column].isna())
                and got[column].dropna().tolist() == want[column].dropna().tolist()), column

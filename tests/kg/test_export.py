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

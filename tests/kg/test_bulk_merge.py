"""Folding tables for the offline importer, and its files, without Neo4j: the MERGE writer's
semantics (last value wins, merged lists unite sorted, created counts) and the CSV format."""

from __future__ import annotations

import pandas as pd
import pytest

from oncokg.contract.tables import NodeTable, RelTable
from oncokg.kg.bulk import BulkImportError, merge_tables, write_import_files
from oncokg.kg.writer import WriteError


def _genes(rows: dict) -> NodeTable:
    return NodeTable("Gene", pd.DataFrame(rows))


def test_fold_keeps_the_last_value_and_unites_merged_lists():
    first = _genes({"symbol": ["A", "B"], "name": ["alpha", None], "synonyms": [["x"], None],
                    "sources": [["s:1"], ["s:1"]]})
    second = _genes({"symbol": ["A", "C"], "name": [None, "gamma"], "synonyms": [[], None],
                     "sources": [["t:1"], ["t:1"]]})
    targets = RelTable("TARGETS", pd.DataFrame({
        "start": ["D", "D"], "end": ["A", "B"], "actions": [None, ["b", "a", "b"]],
        "sources": [["s:1"], ["s:1"]]}))
    again = RelTable("TARGETS", pd.DataFrame({"start": ["D"], "end": ["A"],
                                               "evidence": [["e"]], "sources": [["t:1"]]}))
    drugs = NodeTable("Drug", pd.DataFrame({"id": ["D"], "sources": [["s:1"]]}))
    graph = merge_tables([first, drugs, targets, second, again])
    genes = graph.nodes["Gene"].rows.set_index("symbol")
    assert genes.loc["A", "name"] == "alpha"          # a missing value never overwrites
    assert genes.loc["A", "synonyms"] == []           # an empty list is a value: last wins
    assert genes.loc["A", "sources"] == ["s:1", "t:1"]
    assert genes.loc["C", "name"] == "gamma" and genes.loc["B", "synonyms"] is None
    rels = graph.rels["TARGETS"].rows.set_index("end")
    assert rels.loc["A", "actions"] == []             # the writer stores [] for a lacking row
    assert rels.loc["B", "actions"] == ["a", "b"]
    assert rels.loc["A", "evidence"] == ["e"] and rels.loc["B", "evidence"] is None
    assert [(s.rows, s.created) for s in graph.summaries] == [(2, 2), (1, 1), (2, 2), (2, 1),
                                                              (1, 0)]
    assert graph.counts() == {"Gene": 3, "Drug": 1, "TARGETS": 2}


def test_relationships_with_identity_properties_stay_apart():
    responses = RelTable("RESPONSE", pd.DataFrame({
        "start": ["D", "D"], "end": ["1", "1"], "dataset": ["a", "b"], "ln_ic50": [1.0, 2.0],
        "sources": [["s:1"], ["s:1"]]}))
    graph = merge_tables([responses])
    assert len(graph.rels["RESPONSE"].rows) == 2


def test_bad_rows_fail_as_in_the_writer():
    with pytest.raises(WriteError, match="row 1: missing key field 'symbol'"):
        merge_tables([_genes({"symbol": ["A", None], "sources": [["s:1"], ["s:1"]]})])


def test_one_type_per_property_or_a_clear_error(tmp_path):
    first = _genes({"symbol": ["A"], "name": ["alpha"], "sources": [["s:1"]]})
    second = _genes({"symbol": ["B"], "name": [3], "sources": [["s:1"]]})
    graph = merge_tables([first, second])
    with pytest.raises(BulkImportError, match="Gene node property 'name' .* several types"):
        write_import_files(graph, tmp_path)


def test_files_quote_strings_type_columns_and_join_arrays(tmp_path):
    genes = _genes({"symbol": ['B"q', "C,d"], "entrez_id": [1, 2],
                    "synonyms": [["x;y", "z"], None], "sources": [["s:1"], ["s:1"]]})
    drugs = NodeTable("Drug", pd.DataFrame({"id": ["D"], "pubchem_cid": [12.5],
                                            "sources": [["s:1"]]}))
    responses = RelTable("RESPONSE", pd.DataFrame({
        "start": ["D"], "end": ["9"], "dataset": ["a"], "ln_ic50": [-1e-07],
        "sensitive": [True], "sources": [["s:1"]]}))
    cells = NodeTable("CellLine", pd.DataFrame({"cosmic_id": ["9"], "sources": [["s:1"]]}))
    files = write_import_files(merge_tables([genes, drugs, cells, responses]), tmp_path)
    gene_lines = (tmp_path / "nodes_Gene.csv").read_text().splitlines()
    assert gene_lines == [
        '":ID(Gene)","symbol:string","entrez_id:long","synonyms:string[]","sources:string[]"',
        '"B""q","B""q",1,"x;y\x1fz","s:1"',
        '"C,d","C,d",2,,"s:1"',
    ]
    response = (tmp_path / "rels_RESPONSE.csv").read_text().splitlines()
    assert response == ['":START_ID(Drug)",":END_ID(CellLine)","dataset:string",'
                        '"ln_ic50:double","sensitive:boolean","sources:string[]"',
                        '"D","9","a",-1e-7,true,"s:1"']
    assert f"--nodes=Gene={tmp_path / 'nodes_Gene.csv'}" in files.arguments
    assert not files.multiline

"""Every source loaded into the real Neo4j: facts a researcher checks, idempotence, bad files."""

from __future__ import annotations

import gzip
import shutil

import pytest

from oncokg import loaders
from oncokg.app.load import load_into_graph
from tests.conftest import counts


def one(driver, query: str, **params):
    with driver.session() as session:
        return session.run(query, **params).single()


def test_erlotinib_targets_egfr(loaded_graph):
    row = one(loaded_graph, "MATCH (d:Drug)-[r:TARGETS]->(:Gene {symbol: 'EGFR'}) "
                            "WHERE toLower(d.name) = 'erlotinib' RETURN r.sources AS s")
    assert row is not None
    assert any(s.startswith("gdsc_drugs:") for s in row["s"])
    assert len(row["s"]) >= 2  # GDSC annotation and at least one interaction database


def test_braf_v600e_predicts_sensitivity_to_vemurafenib(loaded_graph):
    row = one(loaded_graph,
              "MATCH (m:Mutation {id: 'BRAF p.V600E'})-[r:BIOMARKER_OF_RESPONSE "
              "{direction: 'sensitivity'}]->(d:Drug) WHERE toLower(d.name) = 'vemurafenib' "
              "MATCH (m)-[:OF_GENE]->(g:Gene) RETURN r, g.symbol AS gene")
    assert row["gene"] == "BRAF"
    assert row["r"]["level"] in {"A", "B"}
    assert row["r"]["pmids"] and all(p.isdigit() for p in row["r"]["pmids"])


def test_braf_mutant_melanoma_line_models_melanoma(loaded_graph):
    row = one(loaded_graph,
              "MATCH (c:CellLine {name: 'A375'})-[:HAS_MUTATION]->(:Mutation)-[:OF_GENE]->"
              "(:Gene {symbol: 'BRAF'}) MATCH (c)-[:MODEL_OF]->(t:TumorType) "
              "MATCH path = (t)-[:SUBTYPE_OF*0..]->(top:TumorType) "
              "RETURN t.code AS code, collect(top.code) AS lineage")
    assert row is not None and row["code"] == "MEL"
    assert "SKIN" in row["lineage"]


def test_egfr_in_a_reactome_pathway(loaded_graph):
    row = one(loaded_graph, "MATCH (:Gene {symbol: 'EGFR'})-[:IN_PATHWAY]->(p:Pathway) "
                            "WHERE p.id STARTS WITH 'R-HSA-' RETURN count(p) AS n")
    assert row["n"] >= 5


def test_most_gdsc_drugs_carry_a_structure(loaded_graph):
    row = one(loaded_graph, "MATCH (d:Drug)-[:RESPONSE]->() WITH DISTINCT d "
                            "RETURN count(d) AS n, count(d.smiles) AS with_smiles")
    assert row["n"] >= 240
    assert row["with_smiles"] / row["n"] >= 0.9


def test_every_relationship_has_provenance(loaded_graph):
    row = one(loaded_graph, "MATCH ()-[r]->() WHERE NOT type(r) STARTS WITH 'PREDICTED_' "
                            "AND (r.sources IS NULL OR size(r.sources) = 0) RETURN count(r) AS n")
    assert row["n"] == 0


def test_every_source_reports_its_normalization(graph_load):
    for item in graph_load.sources:
        summary = item.report.summary()
        assert item.name in summary and "dropped" in summary
        assert item.stale == {} and item.stale_warning() == ""
    assert {s.name for s in graph_load.sources} >= {"gdsc", "civic", "genes", "oncotree"}


def test_loading_again_changes_no_count(loaded_graph, data_dir):
    before = counts(loaded_graph)
    again = load_into_graph(loaded_graph, ["gdsc", "gdsc_drugs", "drugbank", "civic",
                                           "civic_2021", "depmap", "hotspots"], data_dir,
                            show_bars=False)
    assert counts(loaded_graph) == before
    assert [item.stale for item in again.sources] == [{}] * len(again.sources)


def test_corrupt_file_fails_by_name_and_leaves_graph_unchanged(loaded_graph, data_dir,
                                                               tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy, ignore=shutil.ignore_patterns("AUC_*.csv", "ccle_2012"))
    ic50 = copy / "gdsc_v17" / "IC50_v17.csv.gz"
    ic50.chmod(0o644)
    raw = gzip.decompress(ic50.read_bytes())
    ic50.write_bytes(gzip.compress(raw)[: len(raw) // 40])  # truncated archive
    before = counts(loaded_graph)
    with pytest.raises(loaders.SourceError, match="IC50_v17.csv.gz"):
        load_into_graph(loaded_graph, ["civic", "gdsc"], copy, show_bars=False)
    assert counts(loaded_graph) == before

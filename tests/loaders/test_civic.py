"""CIViC evidence in both layouts."""

from __future__ import annotations

import pytest


def _biomarkers(result):
    rows = result.rel_table("BIOMARKER_OF_RESPONSE").rows
    names = result.node_table("Drug").rows.set_index("id")["name"]
    return rows.assign(drug=rows["end"].map(names))


@pytest.mark.parametrize("source", ["civic", "civic_2021"])
def test_braf_v600e_vemurafenib(load, source: str) -> None:
    rows = _biomarkers(load(source))
    hit = rows[(rows["start"] == "BRAF p.V600E") & (rows["drug"] == "Vemurafenib")
               & (rows["direction"] == "sensitivity")]
    assert len(hit) == 1
    edge = hit.iloc[0]
    assert edge["level"] == "A"
    assert "Melanoma" in edge["tumor"]
    assert len(edge["evidence_ids"]) > 10 and all(e.startswith("EID") for e in
                                                   edge["evidence_ids"])
    assert all(p.isdigit() for p in edge["pmids"])


@pytest.mark.parametrize("source", ["civic", "civic_2021"])
def test_mutations_and_genes(load, source: str) -> None:
    result = load(source)
    mutations = result.node_table("Mutation").rows.set_index("id")
    assert mutations.loc["BRAF p.V600E", "kind"] == "missense"
    assert mutations.loc["EGFR amplification", "kind"] == "amplification"
    assert mutations.loc["BCR::ABL1 fusion", "kind"] == "fusion"
    assert "EGFR p.T790M" in mutations.index
    rows = _biomarkers(result)
    assert set(rows["direction"]) == {"sensitivity", "resistance"}
    assert set(rows["level"]) <= set("ABCDE")
    t790m = rows[(rows["start"] == "EGFR p.T790M") & (rows["drug"] == "Erlotinib")]
    assert "resistance" in set(t790m["direction"])
    of_gene = result.rel_table("OF_GENE").rows
    assert ("BCR::ABL1 fusion", "BCR") in set(zip(of_gene["start"], of_gene["end"],
                                                  strict=True))


def test_multi_variant_profiles_are_reported(load) -> None:
    result = load("civic")
    reasons = result.report.reasons("dropped")
    assert reasons["molecular profile of several variants (not one mutation)"] > 200
    assert reasons["combination therapy: not attributable to single drugs"] > 200
    assert 1000 < len(result.rel_table("BIOMARKER_OF_RESPONSE").rows) < 1300


def test_layouts_agree_on_ids(load) -> None:
    old = set(load("civic_2021").node_table("Mutation").rows["id"])
    new = set(load("civic").node_table("Mutation").rows["id"])
    assert len(old & new) > 400

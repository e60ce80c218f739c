"""Reactome and MSigDB Hallmark gene sets."""

from __future__ import annotations


def test_reactome(load) -> None:
    result = load("reactome")
    pathways = result.node_table("Pathway").rows.set_index("id")
    assert len(pathways) == 2504
    assert pathways.loc["R-HSA-164843", "name"] == "2 LTR circle formation"
    assert pathways.loc["R-HSA-109581", "name"] == "Apoptosis"
    members = result.rel_table("IN_PATHWAY").rows
    assert (members["start"] == "EGFR").sum() >= 1
    dropped = result.report.identifiers("unknown gene symbol")
    assert any(d.startswith("gag ") for d in dropped)  # viral genes reported


def test_msigdb(load) -> None:
    result = load("msigdb")
    pathways = result.node_table("Pathway").rows
    assert len(pathways) == 50
    assert set(pathways["collection"]) == {"MSigDB Hallmark"}
    members = result.rel_table("IN_PATHWAY").rows
    hypoxia = set(members.loc[members["end"] == "HALLMARK_HYPOXIA", "start"])
    assert {"VEGFA", "LDHA", "PGK1"} <= hypoxia

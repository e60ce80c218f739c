"""cancerhotspots v2: recurrent mutations and their tumor types."""

from __future__ import annotations


def test_hotspots(load) -> None:
    result = load("hotspots")
    mutations = result.node_table("Mutation").rows.set_index("id")
    assert mutations.loc["BRAF p.V600E", "kind"] == "missense"
    assert mutations.loc["BRAF p.V600", "kind"] == "codon"
    assert mutations.loc["EGFR p.E746_A750del", "kind"] == "deletion_inframe"
    assert "TP53 p.X125_splice" in mutations.index
    counts = result.rel_table("HOTSPOT_IN").rows.set_index(["start", "end"])["count"]
    assert counts[("BRAF p.V600", "SKCM")] == 355  # residue level, detailed type
    assert counts[("BRAF p.V600E", "SKIN")] == 298  # variant level, organ
    assert counts[("NRAS p.Q61R", "SKIN")] == 88
    unmapped = result.report.identifiers("tumor type not mapped to an OncoTree code")
    assert any(u.startswith("sarc ") for u in unmapped)


def test_ids_match_civic(load) -> None:
    hotspots = set(load("hotspots").node_table("Mutation").rows["id"])
    civic = set(load("civic").node_table("Mutation").rows["id"])
    assert {"BRAF p.V600E", "KRAS p.G12C", "EGFR p.L858R", "BRAF p.V600"} <= hotspots & civic

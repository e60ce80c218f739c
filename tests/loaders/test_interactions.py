"""Drug–gene interactions from DrugBank and DGIdb."""

from __future__ import annotations


def _targets(result, drug_name: str) -> set[str]:
    drugs = result.node_table("Drug").rows
    keys = set(drugs.loc[drugs["name"] == drug_name, "id"])
    rows = result.rel_table("TARGETS").rows
    return set(rows.loc[rows["start"].isin(keys), "end"])


def test_drugbank(load) -> None:
    result = load("drugbank")
    rows = result.rel_table("TARGETS").rows
    assert 10_000 < len(rows) < 11_500
    assert "EGFR" in _targets(result, "Erlotinib")
    assert "ABL1" in _targets(result, "Imatinib")
    imatinib = rows[rows["end"] == "ABL1"]
    assert any("inhibitor" in (a or []) for a in imatinib["actions"])
    assert all(e and all(x.startswith("pmid:") for x in e) for e in rows["evidence"].dropna())
    reasons = result.report.reasons("dropped")
    assert reasons["not a target (enzyme)"] == 3547
    assert reasons["non-human target"] > 3000


def test_dgidb(load) -> None:
    result = load("dgidb")
    rows = result.rel_table("TARGETS").rows
    assert 11_000 < len(rows) < 13_000
    assert "EGFR" in _targets(result, "Erlotinib")
    claims = {c for e in rows["evidence"] for c in e}
    assert {"dgidb_claim:DrugBank", "dgidb_claim:TTD", "dgidb_claim:MyCancerGenome",
            "dgidb_claim:CIViC"} <= claims
    assert result.report.reasons("dropped")[
        "drug name not in the drug vocabulary (no structure or source id)"] > 1000

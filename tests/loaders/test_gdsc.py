"""GDSC v17 matrices and the release-8 fitted-dose-response layout."""

from __future__ import annotations

import gzip

import numpy as np

from oncokg import loaders

from .conftest import FIXTURES


def test_cell_lines(load) -> None:
    result = load("gdsc")
    lines = result.node_table("CellLine").rows.set_index("cosmic_id")
    assert len(lines) == 1025  # union of cosmic_info, cancer_cell_lines, features, IC50
    a375 = lines.loc["906793"]
    assert (a375["name"], a375["tissue"], a375["tissue_sub_type"], a375["msi"]) == (
        "A375", "skin", "melanoma", "MSI-S")
    assert lines.index.map(type).unique().tolist() == [str]


def test_response(load, data_dir) -> None:
    result = load("gdsc")
    response = result.rel_table("RESPONSE").rows
    assert len(response) == 201_573
    assert set(response["dataset"]) == {"GDSC1 v17"}
    assert "auc" not in response.columns  # v17 has no AUC
    drugs = result.node_table("Drug").rows
    assert len(drugs) == 249  # 265 GDSC ids, 16 groups of ids are one drug
    with_structure = int(drugs["inchikey"].notna().sum())
    assert with_structure == 238  # JQ12's structure comes from GDSC release 8's table
    # per GDSC DRUG_ID: 254 of the 265 v17 ids have a structure
    with gzip.open(data_dir / "gdsc_v17/IC50_v17.csv.gz", "rt") as handle:
        v17 = {int(c.split("_")[1]) for c in handle.readline().strip().split(",")[1:]}
    structured = {i for ids, key in zip(drugs["gdsc_ids"], drugs["inchikey"], strict=True)
                  if isinstance(key, str) for i in ids}
    assert (len(v17), len(v17 & structured)) == (265, 254)
    # sensitive: below the drug's 20th percentile, so about a fifth of each drug's lines
    share = response.groupby("start")["sensitive"].mean()
    assert share.between(0.15, 0.21).all()
    erlotinib = drugs.loc[drugs["name"] == "Erlotinib", "id"].item()
    values = response.loc[response["start"] == erlotinib]
    threshold = np.percentile(values["ln_ic50"], 20)
    assert (values["sensitive"] == (values["ln_ic50"] < threshold)).all()


def test_duplicate_drug_ids_are_averaged(load) -> None:
    result = load("gdsc")
    merged = [i for i in result.report.issues if i.kind == "merged"]
    assert len(merged) == 16
    assert any("[1032, 1377]" in i.reason for i in merged)  # Afatinib


def test_mutations(load) -> None:
    result = load("gdsc")
    has = result.rel_table("HAS_MUTATION").rows
    assert len(has) == 28_125  # every 1 in the feature matrix
    a375 = set(has.loc[has["start"] == "906793", "end"])
    assert "BRAF mutation" in a375
    mutations = result.node_table("Mutation").rows.set_index("id")
    assert mutations.loc["BRAF mutation", "kind"] == "coding_mutation"
    assert mutations.loc["BCR::ABL1 fusion", "kind"] == "fusion"
    assert mutations.loc["cnaPANCAN1 gain", "kind"] == "amplification"
    assert mutations.loc["cnaPANCAN1 gain", "gene"] == "CCNE1"
    assert "cnaPANCAN402+cnaPANCAN403+cnaPANCAN404 loss" in mutations.index
    assert "KMT2D mutation" in mutations.index  # MLL2_mut
    of_gene = result.rel_table("OF_GENE").rows
    assert {("BCR::ABL1 fusion", "BCR"), ("BCR::ABL1 fusion", "ABL1"),
            ("cnaPANCAN1 gain", "CCNE1")} <= set(zip(of_gene["start"], of_gene["end"],
                                                     strict=True))
    assert result.report.dropped == 0


def test_fitted_layout(data_dir) -> None:
    fixture = FIXTURES / "gdsc2_fitted_dose_response_handmade.csv"
    result = loaders.load_source("gdsc_fitted", data_dir, files={"fitted": fixture})
    rows = result.rel_table("RESPONSE").rows
    drugs = result.node_table("Drug").rows.set_index("name")
    camptothecin = rows[rows["start"] == drugs.loc["Camptothecin", "id"]]
    assert len(camptothecin) == 5
    assert set(camptothecin["dataset"]) == {"GDSC2 8.5"}
    assert camptothecin.set_index("end").loc["906793", "auc"] == 0.61
    # 20th percentile of (-3, -1, 0, 1, 2) is -1.4: only A375 is sensitive
    assert camptothecin.loc[camptothecin["sensitive"], "end"].tolist() == ["906793"]
    afatinib = rows[(rows["start"] == drugs.loc["Afatinib", "id"]) & (rows["end"] == "906793")]
    assert afatinib["ln_ic50"].item() == 2.0  # 1032 and 1377 averaged
    assert "Vemurafenib" in drugs.index  # unknown DRUG_ID, resolved by DRUG_NAME
    reasons = result.report.reasons()
    assert reasons["no LN_IC50"] == 1
    assert result.report.identifiers(
        "drug name not in the drug vocabulary (no structure or source id)") == [
        "99902 Not-A-Real-Drug-XYZ"]
    cell_lines = result.node_table("CellLine").rows
    assert list(cell_lines.columns) == ["cosmic_id", "sources"]  # key-only rows
    assert result.rel_table("RESPONSE").rows["sources"].map(tuple).unique().tolist() == [
        ("gdsc:8.5",)]

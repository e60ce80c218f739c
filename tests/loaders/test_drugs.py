"""The drug resolver, the GDSC compound annotations and the structures source."""

from __future__ import annotations

import random

import pandas as pd

from oncokg.loaders import drugs, genes, vocabulary
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.gdsc_drugs import split_targets, target_genes


def test_resolver_keys(data_dir) -> None:
    resolver = vocabulary.resolver(Fetcher(data_dir))
    erlotinib = resolver.resolve_name("Erlotinib")
    assert erlotinib.key == "AAKJLRGGTJKAMG-UHFFFAOYSA-N"
    assert resolver.resolve_name("tarceva").key == erlotinib.key  # synonym
    assert resolver.resolve_name("OSI 774").key == erlotinib.key  # punctuation folded
    assert resolver.by_gdsc_id(1) == erlotinib.key
    assert resolver.by_drugbank_id("DB00530") == erlotinib.key
    assert resolver.resolve_name("Imatinib Mesylate").status == "salt"
    # no structure: a stable source id
    assert resolver.resolve_name("Cetuximab").key == "GDSC:1114"
    assert resolver.resolve_name("Trastuzumab").key == "DrugBank:DB00072"
    # Torisel is a GDSC synonym of rapamycin but the brand of temsirolimus: not guessed
    assert resolver.resolve_name("Torisel").status == "ambiguous"
    assert resolver.resolve_name("definitely-not-a-drug").status == "unknown"


def test_known_wrong_cids(data_dir) -> None:
    resolver = vocabulary.resolver(Fetcher(data_dir))
    rapamycin = resolver.drugs[resolver.by_gdsc_id(3)]
    assert rapamycin.name == "Rapamycin"
    assert rapamycin.inchikey.startswith("QFJCIRLUMZQUOT")  # sirolimus, not CID 5384616
    assert rapamycin.drugbank_id == "DB00877"
    assert rapamycin.pubchem_cid != 5384616
    assert resolver.by_gdsc_id(3) == resolver.resolve_name("Sirolimus").key
    cetuximab = resolver.drugs[resolver.by_gdsc_id(1114)]
    assert cetuximab.smiles is None and cetuximab.pubchem_cid is None
    qs11 = resolver.drugs[resolver.by_gdsc_id(151)]
    assert qs11.pubchem_cid == 42623900
    notes = [i for i in resolver.issues if "known wrong PubChem CID" in i.reason]
    assert {i.identifier.split()[0] for i in notes} == {"GDSC:3", "GDSC:1114", "GDSC:151"}


def test_salts_and_complexes_merge(data_dir) -> None:
    resolver = vocabulary.resolver(Fetcher(data_dir))
    # deepcdr draws cisplatin as ions, DrugBank as a complex: one drug
    assert resolver.resolve_name("Cisplatin").ok
    # MK-2206 as the dihydrochloride (DeepCDR) and the free base (LINCS): one drug
    assert resolver.resolve_name("MK-2206").ok


def test_resolver_is_independent_of_record_order(data_dir) -> None:
    resolver = vocabulary.resolver(Fetcher(data_dir))
    shuffled = list(resolver.records)
    random.Random(7).shuffle(shuffled)
    rebuilt = drugs.DrugResolver(shuffled, [])
    keys = sorted(resolver.drugs)
    assert sorted(rebuilt.drugs) == keys
    sample = keys[::37]
    pd.testing.assert_frame_equal(resolver.rows(sample), rebuilt.rows(sample))


def test_target_parsing(data_dir) -> None:
    norm = genes.normalizer(Fetcher(data_dir))
    assert split_targets("PI3K (class 1), MTORC1, Tankyrase 1/2 (PARP5a, PARP5b)") == [
        "PI3K (class 1)", "MTORC1", "Tankyrase 1/2 (PARP5a, PARP5b)"]
    assert target_genes("PI3K (class 1)", norm) == ("ok", ["PIK3CA", "PIK3CB", "PIK3CD",
                                                             "PIK3CG"])
    assert target_genes("MEK1", norm) == ("ok", ["MAP2K1"])
    assert target_genes("PDK1 (PDPK1)", norm) == ("ok", ["PDPK1"])
    assert target_genes("KRAS (G12C)", norm) == ("ok", ["KRAS"])
    assert target_genes("mTORC1", norm) == ("ok", ["MTOR"])
    assert target_genes("DNA crosslinker", norm) == ("not_gene", [])


def test_gdsc_drugs(load) -> None:
    result = load("gdsc_drugs")
    drug_table = result.node_table("Drug").rows.set_index("name")
    targets = result.rel_table("TARGETS").rows
    erlotinib = drug_table.loc["Erlotinib"]
    assert {1, 1168} <= set(erlotinib["gdsc_ids"])
    assert "EGFR" in set(targets.loc[targets["start"] == erlotinib["id"], "end"])
    pictilisib = drug_table.loc["Pictilisib", "id"]
    assert {"PIK3CA", "PIK3CB", "PIK3CD", "PIK3CG"} <= set(
        targets.loc[targets["start"] == pictilisib, "end"])
    assert 500 < len(drug_table) < 560
    assert result.report.reasons("dropped")["target is not a gene (mechanism or class)"] > 40


def test_structures(load) -> None:
    result = load("structures")
    table = result.node_table("Drug").rows
    assert len(table) > 8000
    assert table["id"].is_unique
    with_key = table[table["inchikey"].notna()]
    assert (with_key["id"] == with_key["inchikey"]).all()
    # canonical SMILES present for nearly every structure (a few DrugBank InChIs fail RDKit)
    assert with_key["smiles"].notna().mean() > 0.99
    conflicts = result.report.reasons("ambiguous")
    assert sum(conflicts.values()) >= 5

"""CTRP v2 compounds: vocabulary records (SMILES) and TARGETS from their target symbols."""

from __future__ import annotations

import pytest

from oncokg import loaders
from oncokg.loaders import vocabulary
from oncokg.loaders.fetch import Fetcher

HEADER = ("master_cpd_id\tcpd_name\tbroad_cpd_id\ttop_test_conc_umol\tcpd_status\t"
          "inclusion_rationale\tgene_symbol_of_protein_target\ttarget_or_activity_of_compound\t"
          "source_name\tsource_catalog_id\tcpd_smiles\n")


def test_targets_and_drugs_from_the_real_file(load, data_dir):
    result = load("ctrp_drugs")
    drug_rows = result.node_table("Drug").rows
    targets = result.rel_table("TARGETS").rows
    resolver = vocabulary.resolver(Fetcher(data_dir))
    erlotinib = resolver.resolve_name("erlotinib").key
    navitoclax = resolver.resolve_name("navitoclax").key
    assert {"EGFR"} <= set(targets.loc[targets["start"] == erlotinib, "end"])
    assert {"BCL2", "BCL2L1"} <= set(targets.loc[targets["start"] == navitoclax, "end"])
    assert all(ev[0].startswith("ctrp_target:") for ev in targets["evidence"])
    assert drug_rows["smiles"].notna().all()
    combos = result.report.identifiers("combination of compounds, not a single drug")
    assert combos and all(":" in name for name in combos)
    assert not drug_rows["name"].isin(combos).any()


def test_compounds_only_ctrp_knows_join_the_vocabulary_with_their_structure(data_dir):
    resolver = vocabulary.resolver(Fetcher(data_dir))
    probe = resolver.resolve_name("BRD4132")  # a CTRP screening hit, in no curated source
    assert probe.ok
    drug = resolver.drugs[probe.key]
    assert drug.inchikey == probe.key and drug.smiles


def test_a_curated_structure_is_not_replaced_by_ctrps(data_dir):
    resolver = vocabulary.resolver(Fetcher(data_dir))
    kept = [i for i in resolver.issues
            if i.file and i.file.startswith("ctrp_v2/") and "not used" in i.reason]
    assert kept, "CTRP names with a curated structure are reported as not used"
    erlotinib = resolver.drugs[resolver.resolve_name("erlotinib").key]
    assert not any(r.source == "ctrp" for r in erlotinib.records)


def test_unknown_target_symbols_are_reported_with_file_and_line(tmp_path, data_dir):
    path = tmp_path / "per_compound.txt"
    path.write_text(HEADER
                    + "1\terlotinib\tBRD-1\t10\tFDA\tx\tEGFR;NOTAGENE1\tx\tx\tNA\tNA\n"
                    + "2\tJQ-1:UNC0638 (2:1 mol/mol)\tBRD-2\t10\tprobe\tx\tNA\tx\tx\tNA\tNA\n")
    result = loaders.load_source("ctrp_drugs", data_dir, files={"compounds": path})
    targets = result.rel_table("TARGETS").rows
    assert list(targets["end"]) == ["EGFR"]
    unknown = [i for i in result.report.issues if "NOTAGENE1" in i.identifier]
    assert unknown and unknown[0].file == "ctrp_v2/v20.meta.per_compound.txt"
    assert unknown[0].line == 2


def test_a_file_without_its_columns_is_refused(tmp_path, data_dir):
    path = tmp_path / "per_compound.txt"
    path.write_text("master_cpd_id\tcpd_name\n1\terlotinib\n")
    with pytest.raises(loaders.SourceError, match="per_compound.txt"):
        loaders.load_source("ctrp_drugs", data_dir, files={"compounds": path})

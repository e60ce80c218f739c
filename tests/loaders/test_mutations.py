"""Mutation id rules shared by GDSC, CIViC and cancerhotspots."""

from __future__ import annotations

import pytest

from oncokg.loaders import mutations

GENES = {"ABL": None, "BCR": "BCR", "EML4": "EML4", "ALK": "ALK", "ETV6": "ETV6",
         "NTRK3": "NTRK3", "ROS1": "ROS1", "CD74": "CD74"}


def resolve(text: str) -> str | None:
    return GENES.get(text)


@pytest.mark.parametrize(("gene", "variant", "expected", "kind"), [
    ("BRAF", "V600E", "BRAF p.V600E", "missense"),
    ("BRAF", "p.Val600Glu", "BRAF p.V600E", "missense"),
    ("BRAF", "V600", "BRAF p.V600", "codon"),
    ("TP53", "R213*", "TP53 p.R213*", "nonsense"),
    ("TP53", "X125_splice", "TP53 p.X125_splice", "splice"),
    ("EGFR", "E746_A750DEL", "EGFR p.E746_A750del", "deletion_inframe"),
    ("KIT", "W557_K558DELWK", "KIT p.W557_K558del", "deletion_inframe"),
    ("ERBB2", "Y772_A775DUP", "ERBB2 p.Y772_A775dup", "duplication"),
    ("EGFR", "M774DELINSWLV", "EGFR p.M774delinsWLV", "delins"),
    ("EGFR", "E746_T751>I", "EGFR p.E746_T751delinsI", "delins"),
    ("APC", "K159FS*16", "APC p.K159fs*16", "frameshift"),
    ("EGFR", "AMPLIFICATION", "EGFR amplification", "amplification"),
    ("EGFR", "Amplification", "EGFR amplification", "amplification"),
    ("PTEN", "LOSS", "PTEN deletion", "deletion"),
    ("BRAF", "MUTATION", "BRAF mutation", "coding_mutation"),
    ("ALK", "ALK FUSIONS", "ALK fusion", "fusion"),
    ("ALK", "Fusion", "ALK fusion", "fusion"),
    ("ABL1", "BCR-ABL", "BCR::ABL1 fusion", "fusion"),
    ("ABL1", "BCR::ABL1", "BCR::ABL1 fusion", "fusion"),
    ("ABL1", "BCR-ABL T315I", "ABL1 p.T315I", "missense"),
    ("ALK", "ALK FUSION G1202R", "ALK p.G1202R", "missense"),
    ("ALK", "EML4-ALK E6;A20", "EML4::ALK fusion e6;a20", "fusion"),
    ("EGFR", "EXON 19 DELETION", "EGFR exon 19 deletion", "other"),
    ("EGFR", "Exon 19 Deletion", "EGFR exon 19 deletion", "other"),
    ("EGFR", "OVEREXPRESSION", "EGFR overexpression", "expression"),
])
def test_ids(gene: str, variant: str, expected: str, kind: str) -> None:
    mutation = mutations.parse(gene, variant, resolve)
    assert mutation is not None
    assert (mutation.id, mutation.kind) == (expected, kind)


def test_fusion_links_both_partners() -> None:
    mutation = mutations.parse("NTRK3", "ETV6-NTRK3", resolve)
    assert mutation.genes == ("ETV6", "NTRK3")
    assert mutation.gene is None


@pytest.mark.parametrize("variant", ["V600E and AMPLIFICATION", "BCR-ABL L248R F359I",
                                     "V600E AND V600M"])
def test_compound_variants_are_not_one_mutation(variant: str) -> None:
    assert mutations.parse("BRAF" if "V600" in variant else "ABL1", variant, resolve) is None


def test_properties_depend_on_the_id_only() -> None:
    # the same id from two spellings gives the same node row
    a = mutations.parse("EGFR", "L858R", resolve).row()
    b = mutations.point("EGFR", "p.Leu858Arg").row()
    assert a == b == {"id": "EGFR p.L858R", "gene": "EGFR", "protein_change": "p.L858R",
                      "kind": "missense"}

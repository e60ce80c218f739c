"""GDSC drug annotations: Drug nodes and TARGETS Drug→Gene from the free-text target field.

Files: ``gdsc_rel8/screened_compounds_rel_8.4.csv`` (DRUG_ID, SCREENING_SITE, DRUG_NAME,
SYNONYMS, TARGET, TARGET_PATHWAY) and ``deepcdr/gdsc_drug_list_2019-06-24.csv`` (the 2019
GDSC web export: drug_id, Name, Synonyms, Targets, Target pathway, PubCHEM). Both also feed
the drug resolver's vocabulary (names, synonyms, GDSC ids, PubChem CIDs).

Target text is split on commas outside parentheses; each token becomes genes by, in order:

1. ``TARGET_FAMILIES``: curated families and protein names that are not gene symbols
   (``PI3K (class 1)`` → PIK3CA/PIK3CB/PIK3CD/PIK3CG, ``MEK1`` → MAP2K1, ``VEGFR`` →
   KDR/FLT1/FLT4, ``IR`` → INSR, ``BCR-ABL`` → ABL1, ``HSP90`` → HSP90AA1/HSP90AB1, …);
2. the gene normalizer on the token, then on the text inside a parenthesis
   (``PDK1 (PDPK1)`` → PDPK1), then on the token without its parenthesis or mutation suffix
   (``KRAS (G12C)`` → KRAS).

Tokens that name a mechanism rather than a protein (``DNA crosslinker``, ``Microtubule
stabiliser``, ``Proteasome`` …) are reported as "target is not a gene"; tokens that resolve
to nothing or to several genes are reported as unknown/ambiguous. A TARGETS row's
``evidence`` holds the annotation tokens that produced it (``gdsc_target:PI3K (class 1)``).
"""

from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd

from oncokg.loaders import drugs, genes
from oncokg.loaders.base import (
    LoadContext,
    LoadResult,
    SourceError,
    SourceFile,
    clean,
    key_nodes,
    node_table,
    rel_table,
)
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.readers import LINE, read_delimited
from oncokg.loaders.report import Issue

FILES = {
    "compounds": SourceFile(
        "gdsc_rel8/screened_compounds_rel_8.4.csv",
        "https://cog.sanger.ac.uk/cancerrxgene/GDSC_release8.4/screened_compounds_rel_8.4.csv",
    ),
    "drug_list": SourceFile(
        "deepcdr/gdsc_drug_list_2019-06-24.csv",
        "https://github.com/kimmo1019/DeepCDR/raw/4dc5a901d5/data/GDSC/"
        "1.Drug_listMon%20Jun%2024%2009_00_55%202019.csv",
    ),
}
VOCABULARY_FILES = (FILES["compounds"], FILES["drug_list"])
RELEASE = "8.4"

#: PubChem CIDs in GDSC-derived drug tables that name a different molecule.
KNOWN_BAD_CIDS = {
    5384616: "Rapamycin: CID 5384616 is an unrelated small molecule (sirolimus is CID 5284616)",
    85668777: "Cetuximab is an antibody; CID 85668777 is an unrelated small molecule",
    4263900: "QS11: CID 4263900 is an unrelated molecule (QS11, a purine, is CID 42623900)",
}

_PI3K_CLASS1 = ("PIK3CA", "PIK3CB", "PIK3CD", "PIK3CG")
TARGET_FAMILIES: dict[str, tuple[str, ...]] = {
    "PI3K": _PI3K_CLASS1, "PI3K (class 1)": _PI3K_CLASS1, "PI3K (Class 1)": _PI3K_CLASS1,
    "PI3K (beta sparing)": ("PIK3CA", "PIK3CD", "PIK3CG"),
    "PI3Kalpha": ("PIK3CA",), "PI3Kbeta": ("PIK3CB",), "PI3Kdelta": ("PIK3CD",),
    "PI3Kgamma": ("PIK3CG",), "PK3CG": ("PIK3CG",), "VSP34": ("PIK3C3",),
    "MTORC1": ("MTOR",), "MTORC2": ("MTOR",),
    "ABL": ("ABL1",), "BCR-ABL": ("ABL1",), "ABL(T315I)": ("ABL1",),
    "AKT": ("AKT1", "AKT2", "AKT3"),
    "MEK1": ("MAP2K1",), "MEK2": ("MAP2K2",), "MEK5": ("MAP2K5",),
    "ERK1": ("MAPK3",), "ERK2": ("MAPK1",), "ERK5": ("MAPK7",),
    "JNK": ("MAPK8", "MAPK9", "MAPK10"), "JNK1": ("MAPK8",), "JNK2": ("MAPK9",),
    "JNK3": ("MAPK10",),
    "p38": ("MAPK14", "MAPK11", "MAPK12", "MAPK13"), "p38alpha": ("MAPK14",),
    "p38beta": ("MAPK11",),
    "RAF": ("ARAF", "BRAF", "RAF1"), "CRAF": ("RAF1",),
    "VEGFR": ("KDR", "FLT1", "FLT4"), "VEGFR1": ("FLT1",), "VEGFR2": ("KDR",),
    "VEGFR3": ("FLT4",), "VEGFR3/FLT4": ("FLT4",),
    "PDGFR": ("PDGFRA", "PDGFRB"), "FGFR": ("FGFR1", "FGFR2", "FGFR3", "FGFR4"),
    "FGRF1": ("FGFR1",), "IR": ("INSR",), "IGFR1": ("IGF1R",),
    "TIE2": ("TEK",), "Angiopoietin-1 receptor": ("TEK",), "RON": ("MST1R",),
    "c-FGR": ("FGR",), "FAK": ("PTK2",), "FAK1": ("PTK2",), "FAK2": ("PTK2B",),
    "HSP90": ("HSP90AA1", "HSP90AB1"),
    "BCL-XL": ("BCL2L1",), "BCL-W": ("BCL2L2",), "MCL-1": ("MCL1",),
    "BCL-2 selective": ("BCL2",),
    "IAP": ("XIAP", "BIRC2", "BIRC3"), "cIAP": ("BIRC2", "BIRC3"), "cIAP1": ("BIRC2",),
    "cIAP2": ("BIRC3",),
    "IKK": ("CHUK", "IKBKB"), "IKK-1": ("CHUK",), "IKK1": ("CHUK",), "IKK-2": ("IKBKB",),
    "IKK2": ("IKBKB",), "IKKB": ("IKBKB",), "IKKb": ("IKBKB",),
    "ROCK": ("ROCK1", "ROCK2"), "GSK3": ("GSK3A", "GSK3B"),
    "HDAC": tuple(f"HDAC{i}" for i in range(1, 12)),
    "HDAC1-10": tuple(f"HDAC{i}" for i in range(1, 11)),
    "HDAC inhibitor Class I": ("HDAC1", "HDAC2", "HDAC3", "HDAC8"),
    "PKC": ("PRKCA", "PRKCB", "PRKCG", "PRKCD", "PRKCE", "PRKCH", "PRKCQ"),
    "PKCB": ("PRKCB",), "TOP2": ("TOP2A", "TOP2B"),
    "ESR": ("ESR1", "ESR2"), "RAR": ("RARA", "RARB", "RARG"),
    "PARP5a": ("TNKS",), "PARP5b": ("TNKS2",), "TNKS1": ("TNKS",),
    "Tankyrase 1/2 (PARP5a, PARP5b)": ("TNKS", "TNKS2"),
    "BET": ("BRD2", "BRD3", "BRD4", "BRDT"), "CBP": ("CREBBP",),
    "KSP": ("KIF11",), "EG5": ("KIF11",), "NAE": ("NAE1", "UBA3"),
    "G9A": ("EHMT2",), "GLP": ("EHMT1",), "G9a and GLP methyltransferases": ("EHMT2", "EHMT1"),
    "DNAPK": ("PRKDC",), "TAK1": ("MAP3K7",), "TAK": ("MAP3K7",),
    "LSD1": ("KDM1A",), "KDM1": ("KDM1A",), "WIP1": ("PPM1D",),
    "MPS1": ("TTK",), "TTK and microtubules": ("TTK",), "NIK": ("MAP3K14",),
    "S6K1": ("RPS6KB1",), "KS6B1 (p70S6K)": ("RPS6KB1",),
    "RSK": ("RPS6KA1", "RPS6KA3", "RPS6KA2", "RPS6KA6"), "RSK1": ("RPS6KA1",),
    "RSK2": ("RPS6KA3",), "RSK3": ("RPS6KA2",),
    "MNK1": ("MKNK1",), "MNK2": ("MKNK2",),
    "CAMK2": ("CAMK2A", "CAMK2B", "CAMK2D", "CAMK2G"),
    "ALK5": ("TGFBR1",), "ALK4": ("ACVR1B",), "PERK": ("EIF2AK3",), "PMRT5": ("PRMT5",),
    "MRCKB_HUMAN": ("CDC42BPB",), "M4K2": ("MAP4K2",),
    "N-myristoyltransferase 1/2": ("NMT1", "NMT2"),
    "Procaspase-3": ("CASP3",), "Procaspase-7": ("CASP7",),
    "LXR": ("NR1H3", "NR1H2"), "FXR": ("NR1H4",), "PPARdelta": ("PPARD",),
    "PPARgamma": ("PPARG",), "MCT1": ("SLC16A1",), "MCT4": ("SLC16A3",),
    "Polybromo 1": ("PBRM1",), "PB1": ("PBRM1",), "BRPF1B": ("BRPF1",),
    "Sphingosine Kinase": ("SPHK1", "SPHK2"), "Stearoyl-CoA desaturase": ("SCD",),
    "Telomerase": ("TERT",), "RNA helicase A": ("DHX9",),
    "IDH2 R140Q mutant": ("IDH2",),
}

#: Target tokens that name a mechanism or compound class, not a gene product.
NON_GENE_TARGETS = {
    "alkylating agent", "amyloid beta20", "amyloid beta40", "ampk agonist", "anthracycline",
    "anti-metabolite", "antimetabolite", "antimetabolite (dna & rna)", "anti-oxidant proteins",
    "autophagy inducer", "bax activator", "biguanide agent", "bmp",
    "broad spectrum kinase inhibitor", "cdk", "dna alkylating agent", "dna crosslinker",
    "dna damage", "dna methyltransferases", "dsdna break induction", "ephrins",
    "g-quadruplex stabiliser", "gamma-secretase", "glycolysis", "hif-ph",
    "induces reactive oxygen species", "inflammatory related", "jmj histone demethylase",
    "metabo", "metabolism", "microtubule destabiliser", "microtubule stabiliser",
    "mitochondria", "mutant ras", "not defined", "others", "p53 mut specific",
    "peptidyl arginine deaminase (pad)", "proteasome", "pyrimidine antimetabolite",
    "pyrimidine synthesis inhibitor", "ras effector", "retinioic x receptor (rxr) agonist",
    "retinoic acid", "rna polymerase", "rna polymerase 1", "serca", "shh", "sirt",
    "tp53 activation", "trail receptor agonist", "other", "dna replication",
}

_FAMILIES_FOLDED = {k.casefold(): v for k, v in TARGET_FAMILIES.items()}
_SPLIT = re.compile(r",\s*(?![^()]*\))")
_SUFFIX = re.compile(r"^([A-Za-z0-9-]+)\s*(?:\(.*\)|[A-Z]\d+[A-Z]\b.*|mutant)$")


def split_targets(text: str | None) -> list[str]:
    """Split a GDSC target field on commas that are not inside parentheses."""
    if not text:
        return []
    return [t.strip() for t in _SPLIT.split(text) if t.strip()]


def target_genes(token: str, normalizer: genes.GeneNormalizer) -> tuple[str, list[str]]:
    """Resolve one target token → (status, genes); status ok/not_gene/unknown/ambiguous."""
    family = TARGET_FAMILIES.get(token) or _FAMILIES_FOLDED.get(token.casefold())
    if family:
        found = [normalizer.symbol(g) for g in family]
        return "ok", [g for g in found if g]
    if token.casefold() in NON_GENE_TARGETS:
        return "not_gene", []
    candidates = [token]
    inner = re.search(r"\(([A-Za-z0-9-]+)\)", token)
    if inner:
        candidates.append(inner.group(1))
    suffix = _SUFFIX.match(token)
    if suffix:
        candidates.append(suffix.group(1))
    ambiguous = None
    for text in candidates:
        match = normalizer.resolve(text)
        if match.ok:
            return "ok", [match.symbol]
        if match.status == "ambiguous" and ambiguous is None:
            ambiguous = match
    return ("ambiguous" if ambiguous else "unknown"), []


def read_compounds(path) -> pd.DataFrame:
    """GDSC release-8 screened compounds table."""
    frame = read_delimited(path, sep=",", required=("DRUG_ID", "DRUG_NAME", "SYNONYMS",
                                                     "TARGET", "TARGET_PATHWAY"))
    _check_ids(frame, "DRUG_ID", path)
    return frame


def read_drug_list(path) -> pd.DataFrame:
    """GDSC 2019 web drug list export."""
    frame = read_delimited(path, sep=",", required=("drug_id", "Name", "Synonyms", "Targets",
                                                     "PubCHEM"))
    _check_ids(frame, "drug_id", path)
    return frame


def _check_ids(frame: pd.DataFrame, column: str, path) -> None:
    for value, line in zip(frame[column], frame[LINE], strict=True):
        if value is None or not value.strip().isdigit():
            raise SourceError(f"{column} {value!r} is not a numeric GDSC drug id", path, line)


def _synonyms(text: str | None) -> tuple[str, ...]:
    return tuple(s.strip() for s in (text or "").split(",") if s.strip())


def drug_records(fetcher: Fetcher) -> tuple[list[drugs.DrugRecord], list[Issue]]:
    """Drug vocabulary records from both GDSC compound lists."""
    records, issues = [], []
    path = fetcher.path(FILES["compounds"])
    for row in read_compounds(path).itertuples(index=False):
        gid = int(row.DRUG_ID)
        records.append(drugs.DrugRecord(
            "gdsc_rel8", str(gid), clean(row.DRUG_NAME), _synonyms(row.SYNONYMS), (gid,),
            file=FILES["compounds"].path, line=getattr(row, LINE)))
    path = fetcher.path(FILES["drug_list"])
    for row in read_drug_list(path).itertuples(index=False):
        gid = int(row.drug_id)
        cids: tuple[int, ...] = ()
        cid_text = clean(row.PubCHEM)
        if cid_text and cid_text.isdigit():
            cid = int(cid_text)
            if cid in KNOWN_BAD_CIDS:
                issues.append(Issue("note", f"known wrong PubChem CID ignored: "
                                    f"{KNOWN_BAD_CIDS[cid]}", f"GDSC:{gid} CID {cid}",
                                    FILES["drug_list"].path, getattr(row, LINE)))
            else:
                cids = (cid,)
        records.append(drugs.DrugRecord(
            "gdsc_list", str(gid), clean(row.Name), _synonyms(row.Synonyms), (gid,),
            pubchem_cids=cids, file=FILES["drug_list"].path, line=getattr(row, LINE)))
    return records, issues


def load(ctx: LoadContext) -> LoadResult:
    """Drug nodes for every GDSC compound and TARGETS parsed from the target annotations."""
    resolver = ctx.drugs
    normalizer = genes.normalizer(ctx.fetcher)
    compounds = read_compounds(ctx.path("compounds"))
    drug_list = read_drug_list(ctx.path("drug_list"))
    ctx.report.read(FILES["compounds"].path, len(compounds))
    ctx.report.read(FILES["drug_list"].path, len(drug_list))

    drug_keys: set[str] = set()
    evidence: dict[tuple[str, str], set[str]] = defaultdict(set)
    reported: set[tuple[str, str]] = set()
    for frame, file, id_col, target_col in (
        (compounds, FILES["compounds"].path, "DRUG_ID", "TARGET"),
        (drug_list, FILES["drug_list"].path, "drug_id", "Targets"),
    ):
        for gid, target_text, line in zip(frame[id_col], frame[target_col], frame[LINE],
                                          strict=True):
            key = resolver.by_gdsc_id(gid)
            if key is None:  # every vocabulary id resolves; guard against a resolver bug
                ctx.report.drop("GDSC drug id not in the drug vocabulary", gid, file, line)
                continue
            drug_keys.add(key)
            for token in split_targets(clean(target_text)):
                status, found = target_genes(token, normalizer)
                for gene in found:
                    evidence[(key, gene)].add(f"gdsc_target:{token}")
                if status != "ok" and (token, status) not in reported:
                    reported.add((token, status))
                    reason = {"not_gene": "target is not a gene (mechanism or class)",
                              "ambiguous": "ambiguous target gene symbol",
                              "unknown": "unknown target gene symbol"}[status]
                    ctx.report.drop(reason, token, file, line)
    for key, gids in sorted(_merged_ids(resolver, drug_keys).items()):
        ctx.report.merged("several GDSC drug ids are one drug", f"{key}: {gids}")

    rels = pd.DataFrame([
        {"start": d, "end": g, "evidence": sorted(ev)} for (d, g), ev in evidence.items()
    ], columns=["start", "end", "evidence"])
    nodes = [node_table("Drug", resolver.rows(drug_keys), ctx.provenance),
             key_nodes("Gene", rels["end"], ctx.provenance)]
    return ctx.result(nodes, [rel_table("TARGETS", rels, ctx.provenance)])


def _merged_ids(resolver: drugs.DrugResolver, keys: set[str]) -> dict[str, list[int]]:
    return {k: resolver.drugs[k].gdsc_ids for k in keys if len(resolver.drugs[k].gdsc_ids) > 1}

"""DrugBank (4.2, via dhimmel/drugbank): drug vocabulary and TARGETS Drug→Gene.

Files: ``drugbank_dhimmel/drugbank.tsv`` (id, name, type, InChIKey, InChI, …),
``drugbank_chembl_mapping.tsv`` and ``pubchem-mapping.tsv`` (vocabulary: ChEMBL and PubChem
ids; the lowest mapped id is kept), and ``proteins.tsv`` (drug–protein links with category,
UniProt, Entrez GeneID, organism, actions, PubMed ids).

TARGETS come from ``proteins.tsv`` rows with category ``target`` on a human protein; the Entrez
GeneID is resolved to the current symbol. Enzymes, carriers and transporters
(pharmacokinetics, not targets) and non-human targets are counted and reported as dropped.
``actions`` are DrugBank's action words (``inhibitor``, ``antagonist``…; ``unknown`` and
``other/unknown`` are left out) and ``evidence`` the PubMed ids as ``pmid:<id>``.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from oncokg.loaders import drugs, genes
from oncokg.loaders.base import (
    LoadContext,
    LoadResult,
    SourceFile,
    clean,
    key_nodes,
    node_table,
    rel_table,
    split_list,
)
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.readers import LINE, read_delimited
from oncokg.loaders.report import Issue

_BASE = "https://github.com/dhimmel/drugbank/raw/6b9ae386d6/data/"
FILES = {
    "drugbank": SourceFile("drugbank_dhimmel/drugbank.tsv", _BASE + "drugbank.tsv"),
    "chembl": SourceFile("drugbank_dhimmel/drugbank_chembl_mapping.tsv",
                         _BASE + "mapping/chembl.tsv"),
    "pubchem": SourceFile("drugbank_dhimmel/pubchem-mapping.tsv", _BASE + "pubchem-mapping.tsv"),
    "proteins": SourceFile("drugbank_dhimmel/proteins.tsv", _BASE + "proteins.tsv"),
}
VOCABULARY_FILES = (FILES["drugbank"], FILES["chembl"], FILES["pubchem"])
RELEASE = "4.2"
NO_ACTION = {"unknown", "other/unknown", "n/a", "other", ""}


def drug_records(fetcher: Fetcher) -> tuple[list[drugs.DrugRecord], list[Issue]]:
    """Vocabulary records: one per DrugBank drug, with InChI, ChEMBL and PubChem ids."""
    issues: list[Issue] = []
    chembl: dict[str, list[str]] = defaultdict(list)
    for row in read_delimited(fetcher.path(FILES["chembl"]), sep="\t",
                              required=("drugbank_id", "chembl_id")).itertuples(index=False):
        if clean(row.drugbank_id) and clean(row.chembl_id):
            chembl[row.drugbank_id.strip()].append(row.chembl_id.strip())
    pubchem: dict[str, list[int]] = defaultdict(list)
    for row in read_delimited(fetcher.path(FILES["pubchem"]), sep="\t",
                              required=("drugbank_id", "pubchem_cid")).itertuples(index=False):
        cid = clean(row.pubchem_cid)
        if clean(row.drugbank_id) and cid and cid.isdigit():
            pubchem[row.drugbank_id.strip()].append(int(cid))
    frame = read_delimited(fetcher.path(FILES["drugbank"]), sep="\t",
                           required=("drugbank_id", "name", "type", "inchikey", "inchi"))
    records = []
    for row in frame.itertuples(index=False):
        db_id = clean(row.drugbank_id)
        if not db_id:
            issues.append(Issue("dropped", "row without a DrugBank id", "", FILES["drugbank"].path,
                                getattr(row, LINE)))
            continue
        records.append(drugs.DrugRecord(
            "drugbank", db_id, clean(row.name), drugbank_id=db_id,
            pubchem_cids=tuple(sorted(set(pubchem.get(db_id, ())))),
            chembl_id=min(chembl[db_id], key=_chembl_order) if chembl.get(db_id) else None,
            inchi=clean(row.inchi), file=FILES["drugbank"].path, line=getattr(row, LINE)))
    return records, issues


def _chembl_order(chembl_id: str) -> tuple[int, str]:
    digits = chembl_id.removeprefix("CHEMBL")
    return (int(digits) if digits.isdigit() else 1 << 62, chembl_id)


def load(ctx: LoadContext) -> LoadResult:
    """TARGETS from DrugBank's drug–target links (human targets only)."""
    resolver = ctx.drugs
    normalizer = genes.normalizer(ctx.fetcher)
    file = FILES["proteins"].path
    frame = read_delimited(ctx.path("proteins"), sep="\t", required=(
        "drugbank_id", "category", "entrez_gene_id", "organism", "actions", "pubmed_ids"))
    ctx.report.read(file, len(frame))
    actions: dict[tuple[str, str], set[str]] = defaultdict(set)
    evidence: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in frame.itertuples(index=False):
        line = getattr(row, LINE)
        ident = f"{row.drugbank_id}→{row.entrez_gene_id}"
        if clean(row.category) != "target":
            ctx.report.drop(f"not a target ({row.category})", ident, file, line)
            continue
        if clean(row.organism) != "Human":
            ctx.report.drop("non-human target", f"{ident} ({row.organism})", file, line)
            continue
        key = resolver.by_drugbank_id(clean(row.drugbank_id) or "")
        if key is None:
            ctx.report.drop("DrugBank id not in drugbank.tsv", row.drugbank_id, file, line)
            continue
        match = normalizer.resolve(None, clean(row.entrez_gene_id))
        if not match.ok:
            ctx.report.drop("unknown Entrez GeneID", f"GeneID:{row.entrez_gene_id}", file, line)
            continue
        pair = (key, match.symbol)
        actions[pair].update(a.strip().lower() for a in split_list(row.actions, "|")
                             if a.strip().lower() not in NO_ACTION)
        evidence[pair].update(f"pmid:{p}" for p in split_list(row.pubmed_ids, "|"))
    rels = pd.DataFrame([
        {"start": d, "end": g, "actions": sorted(actions[(d, g)]) or None,
         "evidence": sorted(evidence[(d, g)]) or None}
        for d, g in actions
    ], columns=["start", "end", "actions", "evidence"])
    nodes = [node_table("Drug", resolver.rows(rels["start"]), ctx.provenance),
             key_nodes("Gene", rels["end"], ctx.provenance)]
    return ctx.result(nodes, [rel_table("TARGETS", rels, ctx.provenance)])

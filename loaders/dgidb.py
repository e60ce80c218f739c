"""DGIdb interaction claims → TARGETS Drug→Gene (more targets, with sources and actions).

Files (the legacy DGIdb exports in the reference data):

* ``dgidb/interactions_2013.tsv``: gene symbol, claim source (DrugBank, TTD, PharmGKB, TEND,
  TALC), interaction types, the claim's drug id/name and DGIdb's primary drug name;
* ``dgidb/MyCancerGenome_INTERACTIONS.tsv``: gene symbol + Entrez id, drug names (primary,
  development codes, generic, trade), interaction type;
* ``dgidb/civic_dgi_2015.tsv``: CIViC 2015 gene–drug pairs.

Drugs resolve through the drug resolver: a DrugBank claim by its DrugBank id, every other by
its names in turn; names outside the vocabulary are dropped and reported. Genes resolve by
Entrez id where given, else by symbol. ``actions`` are the lower-cased interaction types
(``n/a``, ``other``, ``unknown`` left out); ``evidence`` names the claim sources
(``dgidb_claim:TTD``). One TARGETS row per (drug, gene).
"""

from __future__ import annotations

import re
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
from oncokg.loaders.readers import LINE, read_delimited

_GH = "https://github.com/dgidb/dgidb/raw/"
FILES = {
    "interactions": SourceFile("dgidb/interactions_2013.tsv",
                               _GH + "d577646834/files/interactions.tsv"),
    "mycancergenome": SourceFile("dgidb/MyCancerGenome_INTERACTIONS.tsv",
                                 _GH + "67cd9b0e38/source_tsvs/MyCancerGenome_INTERACTIONS.tsv"),
    "civic": SourceFile("dgidb/civic_dgi_2015.tsv",
                        _GH + "e1ae10b048/lib/genome/importers/civic_dump/civic_dgi.tsv"),
}
RELEASE = "2013-2015"
NO_ACTION = {"n/a", "na", "other", "other/unknown", "unknown", ""}
_DRUGBANK_ID = re.compile(r"^DB\d{5}$")


class _Collector:
    def __init__(self, ctx: LoadContext) -> None:
        self.ctx = ctx
        self.resolver = ctx.drugs
        self.genes = genes.normalizer(ctx.fetcher)
        self.actions: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.evidence: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(self, file: str, line: int, gene_text: str | None, entrez: str | None,
            drug_match: drugs.DrugMatch, drug_label: str, actions: list[str],
            claim: str) -> None:
        gene = self.genes.resolve(gene_text, entrez)
        if not gene.ok:
            genes.report_unresolved(self.ctx, gene, gene_text, file=file, line=line)
            return
        if not drug_match.ok:
            drugs.report_unresolved(self.ctx.report, drug_match, drug_label, file, line)
            return
        pair = (drug_match.key, gene.symbol)
        self.actions[pair].update(a for a in (x.strip().lower() for x in actions)
                                  if a not in NO_ACTION)
        self.evidence[pair].add(f"dgidb_claim:{claim}")

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([
            {"start": d, "end": g, "actions": sorted(self.actions[(d, g)]) or None,
             "evidence": sorted(self.evidence[(d, g)])}
            for d, g in self.evidence
        ], columns=["start", "end", "actions", "evidence"])


def load(ctx: LoadContext) -> LoadResult:
    """TARGETS from the three DGIdb claim files."""
    out = _Collector(ctx)
    resolver = out.resolver

    file = FILES["interactions"].path
    frame = read_delimited(ctx.path("interactions"), sep="\t", required=(
        "entrez_gene_symbol", "interaction_claim_source", "interaction_types", "drug_name",
        "drug_primary_name"))
    ctx.report.read(file, len(frame))
    for row in frame.itertuples(index=False):
        claim_id, primary = clean(row.drug_name), clean(row.drug_primary_name)
        source = clean(row.interaction_claim_source) or "unknown"
        if source == "DrugBank" and claim_id and _DRUGBANK_ID.match(claim_id):
            key = resolver.by_drugbank_id(claim_id)
            match = drugs.DrugMatch(key, "id") if key else resolver.resolve_names([primary])
        else:
            match = resolver.resolve_names([primary, claim_id])
        out.add(file, getattr(row, LINE), clean(row.entrez_gene_symbol), None, match,
                f"{primary} [{claim_id}]", split_list(row.interaction_types), source)

    file = FILES["mycancergenome"].path
    frame = read_delimited(ctx.path("mycancergenome"), sep="\t", required=(
        "Gene Symbol", "Entrez Gene Id", "Primary Drug Name", "Drug Development Name",
        "Drug Generic Name", "Drug Trade Name", "Interaction Type"))
    ctx.report.read(file, len(frame))
    for row in frame.to_dict("records"):
        names = [clean(row["Primary Drug Name"]), clean(row["Drug Generic Name"]),
                 *split_list(row["Drug Development Name"]), clean(row["Drug Trade Name"])]
        out.add(file, row[LINE], clean(row["Gene Symbol"]), clean(row["Entrez Gene Id"]),
                resolver.resolve_names(names), str(row["Primary Drug Name"]),
                split_list(row["Interaction Type"]), "MyCancerGenome")

    file = FILES["civic"].path
    frame = read_delimited(ctx.path("civic"), sep="\t", required=(
        "gene_symbol", "entrez_gene_id", "drug_name", "interaction_type"))
    ctx.report.read(file, len(frame))
    for row in frame.itertuples(index=False):
        out.add(file, getattr(row, LINE), clean(row.gene_symbol), clean(row.entrez_gene_id),
                resolver.resolve_name(clean(row.drug_name)), str(row.drug_name),
                split_list(row.interaction_type), "CIViC")

    rels = out.frame()
    nodes = [node_table("Drug", resolver.rows(rels["start"]), ctx.provenance),
             key_nodes("Gene", rels["end"], ctx.provenance)]
    return ctx.result(nodes, [rel_table("TARGETS", rels, ctx.provenance)])

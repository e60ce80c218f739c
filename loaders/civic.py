"""CIViC clinical evidence: Mutation nodes and BIOMARKER_OF_RESPONSE Mutation→Drug.

Two layouts, one parser:

* ``civic`` (current, molecular-profile layout; reference release 2024-08-01):
  ``ClinicalEvidenceSummaries.tsv`` names a ``molecular_profile_id``;
  ``MolecularProfileSummaries.tsv`` lists its ``variant_ids``; ``VariantSummaries.tsv`` gives
  each variant's gene, Entrez id and variant name.
* ``civic_2021`` (variant layout, release 2021-08-01): evidence rows carry gene, entrez_id and
  variant directly.

Kept: accepted *Predictive* evidence that *Supports* a ``Sensitivity/Response`` (direction
``sensitivity``) or ``Resistance`` / ``Reduced Sensitivity`` (``resistance``; CIViC later
folded Reduced Sensitivity into Resistance) association. Every other row is reported as
dropped with its reason and evidence id (``EID<n>``): other evidence types, "Does Not
Support", other significances, combination or sequential therapies (the evidence is about the
combination, not each drug; *substitutes* are expanded to each drug), molecular profiles of
several variants (``BRAF V600E AND BRAF Amplification``: not one mutation), compound variant
names in the 2021 layout, unknown genes, and drugs outside the drug vocabulary.

Mutation ids follow ``loaders.mutations`` (``BRAF p.V600E``, ``EGFR amplification``,
``ALK fusion``, ``BCR::ABL1 fusion``, ``EGFR exon 19 deletion``), so the same variant from
2021, 2024, GDSC and cancerhotspots is one node. One BIOMARKER_OF_RESPONSE row per
(mutation, drug, direction): ``level`` is the best (lowest letter, A–E) evidence level,
``tumor`` the diseases, ``pmids`` the PubMed ids, ``evidence_ids`` the ``EID<n>`` ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from oncokg.loaders import drugs, genes, mutations
from oncokg.loaders.base import (
    LoadContext,
    LoadResult,
    SourceError,
    SourceFile,
    clean,
    key_nodes,
    node_table,
    rel_table,
    split_list,
)
from oncokg.loaders.readers import LINE, read_delimited


def _civic_file(date: str, folder: str, name: str) -> SourceFile:
    return SourceFile(f"{folder}/{date}-{name}.tsv",
                      f"https://civicdb.org/downloads/{date}/{date}-{name}.tsv")


FILES = {
    "evidence": _civic_file("01-Aug-2024", "civic_2024", "ClinicalEvidenceSummaries"),
    "profiles": _civic_file("01-Aug-2024", "civic_2024", "MolecularProfileSummaries"),
    "variants": _civic_file("01-Aug-2024", "civic_2024", "VariantSummaries"),
}
RELEASE = "2024-08-01"
LEGACY_FILES = {
    "evidence": _civic_file("01-Aug-2021", "civic", "ClinicalEvidenceSummaries"),
}
LEGACY_RELEASE = "2021-08-01"

DIRECTIONS = {"sensitivity/response": "sensitivity", "resistance": "resistance",
              "reduced sensitivity": "resistance"}
LEVELS = ("A", "B", "C", "D", "E")


@dataclass
class _Edge:
    level: str
    tumor: set[str] = field(default_factory=set)
    pmids: set[str] = field(default_factory=set)
    evidence_ids: set[str] = field(default_factory=set)


@dataclass
class Evidence:
    """One evidence row reduced to what the loader needs (both layouts)."""

    eid: str
    line: int
    evidence_type: str | None
    direction: str | None
    significance: str | None
    status: str | None
    level: str | None
    disease: str | None
    therapies: list[str]
    interaction: str | None
    citation: str | None
    source_type: str | None
    gene: str | None = None
    entrez: str | None = None
    variant: str | None = None
    problem: str | None = None


def _read_evidence(path, therapy_col: str, interaction_col: str, significance_col: str,
                   extra: tuple[str, ...]) -> pd.DataFrame:
    return read_delimited(path, sep="\t", required=(
        "disease", therapy_col, interaction_col, "evidence_type", "evidence_direction",
        "evidence_level", significance_col, "citation_id", "source_type", "evidence_status",
        "evidence_id", *extra))


def _evidence(row: dict, therapy_col: str, interaction_col: str,
              significance_col: str) -> Evidence:
    return Evidence(
        eid=f"EID{clean(row['evidence_id'])}", line=row[LINE],
        evidence_type=clean(row["evidence_type"]), direction=clean(row["evidence_direction"]),
        significance=clean(row[significance_col]), status=clean(row["evidence_status"]),
        level=clean(row["evidence_level"]), disease=clean(row["disease"]),
        therapies=split_list(row[therapy_col]), interaction=clean(row[interaction_col]),
        citation=clean(row["citation_id"]), source_type=clean(row["source_type"]))


def _build(ctx: LoadContext, items: list[Evidence], file: str) -> LoadResult:
    resolver = ctx.drugs
    normalizer = genes.normalizer(ctx.fetcher)
    report = ctx.report
    edges: dict[tuple[str, str, str], _Edge] = {}
    found: dict[str, mutations.Mutation] = {}

    def resolve_partner(text: str) -> str | None:
        return normalizer.symbol(text)

    for ev in items:
        if ev.status != "accepted":
            report.drop(f"evidence not accepted ({ev.status})", ev.eid, file, ev.line)
            continue
        if ev.evidence_type != "Predictive":
            report.drop(f"not predictive evidence ({ev.evidence_type})", ev.eid, file, ev.line)
            continue
        if ev.direction != "Supports":
            report.drop(f"evidence direction {ev.direction!r}", ev.eid, file, ev.line)
            continue
        direction = DIRECTIONS.get((ev.significance or "").lower())
        if direction is None:
            report.drop(f"significance not sensitivity/resistance ({ev.significance})", ev.eid,
                        file, ev.line)
            continue
        if ev.interaction in ("Combination", "Sequential"):
            report.drop(f"{ev.interaction.lower()} therapy: not attributable to single drugs",
                        f"{ev.eid} ({', '.join(ev.therapies)})", file, ev.line)
            continue
        if ev.problem:
            report.drop(ev.problem, ev.eid, file, ev.line)
            continue
        if ev.level not in LEVELS:
            raise SourceError(f"evidence level {ev.level!r} is not one of {LEVELS}", file,
                              ev.line)
        gene = normalizer.resolve(ev.gene, ev.entrez)
        if not gene.ok:
            genes.report_unresolved(ctx, gene, f"{ev.gene} ({ev.eid})", file=file, line=ev.line)
            continue
        mutation = mutations.parse(gene.symbol, ev.variant or "", resolve_partner)
        if mutation is None:
            report.drop("compound variant (several alterations)", f"{ev.gene} {ev.variant} "
                        f"({ev.eid})", file, ev.line)
            continue
        if not ev.therapies:
            report.drop("predictive evidence without a therapy", ev.eid, file, ev.line)
            continue
        for therapy in ev.therapies:
            match = resolver.resolve_name(therapy)
            if not match.ok:
                drugs.report_unresolved(report, match, f"{therapy} ({ev.eid})", file, ev.line)
                continue
            found[mutation.id] = mutation
            key = (mutation.id, match.key, direction)
            edge = edges.get(key)
            if edge is None:
                edge = edges[key] = _Edge(ev.level)
            edge.level = min(edge.level, ev.level)
            if ev.disease:
                edge.tumor.add(ev.disease)
            if ev.source_type == "PubMed" and ev.citation:
                edge.pmids.add(ev.citation)
            edge.evidence_ids.add(ev.eid)

    rels = pd.DataFrame([
        {"start": m, "end": d, "direction": direction, "level": e.level,
         "tumor": sorted(e.tumor) or None, "pmids": sorted(e.pmids, key=_pmid_order) or None,
         "evidence_ids": sorted(e.evidence_ids, key=_eid_order)}
        for (m, d, direction), e in edges.items()
    ], columns=["start", "end", "direction", "level", "tumor", "pmids", "evidence_ids"])
    of_gene = pd.DataFrame(sorted({(m.id, g) for m in found.values() for g in m.genes}),
                           columns=["start", "end"])
    nodes = [node_table("Mutation", [m.row() for m in found.values()], ctx.provenance),
             node_table("Drug", resolver.rows(rels["end"]), ctx.provenance),
             key_nodes("Gene", of_gene["end"], ctx.provenance)]
    return ctx.result(nodes, [
        rel_table("BIOMARKER_OF_RESPONSE", rels, ctx.provenance, sort=("direction",)),
        rel_table("OF_GENE", of_gene, ctx.provenance)])


def _pmid_order(pmid: str) -> tuple[int, str]:
    return (int(pmid), pmid) if pmid.isdigit() else (1 << 62, pmid)


def _eid_order(eid: str) -> tuple[int, str]:
    digits = eid[3:]
    return (int(digits), eid) if digits.isdigit() else (1 << 62, eid)


def load(ctx: LoadContext) -> LoadResult:
    """CIViC in the molecular-profile layout (2022 onwards)."""
    evidence_path = ctx.path("evidence")
    frame = _read_evidence(evidence_path, "therapies", "therapy_interaction_type", "significance",
                           ("molecular_profile", "molecular_profile_id"))
    profiles = read_delimited(ctx.path("profiles"), sep="\t",
                              required=("name", "molecular_profile_id", "variant_ids"))
    variants = read_delimited(ctx.path("variants"), sep="\t",
                              required=("variant_id", "gene", "entrez_id", "variant"))
    for key in FILES:
        ctx.report.read(FILES[key].path, {"evidence": len(frame), "profiles": len(profiles),
                                          "variants": len(variants)}[key])
    variant_of = {clean(v): (clean(g), clean(e), clean(n)) for v, g, e, n in zip(
        variants["variant_id"], variants["gene"], variants["entrez_id"], variants["variant"],
        strict=True)}
    profile_variants = {clean(p): split_list(v) for p, v in zip(
        profiles["molecular_profile_id"], profiles["variant_ids"], strict=True)}
    items = []
    for row in frame.to_dict("records"):
        ev = _evidence(row, "therapies", "therapy_interaction_type", "significance")
        profile = clean(row["molecular_profile_id"])
        ids = profile_variants.get(profile)
        if ids is None:
            ev.problem = f"molecular profile {profile} not in MolecularProfileSummaries"
        elif len(ids) != 1:
            ev.problem = "molecular profile of several variants (not one mutation)"
        elif ids[0] not in variant_of:
            ev.problem = f"variant {ids[0]} not in VariantSummaries"
        else:
            ev.gene, ev.entrez, ev.variant = variant_of[ids[0]]
            if ev.variant is None:
                ev.problem = f"variant {ids[0]} has no name"
        items.append(ev)
    return _build(ctx, items, FILES["evidence"].path)


def load_legacy(ctx: LoadContext) -> LoadResult:
    """CIViC in the 2021 variant-based layout."""
    frame = _read_evidence(ctx.path("evidence"), "drugs", "drug_interaction_type",
                           "clinical_significance", ("gene", "entrez_id", "variant"))
    ctx.report.read(LEGACY_FILES["evidence"].path, len(frame))
    items = []
    for row in frame.to_dict("records"):
        ev = _evidence(row, "drugs", "drug_interaction_type", "clinical_significance")
        ev.gene, ev.entrez, ev.variant = clean(row["gene"]), clean(row["entrez_id"]), \
            clean(row["variant"])
        if ev.variant is None:
            ev.problem = "evidence without a variant"
        items.append(ev)
    return _build(ctx, items, LEGACY_FILES["evidence"].path)

"""CTRP v2 compounds: drug vocabulary records and TARGETS from their annotated target genes.

``v20.meta.per_compound.txt`` (CTRP v2, 468 of its 545 compounds) gives each compound a name,
a SMILES and the gene symbols of its protein targets (``RARA;RARB;RARG``, ``NA`` when none).

**Vocabulary.** A compound with a valid SMILES is a ``DrugRecord`` (source ``ctrp``, the lowest
priority for names and structures), added after the curated sources and GDSC release 8 and only
where its name has no structure yet (``vocabulary.resolver``): it then joins an existing drug
by InChIKey or name, or becomes a new drug keyed by its InChIKey. A compound without a valid
SMILES adds nothing a name lookup could not, and is reported.

**Source** ``ctrp_drugs``: a Drug node per compound that resolves (name first, then the
InChIKey of its SMILES: :func:`resolve_compound`, which ``crossstudy`` uses for CTRP responses
too) and ``TARGETS`` Drug→Gene for each target symbol that resolves to one gene, with evidence
``ctrp_target:<symbol>``.
Combinations (a name with a colon) are not single drugs and are left out.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from oncokg.loaders import chem, drugs, genes
from oncokg.loaders.base import (
    LoadContext,
    LoadResult,
    SourceFile,
    clean,
    key_nodes,
    node_table,
    rel_table,
)
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.readers import LINE, read_delimited
from oncokg.loaders.report import Issue, Report

RELEASE = "v2 (v20 per-compound)"
_ZIP = ("https://ctd2-data.nci.nih.gov/Public/Broad/CTRPv2.0_2015_ctd2_ExpandedDataset/"
        "CTRPv2.0_2015_ctd2_ExpandedDataset.zip")
COMPOUNDS_FILE = SourceFile("ctrp_v2/v20.meta.per_compound.txt", _ZIP,
                            member="v20.meta.per_compound.txt")
FILES = {"compounds": COMPOUNDS_FILE}
VOCABULARY_FILES = (COMPOUNDS_FILE,)
_COLUMNS = ("master_cpd_id", "cpd_name", "cpd_smiles")
_TARGETS = "gene_symbol_of_protein_target"


def read_compounds(fetcher: Fetcher, *, targets: bool = True) -> pd.DataFrame:
    """The per-compound table: id, name, SMILES and target symbols (``NA`` → None)."""
    columns = (*_COLUMNS, _TARGETS) if targets else _COLUMNS
    frame = read_delimited(fetcher.path(COMPOUNDS_FILE), sep="\t", required=columns)
    for column in columns:
        values = [None if (v := clean(x)) is None or v.upper() == "NA" else v
                  for x in frame[column]]
        frame[column] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def is_combination(name: str) -> bool:
    """A CTRP combination such as ``"JQ-1:UNC0638 (2:1 mol/mol)"`` (two compounds)."""
    return ":" in name


def drug_records(fetcher: Fetcher) -> tuple[list[drugs.DrugRecord], list[Issue]]:
    """Vocabulary records for the CTRP compounds that have a valid SMILES."""
    records, issues = [], []
    file = COMPOUNDS_FILE.path
    for row in read_compounds(fetcher, targets=False).itertuples(index=False):
        line = getattr(row, LINE)
        if row.cpd_name is None or is_combination(row.cpd_name):
            continue
        if row.cpd_smiles is None:
            issues.append(Issue("note", "compound without a SMILES: not a vocabulary record",
                                row.cpd_name, file, line))
            continue
        parsed = chem.from_smiles(row.cpd_smiles)
        if isinstance(parsed, str):
            issues.append(Issue("dropped", f"{parsed}: not a vocabulary record",
                                f"{row.cpd_name} ({row.cpd_smiles})", file, line))
            continue
        records.append(drugs.DrugRecord("ctrp", str(row.master_cpd_id), row.cpd_name,
                                        smiles=row.cpd_smiles, file=file, line=line))
    return records, issues


def load(ctx: LoadContext) -> LoadResult:
    """Drug nodes for the CTRP compounds and TARGETS from their target gene symbols."""
    resolver = ctx.drugs
    normalizer = genes.normalizer(ctx.fetcher)
    frame = read_compounds(ctx.fetcher)
    file = COMPOUNDS_FILE.path
    ctx.report.read(file, len(frame))
    drug_keys: set[str] = set()
    evidence: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in frame.itertuples(index=False):
        line = getattr(row, LINE)
        if row.cpd_name is None:
            ctx.report.drop("compound without a name", row.master_cpd_id, file, line)
            continue
        if is_combination(row.cpd_name):
            ctx.report.drop("combination of compounds, not a single drug", row.cpd_name, file,
                            line)
            continue
        parsed = chem.from_smiles(row.cpd_smiles) if row.cpd_smiles else None
        structure = parsed if isinstance(parsed, chem.Structure) else None
        key = resolve_compound(resolver, row.cpd_name, structure, ctx.report, file, line)
        if key is None:
            continue
        drug_keys.add(key)
        for symbol in (row.gene_symbol_of_protein_target or "").split(";"):
            if not symbol.strip():
                continue
            match = normalizer.resolve(symbol.strip())
            if match.ok:
                evidence[(key, match.symbol)].add(f"ctrp_target:{symbol.strip()}")
            else:
                genes.report_unresolved(ctx, match, f"{symbol} ({row.cpd_name})",
                                        what="target gene", file=file, line=line)
    rels = pd.DataFrame([{"start": d, "end": g, "evidence": sorted(ev)}
                         for (d, g), ev in sorted(evidence.items())],
                        columns=["start", "end", "evidence"])
    nodes = [node_table("Drug", resolver.rows(drug_keys), ctx.provenance),
             key_nodes("Gene", rels["end"], ctx.provenance)]
    return ctx.result(nodes, [rel_table("TARGETS", rels, ctx.provenance)])


def resolve_compound(resolver: drugs.DrugResolver, name: str,
                     structure: chem.Structure | None, report: Report, file: str,
                     line: int) -> str | None:
    """Drug key of a CTRP compound: by name, else by the InChIKey of its SMILES.

    When the name and the structure name different drugs, the name wins (vendor structures are
    sometimes wrong) and a note is reported; an unresolved compound is reported.
    """
    match = resolver.resolve_name(name)
    by_structure = resolver.by_inchikey(structure.inchikey) if structure else None
    if match.ok:
        if by_structure is not None and by_structure != match.key:
            report.note(f"SMILES is another drug of the vocabulary ({by_structure}); name match "
                        f"{match.key} kept", name, file, line)
        return match.key
    if by_structure is not None:
        report.note(f"resolved by the InChIKey of its SMILES (name {match.status})", name, file,
                    line)
        return by_structure
    drugs.report_unresolved(report, match, name, file, line)
    return None

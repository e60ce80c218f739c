"""cancerhotspots v2 (Chang et al. 2018): recurrent Mutation nodes and HOTSPOT_IN → TumorType.

``cancerhotspots/hotspots_v2.xls`` has two sheets. ``SNV-hotspots``: one row per
(gene, residue, variant amino acid); ``INDEL-hotspots``: one row per in-frame indel.

Mutations use the shared id rules (``loaders.mutations``), so ``BRAF p.V600E`` here is the
node CIViC names. Two levels, because the file counts at two levels:

* **variant** (both sheets): ``"<GENE> p.<ref><pos><alt>"`` (``TP53 p.R175H``,
  ``TP53 p.X125_splice`` for splice hotspots, ``EGFR p.E746_A750del``). Its ``Samples``
  column counts samples per *organ* (``skin:88|thyroid:54``); organs map to the tissue-level
  OncoTree node of the same name (``skin`` → SKIN, ``cnsbrain`` → BRAIN, ``blood`` → MYELOID
  through OncoTree's history), and HOTSPOT_IN carries that count.
* **residue** (SNV sheet): ``"<GENE> p.<ref><pos>"`` (``BRAF p.V600``, kind ``codon``, the
  node CIViC's ``V600`` variant names). ``Detailed_Cancer_Types``
  (``skcm:787:186`` = code : samples of that type : samples with a mutation at the residue)
  gives HOTSPOT_IN to the OncoTree type with the residue-level count; old codes resolve
  through OncoTree's history (``gbm`` → GB, ``mm`` → PCM).

Tumor types and organs that do not map (``unk``, ``sarc``, ``lgg``…) are reported once per
code with the number of counts dropped. Indel regions (``27-42``) get no residue node.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd

from oncokg.loaders import genes, mutations, oncotree
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
from oncokg.loaders.readers import LINE, read_xls_sheets

FILES = {"xls": SourceFile("cancerhotspots/hotspots_v2.xls",
                           "https://www.cancerhotspots.org/files/hotspots_v2.xls")}
RELEASE = "v2"
SNV, INDEL = "SNV-hotspots", "INDEL-hotspots"
_COMMON = ("Hugo_Symbol", "Amino_Acid_Position", "Reference_Amino_Acid", "Variant_Amino_Acid",
           "Detailed_Cancer_Types", "Samples")


def _organ_codes(tree: oncotree.OncoTreeIndex) -> dict[str, str]:
    """Organ label (letters only, lower case) → tissue-level OncoTree code."""
    organs = {}
    for node in tree.nodes.values():
        if node.parent is None:
            for label in (node.code, node.name or ""):
                organs[re.sub(r"[^a-z]", "", label.lower())] = node.code
    return organs


def _parse_counts(text: str | None, path, line: int, column: str) -> list[tuple[str, int]]:
    """``a:1|b:2`` or ``a:100:2|…`` → [(label, count)] (the last number is the count)."""
    out = []
    for part in (text or "").split("|"):
        part = part.strip()
        if not part:
            continue
        fields = part.split(":")
        if len(fields) not in (2, 3) or not fields[-1].isdigit():
            raise SourceError(f"{column}: malformed count {part!r}", path, line)
        out.append((fields[0], int(fields[-1])))
    return out


def load(ctx: LoadContext) -> LoadResult:
    """Hotspot Mutation nodes, OF_GENE, and HOTSPOT_IN with per-tumor-type counts."""
    normalizer = genes.normalizer(ctx.fetcher)
    tree = oncotree.index(ctx.fetcher)
    organs = _organ_codes(tree)
    path = ctx.path("xls")
    file = FILES["xls"].path
    sheets = read_xls_sheets(path, {SNV: _COMMON, INDEL: _COMMON})
    found: dict[str, mutations.Mutation] = {}
    counts: dict[tuple[str, str], int] = {}
    unmapped: dict[tuple[str, str], int] = defaultdict(int)
    residues_done: set[str] = set()

    def add_count(mutation_id: str, label: str, n: int, resolve) -> None:
        code = resolve(label)
        if code is None:
            unmapped[(label, "organ" if resolve is organ_code else "tumor type")] += n
            return
        counts[(mutation_id, code)] = counts.get((mutation_id, code), 0) + n

    def organ_code(label: str) -> str | None:
        code = organs.get(re.sub(r"[^a-z]", "", label.lower()))
        if code is None:
            resolved, _ = tree.resolve(label)
            code = resolved if resolved and tree.nodes[resolved].parent is None else None
        return code

    def type_code(label: str) -> str | None:
        return tree.resolve(label)[0]

    for sheet in (SNV, INDEL):
        frame = sheets[sheet]
        ctx.report.read(f"{file}#{sheet}", len(frame))
        for row in frame.to_dict("records"):
            line = row[LINE]
            symbol = clean(row["Hugo_Symbol"])
            where = f"{sheet} row {line}"
            match = normalizer.resolve(symbol)
            if not match.ok:
                genes.report_unresolved(ctx, match, f"{symbol} ({where})", file=file, line=line)
                continue
            gene = match.symbol
            position = clean(row["Amino_Acid_Position"]) or ""
            variant = (clean(row["Variant_Amino_Acid"]) or "").split(":")[0]
            if sheet == SNV:
                ref = (clean(row["Reference_Amino_Acid"]) or "").split(":")[0]
                if variant == "splice" or position.endswith("_splice"):
                    change = position if position.endswith("_splice") else f"X{position}_splice"
                else:
                    change = f"{ref}{position}{variant}"
            else:
                change = variant
            if mutations.protein_change(change) is None:
                ctx.report.drop("unparseable protein change", f"{symbol} {change} ({where})",
                                file, line)
                continue
            mutation = mutations.point(gene, change)
            found[mutation.id] = mutation
            for label, n in _parse_counts(row["Samples"], path, line, "Samples"):
                add_count(mutation.id, label, n, organ_code)
            if sheet == SNV and mutation.kind in ("missense", "nonsense"):
                residue = mutations.point(gene, f"{ref}{position}")
                if residue.id not in residues_done:
                    residues_done.add(residue.id)
                    found[residue.id] = residue
                    for label, n in _parse_counts(row["Detailed_Cancer_Types"], path, line,
                                                  "Detailed_Cancer_Types"):
                        add_count(residue.id, label, n, type_code)
    for (label, what), n in sorted(unmapped.items()):
        ctx.report.drop(f"{what} not mapped to an OncoTree code", f"{label} ({n} samples)", file)

    rels = pd.DataFrame([{"start": m, "end": c, "count": n} for (m, c), n in counts.items()],
                        columns=["start", "end", "count"])
    of_gene = pd.DataFrame(sorted({(m.id, g) for m in found.values() for g in m.genes}),
                           columns=["start", "end"])
    nodes = [node_table("Mutation", [m.row() for m in found.values()], ctx.provenance),
             key_nodes("Gene", of_gene["end"], ctx.provenance),
             key_nodes("TumorType", rels["end"], ctx.provenance)]
    return ctx.result(nodes, [rel_table("HOTSPOT_IN", rels, ctx.provenance),
                              rel_table("OF_GENE", of_gene, ctx.provenance)])

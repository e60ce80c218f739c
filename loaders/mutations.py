"""Mutation identifiers: one rule set shared by GDSC, CIViC and cancerhotspots.

A Mutation's id, and its ``gene``, ``protein_change`` and ``kind`` properties, are a pure
function of (gene symbol, variant text), so every loader that names the same variant emits
the same node and the loaders can run in any order.

Rules (gene = the current symbol from the gene normalizer):

* Protein changes → ``"<GENE> p.<change>"`` with one-letter amino acids, e.g.
  ``BRAF p.V600E`` (kind ``missense``), ``TP53 p.R213*`` (``nonsense``), ``BRAF p.V600``
  (a whole codon, ``codon``), ``EGFR p.E746_A750del`` (``deletion_inframe``),
  ``ERBB2 p.Y772_A775dup`` (``duplication``), ``EGFR p.D770_N771insSVD`` (``insertion``),
  ``EGFR p.L747_P753delinsS`` (``delins``), ``APC p.K1462fs`` (``frameshift``),
  ``TP53 p.X125_splice`` (``splice``), ``PPP4R2 p.*418L`` (``stop_lost``). Case is
  normalized (``E746_A750DEL`` → ``E746_A750del``), three-letter codes are converted
  (``p.Val600Glu`` → ``V600E``), listed deleted residues are dropped (``W557_K558delWK`` →
  ``W557_K558del``), legacy ``A_B>C`` is written ``A_BdelinsC``.
* Gene-level alterations → ``"<GENE> <word>"``: ``mutation`` (kind ``coding_mutation``, also
  GDSC's ``<GENE>_mut`` features), ``amplification``, ``deletion`` (CIViC DELETION and LOSS,
  kind ``deletion``), ``fusion`` (FUSION(S), REARRANGEMENT, TRANSLOCATION), ``overexpression``,
  ``underexpression``, ``expression`` (kind ``expression``), ``wild type`` (``wild_type``).
* Fusions with named partners → ``"<5'>::<3'> fusion"`` (kind ``fusion``; ``gene`` unset,
  OF_GENE to both partners), e.g.
  ``BCR::ABL1 fusion`` from CIViC ``BCR-ABL`` / ``BCR::ABL1`` or GDSC ``BCR-ABL_mut``; a
  partner written ``X`` (any partner) gives ``"<GENE> fusion"``. A fusion followed by a
  protein change (``BCR-ABL T315I``, ``EML4-ALK L1196M``) is the protein change in the row's
  gene (``ABL1 p.T315I``); followed by other text it is ``"<A>::<B> fusion <text>"``.
* Anything else → ``"<GENE> <variant in lower case>"`` (kind ``other``), e.g.
  ``EGFR exon 19 deletion``, ``FLT3 itd``; ``c.`` notation keeps its case.
* Compound variants (text with `` and `` / ``AND``) are not single mutations: ``parse``
  returns None and callers report them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

AA3 = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
    "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*",
    "Sec": "U", "Xaa": "X",
}
_AA = "ACDEFGHIKLMNPQRSTVWYUX"
_POS = rf"[{_AA}]\d+"
_RANGE = rf"{_POS}(?:_[{_AA}]?\d+)?"
_RE_3LETTER = re.compile("|".join(AA3))

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"^([{_AA}])(\d+)([{_AA}])$"), "missense"),
    (re.compile(rf"^([{_AA}])(\d+)\*$"), "nonsense"),
    (re.compile(rf"^\*(\d+)([{_AA}])$"), "stop_lost"),
    (re.compile(rf"^([{_AA}])(\d+)$"), "codon"),
    (re.compile(r"^X\d+_SPLICE$"), "splice"),
    (re.compile(rf"^{_RANGE}DELINS[{_AA}*]+$"), "delins"),
    (re.compile(rf"^{_RANGE}DEL[{_AA}]*$"), "deletion_inframe"),
    (re.compile(rf"^{_RANGE}DUP[{_AA}]*$"), "duplication"),
    (re.compile(rf"^{_RANGE}INS[{_AA}*]+$"), "insertion"),
    (re.compile(rf"^{_POS}[{_AA}]?FS(?:\*\d+|\*\?|X\d+)?$"), "frameshift"),
    (re.compile(rf"^{_RANGE}>[{_AA}*]+$"), "delins"),
)

GENE_LEVEL = {
    "MUTATION": ("mutation", "coding_mutation"),
    "MUTATIONS": ("mutation", "coding_mutation"),
    "AMPLIFICATION": ("amplification", "amplification"),
    "DELETION": ("deletion", "deletion"),
    "LOSS": ("deletion", "deletion"),
    "FUSION": ("fusion", "fusion"),
    "FUSIONS": ("fusion", "fusion"),
    "REARRANGEMENT": ("fusion", "fusion"),
    "TRANSLOCATION": ("fusion", "fusion"),
    "OVEREXPRESSION": ("overexpression", "expression"),
    "UNDEREXPRESSION": ("underexpression", "expression"),
    "EXPRESSION": ("expression", "expression"),
    "WILD TYPE": ("wild type", "wild_type"),
    "WILDTYPE": ("wild type", "wild_type"),
}

#: Legacy fusion partner names that are not current symbols.
FUSION_PARTNER_ALIASES = {"ABL": "ABL1", "NPM": "NPM1"}


@dataclass(frozen=True)
class Mutation:
    """A Mutation node: id plus the properties derived from it."""

    id: str
    gene: str | None
    kind: str
    protein_change: str | None = None
    partners: tuple[str, ...] = ()

    @property
    def genes(self) -> tuple[str, ...]:
        """Genes for OF_GENE: the gene and any fusion partners."""
        found = ([self.gene] if self.gene else []) + list(self.partners)
        return tuple(dict.fromkeys(found))

    def row(self) -> dict:
        """The node row (id, gene, protein_change, kind)."""
        return {"id": self.id, "gene": self.gene, "protein_change": self.protein_change,
                "kind": self.kind}


def protein_change(text: str) -> tuple[str, str] | None:
    """Normalize a protein change (``V600E``, ``p.Val600Glu``, ``E746_A750DEL``) → (change, kind).

    Returns None when the text is not a protein change.
    """
    raw = text.strip()
    if raw.startswith("p."):
        raw = raw[2:]
    raw = raw.strip("()")
    if not raw:
        return None
    if _RE_3LETTER.search(raw):
        raw = _RE_3LETTER.sub(lambda m: AA3[m.group(0)], raw)
    upper = raw.upper()
    for pattern, kind in _PATTERNS:
        if pattern.match(upper):
            return _canonical(upper, kind), kind
    return None


def _canonical(upper: str, kind: str) -> str:
    if kind == "splice":
        return upper.replace("_SPLICE", "_splice")
    if kind == "delins":
        if ">" in upper:
            left, right = upper.split(">", 1)
            return f"{left}delins{right}"
        left, right = upper.split("DELINS", 1)
        return f"{left}delins{right}"
    if kind == "deletion_inframe":
        return upper.split("DEL", 1)[0] + "del"
    if kind == "duplication":
        return upper.split("DUP", 1)[0] + "dup"
    if kind == "insertion":
        left, right = upper.split("INS", 1)
        return f"{left}ins{right}"
    if kind == "frameshift":
        return upper.replace("FS", "fs")
    return upper


def point(gene: str, change: str) -> Mutation:
    """A protein-level Mutation in ``gene`` (change already known to parse)."""
    parsed = protein_change(change)
    if parsed is None:
        raise ValueError(f"not a protein change: {change!r}")
    canonical, kind = parsed
    return Mutation(f"{gene} p.{canonical}", gene, kind, f"p.{canonical}")


def gene_level(gene: str, word: str) -> Mutation:
    """A gene-level alteration, e.g. ``gene_level("EGFR", "AMPLIFICATION")``."""
    name, kind = GENE_LEVEL[word.upper()]
    return Mutation(f"{gene} {name}", gene, kind)


def fusion(five: str, three: str, rest: str = "") -> Mutation:
    """A named fusion ``five::three``; ``gene`` stays unset, OF_GENE links both partners."""
    suffix = f" {rest.strip().lower()}" if rest.strip() else ""
    return Mutation(f"{five}::{three} fusion{suffix}", None, "fusion", partners=(five, three))


_FUSION_TEXT = re.compile(r"^([A-Za-z0-9.]+)(?:-|::)([A-Za-z0-9.]+)(?:\s+(.*))?$")
_COMPOUND = re.compile(r"\s(?:and|AND|And)\s|\s\+\s")


def parse(gene: str, variant: str, resolve_gene: Callable[[str], str | None]) -> Mutation | None:
    """The Mutation for a source's (gene, variant text); None for compound variants.

    ``resolve_gene`` maps a fusion partner's text to a current symbol (or None).
    """
    text = " ".join(variant.split())
    if not text or _COMPOUND.search(text):
        return None
    if text.upper() in GENE_LEVEL:
        return gene_level(gene, text)
    parsed = protein_change(text)
    if parsed is not None:
        return point(gene, text)
    words = text.split(" ")
    # "<GENE> FUSION(S)" / "<GENE> MUTATION" written with the gene name
    if len(words) == 2 and words[1].upper() in GENE_LEVEL and resolve_gene(words[0]) == gene:
        return gene_level(gene, words[1])
    # "ALK FUSION G1202R": a fusion of the row's gene carrying a protein change
    if (len(words) == 3 and words[1].upper() in ("FUSION", "FUSIONS")
            and resolve_gene(words[0]) == gene and protein_change(words[2]) is not None):
        return point(gene, words[2])
    fused = _FUSION_TEXT.match(text)
    if fused:
        five_text, three_text, rest = fused.group(1), fused.group(2), fused.group(3) or ""
        five = _partner(five_text, gene, resolve_gene)
        three = _partner(three_text, gene, resolve_gene)
        if five and (three or three_text.upper() == "X") and gene in (five, three):
            if rest and protein_change(rest) is not None:
                return point(gene, rest)
            if rest and all(protein_change(w) is not None for w in rest.split()):
                return None  # several protein changes on a fusion: compound
            if three_text.upper() == "X":
                return gene_level(five, "FUSION")
            return fusion(five, three, rest)
    if text[:2].lower() in ("c.", "g.", "n."):
        return Mutation(f"{gene} {text}", gene, "other")
    return Mutation(f"{gene} {text.lower()}", gene, "other")


def _partner(text: str, gene: str, resolve_gene: Callable[[str], str | None]) -> str | None:
    if text == gene:
        return gene
    alias = FUSION_PARTNER_ALIASES.get(text.upper())
    if alias:
        return alias
    return resolve_gene(text)

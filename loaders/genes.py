"""Gene nodes and the gene-symbol normalizer every other loader uses.

Source: ``entrez_gene/symbols-human.tsv`` (Entrez GeneID, ``symbol`` or ``synonym``, text),
the human symbol table of dhimmel/entrez-gene. Gene nodes are keyed by the table's current
symbol with ``entrez_id`` and ``synonyms``. This module is the only one that sets Gene
properties; others emit key-only Gene rows for the symbols they resolve.

Normalization (``GeneNormalizer.resolve``), first rule that gives one gene wins:

1. an Entrez id, when the source row has one and the table knows it;
2. the text as a current symbol; 3. the same ignoring case;
4. the text as a synonym (old or alias symbol) of exactly one gene; 5. the same ignoring case.

A synonym shared by several genes is *ambiguous* and is reported, never guessed
(e.g. ``TAK1`` is an alias of both MAP3K7 and NR2C2). A symbol that two Entrez genes share
(24 cases, e.g. ``RNR1``) keys the gene with the lowest GeneID; the other is reported.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from oncokg.loaders.base import LoadContext, LoadResult, SourceError, SourceFile, node_table
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.readers import LINE, read_delimited

FILES = {
    "symbols": SourceFile(
        "entrez_gene/symbols-human.tsv",
        "https://github.com/dhimmel/entrez-gene/raw/a7362748a3/data/symbols-human.tsv",
    ),
}
RELEASE = "2016"


@dataclass(frozen=True)
class GeneMatch:
    """The result of resolving one gene identifier."""

    symbol: str | None
    status: str  # entrez | symbol | case | synonym | synonym_case | ambiguous | unknown
    candidates: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.symbol is not None


class GeneNormalizer:
    """Resolve gene symbols, aliases and Entrez ids to one current symbol."""

    def __init__(self, table: pd.DataFrame, path: Path | str = "symbols-human.tsv") -> None:
        self.entrez_to_symbol: dict[int, str] = {}
        self.symbol_to_entrez: dict[str, int] = {}
        self.synonyms: dict[int, list[str]] = defaultdict(list)
        self.shared_symbols: list[tuple[str, int, int]] = []
        by_synonym: dict[str, set[int]] = defaultdict(set)
        for gene_id, kind, text, line in zip(table["GeneID"], table["type"], table["symbol"],
                                             table[LINE], strict=True):
            if gene_id is None or text is None or not gene_id.isdigit():
                raise SourceError("row without a numeric GeneID or symbol", path, line)
            entrez = int(gene_id)
            if kind == "symbol":
                self.entrez_to_symbol[entrez] = text
            elif kind == "synonym":
                by_synonym[text].add(entrez)
                self.synonyms[entrez].append(text)
            else:
                raise SourceError(f"unknown type {kind!r} (expected symbol or synonym)", path,
                                  line)
        for entrez in sorted(self.entrez_to_symbol):
            symbol = self.entrez_to_symbol[entrez]
            if symbol in self.symbol_to_entrez:
                self.shared_symbols.append((symbol, self.symbol_to_entrez[symbol], entrez))
            else:
                self.symbol_to_entrez[symbol] = entrez
        self._by_synonym = {k: frozenset(v) for k, v in by_synonym.items()}
        self._upper_symbol = _group_upper(self.symbol_to_entrez)
        self._upper_synonym: dict[str, set[int]] = defaultdict(set)
        for text, ids in self._by_synonym.items():
            self._upper_synonym[text.upper()].update(ids)
        self._cache: dict[tuple[str | None, int | None], GeneMatch] = {}

    def resolve(self, text: str | None, entrez: int | str | None = None) -> GeneMatch:
        """Resolve a symbol (optionally with the row's Entrez id) to a current symbol."""
        if isinstance(entrez, str):
            entrez = int(entrez) if entrez.strip().isdigit() else None
        key = (text, entrez)
        if key not in self._cache:
            self._cache[key] = self._resolve(text.strip() if text else None, entrez)
        return self._cache[key]

    def _resolve(self, text: str | None, entrez: int | None) -> GeneMatch:
        if entrez is not None and entrez in self.entrez_to_symbol:
            return GeneMatch(self.entrez_to_symbol[entrez], "entrez")
        if not text:
            return GeneMatch(None, "unknown")
        if text in self.symbol_to_entrez:
            return GeneMatch(text, "symbol")
        upper = text.upper()
        found = self._upper_symbol.get(upper, ())
        if len(found) == 1:
            return GeneMatch(next(iter(found)), "case")
        if len(found) > 1:
            return GeneMatch(None, "ambiguous", tuple(sorted(found)))
        for ids, status in ((self._by_synonym.get(text, ()), "synonym"),
                            (self._upper_synonym.get(upper, ()), "synonym_case")):
            symbols = sorted({self.entrez_to_symbol[i] for i in ids})
            if len(symbols) == 1:
                return GeneMatch(symbols[0], status)
            if len(symbols) > 1:
                return GeneMatch(None, "ambiguous", tuple(symbols))
        return GeneMatch(None, "unknown")

    def symbol(self, text: str | None, entrez: int | str | None = None) -> str | None:
        """The current symbol, or None when unknown or ambiguous."""
        return self.resolve(text, entrez).symbol

    def table(self) -> pd.DataFrame:
        """One row per keyed gene: symbol, entrez_id, synonyms (sorted)."""
        rows = []
        for symbol, entrez in self.symbol_to_entrez.items():
            synonyms = sorted(set(self.synonyms.get(entrez, ())))
            rows.append({"symbol": symbol, "entrez_id": entrez, "synonyms": synonyms or None})
        return pd.DataFrame(rows)


def _group_upper(symbols: dict[str, int]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for symbol in symbols:
        grouped[symbol.upper()].add(symbol)
    return grouped


def read_symbols(path: Path) -> pd.DataFrame:
    """The raw symbol table (GeneID, type, symbol) with line numbers."""
    return read_delimited(path, sep="\t", required=("GeneID", "type", "symbol"))


_NORMALIZERS: dict[tuple, GeneNormalizer] = {}


def normalizer(fetcher: Fetcher) -> GeneNormalizer:
    """The process-wide gene normalizer for the fetcher's symbol file (built once per file)."""
    path = fetcher.path(FILES["symbols"])
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _NORMALIZERS:
        _NORMALIZERS[key] = GeneNormalizer(read_symbols(path), path)
    return _NORMALIZERS[key]


def report_unresolved(ctx: LoadContext, match: GeneMatch, text: object, what: str = "gene",
                      file: str | None = None, line: int | None = None) -> None:
    """Report a gene identifier that did not resolve (unknown or ambiguous)."""
    if match.status == "ambiguous":
        ctx.report.ambiguous(f"ambiguous {what} symbol ({'/'.join(match.candidates)})", text,
                             file, line)
    else:
        ctx.report.drop(f"unknown {what} symbol", text, file, line)


def load(ctx: LoadContext) -> LoadResult:
    """Gene nodes from the Entrez symbol table."""
    genes = normalizer(ctx.fetcher)
    ctx.report.read(FILES["symbols"].path, sum(len(v) for v in genes.synonyms.values())
                    + len(genes.entrez_to_symbol))
    for symbol, kept, other in genes.shared_symbols:
        ctx.report.drop(f"symbol {symbol} shared with GeneID {kept} (lowest GeneID keyed)",
                        f"GeneID:{other}", FILES["symbols"].path)
    return ctx.result([node_table("Gene", genes.table(), ctx.provenance)], [])

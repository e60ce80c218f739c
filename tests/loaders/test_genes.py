"""Gene nodes and the symbol normalizer on the real Entrez symbol table."""

from __future__ import annotations

import pandas as pd

from oncokg.loaders import genes
from oncokg.loaders.fetch import Fetcher


def test_gene_nodes(load) -> None:
    result = load("genes")
    table = result.node_table("Gene").rows
    assert 56_000 < len(table) < 57_000
    egfr = table.set_index("symbol").loc["EGFR"]
    assert egfr["entrez_id"] == 1956
    assert "ERBB1" in egfr["synonyms"]
    assert result.report.count("dropped") == 24  # symbols two Entrez genes share
    assert result.release == "2016"


def test_normalizer_rules(data_dir) -> None:
    norm = genes.normalizer(Fetcher(data_dir))
    assert norm.resolve("BRAF").status == "symbol"
    assert norm.symbol("mtor") == "MTOR"
    assert norm.resolve("HER2").symbol == "ERBB2"  # alias
    assert norm.resolve("C15orf55").symbol == "NUTM1"  # old symbol
    assert norm.resolve("MLL", 4297).symbol == "KMT2A"  # entrez wins
    assert norm.resolve("SEPTIN14", "346288").symbol == "SEPT14"  # newer symbol via entrez
    ambiguous = norm.resolve("TAK1")
    assert ambiguous.symbol is None and ambiguous.status == "ambiguous"
    assert set(ambiguous.candidates) == {"MAP3K7", "NR2C2"}
    assert norm.resolve("NOT-A-GENE-XYZ").status == "unknown"


def test_normalizer_is_cached_per_file(data_dir) -> None:
    assert genes.normalizer(Fetcher(data_dir)) is genes.normalizer(Fetcher(data_dir))


def test_small_table() -> None:
    table = pd.DataFrame({"GeneID": ["1", "2", "2", "3"], "type": ["symbol", "symbol", "synonym",
                                                                   "symbol"],
                          "symbol": ["AAA", "BBB", "OLD", "AAA"], "src_line": [2, 3, 4, 5]})
    norm = genes.GeneNormalizer(table)
    assert norm.symbol("OLD") == "BBB"
    assert norm.symbol_to_entrez["AAA"] == 1  # shared symbol keyed by the lowest GeneID
    assert norm.shared_symbols == [("AAA", 1, 3)]

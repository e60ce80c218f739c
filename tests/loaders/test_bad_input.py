"""Bad input raises SourceError naming the file (and line): corrupted temp copies of real files."""

from __future__ import annotations

import gzip

import pytest

from oncokg import loaders
from oncokg.loaders import SourceError
from tests.conftest import replace_line


def test_malformed_line(mirror) -> None:
    path = "civic_2024/01-Aug-2024-ClinicalEvidenceSummaries.tsv"
    root = mirror(path, replace_line(10, lambda line: line.replace(b"\t", b" ", 3)))
    with pytest.raises(SourceError) as err:
        loaders.load_source("civic", root)
    assert err.value.file.endswith(path) and err.value.line == 10
    assert "expected 25 tab-separated fields, found 22" in str(err.value)


def test_extra_field(mirror) -> None:
    path = "dgidb/MyCancerGenome_INTERACTIONS.tsv"
    root = mirror(path, replace_line(5, lambda line: line + b"\textra"))
    with pytest.raises(SourceError, match=r"MyCancerGenome_INTERACTIONS.tsv, line 5: malformed"):
        loaders.load_source("dgidb", root)


def test_missing_column(mirror) -> None:
    path = "civic/01-Aug-2021-ClinicalEvidenceSummaries.tsv"
    root = mirror(path, replace_line(1, lambda line: line.replace(b"evidence_level",
                                                                   b"level")))
    with pytest.raises(SourceError, match=r"line 1: missing column\(s\) \['evidence_level'\]"):
        loaders.load_source("civic_2021", root)


def test_wrong_delimiter(mirror) -> None:
    path = "entrez_gene/symbols-human.tsv"
    root = mirror(path, lambda data: data.replace(b"\t", b","))
    with pytest.raises(SourceError, match="tab-separated") as err:
        loaders.load_source("genes", root)
    assert err.value.file.endswith(path)


def test_wrong_encoding(mirror) -> None:
    path = "depmap/Model.csv"
    root = mirror(path, replace_line(7, lambda line: line.replace(b"a", "\xe9".encode("latin-1"),
                                                                     1)))
    with pytest.raises(SourceError, match=r"Model.csv, line 7: not valid UTF-8"):
        loaders.load_source("depmap", root)


def test_truncated_gzip(mirror) -> None:
    path = "gdsc_v17/IC50_v17.csv.gz"
    root = mirror(path, lambda data: data[: len(data) // 2])
    with pytest.raises(SourceError, match=r"IC50_v17.csv.gz: corrupt or truncated gzip"):
        loaders.load_source("gdsc", root)


def test_non_numeric_ic50(mirror) -> None:
    path = "gdsc_v17/IC50_v17.csv.gz"

    def transform(data: bytes) -> bytes:
        lines = gzip.decompress(data).split(b"\n")
        fields = lines[4].split(b",")
        fields[-1] = b"n/a?"
        lines[4] = b",".join(fields)
        return gzip.compress(b"\n".join(lines))

    root = mirror(path, transform)
    with pytest.raises(SourceError, match=r"line 5: Drug_\d+_IC50: 'n/a\?' is not a number"):
        loaders.load_source("gdsc", root)


def test_truncated_json(mirror) -> None:
    root = mirror("oncotree/oncotree_2025_10_03.json", lambda data: data[:5000])
    with pytest.raises(SourceError, match=r"oncotree_2025_10_03.json, line 1: invalid JSON"):
        loaders.load_source("oncotree", root)


def test_truncated_xls(mirror) -> None:
    root = mirror("cancerhotspots/hotspots_v2.xls", lambda data: data[:100_000])
    with pytest.raises(SourceError, match=r"hotspots_v2.xls: cannot (open|read) Excel"):
        loaders.load_source("hotspots", root)


def test_malformed_gmt(mirror) -> None:
    root = mirror("msigdb/h.all.v7.0.symbols.gmt",
                  replace_line(3, lambda line: line.split(b"\t")[0]))
    with pytest.raises(SourceError, match=r"h.all.v7.0.symbols.gmt, line 3: malformed GMT"):
        loaders.load_source("msigdb", root)


def test_missing_file(mirror) -> None:
    root = mirror("reactome/ReactomePathways.gmt")  # removed, not replaced
    with pytest.raises(SourceError, match=r"ReactomePathways.gmt: not found in data dir"):
        loaders.load_source("reactome", root)


def test_unknown_source_and_file() -> None:
    with pytest.raises(SourceError, match="unknown source 'nope'"):
        loaders.load_source("nope")
    with pytest.raises(SourceError, match="has no file 'x'"):
        loaders.load_source("gdsc", files={"x": "y"})


def test_invalid_smiles_is_reported_not_fatal(mirror) -> None:
    path = "graphdrp/drug_smiles.csv"
    root = mirror(path, replace_line(2, lambda line: b"SNX-2112,24772860,C1CC(((,C1CC((("))
    result = loaders.load_source("structures", root)
    invalid = result.report.identifiers("invalid SMILES (RDKit cannot parse it)")
    assert any("SNX-2112" in i for i in invalid)
    assert len(result.node_table("Drug").rows) > 8000


def test_header_only_file(mirror) -> None:
    path = "depmap/Model.csv"
    root = mirror(path, lambda data: data.split(b"\n", 1)[0] + b"\n")
    with pytest.raises(SourceError, match=r"Model.csv: has a header but no data rows"):
        loaders.load_source("depmap", root)


def test_stray_quote_is_reported_where_it_opens(mirror) -> None:
    path = "depmap/Model.csv"
    root = mirror(path, replace_line(300, lambda line: line.replace(b",", b',"', 1)))
    with pytest.raises(SourceError, match="unclosed quote on line 300") as err:
        loaders.load_source("depmap", root)
    assert err.value.line == 300


def test_huge_field_is_refused_while_parsing(mirror) -> None:
    path = "entrez_gene/symbols-human.tsv"
    root = mirror(path, replace_line(2, lambda line: line.replace(b"A1BG", b"G" * 40_002)))
    with pytest.raises(SourceError, match=r"line 2: field 'symbol' holds 40,002 characters"):
        loaders.load_source("genes", root)


def test_value_too_long_for_an_index_is_refused_before_writing(mirror) -> None:
    path = "entrez_gene/symbols-human.tsv"
    root = mirror(path, replace_line(2, lambda line: line.replace(b"A1BG", b"G" * 5_000)))
    with pytest.raises(SourceError, match=r"Gene.symbol value of 5,000 bytes .* nothing was "
                                          r"written"):
        loaders.load_source("genes", root)

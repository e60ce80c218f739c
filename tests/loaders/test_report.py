"""The normalization report: counts, issues, files, summary."""

from __future__ import annotations

import csv
import json

from oncokg.loaders.report import Report


def test_report_roundtrip(tmp_path) -> None:
    report = Report("demo", "1")
    report.read("a.tsv", 10)
    report.read("a.tsv", 5)
    report.loaded["Gene"] = 12
    report.drop("unknown gene symbol", "FOO", "a.tsv", 3)
    report.ambiguous("ambiguous gene symbol (A/B)", "BAR", "a.tsv", 4)
    report.merged("same drug", "X")
    report.note("fixed", "Y")
    assert report.rows_read == {"a.tsv": 15}
    assert report.dropped == 2
    data = json.loads(report.write(tmp_path / "r.json").read_text())
    assert data["counts"] == {"dropped": 1, "ambiguous": 1, "merged": 1, "note": 1}
    assert data["issues"][0] == {"kind": "dropped", "reason": "unknown gene symbol",
                                 "identifier": "FOO", "file": "a.tsv", "line": 3}
    with (report.write(tmp_path / "r.tsv")).open() as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert rows[1]["identifier"] == "BAR" and rows[1]["line"] == "4"
    summary = report.summary()
    assert "read 15 rows" in summary and "12 Gene" in summary
    assert "dropped: 1 × unknown gene symbol" in summary
    assert len(summary.splitlines()) <= 8


def test_real_report_files(load, tmp_path) -> None:
    result = load("civic_2021")
    path = result.report.write(tmp_path / "civic.json")
    data = json.loads(path.read_text())
    assert data["rows_read"]["civic/01-Aug-2021-ClinicalEvidenceSummaries.tsv"] == 3650
    kept_or_dropped = data["counts"]["dropped"]
    assert kept_or_dropped > 2000

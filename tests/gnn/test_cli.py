"""``oncokg train`` / ``oncokg evaluate`` on a saved export, through the CLI's code path."""

import json

from click.testing import CliRunner

from oncokg.app.cli import main
from tests.loaders.conftest import DATA


def test_train_cli_writes_results_and_scores_a_second_study(export, tmp_path, monkeypatch):
    saved = export.save(tmp_path / "export")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [
        "train", "--task", "drug-response", "--split", "random", "--seeds", "0",
        "--epochs", "3", "--export", str(saved), "--out", "results",
        "--cross-study", "ccle_2012", "--data-dir", str(DATA)])
    assert result.exit_code == 0, result.output
    assert "random → ccle_2012 (all)" in result.output
    stored = json.loads((tmp_path / "results" / "results_drug-response_random_sage.json")
                        .read_text())
    # The synthetic graph shares no drug with CCLE: the table is there, with no pairs scored.
    assert stored["cross_study"][0]["split"] == "random → ccle_2012 (all)"
    assert (tmp_path / "runs" / "models" / "drug-response.pt").is_file()


def test_cross_study_needs_its_files(export, tmp_path):
    saved = export.save(tmp_path / "export")
    result = CliRunner().invoke(main, [
        "train", "--split", "random", "--seeds", "0", "--epochs", "1", "--export", str(saved),
        "--cross-study", "ctrp_v2", "--data-dir", str(tmp_path)])
    assert result.exit_code != 0
    # The first file it needs (the drug vocabulary) is named, with where to get it.
    assert "not found" in result.output and "Traceback" not in result.output

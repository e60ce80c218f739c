"""GDSC release 8 and expression in the real graph: known facts through the curated queries."""

from __future__ import annotations

import pytest

from oncokg import queries
from oncokg.app.load import load_into_graph
from tests.conftest import counts
from tests.queries.checks import assert_matches_header


@pytest.fixture
def run(release8_graph):
    def run(name: str, **params):
        spec = queries.get_query(name)
        frame = queries.run(name, {**spec.examples, **params}, driver=release8_graph)
        assert_matches_header(frame, spec)
        return frame

    return run


def test_bt474_is_among_the_highest_erbb2_expressors(run):
    high = run("cell_lines_by_expression", gene="ERBB2")
    assert 10 <= len(high) <= 60 and high["z"].is_monotonic_decreasing
    assert "BT-474" in set(high.head(25)["cell_line"])
    assert high["tumor_type"].notna().mean() > 0.8
    low = run("cell_lines_by_expression", gene="ERBB2", direction="low")
    assert (low["z"] < 0).all() and not set(low["cosmic_id"]) & set(high["cosmic_id"])


def test_lapatinib_works_where_erbb2_is_high(run):
    frame = run("expression_vs_response", drug="lapatinib", gene="ERBB2")
    gdsc2 = frame[frame["dataset"] == "GDSC2 r8"].set_index("group")
    assert gdsc2.loc["high", "mean_ln_ic50"] < 1.0 < 3.0 < gdsc2.loc["other", "mean_ln_ic50"]
    assert gdsc2.loc["high", "difference"] < -2.0
    assert gdsc2.loc["high", "sensitive_fraction"] > 3 * gdsc2.loc["other", "sensitive_fraction"]
    assert gdsc2["cell_lines"].sum() > 800


@pytest.mark.parametrize("drug, gene", [("Osimertinib", "EGFR"), ("alpelisib", "PIK3CA"),
                                        ("Venetoclax", "BCL2")])
def test_todays_drugs_have_structure_targets_and_gdsc2_responses(run, drug, gene):
    profile = run("drug_profile", drug=drug).iloc[0]
    assert profile["drug"].lower() == drug.lower() and profile["smiles"]
    assert profile["drug_id"].endswith("-N")  # an InChIKey, not a source id
    assert any(t.startswith(f"{gene} (") for t in profile["targets"])
    gdsc2 = [d for d in profile["datasets"] if d.startswith("GDSC2 r8: ")]
    assert gdsc2 and int(gdsc2[0].split(": ")[1].split(" lines")[0]) > 500


def test_ctrp_targets_carry_their_source(run):
    profile = run("drug_profile", drug="navitoclax").iloc[0]
    ctrp = [t for t in profile["targets"] if "ctrp:" in t]
    assert {t.split(" ")[0] for t in ctrp} >= {"BCL2", "BCL2L1"}
    probe = run("drug_profile", drug="BRD4132").iloc[0]  # a compound only CTRP knows
    assert probe["smiles"] and probe["drug_id"].endswith("-N")


def test_reloading_release8_changes_no_count(release8_graph, data_dir):
    before = counts(release8_graph)
    assert before["rel:EXPRESSES"] > 100_000 and before["rel:RESPONSE"] > 400_000
    load_into_graph(release8_graph, ["gdsc2", "gdsc_expression", "ctrp_drugs"],
                    data_dir=data_dir, show_bars=False)
    assert counts(release8_graph) == before

"""Every curated query on the real graph (every source loaded): its documented example runs and
returns what its header says, and the answers hold known oncology facts."""

from __future__ import annotations

import warnings

import pytest

from oncokg import queries
from oncokg.kg.stats import graph_counts
from tests.queries.checks import assert_matches_header

#: Queries over links that only a trained model writes back; the loaded graph has none.
PREDICTIONS = {"predicted_targets", "predicted_responses", "prediction_runs"}
#: Queries over EXPRESSES links, which the opt-in gdsc_expression source adds (test_release8).
EXPRESSION = {"cell_lines_by_expression"}


@pytest.fixture
def run(loaded_graph):
    def run(name: str, **params):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", queries.TruncatedWarning)
            return queries.run(name, {**queries.get_query(name).examples, **params},
                               driver=loaded_graph)

    return run


@pytest.fixture(scope="module")
def examples():
    """Results of each query with its header's example parameters (run once per module)."""
    return {}


@pytest.mark.parametrize("name", sorted(queries.library()))
def test_header_example_runs_and_matches_the_header(run, examples, name):
    frame = run(name)
    examples[name] = frame
    assert_matches_header(frame, queries.get_query(name))
    assert frame.empty == (name in PREDICTIONS | EXPRESSION), name
    assert not frame.attrs["truncated"], name


def test_egfr_inhibitors_target_egfr(run):
    for drug in ("Erlotinib", "gefitinib", "Tarceva", "Iressa"):
        targets = run("drug_targets", drug=drug)
        assert targets.iloc[0]["gene"] == "EGFR", drug
        assert "inhibitor" in targets.iloc[0]["actions"] and targets.iloc[0]["pmids"]
    found = run("find_drug", text="tarceva").iloc[0]
    assert (found["drug"], found["drug_id"]) == ("Erlotinib", "AAKJLRGGTJKAMG-UHFFFAOYSA-N")


def test_braf_v600e_predicts_response_to_braf_inhibitors(run):
    vemurafenib = run("biomarkers_for_drug", drug="vemurafenib", direction="sensitivity")
    v600e = vemurafenib[vemurafenib["mutation"] == "BRAF p.V600E"].iloc[0]
    assert v600e["level"] == "A" and "Melanoma" in " ".join(v600e["tumors"])
    assert v600e["pmids"] and all(p.isdigit() for p in v600e["pmids"])
    resistance = run("biomarkers_for_drug", drug="Dabrafenib", direction="resistance")
    assert not resistance.empty and set(resistance["direction"]) == {"resistance"}
    l858r = run("biomarkers_for_mutation", mutation="EGFR p.L858R", direction="sensitivity")
    assert {"Erlotinib", "Gefitinib"} <= set(l858r["drug"])


def test_braf_mutant_melanoma_lines_respond_to_dabrafenib(run):
    lines = run("cell_lines_with_mutation_response", mutation="BRAF", drug="Dabrafenib")
    a375 = lines[lines["cell_line"] == "A375"].iloc[0]
    assert a375["tumor_type"] == "MEL" and a375["sensitive"]
    assert (lines.head(10)["tissue"] == "skin").sum() >= 5
    status = run("response_by_mutation_status", drug="Dabrafenib", gene="BRAF")
    mutant, wild = (status[status["status"] == s].iloc[0] for s in ("mutant", "wild type"))
    assert mutant["mean_ln_ic50"] < wild["mean_ln_ic50"] - 2
    assert mutant["sensitive_fraction"] > 0.5 > wild["sensitive_fraction"]
    a375_drugs = run("cell_line_sensitivities", cell_line="A375", top=10)
    assert any("BRAF" in targets for targets in a375_drugs["mutated_targets"])


def test_melanoma_is_braf_mutant_and_braf_inhibitors_follow(run):
    top = run("top_mutated_genes", tumor="Melanoma", top=5)
    assert top.iloc[0]["gene"] == "BRAF" and top.iloc[0]["mutated_fraction"] > 0.6
    assert "NRAS" in set(top["gene"])
    drugs = run("drugs_targeting_tumor_mutations", tumor="mel")
    braf = drugs[drugs["gene"] == "BRAF"]
    assert drugs.iloc[0]["gene"] == "BRAF"
    assert {"Dabrafenib", "Vemurafenib"} <= set(braf["drug"])


def test_dabrafenib_sensitivity_is_strongest_in_melanoma(run):
    tumors = run("tumor_types_for_drug", drug="Dabrafenib")
    lines = tumors[tumors["evidence"] == "cell line response"]
    assert set(lines.head(4)["tumor_type"]) & {"MEL", "SKCM"}
    clinical = tumors[tumors["evidence"] == "clinical biomarker"]
    assert "Melanoma" in set(clinical["tumor"])
    paths = run("drug_tumor_evidence_paths", drug="Dabrafenib", tumor="MEL", per_kind=3)
    assert set(paths["kind"]) == {"sensitive cell line", "target mutated in cell lines",
                                  "target hotspot", "biomarker hotspot", "clinical biomarker"}
    assert paths["path"].str.contains("BRAF").any()


def test_egfr_pathways_and_similar_drugs(run):
    pathways = run("pathways_for_drug", drug="Erlotinib", collection="Reactome")
    egfr = pathways[pathways["pathway_id"] == "R-HSA-177929"].iloc[0]
    assert egfr["pathway"] == "Signaling by EGFR" and "EGFR" in egfr["targets"]
    assert run("similar_drugs", drug="Erlotinib").iloc[0]["similar_drug"] == "Gefitinib"
    assert run("similar_drugs", drug="Gefitinib").iloc[0]["similar_drug"] == "Erlotinib"


def test_statistics_and_provenance_agree_with_the_graph(run, loaded_graph):
    stats = run("graph_statistics")
    expected = graph_counts(loaded_graph)
    expected = expected[expected["count"] > 0]
    assert dict(zip(stats["name"], stats["count"], strict=True)) == dict(
        zip(expected["name"], expected["count"], strict=True))
    sources = run("sources_and_releases", source="any")
    assert {("gdsc", "v17"), ("civic", "2024-08-01"), ("reactome", "2021"),
            ("oncotree", "2025-10-03")} <= set(zip(sources["source"], sources["release"],
                                                    strict=True))
    gdsc = run("sources_and_releases", source="gdsc")
    responses = gdsc[(gdsc["name"] == "RESPONSE") & (gdsc["release"] == "v17")]
    assert responses["count"].tolist() == [
        int(expected.loc[expected["name"] == "RESPONSE", "count"].iloc[0])]

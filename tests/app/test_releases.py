"""Release diffs on the two release pairs at hand (CIViC 2021 → 2024, GDSC v17 → release 8
responses), and replacing a release in the graph: what only the old release asserted goes,
what another source still asserts stays with that source."""

from __future__ import annotations

import pytest

from oncokg.app.load import load_into_graph
from oncokg.app.releases import diff_sources, load_replacing
from oncokg.kg.releases import ReleaseError, release_tags
from tests.conftest import counts

OLD, NEW = "civic:2021-08-01", "civic:2024-08-01"


def _row(frame, name):
    return frame.set_index("name").loc[name].to_dict()


def test_civic_2021_to_2024(data_dir):
    diff = diff_sources("civic_2021", "civic", data_dir)
    assert _row(diff, "BIOMARKER_OF_RESPONSE") == {
        "kind": "relationship", "old": 1176, "new": 1111, "added": 128, "changed": 107,
        "removed": 193, "unchanged": 876}
    assert _row(diff, "Mutation")["removed"] == 91 and _row(diff, "Gene")["added"] == 19
    same = diff_sources("civic", "civic", data_dir)
    assert (same["added"] == 0).all() and (same["removed"] == 0).all()
    assert (same["changed"] == 0).all() and (same["unchanged"] == same["new"]).all()


def test_gdsc_v17_to_release_8_responses_of_the_same_pairs(data_dir):
    diff = diff_sources("gdsc", "gdsc1", data_dir, ignore=("dataset",))
    response = _row(diff, "RESPONSE")
    assert response["added"] + response["changed"] + response["unchanged"] == response["new"]
    assert response["removed"] + response["changed"] + response["unchanged"] == response["old"]
    assert response["old"] == 201_573 and response["changed"] > 150_000
    assert response["removed"] > 0 and response["added"] > 100_000


def _sources(driver, rel_type: str) -> dict[tuple, int]:
    records, _, _ = driver.execute_query(
        f"MATCH ()-[r:{rel_type}]->() RETURN r.sources AS s, count(*) AS n")
    return {tuple(r["s"]): r["n"] for r in records}


def test_replacing_a_release_removes_only_what_it_alone_asserted(empty_graph, data_dir):
    load_into_graph(empty_graph, ["civic_2021", "civic", "hotspots"], data_dir,
                    show_bars=False)
    before = _sources(empty_graph, "BIOMARKER_OF_RESPONSE")
    done = load_replacing(empty_graph, "civic", OLD, data_dir)
    retired = done.retired.set_index("name")
    assert retired.loc["BIOMARKER_OF_RESPONSE", "removed"] == before[(OLD,)] == \
        _row(done.diff, "BIOMARKER_OF_RESPONSE")["removed"]
    assert retired.loc["BIOMARKER_OF_RESPONSE", "kept"] == before[(OLD, NEW)]
    assert _sources(empty_graph, "BIOMARKER_OF_RESPONSE") == {
        (NEW,): before[(OLD, NEW)] + before[(NEW,)]}
    # a mutation only CIViC 2021 and cancerhotspots assert stays, with cancerhotspots
    assert retired.loc["Mutation", "removed"] < _row(done.diff, "Mutation")["removed"]
    left, _, _ = empty_graph.execute_query(
        "MATCH (n) WHERE $tag IN n.sources RETURN count(n) AS n", tag=OLD)
    assert left[0]["n"] == 0 and OLD not in release_tags(empty_graph)
    # the same release again: nothing retired, nothing changes
    snapshot = counts(empty_graph)
    again = load_replacing(empty_graph, "civic", NEW, data_dir)
    assert again.retired is None and (again.diff["changed"] == 0).all()
    assert counts(empty_graph) == snapshot
    with pytest.raises(ReleaseError, match="no release 'civic:2021-08-01'"):
        load_replacing(empty_graph, "civic", OLD, data_dir)


def test_a_reload_names_the_nodes_an_earlier_vocabulary_left(empty_graph, data_dir):
    """A MERGE load never removes what an earlier load of the same release asserted under
    keys this one no longer makes (a drug key of an older vocabulary): it counts them and says
    how to rebuild without them."""
    first = load_into_graph(empty_graph, ["civic"], data_dir, show_bars=False)
    assert first.sources[0].stale == {}
    empty_graph.execute_query("CREATE (:Drug {key: 'OLD-VOCABULARY-KEY', sources: [$tag]})",
                              tag=NEW)
    again = load_into_graph(empty_graph, ["civic"], data_dir, show_bars=False).sources[0]
    assert again.stale == {"Drug": 1}
    assert f"1 Drug node(s) from an earlier load of {NEW}" in again.stale_warning()
    assert "--bulk --replace" in again.stale_warning()

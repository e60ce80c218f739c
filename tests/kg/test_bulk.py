"""``oncokg load --bulk`` on the real data: the offline importer builds, on a second managed
server of its own (fresh home, free ports), the same graph the MERGE writer builds on the test
server; it refuses to replace data unless asked, and a failed or killed import keeps the old
graph."""

from __future__ import annotations

import subprocess

import pandas as pd
import pytest

from oncokg.app.load import bulk_load_into_graph
from oncokg.contract.schema import NODE_TYPES, REL_TYPES, SCHEMA
from oncokg.contract.tables import NodeTable, RelTable
from oncokg.kg.bulk import BulkImportError, build_graph, merge_tables
from oncokg.kg.connection import open_driver
from oncokg.kg.server import ManagedServer
from oncokg.kg.settings import ConnectionSettings, ServerSettings
from oncokg.loaders import DEFAULT_SOURCES
from tests.conftest import counts, free_port

#: Starts a real Neo4j server of its own.
pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def bulk(tmp_path_factory, data_dir):
    """A fresh managed server (no store yet) built with ``load --bulk`` of the default sources."""
    settings = ServerSettings(home=tmp_path_factory.mktemp("oncokg-bulk") / "neo4j",
                              bolt_port=free_port(), http_port=free_port(),
                              heap="768m", pagecache="256m")
    server = ManagedServer(settings)
    outcome = bulk_load_into_graph(DEFAULT_SOURCES, data_dir, server=server)
    driver = open_driver(ConnectionSettings.from_env_managed(settings))
    yield server, driver, outcome
    driver.close()
    server.stop()


def _dump(driver) -> dict:
    """Every node and relationship of the schema's labels and types with all properties,
    keyed by label and key (relationships by type, endpoint keys and identity), plus the
    schema's constraints and indexes."""
    graph: dict = {}
    with driver.session() as session:
        for node in NODE_TYPES:
            query = f"MATCH (n:{node.label}) RETURN n.{node.key} AS k, properties(n) AS p"
            for record in session.run(query):
                graph[(node.label, record["k"])] = record["p"]
        for rel in REL_TYPES:
            start, end = SCHEMA.node(rel.start), SCHEMA.node(rel.end)
            query = (f"MATCH (a:{start.label})-[r:{rel.type}]->(b:{end.label}) "
                     f"RETURN a.{start.key} AS s, b.{end.key} AS e, properties(r) AS p")
            for record in session.run(query):
                identity = tuple(record["p"].get(c) for c in rel.identity)
                key = (rel.type, record["s"], record["e"], identity)
                assert key not in graph, f"two {rel.type} relationships {key}"
                graph[key] = record["p"]
        graph["sources"] = sorted((r["s"]["id"], sorted(r["s"].items())) for r in session.run(
            "MATCH (s:Source) RETURN properties(s) AS s"))
        graph["constraints"] = sorted(tuple(r.values()) for r in session.run(
            "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties"))
        graph["indexes"] = sorted(tuple(r.values()) for r in session.run(
            "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, state"))
    return graph


def test_bulk_build_is_the_merge_build(bulk, loaded_graph, graph_load):
    _, driver, outcome = bulk
    assert counts(driver) == counts(loaded_graph)
    merged, imported = _dump(loaded_graph), _dump(driver)
    assert merged.keys() == imported.keys()
    different = [key for key in merged if merged[key] != imported[key]]
    assert not different, (f"{len(different)} differ, e.g. {different[0]}: "
                           f"MERGE {merged[different[0]]} vs bulk {imported[different[0]]}")
    # the same counts and loss reports as the MERGE load prints
    assert [(s.name, s.rows, s.created) for s in outcome.sources] == \
        [(s.name, s.rows, s.created) for s in graph_load.sources]
    assert [s.report.summary() for s in outcome.sources] == \
        [s.report.summary() for s in graph_load.sources]
    assert outcome.bulk.relationships == sum(v for k, v in counts(driver).items()
                                             if k.startswith("rel:"))


def test_a_graph_with_data_is_replaced_only_when_asked(bulk, data_dir):
    server, driver, _ = bulk
    before = counts(driver)
    with pytest.raises(BulkImportError, match="already holds .* nodes.*--replace"):
        bulk_load_into_graph(("oncotree",), data_dir, server=server)
    assert counts(driver) == before


def test_a_failed_import_keeps_the_old_graph(bulk):
    server, driver, _ = bulk
    before = counts(driver)
    genes = NodeTable("Gene", pd.DataFrame({"symbol": ["A"], "sources": [["t:1"]]}))
    orphan = RelTable("IN_PATHWAY", pd.DataFrame({"start": ["A"], "end": ["R-HSA-none"],
                                                  "sources": [["t:1"]]}))
    with pytest.raises(BulkImportError, match="import failed.*previous graph is kept"):
        build_graph(merge_tables([genes, orphan]), server, replace=True, driver=driver)
    assert server.status().running
    assert counts(driver) == before


def test_a_build_killed_midway_is_undone_at_the_next_start(bulk):
    server, driver, _ = bulk
    before = counts(driver)
    server.stop()
    server.set_store_aside()
    gone = subprocess.Popen(["true"])
    gone.wait()
    (server.aside_dir / "owner.pid").write_text(f"{gone.pid}\n")  # the build's process died
    (server.settings.data_dir / "databases" / "neo4j").mkdir()     # mid-import, say
    server.start(progress=lambda _: None)
    driver.execute_query("RETURN 1")  # the pool's connections died with the server
    assert counts(driver) == before
    assert not server.aside_dir.exists()


def test_replace_builds_the_new_graph(bulk, data_dir):
    server, driver, _ = bulk
    outcome = bulk_load_into_graph(("oncotree",), data_dir, server=server, replace=True,
                                   driver=driver)
    assert outcome.bulk.replaced
    found = counts(driver)
    assert found["node:TumorType"] == 897 and found["rel:SUBTYPE_OF"] == 865
    assert "node:Gene" not in found and "rel:RESPONSE" not in found

"""``oncokg load --bulk`` on the real data: the offline importer builds, on a second managed
server of its own (fresh home, free ports), the same graph the MERGE writer builds on the test
server; it refuses to replace data unless asked, and a failed or killed import keeps the old
graph."""

from __future__ import annotations

import subprocess

import pandas as pd
import pytest

from oncokg.app.load import bulk_load_into_graph
from oncokg.contract.tables import NodeTable, RelTable
from oncokg.kg.bulk import BulkImportError, build_graph, merge_tables
from oncokg.kg.connection import open_driver
from oncokg.kg.server import ManagedServer
from oncokg.kg.settings import ConnectionSettings, ServerSettings
from oncokg.loaders import DEFAULT_SOURCES
from tests.conftest import counts, free_port, graph_dump

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


def test_bulk_build_is_the_merge_build(bulk, loaded_graph, graph_load):
    _, driver, outcome = bulk
    assert counts(driver) == counts(loaded_graph)
    merged, imported = graph_dump(loaded_graph), graph_dump(driver)
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
    for i in range(60):  # the old store's history runs ahead of the new one's
        driver.execute_query("MERGE (n:OncoKGLock {name: 'bookmarks'}) SET n.i = $i", i=i)
    outcome = bulk_load_into_graph(("oncotree",), data_dir, server=server, replace=True,
                                   driver=driver)
    assert outcome.bulk.replaced
    # execute_query does not wait for a bookmark of the replaced store
    records, _, _ = driver.execute_query("MATCH (n:OncoKGLock) RETURN count(n) AS n")
    assert records[0]["n"] == 0
    found = counts(driver)
    assert found["node:TumorType"] == 897 and found["rel:SUBTYPE_OF"] == 865
    assert "node:Gene" not in found and "rel:RESPONSE" not in found

"""Shared fixtures: the real Neo4j that `make test` starts, and the real data directory.

Tests that need Neo4j talk to the server named by NEO4J_URI or the managed server under
ONCOKG_HOME (the Makefile points both at a test server on its own ports). When no server
answers, those tests fail with the connection error: they are never silently skipped.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from oncokg.app.load import load_into_graph
from oncokg.kg.connection import open_driver
from oncokg.kg.settings import ConnectionSettings
from oncokg.kg.writer import apply_schema
from oncokg.kg.writer import clear_graph as wipe
from oncokg.loaders import DEFAULT_SOURCES

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("ONCOKG_DATA_DIR", REPO.parent / "shared" / "data")).resolve()

#: ``content``: which graph the server holds now ("default", "release8" or None), and the
#: ``GraphLoad`` of each graph loaded.
_state: dict = {"content": None}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that reaches Neo4j (through the ``driver`` fixture) with ``neo4j``.

    Tests that start servers of their own mark themselves. ``make test-fast`` runs the rest:
    ``pytest -m "not neo4j"`` needs no server.
    """
    for item in items:
        if "driver" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.neo4j)


def free_port() -> int:
    """A loopback TCP port nothing listens on now (for servers tests start of their own)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA_DIR.is_dir():
        pytest.fail(f"reference data not found at {DATA_DIR}; set ONCOKG_DATA_DIR")
    return DATA_DIR


@pytest.fixture(scope="session")
def driver():
    settings = ConnectionSettings.from_env()
    if not settings.managed and os.environ.get("ONCOKG_TESTS_MAY_WIPE") != "1":
        pytest.fail(
            f"tests empty the graph; refusing to run against {settings.uri} (NEO4J_URI). "
            "Unset NEO4J_URI to use the managed test server, or set ONCOKG_TESTS_MAY_WIPE=1."
        )
    drv = open_driver(settings)
    yield drv
    drv.close()


@pytest.fixture
def empty_graph(driver):
    """The real graph, emptied (data, not schema) before the test."""
    wipe(driver)
    _state["content"] = None
    apply_schema(driver)
    return driver


def counts(driver) -> dict[str, int]:
    """Every label and relationship type count, plus property totals, for change detection."""
    with driver.session() as session:
        nodes = session.run(
            "MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) AS c"
        ).data()
        rels = session.run("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS c").data()
        props = session.run(
            "MATCH (n) RETURN sum(size(keys(n))) AS np"
        ).single()["np"]
    out = {f"node:{r['l']}": r["c"] for r in nodes}
    out.update({f"rel:{r['t']}": r["c"] for r in rels})
    out["node_properties"] = props or 0
    return out


def _graph_with(driver, data_dir, content: str, sources: tuple[str, ...]):
    """The graph holding ``sources`` (loaded once, again only after another graph replaced it)."""
    if _state.get("content") != content:
        wipe(driver)
        _state["content"] = None
        _state[content] = load_into_graph(driver, sources, data_dir=data_dir, show_bars=False)
        _state["content"] = content
    return driver


@pytest.fixture
def loaded_graph(driver, data_dir):
    """The real graph with every default source loaded from the reference data.

    Loaded once per session, and again after a test emptied the graph or loaded another one.
    Tests using this fixture must not modify the graph.
    """
    return _graph_with(driver, data_dir, "default", DEFAULT_SOURCES)


@pytest.fixture
def release8_graph(driver, data_dir):
    """The default graph plus GDSC2 release 8 responses, cell-line expression and CTRP's
    compounds (opt-in sources). Tests using this fixture must not modify the graph."""
    return _graph_with(driver, data_dir, "release8",
                       (*DEFAULT_SOURCES, "gdsc2", "gdsc_expression", "ctrp_drugs"))


@pytest.fixture
def graph_load(loaded_graph):
    """The ``GraphLoad`` outcome of the session's full load (per-source figures, reports)."""
    return _state["default"]

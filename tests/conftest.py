"""Shared fixtures: the real Neo4j that `make test` starts, and the real data directory.

Tests that need Neo4j talk to the server named by NEO4J_URI or the managed server under
ONCOKG_HOME (the Makefile points both at a test server on its own ports). When no server
answers, those tests fail with the connection error: they are never silently skipped.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from oncokg.app.load import load_into_graph
from oncokg.contract.schema import NODE_TYPES, REL_TYPES, SCHEMA
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


def graph_dump(driver) -> dict:
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


@pytest.fixture
def mirror(tmp_path: Path, data_dir: Path) -> Callable[..., Path]:
    """A temp data dir of symlinks to the real files, with one file replaced by a copy.

    ``mirror("civic/x.tsv", transform)`` writes ``transform(original bytes)`` in place of
    that file and returns the temp data dir. The real data is never modified.
    """
    root = tmp_path / "data"
    for sub in data_dir.iterdir():
        if sub.is_dir():
            (root / sub.name).mkdir(parents=True)
            for file in sub.iterdir():
                (root / sub.name / file.name).symlink_to(file)

    def _mirror(relpath: str | None = None,
                transform: Callable[[bytes], bytes] | None = None) -> Path:
        if relpath is not None:
            target = root / relpath
            original = (data_dir / relpath).read_bytes()
            target.unlink()
            if transform is not None:
                target.write_bytes(transform(original))
        return root

    return _mirror


@pytest.fixture
def silent_server():
    """A port that accepts connections and never says a word (a hung or foreign server)."""
    server = socket.create_server(("127.0.0.1", 0))
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"bolt://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for connection in held:
        connection.close()


def replace_line(number: int, edit: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """A ``mirror`` transform: line ``number`` (1-based) of a file replaced by ``edit(line)``."""
    def transform(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines[number - 1] = edit(lines[number - 1])
        return b"\n".join(lines)
    return transform

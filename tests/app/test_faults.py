"""The fault suite: kills and races during ``oncokg load`` never lose or duplicate data.

Each test runs the real command line against a spare managed Neo4j of its own (the session's
test server keeps its graph), breaks the load in one way, reruns it, and compares every node
and relationship with all its properties (``graph_dump``) with the session's clean load of the
same sources. Commands that fail must say so in one line, without a traceback.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from oncokg.kg.connection import open_driver
from oncokg.kg.server import ManagedServer
from oncokg.kg.settings import ConnectionSettings, ServerSettings
from oncokg.kg.writer import clear_graph
from tests.conftest import counts, free_port, graph_dump, replace_line

#: Starts a real Neo4j server of its own.
pytestmark = pytest.mark.neo4j

ONCOKG = str(Path(sys.executable).with_name("oncokg"))
#: Relationships committed before a fault is injected: well into the load, well before its end.
COMMITTED_BEFORE_FAULT = 20_000


@dataclass
class Spare:
    server: ManagedServer
    env: dict[str, str]

    def driver(self):
        return open_driver(ConnectionSettings.from_env_managed(self.server.settings))

    def load(self) -> subprocess.Popen:
        return subprocess.Popen([ONCOKG, "load"], env=self.env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def empty(self) -> None:
        with self.driver() as driver:
            clear_graph(driver)

    def relationships(self) -> int:
        with self.driver() as driver:
            return driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]

    def wait_for_committed(self, load: subprocess.Popen, at_least: int) -> int:
        """Block until ``at_least`` relationships are committed; the count then."""
        while (seen := self.relationships()) < at_least:
            assert load.poll() is None, f"the load ended before the fault: {load.stderr.read()}"
            time.sleep(0.2)
        return seen


@pytest.fixture(scope="module")
def spare(tmp_path_factory):
    home = tmp_path_factory.mktemp("oncokg-faults")
    settings = ServerSettings(home=home / "neo4j", bolt_port=free_port(),
                              http_port=free_port(), heap="768m", pagecache="256m")
    server = ManagedServer(settings)
    server.start(progress=lambda *_: None)
    env = {**os.environ, "ONCOKG_HOME": str(home), "ONCOKG_BOLT_PORT": str(settings.bolt_port),
           "ONCOKG_HTTP_PORT": str(settings.http_port)}
    env.pop("NEO4J_URI", None)
    yield Spare(server, env)
    server.stop()


@dataclass
class CleanLoad:
    """What the session's clean load of the default sources holds."""

    dump: dict
    counts: dict[str, int]

    @property
    def relationships(self) -> int:
        return sum(n for name, n in self.counts.items() if name.startswith("rel:"))


@pytest.fixture(scope="module")
def clean_loads() -> list[CleanLoad]:
    """Filled by the first test from the session's graph (module fixtures cannot use it)."""
    return []


@pytest.fixture
def reference(loaded_graph, clean_loads) -> CleanLoad:
    if not clean_loads:
        clean_loads.append(CleanLoad(graph_dump(loaded_graph), counts(loaded_graph)))
    return clean_loads[0]


def _finished(load: subprocess.Popen, timeout_s: float = 600) -> tuple[int, str]:
    _, stderr = load.communicate(timeout=timeout_s)
    return load.returncode, stderr


def _one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("Error: ")]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


def _same_graph(spare: Spare, clean: CleanLoad) -> None:
    """Same nodes and relationships with the same properties, none twice (counts equal)."""
    with spare.driver() as driver:
        dump = graph_dump(driver)
        assert counts(driver) == clean.counts
    reference = clean.dump
    missing = reference.keys() - dump.keys()
    extra = dump.keys() - reference.keys()
    assert not missing and not extra, (f"{len(missing)} missing (e.g. {next(iter(missing), '')})"
                                       f", {len(extra)} extra (e.g. {next(iter(extra), '')})")
    different = [key for key in reference if reference[key] != dump[key]]
    assert not different, f"{len(different)} differ, e.g. {different[0]}"
    assert _checksum(dump) == _checksum(reference)


def _checksum(dump: dict) -> str:
    return hashlib.sha256(repr(sorted((repr(k), repr(sorted(v.items())) if isinstance(v, dict)
                                       else repr(v)) for k, v in dump.items())).encode()
                          ).hexdigest()


def test_server_killed_mid_load_then_reload_equals_a_clean_load(spare, reference):
    spare.empty()
    load = spare.load()
    committed = spare.wait_for_committed(load, COMMITTED_BEFORE_FAULT)
    os.killpg(os.getpgid(spare.server.pid()), signal.SIGKILL)
    code, stderr = _finished(load)
    assert code != 0
    message = _one_line_error(stderr)
    assert "committed before the failure stays" in message and "rerun" in message, message
    spare.server.start(progress=lambda *_: None)
    assert spare.relationships() >= committed  # what was committed survived the kill
    code, stderr = _finished(spare.load())
    assert code == 0, stderr
    _same_graph(spare, reference)


def test_client_killed_mid_write_then_reload_equals_a_clean_load(spare, reference):
    spare.empty()
    load = spare.load()
    spare.wait_for_committed(load, COMMITTED_BEFORE_FAULT)
    load.kill()
    load.wait()
    partial = spare.relationships()
    assert 0 < partial < reference.relationships
    code, stderr = _finished(spare.load())
    assert code == 0, stderr
    _same_graph(spare, reference)


def test_two_loads_at_once_equal_one_clean_load(spare, reference):
    spare.empty()
    first, second = spare.load(), spare.load()
    for load in (first, second):
        code, stderr = _finished(load)
        assert code == 0, stderr
    _same_graph(spare, reference)


#: One corrupt real file per reader format: (source, file, corruption, what the error names).
CORRUPT = {
    "tsv": ("civic", "civic_2024/01-Aug-2024-ClinicalEvidenceSummaries.tsv",
            replace_line(10, lambda line: line.replace(b"\t", b" ", 3)),
            "01-Aug-2024-ClinicalEvidenceSummaries.tsv, line 10"),
    "csv": ("depmap", "depmap/Model.csv",
            replace_line(300, lambda line: line.replace(b",", b',"', 1)),
            "unclosed quote on line 300"),
    "gzip": ("gdsc", "gdsc_v17/IC50_v17.csv.gz", lambda data: data[: len(data) // 2],
             "IC50_v17.csv.gz: corrupt or truncated gzip"),
    "json": ("oncotree", "oncotree/oncotree_2025_10_03.json", lambda data: data[:5000],
             "oncotree_2025_10_03.json, line 1: invalid JSON"),
    "xls": ("hotspots", "cancerhotspots/hotspots_v2.xls", lambda data: data[:100_000],
            "hotspots_v2.xls: cannot"),
    "gmt": ("msigdb", "msigdb/h.all.v7.0.symbols.gmt",
            replace_line(3, lambda line: line.split(b"\t")[0]),
            "h.all.v7.0.symbols.gmt, line 3: malformed GMT"),
}


def test_a_corrupt_file_of_each_format_is_named_and_the_graph_stays_as_it_was(
        loaded_graph, reference, mirror):
    for fmt, (source, path, corrupt, named) in CORRUPT.items():
        root = mirror(path, corrupt)
        load = subprocess.run([ONCOKG, "load", source, "--data-dir", str(root)], text=True,
                              capture_output=True, timeout=300)
        assert load.returncode == 1, (fmt, load.stderr)
        assert named in _one_line_error(load.stderr), (fmt, load.stderr)
        assert counts(loaded_graph) == reference.counts, fmt
        mirror(path, lambda data: data)  # the real bytes again for the next format
    assert graph_dump(loaded_graph) == reference.dump

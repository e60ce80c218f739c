"""Connection failures fail fast with a clear message; settings come from the environment."""

from __future__ import annotations

import socket
import time

import pytest

from oncokg.kg.connection import GraphUnavailable, graph, open_driver
from oncokg.kg.settings import ConnectionSettings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_down_server_is_a_clear_error_within_seconds():
    settings = ConnectionSettings(f"bolt://127.0.0.1:{_free_port()}", "neo4j", "pw", None, False)
    started = time.monotonic()
    with pytest.raises(GraphUnavailable, match="not reachable"):
        open_driver(settings, timeout_s=2.0)
    assert time.monotonic() - started < 10


def test_wrong_password_is_a_clear_error(driver):
    real = ConnectionSettings.from_env()
    wrong = ConnectionSettings(real.uri, real.user, real.password + "-wrong", None, False)
    started = time.monotonic()
    with pytest.raises(GraphUnavailable, match="refused the credentials"):
        open_driver(wrong, timeout_s=3.0)
    assert time.monotonic() - started < 10


def test_login_locked_after_wrong_passwords_is_a_clear_error(driver):
    """Neo4j's failed-login limit, tripped for real on a user of the test's own."""
    real = ConnectionSettings.from_env()
    driver.execute_query("CREATE USER oncokg_probe IF NOT EXISTS SET PASSWORD 'probe-secret' "
                         "CHANGE NOT REQUIRED", database_="system")
    try:
        wrong = ConnectionSettings(real.uri, "oncokg_probe", "wrong", None, False)
        for _ in range(3):
            with pytest.raises(GraphUnavailable, match="refused the credentials"):
                open_driver(wrong, timeout_s=3.0)
        right = ConnectionSettings(real.uri, "oncokg_probe", "probe-secret", None, False)
        with pytest.raises(GraphUnavailable, match="locked the login after too many wrong "
                                                   "passwords.*retry in a few seconds"):
            open_driver(right, timeout_s=3.0)
    finally:
        driver.execute_query("DROP USER oncokg_probe IF EXISTS", database_="system")


def test_environment_overrides_the_managed_server(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", "neo4j://graph.example:7687")
    monkeypatch.setenv("NEO4J_USER", "reader")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret")
    monkeypatch.setenv("NEO4J_DATABASE", "onco")
    settings = ConnectionSettings.from_env()
    assert (settings.uri, settings.user, settings.password, settings.database) == (
        "neo4j://graph.example:7687", "reader", "s3cret", "onco")
    assert not settings.managed


def test_managed_server_without_password_explains(monkeypatch, tmp_path):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("ONCOKG_HOME", str(tmp_path))
    with pytest.raises(GraphUnavailable, match="oncokg neo4j start"):
        open_driver()


def test_failure_inside_a_session_is_one_clear_error(driver):
    """A server that drops the connection (or a database error) mid-command: GraphUnavailable,
    saying what stays and what to do; the real driver's own exception, not a stand-in."""
    with (pytest.raises(GraphUnavailable, match=r"failed during the command.*rerun") as err,
          graph(ConnectionSettings.from_env()) as (live, database),
          live.session(database=database) as session):
        session.run("CALL dbms.killme()").consume()   # a real server-side error
    assert "\n" not in str(err.value)

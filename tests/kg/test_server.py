"""The managed server's lifecycle, on a second real server with its own home and ports."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from oncokg.kg.server import ManagedServer, ServerError, new_password
from oncokg.kg.settings import ServerSettings
from tests.conftest import free_port

#: Starts real Neo4j servers of its own.
pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("oncokg-home") / "neo4j"
    settings = ServerSettings(home=home, bolt_port=free_port(), http_port=free_port(),
                              heap="512m", pagecache="128m")
    managed = ManagedServer(settings)
    managed.start(progress=lambda _: None)
    yield managed
    managed.stop()


def test_start_reports_version_and_is_a_noop_when_running(server):
    first = server.status()
    assert first.running and first.version and first.version.startswith("5.26")
    again = server.start(progress=lambda _: None)
    assert again.pid == first.pid


def test_password_file_is_private_and_listens_on_loopback_only(server):
    mode = stat.S_IMODE(os.stat(server.settings.password_file).st_mode)
    assert mode == 0o600
    conf = (server.settings.conf_dir / "neo4j.conf").read_text()
    assert "server.default_listen_address=127.0.0.1" in conf
    assert "dbms.security.auth_enabled=true" in conf
    listening = _listening_addresses(server.settings.bolt_port)
    assert listening and all(addr.endswith("0100007F") for addr in listening)  # 127.0.0.1


def test_status_reports_the_ports_the_server_started_with(server):
    other = ServerSettings(home=server.settings.home, bolt_port=free_port(),
                           http_port=free_port(), heap="512m", pagecache="128m")
    status = ManagedServer(other).status()
    assert status.running and status.version
    assert status.uri.endswith(f":{server.settings.bolt_port}")


def test_stop_leaves_no_process(server):
    pid = server.pid()
    assert pid is not None
    assert server.stop() is True
    assert not Path(f"/proc/{pid}").exists() or " Z " in Path(f"/proc/{pid}/stat").read_text()
    assert server.status().running is False
    assert server.stop() is False


def _listening_addresses(port: int) -> list[str]:
    """Local addresses (hex, as /proc/net/tcp writes them) listening on ``port``."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.append(address)
    return found


def test_generated_passwords_never_look_like_an_option():
    passwords = {new_password() for _ in range(2000)}
    assert len(passwords) == 2000
    assert all(p.isalnum() and len(p) >= 32 for p in passwords)


def test_a_port_in_use_is_refused_before_anything_starts(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        settings = ServerSettings(home=tmp_path / "neo4j", bolt_port=busy,
                                  http_port=free_port(), heap="512m", pagecache="128m")
        managed = ManagedServer(settings)
        with pytest.raises(ServerError, match=f"port {busy} .* in use .* ONCOKG_BOLT_PORT"):
            managed.start(progress=lambda _: None)
    assert managed.pid() is None and not settings.pid_file.exists()

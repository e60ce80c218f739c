"""Where OncoKG finds Neo4j: the managed local server, or any server named by the environment.

``NEO4J_URI`` (with ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``) points every command
at another Neo4j — docker compose, a remote server, Aura, a cluster via ``neo4j://``. Without it,
OncoKG talks to the managed server that ``oncokg neo4j start`` runs under ``ONCOKG_HOME``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from oncokg.contract.errors import OncoKGError
from oncokg.contract.paths import cache_dir

NEO4J_VERSION = "5.26.30"


def oncokg_home() -> Path:
    """Root of the managed server's files (data, logs, config, password)."""
    return Path(os.environ.get("ONCOKG_HOME", Path.home() / ".local/share/oncokg")).expanduser()


@dataclass(frozen=True)
class ServerSettings:
    """Layout and tuning of the managed local Neo4j server."""

    home: Path
    bolt_port: int
    http_port: int
    heap: str
    pagecache: str

    @classmethod
    def from_env(cls) -> ServerSettings:
        return cls(
            home=oncokg_home() / "neo4j",
            bolt_port=_port("ONCOKG_BOLT_PORT", "7687"),
            http_port=_port("ONCOKG_HTTP_PORT", "7474"),
            # Sized for a 2-core, 24 GiB machine that also trains models.
            heap=os.environ.get("ONCOKG_NEO4J_HEAP", "2g"),
            pagecache=os.environ.get("ONCOKG_NEO4J_PAGECACHE", "1g"),
        )

    @property
    def lib_dir(self) -> Path:
        return cache_dir() / f"neo4j-{NEO4J_VERSION}" / "lib"

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "oncokg-neo4j.pid"

    @property
    def ports_file(self) -> Path:
        """The Bolt and HTTP ports the running server was started with."""
        return self.run_dir / "oncokg-neo4j.ports"

    @property
    def password_file(self) -> Path:
        return self.home / "password"

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"


@dataclass(frozen=True)
class ConnectionSettings:
    """How to reach the graph: URI, credentials and database."""

    uri: str
    user: str
    password: str
    database: str | None
    managed: bool

    @classmethod
    def from_env(cls) -> ConnectionSettings:
        """Environment first; else the managed server with its generated password."""
        uri = os.environ.get("NEO4J_URI")
        database = os.environ.get("NEO4J_DATABASE") or None
        if uri:
            return cls(
                uri=uri,
                user=os.environ.get("NEO4J_USER", "neo4j"),
                password=os.environ.get("NEO4J_PASSWORD", ""),
                database=database,
                managed=False,
            )
        return cls.from_env_managed(ServerSettings.from_env(), database)

    @classmethod
    def from_env_managed(
        cls, server: ServerSettings, database: str | None = None
    ) -> ConnectionSettings:
        """The managed server, with the password it generated at first start."""
        password = ""
        if server.password_file.exists():
            password = server.password_file.read_text().strip()
        return cls(server.bolt_uri, "neo4j", password, database, managed=True)

    def describe(self) -> str:
        where = "managed local server" if self.managed else "NEO4J_URI"
        return f"{self.uri} as {self.user} ({where})"


def _port(variable: str, default: str) -> int:
    """A TCP port from the environment, or a one-line error naming the variable."""
    text = os.environ.get(variable, default)
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise OncoKGError(f"{variable}={text!r} is not a TCP port (1-65535)")
    return port

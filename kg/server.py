"""The managed local Neo4j 5 Community server behind ``oncokg neo4j start|stop|status|logs``.

Its jars come from Maven Central through ``kg/neo4j-pom.xml`` (``mvn dependency:copy-dependencies``)
into a cache outside the repository. It listens on 127.0.0.1 only, with authentication on and a
generated password in a file only the user can read.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from oncokg.contract.errors import OncoKGError
from oncokg.kg.connection import GraphUnavailable, open_driver
from oncokg.kg.settings import NEO4J_VERSION, ConnectionSettings, ServerSettings

MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
ADMIN_CLASS = "org.neo4j.cli.AdminTool"
#: The managed server's (Community's only) user database.
MANAGED_DATABASE = "neo4j"

#: The JVM flags Neo4j's own launcher passes (module opens for its page cache and Netty).
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)


class ServerError(OncoKGError):
    """The managed server could not be set up, started or stopped."""


@dataclass
class ServerStatus:
    running: bool
    pid: int | None
    uri: str
    http: str
    data: Path
    version: str | None

    def lines(self) -> list[str]:
        state = "running" if self.running else "stopped"
        return [
            f"state:    {state}",
            f"version:  Neo4j {self.version or NEO4J_VERSION} Community",
            f"bolt:     {self.uri}",
            f"browser:  {self.http}/browser/",
            f"pid:      {self.pid or '-'}",
            f"data:     {self.data}",
        ]


def new_password() -> str:
    """A random password of letters and digits: neo4j-admin reads one that starts with ``-``
    (as ``token_urlsafe`` gives one time in 64) as an option and fails."""
    return secrets.token_hex(24)


class ManagedServer:
    """Start, stop and inspect the local server described by ``ServerSettings``."""

    def __init__(self, settings: ServerSettings | None = None) -> None:
        self.settings = settings or ServerSettings.from_env()

    # -- set-up ------------------------------------------------------------------------
    def resolve_jars(self) -> Path:
        """Copy Neo4j's runtime jars from Maven Central into the cache (once)."""
        lib = self.settings.lib_dir
        if lib.is_dir() and any(lib.glob(f"neo4j-{NEO4J_VERSION}.jar")):
            return lib
        pom = resources.files("oncokg.kg").joinpath("neo4j-pom.xml")
        with resources.as_file(pom) as pom_path:
            command = [
                "mvn", "-q", "-B", "-f", str(pom_path), "dependency:copy-dependencies",
                f"-DoutputDirectory={lib}", "-DincludeScope=runtime",
            ]
            try:
                subprocess.run(command, check=True, capture_output=True, text=True)
            except FileNotFoundError:
                raise ServerError("Maven (`mvn`) is needed to fetch the Neo4j jars") from None
            except subprocess.CalledProcessError as exc:
                raise ServerError(
                    f"resolving Neo4j {NEO4J_VERSION} from Maven Central failed:\n"
                    f"{(exc.stdout or '')[-2000:]}{(exc.stderr or '')[-2000:]}"
                ) from None
        return lib

    def write_config(self) -> Path:
        s = self.settings
        for directory in (s.conf_dir, s.data_dir, s.logs_dir, s.run_dir):
            directory.mkdir(parents=True, exist_ok=True)
        conf = s.conf_dir / "neo4j.conf"
        conf.write_text(
            "# Written by `oncokg neo4j start`; edits are overwritten.\n"
            "server.default_listen_address=127.0.0.1\n"
            "server.default_advertised_address=127.0.0.1\n"
            f"server.bolt.listen_address=127.0.0.1:{s.bolt_port}\n"
            f"server.bolt.advertised_address=127.0.0.1:{s.bolt_port}\n"
            f"server.http.advertised_address=127.0.0.1:{s.http_port}\n"
            f"server.http.listen_address=127.0.0.1:{s.http_port}\n"
            "server.https.enabled=false\n"
            "dbms.security.auth_enabled=true\n"
            f"server.memory.heap.initial_size={s.heap}\n"
            f"server.memory.heap.max_size={s.heap}\n"
            f"server.memory.pagecache.size={s.pagecache}\n"
            "dbms.memory.transaction.total.max=1g\n"
            "dbms.usage_report.enabled=false\n"
            # Reloads rewrite the whole graph; keep the logs recovery needs, not days of them.
            "db.tx_log.rotation.retention_policy=512M size\n"
            "db.tx_log.rotation.size=128M\n"
            # A stop waits this long for Bolt's worker threads (default 5 s) after the
            # databases have closed; bulk builds stop and start the server.
            "internal.server.bolt.thread_pool_shutdown_wait_time=0s\n"
            f"server.directories.data={s.data_dir}\n"
            f"server.directories.logs={s.logs_dir}\n"
            f"server.directories.run={s.run_dir}\n"
        )
        return conf

    def ensure_password(self, lib: Path) -> None:
        """Generate the initial password before the first start; keep it mode 0600."""
        s = self.settings
        if (s.data_dir / "dbms" / "auth.ini").exists() and s.password_file.exists():
            return
        password = new_password()
        s.password_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(s.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password + "\n")
        os.chmod(s.password_file, 0o600)
        # "@file": neo4j-admin (picocli) reads the argument from the 0600 file, so the password
        # never appears on a command line that `ps` shows to other users
        result = subprocess.run(
            ["java", "-cp", f"{lib}/*", ADMIN_CLASS, "dbms", "set-initial-password",
             f"@{s.password_file}"],
            env={**os.environ, "NEO4J_HOME": str(s.home), "NEO4J_CONF": str(s.conf_dir)},
            capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise ServerError(f"setting the initial password failed: {result.stderr[-2000:]}")

    # -- a store set aside while a bulk build replaces it --------------------------------
    @property
    def aside_dir(self) -> Path:
        return self.settings.home / "replaced"

    def _store_places(self) -> list[tuple[Path, Path]]:
        return [(self.settings.data_dir / kind / MANAGED_DATABASE, self.aside_dir / kind)
                for kind in ("databases", "transactions")]

    def set_store_aside(self) -> None:
        """Move the database's store and transaction logs aside (the server stopped), owned
        by this process: if it dies before ``drop_store_aside``, the next start restores
        them."""
        shutil.rmtree(self.aside_dir, ignore_errors=True)
        self.aside_dir.mkdir(parents=True)
        (self.aside_dir / "owner.pid").write_text(f"{os.getpid()}\n")
        for live, kept in self._store_places():
            if live.exists():
                live.rename(kept)

    def restore_store_aside(self) -> bool:
        """Put the store set aside back in place of whatever is there now; True if one was."""
        if not self.aside_dir.is_dir():
            return False
        for live, kept in self._store_places():
            shutil.rmtree(live, ignore_errors=True)
            if kept.exists():
                kept.rename(live)
        shutil.rmtree(self.aside_dir, ignore_errors=True)
        return True

    def drop_store_aside(self) -> None:
        """The new store is verified: the one set aside goes."""
        shutil.rmtree(self.aside_dir, ignore_errors=True)

    def _recover_store_aside(self, progress) -> None:
        """A store set aside by a process that has died (a bulk build killed before its new
        store was verified) comes back before the server starts."""
        try:
            owner = int((self.aside_dir / "owner.pid").read_text().strip())
        except (FileNotFoundError, ValueError):
            owner = None
        if not self.aside_dir.is_dir() or (owner is not None and _alive(owner)):
            return
        self.restore_store_aside()
        progress(f"restored the graph an interrupted bulk build had set aside "
                 f"({self.aside_dir})")

    # -- lifecycle ---------------------------------------------------------------------
    def pid(self) -> int | None:
        """The server's pid when its process is alive, else None."""
        try:
            pid = int(self.settings.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists() and MAIN_CLASS.encode() not in cmdline.read_bytes():
            return None
        return pid

    def start(self, timeout_s: float = 180.0, progress=print) -> ServerStatus:
        """Start the server and return once Bolt answers; a no-op when it already runs.

        Ports another process already listens on are refused before anything starts (the
        start-up probe would otherwise log in to a foreign server with our password).
        """
        if self.pid() is not None:
            return self.status()
        s = self.settings
        for variable, port in (("ONCOKG_BOLT_PORT", s.bolt_port),
                               ("ONCOKG_HTTP_PORT", s.http_port)):
            if _listening(port):
                raise ServerError(f"port {port} on 127.0.0.1 is already in use by another "
                                  f"process (another Neo4j?); stop it or set {variable} to a "
                                  "free port")
        self._recover_store_aside(progress)
        progress(f"resolving Neo4j {NEO4J_VERSION} jars (Maven Central, cached) ...")
        lib = self.resolve_jars()
        self.write_config()
        self.ensure_password(lib)
        console = s.logs_dir / "console.log"
        command = [
            "java", f"-Xms{s.heap}", f"-Xmx{s.heap}", *JVM_FLAGS, "-cp", f"{lib}/*", MAIN_CLASS,
            f"--home-dir={s.home}", f"--config-dir={s.conf_dir}",
        ]
        with console.open("ab") as log:
            process = subprocess.Popen(
                command, cwd=s.home, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        s.pid_file.write_text(f"{process.pid}\n")
        s.ports_file.write_text(f"{s.bolt_port} {s.http_port}\n")
        progress(f"starting Neo4j on {s.bolt_uri} (pid {process.pid}) ...")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                s.pid_file.unlink(missing_ok=True)
                raise ServerError(
                    f"Neo4j exited with code {process.returncode} during start-up; "
                    f"last log lines:\n{self.logs(40)}"
                )
            try:
                open_driver(ConnectionSettings.from_env_managed(s), timeout_s=2.0).close()
                return self.status()
            except GraphUnavailable:
                time.sleep(1.0)
        self.stop()
        raise ServerError(f"Neo4j did not answer on {s.bolt_uri} within {timeout_s:.0f} s")

    def stop(self, timeout_s: float = 60.0) -> bool:
        """Stop the server cleanly (SIGTERM, then SIGKILL); True if one was running."""
        pid = self.pid()
        if pid is None:
            self.settings.pid_file.unlink(missing_ok=True)
            return False
        os.killpg(os.getpgid(pid), signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.3)
        if _alive(pid):
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        self.settings.pid_file.unlink(missing_ok=True)
        self.settings.ports_file.unlink(missing_ok=True)
        return True

    def status(self) -> ServerStatus:
        """Whether the server runs, on the ports it was started with (not the environment's)."""
        s = self.settings
        pid = self.pid()
        if pid is not None:
            s = self._started_with()
        version = None
        if pid is not None:
            try:
                driver = open_driver(ConnectionSettings.from_env_managed(s), timeout_s=2.0)
                with driver:
                    records, _, _ = driver.execute_query(
                        "CALL dbms.components() YIELD versions RETURN versions[0] AS v"
                    )
                    version = records[0]["v"]
            except GraphUnavailable:
                version = None
        return ServerStatus(
            running=pid is not None, pid=pid, uri=s.bolt_uri,
            http=f"http://127.0.0.1:{s.http_port}", data=s.data_dir, version=version,
        )

    def _started_with(self) -> ServerSettings:
        try:
            bolt, http = (int(p) for p in self.settings.ports_file.read_text().split())
        except (FileNotFoundError, ValueError):
            return self.settings
        return replace(self.settings, bolt_port=bolt, http_port=http)

    def logs(self, lines: int = 50) -> str:
        """The last ``lines`` lines of the server log (and console output)."""
        chunks = []
        for name in ("neo4j.log", "console.log"):
            path = self.settings.logs_dir / name
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                chunks.append(f"==> {path} <==\n" + "\n".join(tail))
        return "\n".join(chunks) or f"no logs yet in {self.settings.logs_dir}"


def _listening(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:``port``."""
    with socket.socket() as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    # A zombie has exited; its parent (not us) has just not reaped it yet.
    return not (stat.exists() and ") Z " in stat.read_text())

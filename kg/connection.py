"""Open a Neo4j driver with short timeouts and errors a person can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import neo4j
from neo4j.exceptions import (
    AuthError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
)

from oncokg.contract.errors import OncoKGError
from oncokg.kg.settings import ConnectionSettings

#: How long opening and verifying a connection may take by default (seconds).
CONNECT_TIMEOUT_S = 5.0
#: The error Neo4j answers every login with, right password or not, after repeated failures.
AUTH_RATE_LIMIT = "Neo.ClientError.Security.AuthenticationRateLimit"


class GraphUnavailable(OncoKGError):
    """Neo4j cannot be reached or refuses the credentials."""


def open_driver(
    settings: ConnectionSettings | None = None, timeout_s: float = CONNECT_TIMEOUT_S
) -> neo4j.Driver:
    """A verified driver, or ``GraphUnavailable`` within about ``timeout_s`` seconds."""
    settings = settings or ConnectionSettings.from_env()
    if settings.managed and not settings.password:
        raise GraphUnavailable(
            f"no password for the managed Neo4j at {settings.uri}: start it with "
            "`oncokg neo4j start`, or set NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD"
        )
    try:
        driver = neo4j.GraphDatabase.driver(
            settings.uri,
            auth=(settings.user, settings.password),
            connection_timeout=timeout_s,
            connection_acquisition_timeout=timeout_s,
            max_transaction_retry_time=15.0,
            notifications_min_severity="OFF",
        )
    except (ConfigurationError, ValueError) as exc:
        raise GraphUnavailable(f"cannot use NEO4J_URI={settings.uri!r}: {exc} "
                               "(expected e.g. bolt://localhost:7687 or neo4j://host:7687)"
                               ) from None
    try:
        driver.verify_connectivity()
    except AuthError as exc:
        driver.close()
        raise GraphUnavailable(
            f"Neo4j at {settings.describe()} refused the credentials: {exc.message}"
        ) from None
    except (ServiceUnavailable, OSError, ValueError) as exc:
        driver.close()
        hint = " (is it running? `oncokg neo4j start`)" if settings.managed else ""
        raise GraphUnavailable(f"Neo4j at {settings.uri} is not reachable{hint}: {exc}") from None
    except (Neo4jError, DriverError) as exc:
        driver.close()
        if getattr(exc, "code", None) == AUTH_RATE_LIMIT:
            raise GraphUnavailable(
                f"Neo4j at {settings.describe()} locked the login after too many wrong "
                "passwords in a row: check the password (NEO4J_PASSWORD) and retry in a few "
                "seconds (Neo4j's dbms.security.auth_lock_time, 5 s by default)") from None
        raise GraphUnavailable(f"Neo4j at {settings.describe()} refused the connection: "
                               f"{_reason(exc)}") from None
    return driver


@contextmanager
def graph(settings: ConnectionSettings | None = None, timeout_s: float = CONNECT_TIMEOUT_S
          ) -> Iterator[tuple[neo4j.Driver, str | None]]:
    """Context manager yielding ``(driver, database)`` and closing the driver afterwards.

    A connection lost or a database error inside the block becomes ``GraphUnavailable``
    (one line): what was committed before stays, and loads are idempotent, so the message
    says to rerun.
    """
    settings = settings or ConnectionSettings.from_env()
    driver = open_driver(settings, timeout_s)
    try:
        yield driver, settings.database
    except (Neo4jError, DriverError) as exc:
        raise GraphUnavailable(
            f"Neo4j at {settings.uri} failed during the command ({_reason(exc)}); work "
            "committed before the failure stays and loads are idempotent: rerun the command "
            "once Neo4j is back (`oncokg neo4j status`)") from None
    finally:
        driver.close()


def _reason(exc: Exception) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {' '.join(str(text).split())}"

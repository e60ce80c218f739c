"""Open a Neo4j driver with short timeouts and errors a person can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import neo4j
from neo4j.exceptions import AuthError, ServiceUnavailable

from oncokg.contract.errors import OncoKGError
from oncokg.kg.settings import ConnectionSettings


class GraphUnavailable(OncoKGError):
    """Neo4j cannot be reached or refuses the credentials."""


def open_driver(
    settings: ConnectionSettings | None = None, timeout_s: float = 5.0
) -> neo4j.Driver:
    """A verified driver, or ``GraphUnavailable`` within about ``timeout_s`` seconds."""
    settings = settings or ConnectionSettings.from_env()
    if settings.managed and not settings.password:
        raise GraphUnavailable(
            f"no password for the managed Neo4j at {settings.uri}: start it with "
            "`oncokg neo4j start`, or set NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD"
        )
    driver = neo4j.GraphDatabase.driver(
        settings.uri,
        auth=(settings.user, settings.password),
        connection_timeout=timeout_s,
        connection_acquisition_timeout=timeout_s,
        max_transaction_retry_time=15.0,
        notifications_min_severity="OFF",
    )
    try:
        driver.verify_connectivity()
    except AuthError as exc:
        driver.close()
        raise GraphUnavailable(
            f"Neo4j at {settings.describe()} refused the credentials: {exc.message}"
        ) from None
    except (ServiceUnavailable, OSError) as exc:
        driver.close()
        hint = " (is it running? `oncokg neo4j start`)" if settings.managed else ""
        raise GraphUnavailable(f"Neo4j at {settings.uri} is not reachable{hint}: {exc}") from None
    return driver


@contextmanager
def graph(settings: ConnectionSettings | None = None) -> Iterator[tuple[neo4j.Driver, str | None]]:
    """Context manager yielding ``(driver, database)`` and closing the driver afterwards."""
    settings = settings or ConnectionSettings.from_env()
    driver = open_driver(settings)
    try:
        yield driver, settings.database
    finally:
        driver.close()

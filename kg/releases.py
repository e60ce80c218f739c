"""Retiring a source release: its tag leaves the graph, and with it what only it asserted.

Every node and relationship whose ``sources`` hold the tag loses it; one no other source
asserts any more is deleted (a node with its relationships: each source emits the endpoints
of its relationships, so a relationship another source asserts keeps nodes that source
asserts too). The tag's ``Source`` node goes. Values the release set on facts that stay
(scalar properties, merged lists such as PubMed ids) are not traced per source and stay.
"""

from __future__ import annotations

import neo4j
import pandas as pd

from oncokg.contract.errors import OncoKGError
from oncokg.contract.schema import SOURCE_LABEL

COLUMNS = ["kind", "name", "kept", "removed"]


class ReleaseError(OncoKGError, ValueError):
    """A release the graph does not hold."""

_RELS = (
    "MATCH ()-[r]->() WHERE $tag IN r.sources "
    "WITH r, type(r) AS name, [t IN r.sources WHERE t <> $tag] AS rest "
    "CALL (r, rest) { WITH r, rest WHERE size(rest) > 0 SET r.sources = rest } "
    "CALL (r, rest) { WITH r, rest WHERE size(rest) = 0 DELETE r } "
    "RETURN name, sum(CASE WHEN size(rest) > 0 THEN 1 ELSE 0 END) AS kept, "
    "sum(CASE WHEN size(rest) = 0 THEN 1 ELSE 0 END) AS removed"
)
_NODES = (
    "MATCH (n) WHERE $tag IN n.sources "
    "WITH n, labels(n)[0] AS name, [t IN n.sources WHERE t <> $tag] AS rest "
    "CALL (n, rest) { WITH n, rest WHERE size(rest) > 0 SET n.sources = rest } "
    "CALL (n, rest) { WITH n, rest WHERE size(rest) = 0 DETACH DELETE n } "
    "RETURN name, sum(CASE WHEN size(rest) > 0 THEN 1 ELSE 0 END) AS kept, "
    "sum(CASE WHEN size(rest) = 0 THEN 1 ELSE 0 END) AS removed"
)


def release_tags(driver: neo4j.Driver, database: str | None = None) -> list[str]:
    """The provenance tags the graph's ``Source`` nodes record."""
    records, _, _ = driver.execute_query(f"MATCH (s:{SOURCE_LABEL}) RETURN s.id AS tag "
                                         "ORDER BY tag", database_=database)
    return [r["tag"] for r in records]


def tagged_nodes(driver: neo4j.Driver, tags: list[str], database: str | None = None
                 ) -> dict[str, dict[str, int]]:
    """Per tag of ``tags``, how many nodes of each label carry it in their ``sources`` (one
    pass over the nodes)."""
    records, _, _ = driver.execute_query(
        "MATCH (n) UNWIND n.sources AS tag WITH tag, labels(n)[0] AS label WHERE tag IN $tags "
        "RETURN tag, label, count(*) AS n", tags=tags, database_=database)
    out: dict[str, dict[str, int]] = {}
    for r in records:
        out.setdefault(r["tag"], {})[r["label"]] = r["n"]
    return out


def retire_release(driver: neo4j.Driver, tag: str, database: str | None = None
                   ) -> pd.DataFrame:
    """Take ``tag`` out of the graph (see the module docstring), in one transaction.

    Returns, per label and type, the facts that stay (another source asserts them) and those
    removed.
    """
    def work(tx: neo4j.ManagedTransaction) -> list[dict]:
        rows = [{"kind": "relationship", **r.data()} for r in tx.run(_RELS, tag=tag)]
        rows += [{"kind": "node", **r.data()} for r in tx.run(_NODES, tag=tag)]
        tx.run(f"MATCH (s:{SOURCE_LABEL} {{id: $tag}}) DELETE s", tag=tag).consume()
        return rows

    known = release_tags(driver, database)
    if tag not in known:
        raise ReleaseError(f"no release {tag!r} in the graph; it records {', '.join(known)}")
    with driver.session(database=database) as session:
        rows = session.execute_write(work)
    return pd.DataFrame(rows, columns=COLUMNS).sort_values(["kind", "name"], ascending=[False,
                                                                                        True])

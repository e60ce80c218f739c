"""Graph statistics: counts per label and relationship type, and the sources behind them."""

from __future__ import annotations

from pathlib import Path

import neo4j
import pandas as pd

from oncokg.contract.licences import UNKNOWN
from oncokg.contract.schema import NODE_TYPES, REL_TYPES, SOURCE_LABEL
from oncokg.kg.settings import ConnectionSettings, ServerSettings


def graph_counts(driver: neo4j.Driver, database: str | None = None) -> pd.DataFrame:
    """One row per declared label and relationship type with its count (zeros included)."""
    rows = []
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        for node in NODE_TYPES:
            # Label names come from the schema module, not from users.
            count = session.run(f"MATCH (n:{node.label}) RETURN count(n) AS c").single()["c"]
            rows.append({"kind": "node", "name": node.label, "count": count})
        for rel in REL_TYPES:
            count = session.run(f"MATCH ()-[r:{rel.type}]->() RETURN count(r) AS c").single()["c"]
            rows.append({"kind": "relationship", "name": rel.type, "count": count})
    return pd.DataFrame(rows)


def node_count(driver: neo4j.Driver, database: str | None = None) -> int:
    """How many nodes the graph holds (of any label)."""
    records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n", database_=database,
                                         routing_=neo4j.RoutingControl.READ)
    return records[0]["n"]


def source_counts(driver: neo4j.Driver, database: str | None = None) -> pd.DataFrame:
    """How many relationships each source (``name:release``) contributed, per type."""
    query = (
        "MATCH ()-[r]->() WHERE r.sources IS NOT NULL "
        "UNWIND r.sources AS source "
        "RETURN type(r) AS relationship, source, count(*) AS count "
        "ORDER BY relationship, source"
    )
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        return pd.DataFrame([r.data() for r in session.run(query)],
                            columns=["relationship", "source", "count"])


def source_licences(driver: neo4j.Driver, database: str | None = None) -> dict[str, str]:
    """Provenance tag → licence id, from the graph's ``Source`` nodes (written by each load)."""
    records, _, _ = driver.execute_query(
        f"MATCH (s:{SOURCE_LABEL}) RETURN s.id AS tag, s.licence AS licence ORDER BY tag",
        database_=database, routing_=neo4j.RoutingControl.READ)
    return {r["tag"]: r["licence"] for r in records}


def licence_counts(driver: neo4j.Driver, database: str | None = None) -> pd.DataFrame:
    """Per licence, label and relationship type: how many nodes and relationships some source
    under that licence asserts (``count``; an entity counts once per licence of its sources),
    and how many it alone covers (``only``: every source of the entity is under it). A tag no
    ``Source`` node describes counts as ``unknown``."""
    query = (
        "CALL () { MATCH (n) WHERE n.sources IS NOT NULL "
        "WITH n, [t IN n.sources | coalesce($licences[t], $unknown)] AS tagged "
        "UNWIND labels(n) AS name RETURN 'node' AS kind, name, tagged "
        "UNION ALL MATCH ()-[r]->() WHERE r.sources IS NOT NULL "
        "RETURN 'relationship' AS kind, type(r) AS name, "
        "[t IN r.sources | coalesce($licences[t], $unknown)] AS tagged } "
        "WITH kind, name, reduce(d = [], l IN tagged | CASE WHEN l IN d THEN d ELSE d + l END)"
        " AS uniq UNWIND uniq AS licence "
        "RETURN licence, kind, name, count(*) AS count, "
        "sum(CASE WHEN size(uniq) = 1 THEN 1 ELSE 0 END) AS only "
        "ORDER BY licence, kind DESC, name"
    )
    licences = source_licences(driver, database)
    records, _, _ = driver.execute_query(query, licences=licences, unknown=UNKNOWN,
                                         database_=database, routing_=neo4j.RoutingControl.READ)
    return pd.DataFrame([r.data() for r in records],
                        columns=["licence", "kind", "name", "count", "only"])


def store_size(settings: ConnectionSettings | None = None) -> dict[str, int] | None:
    """Bytes on disk of the managed server's database: ``store`` files and ``transactions``
    logs. ``None`` for a server this project does not run (its files are not ours to see)."""
    settings = settings or ConnectionSettings.from_env()
    if not settings.managed:
        return None
    data = ServerSettings.from_env().data_dir
    database = settings.database or "neo4j"
    return {"store": _bytes(data / "databases" / database),
            "transactions": _bytes(data / "transactions" / database)}


def _bytes(directory: Path) -> int:
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())

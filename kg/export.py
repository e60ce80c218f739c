"""Export the graph from Neo4j into the contract's ``GraphExport`` (what training reads).

One streamed read query per label and per relationship type; labels and types come from the
schema, and the queries are recorded in the manifest so an export says how it was made.
"""

from __future__ import annotations

from collections.abc import Iterable

import neo4j
import pandas as pd

from oncokg.contract.export import (
    EXPORTED_RELS,
    EdgeKey,
    GraphExport,
    build_manifest,
    frame_from_props,
    index_edges,
)
from oncokg.contract.schema import NODE_TYPES, SCHEMA


def export_graph(
    driver: neo4j.Driver,
    database: str | None = None,
    rel_types: Iterable[str] = EXPORTED_RELS,
    fetch_size: int = 10_000,
) -> GraphExport:
    """Stream every node of the schema's labels and the given relationship types.

    Records are fetched in batches of ``fetch_size``; predicted links are not exported.
    """
    queries: dict[str, str] = {}
    nodes: dict[str, pd.DataFrame] = {}
    edges: dict[EdgeKey, pd.DataFrame] = {}
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS,
                        fetch_size=fetch_size) as session:
        for node in NODE_TYPES:
            query = (f"MATCH (n:{node.label}) RETURN n.{node.key} AS key, "
                     f"properties(n) AS props ORDER BY key")
            queries[node.label] = query
            records = session.run(query)
            nodes[node.label] = frame_from_props(
                ((r["key"], r["props"]) for r in records), drop=node.key
            )
        for rel_type in rel_types:
            rel = SCHEMA.rel(rel_type)
            start, end = SCHEMA.node(rel.start), SCHEMA.node(rel.end)
            query = (f"MATCH (a:{start.label})-[r:{rel.type}]->(b:{end.label}) "
                     f"RETURN a.{start.key} AS start, b.{end.key} AS end, "
                     "properties(r) AS props")
            queries[rel.type] = query
            rows = [(r["start"], r["end"], r["props"]) for r in session.run(query)]
            raw = pd.DataFrame([p for _, _, p in rows])
            raw.insert(0, "end", [str(e) for _, e, _ in rows])
            raw.insert(0, "start", [str(s) for s, _, _ in rows])
            frame, _ = index_edges(raw, nodes, rel.start, rel.end, rel.identity)
            edges[(rel.start, rel.type, rel.end)] = frame
        releases = session.run(
            "MATCH ()-[r]->() WHERE r.sources IS NOT NULL UNWIND r.sources AS s "
            "RETURN collect(DISTINCT s) AS sources"
        ).single()["sources"]
    release = "+".join(sorted(releases)) if releases else "empty"
    return GraphExport(nodes, edges, build_manifest(nodes, edges, release, source="neo4j",
                                                    sources=sorted(releases), queries=queries))

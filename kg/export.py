"""Export the graph from Neo4j into the contract's ``GraphExport`` (what training reads).

One streamed read query per label and per relationship type (a relationship type's edges come
grouped per start node, properties as values: see ``_edges``); labels, types and properties come
from the schema, and the queries are recorded in the manifest so an export says how it was made.
"""

from __future__ import annotations

from collections.abc import Iterable

import neo4j
import numpy as np
import pandas as pd

from oncokg.contract.export import (
    EXPORTED_RELS,
    EdgeKey,
    GraphExport,
    build_manifest,
    index_edges,
)
from oncokg.contract.schema import NODE_TYPES, SCHEMA, NodeType, RelType
from oncokg.kg.stats import source_licences


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
            queries[node.label], nodes[node.label] = _nodes(session, node)
        for rel_type in rel_types:
            rel = SCHEMA.rel(rel_type)
            queries[rel.type], raw = _edges(session, rel)
            frame, _ = index_edges(raw, nodes, rel.start, rel.end, rel.identity)
            edges[(rel.start, rel.type, rel.end)] = frame
        releases = session.run(
            "MATCH ()-[r]->() WHERE r.sources IS NOT NULL UNWIND r.sources AS s "
            "RETURN collect(DISTINCT s) AS sources"
        ).single()["sources"]
    release = "+".join(sorted(releases)) if releases else "empty"
    return GraphExport(nodes, edges, build_manifest(
        nodes, edges, release, source="neo4j", sources=sorted(releases), queries=queries,
        source_licences=source_licences(driver, database)))


def _edges(session: neo4j.Session, rel: RelType) -> tuple[str, pd.DataFrame]:
    """The query and the ``start``, ``end`` and property columns of one relationship type.

    One record per start node carrying its edges as a list of ``[end key, properties…]``
    (the schema's declared properties, as values, not maps): far fewer, larger records than
    one per edge, which is what the driver spends its time on, while each record stays the
    size of one node's edges. Properties no edge holds get no column.
    """
    start, end = SCHEMA.node(rel.start), SCHEMA.node(rel.end)
    values = ", ".join([f"b.{end.key}", *(f"r.{p}" for p in rel.properties)])
    query = (f"MATCH (a:{start.label}) CALL (a) {{ MATCH (a)-[r:{rel.type}]->(b:{end.label}) "
             f"RETURN collect([{values}]) AS edges }} WITH a, edges WHERE size(edges) > 0 "
             f"RETURN a.{start.key} AS start, edges")
    starts, edges = [], []
    for record in session.run(query):
        group = record["edges"]
        starts += [str(record["start"])] * len(group)
        edges += group
    columns = list(zip(*edges, strict=True)) if edges else [()] * (1 + len(rel.properties))
    raw = pd.DataFrame({"start": starts, "end": [str(e) for e in columns[0]]})
    return query, _with_properties(raw, rel.properties, columns[1:])


def _nodes(session: neo4j.Session, node: NodeType) -> tuple[str, pd.DataFrame]:
    """The query and the frame of one label: ``key`` (as text) and the declared properties,
    ordered by key, fetched as one list of values per node in a single record."""
    values = ", ".join(f"n.{p}" for p in (node.key, *node.properties))
    query = (f"MATCH (n:{node.label}) WITH n ORDER BY n.{node.key} "
             f"RETURN collect([{values}]) AS nodes")
    rows = session.run(query).single()["nodes"]
    columns = list(zip(*rows, strict=True)) if rows else [()] * (1 + len(node.properties))
    frame = pd.DataFrame({"key": [str(k) for k in columns[0]]})
    return query, _with_properties(frame, node.properties, columns[1:])


def _with_properties(frame: pd.DataFrame, names: tuple[str, ...], columns) -> pd.DataFrame:
    """``frame`` plus one column per property some row holds, missing values as NaN (as a
    frame built from property maps has them)."""
    for name, column in zip(names, columns, strict=True):
        if any(v is not None for v in column):
            values = pd.Series(list(column), index=frame.index)
            frame[name] = values.where(values.notna(), np.nan) if values.dtype == object \
                else values
    return frame

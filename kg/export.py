"""Export the graph from Neo4j into the contract's ``GraphExport`` (what training reads).

One streamed read query per label, then per relationship type (a large type in parts, read side
by side; edges come as columns per anchor node: see ``_edges``); labels, types and properties
come from the schema, and the queries are recorded in the manifest so an export says how it was
made.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from itertools import chain, repeat
from typing import TypeVar

import neo4j
import numpy as np
import pandas as pd

from oncokg.contract.export import (
    EXPORTED_RELS,
    EdgeKey,
    GraphExport,
    build_manifest,
    order_edges,
)
from oncokg.contract.schema import NODE_TYPES, REL_TYPES, SCHEMA, NodeType, RelType
from oncokg.kg.stats import graph_counts, source_licences

#: The list property edges are grouped by when exported (few distinct values, one per group).
GROUPED = "sources"
#: About this many edges per query: a large type is read in parts, side by side.
EDGES_PER_PART = 100_000

T = TypeVar("T")


def export_graph(
    driver: neo4j.Driver,
    database: str | None = None,
    rel_types: Iterable[str] = EXPORTED_RELS,
    fetch_size: int = 10_000,
    workers: int = 3,
) -> GraphExport:
    """Stream every node of the schema's labels and the given relationship types.

    Records are fetched in batches of ``fetch_size``; predicted links are not exported. The
    nodes come first (the edges are indexed by them); then ``workers`` sessions read the
    relationship types, a large type in parts, side by side, so that the server's work on one
    part overlaps the driver's decoding of another.
    """
    queries: dict[str, str] = {}
    nodes: dict[str, pd.DataFrame] = {}
    keys: dict[str, pd.Index] = {}

    def read(work: Callable[..., T], *args) -> T:
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS,
                            fetch_size=fetch_size) as session:
            return work(session, *args)

    for node in NODE_TYPES:
        queries[node.label], nodes[node.label], keys[node.label] = read(_nodes, node)
    rels = [SCHEMA.rel(t) for t in rel_types]
    counts = graph_counts(driver, database).set_index("name")["count"]
    parts = [(rel, anchors) for rel in rels for anchors in _parts(rel, keys, counts[rel.type])]
    grouped: dict[str, list[pd.DataFrame]] = {rel.type: [] for rel in rels}
    sources: set[str] = set()
    with ThreadPoolExecutor(max(1, workers)) as pool:
        unexported = pool.submit(read, _tags_outside, [rel.type for rel in rels])
        read_parts = pool.map(lambda part: read(_edges, *part, keys), parts)
        for (rel, _), (queries[rel.type], frame, tags) in zip(parts, read_parts, strict=True):
            grouped[rel.type].append(frame)
            sources |= tags
        sources |= unexported.result()
    edges: dict[EdgeKey, pd.DataFrame] = {
        (rel.start, rel.type, rel.end): order_edges(
            pd.concat(grouped[rel.type], ignore_index=True), rel.identity)
        for rel in rels}
    release = "+".join(sorted(sources)) or "empty"
    return GraphExport(nodes, edges, build_manifest(
        nodes, edges, release, source="neo4j", sources=sorted(sources), queries=queries,
        source_licences=source_licences(driver, database)))


def _tags_outside(session: neo4j.Session, exported: list[str]) -> set[str]:
    """The provenance tags on relationships of the types not exported (the release names every
    source of the graph's relationships)."""
    others = [r.type for r in REL_TYPES if GROUPED in r.properties and r.type not in exported]
    if not others:
        return set()
    return set(session.run(
        f"MATCH ()-[r:{'|'.join(others)}]->() WHERE r.{GROUPED} IS NOT NULL "
        f"UNWIND r.{GROUPED} AS s RETURN collect(DISTINCT s) AS tags").single()["tags"])


def _parts(rel: RelType, keys: dict[str, pd.Index], count: int) -> list[list]:
    """The anchors (keys of the type's smaller side) split into parts of about
    ``EDGES_PER_PART`` of the type's ``count`` edges: interleaved, so that high-degree nodes
    spread over the parts."""
    anchors = keys[_anchor(rel, keys)].tolist()
    n = max(1, min(len(anchors), math.ceil(count / EDGES_PER_PART)))
    return [anchors[i::n] for i in range(n)]


def _anchor(rel: RelType, keys: dict[str, pd.Index]) -> str:
    """The side of ``rel`` with fewer nodes: one record per anchor node."""
    return rel.start if len(keys[rel.start]) <= len(keys[rel.end]) else rel.end


def _edges(session: neo4j.Session, rel: RelType, anchors: list,
           keys: dict[str, pd.Index]) -> tuple[str, pd.DataFrame, set[str]]:
    """The query, the ``src``, ``dst`` (node indices) and property columns of the edges of
    ``rel`` at the given anchor nodes (unordered), and the provenance tags they carry.

    One record per anchor and distinct ``sources`` list, carrying the other ends and the other
    properties as one list per column (a missing value as ``{}``, since ``collect`` drops
    nulls and no property is a map): the driver decodes plain values instead of a list per
    edge, ``sources`` travels once per group, and the server streams an anchor at a time.
    Properties no edge holds get no column.
    """
    start, end = SCHEMA.node(rel.start), SCHEMA.node(rel.end)
    from_start = _anchor(rel, keys) == rel.start
    sides = [("a", start), ("b", end)]
    (anchor, anchor_node), (other, other_node) = sides if from_start else sides[::-1]
    collected = [p for p in rel.properties if p != GROUPED]
    lists = ", ".join([f"collect({other}.{other_node.key}) AS other",
                       *(f"collect(coalesce(r.{p}, {{}})) AS {p}" for p in collected)])
    returned = ", ".join(["key", GROUPED, "other", *collected])
    query = (f"UNWIND $anchors AS key MATCH ({anchor}:{anchor_node.label} "
             f"{{{anchor_node.key}: key}}) CALL ({anchor}) {{ "
             f"MATCH (a:{start.label})-[r:{rel.type}]->(b:{end.label}) "
             f"RETURN r.{GROUPED} AS {GROUPED}, {lists} }} RETURN {returned}")
    records = [record.values() for record in session.run(query, anchors=anchors)]
    sizes = np.fromiter((len(values[2]) for values in records), np.int64, len(records))
    at_anchor = np.repeat(keys[anchor_node.label].get_indexer([v[0] for v in records]), sizes)
    at_other = keys[other_node.label].get_indexer(
        list(chain.from_iterable(values[2] for values in records)))
    frame = pd.DataFrame({"src": at_anchor if from_start else at_other,
                          "dst": at_other if from_start else at_anchor}, dtype=np.int64)
    columns = {p: _missing_as_none(list(chain.from_iterable(values[3 + i] for values in records)))
               for i, p in enumerate(collected)}
    columns[GROUPED] = list(chain.from_iterable(map(repeat, (v[1] for v in records), sizes)))
    tags = {tag for values in records for tag in values[1] or ()}
    return (query, _with_properties(frame, rel.properties, [columns[p] for p in rel.properties]),
            tags)


def _missing_as_none(values: list) -> list:
    """A collected column with None where the query sent ``{}`` for a missing value."""
    return [None if type(value) is dict else value for value in values] if {} in values \
        else values


def _nodes(session: neo4j.Session, node: NodeType) -> tuple[str, pd.DataFrame, pd.Index]:
    """The query, the frame of one label (``key`` as text and the declared properties, ordered
    by key, fetched as one list of values per node in a single record) and the keys as stored
    (what the edges' queries look nodes up by)."""
    values = ", ".join(f"n.{p}" for p in (node.key, *node.properties))
    query = (f"MATCH (n:{node.label}) WITH n ORDER BY n.{node.key} "
             f"RETURN collect([{values}]) AS nodes")
    rows = session.run(query).single()["nodes"]
    columns = list(zip(*rows, strict=True)) if rows else [()] * (1 + len(node.properties))
    frame = pd.DataFrame({"key": [str(k) for k in columns[0]]})
    return query, _with_properties(frame, node.properties, columns[1:]), \
        pd.Index(columns[0], dtype=object)


def _with_properties(frame: pd.DataFrame, names: tuple[str, ...], columns) -> pd.DataFrame:
    """``frame`` plus one column per property some row holds, missing values as NaN (as a
    frame built from property maps has them)."""
    for name, column in zip(names, columns, strict=True):
        if any(v is not None for v in column):
            values = pd.Series(list(column), index=frame.index)
            frame[name] = values.where(values.notna(), np.nan) if values.dtype == object \
                else values
    return frame

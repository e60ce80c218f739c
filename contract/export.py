"""The export format: the graph as training sees it, with no database behind it.

``GraphExport`` is the frozen, file-backed view of the graph that training sees: one DataFrame of
node properties per label (row position = node index, the label's key in ``key``) and one
DataFrame per relationship type with integer ``src``/``dst`` indices plus edge properties. The id
maps travel with the export so predictions map back to graph keys, and a manifest records the
graph release, the queries and the counts. ``profiles`` holds dense cell-line omics matrices
(expression, pathway scores, mutation and copy-number calls: CellLine key rows × feature
columns) that are too wide to live in the graph one value at a time; they come from the
sources' files, not from Neo4j, and reach feature building only through the export. Exports
are saved as Parquet + JSON so training reruns without Neo4j; ``oncokg.kg.export`` fills one
from Neo4j, ``from_tables`` from loader tables.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from oncokg.contract.schema import NODE_TYPES, REL_TYPES, SCHEMA
from oncokg.contract.tables import NodeTable, RelTable

EdgeKey = tuple[str, str, str]

#: Relationship types that describe the biology; predicted links are never exported.
EXPORTED_RELS: tuple[str, ...] = tuple(
    r.type for r in REL_TYPES if not r.type.startswith("PREDICTED_")
)


@dataclass
class GraphExport:
    """Node property frames and index-based edge frames, with id maps and a manifest."""

    nodes: dict[str, pd.DataFrame]
    edges: dict[EdgeKey, pd.DataFrame]
    manifest: dict = field(default_factory=dict)
    #: name → CellLine key rows × feature columns (float32), rows only for lines in ``nodes``
    profiles: dict[str, pd.DataFrame] = field(default_factory=dict)

    # -- id maps -------------------------------------------------------------------------
    def keys(self, label: str) -> list[str]:
        """Graph keys of ``label`` in node-index order."""
        return self.nodes[label]["key"].astype(str).tolist()

    def index_of(self, label: str) -> dict[str, int]:
        """Graph key → node index for ``label``."""
        return {k: i for i, k in enumerate(self.keys(label))}

    def edge_frame(self, rel_type: str) -> pd.DataFrame:
        """The frame of the (single) edge type called ``rel_type``."""
        rel = SCHEMA.rel(rel_type)
        return self.edges.get((rel.start, rel.type, rel.end), empty_edges())

    def with_profiles(self, profiles: dict[str, pd.DataFrame]) -> GraphExport:
        """This export plus cell-line ``profiles``, kept for the export's CellLine keys only."""
        cells = set(self.keys("CellLine")) if "CellLine" in self.nodes else set()
        kept = {}
        for name, frame in profiles.items():
            frame = frame[frame.index.astype(str).isin(cells)].astype(np.float32)
            frame.index = frame.index.astype(str)
            frame.columns = frame.columns.astype(str)
            kept[name] = frame
        manifest = dict(self.manifest, profiles={n: list(f.shape) for n, f in kept.items()})
        return GraphExport(self.nodes, self.edges, manifest, {**self.profiles, **kept})

    # -- persistence -----------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Write the export as Parquet files plus ``manifest.json``; returns the directory."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        files: dict[str, str] = {}
        for label, frame in self.nodes.items():
            name = f"nodes_{label}.parquet"
            _to_parquet(frame, out / name)
            files[label] = name
        for (start, rel_type, end), frame in self.edges.items():
            name = f"edges_{start}_{rel_type}_{end}.parquet"
            _to_parquet(frame, out / name)
            files["|".join((start, rel_type, end))] = name
        profile_files = {}
        for profile, frame in self.profiles.items():
            name = f"profile_{profile}.parquet"
            frame.rename_axis("key").reset_index().to_parquet(out / name, index=False)
            profile_files[profile] = name
        manifest = dict(self.manifest, files=files, profile_files=profile_files)
        (out / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
        return out

    @classmethod
    def load(cls, directory: str | Path) -> GraphExport:
        """Read an export written by :meth:`save`."""
        base = Path(directory)
        manifest_path = base / "manifest.json"
        if not manifest_path.exists():
            raise FileNotFoundError(f"no export at {base}: {manifest_path.name} is missing")
        manifest = json.loads(manifest_path.read_text())
        nodes: dict[str, pd.DataFrame] = {}
        edges: dict[EdgeKey, pd.DataFrame] = {}
        for name, file in manifest.get("files", {}).items():
            frame = pd.read_parquet(base / file)
            if "|" in name:
                start, rel_type, end = name.split("|")
                edges[(start, rel_type, end)] = frame
            else:
                nodes[name] = frame
        profiles = {name: pd.read_parquet(base / file).set_index("key")
                    for name, file in manifest.get("profile_files", {}).items()}
        return cls(nodes=nodes, edges=edges, manifest=manifest, profiles=profiles)

    @classmethod
    def from_tables(
        cls,
        node_tables: Iterable[NodeTable],
        rel_tables: Iterable[RelTable],
        release: str = "tables",
    ) -> GraphExport:
        """Build an export straight from loader tables (no Neo4j), merging rows per key.

        Used by tests and offline experiments; the Neo4j export produces the same frames.
        Relationships whose endpoints are absent are dropped and counted in the manifest.
        """
        grouped: dict[str, list[pd.DataFrame]] = {}
        for table in node_tables:
            key = SCHEMA.node(table.label).key
            grouped.setdefault(table.label, []).append(table.rows.rename(columns={key: "key"}))
        nodes = {
            label: _merge_node_rows(frames) for label, frames in grouped.items()
        }
        rel_frames: dict[str, list[pd.DataFrame]] = {}
        for table in rel_tables:
            rel_frames.setdefault(table.type, []).append(table.rows)
        edges: dict[EdgeKey, pd.DataFrame] = {}
        dropped: dict[str, int] = {}
        for rel_type, frames in rel_frames.items():
            rel = SCHEMA.rel(rel_type)
            identity = ["start", "end", *(c for c in rel.identity
                                          if all(c in f.columns for f in frames))]
            raw = pd.concat(frames, ignore_index=True).drop_duplicates(identity)
            frame, missing = index_edges(raw, nodes, rel.start, rel.end, rel.identity)
            edges[(rel.start, rel.type, rel.end)] = frame
            dropped[rel_type] = missing
        return cls(nodes, edges, build_manifest(nodes, edges, release, source="tables",
                                           dropped_edges=dropped))


def index_edges(
    raw: pd.DataFrame, nodes: dict[str, pd.DataFrame], start: str, end: str,
    identity: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, int]:
    """Replace ``start``/``end`` keys by node indices; returns the frame (in ``order_edges``'
    order) and the rows dropped for an endpoint absent from ``nodes``."""
    if start not in nodes or end not in nodes:
        return empty_edges(), len(raw)
    src = pd.Index(nodes[start]["key"].astype(str)).get_indexer(raw["start"].astype(str))
    dst = pd.Index(nodes[end]["key"].astype(str)).get_indexer(raw["end"].astype(str))
    keep = (src >= 0) & (dst >= 0)
    frame = raw.loc[keep].drop(columns=["start", "end"])
    frame.insert(0, "dst", dst[keep].astype(np.int64))
    frame.insert(0, "src", src[keep].astype(np.int64))
    return order_edges(frame, identity), int((~keep).sum())


def order_edges(frame: pd.DataFrame, identity: tuple[str, ...] = ()) -> pd.DataFrame:
    """Edges sorted by (src, dst, ``identity`` columns): an export's edge order, and so every
    seeded split and minibatch drawn from it, does not depend on the order the store returned
    them in (Neo4j's follows its storage history, not the data)."""
    order = ["src", "dst", *(c for c in identity if c in frame.columns)]
    frame = frame.sort_values(order, kind="stable", na_position="last")
    return frame.reset_index(drop=True)


def _merge_node_rows(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One row per key: the first non-null value of each property wins."""
    combined = pd.concat(frames, ignore_index=True)
    combined["key"] = combined["key"].astype(str)
    merged = combined.groupby("key", sort=True).first().reset_index()
    return merged


def empty_edges() -> pd.DataFrame:
    return pd.DataFrame({"src": pd.Series(dtype=np.int64), "dst": pd.Series(dtype=np.int64)})


def build_manifest(nodes, edges, release: str, **extra) -> dict:
    """The manifest of an export: release, time, counts per label and type, and ``extra``."""
    return {
        "release": release,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "node_counts": {label: len(frame) for label, frame in nodes.items()},
        "edge_counts": {"|".join(k): len(frame) for k, frame in edges.items()},
        "labels": [n.label for n in NODE_TYPES if n.label in nodes],
        **extra,
    }


def _to_parquet(frame: pd.DataFrame, path: Path) -> None:
    clean = frame.copy()
    for column in clean.columns:
        if clean[column].dtype == object:
            sample = clean[column].dropna()
            if len(sample) and isinstance(sample.iloc[0], (list, tuple, np.ndarray)):
                continue
            clean[column] = clean[column].map(lambda v: v if v is None else str(v))
    clean.to_parquet(path, index=False)

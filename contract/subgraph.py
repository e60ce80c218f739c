"""Subgraphs of an export: what a ``Selection`` keeps, and what it leaves out.

A selection narrows an export by node label and relationship type, by source or licence (a
node or relationship stays when one of its sources is selected; its ``sources`` list keeps only
those), by response dataset, and by seed nodes with a hop count (everything within ``hops`` of
a seed over the kept relationships, in either direction). Relationships whose endpoint is left
out go too. The selection and what it left out, per reason, go into the manifest, so training
on the subgraph can be rerun and its report says what the model saw.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from oncokg.contract.errors import OncoKGError
from oncokg.contract.export import EXPORTED_RELS, EdgeKey, GraphExport, build_manifest
from oncokg.contract.licences import UNKNOWN, parse_licences
from oncokg.contract.schema import NODE_TYPES, SCHEMA

RESPONSE = "RESPONSE"


class SelectionError(OncoKGError, ValueError):
    """A selection names a label, type, source, dataset or seed the export does not hold."""


@dataclass(frozen=True)
class Selection:
    """What a subgraph keeps; an empty field keeps everything it would select on.

    ``sources`` holds source names (``civic``) or provenance tags (``civic:2024-08-01``);
    ``licences`` licence ids (``contract.licences``); ``seeds`` ``Label:key[,key…]`` or
    ``Label:property=value`` (nodes whose property, or one of its list values, equals it).
    """

    labels: tuple[str, ...] = ()
    rel_types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    licences: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    seeds: tuple[str, ...] = ()
    hops: int = 2

    def __post_init__(self) -> None:
        for label in self.labels:
            SCHEMA.node(label)
        for rel_type in self.rel_types:
            if rel_type not in EXPORTED_RELS:
                SCHEMA.rel(rel_type)
                raise SelectionError(f"relationship type {rel_type!r} is not exported")
        object.__setattr__(self, "licences", parse_licences(self.licences))
        for seed in self.seeds:
            _parse_seed(seed)
        if self.hops < 0:
            raise SelectionError(f"hops must be 0 or more, not {self.hops}")

    @property
    def empty(self) -> bool:
        """Whether the selection keeps the whole export."""
        return not (self.labels or self.rel_types or self.sources or self.licences
                    or self.datasets or self.seeds)

    def exported_rels(self) -> tuple[str, ...]:
        """The relationship types an export for this selection needs to read."""
        labels = set(self.labels)
        return tuple(t for t in EXPORTED_RELS
                     if (not self.rel_types or t in self.rel_types)
                     and (not labels or {SCHEMA.rel(t).start, SCHEMA.rel(t).end} <= labels))

    def kept_labels(self) -> tuple[str, ...]:
        """Labels kept: the named ones, else the endpoints of named types, else all."""
        if self.labels:
            return self.labels
        if self.rel_types:
            ends = {x for t in self.rel_types for x in (SCHEMA.rel(t).start, SCHEMA.rel(t).end)}
            return tuple(n.label for n in NODE_TYPES if n.label in ends)
        return tuple(n.label for n in NODE_TYPES)

    @classmethod
    def of(cls, export: GraphExport) -> Selection | None:
        """The selection an export was made with (``None``: the whole graph)."""
        state = export.manifest.get("selection")
        return None if state is None else cls.from_state(state)

    def describe(self) -> str:
        """One line naming what the selection keeps (``whole graph`` when empty)."""
        parts = [f"{name} {', '.join(map(str, value))}" for name, value in (
            ("labels", self.labels), ("types", self.rel_types), ("sources", self.sources),
            ("licences", self.licences), ("datasets", self.datasets), ("seeds", self.seeds))
            if value]
        if self.seeds:
            parts.append(f"{self.hops} hops")
        return "; ".join(parts) or "whole graph"

    def state(self) -> dict:
        """Plain JSON-able fields (lists for tuples)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_state(cls, state: Mapping) -> Selection:
        """The selection :meth:`state` wrote; unknown fields are an error."""
        unknown = set(state) - set(cls.__dataclass_fields__)
        if unknown:
            raise SelectionError(f"unknown selection fields {sorted(unknown)}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in state.items()})


def select(export: GraphExport, selection: Selection) -> GraphExport:
    """The subgraph of ``export`` that ``selection`` keeps (see the module docstring).

    Licences come from the export's ``source_licences`` manifest entry (tag → licence id; a
    tag it lacks is ``unknown``). Raises ``SelectionError`` naming a source, dataset or seed
    the export does not hold.
    """
    left: dict[str, dict[str, int]] = {}
    licence_of = export.manifest.get("source_licences", {})
    allowed = _allowed_tags(export, selection, licence_of)
    nodes: dict[str, np.ndarray] = {}
    node_frames = dict(export.nodes)
    for label in selection.kept_labels():
        if label not in export.nodes:
            continue
        keep, node_frames[label] = _by_provenance(export.nodes[label], allowed)
        _count(left, "provenance", label, (~keep).sum())
        nodes[label] = keep
    edges: dict[EdgeKey, np.ndarray] = {}
    frames = dict(export.edges)
    for key, frame in export.edges.items():
        if key[1] not in selection.exported_rels():
            continue
        keep, frames[key] = _by_provenance(frame, allowed)
        _count(left, "provenance", key[1], (~keep).sum())
        if key[1] == RESPONSE and selection.datasets:
            kept_data = _by_dataset(frame, selection.datasets)
            _count(left, "dataset", key[1], (keep & ~kept_data).sum())
            keep &= kept_data
        edges[key] = keep
    if selection.seeds:
        reached = _within_hops(export, selection, nodes, edges, frames)
        for label, keep in nodes.items():
            _count(left, "beyond hops", label, (keep & ~reached[label]).sum())
            nodes[label] = keep & reached[label]
    trimmed = GraphExport(node_frames, frames, export.manifest, export.profiles)
    return _subset(trimmed, selection, nodes, edges, left)


def without_nodes(export: GraphExport, label: str, indices: Iterable[int]) -> GraphExport:
    """``export`` less the ``label`` nodes at ``indices`` and every edge touching them (a
    held-out set a model must never see); the manifest counts them under ``held out``."""
    nodes = {name: np.ones(len(frame), dtype=bool) for name, frame in export.nodes.items()}
    held = np.fromiter(indices, dtype=np.int64)
    nodes[label][held] = False
    edges = {key: np.ones(len(frame), dtype=bool) for key, frame in export.edges.items()}
    left: dict[str, dict[str, int]] = {}
    _count(left, "held out", label, len(np.unique(held)))
    return _subset(export, Selection(), nodes, edges, left)


def _allowed_tags(export: GraphExport, selection: Selection,
                  licence_of: Mapping[str, str]) -> set[str] | None:
    """The provenance tags the selection keeps (``None``: every tag, and untagged rows)."""
    if not (selection.sources or selection.licences):
        return None
    tags = set(licence_of) | _tags(export)
    for name in selection.sources:
        if not any(t == name or t.split(":")[0] == name for t in tags):
            raise SelectionError(f"no source {name!r} in the export; it holds "
                                 f"{', '.join(sorted(tags))}")
    return {t for t in tags
            if (not selection.sources or t in selection.sources
                or t.split(":")[0] in selection.sources)
            and (not selection.licences or licence_of.get(t, UNKNOWN) in selection.licences)}


def _tags(export: GraphExport) -> set[str]:
    """Every provenance tag some node or relationship of ``export`` carries."""
    tags: set[str] = set(export.manifest.get("sources", []))
    for frame in [*export.nodes.values(), *export.edges.values()]:
        if "sources" in frame.columns:
            tags.update(t for v in frame["sources"] if _is_list(v) for t in v)
    return tags


def _by_provenance(frame: pd.DataFrame, allowed: set[str] | None
                   ) -> tuple[np.ndarray, pd.DataFrame]:
    """Rows one of whose sources is allowed, and the frame with ``sources`` cut to those."""
    if allowed is None:
        return np.ones(len(frame), dtype=bool), frame
    if "sources" not in frame.columns:
        return np.zeros(len(frame), dtype=bool), frame
    kept = [sorted(t for t in v if t in allowed) if _is_list(v) else [] for v in frame["sources"]]
    frame = frame.copy()
    frame["sources"] = kept
    return np.array([bool(v) for v in kept], dtype=bool), frame


def _by_dataset(frame: pd.DataFrame, datasets: tuple[str, ...]) -> np.ndarray:
    present = set(frame["dataset"].dropna().astype(str)) if "dataset" in frame.columns else set()
    missing = [d for d in datasets if d not in present]
    if missing:
        raise SelectionError(f"no RESPONSE dataset {missing[0]!r} in the export; it holds "
                             f"{', '.join(sorted(present)) or 'none'}")
    return frame["dataset"].astype(str).isin(datasets).to_numpy()


def _within_hops(export: GraphExport, selection: Selection, nodes: dict[str, np.ndarray],
                 edges: dict[EdgeKey, np.ndarray], frames: dict[EdgeKey, pd.DataFrame]
                 ) -> dict[str, np.ndarray]:
    """Per label, the kept nodes within ``hops`` of a seed over the kept relationships."""
    reached = {label: np.zeros(len(keep), dtype=bool) for label, keep in nodes.items()}
    for seed in selection.seeds:
        label, found = _seed_nodes(export, seed)
        if label not in nodes:
            raise SelectionError(f"seed {seed!r}: label {label} is not in the selection")
        reached[label][found[nodes[label][found]]] = True
    frontier = {label: r.copy() for label, r in reached.items()}
    for _ in range(selection.hops):
        step = {label: np.zeros_like(r) for label, r in reached.items()}
        for key, keep in edges.items():
            start, end = key[0], key[2]
            if start not in nodes or end not in nodes:
                continue
            src, dst = frames[key]["src"].to_numpy()[keep], frames[key]["dst"].to_numpy()[keep]
            step[end][dst[frontier[start][src]]] = True
            step[start][src[frontier[end][dst]]] = True
        frontier = {label: step[label] & nodes[label] & ~reached[label] for label in reached}
        for label in reached:
            reached[label] |= frontier[label]
    return reached


def _seed_nodes(export: GraphExport, seed: str) -> tuple[str, np.ndarray]:
    """The label and node indices a seed names; ``SelectionError`` when none match."""
    label, prop, values = _parse_seed(seed)
    frame = export.nodes.get(label)
    if frame is None:
        raise SelectionError(f"seed {seed!r}: the export holds no {label} nodes")
    if prop is None:
        keys = frame["key"].astype(str)
        missing = [v for v in values if v not in set(keys)]
        if missing:
            raise SelectionError(f"seed {seed!r}: no {label} {missing[0]!r} in the export")
        return label, np.flatnonzero(keys.isin(values).to_numpy())
    if prop not in frame.columns:
        raise SelectionError(f"seed {seed!r}: no {label} node holds property {prop!r}")
    match = frame[prop].map(lambda v: any(str(x) in values for x in v) if _is_list(v)
                            else str(v) in values)
    found = np.flatnonzero(match.to_numpy(dtype=bool))
    if not len(found):
        raise SelectionError(f"seed {seed!r}: no {label} node has {prop} = {values[0]!r}")
    return label, found


def _parse_seed(seed: str) -> tuple[str, str | None, tuple[str, ...]]:
    """``Label:key,key`` → (label, None, keys); ``Label:prop=value`` → (label, prop, (value,))."""
    label, colon, rest = str(seed).partition(":")
    if not colon or not rest.strip():
        raise SelectionError(f"seed {seed!r}: write Label:key[,key…] or Label:property=value")
    SCHEMA.node(label)
    prop, equals, value = rest.partition("=")
    if equals and prop.strip() in SCHEMA.node(label).properties:
        return label, prop.strip(), (value.strip(),)
    if equals and prop.strip() and " " not in prop.strip() and "," not in prop:
        raise SelectionError(f"seed {seed!r}: {label} has no property {prop.strip()!r}; it has "
                             f"{', '.join(SCHEMA.node(label).properties)}")
    return label, None, tuple(k.strip() for k in rest.split(",") if k.strip())


def _subset(export: GraphExport, selection: Selection, nodes: dict[str, np.ndarray],
            edges: dict[EdgeKey, np.ndarray], left: dict[str, dict[str, int]]) -> GraphExport:
    """The export of the kept nodes and edges (indices renumbered), with the manifest."""
    kept_nodes, position = {}, {}
    for label, keep in nodes.items():
        kept_nodes[label] = export.nodes[label].loc[keep].reset_index(drop=True)
        position[label] = np.cumsum(keep) - 1
    kept_edges: dict[EdgeKey, pd.DataFrame] = {}
    for key, keep in edges.items():
        start, rel_type, end = key
        if start not in nodes or end not in nodes:
            continue
        frame = export.edges[key]
        src, dst = frame["src"].to_numpy(), frame["dst"].to_numpy()
        ends = nodes[start][src] & nodes[end][dst]
        _count(left, "endpoint left out", rel_type, (keep & ~ends).sum())
        keep = keep & ends
        frame = frame.loc[keep].copy()
        frame["src"] = position[start][src[keep]].astype(np.int64)
        frame["dst"] = position[end][dst[keep]].astype(np.int64)
        kept_edges[key] = frame.reset_index(drop=True)
    tags = sorted(_tags(GraphExport(kept_nodes, kept_edges)))
    manifest = build_manifest(
        kept_nodes, kept_edges, "+".join(tags) or export.manifest.get("release", "unknown"),
        **{k: v for k, v in export.manifest.items()
           if k not in ("node_counts", "edge_counts", "labels", "files", "profile_files",
                        "profiles", "created", "release")},
    )
    manifest.update(sources=tags, selection=selection.state(), left_out=left,
                    parent_counts={"nodes": export.manifest.get("node_counts", {}),
                                   "edges": export.manifest.get("edge_counts", {})})
    subgraph = GraphExport(kept_nodes, kept_edges, manifest)
    if export.profiles and any(k[1] == "EXPRESSES" and len(f) for k, f in kept_edges.items()):
        subgraph = subgraph.with_profiles(export.profiles)
    return subgraph


def _count(left: dict[str, dict[str, int]], reason: str, name: str, count) -> None:
    if int(count):
        by_name = left.setdefault(reason, {})
        by_name[name] = by_name.get(name, 0) + int(count)


def _is_list(value) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))

"""The message-passing graph of a split: which edges the encoder may see.

Rules (asserted by :func:`assert_no_leakage`):

* every relationship type other than the task's is used in full, with a reverse type
  ``rev_<TYPE>`` added for each (``ToUndirected``-style) so information flows both ways;
* of the task's own relationship type only **training** edges may be used, and only when the
  task allows it (``drug-target``: training TARGETS edges; ``drug-response``: training RESPONSE
  edges if ``response_messages`` is ``"sensitive"`` or ``"all"``); validation and test
  supervision edges, and their reverse edges, never enter the graph;
* training can hide further training edges (the ones it is scoring in an epoch) by passing
  ``hidden`` positions, so a model never reads the label of the edge it is predicting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch_geometric.data import HeteroData

from oncokg.contract.errors import UnknownSettingError
from oncokg.contract.export import EdgeKey, GraphExport
from oncokg.contract.tasks import RESPONSE_EDGE, parse_sensitive
from oncokg.gnn.splits import Split

REVERSE_PREFIX = "rev_"
#: Structural-similarity edges between drugs (from ``gnn.features``), not a graph relation.
SIMILAR_EDGE: EdgeKey = ("Drug", "SIMILAR", "Drug")
RESPONSE_MESSAGES = ("none", "sensitive", "all", "levels")
#: ``levels`` splits training RESPONSE edges into this many per-drug quantile bins, one edge
#: type each (``RESPONSE_L1`` most sensitive … ``RESPONSE_L5`` most resistant).
RESPONSE_LEVELS = 5


class LeakageError(AssertionError):
    """A validation or test supervision edge reached the message-passing graph."""


def reverse_type(edge_type: EdgeKey) -> EdgeKey:
    start, rel, end = edge_type
    return (end, REVERSE_PREFIX + rel, start)


def base_edges(export: GraphExport, split: Split, response_messages: str = "none",
               similar: np.ndarray | None = None) -> dict[EdgeKey, np.ndarray]:
    """Forward (2, E) edge arrays of every type except the task's own relationship.

    RESPONSE edges in a non-response task are kept according to ``response_messages``
    (``"sensitive"`` keeps only sensitive pairs). ``similar`` adds drug-similarity edges.
    """
    if response_messages not in RESPONSE_MESSAGES:
        raise UnknownSettingError(f"response_messages must be one of {RESPONSE_MESSAGES}")
    out: dict[EdgeKey, np.ndarray] = {}
    for edge_type, frame in export.edges.items():
        if edge_type == split.edge_type or not len(frame):
            continue
        if edge_type[0] not in export.nodes or edge_type[2] not in export.nodes:
            continue
        keep = np.ones(len(frame), dtype=bool)
        if edge_type == RESPONSE_EDGE:
            if response_messages == "none":
                continue
            if response_messages == "sensitive":
                keep = _sensitive_mask(frame)
        out[edge_type] = np.stack([frame["src"].to_numpy()[keep],
                                   frame["dst"].to_numpy()[keep]]).astype(np.int64)
    if similar is not None and similar.shape[1]:
        out[SIMILAR_EDGE] = np.asarray(similar, dtype=np.int64)
    return out


def task_message_positions(split: Split, export: GraphExport, response_messages: str
                           ) -> dict[EdgeKey, np.ndarray]:
    """Positions (into ``split.pairs``) of training edges allowed as messages, by edge type.

    Drug–target tasks pass every training TARGETS edge. Response tasks follow
    ``response_messages``: ``none``; ``sensitive`` (training pairs marked sensitive);
    ``all`` (every training pair, one type); ``levels`` (every training pair, typed by the
    quantile of its ln IC50 among the drug's **training** pairs, so a cell line's embedding
    sees which drugs it is more and less sensitive to).
    """
    if split.edge_type != RESPONSE_EDGE or response_messages == "all":
        return {split.edge_type: split.train}
    if response_messages == "none":
        return {}
    frame = export.edges[RESPONSE_EDGE]
    if response_messages == "sensitive":
        sensitive = _sensitive_mask(frame)[split.rows]
        return {split.edge_type: split.train[sensitive[split.train]]}
    y = pd.to_numeric(frame["ln_ic50"], errors="coerce").to_numpy(float)[split.rows]
    train = split.train
    level = response_levels(split.pairs[train, 0], y[train])
    return {level_type(k): train[level == k] for k in range(RESPONSE_LEVELS)}


def level_type(level: int) -> EdgeKey:
    """The edge type of response level ``level`` (0 = most sensitive)."""
    return ("Drug", f"RESPONSE_L{level + 1}", "CellLine")


def response_levels(drugs: np.ndarray, y: np.ndarray, levels: int = RESPONSE_LEVELS
                    ) -> np.ndarray:
    """Per-drug quantile bin (0 … levels-1) of each value among that drug's values."""
    frame = pd.DataFrame({"drug": drugs, "y": y})
    by_drug = frame.groupby("drug")["y"]
    below = (by_drug.rank(method="average") - 1).to_numpy()   # values below, ties halved
    return np.minimum((below / by_drug.transform("size").to_numpy() * levels).astype(np.int64),
                      levels - 1)


def message_graph(
    base: dict[EdgeKey, np.ndarray],
    split: Split,
    positions: np.ndarray | dict[EdgeKey, np.ndarray],
    hidden: np.ndarray | None = None,
    isolate: dict[str, np.ndarray] | None = None,
) -> dict[EdgeKey, torch.Tensor]:
    """Edge-index dict with reverse types: ``base`` + task edges at ``positions``.

    ``positions`` are training positions of the task's edge type, or a dict of them by the
    edge type they pass messages as (see :func:`task_message_positions`). ``hidden`` removes
    those positions; ``isolate`` ({label: node indices}) removes every edge touching those
    nodes (used to train the inductive path for compounds with no edges).
    """
    if not isinstance(positions, dict):
        positions = {split.edge_type: positions}
    edges = dict(base)
    for edge_type, where in positions.items():
        where = np.asarray(where, dtype=np.int64)
        if hidden is not None and len(hidden):
            where = where[~np.isin(where, hidden, kind="table")]
        assert np.isin(where, split.train, kind="table").all(), \
            "only training edges may pass messages"
        if len(where):
            edges[edge_type] = split.pairs[where].T.copy()
    out: dict[EdgeKey, torch.Tensor] = {}
    for edge_type, index in edges.items():
        if isolate:
            keep = np.ones(index.shape[1], dtype=bool)
            for side, label in ((0, edge_type[0]), (1, edge_type[2])):
                if label in isolate and len(isolate[label]):
                    keep &= ~np.isin(index[side], isolate[label], kind="table")
            index = index[:, keep]
        tensor = torch.from_numpy(np.ascontiguousarray(index))
        out[edge_type] = tensor
        out[reverse_type(edge_type)] = tensor.flip(0).contiguous()
    return out


def assert_no_leakage(graph: dict[EdgeKey, torch.Tensor], split: Split) -> None:
    """Raise :class:`LeakageError` if a val/test supervision edge or its reverse is a message.

    Checks every edge type between the two endpoint labels, in both directions, so a renamed or
    reverse relation cannot smuggle a held-out pair in.
    """
    start, _, end = split.edge_type
    n_end = int(split.pairs[:, 1].max()) + 1 if len(split.pairs) else 1
    for part in ("val", "test"):
        held = split.part_pairs(part)
        if not len(held):
            continue
        codes = held[:, 0] * n_end + held[:, 1]
        for edge_type, index in graph.items():
            index = index.numpy()
            if edge_type[0] == start and edge_type[2] == end:
                src, dst = index[0], index[1]
            elif edge_type[0] == end and edge_type[2] == start:
                src, dst = index[1], index[0]
            else:
                continue
            ok = dst < n_end
            if np.isin(src[ok] * n_end + dst[ok], codes).any():
                raise LeakageError(f"a {part} supervision edge appears in message-passing "
                                   f"type {edge_type}")


def _sensitive_mask(frame) -> np.ndarray:
    if "sensitive" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return parse_sensitive(frame["sensitive"]) == 1.0


def receptive_field(graph: dict[EdgeKey, torch.Tensor], seeds: dict[str, np.ndarray],
                    num_nodes: dict[str, int], hops: int
                    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Nodes within ``hops`` message-passing steps of ``seeds``.

    Returns ``(kept, inner)``: per label the sorted node indices within ``hops`` and within
    ``hops - 1`` steps. Running a ``hops``-layer encoder on the edges whose destination is in
    ``inner`` (see :func:`subgraph`) gives the seeds exactly the embeddings of the full graph.
    """
    reached = {label: np.zeros(n, dtype=bool) for label, n in num_nodes.items()}
    for label, idx in seeds.items():
        reached[label][np.asarray(idx, dtype=np.int64)] = True
    inner = {label: mask.copy() for label, mask in reached.items()}
    for hop in range(hops):
        if hop == hops - 1:
            inner = {label: mask.copy() for label, mask in reached.items()}
        new = {label: mask.copy() for label, mask in reached.items()}
        for (src_label, _, dst_label), index in graph.items():
            index = index.numpy() if isinstance(index, torch.Tensor) else index
            hit = reached[dst_label][index[1]]
            new[src_label][index[0][hit]] = True
        reached = new
    if hops == 0:
        inner = reached
    return ({label: np.flatnonzero(mask) for label, mask in reached.items()},
            {label: np.flatnonzero(mask) for label, mask in inner.items()})


class Subgraph:
    """Relabel node indices to a kept subset (``kept[label]``) and drop edges outside it."""

    def __init__(self, kept: dict[str, np.ndarray], inner: dict[str, np.ndarray],
                 num_nodes: dict[str, int]) -> None:
        self.kept = kept
        self.node_ids = {label: torch.from_numpy(idx) for label, idx in kept.items()}
        self.lookup: dict[str, np.ndarray] = {}
        self.is_inner: dict[str, np.ndarray] = {}
        for label, n in num_nodes.items():
            lookup = -np.ones(n, dtype=np.int64)
            lookup[kept[label]] = np.arange(len(kept[label]))
            self.lookup[label] = lookup
            mask = np.zeros(n, dtype=bool)
            mask[inner[label]] = True
            self.is_inner[label] = mask

    def edges(self, graph: dict[EdgeKey, torch.Tensor]) -> dict[EdgeKey, torch.Tensor]:
        """Edges into inner nodes, relabeled; empty types are dropped."""
        out = {}
        for (s, r, d), index in graph.items():
            index = index.numpy()
            keep = self.is_inner[d][index[1]]
            src = self.lookup[s][index[0][keep]]
            dst = self.lookup[d][index[1][keep]]
            ok = (src >= 0) & (dst >= 0)
            if ok.any():
                out[(s, r, d)] = torch.from_numpy(np.stack([src[ok], dst[ok]]))
        return out

    def index(self, label: str, idx: np.ndarray) -> torch.Tensor:
        """New indices of ``idx`` (which must be kept nodes)."""
        new = self.lookup[label][idx]
        assert (new >= 0).all(), f"{label} nodes outside the subgraph"
        return torch.from_numpy(new)


def to_heterodata(export: GraphExport, edge_attrs: dict[str, list[str]] | None = None
                  ) -> HeteroData:
    """The whole export as a ``HeteroData``: ``num_nodes`` per label, ``edge_index`` per type.

    ``edge_attrs`` names numeric edge properties to copy as ``edge_attr`` columns per
    relationship type (missing values become NaN). Features are ``gnn.features``' job.
    """
    data = HeteroData()
    for label, frame in export.nodes.items():
        data[label].num_nodes = len(frame)
    for (start, rel_type, end), frame in export.edges.items():
        store = data[start, rel_type, end]
        store.edge_index = torch.as_tensor(
            np.vstack([frame["src"].to_numpy(), frame["dst"].to_numpy()]), dtype=torch.long
        )
        columns = (edge_attrs or {}).get(rel_type, [])
        if columns:
            values = frame.reindex(columns=columns).astype(float).to_numpy(copy=True)
            store.edge_attr = torch.as_tensor(values, dtype=torch.float32)
    return data

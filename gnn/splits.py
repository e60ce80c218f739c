"""Train/validation/test splits of supervision edges: pure functions of the export and a seed.

Two tasks, each scored on one relationship type:

* ``drug-response``: ``(Drug, RESPONSE, CellLine)`` edges with a finite ``ln_ic50``;
* ``drug-target``: ``(Drug, TARGETS, Gene)`` edges.

Split kinds (what is held out from training):

=============== ===================================================================================
``random``      random supervision edges
``cold-drug``   drugs: every supervision edge of a held-out drug
``cold-cell``   cell lines: every response of a held-out cell line (response task only)
``cold-target`` target genes: for ``drug-target`` every TARGETS edge of a held-out gene; for
                ``drug-response`` every response of every drug that targets a held-out gene, so
                no training drug shares a target with a held-out drug's held-out genes
``cold-tumor``  OncoTree types: every response of every cell line ``MODEL_OF`` a held-out type
                (response task only; cell lines without a type always stay in training)
=============== ===================================================================================

Held-out units are drawn until each part holds about ``val_frac`` / ``test_frac`` of the
supervision edges. Validation and test units are disjoint. :meth:`Split.check` asserts that
the parts partition the edges and that no training edge touches a held-out unit; the graph
module asserts that no validation or test edge (or its reverse) is used for message passing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from oncokg.contract.export import EdgeKey, GraphExport
from oncokg.contract.tasks import RESPONSE_EDGE, TARGET_EDGE, Task, TaskError

PARTS = ("train", "val", "test")


class SplitError(TaskError):
    """A split that cannot be made: unknown task or kind, or too little data."""


@dataclass(frozen=True)
class Split:
    """Supervision edges of one task divided into train, validation and test.

    ``pairs`` holds (src, dst) node indices of every supervision edge and ``rows`` their row in
    the export's edge frame; ``train``/``val``/``test`` are positions into ``pairs``.
    ``groups`` gives the held-out unit of each supervision edge (the edge itself for random
    splits), which training reuses to hide whole units from message passing.
    ``held_out[part][label]`` lists the held-out node indices per part.
    """

    task: str
    kind: str
    seed: int
    edge_type: EdgeKey
    pairs: np.ndarray
    rows: np.ndarray
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    groups: np.ndarray
    held_out: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def part(self, name: str) -> np.ndarray:
        if name not in PARTS:
            raise SplitError(f"unknown part {name!r}; use one of {PARTS}")
        return getattr(self, name)

    def part_pairs(self, name: str) -> np.ndarray:
        """(n, 2) array of (src, dst) node indices of one part."""
        return self.pairs[self.part(name)]

    def describe(self) -> str:
        held = ", ".join(
            f"{part} {label} {len(idx)}" for part, by in self.held_out.items()
            for label, idx in by.items()
        )
        return (f"{self.task} / {self.kind} / seed {self.seed}: train {len(self.train)}, "
                f"val {len(self.val)}, test {len(self.test)} edges"
                + (f"; held out: {held}" if held else ""))

    def check(self) -> None:
        """Assert the parts partition the edges and held-out units never reach training."""
        n = len(self.pairs)
        joined = np.concatenate([self.train, self.val, self.test])
        assert len(joined) == n and len(np.unique(joined)) == n, "parts must partition edges"
        for a, b in (("train", "val"), ("train", "test"), ("val", "test")):
            assert not np.intersect1d(self.part(a), self.part(b)).size, f"{a} ∩ {b} non-empty"
        if self.kind == "random":
            return
        train_groups = set(self.groups[self.train].tolist())
        for part in ("val", "test"):
            held_groups = set(self.groups[self.part(part)].tolist())
            assert not (held_groups & train_groups), f"a {part} unit also has training edges"
        val_units, test_units = self.held_out.get("val", {}), self.held_out.get("test", {})
        for label, held in test_units.items():
            assert not np.intersect1d(held, val_units.get(label, [])).size, \
                f"{label} held out in both val and test"
        train_pairs = self.part_pairs("train")
        for part, units in (("val", val_units), ("test", test_units)):
            for label, held in units.items():
                if label == self.edge_type[0]:
                    assert not np.isin(train_pairs[:, 0], held).any(), \
                        f"a training edge touches a {part} {label}"
                if label == self.edge_type[2]:
                    assert not np.isin(train_pairs[:, 1], held).any(), \
                        f"a training edge touches a {part} {label}"


def supervision_edges(export: GraphExport, task: str) -> tuple[np.ndarray, np.ndarray]:
    """(pairs, rows) of the edges a task is scored on; responses need a finite ``ln_ic50``."""
    task = Task.parse(task)
    frame = export.edges.get(task.edge)
    if frame is None or not len(frame):
        raise SplitError(f"the export has no {task.relation} edges to learn {task} from")
    keep = np.ones(len(frame), dtype=bool)
    if task is Task.RESPONSE:
        if "ln_ic50" not in frame.columns:
            raise SplitError("RESPONSE edges carry no ln_ic50 property")
        keep = np.isfinite(pd.to_numeric(frame["ln_ic50"], errors="coerce").to_numpy(float))
    rows = np.flatnonzero(keep)
    pairs = np.stack([frame["src"].to_numpy()[rows], frame["dst"].to_numpy()[rows]], axis=1)
    return pairs.astype(np.int64), rows.astype(np.int64)


#: The response dataset models train on when an export holds several (the README's figures).
DEFAULT_DATASET = "GDSC1 v17"


def with_response_dataset(export: GraphExport, dataset: str | None = None
                          ) -> tuple[GraphExport, str | None]:
    """The export with the ``RESPONSE`` edges of one dataset only, and that dataset's name.

    Every other dataset's pairs are removed, so they neither supervise nor pass messages: a
    pair held out of one screen cannot leak in through another screen's measurement of it.
    ``None`` picks the only dataset, else :data:`DEFAULT_DATASET`.
    """
    frame = export.edges.get(RESPONSE_EDGE)
    if frame is None or "dataset" not in frame.columns:
        return export, None
    present = sorted(str(d) for d in frame["dataset"].dropna().unique())
    if dataset is None:
        if len(present) <= 1:
            return export, (present[0] if present else None)
        if DEFAULT_DATASET not in present:
            raise SplitError(f"the export holds several response datasets ({', '.join(present)}); "
                             "choose one (--dataset)")
        dataset = DEFAULT_DATASET
    if dataset not in present:
        raise SplitError(f"the export has no RESPONSE edges of dataset {dataset!r}; it has "
                         f"{', '.join(present) or 'none'}")
    if len(present) == 1:
        return export, dataset
    edges = dict(export.edges)
    edges[RESPONSE_EDGE] = frame[frame["dataset"] == dataset].reset_index(drop=True)
    chosen = GraphExport(export.nodes, edges, {**export.manifest, "response_dataset": dataset},
                         export.profiles)
    return chosen, dataset


def make_split(
    export: GraphExport,
    task: str,
    kind: str = "random",
    seed: int = 0,
    val_frac: float = 0.1,
    test_frac: float = 0.2,
) -> Split:
    """Split the supervision edges of ``task`` by ``kind`` with a fixed ``seed``."""
    task = Task.parse(task)
    task.check_split(kind)
    if not (0 < val_frac < 1 and 0 < test_frac < 1 and val_frac + test_frac < 1):
        raise SplitError("val_frac and test_frac must be in (0, 1) and sum below 1")
    pairs, rows = supervision_edges(export, task)
    edge_type = task.edge
    held_out: dict[str, dict[str, np.ndarray]] = {}
    if kind == "random":
        groups = np.arange(len(pairs))
        assignment = assign_groups(groups, seed, val_frac, test_frac)
    elif kind == "cold-drug":
        groups = pairs[:, 0].copy()
        assignment = assign_groups(groups, seed, val_frac, test_frac)
        held_out = _held(groups, assignment, "Drug")
    elif kind == "cold-cell":
        groups = pairs[:, 1].copy()
        assignment = assign_groups(groups, seed, val_frac, test_frac)
        held_out = _held(groups, assignment, "CellLine")
    elif kind == "cold-tumor":
        tumor = cell_tumor_types(export)
        groups = tumor[pairs[:, 1]]
        assignment = assign_groups(groups, seed, val_frac, test_frac)
        held_out = _held(groups, assignment, "TumorType")
        for part in ("val", "test"):
            held_out[part]["CellLine"] = np.unique(pairs[assignment == PARTS.index(part), 1])
    elif task is Task.TARGET:  # cold-target
        groups = pairs[:, 1].copy()
        assignment = assign_groups(groups, seed, val_frac, test_frac)
        held_out = _held(groups, assignment, "Gene")
    else:  # drug-response, cold-target
        groups, assignment, held_out = _cold_target_response(export, pairs, seed, val_frac,
                                                             test_frac)
    parts = [np.flatnonzero(assignment == i) for i in range(3)]
    if not len(parts[0]) or not len(parts[2]):
        raise SplitError(f"{task} / {kind}: too few edges or units to split "
                         f"({len(pairs)} edges)")
    split = Split(task.value, kind, seed, edge_type, pairs, rows, *parts, groups=groups,
                  held_out=held_out)
    split.check()
    return split


def assign_groups(groups: np.ndarray, seed: int, val_frac: float, test_frac: float
                  ) -> np.ndarray:
    """Part index (0 train, 1 val, 2 test) per edge, holding out whole groups.

    Groups are shuffled with ``seed`` and given to test, then validation, until each holds its
    fraction of the edges. Group ``-1`` means "never held out".
    """
    rng = np.random.default_rng(seed)
    assignment = np.zeros(len(groups), dtype=np.int64)
    unique, counts = np.unique(groups[groups >= 0], return_counts=True)
    order = rng.permutation(len(unique))
    total = len(groups)
    targets = {2: test_frac * total, 1: val_frac * total}
    filled = {2: 0, 1: 0}
    chosen: dict[int, list] = {2: [], 1: []}
    part = 2
    for i in order:
        if filled[part] >= targets[part]:
            if part == 1:
                break
            part = 1
        chosen[part].append(unique[i])
        filled[part] += counts[i]
    for part_id, members in chosen.items():
        assignment[np.isin(groups, members)] = part_id
    return assignment


def cell_tumor_types(export: GraphExport) -> np.ndarray:
    """TumorType index per cell line via ``MODEL_OF`` (the first one; -1 where none)."""
    n_cells = len(export.nodes.get("CellLine", []))
    tumor = -np.ones(n_cells, dtype=np.int64)
    frame = export.edges.get(("CellLine", "MODEL_OF", "TumorType"))
    if frame is not None and len(frame):
        first = frame.drop_duplicates("src")
        tumor[first["src"].to_numpy()] = first["dst"].to_numpy()
    return tumor


def _held(groups: np.ndarray, assignment: np.ndarray, label: str) -> dict:
    return {part: {label: np.unique(groups[(assignment == i) & (groups >= 0)])}
            for i, part in ((1, "val"), (2, "test"))}


def _cold_target_response(export, pairs, seed, val_frac, test_frac):
    """Hold out target genes; every drug targeting a held-out gene leaves training."""
    targets = export.edges.get(TARGET_EDGE)
    if targets is None or not len(targets):
        raise SplitError("cold-target needs TARGETS edges; the export has none")
    drugs_in = set(np.unique(pairs[:, 0]).tolist())
    t = targets[targets["src"].isin(drugs_in)]
    by_gene = t.groupby("dst")["src"].apply(lambda s: sorted(set(s))).to_dict()
    edges_per_drug = pd.Series(pairs[:, 0]).value_counts().to_dict()
    rng = np.random.default_rng(seed)
    genes = np.array(sorted(by_gene))
    order = rng.permutation(len(genes))
    total = len(pairs)
    drug_part: dict[int, int] = {}
    gene_part: dict[int, int] = {}
    filled = {2: 0, 1: 0}
    limits = {2: test_frac * total, 1: val_frac * total}
    for part in (2, 1):
        for i in order:
            gene = int(genes[i])
            if gene in gene_part:
                continue
            if filled[part] >= limits[part]:
                break
            gene_part[gene] = part
            for drug in by_gene[gene]:
                if drug not in drug_part:
                    drug_part[drug] = part
                    filled[part] += edges_per_drug.get(drug, 0)
    assignment = np.array([drug_part.get(int(d), 0) for d in pairs[:, 0]], dtype=np.int64)
    groups = np.where(assignment > 0, pairs[:, 0], -1)
    # Training drugs stay groups of their own, so per-epoch hiding works by drug.
    groups = np.where(assignment == 0, pairs[:, 0], groups)
    held_out = {
        part: {
            "Gene": np.array(sorted(g for g, p in gene_part.items() if p == i), dtype=np.int64),
            "Drug": np.array(sorted(d for d, p in drug_part.items() if p == i), dtype=np.int64),
        }
        for i, part in ((1, "val"), (2, "test"))
    }
    train_drugs = set(np.unique(pairs[assignment == 0, 0]).tolist())
    held_genes = set(gene_part)
    leaked = t[t["src"].isin(train_drugs) & t["dst"].isin(held_genes)]
    assert leaked.empty, "a training drug targets a held-out gene"
    return groups, assignment, held_out

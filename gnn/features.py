"""Node features: RDKit drug structure features and cell-line genomic profiles.

* Drugs: a Morgan fingerprint (``radius``, ``bits``) plus a few standardized RDKit descriptors
  computed from the ``smiles`` property. Drugs without a structure, or whose SMILES RDKit cannot
  parse, get an all-zero feature row and ``has_structure = False``; the model gives them a
  learned embedding instead. Both kinds are listed in the :class:`FeatureReport`, never fatal.
* Cell lines: a multi-hot vector over the Mutation nodes they carry (``HAS_MUTATION``: coding
  mutations and copy-number alterations); the export's omics profiles named in
  ``FeatureSettings.cell_omics`` (default: full expression z and pathway scores; gene-level
  mutation and copy-number calls on request) or, for an export without an expression profile
  but with ``EXPRESSES`` links, the z of each gene a line expresses unusually high or low, 0
  elsewhere; plus one-hot ``tissue`` and ``msi`` where present. Lines without a mutation node
  or without a profile get zeros there and are counted in the report.
* Genes, pathways, mutations and tumor types have no input features: the model learns an
  embedding per node.

:class:`DrugFeaturizer` turns a *new* SMILES string into the same feature vector, so a compound
that is not in the graph can be scored; an invalid string raises :class:`InvalidSmilesError`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from rdkit import Chem, rdBase
from rdkit.Chem import Descriptors, rdFingerprintGenerator

from oncokg.contract.errors import OncoKGError
from oncokg.contract.export import GraphExport

#: RDKit descriptors computed for every drug (names of ``rdkit.Chem.Descriptors`` functions).
DEFAULT_DESCRIPTORS: tuple[str, ...] = (
    "MolWt", "MolLogP", "TPSA", "NumHDonors", "NumHAcceptors", "NumRotatableBonds",
    "RingCount", "FractionCSP3",
)


class InvalidSmilesError(OncoKGError, ValueError):
    """A SMILES string that RDKit cannot parse."""


@dataclass(frozen=True)
class FeatureSettings:
    """How node features are computed; stored in the model artifact."""

    fp_radius: int = 2
    fp_bits: int = 1024
    descriptors: tuple[str, ...] = DEFAULT_DESCRIPTORS
    #: Mutation nodes carried by fewer cell lines than this are not cell-line features.
    min_mutation_count: int = 1
    #: Categorical CellLine properties one-hot encoded beside the mutation profile.
    cell_categoricals: tuple[str, ...] = ("tissue", "msi")
    #: Structural-similarity edges: nearest drugs per drug (0: none) and the least Tanimoto.
    similar_k: int = 5
    similar_min: float = 0.3
    #: Export profiles used as cell-line features, where the export has them
    #: (``GraphExport.profiles``: expression, pathways, mutation, copy_number).
    cell_omics: tuple[str, ...] = ("expression", "pathways")

    def to_dict(self) -> dict:
        out = asdict(self)
        for name in ("descriptors", "cell_categoricals", "cell_omics"):
            out[name] = list(out[name])
        return out

    @classmethod
    def from_dict(cls, values: dict) -> FeatureSettings:
        values = dict(values)
        values["descriptors"] = tuple(values.get("descriptors", DEFAULT_DESCRIPTORS))
        values["cell_categoricals"] = tuple(values.get("cell_categoricals", ()))
        values["cell_omics"] = tuple(values.get("cell_omics", ()))  # older artifacts: none
        return cls(**values)


@dataclass
class FeatureReport:
    """What featurization could and could not do."""

    n_drugs: int = 0
    n_with_structure: int = 0
    missing_structure: list[str] = field(default_factory=list)
    invalid_smiles: list[tuple[str, str]] = field(default_factory=list)
    n_cell_lines: int = 0
    n_cell_features: int = 0
    cell_lines_without_mutations: int = 0
    expression_genes: int = 0
    cell_lines_without_expression: int = 0
    #: profile name → (feature columns, cell lines without that profile)
    profiles: dict[str, tuple[int, int]] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"drugs: {self.n_with_structure}/{self.n_drugs} with a structure "
            f"({len(self.missing_structure)} without SMILES, {len(self.invalid_smiles)} invalid "
            f"SMILES; these get a learned embedding); cell lines: {self.n_cell_lines} with "
            f"{self.n_cell_features} features ({self.cell_lines_without_mutations} carry no "
            f"mutation node"
            + (f"; expression of {self.expression_genes} genes, absent for "
               f"{self.cell_lines_without_expression} lines" if self.expression_genes else "")
            + "".join(f"; {name} profile: {columns} columns, absent for {absent} lines"
                      for name, (columns, absent) in self.profiles.items())
            + ")"
        )

    def to_dict(self) -> dict:
        out = asdict(self)
        out["invalid_smiles"] = [list(pair) for pair in self.invalid_smiles]
        return out


def parse_smiles(smiles: str):
    """Parse ``smiles`` with RDKit, raising :class:`InvalidSmilesError` when it cannot."""
    if not isinstance(smiles, str) or not smiles.strip():
        raise InvalidSmilesError(f"not a SMILES string: {smiles!r}")
    with rdBase.BlockLogs():  # RDKit's own complaint would repeat our error
        mol = Chem.MolFromSmiles(smiles.strip())
    if mol is None:
        raise InvalidSmilesError(f"RDKit cannot parse SMILES {smiles!r}")
    return mol


def morgan_fingerprint(mol, radius: int = 2, bits: int = 1024) -> np.ndarray:
    """Morgan (ECFP-like) bit vector of ``mol`` as a float32 array of length ``bits``."""
    return _morgan_generator(radius, bits).GetFingerprintAsNumPy(mol).astype(np.float32)


@functools.lru_cache(maxsize=8)
def _morgan_generator(radius: int, bits: int):
    return rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=bits)


def descriptor_values(mol, names: tuple[str, ...]) -> np.ndarray:
    """Raw RDKit descriptor values of ``mol`` (NaN where one fails)."""
    values = []
    for name in names:
        try:
            value = float(getattr(Descriptors, name)(mol))
        except Exception:  # noqa: BLE001 - a failing descriptor is a missing value
            value = math.nan
        values.append(value)
    return np.asarray(values, dtype=np.float64)


class DrugFeaturizer:
    """SMILES → fingerprint ‖ standardized descriptors, with statistics fitted on graph drugs."""

    def __init__(self, settings: FeatureSettings, mean: list[float] | None = None,
                 std: list[float] | None = None) -> None:
        self.settings = settings
        n = len(settings.descriptors)
        self.mean = np.asarray(mean if mean is not None else [0.0] * n, dtype=np.float64)
        self.std = np.asarray(std if std is not None else [1.0] * n, dtype=np.float64)

    @property
    def dim(self) -> int:
        return self.settings.fp_bits + len(self.settings.descriptors)

    def fit(self, mols: list) -> DrugFeaturizer:
        """Fit descriptor mean and SD on ``mols`` (RDKit molecules)."""
        if mols:
            raw = np.vstack([descriptor_values(m, self.settings.descriptors) for m in mols])
            self.mean = np.nan_to_num(np.nanmean(raw, axis=0))
            std = np.nan_to_num(np.nanstd(raw, axis=0))
            self.std = np.where(std > 0, std, 1.0)
        return self

    def from_mol(self, mol, descriptors: bool = True) -> np.ndarray:
        """Fingerprint ‖ standardized descriptors; zeros in place of the descriptors when not
        ``descriptors`` (for a model that reads only the fingerprint: they are most of the
        cost)."""
        fp = morgan_fingerprint(mol, self.settings.fp_radius, self.settings.fp_bits)
        if not descriptors:
            return np.concatenate([fp, np.zeros(len(self.settings.descriptors), np.float32)])
        desc = (descriptor_values(mol, self.settings.descriptors) - self.mean) / self.std
        desc = np.clip(np.nan_to_num(desc), -5.0, 5.0).astype(np.float32)
        return np.concatenate([fp, desc])

    def featurize(self, smiles: str, descriptors: bool = True) -> torch.Tensor:
        """Feature vector of a new compound; raises :class:`InvalidSmilesError` if invalid."""
        return torch.from_numpy(self.from_mol(parse_smiles(smiles), descriptors))

    def state(self) -> dict:
        return {"settings": self.settings.to_dict(), "mean": self.mean.tolist(),
                "std": self.std.tolist()}

    @classmethod
    def from_state(cls, state: dict) -> DrugFeaturizer:
        return cls(FeatureSettings.from_dict(state["settings"]), state["mean"], state["std"])


@dataclass
class NodeFeatures:
    """Input features for drugs and cell lines, with the fitted featurizer and a report.

    ``similar`` holds structural-similarity edges (2, E) neighbour → drug: each drug with a
    structure is linked from its ``similar_k`` nearest drugs by Tanimoto similarity (at least
    ``similar_min``). They are derived from structures only, never from labels.
    """

    drug_x: torch.Tensor
    drug_has_structure: torch.Tensor
    cell_x: torch.Tensor
    cell_feature_names: list[str]
    featurizer: DrugFeaturizer
    report: FeatureReport
    similar: np.ndarray = field(default_factory=lambda: np.zeros((2, 0), dtype=np.int64))

    @property
    def settings(self) -> FeatureSettings:
        return self.featurizer.settings


def featurize_smiles(smiles: str, settings: FeatureSettings | None = None) -> torch.Tensor:
    """Fingerprint ‖ raw-scaled descriptors of one SMILES (no graph statistics).

    Prefer ``NodeFeatures.featurizer.featurize`` (or ``Predictor.score_smiles``), which
    standardizes descriptors the way the model saw them.
    """
    return DrugFeaturizer(settings or FeatureSettings()).featurize(smiles)


def drug_features(export: GraphExport, settings: FeatureSettings,
                  report: FeatureReport | None = None) -> tuple[torch.Tensor, torch.Tensor,
                                                                DrugFeaturizer]:
    """Feature matrix, structure mask and fitted featurizer for the export's drugs."""
    report = report if report is not None else FeatureReport()
    frame = export.nodes.get("Drug", pd.DataFrame({"key": []}))
    keys = frame["key"].astype(str).tolist()
    smiles_col = frame["smiles"] if "smiles" in frame.columns else pd.Series([None] * len(frame))
    mols: list = [None] * len(frame)
    for i, (key, smiles) in enumerate(zip(keys, smiles_col, strict=True)):
        if smiles is None or (isinstance(smiles, float) and math.isnan(smiles)) or \
                (isinstance(smiles, str) and not smiles.strip()):
            report.missing_structure.append(key)
            continue
        try:
            mols[i] = parse_smiles(str(smiles))
        except InvalidSmilesError:
            report.invalid_smiles.append((key, str(smiles)))
    featurizer = DrugFeaturizer(settings).fit([m for m in mols if m is not None])
    x = np.zeros((len(frame), featurizer.dim), dtype=np.float32)
    has = np.zeros(len(frame), dtype=bool)
    for i, mol in enumerate(mols):
        if mol is not None:
            x[i] = featurizer.from_mol(mol)
            has[i] = True
    report.n_drugs = len(frame)
    report.n_with_structure = int(has.sum())
    return torch.from_numpy(x), torch.from_numpy(has), featurizer


#: Feature-name prefix per profile.
PROFILE_PREFIX = {"expression": "expr", "pathways": "pes", "mutation": "gene_mut",
                  "copy_number": "cnv"}


def cell_line_features(export: GraphExport, settings: FeatureSettings,
                       report: FeatureReport | None = None) -> tuple[torch.Tensor, list[str]]:
    """Multi-hot mutation profile (+ one-hot categoricals) per cell line, and column names."""
    report = report if report is not None else FeatureReport()
    cells = export.nodes.get("CellLine", pd.DataFrame({"key": []}))
    n_cells = len(cells)
    blocks: list[np.ndarray] = []
    names: list[str] = []
    has_mut = export.edges.get(("CellLine", "HAS_MUTATION", "Mutation"))
    if has_mut is not None and len(has_mut) and "Mutation" in export.nodes:
        counts = np.bincount(has_mut["dst"].to_numpy(), minlength=len(export.nodes["Mutation"]))
        kept = np.flatnonzero(counts >= max(1, settings.min_mutation_count))
        column = -np.ones(len(counts), dtype=np.int64)
        column[kept] = np.arange(len(kept))
        multi_hot = np.zeros((n_cells, len(kept)), dtype=np.float32)
        src, dst = has_mut["src"].to_numpy(), has_mut["dst"].to_numpy()
        ok = column[dst] >= 0
        multi_hot[src[ok], column[dst[ok]]] = 1.0
        blocks.append(multi_hot)
        mutation_keys = export.keys("Mutation")
        names += [f"mut:{mutation_keys[i]}" for i in kept]
        report.cell_lines_without_mutations = int((multi_hot.sum(1) == 0).sum())
    else:
        report.cell_lines_without_mutations = n_cells
    omics = [name for name in settings.cell_omics if name in export.profiles]
    expresses = export.edges.get(("CellLine", "EXPRESSES", "Gene"))
    thresholded = expresses is not None and len(expresses) and "z" in expresses.columns
    if thresholded and "expression" not in omics:  # a full profile supersedes the links
        genes, column = np.unique(expresses["dst"].to_numpy(), return_inverse=True)
        z = np.zeros((n_cells, len(genes)), dtype=np.float32)
        z[expresses["src"].to_numpy(), column] = pd.to_numeric(
            expresses["z"], errors="coerce").fillna(0.0).to_numpy(np.float32)
        blocks.append(z)
        gene_keys = export.keys("Gene")
        names += [f"expr:{gene_keys[g]}" for g in genes]
        report.expression_genes = len(genes)
        report.cell_lines_without_expression = int((np.abs(z).sum(1) == 0).sum())
    for name in omics:
        profile = export.profiles[name].reindex(cells["key"].astype(str))
        report.profiles[name] = (profile.shape[1], int(profile.isna().all(axis=1).sum()))
        blocks.append(profile.fillna(0.0).to_numpy(np.float32))
        names += [f"{PROFILE_PREFIX.get(name, name)}:{c}" for c in profile.columns]
    for prop in settings.cell_categoricals:
        if prop not in cells.columns:
            continue
        values = cells[prop].astype("string").fillna("").str.strip().str.lower()
        vocab = sorted(v for v in values.unique() if v)
        if not vocab:
            continue
        one_hot = np.zeros((n_cells, len(vocab)), dtype=np.float32)
        position = {v: j for j, v in enumerate(vocab)}
        for i, v in enumerate(values):
            if v in position:
                one_hot[i, position[v]] = 1.0
        blocks.append(one_hot)
        names += [f"{prop}:{v}" for v in vocab]
    x = np.hstack(blocks) if blocks else np.zeros((n_cells, 0), dtype=np.float32)
    report.n_cell_lines = n_cells
    report.n_cell_features = x.shape[1]
    return torch.from_numpy(x), names


def tanimoto_neighbours(query: np.ndarray, library: np.ndarray, k: int, min_sim: float,
                        exclude_self: bool = False, chunk: int = 1024
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` library rows by Tanimoto similarity to each query row (binary matrices).

    Returns ``(query_row, library_row)`` index arrays of the pairs with similarity ≥ ``min_sim``.
    """
    rows, cols = [], []
    k = min(k, len(library) - (1 if exclude_self else 0))
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    for start in range(0, len(query), chunk):
        block = query[start:start + chunk]
        sim = tanimoto(block, library)
        if exclude_self:
            sim[np.arange(len(block)), np.arange(start, start + len(block))] = -1.0
        top = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        top_sim = np.take_along_axis(sim, top, axis=1)
        ok = top_sim >= min_sim
        rows.append(np.repeat(np.arange(start, start + len(block)), k)[ok.ravel()])
        cols.append(top.ravel()[ok.ravel()])
    return np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64)


def tanimoto(query: np.ndarray, library: np.ndarray) -> np.ndarray:
    """Tanimoto similarity of every query row to every library row (binary matrices)."""
    query, library = query.astype(np.float32), library.astype(np.float32)
    inter = query @ library.T
    union = query.sum(1, keepdims=True) + library.sum(1)[None] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0)


def top_k_mix(weights: np.ndarray, k: int) -> sp.csr_matrix:
    """Each row's ``k`` largest weights, scaled to sum to 1, the rest zero (sparse): a vote
    from 0 (no neighbour) to 1 (every neighbour), whatever the similarities' scale."""
    rows, cols = weights.shape
    k = min(k, cols)
    if not k:
        return sp.csr_matrix((rows, cols))
    top = np.argpartition(-weights, k - 1, axis=1)[:, :k]
    kept = np.take_along_axis(weights, top, 1)
    kept = kept / np.maximum(kept.sum(1, keepdims=True), 1e-12)
    return sp.csr_matrix((kept.ravel(), (np.repeat(np.arange(rows), k), top.ravel())),
                         shape=(rows, cols))


def drug_neighbour_weights(query_fp: np.ndarray, donor_fp: np.ndarray,
                           query_targets: sp.spmatrix | None = None,
                           donor_targets: sp.spmatrix | None = None,
                           k: int = 20, power: float = 3.0) -> sp.csr_matrix:
    """Mixing weights (queries × donors) over each query drug's ``k`` most similar donors:
    Tanimoto of the fingerprints to the ``power``, plus the cosine of the known target sets
    where given (the graph's drug → gene → drug paths). A query with neither gets no weight."""
    similarity = tanimoto(query_fp, donor_fp) ** power
    if query_targets is not None and donor_targets is not None:
        overlap = (query_targets @ donor_targets.T).toarray()
        sizes = (np.asarray(query_targets.sum(1)).ravel()[:, None]
                 * np.asarray(donor_targets.sum(1)).ravel()[None])
        similarity = similarity + overlap / np.sqrt(np.maximum(sizes, 1e-9))
    return top_k_mix(similarity, k)


def similarity_edges(drug_x: torch.Tensor, has_structure: torch.Tensor,
                     settings: FeatureSettings) -> np.ndarray:
    """(2, E) edges neighbour → drug between structurally similar drugs."""
    if settings.similar_k <= 0:
        return np.zeros((2, 0), dtype=np.int64)
    idx = np.flatnonzero(has_structure.numpy())
    fp = drug_x[idx, : settings.fp_bits].numpy() > 0
    drug, neighbour = tanimoto_neighbours(fp, fp, settings.similar_k, settings.similar_min,
                                          exclude_self=True)
    return np.stack([idx[neighbour], idx[drug]])


def build_features(export: GraphExport, settings: FeatureSettings | None = None) -> NodeFeatures:
    """All input features of an export, with a report of drugs lacking a usable structure."""
    settings = settings or FeatureSettings()
    report = FeatureReport()
    drug_x, has, featurizer = drug_features(export, settings, report)
    cell_x, names = cell_line_features(export, settings, report)
    similar = similarity_edges(drug_x, has, settings)
    return NodeFeatures(drug_x, has, cell_x, names, featurizer, report, similar)

"""Cross-study validation: models trained on GDSC, scored on a second study's measurements.

A second study (CCLE 2012, CTRP v2; read by :mod:`loaders.crossstudy`) measured some of the
same drugs on some of the same cell lines with its own assay and its own measure (activity
area, AUC). :func:`study_pairs` keeps the pairs whose drug and cell line are both nodes of the
exported graph; :func:`score_study` scores any predictor of ln IC50 on them:

* ``within_drug_r`` — per drug, Pearson r between the predicted ln IC50 and the study's
  ``resistance`` (oriented so higher = more resistant), averaged over drugs: the headline,
  since the two measures share no scale;
* ``pooled_r`` — the same over all pairs at once (drug potency dominates it);
* ``auroc``/``auprc`` — of the study's own sensitive call: the drug's most sensitive 20% of the
  shared cell lines.

``subset="unseen"`` keeps the pairs absent from the GDSC training edges, so a model cannot
score by remembering GDSC's measurement of the same pair. The ``gdsc-measured`` reference
scores GDSC's own ln IC50 for the pair (where GDSC measured it): how far the two studies agree.

:func:`new_compounds` takes the study's compounds that GDSC never screened but whose SMILES is
known, measured on GDSC cell lines: the model scores them from structure alone (the same path
as ``oncokg predict --smiles``), beside the baselines that can place a new structure.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncokg.contract.export import GraphExport
from oncokg.contract.tasks import RESPONSE_EDGE, SENSITIVE_QUANTILE
from oncokg.gnn.evaluate import sensitivity_from_regression
from oncokg.gnn.features import DrugFeaturizer, InvalidSmilesError
from oncokg.gnn.metrics import auprc, auroc, pooled_pearson, within_drug_pearson
from oncokg.gnn.splits import Split

SUBSETS = ("all", "unseen")
#: The table of compounds GDSC never screened, scored from their SMILES.
NEW_COMPOUNDS = "new compounds"
CROSS_METRICS = ("within_drug_r", "pooled_r", "auroc", "auprc", "pairs")
#: The study's sensitive call: a drug's most sensitive share of the shared cell lines.
SENSITIVE_SHARE = SENSITIVE_QUANTILE
#: Drugs with fewer shared cell lines are not scored (too few points for a correlation).
MIN_CELL_LINES = 10


@dataclass
class StudyPairs:
    """A study's measurements on (drug, cell line) node pairs of one exported graph."""

    study: str
    measure: str
    pairs: np.ndarray          # (n, 2) Drug index, CellLine index
    resistance: np.ndarray     # the study's measure, higher = more resistant
    sensitive: np.ndarray      # 1/0: among the drug's most sensitive SENSITIVE_SHARE
    gdsc_ln_ic50: np.ndarray   # GDSC's measurement of the same pair, NaN where none

    def __len__(self) -> int:
        return len(self.pairs)

    def coverage(self) -> dict[str, int]:
        return {"pairs": len(self.pairs), "drugs": len(np.unique(self.pairs[:, 0])),
                "cell_lines": len(np.unique(self.pairs[:, 1]))}


def study_pairs(study, export: GraphExport, min_cell_lines: int = MIN_CELL_LINES
                ) -> StudyPairs:
    """The measurements of ``study`` (a :class:`loaders.crossstudy.StudyResponses`) whose drug
    and cell line were both screened in GDSC (have RESPONSE edges in ``export``), for drugs
    with ≥ ``min_cell_lines`` such cell lines."""
    table = study.table.dropna(subset=["drug", "cell_line", "resistance"])
    drug_index, cell_index = export.index_of("Drug"), export.index_of("CellLine")
    drugs = table["drug"].map(drug_index)
    cells = table["cell_line"].astype(str).map(cell_index)
    screened = export.edges[RESPONSE_EDGE]
    keep = (drugs.isin(screened["src"].unique()) & cells.isin(screened["dst"].unique()))
    frame = pd.DataFrame({"drug": drugs[keep].astype(np.int64),
                          "cell": cells[keep].astype(np.int64),
                          "resistance": table["resistance"][keep].astype(float)})
    # Two study names can resolve to one graph drug (a salt and its parent): average them.
    frame = frame.groupby(["drug", "cell"], as_index=False)["resistance"].mean()
    counts = frame.groupby("drug")["cell"].transform("size")
    frame = frame[counts >= min_cell_lines].reset_index(drop=True)
    pairs = frame[["drug", "cell"]].to_numpy(np.int64)
    return StudyPairs(study.study, study.measure, pairs, frame["resistance"].to_numpy(float),
                      _most_sensitive(frame, "drug"), gdsc_measurements(export, pairs))


def _most_sensitive(frame: pd.DataFrame, group: str) -> np.ndarray:
    """1/0: the row is among its ``group``'s least resistant :data:`SENSITIVE_SHARE`."""
    rank = frame.groupby(group)["resistance"].rank(pct=True, method="first")
    return (rank <= SENSITIVE_SHARE).to_numpy(float)


def gdsc_measurements(export: GraphExport, pairs: np.ndarray) -> np.ndarray:
    """GDSC's ln IC50 for each (drug, cell line) pair, NaN where it was not measured."""
    frame = export.edges[RESPONSE_EDGE]
    measured = pd.Series(pd.to_numeric(frame["ln_ic50"], errors="coerce").to_numpy(float),
                         index=pd.MultiIndex.from_arrays([frame["src"], frame["dst"]]))
    measured = measured.groupby(level=[0, 1]).mean()
    wanted = pd.MultiIndex.from_arrays([pairs[:, 0], pairs[:, 1]])
    return measured.reindex(wanted).to_numpy(float)


def unseen_mask(pairs: StudyPairs, split: Split) -> np.ndarray:
    """True for study pairs that are not GDSC training edges of ``split``."""
    train = split.part_pairs("train")
    width = int(max(pairs.pairs[:, 1].max(initial=0), train[:, 1].max(initial=0))) + 1
    return ~np.isin(pairs.pairs[:, 0] * width + pairs.pairs[:, 1],
                    train[:, 0] * width + train[:, 1])


def score_study(pairs: StudyPairs, ln_ic50: np.ndarray, keep: np.ndarray | None = None,
                sensitivity: np.ndarray | None = None) -> dict[str, float]:
    """Metrics of predicted ln IC50 against the study's measure (on ``keep`` pairs)."""
    keep = np.ones(len(pairs), dtype=bool) if keep is None else keep
    keep = keep & np.isfinite(ln_ic50)
    drugs, pred = pairs.pairs[keep, 0], np.asarray(ln_ic50, dtype=float)[keep]
    truth, sensitive = pairs.resistance[keep], pairs.sensitive[keep]
    if not keep.any():
        return {name: math.nan for name in CROSS_METRICS} | {"pairs": 0}
    score = (sensitivity[keep] if sensitivity is not None
             else sensitivity_from_regression(drugs, pred))
    return {
        "within_drug_r": within_drug_pearson(drugs, truth, pred, min_pairs=MIN_CELL_LINES),
        "pooled_r": pooled_pearson(truth, pred),
        "auroc": auroc(sensitive, score),
        "auprc": auprc(sensitive, score),
        "pairs": float(keep.sum()),
    }


def score_all_subsets(pairs: StudyPairs, split: Split,
                      predict: Callable[[np.ndarray], np.ndarray]
                      ) -> dict[str, dict[str, float]]:
    """``{subset: metrics}`` of one predictor (pairs → ln IC50) over :data:`SUBSETS`."""
    ln_ic50 = np.asarray(predict(pairs.pairs), dtype=float)
    unseen = unseen_mask(pairs, split)
    return {"all": score_study(pairs, ln_ic50), "unseen": score_study(pairs, ln_ic50, unseen)}


@dataclass
class NewCompounds:
    """A study's compounds unknown to GDSC, by SMILES, measured on GDSC cell lines.

    ``pairs`` index (compound, cell line): compounds into ``smiles``/``drug_x``, cell lines
    into the export's CellLine nodes.
    """

    study: str
    measure: str
    smiles: list[str]
    names: list[str]
    drug_x: np.ndarray         # (compounds, features): the featurizer's input vectors
    pairs: np.ndarray
    resistance: np.ndarray
    sensitive: np.ndarray
    invalid: int = 0

    def __len__(self) -> int:
        return len(self.pairs)

    def as_pairs(self) -> StudyPairs:
        """The same measurements as :class:`StudyPairs` (for :func:`score_study`)."""
        return StudyPairs(self.study, self.measure, self.pairs, self.resistance,
                          self.sensitive, np.full(len(self.pairs), np.nan))


def new_compounds(study, export: GraphExport, featurizer: DrugFeaturizer,
                  min_cell_lines: int = MIN_CELL_LINES) -> NewCompounds:
    """Measurements of compounds GDSC did not screen (by graph drug and by InChIKey), with a
    SMILES, on cell lines GDSC screened; one compound per InChIKey (or SMILES)."""
    screened = export.edges[RESPONSE_EDGE]
    drug_keys = export.keys("Drug")
    screened_drugs = {drug_keys[i] for i in screened["src"].unique()}
    screened_keys = set()
    if "inchikey" in export.nodes["Drug"].columns:
        screened_keys = set(export.nodes["Drug"]["inchikey"].iloc[sorted(screened["src"]
                                                                           .unique())].dropna())
    cell_index = export.index_of("CellLine")
    table = study.table.dropna(subset=["smiles", "cell_line", "resistance"])
    table = table[~table["drug"].isin(screened_drugs)
                  & ~table["inchikey"].isin(screened_keys)]
    cells = table["cell_line"].astype(str).map(cell_index)
    table = table.assign(cell=cells)[cells.isin(screened["dst"].unique())]
    compound = table["inchikey"].fillna(table["smiles"])
    frame = (table.assign(compound=compound)
             .groupby(["compound", "cell"], as_index=False)
             .agg(resistance=("resistance", "mean"), smiles=("smiles", "first"),
                  name=("drug_name", "first")))
    frame = frame[frame.groupby("compound")["cell"].transform("size") >= min_cell_lines]
    smiles, names, rows, invalid = [], [], [], 0
    position: dict[str, int] = {}
    for key, group in frame.groupby("compound", sort=True):
        try:
            x = featurizer.featurize(group["smiles"].iloc[0]).numpy()
        except InvalidSmilesError:
            invalid += 1
            continue
        position[key] = len(smiles)
        smiles.append(group["smiles"].iloc[0])
        names.append(group["name"].iloc[0])
        rows.append(x)
    frame = frame[frame["compound"].isin(position)].reset_index(drop=True)
    pairs = np.stack([frame["compound"].map(position).to_numpy(np.int64),
                      frame["cell"].to_numpy(np.int64)], axis=1) if len(frame) \
        else np.zeros((0, 2), dtype=np.int64)
    drug_x = np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
    return NewCompounds(study.study, study.measure, smiles, names, drug_x, pairs,
                        frame["resistance"].to_numpy(float),
                        _most_sensitive(frame, "compound"), invalid)

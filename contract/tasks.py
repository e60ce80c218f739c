"""The learning tasks and the rules they share, defined once.

A task is a link-prediction problem on one relationship type: ``drug-response`` scores
``(Drug, RESPONSE, CellLine)`` edges, ``drug-target`` scores ``(Drug, TARGETS, Gene)`` edges.
Each task names the splits that make sense for it and the metric that selects and headlines a
model. The sensitivity rule (a response is ``sensitive`` when its ln IC50 lies below the drug's
20th percentile over the cell lines screened with it) is written here and nowhere else: the
GDSC loaders, the evaluation and the synthetic graph all call :func:`sensitive_calls`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from oncokg.contract.errors import OncoKGError

EdgeKey = tuple[str, str, str]

RESPONSE_EDGE: EdgeKey = ("Drug", "RESPONSE", "CellLine")
TARGET_EDGE: EdgeKey = ("Drug", "TARGETS", "Gene")

#: Every split kind, in the order the CLI lists them (see ``oncokg.gnn.splits``).
SPLITS: tuple[str, ...] = ("random", "cold-drug", "cold-cell", "cold-target", "cold-tumor")

#: ``sensitive``: ln IC50 below this quantile of the drug's responses (linear interpolation).
SENSITIVE_QUANTILE = 0.2


class TaskError(OncoKGError, ValueError):
    """An unknown task or relation, or a split the task does not define."""


@dataclass(frozen=True)
class _TaskSpec:
    edge: EdgeKey
    splits: tuple[str, ...]
    headline: str


class Task(StrEnum):
    """A learning task; its value is the name the CLI, the artifact and the results use."""

    RESPONSE = "drug-response"
    TARGET = "drug-target"

    @classmethod
    def parse(cls, name: str | Task) -> Task:
        """The task called ``name``; a ``TaskError`` lists the known ones."""
        try:
            return cls(name)
        except ValueError:
            raise TaskError(f"unknown task {name!r}; use one of "
                            f"{', '.join(t.value for t in cls)}") from None

    @classmethod
    def of_relation(cls, relation: str) -> Task:
        """The task that predicts ``relation`` (``RESPONSE`` or ``TARGETS``)."""
        for task in cls:
            if task.relation == relation:
                return task
        raise TaskError(f"unknown relation {relation!r}; use one of "
                        f"{', '.join(t.relation for t in cls)}")

    @property
    def edge(self) -> EdgeKey:
        """The ``(start, type, end)`` edge type the task scores."""
        return _SPECS[self].edge

    @property
    def relation(self) -> str:
        """The relationship type the task predicts."""
        return self.edge[1]

    @property
    def splits(self) -> tuple[str, ...]:
        """The split kinds defined for this task."""
        return _SPECS[self].splits

    @property
    def headline(self) -> str:
        """The metric that selects models on validation data and leads every table."""
        return _SPECS[self].headline

    def check_split(self, split: str) -> str:
        """``split`` if the task defines it, else a ``TaskError`` naming the valid ones."""
        if split not in self.splits:
            raise TaskError(f"split {split!r} is not defined for {self.value}; use one of "
                            f"{', '.join(self.splits)}")
        return split


_SPECS: dict[Task, _TaskSpec] = {
    Task.RESPONSE: _TaskSpec(RESPONSE_EDGE, SPLITS, "within_drug_r"),
    Task.TARGET: _TaskSpec(TARGET_EDGE, ("random", "cold-drug", "cold-target"), "mrr"),
}


def sensitive_calls(ln_ic50: pd.Series | np.ndarray,
                    groups: pd.Series | np.ndarray | list) -> np.ndarray:
    """True where ln IC50 is below its group's (the drug's) :data:`SENSITIVE_QUANTILE`.

    ``groups`` holds one drug id per value, or a list of such arrays (GDSC: drug, dataset).
    """
    values = pd.Series(np.asarray(ln_ic50, dtype=float))
    keys = [np.asarray(g) for g in groups] if isinstance(groups, list) else np.asarray(groups)
    threshold = values.groupby(keys).transform(
        lambda s: s.quantile(SENSITIVE_QUANTILE))
    return (values < threshold).to_numpy(dtype=bool)


def parse_sensitive(values: pd.Series) -> np.ndarray:
    """A ``sensitive`` column as 1.0 / 0.0 / NaN (unknown), whatever stored it.

    Accepts booleans, 0/1 and the strings ``true``/``false`` that Parquet or CSV round trips
    leave behind.
    """
    text = values.map(lambda v: str(v).strip().lower() if v is not None else "")
    out = np.full(len(values), np.nan)
    out[text.isin(("true", "1", "1.0")).to_numpy()] = 1.0
    out[text.isin(("false", "0", "0.0")).to_numpy()] = 0.0
    return out

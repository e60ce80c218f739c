"""Calibrated probabilities for model scores, fitted on validation data only.

A model's score (a sigmoid output or a raw link score) ranks well but is not a probability.
``Calibrator`` fits isotonic regression from the validation split's scores to its labels — never
the test split — and maps any score to the observed positive rate of similar validation scores.
The fitted curve is stored in the model artifact as plain lists, so it loads with
``torch.load(weights_only=True)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import IsotonicRegression


@dataclass
class Calibrator:
    """A monotone map from score to probability (piecewise linear between fitted knots)."""

    x: np.ndarray
    y: np.ndarray
    n_val: int
    positive_rate: float

    @classmethod
    def fit(cls, scores: np.ndarray, labels: np.ndarray) -> Calibrator:
        """Fit on validation scores and 0/1 labels."""
        scores = np.asarray(scores, dtype=float)
        labels = np.asarray(labels, dtype=float)
        if len(scores) == 0 or len(np.unique(labels)) < 2:
            raise ValueError("calibration needs validation pairs of both classes")
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        iso.fit(scores, labels)
        return cls(np.asarray(iso.X_thresholds_), np.asarray(iso.y_thresholds_), len(scores),
                   float(labels.mean()))

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return np.interp(np.asarray(scores, dtype=float), self.x, self.y)

    def state(self) -> dict:
        return {"x": self.x.tolist(), "y": self.y.tolist(), "n_val": self.n_val,
                "positive_rate": self.positive_rate}

    @classmethod
    def from_state(cls, state: dict) -> Calibrator:
        return cls(np.asarray(state["x"], dtype=float), np.asarray(state["y"], dtype=float),
                   int(state["n_val"]), float(state["positive_rate"]))


def reliability(scores: np.ndarray, labels: np.ndarray, bins: int = 10
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean predicted vs observed positive rate per quantile bin (for calibration plots)."""
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=float)
    edges = np.unique(np.quantile(scores, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, scores, side="right") - 1, 0, len(edges) - 2)
    predicted, observed, counts = [], [], []
    for b in range(len(edges) - 1):
        mask = which == b
        if mask.any():
            predicted.append(scores[mask].mean())
            observed.append(labels[mask].mean())
            counts.append(int(mask.sum()))
    return np.array(predicted), np.array(observed), np.array(counts)

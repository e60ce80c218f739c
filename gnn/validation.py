"""The validation evidence a model artifact carries: its validation scores and calibration.

After training, the shipped model scores its own validation pairs; the scores and labels are
stored in the artifact (for the report's ROC/PR and reliability plots) and an isotonic
:class:`~oncokg.gnn.calibration.Calibrator` is fitted on them, never on test data.
"""

from __future__ import annotations

import numpy as np
import torch

from oncokg.contract.tasks import Task
from oncokg.gnn.artifact import ModelArtifact
from oncokg.gnn.calibration import Calibrator
from oncokg.gnn.evaluate import TaskData
from oncokg.gnn.predict import Predictor
from oncokg.gnn.prior import pair_logits


def attach_calibration(artifact: ModelArtifact, data: TaskData, max_pairs: int = 20_000
                       ) -> ModelArtifact:
    """Score the validation split with the artifact's model; store scores, labels, calibrator.

    Response: the predicted probability of sensitivity against the observed ``sensitive``
    label of validation pairs. Targets: the link score of validation targets against the
    split's fixed type-constrained negatives. At most ``max_pairs`` pairs are kept (seeded).
    """

    predictor = Predictor(artifact)
    split = data.split
    if data.task == Task.RESPONSE:
        pairs = split.part_pairs("val")
        labels = data.sensitive[split.part("val")]
        keep = np.isfinite(labels)
        pairs, labels = pairs[keep], labels[keep]
        h = predictor.embeddings()
        with torch.no_grad():
            out = predictor.model.respond(h["Drug"][torch.as_tensor(pairs[:, 0])],
                                          h["CellLine"][torch.as_tensor(pairs[:, 1])])
        scores = torch.sigmoid(out[:, 1]).numpy()
    else:
        positives, negatives = split.part_pairs("val"), data.negatives["val"]
        pairs = np.r_[positives, negatives]
        labels = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
        h = predictor.embeddings()
        with torch.no_grad():
            scores = pair_logits(predictor.model, h["Drug"][torch.as_tensor(pairs[:, 0])],
                                 h["Gene"][torch.as_tensor(pairs[:, 1])], predictor.prior,
                                 pairs[:, 0], pairs[:, 1]).numpy()
    if len(scores) > max_pairs:
        chosen = np.random.default_rng(split.seed).choice(len(scores), max_pairs, replace=False)
        scores, labels = scores[chosen], labels[chosen]
    artifact.validation = {"scores": torch.as_tensor(scores, dtype=torch.float32),
                           "labels": torch.as_tensor(labels, dtype=torch.float32)}
    if len(np.unique(labels)) == 2:
        artifact.calibration = Calibrator.fit(scores, labels).state()
    return artifact

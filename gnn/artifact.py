"""The model artifact: one file with everything prediction needs, safe to load.

The file is a ``torch.save``d dict holding only tensors, dicts, lists, str, int, float, bool
and None, so ``torch.load(path, weights_only=True)`` reads it without running pickled code.

================  ================================================================================
key               content
================  ================================================================================
``format``        ``"oncokg-gnn/1"``
``task``          ``"drug-response"`` or ``"drug-target"``; ``relation``: RESPONSE / TARGETS
``config``        the :class:`gnn.models.LinkModel` config (model, decoder, sizes, edge types)
``train_config``  every :class:`gnn.train.TrainConfig` field
``state_dict``    the weights
``nodes``         per label: ``keys`` (graph keys in index order), ``names``, ``synonyms``
``graph``         the message-passing graph used for evaluation: ``edge_types`` (forward
                  only; reverses are rebuilt) and ``edge_index`` tensors
``inputs``        model input tensors (fingerprint bits stored as uint8)
``featurizer``    feature settings and descriptor mean/SD for new SMILES
``scaling``       ``y_mean``/``y_std`` of ln IC50 (response)
``known``         known TARGETS and measured RESPONSE pairs ([2, E] tensors), MODEL_OF pairs
``release``       data release of the export; ``split``, ``seed``
``metrics``       test metrics of this model and the mean ± SD table of all methods
================  ================================================================================
"""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import torch

from oncokg.contract.errors import OncoKGError
from oncokg.contract.tasks import parse_sensitive
from oncokg.gnn.evaluate import Results, TaskData

FORMAT = "oncokg-gnn/1"
SAFE_SCALARS = (str, int, float, bool, type(None))


class ArtifactError(OncoKGError, ValueError):
    """A file that is not an OncoKG model artifact, or one with unsafe contents."""


def build_artifact(fit, data: TaskData, config, results: Results, test: dict, seed: int) -> dict:
    """Assemble the artifact dict of a fitted model (see the module docstring)."""
    export = data.export
    features = data.features
    bits = features.settings.fp_bits
    inputs = {
        "drug_fp": (fit.inputs["drug_x"][:, :bits] > 0).to(torch.uint8),
        "drug_desc": fit.inputs["drug_x"][:, bits:].clone(),
        "drug_has_structure": fit.inputs["drug_has_structure"].clone(),
        "drug_known": fit.inputs["drug_known"].clone(),
        "cell_x": fit.inputs["cell_x"].clone(),
        "cell_known": fit.inputs["cell_known"].clone(),
    }
    graph_types = sorted(fit.graph)
    known = {}
    for name, edge_type in (("TARGETS", ("Drug", "TARGETS", "Gene")),
                            ("RESPONSE", ("Drug", "RESPONSE", "CellLine")),
                            ("MODEL_OF", ("CellLine", "MODEL_OF", "TumorType"))):
        frame = export.edges.get(edge_type)
        if frame is None:
            index = np.zeros((2, 0), dtype=np.int64)
        else:
            index = np.stack([frame["src"].to_numpy(), frame["dst"].to_numpy()]).astype(np.int64)
        known[name] = torch.from_numpy(index)
    response = export.edges.get(("Drug", "RESPONSE", "CellLine"))
    if response is not None and "sensitive" in response.columns:
        hit = response[parse_sensitive(response["sensitive"]) == 1.0]
        known["SENSITIVE"] = torch.from_numpy(
            np.stack([hit["src"].to_numpy(), hit["dst"].to_numpy()]).astype(np.int64))
    summary = {}
    for _, row in results.summary().iterrows():
        summary[row["method"]] = {m: [_num(row[m]), _num(row[f"{m}_sd"])]
                                  for m in results.metric_names}
    artifact = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "task": data.task,
        "relation": data.split.edge_type[1],
        "split": data.split.kind,
        "seed": int(seed),
        "release": str(export.manifest.get("release", "unknown")),
        "config": _plain(fit.model.config),
        "train_config": _plain(config.to_dict()),
        "state_dict": {k: v.detach().clone() for k, v in fit.model.state_dict().items()},
        "nodes": {label: _node_ids(frame) for label, frame in export.nodes.items()},
        "graph": {"edge_types": [list(t) for t in graph_types],
                  "edge_index": [torch.as_tensor(fit.graph[t]).clone() for t in graph_types]},
        "inputs": inputs,
        "featurizer": _plain(features.featurizer.state()),
        "scaling": {"y_mean": float(fit.y_mean), "y_std": float(fit.y_std)},
        "known": known,
        "metrics": {"test": {k: _num(v) for k, v in test.items()},
                    "val": {k: _num(v) for k, v in fit.val.items()},
                    "best_epoch": int(fit.best_epoch), "summary": summary,
                    "seeds": [int(s) for s in results.seeds]},
        "feature_report": _plain(features.report.to_dict()),
    }
    check_safe(artifact)
    return artifact


def save_artifact(artifact: dict, path: str | os.PathLike) -> str:
    """Write the artifact (checked for safe contents) with ``torch.save``."""
    check_safe(artifact)
    directory = os.path.dirname(os.fspath(path))
    if directory:
        os.makedirs(directory, exist_ok=True)
    torch.save(artifact, path)
    return os.fspath(path)


def load_artifact(path: str | os.PathLike) -> dict:
    """Read an artifact with ``torch.load(weights_only=True)`` and check its format."""
    if not os.path.exists(path):
        raise ArtifactError(f"no model artifact at {os.fspath(path)!r}")
    try:
        artifact = torch.load(path, weights_only=True, map_location="cpu")
    except Exception as error:  # noqa: BLE001 - any unpickling failure is a bad artifact
        raise ArtifactError(f"{os.fspath(path)!r} is not a safe OncoKG model artifact: "
                            f"{error}") from error
    if not isinstance(artifact, dict) or artifact.get("format") != FORMAT:
        raise ArtifactError(f"{os.fspath(path)!r} is not an OncoKG model artifact "
                            f"(expected format {FORMAT!r})")
    return artifact


def check_safe(value, where: str = "artifact") -> None:
    """Raise :class:`ArtifactError` unless ``value`` holds only weights_only-safe types."""
    if isinstance(value, (torch.Tensor, *SAFE_SCALARS)):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ArtifactError(f"{where}: non-string key {key!r}")
            check_safe(item, f"{where}.{key}")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            check_safe(item, f"{where}[{i}]")
        return
    raise ArtifactError(f"{where}: {type(value).__name__} is not allowed in an artifact")


def _node_ids(frame: pd.DataFrame) -> dict:
    keys = frame["key"].astype(str).tolist()
    names = [_text(v) for v in frame["name"]] if "name" in frame.columns else [""] * len(keys)
    synonyms = [_text_list(v) for v in frame["synonyms"]] if "synonyms" in frame.columns \
        else [[] for _ in keys]
    return {"keys": keys, "names": names, "synonyms": synonyms}


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _text_list(value) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v) for v in value if v is not None and str(v)]
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1].replace("'", "").replace('"', "")
    parts = [p.strip() for p in text.replace(";", ",").replace("|", ",").split(",")]
    return [p for p in parts if p]


def _num(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value


def _plain(value):
    """Convert tuples, numpy scalars and arrays to lists/py scalars for a safe artifact."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value

"""The model artifact: one typed object with everything prediction needs, safe to load.

:class:`ModelArtifact` is the only reader and writer of model files. On disk it is its
``state()``: a ``torch.save``d dict holding only tensors, dicts, lists, str, int, float, bool and
None, so ``torch.load(path, weights_only=True)`` reads it without running pickled code, and
``from_state`` checks the format tag and every field before anything uses it.

================  ================================================================================
field             content
================  ================================================================================
``format``        ``"oncokg-gnn/3"`` (on disk only)
``task``          ``"drug-response"`` or ``"drug-target"``; ``relation``: RESPONSE / TARGETS
``config``        the :class:`~oncokg.gnn.models.LinkModel` config (model, decoder, sizes, types)
``train_config``  every :class:`~oncokg.gnn.train.TrainConfig` field
``state_dict``    the weights
``nodes``         per label: ``keys`` (graph keys in index order), ``names``, ``synonyms``
``graph``         the message-passing graph used for evaluation: forward edge types and their
                  ``edge_index`` tensors (reverses are rebuilt)
``inputs``        model input tensors (fingerprint bits stored as uint8)
``featurizer``    feature settings and descriptor mean/SD for new SMILES
``scaling``       ``y_mean``/``y_std`` of ln IC50 (response)
``known``         known TARGETS and measured RESPONSE pairs ([2, E] tensors), MODEL_OF pairs
``release``       data release (+ response dataset, subgraph); ``split``, ``seed``, ``created``
``metrics``       test metrics of this model and the mean ± SD table of all methods
``validation``    validation scores and labels; ``calibration`` the fitted calibrator's state
================  ================================================================================
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import torch

from oncokg.contract.errors import OncoKGError
from oncokg.contract.export import EdgeKey
from oncokg.contract.tasks import RESPONSE_EDGE, TARGET_EDGE, parse_sensitive
from oncokg.gnn.evaluate import Results, TaskData

#: 2 added the evidence vote, 3 weighted the shared-target vote by rarity: a model's learned
#: prior weights fit the votes it was trained with, so older files are refused.
FORMAT = "oncokg-gnn/3"
SAFE_SCALARS = (str, int, float, bool, type(None))


class ArtifactError(OncoKGError, ValueError):
    """A file that is not an OncoKG model artifact, or one with unsafe contents."""


@dataclass
class ModelArtifact:
    """A trained model with its graph, id maps, features, metrics and calibration."""

    task: str
    relation: str
    split: str
    seed: int
    release: str
    created: str
    config: dict
    train_config: dict
    state_dict: dict[str, torch.Tensor]
    nodes: dict[str, dict]
    graph: dict[EdgeKey, torch.Tensor]
    inputs: dict[str, torch.Tensor]
    featurizer: dict
    scaling: dict[str, float]
    known: dict[str, torch.Tensor]
    metrics: dict
    feature_report: dict = field(default_factory=dict)
    validation: dict[str, torch.Tensor] | None = None
    calibration: dict | None = None

    @property
    def model_name(self) -> str:
        """The encoder's name, e.g. ``sage``."""
        return self.config["model"]

    @property
    def version(self) -> str:
        """A version that changes whenever the trained weights change (creation time + hash)."""
        digest = hashlib.sha256()
        for name in sorted(self.state_dict):
            digest.update(self.state_dict[name].numpy().tobytes())
        created = self.created[:19].replace(":", "").replace("-", "")
        return f"{created}-{digest.hexdigest()[:10]}"

    # -- persistence -----------------------------------------------------------------------
    def state(self) -> dict:
        """The ``weights_only``-safe dict that is saved (checked before it is returned)."""
        state = {"format": FORMAT}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "graph":
                types = sorted(value)
                value = {"edge_types": [list(t) for t in types],
                         "edge_index": [value[t] for t in types]}
            if value is not None:
                state[item.name] = value
        check_safe(state)
        return state

    @classmethod
    def from_state(cls, state: object, source: str = "artifact") -> ModelArtifact:
        """Rebuild an artifact from :meth:`state`; an ``ArtifactError`` names what is wrong."""
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            raise ArtifactError(f"{source} is not an OncoKG model artifact "
                                f"(expected format {FORMAT!r})")
        check_safe(state, source)
        values = {}
        for item in fields(cls):
            if item.name not in state:
                if item.default is MISSING and item.default_factory is MISSING:
                    raise ArtifactError(f"{source}: the model artifact has no {item.name!r}")
                continue
            values[item.name] = state[item.name]
        for name, kind in _FIELD_TYPES.items():
            if name in values and not isinstance(values[name], kind):
                raise ArtifactError(f"{source}: {name!r} is a {type(values[name]).__name__}, "
                                    f"not a {kind.__name__}")
        graph = values["graph"]
        if not isinstance(graph, dict) or set(graph) != {"edge_types", "edge_index"}:
            raise ArtifactError(f"{source}: 'graph' must hold edge_types and edge_index")
        values["graph"] = {tuple(t): index for t, index in
                           zip(graph["edge_types"], graph["edge_index"], strict=True)}
        return cls(**values)

    def save(self, path: str | os.PathLike) -> str:
        """Write the artifact's state with ``torch.save``; returns the path."""
        state = self.state()
        directory = os.path.dirname(os.fspath(path))
        if directory:
            os.makedirs(directory, exist_ok=True)
        torch.save(state, path)
        return os.fspath(path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> ModelArtifact:
        """Read an artifact with ``torch.load(weights_only=True)`` and check every field."""
        where = repr(os.fspath(path))
        if not os.path.isfile(path):
            raise ArtifactError(f"no model artifact at {where}")
        try:
            state = torch.load(path, weights_only=True, map_location="cpu")
        except Exception:  # noqa: BLE001 - any unpickling failure is a bad artifact
            raise ArtifactError(f"{where} is not an OncoKG model artifact (not a torch file "
                                "holding only tensors and plain values)") from None
        return cls.from_state(state, where)


#: Field types checked on load (the rest are checked by their readers).
_FIELD_TYPES: dict[str, type] = {
    "task": str, "relation": str, "split": str, "seed": int, "release": str, "created": str,
    "config": dict, "train_config": dict, "state_dict": dict, "nodes": dict, "inputs": dict,
    "featurizer": dict, "scaling": dict, "known": dict, "metrics": dict,
}


def load_artifact(path: str | os.PathLike) -> ModelArtifact:
    """Read the model artifact at ``path`` (see :meth:`ModelArtifact.load`)."""
    return ModelArtifact.load(path)


def build_artifact(fit, data: TaskData, config, results: Results, test: dict,
                   seed: int) -> ModelArtifact:
    """The artifact of a fitted model (see the module docstring)."""
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
    known = {}
    for name, edge_type in (("TARGETS", TARGET_EDGE), ("RESPONSE", RESPONSE_EDGE),
                            ("MODEL_OF", ("CellLine", "MODEL_OF", "TumorType"))):
        frame = export.edges.get(edge_type)
        if frame is None:
            index = np.zeros((2, 0), dtype=np.int64)
        else:
            index = np.stack([frame["src"].to_numpy(), frame["dst"].to_numpy()]).astype(np.int64)
        known[name] = torch.from_numpy(index)
    response = export.edges.get(RESPONSE_EDGE)
    if response is not None and "sensitive" in response.columns:
        hit = response[parse_sensitive(response["sensitive"]) == 1.0]
        known["SENSITIVE"] = torch.from_numpy(
            np.stack([hit["src"].to_numpy(), hit["dst"].to_numpy()]).astype(np.int64))
    summary = {}
    for _, row in results.summary().iterrows():
        summary[row["method"]] = {m: [_num(row[m]), _num(row[f"{m}_sd"])]
                                  for m in results.metric_names}
    return ModelArtifact(
        task=str(data.task),
        relation=data.split.edge_type[1],
        split=data.split.kind,
        seed=int(seed),
        release=results.release,  # the data release, plus the response dataset and subgraph
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        config=_plain(fit.model.config),
        train_config=_plain(config.to_dict()),
        state_dict={k: v.detach().clone() for k, v in fit.model.state_dict().items()},
        nodes={label: _node_ids(frame) for label, frame in export.nodes.items()},
        graph={t: torch.as_tensor(fit.graph[t]).clone() for t in sorted(fit.graph)},
        inputs=inputs,
        featurizer=_plain(features.featurizer.state()),
        scaling={"y_mean": float(fit.y_mean), "y_std": float(fit.y_std)},
        known=known,
        metrics={"test": {k: _num(v) for k, v in test.items()},
                 "val": {k: _num(v) for k, v in fit.val.items()},
                 "best_epoch": int(fit.best_epoch), "summary": summary,
                 "seeds": [int(s) for s in results.seeds]},
        feature_report=_plain(features.report.to_dict()),
    )


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

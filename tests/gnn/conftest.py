"""Fixtures for the gnn tests: tiny synthetic GraphExports with planted signal (no Neo4j)."""

from __future__ import annotations

import pytest
import torch

from oncokg.gnn.features import build_features
from oncokg.gnn.synthetic import make_synthetic_export
from oncokg.gnn.train import train

torch.set_num_threads(2)


def make_export(seed: int = 0, **kwargs):
    """A small synthetic export (see ``gnn.synthetic``); kwargs change its size."""
    return make_synthetic_export(seed=seed, **kwargs)


@pytest.fixture(scope="session")
def export():
    return make_export(0)


@pytest.fixture(scope="session")
def features(export):
    return build_features(export)


def _trained_artifact(tmp_path_factory, export, features, task: str, split: str, name: str):
    """Train one small model (no baselines) and save its artifact; (path, results)."""
    path = tmp_path_factory.mktemp("artifacts") / name
    results = train(export, task=task, split=split, seeds=(0,), epochs=40, baselines=False,
                    artifact_path=path, features=features, progress=False)
    return path, results


@pytest.fixture(scope="session")
def target_artifact(tmp_path_factory, export, features):
    return _trained_artifact(tmp_path_factory, export, features, "drug-target", "random",
                             "targets.pt")


@pytest.fixture(scope="session")
def response_artifact(tmp_path_factory, export, features):
    return _trained_artifact(tmp_path_factory, export, features, "drug-response", "cold-drug",
                             "response.pt")

"""Shared fixtures: the reference data dir and cached loads (corrupted copies of real files:
``mirror`` in ``tests/conftest.py``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from oncokg import loaders
from oncokg.loaders import LoadResult

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("ONCOKG_DATA_DIR") or REPO / ".." / "shared" / "data").resolve()
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The reference data (env ONCOKG_DATA_DIR, default ../shared/data from the repo root)."""
    if not (DATA / "gdsc_v17").is_dir():
        pytest.skip(f"reference data not found at {DATA}")
    return DATA


@pytest.fixture(scope="session")
def load(data_dir: Path) -> Callable[[str], LoadResult]:
    """Load a source from the reference data once per test session."""
    cache: dict[str, LoadResult] = {}

    def _load(name: str) -> LoadResult:
        if name not in cache:
            cache[name] = loaders.load_source(name, data_dir)
        return cache[name]

    return _load

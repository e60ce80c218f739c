"""Shared fixtures: the reference data dir, cached loads, and corrupted copies of real files."""

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


@pytest.fixture
def mirror(tmp_path: Path, data_dir: Path) -> Callable[..., Path]:
    """A temp data dir of symlinks to the real files, with one file replaced by a copy.

    ``mirror("civic/x.tsv", transform)`` writes ``transform(original bytes)`` in place of
    that file and returns the temp data dir. The real data is never modified.
    """
    root = tmp_path / "data"
    for sub in data_dir.iterdir():
        if sub.is_dir():
            (root / sub.name).mkdir(parents=True)
            for file in sub.iterdir():
                (root / sub.name / file.name).symlink_to(file)

    def _mirror(relpath: str | None = None,
                transform: Callable[[bytes], bytes] | None = None) -> Path:
        if relpath is not None:
            target = root / relpath
            original = (data_dir / relpath).read_bytes()
            target.unlink()
            if transform is not None:
                target.write_bytes(transform(original))
        return root

    return _mirror

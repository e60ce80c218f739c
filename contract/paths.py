"""Where OncoKG keeps files outside the repository, resolved from the environment in one place.

``ONCOKG_CACHE_DIR`` (default ``$XDG_CACHE_HOME/oncokg``, i.e. ``~/.cache/oncokg``) holds the
resolved Neo4j jars and, under ``sources/``, downloaded source files. ``ONCOKG_DATA_DIR`` names
a local directory laid out like the reference data; when set, sources are read from it and
nothing is downloaded.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_CACHE_DIR = "ONCOKG_CACHE_DIR"
ENV_DATA_DIR = "ONCOKG_DATA_DIR"


def cache_dir() -> Path:
    """The cache root: resolved jars and downloaded sources."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "oncokg"
    return Path(os.environ.get(ENV_CACHE_DIR) or default).expanduser()


def sources_cache_dir() -> Path:
    """Where downloaded source files are cached (``<cache>/sources/<declared path>``)."""
    return cache_dir() / "sources"


def data_dir() -> Path | None:
    """The local copy of the sources named by ``ONCOKG_DATA_DIR``, or None (download)."""
    value = os.environ.get(ENV_DATA_DIR)
    return Path(value).expanduser() if value else None

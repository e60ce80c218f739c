"""Release diffs and replacements: what a newer release of a source adds, changes and removes.

``diff_sources`` compares two sources' tables (``contract.diff``) without touching the graph.
``load_replacing`` loads a source, then retires an older release's tag (``kg.releases``): a
fact only the old release asserted goes, one another source still asserts stays with that
source. Loading the release the graph already holds retires nothing (the load is idempotent).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import neo4j
import pandas as pd

from oncokg import loaders
from oncokg.app.load import GraphLoad, load_into_graph
from oncokg.contract.diff import release_diff
from oncokg.kg.releases import ReleaseError, release_tags, retire_release


@dataclass
class Replacement:
    """A load that replaced a release: the load, the tables' diff and what retiring removed."""

    load: GraphLoad
    diff: pd.DataFrame | None
    retired: pd.DataFrame | None


def diff_sources(old: str, new: str, data_dir: str | Path | None = None,
                 ignore: tuple[str, ...] = ()) -> pd.DataFrame:
    """Per label and type, what source ``new`` adds, changes and removes against ``old``."""
    before = loaders.load_source(old, data_dir)
    after = loaders.load_source(new, data_dir)
    return release_diff([*before.nodes, *before.rels], [*after.nodes, *after.rels], ignore)


def load_replacing(driver: neo4j.Driver, new: str, old_tag: str,
                   data_dir: str | Path | None = None, *, database: str | None = None,
                   ignore: tuple[str, ...] = (),
                   progress: Callable[[str], None] = lambda _: None) -> Replacement:
    """Load source ``new``, then retire release ``old_tag`` (``name:release``) from the graph.

    The diff is of the tables, when a source declares ``old_tag``; ``ReleaseError`` before
    anything is written when the graph does not hold ``old_tag``.
    """
    if old_tag not in release_tags(driver, database):
        raise ReleaseError(f"no release {old_tag!r} in the graph; it records "
                           f"{', '.join(release_tags(driver, database))}")
    old = next((name for name, s in loaders.SOURCES.items() if s.provenance == old_tag), None)
    diff = diff_sources(old, new, data_dir, ignore) if old else None
    outcome = load_into_graph(driver, [new], data_dir, database=database, progress=progress,
                              show_bars=False)
    if loaders.SOURCES[new].provenance == old_tag:
        return Replacement(outcome, diff, None)
    progress(f"retiring {old_tag} ...")
    return Replacement(outcome, diff, retire_release(driver, old_tag, database))

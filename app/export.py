"""The export training sees: the graph from Neo4j, plus the cell-line omics profiles.

Neo4j holds expression only as ``EXPRESSES`` links for extreme z (``loaders.gdsc_rel8``); the
full matrices (expression, pathway scores, gene-level mutation and copy-number calls) are read
from the same source files and attached to the export (``GraphExport.with_profiles``) when the
graph holds the ``gdsc_expression`` source, so features never fetch them one Cypher value at a
time and a graph without release-8 omics exports as before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import neo4j

from oncokg.contract.export import GraphExport
from oncokg.contract.subgraph import Selection, select
from oncokg.kg.export import export_graph
from oncokg.loaders import gdsc_rel8
from oncokg.loaders.fetch import Fetcher

EXPRESSES = "CellLine|EXPRESSES|Gene"


def has_omics(export: GraphExport) -> bool:
    """Whether the exported graph holds release-8 expression (so its profiles belong)."""
    return export.manifest.get("edge_counts", {}).get(EXPRESSES, 0) > 0


def with_omics(export: GraphExport, data_dir: str | Path | None = None) -> GraphExport:
    """``export`` plus the omics profiles of its cell lines, when the graph holds expression."""
    if not has_omics(export):
        return export
    return export.with_profiles(gdsc_rel8.cell_profiles(Fetcher(data_dir)))


def export_for_learning(driver: neo4j.Driver, database: str | None = None,
                        data_dir: str | Path | None = None,
                        say: Callable[[str], None] = lambda _: None,
                        selection: Selection | None = None) -> GraphExport:
    """Export the graph, or the subgraph ``selection`` keeps (``contract.subgraph``), and
    attach the omics profiles (see the module docstring)."""
    selection = selection or Selection()
    export = export_graph(driver, database, rel_types=selection.exported_rels())
    if not selection.empty:
        export = select(export, selection)
    if has_omics(export):
        say("    attaching cell-line omics profiles (expression, pathways, mutation, copy "
            "number) ...")
    return with_omics(export, data_dir)

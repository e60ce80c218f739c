"""The learning export: omics profiles attached exactly when the graph holds expression."""

from __future__ import annotations

import pandas as pd

from oncokg.app.export import has_omics, with_omics
from oncokg.contract.export import GraphExport, build_manifest


def _export(expresses: int) -> GraphExport:
    nodes = {"CellLine": pd.DataFrame({"key": ["946359", "905936", "0"]}),
             "Gene": pd.DataFrame({"key": ["ERBB2"]})}
    edges = {("CellLine", "EXPRESSES", "Gene"):
             pd.DataFrame({"src": [0] * expresses, "dst": [0] * expresses})}
    return GraphExport(nodes, edges, build_manifest(nodes, edges, "test"))


def test_a_graph_with_expression_exports_the_profiles_of_its_lines(data_dir):
    export = with_omics(_export(expresses=1), data_dir)
    assert has_omics(export)
    assert set(export.profiles) == {"expression", "pathways", "mutation", "copy_number"}
    expression = export.profiles["expression"]
    assert sorted(expression.index) == ["905936", "946359"]  # BT-474, HCT-116; "0" is none
    assert expression.loc["946359", "ERBB2"] > 2.0  # BT-474 overexpresses ERBB2
    assert export.manifest["profiles"]["pathways"] == [2, 1329]


def test_a_graph_without_expression_exports_as_before(data_dir):
    export = _export(expresses=0)
    assert with_omics(export, data_dir) is export and not export.profiles

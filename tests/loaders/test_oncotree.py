"""OncoTree hierarchy and DepMap MODEL_OF."""

from __future__ import annotations

from oncokg.loaders import oncotree
from oncokg.loaders.fetch import Fetcher


def test_tumor_types(load) -> None:
    result = load("oncotree")
    types = result.node_table("TumorType").rows.set_index("code")
    assert len(types) == 897
    assert types.loc["SKCM", "parent"] == "MEL"
    assert types.loc["MEL", "tissue"] == "Skin"
    edges = result.rel_table("SUBTYPE_OF").rows
    assert ("SKCM", "MEL") in set(zip(edges["start"], edges["end"], strict=True))
    assert len(edges) == 897 - 32  # every node but the 32 tissues has a parent


def test_code_history(data_dir) -> None:
    tree = oncotree.index(Fetcher(data_dir))
    assert tree.resolve("skcm") == ("SKCM", "current")
    assert tree.resolve("MM") == ("PCM", "history")
    assert tree.resolve("AASTR") == ("ASTR", "revocations")
    assert tree.resolve("ALL") == (None, "ambiguous")
    assert tree.resolve("NOPE") == (None, "unknown")


def test_model_of(load) -> None:
    result = load("depmap")
    edges = dict(zip(*(result.rel_table("MODEL_OF").rows[c] for c in ("start", "end")),
                     strict=True))
    assert edges["906793"] == "MEL"  # A375, BRAF V600E melanoma
    assert 950 < len(edges) < 1000
    reasons = result.report.reasons("dropped")
    assert reasons["model without a COSMIC id"] == 982
    lines = result.node_table("CellLine").rows
    assert list(lines.columns) == ["cosmic_id", "sources"]  # key-only

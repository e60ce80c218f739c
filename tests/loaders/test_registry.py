"""Every source: self-contained results, provenance on every row, deterministic tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncokg import loaders
from oncokg.contract.schema import SCHEMA
from oncokg.loaders import chem, genes, oncotree, vocabulary

ALL = [n for n in loaders.SOURCES if n != "gdsc_fitted"]


@pytest.mark.parametrize("name", ALL)
def test_result_is_self_contained(load, data_dir, name: str) -> None:
    result = load(name)
    result.check()  # unique keys, sources on every row, endpoints present
    source = loaders.SOURCES[name]
    for table in [*result.nodes, *result.rels]:
        assert table.rows["sources"].map(tuple).unique().tolist() == [(source.provenance,)]
    for table in result.nodes:
        assert table.label in SCHEMA.nodes
    assert result.release == source.release
    read = {Path(path).relative_to(data_dir).as_posix() for path in result.files}
    assert {f.path for f in source.files.values()} <= read  # every declared file, with sha256
    assert all(len(digest) == 64 for digest in result.files.values())
    assert result.report.rows_read and sum(result.report.rows_read.values()) > 0


def test_only_owners_set_scalar_properties(load) -> None:
    owners = {"Gene": "genes", "CellLine": "gdsc", "TumorType": "oncotree"}
    for name in ALL:
        for table in load(name).nodes:
            if table.label in owners and owners[table.label] != name:
                key = SCHEMA.node(table.label).key
                assert list(table.rows.columns) == [key, "sources"], (name, table.label)


def test_shared_nodes_agree_across_sources(load) -> None:
    """Drug and Mutation rows are the same wherever they appear (load-order independent)."""
    for label, key in (("Drug", "id"), ("Mutation", "id")):
        seen: dict[str, pd.Series] = {}
        for name in ALL:
            result = load(name)
            try:
                rows = result.node_table(label).rows.set_index(key).drop(columns="sources")
            except KeyError:
                continue
            for k, row in rows.iterrows():
                if k in seen:
                    assert seen[k].equals(row), (label, k, name)
                else:
                    seen[k] = row


def _clear_caches() -> None:
    genes._NORMALIZERS.clear()
    vocabulary._RESOLVERS.clear()
    oncotree._INDEXES.clear()
    for fn in (chem.from_smiles, chem.inchikey_from_inchi, chem.smiles_from_inchi,
               chem.parent_skeleton):
        fn.cache_clear()


@pytest.fixture(scope="module")
def fresh_caches() -> None:
    """Drop the process caches once, so the second loads rebuild resolvers from the files."""
    _clear_caches()


# structures is left out for time (its drugs are re-derived in test_drugs' shuffle test)
@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in ALL if n != "structures"])
def test_loading_twice_gives_identical_tables(load, data_dir, fresh_caches, name: str) -> None:
    first = load(name)
    second = loaders.load_source(name, data_dir)
    assert [t.label for t in first.nodes] == [t.label for t in second.nodes]
    for a, b in zip([*first.nodes, *first.rels], [*second.nodes, *second.rels], strict=True):
        pd.testing.assert_frame_equal(a.rows, b.rows)
    assert first.report.to_dict() == second.report.to_dict()

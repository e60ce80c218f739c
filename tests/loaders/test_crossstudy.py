"""Second drug-response studies (CCLE 2012, CTRP v2) keyed to graph ids, from the real files."""

from __future__ import annotations

import math

import numpy as np
import pytest

from oncokg import loaders
from oncokg.loaders import SourceError, crossstudy, drugs, vocabulary
from oncokg.loaders.crossstudy import COLUMNS, read_study
from oncokg.loaders.fetch import Fetcher

CCLE_FILE = "ccle_2012/CCLE_NP24.2009_Drug_data_2015.02.24.csv"
DRUG_REASONS = ("drug name not in the drug vocabulary", "ambiguous drug name")
CELL_REASONS = ("cell line in DepMap without a COSMIC id", "cell line name not in DepMap")


@pytest.fixture(scope="module")
def ccle(data_dir):
    return read_study("ccle_2012", data_dir)


@pytest.fixture(scope="module")
def ctrp(data_dir):
    return read_study("ctrp_v2", data_dir)


@pytest.fixture(scope="module")
def resolver(data_dir) -> drugs.DrugResolver:
    return vocabulary.resolver(Fetcher(data_dir))


def _row(table, drug_name: str, cell_name: str):
    rows = table[(table["drug_name"] == drug_name) & (table["cell_name"] == cell_name)]
    assert len(rows) == 1
    return rows.iloc[0]


def _reported(report, reasons: tuple[str, ...]) -> list[str]:
    return [i.identifier for i in report.issues if i.reason.startswith(reasons)]


def _coverage(table) -> tuple[int, int, int]:
    drugs_ok = table.drop_duplicates("drug_name")["drug"].notna().sum()
    cells_ok = table.drop_duplicates("cell_name")["cell_line"].notna().sum()
    both = (table["drug"].notna() & table["cell_line"].notna()).sum()
    return int(drugs_ok), int(cells_ok), int(both)


# -- CCLE ----------------------------------------------------------------------------------------

def test_ccle_shape_and_coverage(ccle) -> None:
    table = ccle.table
    assert (ccle.study, ccle.release, ccle.measure) == ("ccle_2012", "CCLE NP24 2015-02-24",
                                                        "-ActArea")
    assert list(table.columns) == COLUMNS
    assert len(table) == 11670  # the file has no repeated (compound, cell line) pair
    assert table["drug_name"].nunique() == 24 and table["cell_name"].nunique() == 504
    assert (table["replicates"] == 1).all()
    assert table["smiles"].isna().all() and table["inchikey"].isna().all()
    drugs_ok, cells_ok, both = _coverage(table)
    assert drugs_ok >= 20  # 21: all but L-685458, LBW242, Nutlin-3
    assert cells_ok >= 370  # 375 via Model.csv CCLEName
    assert both >= 7400  # 7531
    assert table["cell_line"].dropna().str.fullmatch(r"[1-9]\d*").all()
    assert ccle.report.loaded == {"responses": 11670}


def test_ccle_drug_names_resolve_through_synonyms(ccle, resolver) -> None:
    keys = ccle.table.drop_duplicates("drug_name").set_index("drug_name")["drug"]
    assert keys["AZD6244"] == resolver.resolve_name("Selumetinib").key is not None
    assert keys["PD-0325901"] is not None
    assert keys["PF2341066"] == resolver.resolve_name("Crizotinib").key
    # LBW242 is known from GDSC release 8's structure table (it was unresolved before)
    assert keys["LBW242"] == resolver.resolve_name("LBW242").key is not None


def test_ccle_known_rows(ccle, resolver) -> None:
    row = _row(ccle.table, "Panobinostat", "OPM2_HAEMATOPOIETIC_AND_LYMPHOID_TISSUE")
    assert row["resistance"] == pytest.approx(-6.84)
    assert row["ln_ic50"] == pytest.approx(math.log(0.0025))
    assert row["cell_line"] == "909249"
    assert row["drug"] == resolver.resolve_name("Panobinostat").key
    # IC50 at the 8 µM cap: censored, no ln IC50; activity area still given
    capped = _row(ccle.table, "AEW541", "769P_KIDNEY")
    assert np.isnan(capped["ln_ic50"]) and capped["resistance"] == pytest.approx(-1.4376)
    # a dose series that stops at 2.53 µM, IC50 2.531646 = its top dose: censored too
    assert np.isnan(_row(ccle.table, "PLX4720", "SKMEL2_SKIN")["ln_ic50"])
    assert ccle.table["ln_ic50"].isna().sum() == 6451 + 2


def test_ccle_sample_info_fallback(mirror, data_dir) -> None:
    # blank OPM-2's COSMIC id in Model.csv: sample_info.csv ("909249.0") supplies it
    def blank(data: bytes) -> bytes:
        lines = data.split(b"\n")  # CRLF line ends: split on \n, keep the \r
        assert lines[23].startswith(b"ACH-000024,") and b",909249,\r" in lines[23]
        lines[23] = lines[23].replace(b",909249,\r", b",,\r")
        return b"\n".join(lines)

    result = read_study("ccle_2012", mirror("depmap/Model.csv", blank))
    row = _row(result.table, "Panobinostat", "OPM2_HAEMATOPOIETIC_AND_LYMPHOID_TISSUE")
    assert row["cell_line"] == "909249"


# -- CTRP ----------------------------------------------------------------------------------------

def test_ctrp_shape_and_coverage(ctrp) -> None:
    table = ctrp.table
    assert (ctrp.study, ctrp.release, ctrp.measure) == ("ctrp_v2", "CTRP v2", "AUC")
    assert list(table.columns) == COLUMNS
    assert table["drug_name"].nunique() == 545 - 49  # 49 combinations left out
    assert table["cell_name"].nunique() == 887
    assert table["ln_ic50"].isna().all()
    # every AUC row but the 39,526 of combinations (counted with awk) is in one mean
    assert table["replicates"].sum() == 395263 - 39526
    assert table["replicates"].max() == 3
    drugs_ok, cells_ok, both = _coverage(table)
    assert drugs_ok >= 200  # 212 (197 by name, 15 more by InChIKey)
    assert cells_ok >= 580  # 587 via Model.csv StrippedCellLineName
    assert both >= 100_000  # 103115
    structures = table.drop_duplicates("drug_name")
    assert 400 <= structures["smiles"].notna().sum() <= 468
    assert (structures["smiles"].notna() == structures["inchikey"].notna()).all()


def test_ctrp_combinations_reported_and_left_out(ctrp) -> None:
    combos = ctrp.report.identifiers("combination of compounds, not a single drug: left out")
    assert len(combos) == 49 and "JQ-1:UNC0638 (2:1 mol/mol)" in combos
    assert not ctrp.table["drug_name"].isin(combos).any()


def test_ctrp_replicates_averaged(ctrp) -> None:
    # A549 (master_ccl_id 35) has experiments 45, 349, 382; navitoclax is 362342:
    # AUC_1.csv lines 18182, 150430, 164051 give 15, 11.296, 13.355
    row = _row(ctrp.table, "navitoclax", "A549")
    assert row["replicates"] == 3
    assert row["resistance"] == pytest.approx((15 + 11.296 + 13.355) / 3)
    assert row["cell_line"] == "905949"
    assert row["inchikey"] == "JLYAXFNOILIKPP-KXQOOQHDSA-N" == row["drug"]


def test_ctrp_structure_lookup(ctrp, resolver) -> None:
    keys = ctrp.table.drop_duplicates("drug_name").set_index("drug_name")["drug"]
    # "barasertib" names two LINCS records; its SMILES (the HQPA form) picks one
    assert resolver.resolve_name("barasertib").status == "ambiguous"
    assert keys["barasertib"] == "QYZOGCMHVIGURT-UHFFFAOYSA-N"
    # a compound only CTRP names is in the vocabulary through its own SMILES
    assert keys["ISOX"] is not None and resolver.resolve_name("ISOX").key == keys["ISOX"]
    notes = {i.identifier: i.reason for i in ctrp.report.issues if i.kind == "note"}
    assert notes["barasertib"].startswith("resolved by the InChIKey")
    # name and structure disagree: the name wins, and the conflict is reported
    assert keys["serdemetan"] == resolver.resolve_name("serdemetan").key
    assert "name match" in notes["serdemetan"]


def test_by_inchikey(resolver) -> None:
    key = resolver.resolve_name("Erlotinib").key
    assert resolver.by_inchikey(key) == key
    assert resolver.by_inchikey("AAAAAAAAAAAAAA-UHFFFAOYSA-N") is None


# -- both ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("study", ["ccle", "ctrp"])
def test_unmapped_names_reported_once(study, request) -> None:
    result = request.getfixturevalue(study)
    table = result.table
    assert not table.duplicated(["drug_name", "cell_name"]).any()
    assert table["resistance"].notna().all() and (table["replicates"] >= 1).all()
    for column, key, reasons in (("drug_name", "drug", DRUG_REASONS),
                                 ("cell_name", "cell_line", CELL_REASONS)):
        reported = _reported(result.report, reasons)
        assert len(reported) == len(set(reported))
        assert set(reported) == set(table.loc[table[key].isna(), column])
    assert all(i.file and i.line for i in result.report.issues if i.kind == "dropped"
               and i.reason.startswith(DRUG_REASONS + CELL_REASONS))


def test_not_graph_sources() -> None:
    assert not set(crossstudy.STUDIES) & set(loaders.SOURCES)


# -- bad input -----------------------------------------------------------------------------------

def test_unknown_study(data_dir) -> None:
    with pytest.raises(SourceError, match=r"unknown study 'gdsc'.*ccle_2012.*ctrp_v2"):
        read_study("gdsc", data_dir)


def test_ccle_missing_column(mirror) -> None:
    root = mirror(CCLE_FILE, lambda data: data.replace(b",ActArea", b",Act Area", 1))
    with pytest.raises(SourceError, match=r"line 1: missing column\(s\) \['ActArea'\]") as err:
        read_study("ccle_2012", root)
    assert err.value.file.endswith(CCLE_FILE) and err.value.line == 1


def test_ccle_non_numeric_act_area(mirror) -> None:
    def transform(data: bytes) -> bytes:
        lines = data.split(b"\n")  # CRLF line ends: split on \n, keep the \r
        assert lines[4].endswith(b",6.9527\r")
        lines[4] = lines[4].replace(b",6.9527\r", b",n/a\r")
        return b"\n".join(lines)

    with pytest.raises(SourceError, match=r"line 5: ActArea: 'n/a' is not a number") as err:
        read_study("ccle_2012", mirror(CCLE_FILE, transform))
    assert err.value.file.endswith(CCLE_FILE)


# hand-written CTRP measurements over the real id tables: A549 (ccl 35; experiments 45, 349,
# 382) × navitoclax (362342), CIL55 (1788) and a combination (660129); experiment 99999 unknown
AUC_1 = b"""experiment_id,area_under_curve,master_cpd_id
45,10,362342
349,12,362342
45,14.5,1788
45,9,660129
99999,13,1788
"""
AUC_2 = b"""experiment_id,area_under_curve,master_cpd_id
382,14,362342
"""
PER_COMPOUND = (b"master_cpd_id\tcpd_name\tcpd_smiles\n"
                b"362342\tnavitoclax\tC1CC(\n"
                b"1788\tCIL55\tCN(C)CCNC(=O)c1cc2CSc3cc(Cl)ccc3-c2s1\n")


@pytest.fixture
def mini_ctrp(mirror):
    mirror("ctrp_v2/AUC_1.csv", lambda _: AUC_1)
    mirror("ctrp_v2/AUC_2.csv", lambda _: AUC_2)
    return mirror("ctrp_v2/v20.meta.per_compound.txt", lambda _: PER_COMPOUND)


def test_ctrp_hand_written(mini_ctrp, resolver) -> None:
    result = read_study("ctrp_v2", mini_ctrp)
    table = result.table.set_index("drug_name")
    assert list(table.index) == ["CIL55", "navitoclax"]
    navitoclax = table.loc["navitoclax"]
    assert navitoclax["resistance"] == pytest.approx(12.0) and navitoclax["replicates"] == 3
    assert navitoclax["smiles"] is None and navitoclax["inchikey"] is None
    assert navitoclax["drug"] == resolver.resolve_name("navitoclax").key  # still by name
    assert table.loc["CIL55", "smiles"] is not None and table.loc["CIL55", "replicates"] == 1
    bad = [i for i in result.report.issues if i.reason.startswith("invalid SMILES")]
    assert [(i.identifier, i.line) for i in bad] == [("navitoclax (C1CC()", 2)]
    assert bad[0].file == "ctrp_v2/v20.meta.per_compound.txt"
    assert result.report.identifiers("combination of compounds, not a single drug: left out"
                                     ) == ["JQ-1:UNC0638 (2:1 mol/mol)"]
    assert result.report.identifiers("experiment id not in ctrp_v2/Experiment_info.csv"
                                     ) == ["99999 (1 rows)"]


def test_ctrp_non_numeric_auc(mirror) -> None:
    root = mirror("ctrp_v2/AUC_2.csv", lambda _: AUC_2.replace(b",14,", b",abc,"))
    with pytest.raises(SourceError,
                       match=r"AUC_2.csv, line 2: area_under_curve: 'abc' is not a number"):
        read_study("ctrp_v2", root)

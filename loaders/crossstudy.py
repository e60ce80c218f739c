"""Second drug-response studies for cross-study validation: CCLE 2012 and CTRP v2.

These are not graph sources (they are not in ``loaders.SOURCES``): ``read_study(name)``
returns a tidy table of measurements keyed to the graph's identifiers, so a model trained on
GDSC can be scored on another study's cell lines and compounds.

**ccle_2012** (Barretina et al. 2012, ``CCLE_NP24.2009_Drug_data_2015.02.24.csv``): one row
per compound × cell line. ``resistance`` is ``-ActArea`` (activity area is larger for more
sensitive lines); ``ln_ic50`` is ln(IC50 / µM), NaN when the IC50 sits at the top tested dose
(8 µM for all but two rows, whose dose series stops at 2.53 µM): such an IC50 is a censored
"not reached", not a measurement. IC50s at the lowest dose (0.0025 µM) are kept as given.

**ctrp_v2** (CTRP v2, post-QC curves): ``AUC_1.csv`` + ``AUC_2.csv`` give
``area_under_curve`` per experiment and compound; ``Experiment_info.csv`` maps experiments to
cell lines (an experiment may be listed on several rows, one per screening date);
``cancer_cell_line_info.csv`` and ``compound_info.csv`` name them. ``resistance`` is the AUC
(higher = more viable = more resistant); ``ln_ic50`` is NaN. Compound combinations
(``"JQ-1:UNC0638 (2:1 mol/mol)"``: a name with a colon) are not single drugs: they are
reported once and left out. SMILES come from ``v20.meta.per_compound.txt`` (RDKit canonical;
an invalid one is reported and left out).

**Replicates.** Measurements of one (compound name, cell line name) are averaged (mean);
``replicates`` counts them. For ``ln_ic50`` the mean is NaN when any replicate is censored.

**Cell lines** are keyed like the graph's CellLine: the COSMIC id as an integer string.
CCLE names join DepMap ``Model.csv`` ``CCLEName``, CTRP names join ``StrippedCellLineName``;
a name without a COSMIC id there falls back to DepMap ``sample_info.csv`` (``CCLE_Name`` /
``stripped_cell_line_name``). Unmapped lines keep ``cell_line = None``.

**Drugs** go through the shared resolver (``loaders.drugs``): names and synonyms first; for
CTRP, a name that does not resolve (unknown or ambiguous) is then looked up by the InChIKey of
its SMILES. When the name and the structure name different drugs of the vocabulary, the name
wins (vendor structures are sometimes wrong) and a note is reported. Unresolved compounds keep
``drug = None``. Every unmapped compound or cell line name is reported once, with the file and
line where it first appears.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from oncokg.loaders import chem, ctrp_drugs, drugs, oncotree, vocabulary
from oncokg.loaders.base import SourceError, SourceFile, clean
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.readers import LINE, read_delimited
from oncokg.loaders.report import Report

STUDIES: tuple[str, ...] = ("ccle_2012", "ctrp_v2")

CCLE_RELEASE = "CCLE NP24 2015-02-24"
CCLE_FILES = {
    "responses": SourceFile(
        "ccle_2012/CCLE_NP24.2009_Drug_data_2015.02.24.csv",
        "https://data.broadinstitute.org/ccle_legacy_data/pharmacological_profiling/"
        "CCLE_NP24.2009_Drug_data_2015.02.24.csv"),
}

CTRP_RELEASE = "CTRP v2"
#: The 3-column AUC extracts and id tables come from the course repository the reference
#: copies were taken from; the per-compound metadata is the official CTD2 release file.
_CTRP_COURSE = "https://github.com/CFBSD-Summer2020/HW05/raw/2348e32144/CTRP_files/"
CTRP_FILES = {
    "auc_1": SourceFile("ctrp_v2/AUC_1.csv", _CTRP_COURSE + "AUC_1.csv"),
    "auc_2": SourceFile("ctrp_v2/AUC_2.csv", _CTRP_COURSE + "AUC_2.csv"),
    "experiments": SourceFile("ctrp_v2/Experiment_info.csv",
                              _CTRP_COURSE + "Experiment_info.csv"),
    "cell_lines": SourceFile("ctrp_v2/cancer_cell_line_info.csv",
                             _CTRP_COURSE + "cancer_cell_line_info.csv"),
    "compounds": SourceFile("ctrp_v2/compound_info.csv", _CTRP_COURSE + "compound_info.csv"),
    "per_compound": ctrp_drugs.COMPOUNDS_FILE,
}

CELL_LINE_FILES = {
    "models": oncotree.DEPMAP_FILES["models"],
    "sample_info": SourceFile(
        "depmap_tgsa/sample_info.csv",
        "https://github.com/violet-sto/TGSA/raw/04c8e1c042/TGSA/data/CellLines_DepMap/"
        "CCLE_580_18281/census_706/sample_info.csv"),
}

#: The top dose of the CCLE screen (µM); rows whose dose series says otherwise use theirs.
CCLE_TOP_DOSE = 8.0

COLUMNS = ["drug", "drug_name", "smiles", "inchikey", "cell_line", "cell_name", "resistance",
           "ln_ic50", "replicates"]

_COSMIC = re.compile(r"^(\d+)(?:\.0*)?$")
_DIGITS = re.compile(r"^\d+$")


@dataclass
class StudyResponses:
    """One study's measurements keyed to graph identifiers, with its mapping report."""

    study: str                 # "ccle_2012" | "ctrp_v2"
    release: str               # e.g. "CCLE NP24 2015-02-24", "CTRP v2"
    measure: str               # what `resistance` is: "-ActArea" (CCLE) / "AUC" (CTRP)
    table: pd.DataFrame        # one row per (drug, cell line) measured
    report: Report             # unresolved drugs / cell lines with reasons


def read_study(name: str, data_dir: str | Path | None = None, *,
               cache_dir: str | Path | None = None) -> StudyResponses:
    """Read one second study (``STUDIES``) into a ``StudyResponses``.

    ``data_dir`` (or env ``ONCOKG_DATA_DIR``) reads files laid out like the reference data;
    otherwise they are downloaded into the cache. Raises ``SourceError`` for an unknown study
    or malformed input (naming the file and line).
    """
    if name not in STUDIES:
        raise SourceError(f"unknown study {name!r}; known studies: {list(STUDIES)}")
    fetcher = Fetcher(data_dir, cache_dir)
    resolver = vocabulary.resolver(fetcher)
    if name == "ccle_2012":
        report = Report(name, CCLE_RELEASE)
        table = _read_ccle(fetcher, resolver, report)
        measure = "-ActArea"
    else:
        report = Report(name, CTRP_RELEASE)
        table = _read_ctrp(fetcher, resolver, report)
        measure = "AUC"
    report.loaded["responses"] = len(table)
    return StudyResponses(name, report.release, measure, table, report)


# -- value parsing -----------------------------------------------------------------------------

def _floats(frame: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    """The column as finite floats; a blank or non-numeric cell is a ``SourceError``."""
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SourceError(f"{column}: {frame[column].iloc[i]!r} is not a number", path,
                          int(frame[LINE].iloc[i]))
    return values


def _ids(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """The column as integer-id strings; anything else is a ``SourceError``."""
    values = frame[column].map(clean)
    ok = values.map(lambda v: v is not None and _DIGITS.match(v) is not None)
    if not ok.all():
        i = int(np.flatnonzero(~ok.to_numpy())[0])
        raise SourceError(f"{column}: {frame[column].iloc[i]!r} is not an integer id", path,
                          int(frame[LINE].iloc[i]))
    return values.map(lambda v: str(int(v)))


def _cosmic(value: str | None, path: Path, line: int) -> str | None:
    """A COSMIC id as an integer string (``"906800.0"`` → ``"906800"``); None when blank."""
    text = clean(value)
    if text is None:
        return None
    match = _COSMIC.match(text)
    if not match:
        raise SourceError(f"COSMICID {value!r} is not a number", path, line)
    return str(int(match.group(1)))


def _first_lines(names: Iterable, lines: Iterable) -> dict[str, int]:
    """Each name's first line number, in order of first appearance."""
    first: dict[str, int] = {}
    for name, line in zip(names, lines, strict=True):
        first.setdefault(name, int(line))
    return first


# -- cell lines ----------------------------------------------------------------------------------

class _CellLines:
    """Study cell line name → COSMIC id through DepMap Model.csv, then sample_info.csv."""

    def __init__(self, fetcher: Fetcher, model_column: str, sample_column: str) -> None:
        self.tables = [
            (CELL_LINE_FILES["models"].path,
             self._read(fetcher.path(CELL_LINE_FILES["models"]), model_column)),
            (CELL_LINE_FILES["sample_info"].path,
             self._read(fetcher.path(CELL_LINE_FILES["sample_info"]), sample_column)),
        ]

    @staticmethod
    def _read(path: Path, column: str) -> dict[str, set[str]]:
        frame = read_delimited(path, sep=",", required=(column, "COSMICID"))
        found: dict[str, set[str]] = defaultdict(set)
        for name, value, line in zip(frame[column], frame["COSMICID"], frame[LINE],
                                     strict=True):
            name = clean(name)
            if name is None:
                continue
            cosmic = _cosmic(value, path, int(line))
            ids = found.setdefault(name, set())  # a known name, even without a COSMIC id
            if cosmic is not None:
                ids.add(cosmic)
        return found

    def map(self, names: dict[str, int], report: Report, file: str) -> dict[str, str | None]:
        """COSMIC id (or None) per name; every unmapped name is reported once."""
        mapped: dict[str, str | None] = {}
        for name, line in names.items():
            hits = [(source, table[name]) for source, table in self.tables if table.get(name)]
            cosmic = None
            if hits and len(hits[0][1]) > 1:
                ids = " / ".join(sorted(hits[0][1]))
                report.ambiguous(f"cell line name with several COSMIC ids in {hits[0][0]} "
                                 f"({ids})", name, file, line)
            elif hits:
                cosmic = next(iter(hits[0][1]))
                others = {c for _, ids in hits[1:] for c in ids} - {cosmic}
                if others:
                    report.note(f"COSMIC id {cosmic} from {hits[0][0]}; other DepMap table "
                                f"says {' / '.join(sorted(others))}", name, file, line)
            elif any(name in table for _, table in self.tables):
                report.drop("cell line in DepMap without a COSMIC id", name, file, line)
            else:
                report.drop("cell line name not in DepMap (Model.csv, sample_info.csv)", name,
                            file, line)
            mapped[name] = cosmic
        return mapped


# -- drugs ---------------------------------------------------------------------------------------

def _report_shared_keys(keys: dict[str, str | None], report: Report, file: str) -> None:
    """Note study compounds that are one graph drug (their rows stay apart by drug_name)."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for name, key in keys.items():
        if key is not None:
            by_key[key].append(name)
    for key, names in sorted(by_key.items()):
        if len(names) > 1:
            report.merged("several study compounds resolve to one drug; rows kept apart by "
                          "drug_name", f"{key}: {' / '.join(sorted(names))}", file)


# -- CCLE ----------------------------------------------------------------------------------------

_CCLE_REQUIRED = ("CCLE Cell Line Name", "Compound", "Doses (uM)", "IC50 (uM)", "ActArea")


def _top_doses(frame: pd.DataFrame, path: Path) -> np.ndarray:
    """The highest dose of each row's ``Doses (uM)`` series (``CCLE_TOP_DOSE`` when blank)."""
    tops = np.empty(len(frame))
    for i, (text, line) in enumerate(zip(frame["Doses (uM)"], frame[LINE], strict=True)):
        if clean(text) is None:
            tops[i] = CCLE_TOP_DOSE
            continue
        try:
            doses = [float(part) for part in text.split(",")]
        except ValueError:
            raise SourceError(f"Doses (uM): {text!r} is not a list of numbers", path,
                              int(line)) from None
        tops[i] = max(doses)
    return tops


def _read_ccle(fetcher: Fetcher, resolver: drugs.DrugResolver, report: Report) -> pd.DataFrame:
    spec = CCLE_FILES["responses"]
    path = fetcher.path(spec)
    frame = read_delimited(path, sep=",", required=_CCLE_REQUIRED)
    report.read(spec.path, len(frame))
    for column in ("CCLE Cell Line Name", "Compound"):
        blank = frame[column].map(clean).isna()
        if blank.any():
            line = int(frame.loc[blank, LINE].iloc[0])
            raise SourceError(f"{column} is blank", path, line)
    act_area = _floats(frame, "ActArea", path)
    ic50 = _floats(frame, "IC50 (uM)", path)
    if (ic50 <= 0).any():
        i = int(np.flatnonzero(ic50 <= 0)[0])
        raise SourceError(f"IC50 (uM): {frame['IC50 (uM)'].iloc[i]!r} is not positive", path,
                          int(frame[LINE].iloc[i]))
    cap = np.minimum(_top_doses(frame, path), CCLE_TOP_DOSE)
    censored = ic50 >= cap * (1 - 1e-9)
    long = pd.DataFrame({
        "drug_name": frame["Compound"].map(clean),
        "cell_name": frame["CCLE Cell Line Name"].map(clean),
        "resistance": -act_area,
        "ln_ic50": np.where(censored, np.nan, np.log(ic50)),
        "censored": censored,
    })
    table = _average(long)

    drug_lines = _first_lines(long["drug_name"], frame[LINE])
    keys: dict[str, str | None] = {}
    for name, line in drug_lines.items():
        match = resolver.resolve_name(name)
        keys[name] = match.key
        if not match.ok:
            drugs.report_unresolved(report, match, name, spec.path, line)
    _report_shared_keys(keys, report, spec.path)
    cells = _CellLines(fetcher, "CCLEName", "CCLE_Name")
    cosmic = cells.map(_first_lines(long["cell_name"], frame[LINE]), report, spec.path)
    return _finish(table, keys, {}, cosmic)


def _average(long: pd.DataFrame) -> pd.DataFrame:
    """Mean per (drug_name, cell_name); ``ln_ic50`` is NaN when any replicate is censored."""
    group = long.groupby(["drug_name", "cell_name"], sort=True)
    table = group["resistance"].agg(["mean", "size"]).rename(
        columns={"mean": "resistance", "size": "replicates"})
    if "ln_ic50" in long.columns:
        ln = group["ln_ic50"].mean()
        ln[group["censored"].any()] = np.nan
        table["ln_ic50"] = ln
    else:
        table["ln_ic50"] = np.nan
    return table.reset_index()


def _finish(table: pd.DataFrame, keys: dict[str, str | None],
            structures: dict[str, chem.Structure], cosmic: dict[str, str | None]
            ) -> pd.DataFrame:
    """Attach graph keys and structures; columns in ``COLUMNS`` order."""
    def column(values: Iterable) -> pd.Series:
        return pd.Series(list(values), index=table.index, dtype=object)

    drug_names = table["drug_name"]
    table["drug"] = column(keys.get(n) for n in drug_names)
    table["smiles"] = column(s.smiles if (s := structures.get(n)) else None for n in drug_names)
    table["inchikey"] = column(s.inchikey if (s := structures.get(n)) else None
                               for n in drug_names)
    table["cell_line"] = column(cosmic.get(n) for n in table["cell_name"])
    table["resistance"] = table["resistance"].astype(float)
    table["ln_ic50"] = table["ln_ic50"].astype(float)
    table["replicates"] = table["replicates"].astype(int)
    return table[COLUMNS].reset_index(drop=True)


# -- CTRP ----------------------------------------------------------------------------------------

def _read_auc(fetcher: Fetcher, report: Report) -> pd.DataFrame:
    """Both AUC files: experiment, compound (id strings) and auc, with file and line."""
    parts = []
    for key in ("auc_1", "auc_2"):
        spec = CTRP_FILES[key]
        path = fetcher.path(spec)
        frame = read_delimited(path, sep=",",
                               required=("experiment_id", "area_under_curve", "master_cpd_id"))
        report.read(spec.path, len(frame))
        parts.append(pd.DataFrame({
            "experiment": _ids(frame, "experiment_id", path),
            "compound": _ids(frame, "master_cpd_id", path),
            "auc": _floats(frame, "area_under_curve", path),
        }))
    return pd.concat(parts, ignore_index=True)


def _read_experiments(fetcher: Fetcher, report: Report) -> dict[str, str]:
    """experiment id → cell line id (an experiment may be listed once per screening date)."""
    spec = CTRP_FILES["experiments"]
    path = fetcher.path(spec)
    frame = read_delimited(path, sep=",", required=("expt_id", "master_ccl_id"))
    report.read(spec.path, len(frame))
    experiments: dict[str, str] = {}
    for expt, ccl, line in zip(_ids(frame, "expt_id", path), _ids(frame, "master_ccl_id", path),
                               frame[LINE], strict=True):
        if experiments.setdefault(expt, ccl) != ccl:
            raise SourceError(f"experiment {expt} is listed for two cell lines "
                              f"({experiments[expt]} and {ccl})", path, int(line))
    return experiments


def _read_names(fetcher: Fetcher, report: Report, key: str, id_column: str,
                name_column: str) -> dict[str, tuple[str, int]]:
    """id → (name, line) from a CTRP id table; a repeated id is a ``SourceError``."""
    spec = CTRP_FILES[key]
    path = fetcher.path(spec)
    frame = read_delimited(path, sep=",", required=(id_column, name_column))
    report.read(spec.path, len(frame))
    names: dict[str, tuple[str, int]] = {}
    for ident, name, line in zip(_ids(frame, id_column, path), frame[name_column], frame[LINE],
                                 strict=True):
        if ident in names:
            raise SourceError(f"{id_column} {ident} is listed twice", path, int(line))
        text = clean(name)
        if text is None:
            raise SourceError(f"{name_column} is blank", path, int(line))
        names[ident] = (text, int(line))
    return names


def _read_smiles(fetcher: Fetcher, report: Report) -> dict[str, tuple[str, int]]:
    """compound id → (SMILES, line) from the per-compound metadata (blank/NA left out)."""
    spec = CTRP_FILES["per_compound"]
    path = fetcher.path(spec)
    frame = read_delimited(path, sep="\t", required=("master_cpd_id", "cpd_smiles"))
    report.read(spec.path, len(frame))
    found: dict[str, tuple[str, int]] = {}
    for ident, smiles, line in zip(_ids(frame, "master_cpd_id", path), frame["cpd_smiles"],
                                   frame[LINE], strict=True):
        text = clean(smiles)
        if text is not None and text.upper() != "NA":
            found.setdefault(ident, (text, int(line)))
    return found


def _report_unknown_ids(ids: pd.Series, known: dict, what: str, report: Report,
                        file: str) -> pd.Series:
    """Report ids missing from their table (with row counts); returns the mask of known ids."""
    ok = ids.isin(known.keys())
    for ident, n in ids[~ok].value_counts().sort_index().items():
        report.drop(f"{what} not in {file}", f"{ident} ({n} rows)", file)
    return ok


def _read_ctrp(fetcher: Fetcher, resolver: drugs.DrugResolver, report: Report) -> pd.DataFrame:
    auc = _read_auc(fetcher, report)
    experiments = _read_experiments(fetcher, report)
    cell_lines = _read_names(fetcher, report, "cell_lines", "master_ccl_id", "ccl_name")
    compounds = _read_names(fetcher, report, "compounds", "master_cpd_id", "cpd_name")
    smiles = _read_smiles(fetcher, report)
    files = {k: spec.path for k, spec in CTRP_FILES.items()}

    keep = _report_unknown_ids(auc["experiment"], experiments, "experiment id", report,
                               files["experiments"])
    keep &= _report_unknown_ids(auc["compound"], compounds, "compound id", report,
                                files["compounds"])
    auc = auc[keep]
    auc = auc.assign(cell=auc["experiment"].map(experiments))
    known_cell = _report_unknown_ids(auc["cell"], cell_lines, "cell line id", report,
                                     files["cell_lines"])
    auc = auc[known_cell]

    used = sorted(set(auc["compound"]), key=lambda i: compounds[i][1])
    combinations = set()
    keys: dict[str, str | None] = {}
    structures: dict[str, chem.Structure] = {}
    for ident in used:
        name, line = compounds[ident]
        if ctrp_drugs.is_combination(name):
            combinations.add(ident)
            report.drop("combination of compounds, not a single drug: left out", name,
                        files["compounds"], line)
            continue
        structure = None
        if ident in smiles:
            text, smiles_line = smiles[ident]
            parsed = chem.from_smiles(text)
            if isinstance(parsed, str):
                report.drop(f"{parsed}: SMILES left out", f"{name} ({text})",
                            files["per_compound"], smiles_line)
            else:
                structure = structures[name] = parsed
        keys[name] = ctrp_drugs.resolve_compound(resolver, name, structure, report,
                                                  files["compounds"], line)
    _report_shared_keys(keys, report, files["compounds"])

    auc = auc[~auc["compound"].isin(combinations)]
    long = pd.DataFrame({
        "drug_name": auc["compound"].map(lambda i: compounds[i][0]),
        "cell_name": auc["cell"].map(lambda i: cell_lines[i][0]),
        "resistance": auc["auc"],
    })
    _note_shared_names(compounds, set(auc["compound"]), report, files["compounds"])
    _note_shared_names(cell_lines, set(auc["cell"]), report, files["cell_lines"])
    table = _average(long)

    cell_names: dict[str, int] = {}
    for ident in sorted(set(auc["cell"]), key=lambda i: cell_lines[i][1]):
        cell_names.setdefault(*cell_lines[ident])
    cells = _CellLines(fetcher, "StrippedCellLineName", "stripped_cell_line_name")
    cosmic = cells.map(cell_names, report, files["cell_lines"])
    return _finish(table, keys, structures, cosmic)


def _note_shared_names(table: dict[str, tuple[str, int]], used: set[str], report: Report,
                       file: str) -> None:
    """Note ids that share one name (their measurements are averaged together)."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for ident in used:
        by_name[table[ident][0]].append(ident)
    for name, ids in sorted(by_name.items()):
        if len(ids) > 1:
            report.merged(f"several ids share this name ({', '.join(sorted(ids, key=int))}): "
                          "measurements averaged", name, file)

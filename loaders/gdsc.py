"""GDSC drug response: CellLine nodes, RESPONSE Drug→CellLine, HAS_MUTATION from features.

Two layouts:

* **v17 matrices** (source ``gdsc``, the files gdsctools ships): ``IC50_v17.csv.gz``
  (COSMIC_ID × ``Drug_<DRUG_ID>_IC50``, natural-log IC50 in µM, blank = not screened),
  ``genomic_features_v17.csv.gz``, ``cancer_cell_lines.csv`` and ``cosmic_info.csv.gz``.
* **release-8 fitted dose response** (source ``gdsc_fitted``, ``load_fitted``): one row per
  fitted curve with COSMIC_ID, DRUG_ID, DRUG_NAME, LN_IC50, AUC, MAX_CONC, DATASET, … as a
  CSV (or the official ``.xlsx`` when ``openpyxl`` is installed).

CellLine nodes (key ``cosmic_id`` as a string) get their properties here and only here:
``name`` (cosmic_info SAMPLE_NAME, else cancer_cell_lines NAME), ``tissue`` and
``tissue_sub_type`` (cosmic_info GDSC1/GDSC2 labels, else cancer_cell_lines TISSUE /
TISSUE_SUB_TYPE), ``msi`` (cosmic_info MMR: MSI-H/MSI-L/MSI-S, else genomic features
MSI_FACTOR: 1 → MSI-H, 0 → MSS/MSI-L). The fitted layout emits key-only CellLine rows.

RESPONSE: one row per (Drug, cell line, dataset) with ``ln_ic50``, ``auc`` (fitted layout
only), ``dataset`` (``"GDSC1 v17"``; fitted: ``"<DATASET> <release>"``) and ``sensitive``.
Drugs are keyed through the drug resolver by GDSC DRUG_ID. When several DRUG_IDs are one
drug (e.g. Afatinib 1032 and 1377), a cell line measured under more than one gets the mean
ln IC50 (and AUC), reported as merged.

**sensitive** is ``ln_ic50`` strictly below that drug's 20th percentile of ln IC50 over the
cell lines screened with it in the same dataset (``contract.tasks.sensitive_calls``): a
within-drug label, so a drug's overall potency does not decide it. Roughly the most
sensitive fifth of the screened lines of every drug is ``sensitive = true``.

HAS_MUTATION from the genomic features (a 1 in the matrix): ``<GENE>_mut`` is Mutation
``"<GENE> mutation"`` (kind ``coding_mutation``) with OF_GENE to the gene; fusion features
(``BCR-ABL_mut``, ``EWSR1-FLI1_mut``) are ``"BCR::ABL1 fusion"``, ``"EWSR1::FLI1 fusion"``;
``EWSR1-X_mut`` (any partner) is ``"EWSR1 fusion"``; ``MLL2``/``MLL3``, ambiguous aliases
today, are read as COSMIC named them (KMT2D/KMT2C). Copy-number features
(``gain_cnaPANCAN1_(CCNE1)``, ``loss_cnaPANCAN402, loss_cnaPANCAN403``) are one Mutation per
recurrent segment (or merged segment group) with id ``"<segments> gain|loss"``
(``"cnaPANCAN1 gain"``, ``"cnaPANCAN402+cnaPANCAN403 loss"``), kind ``amplification`` or
``deletion``, ``gene`` set when exactly one driver gene is listed, and OF_GENE to every listed
gene; segments without genes have no OF_GENE.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from oncokg.contract.tasks import sensitive_calls
from oncokg.loaders import drugs, genes, mutations
from oncokg.loaders.base import (
    LoadContext,
    LoadResult,
    SourceError,
    SourceFile,
    clean,
    key_nodes,
    node_table,
    rel_table,
)
from oncokg.loaders.readers import LINE, read_bytes, read_delimited

#: GDSC v17 ships inside the source distribution of gdsctools 1.0.1 on PyPI (fetched with pip).
_SDIST = "pypi-sdist:gdsctools==1.0.1"
FILES = {
    "ic50": SourceFile("gdsc_v17/IC50_v17.csv.gz", _SDIST, member="gdsctools/data/IC50_v17.csv.gz"),
    "features": SourceFile("gdsc_v17/genomic_features_v17.csv.gz", _SDIST,
                           member="gdsctools/data/genomic_features_v17.csv.gz"),
    "cell_lines": SourceFile("gdsc_v17/cancer_cell_lines.csv", _SDIST,
                             member="gdsctools/data/cancer_cell_lines.csv"),
    "cosmic_info": SourceFile("gdsc_v17/cosmic_info.csv.gz", _SDIST,
                              member="gdsctools/data/cosmic_info.csv.gz"),
}
RELEASE = "v17"
FITTED_FILES = {
    "fitted": SourceFile(
        "gdsc_rel8.5/GDSC2_fitted_dose_response_27Oct23.xlsx",
        "https://cog.sanger.ac.uk/cancerrxgene/GDSC_release8.5/"
        "GDSC2_fitted_dose_response_27Oct23.xlsx"),
}
FITTED_RELEASE = "8.5"

_DRUG_COLUMN = re.compile(r"^Drug_(\d+)_IC50$")
_CNA_COLUMN = re.compile(r"^(?P<body>(?:gain|loss)_cnaPANCAN\d+(?:,\s*(?:gain|loss)_cnaPANCAN\d+)*)"
                         r"(?:_\((?P<genes>[^)]*)\))?$")
_META_FEATURES = ("COSMIC_ID", "TISSUE_FACTOR", "MSI_FACTOR")
#: Feature gene names that are ambiguous aliases today, read as COSMIC/GDSC meant them.
FEATURE_GENE_ALIASES = {"MLL2": "KMT2D", "MLL3": "KMT2C"}


# -- readers -----------------------------------------------------------------------------------

def _cosmic(value: str | None, path: Path, line: int) -> str:
    text = clean(value)
    if text is None or not text.isdigit():
        raise SourceError(f"COSMIC id {value!r} is not a number", path, line)
    return str(int(text))


def read_ic50(path: Path) -> pd.DataFrame:
    """The v17 IC50 matrix in long form: cosmic_id, drug_id, ln_ic50 (blank cells left out)."""
    frame = read_delimited(path, sep=",", required=("COSMIC_ID",))
    drug_columns = {}
    for column in frame.columns:
        if column in ("COSMIC_ID", LINE):
            continue
        match = _DRUG_COLUMN.match(column)
        if not match:
            raise SourceError(f"unexpected column {column!r} (expected Drug_<id>_IC50)", path, 1)
        drug_columns[column] = int(match.group(1))
    cosmic = [_cosmic(v, path, line) for v, line in zip(frame["COSMIC_ID"], frame[LINE],
                                                           strict=True)]
    values = frame[list(drug_columns)]
    try:
        numbers = values.apply(pd.to_numeric, errors="raise")
    except (ValueError, TypeError):
        for column in drug_columns:
            bad = pd.to_numeric(frame[column], errors="coerce").isna() & frame[column].notna()
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                raise SourceError(f"{column}: {frame[column].iloc[row]!r} is not a number",
                                  path, int(frame[LINE].iloc[row])) from None
        raise
    numbers.index = cosmic
    numbers.columns = list(drug_columns.values())
    long = numbers.stack().dropna().rename("ln_ic50").reset_index()
    long.columns = ["cosmic_id", "drug_id", "ln_ic50"]
    return long


def read_features(path: Path) -> pd.DataFrame:
    """Genomic features matrix (strings); values are checked to be 0/1 by the loader."""
    return read_delimited(path, sep=",", required=_META_FEATURES)


def read_cell_lines(path: Path) -> pd.DataFrame:
    """``cancer_cell_lines.csv``: NAME, COSMIC, TISSUE, TISSUE_SUB_TYPE."""
    return read_delimited(path, sep=",", required=("NAME", "COSMIC", "TISSUE", "TISSUE_SUB_TYPE"))


def read_cosmic_info(path: Path) -> pd.DataFrame:
    """``cosmic_info.csv.gz``: SAMPLE_NAME, COSMIC_ID, GDSC1, GDSC2, MMR, …"""
    return read_delimited(path, sep=",", required=("SAMPLE_NAME", "COSMIC_ID", "GDSC1", "GDSC2",
                                                   "MMR"))


# -- response ----------------------------------------------------------------------------------

def resolve_drug_ids(long: pd.DataFrame, resolver: drugs.DrugResolver, ctx: LoadContext,
                     file: str) -> pd.DataFrame:
    """Add the Drug key (``start``) for each GDSC DRUG_ID; unknown ids are reported, dropped."""
    keys = {gid: resolver.by_gdsc_id(gid) for gid in long["drug_id"].unique()}
    for gid, key in sorted(keys.items()):
        if key is None:
            n = int((long["drug_id"] == gid).sum())
            ctx.report.drop("GDSC drug id not in the drug vocabulary", f"{gid} ({n} rows)", file)
    frame = long.assign(start=long["drug_id"].map(keys))
    return frame[frame["start"].notna()]


def response_rows(frame: pd.DataFrame, ctx: LoadContext, file: str) -> pd.DataFrame:
    """RESPONSE rows from (start, cosmic_id, dataset, drug_id, ln_ic50[, auc]) measurements.

    Measurements of one drug under several DRUG_IDs are averaged (reported as merged), and
    ``sensitive`` is computed per drug and dataset.
    """
    value_columns = [c for c in ("ln_ic50", "auc") if c in frame.columns]
    group = ["start", "cosmic_id", "dataset"]
    sizes = frame.groupby(group, sort=False).size()
    duplicated = sizes[sizes > 1]
    if len(duplicated):
        for key, n in duplicated.groupby(level=0).size().sort_index().items():
            ids = sorted(set(frame.loc[frame["start"] == key, "drug_id"]))
            ctx.report.merged(f"one drug screened under several GDSC drug ids {ids}: values "
                              "averaged", f"{key} ({n} cell lines)", file)
    merged = frame.groupby(group, sort=True)[value_columns].mean().reset_index()
    merged["sensitive"] = sensitive_calls(merged["ln_ic50"], [merged["start"], merged["dataset"]])
    return merged.rename(columns={"cosmic_id": "end"})


# -- mutations ---------------------------------------------------------------------------------

def feature_mutation(column: str, normalizer: genes.GeneNormalizer
                     ) -> tuple[mutations.Mutation | None, list[str], str | None]:
    """Mutation for one genomic-feature column → (mutation, genes for OF_GENE, problem)."""
    if column.endswith("_mut"):
        name = column[: -len("_mut")]
        match = normalizer.resolve(FEATURE_GENE_ALIASES.get(name, name))
        if match.ok:
            mutation = mutations.gene_level(match.symbol, "MUTATION")
            return mutation, list(mutation.genes), None
        if "-" in name:
            five_text, three_text = name.split("-", 1)
            five = mutations.FUSION_PARTNER_ALIASES.get(five_text) or normalizer.symbol(five_text)
            three = (None if three_text.upper() == "X" else
                     mutations.FUSION_PARTNER_ALIASES.get(three_text)
                     or normalizer.symbol(three_text))
            if five and three_text.upper() == "X":
                mutation = mutations.gene_level(five, "FUSION")
                return mutation, [five], None
            if five and three:
                mutation = mutations.fusion(five, three)
                return mutation, list(mutation.genes), None
        reason = "ambiguous gene symbol" if match.status == "ambiguous" else "unknown gene symbol"
        return None, [], f"{reason} in mutation feature"
    cna = _CNA_COLUMN.match(column)
    if not cna:
        return None, [], "unrecognized genomic feature column"
    parts = [p.strip() for p in cna.group("body").split(",")]
    kinds = {p.split("_", 1)[0] for p in parts}
    if len(kinds) != 1:
        return None, [], "copy-number feature mixes gain and loss segments"
    direction = kinds.pop()
    segments = "+".join(p.split("_", 1)[1] for p in parts)
    listed = [g.strip() for g in (cna.group("genes") or "").split(",") if g.strip()]
    resolved = [normalizer.symbol(g) for g in listed]
    found = [g for g in resolved if g]
    gene = found[0] if len(listed) == 1 and found else None
    kind = "amplification" if direction == "gain" else "deletion"
    problem = None
    if len(found) < len(listed):
        missing = [g for g, r in zip(listed, resolved, strict=True) if not r]
        problem = f"unresolved driver gene(s) {missing}"
    return mutations.Mutation(f"{segments} {direction}", gene, kind), found, problem


# -- loaders -----------------------------------------------------------------------------------

def load(ctx: LoadContext) -> LoadResult:
    """CellLine, Drug, Mutation and Gene nodes; RESPONSE, HAS_MUTATION, OF_GENE (v17)."""
    resolver = ctx.drugs
    normalizer = genes.normalizer(ctx.fetcher)
    report = ctx.report

    ic50_path = ctx.path("ic50")
    long = read_ic50(ic50_path)
    report.read(FILES["ic50"].path, long["cosmic_id"].nunique())
    long["dataset"] = f"GDSC1 {ctx.source.release}"
    response = response_rows(resolve_drug_ids(long, resolver, ctx, FILES["ic50"].path), ctx,
                             FILES["ic50"].path)

    features = read_features(ctx.path("features"))
    report.read(FILES["features"].path, len(features))
    cell_lines = read_cell_lines(ctx.path("cell_lines"))
    report.read(FILES["cell_lines"].path, len(cell_lines))
    cosmic_info = read_cosmic_info(ctx.path("cosmic_info"))
    report.read(FILES["cosmic_info"].path, len(cosmic_info))

    lines = _cell_line_table(ctx, cosmic_info, cell_lines, features, set(long["cosmic_id"]))
    has_mutation, of_gene, mutation_rows = _features(ctx, features, normalizer)

    nodes = [
        node_table("CellLine", lines, ctx.provenance),
        node_table("Drug", resolver.rows(response["start"]), ctx.provenance),
        node_table("Mutation", mutation_rows, ctx.provenance),
        key_nodes("Gene", of_gene["end"], ctx.provenance),
    ]
    rels = [
        rel_table("RESPONSE", response[["start", "end", "ln_ic50", "sensitive", "dataset"]],
                  ctx.provenance, sort=("dataset",)),
        rel_table("HAS_MUTATION", has_mutation, ctx.provenance),
        rel_table("OF_GENE", of_gene, ctx.provenance),
    ]
    return ctx.result(nodes, rels)


def _cell_line_table(ctx: LoadContext, cosmic_info: pd.DataFrame, cell_lines: pd.DataFrame,
                     features: pd.DataFrame, screened: set[str]) -> pd.DataFrame:
    rows: dict[str, dict] = defaultdict(dict)
    info_path, lines_path = ctx.path("cosmic_info"), ctx.path("cell_lines")
    for row in cell_lines.itertuples(index=False):
        cid = _cosmic(row.COSMIC, lines_path, row.src_line)
        rows[cid].update({"name": clean(row.NAME), "tissue": clean(row.TISSUE),
                          "tissue_sub_type": clean(row.TISSUE_SUB_TYPE)})
    features_path = ctx.path("features")
    for cosmic, msi, line in zip(features["COSMIC_ID"], features["MSI_FACTOR"], features[LINE],
                                 strict=True):
        cid = _cosmic(cosmic, features_path, line)
        if clean(msi) not in ("0", "1"):
            raise SourceError(f"MSI_FACTOR {msi!r} is not 0 or 1", features_path, line)
        rows[cid].setdefault("msi", "MSI-H" if msi.strip() == "1" else "MSS/MSI-L")
    for row in cosmic_info.itertuples(index=False):
        cid = _cosmic(row.COSMIC_ID, info_path, row.src_line)
        info = {"name": clean(row.SAMPLE_NAME), "tissue": clean(row.GDSC1),
                "tissue_sub_type": clean(row.GDSC2), "msi": clean(row.MMR)}
        rows[cid].update({k: v for k, v in info.items() if v is not None})
    for cid in screened:
        rows.setdefault(cid, {})
    return pd.DataFrame([{"cosmic_id": cid, **props} for cid, props in rows.items()],
                        columns=["cosmic_id", "name", "tissue", "tissue_sub_type", "msi"])


def _features(ctx: LoadContext, features: pd.DataFrame, normalizer: genes.GeneNormalizer
              ) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    path = ctx.path("features")
    file = FILES["features"].path
    cosmic = [_cosmic(v, path, line) for v, line in zip(features["COSMIC_ID"], features[LINE],
                                                           strict=True)]
    has_mutation, of_gene, nodes = [], set(), {}
    for column in features.columns:
        if column in (*_META_FEATURES, LINE):
            continue
        values = features[column]
        bad = ~values.isin(["0", "1"])
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise SourceError(f"feature {column!r}: {values.iloc[row]!r} is not 0 or 1", path,
                              int(features[LINE].iloc[row]))
        mutation, gene_list, problem = feature_mutation(column, normalizer)
        if problem:
            if mutation is None:
                ctx.report.drop(problem, column, file, 1)
                continue
            ctx.report.note(problem, column, file, 1)
        nodes[mutation.id] = mutation.row()
        of_gene.update((mutation.id, g) for g in gene_list)
        carriers = [c for c, v in zip(cosmic, values, strict=True) if v == "1"]
        has_mutation.extend((c, mutation.id) for c in carriers)
    has = pd.DataFrame(sorted(set(has_mutation)), columns=["start", "end"])
    genes_frame = pd.DataFrame(sorted(of_gene), columns=["start", "end"])
    return has, genes_frame, list(nodes.values())


def _read_fitted(path: Path) -> pd.DataFrame:
    required = ("COSMIC_ID", "DRUG_ID", "DRUG_NAME", "LN_IC50", "AUC")
    head = read_bytes(path)[:4]
    if head.startswith(b"PK"):
        try:
            import openpyxl  # noqa: F401
        except ImportError as exc:
            raise SourceError("an .xlsx fitted-dose-response file needs openpyxl "
                              "(pip install openpyxl), or pass a CSV export", path) from exc
        try:
            frame = pd.read_excel(path, dtype=str)
        except Exception as exc:
            raise SourceError(f"cannot read Excel workbook ({exc})", path) from exc
        missing = [c for c in required if c not in frame.columns]
        if missing:
            raise SourceError(f"missing column(s) {missing}", path, 1)
        frame = frame.astype(object).where(frame.notna(), None)
        frame[LINE] = range(2, len(frame) + 2)
        return frame
    sep = "\t" if path.name.endswith((".tsv", ".tsv.gz")) else ","
    return read_delimited(path, sep=sep, required=required)


def load_fitted(ctx: LoadContext) -> LoadResult:
    """RESPONSE from a release-8 fitted dose response table (with AUC); key-only CellLines."""
    resolver = ctx.drugs
    path = ctx.path("fitted")
    file = ctx.source.files["fitted"].path
    frame = _read_fitted(path)
    ctx.report.read(file, len(frame))
    rows = []
    for row in frame.to_dict("records"):
        line = row[LINE]
        cosmic = _cosmic(row["COSMIC_ID"], path, line)
        drug_id = clean(row["DRUG_ID"])
        if drug_id is None or not drug_id.isdigit():
            raise SourceError(f"DRUG_ID {row['DRUG_ID']!r} is not a number", path, line)
        values = {}
        for column in ("LN_IC50", "AUC"):
            text = clean(row[column])
            try:
                values[column] = float(text) if text is not None else None
            except ValueError:
                raise SourceError(f"{column} {text!r} is not a number", path, line) from None
        if values["LN_IC50"] is None:
            ctx.report.drop("no LN_IC50", f"{drug_id}/{cosmic}", file, line)
            continue
        gid = int(drug_id)
        key = resolver.by_gdsc_id(gid)
        if key is None:
            match = resolver.resolve_name(clean(row["DRUG_NAME"]))
            if not match.ok:
                drugs.report_unresolved(ctx.report, match, f"{gid} {row['DRUG_NAME']}", file,
                                        line)
                continue
            key = match.key
            ctx.report.note("DRUG_ID not in the vocabulary; drug resolved by DRUG_NAME",
                            f"{gid} {row['DRUG_NAME']}", file, line)
        dataset = clean(row.get("DATASET")) or "GDSC"
        rows.append({"start": key, "cosmic_id": cosmic, "drug_id": gid,
                     "ln_ic50": values["LN_IC50"], "auc": values["AUC"],
                     "dataset": f"{dataset} {ctx.source.release}"})
    long = pd.DataFrame(rows, columns=["start", "cosmic_id", "drug_id", "ln_ic50", "auc",
                                       "dataset"])
    response = response_rows(long, ctx, file)
    nodes = [node_table("Drug", resolver.rows(response["start"]), ctx.provenance),
             key_nodes("CellLine", response["end"], ctx.provenance)]
    rels = [rel_table("RESPONSE", response[["start", "end", "ln_ic50", "auc", "sensitive",
                                            "dataset"]], ctx.provenance, sort=("dataset",))]
    return ctx.result(nodes, rels)

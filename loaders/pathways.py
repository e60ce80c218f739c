"""Pathways: Reactome and MSigDB Hallmark gene sets (Pathway nodes, IN_PATHWAY Gene→Pathway).

Both are GMT files (name, description/id, genes…). Reactome (``reactome/ReactomePathways.gmt``):
the pathway id is the stable ``R-HSA-…`` id in the second field; the name is the first field,
with hyphens turned back into spaces when the name has no space at all (the reference copy
replaced every space by a hyphen; the official file keeps spaces and is left as is, so real
hyphens survive there). MSigDB Hallmarks (``msigdb/h.all.v7.0.symbols.gmt``): id and name are
the set name (``HALLMARK_HYPOXIA``). Gene symbols go through the gene normalizer; members that
do not resolve (viral genes such as ``gag``, clone names such as ``AC027237.1``) are reported
once per symbol with the number of memberships dropped.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd

from oncokg.loaders import genes
from oncokg.loaders.base import (
    LoadContext,
    LoadResult,
    SourceError,
    SourceFile,
    key_nodes,
    node_table,
    rel_table,
)
from oncokg.loaders.readers import read_gmt

REACTOME_FILES = {
    "gmt": SourceFile("reactome/ReactomePathways.gmt",
                      "https://reactome.org/download/current/ReactomePathways.gmt.zip",
                      member="ReactomePathways.gmt"),
}
REACTOME_RELEASE = "2021"
MSIGDB_FILES = {
    "gmt": SourceFile("msigdb/h.all.v7.0.symbols.gmt",
                      "https://data.broadinstitute.org/gsea-msigdb/msigdb/release/7.0/"
                      "h.all.v7.0.symbols.gmt"),
}
MSIGDB_RELEASE = "7.0"
_REACTOME_ID = re.compile(r"^R-[A-Z]{3}-\d+$")


def _load(ctx: LoadContext, collection: str, reactome: bool) -> LoadResult:
    normalizer = genes.normalizer(ctx.fetcher)
    path = ctx.path("gmt")
    file = ctx.source.files["gmt"].path
    sets = read_gmt(path)
    ctx.report.read(file, len(sets))
    pathways: dict[str, dict] = {}
    members: set[tuple[str, str]] = set()
    unresolved: dict[tuple[str, str], int] = defaultdict(int)
    for line, name, description, symbols in sets:
        if reactome:
            if not _REACTOME_ID.match(description):
                raise SourceError(f"second field {description!r} is not a Reactome stable id",
                                  path, line)
            pid, label = description, name if " " in name else name.replace("-", " ")
        else:
            pid, label = name, name
        if pid in pathways:
            ctx.report.merged("gene set listed twice; members united", pid, file, line)
        pathways[pid] = {"id": pid, "name": label, "collection": collection}
        for symbol in symbols:
            match = normalizer.resolve(symbol)
            if match.ok:
                members.add((match.symbol, pid))
            else:
                unresolved[(symbol, match.status)] += 1
    for (symbol, status), n in sorted(unresolved.items()):
        reason = "ambiguous gene symbol" if status == "ambiguous" else "unknown gene symbol"
        ctx.report.drop(reason, f"{symbol} (in {n} gene sets)", file)
    rels = pd.DataFrame(sorted(members), columns=["start", "end"])
    nodes = [node_table("Pathway", pd.DataFrame(list(pathways.values())), ctx.provenance),
             key_nodes("Gene", rels["start"], ctx.provenance)]
    return ctx.result(nodes, [rel_table("IN_PATHWAY", rels, ctx.provenance)])


def load_reactome(ctx: LoadContext) -> LoadResult:
    """Reactome pathways keyed by R-HSA stable id."""
    return _load(ctx, "Reactome", reactome=True)


def load_msigdb(ctx: LoadContext) -> LoadResult:
    """MSigDB Hallmark gene sets keyed by set name."""
    return _load(ctx, "MSigDB Hallmark", reactome=False)

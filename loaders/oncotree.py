"""OncoTree tumor types (TumorType, SUBTYPE_OF) and DepMap models (MODEL_OF).

``oncotree/oncotree_2025_10_03.json`` is the nested OncoTree release (root ``TISSUE``). Every
node below the root becomes a TumorType keyed by its code, with ``name``, ``tissue``,
``main_type``, ``parent`` (the parent's code; none for the 32 tissue-level nodes) and
``level``; SUBTYPE_OF links child → parent. This module alone sets TumorType properties.

Old codes are resolved through the tree's own history (``OncoTreeIndex.resolve``): a code in
a node's ``history`` is that node (renamed: ``GBM``… ``MM`` → ``PCM``); a code in
``revocations`` or ``precursors`` maps to the node that lists it when exactly one node does
(``AASTR`` → ``ASTR``, ``DIPG`` → ``DMG``), and is ambiguous otherwise (``ALL`` → BLL or TLL).
Codes match case-insensitively.

``depmap/Model.csv`` (DepMap model annotations) gives MODEL_OF CellLine → TumorType: the row's
COSMICID (the CellLine key) and its ``OncotreeCode`` resolved as above. Rows without a COSMIC
id or an OncoTree code, and codes not in the tree, are reported. Cell lines and tumor types
are emitted as key-only rows (their properties come from ``gdsc`` and ``oncotree``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

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
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.readers import LINE, read_delimited, read_json

FILES = {
    "tree": SourceFile("oncotree/oncotree_2025_10_03.json",
                       "https://oncotree.mskcc.org/api/tumorTypes/tree?version=oncotree_2025_10_03"),
}
RELEASE = "2025-10-03"
DEPMAP_FILES = {
    "models": SourceFile("depmap/Model.csv",
                         "https://github.com/ssahajs/WestoverKRAS/raw/3b6a1dc306/Model.csv"),
}
DEPMAP_RELEASE = "2024"  # a 2024 Model.csv (columns of DepMap 24Qx)
ROOT = "TISSUE"


@dataclass(frozen=True)
class TumorTypeNode:
    """One OncoTree node."""

    code: str
    name: str | None
    tissue: str | None
    main_type: str | None
    parent: str | None
    level: int | None


class OncoTreeIndex:
    """OncoTree codes, their hierarchy, and resolution of old codes to current ones."""

    def __init__(self, tree: object, path: Path | str) -> None:
        if not isinstance(tree, dict) or ROOT not in tree or not isinstance(tree[ROOT], dict):
            raise SourceError(f"not an OncoTree tree: expected a top-level {ROOT!r} object", path)
        self.nodes: dict[str, TumorTypeNode] = {}
        old: dict[str, dict[str, set[str]]] = {
            k: defaultdict(set) for k in ("history", "revocations", "precursors")}
        stack = [(tree[ROOT], None)]
        while stack:
            node, parent = stack.pop()
            code = node.get("code") if isinstance(node, dict) else None
            if not code or not isinstance(node.get("children", {}), dict):
                raise SourceError(f"malformed OncoTree node under {parent!r}", path)
            if code != ROOT:
                if code in self.nodes:
                    raise SourceError(f"duplicate OncoTree code {code!r}", path)
                level = node.get("level")
                self.nodes[code] = TumorTypeNode(
                    code, node.get("name"), node.get("tissue"), node.get("mainType"),
                    parent if parent != ROOT else None,
                    int(level) if isinstance(level, int | float) else None)
                for kind, table in old.items():
                    for previous in node.get(kind) or ():
                        table[str(previous).upper()].add(code)
            for child in node.get("children", {}).values():
                stack.append((child, code))
        self._upper = {code.upper(): code for code in self.nodes}
        self._old = old

    def resolve(self, code: str | None) -> tuple[str | None, str]:
        """Current code for ``code`` → (code, status): current/history/revoked/ambiguous/unknown."""
        if not code or not code.strip():
            return None, "unknown"
        upper = code.strip().upper()
        if upper in self._upper:
            return self._upper[upper], "current"
        for kind in ("history", "revocations", "precursors"):
            found = self._old[kind].get(upper)
            if found:
                if len(found) == 1:
                    return next(iter(found)), kind
                return None, "ambiguous"
        return None, "unknown"

    def table(self) -> pd.DataFrame:
        """TumorType rows: code, name, tissue, main_type, parent, level."""
        return pd.DataFrame([vars(n) for n in self.nodes.values()],
                            columns=["code", "name", "tissue", "main_type", "parent", "level"])


_INDEXES: dict[tuple, OncoTreeIndex] = {}


def index(fetcher: Fetcher) -> OncoTreeIndex:
    """The process-wide OncoTree index for the fetcher's tree file (built once per file)."""
    path = fetcher.path(FILES["tree"])
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _INDEXES:
        _INDEXES[key] = OncoTreeIndex(read_json(path), path)
    return _INDEXES[key]


def report_code(ctx: LoadContext, code: str, status: str, identifier: str, file: str,
                line: int | None = None) -> None:
    """Report an OncoTree code that did not resolve to exactly one current code."""
    if status == "ambiguous":
        ctx.report.ambiguous(f"old OncoTree code maps to several current codes ({code})",
                             identifier, file, line)
    else:
        ctx.report.drop(f"OncoTree code not found ({code})", identifier, file, line)


def load(ctx: LoadContext) -> LoadResult:
    """TumorType nodes and SUBTYPE_OF child → parent."""
    tree = index(ctx.fetcher)
    ctx.report.read(FILES["tree"].path, len(tree.nodes))
    types = tree.table()
    edges = types.loc[types["parent"].notna(), ["code", "parent"]]
    edges = edges.rename(columns={"code": "start", "parent": "end"})
    return ctx.result([node_table("TumorType", types, ctx.provenance)],
                      [rel_table("SUBTYPE_OF", edges, ctx.provenance)])


def load_depmap(ctx: LoadContext) -> LoadResult:
    """MODEL_OF CellLine → TumorType from DepMap's Model.csv (via COSMICID)."""
    tree = index(ctx.fetcher)
    file = DEPMAP_FILES["models"].path
    frame = read_delimited(ctx.path("models"), sep=",",
                           required=("ModelID", "CellLineName", "OncotreeCode", "COSMICID"))
    ctx.report.read(file, len(frame))
    edges: dict[str, set[str]] = defaultdict(set)
    for row in frame.itertuples(index=False):
        line = getattr(row, LINE)
        ident = f"{row.ModelID} {row.CellLineName}"
        cosmic = clean(row.COSMICID)
        if cosmic is None:
            ctx.report.drop("model without a COSMIC id", ident, file, line)
            continue
        if cosmic.endswith(".0"):
            cosmic = cosmic[:-2]
        if not cosmic.isdigit():
            raise SourceError(f"COSMICID {row.COSMICID!r} is not a number", ctx.path("models"),
                              line)
        cosmic = str(int(cosmic))
        raw = clean(row.OncotreeCode)
        if raw is None:
            ctx.report.drop("model without an OncoTree code", ident, file, line)
            continue
        code, status = tree.resolve(raw)
        if code is None:
            report_code(ctx, raw, status, ident, file, line)
            continue
        if status != "current":
            ctx.report.note(f"old OncoTree code {raw} → {code} ({status})", ident, file, line)
        edges[cosmic].add(code)
    pairs = []
    for cosmic, codes in sorted(edges.items()):
        if len(codes) > 1:
            ctx.report.ambiguous("COSMIC id with models of different OncoTree codes",
                                 f"COSMIC {cosmic}: {' / '.join(sorted(codes))}", file)
            continue
        pairs.append((cosmic, next(iter(codes))))
    rels = pd.DataFrame(pairs, columns=["start", "end"])
    nodes = [key_nodes("CellLine", rels["start"], ctx.provenance),
             key_nodes("TumorType", rels["end"], ctx.provenance)]
    return ctx.result(nodes, [rel_table("MODEL_OF", rels, ctx.provenance)])

"""Evidence paths that explain a predicted link, each with a Cypher query that returns it.

A predicted drug→tumor type, drug→cell line or drug→gene link is explained by short paths in
the graph: a target mutated in the cell line, a sensitive cell line of the tumor type, a
hotspot in a target, a drug with shared targets that hits the gene. Each kind is a fixed path
pattern declared here; a search binds its two ends and returns the strongest paths, and every
path found comes back with a Cypher query (and its parameters) that matches exactly that path,
so a researcher can rerun it in the Browser or with ``oncokg cypher``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from oncokg.contract.schema import SCHEMA
from oncokg.queries.runner import Runner


@dataclass(frozen=True)
class PathKind:
    """A path pattern from a Drug (node 0) to the explained node (the last node).

    ``steps`` alternate node labels and relationship patterns, e.g.
    ``("Drug", "-[:TARGETS]->", "Gene", "<-[:OF_GENE]-", "Mutation")``. ``order`` is a Cypher
    expression over the nodes ``n0…`` and relationships ``r0…`` whose larger values rank
    first; ``where`` filters paths.
    """

    name: str
    steps: tuple[str, ...]
    order: str = "0"
    where: str = "true"

    @property
    def labels(self) -> list[str]:
        return list(self.steps[0::2])

    def pattern(self, bound: bool) -> str:
        """The MATCH pattern; with ``bound`` every node is pinned to ``$n<i>`` by its key."""
        parts = []
        for i, step in enumerate(self.steps):
            if i % 2 == 0:
                index = i // 2
                key = SCHEMA.node(step).key
                pin = f" {{{key}: $n{index}}}" if bound or index == 0 else ""
                parts.append(f"(n{index}:{step}{pin})")
            else:
                parts.append(step.replace("[:", f"[r{i // 2}:"))
        return "".join(parts)

    def keys(self) -> list[str]:
        return [f"n{i}.{SCHEMA.node(label).key}" for i, label in enumerate(self.labels)]


#: Explanations per kind of predicted link, by the label of the explained node.
KINDS: dict[str, tuple[PathKind, ...]] = {
    "TumorType": (
        PathKind("sensitive cell line",
                 ("Drug", "-[:RESPONSE]->", "CellLine", "-[:MODEL_OF]->", "TumorType"),
                 order="-r0.ln_ic50", where="r0.sensitive"),
        PathKind("target mutated in cell line",
                 ("Drug", "-[:TARGETS]->", "Gene", "<-[:OF_GENE]-", "Mutation",
                  "<-[:HAS_MUTATION]-", "CellLine", "-[:MODEL_OF]->", "TumorType")),
        PathKind("target hotspot",
                 ("Drug", "-[:TARGETS]->", "Gene", "<-[:OF_GENE]-", "Mutation",
                  "-[:HOTSPOT_IN]->", "TumorType"), order="r2.count"),
        PathKind("biomarker hotspot",
                 ("Drug", "<-[:BIOMARKER_OF_RESPONSE]-", "Mutation", "-[:HOTSPOT_IN]->",
                  "TumorType"), order="r1.count", where="r0.direction = 'sensitivity'"),
    ),
    "CellLine": (
        PathKind("target mutated in cell line",
                 ("Drug", "-[:TARGETS]->", "Gene", "<-[:OF_GENE]-", "Mutation",
                  "<-[:HAS_MUTATION]-", "CellLine")),
        PathKind("biomarker gene mutated in cell line",
                 ("Drug", "<-[:BIOMARKER_OF_RESPONSE]-", "Mutation", "-[:OF_GENE]->", "Gene",
                  "<-[:OF_GENE]-", "Mutation", "<-[:HAS_MUTATION]-", "CellLine"),
                 where="r0.direction = 'sensitivity'"),
        PathKind("shared-target drug sensitive",
                 ("Drug", "-[:TARGETS]->", "Gene", "<-[:TARGETS]-", "Drug", "-[:RESPONSE]->",
                  "CellLine"), order="-r2.ln_ic50", where="r2.sensitive AND n2 <> n0"),
    ),
    "Gene": (
        PathKind("shared-target drug",
                 ("Drug", "-[:TARGETS]->", "Gene", "<-[:TARGETS]-", "Drug", "-[:TARGETS]->",
                  "Gene"), where="n2 <> n0 AND n3 <> n1"),
        PathKind("target in same pathway",
                 ("Drug", "-[:TARGETS]->", "Gene", "-[:IN_PATHWAY]->", "Pathway",
                  "<-[:IN_PATHWAY]-", "Gene"), where="n3 <> n1"),
    ),
}


def explain(runner: Runner, drug: str, label: str, keys: list[str], per_kind: int = 2,
            ) -> pd.DataFrame:
    """The strongest evidence paths from ``drug`` (a Drug key) to any of ``keys`` (``label``).

    Returns one row per path: ``kind``, ``path`` (written out), ``cypher`` and ``params``
    (a query that matches exactly this path), and ``end`` (the explained node's key).
    """
    rows = []
    for kind in KINDS[label]:
        last = len(kind.labels) - 1
        end_key = SCHEMA.node(label).key
        search = (
            f"MATCH {kind.pattern(bound=False)} "
            f"WHERE n{last}.{end_key} IN $ends AND {kind.where} "
            f"RETURN [{', '.join(kind.keys())}] AS keys, "
            f"[{', '.join(_names(kind))}] AS names "
            f"ORDER BY {kind.order} DESC, keys LIMIT $per_kind"
        )
        found = runner.cypher(search, n0=drug, ends=list(keys), per_kind=per_kind,
                              limit=per_kind, timeout=30)
        path_query = f"MATCH p = {kind.pattern(bound=True)} RETURN p"
        for path_keys, names in zip(found.get("keys", []), found.get("names", []),
                                    strict=True):
            rows.append({
                "kind": kind.name,
                "end": path_keys[-1],
                "path": _written(kind, names),
                "cypher": path_query,
                "params": {f"n{i}": k for i, k in enumerate(path_keys)},
            })
    return pd.DataFrame(rows, columns=["kind", "end", "path", "cypher", "params"])


def _names(kind: PathKind) -> list[str]:
    out = []
    for i, label in enumerate(kind.labels):
        key = SCHEMA.node(label).key
        display = "name" if "name" in SCHEMA.node(label).properties else key
        out.append(f"coalesce(n{i}.{display}, n{i}.{key})")
    return out


def _written(kind: PathKind, names: list[str]) -> str:
    parts = []
    for i, step in enumerate(kind.steps):
        parts.append(str(names[i // 2]) if i % 2 == 0 else
                     step.replace("[:", "").replace("]", "").strip())
    return " ".join(parts)

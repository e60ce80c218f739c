"""Small synthetic oncology graphs with planted signal, for tests, tutorials and smoke runs.

The graph has the shape of the real one (every label and relationship type of the schema) and
signal that a working model can find:

* drugs come in structural families (a shared scaffold with varied substituents); each family
  targets its own small set of genes, so fingerprints predict targets;
* a cell line is sensitive to a drug when it carries a mutation in one of the drug's target
  genes, and tumor types shift responses, so mutations and tumor types predict response;
* a few drugs have no structure and one has an invalid SMILES, as in real data.

Nothing here is real biology; the numbers are made up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncokg.contract.export import GraphExport
from oncokg.contract.tables import NodeTable, RelTable
from oncokg.contract.tasks import sensitive_calls

#: Scaffolds with one attachment point ``{R}``; each is a drug family.
SCAFFOLDS: tuple[str, ...] = (
    "c1ccc2ncnc(N{R})c2c1",                 # quinazoline
    "O=C(N{R})c1ccc(cc1)S(=O)(=O)N",       # sulfonamide benzamide
    "c1cnc2[nH]ccc2c1C{R}",                 # azaindole
    "C1CCN(CC1)c1ncc(cn1){R}",              # piperidinyl pyrimidine
    "O=C1NC(=O)C(C1)c1ccc({R})cc1",         # glutarimide
    "c1ccc(cc1)-c1nc2ccccc2o1.{R}",         # benzoxazole (salt-like)
)
SUBSTITUENTS: tuple[str, ...] = ("C", "CC", "CCC", "C(C)C", "CO", "CCl", "CF", "CCN")


def make_synthetic_export(
    seed: int = 0,
    n_families: int = 4,
    drugs_per_family: int = 6,
    n_genes: int = 40,
    n_cell_lines: int = 60,
    n_pathways: int = 8,
    n_mutated_genes: int | None = None,
    screened_fraction: float = 0.85,
    noise: float = 0.5,
    release: str = "synthetic-1",
) -> GraphExport:
    """Build a synthetic ``GraphExport`` with planted drug-target and drug-response signal."""
    if n_families > len(SCAFFOLDS):
        raise ValueError(f"at most {len(SCAFFOLDS)} drug families are available")
    rng = np.random.default_rng(seed)
    genes = [f"GENE{i}" for i in range(n_genes)]
    pathways = [f"R-HSA-{1000 + i}" for i in range(n_pathways)]
    n_mutated = n_mutated_genes or max(3 * n_families + 4, n_genes // 2)
    mutated_genes = genes[: min(n_genes, n_mutated)]
    mutations = [f"{g} p.X{i}Y" for i, g in enumerate(mutated_genes)]
    tumor_parents = ["LUNG", "BOWEL"]
    tumor_leaves = ["LUAD", "LUSC", "COAD", "READ", "SCLC", "MACR"]
    leaf_parent = {"LUAD": "LUNG", "LUSC": "LUNG", "SCLC": "LUNG",
                   "COAD": "BOWEL", "READ": "BOWEL", "MACR": "BOWEL"}
    tumors = tumor_parents + tumor_leaves
    tumor_shift = {t: rng.normal(0, 0.6) for t in tumor_leaves}

    # Drugs: families share a scaffold and a target set.
    drug_rows, targets = [], []
    family_targets = [
        genes[3 * f: 3 * f + 3] for f in range(n_families)
    ]
    for f in range(n_families):
        for j in range(drugs_per_family):
            key = f"DRUG{f}_{j}"
            smiles = SCAFFOLDS[f].format(R=SUBSTITUENTS[j % len(SUBSTITUENTS)])
            drug_rows.append({"id": key, "name": f"Synthinib-{f}{j}", "smiles": smiles,
                              "synonyms": [f"SYN-{f}{j}"]})
            chosen = rng.choice(3, size=rng.integers(1, 3), replace=False)
            targets += [(key, family_targets[f][c]) for c in chosen]
    # Structure-less and broken drugs, like biologics and bad upstream records.
    drug_rows.append({"id": "BIOLOGIC1", "name": "Synthimab", "smiles": None, "synonyms": []})
    drug_rows.append({"id": "BROKEN1", "name": "Brokenib", "smiles": "C1CC(", "synonyms": []})
    targets += [("BIOLOGIC1", genes[0]), ("BROKEN1", genes[3])]
    drugs = pd.DataFrame(drug_rows)

    # Cell lines: tumor type and a sparse mutation profile.
    cell_rows, has_mut, model_of = [], [], []
    cell_mut: dict[str, set[str]] = {}
    for i in range(n_cell_lines):
        key = str(900000 + i)
        tumor = tumor_leaves[i % len(tumor_leaves)]
        cell_rows.append({"cosmic_id": key, "name": f"CL-{i}", "tissue": leaf_parent[tumor].lower(),
                          "msi": "MSI" if rng.random() < 0.15 else "MSS"})
        model_of.append((key, tumor))
        carried = {mutated_genes[j] for j in np.flatnonzero(rng.random(len(mutated_genes))
                                                               < 0.18)}
        cell_mut[key] = carried
        has_mut += [(key, mutations[mutated_genes.index(g)]) for g in carried]
    cells = pd.DataFrame(cell_rows)

    # Responses: drug potency + target-mutation sensitivity + tumor shift + noise.
    target_map: dict[str, set[str]] = {}
    for d, g in targets:
        target_map.setdefault(d, set()).add(g)
    potency = {d: rng.normal(2.0, 1.0) for d in drugs["id"]}
    responses = []
    for d in drugs["id"]:
        for c, tumor in model_of:
            if rng.random() > screened_fraction:
                continue
            hit = len(target_map.get(d, set()) & cell_mut[c])
            value = potency[d] - 2.0 * min(hit, 1) + tumor_shift[tumor] + rng.normal(0, noise)
            responses.append({"start": d, "end": c, "ln_ic50": value,
                              "auc": 1 / (1 + np.exp(-value)), "dataset": "SYNTH"})
    response = pd.DataFrame(responses)
    response["sensitive"] = sensitive_calls(response["ln_ic50"], response["start"])

    gene_nodes = pd.DataFrame({"symbol": genes, "name": [f"synthetic gene {g}" for g in genes]})
    in_pathway = [(g, pathways[(i // max(1, n_genes // n_pathways)) % n_pathways])
                  for i, g in enumerate(genes)]
    in_pathway += [(g, pathways[rng.integers(n_pathways)]) for g in genes[::3]]
    biomarkers = [(mutations[mutated_genes.index(target)], d) for d, gs in target_map.items()
                  for target in sorted(gs) if target in mutated_genes and rng.random() < 0.3]
    hotspots = [(m, tumor_leaves[rng.integers(len(tumor_leaves))]) for m in mutations[::2]]

    def rel(kind: str, pairs, **props) -> RelTable:
        frame = pd.DataFrame(pairs, columns=["start", "end"]).drop_duplicates()
        for name, value in props.items():
            frame[name] = value
        return RelTable(kind, frame)

    node_tables = [
        NodeTable("Drug", drugs),
        NodeTable("Gene", gene_nodes),
        NodeTable("Pathway", pd.DataFrame({"id": pathways, "name": [f"pathway {p}" for p in
                                                                   pathways]})),
        NodeTable("Mutation", pd.DataFrame({"id": mutations, "gene": mutated_genes})),
        NodeTable("TumorType", pd.DataFrame({"code": tumors, "name": [f"{t} tumor" for t in
                                                                     tumors]})),
        NodeTable("CellLine", cells),
    ]
    rel_tables = [
        rel("TARGETS", targets, sources=None),
        rel("IN_PATHWAY", in_pathway),
        rel("OF_GENE", list(zip(mutations, mutated_genes, strict=True))),
        rel("HAS_MUTATION", has_mut),
        rel("MODEL_OF", model_of),
        rel("SUBTYPE_OF", list(leaf_parent.items())),
        RelTable("RESPONSE", response),
        rel("BIOMARKER_OF_RESPONSE", biomarkers, direction="sensitivity"),
        rel("HOTSPOT_IN", hotspots),
    ]
    return GraphExport.from_tables(node_tables, rel_tables, release=release)

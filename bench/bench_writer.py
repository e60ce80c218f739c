"""Writer benchmark: the batched UNWIND/MERGE writer against a naive one-statement-per-row writer.

Same synthetic data, same server, same run: 100k nodes (Gene + Pathway) and 300k IN_PATHWAY
relationships. The naive writer MERGEs one row per auto-commit statement; it is timed on the
first ``--naive-rows`` rows of each table (its rate is steady, and the full 400k would take many
minutes), and its rows/s sit beside the batched writer's. Empties the target graph first.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from oncokg.contract.tables import NodeTable, RelTable
from oncokg.kg.connection import open_driver
from oncokg.kg.writer import GraphWriter, apply_schema, clear_graph


def make_tables(n_genes: int, n_pathways: int, n_rels: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    genes = pd.DataFrame({"symbol": [f"BG{i}" for i in range(n_genes)],
                          "entrez_id": [str(i) for i in range(n_genes)],
                          "sources": [["bench:1"]] * n_genes})
    pathways = pd.DataFrame({"id": [f"BP{i}" for i in range(n_pathways)],
                             "name": [f"pathway {i}" for i in range(n_pathways)],
                             "sources": [["bench:1"]] * n_pathways})
    pairs = set()
    while len(pairs) < n_rels:
        g = rng.integers(0, n_genes, n_rels)
        p = rng.integers(0, n_pathways, n_rels)
        pairs.update(zip(g.tolist(), p.tolist(), strict=True))
    pairs = sorted(pairs)[:n_rels]
    rels = pd.DataFrame({"start": [f"BG{g}" for g, _ in pairs],
                         "end": [f"BP{p}" for _, p in pairs],
                         "sources": [["bench:1"]] * n_rels})
    return NodeTable("Gene", genes), NodeTable("Pathway", pathways), RelTable("IN_PATHWAY", rels)


def naive_write(driver, genes, pathways, rels, limit: int) -> tuple[float, float]:
    """One auto-commit MERGE per row; returns (node rows/s, relationship rows/s)."""
    with driver.session() as session:
        node_rows = [("Gene", "symbol", r) for r in genes.rows["symbol"][: limit // 2]]
        node_rows += [("Pathway", "id", r) for r in pathways.rows["id"][: limit // 2]]
        started = time.perf_counter()
        for label, key, value in node_rows:
            session.run(f"MERGE (n:{label} {{{key}: $v}}) SET n.sources = ['bench:1']",
                        v=value).consume()
        node_rate = len(node_rows) / (time.perf_counter() - started)
        subset = rels.rows.head(limit)
        started = time.perf_counter()
        for start, end in zip(subset["start"], subset["end"], strict=True):
            session.run("MATCH (a:Gene {symbol: $s}) MATCH (b:Pathway {id: $e}) "
                        "MERGE (a)-[r:IN_PATHWAY]->(b) SET r.sources = ['bench:1']",
                        s=start, e=end).consume()
        rel_rate = len(subset) / (time.perf_counter() - started)
    return node_rate, rel_rate


def run(n_nodes: int = 100_000, n_rels: int = 300_000, naive_rows: int = 5_000) -> dict:
    genes, pathways, rels = make_tables(n_nodes // 2, n_nodes // 2, n_rels)
    driver = open_driver()
    try:
        clear_graph(driver)
        apply_schema(driver)
        started = time.perf_counter()
        GraphWriter(driver, progress=False).write([genes, pathways])
        node_rate = n_nodes / (time.perf_counter() - started)
        started = time.perf_counter()
        summary = GraphWriter(driver, progress=False).write_rels(rels)
        rel_rate = n_rels / (time.perf_counter() - started)
        assert summary.created == n_rels
        started = time.perf_counter()
        again = GraphWriter(driver, progress=False).write_rels(rels)
        rewrite_rate = n_rels / (time.perf_counter() - started)
        assert again.created == 0
        clear_graph(driver)
        apply_schema(driver)
        naive_nodes, naive_rels = naive_write(driver, genes, pathways, rels, naive_rows)
        clear_graph(driver)
    finally:
        driver.close()
    return {
        "batched_nodes_per_s": node_rate, "batched_rels_per_s": rel_rate,
        "batched_rewrite_rels_per_s": rewrite_rate,
        "naive_nodes_per_s": naive_nodes, "naive_rels_per_s": naive_rels,
        "n_nodes": n_nodes, "n_rels": n_rels, "naive_rows": naive_rows,
    }


def report(r: dict) -> str:
    return "\n".join([
        f"Writer benchmark: {r['n_nodes']:,} nodes, {r['n_rels']:,} relationships "
        f"(naive writer timed on {r['naive_rows']:,} rows of each)",
        "",
        "| what | batched rows/s | naive rows/s | ratio |",
        "|---|---:|---:|---:|",
        f"| nodes (MERGE) | {r['batched_nodes_per_s']:,.0f} | {r['naive_nodes_per_s']:,.0f} | "
        f"{r['batched_nodes_per_s'] / r['naive_nodes_per_s']:.1f}x |",
        f"| relationships (MERGE) | {r['batched_rels_per_s']:,.0f} | "
        f"{r['naive_rels_per_s']:,.0f} | {r['batched_rels_per_s'] / r['naive_rels_per_s']:.1f}x |",
        f"| relationships, rewrite (no-op) | {r['batched_rewrite_rels_per_s']:,.0f} | | |",
    ])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--rels", type=int, default=300_000)
    parser.add_argument("--naive-rows", type=int, default=5_000)
    args = parser.parse_args()
    print(report(run(args.nodes, args.rels, args.naive_rows)))

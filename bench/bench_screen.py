"""Screen benchmark: pairs scored per second and new SMILES featurized per second.

Uses trained artifacts (default: the ones `make demo` writes under runs/demo/models). Scores
every screenable drug × every cell line with a response model and every drug × every gene with
a target model, from precomputed embeddings (the message passing runs once, timed apart), and
featurizes the SMILES of the graph's drugs (from the saved export) with the model's featurizer.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from oncokg.gnn.predict import Predictor

MODELS = Path("runs/demo/models")
EXPORT = Path("runs/demo/export")


def run(response_path: Path, target_path: Path, export_dir: Path, n_smiles: int = 2000
        ) -> dict:
    out = {}
    response = Predictor.load(response_path)
    started = time.perf_counter()
    response.embeddings()
    out["embed_s"] = time.perf_counter() - started
    drugs = response.screenable_drugs()
    n_cells = len(response.nodes["CellLine"]["keys"])
    started = time.perf_counter()
    response.response_matrix(drugs, None)
    out["response_pairs_per_s"] = len(drugs) * n_cells / (time.perf_counter() - started)
    out["response_pairs"] = len(drugs) * n_cells

    target = Predictor.load(target_path)
    target.embeddings()
    all_drugs = np.arange(len(target.nodes["Drug"]["keys"]))
    n_genes = len(target.nodes["Gene"]["keys"])
    started = time.perf_counter()
    for block in np.array_split(all_drugs, max(1, len(all_drugs) // 512)):
        target.target_matrix(block)
    out["target_pairs_per_s"] = len(all_drugs) * n_genes / (time.perf_counter() - started)
    out["target_pairs"] = len(all_drugs) * n_genes

    import pandas as pd

    drugs_table = pd.read_parquet(export_dir / "nodes_Drug.parquet", columns=["smiles"])
    smiles = drugs_table["smiles"].dropna().tolist()[:n_smiles]
    started = time.perf_counter()
    for s in smiles:
        target.featurizer.featurize(s)
    out["smiles_per_s"] = len(smiles) / (time.perf_counter() - started)
    out["n_smiles"] = len(smiles)
    return out


def report(r: dict) -> str:
    return "\n".join([
        "Screen throughput (2 CPU cores)",
        "",
        "| what | figure | target |",
        "|---|---:|---:|",
        f"| message passing once (embeddings) | {r['embed_s']:.1f} s | |",
        f"| response pairs scored/s ({r['response_pairs']:,} drug × cell line pairs, MLP "
        f"decoder) | {r['response_pairs_per_s']:,.0f} | |",
        f"| target pairs scored/s ({r['target_pairs']:,} drug × gene pairs) | "
        f"{r['target_pairs_per_s']:,.0f} | ≥ 1,000,000 |",
        f"| new SMILES featurized/s ({r['n_smiles']:,} SMILES) | {r['smiles_per_s']:,.0f} | "
        f"≥ 2,000 |",
    ])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--response-model", type=Path, default=MODELS / "drug-response.pt")
    parser.add_argument("--target-model", type=Path, default=MODELS / "drug-target.pt")
    parser.add_argument("--export", type=Path, default=EXPORT)
    args = parser.parse_args()
    print(report(run(args.response_model, args.target_model, args.export)))

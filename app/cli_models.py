"""``oncokg`` commands for models: train, evaluate, predict, screen, predictions, demo.

Each command wraps the Python API (``gnn.train``, ``gnn.predict``, ``app.pipeline``); they are
registered on the main group in ``app.cli``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from oncokg.app.export import export_for_learning
from oncokg.app.library import LIBRARIES
from oncokg.app.load import bulk_server
from oncokg.app.pipeline import ScreenRequest, run_demo, run_screen
from oncokg.app.terminal import progress_bars
from oncokg.contract.export import GraphExport
from oncokg.contract.tasks import SPLITS, Task, TaskError
from oncokg.gnn.library import CHUNK_SIZE
from oncokg.gnn.predict import RANKINGS, Predictor
from oncokg.gnn.train import train as run_train
from oncokg.kg.connection import graph
from oncokg.kg.predictions import remove_predictions
from oncokg.kg.settings import ConnectionSettings
from oncokg.loaders.crossstudy import read_study
from oncokg.queries import render

TASKS = click.Choice([task.value for task in Task])
RELATIONS = click.Choice([task.relation for task in Task])
FORMATS = click.Choice(["table", "csv", "json"])


def _seeds(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise click.BadParameter(f"seeds must be integers separated by commas, got {text!r}")\
            from None


def _check_split(task: str, split: str, option: str) -> str:
    """``split`` if ``task`` defines it; otherwise a usage error that names the option."""
    try:
        return Task(task).check_split(split)
    except TaskError as error:
        raise click.BadParameter(str(error), param_hint=f"'{option}'") from None


def _export(export_dir: Path | None):
    """A saved export, or a fresh one from the graph."""
    if export_dir is not None:
        return GraphExport.load(export_dir)
    with graph() as (driver, database):
        return export_for_learning(driver, database)


export_option = click.option(
    "--export", "export_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A saved export (`oncokg export`); default: export from the graph now.")


dataset_option = click.option(
    "--dataset", default=None, help="Response screen to learn from when the graph holds "
    "several, e.g. 'GDSC2 r8' (default: the only one, else 'GDSC1 v17').")


def cross_study_options(command):
    """``--cross-study NAME`` (repeatable) and ``--data-dir`` for the second studies' files."""
    command = click.option(
        "--data-dir", "study_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None, help="Directory of the second studies' files (default: ONCOKG_DATA_DIR "
                           "or the download cache).")(command)
    return click.option(
        "--cross-study", "studies", multiple=True,
        type=click.Choice(["ccle_2012", "ctrp_v2"]),
        help="Also score every method on this second study (drug-response; repeatable).",
    )(command)


def _studies(names: tuple[str, ...], data_dir: Path | None) -> list:
    return [read_study(name, data_dir) for name in names]


@click.command()
@click.option("--task", type=TASKS, default=Task.RESPONSE.value, show_default=True)
@click.option("--split", type=click.Choice(SPLITS), default="cold-drug", show_default=True)
@click.option("--model", default="sage", show_default=True, help="Encoder name (sage, hgt …).")
@click.option("--seeds", default="0,1,2", show_default=True, help="Comma-separated seeds.")
@click.option("--epochs", type=click.IntRange(min=1), default=None, help="Default: the model's.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("runs/results"), show_default=True, help="Results table directory.")
@click.option("--artifact", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to save the first seed's model (default: runs/models/TASK.pt).")
@export_option
@dataset_option
@cross_study_options
def train(task: str, split: str, model: str, seeds: str, epochs: int | None, out: Path,
          artifact: Path | None, export_dir: Path | None, dataset: str | None,
          studies: tuple[str, ...], study_dir: Path | None) -> None:
    """Train a model on TASK/SPLIT beside every baseline; save the model artifact."""
    _check_split(task, split, "--split")
    artifact = artifact or Path("runs/models") / f"{task}.pt"
    results = run_train(_export(export_dir), task=task, split=split, model=model,
                        seeds=_seeds(seeds), epochs=epochs, out_dir=out, artifact_path=artifact,
                        cross_study=_studies(studies, study_dir), dataset=dataset,
                        progress=progress_bars())
    click.echo(results.to_markdown())
    click.echo(f"\nresults in {out}; model artifact {artifact}")


@click.command()
@click.option("--task", type=TASKS, default=Task.RESPONSE.value, show_default=True)
@click.option("--splits", default="random,cold-drug,cold-cell", show_default=True,
              help="Comma-separated splits: " + ", ".join(SPLITS))
@click.option("--model", default="sage", show_default=True)
@click.option("--seeds", default="0,1,2", show_default=True)
@click.option("--epochs", type=click.IntRange(min=1), default=None)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("runs/results"), show_default=True)
@export_option
@dataset_option
@cross_study_options
def evaluate(task: str, splits: str, model: str, seeds: str, epochs: int | None, out: Path,
             export_dir: Path | None, dataset: str | None, studies: tuple[str, ...],
             study_dir: Path | None) -> None:
    """Evaluate the model and every baseline on several splits (mean ± SD over seeds)."""
    chosen = [_check_split(task, s.strip(), "--splits") for s in splits.split(",") if s.strip()]
    export = _export(export_dir)
    cross_study = _studies(studies, study_dir)
    for split in chosen:
        results = run_train(export, task=task, split=split, model=model, seeds=_seeds(seeds),
                            epochs=epochs, out_dir=out, cross_study=cross_study,
                            dataset=dataset, progress=progress_bars())
        click.echo(results.to_markdown() + "\n")
    click.echo(f"results in {out}")


@click.command()
@click.option("--model", "model_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A model artifact from `oncokg train`.")
@click.option("--drug", help="Drug name, synonym or key.")
@click.option("--smiles", help="A new compound's SMILES (no graph node needed).")
@click.option("--cell-line", help="Rank drugs for this cell line (response models).")
@click.option("--gene", help="Rank drugs for this gene (target models).")
@click.option("--relation", type=RELATIONS, default=None,
              help="Default: the model's relation.")
@click.option("--tumor-types", is_flag=True, help="Rank tumor types instead of cell lines.")
@click.option("--rank-by", type=click.Choice(list(RANKINGS)), default="selectivity",
              show_default=True, help="Tumor types: by the drug's predicted sensitivity in a "
              "type's lines minus those lines' sensitivity to every drug, or by potency.")
@click.option("--top-k", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("-f", "--format", "fmt", type=FORMATS, default="table", show_default=True)
def predict(model_path: Path, drug: str | None, smiles: str | None, cell_line: str | None,
            gene: str | None, relation: str | None, tumor_types: bool, rank_by: str,
            top_k: int, fmt: str) -> None:
    """Rank targets or sensitive cell lines / tumor types for a drug or a new SMILES."""
    given = [x for x in (drug, smiles, cell_line, gene) if x]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --drug, --smiles, --cell-line, --gene")
    predictor = Predictor.load(model_path)
    predictor.require(relation or predictor.relation)
    if smiles:
        frame = predictor.score_smiles(smiles, relation, k=top_k)
    elif cell_line:
        frame = predictor.top_drugs_for_cell_line(cell_line, k=top_k)
    elif gene:
        frame = predictor.top_drugs_for_gene(gene, k=top_k)
    elif predictor.relation == "TARGETS":
        frame = predictor.top_targets(drug, k=top_k)
    elif tumor_types:
        frame = predictor.top_tumor_types(drug, k=top_k, min_cell_lines=3, rank_by=rank_by)
    else:
        frame = predictor.top_cell_lines(drug, k=top_k)
    click.echo(render(frame, fmt))


@click.command()
@click.option("--model", "model_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tumor", multiple=True, help="OncoTree code or name (repeatable).")
@click.option("--mutation", multiple=True, help="Mutation id or gene symbol (repeatable).")
@click.option("--cell-line", multiple=True, help="Cell line name or COSMIC id (repeatable).")
@click.option("--drug", multiple=True, help="Rank targets / tumor types for a drug.")
@click.option("--smiles-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A compound library: 'SMILES [name]' per line (.smi, .txt, optionally .gz), "
                   "or a CSV/Parquet table with a SMILES column. Screened in chunks, in "
                   "parallel, resumably (see --workers, --ray, --fresh).")
@click.option("--library", type=click.Choice(LIBRARIES), default=None,
              help="Screen a library built from the sources: 'known-compounds' is every "
                   "compound with a structure in them, one per InChIKey.")
@click.option("--smiles-column", default=None,
              help="CSV/Parquet libraries: the SMILES column (default: 'smiles').")
@click.option("--name-column", default=None,
              help="CSV/Parquet libraries: the name column (default: 'name' or 'id').")
@click.option("--chunk-size", type=click.IntRange(min=1), default=CHUNK_SIZE,
              show_default=True, help="Compounds per chunk (one shard of results).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes (or Ray workers) scoring chunks [default: every core].")
@click.option("--ray", "ray_address", default=None, metavar="ADDRESS",
              help="Score the chunks on a Ray cluster: its address, 'auto' (the cluster this "
                   "machine is in) or 'local' (start one here). Needs the 'ray' extra.")
@click.option("--fresh", is_flag=True,
              help="Start a library screen over instead of resuming the one in --out.")
@click.option("-k", "--top-k", "k", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--exclude-known", is_flag=True, help="Drop known positives from the ranking.")
@click.option("--pool", type=click.Choice(["screened", "all"]), default="screened",
              show_default=True, help="Candidate drugs for tumor/mutation/cell-line screens: "
              "those with measured responses, or every drug with a structure.")
@click.option("--rank-by", type=click.Choice(list(RANKINGS)), default="selectivity",
              show_default=True, help="Tumor/mutation/cell-line screens: by predicted "
              "sensitivity in the query's lines minus that in all lines, or by potency alone.")
@click.option("--write-back", is_flag=True,
              help="Store PREDICTED_* links (replacing this model version's earlier ones).")
@click.option("--no-evidence", is_flag=True, help="Skip evidence paths (no graph needed).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("runs/screen"), show_default=True)
def screen(model_path: Path, tumor, mutation, cell_line, drug, smiles_file: Path | None,
           library: str | None, smiles_column: str | None, name_column: str | None, chunk_size: int,
           workers: int | None, ray_address: str | None, fresh: bool,
           k: int, exclude_known: bool, pool: str, rank_by: str, write_back: bool,
           no_evidence: bool, out: Path) -> None:
    """Rank drugs for tumor types, mutations or cell lines (or targets / tumor types for
    drugs and new compounds), with evidence paths, files and an HTML report."""
    request = ScreenRequest(tumor=tumor, mutation=mutation, cell_line=cell_line, drug=drug,
                            smiles_file=smiles_file, library=library,
                            smiles_column=smiles_column,
                            name_column=name_column, chunk_size=chunk_size, workers=workers,
                            ray=ray_address, fresh=fresh, k=k, exclude_known=exclude_known,
                            pool=pool, rank_by=rank_by)
    if not any((tumor, mutation, cell_line, drug, smiles_file, library)):
        raise click.UsageError("nothing to screen: give --tumor, --mutation, --cell-line, "
                               "--drug, --smiles-file or --library")
    if smiles_file and library:
        raise click.UsageError("give --smiles-file or --library, not both")
    say = lambda message: click.echo(message, err=True)  # noqa: E731
    if no_evidence and not write_back:
        output = run_screen(model_path, request, out, say=say)
    else:
        with graph() as (driver, database):
            output = run_screen(model_path, request, out, driver, database,
                                write_back=write_back, say=say)
    for result in output.screens:
        click.echo(f"{result.title}: {len(result.candidates)} candidates")
    click.echo(f"files in {out}; report {output.report}")


@click.group()
def predictions() -> None:
    """Predicted links written back into the graph."""


@predictions.command("remove")
@click.option("--relation", type=RELATIONS, required=True)
@click.option("--model", "model_name", required=True, help="e.g. sage-drug-response")
@click.option("--version", default=None, help="One version; default: every version.")
def predictions_remove(relation: str, model_name: str, version: str | None) -> None:
    """Delete a model's PREDICTED_* links (one version or all)."""
    with graph() as (driver, database):
        removed = remove_predictions(driver, relation, model_name, version, database)
    click.echo(f"removed {removed:,} predicted links")


@click.command()
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              envvar="ONCOKG_DATA_DIR", help="Local copy of the sources (default: download).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("runs/demo"), show_default=True)
@click.option("--epochs", type=click.IntRange(min=1), default=None,
              help="Training epochs (default: the models' own).")
def demo(data_dir: Path | None, out: Path, epochs: int | None) -> None:
    """The main job: load the default sources, train both tasks, screen, write back, report."""

    smiles = resources.files("oncokg.gnn").joinpath("data/demo_compounds.smi")
    with resources.as_file(smiles) as smiles_file, graph() as (driver, database):
        reports = run_demo(driver, data_dir, out, Path(smiles_file), database,
                           say=lambda m: click.echo(m, err=True), epochs=epochs,
                           server=bulk_server(ConnectionSettings.from_env()))
    for name, path in reports.items():
        click.echo(f"{name}: {path}")


COMMANDS = (train, evaluate, predict, screen, predictions, demo)

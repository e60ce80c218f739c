"""The jobs that span every layer: a screen with evidence and write-back, and the main job.

``run_screen`` ranks candidates with a trained model (``gnn.screen``), explains the top ones with
evidence paths from the graph (``queries.evidence``), writes the results (CSV, Parquet, HTML
report) and, on request, writes the predictions back into Neo4j (``kg.predictions``).
``run_demo`` is ``make demo``: load the default sources (a fresh graph through the offline
importer), export, train both tasks, screen, write back, report.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import neo4j
import numpy as np
import pandas as pd

from oncokg.app.export import export_for_learning
from oncokg.app.library import compound_shards, named_library, screen_library
from oncokg.app.load import bulk_load_into_graph, load_into_graph
from oncokg.app.terminal import progress_bars
from oncokg.app.workers import ScoringSettings
from oncokg.contract.tasks import Task
from oncokg.gnn.library import CHUNK_SIZE, LibrarySource
from oncokg.gnn.predict import Predictor
from oncokg.gnn.report import write_report
from oncokg.gnn.screen import Screen, ScreenResult
from oncokg.gnn.train import train
from oncokg.kg.predictions import write_predictions
from oncokg.kg.server import ManagedServer
from oncokg.kg.stats import node_count
from oncokg.queries.evidence import explain
from oncokg.queries.runner import Runner

Say = Callable[[str], None]
#: A library of at most this many compounds also gets each compound's own ranking in the
#: screen's files and report (larger ones: in the library's shards only).
PER_COMPOUND_SHOWN = 1_000


@dataclass
class ScreenRequest:
    """What to screen: one of the query kinds with its values, and how."""

    tumor: Sequence[str] = ()
    mutation: Sequence[str] = ()
    cell_line: Sequence[str] = ()
    drug: Sequence[str] = ()
    smiles_file: Path | None = None
    #: A library built from the sources instead of a file (``app.library.LIBRARIES``).
    library: str | None = None
    #: Library screens (``app.library``): the SMILES and name columns of a CSV/Parquet file,
    #: compounds per chunk, worker processes (None: every core), a Ray address, start over.
    smiles_column: str | None = None
    name_column: str | None = None
    chunk_size: int = CHUNK_SIZE
    workers: int | None = None
    ray: str | None = None
    fresh: bool = False
    k: int = 20
    exclude_known: bool = False
    pool: str = "screened"
    rank_by: str = "selectivity"
    evidence_per_kind: int = 2
    explain_top: int = 5


@dataclass
class ScreenOutput:
    screens: list = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    report: Path | None = None
    written: int = 0
    removed: int = 0


def run_screen(model_path: str | Path, request: ScreenRequest, out_dir: str | Path,
               driver: neo4j.Driver | None = None, database: str | None = None,
               write_back: bool = False, say: Say = lambda _: None,
               predictor=None) -> ScreenOutput:
    """Run every query of ``request`` with one loaded model; returns what was written."""
    predictor = predictor or Predictor.load(model_path)
    screen = Screen(predictor, progress=progress_bars())
    say(f"model {predictor!r}")
    screens = []
    for kind in ("tumor", "mutation", "cell_line"):
        values = getattr(request, kind)
        if values:
            screens.append(screen.drugs_for(kind, values, request.k, request.exclude_known,
                                            pool=request.pool, rank_by=request.rank_by))
    if request.drug:
        if predictor.relation == "TARGETS":
            screens.append(screen.targets_for(request.drug, request.k, request.exclude_known))
        else:
            screens.append(screen.tumor_types_for(request.drug, request.k,
                                                  rank_by=request.rank_by))
    if request.smiles_file is not None or request.library is not None:
        screens += library_screens(model_path, predictor, request, Path(out_dir) / "library",
                                   say)
    output = ScreenOutput(screens=screens)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    evidence = {}
    if driver is not None:
        runner = Runner(driver, database)
        for position, result in enumerate(screens):
            evidence[position] = explain_candidates(runner, result, request)
    for position, result in enumerate(screens):
        if result.saved:
            output.files += result.saved
            continue
        stem = out / f"screen_{position + 1}_{_slug(result.title)}"
        frame = result.candidates.copy()
        if "cell_lines" in frame.columns:
            frame["cell_lines"] = frame["cell_lines"].map(lambda v: ";".join(v))
        frame.to_csv(stem.with_suffix(".csv"), index=False)
        frame.to_parquet(stem.with_suffix(".parquet"), index=False)
        output.files += [stem.with_suffix(".csv"), stem.with_suffix(".parquet")]
        if position in evidence and not evidence[position].empty:
            ev = evidence[position].assign(params=evidence[position]["params"].map(str))
            ev.to_csv(out / f"{stem.name}_evidence.csv", index=False)
            output.files.append(out / f"{stem.name}_evidence.csv")
    output.report = write_report(screens, out / "report.html", evidence,
                                 validation=_validation(predictor))
    if write_back:
        if driver is None:
            raise ValueError("write-back needs a graph connection")
        output.removed, output.written = write_back_predictions(driver, predictor, screens,
                                                                database)
        say(f"wrote {output.written:,} predicted links back "
            f"(replacing {output.removed:,} of model version {predictor.model_version})")
    return output


def library_screens(model_path, predictor: Predictor, request: ScreenRequest, out: Path,
                    say: Say) -> list[ScreenResult]:
    """Screen ``request.smiles_file`` (or the named ``request.library``) as a library
    (``app.library``): each query's best
    compounds and, for a library of at most ``PER_COMPOUND_SHOWN`` compounds, each compound's
    best queries; the invalid lines go with the first."""
    if request.library is not None:
        source = named_library(request.library, out / "input")
    else:
        source = LibrarySource(Path(request.smiles_file), request.smiles_column,
                               request.name_column)
    library = screen_library(model_path, source, out,
                             ScoringSettings(request.k, rank_by=request.rank_by),
                             request.chunk_size, request.workers or os.cpu_count() or 1,
                             request.ray, request.fresh, say, predictor)
    say(f"{source.path.name}: {library.n_scored:,} compounds screened, {library.n_invalid:,} "
        f"invalid lines ({library.resumed_chunks} of {library.n_chunks} chunks resumed); "
        f"shards and top k in {out}")
    kind = "tumor types" if predictor.relation == "RESPONSE" else "genes"
    screens = []
    if library.n_scored <= PER_COMPOUND_SHOWN:
        frames = [f for f in compound_shards(out) if not f.empty]
        screens.append(ScreenResult(f"new compounds from {source.path.name}",
                                    predictor.relation, pd.concat(frames, ignore_index=True)
                                    if frames else pd.DataFrame(), predictor.describe()))
    screens.append(ScreenResult(f"best compounds of {source.path.name} for each of "
                                f"{library.top['query'].nunique() if len(library.top) else 0:,} "
                                f"{kind}", predictor.relation, library.top,
                                predictor.describe(), saved=library.files))
    screens[0].skipped = library.skipped
    return screens


def explain_candidates(runner, result, request: ScreenRequest) -> pd.DataFrame:
    """Evidence paths for each query's top candidates (``request.explain_top`` per query)."""
    frame = result.candidates
    rows = []
    if frame.empty:
        return pd.DataFrame()
    if "cell_lines" in frame.columns:
        for (_, query), group in frame.groupby(["query_kind", "query"], sort=False):
            cells = group["cell_lines"].iloc[0]
            for drug in group.head(request.explain_top)["drug"]:
                paths = explain(runner, drug, "CellLine", cells, request.evidence_per_kind)
                rows.append(paths.assign(drug=drug, query=query))
    elif "gene" in frame.columns:
        for drug, group in frame.groupby("drug", sort=False):
            if drug.startswith("SMILES:"):
                continue
            genes = group.head(request.explain_top)["gene"].tolist()
            paths = explain(runner, drug, "Gene", genes, request.evidence_per_kind)
            rows.append(paths.assign(drug=drug, gene=paths["end"]))
    elif "tumor_type" in frame.columns:
        for drug, group in frame.groupby("drug", sort=False):
            if drug.startswith("SMILES:"):
                continue
            for tumor in group.head(request.explain_top)["tumor_type"]:
                paths = explain(runner, drug, "TumorType", [tumor], request.evidence_per_kind)
                rows.append(paths.assign(drug=drug, tumor_type=tumor))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def write_back_predictions(driver: neo4j.Driver, predictor, screens,
                           database: str | None = None) -> tuple[int, int]:
    """Store the screens' drug–gene or drug–cell-line predictions as PREDICTED_* links."""
    rows = []
    for result in screens:
        frame = result.candidates
        if frame.empty:
            continue
        if "gene" in frame.columns:
            known = frame[~frame["drug"].str.startswith("SMILES:")]
            rows.append(known.rename(columns={"drug": "start", "gene": "end"}))
        elif "cell_lines" in frame.columns:
            rows.append(_per_cell_line(predictor, frame))
    if not rows:
        return 0, 0
    table = pd.concat(rows, ignore_index=True).sort_values("rank").drop_duplicates(
        ["start", "end"])
    removed, summary = write_predictions(driver, predictor.relation, table, predictor.name_tag,
                                         predictor.model_version, database)
    return removed, summary.rows


def _per_cell_line(predictor, frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (drug, cell line) of each query's ranked drugs, with that pair's score;
    ``known`` is that pair's own measurement: sensitive in the graph's response data."""
    sensitive = predictor.known_pairs("SENSITIVE")
    parts = []
    for (_, _), group in frame.groupby(["query_kind", "query"], sort=False):
        cells = np.array([predictor.resolve("CellLine", c) for c in group["cell_lines"].iloc[0]])
        drugs = np.array([predictor.resolve("Drug", d) for d in group["drug"]])
        p = predictor.response_matrix(drugs, cells)
        parts.append(pd.DataFrame({
            "start": np.repeat(group["drug"].to_numpy(), len(cells)),
            "end": np.tile([predictor.key("CellLine", int(c)) for c in cells], len(drugs)),
            "score": p.ravel(),
            "rank": np.repeat(group["rank"].to_numpy(), len(cells)),
            "known": [(int(d), int(c)) in sensitive for d in drugs for c in cells],
        }))
    return pd.concat(parts, ignore_index=True)


def _validation(predictor) -> dict:
    state = predictor.artifact.validation
    if not state:
        return {}
    return {predictor.relation: (np.asarray(state["scores"], dtype=float),
                                 np.asarray(state["labels"], dtype=float))}


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_")[:40]


# -- the main job ----------------------------------------------------------------------------
DEMO_TUMORS = ("MEL", "LUAD", "BRCA", "COAD")
DEMO_DRUGS = ("Erlotinib", "Dabrafenib", "Olaparib")
#: Epochs of the demo's training runs: the main job must finish in minutes on 2 cores.
DEMO_EPOCHS = {Task.RESPONSE: 200, Task.TARGET: 100}
#: Epochs without a validation gain before the demo's runs stop (the benchmarks wait 60). The
#: demo trains on unseen drugs, where the 3-seed benchmark chose epochs 0, 20 and 0 (response)
#: and 0 (targets, every seed).
DEMO_PATIENCE = 30


def run_demo(driver: neo4j.Driver, data_dir: str | Path | None, out_dir: str | Path,
             smiles_file: Path, database: str | None = None, say: Say = print,
             epochs: int | None = None, server: ManagedServer | None = None) -> dict[str, Path]:
    """Load, export, train both tasks, screen, write back and report; returns the outputs.

    An empty graph on the managed ``server`` is built through the offline importer; a graph
    with data is updated with ``MERGE``. Progress bars show only on a terminal (a log gets
    plain lines).
    """
    out = Path(out_dir)
    started = time.perf_counter()
    bars = progress_bars()
    reports = out / "load_reports"
    if server is not None and node_count(driver, database) == 0:
        say("1/5 building the graph of the default sources (offline importer) ...")
        outcome = bulk_load_into_graph(data_dir=data_dir, server=server, report_dir=reports,
                                       progress=say, driver=driver)
    else:
        say("1/5 loading the default sources into Neo4j ...")
        outcome = load_into_graph(driver, data_dir=data_dir, database=database,
                                  report_dir=reports, progress=say, show_bars=bars)
    say(f"    {outcome.rows:,} rows in {outcome.seconds:.0f}s")
    for item in outcome.sources:
        if item.stale:
            say(f"    {item.name}: {item.stale_warning()}")
    say("2/5 exporting the graph for training ...")
    export = export_for_learning(driver, database, data_dir, say)
    export.save(out / "export")
    artifacts = {}
    for task, split in ((Task.RESPONSE, "cold-drug"), (Task.TARGET, "cold-drug")):
        say(f"3/5 training {task} ({split} split, seed 0, model beside baselines) ...")
        path = out / "models" / f"{task}.pt"
        results = train(export, task=task, split=split, seeds=(0,),
                        epochs=epochs or DEMO_EPOCHS[task], patience=DEMO_PATIENCE,
                        artifact_path=path, out_dir=out / "results", progress=bars)
        say(results.to_markdown())
        artifacts[task] = path
    say("4/5 screening: drugs for tumor types, targets for drugs, new compounds ...")
    screens = {
        "tumor_screen": (artifacts[Task.RESPONSE],
                         ScreenRequest(tumor=DEMO_TUMORS, k=15)),
        "target_screen": (artifacts[Task.TARGET],
                          ScreenRequest(drug=DEMO_DRUGS, k=10, smiles_file=smiles_file)),
        "compound_response_screen": (artifacts[Task.RESPONSE],
                                     ScreenRequest(smiles_file=smiles_file, k=10)),
    }
    reports = {}
    for name, (model, request) in screens.items():
        result = run_screen(model, request, out / name, driver, database,
                            write_back=name != "compound_response_screen", say=say)
        reports[name] = result.report
    say(f"5/5 done in {time.perf_counter() - started:.0f}s")
    return reports

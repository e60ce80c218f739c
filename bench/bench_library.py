"""Library-screen benchmark: compounds/s plain and on Ray, peak memory as the library grows.

Builds the known-compounds library (every structure in the sources, one per InChIKey) and a
library of ``--analogues`` generated analogues of it (``loaders.analogues``; 10^6 with
``--analogues 1000000``). Then, with a trained response model (default: the demo's):

- SMILES featurized per second on one thread (the model's featurizer);
- compounds screened per second (featurized, embedded, scored against every cell line and ranked
  over every tumor type), plain in this process (1 core), in a pool of every core, and on a
  local Ray cluster of 1 and 2 workers: the rate from the first committed chunk to the last,
  so each backend's start-up (model loads, Ray) is left out and reported apart;
- peak resident memory of a one-process screen of growing libraries (a fresh process each).

Wall-clock rates move with whatever else the machine runs (the load average is printed beside
each); the plain 1-core screen's rate per CPU-second of its process does not, and it is the one
the 10^9 projection uses.

Prints a Markdown table and the workers × hours a 10^9-compound screen would need.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psutil
import torch

from oncokg.app.library import screen_library
from oncokg.app.workers import ScoringSettings
from oncokg.contract import paths
from oncokg.gnn.library import ChunkScorer, LibrarySource
from oncokg.gnn.predict import Predictor
from oncokg.loaders.analogues import analogues
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.vocabulary import known_compounds

ROOT = Path(__file__).resolve().parents[1]
MODELS = Path("runs/demo/models")
#: Chunks of a whole-library screen: larger than the CLI's default, as a 10^6 screen would be
#: run (a target screen writes each chunk's top k of all 56k genes).
WHOLE_CHUNK = 16_384


def make_libraries(data_dir: Path, out: Path, n_analogues: int) -> dict:
    """The known-compounds table and the analogue library (``.smi.gz``); their sizes and times."""
    started = time.perf_counter()
    known = known_compounds(Fetcher(data_dir))
    figures = {"known": len(known), "known_s": time.perf_counter() - started}
    path = out / f"analogues-{n_analogues}.smi.gz"
    started = time.perf_counter()
    with gzip.open(path, "wt") as handle:
        n = 0
        for smiles, name in analogues(zip(known["smiles"], known["id"], strict=True),
                                      n_analogues):
            handle.write(f"{smiles} {name}\n")
            n += 1
    figures.update(analogues=n, analogues_s=time.perf_counter() - started,
                   analogues_path=str(path), analogues_bytes=path.stat().st_size)
    return figures


def head(library: Path, n: int, out: Path) -> Path:
    """The first ``n`` lines of ``library`` as a plain ``.smi``."""
    path = out / f"head-{n}.smi"
    with gzip.open(library, "rt") as source, open(path, "w") as target:
        for _, line in zip(range(n), source, strict=False):
            target.write(line)
    return path


def featurize_rates(model: Path, library: Path, n: int = 2_000) -> dict[str, float]:
    """SMILES featurized per second on one thread: as the model's screens do (the fingerprint
    alone for a model that is its prior) and with every descriptor (a model whose encoder
    reads them)."""
    torch.set_num_threads(1)
    predictor = Predictor.load(model)
    with gzip.open(library, "rt") as handle:
        smiles = [line.split()[0] for _, line in zip(range(n), handle, strict=False)]
    rates = {}
    for name, featurize in (("model", predictor.featurize),
                            ("descriptors", predictor.featurizer.featurize)):
        started = time.perf_counter()
        for text in smiles:
            featurize(text)
        rates[name] = len(smiles) / (time.perf_counter() - started)
    return rates


def scoring_rates(model: Path, library: Path, n: int = 4_096) -> dict[str, float]:
    """One chunk of ``n`` compounds on one thread: compounds/s featurized, and compounds/s
    scored and ranked once featurized (``ChunkScorer.score`` less its featurization)."""
    torch.set_num_threads(1)
    scorer = ChunkScorer(Predictor.load(model), k=20)
    with gzip.open(library, "rt") as handle:
        entries = [(i + 1, line.split()[0], "") for i, line in zip(range(n), handle,
                                                                    strict=False)]
    scorer.score(0, entries[:64])  # the graph's embeddings and background, once
    started = time.perf_counter()
    scorer.featurize(entries)
    featurized = time.perf_counter() - started
    started = time.perf_counter()
    scorer.score(0, entries)
    total = time.perf_counter() - started
    return {"featurize": n / featurized, "score": n / max(total - featurized, 1e-9)}


def whole_screen(model: Path, library: Path, n: int, out: Path, workers: int,
                 chunk_size: int = WHOLE_CHUNK) -> dict:
    """The CLI's screen of a whole library (``oncokg screen --smiles-file``, no evidence): wall
    seconds, compounds/s, and the peak resident memory of its processes together (sampled
    every 0.2 s)."""
    command = [sys.executable, "-c", "from oncokg.app.cli import main; main()", "screen",
               "--model", str(model), "--smiles-file", str(library), "--out", str(out),
               "--workers", str(workers), "--chunk-size", str(chunk_size), "--no-evidence",
               "--fresh"]
    started = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)
    wall = time.perf_counter() - started
    if process.returncode:
        raise RuntimeError(f"screen failed: {process.stderr.read().decode()[-2000:]}")
    top = pd.read_parquet(out / "library" / "top_k.parquet")
    return {"wall_s": wall, "rate": n / wall, "peak_mib": peak / 2**20, "workers": workers,
            "n": n, "queries": int(top["query"].nunique()), "load": os.getloadavg()[0]}


def screen_rate(model: Path, library: Path, n: int, out: Path, **how) -> dict:
    """Compounds/s of a screen of ``library`` once running (from its first committed chunk to
    its last), and its start-up (to the first commit, less that chunk's share)."""
    commits: list[tuple[float, float, int]] = []
    started = time.perf_counter()
    screen_library(model, LibrarySource(library), out, ScoringSettings(k=20), chunk_size=256,
                   fresh=True, progress=lambda chunk: commits.append(
                       (time.perf_counter(), time.process_time(), chunk.n_read)), **how)
    first, last = commits[0], commits[-1]
    scored = sum(c[2] for c in commits[1:])
    rate = scored / max(last[0] - first[0], 1e-9)
    return {"rate": rate, "startup_s": max(first[0] - started - first[2] / rate, 0.0),
            "wall_s": time.perf_counter() - started, "n": n,
            # this process's CPU time between the commits: the work itself for a plain 1-core
            # screen, whatever else the machine runs meanwhile
            "cpu_rate": scored / max(last[1] - first[1], 1e-9), "load": os.getloadavg()[0]}


def peak_memory(model: Path, library: Path, out: Path) -> float:
    """Peak resident memory (MiB) of a fresh process screening ``library`` on one core."""
    code = ("import resource, sys; from pathlib import Path; "
            "from oncokg.app.library import screen_library; "
            "from oncokg.gnn.library import LibrarySource; "
            "screen_library(sys.argv[1], LibrarySource(Path(sys.argv[2])), sys.argv[3], "
            "chunk_size=512, workers=1, fresh=True); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", code, str(model), str(library), str(out)],
                          capture_output=True, text=True, check=True)
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def run(model: Path, data_dir: Path, n_analogues: int, n: int, sizes: list[int],
        ray: bool = True, target_model: Path | None = None, whole: bool = False) -> dict:
    out = Path(tempfile.mkdtemp(prefix="bench-library-"))
    figures = make_libraries(data_dir, out, n_analogues)
    library = Path(figures["analogues_path"])
    figures["featurize_per_s"] = featurize_rates(model, library)
    sample = head(library, n, out)
    figures["scoring"] = {name: scoring_rates(path, library, n)
                          for name, path in (("response", model), ("target", target_model))
                          if path is not None}
    cores = os.cpu_count() or 1
    backends = {"plain, 1 core": {"workers": 1}, f"plain, {cores} cores": {"workers": cores}}
    if ray:
        backends |= {"Ray, 1 worker": {"workers": 1, "ray_address": "local"},
                     "Ray, 2 workers": {"workers": 2, "ray_address": "local"}}
    figures["screens"] = {}
    for name, how in backends.items():
        figures["screens"][name] = screen_rate(model, sample, n, out / name.replace(" ", "_"),
                                               **how)
        print(f"{name}: {figures['screens'][name]}", file=sys.stderr)
    if target_model is not None:
        figures["target"] = screen_rate(target_model, sample, n, out / "target", workers=1)
    figures["memory"] = {size: peak_memory(model, head(library, size, out), out / f"m{size}")
                         for size in sizes}
    if whole:
        models = {"response": model, "target": target_model}
        figures["whole"] = {
            name: whole_screen(path, library, figures["analogues"], out / f"whole-{name}",
                               cores)
            for name, path in models.items() if path is not None}
    figures["n"] = n
    figures["cores"] = cores
    return figures


def report(f: dict) -> str:
    plain = f["screens"]["plain, 1 core"]["cpu_rate"]
    lines = [
        f"Library screen ({f['cores']} CPU cores; response model against every cell line and "
        f"tumor type; screens of {f['n']:,} analogues in chunks of 256, rates from the first "
        f"committed chunk to the last)",
        "",
        "| what | figure |",
        "|---|---:|",
        f"| known compounds (one per InChIKey), built in | {f['known']:,} in "
        f"{f['known_s']:.0f} s |",
        f"| analogues generated | {f['analogues']:,} in {f['analogues_s']:.0f} s "
        f"({f['analogues'] / f['analogues_s']:,.0f}/s; {f['analogues_bytes'] / 2**20:.1f} MiB "
        f"gzipped) |",
        f"| SMILES featurized/s, 1 thread, as the model reads them | "
        f"{f['featurize_per_s']['model']:,.0f} |",
        f"| SMILES featurized/s, 1 thread, with every descriptor | "
        f"{f['featurize_per_s']['descriptors']:,.0f} |",
    ]
    for name, rates in f.get("scoring", {}).items():
        lines.append(f"| {name} model, one chunk of {f['n']:,} on 1 thread: featurized/s, then "
                     f"scored and ranked/s | {rates['featurize']:,.0f}, {rates['score']:,.0f} |")
    for name, s in f["screens"].items():
        lines.append(f"| compounds screened/s, {name} | {s['rate']:,.0f} "
                     f"(start-up {s['startup_s']:.0f} s; load average {s['load']:.1f}) |")
    lines.append(f"| compounds screened per CPU-second, plain, 1 core | "
                 f"{f['screens']['plain, 1 core']['cpu_rate']:,.0f} |")
    if "target" in f:
        lines.append(f"| compounds screened/s against every gene (target model), plain, 1 core "
                     f"| {f['target']['rate']:,.0f} (start-up {f['target']['startup_s']:.0f} s; "
                     f"{f['target']['cpu_rate']:,.0f} per CPU-second) |")
    for size, mib in f["memory"].items():
        lines.append(f"| peak memory, 1 process, {size:,} compounds | {mib:,.0f} MiB |")
    for name, w in f.get("whole", {}).items():
        lines.append(f"| whole library ({w['n']:,} analogues), {name} model against every "
                     f"{'gene' if name == 'target' else 'tumor type'} ({w['queries']:,}), "
                     f"{w['workers']} workers, chunks of {WHOLE_CHUNK:,} | "
                     f"{w['wall_s'] / 60:,.1f} min ({w['rate']:,.0f}/s), "
                     f"peak memory {w['peak_mib']:,.0f} MiB |")
    hours = 1e9 / plain / 3600
    lines += ["", f"10^9 compounds at the 1-core CPU rate: {hours:,.0f} worker-hours "
                  f"(e.g. {hours / 100:,.1f} h on 100 workers, {hours / 1000:,.1f} h on 1,000)."]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--response-model", type=Path, default=MODELS / "drug-response.pt")
    parser.add_argument("--data-dir", type=Path, default=paths.data_dir()
                        or ROOT.parent / "shared" / "data")
    parser.add_argument("--analogues", type=int, default=20_000,
                        help="Analogues to generate (10^6 for the issue's library).")
    parser.add_argument("-n", type=int, default=4_096,
                        help="Compounds of each throughput screen.")
    parser.add_argument("--memory-sizes", default="1024,4096,16384")
    parser.add_argument("--target-model", type=Path, default=None,
                        help="Also time a target model (every gene), plain on 1 core.")
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--whole", action="store_true",
                        help="Also screen the whole analogue library through the CLI "
                             "(every core; with each model given).")
    parser.add_argument("--json", type=Path, default=None, help="Also save the figures here.")
    args = parser.parse_args()
    result = run(args.response_model, args.data_dir, args.analogues, args.n,
                 [int(s) for s in args.memory_sizes.split(",")], ray=not args.no_ray,
                 target_model=args.target_model, whole=args.whole)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    print(report(result))

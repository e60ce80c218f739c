"""The ``oncokg`` command: one entry point whose subcommands wrap the Python API."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click

from oncokg import loaders, queries
from oncokg.app.cli_models import COMMANDS
from oncokg.app.export import export_for_learning
from oncokg.app.load import bulk_load_into_graph, check_bulk_target, load_into_graph
from oncokg.app.releases import diff_sources, load_replacing
from oncokg.app.terminal import progress_bars
from oncokg.contract.errors import OncoKGError
from oncokg.contract.subgraph import Selection
from oncokg.kg.connection import graph
from oncokg.kg.server import ManagedServer
from oncokg.kg.settings import ConnectionSettings
from oncokg.kg.stats import graph_counts, licence_counts, source_counts
from oncokg.kg.writer import apply_schema


class OneLineUsageError(click.ClickException):
    """A command-line mistake, said in one line (exit code 2, as click's own)."""

    exit_code = 2


class OncoKGGroup(click.Group):
    """Turns every expected error into one line on stderr: an ``OncoKGError`` exits 1, a
    command-line mistake (unknown option, bad value, missing file) exits 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OncoKGError as exc:
            raise click.ClickException(" ".join(str(exc).split())) from None
        except OSError as exc:  # a path the command must use: unwritable, not a folder, full
            where = f": {exc.filename}" if exc.filename else ""
            raise click.ClickException(f"{exc.strerror or exc}{where} (check ONCOKG_HOME, "
                                       "the output paths and free disk space)") from None
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else ctx.command_path
            raise OneLineUsageError(f"{exc.format_message()} (see `{where} --help`)") from None


@click.group(cls=OncoKGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="oncokg")
def main() -> None:
    """OncoKG: an oncology knowledge graph in Neo4j with graph-ML drug discovery."""


# -- the managed Neo4j server ---------------------------------------------------------------
@main.group()
def neo4j() -> None:
    """Run the managed local Neo4j 5 Community server (loopback only)."""


@neo4j.command()
@click.option("--timeout", default=180.0, show_default=True, help="Seconds to wait for Bolt.")
def start(timeout: float) -> None:
    """Start the server (resolving its jars on first use); no-op when it runs."""
    status = ManagedServer().start(timeout_s=timeout, progress=lambda m: click.echo(m, err=True))
    click.echo("\n".join(status.lines()))


@neo4j.command()
def stop() -> None:
    """Stop the server cleanly."""
    stopped = ManagedServer().stop()
    click.echo("stopped" if stopped else "not running")


@neo4j.command()
def status() -> None:
    """Print state, version, URI, pid and data path; exit 3 when stopped."""
    state = ManagedServer().status()
    click.echo("\n".join(state.lines()))
    if not state.running:
        sys.exit(3)


@neo4j.command()
@click.option("-n", "--lines", default=50, show_default=True)
def logs(lines: int) -> None:
    """Show the end of the server log."""
    click.echo(ManagedServer().logs(lines))


# -- schema and statistics ------------------------------------------------------------------
@main.group()
def schema() -> None:
    """The graph schema: constraints and indexes."""


@schema.command("apply")
def schema_apply() -> None:
    """Create every uniqueness constraint and index (idempotent)."""
    with graph() as (driver, database):
        count = apply_schema(driver, database)
    click.echo(f"schema applied: {count} constraints and indexes in place")


@main.command()
@click.option("--sources", is_flag=True, help="Also count relationships per source.")
@click.option("--licences", is_flag=True, help="Also count nodes and relationships per "
              "licence of their sources (count: some source under it; only: it alone).")
def stats(sources: bool, licences: bool) -> None:
    """Print node counts per label and relationship counts per type."""
    with graph() as (driver, database):
        click.echo(graph_counts(driver, database).to_string(index=False))
        if sources:
            click.echo()
            click.echo(source_counts(driver, database).to_string(index=False))
        if licences:
            click.echo()
            click.echo(licence_counts(driver, database).to_string(index=False))


# -- loading sources -------------------------------------------------------------------------
@main.command()
@click.argument("sources", nargs=-1)
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              envvar="ONCOKG_DATA_DIR", help="Local directory holding the source files "
              "(default: download from the official locations into the cache).")
@click.option("--report-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("reports/load"), show_default=True,
              help="Where the per-source normalization reports go.")
@click.option("--list", "list_sources", is_flag=True, help="List the sources (with their "
              "licences) and exit.")
@click.option("--bulk", is_flag=True, help="Build the graph afresh through Neo4j's offline "
              "importer (the managed server only; many times faster than MERGE).")
@click.option("--replace", is_flag=True, help="With --bulk: replace a graph that holds data "
              "(kept until the new one is verified).")
def load(sources: tuple[str, ...], data_dir: Path | None, report_dir: Path,
         list_sources: bool, bulk: bool, replace: bool) -> None:
    """Load the default (or the named) SOURCES into the graph, then print counts and reports.

    A source set stands for several: default, recent (GDSC1 and GDSC2 release 8,
    expression, CTRP compounds). Without --bulk, sources are MERGEd into the graph as it is
    (idempotent updates); with --bulk, the graph is built afresh from exactly these sources.
    """
    if list_sources:
        for name, source in loaders.SOURCES.items():
            default = "*" if name in loaders.DEFAULT_SOURCES else " "
            click.echo(f"{default} {name:16} {source.provenance:28} {source.licence:13} "
                       f"{source.description}")
        for name, members in loaders.SOURCE_SETS.items():
            click.echo(f"  {name:16} set: {' '.join(members)}")
        return
    if replace and not bulk:
        raise click.UsageError("--replace goes with --bulk (a MERGE load updates in place)")
    if bulk:
        check_bulk_target(ConnectionSettings.from_env())
        outcome = bulk_load_into_graph(sources or None, data_dir, replace=replace,
                                       report_dir=report_dir, progress=_say)
    else:
        with graph() as (driver, database):
            outcome = load_into_graph(driver, sources or None, data_dir, database=database,
                                      report_dir=report_dir, progress=_say,
                                      show_bars=progress_bars())
    for item in outcome.sources:
        write = f", write {item.write_s:.1f}s" if not bulk else ""
        click.echo(f"\n{item.name} ({item.release}): {item.rows:,} rows, "
                   f"{item.created:,} created, parse {item.parse_s:.1f}s{write}")
        click.echo(item.report.summary())
        if item.stale:
            click.echo(f"  {item.stale_warning()}")
        if item.report_path:
            click.echo(f"  report: {item.report_path}")
    if outcome.bulk:
        b = outcome.bulk
        click.echo(f"\nbulk build: {b.nodes:,} nodes, {b.relationships:,} relationships; "
                   f"fold {outcome.prepare_s:.1f}s, files {b.files_s:.1f}s, import "
                   f"{b.import_s:.1f}s, start and verify {b.start_s:.1f}s, schema "
                   f"{b.schema_s:.1f}s" + ("; the previous graph was replaced"
                                           if b.replaced else ""))
        with graph() as (driver, database):
            click.echo(graph_counts(driver, database).to_string(index=False))
    click.echo(f"\nloaded {outcome.rows:,} rows in {outcome.seconds:.1f}s "
               f"(parse {outcome.parse_s:.1f}s, write {outcome.write_s:.1f}s)")


def _names(values: tuple[str, ...]) -> tuple[str, ...]:
    """Repeated and comma-separated option values, in order, each once."""
    return tuple(dict.fromkeys(p.strip() for v in values for p in v.split(",") if p.strip()))


#: The repeatable selection options of ``export``: (option, parameter, help).
_SELECTORS = (
    ("--label", "labels", "Keep only these node labels (comma-separated or repeated; with "
     "them, the types between them)."),
    ("--rel-type", "rel_types", "Keep only these relationship types (without --label: and "
     "the labels they join)."),
    ("--source", "sources", "Keep what these sources assert (source name, e.g. civic, or "
     "name:release)."),
    ("--licence-allow", "licences", "Keep what sources under these licences assert (SPDX "
     "ids, e.g. CC0-1.0,CC-BY-4.0; presets: open)."),
    ("--dataset", "datasets", "Keep only the RESPONSE edges of these datasets (e.g. "
     "'GDSC1 v17', 'GDSC2 r8')."),
    ("--seed", "seeds", "Keep what lies within --hops of these nodes: Label:key[,key…] or "
     "Label:property=value (repeatable)."),
)


def _selection_options(command):
    for option, name, text in reversed(_SELECTORS):
        command = click.option(option, name, multiple=True, help=text)(command)
    return click.option("--open", "open_only", is_flag=True, help="Same as --licence-allow "
                        "open: only what licences that allow commercial use cover.")(command)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("runs/export"), show_default=True)
@_selection_options
@click.option("--hops", type=click.IntRange(min=0), default=2, show_default=True)
def export(out: Path, labels: tuple[str, ...], rel_types: tuple[str, ...],
           sources: tuple[str, ...], licences: tuple[str, ...], open_only: bool,
           datasets: tuple[str, ...], seeds: tuple[str, ...], hops: int) -> None:
    """Export the graph, or the subgraph the options select, for training without Neo4j
    (every biological relationship, and the cell-line omics profiles when it holds
    release-8 expression). The manifest records the selection and what it left out."""
    selection = Selection(labels=_names(labels), rel_types=_names(rel_types),
                          sources=_names(sources),
                          licences=_names(licences) + (("open",) if open_only else ()),
                          datasets=tuple(datasets), seeds=tuple(seeds), hops=hops)
    with graph() as (driver, database):
        exported = export_for_learning(driver, database, selection=selection)
    exported.save(out)
    counts = exported.manifest["node_counts"] | exported.manifest["edge_counts"]
    click.echo("\n".join(f"{name:40} {count:>9,}" for name, count in counts.items()))
    for name, (rows, columns) in exported.manifest.get("profiles", {}).items():
        click.echo(f"{'profile ' + name:40} {rows:>9,} lines × {columns:,}")
    if not selection.empty:
        click.echo(f"selection: {selection.describe()}")
    for reason, by_name in exported.manifest.get("left_out", {}).items():
        click.echo(f"left out ({reason}): " + ", ".join(f"{n} {c:,}"
                                                      for n, c in by_name.items()))
    click.echo(f"export written to {out}")


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              envvar="ONCOKG_DATA_DIR", help="Local directory holding the source files.")
@click.option("--ignore", multiple=True, help="Identity properties to ignore, so facts that "
              "differ only in them match (e.g. dataset: GDSC v17 vs release 8 responses).")
def diff(old: str, new: str, data_dir: Path | None, ignore: tuple[str, ...]) -> None:
    """What source NEW adds, changes and removes against source OLD, per label and type
    (e.g. `oncokg diff civic_2021 civic`); the graph is not touched."""
    click.echo(diff_sources(old, new, data_dir, _names(ignore)).to_string(index=False))


@main.command()
@click.argument("new")
@click.option("--retire", "old_tag", required=True, help="The release it replaces, as the "
              "graph records it (name:release, e.g. civic:2021-08-01).")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              envvar="ONCOKG_DATA_DIR", help="Local directory holding the source files.")
@click.option("--ignore", multiple=True, help="Identity properties the diff ignores.")
def replace(new: str, old_tag: str, data_dir: Path | None, ignore: tuple[str, ...]) -> None:
    """Load source NEW and retire an older release: print what the release adds, changes and
    removes, then what left the graph (facts another source asserts stay)."""
    with graph() as (driver, database):
        done = load_replacing(driver, new, old_tag, data_dir, database=database,
                              ignore=_names(ignore), progress=_say)
    if done.diff is not None:
        click.echo(done.diff.to_string(index=False))
    if done.retired is not None:
        click.echo(f"\nretired {old_tag}:")
        click.echo(done.retired.to_string(index=False))


def _say(message: str) -> None:
    """Progress on stderr, one plain line each."""
    click.echo(message, err=True)


# -- queries ---------------------------------------------------------------------------------
_PARAM_HELP = ("Query parameter KEY=VALUE (typed by the query's header; KEY:=JSON passes a "
               "JSON value). Repeatable.")


def _result_options(command):
    """The output format, row limit and timeout options of `query` and `cypher`."""
    command = click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
                           default=60.0, show_default=True,
                           help="Seconds before the query is stopped.")(command)
    command = click.option("--limit", type=click.IntRange(min=1), default=1000,
                           show_default=True, help="Most rows to return; a note on stderr "
                           "says when more exist.")(command)
    return click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "json"]),
                        default="table", show_default=True)(command)


@main.command()
@click.argument("name", required=False)
@click.option("--list", "list_all", is_flag=True, help="List the curated queries and exit.")
@click.option("--show", is_flag=True,
              help="Print the query's parameters, columns, example and Cypher; do not run it.")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help=_PARAM_HELP)
@_result_options
def query(name: str | None, list_all: bool, show: bool, params: tuple[str, ...], fmt: str,
          limit: int, timeout: float) -> None:
    """Run the curated query NAME (read-only) and print its rows."""
    if list_all or not name:
        if not list_all:
            raise click.UsageError("give a query NAME, or --list to see them")
        listing = queries.list_queries()
        width = max(map(len, listing["name"]))
        for row in listing.itertuples():
            click.echo(f"{row.name:{width}}  {row.summary}")
            click.echo(f"{'':{width}}  params: {row.params or '-'}")
        return
    spec = queries.get_query(name)
    if show:
        click.echo(queries.describe(name))
        return
    values = queries.parse_cli_params(params, spec)
    _print_result(lambda: queries.run(name, values, limit=limit, timeout=timeout), fmt)


@main.command()
@click.argument("text")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Parameter KEY=VALUE (a string; KEY:=JSON for numbers, lists…). Repeatable.")
@_result_options
def cypher(text: str, params: tuple[str, ...], fmt: str, limit: int, timeout: float) -> None:
    """Run ad hoc read-only Cypher TEXT ('-' reads it from stdin); writes are refused."""
    if text == "-":
        text = sys.stdin.read()
    values = queries.parse_cli_params(params)
    _print_result(lambda: queries.cypher(text, values, limit=limit, timeout=timeout), fmt)


def _print_result(execute, fmt: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", queries.TruncatedWarning)
        frame = execute()
    click.echo(queries.render(frame, fmt))
    for warning in caught:
        if issubclass(warning.category, queries.TruncatedWarning):
            click.echo(f"note: {warning.message}", err=True)


# -- models, screens and the main job (app/cli_models.py) -----------------------------------
for _command in COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()

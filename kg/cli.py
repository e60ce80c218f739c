"""The ``oncokg`` command: one entry point whose subcommands wrap the Python API."""

from __future__ import annotations

import contextlib
import sys

import click

from kg.connection import GraphUnavailable, graph
from kg.server import ManagedServer, ServerError


class OncoKGGroup(click.Group):
    """Turns the project's expected errors into one clear line and exit code 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (GraphUnavailable, ServerError) as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            known = _known_errors()
            if isinstance(exc, known):
                raise click.ClickException(str(exc)) from None
            raise


def _known_errors() -> tuple[type[BaseException], ...]:
    """Error types whose message is the whole story (bad input, not bugs)."""
    from kg.schema import SchemaError
    from kg.writer import WriteError

    errors: list[type[BaseException]] = [SchemaError, WriteError]
    for module, name in (
        ("loaders", "SourceError"),
        ("queries", "QueryError"),
        ("gnn.predict", "PredictionError"),
    ):
        with contextlib.suppress(ImportError, AttributeError):
            errors.append(getattr(__import__(module, fromlist=[name]), name))
    return tuple(errors)


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
    from kg.writer import apply_schema

    with graph() as (driver, database):
        count = apply_schema(driver, database)
    click.echo(f"schema applied: {count} constraints and indexes in place")


@main.command()
@click.option("--sources", is_flag=True, help="Also count relationships per source.")
def stats(sources: bool) -> None:
    """Print node counts per label and relationship counts per type."""
    from kg.stats import graph_counts, source_counts

    with graph() as (driver, database):
        click.echo(graph_counts(driver, database).to_string(index=False))
        if sources:
            click.echo()
            click.echo(source_counts(driver, database).to_string(index=False))


# -- the main job ----------------------------------------------------------------------------
@main.command()
def demo() -> None:
    """Run the main job end to end against the configured Neo4j."""
    from kg.writer import apply_schema

    with graph() as (driver, database):
        apply_schema(driver, database)
        from kg.stats import graph_counts

        click.echo(graph_counts(driver, database).to_string(index=False))


if __name__ == "__main__":  # pragma: no cover
    main()

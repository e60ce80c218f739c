"""OncoKG's curated Cypher library and its read-only runner.

>>> from oncokg import queries
>>> queries.list_queries()                                  # name, summary, params, returns
>>> queries.run("drug_targets", drug="Erlotinib")           # a curated query -> DataFrame
>>> queries.cypher("MATCH (d:Drug {name: $name}) RETURN d.id AS id", name="Gefitinib")

Each curated query is one ``.cypher`` file in this package whose header documents what it
answers, its parameters (with types and an example) and the columns it returns
(``print(queries.describe(name))``). Everything runs read-only: planned with ``EXPLAIN`` and
refused unless it is a pure read, then run in a read transaction with a row limit and a
timeout.
Errors of every kind (unknown query, bad parameter, syntax error, a write, a timeout) raise
``QueryError`` with a one-line message.
"""

from oncokg.queries.errors import QueryError
from oncokg.queries.library import (
    Column,
    Param,
    QuerySpec,
    get_query,
    library,
    parse_cli_params,
    parse_query,
)
from oncokg.queries.output import FORMATS, render
from oncokg.queries.runner import (
    DEFAULT_LIMIT,
    DEFAULT_TIMEOUT_S,
    Runner,
    TruncatedWarning,
    cypher,
    describe,
    list_queries,
    run,
)

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_TIMEOUT_S",
    "FORMATS",
    "Column",
    "Param",
    "QueryError",
    "QuerySpec",
    "Runner",
    "TruncatedWarning",
    "cypher",
    "describe",
    "get_query",
    "library",
    "list_queries",
    "parse_cli_params",
    "parse_query",
    "render",
    "run",
]

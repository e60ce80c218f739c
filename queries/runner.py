"""Run curated or ad hoc Cypher read-only, and return a pandas DataFrame.

Read-only is enforced twice, and neither depends on parsing Cypher here:

1. **Before running**, the query is planned with ``EXPLAIN`` (nothing executes) and refused
   unless Neo4j reports it read-only (``query_type == 'r'``: writes are ``'w'``/``'rw'``,
   schema, administration and DBMS-procedure calls ``'s'``) and its plan contains none of the
   operators that are read-only to Neo4j but not to us: ``LOAD CSV`` (reads files and URLs),
   ``CALL … IN TRANSACTIONS`` (commits on its own), ``TERMINATE TRANSACTIONS``, and calls to
   the procedures in ``REFUSED_PROCEDURES`` (statistics resets, file loaders and exporters).
2. **While running**, the query runs in an explicit *read* transaction (in a
   ``READ_ACCESS`` session), in which Neo4j itself rejects any write.

Every value reaches Neo4j as a parameter. Results stop at a row limit (default 1000; the
DataFrame's ``attrs["truncated"]`` says when more rows existed, and a ``TruncatedWarning`` is
issued) and the transaction at a timeout (default 60 s).
"""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Mapping
from contextlib import contextmanager

import neo4j
import pandas as pd
from neo4j.exceptions import CypherSyntaxError, DriverError, Neo4jError

from oncokg.contract.names import AmbiguousName, NameIndex, NameNotFound, text_forms
from oncokg.kg.connection import CONNECT_TIMEOUT_S, graph
from oncokg.queries.errors import QueryError
from oncokg.queries.library import get_query, library

DEFAULT_LIMIT = 1000
DEFAULT_TIMEOUT_S = 60.0
#: The longest query text the runner sends (characters), and the deepest nesting of brackets
#: outside string literals: Neo4j's parser takes minutes on a few thousand nested parentheses
#: (and no transaction timeout covers parsing), so deeper queries are refused before sending.
MAX_QUERY_CHARS = 100_000
MAX_NESTING = 100
#: The first pause before retrying a transient failure; it doubles on each retry.
RETRY_FIRST_DELAY_S = 0.25

#: Plan operators that Neo4j counts as reads but that reach outside the graph or commit.
REFUSED_OPERATORS = {
    "LoadCSV": "LOAD CSV is not allowed: the runner reads the graph only",
    "TransactionApply": "CALL { … } IN TRANSACTIONS is not allowed: queries run inside one "
                        "read transaction",
    "TransactionForeach": "CALL { … } IN TRANSACTIONS is not allowed: queries run inside one "
                          "read transaction",
    "TerminateTransactions": "TERMINATE TRANSACTIONS is an administration command and is "
                             "not allowed",
}
#: READ-mode procedures (and prefixes) refused because they change state or touch files.
REFUSED_PROCEDURES = (
    "db.stats.clear", "db.stats.collect", "db.stats.stop", "db.prepareForReplanning",
    "db.resampleIndex", "db.resampleOutdatedIndexes",
    "apoc.load.", "apoc.import.", "apoc.export.", "apoc.log.", "apoc.trigger.",
    "apoc.periodic.", "apoc.systemdb.", "apoc.cypher.",
)
_EXPLAIN = "EXPLAIN "
_POSITION = re.compile(r"\(line (\d+), column (\d+) \(offset: (\d+)\)\)")
_QUERY_TYPES = {
    "w": "it writes to the graph",
    "rw": "it writes to the graph",
    "s": "it is a schema, administration or DBMS command",
}


#: The drugs a typed name may mean: key in any case, or a stored normalized name form.
_DRUG_CANDIDATES = (
    "MATCH (d:Drug) WHERE toLower(d.id) = toLower($text) "
    "OR any(form IN $forms WHERE form IN coalesce(d.name_forms, [])) "
    "RETURN d.id AS id, d.name AS name, d.synonyms AS synonyms"
)


class TruncatedWarning(UserWarning):
    """A result was cut at the row limit; more rows exist."""


class Runner:
    """Runs queries read-only through one driver.

    ``Runner(driver)`` uses a driver you manage; ``with Runner.connect() as runner`` opens one
    from the environment (``NEO4J_URI`` … or the managed server) and closes it afterwards.
    """

    def __init__(self, driver: neo4j.Driver, database: str | None = None) -> None:
        self.driver = driver
        self.database = database

    @classmethod
    @contextmanager
    def connect(cls, database: str | None = None, timeout_s: float = CONNECT_TIMEOUT_S):
        with graph(timeout_s=timeout_s) as (driver, default_database):
            yield cls(driver, database or default_database)

    def run(self, name: str, /, params: Mapping[str, object] | None = None, *,
            limit: int = DEFAULT_LIMIT, timeout: float | None = DEFAULT_TIMEOUT_S,
            **kwparams: object) -> pd.DataFrame:
        """Run the library query ``name`` with checked parameters."""
        spec = get_query(name)
        bound = spec.bind({**(params or {}), **kwparams})
        for param in spec.params:
            if param.type == "drug" and bound.get(param.name) is not None:
                bound[param.name] = self.drug_key(bound[param.name], f"query {name!r}")
        frame = self._execute(spec.cypher, bound, limit, timeout, label=f"query {name!r}")
        frame.attrs["query"] = name
        return frame

    def cypher(self, text: str, /, params: Mapping[str, object] | None = None, *,
               limit: int = DEFAULT_LIMIT, timeout: float | None = DEFAULT_TIMEOUT_S,
               **kwparams: object) -> pd.DataFrame:
        """Run ad hoc read-only Cypher; values go in as parameters (``$name``)."""
        if not isinstance(text, str) or not text.strip():
            raise QueryError("no Cypher given")
        frame = self._execute(text, {**(params or {}), **kwparams}, limit, timeout,
                              label="the query")
        frame.attrs["query"] = None
        return frame

    def drug_key(self, text: str, label: str = "the query") -> str:
        """The key of the one drug ``text`` names (key, name or synonym, any spelling).

        Candidates are the drugs whose key matches in any case or whose stored
        ``name_forms`` hold a form of ``text``; ``oncokg.contract.names`` then picks by tier
        and refuses a name that two drugs share.
        """
        rows = self._execute(_DRUG_CANDIDATES, {"text": str(text).strip(),
                                                "forms": text_forms(text)},
                             limit=1000, timeout=DEFAULT_TIMEOUT_S, label=label)
        index: NameIndex[str] = NameIndex("drug")
        for row in rows.itertuples(index=False):
            index.add(row.id, key=row.id, names=[row.name], synonyms=row.synonyms or [])
        try:
            return index.resolve(text)
        except (NameNotFound, AmbiguousName) as error:
            raise QueryError(f"{label}: {error}") from None

    def check(self, text: str, params: Mapping[str, object] | None = None) -> str:
        """Plan ``text`` with EXPLAIN and refuse anything but a pure read; returns its type."""
        _check_size(text, "the query")
        return self._check(text, dict(params or {}), "the query", DEFAULT_TIMEOUT_S,
                           time.monotonic() + DEFAULT_TIMEOUT_S)

    # -- internals -----------------------------------------------------------------------
    def _execute(self, text: str, params: dict, limit: int, timeout: float | None,
                 label: str) -> pd.DataFrame:
        limit = _check_limit(limit)
        timeout = _check_timeout(timeout)
        _check_size(text, label)
        started = time.perf_counter()
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            self._check(text, params, label, timeout, deadline)
            keys, rows, truncated = self._read(text, params, limit, deadline)
        except Neo4jError as exc:
            raise _query_error(exc, label, timeout) from None
        except DriverError as exc:
            if deadline is None or time.monotonic() < deadline:
                raise
            raise QueryError(f"{label} did not finish within the timeout of {timeout:g} s: "
                             f"Neo4j did not answer ({type(exc).__name__}); raise it with "
                             "timeout= / --timeout or check `oncokg neo4j status`") from None
        frame = _frame(keys, rows)
        frame.attrs.update(truncated=truncated, limit=limit, params=params,
                           seconds=round(time.perf_counter() - started, 3))
        if truncated:
            warnings.warn(
                f"{label} returned more than {limit} row{'s' if limit > 1 else ''}; showing "
                f"the first {limit} (raise limit= / --limit to see more)", TruncatedWarning,
                stacklevel=3,
            )
        return frame

    def _check(self, text: str, params: dict, label: str, timeout: float | None,
               deadline: float | None) -> str:
        try:
            with self._session(deadline, disable_auto_commit_retries=True) as session:
                result = session.run(neo4j.Query(_EXPLAIN + text, timeout=_left(deadline)),
                                     params)
                summary = result.consume()
        except Neo4jError as exc:
            raise _query_error(exc, label, timeout, prefix=len(_EXPLAIN)) from None
        kind = summary.query_type
        if kind != "r":
            reason = _QUERY_TYPES.get(kind, f"Neo4j classifies it as {kind!r}")
            raise QueryError(f"refused: {label} is not read-only ({reason}); the query "
                             "runner only reads")
        for operator, details in _operators(summary.plan):
            if operator in REFUSED_OPERATORS:
                raise QueryError(f"refused: {REFUSED_OPERATORS[operator]}")
            if operator == "ProcedureCall":
                procedure = details.split("(", 1)[0].strip()
                if procedure.startswith(REFUSED_PROCEDURES):
                    raise QueryError(f"refused: procedure {procedure} changes database state "
                                     "or reaches outside the graph")
        return kind

    def _read(self, text: str, params: dict, limit: int, deadline: float | None
              ) -> tuple[list[str], list[list], bool]:
        """Run ``text`` in a read transaction, retrying transient failures until ``deadline``.

        The driver's own retry loop starts its clock after the first attempt and gives every
        attempt the full timeout, so a query could run for several timeouts; here each attempt
        gets only the time left, and no retry starts once the deadline has passed.
        """
        delay = RETRY_FIRST_DELAY_S
        while True:
            try:
                with (self._session(deadline, fetch_size=min(limit + 1, 1000)) as session,
                      session.begin_transaction(timeout=_left(deadline)) as tx):
                    return _fetch(tx.run(text, params), limit)
            except (Neo4jError, DriverError) as exc:
                left = _left(deadline)
                if not exc.is_retryable() or (left is not None and left <= delay):
                    raise
            time.sleep(delay)
            delay *= 2

    def _session(self, deadline: float | None = None, **config):
        if deadline is not None:
            config["connection_acquisition_timeout"] = _left(deadline)
        return self.driver.session(database=self.database,
                                   default_access_mode=neo4j.READ_ACCESS, **config)


def run(name: str, /, params: Mapping[str, object] | None = None, *,
        limit: int = DEFAULT_LIMIT, timeout: float | None = DEFAULT_TIMEOUT_S,
        driver: neo4j.Driver | None = None, database: str | None = None,
        **kwparams: object) -> pd.DataFrame:
    """Run the curated query ``name`` and return its rows as a DataFrame.

    Parameters are keyword arguments (``run("drug_targets", drug="Erlotinib")``) or a
    ``params`` mapping. Without ``driver``, a connection is opened from the environment for
    this call. Raises ``QueryError`` for an unknown name, a missing, unknown or mistyped
    parameter, a timeout or a Neo4j error.
    """
    get_query(name)  # fail on an unknown name before connecting
    with _runner(driver, database, timeout) as runner:
        return runner.run(name, params, limit=limit, timeout=timeout, **kwparams)


def cypher(text: str, /, params: Mapping[str, object] | None = None, *,
           limit: int = DEFAULT_LIMIT, timeout: float | None = DEFAULT_TIMEOUT_S,
           driver: neo4j.Driver | None = None, database: str | None = None,
           **kwparams: object) -> pd.DataFrame:
    """Run ad hoc read-only Cypher (``$name`` parameters) and return a DataFrame.

    Anything that would write, change the schema, administer the server, load files or
    commit on its own is refused with ``QueryError`` before it runs.
    """
    with _runner(driver, database, timeout) as runner:
        return runner.cypher(text, params, limit=limit, timeout=timeout, **kwparams)


def list_queries() -> pd.DataFrame:
    """One row per curated query: name, summary, parameters and returned columns."""
    rows = [
        {
            "name": spec.name,
            "summary": spec.summary,
            "params": ", ".join(p.name if p.required else f"[{p.name}]" for p in spec.params),
            "returns": ", ".join(c.name for c in spec.returns),
        }
        for spec in library().values()
    ]
    return pd.DataFrame(rows, columns=["name", "summary", "params", "returns"])


def describe(name: str) -> str:
    """One curated query's documentation: description, parameters, columns, example, Cypher."""
    spec = get_query(name)
    return f"{spec.describe()}\n\ncypher:\n{spec.cypher}"


@contextmanager
def _runner(driver: neo4j.Driver | None, database: str | None, timeout: float | None):
    """A runner on ``driver``, or on a connection opened for the call: its connecting counts
    against ``timeout`` too (at most ``CONNECT_TIMEOUT_S``)."""
    if driver is not None:
        yield Runner(driver, database)
    else:
        timeout = _check_timeout(timeout)
        with Runner.connect(database, min(timeout or CONNECT_TIMEOUT_S,
                                          CONNECT_TIMEOUT_S)) as runner:
            yield runner


def _operators(plan: dict | None):
    """(operator, details) for every node of an EXPLAIN plan."""
    if not plan:
        return
    stack = [plan]
    while stack:
        node = stack.pop()
        operator = str(node.get("operatorType", "")).split("@", 1)[0]
        details = str((node.get("args") or {}).get("Details", ""))
        yield operator, details
        stack.extend(node.get("children") or [])


def _frame(keys: list[str], rows: list[list]) -> pd.DataFrame:
    """Rows as a DataFrame; nodes, relationships and paths become plain Python values."""
    if any(isinstance(v, neo4j.graph.Entity | neo4j.graph.Path) for row in rows for v in row):
        rows = [[_plain(v) for v in row] for row in rows]
    frame = pd.DataFrame(rows, columns=keys)
    if not rows:
        return frame.astype(object)
    # Integer and boolean columns with missing values stay integers and booleans (nullable
    # dtypes) instead of turning into floats and objects.
    for position, key in enumerate(keys):
        values = [row[position] for row in rows]
        present = [v for v in values if v is not None]
        if not present or len(present) == len(values):
            continue
        if all(isinstance(v, bool) for v in present):
            frame[key] = pd.array(values, dtype="boolean")
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in present):
            frame[key] = pd.array(values, dtype="Int64")
    return frame


def _plain(value: object) -> object:
    if isinstance(value, neo4j.graph.Node):
        return {"_labels": sorted(value.labels), **dict(value)}
    if isinstance(value, neo4j.graph.Relationship):
        return {"_type": value.type, **dict(value)}
    if isinstance(value, neo4j.graph.Path):
        return [_plain(n) for n in value.nodes]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _fetch(result: neo4j.Result, limit: int) -> tuple[list[str], list[list], bool]:
    """The keys and at most ``limit`` rows of ``result``, and whether more rows existed."""
    keys = list(result.keys())
    rows = []
    for record in result:
        if len(rows) == limit:
            return keys, rows, True
        rows.append(record.values())
    return keys, rows, False


def _left(deadline: float | None) -> float | None:
    """Seconds until ``deadline`` (at least a millisecond), or None without one."""
    return None if deadline is None else max(deadline - time.monotonic(), 0.001)


def _check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise QueryError(f"the row limit must be a positive integer, got {limit!r}")
    return limit


def _check_size(text: str, label: str) -> None:
    """Refuse query text over ``MAX_QUERY_CHARS`` or nested deeper than ``MAX_NESTING``."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"refused: {label} is {len(text):,} characters long (the limit is "
                         f"{MAX_QUERY_CHARS:,}); pass large values as parameters")
    depth = deepest = 0
    quote = None
    escaped = False
    for char in text:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
        elif char in "'\"`":
            quote = char
        elif char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    if deepest > MAX_NESTING:
        raise QueryError(f"refused: {label} nests brackets {deepest} deep (the limit is "
                         f"{MAX_NESTING})")


def _check_timeout(timeout: float | None) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise QueryError(f"the timeout must be a positive number of seconds, got {timeout!r}")
    return float(timeout)


def _query_error(exc: Neo4jError, label: str, timeout: float | None,
                 prefix: int = 0) -> QueryError:
    """A one-line QueryError for a Neo4j error.

    ``prefix`` is the length of text the runner put before the user's query (``EXPLAIN ``):
    error positions are shifted back so that they point into the user's text.
    """
    code = exc.code or ""
    message = exc.message or str(exc)
    position = _POSITION.search(message)
    if position:
        line, column, offset = (int(g) for g in position.groups())
        if line == 1:
            column = max(column - prefix, 1)
        message = (message[: position.start()]
                   + f"(line {line}, column {column}, offset {max(offset - prefix, 0)})")
    message = " ".join(message.split())
    if "TransactionTimedOut" in code:
        limit = f"the timeout of {timeout:g} s" if timeout else "the server's timeout"
        return QueryError(f"{label} did not finish within {limit} "
                          "(raise it with timeout= / --timeout)")
    if code.endswith("Transaction.Terminated"):
        return QueryError(f"{label} was terminated by the server: {message}")
    if isinstance(exc, CypherSyntaxError) or code.endswith("Statement.SyntaxError"):
        return QueryError(f"Cypher syntax error in {label}: {message}")
    if code.endswith("Statement.ParameterMissing"):
        return QueryError(f"{label}: {message} (pass it as a parameter: --param NAME=VALUE "
                          "or NAME=value in Python)")
    if code.endswith("Statement.AccessMode"):
        return QueryError(f"refused: {label} tried to write; the query runner only reads")
    if code.endswith("Statement.UnsupportedAdministrationCommand"):
        return QueryError(f"refused: {label} is an administration command ({message})")
    if code.endswith("Statement.ArgumentError") and "execution mode" in message:
        return QueryError(f"{label}: PROFILE is not supported by the runner; use the Neo4j "
                          "Browser or cypher-shell to profile a query")
    if code.endswith("TransactionStartFailed") and "IN TRANSACTIONS" in message:
        return QueryError(f"refused: {REFUSED_OPERATORS['TransactionApply']}")
    return QueryError(f"{label} failed: {message} [{code}]")

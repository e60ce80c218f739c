"""The curated query library: one ``.cypher`` file per query, documented by its header.

Each file starts with a header of ``//`` comment lines that the runner reads, then the Cypher::

    // name: biomarkers_for_drug
    // description: Mutations that clinical evidence links to response or resistance to a drug,
    //   with the evidence level and PubMed ids.
    // param: drug (string, example "Dabrafenib"): drug name, synonym or id, any case
    // param: direction (string, default "any", example "resistance"): sensitivity, resistance
    //   or any
    // returns: mutation (string): the mutation id, e.g. "BRAF p.V600E"
    // returns: pmids (list<string>): PubMed ids of the evidence
    MATCH ...

* ``name`` equals the file name without ``.cypher``.
* ``param: NAME (TYPE[, default VALUE][, example VALUE][, choices [VALUE, ...]]): text``
  declares a parameter; TYPE is one of ``string``, ``integer``, ``float``, ``boolean``; VALUE
  is a JSON literal. A parameter with a default is optional; one with choices accepts only
  those values. Every parameter has an example (the default serves when there is
  none): the tests run every query with its examples, so the documentation cannot drift.
* ``returns: COLUMN (TYPE): text`` declares each returned column, in order; TYPE is a parameter
  type, ``list<string>``, ``list<integer>``, ``list<float>`` or ``map``.
* A line indented by two or more spaces after ``//`` continues the field above it.

The header is checked when the library loads: unknown fields, undeclared ``$parameters`` and
declared parameters the Cypher never uses are errors, not surprises at run time.
"""

from __future__ import annotations

import difflib
import json
import re
import textwrap
from dataclasses import dataclass
from functools import cache
from importlib import resources

from oncokg.queries.errors import QueryError

#: Parameter types a header may declare, and the Python types each accepts.
PARAM_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    # a drug's name, synonym or key in any spelling; the runner resolves it to the Drug key
    "drug": (str,),
    "integer": (int,),
    "float": (float, int),
    "boolean": (bool,),
}
#: Column types a header may declare for its results.
COLUMN_TYPES = frozenset(
    ["string", "integer", "float", "boolean", "list<string>", "list<integer>", "list<float>",
     "map"]
)
#: Keyword arguments of ``run`` that therefore cannot name a query parameter.
RESERVED_PARAMS = frozenset({"params", "limit", "timeout", "driver", "database"})

_FIELD = re.compile(r"^//\s?(?P<key>[a-z]+):\s*(?P<value>.*)$")
_CONTINUATION = re.compile(r"^//\s{2,}(?P<value>\S.*)$")
_PARAM = re.compile(r"^(?P<name>[a-z][a-z0-9_]*)\s*\((?P<type>[a-z]+)(?P<rest>.*)$", re.S)
_COLUMN = re.compile(r"^(?P<name>[a-z][a-z0-9_]*)\s*\((?P<type>[a-z<>]+)\)\s*:\s*(?P<doc>.*)$",
                     re.S)
_PARAM_USE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_NO_VALUE = object()


@dataclass(frozen=True)
class Param:
    """A declared query parameter."""

    name: str
    type: str
    doc: str
    example: object
    default: object = _NO_VALUE
    choices: tuple = ()

    @property
    def required(self) -> bool:
        return self.default is _NO_VALUE

    def check(self, value: object, query: str) -> object:
        """The value, typed; or ``QueryError`` naming the query, parameter and value."""
        allowed = PARAM_TYPES[self.type]
        if isinstance(value, bool) and bool not in allowed:
            allowed = ()
        if not isinstance(value, allowed):
            raise QueryError(
                f"query {query!r}: parameter {self.name!r} must be {_article(self.type)}, "
                f"got {type(value).__name__} {value!r:.60}"
            )
        value = float(value) if self.type == "float" else value
        if self.choices and value not in self.choices:
            raise QueryError(
                f"query {query!r}: parameter {self.name!r} must be one of "
                f"{', '.join(json.dumps(c) for c in self.choices)}, got {value!r:.60}"
            )
        return value

    def parse(self, text: str, query: str) -> object:
        """A command-line string converted to this parameter's type."""
        try:
            if self.type == "integer":
                return int(text)
            if self.type == "float":
                return float(text)
            if self.type == "boolean":
                lowered = text.strip().lower()
                if lowered in {"true", "yes", "1"}:
                    return True
                if lowered in {"false", "no", "0"}:
                    return False
                raise ValueError(text)
        except ValueError:
            raise QueryError(
                f"query {query!r}: parameter {self.name!r} must be {_article(self.type)}, "
                f"got {text!r:.60}"
            ) from None
        return text

    def describe(self) -> str:
        extras = [self.type]
        if not self.required:
            extras.append(f"default {json.dumps(self.default)}")
        extras.append(f"example {json.dumps(self.example)}")
        if self.choices:
            extras.append(f"one of {', '.join(json.dumps(c) for c in self.choices)}")
        return f"{self.name} ({', '.join(extras)}): {self.doc}"


@dataclass(frozen=True)
class Column:
    """A declared result column."""

    name: str
    type: str
    doc: str


@dataclass(frozen=True)
class QuerySpec:
    """One curated query: its documentation and its Cypher."""

    name: str
    description: str
    params: tuple[Param, ...]
    returns: tuple[Column, ...]
    cypher: str
    source: str = ""

    @property
    def summary(self) -> str:
        """The first sentence of the description."""
        first = self.description.split(". ")[0].rstrip(".")
        return first + "."

    @property
    def examples(self) -> dict[str, object]:
        """Parameter values that run the documented example."""
        return {p.name: p.example for p in self.params}

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        raise QueryError(
            f"query {self.name!r} has no parameter {name!r}; it takes "
            f"{self._param_names()}"
        )

    def bind(self, values: dict[str, object]) -> dict[str, object]:
        """Checked parameters with defaults filled in, or ``QueryError``."""
        declared = {p.name for p in self.params}
        unknown = sorted(set(values) - declared)
        if unknown:
            raise QueryError(
                f"query {self.name!r} has no parameter {unknown[0]!r}; it takes "
                f"{self._param_names()}"
            )
        bound = {}
        for param in self.params:
            if values.get(param.name) is not None:
                bound[param.name] = param.check(values[param.name], self.name)
            elif param.required:
                raise QueryError(
                    f"query {self.name!r}: missing parameter {param.name!r} "
                    f"({param.type}, e.g. {json.dumps(param.example)}): {param.doc}"
                )
            else:
                bound[param.name] = param.default
        return bound

    def describe(self) -> str:
        """Human-readable documentation: description, parameters, columns and an example."""
        lines = [self.name, "", _wrap(self.description), "", "parameters:"]
        lines += [f"  {p.describe()}" for p in self.params] or ["  (none)"]
        lines += ["", "returns:"]
        lines += [f"  {c.name} ({c.type}): {c.doc}" for c in self.returns]
        example = " ".join(
            f"--param {p.name}={_shell_value(p.example)}" for p in self.params
        )
        lines += ["", "example:", f"  oncokg query {self.name} {example}".rstrip()]
        return "\n".join(lines)

    def _param_names(self) -> str:
        names = [p.name for p in self.params]
        return ", ".join(names) if names else "no parameters"


def parse_query(text: str, name: str | None = None, source: str = "") -> QuerySpec:
    """Parse one ``.cypher`` file; ``QueryError`` names the file and the problem."""
    where = source or name or "query"
    header: list[tuple[str, str]] = []
    lines = text.splitlines()
    body_start = len(lines)
    for number, line in enumerate(lines):
        stripped = line.rstrip()
        if not stripped.startswith("//"):
            body_start = number
            break
        if stripped.strip("/ ") == "":
            continue
        continuation = _CONTINUATION.match(stripped)
        field_match = _FIELD.match(stripped)
        if continuation and header:
            key, value = header[-1]
            header[-1] = (key, f"{value} {continuation['value'].strip()}")
        elif field_match and field_match["key"] in {"name", "description", "param", "returns"}:
            header.append((field_match["key"], field_match["value"].strip()))
        else:
            raise QueryError(
                f"{where}, line {number + 1}: expected '// name:', '// description:', "
                f"'// param:' or '// returns:' (or an indented continuation), got {stripped!r}"
            )
    cypher = "\n".join(lines[body_start:]).strip()

    names = [v for k, v in header if k == "name"]
    descriptions = [v for k, v in header if k == "description"]
    if len(names) != 1 or not _NAME.match(names[0]):
        raise QueryError(f"{where}: the header needs exactly one '// name: snake_case_name'")
    if name is not None and names[0] != name:
        raise QueryError(f"{where}: header name {names[0]!r} differs from the file name {name!r}")
    if len(descriptions) != 1 or not descriptions[0]:
        raise QueryError(f"{where}: the header needs exactly one '// description:'")
    params = tuple(_parse_param(v, where) for k, v in header if k == "param")
    returns = tuple(_parse_column(v, where) for k, v in header if k == "returns")
    if not returns:
        raise QueryError(f"{where}: the header declares no '// returns:' columns")
    if not cypher:
        raise QueryError(f"{where}: no Cypher after the header")
    for duplicated in _duplicates([p.name for p in params]):
        raise QueryError(f"{where}: parameter {duplicated!r} declared twice")
    for duplicated in _duplicates([c.name for c in returns]):
        raise QueryError(f"{where}: column {duplicated!r} declared twice")
    used = set(_PARAM_USE.findall(cypher))
    declared = {p.name for p in params}
    if used - declared:
        raise QueryError(f"{where}: the Cypher uses undeclared parameter(s) "
                         f"{', '.join('$' + u for u in sorted(used - declared))}")
    if declared - used:
        raise QueryError(f"{where}: declared parameter(s) never used: "
                         f"{', '.join(sorted(declared - used))}")
    return QuerySpec(names[0], descriptions[0], params, returns, cypher, source)


def _parse_param(value: str, where: str) -> Param:
    match = _PARAM.match(value)
    if not match or match["type"] not in PARAM_TYPES:
        raise QueryError(
            f"{where}: bad parameter declaration {value!r}; expected "
            f"'NAME (TYPE[, default VALUE][, example VALUE][, choices [...]]): text' with "
            f"TYPE one of "
            f"{', '.join(PARAM_TYPES)}"
        )
    name, type_ = match["name"], match["type"]
    if name in RESERVED_PARAMS:
        raise QueryError(f"{where}: parameter name {name!r} is reserved by the runner "
                         f"({', '.join(sorted(RESERVED_PARAMS))})")
    rest = match["rest"]
    options: dict[str, object] = {}
    decoder = json.JSONDecoder()
    position = 0
    while True:
        option = re.match(r"\s*,\s*(default|example|choices)\s+", rest[position:])
        if not option:
            break
        try:
            literal, end = decoder.raw_decode(rest, position + option.end())
        except json.JSONDecodeError:
            raise QueryError(f"{where}: parameter {name!r}: the {option[1]} must be a JSON "
                             "literal, e.g. \"text\", 3, 0.5 or true") from None
        options[option[1]] = literal
        position = end
    closing = re.match(r"\s*\)\s*:\s*(?P<doc>.*)$", rest[position:], re.S)
    if not closing or not closing["doc"]:
        raise QueryError(f"{where}: parameter {name!r}: expected '): description' after "
                         f"the type and options in {value!r}")
    if "default" not in options and "example" not in options:
        raise QueryError(f"{where}: parameter {name!r} needs an example (or a default)")
    choices = options.pop("choices", [])
    if not isinstance(choices, list):
        raise QueryError(f"{where}: parameter {name!r}: choices must be a JSON list")
    probe = Param(name, type_, closing["doc"], None)
    for literal in choices:
        probe.check(literal, where)
    probe = Param(name, type_, closing["doc"], None, choices=tuple(choices))
    for literal in options.values():
        if literal is not None:
            probe.check(literal, where)
    return Param(name, type_, closing["doc"].strip(),
                 options.get("example", options.get("default")),
                 options.get("default", _NO_VALUE), tuple(choices))


def _parse_column(value: str, where: str) -> Column:
    match = _COLUMN.match(value)
    if not match or match["type"] not in COLUMN_TYPES:
        raise QueryError(
            f"{where}: bad column declaration {value!r}; expected 'NAME (TYPE): text' with "
            f"TYPE one of {', '.join(sorted(COLUMN_TYPES))}"
        )
    return Column(match["name"], match["type"], match["doc"].strip())


@cache
def library() -> dict[str, QuerySpec]:
    """Every curated query shipped with the package, by name."""
    specs: dict[str, QuerySpec] = {}
    for entry in sorted(resources.files("oncokg.queries").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".cypher"):
            name = entry.name.removesuffix(".cypher")
            specs[name] = parse_query(entry.read_text(encoding="utf-8"), name,
                                      f"queries/{entry.name}")
    return specs


def get_query(name: str) -> QuerySpec:
    """The named query, or ``QueryError`` listing close names."""
    specs = library()
    try:
        return specs[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(specs), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise QueryError(
            f"unknown query {name!r}{hint} (`oncokg query --list` shows all {len(specs)})"
        ) from None


def parse_cli_params(pairs: list[str] | tuple[str, ...],
                     spec: QuerySpec | None = None) -> dict[str, object]:
    """``KEY=VALUE`` strings as parameters: typed by the query's header when ``spec`` is given
    (strings otherwise); ``KEY:=JSON`` passes a JSON value as is (a number, list, ``null``…).
    """
    values: dict[str, object] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise QueryError(f"--param {pair!r}: expected KEY=VALUE (or KEY:=JSON)")
        if key.endswith(":"):
            key = key[:-1]
            try:
                value: object = json.loads(text)
            except json.JSONDecodeError as exc:
                raise QueryError(f"--param {pair!r}: not valid JSON ({exc.msg})") from None
        elif spec is not None:
            value = spec.param(key).parse(text, spec.name)
        else:
            value = text
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise QueryError(f"--param {pair!r}: {key!r} is not a parameter name")
        if key in values:
            raise QueryError(f"--param {key!r} given twice")
        values[key] = value
    return values


def _duplicates(names: list[str]) -> list[str]:
    seen: set[str] = set()
    return [n for n in names if n in seen or seen.add(n)]


def _article(type_: str) -> str:
    return {"integer": "an integer", "float": "a number", "boolean": "true or false",
            "string": "a string", "drug": "a string (a drug name)"}[type_]


def _shell_value(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    if re.fullmatch(r"[A-Za-z0-9_.:+-]+", text):
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _wrap(text: str, width: int = 96) -> str:
    return textwrap.fill(text, width)

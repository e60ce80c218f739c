"""The ``.cypher`` headers: what the parser accepts, what it refuses, and the shipped library."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from oncokg import queries
from oncokg.contract.schema import SCHEMA, SOURCE_LABEL
from oncokg.queries import QueryError, parse_cli_params, parse_query
from oncokg.queries.library import COLUMN_TYPES

GOOD = """\
// name: demo
// description: A demo query. It has a second sentence
//   that continues here.
// param: drug (string, example "Erlotinib"): drug name
// param: top (integer, default 5, example 3): how many
// param: side (string, default "any", example "left", choices ["any", "left", "right"]):
//   which side
// returns: drug (string): the drug
// returns: genes (list<string>): its genes
MATCH (d:Drug) WHERE d.name = $drug AND $side <> '' RETURN d.name AS drug, [] AS genes
LIMIT $top
"""


def test_a_header_parses_into_params_columns_and_cypher():
    spec = parse_query(GOOD, "demo")
    assert spec.summary == "A demo query."
    assert spec.description.endswith("second sentence that continues here.")
    assert [(p.name, p.type, p.required) for p in spec.params] == [
        ("drug", "string", True), ("top", "integer", False), ("side", "string", False)]
    assert spec.examples == {"drug": "Erlotinib", "top": 3, "side": "left"}
    assert spec.param("side").choices == ("any", "left", "right")
    assert spec.param("side").doc == "which side"
    assert [(c.name, c.type) for c in spec.returns] == [("drug", "string"),
                                                         ("genes", "list<string>")]
    assert spec.cypher.startswith("MATCH (d:Drug)") and "//" not in spec.cypher
    assert spec.bind({"drug": "X"}) == {"drug": "X", "top": 5, "side": "any"}
    assert "oncokg query demo --param drug=Erlotinib --param top=3" in spec.describe()


@pytest.mark.parametrize("change, message", [
    (("// name: demo", "// name: other"), "differs from the file name"),
    (("// name: demo\n", ""), "exactly one '// name:"),
    (("// description: A demo query. It has a second sentence\n//   that continues here.\n",
      ""), "exactly one '// description:'"),
    (("// returns: drug", "// return: drug"), "expected '// name:'"),
    (("(string, example \"Erlotinib\")", "(text, example \"Erlotinib\")"),
     "bad parameter declaration"),
    (("(string, example \"Erlotinib\")", "(string)"), "needs an example"),
    (("(string, example \"Erlotinib\")", "(string, example Erlotinib)"), "JSON literal"),
    (("(integer, default 5, example 3)", "(integer, default 5, example \"3\")"),
     "must be an integer"),
    (("example \"left\", choices", "example \"up\", choices"), "must be one of"),
    (("// param: top", "// param: limit"), "reserved by the runner"),
    (("(list<string>)", "(array)"), "bad column declaration"),
    (("AND $side <> ''", "AND $sides <> ''"), r"undeclared parameter\(s\) \$sides"),
    (("LIMIT $top", "LIMIT 5"), r"never used: top"),
    (("// returns: genes (list<string>): its genes\n", "// returns: drug (string): again\n"),
     "column 'drug' declared twice"),
])
def test_bad_headers_are_refused_with_the_reason(change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(QueryError, match=message):
        parse_query(GOOD.replace(old, new), "demo", "queries/demo.cypher")


def test_command_line_parameters_are_typed_by_the_header():
    spec = parse_query(GOOD, "demo")
    assert parse_cli_params(["drug=Erlotinib", "top=7"], spec) == {"drug": "Erlotinib", "top": 7}
    assert parse_cli_params(["top:=7", "drug:=\"x=y\""], spec) == {"top": 7, "drug": "x=y"}
    assert parse_cli_params(["n=5", "m:=5", "l:=[1, 2]"]) == {"n": "5", "m": 5, "l": [1, 2]}
    for bad, message in [(["top=seven"], "must be an integer, got 'seven'"),
                         (["nope=1"], "has no parameter 'nope'"),
                         (["drug"], "expected KEY=VALUE"),
                         (["top:=[1"], "not valid JSON"),
                         (["drug=a", "drug=b"], "given twice")]:
        with pytest.raises(QueryError, match=message):
            parse_cli_params(bad, spec)


def test_the_library_ships_at_least_fifteen_documented_queries():
    library = queries.library()
    files = sorted(f.name for f in resources.files("oncokg.queries").iterdir()
                   if f.name.endswith(".cypher"))
    assert len(library) >= 15
    assert files == sorted(f"{name}.cypher" for name in library)
    listing = queries.list_queries()
    assert listing["name"].tolist() == sorted(library)
    for spec in library.values():
        assert spec.description and len(spec.summary) < 120, spec.name
        assert all(c.type in COLUMN_TYPES for c in spec.returns)
        assert all(p.doc for p in spec.params) and all(c.doc for c in spec.returns)


def test_queries_use_only_the_schemas_labels_and_relationship_types():
    for spec in queries.library().values():
        for label in re.findall(r"\(\w*:(\w+)", spec.cypher):
            assert label in SCHEMA.nodes or label == SOURCE_LABEL, (spec.name, label)
        for types in re.findall(r"\[\w*:([\w|]+)", spec.cypher):
            for rel_type in types.split("|"):
                assert rel_type in SCHEMA.rels, (spec.name, rel_type)

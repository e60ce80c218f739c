"""The runner is read-only for real, and every bad input ends in a clear QueryError.

Runs against the real Neo4j with the small graph of ``smallgraph.py``; each refused statement
is checked against a snapshot of data, tokens, schema and users taken before it.
"""

from __future__ import annotations

import time

import neo4j
import pytest

from oncokg import queries
from oncokg.queries import QueryError, Runner
from tests.queries.smallgraph import EVIL_NAME, snapshot

# (statement, what the error must say). Each would change the graph, the schema, the users or
# the server, read outside the graph, or commit on its own.
WRITE_FORMS = {
    "create": ("CREATE (n:Drug {id: 'NEW'}) RETURN n", "not read-only"),
    "create lowercase, after a comment": ("// harmless?\ncreate (:Drug {id: 'NEW'})",
                                          "not read-only"),
    "merge": ("MERGE (n:Drug {id: 'NEW'}) RETURN n.id", "not read-only"),
    "set property": ("MATCH (d:Drug) SET d.name = 'changed'", "not read-only"),
    "set label": ("MATCH (d:Drug) SET d:Hacked", "not read-only"),
    "set from parameter map": ("MATCH (d:Drug) SET d += $props", "not read-only"),
    "delete": ("MATCH (p:Pathway) WHERE NOT (p)--() DELETE p", "not read-only"),
    "detach delete": ("MATCH (n) DETACH DELETE n", "not read-only"),
    "remove property": ("MATCH (d:Drug) REMOVE d.name", "not read-only"),
    "remove label": ("MATCH (d:Drug) REMOVE d:Drug", "not read-only"),
    "foreach create": ("FOREACH (x IN [1, 2] | CREATE (:Drug {id: toString(x)}))",
                       "not read-only"),
    "write in a subquery": ("MATCH (d:Drug) CALL (d) { SET d.flag = true } RETURN d.id",
                            "not read-only"),
    "runtime option prefix": ("CYPHER runtime=slotted CREATE (:Drug {id: 'NEW'})",
                              "not read-only"),
    "load csv, read only": ("LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
                            "LOAD CSV is not allowed"),
    "load csv, writing": ("LOAD CSV FROM 'file:///x.csv' AS row CREATE (:Drug {id: row[0]})",
                          "not read-only"),
    "writing procedure createLabel": ("CALL db.createLabel('Hacked')", "not read-only"),
    "writing procedure createProperty": ("CALL db.createProperty('hacked')", "not read-only"),
    "writing procedure createRelationshipType": ("CALL db.createRelationshipType('HACKED')",
                                                 "not read-only"),
    "DBMS procedure": ("CALL db.clearQueryCaches()", "schema, administration or DBMS"),
    "statistics procedure": ("CALL db.stats.collect('QUERIES')",
                             "procedure db.stats.collect"),
    "call in transactions, reading": (
        "CALL { MATCH (d:Drug) RETURN d } IN TRANSACTIONS RETURN d.id",
        "IN TRANSACTIONS is not allowed"),
    "call in transactions, writing": (
        "MATCH (d:Drug) CALL (d) { SET d.flag = 1 } IN TRANSACTIONS", "not read-only"),
    "create index": ("CREATE INDEX hacked FOR (n:Drug) ON (n.smiles)",
                     "schema, administration"),
    "create constraint": ("CREATE CONSTRAINT hacked FOR (n:Gene) REQUIRE n.name IS UNIQUE",
                          "schema, administration"),
    "drop constraint": ("DROP CONSTRAINT drug_id_unique", "schema, administration"),
    "create user": ("CREATE USER mallory SET PASSWORD 'mallory-secret'",
                    "schema, administration"),
    "alter user": ("ALTER USER neo4j SET PASSWORD 'mallory-secret'", "schema, administration"),
    "show users": ("SHOW USERS", "schema, administration"),
    "create database": ("CREATE DATABASE hacked", "administration command"),
    "stop database": ("STOP DATABASE neo4j", "administration command"),
    "terminate transactions": ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
                               "TERMINATE TRANSACTIONS is an administration command"),
    "use system": ("USE system CREATE USER mallory SET PASSWORD 'mallory-secret'",
                   "syntax error"),
    "two statements": ("MATCH (d:Drug) RETURN d.id; CREATE (:Drug {id: 'NEW'})",
                       "syntax error"),
    "profile a write": ("PROFILE CREATE (:Drug {id: 'NEW'})", "PROFILE is not supported"),
    "explain a write": ("EXPLAIN CREATE (:Drug {id: 'NEW'})", "not read-only"),
}


@pytest.mark.parametrize("statement, message", WRITE_FORMS.values(), ids=WRITE_FORMS.keys())
def test_every_write_form_is_refused_and_the_graph_is_unchanged(small_graph, statement, message):
    before = snapshot(small_graph)
    with pytest.raises(QueryError, match=message) as caught:
        queries.cypher(statement, props={"name": "changed"}, driver=small_graph)
    assert "\n" not in str(caught.value)
    assert snapshot(small_graph) == before


def test_the_read_transaction_stops_a_write_that_passed_the_check(small_graph, monkeypatch):
    """Second line of defence: even with the EXPLAIN check bypassed, Neo4j refuses writes."""
    monkeypatch.setattr(Runner, "_check", lambda self, *args: "r")
    before = snapshot(small_graph)
    with pytest.raises(QueryError, match="tried to write"):
        queries.cypher("CREATE (:Drug {id: 'NEW'})", driver=small_graph)
    with pytest.raises(QueryError, match="tried to write"):
        queries.cypher("CALL db.createLabel('Hacked')", driver=small_graph)
    assert snapshot(small_graph) == before


def test_parameter_values_are_data_not_cypher(small_graph):
    before = snapshot(small_graph)
    injected = "Erlotinib' OR true WITH 1 AS x MATCH (n) DETACH DELETE n //"
    with pytest.raises(QueryError, match="unknown drug"):
        queries.run("drug_targets", drug=injected, driver=small_graph)
    assert queries.run("find_drug", text="') DETACH DELETE n //", driver=small_graph).empty
    # a name full of Cypher round-trips as a plain string
    evil = queries.run("find_drug", text=EVIL_NAME, driver=small_graph)
    assert evil["drug"].tolist() == [EVIL_NAME]
    # a drug called "$drug" is found by that name, not read as a parameter
    found = queries.run("drug_targets", drug="$drug", driver=small_graph)
    assert set(found["drug"]) <= {EVIL_NAME}
    echoed = queries.cypher("RETURN $x AS x", x=EVIL_NAME, driver=small_graph)
    assert echoed["x"].tolist() == [EVIL_NAME]
    assert snapshot(small_graph) == before


def test_syntax_errors_point_into_the_users_text(small_graph):
    with pytest.raises(QueryError, match=r"syntax error.*'RETURN'.*line 1, column 10"):
        queries.cypher("MATCH (n RETURN n", driver=small_graph)
    with pytest.raises(QueryError, match=r"syntax error.*line 2"):
        queries.cypher("MATCH (n)\nRETURN n LIMT 3", driver=small_graph)
    with pytest.raises(QueryError, match="no Cypher given"):
        queries.cypher("   ", driver=small_graph)


def test_unknown_query_names_suggest_close_ones():
    with pytest.raises(QueryError, match=r"unknown query 'drug_target'; did you mean "
                                         r"drug_targets"):
        queries.run("drug_target", drug="Erlotinib")
    with pytest.raises(QueryError, match="unknown query 'no_such_query'"):
        queries.run("no_such_query")


def test_missing_unknown_and_mistyped_parameters(small_graph):
    run = queries.run
    with pytest.raises(QueryError, match=r"missing parameter 'drug' \(drug, e\.g\. "
                                         r"\"Erlotinib\"\)"):
        run("drug_targets", driver=small_graph)
    with pytest.raises(QueryError, match="has no parameter 'drugg'; it takes drug"):
        run("drug_targets", drugg="Erlotinib", driver=small_graph)
    with pytest.raises(QueryError,
                       match=r"parameter 'drug' must be a string \(a drug name\), got int 5"):
        run("drug_targets", drug=5, driver=small_graph)
    with pytest.raises(QueryError, match="parameter 'top' must be an integer, got str '10'"):
        run("top_mutated_genes", tumor="MEL", top="10", driver=small_graph)
    with pytest.raises(QueryError, match="parameter 'top' must be an integer, got bool"):
        run("top_mutated_genes", tumor="MEL", top=True, driver=small_graph)
    with pytest.raises(QueryError, match="parameter 'novel_only' must be true or false"):
        run("predicted_targets", drug="Erlotinib", novel_only="yes", driver=small_graph)
    with pytest.raises(QueryError, match="'direction' must be one of \"any\", "
                                         "\"sensitivity\", \"resistance\", got 'sensitive'"):
        run("biomarkers_for_drug", drug="Dabrafenib", direction="sensitive",
            driver=small_graph)
    # integers are accepted for floats, and a mapping works like keyword arguments
    frame = run("similar_drugs", {"drug": "Erlotinib", "min_similarity": 1}, driver=small_graph)
    assert frame["similar_drug"].tolist() == ["Gefitinib"]


def test_ad_hoc_parameters_missing_in_cypher(small_graph):
    with pytest.raises(QueryError, match=r"Expected parameter\(s\): gene"):
        queries.cypher("MATCH (g:Gene {symbol: $gene}) RETURN g", driver=small_graph)


def test_row_limit_truncates_and_says_so(small_graph):
    text = "UNWIND range(1, 50) AS x RETURN x"
    with pytest.warns(queries.TruncatedWarning, match="more than 10 rows; showing the first 10"):
        cut = queries.cypher(text, limit=10, driver=small_graph)
    assert cut["x"].tolist() == list(range(1, 11))
    assert cut.attrs["truncated"] is True and cut.attrs["limit"] == 10
    whole = queries.cypher(text, limit=50, driver=small_graph)
    assert len(whole) == 50 and whole.attrs["truncated"] is False
    with pytest.warns(queries.TruncatedWarning):
        assert len(queries.run("graph_statistics", limit=3, driver=small_graph)) == 3
    for bad in (0, -1, 2.5, True):
        with pytest.raises(QueryError, match="row limit must be a positive integer"):
            queries.cypher(text, limit=bad, driver=small_graph)


def test_timeout_stops_a_long_query(small_graph):
    slow = "UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 123 RETURN count(*) AS n"
    started = time.perf_counter()
    with pytest.raises(QueryError, match="did not finish within the timeout of 0.5 s"):
        queries.cypher(slow, timeout=0.5, driver=small_graph)
    assert time.perf_counter() - started < 10
    with pytest.raises(QueryError, match="timeout must be a positive number"):
        queries.cypher("RETURN 1", timeout=0, driver=small_graph)


def test_timeout_bounds_the_wall_time_when_the_server_does_not_answer(silent_server):
    # The driver alone would wait 30 s for the handshake, then retry for 15 s more.
    with neo4j.GraphDatabase.driver(silent_server, auth=("neo4j", "x")) as driver:
        started = time.perf_counter()
        with pytest.raises(QueryError, match="did not finish within the timeout of 1.5 s: "
                                             "Neo4j did not answer"):
            queries.cypher("RETURN 1", timeout=1.5, driver=driver)
        assert time.perf_counter() - started < 3.5


def test_nodes_relationships_and_paths_become_plain_values(small_graph):
    frame = queries.cypher(
        "MATCH p = (d:Drug {id: 'ERL'})-[t:TARGETS]->(g:Gene {symbol: 'EGFR'}) "
        "RETURN d, t, p", driver=small_graph)
    row = frame.iloc[0]
    assert row["d"]["_labels"] == ["Drug"] and row["d"]["name"] == "Erlotinib"
    assert row["t"]["_type"] == "TARGETS" and "inhibitor" in row["t"]["actions"]
    assert [n["_labels"][0] for n in row["p"]] == ["Drug", "Gene"]
    assert queries.render(frame, "json").startswith("[")


def test_huge_or_deeply_nested_queries_are_refused_before_the_server(small_graph):
    started = time.perf_counter()
    with pytest.raises(QueryError, match=r"nests brackets 3000 deep \(the limit is 100\)"):
        queries.cypher("RETURN " + "(" * 3000 + "1" + ")" * 3000, timeout=30,
                       driver=small_graph)
    with pytest.raises(QueryError, match="characters long"):
        queries.cypher("RETURN 1 // " + "x" * 200_000, driver=small_graph)
    assert time.perf_counter() - started < 2
    # brackets inside string literals do not count, and ordinary nesting runs
    text = "RETURN '" + "(" * 500 + "' AS s, " + "(" * 20 + "1" + ")" * 20 + " AS n"
    assert queries.cypher(text, driver=small_graph)["n"].iloc[0] == 1

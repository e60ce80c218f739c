"""Write model predictions back into Neo4j as ``PREDICTED_TARGET`` / ``PREDICTED_RESPONSE``.

Each relationship carries ``score``, ``probability``, ``rank``, ``model`` and ``model_version``;
(model, model_version) is part of its identity (``contract.schema``), so a rerun of the same version
replaces that version's predictions and earlier versions stay unless removed on request.

A replacement is one transaction (delete the version's links, write the new ones) that first
locks the one ``OncoKGLock {name: "predictions"}`` node: write-backs run one at a time, so two
screens of one version at once leave exactly one screen's links, never their union.
"""

from __future__ import annotations

import neo4j
import pandas as pd

from oncokg.contract.schema import LOCK_LABEL, SCHEMA
from oncokg.contract.tables import RelTable
from oncokg.kg.writer import GraphWriter, WriteSummary

PREDICTED = {"TARGETS": "PREDICTED_TARGET", "RESPONSE": "PREDICTED_RESPONSE"}


def remove_predictions(driver: neo4j.Driver, relation: str, model: str,
                       model_version: str | None = None, database: str | None = None) -> int:
    """Delete one model's predictions (one version, or every version); returns the count."""
    rel_type = SCHEMA.rel(PREDICTED[relation]).type
    query = (f"MATCH ()-[r:{rel_type} {{model: $model}}]->() "
             "WHERE $version IS NULL OR r.model_version = $version "
             "WITH r LIMIT 10000 DELETE r RETURN count(*) AS n")
    removed = 0
    with driver.session(database=database) as session:
        while True:
            n = session.execute_write(
                lambda tx: tx.run(query, model=model, version=model_version).single()["n"]
            )
            removed += n
            if n == 0:
                return removed


def write_predictions(driver: neo4j.Driver, relation: str, predictions: pd.DataFrame,
                      model: str, model_version: str, database: str | None = None,
                      ) -> tuple[int, WriteSummary]:
    """Replace ``model``/``model_version``'s predictions of ``relation`` by ``predictions``.

    ``predictions`` has ``start`` (drug key), ``end`` (gene symbol or COSMIC id), ``score``,
    ``rank`` and optionally ``probability`` and ``known``. Returns (removed, write summary).
    """
    rel_type = PREDICTED[relation]
    columns = [c for c in ("start", "end", "score", "probability", "rank", "known")
               if c in predictions.columns]
    frame = predictions[columns].drop_duplicates(["start", "end"]).copy()
    frame["rank"] = frame["rank"].astype(int)
    frame["model"] = model
    frame["model_version"] = model_version
    table = RelTable(rel_type, frame, name=f"{rel_type} {model} {model_version}")
    writer = GraphWriter(driver, database, progress=False)
    delete = (f"MATCH ()-[r:{rel_type} {{model: $model, model_version: $version}}]->() "
              "DELETE r RETURN count(*) AS n")

    def replace(tx: neo4j.ManagedTransaction) -> tuple[int, WriteSummary]:
        tx.run(f"MERGE (l:{LOCK_LABEL} {{name: 'predictions'}}) SET l.at = datetime()").consume()
        removed = tx.run(delete, model=model, version=model_version).single()["n"]
        return removed, writer.write_rels_in(tx, table)

    with driver.session(database=database) as session:
        return session.execute_write(replace)

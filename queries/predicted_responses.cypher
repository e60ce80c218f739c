// name: predicted_responses
// description: Cell lines a model predicted to be sensitive to a drug. These are the
//   PREDICTED_RESPONSE links written back by the GNN, with score, probability, rank, model and
//   version, the tumor type each line models, and the measured response when the line was
//   screened. Best rank first.
// param: drug (drug, example "Dabrafenib"): drug name, synonym or id in any spelling (resolved
//   to one drug before the query runs; a name two drugs share is refused)
// param: model (string, default "any", example "any"): model name, or "any"
// param: model_version (string, default "any", example "any"): model version, or "any"
// param: unscreened_only (boolean, default false, example false): keep only cell lines without
//   a measured response to the drug
// returns: drug (string): the drug's name
// returns: cell_line (string): cell line name
// returns: cosmic_id (string): COSMIC id of the cell line
// returns: tumor_type (string): OncoTree code the line models
// returns: score (float): the model's score
// returns: probability (float): the model's calibrated probability, when written
// returns: rank (integer): rank among the drug's predictions (1 is best)
// returns: model (string): model name
// returns: model_version (string): model version
// returns: measured_ln_ic50 (float): measured ln IC50, when screened (lowest over datasets)
// returns: measured_sensitive (boolean): measured sensitivity, when screened (any dataset)
MATCH (d:Drug {id: $drug})
MATCH (d)-[p:PREDICTED_RESPONSE]->(c:CellLine)
WHERE ($model = 'any' OR p.model = $model)
  AND ($model_version = 'any' OR p.model_version = $model_version)
OPTIONAL MATCH (d)-[r:RESPONSE]->(c)
WITH d, p, c, min(r.ln_ic50) AS measured_ln_ic50,
     CASE WHEN count(r) = 0 THEN null ELSE any(x IN collect(r.sensitive) WHERE x) END
       AS measured_sensitive, count(r) AS screened
WHERE NOT ($unscreened_only AND screened > 0)
OPTIONAL MATCH (c)-[:MODEL_OF]->(t:TumorType)
RETURN d.name AS drug, c.name AS cell_line, c.cosmic_id AS cosmic_id, t.code AS tumor_type,
       p.score AS score, p.probability AS probability, p.rank AS rank, p.model AS model,
       p.model_version AS model_version, measured_ln_ic50, measured_sensitive
ORDER BY model, model_version, rank, score DESC, cell_line

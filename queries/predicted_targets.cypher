// name: predicted_targets
// description: Targets a model predicted for a drug. These are the PREDICTED_TARGET links
//   written back by the GNN, with score, probability, rank, model and model version, and
//   whether the target was already known (a TARGETS link exists). Best rank first.
// param: drug (drug, example "Erlotinib"): drug name, synonym or id in any spelling (resolved
//   to one drug before the query runs; a name two drugs share is refused)
// param: model (string, default "any", example "any"): model name, or "any"
// param: model_version (string, default "any", example "any"): model version, or "any"
// param: novel_only (boolean, default false, example false): leave out targets already known
// returns: drug (string): the drug's name
// returns: gene (string): predicted target gene
// returns: score (float): the model's score
// returns: probability (float): the model's calibrated probability, when written
// returns: rank (integer): rank among the drug's predictions (1 is best)
// returns: model (string): model name
// returns: model_version (string): model version
// returns: known_target (boolean): a TARGETS link between the drug and gene exists
MATCH (d:Drug {id: $drug})
MATCH (d)-[p:PREDICTED_TARGET]->(g:Gene)
WHERE ($model = 'any' OR p.model = $model)
  AND ($model_version = 'any' OR p.model_version = $model_version)
WITH d, p, g, EXISTS { (d)-[:TARGETS]->(g) } AS known
WHERE NOT ($novel_only AND known)
RETURN d.name AS drug, g.symbol AS gene, p.score AS score, p.probability AS probability,
       p.rank AS rank, p.model AS model, p.model_version AS model_version,
       known AS known_target
ORDER BY model, model_version, rank, score DESC, gene

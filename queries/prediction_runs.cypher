// name: prediction_runs
// description: Models and versions whose predictions are in the graph. One row per relationship
//   type, model and model version, with how many links, drugs and endpoints it wrote, its score
//   range and how many of its links were already known.
// returns: relationship (string): PREDICTED_TARGET or PREDICTED_RESPONSE
// returns: model (string): model name
// returns: model_version (string): model version
// returns: links (integer): predicted links written
// returns: drugs (integer): distinct drugs with predictions
// returns: endpoints (integer): distinct genes or cell lines predicted
// returns: min_score (float): lowest score
// returns: max_score (float): highest score
// returns: known_links (integer): links the model marked as already known
MATCH (d:Drug)-[p:PREDICTED_TARGET|PREDICTED_RESPONSE]->(x)
RETURN type(p) AS relationship, p.model AS model, p.model_version AS model_version,
       count(p) AS links, count(DISTINCT d) AS drugs, count(DISTINCT x) AS endpoints,
       min(p.score) AS min_score, max(p.score) AS max_score,
       sum(CASE WHEN p.known THEN 1 ELSE 0 END) AS known_links
ORDER BY relationship, model, model_version

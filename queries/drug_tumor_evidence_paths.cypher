// name: drug_tumor_evidence_paths
// description: The evidence paths that connect a drug to a tumor type, to explain (or question)
//   a prediction. Five kinds, strongest few of each: "sensitive cell line" (the drug's measured
//   response in a cell line modelling the type), "target mutated in cell lines" (a target of
//   the drug is mutated in the type's cell lines), "target hotspot" (a target carries hotspot
//   mutations in the type's tumor samples), "biomarker hotspot" (a mutation with clinical
//   evidence for the drug is a hotspot in the type) and "clinical biomarker" (CIViC evidence in
//   a disease whose name contains the type's name or a subtype's). Subtypes of the tumor type
//   are included.
// param: drug (drug, example "Dabrafenib"): drug name, synonym or id in any spelling (resolved
//   to one drug before the query runs; a name two drugs share is refused)
// param: tumor (string, example "MEL"): OncoTree code or name of the tumor type, any case
// param: per_kind (integer, default 5, example 3): paths to return per kind
// returns: kind (string): one of the five kinds above
// returns: path (string): the path written out, e.g. "Dabrafenib -TARGETS-> BRAF <-OF_GENE-
//   BRAF mutation <-HAS_MUTATION- 20 cell lines -MODEL_OF-> MEL"
// returns: hops (integer): relationships in the path
// returns: evidence (string): the measure behind the path (ln IC50, counts, level, PubMed)
// returns: strength (float): higher is stronger within a kind (-ln IC50, counts, levels A=5 to
//   E=1)
// returns: sources (list<string>): sources of the path's relationships
MATCH (d:Drug {id: $drug})
MATCH (t:TumorType)
WHERE t.code = toUpper($tumor) OR toLower(t.name) = toLower($tumor)
MATCH (sub:TumorType)-[:SUBTYPE_OF*0..]->(t)
WITH d, t, collect(DISTINCT sub) AS types
CALL (d, types) {
  UNWIND types AS sub
  MATCH (d)-[r:RESPONSE]->(c:CellLine)-[:MODEL_OF]->(sub)
  WHERE r.sensitive
  RETURN 'sensitive cell line' AS kind,
         d.name + ' -RESPONSE-> ' + c.name + ' -MODEL_OF-> ' + sub.code AS path, 2 AS hops,
         'ln IC50 ' + toString(round(r.ln_ic50, 2)) + ' (' + r.dataset + ')' AS evidence,
         -r.ln_ic50 AS strength, r.sources AS sources
  ORDER BY strength DESC LIMIT $per_kind
  UNION ALL
  UNWIND types AS sub
  MATCH (d)-[x:TARGETS]->(g:Gene)<-[:OF_GENE]-(m:Mutation)<-[:HAS_MUTATION]-(c:CellLine)
        -[:MODEL_OF]->(sub)
  WHERE NOT m.kind IN ['amplification', 'deletion']
  WITH d, g, m, x, collect(DISTINCT c.name) AS lines, collect(DISTINCT sub.code) AS codes
  RETURN 'target mutated in cell lines' AS kind,
         d.name + ' -TARGETS-> ' + g.symbol + ' <-OF_GENE- ' + m.id + ' <-HAS_MUTATION- '
           + toString(size(lines)) + ' cell lines -MODEL_OF-> '
           + reduce(s = '', code IN codes | s + CASE s WHEN '' THEN '' ELSE '/' END + code)
           AS path, 4 AS hops,
         toString(size(lines)) + ' cell lines, e.g. '
           + reduce(s = '', n IN lines[..3] | s + CASE s WHEN '' THEN '' ELSE ', ' END + n)
           AS evidence,
         toFloat(size(lines)) AS strength, x.sources AS sources
  ORDER BY strength DESC, path LIMIT $per_kind
  UNION ALL
  UNWIND types AS sub
  MATCH (d)-[x:TARGETS]->(g:Gene)<-[:OF_GENE]-(m:Mutation)-[h:HOTSPOT_IN]->(sub)
  RETURN 'target hotspot' AS kind,
         d.name + ' -TARGETS-> ' + g.symbol + ' <-OF_GENE- ' + m.id + ' -HOTSPOT_IN-> '
           + sub.code AS path, 3 AS hops,
         toString(h.count) + ' tumor samples' AS evidence, toFloat(h.count) AS strength,
         x.sources + h.sources AS sources
  ORDER BY strength DESC, path LIMIT $per_kind
  UNION ALL
  UNWIND types AS sub
  MATCH (d)<-[b:BIOMARKER_OF_RESPONSE]-(m:Mutation)-[h:HOTSPOT_IN]->(sub)
  RETURN 'biomarker hotspot' AS kind,
         d.name + ' <-BIOMARKER_OF_RESPONSE- ' + m.id + ' -HOTSPOT_IN-> ' + sub.code AS path,
         2 AS hops,
         b.direction + ', level ' + b.level + '; ' + toString(h.count) + ' tumor samples'
           AS evidence,
         toFloat(h.count) * CASE b.direction WHEN 'sensitivity' THEN 1 ELSE -1 END AS strength,
         b.sources + h.sources AS sources
  ORDER BY strength DESC, path LIMIT $per_kind
  UNION ALL
  WITH d, [x IN types | toLower(x.name)] AS names
  MATCH (d)<-[b:BIOMARKER_OF_RESPONSE]-(m:Mutation)
  WITH d, b, m, [x IN coalesce(b.tumor, []) WHERE any(n IN names WHERE toLower(x) CONTAINS n)]
       AS tumors
  WHERE size(tumors) > 0
  RETURN 'clinical biomarker' AS kind,
         d.name + ' <-BIOMARKER_OF_RESPONSE- ' + m.id + ' (in ' + tumors[0] + ')' AS path,
         1 AS hops,
         b.direction + ', level ' + b.level + ', PMID '
           + reduce(s = '', p IN coalesce(b.pmids, []) |
                    s + CASE s WHEN '' THEN '' ELSE ', ' END + p)
           AS evidence,
         toFloat(CASE b.level WHEN 'A' THEN 5 WHEN 'B' THEN 4 WHEN 'C' THEN 3 WHEN 'D' THEN 2
                 ELSE 1 END) AS strength,
         b.sources AS sources
  ORDER BY strength DESC, path LIMIT $per_kind
}
RETURN kind, path, hops, evidence, strength, sources

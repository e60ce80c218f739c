// name: drugs_targeting_tumor_mutations
// description: Drugs that target genes mutated in a tumor type. A gene counts as mutated in the
//   tumor type when cell lines modelling it (or one of its OncoTree subtypes) carry a mutation
//   of the gene (GDSC; copy-number segments excluded) or when cancerhotspots recorded hotspot
//   mutations of the gene in its samples. One row per drug and mutated target, most often
//   mutated genes first.
// param: tumor (string, example "MEL"): OncoTree code or name of the tumor type, any case; its
//   subtypes are included
// param: min_cell_lines (integer, default 1, example 3): least number of the tumor type's cell
//   lines with the gene mutated (genes with hotspots in the tumor type always count)
// returns: tumor_type (string): OncoTree code of the tumor type asked about
// returns: gene (string): mutated target gene
// returns: mutated_cell_lines (integer): the tumor type's cell lines with the gene mutated
// returns: cell_lines (integer): all cell lines modelling the tumor type
// returns: hotspot_samples (integer): tumor samples with a hotspot mutation of the gene
// returns: drug (string): a drug targeting the gene
// returns: drug_id (string): its key
// returns: actions (list<string>): interaction types, e.g. inhibitor
// returns: target_sources (list<string>): sources asserting the drug-gene link
MATCH (t:TumorType)
WHERE t.code = toUpper($tumor) OR toLower(t.name) = toLower($tumor)
MATCH (sub:TumorType)-[:SUBTYPE_OF*0..]->(t)
WITH t, collect(DISTINCT sub) AS types
CALL (types) {
  UNWIND types AS sub
  MATCH (sub)<-[:MODEL_OF]-(c:CellLine)
  RETURN count(DISTINCT c) AS cell_lines
}
CALL (types) {
  UNWIND types AS sub
  MATCH (sub)<-[:MODEL_OF]-(c:CellLine)-[:HAS_MUTATION]->(m:Mutation)-[:OF_GENE]->(g:Gene)
  WHERE NOT m.kind IN ['amplification', 'deletion']
  RETURN g, count(DISTINCT c) AS lines, 0 AS samples
  UNION ALL
  UNWIND types AS sub
  MATCH (sub)<-[h:HOTSPOT_IN]-(:Mutation)-[:OF_GENE]->(g:Gene)
  RETURN g, 0 AS lines, sum(h.count) AS samples
}
WITH t, cell_lines, g, sum(lines) AS mutated, sum(samples) AS samples
WHERE mutated >= $min_cell_lines OR samples > 0
MATCH (d:Drug)-[x:TARGETS]->(g)
RETURN t.code AS tumor_type, g.symbol AS gene, mutated AS mutated_cell_lines, cell_lines,
       samples AS hotspot_samples, d.name AS drug, d.id AS drug_id,
       coalesce(x.actions, []) AS actions, x.sources AS target_sources
ORDER BY mutated_cell_lines DESC, hotspot_samples DESC, gene, size(x.sources) DESC, drug

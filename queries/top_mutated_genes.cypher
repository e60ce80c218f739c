// name: top_mutated_genes
// description: The genes most often mutated in a tumor type, and the drugs that target them.
//   Genes are ranked by the share of the tumor type's cell lines (GDSC, copy-number segments
//   excluded) that carry a mutation of the gene, then by hotspot mutations counted in its tumor
//   samples (cancerhotspots). Subtypes of the tumor type are included.
// param: tumor (string, example "MEL"): OncoTree code or name of the tumor type, any case
// param: top (integer, default 20, example 10): how many genes to return
// returns: tumor_type (string): OncoTree code of the tumor type asked about
// returns: gene (string): gene symbol
// returns: mutated_cell_lines (integer): the tumor type's cell lines with the gene mutated
// returns: cell_lines (integer): all cell lines modelling the tumor type
// returns: mutated_fraction (float): mutated_cell_lines / cell_lines (0 when there are none)
// returns: hotspot_samples (integer): tumor samples with a hotspot mutation of the gene
// returns: n_drugs (integer): drugs known to target the gene
// returns: drugs (list<string>): up to ten of those drugs, best attested first
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
ORDER BY mutated DESC, samples DESC, g.symbol
LIMIT $top
RETURN t.code AS tumor_type, g.symbol AS gene, mutated AS mutated_cell_lines, cell_lines,
       CASE WHEN cell_lines = 0 THEN 0.0 ELSE toFloat(mutated) / cell_lines END
         AS mutated_fraction,
       samples AS hotspot_samples, COUNT { (g)<-[:TARGETS]-(:Drug) } AS n_drugs,
       COLLECT {
         MATCH (g)<-[x:TARGETS]-(d:Drug)
         RETURN d.name ORDER BY size(x.sources) DESC, d.name LIMIT 10
       } AS drugs
ORDER BY mutated_cell_lines DESC, hotspot_samples DESC, gene

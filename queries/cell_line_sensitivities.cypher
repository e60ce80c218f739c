// name: cell_line_sensitivities
// description: The drugs a cell line responds to best, with their targets. Shows which of those
//   targets the line itself carries a mutation in: a quick way to see whether a line's
//   sensitivities follow its mutations. Lowest ln IC50 first.
// param: cell_line (string, example "A375"): cell line name (any case; hyphens, dots and spaces
//   ignored, so "ht29" finds HT-29) or COSMIC id
// param: top (integer, default 25, example 10): how many drugs to return
// returns: cell_line (string): cell line name
// returns: cosmic_id (string): the cell line's COSMIC id
// returns: tumor_type (string): OncoTree code of the tumor type the line models
// returns: drug (string): the drug's name
// returns: ln_ic50 (float): natural log of the IC50 in µM (lower is more sensitive)
// returns: sensitive (boolean): among the drug's most sensitive fifth of screened lines
// returns: dataset (string): the screen
// returns: targets (list<string>): the drug's known target genes
// returns: mutated_targets (list<string>): targets the cell line carries a mutation in
MATCH (c:CellLine)
WHERE c.cosmic_id = $cell_line
   OR replace(replace(replace(toLower(c.name), '-', ''), '.', ''), ' ', '')
    = replace(replace(replace(toLower($cell_line), '-', ''), '.', ''), ' ', '')
MATCH (d:Drug)-[r:RESPONSE]->(c)
WHERE r.ln_ic50 IS NOT NULL
WITH c, d, r ORDER BY r.ln_ic50 LIMIT $top
OPTIONAL MATCH (c)-[:MODEL_OF]->(t:TumorType)
RETURN c.name AS cell_line, c.cosmic_id AS cosmic_id, t.code AS tumor_type, d.name AS drug,
       r.ln_ic50 AS ln_ic50, r.sensitive AS sensitive, r.dataset AS dataset,
       COLLECT { MATCH (d)-[:TARGETS]->(g:Gene) RETURN g.symbol ORDER BY g.symbol } AS targets,
       COLLECT {
         MATCH (d)-[:TARGETS]->(g:Gene)<-[:OF_GENE]-(:Mutation)<-[:HAS_MUTATION]-(c)
         RETURN DISTINCT g.symbol ORDER BY g.symbol
       } AS mutated_targets
ORDER BY ln_ic50, drug

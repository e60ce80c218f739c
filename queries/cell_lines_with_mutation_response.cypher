// name: cell_lines_with_mutation_response
// description: Cell lines carrying a mutation (or a mutated gene) and their response to a drug.
//   The response is measured in GDSC: natural-log IC50 in µM, AUC where the dataset has it, and
//   whether the line is among the drug's most sensitive fifth. Most sensitive lines first.
// param: mutation (string, example "BRAF"): a gene symbol (any alteration of the gene) or a
//   mutation id such as "BRAF mutation" (GDSC's gene-level coding mutation) or "KRAS p.G12D"
// param: drug (drug, example "Dabrafenib"): drug name, synonym or id in any spelling (resolved
//   to one drug before the query runs; a name two drugs share is refused)
// returns: cell_line (string): cell line name
// returns: cosmic_id (string): the cell line's COSMIC id
// returns: tissue (string): GDSC tissue label
// returns: tumor_type (string): OncoTree code of the tumor type the line models
// returns: mutations (list<string>): the matching mutations the line carries
// returns: drug (string): the drug's name
// returns: ln_ic50 (float): natural log of the IC50 in µM (lower is more sensitive)
// returns: auc (float): area under the dose-response curve, when the dataset has it
// returns: sensitive (boolean): among the drug's most sensitive fifth of screened lines
// returns: dataset (string): the screen, e.g. "GDSC1 v17"
MATCH (d:Drug {id: $drug})
MATCH (m:Mutation)
WHERE m.id = $mutation OR m.gene = $mutation OR m.gene = toUpper($mutation)
MATCH (c:CellLine)-[:HAS_MUTATION]->(m)
WITH d, c, collect(m.id) AS mutations
MATCH (d)-[r:RESPONSE]->(c)
OPTIONAL MATCH (c)-[:MODEL_OF]->(t:TumorType)
RETURN c.name AS cell_line, c.cosmic_id AS cosmic_id, c.tissue AS tissue,
       t.code AS tumor_type, mutations, d.name AS drug, r.ln_ic50 AS ln_ic50, r.auc AS auc,
       r.sensitive AS sensitive, r.dataset AS dataset
ORDER BY ln_ic50, cell_line

// name: biomarkers_for_mutation
// description: Drugs whose response a mutation (or any mutation of a gene) predicts. Clinical
//   evidence (CIViC) that the mutation confers sensitivity or resistance to a drug, with
//   evidence level, tumor types and PubMed ids. Strongest evidence first.
// param: mutation (string, example "BRAF p.V600E"): a mutation id such as "BRAF p.V600E" or
//   "EGFR amplification", or a gene symbol for every mutation of that gene
// param: direction (string, default "any", example "sensitivity", choices ["any",
//   "sensitivity", "resistance"]): keep only evidence of this direction
// returns: mutation (string): the biomarker mutation
// returns: drug (string): the drug's name
// returns: drug_id (string): the drug's key
// returns: direction (string): sensitivity or resistance
// returns: level (string): CIViC evidence level, A (strongest) to E
// returns: tumors (list<string>): diseases the evidence was observed in (CIViC names)
// returns: pmids (list<string>): PubMed ids of the evidence
// returns: evidence_ids (list<string>): CIViC evidence item ids
MATCH (m:Mutation)
WHERE m.id = $mutation OR m.gene = $mutation OR m.gene = toUpper($mutation)
MATCH (m)-[b:BIOMARKER_OF_RESPONSE]->(d:Drug)
WHERE $direction = 'any' OR b.direction = $direction
RETURN m.id AS mutation, d.name AS drug, d.id AS drug_id, b.direction AS direction,
       b.level AS level, coalesce(b.tumor, []) AS tumors, coalesce(b.pmids, []) AS pmids,
       coalesce(b.evidence_ids, []) AS evidence_ids
ORDER BY level, direction DESC, mutation, drug

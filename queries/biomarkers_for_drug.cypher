// name: biomarkers_for_drug
// description: Biomarkers of response and resistance for a drug. Mutations that clinical
//   evidence (CIViC) links to sensitivity or resistance, with the evidence level (A validated,
//   B clinical, C case study, D preclinical, E inferential), the tumor types studied, PubMed
//   ids and CIViC evidence ids. Strongest evidence first.
// param: drug (drug, example "Dabrafenib"): drug name, synonym or id in any spelling (resolved
//   to one drug before the query runs; a name two drugs share is refused)
// param: direction (string, default "any", example "resistance", choices ["any", "sensitivity",
//   "resistance"]): keep only evidence of this direction
// returns: drug (string): the drug's name
// returns: mutation (string): the biomarker, e.g. "BRAF p.V600E", "EGFR amplification"
// returns: gene (string): gene of the biomarker, when it has one
// returns: kind (string): kind of alteration, e.g. missense, amplification, fusion
// returns: direction (string): sensitivity or resistance
// returns: level (string): CIViC evidence level, A (strongest) to E
// returns: tumors (list<string>): diseases the evidence was observed in (CIViC names)
// returns: pmids (list<string>): PubMed ids of the evidence
// returns: evidence_ids (list<string>): CIViC evidence item ids, e.g. EID1409
// returns: sources (list<string>): "source:release" of the link
MATCH (d:Drug {id: $drug})
MATCH (m:Mutation)-[b:BIOMARKER_OF_RESPONSE]->(d)
WHERE $direction = 'any' OR b.direction = $direction
RETURN d.name AS drug, m.id AS mutation, m.gene AS gene, m.kind AS kind,
       b.direction AS direction, b.level AS level, coalesce(b.tumor, []) AS tumors,
       coalesce(b.pmids, []) AS pmids, coalesce(b.evidence_ids, []) AS evidence_ids,
       b.sources AS sources
ORDER BY level, direction DESC, mutation

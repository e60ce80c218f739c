// name: tumor_types_for_drug
// description: Tumor types where a drug has sensitivity evidence, of two kinds. "cell line
//   response": OncoTree types whose cell lines are among the drug's most sensitive fifth in a
//   screen (each dataset apart: GDSC1 v17, GDSC2 r8 ...); a sensitive fraction well above 0.2
//   means the type responds better than the drug's average line. "clinical biomarker": diseases in which CIViC evidence ties a mutation to
//   sensitivity to the drug (named as CIViC names them). Strongest first within each kind.
// param: drug (drug, example "Dabrafenib"): drug name, synonym or id in any spelling (resolved
//   to one drug before the query runs; a name two drugs share is refused)
// param: min_cell_lines (integer, default 3, example 3): least number of screened cell lines
//   for a tumor type to be reported from cell line response
// returns: drug (string): the drug's name
// returns: evidence (string): "cell line response" or "clinical biomarker"
// returns: dataset (string): the screen (cell line response only)
// returns: tumor_type (string): OncoTree code (cell line response only)
// returns: tumor (string): tumor type or disease name
// returns: sensitive_cell_lines (integer): sensitive lines of the type (cell line response)
// returns: screened_cell_lines (integer): screened lines of the type (cell line response)
// returns: sensitive_fraction (float): sensitive / screened (cell line response)
// returns: evidence_items (integer): CIViC sensitivity evidence items (clinical biomarker)
// returns: best_level (string): strongest CIViC level, A to E (clinical biomarker)
// returns: biomarkers (list<string>): the biomarker mutations (clinical biomarker)
// returns: pmids (list<string>): PubMed ids (clinical biomarker)
MATCH (d:Drug {id: $drug})
CALL (d) {
  MATCH (d)-[r:RESPONSE]->(:CellLine)-[:MODEL_OF]->(t:TumorType)
  WHERE r.sensitive IS NOT NULL
  WITH t, r.dataset AS dataset, count(r) AS screened,
       sum(CASE WHEN r.sensitive THEN 1 ELSE 0 END) AS sensitive
  WHERE sensitive > 0 AND screened >= $min_cell_lines
  RETURN 'cell line response' AS evidence, dataset, t.code AS tumor_type, t.name AS tumor,
         sensitive, screened, toFloat(sensitive) / screened AS fraction,
         null AS items, null AS level, [] AS biomarkers, [] AS pmids
  UNION ALL
  MATCH (m:Mutation)-[b:BIOMARKER_OF_RESPONSE {direction: 'sensitivity'}]->(d)
  UNWIND b.tumor AS tumor
  WITH tumor, m, b ORDER BY b.level, m.id
  WITH tumor, collect(DISTINCT m.id) AS biomarkers, min(b.level) AS level,
       count(b) AS items, collect(b.pmids) AS pmid_lists
  RETURN 'clinical biomarker' AS evidence, null AS dataset, null AS tumor_type, tumor,
         null AS sensitive, null AS screened, null AS fraction, items, level, biomarkers,
         reduce(acc = [], l IN pmid_lists | acc + [p IN l WHERE NOT p IN acc]) AS pmids
}
RETURN d.name AS drug, evidence, dataset, tumor_type, tumor, sensitive AS sensitive_cell_lines,
       screened AS screened_cell_lines, fraction AS sensitive_fraction,
       items AS evidence_items, level AS best_level, biomarkers, pmids
ORDER BY evidence, sensitive_fraction DESC, best_level, evidence_items DESC,
         sensitive_cell_lines DESC, tumor

// name: find_drug
// description: Find drugs by part of a name or synonym. Any case; with each drug's identifiers
//   and how much the graph knows about it: targets, screened cell lines and clinical
//   biomarkers. Exact name matches come first.
// param: text (string, example "tarceva"): part of a name or synonym, e.g. "tinib", "PLX"
// returns: drug (string): the drug's name
// returns: drug_id (string): the drug's key (InChIKey or source id)
// returns: synonyms (list<string>): other names
// returns: inchikey (string): InChIKey, when a structure is known
// returns: chembl_id (string): ChEMBL id, when known
// returns: drugbank_id (string): DrugBank id, when known
// returns: gdsc_ids (list<integer>): GDSC drug ids, when screened in GDSC
// returns: targets (integer): number of known target genes
// returns: screened_cell_lines (integer): number of cell lines with a measured response
// returns: biomarkers (integer): number of clinical biomarker links
MATCH (d:Drug)
WHERE toLower(d.name) CONTAINS toLower($text) OR d.id = $text
   OR any(s IN coalesce(d.synonyms, []) WHERE toLower(s) CONTAINS toLower($text))
RETURN d.name AS drug, d.id AS drug_id, coalesce(d.synonyms, []) AS synonyms,
       d.inchikey AS inchikey, d.chembl_id AS chembl_id, d.drugbank_id AS drugbank_id,
       coalesce(d.gdsc_ids, []) AS gdsc_ids,
       COUNT { (d)-[:TARGETS]->() } AS targets,
       COUNT { (d)-[:RESPONSE]->() } AS screened_cell_lines,
       COUNT { ()-[:BIOMARKER_OF_RESPONSE]->(d) } AS biomarkers
ORDER BY CASE WHEN toLower(d.name) = toLower($text) THEN 0
              WHEN any(s IN coalesce(d.synonyms, []) WHERE toLower(s) = toLower($text)) THEN 1
              ELSE 2 END,
         screened_cell_lines DESC, targets DESC, drug

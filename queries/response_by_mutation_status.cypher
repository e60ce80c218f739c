// name: response_by_mutation_status
// description: A drug's response in cell lines with and without a mutated gene. Cell lines are
//   split into those carrying a mutation of the gene (copy-number changes excluded) and the
//   rest, and the drug's ln IC50 is summarized in each group per dataset. A lower mean and a
//   higher sensitive fraction in mutant lines suggest the mutation marks sensitivity.
// param: drug (drug, example "Dabrafenib"): drug name, synonym or id in any spelling (resolved
//   to one drug before the query runs; a name two drugs share is refused)
// param: gene (string, example "BRAF"): gene symbol
// returns: drug (string): the drug's name
// returns: gene (string): the gene symbol asked for
// returns: dataset (string): the screen, e.g. "GDSC1 v17"
// returns: status (string): "mutant" or "wild type"
// returns: cell_lines (integer): screened cell lines in the group
// returns: mean_ln_ic50 (float): mean natural-log IC50 (µM)
// returns: median_ln_ic50 (float): median natural-log IC50 (µM)
// returns: sensitive_fraction (float): fraction of the group among the drug's most sensitive
//   fifth
MATCH (d:Drug {id: $drug})
MATCH (d)-[r:RESPONSE]->(c:CellLine)
WHERE r.ln_ic50 IS NOT NULL
WITH d, r, EXISTS {
  MATCH (c)-[:HAS_MUTATION]->(m:Mutation)
  WHERE (m.gene = $gene OR m.gene = toUpper($gene))
    AND NOT m.kind IN ['amplification', 'deletion']
} AS mutant
WITH d, r.dataset AS dataset, CASE WHEN mutant THEN 'mutant' ELSE 'wild type' END AS status,
     count(r) AS cell_lines, avg(r.ln_ic50) AS mean_ln_ic50,
     percentileCont(r.ln_ic50, 0.5) AS median_ln_ic50,
     avg(CASE WHEN r.sensitive THEN 1.0 ELSE 0.0 END) AS sensitive_fraction
RETURN d.name AS drug, $gene AS gene, dataset, status, cell_lines, mean_ln_ic50,
       median_ln_ic50, sensitive_fraction
ORDER BY dataset, status

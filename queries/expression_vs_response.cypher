// name: expression_vs_response
// description: A drug's response in cell lines that express a gene unusually high (or low)
//   and in the rest, per dataset. "high" lines carry an EXPRESSES link to the gene with z > 0
//   (the gene's expression at least 2.5 SD above its mean over the lines; "low": z < 0); the
//   drug's ln IC50 is summarized in each group. A much lower mean in the high group suggests
//   the gene marks sensitivity (ERBB2 for lapatinib). Needs the gdsc_expression source.
// param: drug (drug, example "Lapatinib"): drug name, synonym or id in any spelling (resolved
//   to one drug before the query runs; a name two drugs share is refused)
// param: gene (string, example "ERBB2"): gene symbol
// param: direction (string, default "high", example "high", choices ["high", "low"]): compare
//   the lines where the gene is high, or where it is low, with the rest
// returns: drug (string): the drug's name
// returns: gene (string): the gene symbol asked for
// returns: dataset (string): the screen, e.g. "GDSC2 r8"
// returns: group (string): "high" (or "low") and "other"
// returns: cell_lines (integer): screened cell lines in the group
// returns: mean_ln_ic50 (float): mean natural-log IC50 (µM)
// returns: difference (float): this group's mean minus the other group's (same on both rows)
// returns: sensitive_fraction (float): fraction of the group among the drug's most sensitive
//   fifth
MATCH (d:Drug {id: $drug})-[r:RESPONSE]->(c:CellLine)
WHERE r.ln_ic50 IS NOT NULL
WITH d, r, EXISTS {
  MATCH (c)-[e:EXPRESSES]->(g:Gene)
  WHERE (g.symbol = $gene OR g.symbol = toUpper($gene))
    AND (($direction = 'high' AND e.z > 0) OR ($direction = 'low' AND e.z < 0))
} AS extreme
WITH d, r.dataset AS dataset, CASE WHEN extreme THEN $direction ELSE 'other' END AS group,
     count(r) AS cell_lines, avg(r.ln_ic50) AS mean_ln_ic50,
     avg(CASE WHEN r.sensitive THEN 1.0 ELSE 0.0 END) AS sensitive_fraction
WITH d, dataset, collect({group: group, cell_lines: cell_lines, mean: mean_ln_ic50,
                          sensitive: sensitive_fraction}) AS groups
UNWIND groups AS row
WITH d, dataset, row, [x IN groups WHERE x.group <> row.group | x.mean] AS others
RETURN d.name AS drug, $gene AS gene, dataset, row.group AS group,
       row.cell_lines AS cell_lines, row.mean AS mean_ln_ic50,
       CASE WHEN size(others) = 1 THEN row.mean - others[0] END AS difference,
       row.sensitive AS sensitive_fraction
ORDER BY dataset, group

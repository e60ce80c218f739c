// name: drug_profile
// description: Everything the graph knows about a drug, in one row. Its names and
//   identifiers, structure, targets with the sources that assert them, clinical biomarkers,
//   and each response dataset with its size and response summary.
// param: drug (drug, example "Osimertinib"): drug name, synonym or id in any spelling (resolved
//   to one drug before the query runs; a name two drugs share is refused)
// returns: drug (string): the drug's name
// returns: drug_id (string): the drug's key (InChIKey or source id)
// returns: synonyms (list<string>): other names
// returns: smiles (string): RDKit canonical SMILES, when the structure is known
// returns: gdsc_ids (list<integer>): GDSC drug ids
// returns: targets (list<string>): target genes, each with its sources, e.g. "EGFR
//   (gdsc_drugs:8.4)"
// returns: biomarkers (list<string>): CIViC biomarkers, e.g. "EGFR p.T790M: sensitivity,
//   level A"
// returns: datasets (list<string>): response screens, e.g. "GDSC2 r8: 950 lines, median ln
//   IC50 1.2, 20% sensitive"
MATCH (d:Drug {id: $drug})
CALL (d) {
  OPTIONAL MATCH (d)-[t:TARGETS]->(g:Gene)
  WITH g, t ORDER BY g.symbol
  RETURN [x IN collect({gene: g.symbol, sources: t.sources}) WHERE x.gene IS NOT NULL |
          x.gene + ' (' + reduce(s = '', src IN x.sources |
                                 s + CASE WHEN s = '' THEN '' ELSE ', ' END + src) + ')'
         ] AS targets
}
CALL (d) {
  OPTIONAL MATCH (m:Mutation)-[b:BIOMARKER_OF_RESPONSE]->(d)
  WITH m, b ORDER BY b.level, m.id, b.direction
  RETURN [x IN collect({m: m.id, direction: b.direction, level: b.level}) WHERE x.m IS NOT NULL
          | x.m + ': ' + x.direction + coalesce(', level ' + x.level, '')] AS biomarkers
}
CALL (d) {
  OPTIONAL MATCH (d)-[r:RESPONSE]->(:CellLine)
  WITH r.dataset AS dataset, count(r) AS lines, percentileCont(r.ln_ic50, 0.5) AS median,
       avg(CASE WHEN r.sensitive THEN 1.0 ELSE 0.0 END) AS sensitive
  ORDER BY dataset
  RETURN [x IN collect({dataset: dataset, lines: lines, median: median, sensitive: sensitive})
          WHERE x.dataset IS NOT NULL |
          x.dataset + ': ' + toString(x.lines) + ' lines, median ln IC50 ' +
          toString(round(x.median, 2)) + ', ' + toString(toInteger(round(100 * x.sensitive))) +
          '% sensitive'] AS datasets
}
RETURN d.name AS drug, d.id AS drug_id, coalesce(d.synonyms, []) AS synonyms, d.smiles AS smiles,
       coalesce(d.gdsc_ids, []) AS gdsc_ids, targets, biomarkers, datasets

// name: drug_targets
// description: The known targets of a drug. Every gene it binds or modulates according to GDSC
//   annotations, DrugBank and DGIdb, with the interaction types and the sources that assert
//   each link. Targets asserted by more sources come first.
// param: drug (string, example "Erlotinib"): drug name, synonym or id (InChIKey), any case
// returns: drug (string): the drug's name
// returns: drug_id (string): the drug's key (InChIKey or source id)
// returns: gene (string): target gene symbol
// returns: gene_name (string): full gene name, when known
// returns: actions (list<string>): interaction types, e.g. inhibitor, antagonist
// returns: sources (list<string>): "source:release" of every source asserting the link
// returns: pmids (list<string>): PubMed ids cited for the link, when any
MATCH (d:Drug)
WITH d, CASE
  WHEN d.id = $drug OR toLower(d.name) = toLower($drug) THEN 1
  WHEN any(s IN coalesce(d.synonyms, []) WHERE toLower(s) = toLower($drug)) THEN 2
END AS how
WHERE how IS NOT NULL
WITH how, collect(d) AS drugs ORDER BY how LIMIT 1
UNWIND drugs AS d
MATCH (d)-[t:TARGETS]->(g:Gene)
RETURN d.name AS drug, d.id AS drug_id, g.symbol AS gene, g.name AS gene_name,
       coalesce(t.actions, []) AS actions, t.sources AS sources,
       [e IN coalesce(t.evidence, []) WHERE e STARTS WITH 'pmid:' | substring(e, 5)] AS pmids
ORDER BY size(t.sources) DESC, gene

// name: drug_targets
// description: The known targets of a drug. Every gene it binds or modulates according to GDSC
//   annotations, DrugBank and DGIdb, with the interaction types and the sources that assert
//   each link. Targets asserted by more sources come first.
// param: drug (drug, example "Erlotinib"): drug name, synonym or id in any spelling (resolved
//   to one drug before the query runs; a name two drugs share is refused)
// returns: drug (string): the drug's name
// returns: drug_id (string): the drug's key (InChIKey or source id)
// returns: gene (string): target gene symbol
// returns: gene_name (string): full gene name, when known
// returns: actions (list<string>): interaction types, e.g. inhibitor, antagonist
// returns: sources (list<string>): "source:release" of every source asserting the link
// returns: pmids (list<string>): PubMed ids cited for the link, when any
MATCH (d:Drug {id: $drug})
MATCH (d)-[t:TARGETS]->(g:Gene)
RETURN d.name AS drug, d.id AS drug_id, g.symbol AS gene, g.name AS gene_name,
       coalesce(t.actions, []) AS actions, t.sources AS sources,
       [e IN coalesce(t.evidence, []) WHERE e STARTS WITH 'pmid:' | substring(e, 5)] AS pmids
ORDER BY size(t.sources) DESC, gene

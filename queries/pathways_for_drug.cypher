// name: pathways_for_drug
// description: Pathways hit by a drug's targets. Reactome pathways and MSigDB Hallmark gene
//   sets that contain at least one known target of the drug, with the targets they contain.
//   Pathways holding more of the drug's targets come first, smaller (more specific) ones before
//   larger ones.
// param: drug (drug, example "Erlotinib"): drug name, synonym or id in any spelling (resolved
//   to one drug before the query runs; a name two drugs share is refused)
// param: collection (string, default "any", example "Reactome", choices ["any", "Reactome",
//   "MSigDB Hallmark"]): keep only pathways of this collection
// param: max_pathway_size (integer, default 100000, example 300): leave out pathways with more
//   genes than this (umbrella pathways such as "Signal Transduction")
// returns: drug (string): the drug's name
// returns: pathway_id (string): Reactome stable id (R-HSA-…) or gene-set name
// returns: pathway (string): pathway name
// returns: collection (string): Reactome or MSigDB Hallmark
// returns: targets (list<string>): the drug's targets in the pathway
// returns: n_targets (integer): how many of the drug's targets the pathway holds
// returns: pathway_size (integer): genes in the pathway
MATCH (d:Drug {id: $drug})
MATCH (d)-[:TARGETS]->(g:Gene)-[:IN_PATHWAY]->(p:Pathway)
WHERE $collection = 'any' OR p.collection = $collection
WITH d, p, g ORDER BY g.symbol
WITH d, p, collect(DISTINCT g.symbol) AS targets
WITH d, p, targets, COUNT { (p)<-[:IN_PATHWAY]-() } AS pathway_size
WHERE pathway_size <= $max_pathway_size
RETURN d.name AS drug, p.id AS pathway_id, p.name AS pathway, p.collection AS collection,
       targets, size(targets) AS n_targets, pathway_size
ORDER BY n_targets DESC, pathway_size, pathway_id

// name: similar_drugs
// description: Drugs similar to a drug by shared targets and pathways, for repurposing. Similar
//   drugs share known targets (Jaccard overlap of target sets) or hit the same pathways
//   (Jaccard overlap of the Reactome pathways of their targets, counting only pathways of at
//   most max_pathway_size genes, so that huge umbrella pathways do not make every drug
//   similar). Ranked by similarity, the mean of the two overlaps: drugs sharing the main target
//   and its signalling pathways rank above drugs sharing only metabolising enzymes.
// param: drug (drug, example "Erlotinib"): drug name, synonym or id in any spelling (resolved
//   to one drug before the query runs; a name two drugs share is refused)
// param: max_pathway_size (integer, default 150, example 150): largest pathway (in genes) that
//   counts for pathway overlap
// param: min_similarity (float, default 0.1, example 0.2): keep drugs whose similarity reaches
//   this
// returns: drug (string): the drug asked about
// returns: similar_drug (string): a similar drug's name
// returns: similar_drug_id (string): its key
// returns: shared_targets (list<string>): target genes both drugs act on
// returns: target_jaccard (float): shared targets / targets of either drug
// returns: shared_pathways (integer): Reactome pathways (≤ max_pathway_size genes) both hit
// returns: pathway_jaccard (float): shared pathways / pathways of either drug
// returns: similarity (float): mean of target_jaccard and pathway_jaccard
// returns: example_pathways (list<string>): up to five of the shared pathways (by name)
MATCH (d:Drug {id: $drug})
MATCH (d)-[:TARGETS]->(g:Gene)
WITH d, collect(g) AS targets
CALL (targets) {
  UNWIND targets AS g
  MATCH (g)-[:IN_PATHWAY]->(p:Pathway {collection: 'Reactome'})
  WHERE COUNT { (p)<-[:IN_PATHWAY]-() } <= $max_pathway_size
  RETURN collect(DISTINCT p) AS pathways
}
CALL (d, targets, pathways) {
  UNWIND targets AS g
  MATCH (g)<-[:TARGETS]-(o:Drug) WHERE o <> d
  RETURN o
  UNION
  UNWIND pathways AS p
  MATCH (p)<-[:IN_PATHWAY]-(:Gene)<-[:TARGETS]-(o:Drug) WHERE o <> d
  RETURN o
}
WITH d, targets, pathways, o
CALL (o) {
  MATCH (o)-[:TARGETS]->(x:Gene)
  RETURN collect(x) AS other_targets
}
CALL (other_targets) {
  UNWIND other_targets AS x
  MATCH (x)-[:IN_PATHWAY]->(p:Pathway {collection: 'Reactome'})
  WHERE COUNT { (p)<-[:IN_PATHWAY]-() } <= $max_pathway_size
  RETURN collect(DISTINCT p) AS other_pathways
}
WITH d, o, [g IN targets WHERE g IN other_targets] AS shared_t,
     size(targets) + size(other_targets) AS t_total,
     [p IN pathways WHERE p IN other_pathways] AS shared_p,
     size(pathways) + size(other_pathways) AS p_total
WITH d, o, shared_t, shared_p,
     toFloat(size(shared_t)) / (t_total - size(shared_t)) AS target_jaccard,
     CASE WHEN p_total = size(shared_p) THEN 0.0
          ELSE toFloat(size(shared_p)) / (p_total - size(shared_p)) END AS pathway_jaccard
WITH d, o, shared_t, shared_p, target_jaccard, pathway_jaccard,
     (target_jaccard + pathway_jaccard) / 2 AS similarity
WHERE similarity >= $min_similarity
RETURN d.name AS drug, o.name AS similar_drug, o.id AS similar_drug_id,
       COLLECT { UNWIND shared_t AS g RETURN g.symbol ORDER BY g.symbol } AS shared_targets,
       target_jaccard,
       size(shared_p) AS shared_pathways, pathway_jaccard, similarity,
       COLLECT { UNWIND shared_p AS p RETURN p.name ORDER BY p.name LIMIT 5 } AS example_pathways
ORDER BY similarity DESC, target_jaccard DESC, similar_drug

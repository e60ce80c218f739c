// name: graph_statistics
// description: Node counts per label and relationship counts per type. Predicted links written
//   back by models are included; the provenance Source nodes are not (sources_and_releases
//   lists them).
// returns: kind (string): "node" or "relationship"
// returns: name (string): label or relationship type
// returns: count (integer): nodes or relationships
CALL () {
  MATCH (n)
  WHERE NOT n:Source
  UNWIND labels(n) AS name
  RETURN 'node' AS kind, name, count(*) AS count
  UNION ALL
  MATCH ()-[r]->()
  RETURN 'relationship' AS kind, type(r) AS name, count(*) AS count
}
RETURN kind, name, count
ORDER BY kind, name

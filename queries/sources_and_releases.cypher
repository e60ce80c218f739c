// name: sources_and_releases
// description: Provenance: the sources and releases behind the graph. Every "source:release"
//   recorded in the "sources" of nodes and relationships, with how many nodes of each label and
//   relationships of each type it contributed. A node or relationship asserted by several
//   sources counts once for each. The licence is the one the source declares (its Source
//   node); "unknown" where no Source node describes the release.
// param: source (string, default "any", example "gdsc"): keep only this source (the part before
//   the colon), or "any"
// returns: source (string): source name, e.g. gdsc, civic, reactome
// returns: release (string): release of the source, e.g. v17, 2024-08-01
// returns: licence (string): licence id (SPDX where one exists), e.g. CC0-1.0, CC-BY-NC-4.0
// returns: kind (string): "node" or "relationship"
// returns: name (string): label or relationship type
// returns: count (integer): nodes or relationships the release contributed
CALL () {
  MATCH (n)
  WHERE n.sources IS NOT NULL
  UNWIND n.sources AS tag
  UNWIND labels(n) AS name
  RETURN tag, 'node' AS kind, name, count(*) AS count
  UNION ALL
  MATCH ()-[r]->()
  WHERE r.sources IS NOT NULL
  UNWIND r.sources AS tag
  RETURN tag, 'relationship' AS kind, type(r) AS name, count(*) AS count
}
WITH split(tag, ':')[0] AS source, tag, kind, name, count
WHERE $source = 'any' OR source = $source
OPTIONAL MATCH (s:Source {id: tag})
RETURN source, substring(tag, size(source) + 1) AS release, coalesce(s.licence, 'unknown')
  AS licence, kind, name, count
ORDER BY source, release, kind, name

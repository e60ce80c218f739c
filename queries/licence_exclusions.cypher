// name: licence_exclusions
// description: What exporting under a set of licences would leave out, per label and type.
//   Counts the nodes and relationships none of whose sources comes under one of the given
//   licences (what `oncokg export --licence-allow` leaves out), with the licences that do
//   cover them. A release no Source node describes counts as "unknown".
// param: licences (string, default "CC0-1.0,CC-BY-4.0,MIT,Apache-2.0", example
//   "CC0-1.0,CC-BY-4.0"): comma-separated licence ids to allow (the default: the open ones)
// returns: kind (string): "node" or "relationship"
// returns: name (string): label or relationship type
// returns: licences (list<string>): the licences of the excluded entities' sources
// returns: excluded (integer): nodes or relationships no allowed licence covers
OPTIONAL MATCH (s:Source)
WITH collect([s.id, s.licence]) AS known, [l IN split($licences, ',') | trim(l)] AS allowed
CALL () {
  MATCH (n)
  WHERE n.sources IS NOT NULL
  UNWIND labels(n) AS name
  RETURN 'node' AS kind, name, n.sources AS tags, count(*) AS entities
  UNION ALL
  MATCH ()-[r]->()
  WHERE r.sources IS NOT NULL
  RETURN 'relationship' AS kind, type(r) AS name, r.sources AS tags, count(*) AS entities
}
WITH kind, name, entities, allowed,
  [t IN tags | coalesce(head([k IN known WHERE k[0] = t | k[1]]), 'unknown')] AS covered
WHERE none(l IN covered WHERE l IN allowed)
WITH kind, name, sum(entities) AS excluded, collect(covered) AS lists
UNWIND lists AS list
UNWIND list AS licence
WITH kind, name, excluded, licence
ORDER BY licence
RETURN kind, name, collect(DISTINCT licence) AS licences, excluded
ORDER BY kind DESC, name

// name: cell_lines_by_expression
// description: Cell lines that express a gene unusually high (or low), with their tumor
//   types. A line is listed when its expression of the gene lies at least 2.5 SD from the
//   gene's mean over all lines (an EXPRESSES link with that z); the most extreme come first.
//   Needs the gdsc_expression source.
// param: gene (string, example "ERBB2"): gene symbol
// param: direction (string, default "high", example "high", choices ["high", "low"]): lines
//   where the gene is high (z > 0) or low (z < 0)
// returns: cell_line (string): cell line name
// returns: cosmic_id (string): the cell line's COSMIC id
// returns: z (float): the gene's expression z-score in the line, across lines
// returns: tumor_type (string): OncoTree code the line models, when known
// returns: tumor (string): the tumor type's name
MATCH (c:CellLine)-[e:EXPRESSES]->(g:Gene)
WHERE (g.symbol = $gene OR g.symbol = toUpper($gene))
  AND (($direction = 'high' AND e.z > 0) OR ($direction = 'low' AND e.z < 0))
OPTIONAL MATCH (c)-[:MODEL_OF]->(t:TumorType)
RETURN c.name AS cell_line, c.cosmic_id AS cosmic_id, e.z AS z, t.code AS tumor_type,
       t.name AS tumor
ORDER BY abs(e.z) DESC, cosmic_id

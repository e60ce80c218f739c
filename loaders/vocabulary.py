"""The drug vocabulary: the shared ``DrugResolver`` built from the drug sources' files.

GDSC's compound lists, the structure tables and DrugBank (the curated sources) contribute
``DrugRecord``s first; GDSC release 8's and then CTRP v2's name → SMILES tables add the drugs
whose name has no structure yet. The resolver is merged once per set of files and every loader
names drugs through it (``LoadContext.drugs``), so a drug has one key whichever source
mentions it.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from oncokg.loaders import ctrp_drugs, drugbank, gdsc_drugs, gdsc_rel8, structures
from oncokg.loaders.drugs import DrugRecord, DrugResolver
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.files import SourceFile
from oncokg.loaders.report import Issue

_RESOLVERS: dict[tuple, DrugResolver] = {}
#: Curated record sources, merged first; then the SMILES tables, each only for unknown structures.
CURATED = (gdsc_drugs, structures, drugbank)
SMILES_TABLES = (gdsc_rel8, ctrp_drugs)


def vocabulary_files() -> list[SourceFile]:
    """The ``SourceFile``s the resolver is built from, in a fixed order."""
    return [f for module in (*CURATED, *SMILES_TABLES) for f in module.VOCABULARY_FILES]


def resolver(fetcher: Fetcher) -> DrugResolver:
    """The process-wide drug resolver for the fetcher's vocabulary files (built once).

    A SMILES table's record for a name that already has a structure is not used: the table
    may draw another tautomer (talazoparib), which would split one drug into two of the same
    name. Each table is checked against everything merged before it.
    """
    paths = [fetcher.path(f) for f in vocabulary_files()]
    key = tuple((str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in paths)
    if key not in _RESOLVERS:
        records: list[DrugRecord] = []
        issues: list[Issue] = []
        for module in CURATED:
            found, problems = module.drug_records(fetcher)
            records += found
            issues += problems
        for table in SMILES_TABLES:
            known = DrugResolver([replace(r) for r in records])  # it edits records: copies
            extra, problems = table.drug_records(fetcher)
            issues += problems
            for record in extra:
                match = known.resolve_name(record.name)
                if match.ok and known.drugs[match.key].inchikey:
                    issues.append(Issue("note", "structure already known from an earlier "
                                        "source; this SMILES is not used", record.name,
                                        record.file, record.line))
                else:
                    records.append(record)
        _RESOLVERS[key] = DrugResolver(records, issues)
    return _RESOLVERS[key]


def known_compounds(fetcher: Fetcher) -> pd.DataFrame:
    """Every compound of the vocabulary with a structure, one row per InChIKey.

    Columns ``smiles`` (RDKit canonical), ``name``, ``id`` (the drug key) and ``inchikey``,
    ordered by InChIKey. Two drugs of one InChIKey (rare: names the resolver would not merge)
    keep the first key's row.
    """
    rows = [drug.row() for drug in resolver(fetcher).drugs.values() if drug.inchikey]
    frame = pd.DataFrame([r for r in rows if r["smiles"]],
                         columns=list(rows[0]) if rows else ["id", "name", "smiles", "inchikey"])
    frame = frame[["smiles", "name", "id", "inchikey"]].sort_values(["inchikey", "id"])
    return frame.drop_duplicates("inchikey").reset_index(drop=True)

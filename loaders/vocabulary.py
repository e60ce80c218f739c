"""The drug vocabulary: the shared ``DrugResolver`` built from the drug sources' files.

GDSC's compound list, the structure tables, DrugBank and GDSC release 8's name → SMILES table
each contribute ``DrugRecord``s; the
resolver merges them once per set of files and every loader names drugs through it
(``LoadContext.drugs``), so a drug has one key whichever source mentions it.
"""

from __future__ import annotations

from dataclasses import replace

from oncokg.loaders import drugbank, gdsc_drugs, gdsc_rel8, structures
from oncokg.loaders.drugs import DrugRecord, DrugResolver
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.files import SourceFile
from oncokg.loaders.report import Issue

_RESOLVERS: dict[tuple, DrugResolver] = {}


def vocabulary_files() -> list[SourceFile]:
    """The ``SourceFile``s the resolver is built from, in a fixed order."""
    return [*gdsc_drugs.VOCABULARY_FILES, *structures.VOCABULARY_FILES,
            *drugbank.VOCABULARY_FILES, *gdsc_rel8.VOCABULARY_FILES]


def resolver(fetcher: Fetcher) -> DrugResolver:
    """The process-wide drug resolver for the fetcher's vocabulary files (built once).

    The curated sources (GDSC's compound lists, the structure tables, DrugBank) are merged
    first; GDSC release 8's name → SMILES table then adds the drugs whose name has no structure
    there yet. Its SMILES for a drug that already has one is not used: it may draw another
    tautomer (talazoparib), which would split one drug into two of the same name.
    """
    paths = [fetcher.path(f) for f in vocabulary_files()]
    key = tuple((str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in paths)
    if key not in _RESOLVERS:
        records: list[DrugRecord] = []
        issues: list[Issue] = []
        for module in (gdsc_drugs, structures, drugbank):
            found, problems = module.drug_records(fetcher)
            records += found
            issues += problems
        curated = DrugResolver([replace(r) for r in records])  # it edits records: copies
        extra, problems = gdsc_rel8.drug_records(fetcher)
        issues += problems
        for record in extra:
            match = curated.resolve_name(record.name)
            if match.ok and curated.drugs[match.key].inchikey:
                issues.append(Issue("note", "structure already known from a curated source; "
                                    "the release-8 SMILES is not used", record.name,
                                    record.file))
            else:
                records.append(record)
        _RESOLVERS[key] = DrugResolver(records, issues)
    return _RESOLVERS[key]

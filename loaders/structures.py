"""Drug structures: the Drug nodes of every compound with a structure in a reference file.

Files (all also part of the drug resolver's vocabulary, see ``loaders.drugs``):

* ``deepcdr/anti_drug.info.tsv`` (GDSC DRUG_ID, PubChem CID, name; no header) joined to
  ``deepcdr/223drugs_pubchem_smiles.tsv`` (CID, PubChem canonical SMILES; no header);
* ``graphdrp/drug_smiles.csv`` (name, CID, canonical and isomeric SMILES; isomeric used);
* ``graphdrp/small_molecule.csv`` (HMS LINCS: names, CIDs, ChEMBL ids, InChIKey, SMILES;
  one record per LINCS compound, the first batch row);
* ``drugbank_dhimmel/drugbank.tsv`` (DrugBank id, name, InChI; parsed in ``drugbank``).

Every SMILES is parsed by RDKit into a canonical SMILES and a standard InChIKey. An invalid
SMILES (RDKit cannot parse it, or it has radical atoms) is reported and the record kept
without a structure, never fatal.

Known wrong upstream CIDs (``gdsc_drugs.KNOWN_BAD_CIDS``, also QS11 4263900): DeepCDR maps
Rapamycin to CID 5384616 and Cetuximab to CID 85668777, both unrelated small molecules. Their
CIDs and SMILES are ignored (reported as notes): Rapamycin takes its structure from the
name-keyed sources (GraphDRP CID 5284616, DrugBank sirolimus, HMS LINCS sirolimus) and
Cetuximab, an antibody, has no structure (key ``GDSC:1114``).
"""

from __future__ import annotations

from oncokg.loaders import drugbank, drugs
from oncokg.loaders.base import LoadContext, LoadResult, SourceFile, clean, node_table
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.gdsc_drugs import KNOWN_BAD_CIDS
from oncokg.loaders.readers import LINE, read_delimited
from oncokg.loaders.report import Issue

_DEEPCDR = "https://github.com/kimmo1019/DeepCDR/raw/4dc5a901d5/data/"
_GRAPHDRP = "https://github.com/hauldhut/GraphDRP/raw/ad250651f3/data/"
FILES = {
    "deepcdr_smiles": SourceFile("deepcdr/223drugs_pubchem_smiles.tsv",
                                 _DEEPCDR + "223drugs_pubchem_smiles.txt"),
    "deepcdr_drugs": SourceFile("deepcdr/anti_drug.info.tsv", _DEEPCDR + "anti_drug.info"),
    "graphdrp_smiles": SourceFile("graphdrp/drug_smiles.csv", _GRAPHDRP + "drug_smiles.csv"),
    "lincs": SourceFile("graphdrp/small_molecule.csv", _GRAPHDRP + "small_molecule.csv"),
    "drugbank": drugbank.FILES["drugbank"],
}
VOCABULARY_FILES = (FILES["deepcdr_smiles"], FILES["deepcdr_drugs"], FILES["graphdrp_smiles"],
                    FILES["lincs"])
RELEASE = "2020"  # DeepCDR 2019, GraphDRP 2020 copies; HMS LINCS 2016; DrugBank 4.2
STRUCTURE_SOURCES = ("deepcdr", "graphdrp", "lincs", "drugbank")


def _int(text: str | None) -> int | None:
    text = clean(text)
    return int(text) if text and text.isdigit() else None


def drug_records(fetcher: Fetcher) -> tuple[list[drugs.DrugRecord], list[Issue]]:
    """Vocabulary records from DeepCDR, GraphDRP and HMS LINCS structure files."""
    records: list[drugs.DrugRecord] = []
    issues: list[Issue] = []

    smiles_path = fetcher.path(FILES["deepcdr_smiles"])
    smiles_by_cid: dict[int, str] = {}
    for row in read_delimited(smiles_path, sep="\t", columns=["cid", "smiles"]).itertuples(
            index=False):
        cid = _int(row.cid)
        if cid is None or not clean(row.smiles):
            issues.append(Issue("dropped", "row without a numeric CID and a SMILES",
                                str(row.cid), FILES["deepcdr_smiles"].path, getattr(row, LINE)))
            continue
        smiles_by_cid[cid] = row.smiles.strip()
    used_cids: set[int] = set()
    drug_path = fetcher.path(FILES["deepcdr_drugs"])
    table = read_delimited(drug_path, sep="\t", columns=["drug_id", "cid", "name"])
    for row in table.itertuples(index=False):
        gid, cid, line = _int(row.drug_id), _int(row.cid), getattr(row, LINE)
        if gid is None:
            issues.append(Issue("dropped", "row without a numeric GDSC drug id",
                                str(row.drug_id), FILES["deepcdr_drugs"].path, line))
            continue
        smiles = None
        if cid in KNOWN_BAD_CIDS:
            issues.append(Issue("note", f"known wrong PubChem CID ignored: {KNOWN_BAD_CIDS[cid]}",
                                f"GDSC:{gid} CID {cid}", FILES["deepcdr_drugs"].path, line))
            used_cids.add(cid)
            cid = None
        elif cid is not None:
            smiles = smiles_by_cid.get(cid)
            used_cids.add(cid)
        records.append(drugs.DrugRecord(
            "deepcdr", str(gid), clean(row.name), (), (gid,),
            pubchem_cids=(cid,) if cid else (), smiles=smiles,
            file=FILES["deepcdr_drugs"].path, line=line))
    for cid in sorted(set(smiles_by_cid) - used_cids):
        issues.append(Issue("dropped", "SMILES for a CID no drug row names", f"CID {cid}",
                            FILES["deepcdr_smiles"].path))

    path = fetcher.path(FILES["graphdrp_smiles"])
    frame = read_delimited(path, sep=",", required=("name", "CID", "CanonicalSMILES",
                                                     "IsomericSMILES"))
    for row in frame.itertuples(index=False):
        name, cid = clean(row.name), _int(row.CID)
        smiles = clean(row.IsomericSMILES) or clean(row.CanonicalSMILES)
        if not name:
            issues.append(Issue("dropped", "structure row without a drug name", str(row.CID),
                                FILES["graphdrp_smiles"].path, getattr(row, LINE)))
            continue
        records.append(drugs.DrugRecord(
            "graphdrp", name, name, pubchem_cids=(cid,) if cid else (), smiles=smiles,
            file=FILES["graphdrp_smiles"].path, line=getattr(row, LINE)))

    path = fetcher.path(FILES["lincs"])
    frame = read_delimited(path, sep=",", required=(
        "HMS LINCS ID", "Name", "Alternative Names", "PubChem CID", "ChEMBL ID", "InChi Key",
        "SMILES"))
    seen: set[str] = set()
    for get in frame.to_dict("records"):
        lincs_id = (clean(get["HMS LINCS ID"]) or "").split("-")[0]
        line = get[LINE]
        if not lincs_id:
            issues.append(Issue("dropped", "row without an HMS LINCS id", str(get["Name"]),
                                FILES["lincs"].path, line))
            continue
        if lincs_id in seen:
            issues.append(Issue("merged", "another batch of the same HMS LINCS compound",
                                f"{get['HMS LINCS ID']} → LINCS:{lincs_id}", FILES["lincs"].path,
                                line))
            continue
        seen.add(lincs_id)
        smiles = clean(get["SMILES"])
        if smiles and smiles.lower() == "restricted":
            issues.append(Issue("note", "structure restricted by HMS LINCS", f"LINCS:{lincs_id}",
                                FILES["lincs"].path, line))
            smiles = None
        key = clean(get["InChi Key"])
        chembl = _int(get["ChEMBL ID"])
        cid = _int(get["PubChem CID"])
        alternatives = tuple(a.strip() for a in (clean(get["Alternative Names"]) or "").split(";")
                             if a.strip())
        records.append(drugs.DrugRecord(
            "lincs", lincs_id, clean(get["Name"]), alternatives, lincs_id=lincs_id,
            pubchem_cids=(cid,) if cid else (), chembl_id=f"CHEMBL{chembl}" if chembl else None,
            smiles=smiles, inchikey=key if smiles and key and key != "restricted" else None,
            file=FILES["lincs"].path, line=line))
    return records, issues


def load(ctx: LoadContext) -> LoadResult:
    """Drug nodes for every drug that has a record in a structure file.

    The report carries the resolver's own findings: invalid structures, known wrong CIDs,
    names shared by drugs with different structures.
    """
    resolver = ctx.drugs
    for key in FILES:
        ctx.path(key)
    for issue in resolver.issues:
        ctx.report.issues.append(issue)
    keys = set()
    counts: dict[str, int] = {}
    for drug in resolver.drugs.values():
        sources = {r.source for r in drug.records}
        for record in drug.records:
            counts[record.file or record.source] = counts.get(record.file or record.source, 0) + 1
        if sources & set(STRUCTURE_SOURCES):
            keys.add(drug.id)
    for file, n in sorted(counts.items()):
        ctx.report.read(file, n)
    with_structure = sum(1 for k in keys if resolver.drugs[k].inchikey)
    ctx.report.note("drugs with a structure", f"{with_structure} of {len(keys)}")
    return ctx.result([node_table("Drug", resolver.rows(keys), ctx.provenance)], [])

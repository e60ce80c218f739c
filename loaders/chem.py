"""RDKit helpers: parse a structure, canonical SMILES, InChIKey, and why a structure is bad."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rdkit import Chem, RDLogger
from rdkit.Chem import Descriptors
from rdkit.Chem.MolStandardize import rdMolStandardize

RDLogger.DisableLog("rdApp.*")


@dataclass(frozen=True)
class Structure:
    """A parsed structure: RDKit canonical (isomeric) SMILES and standard InChIKey."""

    smiles: str | None
    inchikey: str


@cache
def from_smiles(smiles: str) -> Structure | str:
    """Parse a SMILES; returns a ``Structure`` or the reason it is invalid."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None or mol.GetNumAtoms() == 0:
        return "invalid SMILES (RDKit cannot parse it)"
    if Descriptors.NumRadicalElectrons(mol) > 0:
        return "invalid SMILES (radical atoms: not a drug structure)"
    key = Chem.MolToInchiKey(mol)
    if not key:
        return "invalid SMILES (no InChIKey)"
    return Structure(Chem.MolToSmiles(mol), key)


@cache
def inchikey_from_inchi(inchi: str) -> str | None:
    """Standard InChIKey of an InChI string (fast: no molecule is built)."""
    try:
        return Chem.inchi.InchiToInchiKey(inchi) or None
    except Exception:  # RDKit raises plain exceptions for malformed InChI
        return None


@cache
def smiles_from_inchi(inchi: str) -> str | None:
    """RDKit canonical SMILES of an InChI, or None when RDKit cannot build the molecule."""
    mol = Chem.MolFromInchi(inchi, sanitize=True, removeHs=True)
    if mol is None:
        return None
    return Chem.MolToSmiles(mol) or None


@cache
def parent_skeleton(smiles: str | None = None, inchi: str | None = None) -> str | None:
    """First InChIKey block of the structure's parent: largest fragment, neutralized.

    Used to decide that a salt or a differently drawn complex (``Sunitinib malate``,
    ``N.N.Cl[Pt]Cl``) is the same drug as its parent; never used as a key.
    """
    mol = Chem.MolFromSmiles(smiles) if smiles else Chem.MolFromInchi(inchi) if inchi else None
    if mol is None:
        return None
    try:
        parent = rdMolStandardize.ChargeParent(mol)
    except Exception:  # standardization can fail on exotic inorganics
        parent = mol
    key = Chem.MolToInchiKey(parent)
    return key.split("-")[0] if key else None

"""Benchmark libraries: drug-like analogues enumerated from known structures (no download).

Each parent's aromatic CH positions take one substituent of ``SUBSTITUENTS`` (or become an
aromatic N), in a fixed order: every single edit of every parent first, then every pair of
edits on two positions. A product is kept when RDKit sanitizes it, it weighs at most
``MAX_WEIGHT`` Da and its canonical SMILES is new (parents included), so the same parents and
``n`` always give the same library.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from rdkit import Chem, RDLogger
from rdkit.Chem import Descriptors

RDLogger.DisableLog("rdApp.*")

#: Substituents put on an aromatic CH (attached by their first atom); ``aza`` turns it into N.
SUBSTITUENTS: tuple[str, ...] = ("F", "Cl", "C", "OC", "C#N", "N", "O", "C(F)(F)F", "CC",
                                 "Br", "S(C)(=O)=O", "aza")
#: The heaviest analogue kept (Da): drug-like, by Lipinski's bound with some room.
MAX_WEIGHT = 600.0

Edit = tuple[int, str]
_FRAGMENTS = {sub: Chem.MolFromSmiles(sub) for sub in SUBSTITUENTS if sub != "aza"}


def analogues(parents: Iterable[tuple[str, str]], n: int) -> Iterator[tuple[str, str]]:
    """Up to ``n`` new (SMILES, name) analogues of the (SMILES, name) ``parents``."""
    mols = []
    seen: set[str] = set()
    for smiles, name in parents:
        mol = Chem.MolFromSmiles(smiles)
        if mol is None or Descriptors.MolWt(mol) > MAX_WEIGHT:
            continue
        seen.add(Chem.MolToSmiles(mol))
        sites = [a.GetIdx() for a in mol.GetAtoms()
                 if a.GetIsAromatic() and a.GetSymbol() == "C" and a.GetTotalNumHs() == 1]
        if sites:
            mols.append((mol, name, sites))
    made = 0
    for depth in (1, 2):
        for mol, name, sites in mols:
            for edits in _edits(sites, depth):
                smiles = _apply(mol, edits)
                if smiles is None or smiles in seen:
                    continue
                seen.add(smiles)
                yield smiles, f"{name}+" + "+".join(f"{sub}@{atom}" for atom, sub in edits)
                made += 1
                if made >= n:
                    return


def _edits(sites: list[int], depth: int) -> Iterator[tuple[Edit, ...]]:
    for atoms in itertools.combinations(sites, depth):
        for subs in itertools.product(SUBSTITUENTS, repeat=depth):
            yield tuple(zip(atoms, subs, strict=True))


def _apply(mol, edits: tuple[Edit, ...]) -> str | None:
    """Canonical SMILES of ``mol`` with ``edits``; None when not a sane drug-like molecule."""
    rw = Chem.RWMol(mol)
    for atom, sub in edits:
        if sub == "aza":
            rw.GetAtomWithIdx(atom).SetAtomicNum(7)
            rw.GetAtomWithIdx(atom).SetNoImplicit(False)
            continue
        start = rw.GetNumAtoms()
        rw.InsertMol(_FRAGMENTS[sub])
        rw.AddBond(atom, start, Chem.BondType.SINGLE)
    try:
        Chem.SanitizeMol(rw)
    except (ValueError, RuntimeError):
        return None
    if Descriptors.MolWt(rw) > MAX_WEIGHT:
        return None
    return Chem.MolToSmiles(rw)

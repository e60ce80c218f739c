"""The known-compounds library (every structure in the drug sources, one per InChIKey) and the
analogue libraries generated from it."""

from __future__ import annotations

import itertools

from rdkit import Chem
from rdkit.Chem import Descriptors

from oncokg.app.library import named_library
from oncokg.loaders.analogues import MAX_WEIGHT, analogues
from oncokg.loaders.fetch import Fetcher
from oncokg.loaders.vocabulary import known_compounds

ERLOTINIB = "AAKJLRGGTJKAMG-UHFFFAOYSA-N"
OLAPARIB = "FDLYAMZZIXQODN-UHFFFAOYSA-N"


def test_known_compounds_are_every_structure_once(data_dir, tmp_path):
    table = known_compounds(Fetcher(data_dir))
    assert len(table) > 5_000 and table["inchikey"].is_unique
    assert {ERLOTINIB, OLAPARIB} <= set(table["inchikey"])
    # A structure's SMILES gives back its InChIKey (DrugBank's come from InChI: a few lose a
    # stereo or isotope layer on the way, never the skeleton).
    sample = table.sample(300, random_state=0)
    keys = [Chem.MolToInchiKey(Chem.MolFromSmiles(s)) for s in sample["smiles"]]
    assert [k[:14] for k in keys] == [k[:14] for k in sample["inchikey"]]
    assert sum(k == known for k, known in zip(keys, sample["inchikey"], strict=True)) >= 285
    source = named_library("known-compounds", tmp_path, data_dir)
    entries = [e for chunk in source.chunks(4096) for e in chunk]
    assert len(entries) == len(table)
    assert entries[0][1:] == (table["smiles"][0], table["name"][0] or "")
    first = source.path.read_bytes()
    assert named_library("known-compounds", tmp_path, data_dir).path.read_bytes() == first


def test_analogues_are_new_valid_drug_like_and_reproducible():
    parents = [("c1ccc2ncnc(NC)c2c1", "quinazoline"), ("CC(=O)Oc1ccccc1C(=O)O", "aspirin"),
               ("C" * 60, "too heavy: not a parent"), ("C1CC(", "broken")]
    made = list(analogues(parents, 500))
    assert len(made) == 500 and made == list(analogues(parents, 500))
    smiles = [s for s, _ in made]
    assert len(set(smiles)) == 500
    parent_forms = {Chem.MolToSmiles(Chem.MolFromSmiles(s)) for s, _ in parents[:2]}
    assert not parent_forms & set(smiles)
    for text, name in made:
        mol = Chem.MolFromSmiles(text)
        assert mol is not None and Descriptors.MolWt(mol) <= MAX_WEIGHT
        assert name.split("+")[0] in ("quinazoline", "aspirin")
    # single edits of every parent come before any double edit
    depth = [name.count("+") for _, name in made]
    assert depth == sorted(depth) and depth[0] == 1 and depth[-1] == 2
    assert len(list(itertools.islice(analogues(parents, 10), 20))) == 10

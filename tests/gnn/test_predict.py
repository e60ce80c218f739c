import doctest

import numpy as np
import pytest
import torch

import oncokg.gnn.predict
from oncokg.gnn.artifact import ArtifactError, check_safe, load_artifact
from oncokg.gnn.library import MAX_SMILES
from oncokg.gnn.predict import PredictionError, Predictor
from oncokg.gnn.screen import Screen


def test_artifact_loads_with_weights_only(target_artifact):
    path, results = target_artifact
    raw = torch.load(path, weights_only=True)
    check_safe(raw)
    assert raw["format"] == "oncokg-gnn/3"
    assert raw["release"] == "synthetic-1" and raw["task"] == "drug-target"
    assert raw["nodes"]["Gene"]["keys"][0] == "GENE0"
    assert set(raw["metrics"]["test"]) >= {"mrr", "hits@1", "hits@10", "auroc"}
    assert raw["config"]["model"] == "sage"
    assert raw["featurizer"]["settings"]["fp_bits"] == 1024
    assert results.artifact == str(path)


def test_round_trip_gives_the_same_scores(target_artifact):
    path, _ = target_artifact
    a, b = Predictor.load(path), Predictor.load(path)
    ta, tb = a.top_targets("DRUG1_2", k=5), b.top_targets("DRUG1_2", k=5)
    assert ta.equals(tb)
    # Names, keys and synonyms resolve, case-insensitively.
    assert a.top_targets("synthinib-12", k=5).equals(ta)
    assert a.top_targets("SYN-12", k=5).equals(ta)


def test_artifact_rejects_unsafe_contents(tmp_path):
    with pytest.raises(ArtifactError):
        check_safe({"bad": (1, 2)})
    with pytest.raises(ArtifactError):
        load_artifact(tmp_path / "missing.pt")
    torch.save({"format": "something-else"}, tmp_path / "other.pt")
    with pytest.raises(ArtifactError):
        load_artifact(tmp_path / "other.pt")


def test_predictor_errors(target_artifact):
    predictor = Predictor.load(target_artifact[0])
    with pytest.raises(PredictionError, match="unknown drug .Nonexistinib. "):
        predictor.top_targets("Nonexistinib")
    with pytest.raises(PredictionError, match="invalid SMILES"):
        predictor.score_smiles("C1CC(", relation="TARGETS")
    with pytest.raises(PredictionError, match="drug-response"):
        predictor.top_cell_lines("DRUG0_0")
    with pytest.raises(PredictionError, match="unknown gene"):
        predictor.score_pairs([("DRUG0_0", "NOTAGENE")])


def test_score_smiles_and_target_tables(target_artifact):
    predictor = Predictor.load(target_artifact[0])
    table = predictor.score_smiles("c1ccc2ncnc(NCCC)c2c1", relation="TARGETS", k=4)
    assert len(table) == 4 and table["score"].is_monotonic_decreasing
    assert set(table["gene"]) <= set(predictor.nodes["Gene"]["keys"])
    top = predictor.top_targets("DRUG0_0", k=40)
    assert top["known"].any()
    assert not predictor.top_targets("DRUG0_0", k=40, exclude_known=True)["known"].any()
    drugs = predictor.top_drugs_for_gene("GENE1", k=3)
    assert list(drugs["rank"]) == [1, 2, 3] and "drug_name" in drugs


def test_response_predictor(response_artifact):
    predictor = Predictor.load(response_artifact[0])
    cells = predictor.top_cell_lines("Synthinib-00", k=5)
    assert list(cells.columns) == ["rank", "drug", "drug_name", "cell_line", "cell_line_name",
                                   "p_sensitive", "ln_ic50", "measured"]
    assert cells["p_sensitive"].is_monotonic_decreasing
    tumors = predictor.top_tumor_types("DRUG0_0", k=3)
    assert len(tumors) == 3 and set(tumors["tumor_type"]) <= {"LUAD", "LUSC", "COAD", "READ",
                                                               "SCLC", "MACR"}
    drugs = predictor.top_drugs_for_cell_line("CL-3", k=4)
    assert drugs["cell_line"].iloc[0] == "900003"
    pairs = predictor.score_pairs([("DRUG0_0", "900001"), ("BIOLOGIC1", "cl-2")])
    assert pairs["cell_line_name"].tolist() == ["CL-1", "CL-2"]
    new = predictor.score_smiles("c1ccc2ncnc(NCC)c2c1", k=6)
    assert len(new) == 6 and new["drug"].iloc[0].startswith("SMILES:")
    with pytest.raises(PredictionError, match="drug-target"):
        predictor.score_smiles("CCO", relation="TARGETS")


def test_predict_tutorial_runs():
    failures, tried = doctest.testmod(oncokg.gnn.predict, optionflags=doctest.ELLIPSIS)
    assert tried > 10 and failures == 0


def test_new_compound_is_linked_to_its_structural_neighbours(target_artifact):
    predictor = Predictor.load(target_artifact[0])
    x = predictor.featurizer.featurize("c1ccc2ncnc(NCCC)c2c1")  # quinazoline family 0
    neighbours = predictor.similar_drugs(x)
    keys = [predictor.nodes["Drug"]["keys"][i] for i in neighbours]
    assert keys and all(k.startswith("DRUG0_") for k in keys)


def test_new_compounds_embedded_together_or_alone_alike(response_artifact):
    path, _ = response_artifact
    predictor = Predictor.load(path)
    smiles = ["c1ccc2ncnc(NCCC)c2c1", "CC(=O)Oc1ccccc1C(=O)O"]
    together = predictor.smiles_embeddings(smiles)
    alone = torch.stack([predictor.smiles_embedding(s) for s in smiles])
    assert torch.allclose(together, alone, atol=1e-5)
    matrix = predictor.ln_ic50_matrix(together, np.arange(5))
    assert matrix.shape == (2, 5) and np.isfinite(matrix).all()
    with pytest.raises(PredictionError, match="invalid SMILES: .*'C1CC\\('"):
        predictor.smiles_embeddings(["CCO", "C1CC("])


def test_tumor_types_rank_by_selectivity_over_the_lines_general_sensitivity(response_artifact):
    predictor = Predictor.load(response_artifact[0])
    background = predictor.cell_background()
    everything = predictor.response_matrix(predictor.screenable_drugs(), None)
    assert np.allclose(background, everything.mean(axis=0))
    tumors = predictor.top_tumor_types("DRUG0_0", k=50)
    assert np.allclose(tumors["score"], tumors["selectivity"])
    assert np.allclose(tumors["selectivity"], tumors["potency"] - tumors["background"])
    assert tumors["score"].is_monotonic_decreasing
    by_potency = predictor.top_tumor_types("DRUG0_0", k=50, rank_by="potency")
    assert by_potency["score"].is_monotonic_decreasing
    assert np.allclose(by_potency["score"], by_potency["potency"])
    # Same types, same figures; only the order differs.
    merged = tumors.merge(by_potency, on="tumor_type", suffixes=("", "_p"))
    assert len(merged) == len(tumors)
    assert np.allclose(merged["selectivity"], merged["selectivity_p"])
    with pytest.raises(PredictionError, match="unknown ranking"):
        predictor.top_tumor_types("DRUG0_0", rank_by="fame")


class _Payload:
    def __reduce__(self):
        return (print, ("this must never run",))


def test_bad_model_files_are_refused_with_a_reason(tmp_path, target_artifact):
    (tmp_path / "empty.pt").write_bytes(b"")
    (tmp_path / "text.pt").write_text("101\n")
    torch.save({"payload": _Payload()}, tmp_path / "evil.pt")
    raw = torch.load(target_artifact[0], weights_only=True)
    torch.save({"format": raw["format"], "task": "drug-target"}, tmp_path / "partial.pt")
    weights = dict(raw, state_dict={k: v[:1] if v.dim() else v
                                    for k, v in raw["state_dict"].items()})
    torch.save(weights, tmp_path / "shapes.pt")
    for name in ("empty", "text", "evil"):
        with pytest.raises(ArtifactError, match="is not an OncoKG model artifact") as err:
            Predictor.load(tmp_path / f"{name}.pt")
        assert "weights_only" not in str(err.value) and "101" not in str(err.value)
    with pytest.raises(ArtifactError, match="relation"):
        Predictor.load(tmp_path / "partial.pt")
    with pytest.raises(ArtifactError, match="do not fit"):
        Predictor.load(tmp_path / "shapes.pt")


@pytest.mark.parametrize("fixture", ["target_artifact", "response_artifact"])
def test_compound_screens_batch_and_report_bad_lines(fixture, request, tmp_path):
    """A screen embeds its compounds together and ranks each as a one-compound screen would;
    invalid and overlong lines are reported by line and never stop it."""
    predictor = Predictor.load(request.getfixturevalue(fixture)[0])
    library = ["c1ccc2ncnc(NCC)c2c1 quinazoline", "C1CC( broken",
               "C" * (MAX_SMILES + 1) + " huge", "CC(=O)Oc1ccccc1C(=O)O aspirin",
               "c1ccccc1O phenol"]
    path = tmp_path / "library.smi"
    path.write_text("\n".join(library) + "\n")
    screen = Screen(predictor, progress=False)
    result = screen.compounds(path, k=3, min_cell_lines=1)
    assert [(s.line, "characters" in s.reason) for s in result.skipped] == [(2, False),
                                                                           (3, True)]
    assert set(result.candidates["drug_name"]) == {"quinazoline", "aspirin", "phenol"}
    for line in (1, 4, 5):
        alone = tmp_path / f"alone{line}.smi"
        alone.write_text(library[line - 1] + "\n")
        one = screen.compounds(alone, k=3, min_cell_lines=1).candidates
        both = result.candidates[result.candidates["drug"] == one["drug"].iloc[0]]
        columns = [c for c in one.columns if c in ("gene", "tumor_type", "rank")]
        assert both[columns].reset_index(drop=True).equals(one[columns].reset_index(drop=True))
        assert np.allclose(both["score"], one["score"], atol=1e-5)

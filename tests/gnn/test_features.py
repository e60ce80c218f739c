import numpy as np
import pandas as pd
import pytest

from oncokg.contract.export import GraphExport
from oncokg.gnn.features import (
    DrugFeaturizer,
    FeatureSettings,
    InvalidSmilesError,
    build_features,
    featurize_smiles,
)


def test_drug_features_report_missing_and_invalid(export, features):
    report = features.report
    assert report.n_drugs == len(export.nodes["Drug"])
    assert report.missing_structure == ["BIOLOGIC1"]
    assert report.invalid_smiles == [("BROKEN1", "C1CC(")]
    assert report.n_with_structure == report.n_drugs - 2
    keys = export.keys("Drug")
    assert not features.drug_has_structure[keys.index("BROKEN1")]
    assert features.drug_x.shape == (report.n_drugs, 1024 + len(FeatureSettings().descriptors))
    assert float(features.drug_x[keys.index("BIOLOGIC1")].abs().sum()) == 0.0
    assert "without SMILES" in report.summary()


def test_fingerprint_bits_follow_settings(export):
    f = build_features(export, FeatureSettings(fp_bits=2048, descriptors=("MolWt",)))
    assert f.drug_x.shape[1] == 2049
    assert set(np.unique(f.drug_x[:, :2048].numpy())) <= {0.0, 1.0}


def test_cell_features_are_the_mutation_profile(export, features):
    has_mut = export.edges[("CellLine", "HAS_MUTATION", "Mutation")]
    mutation_keys = export.keys("Mutation")
    column = {name: j for j, name in enumerate(features.cell_feature_names)}
    for src, dst in has_mut[["src", "dst"]].itertuples(index=False):
        assert features.cell_x[src, column[f"mut:{mutation_keys[dst]}"]] == 1.0
    n_mut_cols = sum(name.startswith("mut:") for name in features.cell_feature_names)
    assert float(features.cell_x[:, :n_mut_cols].sum()) == len(has_mut)
    assert any(name.startswith("tissue:") for name in features.cell_feature_names)
    assert not any(name.startswith("expr:") for name in features.cell_feature_names)


def test_expression_links_become_cell_features(export):
    """EXPRESSES z values fill one column per gene; lines without links are counted."""
    links = pd.DataFrame({"src": [0, 0, 3], "dst": [5, 7, 5], "z": [3.1, -2.6, 2.8]})
    with_expression = GraphExport(
        export.nodes, {**export.edges, ("CellLine", "EXPRESSES", "Gene"): links},
        export.manifest)
    features = build_features(with_expression)
    genes = export.keys("Gene")
    column = {name: j for j, name in enumerate(features.cell_feature_names)}
    assert features.cell_x[0, column[f"expr:{genes[5]}"]] == pytest.approx(3.1)
    assert features.cell_x[0, column[f"expr:{genes[7]}"]] == pytest.approx(-2.6)
    assert features.cell_x[3, column[f"expr:{genes[5]}"]] == pytest.approx(2.8)
    assert features.cell_x[1, column[f"expr:{genes[5]}"]] == 0.0
    n_cells = len(export.nodes["CellLine"])
    assert features.report.expression_genes == 2
    assert features.report.cell_lines_without_expression == n_cells - 2
    assert "expression of 2 genes" in features.report.summary()


def test_new_smiles_matches_graph_featurization(export, features):
    keys = export.keys("Drug")
    i = keys.index("DRUG0_0")
    smiles = export.nodes["Drug"]["smiles"].iloc[i]
    x = features.featurizer.featurize(smiles)
    assert np.allclose(x.numpy(), features.drug_x[i].numpy(), atol=1e-5)
    restored = DrugFeaturizer.from_state(features.featurizer.state())
    assert np.allclose(restored.featurize(smiles).numpy(), x.numpy())


@pytest.mark.parametrize("bad", ["C1CC(", "", "not a molecule", None])
def test_invalid_smiles_raises_clear_error(bad):
    with pytest.raises(InvalidSmilesError):
        featurize_smiles(bad)


def test_similarity_edges_link_drugs_of_one_family(export, features):
    keys = export.keys("Drug")
    src, dst = features.similar
    assert len(src) and not (src == dst).any()
    family = [k.split("_")[0] for k in keys]
    same = np.mean([family[a] == family[b] for a, b in zip(src, dst, strict=True)])
    assert same > 0.9
    has = features.drug_has_structure.numpy()
    assert has[src].all() and has[dst].all()


def _with_profiles(export, settings=None):
    keys = export.keys("CellLine")
    expression = pd.DataFrame({"ERBB2": [2.0, -1.0], "EGFR": [0.5, np.nan]},
                              index=[keys[0], keys[2]])
    pathways = pd.DataFrame({"0000": [1.5]}, index=[keys[2]])
    unknown = pd.DataFrame({"ERBB2": [9.0]}, index=["not-a-line"])
    profiled = export.with_profiles({"expression": pd.concat([expression, unknown]),
                                     "pathways": pathways})
    return profiled, build_features(profiled, settings or FeatureSettings())


def test_export_profiles_become_cell_features_and_supersede_expression_links(export):
    links = pd.DataFrame({"src": [0], "dst": [5], "z": [3.1]})
    linked = GraphExport(export.nodes, {**export.edges, ("CellLine", "EXPRESSES", "Gene"): links},
                         export.manifest)
    profiled, features = _with_profiles(linked)
    assert list(profiled.profiles["expression"].index) == [export.keys("CellLine")[i]
                                                           for i in (0, 2)]
    column = {name: j for j, name in enumerate(features.cell_feature_names)}
    assert features.cell_x[0, column["expr:ERBB2"]] == pytest.approx(2.0)
    assert features.cell_x[2, column["expr:EGFR"]] == 0.0  # NaN in the profile
    assert features.cell_x[2, column["pes:0000"]] == pytest.approx(1.5)
    assert features.cell_x[1, column["expr:ERBB2"]] == 0.0  # a line without a profile
    assert not any(n.startswith("expr:") and n not in {"expr:ERBB2", "expr:EGFR"}
                   for n in features.cell_feature_names)
    n_cells = len(export.nodes["CellLine"])
    assert features.report.profiles == {"expression": (2, n_cells - 2),
                                        "pathways": (1, n_cells - 1)}
    assert "pathways profile: 1 columns" in features.report.summary()


def test_profiles_are_used_only_as_the_settings_say(export):
    _, features = _with_profiles(export, FeatureSettings(cell_omics=("pathways",)))
    assert "pes:0000" in features.cell_feature_names
    assert not any(n.startswith("expr:") for n in features.cell_feature_names)
    settings = FeatureSettings.from_dict({k: v for k, v in FeatureSettings().to_dict().items()
                                          if k != "cell_omics"})
    assert settings.cell_omics == ()  # an artifact saved before profiles existed


def test_profiles_survive_save_and_load(export, tmp_path):
    profiled, _ = _with_profiles(export)
    loaded = GraphExport.load(profiled.save(tmp_path / "export"))
    assert set(loaded.profiles) == {"expression", "pathways"}
    pd.testing.assert_frame_equal(loaded.profiles["expression"], profiled.profiles["expression"],
                                  check_names=False)
    assert loaded.manifest["profiles"] == {"expression": [2, 2], "pathways": [1, 1]}

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

"""The ALS factorization behind ``als`` and ``als-neighbours``: its per-unit ridge solves."""

from __future__ import annotations

import numpy as np

from oncokg.gnn.baselines import _RidgeSide, als_factors


def direct_solutions(own, partner, rows, resid, penalty):
    """Each unit's ridge solution from its own rows: the definition ``_RidgeSide`` shortcuts."""
    design = np.c_[rows, np.ones(len(rows))]
    out = []
    for unit in np.unique(own):
        x = design[partner[own == unit]]
        out.append(np.linalg.solve(x.T @ x + penalty, x.T @ resid[own == unit]))
    return np.array(out)


def test_ridge_solves_match_the_direct_ones_for_dense_sparse_and_repeated_units():
    rng = np.random.default_rng(0)
    n_own, n_partner, k = 12, 40, 3
    full = np.array([(o, p) for o in range(n_own) for p in range(n_partner)])
    keep = rng.random(len(full)) < np.where(full[:, 0] < 6, 0.9, 0.2)  # dense and sparse units
    pairs = full[keep]
    pairs = np.r_[pairs, pairs[pairs[:, 0] == 0][:5]]                  # unit 0 repeats partners
    own, partner = pairs[:, 0], pairs[:, 1]
    side = _RidgeSide(own, partner, chunk=5)
    assert side.lacking[0] is None                  # repeats: the Gram of its own rows
    assert side.lacking[1] is not None and side.lacking[-1] is None
    rows, resid = rng.normal(size=(n_partner, k)), rng.normal(size=len(pairs))
    penalty = 2.0 * np.eye(k + 1)
    np.testing.assert_allclose(side.solve(rows, resid, penalty),
                               direct_solutions(own, partner, rows, resid, penalty), atol=1e-10)


def test_als_recovers_a_low_rank_matrix_and_zeroes_units_without_pairs():
    rng = np.random.default_rng(1)
    drugs, cells = rng.normal(size=(30, 2)), rng.normal(size=(80, 2))
    pairs = np.array([(d, c) for d in range(30) for c in range(80) if rng.random() < 0.7])
    pairs = pairs[pairs[:, 1] != 79]                                   # cell 79: no pairs
    y = (drugs[pairs[:, 0]] * cells[pairs[:, 1]]).sum(1) + 0.5
    factors = als_factors(pairs, y, (30, 80), rank=2, reg=0.01, iterations=30)
    assert np.abs(factors.predict(pairs) - y).max() < 0.05
    assert not factors.cell[79].any()

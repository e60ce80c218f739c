import math

import numpy as np
import pytest

from oncokg.gnn.metrics import (
    FilteredRankEvaluator,
    auroc,
    bootstrap_within_drug_r,
    filtered_ranks,
    mean_sd,
    pearson,
    rmse,
    within_drug_pearson,
)


def test_within_drug_pearson_hand_computed():
    # drug a: r = 1; drug b: r(1,3,2 ~ 1,2,3) = 0.5; drug c: constant predictions → 0;
    # drug d: two pairs only → skipped (min_pairs=3).
    drugs = ["a"] * 3 + ["b"] * 3 + ["c"] * 3 + ["d"] * 2
    y_true = [1, 2, 3, 1, 2, 3, 1, 2, 3, 5, 6]
    y_pred = [10, 20, 30, 1, 3, 2, 7, 7, 7, 6, 5]
    assert within_drug_pearson(drugs, y_true, y_pred) == pytest.approx((1 + 0.5 + 0) / 3)


def test_within_drug_pearson_ignores_drug_offsets():
    # Pooled r is high because of drug potency alone; within-drug r sees no signal.
    drugs = np.repeat([0, 1, 2], 4)
    y_true = np.array([0, 1, 0, 1, 10, 11, 10, 11, 20, 21, 20, 21], float)
    y_pred = np.array([0.5, 0.4, 0.6, 0.5] * 3) + np.repeat([0, 10, 20], 4)
    assert pearson(y_pred, y_true) > 0.95
    r = within_drug_pearson(drugs, y_true, y_pred)
    expected = np.mean([pearson(y_pred[i:i + 4], y_true[i:i + 4]) for i in (0, 4, 8)])
    assert r == pytest.approx(expected)
    assert r < 0


def test_filtered_ranks_and_mrr_hand_computed():
    scores = np.array([
        [0.9, 0.8, 0.7, 0.1],   # true 2; gene 0 is another known target → filtered; rank 2
        [0.5, 0.5, 0.2, 0.9],   # true 0; gene 3 higher, gene 1 tied → 1 + 1 + 0.5 = 2.5
        [0.1, 0.2, 0.3, 0.4],   # true 3 → rank 1
    ])
    true = np.array([2, 0, 3])
    mask = np.zeros_like(scores, dtype=bool)
    mask[0, 0] = True
    mask[2, 3] = True  # the true candidate itself is never filtered
    ranks = filtered_ranks(scores, true, mask)
    assert ranks.tolist() == [2.0, 2.5, 1.0]
    evaluator = FilteredRankEvaluator((1, 2))
    evaluator.update(scores[:2], true[:2], mask[:2])
    evaluator.update(scores[2:], true[2:], mask[2:])
    out = evaluator.compute()
    assert out["mrr"] == pytest.approx((1 / 2 + 1 / 2.5 + 1) / 3)
    assert out["hits@1"] == pytest.approx(1 / 3)
    assert out["hits@2"] == pytest.approx(2 / 3)


def test_unfiltered_rank_is_worse():
    scores = np.array([[0.9, 0.8]])
    assert filtered_ranks(scores, np.array([1]), np.array([[False, False]]))[0] == 2
    assert filtered_ranks(scores, np.array([1]), np.array([[True, False]]))[0] == 1


def test_small_metrics():
    assert rmse([0, 0], [3, 4]) == pytest.approx(math.sqrt(12.5))
    assert auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert math.isnan(auroc([1, 1], [0.1, 0.2]))
    assert mean_sd([1.0, 3.0]) == (2.0, pytest.approx(math.sqrt(2)))
    assert mean_sd([float("nan")])[0] != mean_sd([float("nan")])[0]


def test_bootstrap_within_drug_r_is_paired_over_units():
    rng = np.random.default_rng(0)
    drugs = np.repeat(np.arange(5), 40)
    lines = np.tile(np.arange(40), 5)
    y = rng.normal(size=200)
    good, noisy = y + rng.normal(size=200), rng.normal(size=200)
    scores = bootstrap_within_drug_r(drugs, lines, y, [good, noisy, good], rounds=100, seed=1)
    assert scores.shape == (101, 3)
    # row 0 is the sample itself
    assert scores[0, 0] == pytest.approx(within_drug_pearson(drugs, y, good))
    assert scores[0, 1] == pytest.approx(within_drug_pearson(drugs, y, noisy))
    # one draw of lines for every prediction: the same prediction never differs from itself
    assert np.allclose(scores[:, 0], scores[:, 2])
    assert scores[1:, 1].std() > 0.01
    gains = scores[:, 0] - scores[:, 1]
    assert gains[0] > 3 * gains[1:].std()

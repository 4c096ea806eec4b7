"""CountSketch: the derived error of the sketched ratios is checked against exact PCA.

Tolerances: with R independent sketch seeds, a standard deviation estimated from R draws
has relative standard error 1/sqrt(2 (R - 1)) (Gaussian draws; the sketched ratios are
close to Gaussian at m = 1000), 4.1% at R = 300; the first-order formula itself is exact
up to O(1/m) and O(1/d_eff) terms (0.1% and 0.005% here). The checks allow 20%, about
five standard errors, and each wrong formula below misses by a factor of 1.4 or more.
"""

from __future__ import annotations

import numpy as np
import pytest

from rwpca.numerics.checkpoints.recorder import Recorder
from rwpca.numerics.checkpoints.sketch import CountSketch, bins, ratio_sd
from rwpca.numerics.trajectories.analysis import analyze
from rwpca.numerics.trajectories.gram import centred_gram

N, D, M, SEEDS = 40, 20_000, 1000, 300
TOLERANCE = 0.2


def _walk(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 3.0 + np.cumsum(rng.standard_normal((N, D)), axis=0)


def _ratios(G: np.ndarray, count: int = 5) -> np.ndarray:
    values = np.linalg.eigvalsh(centred_gram(G))[::-1]
    return values[:count] / values.sum()


def _sketch_rows(X: np.ndarray, seed: int, m: int = M) -> np.ndarray:
    where = bins(seed, 0, X.shape[1], m)
    counts = np.array([np.bincount(where, weights=row, minlength=2 * m) for row in X])
    return counts[:, 0::2] - counts[:, 1::2]


@pytest.fixture(scope="module")
def spread():
    X = _walk()
    Y = X - X[0]
    exact = _ratios(Y @ Y.T)
    draws = []
    for seed in range(SEEDS):
        Z = _sketch_rows(Y, seed)
        draws.append(_ratios(Z @ Z.T))
    return X, exact, np.array(draws)


def _full_ratios(X: np.ndarray) -> np.ndarray:
    Y = X - X[0]
    values = np.linalg.eigvalsh(centred_gram(Y @ Y.T))[::-1]
    return values / values.sum()


def _misfit(formula, spread) -> float:
    X, _, draws = spread
    predicted = formula(_full_ratios(X), M)[:5]
    return float(np.max(np.abs(draws.std(axis=0, ddof=1) / predicted - 1)))


def test_the_derived_error_matches_the_spread_of_sketched_ratios(spread):
    X, exact, draws = spread
    assert _misfit(ratio_sd, spread) < TOLERANCE  # measured: 0.06 (the wrong ones: 0.49 to 1e13)
    sd = ratio_sd(_full_ratios(X), M)[:5]
    # unbiased to first order: the mean is within 4 standard errors (plus the O(1/m) bias)
    assert np.all(np.abs(draws.mean(axis=0) - exact) < 4 * sd / np.sqrt(SEEDS) + 2 * exact / M)


@pytest.mark.parametrize(
    "wrong",
    [
        pytest.param(lambda r, m: r * np.sqrt((1 - 2 * r + np.sum(r**2)) / m), id="no-factor-2"),
        pytest.param(lambda r, m: r * np.sqrt(2 * (1 + np.sum(r**2)) / m), id="no-2rho"),
        pytest.param(lambda r, m: r * np.sqrt(np.maximum(2 * (1 - 2 * r) / m, 1e-30)), id="no-sum"),
        pytest.param(lambda r, m: np.sqrt(np.abs(2 * r * (1 - r)) / m), id="binomial"),
    ],
)
def test_a_wrong_error_formula_fails_the_same_check(spread, wrong):
    assert _misfit(wrong, spread) > TOLERANCE


def test_gram_entries_have_the_derived_covariance(spread):
    """E G^ = G and Var G^_ij = (G_ii G_jj + G_ij^2 - 2 sum_p a_ip^2 a_jp^2) / m."""
    X, _, _ = spread
    Y = (X - X[0])[[10, 25, 39]]
    G = Y @ Y.T
    samples = np.array([(lambda Z: Z @ Z.T)(_sketch_rows(Y, seed)) for seed in range(SEEDS)])
    fourth = (Y**2) @ (Y**2).T
    variance = (np.outer(np.diag(G), np.diag(G)) + G**2 - 2 * fourth) / M
    assert np.all(np.abs(samples.mean(axis=0) - G) < 4 * np.sqrt(variance / SEEDS))
    assert np.all(np.abs(samples.var(axis=0, ddof=1) / variance - 1) < TOLERANCE)


def test_blockwise_application_equals_the_dense_matrix():
    d, m = 300, 32
    where = bins(7, 0, d, m)
    S = np.zeros((m, d))
    S[where // 2, np.arange(d)] = np.where(where % 2, -1.0, 1.0)
    x = np.random.default_rng(1).standard_normal(d)
    sketch = CountSketch(m, 7, d)
    pieces = [(0, x[:100]), (100, x[100:101]), (101, x[101:])]
    assert np.allclose(sketch.apply(pieces, block=17), S @ x, rtol=1e-13, atol=1e-12)
    assert np.array_equal(bins(7, 100, 300, m), where[100:])  # a coordinate's bin is fixed


def test_bins_are_uniform_and_signs_balanced():
    d, m = 1 << 16, 64
    where = bins(0, 0, d, m)
    counts = np.bincount(where // 2, minlength=m)
    expected = d / m
    assert np.max(np.abs(counts - expected)) < 5 * np.sqrt(expected)
    assert abs(np.mean(where % 2) - 0.5) < 4 * 0.5 / np.sqrt(d)
    assert np.mean(bins(1, 0, d, m) == where) < 2 / (2 * m)  # another seed, other bins


def test_a_sketched_run_lies_within_its_reported_error(tmp_path):
    """The Done-when check: the recorded sketch's ratios are within 4 reported sd of exact PCA."""
    X = _walk(3)[:, :8000]
    with Recorder(tmp_path / "exact") as exact, Recorder(tmp_path / "sketch", sketch=M) as sk:
        for row in X:
            exact.record({"w": row})
            sk.record({"w": row})
    truth = analyze(tmp_path / "exact", replicates=19)
    sketched = analyze(tmp_path / "sketch", replicates=19)
    assert sketched.sketch_sd is not None and truth.sketch_sd is None
    assert list(sketched.steps) == list(range(N))
    gap = np.abs(sketched.explained_variance_ratio[:5] - truth.explained_variance_ratio[:5])
    assert np.all(gap < 4 * sketched.sketch_sd[:5])
    assert np.all(sketched.sketch_sd[:5] < 0.1 * sketched.explained_variance_ratio[:5])

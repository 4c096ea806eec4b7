"""The first-order filters of the dynamics nulls, and their replicates batched.

The batched path (one Krylov GEMM for all replicates, traces and lag cosines from one
gather each) is compared with each replicate's step Gram matrix formed explicitly and
decomposed densely. Tolerances: the recurrence's rounding bound (a few eps times the
sum of |g|^(t-j) |x_j|), and for spectra the Krylov certificate (``TOLERANCE`` relative to
the largest eigenvalue, so ``TOLERANCE * theta_1 / theta_k`` for the k-th log ratio).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rwpca.numerics.linalg.filters import SCALE_BITS, FirstOrderFilter, exponential_cumsum
from rwpca.numerics.nulls import calibration, randomisation
from rwpca.numerics.nulls import dynamics as dy
from rwpca.numerics.nulls.autocorrelation import lag_cosines
from rwpca.numerics.nulls.null_models import cosine_basis

EPS = np.finfo(float).eps


def _recursion(X, g):
    Y = np.array(X, dtype=float, copy=True)
    for t in range(1, Y.shape[0]):
        Y[t] += g * Y[t - 1]
    return Y


def _rounding_bound(X, g):
    """50 eps sum_j |g|^(t-j) |x_j|: the recursion's own error, with room for the scales."""
    return 50 * EPS * _recursion(np.abs(X), abs(g)) + 1e-300


@pytest.mark.parametrize("g", [-0.99, -0.7, 1e-3, 0.5, 0.9, 0.999, 1.0])
@pytest.mark.parametrize("N", [1, 2, 37, 3000])
def test_exponential_cumsum_is_the_recursion_to_its_rounding(g, N):
    X = np.random.default_rng(N).standard_normal((N, 3)) * 10.0 ** np.arange(-3, 0)
    Y = exponential_cumsum(X, g)
    assert np.all(np.abs(Y - _recursion(X, g)) <= _rounding_bound(X, g))
    # along another axis, the same
    assert np.array_equal(exponential_cumsum(X.T, g, axis=1), Y.T)


def test_exponential_cumsum_restarts_its_blocks_without_overflow():
    """g = 0.5 over 3000 steps would need the scale 2^3000; blocks keep it at 2^SCALE_BITS."""
    assert 3000 > SCALE_BITS
    X = np.full((3000, 1), 1e200)
    Y = exponential_cumsum(X, 0.5)
    assert np.all(np.isfinite(Y))
    assert np.allclose(Y[-1], 2e200, rtol=1e-12)


def test_mutation_a_block_without_its_carry_is_seen():
    X = np.ones((1000, 1))
    Y = exponential_cumsum(X, 0.3)  # blocks of about 115 steps
    block = int(SCALE_BITS * math.log(2) / -math.log(0.3))
    wrong = Y.copy()
    wrong[block:] -= 0.3 ** np.arange(1, 1001 - block)[:, None] * Y[block - 1]
    assert np.max(np.abs(wrong - _recursion(X, 0.3))) > 1e-3
    assert np.max(np.abs(Y - _recursion(X, 0.3))) < 1e-13


def test_exponential_cumsum_refuses_an_unstable_factor():
    with pytest.raises(ValueError, match=r"factor = 1\.5 is not allowed"):
        exponential_cumsum(np.ones(3), 1.5)


FILTERS = [
    FirstOrderFilter(0.9),
    FirstOrderFilter(-0.4),
    FirstOrderFilter(0.0),
    FirstOrderFilter(0.7, 1.0, -1.0),
    FirstOrderFilter(1.0, 1.0, -1.0),
    FirstOrderFilter(0.3, 2.0, 0.5),
]


def _filtered_steps(f, e):
    s = np.zeros_like(e)
    for t in range(e.shape[0]):
        s[t] = f.b0 * e[t]
        if t:
            s[t] += f.g * s[t - 1] + f.b1 * e[t - 1]
    return s


@pytest.mark.parametrize("f", FILTERS, ids=repr)
def test_filter_is_its_recurrence_and_its_transpose(f):
    e = np.random.default_rng(3).standard_normal((30, 50))
    F = f.matrix(30)
    s = _filtered_steps(f, e)
    assert np.allclose(F @ e, s)
    assert np.allclose(f.forward(e), s)
    assert np.allclose(f.adjoint(e), F.T @ e)
    assert np.allclose(f.both_sides(e @ e.T), s @ s.T)


@pytest.mark.parametrize("f", FILTERS, ids=repr)
def test_lag_products_are_the_diagonals_of_the_filtered_gram(f):
    e = np.random.default_rng(4).standard_normal((30, 50))
    s = _filtered_steps(f, e)
    products = f.lag_products(e @ e.T, 4)
    assert len(products) == 5
    for lag, found in enumerate(products):
        assert np.allclose(found, np.diagonal(s @ s.T, lag), rtol=1e-12, atol=1e-10)


def test_mutation_lag_products_of_another_filter_differ():
    e = np.random.default_rng(5).standard_normal((30, 50))
    wrong = FirstOrderFilter(0.7, 1.0, 0.0).lag_products(e @ e.T, 1)[1]
    s = _filtered_steps(FirstOrderFilter(0.7, 1.0, -1.0), e)
    right = np.diagonal(s @ s.T, 1)
    assert not np.allclose(wrong, right, rtol=0.01)


# --- the dynamics nulls' replicates, batched against explicit --------------------------


def _walk(n, d, gamma, seed):
    rng = np.random.default_rng(seed)
    v = np.zeros(d)
    steps = np.empty((n - 1, d))
    for t in range(n - 1):
        v = gamma * v + rng.standard_normal(d)
        steps[t] = v
    return steps @ steps.T


def _explicit(plan, count, null_top):
    """Each replicate's statistics and lag-1 cosine from its step Gram matrix, densely."""
    N = plan.gram.shape[0]
    W = randomisation.walk_weights(N + 1)
    stats, cosines, spread = [], [], 0.0
    for b in range(len(plan)):
        Mb = plan.gram_of(b)
        values, vectors = np.linalg.eigh(randomisation._walk_gram(Mb))
        values, vectors = values[::-1][:count], vectors[:, ::-1][:, :count]
        stats.append(calibration.statistics(values / np.sum(Mb * W), null_top, vectors))
        cosines.append(lag_cosines(Mb, 1))
        spread = max(spread, values[0] / values[-1])
    return np.array(stats), np.array(cosines), spread


def _null(kind, M, n):
    return dy.MomentumNull(n, M) if kind == "momentum" else dy.OUNull(n, M, 0.05)


@pytest.mark.parametrize("kind", ["momentum", "ou"])
def test_batched_replicates_are_the_explicit_ones(kind):
    """n = 90 > 4 (K + 10): the Krylov path, as at n = 500; 12 replicates in one batch."""
    n, count, replicates = 90, 5, 12
    M = _walk(n, 400, 0.8, seed=6)
    null = _null(kind, M, n)
    top = null.ratios()[:count]
    stats, cosines = calibration.replicates_of(
        null, M, top, count, replicates, np.random.default_rng(7), 1
    )
    plan = null.replicates(np.random.default_rng(7), replicates)
    expected_stats, expected_cosines, spread = _explicit(plan, count, top)
    scale = randomisation.TOLERANCE * spread
    assert np.allclose(stats[..., 0], expected_stats[..., 0], rtol=0, atol=100 * scale)
    assert np.allclose(stats[..., 1], expected_stats[..., 1], rtol=1e-6)
    assert np.allclose(cosines, expected_cosines, rtol=1e-10, atol=1e-12)


def test_mutation_batched_replicates_with_a_wrong_filter_are_not_the_explicit_ones():
    n, count = 90, 5
    M = _walk(n, 400, 0.8, seed=6)
    null = dy.MomentumNull(n, M)
    plan = null.replicates(np.random.default_rng(7), 6)
    wrong = randomisation.Replicates(
        plan.gram, plan.orders, None, FirstOrderFilter(null.gamma - 0.05)
    )
    values, _ = randomisation.spectra(
        wrong.gram, wrong.orders, None, count, cosine_basis, wrong.step_filter
    )
    W = randomisation.walk_weights(n)
    traces, _ = randomisation.filtered_moments(wrong, W, 1)
    expected, _, _ = _explicit(plan, count, np.ones(count))
    assert not np.allclose(np.log(values / traces[:, None]), expected[..., 0], atol=1e-3)


@pytest.mark.parametrize("kind", ["momentum", "ou"])
def test_replicates_draw_as_one_permutation_per_walk_in_order(kind):
    """The stream of the former one-at-a-time replicates, so p-values are unchanged."""
    M = _walk(40, 100, 0.5, seed=8)
    null = _null(kind, M, 40)
    plan = null.replicates(np.random.default_rng(9), 3)
    rng = np.random.default_rng(9)
    for b in range(3):
        if kind == "momentum":
            expected = np.concatenate([[0], 1 + rng.permutation(38)])
        else:
            expected = rng.permutation(39)
        assert np.array_equal(plan.orders[b], expected)
    single = null.randomise(np.random.default_rng(9), M)
    assert np.allclose(single, plan.gram_of(0))

"""The descent API: trajectory, Gram matrix, bound; input validation; the Gram shortcut."""

from __future__ import annotations

import numpy as np
import pytest

from rwpca.numerics.descent import (
    contractions,
    descent_gram,
    descent_ratio_bound,
    descent_trajectory,
    hankel_rate,
)


@pytest.mark.parametrize(("beta", "eta"), [(1.0, 1.0), (0.5, 1.9), (2.0, 0.3)])
def test_gram_is_the_trajectory_gram(beta, eta):
    """descent_gram equals X X^T of descent_trajectory with the same arguments (float64)."""
    X = descent_trajectory(12, 50, beta, eta, seed=4)
    G = descent_gram(12, 50, beta, eta, seed=4)
    # both sum d = 50 terms of size <= x_{0,i}^2: error a few ulp of G_00 per entry
    assert np.max(np.abs(X @ X.T - G)) <= 64 * np.finfo(float).eps * G[0, 0]


def test_trajectory_is_gradient_descent():
    """Each row is the previous one minus eta times the gradient h * x."""
    X = descent_trajectory(6, 7, beta=1.5, eta=0.7, seed=2)
    h = np.arange(1, 8) ** -1.5
    np.testing.assert_allclose(X[1:], X[:-1] - 0.7 * h * X[:-1], rtol=1e-14, atol=0)
    np.testing.assert_array_equal(X[0], np.random.default_rng(2).standard_normal(7))


def test_gram_is_hankel_and_dtype():
    G = descent_gram(9, 30, beta=1.0, eta=0.5, seed=1)
    for a in range(9):
        for b in range(9):
            if a + b < 16 and a > 0 and b < 8:
                assert G[a, b] == G[a - 1, b + 1]
    assert descent_trajectory(4, 3, 1.0, dtype=np.float32).dtype == np.float32


def test_contractions_are_one_minus_eta_h():
    np.testing.assert_allclose(contractions(4, 2.0, 0.5), [0.5, 0.875, 1 - 0.5 / 9, 1 - 0.5 / 16])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 2}, "n = 2 is not allowed: n must be an integer >= 3"),
        ({"d": 0}, "d = 0 is not allowed: d must be an integer >= 1"),
        (
            {"beta": 0},
            "beta = 0 is not allowed: the curvature decay exponent must satisfy beta > 0",
        ),
        ({"eta": 2}, "eta = 2 is not allowed: the step size must satisfy 0 < eta < 2"),
        ({"eta": -0.1}, "eta = -0.1 is not allowed: the step size must satisfy 0 < eta < 2"),
        ({"n": 3.5}, "n = 3.5 is not allowed: n must be an integer >= 3"),
    ],
)
@pytest.mark.parametrize("function", [descent_trajectory, descent_gram])
def test_bad_input_is_one_line(function, kwargs, message):
    args = {"n": 5, "d": 3, "beta": 1.0, "eta": 1.0, **kwargs}
    with pytest.raises(ValueError) as error:
        function(**args)
    assert str(error.value) == message


def test_bound_shape_and_values():
    """The bound is 1 until 16 R_n^(-2m) drops below 1, then falls by R_n^-2 every 2 steps."""
    n = 100
    k = np.arange(1, n)
    b = descent_ratio_bound(n, k)
    assert b.shape == k.shape and np.all(b <= 1) and np.all(np.diff(b) <= 0)
    rate = hankel_rate(n)
    assert b[9] == pytest.approx(16 * np.exp(-2 * 4 * rate), rel=1e-14)
    assert b[10] == b[9]  # k = 10 and 11 share m = 4
    assert descent_ratio_bound(n, 5).shape == ()
    with pytest.raises(ValueError, match="k = 0 is not allowed at n = 100"):
        descent_ratio_bound(n, [0, 1])
    with pytest.raises(ValueError, match="n = 2 is not allowed"):
        descent_ratio_bound(2, 1)


def test_rates_summary_missing_is_one_line(tmp_path):
    from rwpca.numerics.descent import rates

    with pytest.raises(ValueError, match=r"run 'python -m rwpca.numerics.descent.rates'"):
        rates.load(tmp_path / "none.json")


def test_decay_fit_measures_a_known_rate():
    """An exact geometric decay is fitted exactly; a spectrum with too few ratios is refused."""
    from rwpca.numerics.descent import decay_fit

    ratios = [0.9, *(0.05 * np.exp(-2.5 * np.arange(10)))]
    assert decay_fit(ratios).rate == pytest.approx(2.5, rel=1e-12)
    with pytest.raises(ValueError, match="a decay needs at least 2"):
        decay_fit([0.99, 1e-80, 1e-90])


def test_high_precision_spectrum_matches_float64_where_both_resolve():
    """The mpmath spectrum agrees with float64 eigvalsh on the ratios above 1e-10."""
    from rwpca.numerics.descent import centred_spectrum, descent_trajectory
    from rwpca.numerics.descent.spectra import ratios_of

    X = descent_trajectory(10, 30, 1.0, 0.8, seed=5)
    Xc = X - X.mean(axis=0)
    floats = np.linalg.eigvalsh(Xc @ Xc.T)[::-1]
    exact = ratios_of(centred_spectrum(10, 30, 1.0, 0.8, seed=5))
    floats = floats / floats.sum()
    keep = exact > 1e-10
    # float64 eigenvalues carry an absolute error of a few ulp of lambda_1
    np.testing.assert_allclose(floats[keep], exact[keep], rtol=0, atol=1e-13)

"""Nulls (d) momentum and (e) Ornstein-Uhlenbeck: exact algebra, consistent estimates, exact tests.

Statistical tolerances come from concentration: a mean over M independent estimates is
compared with its expectation within 4 standard errors; rejection counts of a level-alpha
test over T independent walks with a binomial tail bound (tail 1e-4) computed from T.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rwpca.numerics.linalg import float_spectra
from rwpca.numerics.nulls import dynamics as dy
from rwpca.numerics.nulls import null_models as nm
from rwpca.numerics.nulls import randomisation
from rwpca.numerics.trajectories import analysis as nal
from rwpca.numerics.trajectories.analysis import analyze_gram


def momentum_steps(N, d, gamma, rng, drift=0.0):
    """N velocities of a stationary momentum walk (unit innovations, optional drift)."""
    v = rng.standard_normal(d) / math.sqrt(1 - gamma**2) + drift / (1 - gamma)
    out = np.empty((N, d))
    for t in range(N):
        v = gamma * v + rng.standard_normal(d) + drift
        out[t] = v
    return out


def ou_steps(N, d, alpha, rng, centre=0.0, stationary=True):
    """N steps of an OU walk around ``centre`` (unit innovations), stationary or from 0."""
    b = 1 - alpha
    x = centre + rng.standard_normal(d) / math.sqrt(1 - b**2) if stationary else np.zeros(d)
    xs = [x]
    for _ in range(N):
        x = centre + b * (x - centre) + rng.standard_normal(d)
        xs.append(x)
    return np.diff(np.array(xs), axis=0)


def gram_of_steps(S):
    X = np.vstack([np.zeros(S.shape[1]), np.cumsum(S, axis=0)])
    return X @ X.T


def binomial_upper(trials, alpha, tail=1e-4):
    """Smallest c with P(Binomial(trials, alpha) > c) < tail."""
    total = 0.0
    for c in range(trials + 1):
        total += math.comb(trials, c) * alpha**c * (1 - alpha) ** (trials - c)
        if 1 - total < tail:
            return c
    return trials


# --- the algebra on Gram matrices --------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.9, -0.4, 0.0])
def test_momentum_innovations_and_integration_are_the_vector_maps(gamma):
    rng = np.random.default_rng(0)
    S = rng.standard_normal((25, 40))
    e = S.copy()
    e[1:] -= gamma * S[:-1]
    assert np.allclose(dy.momentum_innovations(S @ S.T, gamma), e @ e.T)
    assert np.allclose(dy.integrate_momentum(e @ e.T, gamma), S @ S.T)


@pytest.mark.parametrize("alpha", [0.1, 1.0, 1.7])
def test_ou_innovations_and_integration_are_the_vector_maps(alpha):
    rng = np.random.default_rng(1)
    S = rng.standard_normal((25, 40))
    y = np.vstack([np.zeros(40), np.cumsum(S, axis=0)])
    z = y[1:] - (1 - alpha) * y[:-1]
    assert np.allclose(dy.ou_innovations(S @ S.T, alpha), z @ z.T)
    assert np.allclose(dy.integrate_ou(z @ z.T, alpha), S @ S.T)


@pytest.mark.parametrize(
    ("process", "params"), [("momentum", {"gamma": 0.9}), ("ou", {"alpha": 0.2})]
)
def test_prediction_without_drift_is_the_catalogs_exact_spectrum(process, params):
    n = 40
    fit = dy.InnovationFit(0.0, 3.0)
    assert np.allclose(
        dy.predicted_ratios(process, n, params, fit),
        float_spectra.explained_variance_ratio(process, n, params),
    )


def test_prediction_with_drift_has_the_rank_one_term_and_reduces_to_null_c():
    n = 20
    fit = dy.InnovationFit(0.4, 2.0)
    drift = nal.drift_covariance(n, nal.DriftFit(0.4, 2.0, 0.0))
    values = np.linalg.eigvalsh(drift)[::-1][: n - 1]
    assert np.allclose(dy.predicted_ratios("plain", n, {}, fit), values / values.sum())
    # momentum gamma -> 0 is the plain walk with drift
    assert np.allclose(
        dy.predicted_ratios("momentum", n, {"gamma": 1e-9}, fit), values / values.sum(), atol=1e-7
    )


def test_mutation_asymptotic_momentum_formula_is_not_the_finite_n_prediction():
    """The paper's asymptotic momentum eigenvalues differ from the exact ones at n = 50."""
    n, gamma = 50, 0.9
    k = np.arange(1, n)
    c = np.cos(np.pi * k / n)
    asymptotic = 0.5 / (
        1 + gamma + gamma**2 - (1 + gamma) ** 2 * c + gamma * np.cos(2 * np.pi * k / n)
    )
    exact = dy.predicted_ratios("momentum", n, {"gamma": gamma}, dy.InnovationFit(0.0, 1.0))
    assert np.max(np.abs(asymptotic / asymptotic.sum() - exact) / exact) > 0.01


# --- the estimates ----------------------------------------------------------------------


def estimates(estimator, make, trials=60):
    values = np.array([estimator(make(seed)) for seed in range(trials)])
    return values.mean(), values.std(ddof=1) / math.sqrt(trials)


def least_squares_with_intercept(M):
    """The plug-in a user would write: regress s_t on s_{t-1} with an intercept."""
    cross, past = M[1:, :-1], M[:-1, :-1]
    count = M.shape[0] - 1
    return (np.trace(cross) - cross.sum() / count) / (np.trace(past) - past.sum() / count)


def momentum_grams(seed, N=60, d=3000, gamma=0.9, drift=0.0):
    S = momentum_steps(N, d, gamma, np.random.default_rng(seed), drift)
    return S @ S.T


def test_momentum_estimate_is_consistent_with_and_without_drift():
    mean, error = estimates(dy.fit_momentum, momentum_grams)
    assert abs(mean - 0.9) < 4 * error
    drifted = lambda s: momentum_grams(s, drift=0.02)  # noqa: E731
    mean, error = estimates(dy.fit_momentum, drifted)
    assert abs(mean - 0.9) < 4 * error


def test_mutation_least_squares_momentum_estimate_is_biased():
    """Its 1 / N bias does not shrink with d: resolved by the same check."""
    mean, error = estimates(least_squares_with_intercept, momentum_grams)
    assert abs(mean - 0.9) > 4 * error


def ou_grams(seed, N=60, d=3000, alpha=0.1):
    S = ou_steps(N, d, alpha, np.random.default_rng(seed), centre=5.0)
    return S @ S.T


def test_ou_estimate_is_consistent_whatever_the_centre():
    mean, error = estimates(dy.fit_ou_rate, ou_grams)
    assert abs(mean - 0.1) < 4 * error


def test_estimates_of_independent_steps_are_zero():
    rng = np.random.default_rng(5)
    S = rng.standard_normal((80, 5000)) + 0.03  # with a drift
    assert abs(dy.fit_momentum(S @ S.T)) < 0.01
    assert dy.fit_ou_rate(S @ S.T) < 0.01


def test_bad_given_parameters_are_refused_in_one_line():
    G = gram_of_steps(np.random.default_rng(0).standard_normal((9, 50)))
    for kwargs, fragment in [
        ({"momentum": 1.0}, r"momentum = 1.0 is not allowed: need \|gamma\| < 1"),
        ({"ou_rate": 0.0}, "ou_rate = 0.0 is not allowed: need 0 < alpha < 2"),
        ({"ou_rate": "0.1"}, "ou_rate = '0.1' is not allowed: need a number"),
        ({"momentum": math.nan}, "momentum = nan is not allowed"),
        ({"nulls": "a,z"}, "null 'z' is not known"),
    ]:
        with pytest.raises(ValueError, match=fragment):
            analyze_gram(G, 50, replicates=19, **kwargs)


# --- the randomisation tests --------------------------------------------------------------


def rejections(make, nulls, trials, **kwargs):
    counts = dict.fromkeys(nal.parse_nulls(nulls), 0)
    for seed in range(trials):
        G, d = make(seed)
        result = analyze_gram(G, d, seed=10**6 + seed, nulls=nulls, replicates=39, **kwargs)
        for name, test in result.nulls.items():
            counts[name] += not test.consistent
    return counts


def momentum_walks(seed, n=16, d=600, gamma=0.9, drift=0.0):
    S = momentum_steps(n - 1, d, gamma, np.random.default_rng(seed), drift)
    return gram_of_steps(S), d


def ou_walks(seed, n=16, d=600, alpha=0.3, stationary=True, centre=2.0):
    S = ou_steps(n - 1, d, alpha, np.random.default_rng(seed), centre, stationary)
    return gram_of_steps(S), d


TRIALS = 40
LIMIT = binomial_upper(TRIALS, 0.05)  # 8 of 40


def test_momentum_null_with_given_gamma_has_its_level_and_the_independent_nulls_reject():
    counts = rejections(lambda s: momentum_walks(s, drift=0.05), "a,b,c,d", TRIALS, momentum=0.9)
    assert counts["momentum"] <= LIMIT, counts
    assert all(counts[name] >= TRIALS - LIMIT for name in ("random_walk", "step_schedule", "drift"))


def test_ou_null_with_given_rate_has_its_level_whatever_the_centre():
    counts = rejections(ou_walks, "c,e", TRIALS, ou_rate=0.3)
    assert counts["ou"] <= LIMIT, counts
    assert counts["drift"] >= TRIALS - LIMIT, counts
    descending = rejections(
        lambda s: ou_walks(s, alpha=0.1, stationary=False), "e", TRIALS, ou_rate=0.1
    )
    assert descending["ou"] <= LIMIT, descending


def test_mutation_momentum_null_reordering_steps_instead_of_innovations_rejects_momentum(
    monkeypatch,
):
    """Reordering the steps themselves destroys the momentum the null keeps."""

    def reorder_steps(self, rng, count):
        steps = dy.integrate_momentum(self._innovations, self.gamma)  # M itself
        orders = np.array([rng.permutation(steps.shape[0]) for _ in range(count)])
        return randomisation.Replicates(steps, orders, None)

    monkeypatch.setattr(dy.MomentumNull, "replicates", reorder_steps)
    counts = rejections(momentum_walks, "d", 10, momentum=0.9)
    assert counts["momentum"] >= 9


def test_mutation_ou_null_with_sign_flips_is_miscalibrated(monkeypatch):
    """Flipping the innovations' signs also removes their mean, the unknown OU centre.

    Seen when the walk starts away from the centre (a descent into the well), where the
    innovations' mean alpha (c - x_1) is large.
    """

    def flip(self, rng, count):
        Z = self._innovations
        signs = np.array([rng.choice(np.array([-1.0, 1.0]), Z.shape[0]) for _ in range(count)])
        return randomisation.Replicates(Z, None, signs, dy.ou_filter(self.alpha))

    monkeypatch.setattr(dy.OUNull, "replicates", flip)
    trials = 10
    counts = rejections(
        lambda s: ou_walks(s, alpha=0.1, stationary=False, centre=20.0), "e", trials, ou_rate=0.1
    )
    # more rejections than a calibrated test gives with probability 1e-4
    assert counts["ou"] > binomial_upper(trials, 0.05), counts


def test_zero_rate_reshuffles_exactly_like_null_c_and_zero_momentum_predicts_like_it():
    G, d = momentum_walks(3, gamma=0.0, drift=0.1)
    M = np.diff(np.diff(G, axis=0), axis=1)
    q = np.diag(M)
    null_c = nm.IndependentNull(
        "drift", 16, q, nal.fit_drift(q, float(G[-1, -1] + G[0, 0] - 2 * G[0, -1]))
    )
    ou = dy.OUNull(16, M, 0.0)
    for seed in range(3):
        order = np.random.default_rng(seed).permutation(M.shape[0])
        expected = randomisation.replicate_gram(M, order, None)  # null (c)'s replicate
        assert np.allclose(ou.randomise(np.random.default_rng(seed), M), expected)
    assert np.allclose(ou.ratios(), null_c.ratios())
    base = analyze_gram(G, d, replicates=19, nulls="c").nulls["drift"]
    momentum = analyze_gram(G, d, replicates=19, nulls="d", momentum=0.0).nulls["momentum"]
    # (d) fits its drift on N - 1 innovations, (c) on N steps: the same law, other samples
    assert np.allclose(momentum.ratios[:3], base.ratios[:3], rtol=0.05)


def _secular_ratios(n, gamma):
    from fractions import Fraction

    from rwpca.numerics.certified.momentum_roots import secular_roots

    roots = secular_roots(n, Fraction(gamma).limit_denominator(1000), dps=20)
    assert roots.complete
    lam = np.array([float(root.lam) for root in roots.roots])
    return lam / lam.sum()


@pytest.mark.parametrize(("n", "gamma"), [(30, 0.9), (25, -0.4), (40, 0.99)])
def test_momentum_prediction_is_the_certified_exact_spectrum(n, gamma):
    """Null (d)'s drift-free ratios are those of the exact momentum spectrum: the roots of
    its secular equation (catalog momentum.eigenvalue.exact), certified in ball arithmetic."""
    predicted = dy.predicted_ratios("momentum", n, {"gamma": gamma}, dy.InnovationFit(0.0, 1.0))
    assert np.allclose(predicted, _secular_ratios(n, gamma), rtol=1e-9, atol=1e-14)


def test_mutation_a_prediction_with_the_wrong_gamma_is_caught():
    wrong = dy.predicted_ratios("momentum", 30, {"gamma": 0.8}, dy.InnovationFit(0.0, 1.0))
    assert not np.allclose(wrong, _secular_ratios(30, 0.9), rtol=1e-3)

"""The step autocorrelation diagnostic and its place in the verdict.

Rejection counts over T independent walks are compared with a binomial tail bound
(tail 1e-4) computed from T; fixed seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_dynamics import binomial_upper, gram_of_steps, momentum_steps

from rwpca.numerics.nulls import autocorrelation as ac
from rwpca.numerics.nulls.results import Verdict
from rwpca.numerics.trajectories.analysis import analyze_gram


def test_lag_cosines_are_the_mean_cosines_of_steps_l_apart():
    rng = np.random.default_rng(0)
    S = rng.standard_normal((30, 20)) * rng.uniform(0.1, 3.0, 30)[:, None]
    S[7] = 0.0  # a step that does not move counts as cosine 0
    unit = np.divide(S, np.linalg.norm(S, axis=1)[:, None], out=np.zeros_like(S),
                     where=np.linalg.norm(S, axis=1)[:, None] > 0)  # fmt: skip
    expected = [np.mean(np.sum(unit[:-lag] * unit[lag:], axis=1)) for lag in range(1, 6)]
    assert np.allclose(ac.lag_cosines(S @ S.T), expected)


def test_lag_cosines_of_a_momentum_walk_are_powers_of_gamma():
    """a_l -> gamma^l, within 5 sd of a sample autocorrelation of an AR(1) in d dimensions.

    Bartlett's formula bounds the variance of each dimension's lag-l autocorrelation by
    (1 + gamma^2) / ((1 - gamma^2) N); the d dimensions average it down by d.
    """
    N, d, gamma = 200, 20000, 0.9
    S = momentum_steps(N, d, gamma, np.random.default_rng(1))
    sd = math.sqrt((1 + gamma**2) / ((1 - gamma**2) * N * d))
    assert np.allclose(ac.lag_cosines(S @ S.T), gamma ** np.arange(1, 6), atol=5 * sd)


def test_reordered_lag_cosines_are_those_of_the_reordered_steps():
    rng = np.random.default_rng(2)
    S = rng.standard_normal((12, 9))
    M = S @ S.T
    draws = ac.reordered_lag_cosines(M, 3, np.random.default_rng(5))
    orders = np.argsort(np.random.default_rng(5).random((3, 12)), axis=1)
    for row, order in zip(draws, orders, strict=True):
        P = S[order]
        assert np.allclose(row, ac.lag_cosines(P @ P.T))


def independence_rejections(make, trials=60):
    return sum(
        ac.step_autocorrelation(make(seed), replicates=39, rng=10**6 + seed).rejects_independence
        for seed in range(trials)
    )


def exchangeable(seed, kind):
    rng = np.random.default_rng(seed)
    S = rng.standard_normal((40, 300))
    if kind == "drift":
        S += 0.15
    if kind == "strong drift":  # cosines of 0.08 between any two steps
        S += 0.3
    if kind == "schedule":  # scaled noise: directions exchangeable, cosines blind to scale
        S *= np.geomspace(3.0, 0.3, 40)[:, None]
    if kind == "anisotropic":
        S /= np.sqrt(1 + np.arange(300) / 5)
    return S @ S.T


@pytest.mark.parametrize("kind", ["plain", "drift", "schedule", "anisotropic"])
def test_independence_test_has_its_level_on_exchangeable_steps(kind):
    trials = 60
    assert independence_rejections(lambda s: exchangeable(s, kind), trials) <= binomial_upper(
        trials, 0.05
    )


def test_independence_test_rejects_momentum():
    make = lambda s: (lambda S: S @ S.T)(momentum_steps(40, 300, 0.5, np.random.default_rng(s)))  # noqa: E731
    assert independence_rejections(make, 20) == 20


def test_mutation_sign_flips_instead_of_reordering_reject_drift(monkeypatch):
    """Flipping signs removes a drift that independent steps may have: miscalibrated."""

    def flipped(M, replicates, rng, lags=ac.LAGS):
        signs = rng.choice(np.array([-1.0, 1.0]), (replicates, M.shape[0]))
        q = np.diagonal(M)
        E = M / np.sqrt(np.outer(q, q))
        return np.stack([ac.lag_cosines(E * np.outer(s, s), lags) for s in signs])

    monkeypatch.setattr(ac, "reordered_lag_cosines", flipped)
    assert independence_rejections(lambda s: exchangeable(s, "strong drift"), 10) >= 9


# --- the verdict ----------------------------------------------------------------------------


def test_verdict_never_calls_a_momentum_walk_independent(monkeypatch):
    """Even when a null with independent steps passes its own test, the diagnostic wins."""
    S = momentum_steps(59, 3000, 0.9, np.random.default_rng(3))
    G = gram_of_steps(S)
    result = analyze_gram(G, 3000, replicates=39)
    assert result.autocorrelation.rejects_independence
    assert not {"random_walk", "step_schedule", "drift"} & set(result.verdict.consistent)
    assert "momentum" in result.verdict.consistent
    # a null with independent steps whose own test passes is "not independent", not consistent
    tests = dict(result.nulls)
    tests["random_walk"] = type(tests["random_walk"])(
        **{**vars(tests["random_walk"]), "consistent": True}
    )
    forced = type(result)(**{**vars(result), "nulls": tests})
    assert forced.verdict.not_independent == ("random_walk",)
    assert "random_walk" not in forced.verdict.consistent
    assert forced.to_json()["verdict"]["not_independent"] == ["random_walk"]


def test_independent_steps_are_called_consistent_with_every_null():
    rng = np.random.default_rng(5)
    G = gram_of_steps(rng.standard_normal((59, 3000)))
    result = analyze_gram(G, 3000, replicates=39)
    assert not result.autocorrelation.rejects_independence
    assert result.verdict == Verdict(tuple(result.nulls), (), ())


def _explicit_permuted(M, orders, signs, lags):
    from rwpca.numerics.nulls.randomisation import replicate_gram

    B = (orders if orders is not None else signs).shape[0]
    return np.array(
        [
            ac.lag_cosines(
                replicate_gram(
                    M, None if orders is None else orders[b], None if signs is None else signs[b]
                ),
                lags,
            )
            for b in range(B)
        ]
    )


@pytest.mark.parametrize(("permute", "flip"), [(True, True), (False, True), (True, False)])
def test_permuted_lag_cosines_are_those_of_the_replicates(permute, flip):
    """The batched lag cosines (from the draws) equal those of each replicate's M_b."""
    from rwpca.numerics.nulls.autocorrelation import permuted_lag_cosines
    from rwpca.numerics.nulls.randomisation import draw

    rng = np.random.default_rng(2)
    R = rng.standard_normal((30, 200)) + 0.3
    M = R @ R.T
    orders, signs = draw(np.random.default_rng(5), 30, 11, permute, flip)
    found = permuted_lag_cosines(M, orders, signs, 5)
    assert np.allclose(found, _explicit_permuted(M, orders, signs, 5), rtol=0, atol=1e-12)


def test_mutation_batched_lag_cosines_without_the_signs_is_caught():
    from rwpca.numerics.nulls.autocorrelation import permuted_lag_cosines
    from rwpca.numerics.nulls.randomisation import draw

    rng = np.random.default_rng(2)
    R = rng.standard_normal((30, 200)) + 0.3
    M = R @ R.T
    orders, signs = draw(np.random.default_rng(5), 30, 11, True, True)
    unsigned = permuted_lag_cosines(M, orders, None, 5)
    assert not np.allclose(unsigned, _explicit_permuted(M, orders, signs, 5), atol=1e-3)

"""Trajectory PCA and the null models: exact against definitions, calibrated, and able to fail.

Statistical tolerances come from concentration: an average of M independent estimates
is compared with its expectation within 4 of its own standard errors, and rejection
counts of a level-alpha test over T independent walks with a binomial tail bound.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.decomposition import PCA
from strategies import dimensions, walk_sizes

from rwpca.documents import analysis_report
from rwpca.numerics.formulas import lambdify_by_name
from rwpca.numerics.linalg import float_spectra
from rwpca.numerics.nulls import calibration as cal
from rwpca.numerics.nulls import dynamics as dy
from rwpca.numerics.nulls import null_models as nm
from rwpca.numerics.nulls import randomisation
from rwpca.numerics.nulls.autocorrelation import lag_cosines
from rwpca.numerics.trajectories import analysis as nal
from rwpca.numerics.trajectories.analysis import (
    INDEPENDENT_NULLS,
    NULL_MODELS,
    analyze,
    analyze_gram,
    cosine_basis,
    drift_covariance,
    effective_dimension,
    fit_drift,
    random_walk_ratios,
)
from rwpca.proofs.catalog import get


def gram_of(X: np.ndarray) -> np.ndarray:
    Y = X - X[0]
    return Y @ Y.T


def walk(n, d, seed=0, drift=0.0, scales=None, offset=3.0):
    rng = np.random.default_rng(seed)
    steps = rng.standard_normal((n - 1, d)) / math.sqrt(d)
    if scales is not None:
        steps *= np.asarray(scales)[:, None]
    steps += drift / math.sqrt(d)
    X = np.zeros((n, d)) + offset
    X[1:] += np.cumsum(steps, axis=0)
    return X


def explicit_operators(n):
    """C (n x n) and L0 (n x N) built entry by entry."""
    C = np.eye(n) - np.ones((n, n)) / n
    L0 = np.array([[1.0 if j < t else 0.0 for j in range(n - 1)] for t in range(n)])
    return C, L0


def ratios_of(K):
    values = np.sort(np.linalg.eigvalsh(K))[::-1][:-1]
    return values / values.sum()


# --- centred PCA --------------------------------------------------------------------------


def matches_sklearn(X: np.ndarray, components: int = 4) -> bool:
    """The analysis's ratios and projections equal scikit-learn's PCA of the raw matrix."""
    result = analyze_gram(gram_of(X) + 7.0, X.shape[1], components, replicates=19)
    pca = PCA().fit(X)
    n = X.shape[0]
    ratios_ok = np.allclose(
        result.explained_variance_ratio, pca.explained_variance_ratio_[: n - 1], atol=1e-10
    )
    reference = pca.transform(X)[:, :components]
    signs = np.sign(np.sum(reference * result.projections, axis=0))
    projections_ok = np.allclose(result.projections, reference * signs, atol=1e-8)
    return bool(ratios_ok and projections_ok)


def test_centred_pca_matches_scikit_learn():
    assert matches_sklearn(walk(15, 400, seed=3, offset=40.0))


def test_mutation_without_centring_is_caught(monkeypatch):
    """Dropping the centring (C G C -> G) must make the comparison fail."""
    monkeypatch.setattr(nal, "centred_gram", lambda G: np.asarray(G, dtype=float))
    assert not matches_sklearn(walk(15, 400, seed=3, offset=40.0))


def test_step_norms_are_read_off_the_gram_matrix():
    X = walk(9, 50, seed=4, scales=np.linspace(0.5, 2, 8))
    result = analyze_gram(X @ X.T, 50, replicates=19)  # no shift: any common offset works
    assert np.allclose(result.step_norms_squared, np.sum(np.diff(X, axis=0) ** 2, axis=1))


# --- the null models against their definitions ---------------------------------------------


@pytest.mark.parametrize("n", [3, 10, 57])
def test_random_walk_null_is_the_exact_finite_n_spectrum(n):
    assert np.allclose(random_walk_ratios(n), float_spectra.explained_variance_ratio("plain", n))


def test_schedule_null_is_the_spectrum_of_C_L_D_L_C():
    n = 12
    q = np.linspace(2.0, 0.1, n - 1) ** 2
    C, L0 = explicit_operators(n)
    expected = ratios_of(C @ L0 @ np.diag(q) @ L0.T @ C)
    null = nm.IndependentNull("step_schedule", n, q, fit_drift(q, 1.0))
    assert np.allclose(null.ratios(), expected)
    flat = nm.IndependentNull("step_schedule", n, np.full(n - 1, 3.0), fit_drift(q, 1.0))
    assert np.allclose(flat.ratios(), random_walk_ratios(n))  # constant steps: null (a)


def test_drift_null_is_the_spectrum_with_a_rank_one_drift_term():
    n = 10
    fit = nal.DriftFit(drift_squared=0.3, noise=2.0, naive_drift_squared=0.0)
    C, L0 = explicit_operators(n)
    ones = np.ones((n - 1, n - 1))
    expected = C @ L0 @ (2.0 * np.eye(n - 1) + 0.3 * ones) @ L0.T @ C
    assert np.allclose(drift_covariance(n, fit), expected)
    no_drift = nal.DriftFit(0.0, 2.0, 0.0)
    assert np.allclose(ratios_of(drift_covariance(n, no_drift)), random_walk_ratios(n))


def drift_estimates(estimator, trials=400, n=21, d=200, mu2=0.02):
    """Mean and standard error of an estimator of ||mu||^2 over independent drift walks."""
    values = []
    for seed in range(trials):
        X = walk(n, d, seed=seed, drift=math.sqrt(mu2))  # sigma^2 d = 1
        Y = X - X[0]
        q = np.sum(np.diff(Y, axis=0) ** 2, axis=1)
        values.append(estimator(q, float(Y[-1] @ Y[-1])))
    values = np.asarray(values)
    return values.mean(), values.std(ddof=1) / math.sqrt(trials)


def test_drift_estimate_is_unbiased():
    """E[estimate] = ||mu||^2 within 4 standard errors (the naive one is off by 1/N = 0.05)."""
    mean, error = drift_estimates(lambda q, s: fit_drift(q, s).drift_squared)
    assert abs(mean - 0.02) < 4 * error
    noise, noise_error = drift_estimates(lambda q, s: fit_drift(q, s).noise)
    assert abs(noise - 1.0) < 4 * noise_error


def test_mutation_naive_drift_estimate_is_caught():
    """The naive ||mean step||^2 fails the same check: its bias sigma^2 d / N is resolved."""
    mean, error = drift_estimates(lambda q, s: fit_drift(q, s).naive_drift_squared)
    assert abs(mean - 0.02) > 4 * error
    assert abs(mean - (0.02 + 1.0 / 20)) < 4 * error  # exactly the predicted bias


# --- effective dimension and the Ostrowski envelope -----------------------------------------


def test_effective_dimension_of_isotropic_anisotropic_scheduled_and_drifting_steps():
    """d_eff = tr(S)^2 / tr(S^2) within 10% for 120 steps.

    The estimate is a ratio of two means over P = 7140 pairs; its relative sd is about
    sqrt(2 / P) ~ 2% for Gaussian overlaps and a few times that for heavy-tailed ones.
    """
    rng = np.random.default_rng(7)
    R = rng.standard_normal((120, 3000))
    assert abs(effective_dimension(R @ R.T) / 3000 - 1) < 0.1
    s = 1 / np.sqrt(1 + np.arange(3000) / 20)
    expected = np.sum(s**2) ** 2 / np.sum(s**4)
    Ra = R * s
    assert abs(effective_dimension(Ra @ Ra.T) / expected - 1) < 0.1
    scheduled = R * np.geomspace(4, 0.25, 120)[:, None]
    assert abs(effective_dimension(scheduled @ scheduled.T) / 3000 - 1) < 0.1
    drifted = R + 0.5  # ||mu||^2 = 750 against sigma^2 d = 3000
    assert abs(effective_dimension(drifted @ drifted.T) / 3000 - 1) < 0.1


@settings(max_examples=25)
@given(
    walk_sizes(4, 14),
    dimensions(2, 60),
    st.floats(0.0, 2.0),
    st.integers(0, 2**32 - 1),
)
def test_ostrowski_envelope_contains_every_eigenvalue_quotient(n, d, spread, seed):
    """lambda_k(observed) / lambda_k(C L D L^T C) lies in [lambda_min, lambda_max] of I + E."""
    rng = np.random.default_rng(seed)
    steps = rng.standard_normal((n - 1, d)) * np.exp(spread * rng.standard_normal(n - 1))[:, None]
    X = np.vstack([np.zeros(d), np.cumsum(steps, axis=0)])
    result = analyze_gram(X @ X.T, d, components=2, replicates=19)
    q = np.sum(steps**2, axis=1)
    C, L0 = explicit_operators(n)
    null = np.sort(np.linalg.eigvalsh(C @ L0 @ np.diag(q) @ L0.T @ C))[::-1][: n - 1]
    quotient = result.eigenvalues / null
    lo, hi = result.ostrowski
    assert np.all(quotient >= lo - 1e-8 * hi) and np.all(quotient <= hi * (1 + 1e-8))


def test_mutation_envelope_fails_for_the_wrong_null():
    """With varying step sizes, quotients against the plain walk leave the envelope."""
    n, d = 12, 400
    scales = np.geomspace(4.0, 0.25, n - 1)
    X = walk(n, d, seed=11, scales=scales)
    result = analyze_gram(gram_of(X), d, replicates=19)
    wrong = random_walk_ratios(n) * result.eigenvalues.sum()
    quotient = result.eigenvalues / wrong
    lo, hi = result.ostrowski
    assert np.any((quotient < lo) | (quotient > hi))


# --- the verdict: calibrated and with power ------------------------------------------------


def rejections(make, trials, **kwargs):
    counts = dict.fromkeys(NULL_MODELS, 0)
    for seed in range(trials):
        G, d = make(seed)
        result = analyze_gram(G, d, seed=10**6 + seed, **kwargs)  # not the data's stream
        for name, test in result.nulls.items():
            counts[name] += not test.consistent
    return counts


def binomial_upper(trials, alpha, tail=1e-4):
    """Smallest c with P(Binomial(trials, alpha) > c) < tail."""
    total = 0.0
    for c in range(trials + 1):
        total += math.comb(trials, c) * alpha**c * (1 - alpha) ** (trials - c)
        if 1 - total < tail:
            return c
    return trials


def anisotropic_walks(seed, n=30, d=3000):
    """Steps concentrated in few directions: variances 1 / (1 + i / 5), d_eff = 191."""
    rng = np.random.default_rng(seed)
    steps = rng.standard_normal((n - 1, d)) / np.sqrt(1 + np.arange(d) / 5)
    X = np.vstack([np.zeros(d), np.cumsum(steps, axis=0)])
    return gram_of(X), d


@pytest.mark.slow  # 160 analyses at four nulls: CI runs it (pytest -m slow)
def test_verdict_has_its_nominal_level_on_random_walks():
    """Under each null the test rejects a fraction alpha of walks (binomial bound).

    Anisotropic noise included: the randomisation test needs no noise model.
    """
    trials = 40
    limit = binomial_upper(trials, 0.05)  # 8 of 40 at tail 1e-4
    plain = rejections(lambda s: (gram_of(walk(16, 600, seed=s)), 600), trials, replicates=39)
    assert all(count <= limit for count in plain.values()), plain
    skewed = rejections(anisotropic_walks, trials, replicates=39)
    assert all(count <= limit for count in skewed.values()), skewed
    scheduled = rejections(
        lambda s: (gram_of(walk(16, 600, seed=s, scales=np.geomspace(3, 0.3, 15))), 600),
        trials,
        replicates=39,
    )
    assert scheduled["step_schedule"] <= limit, scheduled
    # power, not calibration: (a) rejects most scheduled walks. The max-|z| statistic also
    # holds the lag-1 step cosine (the power against momentum), which costs a little power
    # here: 29 of 40 with it, 31 without, at these seeds; at least half is required.
    assert scheduled["random_walk"] >= trials // 2, scheduled
    drifted = rejections(drift_walks, trials, replicates=39)
    assert drifted["drift"] <= limit, drifted
    # and power: a drift of 0.4 sigma per step is always seen by (a) and (b)
    assert drifted["random_walk"] == trials and drifted["step_schedule"] == trials


def drift_walks(seed):
    return gram_of(walk(16, 600, seed=seed, drift=0.4)), 600


def test_mutation_plain_null_without_sign_flips_loses_its_power(monkeypatch):
    """Reordering alone keeps a drift: (a) would then accept drift walks."""
    monkeypatch.setitem(cal.SYMMETRIES, "random_walk", (True, False))
    assert rejections(drift_walks, 10, replicates=39)["random_walk"] <= 3


def test_mutation_drift_null_with_sign_flips_is_miscalibrated(monkeypatch):
    """Flipping signs removes the drift the null (c) allows: drift walks get rejected."""
    monkeypatch.setitem(cal.SYMMETRIES, "drift", (True, True))
    assert rejections(drift_walks, 10, replicates=39)["drift"] >= 9


def first_order_sd(ratios: np.ndarray, d_eff: float) -> np.ndarray:
    """sd of log(rho_k / rho_k^null) to first order: sqrt(2 (1 - 2 rho_k + sum rho^2) / d_eff)."""
    return np.sqrt(2 * (1 - 2 * ratios + np.sum(ratios**2)) / d_eff)


def quotients_are_one(d: int = 100_000, n: int = 6, null: str = "random_walk", **walk_args) -> bool:
    """For a walk with d >> n every reported quotient is 1 within 5 first-order sd."""
    X = walk(n, d, seed=5, **walk_args)
    result = analyze_gram(gram_of(X), d, replicates=19)
    test = result.nulls[null]
    sd = first_order_sd(test.ratios[: result.components], d)
    return bool(np.all(np.abs(np.log(test.quotient)) < 5 * sd))


def test_quotients_of_a_high_dimensional_walk_are_one():
    assert quotients_are_one()
    assert quotients_are_one(null="step_schedule", scales=np.geomspace(3, 0.3, 5))
    assert quotients_are_one(n=40, d=200_000, null="drift")
    assert quotients_are_one(n=40, d=200_000, null="drift", drift=0.3)


def test_mutation_wrong_plain_null_is_caught(monkeypatch):
    """The limit ratios 6/(pi^2 k^2) in place of the exact finite-n ones: caught at n = 6.

    The bootstrap verdict itself does not depend on the formula (data and simulated walks
    are compared through the same null), so the check is on the reported quotients.
    """

    def limit(n):
        k = np.arange(1, n, dtype=float)
        return lambdify_by_name(get("rw.evr").rhs, ("k",))(k)

    monkeypatch.setattr(nm, "random_walk_ratios", limit)
    assert not quotients_are_one()


def test_mutation_naive_drift_in_the_null_is_caught(monkeypatch):
    """A drift null fitted with the biased naive estimate misreports a drift-free walk."""
    real = nal.fit_drift

    def naive(q, span):
        fit = real(q, span)
        return nal.DriftFit(fit.naive_drift_squared, fit.noise, fit.naive_drift_squared)

    monkeypatch.setattr(nal, "fit_drift", naive)
    assert not quotients_are_one(n=40, d=200_000, null="drift")


def test_mutation_uncentred_schedule_null_is_caught(monkeypatch):
    """Null (b) without the centring C: its quotients are off for a scheduled walk."""
    monkeypatch.setattr(
        nm,
        "schedule_factor",
        lambda q: np.vstack([np.zeros(q.size), np.cumsum(np.diag(np.sqrt(q)), axis=0)]),
    )
    assert not quotients_are_one(null="step_schedule", scales=np.geomspace(3, 0.3, 5))


# --- Lissajous score --------------------------------------------------------------------------


def test_lissajous_score_is_one_for_the_exact_eigenvectors():
    n = 30
    _, vectors = np.linalg.eigh(float_spectra.centred_covariance("plain", n))
    top = vectors[:, ::-1][:, :5]
    assert np.allclose(nm.lissajous(top), 1.0, atol=1e-12)


def test_mutation_printed_cosine_convention_is_caught(monkeypatch):
    """cos(pi k t / n) (the paper's printed form) is not the exact eigenvector."""
    n = 30
    _, vectors = np.linalg.eigh(float_spectra.centred_covariance("plain", n))
    top = vectors[:, ::-1][:, :5]

    def printed(n, count):
        t = np.arange(1, n + 1)[:, None]
        k = np.arange(1, count + 1)[None, :]
        basis = lambdify_by_name(get("rw.eigenvector").source.printed, ("n", "k", "t"))(n, k, t)
        basis -= basis.mean(axis=0)
        return basis / np.linalg.norm(basis, axis=0)

    monkeypatch.setattr(nm, "cosine_basis", printed)
    assert np.all(nm.lissajous(top) < 1 - 1e-4)


def test_cosine_basis_is_orthonormal():
    B = cosine_basis(17, 16)
    assert np.allclose(B.T @ B, np.eye(16))


# --- machinery ----------------------------------------------------------------------------


def _old_replicates(M, null, count, replicates, rng):
    """The replicates as they were computed before batching: M_b formed, dense eigh."""
    permute, flip = cal.SYMMETRIES[null]
    found = []
    for _ in range(replicates):
        order = rng.permutation(M.shape[0]) if permute else None
        sign = rng.choice(np.array([-1.0, 1.0]), M.shape[0]) if flip else None
        Mb = randomisation.replicate_gram(M, order, sign)
        values, vectors = np.linalg.eigh(nal.walk_gram(Mb))
        trace = float(np.trace(nal.walk_gram(Mb)))
        found.append((values[::-1][:count], vectors[:, ::-1][:, :count], trace))
    return found


@pytest.mark.parametrize("null", INDEPENDENT_NULLS)
@pytest.mark.parametrize("n", [12, 120])
def test_batched_replicates_equal_the_explicit_ones(null, n):
    """Same draws, same spectra (to 1e-9 of the top eigenvalue), same traces, per replicate:
    the Krylov path (n = 120) and the dense path (n = 12)."""
    X = walk(n, 5000, seed=3, drift=0.2)
    G = gram_of(X)
    M = np.diff(np.diff(G, axis=0), axis=1)
    count, replicates = 5, 23
    old = _old_replicates(M, null, count, replicates, np.random.default_rng(7))
    permute, flip = cal.SYMMETRIES[null]
    orders, signs = randomisation.draw(np.random.default_rng(7), n - 1, replicates, permute, flip)
    values, vectors = randomisation.spectra(M, orders, signs, count, cosine_basis)
    traces = randomisation.traces(M, orders, signs, randomisation.walk_weights(n))
    for b, (old_values, old_vectors, old_trace) in enumerate(old):
        assert np.allclose(values[b], old_values, rtol=0, atol=1e-9 * old_values[0])
        overlap = np.abs(np.sum(vectors[b] * old_vectors, axis=0))
        assert np.allclose(overlap, 1.0, atol=1e-6)
        assert np.isclose(traces[b], old_trace, rtol=1e-12)


def test_mutation_an_uncertified_krylov_space_is_caught(monkeypatch):
    """The comparison above can fail: accept Ritz values before their residuals are small."""
    monkeypatch.setattr(randomisation, "TOLERANCE", 1e-2)
    with pytest.raises(AssertionError):
        test_batched_replicates_equal_the_explicit_ones("random_walk", 120)


def test_mutation_signs_left_out_of_the_batched_product_is_caught(monkeypatch):
    """...and a replicate operator that forgets the sign flips is not the replicate."""
    original = randomisation._Operator.__init__

    def init(self, M, orders, signs, step_filter=None):
        original(self, M, orders, None if signs is None else np.ones_like(signs), step_filter)

    monkeypatch.setattr(randomisation._Operator, "__init__", init)
    with pytest.raises(AssertionError):
        test_batched_replicates_equal_the_explicit_ones("step_schedule", 120)


def test_p_values_are_those_of_the_explicit_replicates():
    """The batched test gives the p-values of reshuffling M replicate by replicate (each
    null from its own stream of the seed; the statistic includes the lag-1 cosine); for
    the dynamics nulls, of integrating each reordering of the innovations explicitly.
    n = 90: the batched Krylov path (n > 4 (K + 10))."""
    n = 90
    X = walk(n, 20_000, seed=11, drift=0.05)
    G = gram_of(X)
    result = analyze_gram(G, 20_000, replicates=39, seed=4, nulls=NULL_MODELS)
    M = np.diff(np.diff(G, axis=0), axis=1)
    observed_lags = lag_cosines(M, cal.STATISTIC_LAGS)
    dynamics = {"momentum": dy.MomentumNull(n, M), "ou": dy.OUNull(n, M)}
    for null in NULL_MODELS:
        rng = np.random.default_rng([4, NULL_MODELS.index(null)])
        test = result.nulls[null]
        K = result.components
        observed = cal.statistics(
            result.explained_variance_ratio[:K],
            test.ratios[:K],
            result.projections / np.sqrt(result.eigenvalues[:K]),
        )
        old = []
        permute, flip = cal.SYMMETRIES.get(null, (False, False))
        for _ in range(39):
            if null in dynamics:
                Mb = dynamics[null].randomise(rng, M)
            else:
                order = rng.permutation(M.shape[0]) if permute else None
                sign = rng.choice(np.array([-1.0, 1.0]), M.shape[0]) if flip else None
                Mb = randomisation.replicate_gram(M, order, sign)
            values, vectors = np.linalg.eigh(nal.walk_gram(Mb))
            trace = float(np.trace(nal.walk_gram(Mb)))
            stat = cal.statistics(
                values[::-1][:K] / trace, test.ratios[:K], vectors[:, ::-1][:, :K]
            )
            old.append((stat, lag_cosines(Mb, cal.STATISTIC_LAGS)))
        stats = np.array([o[0] for o in old])
        lags = np.array([o[1] for o in old])
        pooled = np.concatenate([stats, observed[None]])
        mean, sd = pooled.mean(axis=0), np.maximum(pooled.std(axis=0, ddof=1), 1e-12)

        def deviation(s, mean=mean, sd=sd):
            z = (s - mean) / sd
            return np.stack([np.abs(z[..., 0]), np.maximum(-z[..., 1], 0.0)], axis=-1)

        lag_pool = np.concatenate([lags, observed_lags[None]])
        lag_mean, lag_sd = lag_pool.mean(axis=0), lag_pool.std(axis=0, ddof=1)
        lag_reps = np.abs((lags - lag_mean) / lag_sd).max(axis=1)
        T_reps = np.maximum(deviation(stats).reshape(39, -1).max(axis=1), lag_reps)
        T = max(
            float(deviation(observed).max()),
            float(np.abs((observed_lags - lag_mean) / lag_sd).max()),
        )
        assert test.p_value == (1 + int(np.sum(T_reps >= T))) / 40
        assert np.isclose(test.statistic, T, rtol=1e-6)


def test_result_json_and_verdict():
    X = walk(30, 3000, seed=8)
    result = analyze(X, components=3, replicates=39)
    data = result.to_json()
    assert {
        "n",
        "d",
        "explained_variance_ratio",
        "null_ratios",
        "lissajous",
        "step_autocorrelation",
        "consistent_with_some_null",
        "verdict",
    } <= set(data)
    assert set(data["null_ratios"]) == set(NULL_MODELS)
    assert len(data["lissajous"]) == 3 and data["n"] == 30 and data["d"] == 3000
    assert data["consistent_with_some_null"] is True
    assert "consistent with" in analysis_report.verdict_text(data)
    windowed = analyze(X, window=(5, 25), components=2, replicates=19)
    assert windowed.n == 20 and windowed.window == (5, 25)


def test_bad_parameters_raise_one_line_errors():
    G = gram_of(walk(5, 50))
    for kwargs, fragment in [
        ({"components": 0}, "components = 0"),
        ({"replicates": 5}, "replicates = 5"),
        ({"alpha": 1.5}, "alpha = 1.5"),
    ]:
        with pytest.raises(ValueError, match=fragment):
            analyze_gram(G, 50, **kwargs)
    with pytest.raises(ValueError, match="does not move"):
        analyze_gram(np.zeros((4, 4)), 10)
    with pytest.raises(ValueError, match="n = 2"):
        analyze_gram(np.eye(2), 10)
    with pytest.raises(ValueError, match="window 0:40"):
        analyze(walk(10, 200), window=(0, 40))


@pytest.mark.filterwarnings("ignore:d = 200 is not much larger than n = 60")
def test_notes_and_verdict_are_typed_and_worded_by_the_report():
    """numerics says which diagnostics hold (kinds and numbers); the report writes them out."""
    rng = np.random.default_rng(3)
    noise = rng.standard_normal((59, 200)) / math.sqrt(200)
    steps = np.zeros_like(noise)
    for t in range(59):  # momentum 0.9: consecutive steps overlap strongly
        steps[t] = noise[t] + (0.9 * steps[t - 1] if t else 0.0)
    X = np.zeros((60, 200))
    X[1:] = np.cumsum(steps, axis=0)
    result = analyze(X, components=3, replicates=19)
    kinds = {note.kind for note in result.notes}
    assert kinds == {nal.NoteKind.LOW_EFFECTIVE_DIMENSION, nal.NoteKind.CORRELATED_STEPS}
    data = result.to_json()
    assert all(isinstance(value, (int, float)) for n in data["notes"] for k, value in n.items()
               if k != "kind")  # fmt: skip
    words = [analysis_report.note_text(note) for note in data["notes"]]
    assert any(w.startswith("the steps are correlated: consecutive updates") for w in words)
    independent = {"random_walk", "step_schedule", "drift"}
    assert data["verdict"] == {
        "consistent": [n for n in NULL_MODELS if result.nulls[n].consistent
                       and n not in independent],
        "rejected": [n for n in NULL_MODELS if not result.nulls[n].consistent],
        "not_independent": [n for n in NULL_MODELS if result.nulls[n].consistent
                            and n in independent],
    }  # fmt: skip
    assert analysis_report.verdict_text(data).startswith("The first 3 components")

"""The walk simulator's engine: the Wishart draw, the streamed path, finite-d theory, bad input.

Statistical checks compare a Monte-Carlo mean with its expectation within 6 standard
errors (sd / sqrt(N)); seeds are fixed, so every check is deterministic.
"""

from __future__ import annotations

import math
import tracemalloc

import mpmath
import numpy as np
import pytest

from rwpca.numerics.linalg import float_spectra
from rwpca.numerics.walks import families as noise
from rwpca.numerics.walks import finite_d, simulator

Z = 6.0


# --- the Wishart draw ---------------------------------------------------------------------------


def _log_det_moments(n: int, d: int) -> tuple[float, float]:
    """E and Var of log det W, W ~ Wishart(d, I_n): sum psi((d - i)/2) + n log 2, sum psi'(.)."""
    mean = sum(float(mpmath.psi(0, (d - i) / 2)) for i in range(n)) + n * math.log(2)
    var = sum(float(mpmath.psi(1, (d - i) / 2)) for i in range(n))
    return mean, var


def wishart_discrepancies(sampler, n: int = 4, d: int = 7, draws: int = 4000) -> dict[str, float]:
    """Standardised errors (in standard errors) of E[G], Var[G] entries and E[log det G]."""
    rng = np.random.default_rng(11)
    G = np.array([sampler(rng, n, d) for _ in range(draws)])
    mean = G.mean(axis=0)
    expected_var = d * (1 + np.eye(n))  # Var G_ij = d (1 + delta_ij)
    se_mean = np.sqrt(expected_var / draws)
    logdet_mean, logdet_var = _log_det_moments(n, d)
    logdets = np.linalg.slogdet(G)[1]
    return {
        "mean": float(np.max(np.abs(mean - d * np.eye(n)) / se_mean)),
        "log det": float(abs(logdets.mean() - logdet_mean) / math.sqrt(logdet_var / draws)),
    }


def test_bartlett_draw_has_the_wishart_law():
    """Mean d I and E log det = sum psi((d - i)/2) + n log 2 (which pins the chi-square dofs)."""
    errors = wishart_discrepancies(noise.wishart_bartlett)
    assert errors["mean"] < Z and errors["log det"] < Z, errors


def test_direct_gram_has_the_same_law():
    """The same check accepts Z Z^T drawn directly (the checker is calibrated)."""

    def direct(rng, n, d):
        Zm = rng.standard_normal((n, d))
        return Zm @ Zm.T

    errors = wishart_discrepancies(direct)
    assert errors["mean"] < Z and errors["log det"] < Z, errors


def test_wishart_check_rejects_wrong_degrees_of_freedom():
    """A Bartlett factor with chi^2_d on every diagonal entry (a plausible bug) is rejected."""

    def wrong(rng, n, d):
        A = np.tril(rng.standard_normal((n, n)), -1)
        A[np.diag_indices(n)] = np.sqrt(rng.chisquare(d, n))
        return A @ A.T

    assert wishart_discrepancies(wrong)["log det"] > Z


def test_wishart_and_streamed_gaussian_paths_agree():
    """rho_hat_1 has the same mean and spread whether G is drawn as Wishart or streamed."""
    n, d, draws = 8, 60, 3000
    samples = {}
    for name, family in (
        ("wishart", noise.GaussianNoise()),
        ("stream", noise.GaussianNoise(wishart=False)),
    ):
        values = [
            simulator.simulate("plain", n, d, family, seed=(5, i)).explained_variance_ratio[0]
            for i in range(draws)
        ]
        samples[name] = np.array(values)
    a, b = samples["wishart"], samples["stream"]
    se = math.sqrt((a.var() + b.var()) / draws)
    assert abs(a.mean() - b.mean()) < Z * se
    # sd of a sample sd is about sd / sqrt(2N) for near-normal data
    assert abs(a.std() / b.std() - 1) < Z * math.sqrt(1 / draws)
    assert simulator.simulate("plain", n, d, "gaussian").method == "wishart"
    assert simulator.simulate("plain", n, d, noise.GaussianNoise(wishart=False)).method == "direct"


def test_gaussian_cost_does_not_touch_d():
    """d = 10^15 is drawn (Wishart) in the same way as d = 10^3: no array of size d is made."""
    walk = simulator.simulate("plain", 30, 10**15, "gaussian", seed=3)
    assert walk.method == "wishart"
    assert np.max(np.abs(walk.relative_deviation())) < 1e-5


def test_d_smaller_than_n_draws_the_steps():
    walk = simulator.simulate("plain", 20, 5, "gaussian", seed=1)
    assert walk.method == "direct"
    assert np.sum(walk.eigenvalues > 1e-9 * walk.eigenvalues[0]) == 5  # rank d


# --- the streamed path, reproducibility, memory -------------------------------------------------


@pytest.mark.parametrize("spec", ["gaussian", "laplace", "sparse", "correlated", "mixture"])
def test_reproducible_from_seed(spec):
    a = simulator.simulate("momentum", 12, 20_000, spec, seed=42)
    b = simulator.simulate("momentum", 12, 20_000, spec, seed=42)
    c = simulator.simulate("momentum", 12, 20_000, spec, seed=43)
    assert np.array_equal(a.eigenvalues, b.eigenvalues)
    assert not np.array_equal(a.eigenvalues, c.eigenvalues)


def test_generator_and_seed_sequence_seeds():
    a = simulator.simulate("plain", 5, 100, "uniform", seed=np.random.default_rng(7))
    b = simulator.simulate("plain", 5, 100, "uniform", seed=7)
    c = simulator.simulate("plain", 5, 100, "uniform", seed=np.random.SeedSequence(7))
    assert np.array_equal(a.eigenvalues, b.eigenvalues)
    assert np.array_equal(b.eigenvalues, c.eigenvalues)


def test_streamed_gram_equals_the_gram_of_the_same_steps():
    """The blocks the family streams are exactly the steps whose Gram matrix is returned.

    For d < 4 n the block products are float64 (exact products of the float32 draws), so
    the two agree to rounding. For d >= 4 n they are float32 GEMM: each entry is then
    within Higham's inner-product bound gamma_b sum_c |x_ic x_jc| <= gamma_b sqrt(G_ii G_jj)
    (gamma_b = b u / (1 - b u), u = 2^-24) of the float64 Gram matrix of the same draws.
    """
    family = noise.laplace()
    n, d, block = 7, 20, 8  # d < 4 n: float64 products, three blocks
    gram = family.gram(np.random.default_rng(3), n, d, block=block).matrix
    R = np.hstack(list(family.blocks(np.random.default_rng(3), n, d, block)))
    assert R.shape == (n, d)
    R = R.astype(np.float64)
    assert np.allclose(gram, R @ R.T, rtol=1e-12)

    d, block = 1000, 64  # d >= 4 n: float32 products summed in float64
    gram = family.gram(np.random.default_rng(3), n, d, block=block).matrix
    R = np.hstack(list(family.blocks(np.random.default_rng(3), n, d, block)))
    assert R.shape == (n, d) and R.dtype == np.float32
    exact = R.astype(np.float64) @ R.astype(np.float64).T
    u = 2.0**-24
    gamma = block * u / (1 - block * u)
    bound = gamma * np.sqrt(np.outer(np.diag(exact), np.diag(exact)))
    assert np.all(np.abs(gram - exact) <= bound)
    # and the bound is sharp enough to see a block left out
    short = exact - R[:, :block].astype(np.float64) @ R[:, :block].astype(np.float64).T
    assert not np.all(np.abs(short - exact) <= bound)


def test_trajectory_gram_is_the_gram_of_the_walk():
    """integrate + centre on R R^T equal the Gram matrix of the centred simulated walk itself."""
    rng = np.random.default_rng(0)
    R = rng.standard_normal((9, 50))
    for process, params in (("plain", {}), ("momentum", {"gamma": 0.6}), ("ou", {"alpha": 0.3})):
        x = np.zeros(50)
        v = np.zeros(50)
        X = []
        for step in R:
            if process == "plain":
                x = x + step
            elif process == "momentum":
                v = params["gamma"] * v + step
                x = x + v
            else:
                x = (1 - params["alpha"]) * x + step
            X.append(x)
        X = np.array(X)
        Xc = X - X.mean(axis=0)
        got = simulator.centre(simulator.integrate(R @ R.T, process, params))
        assert np.allclose(got, Xc @ Xc.T, rtol=1e-10, atol=1e-10)


def test_memory_is_n_squared_plus_n_block():
    """Peak traced memory of a streamed walk is a few blocks, not the n x d trajectory."""
    n, d = 50, 400_000
    block = noise.default_block(n)
    tracemalloc.start()
    simulator.simulate("plain", n, d, "uniform", seed=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    trajectory = 8 * n * d
    assert peak < 4 * 8 * (n * block + n * n) + 2**20
    assert peak < trajectory / 10


def test_projections_and_theory_shapes():
    walk = simulator.simulate("ou", 16, 5000, "rademacher", params={"alpha": 0.2}, projections=4)
    assert walk.projections.shape == (16, 4)
    assert walk.eigenvalues.shape == walk.theory().shape == (15,)
    assert np.all(np.diff(walk.eigenvalues) <= 0)
    assert walk.explained_variance_ratio.sum() == pytest.approx(1)
    assert np.allclose((walk.projections**2).sum(axis=0), walk.eigenvalues[:4])
    assert np.all(walk.projections[0] >= 0)
    everything = simulator.simulate("plain", 6, 100, projections=True)
    assert everything.projections.shape == (6, 5)


def test_ratios_are_scale_free():
    """Multiplying the noise by 10^6 changes no ratio (the samplers need not be standardised)."""

    def big(rng, size):
        return rng.standard_normal(size) * 1e6

    def small(rng, size):
        return rng.standard_normal(size)

    a = simulator.simulate("plain", 10, 3000, big, seed=4)
    b = simulator.simulate("plain", 10, 3000, small, seed=4)
    assert np.allclose(a.explained_variance_ratio, b.explained_variance_ratio, rtol=1e-10)
    assert a.mean_square_step == pytest.approx(1e12 * b.mean_square_step)


# --- noise families ------------------------------------------------------------------------


IID_FAMILIES = [
    *sorted(set(noise.FAMILIES) - {"correlated", "cauchy", "student_t"}),
    "student_t:nu=10",  # finite eighth moment, so the sample fourth moment settles
]


@pytest.mark.parametrize("name", IID_FAMILIES)
def test_family_moments(name):
    """Each finite-variance family has mean 0, variance 1 and its stated kurtosis."""
    family = noise.get_noise(name)
    x = family.sampler(np.random.default_rng(9), (2_000_000,))
    m4 = family.fourth_moment
    assert abs(x.mean()) < Z * math.sqrt(1 / x.size)
    assert abs((x**2).mean() - 1) <= Z * math.sqrt((m4 - 1) / x.size)
    assert (x**4).mean() == pytest.approx(m4, rel=0.15)  # the 8th moment can be large
    assert family.zero_mean is True


def test_correlated_effective_rank():
    assert noise.CorrelatedNoise(rank=7, decay=0).effective_rank(100) == pytest.approx(7)
    assert noise.CorrelatedNoise(rank=0, decay=0).effective_rank(100) == pytest.approx(100)
    decaying = noise.CorrelatedNoise(rank=0, decay=1.5)
    bound = float(mpmath.zeta(1.5) ** 2 / mpmath.zeta(3))
    assert decaying.effective_rank(10**3) < decaying.effective_rank(10**5) < bound


def test_correlated_with_equal_eigenvalues_is_a_wishart_of_the_rank():
    """rank r, decay 0: R R^T = Z Z^T (d / r) with Z n x r, drawn directly when r >= n."""
    walk = simulator.simulate("plain", 5, 10**6, "correlated:rank=8,decay=0", seed=2)
    assert walk.method == "wishart"
    small = simulator.simulate("plain", 5, 10**6, "correlated:rank=3,decay=0", seed=2)
    assert np.sum(small.eigenvalues > 1e-9 * small.eigenvalues[0]) == 3


def test_mixture_moments_and_labels():
    mixed = noise.mixture([(1, noise.rademacher()), (3, noise.laplace())])
    assert mixed.variance == pytest.approx(1)
    assert mixed.fourth_moment == pytest.approx(0.25 * 1 + 0.75 * 6)
    assert noise.get_noise("student_t:nu=7").label == "student_t:nu=7"
    assert noise.get_noise("mixture").excess_kurtosis > 0


# --- finite-d theory against Monte Carlo ----------------------------------------------------


@pytest.mark.parametrize(("spec", "d"), [("gaussian", 200), ("sparse:density=0.05", 200)])
def test_finite_d_bias_and_spread_match_the_derivation(spec, d):
    """Mean and sd of rho_hat_1 / rho_1 - 1 = (beta0 + kappa beta4) / d and sqrt((a + kappa b) / d).

    The kurtosis terms are needed: for sparse noise (kappa = 57) the Gaussian formulas are
    rejected at the same tolerance.
    """
    n, draws = 10, 3000
    family = noise.get_noise(spec)
    values = np.array(
        [
            simulator.simulate("plain", n, d, family, seed=(13, i)).relative_deviation()[0]
            for i in range(draws)
        ]
    )
    full = finite_d.ratio_perturbation("plain", n, d, family.excess_kurtosis)
    gaussian = finite_d.ratio_perturbation("plain", n, d, 0.0)
    se_mean = values.std() / math.sqrt(draws)
    se_sd = values.std() * math.sqrt(1 / (2 * draws)) * 2  # allow for excess kurtosis of the sample
    assert abs(values.mean() - full.bias[0]) < Z * se_mean
    assert abs(values.std() - full.sd[0]) < Z * se_sd
    if family.excess_kurtosis > 10:
        assert abs(values.mean() - gaussian.bias[0]) > Z * se_mean
        assert abs(values.std() - gaussian.sd[0]) > Z * se_sd


def test_first_order_spread_is_exact_for_rademacher_at_n_2():
    """n = 2: rho_1 = 1, so the ratio has no fluctuation at all; the formula gives sd 0."""
    p = finite_d.ratio_perturbation("plain", 2, 100, -2.0)
    assert p.sd[0] == pytest.approx(0, abs=1e-12) and p.bias[0] == pytest.approx(0, abs=1e-12)


# --- bad input ----------------------------------------------------------------------------------


def _wrong_shape(rng, size):
    return rng.standard_normal(size[0])


def _with_nan(rng, size):
    values = rng.standard_normal(size)
    values.flat[3] = np.nan
    return values


def _with_inf(rng, size):
    values = rng.standard_normal(size)
    values.flat[0] = np.inf
    return values


def _complex(rng, size):
    return rng.standard_normal(size) * 1j


def _strings(rng, size):
    return np.full(size, "x")


def _zeros(rng, size):
    return np.zeros(size)


def _one_argument(rng):
    return rng.standard_normal(3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"noise": "pink"}, "noise family 'pink' is not known: allowed families are gaussian"),
        ({"noise": 3}, "noise = 3 is not allowed: give a family name"),
        ({"noise": None}, "noise = None is not allowed"),
        ({"noise": _wrong_shape}, r"returned shape \(6,\) for size = \(6, 50\)"),
        ({"noise": _with_nan}, "returned nan among its draws: draws must be finite"),
        ({"noise": _with_inf}, "returned inf among its draws"),
        ({"noise": _complex}, "dtype complex128: draws must be real numbers"),
        ({"noise": _strings}, "draws must be real numbers"),
        ({"noise": _zeros}, "steps must be finite and not all zero"),
        ({"noise": _one_argument}, "could not be called as sampler"),
        ({"d": 0}, "d = 0 is not allowed: d must be an integer >= 1"),
        ({"d": -3}, "d = -3 is not allowed"),
        ({"d": 2.5}, "d = 2.5 is not allowed"),
        ({"n": 1}, "n = 1 is not allowed: n must be an integer >= 2"),
        ({"process": "levy"}, "process 'levy' is not known"),
        ({"params": {"gamma": 1.0}, "process": "momentum"}, "gamma = 1.0 is not allowed"),
        ({"params": {"beta": 1.0}}, "parameter 'beta' is not allowed"),
        ({"seed": -1}, "seed = -1 is not allowed"),
        ({"seed": 1.5}, "seed = 1.5 is not allowed"),
        ({"projections": 9}, "at most n - 1 = 5 components"),
        ({"noise": "student_t:nu=-2"}, "nu = -2.0 is not allowed"),
        ({"noise": "sparse:density=0"}, "density = 0.0 is not allowed"),
        ({"noise": "correlated:rank=2.5"}, "rank = 2.5 is not allowed"),
        ({"noise": "correlated:decay=-1"}, "decay = -1.0 is not allowed"),
        ({"noise": "mixture:weight=2"}, "weight = 2.0 is not allowed"),
        ({"noise": "student_t:nu"}, "write key=value"),
        ({"noise": "student_t:nu=abc"}, "nu = 'abc' is not a number"),
        ({"noise": "student_t:nu=inf"}, "is not a finite number"),
        ({"noise": "gaussian:nu=3"}, "parameter 'nu' is not allowed for 'gaussian'"),
    ],
)
def test_bad_input_is_one_clear_line(kwargs, message):
    args = {"process": "plain", "n": 6, "d": 50, "noise": "gaussian", **kwargs}
    process, n, d, spec = args.pop("process"), args.pop("n"), args.pop("d"), args.pop("noise")
    with pytest.raises(ValueError, match=message) as info:
        simulator.simulate(process, n, d, spec, **args)
    assert "\n" not in str(info.value)


def test_mixture_rejects_bad_components():
    with pytest.raises(ValueError, match="at least one component"):
        noise.mixture([])
    with pytest.raises(ValueError, match="weights"):
        noise.mixture([(-1, noise.gaussian())])
    with pytest.raises(ValueError, match=r"i\.i\.d\. families"):
        noise.mixture([(1, noise.CorrelatedNoise())])


def test_theory_matches_numerics_spectra():
    walk = simulator.simulate("momentum", 9, 100, params={"gamma": 0.3})
    assert np.allclose(
        walk.theory(), float_spectra.explained_variance_ratio("momentum", 9, {"gamma": 0.3})
    )

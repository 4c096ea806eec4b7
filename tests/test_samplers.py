"""The fast float32 samplers draw the laws their families state, and their Gram matrix is exact enough.

Each sampler is checked against its law, derived here from the density (mpmath
quadrature), not from the family's declared moments: the sample moments E x^p (p <= 4,
where E x^2p is finite) and the empirical distribution function at a few points, each
within Z standard errors of the exact value at the sample size drawn (sd of a sample
moment sqrt((m_2p - m_p^2) / N), of an empirical probability sqrt(F (1 - F) / N)). At
Z = 6 a correct sampler fails a check with probability about 2e-9 under the normal
approximation (at most 1/36 by Chebyshev whatever the law); the seed is fixed, so the
checks are deterministic. The mutation tests at the end show that the same checks reject
samplers with a 1% variance error, a biased sign or a wrong parameter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import numpy as np
import pytest

from rwpca.numerics.walks import families, samplers, simulator

Z = 6.0
N = 4_000_000
SEED = 20180


@dataclass(frozen=True)
class Law:
    """A law on the real line: its density (or atoms), the moments that exist, test points."""

    name: str
    moment: Callable[[int], float]  # E x^p, or inf / nan when it does not exist
    cdf: Callable[[float], float]
    points: tuple[float, ...]
    #: Highest p with E |x|^p finite (checks use moments p with 2 p <= this).
    finite_up_to: float = math.inf


def _continuous(name: str, density, support, points, finite_up_to=math.inf) -> Law:
    low, high = support

    def moment(p: int) -> float:
        if p > finite_up_to:
            return math.inf
        return float(mpmath.quad(lambda x: x**p * density(x), [low, 0, high]))

    def cdf(x: float) -> float:
        if x <= low:
            return 0.0
        return float(mpmath.quad(density, [low, min(x, 0), x] if x > 0 else [low, x]))

    return Law(name, moment, cdf, points, finite_up_to)


def gaussian_law(scale: float = 1.0) -> Law:
    return _continuous(
        "gaussian",
        lambda x: mpmath.npdf(x, 0, scale),
        (-mpmath.inf, mpmath.inf),
        (-2.0 * scale, -0.5 * scale, 0.3 * scale, 1.5 * scale),
    )


def uniform_law() -> Law:
    a = mpmath.sqrt(3)
    return _continuous("uniform", lambda x: 1 / (2 * a), (-a, a), (-1.5, -0.4, 0.2, 1.1))


def laplace_law() -> Law:
    b = 1 / mpmath.sqrt(2)
    return _continuous(
        "laplace",
        lambda x: mpmath.exp(-abs(x) / b) / (2 * b),
        (-mpmath.inf, mpmath.inf),
        (-2.0, -0.3, 0.1, 1.7),
    )


def exponential_law() -> Law:
    return _continuous(
        "exponential", lambda x: mpmath.exp(-(x + 1)), (-1, mpmath.inf), (-0.8, -0.2, 0.5, 2.5)
    )


def student_law(nu: float) -> Law:
    scale = mpmath.sqrt((nu - 2) / nu)
    norm = mpmath.gamma((nu + 1) / 2) / (mpmath.sqrt(nu * mpmath.pi) * mpmath.gamma(nu / 2))

    def density(x):
        y = x / scale
        return norm * (1 + y * y / nu) ** (-(nu + 1) / 2) / scale

    return _continuous(
        f"student_t:nu={nu:g}",
        density,
        (-mpmath.inf, mpmath.inf),
        (-3.0, -1.0, -0.1, 0.4, 2.0, 5.0),
        finite_up_to=nu - 1e-9,
    )


def rademacher_law() -> Law:
    return Law(
        "rademacher",
        lambda p: float(p % 2 == 0),
        lambda x: 0.0 if x < -1 else (0.5 if x < 1 else 1.0),
        (-1.0, 0.0, 1.0),
    )


def sparse_law(density: float) -> Law:
    """(1 - p) delta_0 + p N(0, 1/p)."""
    gauss = gaussian_law(1 / math.sqrt(density))

    def moment(p: int) -> float:
        return float(p == 0) * (1 - density) + density * gauss.moment(p)

    def cdf(x: float) -> float:
        return (1 - density) * (x >= 0) + density * gauss.cdf(x)

    return Law(f"sparse:density={density:g}", moment, cdf, (-3.0, -0.2, 0.0, 0.5, 4.0))


def contaminated_law(weight: float, scale: float) -> Law:
    norm = math.sqrt((1 - weight) + weight * scale**2)
    narrow, wide = gaussian_law(1 / norm), gaussian_law(scale / norm)
    return Law(
        f"mixture:weight={weight:g},scale={scale:g}",
        lambda p: (1 - weight) * narrow.moment(p) + weight * wide.moment(p),
        lambda x: (1 - weight) * narrow.cdf(x) + weight * wide.cdf(x),
        (-4.0, -0.6, 0.2, 1.0, 6.0),
    )


def law_discrepancies(
    draw: Callable[[np.random.Generator, tuple[int, ...]], np.ndarray],
    law: Law,
    size: int = N,
    seed: int = SEED,
) -> dict[str, float]:
    """Standardised errors (in standard errors) of the sample moments and probabilities."""
    rng = samplers.stream_generator(np.random.default_rng(seed))
    x = np.asarray(draw(rng, (size,)), dtype=np.float64)
    assert x.shape == (size,)
    errors: dict[str, float] = {}
    for p in (1, 2, 3, 4):
        if 2 * p > law.finite_up_to:
            break
        expected, second = law.moment(p), law.moment(2 * p)
        se = math.sqrt(max(second - expected**2, 0.0) / size)
        error = abs(float(np.mean(x**p)) - expected)
        errors[f"E x^{p}"] = error / se if se > 0 else (0.0 if error < 1e-12 else math.inf)
    for point in law.points:
        expected = law.cdf(point)
        se = math.sqrt(expected * (1 - expected) / size)
        error = abs(float(np.mean(x <= point)) - expected)
        errors[f"P(x <= {point:g})"] = error / se if se > 0 else (0.0 if error == 0 else math.inf)
    return errors


def _family(spec: str):
    return families.get_noise(spec).sampler


CASES = [
    ("gaussian", gaussian_law()),
    ("uniform", uniform_law()),
    ("rademacher", rademacher_law()),
    ("laplace", laplace_law()),
    ("exponential", exponential_law()),
    ("student_t:nu=3", student_law(3.0)),
    ("student_t:nu=5", student_law(5.0)),
    ("student_t:nu=10", student_law(10.0)),
    ("sparse:density=0.01", sparse_law(0.01)),
    ("sparse:density=0.3", sparse_law(0.3)),
    ("mixture", contaminated_law(0.1, 5.0)),
]


@pytest.mark.parametrize(("spec", "law"), CASES, ids=[c[0] for c in CASES])
def test_sampler_draws_its_law(spec, law):
    """Moments and distribution function within 6 standard errors of the exact law."""
    family = families.get_noise(spec)
    errors = law_discrepancies(family.sampler, law)
    assert max(errors.values()) < Z, errors
    # the declared moments are those of the law (the simulator's tolerances use them)
    assert family.variance == pytest.approx(law.moment(2), rel=1e-9)
    if law.finite_up_to > 4:
        assert family.fourth_moment == pytest.approx(law.moment(4), rel=1e-9)
    # float32 values where the family says so
    assert family.sampler(np.random.default_rng(0), (3,)).dtype == (
        np.float32 if family.single else np.float64
    )


def test_symmetric_samplers_are_exactly_symmetric_in_their_construction():
    """uniform and the signs are odd functions of symmetric integers: no float is ever 0."""
    rng = samplers.stream_generator(np.random.default_rng(1))
    x = samplers.uniform(rng, (10**6,), math.sqrt(3))
    assert np.all(x != 0) and np.abs(x).max() <= np.float32(math.sqrt(3))
    s = samplers.signs(rng, (1001,))
    assert set(np.unique(s).tolist()) == {-1.0, 1.0}
    assert samplers.signs(rng, (3, 5), 0.25).shape == (3, 5)


def test_sparse_nonzeros_are_uniformly_placed():
    """The nonzero fraction is density and the positions are spread evenly over the block."""
    density, shape = 0.02, (400, 5000)
    rng = samplers.stream_generator(np.random.default_rng(2))
    mask = samplers.sparse_gaussian(rng, shape, density) != 0
    count = mask.size
    assert abs(mask.mean() - density) < Z * math.sqrt(density * (1 - density) / count)
    for axis in (0, 1):  # nonzeros per row and per column are Binomial(length, density)
        counts = mask.sum(axis=axis)
        length = shape[axis]
        mean, var = length * density, length * density * (1 - density)
        assert abs(counts.mean() - mean) < Z * math.sqrt(var / counts.size)
        # sample variance: sd about var sqrt(2 / m) for near-normal counts (m rows or columns)
        assert abs(counts.var(ddof=1) - var) < Z * var * math.sqrt(2 / counts.size) * 1.2


def test_stream_generator_is_sfc64_and_a_function_of_the_seed():
    rng = samplers.stream_generator(np.random.default_rng(5))
    assert isinstance(rng.bit_generator, np.random.SFC64)
    a = samplers.words(samplers.stream_generator(np.random.default_rng(5)), 4)
    b = samplers.words(samplers.stream_generator(np.random.default_rng(5)), 4)
    c = samplers.words(samplers.stream_generator(np.random.default_rng(6)), 4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    # 64 random bits per word whatever the bit generator (MT19937's raw outputs have 32)
    mt = samplers.words(np.random.Generator(np.random.MT19937(0)), 2000)
    assert (mt >> np.uint64(32)).any() and (mt & np.uint64(2**32 - 1)).any()


# --- the Gram matrix of float32 steps -------------------------------------------------------


def test_float32_products_move_the_eigenvalues_less_than_ostrowski_allows():
    """Float32 GEMM against float64 products of the same draws: the walk's eigenvalues agree
    within ||Delta M|| / lambda_min(M) (Ostrowski), and that bound is below 1e-5 at d = 50 n."""
    n, d, block = 100, 5000, 512
    family = families.get_noise("laplace")
    grams = {
        single: samplers.accumulate_steps(
            family.blocks(np.random.default_rng(4), n, d, block), n, single=single
        )
        for single in (True, False)
    }
    scale = np.trace(grams[False]) / n
    delta = np.linalg.norm((grams[True] - grams[False]) / scale, 2)
    lowest = np.linalg.eigvalsh(grams[False] / scale)[0]
    bound = delta / lowest
    assert 0 < bound < 1e-5
    values = {}
    for single, G in grams.items():
        covariance = simulator.centre(simulator.integrate(G / scale, "plain", {}))
        values[single] = np.linalg.eigvalsh(covariance)[::-1][: n - 1]
    relative = np.abs(values[True] / values[False] - 1)
    assert relative.max() <= bound * (1 + 1e-6) + 1e-12


def test_prefetched_blocks_are_the_plain_blocks_and_errors_arrive_in_order():
    family = families.get_noise("uniform")
    plain = list(family.blocks(np.random.default_rng(8), 5, 700, 100))
    fetched = list(samplers.prefetched(family.blocks(np.random.default_rng(8), 5, 700, 100)))
    assert len(plain) == len(fetched) == 7
    assert all(np.array_equal(a, b) for a, b in zip(plain, fetched, strict=True))

    def failing():
        yield np.ones((2, 2))
        raise ValueError("third block is bad")

    seen = []
    with pytest.raises(ValueError, match="third block is bad"):
        for block in samplers.prefetched(failing()):
            seen.append(block)
    assert len(seen) == 1


def test_accumulate_steps_rejects_bad_blocks():
    with pytest.raises(ValueError, match="NaN or infinity"):
        samplers.accumulate_steps([np.full((2, 3), np.inf, dtype=np.float32)], 2, single=True)
    with pytest.raises(ValueError, match="expected 2 x b"):
        samplers.accumulate_steps([np.ones((3, 3))], 2, single=False)


def test_student_t_sampler_needs_finite_variance():
    with pytest.raises(ValueError, match="nu = 2 is not allowed here"):
        samplers.student_t(np.random.default_rng(0), (3,), 2)
    assert families.get_noise("student_t:nu=2").single is False  # float64 numpy sampler


# --- mutation tests: the law checks reject wrong samplers -----------------------------------


def _scaled(draw, factor):
    return lambda rng, size: draw(rng, size) * np.float32(factor)


def _biased_signs(probability):
    def draw(rng, size):
        return np.where(rng.random(size) < probability, 1.0, -1.0).astype(np.float32)

    return draw


def _laplace_biased_sign(rng, size):
    magnitude = rng.standard_exponential(size).astype(np.float32) / np.float32(math.sqrt(2))
    return magnitude * _biased_signs(0.51)(rng, size)


def _student_wrong_exponent(rng, size):
    """The polar construction with exp(E / nu) in place of exp(2 E / nu) (a plausible slip)."""
    nu = 5.0
    radius = np.sqrt(nu * np.expm1(rng.standard_exponential(size) / nu))
    angle = np.cos(rng.random(size) * np.pi)
    return (radius * angle * math.sqrt((nu - 2) / nu)).astype(np.float32)


def _sparse_wrong_scale(rng, size):
    """Nonzeros scaled by 1/density instead of 1/sqrt(density)."""
    values = samplers.sparse_gaussian(rng, size, 0.3)
    return values / np.float32(math.sqrt(0.3))


MUTANTS = {
    "uniform, variance 1.01": (_scaled(_family("uniform"), math.sqrt(1.01)), uniform_law()),
    "laplace, variance 1.01": (_scaled(_family("laplace"), math.sqrt(1.01)), laplace_law()),
    "gaussian, variance 0.99": (_scaled(_family("gaussian"), math.sqrt(0.99)), gaussian_law()),
    "rademacher, P(+1) = 0.505": (_biased_signs(0.505), rademacher_law()),
    "rademacher, values +-1.01": (_scaled(_family("rademacher"), 1.01), rademacher_law()),
    "laplace, P(+) = 0.51": (_laplace_biased_sign, laplace_law()),
    "student_t, wrong exponent": (_student_wrong_exponent, student_law(5.0)),
    "student_t, unscaled": (_scaled(_family("student_t:nu=5"), math.sqrt(5 / 3)), student_law(5)),
    "sparse, 1/density scale": (_sparse_wrong_scale, sparse_law(0.3)),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_law_check_rejects_wrong_samplers(mutant):
    draw, law = MUTANTS[mutant]
    errors = law_discrepancies(draw, law)
    assert max(errors.values()) > Z, errors

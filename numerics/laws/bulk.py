"""The proportional limit n, d -> infinity with n/d = c: the bulk of the walk's spectrum.

Setting. The centred walk X = B G (n points, B = C T^-1, G an n x d standard Gaussian
matrix). The n x n matrix S = X X^T / d = Sigma^(1/2) Z Z^T Sigma^(1/2) / d (in law) is a
sample covariance with population Sigma = B B^T, whose eigenvalues are the walk's
lambda_k = 1/(4 sin^2(pi k / (2 n))), k = 1..n-1, and one 0 (the constant mode). Their
empirical law H_n tends to H = law of 1/(4 sin^2(pi U / 2)), U uniform on (0, 1): at most
one atom of weight 1/n differs, and tau(U) is unbounded (P(tau > x) ~ 1/(pi sqrt x): H has
no mean), which is why the leading eigenvalues are spikes and not part of the bulk.

Law (generalised Marchenko-Pastur, Silverstein's equation). The companion Stieltjes
transform m_(z) of Z^T Sigma Z / d solves, for Im z > 0, the unique solution with
Im m_ > 0 of

    z = -1 / m_ + c * integral tau / (1 + tau m_) dH(tau),

and the Stieltjes transform of S's spectral law is m = (m_ + (1 - c) / z) / c; the
density is Im m(x + i0) / pi. The integral converges although H has no mean, because
tau / (1 + tau m_) -> 1 / m_. :func:`stieltjes` solves it by damped fixed-point iteration
continued down from large Im z, :func:`bulk_cdf` integrates the density.

What holds and what does not: the empirical spectral distribution of S converges weakly
to this law (Silverstein 1995, for any population law; H need not have moments), at the
finite-n rate: its Kolmogorov distance from the law with H_n (the deterministic
equivalent) is O(log n / n) (rigidity of the eigenvalues), which :func:`bulk_check`
measures. The law says nothing about the leading ratios: lambda_k ~ (2 n / (pi k))^2 are
outliers far beyond the bulk, the sample spikes are lambda_k (1 + O(1/d)) and their ratios
still tend to 6 / (pi^2 k^2) with the O(1/d) corrections of the fixed-d expansion; the
eigenvalues below any fixed level x carry a share O(sqrt(x) / n) of the variance, which
vanishes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: Continuation stages in Im z, Newton steps per stage, damping of the fallback step.
STAGES = 25
NEWTON_STEPS = 5
DAMPING = 0.5


def walk_population(n: int) -> np.ndarray:
    """The n eigenvalues of B B^T for the plain walk of n points (lambda_k and the 0)."""
    k = np.arange(1, n)
    return np.concatenate([1 / (4 * np.sin(np.pi * k / (2 * n)) ** 2), [0.0]])


def population_atoms(quantile: Callable[[np.ndarray], np.ndarray], atoms: int) -> np.ndarray:
    """H discretised: the quantile function tau(u) at the midpoints u = (i - 1/2) / atoms."""
    u = (np.arange(atoms) + 0.5) / atoms
    return np.asarray(quantile(u), dtype=float)


def _companion(z: np.ndarray, tau: np.ndarray, c: float) -> np.ndarray:
    """m_(z) for every point of ``z`` (vectorised Newton with continuation in Im z).

    Starts at Im z + 10, where m_ ~ -1/z, and lowers Im z geometrically to its target in
    :data:`STAGES` stages, each with Newton steps on F(m) = -1/m + c mean(tau / (1 + tau m)) - z;
    a step that would leave the upper half-plane is replaced by a damped fixed-point step.
    """
    target = z.imag
    m_ = -1 / (z + 10j)
    for fraction in np.linspace(1.0, 0.0, STAGES):
        point = z.real + 1j * (target + 10 * fraction**3)
        for _ in range(NEWTON_STEPS):
            ratio = tau[None, :] / (1 + tau[None, :] * m_[:, None])
            F = -1 / m_ + c * ratio.mean(axis=1) - point
            dF = 1 / m_**2 - c * (ratio**2).mean(axis=1)
            step = m_ - F / dF
            fixed = DAMPING * (-1 / (point - c * ratio.mean(axis=1))) + (1 - DAMPING) * m_
            m_ = np.where(np.isfinite(step) & (step.imag > 0), step, fixed)
    return m_


def stieltjes(z: np.ndarray, tau: np.ndarray, c: float) -> np.ndarray:
    """m(z) of S's limiting spectral law for population atoms ``tau`` (equal weights), n/d = c.

    m = (m_ + (1 - c) / z) / c with the companion m_ of :func:`_companion` (Im z > 0).
    """
    z = np.atleast_1d(np.asarray(z, dtype=complex))
    return (_companion(z, np.asarray(tau, dtype=float), c) + (1 - c) / z) / c


def bulk_density(x: np.ndarray, tau: np.ndarray, c: float, eta: float = 1e-6) -> np.ndarray:
    """Im m(x + i eta) / pi: the density of S's limiting law at ``x`` (eta -> 0)."""
    return stieltjes(np.asarray(x) + 1j * eta, tau, c).imag / np.pi


def bulk_cdf(x: np.ndarray, tau: np.ndarray, c: float, points: int = 1600) -> np.ndarray:
    """The limiting CDF at the increasing points ``x``, by integrating the density.

    The density is computed at Im z proportional to the local grid spacing (a Poisson
    smoothing that integrates to the exact CDF as the grid is refined); the grid is
    geometric, from 1e-6 to max(x), because for c = 1 the density diverges like x^(-1/2) at 0.
    """
    x = np.asarray(x, dtype=float)
    top = float(x.max())
    grid = np.concatenate([[0.0], np.geomspace(1e-6, top, points)])
    mid = (grid[1:] + grid[:-1]) / 2
    width = np.diff(grid)
    density = stieltjes(mid + 1j * width / 2, tau, c).imag / np.pi
    mass = np.concatenate([[0.0], np.cumsum(density * width)])
    return np.interp(x, grid, mass)


@dataclass(frozen=True)
class BulkCheck:
    """Kolmogorov distance between a simulated spectrum and the predicted CDF."""

    n: int
    d: int
    seed: int
    distance: float  # sup |F_empirical - F_predicted| over the eigenvalues below the cutoff
    tolerance: float  # TOLERANCE_FACTOR log(n) / n
    cutoff: float  # eigenvalues above are spikes (outside the comparison)
    passed: bool


#: The tolerance factor C of the Kolmogorov tolerance C log(n) / n (rigidity scale).
TOLERANCE_FACTOR = 3.0


def simulated_spectrum(n: int, d: int, seed: int) -> np.ndarray:
    """Eigenvalues of X X^T / d for one centred Gaussian walk of n points in d dimensions."""
    rng = np.random.default_rng(seed)
    X = np.cumsum(rng.standard_normal((n, d)), axis=0)
    X -= X.mean(axis=0)
    gram = X @ X.T / d
    return np.sort(np.linalg.eigvalsh(gram))


def bulk_check(
    quantile: Callable[[np.ndarray], np.ndarray],
    n: int = 1000,
    d: int = 1000,
    seed: int = 0,
    cutoff: float = 50.0,
) -> BulkCheck:
    """Compare the simulated spectrum with the law of population quantile ``tau(u)``.

    The population is H discretised with n atoms (its quantile at the midpoints; the walk's
    own atoms differ from these by O(1/n) in the CDF). The distance is taken over the
    eigenvalues below ``cutoff`` (the bulk); the tolerance TOLERANCE_FACTOR log(n) / n is
    the rigidity scale of the eigenvalue counting function (fluctuations O(log n / n)) plus
    the O(1/n) discretisation of H.
    """
    values = simulated_spectrum(n, d, seed)
    bulk = values[values < cutoff]
    tau = population_atoms(quantile, n)
    predicted = bulk_cdf(bulk, tau, n / d)
    empirical_hi = np.arange(1, bulk.size + 1) / values.size
    empirical_lo = np.arange(0, bulk.size) / values.size
    distance = float(
        max(np.max(np.abs(empirical_hi - predicted)), np.max(np.abs(empirical_lo - predicted)))
    )
    tolerance = TOLERANCE_FACTOR * math.log(n) / n
    return BulkCheck(n, d, seed, distance, tolerance, cutoff, distance <= tolerance)

"""Checks of the fixed-d continuum laws: the d = 2 integral and the large-d expansion.

d = 2. With z_j = x_j + i y_j complex Gaussian, rho_1 - rho_2 = |V| / S, V = sum_j lambda_j
z_j^2, S = sum_j lambda_j |z_j|^2, and (catalog ``rw.fixed_d.two``)

    E[rho_1 - rho_2] = int_0^inf dt int_0^inf ds (phi(t, 0) - phi(t, s)) / s^2,
    phi(t, s) = E exp(-t S + i s Re V) = |sqrt(w) / sinh(sqrt(w))|,  w = 2 (t + i s).

Integrating by parts in s (the boundary terms vanish: phi is even in s and bounded) gives
the form evaluated here, free of the cancellation at s -> 0:

    int_0^inf dt int_0^inf ds (-2 phi(t, s) Im h(w) / s),  h = g'/g = coth(sqrt w) / (2 sqrt w) - 1 / (2 w)

(d/ds log phi = -Re(2 i h) = 2 Im h, g(w) = sinh(sqrt w) / sqrt w). mpmath's tanh-sinh
quadrature gives 0.5925099975978547910246 at 25 digits (90 s); :func:`two_dimensional_gap`.

Large d. :func:`expansion_check` compares a stated coefficient with the exact finite-n
second-order coefficients of :func:`rwpca.numerics.walks.finite_d.ratio_perturbation`
(Gaussian steps) at two sizes, extrapolated in n (they converge like n^-2, measured);
:func:`monte_carlo_check` compares a stated E[rho_k](d) with the continuum sampler.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import numpy as np

from rwpca.numerics.laws.fixed_d import continuum_ratios
from rwpca.numerics.walks.finite_d import ratio_perturbation

#: z of the Monte Carlo checks: a false alarm has probability below 1e-5 per comparison.
Z = 4.5


def two_dimensional_gap(dps: int = 15) -> mpmath.mpf:
    """E[rho_1 - rho_2] for d = 2 in the continuum limit, to about ``dps`` digits.

    >>> round(float(two_dimensional_gap(8)), 6)  # doctest: +SKIP
    0.59251
    """
    with mpmath.workdps(dps):

        def integrand(t: mpmath.mpf, s: mpmath.mpf) -> mpmath.mpf:
            w = 2 * (t + 1j * s)
            q = mpmath.sqrt(w)
            h = mpmath.coth(q) / (2 * q) - 1 / (2 * w)
            return -2 * mpmath.im(h) / abs(mpmath.sinh(q) / q) / s

        def inner(t: mpmath.mpf) -> mpmath.mpf:
            return mpmath.quad(lambda s: integrand(t, s), [0, 1, mpmath.inf])

        return +mpmath.quad(inner, [0, 1, mpmath.inf])


@dataclass(frozen=True)
class CoefficientCheck:
    """A stated 1/d coefficient against the exact finite-n coefficients, k = 1..K."""

    sizes: tuple[int, int]
    finite: np.ndarray  # shape (2, K): the exact coefficients at the two sizes
    extrapolated: np.ndarray  # (4 c(2n) - c(n)) / 3: the n^-2 term removed
    stated: np.ndarray
    tolerance: np.ndarray  # |c(2n) - c(n)|: the size of the n^-2 term itself
    passed: bool


def expansion_check(
    stated: Callable[[np.ndarray], np.ndarray],
    which: str = "mean",
    n: int = 100,
    components: int = 3,
) -> CoefficientCheck:
    """Check stated(k) = lim_n of the exact coefficient ("mean": bias0, "variance": var0).

    The exact coefficients at n and 2n (Gaussian steps) converge like n^-2; their
    Richardson extrapolation leaves an error far below |c(2n) - c(n)|, the tolerance.
    """
    if which not in ("mean", "variance"):
        raise ValueError(f"which = {which!r} is not allowed: give 'mean' or 'variance'")
    rows = []
    for size in (n, 2 * n):
        p = ratio_perturbation("plain", size, 1.0)
        rows.append((p.bias0 if which == "mean" else p.var0)[:components])
    finite = np.array(rows)
    extrapolated = (4 * finite[1] - finite[0]) / 3
    k = np.arange(1, components + 1, dtype=float)
    value = np.asarray(stated(k), dtype=float)
    tolerance = np.abs(finite[1] - finite[0])
    passed = bool(np.all(np.abs(extrapolated - value) <= tolerance))
    return CoefficientCheck((n, 2 * n), finite, extrapolated, value, tolerance, passed)


@dataclass(frozen=True)
class MonteCarloCheck:
    """A stated E[rho_k] (or E[rho_1 - rho_2]) against the continuum sampler at one d."""

    d: int
    draws: int
    seed: int
    simulated: np.ndarray
    standard_error: np.ndarray
    stated: np.ndarray
    allowance: np.ndarray  # the neglected higher order, stated by the caller
    passed: bool


def monte_carlo_check(
    stated: np.ndarray,
    d: int,
    draws: int,
    seed: int = 0,
    allowance: np.ndarray | float = 0.0,
    gap: bool = False,
) -> MonteCarloCheck:
    """|simulated - stated| <= Z * standard error + allowance, componentwise.

    ``gap``: compare E[rho_1 - rho_2] (one value) instead of E[rho_k], k = 1..len(stated).
    """
    stated = np.atleast_1d(np.asarray(stated, dtype=float))
    components = 2 if gap else stated.size
    rng_seed = seed
    if gap:
        from rwpca.numerics.laws.fixed_d import _sample, continuum_weights

        w, tail, tail2 = continuum_weights()
        total = float(w.sum()) + tail
        samples = _sample(w / total, d, 2, draws, rng_seed, (tail / total, tail2 / total**2))
        diff = samples[:, 0] - samples[:, 1]
        simulated = np.array([diff.mean()])
        se = np.array([diff.std(ddof=1) / math.sqrt(draws)])
    else:
        r = continuum_ratios(d, components=components, draws=draws, seed=rng_seed)
        simulated, se = r.mean, r.standard_error
    allowance = np.broadcast_to(np.asarray(allowance, dtype=float), stated.shape).copy()
    passed = bool(np.all(np.abs(simulated - stated) <= Z * se + allowance))
    return MonteCarloCheck(d, draws, seed, simulated, se, stated, allowance, passed)

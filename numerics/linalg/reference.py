"""Reference spectra of the exact matrices: dense mpmath ``eigsy`` and float64 estimates.

* :func:`eigenvalues_mpmath` builds K = C T^-1 T^-T C from the exact rational step operator
  in mpmath at ``dps`` digits and diagonalises it with ``mpmath.eigsy``: the reference path a
  user would otherwise run. It is *high precision, not certified* (no error bound is
  attached), and dense, O(n^3) in multiprecision: seconds at n = 80, hours at n = 1000.
* :func:`eigenvalues_float` diagonalises the centred precision Q in float64 (dense LAPACK,
  O(n^3)); the values are estimates that :mod:`rwpca.numerics.certified.sturm` certifies.
* :func:`float_spectrum` gives the same estimates in O(n^2) from the band: LAPACK's banded
  eigensolver (``scipy.linalg.eigvals_banded``) for a banded Q; for OU's rank-one border
  the eigenvalues of Q interlace those of the band B (Q = B - a a^T / s), so each lies in
  a bracket between two eigenvalues of B and is found there by bisection on the sign of
  det(Q - x I) (:func:`rwpca.numerics.linalg.transfer.float_determinant`).

>>> [mp.nstr(x, 12) for x in eigenvalues_mpmath("plain", 4, dps=30)]
['1.70710678119', '0.5', '0.292893218813']
"""

from __future__ import annotations

from collections.abc import Mapping

import mpmath
import numpy as np
import scipy.linalg
from mpmath import mp

from rwpca.numerics.linalg.structure import (
    Structure,
    centred_precision_structure,
    first_column,
    inverse_series,
)
from rwpca.numerics.linalg.transfer import float_determinant, transfer_plan
from rwpca.proofs.validation import check_n

#: Digits allowed for high-precision work: below 3 nothing is checked, above 1000 is unreasonable.
MIN_DPS, MAX_DPS = 3, 1000


def check_dps(dps: object) -> int:
    """Return ``dps`` as an int in [MIN_DPS, MAX_DPS], else raise ValueError.

    >>> check_dps(50)
    50
    >>> check_dps(0)
    Traceback (most recent call last):
    ...
    ValueError: dps = 0 is not allowed: the precision must be an integer number of digits in [3, 1000]
    """
    message = (
        f"dps = {dps!r} is not allowed: the precision must be an integer number of digits "
        f"in [{MIN_DPS}, {MAX_DPS}]"
    )
    if isinstance(dps, bool) or not isinstance(dps, (int, np.integer)):
        raise ValueError(message)
    if not MIN_DPS <= int(dps) <= MAX_DPS:
        raise ValueError(message)
    return int(dps)


def covariance_mpmath(
    process: str, n: int, params: Mapping[str, object] | None = None, dps: int = 30
) -> mpmath.matrix:
    """K = C T^-1 T^-T C as an mpmath matrix at ``dps`` digits (O(n^2) to build)."""
    n = check_n(n)
    dps = check_dps(dps)
    h = inverse_series(first_column(process, params), n)
    with mp.workdps(dps + 10):
        hv = [mp.mpf(x.numerator) / x.denominator for x in h]
        M = mp.matrix(n, n)
        # M = T^-1 T^-T with T^-1 Toeplitz: M[i, j] = M[i-1, j-1] + h_i h_j
        for i in range(n):
            for j in range(i + 1):
                value = hv[i] * hv[j] + (M[i - 1, j - 1] if j >= 1 else 0)
                M[i, j] = M[j, i] = value
        row = [mp.fsum(M[i, j] for j in range(n)) / n for i in range(n)]
        total = mp.fsum(row) / n
        K = mp.matrix(n, n)
        for i in range(n):
            for j in range(n):
                K[i, j] = M[i, j] - row[i] - row[j] + total
    return K


def eigenvalues_mpmath(
    process: str, n: int, params: Mapping[str, object] | None = None, dps: int = 30
) -> list[mpmath.mpf]:
    """The n - 1 nonzero eigenvalues of K, descending, by dense ``mpmath.eigsy`` at dps digits."""
    K = covariance_mpmath(process, n, params, dps)
    with mp.workdps(dps + 10):
        values = mp.eigsy(K, eigvals_only=True)
        ordered = sorted((values[i] for i in range(n)), reverse=True)
    return ordered[:-1]


def precision_float(process: str, n: int, params: Mapping[str, object] | None = None) -> np.ndarray:
    """The centred precision Q = A - a a^T / s as a dense float64 matrix."""
    q = centred_precision_structure(process, n, params)
    Q = np.zeros((n, n))
    for m, band in enumerate(q.bands):
        values = np.array([float(v) for v in band[m:]])
        Q[np.arange(m, n), np.arange(0, n - m)] = values
        if m:
            Q[np.arange(0, n - m), np.arange(m, n)] = values
    if q.border is not None:
        a = np.array([float(v) for v in q.border])
        Q -= np.outer(a, a) / float(q.s)
    return Q


def eigenvalues_float(
    process: str, n: int, params: Mapping[str, object] | None = None
) -> np.ndarray:
    """Estimates of the n - 1 nonzero eigenvalues of K (descending) from float64 eig(Q).

    Absolute accuracy about 1e-16 ||Q|| in mu = 1/lambda, so the leading lambda_k carry a
    relative error of about 1e-16 ||Q|| lambda_k; :mod:`rwpca.numerics.certified.sturm` certifies them.
    """
    mu = np.linalg.eigvalsh(precision_float(process, n, params))
    return 1.0 / mu[1:]


#: Bisection steps, then regula falsi (Illinois) steps, for an eigenvalue in its bracket.
BISECTIONS, FALSE_POSITIONS = 12, 40


def _lower_band(q: Structure) -> np.ndarray:
    """The band of Q (of B for a bordered Q) in LAPACK's lower storage: row m = band m."""
    band = np.zeros((q.bandwidth + 1, q.n))
    for m, values in enumerate(q.bands):
        band[m, : q.n - m] = [float(v) for v in values[m:]]
    return band


def float_spectrum(q: Structure) -> np.ndarray:
    """The n eigenvalues of Q, ascending, in float64 from the band in O(n^2) (estimates).

    Absolute accuracy about 1e-16 ||Q|| for a banded Q; for a bordered Q each root of the
    secular function is resolved to about float64 accuracy. The first value, for the
    constant null vector, is returned as 0.
    """
    values = np.sort(scipy.linalg.eigvals_banded(_lower_band(q), lower=True))
    if q.border is not None:
        values = np.concatenate([[0.0], _secular_roots(q, values)])
    values[0] = 0.0
    return values


def _secular_roots(q: Structure, beta: np.ndarray) -> np.ndarray:
    """mu_2..mu_n of Q = B - a a^T / s from the eigenvalues beta of B (ascending).

    The secular function g(x) = det(Q - x) / det(B - x) = 1 - a^T (B - x)^-1 a / s
    decreases between its poles, from +infinity right of beta_k to -infinity left of
    beta_(k+1), so each bracket [beta_k, beta_(k+1)] holds one root (interlacing) and the
    sign of g orients the search even where the root is within rounding of an end. The
    sign of g is that of the two shooting determinants times a constant, read at x = -1,
    where g > 0 (g(0) = 0 is the constant mode, the only root below beta_1).
    """
    plan_q, plan_b = transfer_plan(q), transfer_plan(q, band_only=True)
    lo, hi = beta[:-1].copy(), beta[1:].copy()
    if plan_q is None or plan_b is None:
        return (lo + hi) / 2

    def g(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return float_determinant(plan_q, x) / float_determinant(plan_b, x)

    orientation = np.sign(g(np.array([-1.0])))[0]
    f_lo = np.full(lo.size, orientation * np.inf)  # g(beta_k+) = +inf
    f_hi = -f_lo
    side = np.zeros(lo.size)  # the end kept last time: -1 lo, +1 hi (Illinois halving)
    active = np.ones(lo.size, dtype=bool)
    for step in range(BISECTIONS + FALSE_POSITIONS):
        with np.errstate(all="ignore"):
            guess = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
        inside = np.isfinite(guess) & (guess > lo) & (guess < hi)
        guess = np.where(inside & (step >= BISECTIONS), guess, (lo + hi) / 2)
        f = np.zeros(lo.size)
        f[active] = g(guess[active])
        right = active & (np.sign(f) == orientation)  # g > 0: the root is right of the guess
        left = active & ~right
        lo, f_lo = np.where(right, guess, lo), np.where(right, f, f_lo)
        hi, f_hi = np.where(left, guess, hi), np.where(left, f, f_hi)
        f_hi = np.where(right & (side == -1), f_hi / 2, f_hi)
        f_lo = np.where(left & (side == 1), f_lo / 2, f_lo)
        side = np.where(right, -1, np.where(left, 1, side))
        active &= (hi - lo > 4e-16 * np.abs(hi)) & (f != 0) & np.isfinite(f)
        if not active.any():
            break
    return (lo + hi) / 2

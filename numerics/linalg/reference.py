"""Reference spectra of the exact matrices: dense mpmath ``eigsy`` and float64 estimates.

* :func:`eigenvalues_mpmath` builds K = C T^-1 T^-T C from the exact rational step operator
  in mpmath at ``dps`` digits and diagonalises it with ``mpmath.eigsy``: the reference path a
  user would otherwise run. It is *high precision, not certified* (no error bound is
  attached), and dense, O(n^3) in multiprecision: seconds at n = 80, hours at n = 1000.
* :func:`eigenvalues_float` diagonalises the centred precision Q in float64 (LAPACK); the
  values are estimates that :mod:`rwpca.numerics.linalg.sturm` turns into rigorous enclosures.

>>> [mp.nstr(x, 12) for x in eigenvalues_mpmath("plain", 4, dps=30)]
['1.70710678119', '0.5', '0.292893218813']
"""

from __future__ import annotations

from collections.abc import Mapping

import mpmath
import numpy as np
from mpmath import mp

from rwpca.numerics.linalg.structure import (
    centred_precision_structure,
    first_column,
    inverse_series,
)
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
    relative error of about 1e-16 ||Q|| lambda_k; :mod:`rwpca.numerics.linalg.sturm` certifies them.
    """
    mu = np.linalg.eigvalsh(precision_float(process, n, params))
    return 1.0 / mu[1:]

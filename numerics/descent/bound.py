"""The rigorous bound on the explained-variance ratios of any gradient-descent trajectory.

For descent on any quadratic f(x) = x^T H x / 2 (any real curvatures, any step), the
uncentred Gram matrix G of n checkpoints is a real positive semidefinite Hankel matrix
(:mod:`rwpca.numerics.descent.trajectory`). Beckermann & Townsend (SIAM J. Matrix Anal. Appl.
38, 2017, Corollary 5.5) bound the singular values of such a matrix:

    lambda_{j+2m}(G) <= 16 R_n^(-2m) lambda_j(G),  R_n = exp(pi^2 / (4 log(8 floor(n/2) / pi))),

for 1 <= j + 2m <= n. The centred matrix K = C G C is G compressed by the rank n - 1
projector C, so Cauchy interlacing gives lambda_{k+1}(G) <= lambda_k(K) <= lambda_k(G).
With j = 2 and m = floor((k - 2) / 2):

    rho_k / rho_1 = lambda_k(K) / lambda_1(K) <= lambda_k(G) / lambda_2(G)
                 <= min(1, 16 R_n^(-2 floor((k-2)/2))),

and rho_k <= rho_k / rho_1 since rho_1 <= 1. The formula is the catalog's
``descent.ratio_bound`` (declared once in :mod:`rwpca.proofs.derive.descent.formulas`).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from rwpca.numerics.descent.trajectory import checked_integer
from rwpca.numerics.formulas import lambdify_by_name
from rwpca.proofs.derive.descent.formulas import HANKEL_LOG_RATE, RATIO_BOUND
from rwpca.proofs.domains import integer_at_least

_N = integer_at_least("n", 3, "number of checkpoints")


@cache
def _bound_function():
    return lambdify_by_name(RATIO_BOUND, ("n", "k"))


@cache
def _rate_function():
    return lambdify_by_name(HANKEL_LOG_RATE, ("n",))


def hankel_rate(n: int) -> float:
    """log R_n = pi^2 / (4 log(8 floor(n/2) / pi)): the bound decays by R_n^-2 every two
    components, a per-component rate of log R_n that falls like 1 / log n.

    >>> round(hankel_rate(200), 6)
    0.445389
    """
    size = checked_integer(_N, n)
    return float(_rate_function()(size))


def _check_k(k: np.ndarray | int, n: int) -> np.ndarray:
    values = np.atleast_1d(np.asarray(k))
    if values.dtype.kind not in "iu" and not (
        values.dtype.kind == "f"
        and np.all(np.isfinite(values))
        and np.all(values == np.round(values))
    ):
        raise ValueError(
            f"k = {k!r} is not allowed: k must be integers with 1 <= k <= n - 1 = {n - 1}"
        )
    values = values.astype(np.int64)
    bad = values[(values < 1) | (values > n - 1)]
    if bad.size:
        raise ValueError(
            f"k = {int(bad[0])} is not allowed at n = {n}: k must be an integer with "
            f"1 <= k <= n - 1 = {n - 1}"
        )
    return values


def descent_ratio_bound(n: int, k: np.ndarray | int) -> np.ndarray:
    """The rigorous upper bound min(1, 16 R_n^(-2 floor((k-2)/2))) on rho_k / rho_1, hence on
    rho_k, of the centred PCA of ANY n-checkpoint gradient-descent trajectory on a quadratic
    (exact at every finite n; see the module docstring for the proof). Returns a float64
    array shaped like ``k``.

    >>> descent_ratio_bound(100, [1, 2, 3, 4, 10]).round(4).tolist()
    [1.0, 1.0, 1.0, 1.0, 0.2725]
    >>> descent_ratio_bound(100, 100)
    Traceback (most recent call last):
    ...
    ValueError: k = 100 is not allowed at n = 100: k must be an integer with 1 <= k <= n - 1 = 99
    """
    size = checked_integer(_N, n)
    ks = _check_k(k, size)
    out = np.asarray(_bound_function()(size, ks), dtype=np.float64)
    out = np.broadcast_to(out, ks.shape).copy()
    return out.reshape(np.shape(k)) if np.ndim(k) else out.reshape(())


__all__ = ["descent_ratio_bound", "hankel_rate"]

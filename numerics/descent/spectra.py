"""High-precision spectra of the centred descent Gram matrix and the measured decay of its ratios.

The explained-variance ratios rho_k = lambda_k(K) / trace K of K = C G C fall below float64
resolution after a handful of components (below 1e-16 by k = 10 at beta = 1, eta = 1,
n = 30), so they are computed here with mpmath at ``dps`` digits: G from its 2n - 1
moments, K = C G C, and ``mpmath.eigsy``. The digits lost to the centring (at most
log10(G_11 / lambda_k) of them) are added to the working precision, so ratios are
resolved down to about 10^-(dps - 10). These values are numerical (not certified);
:mod:`rwpca.numerics.descent.certify` certifies the bound on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import mpmath as mp
import numpy as np

from rwpca.numerics.descent.trajectory import _start, check_descent, curvatures

#: Default digits of the spectra, and the smallest ratio a fit uses at those digits.
DEFAULT_DPS = 60
RESOLVED_MARGIN = 10


def centred_matrix(q: Sequence[object], weights: Sequence[object], n: int) -> mp.matrix:
    """K = C G C at the current mpmath precision, G_{st} = sum_i w_i q_i^(s+t) (s, t = 0..n-1)."""
    power = [mp.mpf(w) for w in weights]
    qs = [mp.mpf(x) for x in q]
    mu = []
    for _ in range(2 * n - 1):
        mu.append(mp.fsum(power))
        power = [p * x for p, x in zip(power, qs, strict=True)]
    row = [mp.fsum(mu[a : a + n]) / n for a in range(n)]
    total = mp.fsum(row) / n
    K = mp.matrix(n, n)
    for a in range(n):
        for b in range(n):
            K[a, b] = mu[a + b] - row[a] - row[b] + total
    return K


def spectrum_of(q: Sequence[object], weights: Sequence[object], n: int, dps: int) -> tuple:
    """The eigenvalues of K = C G C, descending, computed at ``dps`` + 20 digits."""
    with mp.workdps(dps + 20):
        values = mp.eigsy(centred_matrix(q, weights, n), eigvals_only=True)
        return tuple(sorted((mp.mpf(v) for v in values), reverse=True))


def centred_spectrum(
    n: int,
    d: int,
    beta: float,
    eta: float = 1.0,
    seed: int = 0,
    dps: int = DEFAULT_DPS,
    expected: bool = False,
) -> tuple:
    """The eigenvalues lambda_1 >= ... >= lambda_n of the centred Gram matrix of
    ``descent_trajectory(n, d, beta, eta, seed)`` (``expected=True``: of its expectation over
    the start, weights x_{0,i}^2 replaced by 1), as mpmath numbers accurate to about
    10^-dps lambda_1. The curvatures are the float64 values of i^-beta, exactly.

    >>> ev = centred_spectrum(8, 20, beta=1.0)
    >>> float(ev[1] / ev[0]) < 0.2 and abs(ev[-1]) < 1e-40
    True
    """
    size, dim, b, step = check_descent(n, d, beta, eta)
    q = 1.0 - step * curvatures(dim, b)
    x0 = _start(dim, seed)
    weights = np.ones(dim) if expected else x0 * x0
    return spectrum_of(q.tolist(), weights.tolist(), size, dps)


def ratios_of(values: Sequence[object]) -> np.ndarray:
    """rho_k = lambda_k / sum of the values (float64; values below 1e-300 of the sum give 0)."""
    total = mp.fsum(values)
    return np.array([float(v / total) for v in values])


@dataclass(frozen=True)
class DecayFit:
    """The least-squares fit log rho_k = intercept - rate k over ``ks`` (the resolved ratios,
    k >= 2): ``rate`` is the measured decay per component (natural log)."""

    rate: float
    intercept: float
    ks: tuple[int, ...]


def decay_fit(
    ratios: Sequence[float] | np.ndarray, floor: float = 10.0 ** -(DEFAULT_DPS - RESOLVED_MARGIN)
) -> DecayFit:
    """Fit an exponential decay to the ratios rho_2, rho_3, ... above ``floor``.

    >>> import math
    >>> fit = decay_fit([0.5, 0.25 * math.exp(-1), 0.25 * math.exp(-2), 0.25 * math.exp(-3)])
    >>> round(fit.rate, 12), fit.ks
    (1.0, (2, 3, 4))
    """
    ks = [k for k, r in enumerate(ratios, start=1) if k >= 2 and r > floor]
    if len(ks) < 2:
        raise ValueError(
            f"only {len(ks)} ratios above {floor:.1e} beyond the first: a decay needs at least 2"
        )
    y = np.log([ratios[k - 1] for k in ks])
    slope, intercept = np.polyfit(np.array(ks, dtype=float), y, 1)
    return DecayFit(float(-slope), float(intercept), tuple(ks))


__all__ = [
    "DEFAULT_DPS",
    "DecayFit",
    "centred_matrix",
    "centred_spectrum",
    "decay_fit",
    "ratios_of",
    "spectrum_of",
]

"""First-order linear filters of step sequences, on blocks and on Gram matrices.

The dynamics nulls (:mod:`rwpca.numerics.nulls.dynamics`) integrate innovations ``e``
into steps ``s = F e`` by a causal first-order filter started from rest,

    s_t = g s_{t-1} + b0 e_t + b1 e_{t-1}    (t = 0..N-1, s_{-1} = e_{-1} = 0),

a lower-triangular Toeplitz matrix ``F``: momentum is ``(g, b0, b1) = (gamma, 1, 0)``,
the Ornstein-Uhlenbeck steps ``(1 - alpha, 1, -1)``. A replicate's step Gram matrix is
``F A F^T`` with ``A`` the reordered innovation Gram matrix. This module applies ``F``
and ``F^T`` to blocks (the Krylov products of every replicate at once) and gives the
diagonals of ``F A F^T`` that the lag cosines read, without forming it.

**The recurrence at C speed.** ``y_t = x_t + g y_{t-1}`` is ``y_t = g^t sum_{j<=t}
g^-j x_j``: a scaled cumulative sum (one NumPy ``cumsum``, not a Python loop over t).
The scale is kept below ``2^SCALE_BITS`` by restarting every block of steps with the
carried value, so nothing overflows for any |g| < 1 and inputs below ``10^240``. The
rounding error at t is a few units of ``eps sum_j |g|^(t-j) |x_j|``, that of the
recurrence evaluated step by step.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: Largest scale ``|g|^-j`` inside one block of :func:`exponential_cumsum`.
SCALE_BITS = 200


def exponential_cumsum(X: np.ndarray, factor: float, axis: int = 0) -> np.ndarray:
    """Y_t = X_t + factor Y_{t-1} along ``axis`` (Y_0 = X_0), for |factor| <= 1.

    >>> exponential_cumsum(np.ones(4), 0.5).tolist()
    [1.0, 1.5, 1.75, 1.875]
    >>> exponential_cumsum(np.ones(3), -1.0)
    Traceback (most recent call last):
    ...
    ValueError: factor = -1.0 is not allowed: need -1 < factor <= 1
    """
    X = np.asarray(X, dtype=float)
    if not -1.0 < factor <= 1.0:
        raise ValueError(f"factor = {factor} is not allowed: need -1 < factor <= 1")
    if factor == 1.0:
        return np.cumsum(X, axis=axis)
    if factor == 0.0:
        return X.copy()
    moved = np.moveaxis(X, axis, 0)
    N = moved.shape[0]
    block = max(1, min(N, int(SCALE_BITS * math.log(2) / -math.log(abs(factor)))))
    shape = (block,) + (1,) * (moved.ndim - 1)
    powers = np.arange(block, dtype=float)
    down = (factor**powers).reshape(shape)  # g^j
    up = (factor**-powers).reshape(shape)  # g^-j
    out = np.empty_like(moved)
    for start in range(0, N, block):
        m = min(block, N - start)
        part = out[start : start + m]
        np.cumsum(moved[start : start + m] * up[:m], axis=0, out=part)
        part *= down[:m]
        if start:
            part += factor * down[:m] * out[start - 1]
    return np.moveaxis(out, 0, axis)


def symmetric_product(apply: Callable[[np.ndarray], np.ndarray], A: np.ndarray) -> np.ndarray:
    """``F A F^T`` for a linear map F applied along axis 0 and a symmetric A
    (symmetrised against rounding)."""
    half = apply(A)
    out = apply(half.T)
    return (out + out.T) / 2


def _shift(Y: np.ndarray, axis: int) -> np.ndarray:
    """Y delayed by one step along ``axis`` (a zero first)."""
    out = np.zeros_like(Y)
    src = [slice(None)] * Y.ndim
    dst = [slice(None)] * Y.ndim
    src[axis], dst[axis] = slice(None, -1), slice(1, None)
    out[tuple(dst)] = Y[tuple(src)]
    return out


@dataclass(frozen=True)
class FirstOrderFilter:
    """``s_t = g s_{t-1} + b0 e_t + b1 e_{t-1}`` from rest: the N x N lower-triangular
    Toeplitz matrix ``F`` (any N), applied along a time axis."""

    g: float
    b0: float = 1.0
    b1: float = 0.0

    def forward(self, X: np.ndarray, axis: int = 0) -> np.ndarray:
        """``F X`` along ``axis``.

        >>> FirstOrderFilter(0.5, 1.0, -1.0).forward(np.ones(3)).tolist()
        [1.0, 0.5, 0.25]
        """
        Y = exponential_cumsum(X, self.g, axis)
        out = Y if self.b0 == 1.0 else self.b0 * Y
        if self.b1:
            out = out + self.b1 * _shift(Y, axis)
        return out

    def adjoint(self, X: np.ndarray, axis: int = 0) -> np.ndarray:
        """``F^T X`` along ``axis``: F is Toeplitz, so F^T = J F J with J the reversal."""
        return np.flip(self.forward(np.flip(X, axis), axis), axis)

    def matrix(self, N: int) -> np.ndarray:
        """``F`` itself (N x N)."""
        return self.forward(np.eye(N), 0)

    def both_sides(self, A: np.ndarray) -> np.ndarray:
        """``F A F^T`` for a symmetric A (symmetrised against rounding)."""
        return symmetric_product(self.forward, A)

    def lag_products(self, A: np.ndarray, lags: int) -> list[np.ndarray]:
        """The diagonals ``(F A F^T)_{t, t+l}``, l = 0..lags, of a symmetric A, in O(N^2).

        With ``u = S e`` the pure recurrence (``u_t = g u_{t-1} + e_t``) and
        ``c_k(t) = u_t . e_{t+k} = sum_{j <= t} g^(t-j) A_{j, t+k}`` (one weighted column
        sum of A per k), ``|u_t|^2 = g^2 |u_{t-1}|^2 + 2 g c_1(t-1) + A_tt`` and
        ``u_t . u_{t+l} = g^l |u_t|^2 + sum_{k=1}^l g^(l-k) c_k(t)``; then
        ``s_t = b0 u_t + b1 u_{t-1}`` expands each product into four of u's.
        """
        N = A.shape[0]
        top = lags + (1 if self.b1 else 0)  # the u lags the b1 term reaches
        weights = _decay(N, self.g)  # weights[j, t] = g^(t-j) for j <= t
        c = [np.zeros(N)] + [
            np.einsum("jt,jt->t", weights[:, : N - k], A[:, k:]) for k in range(1, top + 1)
        ]
        forcing = np.diagonal(A).copy()
        if top >= 1:
            forcing[1:] += 2 * self.g * c[1][: N - 1]
        norms = exponential_cumsum(forcing, self.g * self.g)

        def u(a: np.ndarray, lag: int) -> np.ndarray:
            """u_a . u_{a+lag} for positions a (0 where a < 0 or a + lag >= N)."""
            out = np.zeros(a.shape)
            ok = (a >= 0) & (a + lag < N)
            idx = a[ok]
            value = self.g**lag * norms[idx]
            for k in range(1, lag + 1):
                value = value + self.g ** (lag - k) * c[k][idx]
            out[ok] = value
            return out

        found = []
        for lag in range(lags + 1):
            t = np.arange(N - lag)
            value = self.b0**2 * u(t, lag)
            if self.b1:
                # u_t . u_{t+l-1} (l = 0: u_{t-1} . u_t), u_{t-1} . u_{t+l}, u_{t-1} . u_{t+l-1}
                earlier = u(t, lag - 1) if lag else u(t - 1, 1)
                value += self.b0 * self.b1 * (earlier + u(t - 1, lag + 1))
                value += self.b1**2 * u(t - 1, lag)
            found.append(value)
        return found


@functools.lru_cache(maxsize=2)
def _decay(N: int, g: float) -> np.ndarray:
    """``W[j, t] = g^(t - j)`` for j <= t, else 0 (N x N, read-only: kept for the next
    replicate of the same null)."""
    lag = np.arange(N)[None, :] - np.arange(N)[:, None]
    out = np.where(lag >= 0, float(g) ** np.maximum(lag, 0), 0.0)
    out.flags.writeable = False
    return out


__all__ = ["SCALE_BITS", "FirstOrderFilter", "exponential_cumsum", "symmetric_product"]

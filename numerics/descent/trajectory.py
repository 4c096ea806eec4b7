"""The descent trajectory and its Gram matrix, computed from the geometric coordinates.

Gradient descent with step ``eta`` on f(x) = sum_i h_i x_i^2 / 2 multiplies coordinate i by
q_i = 1 - eta h_i at every step, so checkpoint t (t = 0..n-1) is x_t = diag(q)^t x_0 and

    G_{st} = <x_s, x_t> = sum_i x_{0,i}^2 q_i^(s+t),

a Hankel matrix: it depends on s + t only, through the 2n - 1 moments
mu_r = sum_i x_{0,i}^2 q_i^r, r = 0..2n-2, of the measure sum_i x_{0,i}^2 delta_{q_i}.
:func:`descent_gram` computes those moments in O(n d) time and O(d) extra memory and fills
the n x n matrix from them, never forming the n x d trajectory.

Both functions draw the start x_0 ~ N(0, I_d) from ``numpy.random.default_rng(seed)`` in the
same way, so ``descent_trajectory(...) @ descent_trajectory(...).T`` and ``descent_gram(...)``
agree up to rounding for the same arguments.
"""

from __future__ import annotations

import numpy as np

from rwpca.numerics.resources import require_memory
from rwpca.proofs.domains import BETA, ETA, Domain, integer_at_least

_N = integer_at_least("n", 3, "number of checkpoints")
_D = integer_at_least("d", 1, "dimension")


def checked_integer(domain: Domain, value: object) -> int:
    """``value`` checked against an integer domain, as an int."""
    checked = domain.check(value)
    assert isinstance(checked, int)
    return checked


def check_descent(n: object, d: object, beta: float, eta: float) -> tuple[int, int, float, float]:
    """(n, d, beta, eta) checked: n >= 3, d >= 1 integers, beta > 0, 0 < eta < 2.

    >>> check_descent(10, 4, 1, 0.5)
    (10, 4, 1.0, 0.5)
    >>> check_descent(10, 4, 1, 2)
    Traceback (most recent call last):
    ...
    ValueError: eta = 2 is not allowed: the step size must satisfy 0 < eta < 2
    """
    size = checked_integer(_N, n)
    dim = checked_integer(_D, d)
    BETA.check(beta)
    ETA.check(eta)
    return size, dim, float(beta), float(eta)


def curvatures(d: int, beta: float) -> np.ndarray:
    """The curvatures h_i = i^-beta, i = 1..d (float64; h_1 = 1 is the largest).

    >>> curvatures(3, 1.0).tolist()
    [1.0, 0.5, 0.3333333333333333]
    """
    dim = checked_integer(_D, d)
    BETA.check(beta)
    return np.arange(1, dim + 1, dtype=np.float64) ** (-float(beta))


def contractions(d: int, beta: float, eta: float) -> np.ndarray:
    """The per-step factors q_i = 1 - eta h_i (in (-1, 1) for 0 < eta < 2).

    >>> contractions(2, 1.0, 1.0).tolist()
    [0.0, 0.5]
    """
    ETA.check(eta)
    return 1.0 - float(eta) * curvatures(d, beta)


def _start(d: int, seed: int) -> np.ndarray:
    """x_0 ~ N(0, I_d): the one draw both functions share."""
    return np.random.default_rng(seed).standard_normal(d)


def peak_bytes(n: int, d: int, gram: bool = False) -> int:
    """Memory the computation needs, in bytes: the n x d trajectory (float64 work array plus
    its cast), or for the Gram matrix the n x n result, the moments and two length-d vectors.

    >>> peak_bytes(100, 1000)
    1600000
    >>> peak_bytes(100, 1000, gram=True)
    105592
    """
    if gram:
        return 8 * (n * n + 2 * n - 1 + 3 * d)
    return 16 * n * d


def descent_trajectory(
    n: int, d: int, beta: float, eta: float = 1.0, seed: int = 0, dtype=np.float64
) -> np.ndarray:
    """The checkpoints x_0..x_{n-1} of gradient descent on sum_i i^-beta x_i^2 / 2, as an
    (n, d) array of ``dtype``, from x_0 ~ N(0, I_d) drawn with ``seed``.

    Exact up to float64 rounding of the powers q_i^t (computed by repeated multiplication,
    relative error at most t ulp per entry), then cast to ``dtype``.

    >>> descent_trajectory(3, 2, beta=1.0, eta=1.0, seed=0)[:, 0].tolist() == [
    ...     descent_trajectory(3, 2, beta=1.0, seed=0)[0, 0], 0.0, 0.0]
    True
    """
    size, dim, b, step = check_descent(n, d, beta, eta)
    require_memory(peak_bytes(size, dim), f"a descent trajectory of n = {size}, d = {dim}")
    q = 1.0 - step * curvatures(dim, b)
    out = np.empty((size, dim), dtype=np.float64)
    out[0] = _start(dim, seed)
    for row in range(1, size):
        np.multiply(out[row - 1], q, out=out[row])
    return out.astype(dtype, copy=False)


def moments(weights: np.ndarray, q: np.ndarray, count: int) -> np.ndarray:
    """mu_r = sum_i weights_i q_i^r for r = 0..count-1 (float64, O(count d) time)."""
    power = np.array(weights, dtype=np.float64)
    out = np.empty(count, dtype=np.float64)
    for r in range(count):
        out[r] = power.sum()
        power *= q
    return out


def hankel(mu: np.ndarray, n: int) -> np.ndarray:
    """The n x n Hankel matrix H_{st} = mu_{s+t} (s, t = 0..n-1) of 2n - 1 moments."""
    index = np.arange(n)
    return mu[index[:, None] + index[None, :]]


def descent_gram(n: int, d: int, beta: float, eta: float = 1.0, seed: int = 0) -> np.ndarray:
    """The n x n uncentred Gram matrix G_{st} = <x_s, x_t> of :func:`descent_trajectory`
    (same arguments, same start), from the 2n - 1 moments of sum_i x_{0,i}^2 delta_{q_i}:
    O(n d + n^2) time, O(n^2 + d) memory, float64.

    Each moment is a sum of d terms of magnitude at most x_{0,i}^2, so its absolute error is
    at most about (d + r) ulp times sum_i x_{0,i}^2 = G_{00}.

    >>> G = descent_gram(4, 10, beta=2.0, eta=0.5, seed=3)
    >>> bool(G[0, 3] == G[1, 2] == G[2, 1])
    True
    """
    size, dim, b, step = check_descent(n, d, beta, eta)
    require_memory(peak_bytes(size, dim, gram=True), f"a descent Gram matrix of n = {size}")
    x0 = _start(dim, seed)
    mu = moments(x0 * x0, 1.0 - step * curvatures(dim, b), 2 * size - 1)
    return hankel(mu, size)


__all__ = [
    "check_descent",
    "checked_integer",
    "contractions",
    "curvatures",
    "descent_gram",
    "descent_trajectory",
    "hankel",
    "moments",
    "peak_bytes",
]

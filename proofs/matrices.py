"""Exact SymPy builders for the matrices of the paper, at a concrete size n.

Every builder takes a concrete integer ``n >= 2`` and exact (rational) or symbolic
parameters and returns a :class:`sympy.Matrix`. Rows and columns are indexed by time
t = 1..n. The trajectory X (n x d) of a process with step operator T obeys T X = R,
R the n x d matrix of noise increments, so with R R^T = I (the d >> n limit) the
centred trajectory covariance is K = C T^-1 T^-T C.

>>> difference_matrix(3)
Matrix([
[ 1,  0, 0],
[-1,  1, 0],
[ 0, -1, 1]])
>>> centred_covariance(difference_matrix(3))
Matrix([
[ 5/9, -1/9, -4/9],
[-1/9,  2/9, -1/9],
[-4/9, -1/9,  5/9]])
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from rwpca.proofs.validation import check_alpha, check_gamma, check_n


def difference_matrix(n: int) -> sp.Matrix:
    """S: the first difference with x_0 = 0, (S x)_t = x_t - x_{t-1}."""
    n = check_n(n)
    return sp.Matrix(n, n, lambda i, c: 1 if i == c else (-1 if i == c + 1 else 0))


def cumulative_sum_matrix(n: int) -> sp.Matrix:
    """S^-1: the cumulative sum, lower triangular with ones, (S^-1 r)_t = r_1 + ... + r_t."""
    n = check_n(n)
    return sp.Matrix(n, n, lambda i, c: 1 if i >= c else 0)


def centering_matrix(n: int) -> sp.Matrix:
    """C = I - 1 1^T / n, the projector that subtracts the time average."""
    n = check_n(n)
    return sp.eye(n) - sp.ones(n, n) / n


def velocity_operator(n: int, gamma: object) -> sp.Matrix:
    """M with M v = xi for the velocity recursion v_t = gamma v_{t-1} + xi_t, v_0 = 0."""
    n = check_n(n)
    gamma = check_gamma(gamma)
    return sp.Matrix(n, n, lambda i, c: 1 if i == c else (-gamma if i == c + 1 else 0))


def momentum_operator(n: int, gamma: object) -> sp.Matrix:
    """T = M S for the walk with momentum: v_t = gamma v_{t-1} + xi_t, x_t = x_{t-1} + v_t.

    From S x = v and M v = xi follows M S x = xi (x_0 = v_0 = 0).
    """
    return velocity_operator(n, gamma) * difference_matrix(n)


def ou_operator(n: int, alpha: object) -> sp.Matrix:
    """T for the Ornstein-Uhlenbeck walk x_t = (1 - alpha) x_{t-1} + xi_t, x_0 = 0."""
    n = check_n(n)
    alpha = check_alpha(alpha)
    return sp.Matrix(n, n, lambda i, c: 1 if i == c else (-(1 - alpha) if i == c + 1 else 0))


def circulant(first_column: Sequence[object]) -> sp.Matrix:
    """The circulant matrix with the given first column: C[i, c] = col[(i - c) mod N]."""
    column = [sp.sympify(value) for value in first_column]
    size = len(column)
    if size < 1:
        raise ValueError("first_column = [] is not allowed: a circulant needs at least one entry")
    return sp.Matrix(size, size, lambda i, c: column[(i - c) % size])


def lower_triangular_inverse(T: sp.Matrix) -> sp.Matrix:
    """Exact inverse of a lower-triangular matrix with nonzero diagonal.

    For a unit diagonal (every step operator here) T = I - N with N strictly lower
    triangular, hence nilpotent, and T^-1 = I + N + ... + N^(n-1) exactly: polynomial
    arithmetic only, much faster than a symbolic LU solve.
    """
    if not T.is_lower:
        raise ValueError("the step operator must be lower triangular (a causal process)")
    size = T.shape[0]
    if any(T[i, i] != 1 for i in range(size)):
        return T.inv(method="LU")
    N = sp.eye(size) - T
    total, power = sp.eye(size), sp.eye(size)
    for _ in range(size - 1):
        power = (power * N).applyfunc(sp.expand)
        total += power
    return total


def centred_covariance(T: sp.Matrix) -> sp.Matrix:
    """K = C T^-1 T^-T C, the covariance of the centred trajectory when R R^T = I."""
    size = T.shape[0]
    Tinv = lower_triangular_inverse(T)
    C = centering_matrix(size)
    # entries are rational functions of the parameters: cancel() is canonical and fast
    return (C * Tinv * Tinv.T * C).applyfunc(sp.cancel)


def precision_matrix(T: sp.Matrix) -> sp.Matrix:
    """A = T^T T, the inverse of the uncentred covariance T^-1 T^-T."""
    return (T.T * T).applyfunc(sp.expand)


def centred_precision(T: sp.Matrix) -> sp.Matrix:
    """Q = A - A 1 1^T A / (1^T A 1) with A = T^T T.

    Q annihilates the constant vector and is the Moore-Penrose pseudo-inverse of the
    centred covariance K (see :func:`rwpca.proofs.derive.eigenvalues.pseudo_inverse_identity`), so the
    nonzero eigenvalues of K are the reciprocals of those of Q.
    """
    A = precision_matrix(T)
    one = sp.ones(T.shape[0], 1)
    a1 = A * one
    return (A - a1 * a1.T / (one.T * A * one)[0, 0]).applyfunc(sp.cancel)

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

from rwpca.proofs.validation import check_gamma, check_n
from rwpca.proofs.values import exact_expression


def _process(name: str):
    # processes builds its step operators with lower_toeplitz below: import it when called
    from rwpca.proofs.processes import get_process

    return get_process(name)


def lower_toeplitz(column: Sequence[object], n: int) -> sp.Matrix:
    """The n x n lower-triangular Toeplitz matrix with first column (c_0, c_1, ..., 0, ...).

    Entries are exact SymPy numbers or symbolic expressions (never parsed from strings).

    >>> lower_toeplitz([1, -1], 3) == difference_matrix(3)
    True
    """
    n = check_n(n)
    c = [exact_expression(value, "first_column entry") for value in column]
    return sp.Matrix(n, n, lambda i, j: c[i - j] if 0 <= i - j < len(c) else 0)


def difference_matrix(n: int) -> sp.Matrix:
    """S: the first difference with x_0 = 0, (S x)_t = x_t - x_{t-1} (the plain step operator)."""
    return _process("plain").step_operator(n)


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
    value = exact_expression(check_gamma(gamma), "gamma")
    return lower_toeplitz([1, -value], n)


def momentum_operator(n: int, gamma: object) -> sp.Matrix:
    """T for the walk with momentum: v_t = gamma v_{t-1} + xi_t, x_t = x_{t-1} + v_t.

    From S x = v and M v = xi follows T = M S (x_0 = v_0 = 0); the first column of that
    product is declared by the process (:mod:`rwpca.proofs.processes`).
    """
    return _process("momentum").step_operator(n, {"gamma": gamma})


def ou_operator(n: int, alpha: object) -> sp.Matrix:
    """T for the Ornstein-Uhlenbeck walk x_t = (1 - alpha) x_{t-1} + xi_t, x_0 = 0."""
    return _process("ou").step_operator(n, {"alpha": alpha})


def circulant(first_column: Sequence[object]) -> sp.Matrix:
    """The circulant matrix with the given first column: C[i, c] = col[(i - c) mod N]."""
    if isinstance(first_column, (str, bytes)) or not isinstance(first_column, Sequence):
        raise ValueError(
            f"first_column = {first_column!r} is not allowed: give a list of numbers or "
            "SymPy expressions"
        )
    column = [exact_expression(value, "first_column entry") for value in first_column]
    size = len(column)
    if size < 1:
        raise ValueError("first_column = [] is not allowed: a circulant needs at least one entry")
    return sp.Matrix(size, size, lambda i, c: column[(i - c) % size])


def as_square_matrix(T: object) -> sp.Matrix:
    """``T`` if it is a square SymPy matrix; a one-line ValueError otherwise."""
    if not isinstance(T, sp.MatrixBase) or T.rows != T.cols:
        raise ValueError(f"the step operator must be a square SymPy Matrix, not {type(T).__name__}")
    return T


def lower_triangular_inverse(T: sp.Matrix) -> sp.Matrix:
    """Exact inverse of a lower-triangular matrix with nonzero diagonal.

    For a unit diagonal (every step operator here) T = I - N with N strictly lower
    triangular, hence nilpotent, and T^-1 = I + N + ... + N^(n-1) exactly: polynomial
    arithmetic only, much faster than a symbolic LU solve.
    """
    T = as_square_matrix(T)
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
    size = as_square_matrix(T).shape[0]
    Tinv = lower_triangular_inverse(T)
    C = centering_matrix(size)
    if all(entry.is_polynomial() for entry in Tinv):
        # a unit-diagonal T has a polynomial inverse, so K is polynomial in the parameters
        # and expanding each product is canonical, about ten times faster than cancel()
        return (C * (Tinv * Tinv.T).applyfunc(sp.expand) * C).applyfunc(sp.expand)
    # otherwise the entries are rational functions: cancel() is canonical
    return (C * Tinv * Tinv.T * C).applyfunc(sp.cancel)


def precision_matrix(T: sp.Matrix) -> sp.Matrix:
    """A = T^T T, the inverse of the uncentred covariance T^-1 T^-T."""
    T = as_square_matrix(T)
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

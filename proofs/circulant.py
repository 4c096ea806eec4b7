"""Circulant machinery: the symbol of a Toeplitz step operator, periodic and mirror circulants.

For a causal Toeplitz step operator T (first column c_0, c_1, ..., c_b, 0, ...), the lag
polynomial is p(z) = sum_m c_m z^m and the precision matrix T^T T has the symmetric symbol

    f(theta) = |p(e^{i theta})|^2 = a_0 + 2 sum_{m >= 1} a_m cos(m theta),

with a_m the coefficients of the Laurent polynomial p(z) p(1/z). A circulant of size N
built from the same coefficients has eigenvalues f(2 pi j / N). Two sizes matter:

* N = n (the periodic walk, x_0 = x_n): frequencies 2 pi k / n, every value twice;
* N = 2n (the even, mirror extension of an open walk): frequencies pi k / n whose
  mirror-symmetric eigenvectors are the DCT-II cosines cos(pi k (t - 1/2) / n).

Everything here is computed from the matrices themselves; nothing is typed in.
"""

from __future__ import annotations

import sympy as sp

from rwpca.proofs.derivation import as_expression
from rwpca.proofs.matrices import as_square_matrix, circulant
from rwpca.proofs.symbols import theta, z
from rwpca.proofs.validation import check_n


def is_lower_toeplitz(T: sp.Matrix) -> bool:
    """True when every entry T[i, c] equals T[i - c, 0] below the diagonal and 0 above it."""
    T = as_square_matrix(T)
    size = T.shape[0]
    return all(
        sp.expand(T[i, c] - (T[i - c, 0] if i >= c else 0)) == 0
        for i in range(size)
        for c in range(size)
    )


def toeplitz_first_column(T: sp.Matrix) -> list[sp.Basic]:
    """The first column of a lower-triangular Toeplitz matrix, trailing zeros removed.

    Raises ValueError if T is not lower-triangular Toeplitz.
    """
    if not is_lower_toeplitz(T):
        raise ValueError("the step operator is not lower-triangular Toeplitz")
    column = [sp.expand(T[i, 0]) for i in range(T.shape[0])]
    while len(column) > 1 and column[-1] == 0:
        column.pop()
    return column


def lag_polynomial(T: sp.Matrix) -> sp.Expr:
    """p(z) = sum_m c_m z^m read off the first column of the Toeplitz step operator T."""
    return sp.expand(sum(c * z**m for m, c in enumerate(toeplitz_first_column(T))))


def laurent_coefficients(p: sp.Expr) -> list[sp.Expr]:
    """a_0, ..., a_b: the coefficients of z^m in p(z) p(1/z), checked to be symmetric."""
    p = as_expression(p)
    degree = int(sp.degree(p, z))
    shifted = sp.Poly(sp.expand(p * p.subs(z, 1 / z) * z**degree), z)
    # shifted = sum_m a_m z^(m + degree) for m = -degree..degree; all_coeffs is highest first
    coeffs = [sp.factor(c) for c in reversed(shifted.all_coeffs())]
    coeffs += [sp.Integer(0)] * (2 * degree + 1 - len(coeffs))
    for m in range(1, degree + 1):
        if sp.expand(coeffs[degree + m] - coeffs[degree - m]) != 0:
            raise ValueError("p(z) p(1/z) is not symmetric")
    return coeffs[degree:]


def symbol_from_coefficients(a: list[sp.Expr], angle: sp.Expr = theta) -> sp.Expr:
    """f(angle) = a_0 + 2 sum_m a_m cos(m angle)."""
    a, angle = [as_expression(c) for c in a], as_expression(angle)
    return a[0] + 2 * sum(a[m] * sp.cos(m * angle) for m in range(1, len(a)))


def symbol_direct(p: sp.Expr, angle: sp.Expr = theta) -> sp.Expr:
    """|p(e^{i angle})|^2 computed directly from complex exponentials, rewritten in cosines."""
    p, angle = as_expression(p), as_expression(angle)
    value = sp.expand(p.subs(z, sp.exp(sp.I * angle)) * p.subs(z, sp.exp(-sp.I * angle)))
    return sp.expand(value.rewrite(sp.cos))


def circulant_from_coefficients(a: list[sp.Expr], size: int) -> sp.Matrix:
    """The symmetric circulant of the given size with first column (a_0, a_1, .., a_b, 0, .., a_b, .., a_1)."""
    a = [as_expression(c) for c in a]
    bandwidth = len(a) - 1
    if size < 2 * bandwidth + 1:
        raise ValueError(f"size = {size} is too small for a symbol of bandwidth {bandwidth}")
    column = [sp.Integer(0)] * size
    column[0] = a[0]
    for m in range(1, bandwidth + 1):
        column[m] = a[m]
        column[size - m] = a[m]
    return circulant(column)


def causal_circulant(T: sp.Matrix, size: int) -> sp.Matrix:
    """The periodic version of the step operator: the circulant whose first column is T's."""
    column = toeplitz_first_column(T)
    if size < len(column):
        raise ValueError(
            f"size = {size} is too small for a step operator of bandwidth {len(column) - 1}"
        )
    return circulant(column + [sp.Integer(0)] * (size - len(column)))


def fourier_vector(size: int, frequency: int) -> sp.Matrix:
    """(omega^{f t})_{t=0..N-1} with omega = exp(2 pi i / N)."""
    size, frequency = check_n(size, minimum=1, name="size"), as_expression(frequency)
    return sp.Matrix([sp.exp(2 * sp.pi * sp.I * frequency * s / size) for s in range(size)])


def even_extension(n: int) -> sp.Matrix:
    """E (2n x n): E x = (x_1, ..., x_n, x_n, ..., x_1), the mirror (even) extension."""
    return sp.Matrix(2 * n, n, lambda r, c: 1 if (r == c or r == 2 * n - 1 - c) else 0)


def mirror_restriction(a: list[sp.Expr], n: int) -> sp.Matrix:
    """The n x n operator that a 2n-circulant induces on mirror-symmetric vectors.

    For x in R^n, M_{2n} E x is again mirror symmetric, equal to E (Q_mirror x); this returns
    Q_mirror, the first n rows of M_{2n} E.
    """
    big = circulant_from_coefficients(a, 2 * n)
    return (big * even_extension(n))[:n, :]


def dct_vector(n: int, frequency: sp.Expr) -> sp.Matrix:
    """(cos(pi f (t - 1/2) / n))_{t=1..n}, the DCT-II cosine of the given frequency."""
    n, frequency = check_n(n, minimum=1), as_expression(frequency)
    return sp.Matrix(
        [sp.cos(sp.pi * frequency * (sp.Rational(2 * s - 1, 2)) / n) for s in range(1, n + 1)]
    )

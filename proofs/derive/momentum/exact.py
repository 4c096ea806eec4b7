"""The exact finite-n spectrum of the walk with momentum: a secular equation, and its error law.

The paper's momentum formula 1/f(pi k / n), f the symbol |(1 - z)(1 - gamma z)|^2 at
z = e^{i theta}, is a mirror-circulant approximation. Here the exact eigenvalues of
K = C T^-1 T^-T C are characterised at every n >= 2 and 0 < |gamma| < 1: lambda = 1/f(theta)
with theta running over the roots of an explicit function F_n(theta) in (0, theta_max).

The derivation (:func:`~rwpca.proofs.derive.momentum.steps.derive_momentum_secular`)
solves Q x = mu x, Q = A - a a^T / s the centred precision, A = T^T T pentadiagonal, through the *extended sequence*: x is continued
to all integers t by the interior recurrence, whose characteristic polynomial in
s = z + 1/z factors as gamma (s - 2 c_1)(s - 2 c_2) with c_1 = cos(theta) and the partner
c_2 = (1 + gamma)^2 / (2 gamma) - cos(theta) (the four roots z, 1/z, w, 1/w of the brief,
z + 1/z = 2 c_1, w + 1/w = 2 c_2). Two Chebyshev pairs T_t(c_i), U_{t-1}(c_i) span the
solutions (no square roots, no branch of w: valid for |c_2| > 1 and |c_2| <= 1 alike); the
first two rows, the last two rows and the rank-one centring become four linear conditions,
and their determinant is 8 (c_1 - 1)(c_2 - 1) F, with F a polynomial in c_1, c_2, gamma and
the four values T_n(c_i), U_{n-1}(c_i). Every identity is checked by SymPy for symbolic n
(T_n and U_{n-1} enter as symbols, related by the Pell identity); only the statement that
the matrix rows are the ones used is checked entrywise at n = 2..9.

:func:`rwpca.proofs.derive.momentum.error.derive_momentum_error_law` expands the secular equation at fixed k: the paper's
formula underestimates lambda_k by the relative amount c(gamma) k^2 / n^3.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from rwpca.proofs.derive.eigenvalues import process_symbol
from rwpca.proofs.derive.momentum import chebyshev
from rwpca.proofs.symbols import gamma, n, theta

#: Chebyshev coordinates: c_i and the values T_i = T_n(c_i), U_i = U_{n-1}(c_i).
C1, C2 = sp.symbols("c_1 c_2")
T1, U1, T2, U2 = sp.symbols("T_1 U_1 T_2 U_2")
#: The names, in order, that :data:`SECULAR_POLYNOMIAL` uses (for the numeric layer).
COORDINATES = ("gamma", "c_1", "c_2", "T_1", "U_1", "T_2", "U_2")

#: f(theta) = |p(e^{i theta})|^2, read off the step operator (one declaration, in eigenvalues).
SYMBOL = process_symbol("momentum").f
#: The partner cosine c_2(theta): the other root pair of p(z) p(1/z) = f(theta).
PARTNER = ((1 + gamma) ** 2 - 2 * gamma * sp.cos(theta)) / (2 * gamma)
#: The momentum coefficient below which f is not monotone on (0, pi): 2 sqrt 2 - 3.
GAMMA_MONOTONE = 2 * sp.sqrt(2) - 3
#: theta*, where c_1 = c_2 and f is largest, for gamma < GAMMA_MONOTONE (else theta_max = pi).
BAND_EDGE = sp.acos((1 + gamma) ** 2 / (4 * gamma))


def filter_symbol(c, g=gamma):
    """|1 - gamma w|^2 for w + 1/w = 2 c: the velocity filter's symbol."""
    return 1 + g**2 - 2 * g * c


def secular_polynomial(g, c1, c2, t1, u1, t2, u2):
    """F in Chebyshev coordinates, for any ring elements (SymPy expressions, field elements)."""
    return (
        filter_symbol(c1, g) * filter_symbol(c2, g) * (1 - t1 * t2 + (c1 * c2 - 1) * u1 * u2)
        + (c1 - c2) * (filter_symbol(c2, g) * t1 * u2 - filter_symbol(c1, g) * u1 * t2)
        + (1 - g**2) * (c1 - c2) ** 2 * u1 * u2
    )


#: F in Chebyshev coordinates (the closed form; checked against the determinant).
SECULAR_POLYNOMIAL = secular_polynomial(gamma, C1, C2, T1, U1, T2, U2)

#: F_n(theta): the coordinates at c_1 = cos(theta), c_2 = PARTNER (the catalog statement).
SECULAR_FUNCTION = SECULAR_POLYNOMIAL.xreplace(
    {
        T1: sp.cos(n * theta),
        U1: sp.sin(n * theta) / sp.sin(theta),
        T2: sp.chebyshevt(n, PARTNER),
        U2: sp.chebyshevu(n - 1, PARTNER),
    }
).xreplace({C1: sp.cos(theta), C2: PARTNER})


def noise_term(x, t: int) -> sp.Expr:
    """xi_t = x_t - (1 + gamma) x_{t-1} + gamma x_{t-2}: the noise of the extended sequence."""
    return x(t) - (1 + gamma) * x(t - 1) + gamma * x(t - 2)


#: The four boundary conditions, as linear forms of a sequence (small-t and end values).
CONDITIONS = (
    ("x_0 - x_{-1}", lambda small, end: small(0) - small(-1)),
    (
        "\\xi_1 - \\gamma\\,\\xi_2",
        lambda small, end: noise_term(small, 1) - gamma * noise_term(small, 2),
    ),
    ("\\xi_{n+1}", lambda small, end: noise_term(end, 1)),
    ("\\xi_{n+2}", lambda small, end: noise_term(end, 2)),
)


@cache
def boundary_matrix() -> sp.Matrix:
    """M: rows the four conditions, columns T_t(c_1), U_{t-1}(c_1), T_t(c_2), U_{t-1}(c_2)."""
    columns = [*chebyshev.pair(C1, T1, U1), *chebyshev.pair(C2, T2, U2)]
    return sp.Matrix(
        [[sp.expand(rule(small, end)) for small, end in columns] for _name, rule in CONDITIONS]
    )


_GENS = (T1, T2, U1, U2, C1, C2, gamma)
#: The Pell identities T_i^2 = 1 + (c_i^2 - 1) U_i^2; their leading terms T_1^2, T_2^2 are
#: coprime, so they are a Groebner basis (lex, T first) and the remainder is a normal form.
_PELL = (T1**2 - 1 - (C1**2 - 1) * U1**2, T2**2 - 1 - (C2**2 - 1) * U2**2)


def polynomial_zero(expr: sp.Expr) -> bool:
    """A polynomial identity: the expanded form is canonical, so it is 0 exactly when true."""
    return sp.expand(expr) == 0


def reduce_pell(expr: sp.Expr) -> sp.Expr:
    """The normal form of a polynomial modulo the Pell identities of both Chebyshev pairs."""
    _quotients, remainder = sp.reduced(sp.expand(expr), list(_PELL), *_GENS, order="lex")
    return sp.expand(remainder)


@cache
def boundary_determinant() -> sp.Expr:
    """det M (exact, over the polynomial ring in the coordinates), modulo the Pell identities."""
    from sympy.polys.matrices import DomainMatrix

    ring = sp.QQ[_GENS]
    determinant = DomainMatrix.from_Matrix(boundary_matrix()).convert_to(ring).det()
    return reduce_pell(ring.to_sympy(determinant))

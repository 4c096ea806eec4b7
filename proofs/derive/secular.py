"""The exact finite-n spectrum of the Ornstein-Uhlenbeck walk: a secular equation.

The paper's OU formula is a circulant approximation; neither circulant form is the exact
spectrum of the open walk (x_0 = 0). Here the exact eigenvalues are characterised for
every n: lambda = 1 / f(theta) with f(theta) = 1 + beta^2 - 2 beta cos(theta), beta = 1 - alpha,
where theta runs over the n - 1 roots in (0, pi) of an explicit trigonometric equation
D_n(theta) = 0. The derivation solves Q x = mu x for the centred precision
Q = A - a a^T / s, A = T^T T (tridiagonal), a = A 1 = alpha^2 1 + beta e_1 + alpha beta e_n,
s = 1^T a, by a cosine-sine ansatz plus a constant (the rank-one centring acts like a
constant source), and reduces the boundary rows and the centring to a 3 x 3 determinant.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from rwpca.proofs.derivation import Comparison, Derivation, Kind, Step, is_zero, takes_printed_form
from rwpca.proofs.symbols import alpha, n, t, theta

_u, _v, _c = sp.symbols("u v c")
_h = sp.Symbol("h", positive=True)  # theta / 2
_C, _S = sp.symbols("C S")  # cos(n theta), sin(n theta)
beta = 1 - alpha
#: f(theta), the OU symbol |1 - beta e^{i theta}|^2.
SYMBOL = 1 + beta**2 - 2 * beta * sp.cos(theta)


def ansatz(position: sp.Expr, angle: sp.Expr = theta) -> sp.Expr:
    """x_t = u cos(theta (t - 1/2)) + v sin(theta (t - 1/2)) + P with the constant P."""
    mu = SYMBOL.subs(theta, angle)
    constant = _c * alpha**2 / (alpha**2 - mu)
    phase = angle * (position - sp.Rational(1, 2))
    return _u * sp.cos(phase) + _v * sp.sin(phase) + constant


def _end(m: int) -> sp.Expr:
    """x_{n+m} with cos(n theta) = C and sin(n theta) = S (theta = 2h)."""
    arg = 2 * _h * (m - sp.Rational(1, 2))
    mu = SYMBOL.subs(theta, 2 * _h)
    return (
        _u * (_C * sp.cos(arg) - _S * sp.sin(arg))
        + _v * (_S * sp.cos(arg) + _C * sp.sin(arg))
        + _c * alpha**2 / (alpha**2 - mu)
    )


@cache
def secular_function() -> sp.Expr:
    """D_n(theta), normalised so that it has no poles on [0, pi] (see ``derive``)."""
    return _derive()[0]


def _derive() -> tuple[sp.Expr, sp.Matrix, sp.Expr]:
    s = n * alpha**2 + alpha * beta + beta
    start = ansatz(sp.Integer(0), 2 * _h) - _c
    finish = _end(1) - beta * _end(0) - alpha * _c
    centring = s * _c - beta * ansatz(sp.Integer(1), 2 * _h) - alpha * beta * _end(0)
    M = sp.Matrix([[sp.diff(e, var) for var in (_u, _v, _c)] for e in (start, finish, centring)])
    det = M.det()
    # det M carries a factor 1 / tan(h); tan(h) cos(h) = sin(h) clears it
    D = sp.expand(det * sp.sin(_h))
    D = D.subs({_C: sp.cos(n * theta), _S: sp.sin(n * theta), _h: theta / 2})
    return D, M, det


#: The closed form the derivation must reproduce (checked in ``derive``), written with
#: sigma = sin^2(theta/2), mu = f(theta).
_sigma = sp.sin(theta / 2) ** 2
CLOSED_FORM = sp.cos(theta / 2) * (
    alpha * SYMBOL * (sp.cos(n * theta) - 1) + 2 * n * alpha**2 * _sigma * sp.cos(n * theta)
) + sp.sin(theta / 2) * (n * alpha**2 * (alpha - 2 * _sigma) - SYMBOL) * sp.sin(n * theta)


def _same_function(a: sp.Expr, b: sp.Expr) -> bool:
    """a = b as functions of theta (and n, alpha): trig expansion in theta/2, then 0.

    cos(n theta) and sin(n theta) are kept as independent symbols (their only relation,
    cos^2 + sin^2 = 1, is applied explicitly).
    """
    x = sp.Symbol("x", positive=True)
    difference = (a - b).subs({sp.cos(n * theta): _C, sp.sin(n * theta): _S}).subs(theta, 2 * x)
    difference = sp.expand(sp.expand_trig(sp.expand(difference)))
    difference = sp.expand(difference.subs(_S**2, 1 - _C**2))
    return is_zero(sp.together(difference))


@takes_printed_form
def derive_ou_secular(printed: sp.Basic | None) -> Derivation:
    """The eigenvalues of the open OU walk's K: lambda = 1/f(theta), D_n(theta) = 0."""
    D, M, _det = _derive()
    steps = []
    one = Step(
        "The eigen-equation with the centring as a source",
        "For mu != 0, Q x = mu x is equivalent to (A - mu) x = c a together with "
        "c = a^T x / s. A = T^T T is tridiagonal: 1 + beta^2 on the diagonal except A_nn = 1, "
        "-beta beside it; a = A 1 = alpha^2 1 + beta e_1 + alpha beta e_n and s = 1^T a = "
        "n alpha^2 + alpha beta + beta. In the rows 2..n-1 the equation reads "
        "(1 + beta^2 - mu) x_t - beta (x_{t-1} + x_{t+1}) = c alpha^2. With mu = f(theta), "
        "theta in (0, pi), its solutions are a cosine-sine pair plus the constant "
        "P = c alpha^2 / (alpha^2 - mu) (the general solution of a second-order linear "
        "recurrence; alpha^2 - mu = -4 beta sin^2(theta/2) != 0).",
    )
    x = ansatz(t)
    interior = (1 + beta**2 - SYMBOL) * x - beta * (ansatz(t - 1) + ansatz(t + 1)) - _c * alpha**2
    one.show("x_t", x)
    one.check(
        r"\text{rows } 2..n-1 \text{ hold for every } t",
        "the residual, with theta = 2 phi, expands (cosine addition) to 0 for symbolic t",
        _same_function(interior, sp.Integer(0)),
    )
    steps.append(one)
    two = Step(
        "Boundary rows and the centring: three linear conditions",
        "Row 1 differs from the interior formula by the missing x_0 and a_1 = alpha^2 + beta: "
        "it holds exactly when x_0 = c. Row n (A_nn = 1, a_n = alpha) holds exactly when "
        "x_{n+1} = beta x_n + alpha c. Summing all rows gives a^T x - mu 1^T x = c s, so the "
        "centring c s = a^T x is equivalent to 1^T x = 0 and, with the rows, to "
        "c s = beta x_1 + alpha beta x_n (since alpha^2 != mu). These are three homogeneous "
        "equations in (u, v, c); a nonzero solution exists exactly when their determinant "
        "vanishes, and it gives x != 0. So mu = f(theta), theta in (0, pi), is an eigenvalue "
        "of Q if and only if D_n(theta) = 0.",
    )
    # row 1 and row n against the interior formula, symbolically
    b = beta
    row1 = (1 + b**2 - SYMBOL) * ansatz(1) - b * ansatz(2) - _c * (alpha**2 + b)
    row1_interior = (1 + b**2 - SYMBOL) * ansatz(1) - b * (ansatz(0) + ansatz(2)) - _c * alpha**2
    two.check(
        r"\text{row 1} \iff x_0 = c",
        "row 1 minus the interior formula at t = 1 equals beta (x_0 - c)",
        is_zero(sp.expand(row1 - row1_interior - b * (ansatz(0) - _c))),
    )
    rown = (1 - SYMBOL) * ansatz(n) - b * ansatz(n - 1) - _c * alpha
    rown_interior = (
        (1 + b**2 - SYMBOL) * ansatz(n) - b * (ansatz(n - 1) + ansatz(n + 1)) - _c * alpha**2
    )
    two.check(
        r"\text{row } n \iff x_{n+1} = \beta x_n + \alpha c",
        "row n minus the interior formula at t = n equals beta (x_{n+1} - beta x_n - alpha c)",
        is_zero(sp.expand(rown - rown_interior - b * (ansatz(n + 1) - b * ansatz(n) - alpha * _c))),
    )
    two.show(
        r"M",
        M.subs({_h: theta / 2, _C: sp.cos(n * theta), _S: sp.sin(n * theta)}),
        note="rows: x_0 = c, x_{n+1} = beta x_n + alpha c, centring; columns: u, v, c",
    )
    steps.append(two)
    three = Step(
        "The secular function",
        "SymPy expands det M (with cos^2(n theta) + sin^2(n theta) = 1) and clears the factor "
        "1/tan(theta/2), which has the sign of (0, pi). With sigma = sin^2(theta/2) and "
        "mu = f(theta) the result is the closed form below (checked). It has no poles on "
        "[0, pi]; theta = 0 (the constant vector) is always a root, and by the equivalence "
        "above its n - 1 roots in (0, pi) are the angles of the n - 1 nonzero eigenvalues.",
    )
    three.show(r"D_n(\theta)", CLOSED_FORM)
    three.check(
        r"\tan(\theta/2)\cos(\theta/2)\det M = D_n(\theta)",
        "the SymPy determinant minus the closed form expands to 0 (symbolic n, alpha, theta)",
        _same_function(D, CLOSED_FORM),
    )
    steps.append(three)
    four = Step(
        "Limits: the plain walk and the regimes",
        "At alpha = 0 the equation is -f(theta) sin(theta/2) sin(n theta) = 0: theta = pi k / "
        "n, the plain walk's exact spectrum (rw.eigenvalue), which the mirror form "
        "(ou.eigenvalue.mirror) extends. For small alpha the terms of order alpha move the "
        "roots by O(n alpha) relative, the mirror form's error. When n alpha^2 dominates, the "
        "equation tends to 2 sigma cos(n theta) + tan(theta/2) (alpha - 2 sigma) sin(n theta) "
        "= 0, whose small roots are not the pairs 2 pi k / n of the periodic form: the open "
        "walk has no paired eigenvalues at any n.",
    )
    at_zero = sp.simplify(CLOSED_FORM.subs(alpha, 0))
    four.show(r"D_n(\theta)\big|_{\alpha=0}", at_zero)
    four.check(
        r"D_n|_{\alpha = 0} = -f(\theta)\sin(\theta/2)\sin(n\theta)",
        "substitution alpha = 0",
        _same_function(at_zero, -SYMBOL.subs(alpha, 0) * sp.sin(theta / 2) * sp.sin(n * theta)),
    )
    steps.append(four)
    result = sp.Eq(CLOSED_FORM, 0)  # equal to the determinant form (checked above)
    return Derivation(
        result,
        steps,
        Comparison(
            Kind.NOT_PRINTED,
            "The paper prints only the periodic circulant form (ou.eigenvalue); the exact "
            "finite-n spectrum of the open walk is new here.",
        ),
        findings=[
            "Exact for every n and every 0 < alpha < 2: each eigenvalue of K is 1/f(theta) "
            "with theta the k-th root of D_n in (0, pi) (k-th largest eigenvalue for alpha < 1, "
            "where f increases on (0, pi)).",
            "Neither circulant form is a root of D_n at finite n; the verification certifies a "
            "sign change of D_n inside each certified eigenvalue enclosure.",
        ],
        figures=["ou_regimes"],
    ).require()

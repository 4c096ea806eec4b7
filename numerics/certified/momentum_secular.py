"""The momentum secular function F_n(theta) and the symbol f in ball arithmetic.

:mod:`rwpca.proofs.derive.momentum.exact` proves that the nonzero eigenvalues of the centred
momentum covariance are 1/f(theta) at the roots of F_n in (0, theta_max). This module
evaluates them in arb balls for :mod:`rwpca.numerics.certified.momentum_roots`: the proven F_n
through its Chebyshev coordinates, any other SymPy secular function in n, gamma, theta
(:func:`compile_secular`, so a wrong equation is checked the same way), the symbol f, the
band edge theta_max, and certified signs at a precision that covers the cancellation in
F_n (:class:`Evaluator`).

>>> from fractions import Fraction
>>> monotone(Fraction(1, 2)), monotone(Fraction(-3, 10))
(True, False)
>>> round(band_edge(Fraction(-3, 10)), 6)
1.991424
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp
from flint import arb, ctx

from rwpca.numerics.arbeval import compile_arb, to_arb
from rwpca.proofs.derive.momentum import exact as momentum_exact
from rwpca.proofs.domains import GAMMA
from rwpca.proofs.values import to_fraction

#: Precision doublings tried when a sign is not decided.
MAX_DOUBLINGS = 4


def check_momentum(gamma: object) -> Fraction:
    """gamma as an exact rational in its domain (:data:`rwpca.proofs.domains.GAMMA`), not 0.

    gamma = 0 is the plain walk, where the partner cosine (a division by gamma) is undefined.
    """
    value = Fraction(GAMMA.exact(to_fraction(gamma, "gamma")))
    if value == 0:
        raise ValueError(
            f"gamma = {value} is not allowed: the secular equation needs 0 < |gamma| < 1 "
            "(gamma = 0 is the plain walk, whose spectrum is rw.eigenvalue)"
        )
    return value


# --------------------------------------------------------------------------------------
# evaluation of a secular function (with Chebyshev polynomials) in ball arithmetic


def compile_secular(expr: sp.Expr) -> Callable[[int, Fraction, arb], arb]:
    """F(n, gamma, theta) -> arb for a SymPy expression that may contain Chebyshev T and U.

    ``chebyshevt(d, x)`` and ``chebyshevu(d, x)`` (the degree d must evaluate to an exact
    integer, for example ``n - 1``) are evaluated by arb's Chebyshev functions; everything
    else by :func:`rwpca.numerics.arbeval.compile_arb`. Symbols are matched by name.
    """
    if not isinstance(expr, sp.Expr):
        raise ValueError(
            f"the secular function must be a SymPy expression, not {type(expr).__name__} "
            "(strings are never parsed)"
        )
    if expr == momentum_exact.SECULAR_FUNCTION:
        return _proven  # the same function, evaluated through its coordinates (faster)
    # SymPy writes T_n(-x) as (-1)^n T_n(x): integer powers of -1 are holes too
    signs = [p for p in expr.atoms(sp.Pow) if p.base == -1 and not p.exp.is_number]
    nodes = sorted([*expr.atoms(sp.chebyshevt, sp.chebyshevu), *signs], key=sp.default_sort_key)
    holes = [sp.Symbol(f"_hole_{i}") for i in range(len(nodes))]
    body = expr.xreplace(dict(zip(nodes, holes, strict=True)))
    names = ("n", "gamma", "theta")
    outer = compile_arb(body, (*names, *(h.name for h in holes)))
    parts: list[tuple[str, Callable[..., arb], Callable[..., arb]]] = []
    for node in nodes:
        if isinstance(node, sp.Pow):  # the "argument" is unused for a sign
            parts.append(("sign", compile_arb(node.exp, names), compile_arb(node.exp, names)))
        else:
            kind = "t" if isinstance(node, sp.chebyshevt) else "u"
            parts.append((kind, compile_arb(node.args[0], names), compile_arb(node.args[1], names)))

    def integer(ball: arb, what: str) -> int:
        if not (ball.is_exact() and ball.is_integer()):
            raise ValueError(f"{what} is not an integer: {ball}")
        return int(str(ball.unique_fmpz()))

    def evaluate(n: int, gamma: Fraction, theta: arb) -> arb:
        values = []
        for kind, degree_of, argument_of in parts:
            d = integer(degree_of(n, gamma, theta), "an exponent or Chebyshev degree")
            if kind == "sign":
                values.append(arb(-1 if d % 2 else 1))
                continue
            if d < 0:
                raise ValueError(f"a Chebyshev degree is negative: {d}")
            x = argument_of(n, gamma, theta)
            values.append(x.chebyshev_t(d) if kind == "t" else x.chebyshev_u(d))
        return outer(n, gamma, theta, *values)

    return evaluate


_SYMBOL = compile_arb(momentum_exact.SYMBOL, ("theta", "gamma"))
_EDGE = compile_arb(momentum_exact.BAND_EDGE, ("gamma",))
_POLYNOMIAL = compile_arb(momentum_exact.SECULAR_POLYNOMIAL, momentum_exact.COORDINATES)


def _proven(n: int, gamma: Fraction, theta: arb) -> arb:
    """F_n(theta) through its Chebyshev coordinates (the definition of SECULAR_FUNCTION)."""
    g = to_arb(gamma)
    c1 = theta.cos()
    c2 = (1 + g) ** 2 / (2 * g) - c1
    t1, u1 = (n * theta).cos(), (n * theta).sin() / theta.sin()
    return _POLYNOMIAL(g, c1, c2, t1, u1, c2.chebyshev_t(n), c2.chebyshev_u(n - 1))


def default_secular() -> Callable[[int, Fraction, arb], arb]:
    """The proven F_n(theta) (:data:`rwpca.proofs.derive.momentum.exact.SECULAR_FUNCTION`)."""
    return _proven


def symbol(theta: arb, gamma: Fraction) -> arb:
    """f(theta) = 2 (1 - cos theta)(1 + gamma^2 - 2 gamma cos theta) at the current precision."""
    if not isinstance(theta, arb):
        raise ValueError(f"theta = {theta!r} is not allowed: give an arb ball")
    return _SYMBOL(theta, GAMMA.exact(to_fraction(gamma, "gamma")))


def monotone(gamma: object) -> bool:
    """True when f increases on (0, pi): 1 + 6 gamma + gamma^2 >= 0 (gamma >= 2 sqrt 2 - 3)."""
    g = GAMMA.exact(to_fraction(gamma, "gamma"))
    return 1 + 6 * g + g * g >= 0


def band_edge(gamma: object) -> float:
    """theta_max as a float just below it: pi, or theta* = arccos((1 + gamma)^2 / (4 gamma))."""
    gamma = GAMMA.exact(to_fraction(gamma, "gamma"))
    if monotone(gamma):
        return math.pi
    with ctx.workprec(80):
        edge = _EDGE(gamma)
    return float(edge.lower())


def growth_bits(n: int, gamma: Fraction, theta: float) -> int:
    """log2 |T_n(c_2)|: the bits that cancel in F near a root."""
    c2 = float((1 + gamma) ** 2 / (2 * gamma)) - math.cos(theta)
    if abs(c2) <= 1:
        return 0
    return math.ceil(n * math.log2(abs(c2) + math.sqrt(c2 * c2 - 1)))


@dataclass
class Evaluator:
    """Signs of F_n at exact binary points, precision adapted to the cancellation.

    ``bits`` is the base precision; :func:`growth_bits` more are added at each point, and
    the precision is doubled up to :data:`MAX_DOUBLINGS` times before a sign is reported
    as undecided (``value`` None, ``sign`` 0).
    """

    function: Callable[[int, Fraction, arb], arb]
    n: int
    gamma: Fraction
    bits: int

    def value(self, theta: float | arb) -> arb | None:
        point = theta if isinstance(theta, arb) else arb(theta)
        base = self.bits + growth_bits(self.n, self.gamma, float(point.mid()))
        for doubling in range(MAX_DOUBLINGS + 1):
            with ctx.workprec(base * 2**doubling):
                got = self.function(self.n, self.gamma, point)
                if got.is_finite() and (got > 0 or got < 0):
                    return got
        return None

    def sign(self, theta: float | arb) -> int:
        got = self.value(theta)
        return 0 if got is None else (1 if got > 0 else -1)


__all__ = [
    "MAX_DOUBLINGS",
    "Evaluator",
    "band_edge",
    "check_momentum",
    "compile_secular",
    "default_secular",
    "growth_bits",
    "monotone",
    "symbol",
]

"""Two forms compared at exact points of their parameters' domains: a certified difference.

A derived result and a stated or printed form that differ at one exact point of the
parameters' domains are different, whatever SymPy's simplification would say after a long
search; forms that agree at every point still need the symbolic proof. Used by the
catalog's statement check and by the derivations' comparisons with the paper.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import sympy as sp
from sympy.core.evalf import PrecisionExhausted
from sympy.core.function import AppliedUndef

from rwpca.proofs.domains import DOMAINS
from rwpca.proofs.values import exact_expression

#: How many points the two forms are compared at, and the digits of each evaluation.
PRECHECK_POINTS = 3
PRECHECK_DPS = 30
#: Relative difference above which two values accurate to PRECHECK_DPS digits differ.
_PRECHECK_TOLERANCE = sp.Rational(1, 10**15)
#: Objects whose value at a point is not computed here (the symbolic check decides them).
_OPAQUE = (sp.Sum, sp.Product, sp.Integral, sp.Limit, sp.Derivative, AppliedUndef)


def _fallback_values(symbol: sp.Symbol) -> tuple[sp.Rational, ...]:
    """Points for a symbol without a declared domain, consistent with its assumptions."""
    if symbol.is_integer:
        return (sp.Integer(3), sp.Integer(5), sp.Integer(8))
    if symbol.is_positive or symbol.is_nonnegative:
        return (sp.Rational(3, 7), sp.Rational(11, 13), sp.Rational(17, 5))
    return (sp.Rational(3, 7), sp.Rational(-11, 13), sp.Rational(17, 5))


def _bounded_by_others(symbol: sp.Symbol) -> bool:
    domain = DOMAINS.get(symbol.name)
    return domain is not None and bool(domain.depends_on)


def precheck_points(
    symbols: set[sp.Symbol], count: int = PRECHECK_POINTS
) -> list[dict[sp.Symbol, sp.Expr]]:
    """``count`` exact points: each symbol drawn from its declared domain (seeded by the
    point's index), the others from :func:`_fallback_values`; a bound that depends on n
    (k <= n - 1) uses that point's n.

    >>> from rwpca.proofs.symbols import k, n
    >>> [(p[n], p[k]) for p in precheck_points({n, k})]
    [(16, 2), (50, 22), (40, 38)]
    """
    ordered = sorted(symbols, key=lambda s: (_bounded_by_others(s), s.name))
    points = []
    for index in range(count):
        context: dict[str, object] = {}
        point: dict[sp.Symbol, sp.Expr] = {}
        for symbol in ordered:
            domain = DOMAINS.get(symbol.name)
            value: object
            if domain is not None and domain.depends_on <= set(context):
                # a seed per (point, symbol): parameters drawn independently, reproducibly
                seed = zlib.crc32(f"{index}:{symbol.name}".encode())
                drawn = domain.samples(count, seed=seed, **context)
                value = drawn[index % len(drawn)]
            else:
                value = _fallback_values(symbol)[index % 3]
            context[symbol.name] = value
            point[symbol] = exact_expression(value, symbol.name)
        points.append(point)
    return points


def _value_at(expr: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr | None:
    """The value of ``expr`` at ``point`` to PRECHECK_DPS digits, or None if not computed."""
    value = expr.xreplace(point)
    if value.free_symbols or value.has(*_OPAQUE):
        return None
    try:
        got = value.evalf(PRECHECK_DPS, strict=True)
    except (PrecisionExhausted, ArithmeticError, TypeError, ValueError):
        return None
    if not got.is_number or got.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    return got


def differ_at_points(first: sp.Basic, second: sp.Basic) -> bool:
    """True when the two expressions certainly differ at some exact point of their domains.

    Each side is evaluated by SymPy's adaptive evalf (mpmath) to :data:`PRECHECK_DPS`
    significant digits, which raises rather than return digits it cannot guarantee; a
    relative difference above 10^-15 between two such values is a difference of the
    expressions. Points where a side is undefined or not evaluable decide nothing.
    """
    if not (isinstance(first, sp.Expr) and isinstance(second, sp.Expr)) or first == second:
        return False
    for point in precheck_points(first.free_symbols | second.free_symbols):
        a, b = _value_at(first, point), _value_at(second, point)
        if a is None or b is None:
            continue
        scale = sp.Max(sp.Abs(a), sp.Abs(b))
        if scale != 0 and bool(sp.Abs(a - b).evalf(PRECHECK_DPS) > _PRECHECK_TOLERANCE * scale):
            return True
    return False


__all__ = ["PRECHECK_DPS", "PRECHECK_POINTS", "differ_at_points", "precheck_points"]

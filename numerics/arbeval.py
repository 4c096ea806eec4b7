"""Rigorous evaluation of SymPy expressions in ball arithmetic (python-flint's ``arb``).

A formula arrives as a SymPy expression; :func:`compile_arb` turns its tree into a Python
function of named arguments that evaluates every node with ``arb`` balls, so the result is
a ball guaranteed to contain the exact value. Symbols are matched by *name* (like
:mod:`rwpca.numerics.formulas`); nothing is parsed from strings and nothing is ``eval``-ed.
The working precision is whatever ``flint.ctx`` has when the function is called: wrap
calls in ``flint.ctx.workprec(bits)``.

>>> import sympy as sp
>>> from flint import ctx
>>> k, n = sp.symbols("k n")
>>> f = compile_arb(1 / (2 * (1 - sp.cos(sp.pi * k / n))), ("n", "k"))
>>> with ctx.workprec(100):
...     value = f(4, 2)
>>> value.contains(arb("0.5"))
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

import sympy as sp
from flint import arb, fmpq, fmpz

ArbFunction = Callable[..., arb]


class UnsupportedExpression(ValueError):
    """The expression uses an operation that has no rigorous ball evaluation here."""


def to_arb(value: object) -> arb:
    """An exact number (int, Fraction, SymPy Rational or Float) as a ball."""
    if isinstance(value, arb):
        return value
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int):
        return arb(fmpz(value))
    if isinstance(value, Fraction):
        return arb(fmpq(value.numerator, value.denominator))
    if isinstance(value, sp.Integer):
        return arb(fmpz(int(value)))
    if isinstance(value, sp.Rational):
        return arb(fmpq(int(value.p), int(value.q)))
    if isinstance(value, sp.Float):
        sign, mantissa, exponent, _bc = value._mpf_
        exact = arb(fmpz(int(mantissa))) * integer_power(arb(2), int(exponent))
        return -exact if sign else exact
    raise ValueError(f"{value!r} is not an exact number")


_UNARY: dict[type, Callable[[arb], arb]] = {
    sp.sin: arb.sin,
    sp.cos: arb.cos,
    sp.tan: arb.tan,
    sp.cot: arb.cot,
    sp.sec: arb.sec,
    sp.csc: arb.csc,
    sp.exp: arb.exp,
    sp.log: arb.log,
    sp.sinh: arb.sinh,
    sp.cosh: arb.cosh,
    sp.tanh: arb.tanh,
    sp.asin: arb.asin,
    sp.acos: arb.acos,
    sp.atan: arb.atan,
    sp.Abs: abs,
}


def integer_power(base: arb, exponent: int) -> arb:
    """base^exponent by repeated multiplication.

    python-flint's ``**`` goes through a general power, which returns nan for a ball that
    contains 0 or negative numbers and loose enclosures otherwise; products do not.

    >>> integer_power(arb(-1) / 2, 3)
    -0.125000000000000
    """
    if exponent < 0:
        return 1 / integer_power(base, -exponent)
    result, square = arb(1), base
    while exponent:
        if exponent & 1:
            result = result * square
        exponent >>= 1
        if exponent:
            square = square * square
    return result


def _power(base: arb, exponent: object) -> arb:
    if isinstance(exponent, int):
        return integer_power(base, exponent)
    if exponent == Fraction(1, 2):
        return base.sqrt()
    if exponent == Fraction(-1, 2):
        return base.rsqrt()
    return (exponent_arb(exponent) * base.log()).exp()


def exponent_arb(exponent: object) -> arb:
    return to_arb(exponent) if not isinstance(exponent, arb) else exponent


def _compile(expr: sp.Basic, names: dict[str, int]) -> Callable[[Sequence[arb]], arb]:
    if isinstance(expr, sp.Symbol):
        if expr.name not in names:
            raise ValueError(
                f"the formula has unbound symbol {expr.name!r}: allowed symbols are {list(names)}"
            )
        index = names[expr.name]
        return lambda args: args[index]
    if isinstance(expr, (sp.Integer, sp.Rational, sp.Float)):
        return lambda args, _v=expr: to_arb(_v)
    if expr is sp.pi:
        return lambda args: arb.pi()
    if expr is sp.E:
        return lambda args: arb.const_e()
    if expr is sp.EulerGamma:
        return lambda args: arb.const_euler()
    if isinstance(expr, sp.Add):
        parts = [_compile(a, names) for a in expr.args]

        def add(args, _parts=parts):
            total = _parts[0](args)
            for part in _parts[1:]:
                total = total + part(args)
            return total

        return add
    if isinstance(expr, sp.Mul):
        parts = [_compile(a, names) for a in expr.args]

        def mul(args, _parts=parts):
            total = _parts[0](args)
            for part in _parts[1:]:
                total = total * part(args)
            return total

        return mul
    if isinstance(expr, sp.Pow):
        base = _compile(expr.base, names)
        exponent = expr.exp
        if isinstance(exponent, sp.Integer):
            e = int(exponent)
            return lambda args, _b=base, _e=e: integer_power(_b(args), _e)
        if isinstance(exponent, sp.Rational):
            q = Fraction(int(exponent.p), int(exponent.q))
            return lambda args, _b=base, _q=q: _power(_b(args), _q)
        power = _compile(exponent, names)
        return lambda args, _b=base, _p=power: (_p(args) * _b(args).log()).exp()
    if isinstance(expr, sp.harmonic) and len(expr.args) == 2:
        count = _compile(expr.args[0], names)
        order = expr.args[1]
        if not isinstance(order, sp.Integer):
            raise UnsupportedExpression(f"harmonic numbers of order {order} are not supported")

        def harmonic(args, _count=count, _order=int(order)):
            m = _count(args)
            if not m.is_exact() or not m.is_integer():
                raise UnsupportedExpression("harmonic(m, r) needs an integer m")
            return sum(
                (
                    arb(1) / integer_power(arb(i), _order)
                    for i in range(1, int(m.unique_fmpz()) + 1)
                ),
                arb(0),
            )

        return harmonic
    func = type(expr)
    if func in _UNARY and len(expr.args) == 1:
        inner = _compile(expr.args[0], names)
        op = _UNARY[func]
        return lambda args, _i=inner, _op=op: _op(_i(args))
    raise UnsupportedExpression(
        f"cannot evaluate {func.__name__} rigorously: use +, -, *, /, powers, pi, sin, cos, "
        "tan, cot, sec, csc, exp, log, sqrt, abs and rational numbers"
    )


def compile_arb(expr: sp.Basic, names: Sequence[str]) -> ArbFunction:
    """A function f(*values) -> arb evaluating ``expr`` with the named symbols bound in order.

    Values may be ints, Fractions, SymPy rationals or arb balls. Raises ValueError if the
    expression has a symbol not in ``names`` or an operation without a ball evaluation.
    """
    if isinstance(expr, (int, Fraction)) and not isinstance(expr, bool):
        expr = sp.Rational(expr.numerator, expr.denominator)
    if not isinstance(expr, sp.Basic):
        raise ValueError(
            f"the formula must be a SymPy expression, not {type(expr).__name__} "
            "(strings are never parsed)"
        )
    if isinstance(expr, (sp.MatrixBase, sp.Eq, sp.Tuple)) or not isinstance(expr, sp.Expr):
        raise ValueError(
            f"the formula must be a scalar SymPy expression, not {type(expr).__name__}"
        )
    index = {name: i for i, name in enumerate(names)}
    body = _compile(expr, index)

    def evaluate(*values: object) -> arb:
        return body([to_arb(v) for v in values])

    return evaluate

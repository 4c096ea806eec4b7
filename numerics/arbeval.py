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

A power whose exponent is an integer-valued argument is exact, whatever the base's sign:

>>> sign = compile_arb(sp.Integer(-1) ** k, ("k",))
>>> sign(3), sign(4)
(-1.00000000000000, 1.00000000000000)
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


Compiled = Callable[[Sequence[arb]], arb]


def _compile_symbol(expr: sp.Symbol, names: dict[str, int]) -> Compiled:
    if expr.name not in names:
        raise ValueError(
            f"the formula has unbound symbol {expr.name!r}: allowed symbols are {list(names)}"
        )
    index = names[expr.name]
    return lambda args: args[index]


_CONSTANTS: dict[sp.Basic, Callable[[], arb]] = {
    sp.pi: arb.pi,
    sp.E: arb.const_e,
    sp.EulerGamma: arb.const_euler,
}


def _compile_sum(expr: sp.Add, names: dict[str, int]) -> Compiled:
    parts = [_compile(a, names) for a in expr.args]

    def add(args):
        total = parts[0](args)
        for part in parts[1:]:
            total = total + part(args)
        return total

    return add


def _compile_product(expr: sp.Mul, names: dict[str, int]) -> Compiled:
    parts = [_compile(a, names) for a in expr.args]

    def mul(args):
        total = parts[0](args)
        for part in parts[1:]:
            total = total * part(args)
        return total

    return mul


def _compile_power(expr: sp.Pow, names: dict[str, int]) -> Compiled:
    base = _compile(expr.base, names)
    exponent = expr.exp
    if isinstance(exponent, sp.Integer):
        e = int(exponent)
        return lambda args: integer_power(base(args), e)
    if isinstance(exponent, sp.Rational):
        q = Fraction(int(exponent.p), int(exponent.q))
        return lambda args: _power(base(args), q)
    power = _compile(exponent, names)

    def general(args):
        e, b = power(args), base(args)
        # an exponent that evaluates to an exact integer (k in (-1)**k) is a product of
        # balls: exp(k log b) would be nan for b <= 0 and loose otherwise
        if e.is_exact() and e.is_integer():
            return integer_power(b, int(e.unique_fmpz()))
        return (e * b.log()).exp()

    return general


def _compile_harmonic(expr: sp.harmonic, names: dict[str, int]) -> Compiled:
    count = _compile(expr.args[0], names)
    order = expr.args[1]
    if not isinstance(order, sp.Integer):
        raise UnsupportedExpression(f"harmonic numbers of order {order} are not supported")
    r = int(order)

    def harmonic(args):
        m = count(args)
        if not m.is_exact() or not m.is_integer():
            raise UnsupportedExpression("harmonic(m, r) needs an integer m")
        terms = (arb(1) / integer_power(arb(i), r) for i in range(1, int(m.unique_fmpz()) + 1))
        return sum(terms, arb(0))

    return harmonic


def _compile(expr: sp.Basic, names: dict[str, int]) -> Compiled:
    """A function of the argument balls that evaluates ``expr`` node by node."""
    if isinstance(expr, sp.Symbol):
        return _compile_symbol(expr, names)
    if isinstance(expr, (sp.Integer, sp.Rational, sp.Float)):
        return lambda args: to_arb(expr)  # at the precision of the call, not of compiling
    if expr in _CONSTANTS:
        constant = _CONSTANTS[expr]
        return lambda args: constant()
    if isinstance(expr, sp.Add):
        return _compile_sum(expr, names)
    if isinstance(expr, sp.Mul):
        return _compile_product(expr, names)
    if isinstance(expr, sp.Pow):
        return _compile_power(expr, names)
    if isinstance(expr, sp.harmonic) and len(expr.args) == 2:
        return _compile_harmonic(expr, names)
    func = type(expr)
    if func in _UNARY and len(expr.args) == 1:
        inner = _compile(expr.args[0], names)
        op = _UNARY[func]
        return lambda args: op(inner(args))
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

"""Data structures for a derivation: the steps SymPy performed and what they showed.

A derivation is a list of :class:`Step` objects, each holding prose, displayed SymPy
expressions and :class:`Check` records (identities that were verified by computation).
The application layer renders them; this layer only produces SymPy objects. A check
that fails makes the whole derivation fail (:meth:`Derivation.require`), so a wrong
formula can never be rendered as derived.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import sympy as sp

from rwpca.proofs.pointwise import differ_at_points
from rwpca.proofs.values import exact_expression


class Kind(StrEnum):
    """How a derived result compares with the form printed in the paper."""

    EQUAL = "equal"
    CONVENTION = "equal up to an index convention"
    APPROXIMATION = "approximation"
    DIFFERENT = "different"
    NOT_PRINTED = "not printed in the paper"


@dataclass(frozen=True)
class Display:
    """A displayed chain ``parts[0] = parts[1] = ...`` of SymPy objects or LaTeX strings."""

    parts: tuple[object, ...]
    note: str = ""
    lead: str = ""


@dataclass(frozen=True)
class Check:
    """An identity or fact established by computation.

    ``statement`` is LaTeX, ``how`` says what was computed (for example "simplify of
    the difference is 0 for symbolic n") and ``holds`` is the computed truth value.
    """

    statement: str
    how: str
    holds: bool


@dataclass
class Step:
    """One step of a derivation."""

    title: str
    text: str = ""
    displays: list[Display] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def show(self, *parts: object, note: str = "", lead: str = "") -> Step:
        """Display ``parts[0] = parts[1] = ...``; ``lead`` is a sentence printed before it."""
        self.displays.append(Display(tuple(parts), note, lead))
        return self

    def check(self, statement: str, how: str, holds: bool) -> bool:
        self.checks.append(Check(statement, how, bool(holds)))
        return bool(holds)


@dataclass(frozen=True)
class Comparison:
    """The computed comparison of a derived result with the paper's printed form."""

    kind: Kind
    detail: str


class DerivationError(AssertionError):
    """A derivation failed one of its own checks."""


@dataclass
class Derivation:
    """The outcome of a derivation function: the result, its steps and findings."""

    result: sp.Basic
    steps: list[Step]
    comparison: Comparison
    findings: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)

    @property
    def checks(self) -> list[Check]:
        return [c for step in self.steps for c in step.checks]

    def require(self) -> Derivation:
        """Raise :class:`DerivationError` unless every check of every step holds."""
        failed = [c.statement for c in self.checks if not c.holds]
        if failed:
            raise DerivationError("derivation check failed: " + "; ".join(failed))
        return self


def as_expression(value: object) -> sp.Basic:
    """A SymPy object (expression or matrix) as given, a number as an exact SymPy number.

    Strings are refused with a ValueError, never parsed: formulas are SymPy objects.
    """
    if isinstance(value, (sp.Basic, sp.MatrixBase)):
        return value
    if isinstance(value, (str, bytes)):
        raise ValueError(
            f"the formula must be a SymPy expression, not {type(value).__name__} "
            "(strings are never parsed)"
        )
    return exact_expression(value, "the formula")


def takes_printed_form(
    function: Callable[[sp.Basic | None], Derivation],
) -> Callable[[sp.Basic | None], Derivation]:
    """Decorate a derivation function: its argument, the paper's printed form, must be a
    SymPy object or None (a string is refused with a ValueError, never parsed)."""

    @functools.wraps(function)
    def derive(printed: sp.Basic | None) -> Derivation:
        return function(None if printed is None else as_expression(printed))

    return derive


def is_zero(expr: sp.Basic) -> bool:
    """True when SymPy proves ``expr`` identically zero.

    Tried in order of cost: expansion; for a constant made of radicals, its minimal
    polynomial, which decides it; cancellation, which decides a rational function whose
    numbers are all rational (with radicals, pi or i a nonzero cancel goes on); for
    trigonometric expressions, the exponential form expanded (:func:`zero_as_exponentials`);
    then simplify, and simplify after trigonometric expansion. Every step is an equivalence,
    so True is a proof; False means no step found the zero.

    >>> x = sp.Symbol("x", real=True)
    >>> is_zero(sp.cos(2 * x) - (1 - 2 * sp.sin(x) ** 2)), is_zero(sp.cos(2 * x) - 1)
    (True, False)
    """
    expr = as_expression(expr)
    if isinstance(expr, sp.MatrixBase):
        return all(is_zero(e) for e in expr)
    if expr == 0 or sp.expand(expr) == 0:
        return True
    if _algebraic_number(expr):
        # decided exactly both ways: an algebraic number is 0 iff its minimal polynomial is x
        return bool(sp.minimal_polynomial(expr, _X) == _X)
    if expr.is_rational_function():
        if sp.cancel(expr) == 0:
            return True
        if _over_the_rationals(expr):
            # decided exactly: a rational function over the rationals is zero iff it cancels
            # to 0 (simplify, which costs far more, cannot prove a nonzero one zero); with
            # radicals or pi among its numbers the attempts below still apply
            return False
    if expr.has(sp.sin, sp.cos, sp.tan, sp.cot) and zero_as_exponentials(expr):
        return True
    for attempt in (sp.simplify, lambda e: sp.simplify(sp.expand_trig(e))):
        if attempt(expr) == 0:
            return True
    return False


_X = sp.Dummy("x")


def _algebraic_number(expr: sp.Basic) -> bool:
    """Whether ``expr`` is a constant built from rationals, i and radicals alone."""
    return (
        not expr.free_symbols
        and not expr.atoms(sp.Function, sp.NumberSymbol)
        and all(power.exp.is_Rational for power in expr.atoms(sp.Pow))
    )


def _over_the_rationals(expr: sp.Basic) -> bool:
    """Whether a rational function's numbers are all rational (no radical, pi or i)."""
    return (
        all(power.exp.is_Integer for power in expr.atoms(sp.Pow))
        and not expr.atoms(sp.Function, sp.NumberSymbol)
        and not expr.has(sp.I)
    )


def same_form(derived: sp.Basic, printed: sp.Basic) -> bool:
    """True when SymPy proves the two forms equal; False at once when they differ at an exact
    point of the parameters' domains (:func:`~rwpca.proofs.pointwise.differ_at_points`), which
    proves them different without waiting for simplify to give up."""
    derived, printed = as_expression(derived), as_expression(printed)
    if differ_at_points(derived, printed):
        return False
    return is_zero(derived - printed)


def zero_as_exponentials(expr: sp.Basic) -> bool:
    """True when ``expr`` with its trigonometric functions written as exponentials expands
    (or cancels) to 0: an equivalence, so a 0 proves the identity, and for sums of products
    of sines and cosines of linear arguments it is how the identity is decided, at a small
    fraction of the cost of ``simplify``'s search."""
    expanded = sp.expand(expr.rewrite(sp.exp))
    return expanded == 0 or sp.cancel(expanded) == 0


def limit_comparison(limit: sp.Expr, printed: sp.Basic | None, agreement: Comparison) -> Comparison:
    """``agreement`` when the derived limit equals the printed form (or none is given), else
    a DIFFERENT comparison."""
    if printed is not None and not same_form(limit, printed):
        return Comparison(Kind.DIFFERENT, "The limit differs from the printed form.")
    return agreement


def limit_at_infinity(expr: sp.Basic, var: sp.Symbol) -> sp.Basic:
    """lim_{var -> oo} expr, computed as lim_{x -> 0+} expr(1/x) with a real dummy x.

    SymPy's ``limit`` mishandles some limits in symbols declared integer (it returns
    ``zoo`` or 0 for n^2 (1 - cos(pi/n))); the substitution drops that assumption.
    """
    if not isinstance(var, sp.Symbol):
        raise ValueError(f"var = {var!r} is not allowed: give a SymPy Symbol")
    x = sp.Dummy("x", positive=True)
    return sp.limit(as_expression(expr).subs(var, 1 / x), x, 0, "+")

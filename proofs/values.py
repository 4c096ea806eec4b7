"""Numbers in, never strings: the one converter of user-supplied values into exact numbers.

Values are numbers and nothing else: ``int``, :class:`fractions.Fraction`, SymPy ``Integer``,
``Rational`` or ``Float``, or a Python (or NumPy) float, read as the decimal it prints
(0.1 -> 1/10). The library refuses strings (:func:`to_fraction`, :func:`exact_expression`);
text typed on a command line is read by :func:`parse_number`, which matches a plain number
pattern and hands it to :class:`fractions.Fraction`, never to SymPy. Nothing here evaluates
a string. :mod:`rwpca.proofs.domains` checks the converted values against their ranges.
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from fractions import Fraction
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sympy as sp


def loaded_sympy() -> ModuleType | None:
    """SymPy if it has been imported, else None.

    A value can only be a SymPy object once SymPy is loaded, so the checks of this module and
    of :mod:`rwpca.proofs.domains` ask for it here instead of importing it: the command line
    reads the declarations (in its help) without loading SymPy.
    """
    return sys.modules.get("sympy")


def show(value: object) -> str:
    """How a user-supplied value is named in an error message (numbers without type tags)."""
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return str(value)
    return repr(value)


#: How a refusal names what is allowed.
NUMBER_TYPES = "give a number (int, float, Fraction or SymPy Rational)"


def to_fraction(value: object, name: str = "value") -> Fraction:
    """An exact rational for a user-supplied number; ValueError for anything else.

    Python floats are read as the decimal they print as (0.1 -> 1/10), which is what a user
    who typed 0.1 means; SymPy Floats likewise. Strings are never parsed here (see
    :func:`parse_number` for text).

    >>> to_fraction(0.1)
    Fraction(1, 10)
    >>> import sympy as sp
    >>> to_fraction(sp.Rational(-1, 3))
    Fraction(-1, 3)
    >>> to_fraction("0.1")
    Traceback (most recent call last):
    ...
    ValueError: value = '0.1' is not allowed: give a number (int, float, Fraction or SymPy Rational)
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} = {show(value)} is not a real number")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    sp = loaded_sympy()
    if sp is not None and isinstance(value, sp.Rational):
        return Fraction(int(value.p), int(value.q))
    if sp is not None and isinstance(value, sp.Float):
        value = float(value)
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, numbers.Real) and not (sp is not None and isinstance(value, sp.Basic)):
        value = float(value)  # numpy floating types
        if not math.isfinite(value):
            raise ValueError(f"{name} = {show(value)} is not a finite real number")
        return Fraction(repr(value))
    if sp is not None and isinstance(value, sp.Basic) and value.is_number:
        raise ValueError(f"{name} = {show(value)} is not allowed: give a rational number")
    raise ValueError(f"{name} = {show(value)} is not allowed: {NUMBER_TYPES}")


#: A decimal (0.5, -1.25e-3) or a fraction (1/3): what :func:`parse_number` accepts.
_NUMBER_TEXT = re.compile(r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?|\d+/\d+)")
_MAX_TEXT = 100


def parse_number(text: str, name: str = "value") -> Fraction:
    """Read a decimal such as ``0.5`` or ``1e-3``, or a fraction such as ``1/3``, exactly.

    The text is matched against a plain number pattern and handed to
    :class:`fractions.Fraction`; nothing is evaluated.

    >>> parse_number("0.1")
    Fraction(1, 10)
    >>> parse_number("__import__('os')", "gamma")
    Traceback (most recent call last):
    ...
    ValueError: gamma = "__import__('os')" is not a number: give a decimal such as 0.5 or a fraction such as 1/3
    """
    if not isinstance(text, str):
        raise ValueError(f"{name} = {show(text)} is not allowed: give the number as text")
    stripped = text.strip()
    if len(stripped) > _MAX_TEXT or not _NUMBER_TEXT.fullmatch(stripped):
        shown = repr(text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "...")
        raise ValueError(
            f"{name} = {shown} is not a number: give a decimal such as 0.5 or a fraction "
            "such as 1/3"
        )
    try:
        return Fraction(stripped)
    except ZeroDivisionError:
        raise ValueError(f"{name} = {text!r} is not a number: the denominator is 0") from None


def is_symbolic(value: object) -> bool:
    """True for a SymPy expression with free symbols (builders accept those unchecked)."""
    sp = loaded_sympy()
    return sp is not None and isinstance(value, sp.Basic) and bool(value.free_symbols)


def exact_expression(value: object, name: str = "value") -> sp.Expr:
    """A value as an exact SymPy number, or a symbolic SymPy expression unchanged.

    Numbers go through :func:`to_fraction`; exact irrational SymPy numbers (``sqrt(2)/2``)
    are kept; anything else, strings included, raises ValueError. This is what the exact
    builders of :mod:`rwpca.proofs` substitute into their matrices.

    >>> exact_expression(0.25)
    1/4
    >>> import sympy as sp
    >>> exact_expression(sp.Symbol("gamma"))
    gamma
    """
    import sympy as sp

    if isinstance(value, sp.Basic):
        if not isinstance(value, sp.Expr):
            raise ValueError(f"{name} = {show(value)} is not allowed: {NUMBER_TYPES}")
        if value.free_symbols or isinstance(value, sp.Rational):
            return value
        if value.is_number and not isinstance(value, sp.Float):
            if value.is_real is not True or not value.is_finite:
                raise ValueError(f"{name} = {show(value)} is not a finite real number")
            return value
    exact = to_fraction(value, name)
    return sp.Rational(exact.numerator, exact.denominator)

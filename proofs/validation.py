"""Validation of the parameters every builder and formula accepts.

Each check raises :class:`ValueError` with one line naming the bad value and the
allowed range; the CLI turns that line into an exit status 2. Symbolic values
(SymPy expressions with free symbols) pass through unchecked, since the builders
are also used with symbolic parameters.
"""

from __future__ import annotations

import numbers

import sympy as sp


def show(value: object) -> str:
    """How a user-supplied value is named in an error message (numbers without type tags)."""
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return str(value)
    return repr(value)


def _is_symbolic(value: object) -> bool:
    return isinstance(value, sp.Basic) and bool(value.free_symbols)


def check_n(n: object, *, minimum: int = 2, name: str = "n") -> int:
    """Return ``n`` as an int if it is an integer >= ``minimum``, else raise ValueError.

    >>> check_n(5)
    5
    >>> check_n(1)
    Traceback (most recent call last):
    ...
    ValueError: n = 1 is not allowed: n must be an integer >= 2
    """
    bad = f"{name} = {show(n)} is not allowed: {name} must be an integer >= {minimum}"
    if isinstance(n, bool):
        raise ValueError(bad)
    if isinstance(n, sp.Integer):
        n = int(n)
    if not isinstance(n, numbers.Integral) or int(n) < minimum:
        raise ValueError(bad)
    return int(n)


def _real_value(value: object, name: str) -> float | None:
    """A float for a concrete real value, None for a symbolic one; ValueError otherwise."""
    if _is_symbolic(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} = {show(value)} is not a real number")
    try:
        number = sp.Float(value) if not isinstance(value, sp.Basic) else value.evalf()
        result = float(number)
    except (TypeError, ValueError):
        raise ValueError(f"{name} = {show(value)} is not a real number") from None
    if result != result or result in (float("inf"), float("-inf")):
        raise ValueError(f"{name} = {show(value)} is not a finite real number")
    return result


def check_gamma(gamma: object) -> object:
    """Check the momentum coefficient: |gamma| < 1 (the walk's velocity is stable).

    >>> check_gamma(0.5)
    0.5
    >>> check_gamma(1)
    Traceback (most recent call last):
    ...
    ValueError: gamma = 1 is not allowed: the momentum coefficient must satisfy |gamma| < 1
    """
    value = _real_value(gamma, "gamma")
    if value is not None and not abs(value) < 1:
        raise ValueError(
            f"gamma = {show(gamma)} is not allowed: the momentum coefficient must satisfy |gamma| < 1"
        )
    return gamma


def check_alpha(alpha: object) -> object:
    """Check the OU restoring rate: 0 < alpha < 2 (|1 - alpha| < 1, the stable range).

    >>> check_alpha(0.1)
    0.1
    >>> check_alpha(2)
    Traceback (most recent call last):
    ...
    ValueError: alpha = 2 is not allowed: the restoring rate must satisfy 0 < alpha < 2
    """
    value = _real_value(alpha, "alpha")
    if value is not None and not 0 < value < 2:
        raise ValueError(
            f"alpha = {show(alpha)} is not allowed: the restoring rate must satisfy 0 < alpha < 2"
        )
    return alpha

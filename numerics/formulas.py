"""Numeric evaluation of SymPy formulas, matching symbols by name.

Catalog formulas use symbols with assumptions (``Symbol("n", integer=True)``), users may
pass plain ``Symbol("n")``; both are matched by their *name*. Nothing here parses strings:
formulas must be SymPy expressions (a string is refused with a ValueError), and values are
numbers, converted exactly by :func:`rwpca.proofs.values.exact_expression` (a float 0.1 is
read as 1/10; a string is refused).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp

from rwpca.proofs.validation import check_n
from rwpca.proofs.values import exact_expression


def _formula(expr: object) -> sp.Basic:
    """The formula if it is a SymPy object; a one-line ValueError otherwise (never parsed)."""
    if not isinstance(expr, sp.Basic):
        raise ValueError(
            f"the formula must be a SymPy expression, not {type(expr).__name__} "
            "(strings are never parsed)"
        )
    return expr


def free_symbol_names(expr: sp.Basic) -> set[str]:
    """Names of the free symbols of ``expr``."""
    return {s.name for s in _formula(expr).free_symbols}


def substitute_by_name(expr: sp.Basic, values: Mapping[str, object]) -> sp.Basic:
    """Substitute values for the symbols of ``expr`` whose names are keys of ``values``.

    Values are numbers (or SymPy expressions), never strings:

    >>> from rwpca.proofs.catalog import get
    >>> substitute_by_name(get("ou.eigenvalue").rhs, {"n": 4, "k": 2, "alpha": 0.5})
    4/9
    """
    expr = _formula(expr)
    if not isinstance(values, Mapping):
        raise ValueError(f"values = {values!r} is not allowed: give a dict of numbers by name")
    mapping = {
        s: exact_expression(values[s.name], s.name) for s in expr.free_symbols if s.name in values
    }
    return expr.xreplace(mapping)


def lambdify_by_name(expr: sp.Basic, names: tuple[str, ...], modules: str = "numpy"):
    """A numeric function of the named symbols (in this order); other symbols must be bound.

    >>> from rwpca.proofs.catalog import get
    >>> f = lambdify_by_name(get("rw.eigenvalue").rhs, ("n", "k"))
    >>> round(float(f(4, 2)), 12)
    0.5
    """
    expr = _formula(expr)
    if isinstance(names, str) or not all(isinstance(name, str) for name in names):
        raise ValueError(f"names = {names!r} is not allowed: give a tuple of symbol names")
    present = {s.name: s for s in expr.free_symbols}
    unbound = sorted(set(present) - set(names))
    if unbound:
        raise ValueError(
            f"the formula has unbound symbol {unbound[0]!r}: allowed symbols are {list(names)}"
        )
    dummies = [sp.Dummy(name) for name in names]
    expr = expr.xreplace(
        {
            present[name]: dummy
            for name, dummy in zip(names, dummies, strict=True)
            if name in present
        }
    )
    return sp.lambdify(dummies, expr, modules=modules)


def evaluate_eigenvalue_formula(
    expr: sp.Basic, n: int, params: Mapping[str, object] | None = None
) -> np.ndarray:
    """The values of an eigenvalue formula at k = 1..n-1 as float64 (in k order)."""
    n = check_n(n)
    if params is not None and not isinstance(params, Mapping):
        raise ValueError(f"params = {params!r} is not allowed: give a dict of numbers by name")
    bound = substitute_by_name(expr, {"n": n, **(params or {})})
    f = lambdify_by_name(bound, ("k",))
    k = np.arange(1, n, dtype=float)
    return np.broadcast_to(np.asarray(f(k), dtype=float), k.shape).copy()

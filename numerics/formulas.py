"""Numeric evaluation of SymPy formulas, matching symbols by name.

Catalog formulas use symbols with assumptions (``Symbol("n", integer=True)``), users may
pass plain ``Symbol("n")``; both are matched by their *name*. Nothing here parses strings:
formulas arrive as SymPy objects.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp


def free_symbol_names(expr: sp.Basic) -> set[str]:
    """Names of the free symbols of ``expr``."""
    return {s.name for s in expr.free_symbols}


def substitute_by_name(expr: sp.Basic, values: Mapping[str, object]) -> sp.Basic:
    """Substitute values for the symbols of ``expr`` whose names are keys of ``values``."""
    mapping = {s: sp.sympify(values[s.name]) for s in expr.free_symbols if s.name in values}
    return expr.xreplace(mapping)


def lambdify_by_name(expr: sp.Basic, names: tuple[str, ...], modules: str = "numpy"):
    """A numeric function of the named symbols (in this order); other symbols must be bound.

    >>> from rwpca.proofs.catalog import get
    >>> f = lambdify_by_name(get("rw.eigenvalue").rhs, ("n", "k"))
    >>> round(float(f(4, 2)), 12)
    0.5
    """
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
    bound = substitute_by_name(expr, {"n": n, **(params or {})})
    f = lambdify_by_name(bound, ("k",))
    k = np.arange(1, n, dtype=float)
    return np.broadcast_to(np.asarray(f(k), dtype=float), k.shape).copy()

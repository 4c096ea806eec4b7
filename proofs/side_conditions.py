"""Side conditions of the plain-walk proofs, discharged from the declared domain of k.

The proofs for symbolic n use facts that hold only for 1 <= k <= n - 1: the ratio
e^{2 pi i k / n} of the normalisation's geometric sum is not 1, and the eigenvector's first
entry cos(pi k / (2n)) is not 0. Both follow from 0 < k / n < 1. Instead of assuming that in
prose, :func:`index_cases` writes every (n, k) of the declared range as
k = lower + p, n = k + (n - upper) + q over non-negative integers p, q (the range of
:data:`~rwpca.proofs.domains.K`, 1 <= k <= n - 1, gives k = 1 + p, n = 2 + p + q), and SymPy
decides the signs of k / n and 1 - k / n from the signs of p and q.

The same certificate over a range that admits k = n fails (1 - k/n = q / (1 + p + q) is not
positive when q = 0):

>>> from rwpca.proofs.symbols import n
>>> unit_fraction_check().holds
True
>>> unit_fraction_check(upper=n).holds
False
"""

from __future__ import annotations

import sympy as sp

from rwpca.proofs.derivation import Check, as_expression
from rwpca.proofs.domains import K
from rwpca.proofs.symbols import n

#: The non-negative integers that parametrise the range of (n, k).
P = sp.Symbol("p", integer=True, nonnegative=True)
Q = sp.Symbol("q", integer=True, nonnegative=True)

#: The declared range of k (proofs/domains.py): 1 <= k <= n - 1.
LOWER = K.lower.value if K.lower is not None else sp.Integer(1)
UPPER = K.upper.value if K.upper is not None else n - 1


def index_cases(lower: sp.Expr = LOWER, upper: sp.Expr = UPPER) -> tuple[sp.Expr, sp.Expr]:
    """(k, n) over p, q >= 0 covering exactly the pairs with lower <= k <= upper(n).

    ``lower`` is a number, ``upper`` is n minus a number (n - 1 for the declared range).
    """
    lower, upper = as_expression(lower), as_expression(upper)
    offset = sp.expand(n - upper)
    if offset.free_symbols or lower.free_symbols:
        raise ValueError(
            f"the range {lower} <= k <= {upper} is not allowed: give a constant lower end and "
            "an upper end n - c"
        )
    k_case = lower + P
    return k_case, k_case + offset + Q


def unit_fraction_check(lower: sp.Expr = LOWER, upper: sp.Expr = UPPER) -> Check:
    """The check 0 < k/n < 1 over the range, decided by SymPy from p, q >= 0."""
    k_case, n_case = index_cases(lower, upper)
    fraction = k_case / n_case
    holds = bool(sp.cancel(fraction).is_positive) and bool(sp.cancel(1 - fraction).is_positive)
    return Check(
        r"0 < k/n < 1",
        f"every n, k with {lower} <= k <= {upper} is k = {k_case}, n = {n_case} for integers "
        "p, q >= 0; SymPy decides the signs of k/n and 1 - k/n from p, q >= 0",
        holds,
    )


__all__ = ["LOWER", "UPPER", "P", "Q", "index_cases", "unit_fraction_check"]

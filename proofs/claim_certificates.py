"""Symbolic certificates for a caller's eigenvalue claim about the plain walk, for every n.

A claim lambda_k = g(n, k) about the plain walk is *proven* for every n >= 2 and
1 <= k <= n - 1 when g equals the proven statement rw.eigenvalue, 1 / (2 - 2 cos(pi k / n))
(Theorems 1-3 of proofs/theorems.py), as a symbolic identity in integer n and k. Two
readings are certified, and the certificate says which one held:

* **labelled**: g(n, k) is the k-th largest eigenvalue: g - lambda_k simplifies to 0;
* **multiset**: g(n, n - k) is (the reflection k -> n - k is a bijection of 1..n-1), so the
  values g(n, 1..n-1) are the spectrum, in increasing order.

Each reading first compares the two sides at exact points of the declared domains (any
difference refutes that reading at once, :func:`~rwpca.proofs.pointwise.differ_at_points`);
only then does SymPy's simplification decide. The certificate keeps the identities tried and
what closed each one, so a reader can re-run them.

>>> import sympy as sp
>>> n, k = sp.symbols("n k")
>>> plain_eigenvalue_certificate(1 / (4 * sp.sin(sp.pi * k / (2 * n)) ** 2)).reading
'labelled'
>>> plain_eigenvalue_certificate(1 / (2 + 2 * sp.cos(sp.pi * k / n))).reading
'multiset'
>>> plain_eigenvalue_certificate(1 / (2 - 2 * sp.cos(sp.pi * k / (n + 1)))).proven
False
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from rwpca.proofs.catalog import get
from rwpca.proofs.derivation import is_zero
from rwpca.proofs.pointwise import differ_at_points
from rwpca.proofs.symbols import k, n

#: The two readings of a claim, in the order they are tried.
LABELLED = "labelled"
MULTISET = "multiset"


@dataclass(frozen=True)
class Attempt:
    """One identity tried: its statement, and what decided it."""

    identity: str
    holds: bool
    how: str


@dataclass(frozen=True)
class Certificate:
    """The outcome of a symbolic attempt: which reading (if any) is proven, and the record."""

    reading: str | None
    attempts: tuple[Attempt, ...]
    basis: str = "rw.eigenvalue (proven for every n >= 2, proofs/theorems.py)"

    @property
    def proven(self) -> bool:
        return self.reading is not None


def _by_name(claim: sp.Expr) -> sp.Expr:
    """The claim with its symbols named n and k replaced by the catalog's integer symbols."""
    names = {"n": n, "k": k}
    return claim.xreplace({s: names[s.name] for s in claim.free_symbols if s.name in names})


def _attempt(identity: str, left: sp.Expr, right: sp.Expr) -> Attempt:
    if differ_at_points(left, right):
        return Attempt(identity, False, "the two sides differ at an exact point of the domain")
    if is_zero(left - right):
        return Attempt(
            identity, True, "the difference simplifies to 0 for integer n >= 2, 1 <= k <= n - 1"
        )
    return Attempt(identity, False, "SymPy's simplification does not reduce the difference to 0")


def plain_eigenvalue_certificate(claim: sp.Expr) -> Certificate:
    """Try to prove ``claim`` (an expression in symbols named n and k) for every n.

    Returns a :class:`Certificate` whose ``reading`` is "labelled", "multiset" or None (not
    proven: the claim may still be true, the numeric check decides what it can).
    """
    if not isinstance(claim, sp.Expr):
        raise ValueError(f"the claim must be a SymPy expression, not {type(claim).__name__}")
    expr = _by_name(claim)
    if expr.free_symbols - {n, k}:
        names = sorted(s.name for s in expr.free_symbols - {n, k})
        return Certificate(
            None, (Attempt("claim in n and k only", False, f"it has symbols {names}"),)
        )
    proven = get("rw.eigenvalue").rhs
    first = _attempt(r"g(n, k) = \lambda_k", expr, proven)
    if first.holds:
        return Certificate(LABELLED, (first,))
    second = _attempt(r"g(n, n - k) = \lambda_k", expr.subs(k, n - k), proven)
    reading = MULTISET if second.holds else None
    return Certificate(reading, (first, second))


__all__ = ["LABELLED", "MULTISET", "Attempt", "Certificate", "plain_eigenvalue_certificate"]

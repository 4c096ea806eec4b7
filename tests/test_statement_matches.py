"""The catalog's statement check: exact points reject at once, only SymPy accepts.

:func:`rwpca.proofs.catalog.core.statement_matches` first compares the stated and the
derived form at a few exact points of their domains and rejects on a difference there;
forms that agree go on to the symbolic simplification. These tests show both halves: wrong
forms are rejected without the simplification being called (so a wrong trigonometric or
Chebyshev form costs a second, not minutes), true rewritings are still accepted, and
acceptance always comes from the symbolic proof.
"""

from __future__ import annotations

import pytest
import sympy as sp

from rwpca.proofs import pointwise
from rwpca.proofs.catalog import core, get
from rwpca.proofs.derive import secular
from rwpca.proofs.derive.momentum import error as momentum_error
from rwpca.proofs.derive.momentum import exact as momentum_exact
from rwpca.proofs.domains import GAMMA, K, N
from rwpca.proofs.symbols import alpha, gamma, k, n, theta

RW = get("rw.eigenvalue").rhs
MOMENTUM = get("momentum.eigenvalue").rhs
F = momentum_exact.SECULAR_FUNCTION

#: True rewritings of catalog statements: (stated, derived).
TRUE_REWRITINGS = {
    "rw: 1/(2 - 2 cos) for 1/(4 sin^2)": (1 / (2 - 2 * sp.cos(sp.pi * k / n)), RW),
    "momentum: cos(2x) = 2 cos(x)^2 - 1": (
        MOMENTUM.subs(sp.cos(2 * sp.pi * k / n), 2 * sp.cos(sp.pi * k / n) ** 2 - 1),
        MOMENTUM,
    ),
    "error law, denominator multiplied out": (
        -2
        * sp.pi**2
        * gamma**2
        * (2 - gamma**2)
        * k**2
        / (n**3 * sp.expand((1 - gamma) ** 2 * (1 - gamma**2))),
        momentum_error.ERROR_LAW,
    ),
    "momentum secular function, expanded": (
        sp.Eq(sp.expand(F), 0, evaluate=False),
        sp.Eq(F, 0, evaluate=False),
    ),
    "OU secular function, expanded": (
        sp.Eq(sp.expand(secular.CLOSED_FORM), 0, evaluate=False),
        sp.Eq(secular.CLOSED_FORM, 0, evaluate=False),
    ),
}

#: Wrong forms that differ from the derived one at generic points: (stated, derived).
WRONG_FORMS = {
    "rw: n + 1 for n": (RW.subs(n, n + 1), RW),
    "rw: k and n - k swapped": (RW.subs(k, n - k), RW),
    "momentum: gamma sign flipped": (MOMENTUM.subs(gamma, -gamma), MOMENTUM),
    "error law: twice c": (2 * momentum_error.ERROR_LAW, momentum_error.ERROR_LAW),
    "momentum secular function: gamma^2 for gamma": (
        sp.Eq(F.subs(gamma, gamma**2), 0, evaluate=False),
        sp.Eq(F, 0, evaluate=False),
    ),
    "momentum secular function: n + 1 for n": (
        sp.Eq(F.subs(n, n + 1), 0, evaluate=False),
        sp.Eq(F, 0, evaluate=False),
    ),
    "the paper's angles for the secular function": (
        sp.Eq(sp.sin(n * theta), 0, evaluate=False),
        sp.Eq(F, 0, evaluate=False),
    ),
    "OU secular function: alpha^2 for alpha": (
        sp.Eq(secular.CLOSED_FORM.subs(alpha, alpha**2), 0, evaluate=False),
        sp.Eq(secular.CLOSED_FORM, 0, evaluate=False),
    ),
}


@pytest.fixture
def symbolic_calls(monkeypatch):
    """Count the calls of the symbolic check (and still run it)."""
    calls = []
    original = core.is_zero

    def counted(expr):
        calls.append(expr)
        return original(expr)

    monkeypatch.setattr(core, "is_zero", counted)
    return calls


@pytest.mark.parametrize("name", list(TRUE_REWRITINGS))
def test_true_rewritings_are_accepted_by_the_symbolic_proof(name, symbolic_calls):
    stated, derived = TRUE_REWRITINGS[name]
    assert core.statement_matches(stated, derived)
    assert symbolic_calls, "acceptance must come from the symbolic check"


@pytest.mark.parametrize("name", list(WRONG_FORMS))
def test_wrong_forms_are_rejected_at_the_points(name, monkeypatch):
    """Rejected before any simplification: the symbolic check would fail the test."""

    def refuse(expr):
        raise AssertionError("the symbolic check was reached")

    monkeypatch.setattr(core, "is_zero", refuse)
    stated, derived = WRONG_FORMS[name]
    assert not core.statement_matches(stated, derived)


def test_the_points_never_accept(monkeypatch):
    """A mutation: with the symbolic check answering no, a true rewriting is rejected, so
    agreeing at the points is never taken for equality."""
    monkeypatch.setattr(core, "is_zero", lambda expr: False)
    stated, derived = TRUE_REWRITINGS["rw: 1/(2 - 2 cos) for 1/(4 sin^2)"]
    assert not core.differ_at_points(stated, derived)
    assert not core.statement_matches(stated, derived)


def test_a_difference_below_the_tolerance_is_left_to_the_symbolic_check(symbolic_calls):
    """1 + 10^-20 times the formula agrees to 15 digits at every point: the points cannot
    tell, and the symbolic check rejects it."""
    tiny = RW * (1 + sp.Rational(1, 10**20))
    assert not core.differ_at_points(tiny, RW)
    assert not core.statement_matches(tiny, RW)
    assert symbolic_calls


def test_unevaluable_forms_decide_nothing():
    """Sums, undefined functions and undefined values are left to the symbolic check."""
    u = sp.Function("u")
    assert not core.differ_at_points(sp.Sum(1 / k**2, (k, 1, n)), 1 / n)
    assert not core.differ_at_points(u(n), n)
    assert not core.differ_at_points(1 / sp.sin(sp.pi * n), n)


def test_the_points_lie_in_the_declared_domains():
    points = pointwise.precheck_points({n, k, gamma, theta}, count=8)
    assert points == pointwise.precheck_points({n, k, gamma, theta}, count=8)  # reproducible
    for point in points:
        assert N.contains(int(point[n]))
        assert K.contains(int(point[k]), n=int(point[n]))
        assert GAMMA.contains(point[gamma])

"""The exact momentum spectrum (secular equation) and the error law of the paper's formula.

Every check here is shown to fail on a wrong input: wrong secular equations (a sign flipped,
gamma replaced by gamma^2, n by n + 1, the paper's angles) and a wrong c(gamma) are rejected
by the derivation checks and by the numeric verification.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
import sympy as sp
from flint import arb, ctx
from hypothesis import given
from strategies import gammas, walk_sizes

from rwpca.numerics.certified import momentum_roots
from rwpca.numerics.certified.enclosures import certified_eigenvalues
from rwpca.numerics.certified.momentum_roots import (
    certify_roots,
    compile_secular,
    eigenvalue_angles,
    secular_roots,
)
from rwpca.numerics.verification.checks import momentum as momentum_check
from rwpca.numerics.verification.entries import verify_entry
from rwpca.proofs.catalog import derive_entry, get
from rwpca.proofs.derivation import DerivationError
from rwpca.proofs.derive.momentum import error as momentum_error
from rwpca.proofs.derive.momentum import exact as momentum_exact
from rwpca.proofs.derive.momentum import steps as momentum_steps
from rwpca.proofs.derive.momentum.exact import C1, C2, PARTNER, T1, T2, U1, U2
from rwpca.proofs.symbols import gamma, k, n, theta

EXACT = "momentum.eigenvalue.exact"
LAW = "momentum.eigenvalue.error"
GAMMAS = tuple(Fraction(g) for g in ("-4/5", "-3/10", "1/10", "1/2", "9/10", "99/100"))


def _in_theta(polynomial: sp.Expr) -> sp.Expr:
    """A polynomial in the Chebyshev coordinates as a function of theta (like the statement)."""
    coordinates = {
        T1: sp.cos(n * theta),
        U1: sp.sin(n * theta) / sp.sin(theta),
        T2: sp.chebyshevt(n, PARTNER),
        U2: sp.chebyshevu(n - 1, PARTNER),
    }
    return polynomial.xreplace(coordinates).xreplace({C1: sp.cos(theta), C2: PARTNER})


def filter_symbol(c, g=gamma):
    return 1 + g**2 - 2 * g * c


# wrong secular polynomials: one term's sign, gamma -> gamma^2 in one factor
SIGN_FLIPPED = momentum_exact.SECULAR_POLYNOMIAL - 2 * (C1 - C2) * (
    filter_symbol(C2) * T1 * U2 - filter_symbol(C1) * U1 * T2
)
GAMMA_SQUARED = momentum_exact.SECULAR_POLYNOMIAL.subs(
    filter_symbol(C1), filter_symbol(C1, gamma**2)
)

WRONG_STATEMENTS = {
    "a sign flipped": _in_theta(SIGN_FLIPPED),
    "gamma^2 for gamma in b_1": _in_theta(GAMMA_SQUARED),
    "gamma^2 for gamma everywhere": momentum_exact.SECULAR_FUNCTION.subs(gamma, gamma**2),
    "n + 1 for n": momentum_exact.SECULAR_FUNCTION.subs(n, n + 1),
    "the paper's angles pi k / n": sp.sin(n * theta),
}


# --------------------------------------------------------------------------------------
# the derivations


@pytest.mark.parametrize("entry_id", [EXACT, LAW])
def test_the_entries_are_derived(entry_id):
    derivation = derive_entry(get(entry_id))
    assert derivation.checks and all(c.holds for c in derivation.checks)


def test_the_secular_function_is_the_statement():
    assert get(EXACT).lhs == momentum_exact.SECULAR_FUNCTION
    assert get(EXACT).lhs == _in_theta(momentum_exact.SECULAR_POLYNOMIAL)


@pytest.mark.parametrize("wrong", [SIGN_FLIPPED, GAMMA_SQUARED], ids=["sign", "gamma^2"])
def test_a_wrong_closed_form_fails_the_determinant_check(monkeypatch, wrong):
    monkeypatch.setattr(momentum_exact, "SECULAR_POLYNOMIAL", wrong)
    with pytest.raises(DerivationError, match=r"\\det M"):
        momentum_steps.derive_momentum_secular(None)


def test_a_wrong_boundary_condition_fails_the_determinant_check(monkeypatch):
    """The centring condition xi_1 - gamma xi_2 = 0 replaced by xi_1 - xi_2 = 0."""
    name, _rule = momentum_exact.CONDITIONS[1]
    wrong = (
        name,
        lambda small, end: (
            momentum_exact.noise_term(small, 1) - momentum_exact.noise_term(small, 2)
        ),
    )
    conditions = (momentum_exact.CONDITIONS[0], wrong, *momentum_exact.CONDITIONS[2:])
    monkeypatch.setattr(momentum_exact, "CONDITIONS", conditions)
    momentum_exact.boundary_matrix.cache_clear()
    momentum_exact.boundary_determinant.cache_clear()
    try:
        with pytest.raises(DerivationError, match=r"\\det M"):
            momentum_steps.derive_momentum_secular(None)
    finally:
        momentum_exact.boundary_matrix.cache_clear()
        momentum_exact.boundary_determinant.cache_clear()


@pytest.mark.parametrize("name", list(WRONG_STATEMENTS))
def test_a_wrong_statement_is_not_derived(name):
    """The catalog refuses a statement its derivation does not give (at once: the forms
    differ at exact points, before any symbolic simplification; they are also refuted
    numerically below)."""
    entry = dataclasses.replace(get(EXACT), lhs=WRONG_STATEMENTS[name])
    with pytest.raises(DerivationError, match="not the stated"):
        derive_entry(entry)


WRONG_LAWS = {
    "twice c": 2 * momentum_error.ERROR_LAW,
    "gamma for gamma^2": momentum_error.ERROR_LAW.subs(gamma**2, gamma),
    "k^2 / n^4": momentum_error.ERROR_LAW / n,
    "no 2 - gamma^2": momentum_error.ERROR_LAW / (2 - gamma**2),
}


@pytest.mark.parametrize("name", list(WRONG_LAWS))
def test_a_wrong_error_law_is_not_derived(name):
    entry = dataclasses.replace(get(LAW), rhs=WRONG_LAWS[name])
    with pytest.raises(DerivationError, match="not the stated"):
        derive_entry(entry)


def test_a_wrong_closed_form_of_c_fails_its_check(monkeypatch):
    monkeypatch.setattr(momentum_error, "ERROR_CONSTANT", 2 * momentum_error.ERROR_CONSTANT)
    monkeypatch.setattr(momentum_error, "ERROR_LAW", 2 * momentum_error.ERROR_LAW)
    with pytest.raises(DerivationError, match="c = -"):
        momentum_error.derive_momentum_error_law(None)


def test_the_error_constant():
    """c(gamma) at the values measured before it was derived (verification of momentum.eigenvalue)."""
    law = momentum_error.ERROR_LAW
    for value, measured in ((sp.Rational(1, 2), -46.06), (sp.Rational(-3, 10), -2.21)):
        c = float(law.subs({gamma: value, k: 1, n: 1}))
        assert c == pytest.approx(measured, abs=0.01)
    assert momentum_error.ERROR_CONSTANT.subs(gamma, 0) == 0
    # the negativity certificate rejects a constant that changes sign in (-1, 1)
    assert not momentum_error._negative_on_domain(momentum_error.ERROR_CONSTANT * (1 - 2 * gamma))
    assert not momentum_error._negative_on_domain(-momentum_error.ERROR_CONSTANT)


# --------------------------------------------------------------------------------------
# roots and their certification


@pytest.mark.parametrize("value", GAMMAS, ids=str)
def test_roots_are_certified_against_q(value):
    roots = secular_roots(31, value, dps=30)
    assert roots.complete
    assert [v.state for v in certify_roots(roots)] == ["certified"] * 30


@pytest.mark.parametrize("value", [Fraction(-4, 5), Fraction(9, 10)], ids=str)
def test_roots_match_the_certified_enclosures(value):
    """1/f at the roots agrees with the Sturm-certified eigenvalue balls to 40 digits."""
    size = 40
    roots = secular_roots(size, value, dps=40)
    balls = certified_eigenvalues("momentum", size, {"gamma": value}, dps=45)
    with ctx.workprec(200):
        worst = max(
            abs(root.lam.mid() / ball.mid() - 1)
            for root, ball in zip(roots.roots, balls, strict=True)
        )
    assert worst < arb("1e-40")


@pytest.mark.parametrize("value", GAMMAS, ids=str)
def test_the_matrix_free_scan_finds_every_root(value):
    scanned = secular_roots(24, value, dps=20, seeds="scan")
    seeded = secular_roots(24, value, dps=20)
    assert scanned.complete and seeded.complete
    for a, b in zip(scanned.roots, seeded.roots, strict=True):
        assert a.theta.overlaps(b.theta)


def momentum_coefficients():
    """Momentum coefficients of the secular equation: the domain of gamma without 0 (rational,
    both signs, up to 95/100 from both ends)."""
    return gammas(min_value=Fraction(-95, 100), max_value=Fraction(95, 100)).filter(bool)


@given(momentum_coefficients(), walk_sizes(max_value=24))
def test_the_roots_are_the_spectrum(value, size):
    """For any gamma and n, every root of F_n in (0, theta_max) is certified against Q."""
    roots = secular_roots(size, value, dps=20)
    assert roots.complete
    assert all(v.state == "certified" for v in certify_roots(roots))


def test_the_band_edge_is_the_maximum_of_f():
    """theta_max = theta* for gamma < 2 sqrt 2 - 3, where f stops increasing; else pi."""
    assert momentum_roots.band_edge(Fraction(-17, 100)) == pytest.approx(3.141592653589793)
    edge = momentum_roots.band_edge(Fraction(-3, 10))
    assert edge < 3.1
    with ctx.workprec(100):
        below, above = arb(edge) - arb("1e-6"), arb(edge) + arb("1e-6")
        assert momentum_roots.symbol(below, Fraction(-3, 10)) < momentum_roots.symbol(
            arb(edge), Fraction(-3, 10)
        )
        assert momentum_roots.symbol(above, Fraction(-3, 10)) < momentum_roots.symbol(
            arb(edge), Fraction(-3, 10)
        )


def test_compile_secular_evaluates_chebyshev_and_signs():
    expr = sp.chebyshevt(n, -sp.cos(theta)) + sp.chebyshevu(n - 1, sp.cos(theta)) * (-1) ** n
    function = compile_secular(expr)
    with ctx.workprec(100):
        value = function(5, Fraction(1, 2), arb("0.3"))
        c = arb("0.3").cos()
        expected = (-c).chebyshev_t(5) - c.chebyshev_u(4)
    assert value.overlaps(expected) and value.rad() < arb("1e-25")


# --------------------------------------------------------------------------------------
# the numeric verification rejects wrong equations and laws


@pytest.mark.parametrize("name", list(WRONG_STATEMENTS))
def test_the_verifier_refutes_wrong_secular_equations(name):
    entry = dataclasses.replace(get(EXACT), lhs=WRONG_STATEMENTS[name])
    evidence = verify_entry(entry, sizes=(4, 9), dps=15)
    assert evidence.verdict == "refuted" and not evidence.passed


def test_the_verifier_certifies_the_statement():
    evidence = verify_entry(get(EXACT), sizes=(2, 3, 7), dps=20)
    assert evidence.verdict == "certified" and evidence.passed
    assert sum(r.certified for r in evidence.runs) == 6 * (1 + 2 + 6)


def test_the_paper_angles_are_refuted_as_exact():
    run = momentum_check.secular_run(momentum_check.PAPER_ANGLES, 8, Fraction(1, 2), 15)
    assert run.refuted and run.state == "refuted"


def test_the_eigenvalue_side_refutes_without_a_root_search():
    wrong = momentum_exact.SECULAR_FUNCTION.subs(gamma, gamma**2)
    states = eigenvalue_angles(9, Fraction(1, 2), range(1, 9), wrong)
    assert "refuted" in states.values()
    assert set(eigenvalue_angles(9, Fraction(1, 2), range(1, 9)).values()) == {"certified"}


LAW_SIZES = (100, 200, 400)


def test_the_error_law_converges():
    evidence = verify_entry(get(LAW), sizes=LAW_SIZES)
    assert evidence.verdict == "converges" and evidence.passed
    for conv in evidence.convergence:
        assert conv.leading_order > 1.5


@pytest.mark.parametrize("name", ["twice c", "gamma for gamma^2", "k^2 / n^4"])
def test_the_verifier_rejects_a_wrong_error_law(name):
    entry = dataclasses.replace(get(LAW), rhs=WRONG_LAWS[name])
    evidence = verify_entry(entry, sizes=LAW_SIZES)
    assert evidence.verdict == "does not converge" and not evidence.passed


# --------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((8, 0), {}, r"gamma = 0 is not allowed: the secular equation needs 0 < \|gamma\| < 1"),
        ((8, 1), {}, r"gamma = 1 is not allowed"),
        ((8, -1.5), {}, r"gamma = -3/2 is not allowed"),
        ((1, 0.5), {}, r"n = 1 is not allowed"),
        ((8, 0.5), {"seeds": "grid"}, r"seeds = 'grid' is not allowed"),
        ((8, 0.5), {"dps": 0}, r"dps"),
    ],
)
def test_bad_input_is_one_line(args, kwargs, message):
    with pytest.raises(ValueError, match=message) as caught:
        secular_roots(*args, **kwargs)
    assert "\n" not in str(caught.value)


def test_an_incomplete_set_is_not_certified():
    roots = secular_roots(8, Fraction(1, 2), dps=15)
    partial = dataclasses.replace(roots, roots=roots.roots[:-1], missing=(7,))
    with pytest.raises(ValueError, match="6 of n - 1 = 7 roots found"):
        certify_roots(partial)

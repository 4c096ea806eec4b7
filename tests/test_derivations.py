"""Derived formulas against closed forms and float eigen-decompositions of the exact matrices.

Float comparisons use tolerances from the conditioning of the problem: K's eigenvalues
span n^2/pi^2 down to 1/4, so float64 eigvalsh is accurate to about 1e-16 * n^2 relative.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
import sympy as sp

from rwpca.numerics.formulas import evaluate_eigenvalue_formula, lambdify_by_name
from rwpca.numerics.linalg import float_spectra
from rwpca.proofs.catalog import derive_entry, get
from rwpca.proofs.derivation import Check, Comparison, Derivation, DerivationError, Kind, Step
from rwpca.proofs.symbols import gamma, k, m, n


def _formula(entry_id, size, params=None):
    return evaluate_eigenvalue_formula(get(entry_id).rhs, size, params)


@pytest.mark.parametrize("size", [2, 5, 17, 64, 300])
def test_rw_eigenvalue_is_exact_at_finite_n(size):
    exact = float_spectra.eigenvalues("plain", size)
    formula = _formula("rw.eigenvalue", size)
    assert np.allclose(exact, formula, rtol=50 * np.finfo(float).eps * size**2, atol=0)


@pytest.mark.parametrize("size", [3, 8, 40])
def test_rw_eigenvector_is_exact(size):
    K = float_spectra.centred_covariance("plain", size)
    t = np.arange(1, size + 1)
    lam = _formula("rw.eigenvalue", size)
    eigenvector = lambdify_by_name(get("rw.eigenvector").rhs, ("n", "k", "t"))
    for kk in range(1, size):
        u = eigenvector(size, kk, t)
        assert abs(np.linalg.norm(u) - 1) < 1e-12
        assert np.linalg.norm(K @ u - lam[kk - 1] * u) < 1e-10 * lam[0]


def test_printed_eigenvector_convention_is_not_exact():
    size = 8
    K = float_spectra.centred_covariance("plain", size)
    t = np.arange(1, size + 1)
    v = lambdify_by_name(get("rw.eigenvector").source.printed, ("n", "k", "t"))(size, 1, t)
    lam = _formula("rw.eigenvalue", size)[0]
    assert np.linalg.norm(K @ v - lam * v) > 0.01 * lam * np.linalg.norm(v)


def test_the_printed_vector_step_fails_for_an_exact_eigenvector():
    """The step's "nonzero residual" check decides, it does not assert: handed the exact
    half-shifted cosine as the printed form, the residual is 0 and the check fails."""
    from rwpca.proofs.derive.eigenvectors import paper_vector_step
    from rwpca.proofs.symbols import t

    printed = get("rw.eigenvector").source.printed
    assert all(check.holds for check in paper_vector_step(printed).checks)
    exact = sp.cos(sp.pi * k * (t - sp.Rational(1, 2)) / n)
    nonzero, zero = paper_vector_step(exact).checks
    assert not nonzero.holds
    assert zero.holds


@pytest.mark.parametrize("size", [4, 50, 400])
def test_rw_trace_and_exact_ratio(size):
    lam = float_spectra.eigenvalues("plain", size)
    trace = float(get("rw.trace").rhs.subs(n, size))
    assert lam.sum() == pytest.approx(trace, rel=1e-12)
    rho = evaluate_eigenvalue_formula(get("rw.evr.exact").rhs, size)
    assert np.allclose(rho, lam / lam.sum(), rtol=1e-9, atol=0)


def test_rw_evr_limit_and_cumulative():
    """R_2 = 15/(2 pi^2) is typed out on purpose: a deliberate independent witness of the value."""
    rho = get("rw.evr").rhs
    assert sp.summation(rho, (k, 1, sp.oo)) == 1
    cumulative = get("rw.evr.cumulative").rhs
    assert sp.simplify(cumulative.subs(m, 2) - sp.Rational(15, 2) / sp.pi**2) == 0
    assert 0.7598 < float(cumulative.subs(m, 2)) < 0.7600  # not the poster's 80%
    exact = float_spectra.explained_variance_ratio("plain", 2000)
    assert exact[0] == pytest.approx(float(rho.subs(k, 1)), rel=1e-5)


@pytest.mark.parametrize("gamma_value", [0.3, 0.7])
def test_momentum_eigenvalue_converges(gamma_value):
    """The relative error of the leading eigenvalues shrinks as n grows (asymptotic entry)."""
    errors = []
    for size in (50, 100, 200, 400):
        exact = float_spectra.eigenvalues("momentum", size, {"gamma": gamma_value})[:3]
        formula = _formula("momentum.eigenvalue", size, {"gamma": gamma_value})[:3]
        errors.append(np.max(np.abs(exact - formula) / exact))
    assert all(b < a for a, b in itertools.pairwise(errors))
    assert errors[-1] < 1e-3


def test_momentum_trace_exact():
    trace = get("momentum.trace").rhs
    for size in (2, 7, 60):
        lam = float_spectra.eigenvalues("momentum", size, {"gamma": 0.6})
        assert lam.sum() == pytest.approx(float(trace.subs({n: size, gamma: 0.6})), rel=1e-10)


def _ou_leading_errors(size, product):
    params = {"alpha": product / size}
    exact = float_spectra.eigenvalues("ou", size, params)[0]
    return {
        name: abs(np.sort(_formula(name, size, params))[::-1][0] / exact - 1)
        for name in ("ou.eigenvalue", "ou.eigenvalue.mirror")
    }


@pytest.mark.parametrize("product", [0.001, 0.01, 0.05])
def test_ou_mirror_form_holds_when_n_alpha_small(product):
    """n alpha << 1: the mirror form's leading error is O(n alpha); the printed one is ~3/4 off."""
    errors = _ou_leading_errors(400, product)
    assert errors["ou.eigenvalue.mirror"] < product
    assert errors["ou.eigenvalue"] > 0.7


@pytest.mark.parametrize("product", [50.0, 200.0])
def test_ou_periodic_form_holds_when_n_alpha_large(product):
    """n alpha >> 1: the printed periodic form is the better one and its error is tiny."""
    errors = _ou_leading_errors(400, product)
    assert errors["ou.eigenvalue"] < 1e-3
    assert errors["ou.eigenvalue"] < errors["ou.eigenvalue.mirror"]


def test_ou_small_k_is_expansion_of_periodic_form():
    size, params = 1000, {"alpha": 0.05}
    full = _formula("ou.eigenvalue", size, params)[:5]
    small = _formula("ou.eigenvalue.small_k", size, params)[:5]
    kk = np.arange(1, 6)
    assert np.all(np.abs(small / full - 1) <= np.pi**2 * kk**2 / (3 * size**2))


# --- the derivation machinery can fail (mutation tests) ---------------------------------

MUTATIONS = {
    "rw.eigenvalue": 1 / (2 * (1 - sp.cos(2 * sp.pi * k / n))),
    "rw.trace": (n**2 + 1) / 6,
    "rw.evr": 6 / (sp.pi**2 * (k + 1) ** 2),
    "rw.evr.exact": 3 / (2 * n**2 * sp.sin(sp.pi * k / (2 * n)) ** 2),
    "momentum.eigenvalue": get("momentum.eigenvalue").rhs.subs(gamma, -gamma),
    "ou.eigenvalue.small_k": get("ou.eigenvalue.small_k").rhs.subs(k, k / 2),
}


@pytest.mark.parametrize("entry_id", sorted(MUTATIONS))
def test_derivation_rejects_a_wrong_statement(entry_id):
    entry = get(entry_id)
    mutated = dataclasses.replace(entry, rhs=MUTATIONS[entry_id])
    with pytest.raises(DerivationError, match="not the stated"):
        derive_entry(mutated)


def test_derivation_rejects_a_wrong_comparison():
    entry = get("ou.eigenvalue.mirror")
    with pytest.raises(DerivationError, match="comparison with the paper"):
        derive_entry(dataclasses.replace(entry, comparison=Kind.EQUAL))


def test_failed_check_fails_the_derivation():
    step = Step("s")
    step.check("x = y", "nothing", False)
    derivation = Derivation(sp.Integer(1), [step], Comparison(Kind.EQUAL, ""))
    with pytest.raises(DerivationError, match="x = y"):
        derivation.require()
    assert derivation.checks == [Check("x = y", "nothing", False)]


def test_every_check_of_every_derivation_holds(derivations):
    for entry_id, derivation in derivations.items():
        assert derivation.checks, f"{entry_id} checks nothing"
        assert all(check.holds for check in derivation.checks), entry_id

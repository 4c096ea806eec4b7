"""The finite-d laws: the expansion, the d = 2 integral and the bulk law, and that their
checks reject wrong forms (mutation tests)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from rwpca.numerics.laws import bulk, continuum
from rwpca.numerics.verification.checks import laws
from rwpca.numerics.verification.entries import verify_entry
from rwpca.numerics.verification.status import CheckState
from rwpca.proofs.catalog import derive_entry, get
from rwpca.proofs.derivation import DerivationError
from rwpca.proofs.derive.laws import bulk as derive_bulk
from rwpca.proofs.derive.laws import expansion as derive
from rwpca.proofs.symbols import d, k

PI2K2 = lambda kk: np.pi**2 * kk**2  # noqa: E731


def test_expansion_coefficients_match_the_exact_finite_n_ones() -> None:
    assert continuum.expansion_check(lambda kk: 31 / 20 - 12 / PI2K2(kk)).passed
    assert continuum.expansion_check(lambda kk: 14 / 5 - 24 / PI2K2(kk), "variance").passed


@pytest.mark.parametrize(
    ("coefficient", "which"),
    [
        (lambda kk: 3 / 2 - 12 / PI2K2(kk), "mean"),  # 31/20 -> 3/2
        (lambda kk: 31 / 20 - 6 / PI2K2(kk), "mean"),  # the 2 rho_k term halved
        (lambda kk: 2.0 - 24 / PI2K2(kk), "variance"),  # |rho|^2 dropped
    ],
)
def test_a_wrong_coefficient_is_rejected(coefficient, which: str) -> None:
    assert not continuum.expansion_check(coefficient, which).passed


def test_the_derivation_refuses_a_wrong_statement() -> None:
    entry = get("rw.fixed_d.expansion")
    wrong = dataclasses.replace(
        entry,
        rhs=sp.expand(derive.RHO_INF * (1 + (sp.Rational(3, 2) - 12 / (sp.pi**2 * k**2)) / d)),
    )
    with pytest.raises(DerivationError):
        derive_entry(wrong)
    derive_entry(entry)


def test_two_dimensional_value_against_simulation_and_a_wrong_value() -> None:
    """The 25-digit value agrees with 4000 draws; 0.64 (E[rho_1] = 0.82) and the paper's
    d >> n value 2 * 6/pi^2 - 1 are rejected by the same sample (bound about 0.016)."""
    value = float(laws.TWO_D_GAP)
    check = continuum.monte_carlo_check(np.array([value]), 2, 4000, seed=5, gap=True)
    assert check.passed
    bound = continuum.Z * check.standard_error[0]
    for wrong in (0.64, 12 / np.pi**2 - 1):
        assert abs(check.simulated[0] - wrong) > bound


def test_the_integrand_check_reads_the_statement() -> None:
    entry = get("rw.fixed_d.two")
    (s, *_), (t, *_) = entry.rhs.limits
    stated = sp.lambdify((t, s), entry.rhs.function, "mpmath")
    w = 2 * (t + sp.I * s)
    wrong = (
        sp.Abs(sp.sqrt(w) / sp.sinh(sp.sqrt(w))).subs(s, 0) - sp.Abs(1 / sp.cosh(sp.sqrt(w)))
    ) / s**2
    broken = sp.lambdify((t, s), wrong, "mpmath")
    for a, b in laws.INTEGRAND_POINTS:
        assert float(sp.re(stated(a, b))) == pytest.approx(laws._derived_bracket(a, b), rel=1e-10)
        assert float(sp.re(broken(a, b))) != pytest.approx(laws._derived_bracket(a, b), rel=1e-3)


def _population(u: np.ndarray) -> np.ndarray:
    return 1 / (4 * np.sin(np.pi * u / 2) ** 2)


@pytest.mark.parametrize(
    ("quantile", "ok"),
    [
        (_population, True),
        (lambda u: 4 * _population(u), False),  # 1/sin^2: the 4 dropped
        (lambda u: 1 / (4 * np.sin(np.pi * u / 2)), False),  # the square dropped
        (lambda u: np.ones_like(u), False),  # white noise, plain Marchenko-Pastur
    ],
)
def test_bulk_law_against_one_simulated_walk(quantile, ok: bool) -> None:
    """n = d = 300: the Kolmogorov tolerance 3 log(n)/n = 0.057; wrong laws are 0.13 off."""
    assert bulk.bulk_check(quantile, 300, 300, seed=0).passed is ok


def test_population_is_the_walk_spectrum() -> None:
    n = 7
    expected = bulk.walk_population(n)[:-1]
    assert np.allclose(_population(np.arange(1, n) / n), expected)


def test_bulk_carries_a_vanishing_share_of_the_variance() -> None:
    """The eigenvalues below 50 at n = d = 1000 hold under 2% of the trace."""
    values = bulk.simulated_spectrum(600, 600, seed=1)
    assert values[values < 50].sum() / values.sum() < 0.05


@pytest.mark.slow
@pytest.mark.parametrize(
    "entry_id", ["rw.fixed_d.expansion", "rw.fixed_d.two", "rw.bulk.silverstein"]
)
def test_verify_refutes_a_mutated_entry(entry_id: str) -> None:
    entry = get(entry_id)
    if entry_id == "rw.fixed_d.expansion":
        rhs = sp.expand(derive.RHO_INF * (1 + (sp.Rational(3, 2) - 12 / (sp.pi**2 * k**2)) / d))
    elif entry_id == "rw.fixed_d.two":
        rhs = entry.rhs.func(2 * entry.rhs.function, *entry.rhs.limits)
    else:
        tau = 1 / sp.sin(sp.pi * derive_bulk.u_ / 2) ** 2  # the 4 dropped
        rhs = -1 / derive_bulk.m_ + derive_bulk.c_ * sp.Integral(
            tau / (1 + tau * derive_bulk.m_), (derive_bulk.u_, 0, 1)
        )
    assert verify_entry(entry).verdict is CheckState.AGREES
    assert verify_entry(dataclasses.replace(entry, rhs=rhs)).verdict is CheckState.REFUTED


@pytest.mark.slow
def test_two_dimensional_quadrature() -> None:
    assert float(continuum.two_dimensional_gap(12)) == pytest.approx(
        float(laws.TWO_D_GAP), abs=1e-10
    )

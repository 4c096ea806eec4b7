"""The symbolic zero test of every derivation check, and the comparison with printed forms.

:func:`rwpca.proofs.derivation.is_zero` tries cheap decisions before SymPy's ``simplify``:
cancellation over the rationals, and trigonometric identities written as exponential
polynomials. Each path must prove true identities and must not prove false ones.
"""

from __future__ import annotations

import pytest
import sympy as sp

from rwpca.proofs import derivation
from rwpca.proofs.derivation import is_zero, same_form, zero_as_exponentials
from rwpca.proofs.symbols import k, n, t

X, Y = sp.symbols("x y", real=True)


@pytest.mark.parametrize(
    "identity",
    [
        sp.cos(X + Y) + sp.cos(X - Y) - 2 * sp.cos(X) * sp.cos(Y),
        sp.sin(2 * X) - 2 * sp.sin(X) * sp.cos(X),
        sp.cos(sp.pi * k * (2 * n - t) / n) - sp.cos(sp.pi * k * t / n),  # integer k
    ],
)
def test_trigonometric_identities_are_proved_as_exponentials(identity):
    assert zero_as_exponentials(identity)
    assert is_zero(identity)


@pytest.mark.parametrize(
    "wrong",
    [
        sp.cos(X + Y) + sp.cos(X - Y) - sp.cos(X) * sp.cos(Y),
        sp.cos(2 * X) - (1 - sp.sin(X) ** 2),
        sp.cos(sp.pi * k * (2 * n - t) / n) + sp.cos(sp.pi * k * t / n),
    ],
)
def test_wrong_trigonometric_identities_are_not(wrong):
    assert not zero_as_exponentials(wrong)
    assert not is_zero(wrong)


def test_a_zero_with_radicals_is_not_refused_by_cancellation():
    """cancel() does not denest radicals: a constant with nested square roots that is zero
    must go on to simplify, not be declared nonzero (the n = 4 DCT residual)."""
    a, b = sp.sqrt(sp.sqrt(2) / 4 + sp.Rational(1, 2)), sp.sqrt(sp.Rational(1, 2) - sp.sqrt(2) / 4)
    residual = -(2 - sp.sqrt(2)) * a - b + a
    assert sp.cancel(residual) != 0
    assert is_zero(residual)
    assert not is_zero(residual + sp.Rational(1, 10**12))


def test_a_rational_function_is_decided_by_cancellation(monkeypatch):
    """Over the rationals cancel() decides: simplify is never reached, either way."""
    monkeypatch.setattr(sp, "simplify", lambda *args, **kwargs: pytest.fail("simplify ran"))
    assert is_zero((X**2 - Y**2) / (X - Y) - X - Y)
    assert not is_zero((X**2 - Y**2) / (X - Y) - X + Y)


def test_forms_that_differ_at_a_point_are_told_apart_without_simplify(monkeypatch):
    monkeypatch.setattr(derivation, "is_zero", lambda expr: pytest.fail("the symbolic check ran"))
    printed = 1 / (2 * (1 - sp.cos(2 * sp.pi * k / n)))
    derived = 1 / (4 * sp.sin(sp.pi * k / (2 * n)) ** 2)
    assert not same_form(derived, printed)


def test_equal_forms_are_proved_equal():
    derived = 1 / (4 * sp.sin(sp.pi * k / (2 * n)) ** 2)
    assert same_form(derived, 1 / (2 * (1 - sp.cos(sp.pi * k / n))))


def test_a_constant_of_radicals_is_decided_by_its_minimal_polynomial(monkeypatch):
    """Both ways, exactly, without simplify: the n = 4 DCT residual is 0, and a perturbation
    of 10^-30 (far below what a 15-digit evaluation sees) is not."""
    monkeypatch.setattr(sp, "simplify", lambda *args, **kwargs: pytest.fail("simplify ran"))
    a, b = sp.sqrt(sp.sqrt(2) / 4 + sp.Rational(1, 2)), sp.sqrt(sp.Rational(1, 2) - sp.sqrt(2) / 4)
    residual = -(2 - sp.sqrt(2)) * a - b + a
    assert is_zero(residual)
    assert not is_zero(residual + sp.Rational(1, 10**30))
    assert is_zero(sp.sqrt(2) * sp.sqrt(3) - sp.sqrt(6)) and not is_zero(sp.sqrt(2) + sp.I)

"""Catalog entries rw.noise_independence and ou.distance: derived, and wrong statements rejected."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from rwpca.numerics.formulas import lambdify_by_name
from rwpca.numerics.linalg import float_spectra
from rwpca.proofs.catalog import Status, derive_entry, get
from rwpca.proofs.derivation import DerivationError, Kind
from rwpca.proofs.derive.noise_moments import expectation
from rwpca.proofs.symbols import alpha, d, kappa, n, sigma, t


def test_entries_are_declared_with_an_honest_status():
    independence = get("rw.noise_independence")
    distance = get("ou.distance")
    assert independence.status is Status.DERIVED and independence.comparison is Kind.APPROXIMATION
    assert distance.status is Status.DERIVED and distance.comparison is Kind.NOT_PRINTED
    text = " ".join(independence.notes + independence.assumptions)
    for condition in ("zero mean", "finite variance", "r_eff >> n"):
        assert condition in text


MUTATIONS = {
    "rw.noise_independence": n * (n + 1) / d,  # the kurtosis dropped
    "ou.distance": sigma**2 * (1 - (1 - alpha) ** t) / (alpha * (2 - alpha)),
}


@pytest.mark.parametrize("entry_id", sorted(MUTATIONS))
def test_derivation_rejects_a_wrong_statement(entry_id):
    mutated = dataclasses.replace(get(entry_id), rhs=MUTATIONS[entry_id])
    with pytest.raises(DerivationError, match="not the stated"):
        derive_entry(mutated)


def test_expectation_of_moment_polynomials():
    x, y = sp.symbols("x y")
    assert sp.expand(expectation(x**4, [x]) - sigma**4 * (3 + kappa)) == 0
    assert expectation(x * y**3, [x, y]) == 0
    assert sp.expand(expectation((x + y) ** 2, [x, y]) - 2 * sigma**2) == 0


def test_ou_distance_is_the_diagonal_of_the_exact_covariance():
    """E ||x_t||^2 / d (sigma = 1) = (T^-1 T^-T)_tt for the float64 step operator too."""
    size, a = 30, 0.07
    T = float_spectra.step_operator("ou", size, {"alpha": a})
    Tinv = np.linalg.inv(T)
    formula = lambdify_by_name(get("ou.distance").rhs, ("t", "alpha", "sigma"))
    values = formula(np.arange(1, size + 1), a, 1.0)
    assert np.allclose(values, np.diag(Tinv @ Tinv.T), rtol=1e-12)

"""Matrix builders against hand-worked matrices, and their algebraic properties."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from strategies import processes_with_parameters, walk_sizes

from rwpca.numerics.linalg import float_spectra
from rwpca.proofs import matrices
from rwpca.proofs.processes import get_process
from rwpca.proofs.symbols import alpha, gamma


def test_difference_and_cumulative_sum_by_hand():
    assert matrices.difference_matrix(3) == sp.Matrix([[1, 0, 0], [-1, 1, 0], [0, -1, 1]])
    assert matrices.cumulative_sum_matrix(3) == sp.Matrix([[1, 0, 0], [1, 1, 0], [1, 1, 1]])


def test_centering_by_hand():
    third = sp.Rational(1, 3)
    expected = sp.Matrix(3, 3, lambda i, c: (1 if i == c else 0) - third)
    assert matrices.centering_matrix(3) == expected


def test_momentum_operator_by_hand():
    # x_1 = xi_1; x_2 - (1 + g) x_1 = xi_2; x_3 - (1 + g) x_2 + g x_1 = xi_3
    expected = sp.Matrix([[1, 0, 0], [-(1 + gamma), 1, 0], [gamma, -(1 + gamma), 1]])
    assert (matrices.momentum_operator(3, gamma) - expected).applyfunc(sp.expand) == sp.zeros(3)


def test_ou_operator_by_hand():
    expected = sp.Matrix([[1, 0, 0], [alpha - 1, 1, 0], [0, alpha - 1, 1]])
    assert (matrices.ou_operator(3, alpha) - expected).applyfunc(sp.expand) == sp.zeros(3)


def test_circulant_by_hand():
    a, b, c = sp.symbols("a b c")
    assert matrices.circulant([a, b, c]) == sp.Matrix([[a, c, b], [b, a, c], [c, b, a]])


def test_plain_covariance_by_hand():
    # min(i, j) at n = 2 is [[1, 1], [1, 2]]; centring leaves [[1/4, -1/4], [-1/4, 1/4]]
    K = matrices.centred_covariance(matrices.difference_matrix(2))
    assert K == sp.Matrix([[1, -1], [-1, 1]]) / 4


@given(walk_sizes(max_value=9))
def test_cumulative_sum_inverts_difference(n):
    """S^-1 is the cumulative sum for every n."""
    assert matrices.difference_matrix(n) * matrices.cumulative_sum_matrix(n) == sp.eye(n)


@given(
    processes_with_parameters({"alpha": {"max_value": 1}}, max_denominator=20),
    walk_sizes(max_value=7),
)
def test_covariance_is_centred_symmetric_psd(case, n):
    """K is symmetric, annihilates the constant vector and is positive semi-definite."""
    process, params = case
    K = matrices.centred_covariance(get_process(process).step_operator(n, params))
    assert K == K.T
    assert K * sp.ones(n, 1) == sp.zeros(n, 1)
    assert min(np.linalg.eigvalsh(np.array(K, dtype=float))) > -1e-12


def test_numeric_covariance_matches_symbolic():
    for process, params in (("plain", {}), ("momentum", {"gamma": 0.25}), ("ou", {"alpha": 0.5})):
        exact = matrices.centred_covariance(
            get_process(process).step_operator(
                5, {k: sp.Rational(str(v)) for k, v in params.items()}
            )
        )
        numeric = float_spectra.centred_covariance(process, 5, params)
        assert np.allclose(np.array(exact, dtype=float), numeric, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: matrices.difference_matrix(1), "n = 1 is not allowed"),
        (lambda: matrices.centering_matrix(2.5), "n = 2.5 is not allowed"),
        (lambda: matrices.momentum_operator(4, 1), "gamma = 1 is not allowed"),
        (lambda: matrices.momentum_operator(4, -1.5), "gamma = -1.5 is not allowed"),
        (lambda: matrices.ou_operator(4, 0), "alpha = 0 is not allowed"),
        (lambda: matrices.ou_operator(4, 2), "alpha = 2 is not allowed"),
        (lambda: matrices.ou_operator(4, float("nan")), "not a finite real number"),
        (lambda: get_process("brownian"), "process 'brownian' is not known"),
        (lambda: get_process("ou").validate({"gamma": 0.5}), "parameter 'gamma' is not allowed"),
    ],
)
def test_bad_parameters_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()

"""The descent entries' checks pass on the statements and reject wrong ones (mutation tests);
the bound holds on random descent instances (Hypothesis, certified)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from rwpca.numerics.descent import contractions, descent_ratio_bound
from rwpca.numerics.descent.certify import check_ratio_bound
from rwpca.numerics.descent.verify import bound_instances, verify_bound, verify_gram, verify_limit
from rwpca.numerics.verification.plans import plan_for
from rwpca.numerics.verification.status import CheckState
from rwpca.proofs import domains
from rwpca.proofs.catalog import get
from rwpca.proofs.derive.descent.formulas import (
    CONTRACTION,
    HANKEL_LOG_RATE,
    beta,
    eta,
    i,
    q,
    s,
    x0,
)
from rwpca.proofs.symbols import d, k, n, t


def _run(check, entry, sizes):
    return check(entry, sizes, 15, plan_for(entry), False)


# --- the Gram identities -------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry_id", ["descent.gram", "descent.gram.expected", "descent.centred_gram"]
)
def test_gram_identities_hold(entry_id):
    assert _run(verify_gram, get(entry_id), (3, 5)).verdict is CheckState.EXACT


def _centred_with_mean(mean: sp.Expr) -> sp.Expr:
    term = x0[i] ** 2 * (q ** (s - 1) - mean) * (q ** (t - 1) - mean)
    return sp.Sum(term.subs(q, CONTRACTION), (i, 1, d))


@pytest.mark.parametrize(
    "wrong_mean",
    [
        (1 - q ** (n - 1)) / (n * (1 - q)),  # the mean over t = 1..n-1, off by one index
        (1 - q ** (n + 1)) / ((n + 1) * (1 - q)),  # the mean over n + 1 checkpoints
        (1 - q**n) / ((n - 1) * (1 - q)),  # divided by n - 1
    ],
)
def test_a_wrong_centred_mean_is_refuted(wrong_mean):
    wrong = dataclasses.replace(get("descent.centred_gram"), rhs=_centred_with_mean(wrong_mean))
    evidence = _run(verify_gram, wrong, (3, 4))
    assert evidence.verdict is CheckState.REFUTED


@pytest.mark.parametrize(
    "wrong",
    [
        sp.Sum(x0[i] ** 2 * CONTRACTION ** (s + t), (i, 1, d)),  # exponent s + t, not s + t - 2
        sp.Sum(x0[i] * CONTRACTION ** (s + t - 2), (i, 1, d)),  # weights x_0 instead of x_0^2
        sp.Sum(x0[i] ** 2 * (1 - eta * i**-beta / 2) ** (s + t - 2), (i, 1, d)),  # half a step
    ],
)
def test_a_wrong_gram_is_refuted(wrong):
    evidence = _run(verify_gram, dataclasses.replace(get("descent.gram"), rhs=wrong), (3,))
    assert evidence.verdict is CheckState.REFUTED


def test_a_wrong_expectation_is_refuted():
    """E x^2 = 1 is used: an expectation with weight 2 (or the squared weights) fails."""
    entry = get("descent.gram.expected")
    doubled = dataclasses.replace(entry, rhs=2 * entry.rhs)
    assert _run(verify_gram, doubled, (3,)).verdict is CheckState.REFUTED


# --- the d -> infinity limit ------------------------------------------------------------------


def test_limit_holds():
    assert _run(verify_limit, get("descent.limit"), (3, 4)).verdict is CheckState.EXACT


def _with_domain(entry, domain):
    variables = {**entry.variables, domain.name: domain.prose()}
    return dataclasses.replace(entry, domains=(domain,), variables=variables)


def test_a_wrong_convergence_condition_is_refuted():
    """beta > 1 instead of 2 beta > 1: the series converges at beta = 0.99, outside it."""
    above_one = domains.Domain(
        "beta", domains.Kind.REAL, "curvature decay", "curvature decay", domains.open_(1)
    )
    evidence = _run(verify_limit, _with_domain(get("descent.limit"), above_one), (3,))
    assert evidence.verdict is CheckState.REFUTED
    assert any("beta = 99/100" in r.note for r in evidence.runs)


def test_a_too_wide_convergence_condition_is_refuted():
    """beta > 1/4: the series diverges at beta = 1/4 + 1/100 inside it."""
    quarter = domains.Domain(
        "beta",
        domains.Kind.REAL,
        "curvature decay",
        "curvature decay",
        domains.open_(Fraction(1, 4)),
    )
    evidence = _run(verify_limit, _with_domain(get("descent.limit"), quarter), (3,))
    assert evidence.verdict is CheckState.REFUTED


def test_a_wrong_limit_series_is_refuted():
    """A series with the mean off by one index fails the partial-sum identity."""
    entry = get("descent.limit")
    wrong_mean = (1 - q ** (n - 1)) / (n * (1 - q))
    term = ((q ** (s - 1) - wrong_mean) * (q ** (t - 1) - wrong_mean)).subs(q, CONTRACTION)
    wrong = dataclasses.replace(entry, rhs=sp.Sum(term, (i, 1, sp.oo)))
    assert _run(verify_limit, wrong, (3,)).verdict is CheckState.REFUTED


# --- the ratio bound --------------------------------------------------------------------------


def _bound_with(rate: sp.Expr) -> sp.Expr:
    return sp.Min(1, 16 * sp.exp(-2 * sp.floor((k - 2) / 2) * rate))


def test_bound_holds_at_small_n():
    evidence = _run(verify_bound, get("descent.ratio_bound"), (8, 12))
    assert evidence.verdict is CheckState.CERTIFIED


@pytest.mark.parametrize(
    "rate",
    [
        4 * HANKEL_LOG_RATE,  # four times the exponent
        sp.pi**2 / 4,  # the log n dropped: a rate independent of n
    ],
    ids=["4x-exponent", "no-log-n"],
)
def test_a_bound_with_a_wrong_rate_is_refuted(rate):
    wrong = dataclasses.replace(get("descent.ratio_bound"), rhs=_bound_with(rate))
    evidence = _run(verify_bound, wrong, (12,))
    assert evidence.verdict is CheckState.REFUTED


@pytest.mark.slow
def test_twice_the_exponent_is_not_refuted_by_any_instance():
    """A documented limit of the check, not a pass: the bound is loose by more than a factor
    2 in its exponent on every instance of the plan, so twice the rate is not refuted here.
    (If an instance ever refutes it, the catalog's finding about looseness must change.)"""
    wrong = dataclasses.replace(get("descent.ratio_bound"), rhs=_bound_with(2 * HANKEL_LOG_RATE))
    assert _run(verify_bound, wrong, (16,)).verdict is CheckState.CERTIFIED


def test_the_check_refutes_a_broken_matrix():
    """The inertia check is not vacuous: a flat spectrum (identity-like) breaks the bound."""
    size = 12
    flat = [float(np.cos(np.pi * j / 7)) for j in range(size)]  # 12 spread contractions
    claimed = lambda kk: mp.mpf(10) ** -30 if kk >= 3 else mp.mpf(1)  # noqa: E731
    result = check_ratio_bound(flat, [1.0] * size, size, claimed)
    assert result.state is CheckState.REFUTED and result.first_refuted == 3


@settings(max_examples=12, deadline=None)
@given(
    size=st.integers(4, 14),
    b=st.sampled_from([0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0]),
    step=st.sampled_from([0.1, 0.5, 1.0, 1.5, 1.99]),
    dim=st.integers(1, 40),
    seed=st.integers(0, 2**16),
)
def test_bound_holds_on_random_descent(size, b, step, dim, seed):
    """rho_k / rho_1 <= descent_ratio_bound(n, k), certified, for every k of a random instance."""
    qs = contractions(dim, b, step).tolist()
    x = np.random.default_rng(seed).standard_normal(dim)
    result = check_ratio_bound(
        qs, (x * x).tolist(), size, lambda kk: mp.mpf(float(descent_ratio_bound(size, kk)))
    )
    assert result.state is CheckState.CERTIFIED


def test_instances_include_the_adversary():
    labels = [label for label, _, _ in bound_instances(10)]
    assert {"measure": "arcsine", "d": "20"} in labels

"""The certified spectrum engine: transfer determinants, determinant signs and accounting.

Each part is checked against an independent witness (the exact rational determinant,
dense mpmath eigenvalues) and shown to fail where it should: wrong claims are refuted
(a claim off by 1e-40 at 50 digits, two claims on one eigenvalue, a swapped pair read
with its labels, a shifted matrix without the zero eigenvalue), and each hypothesis of
the accounting, removed by a mutation, lets a wrong claim set through.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from flint import arb, ctx, fmpq, fmpq_mat
from hypothesis import given
from hypothesis import strategies as st

from rwpca.numerics.certified import parity, sturm
from rwpca.numerics.certified.enclosures import certified_eigenvalues
from rwpca.numerics.certified.sturm import BY_BALL_COUNTS, BY_PARITY, certify
from rwpca.numerics.linalg import reference, transfer
from rwpca.numerics.linalg.structure import centred_precision_structure
from rwpca.numerics.verification.formula.check import check_formula

n_, k_ = sp.symbols("n k")
PLAIN = 1 / (2 * (1 - sp.cos(sp.pi * k_ / n_)))

processes = st.sampled_from(["plain", "momentum", "ou"])


@st.composite
def parameters(draw, process):
    if process == "momentum":
        value = draw(
            st.fractions(min_value=Fraction(-9, 10), max_value=Fraction(9, 10), max_denominator=20)
        )
        return {"gamma": value}
    if process == "ou":
        value = draw(
            st.fractions(min_value=Fraction(1, 20), max_value=Fraction(39, 20), max_denominator=20)
        )
        return {"alpha": value}
    return {}


def _exact_det(q, x: Fraction) -> fmpq:
    dense = q.dense()
    values = [dense[i][j] - (x if i == j else 0) for i in range(q.n) for j in range(q.n)]
    return fmpq_mat(q.n, q.n, [fmpq(v.numerator, v.denominator) for v in values]).det()


def _true_claims(process, size, params, digits=45):
    values = reference.eigenvalues_mpmath(process, size, params, dps=digits)
    with ctx.workprec(200):
        return [arb(mpmath.nstr(v, digits)) for v in values]


# --- transfer determinants ---------------------------------------------------------------


@given(data=st.data())
def test_transfer_determinant_is_a_constant_multiple_of_det(data):
    """det F(x) / det(Q - x I) does not depend on x (exact rational determinants)."""
    process = data.draw(processes, label="process")
    params = data.draw(parameters(process), label="params")
    size = data.draw(st.integers(2, 30), label="n")
    q = centred_precision_structure(process, size, params)
    plan = transfer.transfer_plan(q)
    if plan is None:  # no outermost band to shoot with: OU at alpha = 1, momentum at gamma = 0
        assert (process, params) in [("ou", {"alpha": 1}), ("momentum", {"gamma": 0})]
        return
    shifts = data.draw(
        st.lists(
            st.fractions(Fraction(-1), Fraction(10), max_denominator=50),
            min_size=2,
            max_size=3,
            unique=True,
        ),
        label="shifts",
    )
    ratios = []
    with ctx.workprec(300):
        for x in shifts:
            exact = _exact_det(q, x)
            value = transfer.determinant(plan, arb(fmpq(x.numerator, x.denominator)), 300)
            if exact == 0:
                assert value.contains(0)
                continue
            ratios.append(value / arb(exact))
        for r in ratios[1:]:
            assert (r / ratios[0]).contains(1) and abs(r / ratios[0] - 1) < arb("1e-60")


@pytest.mark.parametrize(
    ("process", "params"),
    [
        ("plain", {}),
        ("momentum", {"gamma": 0.5}),
        ("momentum", {"gamma": -0.3}),
        ("ou", {"alpha": 0.1}),
        ("ou", {"alpha": 1.5}),
    ],
)
def test_closed_form_and_squaring_agree(process, params):
    """The interior power from the symbol's roots equals repeated squaring (n = 300)."""
    q = centred_precision_structure(process, 300, params)
    plan = transfer.transfer_plan(q)
    assert plan.interior is not None and plan.interior.coefficients
    balls = transfer._balls(plan, 256)
    with ctx.workprec(256):
        for x in (arb("0.0123"), arb("0.77"), arb("2.9")):
            state, final = transfer._ends(balls, x)
            closed = transfer._closed_form(plan, balls, x, state, final)
            squared = transfer._squared(plan, balls, x, state, final)
            assert closed.overlaps(squared)
            assert closed.rad() < abs(closed) * arb("1e-40")


@pytest.mark.parametrize("process", ["plain", "momentum", "ou"])
def test_float_determinant_has_the_sign_of_the_ball_one(process):
    q = centred_precision_structure(process, 200, None)
    plan = transfer.transfer_plan(q)
    xs = np.linspace(0.001, 8.5, 37)
    signs = np.sign(transfer.float_determinant(plan, xs))
    with ctx.workprec(200):
        exact = [transfer.determinant(plan, arb(float(x)), 200) for x in xs]
    assert list(signs) == [1 if e > 0 else -1 for e in exact]


def test_float_spectrum_matches_dense_eigh():
    for process, params in (
        ("plain", {}),
        ("momentum", {"gamma": -0.8}),
        ("ou", {"alpha": 1.5}),
        ("ou", {"alpha": 0.02}),
    ):
        q = centred_precision_structure(process, 300, params)
        dense = np.linalg.eigvalsh(reference.precision_float(process, 300, params))
        seeds = reference.float_spectrum(q)
        assert seeds[0] == 0 and np.all(np.diff(seeds) > 0)
        assert np.max(np.abs(seeds[1:] - dense[1:])) < 1e-12 * np.max(dense)


# --- determinant signs and accounting ----------------------------------------------------


@given(data=st.data())
def test_true_spectra_are_certified_by_determinant_signs(data):
    process = data.draw(processes, label="process")
    params = data.draw(parameters(process), label="params")
    size = data.draw(st.integers(2, 14), label="n")
    q = centred_precision_structure(process, size, params)
    verdicts = certify(q, _true_claims(process, size, params), Fraction(1, 10**30))
    assert all(v.state == "certified" for v in verdicts)
    if parity.supported(q):
        assert all(v.how == BY_PARITY for v in verdicts)


@pytest.mark.parametrize(
    ("process", "params", "size"),
    [("plain", {}, 40), ("momentum", {"gamma": 0.5}, 30), ("ou", {"alpha": 0.1}, 30)],
)
def test_a_claim_off_by_1e_minus_40_is_refuted_at_50_digits(process, params, size):
    """Every claim off by a factor 1 + 1e-40 is refuted at 50 digits, invisible at 30."""
    q = centred_precision_structure(process, size, params)
    balls = certified_eigenvalues(process, size, params, dps=60)
    with ctx.workprec(400):
        true = [b.mid() for b in balls]
        off = [t * (1 + arb(10) ** -40) for t in true]
    assert all(v.state == "certified" for v in certify(q, true, Fraction(1, 10**50), digits=50))
    assert all(v.state == "refuted" for v in certify(q, off, Fraction(1, 10**50), digits=50))
    assert all(v.state == "certified" for v in certify(q, off, Fraction(1, 10**30), digits=30))


def test_check_formula_refutes_a_formula_off_by_1e_minus_40():
    wrong = PLAIN * (1 + sp.Rational(1, 10**40))
    assert check_formula("plain", wrong, n=(7, 31), dps=35).passed
    result = check_formula("plain", wrong, n=(7, 31), dps=50)
    assert result.state == "refuted"
    assert all(run.refuted == run.n - 1 for run in result.runs)


def test_two_claims_on_one_eigenvalue_are_not_both_certified():
    """lambda_4 claimed twice and lambda_5 missing: the overlap is caught, one is refuted."""
    q = centred_precision_structure("momentum", 12, {"gamma": 0.5})
    claims = _true_claims("momentum", 12, {"gamma": 0.5})
    claims[4] = claims[3]
    verdicts = certify(q, claims, Fraction(1, 10**30))
    states = [v.state for v in verdicts]
    assert states.count("refuted") == 1 and states.count("certified") == 10
    assert verdicts[4].state == "refuted"


def test_a_claim_between_two_eigenvalues_is_refuted_and_the_rest_certified():
    q = centred_precision_structure("plain", 20)
    claims = _true_claims("plain", 20, {})
    with ctx.workprec(200):
        claims[7] = (claims[6] + claims[7]) / 2
    verdicts = certify(q, claims, Fraction(1, 10**30))
    assert [v.k for v in verdicts if v.state == "refuted"] == [8]
    assert sum(v.state == "certified" for v in verdicts) == 18
    assert verdicts[7].how == BY_BALL_COUNTS  # the even span was counted


def test_a_swapped_pair_is_refuted_when_labels_are_read():
    q = centred_precision_structure("ou", 10, {"alpha": Fraction(1, 10)})
    claims = _true_claims("ou", 10, {"alpha": Fraction(1, 10)})
    claims[2], claims[3] = claims[3], claims[2]
    radius = Fraction(1, 10**30)
    assert all(v.state == "certified" for v in certify(q, claims, radius))  # as a multiset
    labelled = certify(q, claims, radius, labelled=True)
    assert [v.k for v in labelled if v.state == "refuted"] == [3, 4]
    assert all(v.state == "certified" for v in labelled if v.k not in (3, 4))


def _shifted(q, epsilon: Fraction):
    """Q + epsilon I: no zero eigenvalue, every other eigenvalue moved up by epsilon."""
    diagonal = tuple(v + epsilon for v in q.bands[0])
    return dataclasses.replace(q, bands=(diagonal, *q.bands[1:]))


def test_the_zero_eigenvalue_is_checked_not_assumed(monkeypatch):
    """On Q + eps I the n - 1 smallest eigenvalues are an off-by-one claim set.

    Each of their intervals has a sign change, so only the check Q 1 = 0 stops the
    accounting from reading the j-th interval as mu_(j+1); forced to True, the mutant
    certifies the shifted labels.
    """
    q = _shifted(centred_precision_structure("plain", 9), Fraction(1, 7))
    assert not parity.constant_null_vector(q)
    with mpmath.mp.workdps(60):
        dense = [[mpmath.mpf(v.numerator) / v.denominator for v in row] for row in q.dense()]
        mus = sorted(mpmath.eigsy(mpmath.matrix(dense), eigvals_only=True))
    with ctx.workprec(200):
        smallest = [1 / arb(mpmath.nstr(m, 50)) for m in mus[:-1]]  # mu_1 .. mu_(n-1)
    radius = Fraction(1, 10**30)
    verdicts = certify(q, smallest, radius)
    assert all(v.state == "refuted" for v in verdicts)
    monkeypatch.setattr(parity, "constant_null_vector", lambda _q: True)
    assert all(v.state == "certified" for v in certify(q, smallest, radius))


def test_disjointness_is_checked_not_assumed(monkeypatch):
    """Two identical spans with sign changes are one eigenvalue; a mutant that drops the
    overlap checks counts it twice and certifies a claim set that misses lambda_5."""
    q = centred_precision_structure("plain", 12)
    claims = _true_claims("plain", 12, {})
    claims[4] = claims[3]
    radius = Fraction(1, 10**30)
    assert certify(q, claims, radius)[4].state == "refuted"

    def no_overlap_check(breaks, segment, inside, n, zero):
        start = breaks[segment - 1] if segment > 0 else None
        end = breaks[segment] if segment < len(breaks) else None
        low = 0 if start is None else start[1]
        high = n if end is None else end[1]
        if high - low != len(inside) + 1:
            return {}
        return {span.label: low + 1 + j for j, span in enumerate(inside, start=1)}

    monkeypatch.setattr(parity, "overlapping", lambda spans: set())
    monkeypatch.setattr(parity, "_close_segment", no_overlap_check)
    assert all(v.state == "certified" for v in certify(q, claims, radius))


def test_a_broken_determinant_sign_leaves_the_decision_to_sturm_counts(monkeypatch):
    """With every sign reported +1 no interval has a sign change: the true claims are
    then certified by ball Sturm counts alone, none by determinant signs."""
    q = centred_precision_structure("momentum", 10, {"gamma": -0.3})
    claims = _true_claims("momentum", 10, {"gamma": -0.3})
    monkeypatch.setattr(parity, "_sign", lambda plan, x, prec: 1)
    verdicts = certify(q, claims, Fraction(1, 10**30))
    assert all(v.state == "certified" and v.how == BY_BALL_COUNTS for v in verdicts)


def test_account_needs_every_eigenvalue():
    """n - 2 odd spans cannot close the count n without a Sturm count between them."""
    q = centred_precision_structure("plain", 6)
    claims = _true_claims("plain", 6, {})
    with ctx.workprec(200):
        spans, _ = sturm._spans(claims, Fraction(1, 10**30), set(range(1, 6)), False)
    odd = {s.label for s in spans}
    assert parity.account(spans, odd, [], q.n, True) == {k: k + 1 for k in range(1, 6)}
    assert parity.account(spans[1:], odd, [], q.n, True) == {}
    with ctx.workprec(200):
        point = (spans[0].hi + spans[1].lo) / 2
    assert parity.account(spans[1:], odd, [(point, 2)], q.n, True) == {
        k: k + 1 for k in range(2, 6)
    }


# --- whole spectra ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("process", "params"),
    [
        ("plain", {}),
        ("momentum", {"gamma": 0.9}),
        ("momentum", {"gamma": -0.8}),
        ("ou", {"alpha": 0.02}),
        ("ou", {"alpha": 1.9}),
    ],
)
def test_whole_spectra_contain_the_dense_values(process, params):
    size = 60
    balls = certified_eigenvalues(process, size, params, dps=50)
    dense = reference.eigenvalues_mpmath(process, size, params, dps=60)
    with ctx.workprec(300):
        for ball, value in zip(balls, dense, strict=True):
            assert ball.contains(arb(mpmath.nstr(value, 60)))
            assert ball.rad() <= ball.mid() * arb("2.1e-50")


def test_ou_at_alpha_one_takes_the_dense_path():
    q = centred_precision_structure("ou", 5, {"alpha": 1})
    assert not parity.supported(q)
    with ctx.workprec(200):
        assert all(b.contains(1) for b in certified_eigenvalues("ou", 5, {"alpha": 1}, dps=30))


def test_compiled_rationals_take_the_precision_of_the_call():
    """A rational in a formula is converted when evaluated, at the caller's precision."""
    from rwpca.numerics.arbeval import compile_arb

    third = compile_arb(sp.Rational(1, 3) + n_ - n_, ("n",))
    with ctx.workprec(300):
        value = third(5)
        assert value.rad() < arb(2) ** -290 and value.contains(arb(1) / 3)

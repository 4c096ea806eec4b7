"""Proofs carry their side conditions: discharged from the declared range 1 <= k <= n - 1,
failing on a range that admits k = n; integer powers such as (-1)^k evaluate exactly; the
proven entries' documents carry a re-runnable proof record."""

from __future__ import annotations

import sympy as sp
from flint import ctx

from rwpca.numerics.arbeval import compile_arb
from rwpca.numerics.verification.formula.check import check_formula
from rwpca.proofs.derive.eigenvectors import DCT, normalisation_step
from rwpca.proofs.side_conditions import P, Q, index_cases, unit_fraction_check
from rwpca.proofs.symbols import k, n, t
from rwpca.proofs.theorems import eigenvalue_theorem_steps, eigenvector_theorem_steps


def _failing(steps) -> list[str]:
    return [c.statement for s in steps for c in s.checks if not c.holds]


def test_the_declared_range_discharges_0_lt_k_over_n_lt_1():
    assert unit_fraction_check().holds
    assert index_cases() == (P + 1, P + Q + 2)  # k = 1 + p, n = k + 1 + q
    assert not unit_fraction_check(upper=n).holds
    assert not unit_fraction_check(lower=0).holds


def test_the_normalisation_fails_on_a_range_with_k_equal_to_n():
    """At k = n the geometric sum's ratio is 1: the closed form still 'simplifies to 0',
    but the side condition, now checked, fails."""
    assert not _failing([normalisation_step()])
    failing = _failing([normalisation_step(upper=n)])
    assert failing and "neq 1" in failing[0]


def test_the_eigenvalue_certificate_fails_at_k_equal_to_n():
    claim = 1 / (2 - 2 * sp.cos(sp.pi * k / n))
    assert not _failing(eigenvalue_theorem_steps(claim))
    assert _failing(eigenvalue_theorem_steps(claim, upper=n))


def test_the_reflected_eigenvector_is_recognised_and_k_equal_to_n_is_not():
    """(-1)^k cos(pi k (n - t + 1/2)/n) is the DCT vector (reflection t -> n + 1 - t)."""
    reflected = (-1) ** k * sp.cos(sp.pi * k * (n - t + sp.Rational(1, 2)) / n)
    steps = eigenvector_theorem_steps(reflected)
    assert not _failing(steps)
    assert steps[0].title.startswith("The claim, rewritten")
    assert _failing(eigenvector_theorem_steps(DCT, upper=n))


def test_a_wrong_eigenvector_is_still_rejected():
    shifted = sp.cos(sp.pi * k * t / n)
    assert _failing(eigenvector_theorem_steps(shifted))


def test_integer_powers_with_a_symbolic_exponent_are_exact():
    sign = compile_arb(sp.Integer(-1) ** k, ("k",))
    power = compile_arb(sp.Rational(-1, 2) ** (n - 1), ("n",))
    with ctx.workprec(64):
        assert sign(5) == -1 and sign(6) == 1
        assert power(4).is_exact() and float(power(4).mid()) == -0.125


def test_a_claim_written_with_minus_one_to_the_k_is_decided():
    n_, k_ = sp.symbols("n k")
    plain = 1 / (2 - 2 * sp.cos(sp.pi * k_ / n_))
    result = check_formula("plain", plain * (-1) ** (2 * k_), n=(3, 8))
    assert result.state == "proven"
    wrong = check_formula("plain", plain * (-1) ** k_, n=(3, 8))
    assert wrong.state == "refuted"


def test_a_proven_document_carries_its_proof_record():
    from rwpca.documents.catalog_documents import render_entry
    from rwpca.proofs.catalog import get
    from rwpca.proofs.catalog.core import derive_entry

    entry = get("rw.eigenvalue")
    derivation = derive_entry(entry)
    document = render_entry(entry, derivation)
    assert "## Proof record" in document
    assert 'derive_entry(get("rw.eigenvalue"))' in document
    assert document.count("| holds |") == len(derivation.checks)
    assert "0 < k/n < 1" in document

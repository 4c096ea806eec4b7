"""The exact finite-n theorems: each certificate proves the true statement and rejects
mutated ones (a certificate that cannot fail proves nothing)."""

from __future__ import annotations

import pytest
import sympy as sp

from rwpca.proofs import theorems as th
from rwpca.proofs import words as wd
from rwpca.proofs.catalog import CATALOG, Status, derive_entry, get
from rwpca.proofs.derive.variance import plain_eigenvalue
from rwpca.proofs.symbols import k, n, t

theta = th._theta


def holds(step) -> bool:
    return bool(step.checks) and all(c.holds for c in step.checks)


def test_pseudo_inverse_theorem_holds():
    assert holds(th.pseudo_inverse_theorem())


@pytest.mark.parametrize(
    "wrong_q",
    [
        wd.A_ - wd.A_ * wd.E_ * wd.F_ * wd.A_ / wd._n,  # centred with n instead of 1^T A 1
        wd.A_ - wd.E_ * wd.F_ / wd._n,  # subtracting the mean of A instead
        wd.A_,  # no centring at all
    ],
    ids=["normaliser n", "mean of A", "uncentred"],
)
def test_pseudo_inverse_theorem_rejects_a_wrong_q(wrong_q):
    assert not holds(th.pseudo_inverse_theorem(Q=wrong_q))


def test_rewriting_needs_its_rules():
    """Without the rule A B = I the identity Q K = C cannot be shown."""
    saved = wd.RULES
    try:
        wd.RULES = saved[1:]
        assert not wd.words_equal(wd._Q * wd._K, wd._C)
    finally:
        wd.RULES = saved
    assert wd.words_equal(wd._Q * wd._K, wd._C)


def test_path_laplacian_theorem_holds():
    assert holds(th.path_laplacian_theorem())


def test_position_cases_catch_a_wrong_boundary_row():
    """A 'Laplacian' with 2 in the last diagonal entry differs only in row n."""

    def wrong(v, size):
        down, up, first = th.shift_down(v, size), th.shift_up(v, size), th.first_corner(v, size)
        return lambda i: 2 * v(i) - down(i) - up(i) - first(i)

    failing = th.failing_positions(
        lambda i, size: th.path_laplacian(th._v, size)(i) - wrong(th._v, size)(i)
    )
    assert failing == ["i = n = 2 + q"]


def test_operator_reading_rejects_a_wrong_entry_formula():
    saved = th.ENTRIES["Z"]
    try:
        th.ENTRIES["Z"] = lambda i, j, size: sp.KroneckerDelta(i + 1, j)  # that is Z^T
        assert not th.operator_reads_entries("Z")
    finally:
        th.ENTRIES["Z"] = saved
    assert th.operator_reads_entries("Z")


def test_eigenpair_theorem_holds():
    assert holds(th.eigenpair_theorem())


@pytest.mark.parametrize(
    ("eigenvalue", "eigenvector"),
    [
        (2 - 2 * sp.cos(2 * theta), None),  # the size-n circulant
        ((2 - 2 * sp.cos(theta)) * (1 + theta**3), None),  # a small perturbation
        (4 * sp.sin(theta / 2), None),  # square missing
        (None, sp.cos(theta * t)),  # the paper's index convention
        (None, sp.sin(theta * (t - sp.Rational(1, 2)))),  # sine instead of cosine
        (None, sp.cos(theta * (t - 1))),  # shifted by a whole step
    ],
)
def test_eigenpair_theorem_rejects_wrong_pairs(eigenvalue, eigenvector):
    assert not holds(th.eigenpair_theorem(eigenvalue=eigenvalue, eigenvector=eigenvector))


@pytest.mark.parametrize(
    "claim",
    [
        1 / (2 * (1 - sp.cos(2 * sp.pi * k / n))),
        n**2 / (sp.pi**2 * k**2),
        1 / (2 * (1 - sp.cos(sp.pi * k / (n + 1)))),
    ],
)
def test_eigenvalue_steps_reject_wrong_statements(claim):
    steps = th.eigenvalue_theorem_steps(claim)
    assert not all(holds(s) for s in steps)


def test_eigenvector_steps_reject_the_printed_convention():
    entry = get("rw.eigenvector")
    amplitude, _cosine = entry.rhs.as_independent(t, as_Add=False)  # sqrt(2/n)
    steps = th.eigenvector_theorem_steps(amplitude * entry.source.printed)
    assert not all(holds(s) for s in steps)


@pytest.mark.parametrize("claim", [(n**2 + 1) / 6, n**2 / 6, (n**2 - 1) / 12])
def test_trace_theorem_rejects_wrong_traces(claim):
    assert not holds(th.trace_theorem(claim))


def test_trace_theorem_holds():
    assert holds(th.trace_theorem(get("rw.trace").rhs))


def test_evr_theorem_rejects_the_limit_as_exact():
    lam = plain_eigenvalue()  # 1 / (4 sin^2(pi k / (2n))), computed from the symbol
    trace = get("rw.trace").rhs
    assert not holds(th.evr_theorem(get("rw.evr").rhs, lam, trace))
    assert holds(th.evr_theorem(get("rw.evr.exact").rhs, lam, trace))


REQUIRED_PROVEN = ["rw.eigenvalue.exact", "rw.eigenvector.exact", "rw.trace", "rw.evr.exact"]


@pytest.mark.parametrize("name", REQUIRED_PROVEN)
def test_required_ids_are_proven_with_a_theorem(name, derivations):
    entry = get(name)
    assert entry.status is Status.PROVEN
    titles = [step.title for step in derivations[entry.id].steps]
    assert any(title.startswith("Theorem") for title in titles)


def test_every_proven_entry_carries_a_proof(derivations):
    for entry in CATALOG:
        if entry.status is Status.PROVEN:
            steps = derivations[entry.id].steps
            assert any("every n" in s.title for s in steps), entry.id


def test_aliases_resolve_to_the_proven_entries():
    assert get("rw.eigenvalue.exact") is get("rw.eigenvalue")
    assert get("rw.eigenvector.exact") is get("rw.eigenvector")


def test_proven_entry_rejects_a_mutated_statement():
    import dataclasses

    from rwpca.proofs.derivation import DerivationError

    entry = get("rw.eigenvalue")
    mutated = dataclasses.replace(entry, rhs=1 / (4 * sp.sin(sp.pi * k / (2 * (n + 1))) ** 2))
    with pytest.raises(DerivationError):
        derive_entry(mutated)

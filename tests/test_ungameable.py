"""check_formula cannot be gamed: mutants tuned to a fixed, public plan are rejected, and the
answer's words say what was shown (refuted at n, certified at n in S to D digits, proven)."""

from __future__ import annotations

import pytest
import sympy as sp

from rwpca.numerics.verification.formula.check import check_formula
from rwpca.numerics.verification.formula.claims import (
    COMPOSITE,
    DEEP_DPS,
    FIXED_SIZES,
    claim_seed,
    exact_plan,
    parameter_points,
)
from rwpca.proofs import domains

n, k = sp.symbols("n k")
gamma, alpha = sp.symbols("gamma alpha")
PLAIN = 1 / (2 * (1 - sp.cos(sp.pi * k / n)))
MOMENTUM = 1 / (
    2
    * (
        1
        + gamma
        + gamma**2
        - (1 + gamma) ** 2 * sp.cos(sp.pi * k / n)
        + gamma * sp.cos(2 * sp.pi * k / n)
    )
)
OU_PERIODIC = 1 / (1 + (1 - alpha) ** 2 - 2 * (1 - alpha) * sp.cos(2 * sp.pi * k / n))

#: 1 when 7 divides n, else 0 (a sum of cosines: evaluable in balls, no Mod or Piecewise).
SEVEN_DIVIDES = sum(sp.cos(2 * sp.pi * j * n / 7) for j in range(7)) / 7
#: Vanishes at the nine sizes the old plan tried, and nowhere else among the integers >= 2.
AT_OLD_SIZES = sp.prod([n - s for s in FIXED_SIZES]) / sp.Integer(10) ** 20

PLAIN_MUTANTS = {
    "wrong only when 7 | n": PLAIN * (1 + SEVEN_DIVIDES / 10),
    "right only at the old fixed sizes": PLAIN * (1 + AT_OLD_SIZES),
    "off by 1 + 1e-35": PLAIN * (1 + sp.Rational(1, 10**35)),
    "off by 1 + n^-100": PLAIN * (1 + n**-100),
    "k and n - k swapped": 1 / (2 + 2 * sp.cos(sp.pi * k / n)),
}


@pytest.mark.parametrize("mutant", PLAIN_MUTANTS.values(), ids=PLAIN_MUTANTS.keys())
def test_plain_mutants_are_refuted_by_the_default_plan(mutant):
    result = check_formula("plain", mutant)
    assert result.state == "refuted" and not result.passed
    assert result.message.startswith("refuted at n = ")
    assert "proven for every n >= 2 as a labelled" not in result.message


def test_the_hidden_tiny_terms_are_exposed_by_the_deep_digits():
    """1 + 1e-35 and 1 + n^-100 hide below 30 digits; the deep pass at small n finds them."""
    for mutant in (PLAIN_MUTANTS["off by 1 + 1e-35"], PLAIN_MUTANTS["off by 1 + n^-100"]):
        result = check_formula("plain", mutant)
        first = next(r for r in result.runs if r.refuted)
        assert first.digits == DEEP_DPS and first.n == 2
        assert all(not r.refuted for r in result.runs if r.digits != DEEP_DPS)


def test_the_seven_divides_mutant_passes_sizes_it_cannot_see():
    """Without a multiple of 7 the mutant is certified: the words say that is all it is."""
    result = check_formula("plain", PLAIN_MUTANTS["wrong only when 7 | n"], n=(5, 12, 16))
    assert result.state == "certified"
    assert result.message.startswith("certified at n in {5, 12, 16} to 30 digits")
    assert "not proven" in result.message and "left open" in result.message


DEFAULT_ONLY = {
    "momentum right only at the default gammas": (
        "momentum",
        MOMENTUM * (1 + (gamma - sp.Rational(1, 2)) * (gamma + sp.Rational(3, 10))),
    ),
    "OU right only at the default alphas": (
        "ou",
        OU_PERIODIC * (1 + (alpha - sp.Rational(1, 10)) * (alpha - sp.Rational(3, 2))),
    ),
}


@pytest.mark.parametrize(("process", "mutant"), DEFAULT_ONLY.values(), ids=DEFAULT_ONLY.keys())
def test_default_parameter_mutants_do_not_converge(process, mutant):
    result = check_formula(process, mutant, exact=False, labels="multiset")
    assert result.state == "does not converge" and not result.passed


def test_the_true_limits_converge_over_the_whole_default_plan():
    assert check_formula("momentum", MOMENTUM, exact=False).state == "converges"
    assert check_formula("ou", OU_PERIODIC, exact=False, labels="multiset").passed


def test_the_periodic_ou_form_is_not_a_labelled_claim():
    """Its values come in pairs k, n - k: label by label it is not the spectrum."""
    result = check_formula("ou", OU_PERIODIC, exact=False, n=(200, 400, 800))
    assert not result.passed and "label by label" in result.message


def test_proven_only_from_a_symbolic_certificate():
    """A true momentum claim is never 'proven' (there is no certificate); the plain one is."""
    plain = check_formula("plain", PLAIN, n=(3, 8))
    assert plain.state == "proven" and plain.certificate is not None
    assert plain.certificate.reading == "labelled"
    numeric = check_formula("ou", sp.Integer(1), params={"alpha": 1}, n=(3, 8))
    assert numeric.state == "certified" and numeric.certificate is None
    assert "proven" not in numeric.message.split(";")[0]


def test_the_plan_is_reproducible_and_depends_on_the_claim():
    seed = claim_seed("plain", PLAIN)
    assert seed == claim_seed("plain", PLAIN)
    assert exact_plan(seed) == exact_plan(claim_seed("plain", PLAIN))
    plan = exact_plan(seed)
    assert set(FIXED_SIZES) < set(plan.sizes) and COMPOSITE in plan.sizes
    assert all(domains.N.contains(s) for s in plan.sizes)
    others = {exact_plan(claim_seed("plain", PLAIN * (1 + n**-j))).drawn for j in range(1, 6)}
    assert len(others) > 1


@pytest.mark.parametrize("exact", [True, False])
def test_the_parameters_cover_both_ends_of_the_domain(exact):
    for process, domain in (("momentum", domains.GAMMA), ("ou", domains.ALPHA)):
        points = parameter_points(process, claim_seed(process, PLAIN), exact=exact)
        drawn = [p[domain.name] for p in points]
        lo, hi = domain.ends()
        assert lo is not None and hi is not None
        assert min(drawn) - lo <= (hi - lo) / 10 and hi - max(drawn) <= (hi - lo) / 10
        assert all(domain.contains(v) for v in drawn)


def test_labels_are_validated():
    with pytest.raises(ValueError, match="labels = 'sorted' is not allowed"):
        check_formula("plain", PLAIN, n=(3,), labels="sorted")


# --- the catalog's own verification reads each eigenvalue entry as it is declared ----------


def _verify(entry, sizes=None, dps=None):
    from rwpca.numerics.verification.checks.eigenvalues import verify_eigenvalue
    from rwpca.numerics.verification.plans import plan_for

    plan = plan_for(entry)
    return verify_eigenvalue(entry, sizes or plan.sizes, dps or plan.dps, plan, False)


def test_verify_compares_a_labelled_entry_by_label():
    """rw.eigenvalue with k and n - k swapped is the same multiset: only labels refute it."""
    import dataclasses

    from rwpca.numerics.verification.status import CheckState
    from rwpca.proofs.catalog import get

    entry = get("rw.eigenvalue")
    from rwpca.proofs.symbols import k as k_
    from rwpca.proofs.symbols import n as n_

    swapped = dataclasses.replace(entry, rhs=entry.rhs.subs(k_, n_ - k_))
    assert swapped.rhs != entry.rhs
    evidence = _verify(swapped, sizes=(5, 8, 13), dps=20)
    assert evidence.data["compared"] == "labelled"
    assert evidence.verdict is CheckState.REFUTED
    assert _verify(entry, sizes=(5, 8, 13), dps=20).verdict is CheckState.CERTIFIED


def test_a_multiset_entry_records_where_its_labels_fail():
    """ou.eigenvalue is declared as the spectrum; read by label it fails for alpha > 1."""
    from rwpca.numerics.verification.evidence import FindingKind
    from rwpca.numerics.verification.status import CheckState
    from rwpca.proofs.catalog import get

    evidence = _verify(get("ou.eigenvalue"), sizes=(100, 200, 400, 800))
    assert evidence.data["compared"] == "multiset"
    assert evidence.verdict is CheckState.CONVERGES
    finding = next(f for f in evidence.findings if f.kind is FindingKind.LABELLED)
    assert finding.verdict is CheckState.NOT_CONVERGING
    assert finding.data["failing"] == ["alpha = 3/2", "alpha = 19/10"]

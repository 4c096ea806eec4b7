"""Every catalog statement is finite, and of its quantity's sign, on its whole declared domain;
the verification plans sample each parameter near both ends of that domain."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from flint import arb, ctx
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import values

from rwpca.numerics.arbeval import compile_arb
from rwpca.numerics.verification.plans import PLANS, plan_for
from rwpca.proofs import domains
from rwpca.proofs.catalog import CATALOG, Entry, Quantity, get
from rwpca.proofs.domains import Domain

#: The sign each kind of statement must have (+1 positive, -1 at most 0, 0 finite only).
SIGNS = {
    Quantity.EIGENVALUE: 1,
    Quantity.TRACE: 1,
    Quantity.EVR: 1,
    Quantity.CUMULATIVE: 1,
    Quantity.DISTANCE: 1,
    Quantity.NOISE: 1,
    Quantity.ERROR_LAW: -1,
    Quantity.EIGENVECTOR: 0,
}
#: Largest n drawn (the domain of n is unbounded; the formulas are evaluated in balls).
MAX_N = 400


def _checked_entries() -> list[Entry]:
    out = []
    for entry in CATALOG:
        names = {s.name for s in entry.rhs.free_symbols}
        if entry.quantity in SIGNS and names and names <= set(domains.DOMAINS):
            out.append(entry)
    return out


CHECKED = _checked_entries()


def _point(entry: Entry, domain_of) -> st.SearchStrategy[dict[str, object]]:
    """A point of the entry's domain: n first, then the parameters bounded by it."""
    names = [s.name for s in entry.rhs.free_symbols]

    @st.composite
    def point(draw) -> dict[str, object]:
        context: dict[str, object] = {}
        size = draw(values(domains.N, max_value=MAX_N))
        if "n" in names or any(domain_of(x).depends_on for x in names):
            context["n"] = size
        for name in sorted(names, key=lambda x: (bool(domain_of(x).depends_on), x)):
            if name == "n":
                continue
            domain: Domain = domain_of(name)
            bound = {"n": size} if domain.depends_on else {}
            context[name] = draw(values(domain, **bound))
        return {name: context[name] for name in names}

    return point()


def _value(entry: Entry, point: dict[str, object]) -> arb:
    names = tuple(point)
    function = compile_arb(entry.rhs, names)
    with ctx.workprec(200):
        return function(*(point[name] for name in names))


def _holds(entry: Entry, point: dict[str, object]) -> bool:
    value = _value(entry, point)
    if not value.is_finite():
        return False
    sign = SIGNS[entry.quantity]  # type: ignore[index]
    if sign > 0:
        return bool(value > 0)
    if sign < 0:
        return bool(value <= 0)
    return True


def test_the_checked_entries_cover_every_eigenvalue_statement():
    ids = {e.id for e in CHECKED}
    for entry in CATALOG:
        if entry.quantity is Quantity.EIGENVALUE:
            assert entry.id in ids


@pytest.mark.parametrize("entry", CHECKED, ids=lambda e: e.id)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_finite_and_of_the_right_sign_on_the_declared_domain(entry, data):
    """The statement's value at any point of its declared domain is finite with its sign."""
    point = data.draw(_point(entry, entry.domain))
    assert _holds(entry, point), (entry.id, point, _value(entry, point))


def test_the_small_k_form_fails_on_the_range_the_paper_states():
    """Mutation: ou.eigenvalue.small_k over 0 < alpha < 2 (the paper's range) is negative."""
    entry = get("ou.eigenvalue.small_k")
    assert entry.domain("alpha") is domains.ALPHA_BELOW_ONE
    assert not _holds(entry, {"n": 50, "k": 17, "alpha": Fraction(3, 2)})
    assert _holds(entry, {"n": 50, "k": 16, "alpha": Fraction(3, 2)})
    assert not domains.ALPHA_BELOW_ONE.contains(Fraction(3, 2))
    assert domains.ALPHA.contains(Fraction(3, 2))


def test_the_property_finds_the_failure_of_the_wider_domain():
    """The same property, drawn over the paper's alpha domain, finds a negative value."""
    entry = get("ou.eigenvalue.small_k")
    wide = {"alpha": domains.ALPHA}

    found: list[dict[str, object]] = []

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(data=st.data())
    def search(data):
        point = data.draw(_point(entry, lambda name: wide.get(name) or entry.domain(name)))
        if not _holds(entry, point):
            found.append(point)
        assert _holds(entry, point)

    with pytest.raises(AssertionError):
        search()
    assert found and all(p["alpha"] > 1 for p in found)


def test_a_restricted_domain_must_describe_its_variable():
    from rwpca.proofs.catalog.core import CatalogError, Entry

    base = get("ou.eigenvalue.small_k")
    with pytest.raises(CatalogError, match="restricted domain"):
        Entry(
            **{
                **{f: getattr(base, f) for f in base.__dataclass_fields__},
                "variables": {**base.variables, "alpha": domains.ALPHA.prose()},
            }
        )


def _parameter_values(entry: Entry) -> dict[str, list[Fraction]]:
    plan = plan_for(entry)
    out: dict[str, list[Fraction]] = {}
    for params in plan.params or ():
        for name, value in params.items():
            out.setdefault(name, []).append(Fraction(value))
    return out


@pytest.mark.parametrize("entry_id", sorted(i for i in PLANS if PLANS[i].params), ids=lambda i: i)
def test_plans_sample_the_parameter_domain_near_both_ends(entry_id):
    """A plan with parameters has one in each outer tenth of the domain and one inside."""
    entry = get(entry_id)
    for name, drawn in _parameter_values(entry).items():
        lo, hi = entry.domain(name).ends()
        assert lo is not None and hi is not None
        width = hi - lo
        assert min(drawn) - lo <= width / 10, (entry_id, name, drawn)
        assert hi - max(drawn) <= width / 10, (entry_id, name, drawn)
        assert any(lo + width / 10 < v < hi - width / 10 for v in drawn), (entry_id, drawn)


def test_the_regimes_name_the_corrected_conditions():
    assert "min(alpha, 2 - alpha)" in get("ou.eigenvalue").regime.description
    assert "1 - |gamma|" in get("momentum.eigenvalue").regime.description
    assert "2 sqrt 2 - 3" in get("momentum.eigenvalue").regime.description
    assert "alpha < 1" in get("ou.eigenvalue.small_k").regime.description


def test_the_regime_findings_are_derived():
    from rwpca.proofs.catalog.core import derive_entry

    text = " ".join(derive_entry(get("momentum.eigenvalue")).findings)
    assert "2 sqrt 2 - 3" in text and "1 - |gamma|" in text
    assert "0 < alpha < 1" in " ".join(derive_entry(get("ou.eigenvalue.small_k")).findings)
    assert "min(alpha, 2 - alpha)" in " ".join(derive_entry(get("ou.eigenvalue")).findings)


def test_the_momentum_threshold_is_derived_not_typed():
    from rwpca.proofs.derive.regimes import momentum_order_step

    step, threshold = momentum_order_step()
    assert all(c.holds for c in step.checks)
    assert sp.simplify(threshold - (2 * sp.sqrt(2) - 3)) == 0

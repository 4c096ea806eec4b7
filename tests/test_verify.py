"""check_formula and the certified engine: true forms pass, plausible wrong forms fail.

The certified comparison has no tolerance to tune: an exact claim passes only if every
eigenvalue is certified within relative 10^-dps, so the small sizes used here (n <= 16)
already separate a perturbation of relative size 1/n^3 from the truth. Limits are judged
by the fitted order over three sizes (threshold 0.5, far from both the true orders 1-3
and the zero order of a wrong constant).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from flint import arb, ctx
from hypothesis import given
from hypothesis import strategies as st
from strategies import process_parameters, processes, walk_sizes

from rwpca.numerics.certified import sturm
from rwpca.numerics.certified.sturm import certify
from rwpca.numerics.linalg import reference
from rwpca.numerics.linalg.structure import centred_precision_structure, exact_trace, to_fraction
from rwpca.numerics.verification.formula.check import check_formula, fitted_order
from rwpca.proofs.processes import get_process

# The formulas below are typed out on purpose, as a user of check_formula would type them:
# with assumption-free symbols (matched by name) and from the paper, not read from the
# catalog. They are deliberate independent witnesses that the catalog's statements verify.
n, k = sp.symbols("n k")
gamma, alpha = sp.symbols("gamma alpha")
half = sp.Rational(1, 2)

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
OU_MIRROR = 1 / (1 + (1 - alpha) ** 2 - 2 * (1 - alpha) * sp.cos(sp.pi * k / n))
OU_SMALL_K = 1 / (4 * sp.pi**2 * k**2 * (1 - alpha) / n**2 + alpha**2)

SIZES = (3, 7, 16)

TRUE_FORMS = {
    "1/(2(1 - cos))": PLAIN,
    "1/(4 sin^2)": 1 / (4 * sp.sin(sp.pi * k / (2 * n)) ** 2),
    "csc^2 / 4": sp.csc(sp.pi * k / (2 * n)) ** 2 / 4,
    "(1 + cot^2) / 4": (1 + sp.cot(sp.pi * k / (2 * n)) ** 2) / 4,
    "Float 0.5 factor": sp.Float(0.5) / (1 - sp.cos(sp.pi * k / n)),
}


@pytest.mark.parametrize("formula", TRUE_FORMS.values(), ids=TRUE_FORMS.keys())
def test_equivalent_true_forms_are_certified(formula):
    """True forms are certified at every size and proven by the symbolic certificate."""
    result = check_formula("plain", formula, n=SIZES, dps=20)
    assert result.passed and result.state == "proven"
    assert result.message.startswith("proven for every n >= 2 as a labelled claim")
    assert all(run.certified == run.checked == run.n - 1 for run in result.runs)


def test_the_values_with_k_and_n_minus_k_swapped_are_the_spectrum_but_not_its_labels():
    """1/(2 + 2 cos(pi k/n)) is lambda_{n-k}: refuted label by label, proven as a multiset."""
    swapped = 1 / (2 + 2 * sp.cos(sp.pi * k / n))
    labelled = check_formula("plain", swapped, n=SIZES, dps=20)
    assert labelled.state == "refuted" and labelled.labels == "labelled"
    assert "label by label" in labelled.message and "as a multiset claim" in labelled.message
    multiset = check_formula("plain", swapped, n=SIZES, dps=20, labels="multiset")
    assert multiset.state == "proven" and "multiset" in multiset.message


WRONG_EXACT = {
    # plain walk
    "factor 2 off": ("plain", 1 / (1 - sp.cos(sp.pi * k / n))),
    "cos(2 pi k/n)": ("plain", 1 / (2 * (1 - sp.cos(2 * sp.pi * k / n)))),
    "k shifted by one": ("plain", 1 / (2 * (1 - sp.cos(sp.pi * (k + 1) / n)))),
    "k shifted by half": ("plain", 1 / (2 * (1 - sp.cos(sp.pi * (k - half) / n)))),
    "n + 1 for n": ("plain", 1 / (2 * (1 - sp.cos(sp.pi * k / (n + 1))))),
    "n - 1 for n": ("plain", 1 / (2 * (1 - sp.cos(sp.pi * k / (n - 1))))),
    "1 + 1/n^3": ("plain", PLAIN * (1 + 1 / n**3)),
    "1 + 1e-15": ("plain", PLAIN * (1 + sp.Rational(1, 10**15))),
    "plus 1/n^5": ("plain", PLAIN + 1 / n**5),
    "asymptotic n^2/(pi^2 k^2) as exact": ("plain", n**2 / (sp.pi**2 * k**2)),
    "sin for cos": ("plain", 1 / (2 * (1 - sp.sin(sp.pi * k / n)))),
    "square missing": ("plain", 1 / (4 * sp.sin(sp.pi * k / (2 * n)))),
    "sign flipped": ("plain", 1 / (2 * (1 + sp.cos(sp.pi * k / n))) + 1 / n),
    # momentum (gamma = 1/2 and -3/10 by default)
    "momentum paper form as exact": ("momentum", MOMENTUM),
    "momentum gamma sign flipped": ("momentum", MOMENTUM.subs(gamma, -gamma)),
    "momentum (1 - gamma)^2 for (1 + gamma)^2": (
        "momentum",
        1
        / (
            2
            * (
                1
                + gamma
                + gamma**2
                - (1 - gamma) ** 2 * sp.cos(sp.pi * k / n)
                + gamma * sp.cos(2 * sp.pi * k / n)
            )
        ),
    ),
    "momentum plain formula": ("momentum", PLAIN),
    # Ornstein-Uhlenbeck (alpha = 1/10 and 3/2 by default)
    "OU periodic (paper) as exact": ("ou", OU_PERIODIC),
    "OU mirror as exact": ("ou", OU_MIRROR),
    "OU alpha and 1 - alpha swapped": ("ou", OU_MIRROR.subs(alpha, 1 - alpha)),
    "OU small-k form as exact": ("ou", OU_SMALL_K),
    "OU plain formula": ("ou", PLAIN),
}


@pytest.mark.parametrize(("process", "formula"), WRONG_EXACT.values(), ids=WRONG_EXACT.keys())
def test_wrong_exact_formulas_are_refuted(process, formula):
    result = check_formula(process, formula, n=SIZES, dps=20)
    assert not result.passed
    assert result.state == "refuted"
    first = next(run for run in result.runs if run.refuted)
    assert first.first_refuted is not None


def test_at_least_twenty_wrong_formulas():
    assert len(WRONG_EXACT) >= 20


def test_precision_decides_a_tiny_perturbation():
    """1 + 10^-25 is invisible at 20 digits and refuted at 30."""
    formula = PLAIN * (1 + sp.Rational(1, 10**25))
    assert check_formula("plain", formula, n=(5,), dps=20).passed
    assert check_formula("plain", formula, n=(5,), dps=30).state == "refuted"


LIMIT_SIZES = (40, 80, 160)


@pytest.mark.parametrize(
    ("process", "formula", "order"),
    [
        ("plain", n**2 / (sp.pi**2 * k**2), 2.0),
        ("momentum", MOMENTUM, 3.0),
        ("plain", PLAIN, None),  # exact: an error below the certification radius
    ],
    ids=["plain asymptotic", "momentum", "exact claimed as limit"],
)
def test_true_limits_converge(process, formula, order):
    result = check_formula(process, formula, exact=False, n=LIMIT_SIZES, params=None)
    assert result.passed
    if order is None:
        assert result.state == "exact"
    else:
        # the order is k^2 / n^3 at the process's own sets; the sets near the ends of the
        # domain (also drawn by default) are still in their boundary layer at these n
        defaults = len(get_process(process).check_sets)
        for conv in result.convergence[:defaults]:
            assert abs(conv.leading_order - order) < 0.3


def test_ou_periodic_form_converges_at_fixed_alpha():
    result = check_formula("ou", OU_PERIODIC, exact=False, n=(200, 400, 800), params={"alpha": 0.5})
    assert result.passed and result.state == "converges"


@pytest.mark.parametrize(
    ("process", "formula", "params"),
    [
        ("plain", 1.01 * n**2 / (sp.pi**2 * k**2), None),
        ("plain", n**2 / (sp.pi**2 * (k + 1) ** 2), None),
        ("plain", 1 / (2 * (1 - sp.cos(2 * sp.pi * k / n))), None),
        ("momentum", MOMENTUM.subs(gamma, -gamma), {"gamma": 0.5}),
        ("ou", OU_MIRROR.subs(alpha, 1 - alpha), {"alpha": 0.1}),
    ],
    ids=["factor 1.01", "k + 1", "cos(2 pi k/n)", "gamma flipped", "alpha swapped"],
)
def test_wrong_limits_do_not_converge(process, formula, params):
    result = check_formula(process, formula, exact=False, n=LIMIT_SIZES, params=params)
    assert not result.passed and result.state == "does not converge"


def test_limit_path_for_the_mirror_form():
    """n alpha -> 0 along alpha = 1/n^2: the mirror form converges with order 1."""
    result = check_formula(
        "ou",
        OU_MIRROR,
        exact=False,
        n=LIMIT_SIZES,
        params=lambda size: {"alpha": Fraction(1, size**2)},
    )
    assert result.passed
    assert abs(result.convergence[0].leading_order - 1) < 0.1


def test_fitted_order():
    sizes = [10, 20, 40]
    assert fitted_order(sizes, [1 / s**2 for s in sizes]) == pytest.approx(2)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"process": "plain", "formula": PLAIN, "n": 1}, "n = 1 is not allowed"),
        (
            {"process": "plain", "formula": PLAIN, "n": (5,), "ks": (5,)},
            "k = 5 is not allowed at n = 5",
        ),
        ({"process": "plain", "formula": PLAIN, "n": (5,), "ks": (0,)}, "k = 0 is not allowed"),
        (
            {"process": "momentum", "formula": MOMENTUM, "params": {"gamma": 1}},
            "gamma = 1 is not allowed",
        ),
        ({"process": "momentum", "formula": MOMENTUM, "params": {"gamma": -1.5}}, "|gamma| < 1"),
        ({"process": "ou", "formula": OU_MIRROR, "params": {"alpha": 0}}, "0 < alpha < 2"),
        ({"process": "ou", "formula": OU_MIRROR, "params": {"alpha": 2.5}}, "0 < alpha < 2"),
        ({"process": "plain", "formula": PLAIN, "dps": 2}, "dps = 2 is not allowed"),
        ({"process": "plain", "formula": PLAIN, "dps": 5000}, "dps = 5000 is not allowed"),
        ({"process": "plain", "formula": PLAIN + sp.Symbol("x")}, "unbound symbol 'x'"),
        ({"process": "plain", "formula": "1/(2*(1-cos(pi*k/n)))"}, "SymPy expression"),
        ({"process": "brownian", "formula": PLAIN}, "process 'brownian' is not known"),
        ({"process": "plain", "formula": PLAIN, "exact": False, "n": (10, 20)}, "at least 3 sizes"),
    ],
)
def test_bad_input_is_one_line_value_error(kwargs, fragment):
    kwargs = dict(kwargs)
    process, formula = kwargs.pop("process"), kwargs.pop("formula")
    with pytest.raises(ValueError) as info:
        check_formula(process, formula, **kwargs)
    message = str(info.value)
    assert fragment in message and "\n" not in message


def test_to_fraction_reads_floats_as_decimals():
    assert to_fraction(0.1) == Fraction(1, 10)
    with pytest.raises(ValueError, match="not a finite"):
        to_fraction(float("nan"))
    with pytest.raises(ValueError, match="give a number"):
        to_fraction("0.1")


# --- the certified engine ------------------------------------------------------------------


#: Exact parameters on a grid of denominator 20, inside |gamma| <= 9/10 and 1/20 <= alpha <= 39/20.
RANGES = {
    "gamma": {"min_value": Fraction(-9, 10), "max_value": Fraction(9, 10)},
    "alpha": {"min_value": Fraction(1, 20), "max_value": Fraction(39, 20)},
}


def exact_parameters(process):
    return process_parameters(process, RANGES, max_denominator=20)


@given(data=st.data())
def test_certify_agrees_with_dense_mpmath(data):
    """Claims equal to the mpmath eigenvalues are certified; claims off by 1e-6 are refuted."""
    process = data.draw(processes(), label="process")
    params = data.draw(exact_parameters(process), label="params")
    size = data.draw(walk_sizes(max_value=14), label="n")
    values = reference.eigenvalues_mpmath(process, size, params, dps=40)
    q = centred_precision_structure(process, size, params)
    with ctx.workprec(150):
        exact = [arb(mpmath.nstr(v, 45)) for v in values]
        off = [x * (1 + arb("1e-6")) for x in exact]
    assert all(v.state == "certified" for v in certify(q, exact, Fraction(1, 10**25)))
    assert all(v.state == "refuted" for v in certify(q, off, Fraction(1, 10**9)))


@given(data=st.data())
def test_float_and_ball_paths_agree(data):
    process = data.draw(processes(), label="process")
    params = data.draw(exact_parameters(process), label="params")
    size = data.draw(walk_sizes(max_value=40), label="n")
    estimates = reference.eigenvalues_float(process, size, params)
    claims = [arb(float(x)) for x in estimates * (1 + 3e-7)]
    q = centred_precision_structure(process, size, params)
    fast = [v.state for v in certify(q, claims, 1e-9)]
    slow = [v.state for v in certify(q, claims, 1e-9, use_floats=False)]
    assert fast == slow == ["refuted"] * (size - 1)


def test_a_broken_sturm_count_is_caught(monkeypatch):
    """If the count were off by one, the true plain formula would not be certified."""
    real = sturm.float_counts

    def off_by_one(q, shifts, progress=False):
        counts, decided = real(q, shifts, progress)
        return counts + 1, decided

    monkeypatch.setattr(sturm, "float_counts", off_by_one)
    result = check_formula("plain", PLAIN, n=(6,), dps=8)
    assert not result.passed


def test_exact_trace_matches_dense():
    for process, params in (("plain", {}), ("momentum", {"gamma": 0.3}), ("ou", {"alpha": 1.2})):
        for size in (2, 5, 9):
            K = reference.covariance_mpmath(process, size, params, dps=30)
            with mpmath.mp.workdps(40):
                dense = mpmath.fsum(K[i, i] for i in range(size))
                exact = exact_trace(process, size, params)
                assert abs(dense - mpmath.mpf(exact.numerator) / exact.denominator) < 1e-25


def test_interval_float_counts_cover_the_rounding():
    """Shifts at an exact eigenvalue (mu = 1 for the plain walk at n = 3) stay undecided."""
    q = centred_precision_structure("plain", 3)  # eigenvalues of Q: 0, 1, 3
    counts, decided = sturm.float_counts(q, np.array([1.0, 0.5, 2.0]))
    assert not decided[0]
    assert list(counts[1:]) == [1, 2] and decided[1:].all()


# --- certified enclosures of whole spectra -------------------------------------------------


@given(data=st.data())
def test_enclosures_contain_the_dense_mpmath_spectrum(data):
    """Every ball of certified_eigenvalues contains the eigsy value (40 digits)."""
    from rwpca.numerics.certified.enclosures import certified_eigenvalues

    process = data.draw(processes(), label="process")
    params = data.draw(exact_parameters(process), label="params")
    size = data.draw(st.integers(2, 12), label="n")
    balls = certified_eigenvalues(process, size, params, dps=30)
    reference_values = reference.eigenvalues_mpmath(process, size, params, dps=45)
    with ctx.workprec(200):
        for ball, value in zip(balls, reference_values, strict=True):
            assert ball.contains(arb(mpmath.nstr(value, 45)))
            assert ball.rad() <= ball.mid() * arb("2.1e-30")


@pytest.mark.parametrize("size", [2, 3, 9])
def test_ou_at_alpha_one_has_no_band_and_is_still_certified(size):
    """alpha = 1 makes T = I (no sub-diagonal) and K = C: every nonzero eigenvalue is 1.

    Found by the dev Hypothesis profile: the Sturm counts once assumed a sub-diagonal band.
    """
    from rwpca.numerics.certified.enclosures import certified_eigenvalues

    params = {"alpha": Fraction(1)}
    with ctx.workprec(200):
        assert all(b.contains(1) for b in certified_eigenvalues("ou", size, params, dps=30))
    assert check_formula("ou", sp.Integer(1), params=params, n=(size,)).state == "certified"
    wrong = sp.Integer(1) + 1 / sp.Symbol("n") ** 3
    assert check_formula("ou", wrong, params=params, n=(size,)).state == "refuted"


def test_enclosures_refuse_to_certify_a_wrong_refinement(monkeypatch):
    from rwpca.numerics.certified import enclosures

    real = enclosures._refine
    monkeypatch.setattr(
        enclosures, "_refine", lambda *args, **kwargs: real(*args, **kwargs) * (1 + arb("1e-20"))
    )
    with pytest.raises(enclosures.EnclosureError, match="could not certify"):
        enclosures.certified_eigenvalues("plain", 6, dps=30)

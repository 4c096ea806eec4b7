"""The d -> infinity limit of the expected centred Gram matrix for h_i = i^-beta.

Each coordinate contributes (q_i^(s-1) - m_i)(q_i^(t-1) - m_i) to E[C G C]_{st}. The slow
coordinates (h_i -> 0 as i -> infinity) barely move: q^(t-1) ~ 1 - (t-1) eta h and
m ~ 1 - (n-1) eta h / 2, so their centred coordinate is a *linear drift*
-eta h (t - (n+1)/2), and the contribution is eta^2 h_i^2 (s - (n+1)/2)(t - (n+1)/2) to
leading order. By the limit comparison test the series over i converges iff
sum_i h_i^2 = sum_i i^-2beta does, that is iff 2 beta > 1; for 2 beta <= 1 the diagonal
entries (all but the middle one at odd n) diverge, the drift direction dominating the
centred PCA more and more as d grows.
"""

from __future__ import annotations

import sympy as sp

from rwpca.proofs.derivation import Comparison, Derivation, Kind, Step, is_zero, takes_printed_form
from rwpca.proofs.derive.descent.formulas import (
    DRIFT,
    EXPECTED_CENTRED_TERM,
    LIMIT_GRAM,
    beta,
    eta,
    h,
    i,
    q,
    s,
)
from rwpca.proofs.symbols import n, t

_COMPARISON = Comparison(
    Kind.NOT_PRINTED,
    "Not in the paper, which compares neural-network trajectories with random walks only.",
)


def drift_coefficients(size: int, step: sp.Expr) -> list[list[list[sp.Expr]]]:
    """The polynomial in h of each entry of one coordinate's expected centred Gram matrix at
    n = ``size`` and eta = ``step``: coefficients [c_0, c_1, c_2, ...] per (s, t). The entry
    is a polynomial (m = (1 - q^n)/(n (1 - q)) is a sum of powers of q), so this is exact."""
    qq = 1 - step * h
    mean = sp.expand(sum(qq**r for r in range(size)) / size)
    out = []
    for a in range(1, size + 1):
        row = []
        for b in range(1, size + 1):
            entry = sp.expand((qq ** (a - 1) - mean) * (qq ** (b - 1) - mean))
            row.append(sp.Poly(entry, h).all_coeffs()[::-1])
        out.append(row)
    return out


@takes_printed_form
def derive_descent_limit(printed: sp.Basic | None) -> Derivation:
    """lim_{d -> oo} E[C G C]_{st} = sum_{i >= 1} E-term, convergent iff 2 beta > 1."""
    drift = Step(
        "Slow coordinates drift linearly",
        "Expand one coordinate's contribution in its curvature h (q = 1 - eta h) at symbolic "
        "n, s, t. The constant and linear terms vanish; the quadratic term is the outer product "
        "of the linear drift t - (n+1)/2 with itself:",
    )
    term = EXPECTED_CENTRED_TERM.subs(q, 1 - eta * h)
    lead = sp.factor(sp.simplify(sp.series(term, h, 0, 3).removeO()))
    drift.show(r"(q^{s-1}-m)(q^{t-1}-m)", lead, note="+ O(h^3)")
    drift.check(
        r"\lim_{h\to 0} h^{-2}(q^{s-1}-m)(q^{t-1}-m) = \eta^2 (s - \tfrac{n+1}{2})(t - \tfrac{n+1}{2})",
        "SymPy series in h to order h^3, symbolic n, s, t, eta",
        is_zero(sp.expand(lead - DRIFT * h**2)),
    )
    size = 5
    coefficients = drift_coefficients(size, eta)
    drift.check(
        r"c_0 = c_1 = 0,\ c_2 = \text{drift}",
        f"the exact polynomial in h at n = {size}, every s, t, symbolic eta",
        all(
            is_zero(c[0])
            and is_zero(c[1])
            and is_zero(c[2] - DRIFT.subs({n: size, s: a + 1, t: b + 1}))
            for a, row in enumerate(coefficients)
            for b, c in enumerate(row)
        ),
    )
    series = Step(
        "The series over the coordinates converges iff 2 beta > 1",
        "With h_i = i^-beta the i-th term behaves like eta^2 (s - (n+1)/2)(t - (n+1)/2) i^-2beta "
        "as i -> infinity. On the diagonal the terms are squares, nonnegative, and at s = t = 1 "
        "the coefficient (n-1)^2 / 4 is positive for n >= 2, so by the limit comparison test "
        "the diagonal series converges iff sum_i i^-2beta does; off the diagonal "
        "|K_st| <= sqrt(K_ss K_tt) (Cauchy-Schwarz, term by term). SymPy sums the comparison "
        "series and returns its condition:",
    )
    comparison = sp.summation(i ** (-2 * beta), (i, 1, sp.oo))
    series.show(r"\sum_{i=1}^\infty i^{-2\beta}", comparison)
    condition = comparison.args[0][1] if isinstance(comparison, sp.Piecewise) else None
    series.check(
        r"\sum_i i^{-2\beta} = \zeta(2\beta) \text{ exactly when } \beta > 1/2",
        "the first branch of SymPy's summation and its condition",
        condition is not None
        and condition == (beta > sp.Rational(1, 2))
        and comparison.args[0][0] == sp.zeta(2 * beta),
    )
    mean_series = sp.series((1 - (1 - eta * h) ** n) / (n * eta * h), h, 0, 2).removeO()
    ratio = sp.expand((1 - mean_series) / h)
    series.check(
        r"(1 - m)/h \to \eta (n-1)/2",
        "SymPy series in h at symbolic n: the mean itself drifts linearly",
        is_zero(ratio - eta * (n - 1) / 2),
    )
    series.show(
        r"\lim_{d\to\infty}\mathbb{E}[CGC]_{st}",
        LIMIT_GRAM,
        lead="For beta > 1/2 every entry converges absolutely, and the limit is the series:",
    )
    return Derivation(
        LIMIT_GRAM,
        [drift, series],
        _COMPARISON,
        findings=[
            "For 2 beta <= 1 the expected centred Gram matrix has no limit as d grows: its "
            "diagonal grows like eta^2 (t - (n+1)/2)^2 sum_{i<=d} i^-2beta (like log d at "
            "beta = 1/2, d^(1 - 2 beta) below), all in the one drift direction t - (n+1)/2, "
            "so rho_1 -> 1 with d.",
        ],
    )


__all__ = ["derive_descent_limit", "drift_coefficients"]

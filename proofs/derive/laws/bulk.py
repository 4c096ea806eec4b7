"""The population law of the walk and Silverstein's equation of the proportional limit."""

from __future__ import annotations

import sympy as sp

from rwpca.proofs.derivation import Comparison, Derivation, Kind, Step, is_zero, takes_printed_form
from rwpca.proofs.symbols import n

u_ = sp.Symbol("u", positive=True)
c_ = sp.Symbol("c", positive=True)
m_ = sp.Symbol("m")
x_ = sp.Symbol("x", positive=True)

#: The population quantile function of the plain walk: tau(u) = 1 / (4 sin^2(pi u / 2)).
POPULATION = 1 / (4 * sp.sin(sp.pi * u_ / 2) ** 2)
#: Silverstein's equation for the companion Stieltjes transform m of X^T X / d, n / d = c.
SILVERSTEIN = -1 / m_ + c_ * sp.Integral(POPULATION / (1 + POPULATION * m_), (u_, 0, 1))


@takes_printed_form
def derive_bulk_law(printed: sp.Basic | None) -> Derivation:
    """The population law of the walk and the Silverstein equation of the proportional limit."""
    one = Step(
        "The population",
        "X X^T / d = B G G^T B^T / d is a sample covariance of d samples with population "
        "Sigma = B B^T, whose eigenvalues are the centred walk's lambda_k = 1/(4 sin^2(pi k / "
        "(2n))), k = 1..n-1 (catalog rw.eigenvalue.exact) and 0. With k = n u their empirical "
        "law tends to H = law of tau(U) = 1/(4 sin^2(pi U / 2)), U uniform.",
    )
    one.show(r"\tau(u)", POPULATION)
    exact_at = [sp.nsimplify(POPULATION.subs(u_, sp.Rational(q, n_))) for q, n_ in ((1, 3), (1, 2))]
    one.check(
        r"\tau(1/3) = 1,\ \tau(1/2) = 1/2",
        "the k-th eigenvalue of n = 3 and n = 2 walks at u = k/n",
        exact_at == [1, sp.Rational(1, 2)],
    )
    two = Step(
        "H has no mean: the leading eigenvalues are spikes",
        "tau(u) ~ 1/(pi u)^2 at u -> 0, so int tau dH diverges and P(tau > x) = (2/pi) "
        "arcsin(1/(2 sqrt x)) ~ 1/(pi sqrt x). The eigenvalues below a level x carry about "
        "n int_{tau < x} tau dH ~ 2 n sqrt(x) / pi of the trace (n^2 - 1)/6: a share that "
        "vanishes as n -> infinity. The leading lambda_k ~ (2n/(pi k))^2 are outliers; their "
        "ratios keep the fixed-d expansion (rw.fixed_d.expansion) with O(1/d) corrections.",
    )
    mean = sp.integrate(POPULATION, (u_, 0, 1))
    two.check(r"\int_0^1 \tau(u)\,du = \infty", "sympy.integrate", mean == sp.oo)
    tail = sp.limit(sp.sqrt(x_) * 2 / sp.pi * sp.asin(1 / (2 * sp.sqrt(x_))), x_, sp.oo)
    two.check(
        r"\sqrt{x}\,P(\tau > x) \to 1/\pi",
        "sympy.limit of the exact tail",
        is_zero(tail - 1 / sp.pi),
    )
    share = sp.limit((2 * n * sp.sqrt(x_) / sp.pi) / ((n**2 - 1) / 6), n, sp.oo)
    two.check(r"\text{bulk share} \to 0", "sympy.limit at fixed x", share == 0)
    three = Step(
        "Silverstein's equation",
        "For a population law H and n/d -> c, the empirical spectral law of X X^T / d "
        "converges almost surely to the law whose Stieltjes transform is m(z) = (m_(z) + (1 - c)"
        " / z) / c, where m_ (that of X^T X / d) is the unique solution with Im m_ > 0 of the "
        "equation below (Silverstein 1995; Silverstein & Bai 1995). It needs no moment of H: "
        "tau / (1 + tau m_) -> 1/m_. Here it is applied, not derived; numerics.laws.bulk "
        "solves it and `rwpca verify` compares it with simulation.",
    )
    three.show("z", SILVERSTEIN)
    check_integrand = sp.limit(POPULATION / (1 + POPULATION * m_), u_, 0)
    three.check(
        r"\tau/(1+\tau m) \to 1/m \text{ at } u \to 0",
        "sympy.limit: the integral converges although H has no mean",
        is_zero(check_integrand - 1 / m_),
    )
    return Derivation(
        SILVERSTEIN,
        [one, two, three],
        Comparison(Kind.NOT_PRINTED, "The paper treats d >> n only (c -> 0)."),
    )

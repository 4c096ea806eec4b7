"""Derivations of the fixed-d and proportional laws of a random walk's spectrum.

- :func:`derive_fixed_d_expansion`: the large-d expansion of E[rho_k] in the continuum
  (n -> infinity first), from the second-order perturbation formula of
  :mod:`rwpca.numerics.walks.finite_d` with lambda_j = 1/j^2, every sum done by SymPy.
- :func:`derive_two_dimensional_gap`: E[rho_1 - rho_2] at d = 2 as a double integral.
- :func:`derive_bulk_law`: the population law H of the walk and Silverstein's equation.
"""

from __future__ import annotations

import sympy as sp

from rwpca.proofs.derivation import Comparison, Derivation, Kind, Step, is_zero, takes_printed_form
from rwpca.proofs.symbols import d, j, k, n

_N = sp.Symbol("N", integer=True, positive=True)
t_, s_ = sp.symbols("t s", positive=True)
u_ = sp.Symbol("u", positive=True)
c_ = sp.Symbol("c", positive=True)
m_ = sp.Symbol("m")
x_ = sp.Symbol("x", positive=True)

#: The continuum ratios rho_k = 6 / (pi^2 k^2) (the paper's n -> infinity limit).
RHO_INF = 6 / (sp.pi**2 * k**2)
#: The 1/d coefficients of the mean and of the variance of rho_k / rho_k^inf.
MEAN_COEFFICIENT = sp.Rational(31, 20) - 12 / (sp.pi**2 * k**2)
VARIANCE_COEFFICIENT = sp.Rational(14, 5) - 24 / (sp.pi**2 * k**2)
EXPANSION = RHO_INF * (1 + MEAN_COEFFICIENT / d)


def _phi(t: sp.Expr, s: sp.Expr) -> sp.Expr:
    w = 2 * (t + sp.I * s)
    return sp.Abs(sp.sqrt(w) / sp.sinh(sp.sqrt(w)))


#: E[rho_1 - rho_2] at d = 2, n -> infinity.
TWO_D_GAP = sp.Integral((_phi(t_, 0) - _phi(t_, s_)) / s_**2, (s_, 0, sp.oo), (t_, 0, sp.oo))
#: The population quantile function of the plain walk: tau(u) = 1 / (4 sin^2(pi u / 2)).
POPULATION = 1 / (4 * sp.sin(sp.pi * u_ / 2) ** 2)
#: Silverstein's equation for the companion Stieltjes transform m of X^T X / d, n / d = c.
SILVERSTEIN = -1 / m_ + c_ * sp.Integral(POPULATION / (1 + POPULATION * m_), (u_, 0, 1))


@takes_printed_form
def derive_fixed_d_expansion(printed: sp.Basic | None) -> Derivation:
    """E[rho_k] = 6/(pi^2 k^2) (1 + (31/20 - 12/(pi^2 k^2)) / d + O(d^-2)), n -> infinity first."""
    lam = 1 / j**2
    one = Step(
        "Continuum weights",
        "As n -> infinity the centred walk's eigenvalues, rescaled, tend to lambda_j = 1/j^2 "
        "(catalog rw.evr: rho_j = 6 / (pi^2 j^2)); their sums:",
    )
    total = sp.summation(lam, (j, 1, sp.oo))
    norm2 = sp.simplify(sp.summation((lam / total) ** 2, (j, 1, sp.oo)))
    one.show(r"\sum_j \lambda_j", total)
    one.show(r"|\rho|^2 = \sum_j \rho_j^2", norm2)
    one.check(r"|\rho|^2 = 2/5", "SymPy summation (zeta(4) = pi^4/90)", norm2 == sp.Rational(2, 5))
    two = Step(
        "The coupling sum",
        "The second-order term sum_{j != k} lambda_j / (lambda_k - lambda_j) with lambda_j = "
        "1/j^2 is k^2 sum_{j != k} 1/(j^2 - k^2). By partial fractions, 1/(j^2 - k^2) = "
        "(1/(2k)) (1/(j - k) - 1/(j + k)); the partial sum to N in harmonic numbers is "
        "(H_{N-k} - H_{k-1} - H_{N+k} + H_k + 1/(2k)) / (2k), and H_{N-k} - H_{N+k} -> 0 "
        "(it is minus 2k terms each below 1/(N-k)).",
    )
    term = sp.simplify(lam / ((1 / k**2) - lam))
    two.check(
        r"\frac{\lambda_j}{\lambda_k-\lambda_j} = \frac{k^2}{j^2-k^2}",
        "simplify of the difference is 0",
        is_zero(term - k**2 / (j**2 - k**2)),
    )
    fractions = sp.apart(1 / (j**2 - k**2), j)
    two.check(
        r"\frac{1}{j^2-k^2} = \frac{1}{2k}\left(\frac{1}{j-k}-\frac{1}{j+k}\right)",
        "sympy.apart",
        is_zero(fractions - (1 / (j - k) - 1 / (j + k)) / (2 * k)),
    )
    limit = (sp.harmonic(k) - sp.harmonic(k - 1) + 1 / (2 * k)) / (2 * k)
    coupling_sum = sp.simplify(sp.expand_func(limit))
    two.show(r"\sum_{j\ne k}\frac{1}{j^2-k^2}", coupling_sum)
    two.check(
        r"\sum_{j\ne k}\frac{1}{j^2-k^2} = \frac{3}{4k^2}",
        "H_k - H_{k-1} = 1/k, simplified",
        is_zero(coupling_sum - sp.Rational(3, 4) / k**2),
    )
    direct = [
        sp.summation(1 / (j**2 - q**2), (j, 1, q - 1))
        + sp.summation(1 / (j**2 - q**2), (j, q + 1, sp.oo))
        for q in (1, 2, 3)
    ]
    two.check(
        r"\text{the same for } k = 1, 2, 3 \text{ by direct summation}",
        "SymPy summation of the infinite series",
        all(is_zero(v - sp.Rational(3, 4) / q**2) for v, q in zip(direct, (1, 2, 3), strict=True)),
    )
    three = Step(
        "The expansion",
        "The perturbation formula (Gaussian steps, kappa = 0): E[rho_hat_k / rho_k] - 1 = "
        "(1/d) [sum_{j != k} lambda_j / (lambda_k - lambda_j) - 2 rho_k + 2 |rho|^2] and "
        "Var[rho_hat_k / rho_k] = (2/d) (1 - 2 rho_k + |rho|^2). With the sums above:",
    )
    rho = RHO_INF
    mean = sp.simplify(k**2 * coupling_sum - 2 * rho + 2 * norm2)
    variance = sp.simplify(2 * (1 - 2 * rho + norm2))
    three.show(r"d\,(\mathbb{E}[\rho_k]/\rho_k^\infty - 1)", mean)
    three.show(r"d\,\operatorname{Var}[\rho_k/\rho_k^\infty]", variance)
    three.check(
        r"\text{mean coefficient} = \tfrac{31}{20} - \tfrac{12}{\pi^2k^2}",
        "simplify of the difference is 0",
        is_zero(mean - MEAN_COEFFICIENT),
    )
    three.check(
        r"\text{variance coefficient} = \tfrac{14}{5} - \tfrac{24}{\pi^2k^2}",
        "simplify of the difference is 0",
        is_zero(variance - VARIANCE_COEFFICIENT),
    )
    result = sp.expand(rho * (1 + mean / d))
    return Derivation(
        result,
        [one, two, three],
        Comparison(
            Kind.APPROXIMATION,
            "The paper's 6/(pi^2 k^2) is the d -> infinity limit of this expansion; at finite d "
            "E[rho_k] is larger for k = 1 (the 1/d coefficient is 0.334 for k = 1, 1.246 for "
            "k = 2, 1.415 for k = 3).",
        ),
        findings=[
            "The paper's rho_k = 6/(pi^2 k^2) needs d >> n; at fixed d, E[rho_1] exceeds it: "
            "E[rho_1] = 1 at d = 1, 0.79625 at d = 2 (exact), and about 6/pi^2 (1 + 0.334/d) "
            "for large d."
        ],
    )


@takes_printed_form
def derive_two_dimensional_gap(printed: sp.Basic | None) -> Derivation:
    """E[rho_1 - rho_2] at d = 2 (n -> infinity) as a convergent double integral."""
    a, b, c, x1, y1, x2, y2, l1, l2 = sp.symbols(
        "a b c x_1 y_1 x_2 y_2 lambda_1 lambda_2", real=True
    )
    one = Step(
        "The gap as |V| / S",
        "For d = 2, M = [[a, b], [b, c]] with a = sum lambda_j x_j^2, b = sum lambda_j x_j y_j, "
        "c = sum lambda_j y_j^2. Its eigenvalue gap is sqrt((a - c)^2 + 4 b^2) and its trace "
        "a + c; with z_j = x_j + i y_j, V = sum lambda_j z_j^2 has real part a - c and "
        "imaginary part 2 b, so rho_1 - rho_2 = |V| / S, S = sum lambda_j |z_j|^2.",
    )
    first, second = list(sp.Matrix([[a, b], [b, c]]).eigenvals())
    one.check(
        r"(\mu_1-\mu_2)^2 = (a-c)^2+4b^2",
        "eigenvalues of the symbolic 2 x 2 matrix",
        is_zero(sp.expand((first - second) ** 2 - ((a - c) ** 2 + 4 * b**2))),
    )
    V = sp.expand(l1 * (x1 + sp.I * y1) ** 2 + l2 * (x2 + sp.I * y2) ** 2)
    one.check(
        r"\operatorname{Re}V = a-c,\ \operatorname{Im}V = 2b",
        "expansion for two terms",
        is_zero(sp.re(V) - (l1 * (x1**2 - y1**2) + l2 * (x2**2 - y2**2)))
        and is_zero(sp.im(V) - 2 * (l1 * x1 * y1 + l2 * x2 * y2)),
    )
    two = Step(
        "Two integral representations",
        "1/S = int_0^inf exp(-t S) dt, and for v in R^2, |v| = (1/(2 pi)) int (1 - cos(s.v)) "
        "|s|^-3 d^2s (polar coordinates: the angular integral is 2 pi (1 - J_0(r|v|)), and "
        "int_0^inf (1 - J_0(u)) u^-2 du = 1). By rotation invariance (z_j -> e^(i theta) z_j "
        "turns V by 2 theta and fixes S) the average over the direction of s is that along "
        "the real axis, so E|V|/S = int_0^inf dt int_0^inf ds s^-2 (phi(t, 0) - phi(t, s)), "
        "phi(t, s) = E exp(-t S + i s Re V).",
    )
    uu = sp.Symbol("u", positive=True)
    # by parts (J_0' = -J_1, the boundary terms vanish): int (1 - J_0) u^-2 = int J_1 / u
    bessel = sp.integrate(sp.besselj(1, uu) / uu, (uu, 0, sp.oo))
    two.check(
        r"\int_0^\infty \frac{1-J_0(u)}{u^2}\,du = \int_0^\infty \frac{J_1(u)}{u}\,du = 1",
        "by parts, then sympy.integrate",
        is_zero(bessel - 1),
    )
    three = Step(
        "The characteristic function",
        "One term: x, y ~ N(0, 1), exponent -t lambda (x^2 + y^2) + i s lambda (x^2 - y^2); "
        "E exp(-q x^2) = (1 + 2 q)^(-1/2) for Re q > 0 (computed for real q > 0, continued "
        "analytically), with q = lambda (t - i s) for x and lambda (t + i s) for y:",
    )
    q = sp.Symbol("q", positive=True)
    xg = sp.Symbol("x", real=True)
    gauss = sp.integrate(sp.exp(-q * xg**2 - xg**2 / 2), (xg, -sp.oo, sp.oo)) / sp.sqrt(2 * sp.pi)
    three.check(
        r"\mathbb{E}e^{-qx^2} = (1+2q)^{-1/2}",
        "sympy.integrate of the Gaussian",
        is_zero(sp.simplify(gauss - 1 / sp.sqrt(1 + 2 * q))),
    )
    lam = sp.Symbol("lambda", positive=True)
    product = sp.expand((1 + 2 * lam * (t_ - sp.I * s_)) * (1 + 2 * lam * (t_ + sp.I * s_)))
    three.show(
        r"(1+2\lambda(t-is))(1+2\lambda(t+is))",
        product,
        note="so phi = prod_j ((1 + 2 lambda_j t)^2 + 4 lambda_j^2 s^2)^(-1/2)",
    )
    three.check(
        r"\text{product} = (1+2\lambda t)^2+4\lambda^2s^2",
        "expansion",
        is_zero(product - ((1 + 2 * lam * t_) ** 2 + 4 * lam**2 * s_**2)),
    )
    four = Step(
        "The Euler product",
        "For lambda_j = 1/(pi j)^2, prod_j (1 + w lambda_j) = sinh(sqrt w) / sqrt w (Euler's "
        "product for sinh), so with w = 2 (t + i s), phi = |sqrt w / sinh sqrt w|. Its first "
        "Taylor coefficients in w are the elementary symmetric sums of the lambda_j:",
    )
    wv = sp.Symbol("w")
    series = sp.series(sp.sinh(sp.sqrt(wv)) / sp.sqrt(wv), wv, 0, 3).removeO()
    e1 = sp.summation(1 / (sp.pi * j) ** 2, (j, 1, sp.oo))
    e2 = (e1**2 - sp.summation(1 / (sp.pi * j) ** 4, (j, 1, sp.oo))) / 2
    four.check(
        r"[w^1] = \sum_j \lambda_j = 1/6,\ [w^2] = e_2(\lambda) = 1/120",
        "series of sinh(sqrt w)/sqrt w against SymPy summations",
        is_zero(series.coeff(wv, 1) - e1) and is_zero(series.coeff(wv, 2) - e2),
    )
    four.show(r"\mathbb{E}[\rho_1-\rho_2]", TWO_D_GAP)
    four.text = (
        four.text + " Convergence: at s -> 0 the bracket is O(s^2); at s -> infinity phi decays "
        "like exp(-sqrt(s)); at t -> infinity phi(t, 0) ~ 2 sqrt(2t) exp(-sqrt(2t)). "
        "Since rho_1 + rho_2 = 1, E[rho_1] = (1 + this) / 2."
    )
    return Derivation(
        TWO_D_GAP,
        [one, two, three, four],
        Comparison(Kind.NOT_PRINTED, "The paper treats d >> n only; it prints no fixed-d law."),
        findings=[
            "At d = 2, E[rho_1] = 0.79625499879892739551 (mpmath, 25 digits; "
            "numerics.laws.continuum), against the paper's 6/pi^2 = 0.6079."
        ],
    )


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

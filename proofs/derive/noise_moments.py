"""Derivations about the noise: when R R^T -> I holds, and the OU walk's distance from the origin.

Expectations are computed symbolically from the moments of one noise coordinate:
independent coordinates with E xi = 0, E xi^2 = sigma^2, E xi^3 = mu_3 and
E xi^4 = sigma^4 (3 + kappa) (kappa the excess kurtosis). :func:`expectation` expands a
polynomial in independent variables into monomials and replaces each power by its
moment, so every identity below is the result of that computation, not typed in. Exact
enumeration over small discrete laws (random signs, a three-point law) checks the results
independently of the expansion.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import sympy as sp

from rwpca.proofs import matrices
from rwpca.proofs.derivation import (
    Comparison,
    Derivation,
    Kind,
    Step,
    is_zero,
    limit_at_infinity,
    takes_printed_form,
)
from rwpca.proofs.symbols import alpha, d, kappa, n, sigma, t

mu3 = sp.Symbol("mu_3", real=True)
_m = sp.Symbol("m", real=True)  # a nonzero mean per coordinate
_j = sp.Symbol("j", integer=True, nonnegative=True)


def moment(power: int) -> sp.Expr:
    """E xi^power for one zero-mean noise coordinate (powers 0..4)."""
    return {0: sp.Integer(1), 1: sp.Integer(0), 2: sigma**2, 3: mu3, 4: sigma**4 * (3 + kappa)}[
        power
    ]


def expectation(
    expr: sp.Expr, variables: Sequence[sp.Symbol], moments: Callable[[int], sp.Expr] = moment
) -> sp.Expr:
    """E[expr] for independent ``variables`` with E v^p = moments(p).

    >>> x, y = sp.symbols("x y")
    >>> expectation((x * y) ** 2, [x, y])
    sigma**4
    """
    poly = sp.Poly(sp.expand(expr), *variables)
    total = sp.Integer(0)
    for powers, coefficient in poly.terms():
        term = coefficient
        for power in powers:
            term *= moments(power)
        total += term
    return sp.expand(total)


def _gaussian_moment(scale: sp.Expr) -> Callable[[int], sp.Expr]:
    """Moments of N(0, scale): 0, scale, 0, 3 scale^2."""
    return lambda p: {0: sp.Integer(1), 1: 0, 2: scale, 3: 0, 4: 3 * scale**2}[p]


# --- rw.noise_independence -------------------------------------------------------------------


def _frobenius_by_enumeration(
    values: Sequence[sp.Rational], weights: Sequence[sp.Rational], rows: int, cols: int
) -> sp.Expr:
    """E ||R R^T / (d s2) - I||_F^2 over every R with i.i.d. entries from a discrete law.

    Exact rational arithmetic (Python's Fraction: the same numbers as SymPy's Rational, at
    a fraction of the cost per operation).
    """
    vs = [Fraction(int(v.p), int(v.q)) for v in map(sp.Rational, values)]
    ws = [Fraction(int(w.p), int(w.q)) for w in map(sp.Rational, weights)]
    scale = cols * sum(w * v**2 for v, w in zip(vs, ws, strict=True))
    total = Fraction(0)
    for pattern in itertools.product(range(len(vs)), repeat=rows * cols):
        R = [[vs[pattern[r * cols + c]] for c in range(cols)] for r in range(rows)]
        probability = math.prod((ws[i] for i in pattern), start=Fraction(1))
        entries = [
            sum((a * b for a, b in zip(R[s], R[t], strict=True)), start=Fraction(0)) / scale
            - (s == t)
            for s in range(rows)
            for t in range(rows)
        ]
        total += probability * sum((e * e for e in entries), start=Fraction(0))
    return sp.Rational(total.numerator, total.denominator)


def _kurtosis(values: Sequence[sp.Rational], weights: Sequence[sp.Rational]) -> sp.Expr:
    s2 = sum(w * v**2 for v, w in zip(values, weights, strict=True))
    s4 = sum(w * v**4 for v, w in zip(values, weights, strict=True))
    return s4 / s2**2 - 3


@takes_printed_form
def derive_noise_independence(printed: sp.Basic | None) -> Derivation:
    """E ||R R^T / (d sigma^2) - I||_F^2 = n (n + 1 + kappa) / d for i.i.d. zero-mean noise."""
    xs, xt = sp.symbols("xi_s xi_t", real=True)
    one = Step(
        "The step Gram matrix, entry by entry",
        "Row t of R is the step xi_t in R^d; (R R^T)_{st} = sum_c xi_{sc} xi_{tc} is a sum of d "
        "independent terms, one per coordinate c. One coordinate contributes, for s != t and "
        "for s = t (moments: E xi = 0, E xi^2 = sigma^2, E xi^3 = mu_3, "
        "E xi^4 = sigma^4 (3 + kappa)):",
    )
    mean_off = expectation(xs * xt, [xs, xt])
    mean_diag = expectation(xs**2, [xs])
    var_off = sp.factor(expectation((xs * xt) ** 2, [xs, xt]) - mean_off**2)
    var_diag = sp.factor(expectation(xs**4, [xs]) - mean_diag**2)
    one.show(r"\mathbb{E}[\xi_s\xi_t]", mean_off)
    one.show(r"\mathbb{E}[\xi_s^2]", mean_diag)
    one.show(r"\operatorname{Var}[\xi_s\xi_t]", var_off)
    one.show(r"\operatorname{Var}[\xi_s^2]", var_diag)
    one.check(
        r"\mathbb{E}[R R^T] = d\sigma^2 I",
        "moment expansion: the off-diagonal mean vanishes because E xi = 0",
        mean_off == 0 and mean_diag == sigma**2,
    )
    one.check(
        r"\mu_3 \text{ does not enter}",
        "the skewness term cancels in every second moment of R R^T",
        not (var_off.has(mu3) or var_diag.has(mu3)),
    )
    two = Step(
        "Sum over the n^2 entries",
        "E = R R^T / (d sigma^2) - I has mean 0, and each entry's variance is the sum of d "
        "independent per-coordinate variances divided by (d sigma^2)^2. There are n (n - 1) "
        "off-diagonal and n diagonal entries:",
    )
    total = sp.factor(
        sp.simplify((n * (n - 1) * d * var_off + n * d * var_diag) / (d * sigma**2) ** 2)
    )
    two.show(
        r"\mathbb{E}\|E\|_F^2",
        sp.Symbol(
            r"\frac{n(n-1)\, d\, \operatorname{Var}[\xi_s\xi_t] + n\, d\, "
            r"\operatorname{Var}[\xi_s^2]}{d^2\sigma^4}"
        ),
        total,
    )
    expected = n * (n + 1 + kappa) / d
    two.check(
        r"\mathbb{E}\|E\|_F^2 = n(n+1+\kappa)/d",
        "simplify of the difference is 0",
        is_zero(total - expected),
    )
    signs = ([sp.Integer(-1), sp.Integer(1)], [sp.Rational(1, 2)] * 2)
    three_point = (
        [sp.Integer(-1), sp.Integer(0), sp.Integer(1)],
        [sp.Rational(1, 4), sp.Rational(1, 2), sp.Rational(1, 4)],
    )
    three = Step(
        "Independent check by exact enumeration",
        "For discrete laws the expectation is a finite sum over every matrix R. Random signs "
        "(kappa = -2) and the three-point law P(0) = 1/2, P(+-1) = 1/4 (kappa = -1) at small "
        "n and d give exactly n (n + 1 + kappa) / d:",
    )
    ok = True
    for law, name in ((signs, "signs"), (three_point, "three-point")):
        kurt = _kurtosis(*law)
        for rows, cols in ((2, 2), (3, 2), (2, 3)):
            if len(law[0]) ** (rows * cols) > 800:
                continue
            exact = _frobenius_by_enumeration(*law, rows, cols)
            formula = expected.subs({n: rows, d: cols, kappa: kurt})
            three.show(
                rf"\text{{{name}}},\ n = {rows},\ d = {cols}:\ \mathbb{{E}}\|E\|_F^2",
                exact,
                note=f"kappa = {kurt}",
            )
            ok &= sp.simplify(exact - formula) == 0
    three.check(
        r"\text{enumeration} = n(n+1+\kappa)/d",
        "exact rational arithmetic over every sign / three-point matrix",
        ok,
    )
    four = Step(
        "Consequence for the spectrum (Ostrowski)",
        "With M = R R^T / (d sigma^2) = I + E and B = C T^-1, the walk's covariance is B M B^T "
        "and the theory is K = B B^T. The nonzero eigenvalues of B M B^T are those of "
        "M^{1/2} B^T B M^{1/2}; by Ostrowski's theorem (Horn & Johnson, Matrix Analysis, "
        "Thm 4.5.9) each equals theta_k lambda_k(K) with lambda_min(M) <= theta_k <= "
        "lambda_max(M). Hence max_k |lambda_hat_k / lambda_k - 1| <= ||E||_2 <= ||E||_F for "
        "every draw, and by Chebyshev P(max_k |lambda_hat_k / lambda_k - 1| > eps) <= "
        "n (n + 1 + kappa) / (d eps^2). The ratios are scale-free, so any normalisation of M "
        "gives the same ratios; their relative errors are at most about 2 ||E||_2 / (1 - ||E||_2). "
        "The Frobenius bound needs d >> n^2; the spectral norm is smaller, about "
        "2 sqrt(n/d) + n/d (Bai-Yin, finite fourth moment), so d >> n suffices.",
    )
    four.show(r"\lim_{d\to\infty}\mathbb{E}\|E\|_F^2", limit_at_infinity(total, d))
    four.check(
        r"\mathbb{E}\|E\|_F^2 \to 0 \ (d\to\infty,\ \kappa<\infty)",
        "SymPy limit at fixed n and kappa",
        limit_at_infinity(total, d) == 0,
    )
    five = Step(
        "Correlated noise: the effective rank replaces d",
        "If a step has covariance Sigma over its d coordinates (Gaussian, by rotation "
        "invariance Sigma = diag(l_1, ..., l_d) without loss), (R R^T)_{st} = sum_c l_c z_sc z_tc "
        "with independent standard z. The deviation is then governed by the effective rank "
        "r_eff, not by d: with r_eff comparable to n the step Gram matrix stays far from I "
        "however large d is (for example Sigma with eigenvalues l_i = i^-p, p > 1, has "
        "r_eff -> zeta(p)^2 / zeta(2p), bounded in d). With three coordinates:",
    )
    ls = sp.symbols("l_1:4", positive=True)
    zs = sp.symbols("z_s1:4", real=True)
    zt = sp.symbols("z_t1:4", real=True)
    g_off = sum(w * a * b for w, a, b in zip(ls, zs, zt, strict=True))
    g_diag = sum(w * a**2 for w, a in zip(ls, zs, strict=True))
    gm = _gaussian_moment(sp.Integer(1))
    v_off = sp.factor(expectation(g_off**2, [*zs, *zt], gm))
    v_diag = sp.factor(expectation(g_diag**2, zs, gm) - expectation(g_diag, zs, gm) ** 2)
    trace, trace2 = sum(ls), sum(w**2 for w in ls)
    five.show(r"\operatorname{Var}[(RR^T)_{st}]", v_off)
    five.show(r"\operatorname{Var}[(RR^T)_{ss}]", v_diag)
    r_eff = sp.Symbol("r_eff", positive=True)
    correlated = sp.factor(sp.simplify((n * (n - 1) * v_off + n * v_diag) / trace**2))
    five.show(
        r"\mathbb{E}\|RR^T/\operatorname{tr}\Sigma - I\|_F^2",
        correlated,
        n * (n + 1) / r_eff,
        note="r_eff = tr(Sigma)^2 / tr(Sigma^2), the effective rank",
    )
    five.check(
        r"\operatorname{Var}[(RR^T)_{st}] = \operatorname{tr}\Sigma^2 (1 + \delta_{st})",
        "moment expansion with three coordinates",
        is_zero(v_off - trace2) and is_zero(v_diag - 2 * trace2),
    )
    five.check(
        r"\Sigma = \sigma^2 I \text{ gives } r_{\mathrm{eff}} = d \text{ and } n(n+1)/d",
        "substitution l_c = 1 (Gaussian: kappa = 0)",
        is_zero(correlated.subs(dict.fromkeys(ls, 1)) - expected.subs({d: 3, kappa: 0})),
    )
    six = Step(
        "Where it fails: nonzero mean and infinite variance",
        "A mean m per coordinate adds m^2 to every entry of E[R R^T] / d: a rank-one spike "
        "along the constant vector of size n m^2 / sigma^2 that does not shrink with d. "
        "With xi = m + z (z zero-mean, variance sigma^2), one coordinate gives:",
    )
    zs1, zt1 = sp.symbols("z_s z_t", real=True)
    spiked = expectation((_m + zs1) * (_m + zt1), [zs1, zt1])
    six.show(r"\mathbb{E}[\xi_s\xi_t]", spiked)
    spiked_diag = expectation((_m + zs1) ** 2, [zs1])
    six.show(r"\mathbb{E}[\xi_s^2]", spiked_diag)
    spike = sp.Matrix(3, 3, lambda a, b: (spiked_diag if a == b else spiked) / sigma**2) - sp.eye(3)
    eig = max(spike.eigenvals(), key=lambda v: sp.Poly(v, _m).degree() if v.has(_m) else -1)
    six.show(r"\lambda_{\max}\big(\mathbb{E}[RR^T]/(d\sigma^2) - I\big)", eig, note="at n = 3")
    six.check(
        r"\text{spike } n m^2/\sigma^2 \text{, independent of } d",
        "eigenvalues of the expected normalised Gram matrix minus I at n = 3",
        is_zero(eig - 3 * _m**2 / sigma**2),
    )
    seven = infinite_variance_step()
    comparison = Comparison(
        Kind.APPROXIMATION,
        "The paper prints the d -> infinity limit R R^T -> I (a deviation of 0) with the "
        "condition d >> n and the moments E xi = 0, sum Var = 1. The derived finite-d "
        "deviation n (n + 1 + kappa) / d vanishes only for finite moments, and for correlated "
        "noise it is n (n + 1) / r_eff: the condition is r_eff >> n, not d >> n.",
    )
    if printed is not None and limit_at_infinity(total, d) != printed:
        comparison = Comparison(
            Kind.DIFFERENT, "The d -> infinity limit differs from the printed one."
        )
    return Derivation(
        total,
        [one, two, three, four, five, six, seven],
        comparison,
        findings=[
            "'Independent of the noise distribution' holds under conditions the poster leaves "
            "implicit: zero mean, finite variance, and a noise covariance of effective rank "
            "r_eff = tr(Sigma)^2 / tr(Sigma^2) >> n (d >> n is not enough for correlated noise).",
            "It fails for infinite-variance noise (Cauchy, Student-t with nu <= 2): the "
            "deviations of the ratios do not shrink as d grows (property tests e).",
            "It fails for a nonzero mean: a spike n m^2 / sigma^2 along the constant mode, "
            "independent of d.",
            "The fourth moment sets the rate: fluctuations of the ratios scale as "
            "sqrt((a_k + kappa b_k) / d) with b_k of order 1/n (see the finite-d study).",
        ],
    ).require()


def infinite_variance_step() -> Step:
    """Student-t tails: E xi^2 < oo iff nu > 2, E xi^4 < oo iff nu > 4; what fails without."""
    x = sp.Symbol("x", positive=True)
    nu = sp.Symbol("nu", positive=True)
    density = (
        sp.gamma((nu + 1) / 2)
        / (sp.sqrt(nu * sp.pi) * sp.gamma(nu / 2))
        * (1 + x**2 / nu) ** (-(nu + 1) / 2)
    )
    step = Step(
        "Where it fails: infinite variance",
        "Student-t noise with nu degrees of freedom (nu = 1 is Cauchy) has density f below. Its "
        "tail x^(nu + 1) f(x) tends to a positive constant c_nu, so x^p f(x) ~ c_nu x^(p - nu - 1) "
        "and E|xi|^p is finite iff p < nu: the variance needs nu > 2 and the fourth moment "
        "nu > 4. With nu <= 2, xi^2 has the tail P(xi^2 > y) ~ y^(-nu/2) with nu/2 <= 1, so "
        "sum_c xi_sc^2 is dominated by its largest terms and, divided by its scale, tends to a "
        "non-degenerate (stable) law instead of a constant, while the off-diagonal entries "
        "become negligible: the normalised M tends to a random diagonal matrix with unequal "
        "entries, and the ratios keep O(1) random deviations for every d (at nu = 2, where "
        "the truncated variance grows like log d, they decay only like 1/log d). For "
        "2 < nu <= 4 the deviations shrink, but the diagonal part only like d^-(1 - 2/nu).",
    )
    step.show("f(x)", density)
    tail = sp.simplify(sp.limit(x ** (nu + 1) * density, x, sp.oo))
    step.show(r"c_\nu = \lim_{x\to\infty} x^{\nu+1} f(x)", tail)
    step.check(
        r"c_\nu > 0",
        "SymPy limit for symbolic nu > 0 (a product of positive factors)",
        bool(tail.is_positive),
    )
    # the divergent integrals by SymPy's elementary algorithms: the Meijer G method (the
    # default's first attempt) spends 10x as long before it reports the divergence
    elementary = {"meijerg": False, "risch": False}
    at_two = sp.integrate(tail.subs(nu, 2) / x, (x, 1, sp.oo), **elementary)
    step.show(r"\nu = 2:\ \int_1^\infty x^2 \cdot c_2 x^{-3}\,dx", at_two)
    moments = {}
    for value in (3, 5):
        f = density.subs(nu, value)
        moments[value] = tuple(
            sp.integrate(2 * x**p * f, (x, 0, sp.oo), **({} if p < value else elementary))
            for p in (2, 4)
        )
        step.show(
            rf"\nu = {value}:\ (\mathbb{{E}}\xi^2, \mathbb{{E}}\xi^4)", sp.Tuple(*moments[value])
        )
    step.check(
        r"\nu = 2: \mathbb{E}\xi^2 = \infty;\ \nu = 3: \mathbb{E}\xi^2 = 3, \mathbb{E}\xi^4 = \infty",
        "SymPy integrals of the tail and of the density",
        at_two == sp.oo and moments[3][0] == 3 and moments[3][1] == sp.oo,
    )
    variance, fourth = moments[5]
    step.check(
        r"\nu = 5:\ \kappa = 6/(\nu - 4) = 6",
        "excess kurtosis from the integrated moments",
        sp.simplify(fourth / variance**2 - 3) == 6,
    )
    return step


# --- ou.distance -----------------------------------------------------------------------------

DISTANCE_SIZE = 6


@takes_printed_form
def derive_ou_distance(printed: sp.Basic | None) -> Derivation:
    """E ||x_t||^2 / d = sigma^2 (1 - (1 - alpha)^(2t)) / (alpha (2 - alpha)), by summation."""
    one = Step(
        "Solving the recursion",
        "x_t = (1 - alpha) x_{t-1} + xi_t with x_0 = 0 gives x_t = sum_{s=1}^t "
        "(1 - alpha)^(t - s) xi_s: the rows of T^-1, shown at n = 4:",
    )
    T4 = matrices.ou_operator(4, alpha)
    one.show("T^{-1}", matrices.lower_triangular_inverse(T4).applyfunc(sp.factor))
    T = matrices.ou_operator(DISTANCE_SIZE, alpha)
    Tinv = matrices.lower_triangular_inverse(T)
    one.check(
        r"(T^{-1})_{ts} = (1-\alpha)^{t-s},\ s \le t",
        f"entrywise at n = {DISTANCE_SIZE}, symbolic alpha",
        all(
            is_zero(Tinv[a, b] - ((1 - alpha) ** (a - b) if a >= b else 0))
            for a in range(DISTANCE_SIZE)
            for b in range(DISTANCE_SIZE)
        ),
    )
    two = Step(
        "Mean squared distance by summation",
        "The coordinates are independent with mean 0 and variance sigma^2, so the cross terms "
        "vanish and each coordinate contributes sigma^2 sum_s (1 - alpha)^(2(t - s)); "
        "||x_t||^2 / d averages d such coordinates. Summed by SymPy (j = t - s):",
    )
    xs3 = sp.symbols("xi_1:4", real=True)
    x3 = sum((1 - alpha) ** (3 - idx) * xi for idx, xi in enumerate(xs3, start=1))
    e3 = expectation(x3**2, xs3)
    two.show(
        r"\mathbb{E}[x_{3}^2]", sp.factor(e3), note="one coordinate at t = 3, moment expansion"
    )
    raw = sp.summation(((1 - alpha) ** 2) ** _j, (_j, 0, t - 1))
    two.show(r"\sum_{j=0}^{t-1}(1-\alpha)^{2j}", raw)
    general = raw.args[-1][0] if isinstance(raw, sp.Piecewise) else raw
    numerator, denominator = sp.fraction(sp.together(general))
    result = sigma**2 * numerator / sp.factor(denominator)
    two.show(
        r"\mathbb{E}\|x_t\|^2/d",
        sigma**2 * general,
        result,
        lead="The first branch, (1 - alpha)^2 = 1, means alpha = 0 or 2, both outside "
        "0 < alpha < 2; the general branch, with 1 - (1 - alpha)^2 factored, gives:",
    )
    two.check(
        r"1 - (1-\alpha)^2 = \alpha(2-\alpha)",
        "the factored denominator, and the result equals sigma^2 times the general branch",
        is_zero(sp.factor(denominator) - alpha * (2 - alpha))
        and is_zero(sigma**2 * general - result),
    )
    two.check(
        r"\mathbb{E}[x_3^2] \text{ agrees}",
        "the moment expansion at t = 3 equals the formula at t = 3",
        is_zero(e3 - result.subs(t, 3)),
    )
    covariance = Tinv * Tinv.T
    two.check(
        r"(T^{-1}T^{-T})_{tt}\,\sigma^2 = \text{formula}",
        f"diagonal of the exact uncentred covariance at n = {DISTANCE_SIZE}, t = 1..{DISTANCE_SIZE}",
        all(
            is_zero(covariance[a, a] * sigma**2 - result.subs(t, a + 1))
            for a in range(DISTANCE_SIZE)
        ),
    )
    three = Step(
        "Limits: the plain walk and the stationary distance",
        "As alpha -> 0 the formula becomes the plain walk's sigma^2 t. As t -> infinity, "
        "(1 - alpha)^(2t) -> 0 for 0 < alpha < 2 and the distance settles at the stationary "
        "variance v, the fixed point of v = (1 - alpha)^2 v + sigma^2:",
    )
    plain = sp.limit(result, alpha, 0)
    three.show(r"\lim_{\alpha\to 0}\mathbb{E}\|x_t\|^2/d", plain)
    v = sp.Symbol("v")
    stationary = sp.solve(sp.Eq(v, (1 - alpha) ** 2 * v + sigma**2), v)[0]
    three.show("v", sp.factor(stationary))
    three.check(r"\alpha\to0:\ \sigma^2 t", "SymPy limit", is_zero(plain - sigma**2 * t))
    three.check(
        r"t\to\infty:\ \sigma^2/(\alpha(2-\alpha))",
        "the formula without the (1 - alpha)^(2t) term equals the fixed point",
        is_zero(result.subs((1 - alpha) ** (2 * t), 0) - stationary),
    )
    four = Step(
        "Concentration: the walk is trapped at a fixed distance",
        "Each coordinate x_tc = sum_s a_s xi_sc (a_s = (1 - alpha)^(t - s)); its square has "
        "variance (moment expansion with three terms shown, the pattern holds for any "
        "number) 2 (sum a^2)^2 sigma^4 + kappa sigma^4 sum a^4. ||x_t||^2 / d averages d "
        "independent such squares, so its relative standard deviation is "
        "sqrt((2 + kappa c_t) / d) with c_t = sum a^4 / (sum a^2)^2 <= 1: it tends to 0 as "
        "d grows. ||x_t|| / sqrt(d) therefore concentrates at sigma sqrt((1 - (1 - alpha)^(2t)) "
        "/ (alpha (2 - alpha))): after t >> 1/alpha the walk sits on a sphere of radius "
        "sigma sqrt(d / (alpha (2 - alpha))) about the minimum and never returns to it.",
    )
    a = sp.symbols("a_1:4", real=True)
    x = sum(coef * xi for coef, xi in zip(a, xs3, strict=True))
    var = sp.factor(expectation(x**4, xs3) - expectation(x**2, xs3) ** 2)
    s2, s4 = sum(c**2 for c in a), sum(c**4 for c in a)
    four.show(r"\operatorname{Var}[x_{tc}^2]", var)
    four.check(
        r"\operatorname{Var}[x^2] = 2\sigma^4(\sum a^2)^2 + \kappa\sigma^4\sum a^4",
        "moment expansion with three terms",
        is_zero(sp.expand(var - (2 * sigma**4 * s2**2 + kappa * sigma**4 * s4))),
    )
    comparison = Comparison(
        Kind.NOT_PRINTED,
        "The poster says the results apply to a random walk in a quadratic well 'in the early "
        "stages' (t << 1/alpha, where the distance grows like sigma^2 t) but prints no distance.",
    )
    return Derivation(
        result,
        [one, two, three, four],
        comparison,
        findings=[
            "In high dimensions the OU walk does not revert to the minimum: ||x_t||^2 / d "
            "concentrates (relative spread O(d^-1/2)) at sigma^2 (1 - (1 - alpha)^(2t)) / "
            "(alpha (2 - alpha)), which grows to the stationary sigma^2 / (alpha (2 - alpha)).",
        ],
    ).require()


__all__ = ["derive_noise_independence", "derive_ou_distance", "expectation", "moment"]

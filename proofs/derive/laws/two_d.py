"""E[rho_1 - rho_2] of a walk in d = 2 dimensions (n -> infinity) as a double integral."""

from __future__ import annotations

import sympy as sp

from rwpca.proofs.derivation import Comparison, Derivation, Kind, Step, is_zero, takes_printed_form
from rwpca.proofs.symbols import j

t_, s_ = sp.symbols("t s", positive=True)


def _phi(t: sp.Expr, s: sp.Expr) -> sp.Expr:
    w = 2 * (t + sp.I * s)
    return sp.Abs(sp.sqrt(w) / sp.sinh(sp.sqrt(w)))


#: E[rho_1 - rho_2] at d = 2, n -> infinity.
TWO_D_GAP = sp.Integral((_phi(t_, 0) - _phi(t_, s_)) / s_**2, (s_, 0, sp.oo), (t_, 0, sp.oo))


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
        is_zero(gauss - 1 / sp.sqrt(1 + 2 * q)),
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

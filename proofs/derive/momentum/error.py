"""The leading error of the paper's momentum formula, from the exact secular equation.

At fixed k the exact angle theta_k (the k-th root of F_n, :mod:`rwpca.proofs.derive.momentum.exact`)
is pi k / n plus a correction of order k^3 / n^4, so the paper's 1/f(pi k / n) is off by the
relative amount c(gamma) k^2 / n^3 with

    c(gamma) = -2 pi^2 gamma^2 (2 - gamma^2) / ((1 - gamma)^3 (1 + gamma)).

The expansion is done in exact arithmetic: power series in u = 1 - cos(theta) and in
x = pi k / n, truncated polynomials over the field Q(gamma, pi k) (SymPy's sparse polynomial
rings), so every coefficient is an exact rational function of gamma.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from rwpca.proofs.derivation import Comparison, Derivation, Kind, Step, is_zero, takes_printed_form
from rwpca.proofs.derive.momentum.exact import C1, T1, U1, secular_polynomial
from rwpca.proofs.symbols import gamma, k, n

#: The relative error lambda^paper_k / lambda_k - 1 (left-hand side of the error law).
RELATIVE_ERROR = sp.Symbol(r"\lambda^{\mathrm{paper}}_k / \lambda_k - 1")
#: The closed form the expansion must reproduce (checked in the derivation).
ERROR_CONSTANT = -2 * sp.pi**2 * gamma**2 * (2 - gamma**2) / ((1 - gamma) ** 3 * (1 + gamma))
ERROR_LAW = ERROR_CONSTANT * k**2 / n**3

_kappa = sp.Symbol("kappa_k", positive=True)  # pi k
#: Orders kept: u^2 in the small-angle expansion, x^5 in the root and the error.
_U_ORDER, _X_ORDER = 2, 7


def _coefficient_field():
    return sp.QQ.frac_field(gamma, _kappa)


def _truncate(poly, degree: int):
    """Drop the monomials of degree > ``degree`` in the first generator."""
    return poly.ring({mon: c for mon, c in poly.items() if mon[0] <= degree})


def _coefficient(poly, power: int):
    """The coefficient of the first generator to the ``power``, as a ring element."""
    return poly.ring({(0, *mon[1:]): c for mon, c in poly.items() if mon[0] == power})


@cache
def small_angle_coefficients() -> tuple[sp.Expr, ...]:
    """A_0, A_1, A_2 of X/Y = A_0 + A_1 u + A_2 u^2 + O(u^3) (see step 2)."""
    field = _coefficient_field()
    ring, u = sp.ring("u", field)
    g = ring(field.convert(gamma))
    c1 = 1 - u
    c2 = (g + 1 / g) / 2 + u

    def b(c):
        return 1 + g**2 - 2 * g * c

    p = (c1 * c2 - 1) * b(c1) * b(c2) + (1 - g**2) * (c1 - c2) ** 2
    # rho_0 = 2 / (1/w - w) = (2 gamma / (1 - gamma^2)) (1 + eps)^(-1/2), eps = O(u)
    eps = 4 * g**2 * (c2**2 - 1) / (1 - g**2) ** 2 - 1
    inverse_sqrt, power = ring(0), ring(1)
    for j in range(_U_ORDER + 1):
        inverse_sqrt += field.convert(sp.binomial(sp.Rational(-1, 2), j)) * power
        power = _truncate(power * eps, _U_ORDER)
    rho = 2 * g / (1 - g**2) * inverse_sqrt
    x_part = _truncate(-b(c1) * b(c2) + (c1 - c2) * b(c2) * rho, _U_ORDER)
    y_part = _truncate(-(c1 - c2) * b(c1) + p * rho, _U_ORDER)
    xs = [x_part.coeff(u**j) if j else x_part.coeff(1) for j in range(_U_ORDER + 1)]
    ys = [y_part.coeff(u**j) if j else y_part.coeff(1) for j in range(_U_ORDER + 1)]
    quotient = [xs[0] / ys[0]]
    for j in range(1, _U_ORDER + 1):
        quotient.append((xs[j] - sum(quotient[i] * ys[j - i] for i in range(j))) / ys[0])
    eps0 = eps.coeff(1)
    return (*(sp.factor(field.to_sympy(a)) for a in quotient), field.to_sympy(eps0))


def _cos_sin(ring, angle):
    """Taylor polynomials of cos and sin of a polynomial angle O(x), truncated at x^7."""
    cos, sin, term = ring(0), ring(0), ring(1)
    for j in range(_X_ORDER + 1):
        if j % 2 == 0:
            cos += sp.Rational((-1) ** (j // 2), sp.factorial(j)) * term
        else:
            sin += sp.Rational((-1) ** (j // 2), sp.factorial(j)) * term
        term = _truncate(term * angle, _X_ORDER)
    return cos, sin


@cache
def root_and_error_expansion() -> tuple[sp.Expr, sp.Expr, sp.Expr, sp.Expr, sp.Expr]:
    """beta_3, beta_5 of theta_k = x + beta_3 x^4 + beta_5 x^6 and the error coefficients.

    x = pi k / n. Returns (beta_3, beta_5, e_3, e_4, e_5), the relative error of the paper's
    formula being e_3 x^3 + e_4 x^4 + e_5 x^5 + O(x^6), all in Q(gamma, pi k).
    """
    field = _coefficient_field()
    _a0, a1, a2, _eps = small_angle_coefficients()
    ring, x, b3, b5 = sp.ring("x beta3 beta5", field)
    g = ring(field.convert(gamma))
    kappa = ring(field.convert(_kappa))
    angle = x + b3 * x**4 + b5 * x**6
    cos, sin = _cos_sin(ring, angle)
    u = 1 - cos
    ratio = ring(field.convert(a1)) * u + ring(field.convert(a2)) * _truncate(u * u, _X_ORDER)
    # tan(n theta) = tan(pi k (theta - x) / x) = kappa (b3 x^3 + b5 x^5) + O(x^9)
    equation = _truncate(kappa * (b3 * x**3 + b5 * x**5) + ratio * sin, 5)
    eq3 = _coefficient(equation, 3)
    beta3 = -eq3.coeff(1) / eq3.coeff(b3)
    eq5 = _coefficient(equation, 5)
    eq5 = eq5.compose(b3, ring(beta3))
    beta5 = -eq5.coeff(1) / eq5.coeff(b5)

    def symbol_of(c):
        return 2 * (1 - c) * (1 + g**2 - 2 * g * c)

    exact_angle = x + ring(beta3) * x**4 + ring(beta5) * x**6
    cos_exact, _ = _cos_sin(ring, exact_angle)
    cos_paper, _ = _cos_sin(ring, x)
    num = _truncate(symbol_of(cos_exact) - symbol_of(cos_paper), _X_ORDER)
    den = _truncate(symbol_of(cos_paper), _X_ORDER)
    # both start at x^2 (den) and x^5 (num): divide the shifted series
    num_c = [_coefficient(num, j).coeff(1) for j in range(_X_ORDER + 1)]
    den_c = [_coefficient(den, j).coeff(1) for j in range(_X_ORDER + 1)]
    shifted_num, shifted_den = num_c[2:], den_c[2:]
    series: list = []
    for j in range(len(shifted_num)):
        acc = shifted_num[j] - sum(series[i] * shifted_den[j - i] for i in range(j))
        series.append(acc / shifted_den[0])
    e3, e4, e5 = series[3], series[4], series[5]
    return tuple(sp.factor(field.to_sympy(v)) for v in (beta3, beta5, e3, e4, e5))


def _in_k_and_n(coefficient: sp.Expr, power: int) -> sp.Expr:
    """coefficient(gamma, pi k) x^power at x = pi k / n."""
    return sp.factor(sp.expand(coefficient.subs(_kappa, sp.pi * k) * (sp.pi * k / n) ** power))


def _negative_on_domain(constant: sp.Expr) -> bool:
    """A certificate that ``constant`` < 0 for gamma in (-1, 1), gamma != 0.

    gamma = (t - 1)/(t + 1) maps t in (0, oo) onto (-1, 1); the factors of -constant in t
    must be even powers (squares, zero only at gamma = 0) or have positive coefficients.
    """
    t = sp.Symbol("t", positive=True)
    value = sp.factor(sp.cancel(-constant.subs(gamma, (t - 1) / (t + 1)) / sp.pi**2))
    numerator, denominator = sp.fraction(value)
    for part in (numerator, denominator):
        coefficient, factors = sp.factor_list(part, t)
        if not coefficient > 0:
            return False
        for base, power in factors:
            if power % 2 and not all(c > 0 for c in sp.Poly(base, t).coeffs()):
                return False
    return True


@takes_printed_form
def derive_momentum_error_law(printed: sp.Basic | None) -> Derivation:
    """lambda^paper_k / lambda_k - 1 = c(gamma) k^2 / n^3 + O(k^4 / n^5), fixed k."""
    steps = []
    w, v = sp.symbols("w V", nonzero=True)
    c2 = (w + 1 / w) / 2
    one = Step(
        "Below the band: one decaying pair",
        "Near theta = 0, c_2 = (w + 1/w)/2 with |w| < 1 (w -> gamma as theta -> 0), so "
        "T_n(c_2) = (V + 1/V)/2 and U_{n-1}(c_2) = (1/V - V)/(1/w - w) with V = w^n "
        "exponentially small. Dividing F by T_n(c_2) gives X cos(n theta) + Y sin(n theta) / "
        "sin(theta) + E with the functions X, Y below, rho_0 = 2/(1/w - w) the limit of "
        "U_{n-1}/T_n, and E = O(V) relative to the rest (b_2 = 2 gamma (cos(theta) - 1) "
        "makes b_1 b_2 / T_n as small as the x-part times V). So below the band the roots "
        "solve tan(n theta) = -(X/Y) sin(theta), up to a relative O(|w|^n), about |gamma|^n.",
    )
    b1, b2 = 1 + gamma**2 - 2 * gamma * C1, 1 + gamma**2 - 2 * gamma * c2
    p = (C1 * c2 - 1) * b1 * b2 + (1 - gamma**2) * (C1 - c2) ** 2
    rho0 = 2 / (1 / w - w)
    big_x = -b1 * b2 + (C1 - c2) * b2 * rho0
    big_y = -(C1 - c2) * b1 + p * rho0
    t_n, u_n = (v + 1 / v) / 2, (1 / v - v) / (1 / w - w)
    rho = u_n / t_n
    rest = b1 * b2 / t_n + ((C1 - c2) * b2 * T1 + p * U1) * (rho - rho0)
    full = secular_polynomial(gamma, C1, c2, T1, U1, t_n, u_n)
    one.show("X", r"-b_1 b_2 + (c_1 - c_2)\, b_2\, \rho_0")
    one.show(
        "Y",
        r"-(c_1 - c_2)\, b_1 + \big((c_1 c_2 - 1)\, b_1 b_2 + (1 - \gamma^2)(c_1 - c_2)^2\big)"
        r"\,\rho_0",
    )
    one.check(
        r"F / T_n(c_2) = X\,T_1 + Y\,U_1 + E",
        "rational identity in w, V = w^n, c_1, gamma, T_1, U_1 (symbolic n)",
        sp.cancel(sp.together(full / t_n - (big_x * T1 + big_y * U1 + rest))) == 0,
    )
    steps.append(one)

    a0, a1, a2, eps0 = small_angle_coefficients()
    two = Step(
        "Small angles: X / Y = A_1 u + A_2 u^2 + O(u^3), u = 1 - cos(theta)",
        "On the eigenvalue curve c_1 = 1 - u and c_2 = (gamma + 1/gamma)/2 + u; rho_0 = "
        "(2 gamma / (1 - gamma^2)) (1 + eps)^(-1/2) with eps = 4 gamma^2 (c_2^2 - 1)/(1 - "
        "gamma^2)^2 - 1 = O(u) (the branch with w -> gamma). The quotient of the truncated "
        "series is computed exactly over Q(gamma). X vanishes at u = 0 (b_2 = -2 gamma u): "
        "the correction to the angle starts at theta^3.",
    )
    two.show("A_1", a1)
    two.show("A_2", a2)
    two.check(
        r"A_0 = 0,\ \varepsilon(0) = 0",
        "exact coefficients of the truncated series",
        a0 == 0 and eps0 == 0,
    )
    two.check(
        r"A_1 = \frac{2\gamma^2 (2 - \gamma^2)}{(1-\gamma)^3 (1+\gamma)}",
        "factored exact coefficient",
        is_zero(sp.cancel(a1 - 2 * gamma**2 * (2 - gamma**2) / ((1 - gamma) ** 3 * (1 + gamma)))),
    )
    steps.append(two)

    beta3, beta5, e3, e4, e5 = root_and_error_expansion()
    three = Step(
        "The k-th root at fixed k",
        "With x = pi k / n and theta_k = x + beta_3 x^4 + beta_5 x^6, tan(n theta_k) = "
        "tan(pi k (beta_3 x^3 + beta_5 x^5)) since k is an integer; matching the powers x^3 "
        "and x^5 of tan(n theta) + (X/Y) sin(theta) (exact series over Q(gamma, pi k)) gives "
        "beta_3 and beta_5. The k-th root below the band is the one near pi k / n: the phase "
        "n theta + arctan((X/Y) sin theta) increases through pi k once.",
    )
    theta_k = sp.pi * k / n + _in_k_and_n(beta3, 4) + _in_k_and_n(beta5, 6)
    three.show(r"\theta_k", theta_k, note="+ O(k^7 / n^8) + O(|gamma|^n k^3 / n^4)")
    three.check(
        r"\theta_k = \frac{\pi k}{n} - \frac{A_1 \pi^3 k^3}{2 n^4} + O(n^{-6})",
        "beta_3 = -A_1 / (2 pi k) (exact)",
        is_zero(sp.cancel(beta3 + a1 / (2 * _kappa))),
    )
    steps.append(three)

    four = Step(
        "The error of the paper's formula",
        "lambda^paper_k / lambda_k - 1 = f(theta_k) / f(pi k / n) - 1, expanded in x with "
        "the series of f(theta) = 2 (1 - cos theta)(1 + gamma^2 - 2 gamma cos theta). The x^4 "
        "term vanishes; the leading term is c(gamma) k^2 / n^3 and the next is of order "
        "k^4 / n^5.",
    )
    leading = _in_k_and_n(e3, 3)
    next_term = _in_k_and_n(e5, 5)
    four.show(
        r"\lambda^{\mathrm{paper}}_k / \lambda_k - 1", leading + next_term, note="+ O(k^6 / n^7)"
    )
    four.show("c(\\gamma)", ERROR_CONSTANT)
    four.check(
        r"e_3 x^3 = c(\gamma)\,k^2/n^3,\ c = -\pi^2 A_1",
        "exact coefficient, compared with the closed form",
        is_zero(leading - ERROR_LAW) and is_zero(ERROR_CONSTANT + sp.pi**2 * a1),
    )
    four.check(r"e_4 = 0", "exact coefficient", e4 == 0)
    steps.append(four)

    ratio = sp.factor(next_term / leading)
    five = Step(
        "Sign, limits and regime",
        "c(gamma) < 0 for every gamma != 0 in (-1, 1): the paper's formula underestimates "
        "every leading eigenvalue; c(0) = 0 (the plain walk is exact). It diverges like "
        "-pi^2 / (1 - gamma)^3 as gamma -> 1 and like -pi^2 / (4 (1 + gamma)) as gamma -> -1. "
        "The next term is smaller by the factor below, of order k^2 / (n (1 - gamma^2))^2, and "
        "the neglected E by about |gamma|^n: the law holds at fixed k when n (1 - |gamma|) >> k "
        "(and >> 1).",
    )
    five.show(r"\text{next term} / \text{leading term}", ratio)
    gamma_one = sp.limit(ERROR_CONSTANT * (1 - gamma) ** 3, gamma, 1)
    gamma_minus = sp.limit(ERROR_CONSTANT * (1 + gamma), gamma, -1)
    five.check(
        r"c(\gamma)(1-\gamma)^3 \to -\pi^2,\ c(\gamma)(1+\gamma) \to -\pi^2/4,\ c(0) = 0",
        "SymPy limits",
        is_zero(gamma_one + sp.pi**2)
        and is_zero(gamma_minus + sp.pi**2 / 4)
        and ERROR_CONSTANT.subs(gamma, 0) == 0,
    )
    five.check(
        r"c(\gamma) < 0 \text{ for } 0 < |\gamma| < 1",
        "with gamma = (t - 1)/(t + 1), t > 0, every factor of -c(gamma) / (2 pi^2) is a square "
        "or a polynomial in t with positive coefficients",
        _negative_on_domain(ERROR_CONSTANT),
    )
    steps.append(five)
    return Derivation(
        ERROR_LAW,
        steps,
        Comparison(
            Kind.NOT_PRINTED,
            "The paper prints the formula without its error; the error law is derived here "
            "from the exact secular equation (momentum.eigenvalue.exact).",
        ),
        findings=[
            "The paper's formula underestimates every leading eigenvalue (c < 0 for gamma != "
            "0); at gamma = 1/2 the error is -46.06 k^2 / n^3, at gamma = 9/10 about "
            "-1.0e4 k^2 / n^3.",
            "Order 3 in n at fixed k (not 2, as the mirror construction alone suggests); "
            "over the whole spectrum the error is not small (the angles near pi are not "
            "small).",
        ],
    ).require()

"""The large-d expansion of E[rho_k] in the continuum (n -> infinity first).

From the second-order perturbation formula of :mod:`rwpca.numerics.walks.finite_d` with
lambda_j = 1/j^2; every sum is done by SymPy.
"""

from __future__ import annotations

import sympy as sp

from rwpca.proofs.derivation import Comparison, Derivation, Kind, Step, is_zero, takes_printed_form
from rwpca.proofs.symbols import d, j, k

#: The continuum ratios rho_k = 6 / (pi^2 k^2) (the paper's n -> infinity limit).
RHO_INF = 6 / (sp.pi**2 * k**2)
#: The 1/d coefficients of the mean and of the variance of rho_k / rho_k^inf.
MEAN_COEFFICIENT = sp.Rational(31, 20) - 12 / (sp.pi**2 * k**2)
VARIANCE_COEFFICIENT = sp.Rational(14, 5) - 24 / (sp.pi**2 * k**2)
EXPANSION = RHO_INF * (1 + MEAN_COEFFICIENT / d)


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

"""The bound on the explained-variance ratios: Beckermann & Townsend's theorem and interlacing.

Beckermann & Townsend (On the singular values of matrices with displacement structure,
SIAM J. Matrix Anal. Appl. 38(4), 2017, Corollary 5.5) prove that a real n x n positive
semidefinite Hankel matrix H satisfies

    sigma_{j+2m}(H) <= 16 R_n^(-2m) sigma_j(H),  R_n = exp(pi^2 / (4 log(8 floor(n/2) / pi))),

for 1 <= j + 2m <= n (a Zolotarev-number bound; the factor 2 in j + 2m is the Hankel
matrix's displacement rank). This theorem is used here, not re-derived; the catalog's
verification checks the consequence on certified instances.
"""

from __future__ import annotations

import sympy as sp

from rwpca.proofs.derivation import Comparison, Derivation, Kind, Step, is_zero, takes_printed_form
from rwpca.proofs.derive.descent.formulas import HANKEL_LOG_RATE, RATIO_BOUND
from rwpca.proofs.symbols import k, m, n


@takes_printed_form
def derive_ratio_bound(printed: sp.Basic | None) -> Derivation:
    """rho_k / rho_1 <= min(1, 16 R_n^(-2 floor((k-2)/2))) for any descent trajectory."""
    hankel = Step(
        "Positive semidefinite Hankel matrices have exponentially decaying eigenvalues",
        "The Gram matrix G of any gradient-descent trajectory on a quadratic is a real positive "
        "semidefinite Hankel matrix (descent.gram), so its eigenvalues are its singular values "
        "and Beckermann & Townsend's Corollary 5.5 applies: lambda_{j+2m}(G) <= 16 R_n^(-2m) "
        "lambda_j(G) for 1 <= j + 2m <= n, with",
    )
    hankel.show(r"\log R_n", HANKEL_LOG_RATE)
    centring = Step(
        "Centring costs one index (Cauchy interlacing)",
        "K = C G C with C = I - 11^T/n the orthogonal projector of rank n - 1. With P an n x "
        "(n-1) orthonormal basis of its range, the nonzero spectrum of K is that of P^T G P, "
        "whose eigenvalues interlace those of G: lambda_{k+1}(G) <= lambda_k(K) <= lambda_k(G). "
        "Hence lambda_1(K) >= lambda_2(G), and with j = 2, m = floor((k-2)/2) (so j + 2m <= k), "
        "rho_k / rho_1 = lambda_k(K) / lambda_1(K) <= lambda_k(G) / lambda_2(G) <= "
        "lambda_{2+2m}(G) / lambda_2(G) <= 16 R_n^(-2m); rho_k / rho_1 <= 1 always, and "
        "rho_k <= rho_k / rho_1 because rho_1 <= 1.",
    )
    at_even = sp.simplify(RATIO_BOUND.subs(k, 2 * m + 2))
    centring.show(r"B_{n,2m+2} = B_{n,2m+3}", at_even)
    centring.check(
        r"B_{n,2m+2} = B_{n,2m+3} = \min(1, 16 R_n^{-2m})",
        "substitution k = 2m + 2 and 2m + 3, symbolic n and m",
        is_zero(at_even - sp.Min(1, 16 * sp.exp(-2 * m * HANKEL_LOG_RATE)))
        and is_zero(RATIO_BOUND.subs(k, 2 * m + 3) - at_even),
    )
    centring.check(
        r"B_{n,1} = 1",
        "k = 1 gives m = -1: the second argument of the minimum is 16 R_n^2, above 1 since "
        "log(8 floor(n/2) / pi) >= log(8 / pi) > 0 for n >= 2",
        is_zero(RATIO_BOUND.subs(k, 1) - sp.Min(1, 16 * sp.exp(2 * HANKEL_LOG_RATE)))
        and bool(8 / sp.pi > 1),
    )
    onset = Step(
        "Where the bound starts to bite, and how fast it falls",
        "The bound is below 1 once 2m log R_n > log 16, and falls by exp(-2 log R_n) every two "
        "components: a rate of log R_n ~ pi^2 / (4 log n) per component, slowing as n grows:",
    )
    onset.show(r"\log R_{100}", sp.N(HANKEL_LOG_RATE.subs(n, 100), 6))
    onset.show(r"\log R_{1000}", sp.N(HANKEL_LOG_RATE.subs(n, 1000), 6))
    onset.check(
        r"\log R_{100} > \log R_{1000}",
        "the exact values compared (the rate decreases with n)",
        bool(HANKEL_LOG_RATE.subs(n, 100) > HANKEL_LOG_RATE.subs(n, 1000)),
    )
    return Derivation(
        RATIO_BOUND,
        [hankel, centring, onset],
        Comparison(
            Kind.NOT_PRINTED,
            "The paper does not consider deterministic descent; its random-walk ratios decay as "
            "a power law, rho_k ~ 6 / (pi^2 k^2), which no descent trajectory can follow for "
            "long: by this bound its ratios fall at least exponentially in k / log n.",
        ),
        figures=["descent_evr", "descent_lissajous"],
        findings=[
            "The bound is rigorous for every descent trajectory on every quadratic (any step, "
            "any curvatures: only the Hankel structure is used) but loose: the measured ratios "
            "of the hyper-ribbon case (n = 25..100, beta = 1/2..3, eta = 1/2..1.9) fall 5 to 21 "
            "times faster per component than the bound allows (see the measured decay), and even the slowest instance found (contractions on the arcsine "
            "measure, both signs) stays below the bound with three times its exponent (the "
            "verification measures log rho_k / log B_{n,k} >= 3.35 where B < 1e-3, n = 16..40); "
            "four times the exponent is refuted.",
            "The projections onto the first principal components do not tell descent from a "
            "random walk: both draw the same U-shaped and looped Lissajous-like curves "
            "(figure). The ratios do: exponential decay in k for descent, k^-2 for the walk.",
        ],
    )


__all__ = ["derive_ratio_bound"]

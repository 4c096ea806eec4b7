"""The descent statements, declared once as SymPy objects.

Index convention: rows t = 1..n of the trajectory hold the checkpoints x_0..x_{n-1} (the
house convention, t = 1..n), so checkpoint t carries the power q^(t-1). Coordinate i has
curvature h_i = i^-beta and contraction q_i = 1 - eta h_i.

>>> GRAM_TERM.subs({s: 1, t: 1})
x_0[i]**2
>>> sp.simplify(MEAN.subs(q, sp.Rational(1, 2)).subs(n, 2))
3/4
"""

from __future__ import annotations

import sympy as sp

from rwpca.proofs.symbols import d, k, n, t

beta = sp.Symbol("beta", positive=True)
eta = sp.Symbol("eta", positive=True)
s = sp.Symbol("s", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
q = sp.Symbol("q", real=True)
h = sp.Symbol("h", positive=True)
x0 = sp.IndexedBase("x_0", real=True)

#: Curvature and contraction of coordinate i.
CURVATURE = i ** (-beta)
CONTRACTION = 1 - eta * CURVATURE

#: One coordinate's contribution to G_{st} (with q_i = q): x_{0,i}^2 q^(s+t-2).
GRAM_TERM = x0[i] ** 2 * q ** (s + t - 2)
#: The time average of q^(t-1), t = 1..n: (1 - q^n) / (n (1 - q)) (q != 1).
MEAN = (1 - q**n) / (n * (1 - q))
#: One coordinate's contribution to the centred Gram matrix (C G C)_{st}.
CENTRED_TERM = x0[i] ** 2 * (q ** (s - 1) - MEAN) * (q ** (t - 1) - MEAN)
#: The same with x_{0,i}^2 replaced by its expectation 1.
EXPECTED_CENTRED_TERM = CENTRED_TERM.subs(x0[i], 1)

#: The statements: sums over the d coordinates, q_i = 1 - eta i^-beta.
GRAM = sp.Sum(GRAM_TERM.subs(q, CONTRACTION), (i, 1, d))
EXPECTED_GRAM = sp.Sum((q ** (s + t - 2)).subs(q, CONTRACTION), (i, 1, d))
CENTRED_GRAM = sp.Sum(CENTRED_TERM.subs(q, CONTRACTION), (i, 1, d))
#: The d -> infinity limit of E[C G C]_{st}: the series, convergent iff 2 beta > 1.
LIMIT_GRAM = sp.Sum(EXPECTED_CENTRED_TERM.subs(q, CONTRACTION), (i, 1, sp.oo))
#: The slow coordinates' drift: lim_{h -> 0} h^-2 E[(q^(s-1) - m)(q^(t-1) - m)], q = 1 - eta h.
DRIFT = eta**2 * (s - (n + 1) / 2) * (t - (n + 1) / 2)

#: Beckermann & Townsend's rate for an n x n positive semidefinite Hankel matrix:
#: sigma_{j+2m} <= 16 R_n^(-2m) sigma_j with R_n = exp(pi^2 / (4 log(8 floor(n/2) / pi))).
HANKEL_LOG_RATE = sp.pi**2 / (4 * sp.log(8 * sp.floor(n / 2) / sp.pi))
#: The bound on rho_k / rho_1 (and so on rho_k) of any gradient-descent trajectory on a
#: quadratic: min(1, 16 R_n^(-2 floor((k-2)/2))).
RATIO_BOUND = sp.Min(1, 16 * sp.exp(-2 * sp.floor((k - 2) / 2) * HANKEL_LOG_RATE))

__all__ = [
    "CENTRED_GRAM",
    "CENTRED_TERM",
    "CONTRACTION",
    "CURVATURE",
    "DRIFT",
    "EXPECTED_CENTRED_TERM",
    "EXPECTED_GRAM",
    "GRAM",
    "GRAM_TERM",
    "HANKEL_LOG_RATE",
    "LIMIT_GRAM",
    "MEAN",
    "RATIO_BOUND",
    "beta",
    "eta",
    "h",
    "i",
    "q",
    "s",
    "x0",
]

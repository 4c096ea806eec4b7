"""Catalog entries for gradient descent on a quadratic with curvatures h_i = i^-beta.

The hyper-ribbon case of Mao et al. (related work, not the paper): x_{t+1} = x_t - eta
grad f(x_t), f(x) = sum_i h_i x_i^2 / 2, from x_0 ~ N(0, I_d). Rows t = 1..n of the
trajectory are the checkpoints x_0..x_{n-1}.
"""

from __future__ import annotations

import sympy as sp

from rwpca.proofs import domains
from rwpca.proofs.catalog import CATALOG
from rwpca.proofs.catalog.common import CENTRED, K, N, T
from rwpca.proofs.catalog.core import (
    Quantity,
    Regime,
    RegimeKind,
    Source,
    Status,
    make_entry,
)
from rwpca.proofs.derivation import Kind
from rwpca.proofs.derive.descent import bound, gram, limit
from rwpca.proofs.derive.descent.formulas import (
    CENTRED_GRAM,
    EXPECTED_GRAM,
    GRAM,
    LIMIT_GRAM,
    RATIO_BOUND,
)

D = domains.D.variables()
BETA = domains.BETA.variables()
ETA = domains.ETA.variables()
S = domains.S.variables()
X0 = {"x_0": "the start, x_0 ~ N(0, I_d) (any real vector for the exact identities)"}

DESCENT = (
    "gradient descent x_{t+1} = x_t - eta grad f(x_t) on f(x) = sum_i h_i x_i^2 / 2, "
    "h_i = i^-beta, i = 1..d, q_i = 1 - eta h_i",
    "rows t = 1..n of the trajectory are the checkpoints x_0..x_{n-1}",
)
RANDOM_START = "the start has independent coordinates with E x_{0,i}^2 = 1 (x_0 ~ N(0, I_d))"
EXACT = Regime(RegimeKind.EXACT, "every n >= 1, d >= 1, beta > 0, eta (any real step)")
NOT_IN_PAPER = Source(
    "not in the paper (it compares neural-network trajectories with random walks only); the "
    "setting is that of Mao et al.'s hyper-ribbons"
)
MAO = (
    "Mao et al. (An analytical characterization of sloppiness in neural networks: insights from "
    "linear models) find that trajectories of linear models trained by gradient descent lie on "
    "low-dimensional 'hyper-ribbons' whose geometry is set by the decay of the input "
    "correlation spectrum and the number of steps; these entries are that case made exact."
)

make_entry(
    CATALOG,
    id="descent.gram",
    title="Gram matrix of a gradient-descent trajectory: a positive semidefinite Hankel matrix",
    lhs=sp.Symbol("G_{st}"),
    rhs=GRAM,
    index_range=r"s, t = 1, \dots, n;\ G = V\,\mathrm{diag}(x_{0,i}^2)\,V^T \succeq 0,\ V_{ti} = q_i^{t-1}",
    variables={**N, **D, **BETA, **ETA, **S, **T, **X0},
    assumptions=DESCENT,
    regime=EXACT,
    source=NOT_IN_PAPER,
    derivation=gram.derive_descent_gram,
    status=Status.DERIVED,
    comparison=Kind.NOT_PRINTED,
    quantity=Quantity.GRAM,
    related=("descent.gram.expected", "descent.centred_gram", "descent.ratio_bound"),
    notes=(
        "G_{st} depends on s + t only: the Hankel matrix of the moments of the measure "
        "sum_i x_{0,i}^2 delta_{q_i}. Positive semidefinite for every real q_i, so for every "
        "step size and every quadratic (rotate to the Hessian's eigenbasis).",
        MAO,
    ),
)

make_entry(
    CATALOG,
    id="descent.gram.expected",
    title="Expected Gram matrix of a gradient-descent trajectory from a random start",
    lhs=sp.Symbol(r"\mathbb{E}\,G_{st}"),
    rhs=EXPECTED_GRAM,
    index_range=r"s, t = 1, \dots, n",
    variables={**N, **D, **BETA, **ETA, **S, **T},
    assumptions=(*DESCENT, RANDOM_START),
    regime=EXACT,
    source=NOT_IN_PAPER,
    derivation=gram.derive_expected_gram,
    status=Status.DERIVED,
    comparison=Kind.NOT_PRINTED,
    quantity=Quantity.GRAM,
    related=("descent.gram", "descent.limit"),
)

make_entry(
    CATALOG,
    id="descent.centred_gram",
    title="Centred Gram matrix of a gradient-descent trajectory in closed form",
    lhs=sp.Symbol("(CGC)_{st}"),
    rhs=CENTRED_GRAM,
    index_range=r"s, t = 1, \dots, n;\ m_i = \frac{1 - q_i^n}{n(1 - q_i)}",
    variables={**N, **D, **BETA, **ETA, **S, **T, **X0},
    assumptions=(*DESCENT, CENTRED.replace("K = C T^-1 T^-T C", "C G C")),
    regime=EXACT,
    source=NOT_IN_PAPER,
    derivation=gram.derive_centred_gram,
    status=Status.DERIVED,
    comparison=Kind.NOT_PRINTED,
    quantity=Quantity.GRAM,
    related=("descent.gram", "descent.limit", "descent.ratio_bound"),
    notes=(
        "m_i is the time mean of q_i^(t-1) over t = 1..n; the centred trajectory is "
        "x_{0,i} (q_i^(t-1) - m_i), and the PCA of the trajectory is the spectrum of this matrix.",
    ),
)

make_entry(
    CATALOG,
    id="descent.limit",
    title="Expected centred Gram matrix of descent as d -> infinity (converges iff 2 beta > 1)",
    lhs=sp.Symbol(r"\lim_{d\to\infty}\mathbb{E}[CGC]_{st}"),
    rhs=LIMIT_GRAM,
    index_range=(
        r"s, t = 1, \dots, n;\ \text{term}_i \sim \eta^2 \left(s - \tfrac{n+1}{2}\right)"
        r"\left(t - \tfrac{n+1}{2}\right) i^{-2\beta}"
    ),
    variables={**N, **domains.BETA_CONVERGENT.variables(), **ETA, **S, **T},
    domains=(domains.BETA_CONVERGENT,),
    assumptions=(*DESCENT, RANDOM_START),
    regime=Regime(
        RegimeKind.ASYMPTOTIC,
        "d -> infinity at fixed n and eta: the series converges (absolutely) iff 2 beta > 1; "
        "for 2 beta <= 1 every diagonal entry but the middle one diverges with d",
    ),
    source=NOT_IN_PAPER,
    derivation=limit.derive_descent_limit,
    status=Status.DERIVED,
    comparison=Kind.NOT_PRINTED,
    quantity=Quantity.SERIES_LIMIT,
    related=("descent.centred_gram", "descent.gram.expected"),
    notes=(
        "The slow coordinates (i large, h_i small) contribute a linear drift: their centred "
        "coordinate is -eta h_i (t - (n+1)/2) + O(h_i^2). Whether their total weight "
        "sum_i h_i^2 is finite decides the limit.",
    ),
)

make_entry(
    CATALOG,
    id="descent.ratio_bound",
    title="Rigorous bound on the explained-variance ratios of any gradient-descent trajectory",
    lhs=sp.Symbol("B_{n,k}"),
    rhs=RATIO_BOUND,
    index_range=r"\rho_k \le \frac{\rho_k}{\rho_1} \le B_{n,k},\ k = 1, \dots, n-1",
    variables={**N, **K},
    assumptions=(
        "gradient descent with any step on any quadratic (any real curvatures), any start: "
        "only the Hankel structure of descent.gram is used",
        CENTRED.replace("K = C T^-1 T^-T C", "C G C"),
        "Beckermann & Townsend, SIAM J. Matrix Anal. Appl. 38(4) (2017), Corollary 5.5: "
        "sigma_{j+2m}(H) <= 16 R_n^(-2m) sigma_j(H) for real positive semidefinite Hankel H",
    ),
    regime=Regime(RegimeKind.EXACT, "every n >= 2 and 1 <= k <= n - 1 (an inequality)"),
    source=NOT_IN_PAPER,
    derivation=bound.derive_ratio_bound,
    status=Status.DERIVED,
    comparison=Kind.NOT_PRINTED,
    quantity=Quantity.RATIO_BOUND,
    related=("descent.gram", "descent.centred_gram", "rw.evr"),
    notes=(
        "Contrast with the random walk, rho_k ~ 6 / (pi^2 k^2) (rw.evr): a power law, which "
        "exceeds this bound for large enough k at fixed n; descent ratios fall at least "
        "exponentially in k / log n.",
        "Finding: the paper compares neural-network trajectories with random walks only; a "
        "trajectory whose ratios decay faster than any power of k is evidence of descent-like "
        "(deterministic, decaying-curvature) dynamics rather than of a random walk.",
        "What is proved here and what is cited: the Hankel structure and the interlacing step "
        "are derived; the Hankel singular-value bound is Beckermann and Townsend's theorem, "
        "cited (its statement and indices as recalled from the 2017 paper, not re-derived "
        "here). The verification certifies the resulting inequality on instances by inertia "
        "counts in ball arithmetic, which can refute a wrong form but does not prove it.",
    ),
)

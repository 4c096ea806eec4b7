"""Catalog entries for d not >> n: the fixed-d continuum law and the proportional bulk law."""

from __future__ import annotations

import sympy as sp

from rwpca.proofs import domains
from rwpca.proofs.catalog import CATALOG
from rwpca.proofs.catalog.common import CENTRED, START_AT_ZERO
from rwpca.proofs.catalog.core import Quantity, Regime, RegimeKind, Source, Status, make_entry
from rwpca.proofs.derivation import Kind
from rwpca.proofs.derive.laws import bulk, expansion, two_d

GAUSSIAN = "steps with i.i.d. N(0, 1) coordinates (Gaussian: rotation invariance is used)"
FIXED_D = (
    "n -> infinity first at fixed d: the centred spectrum is that of sum_j lambda_j g_j g_j^T, "
    "g_j ~ N(0, I_d) i.i.d., lambda_j = 1/(pi j)^2"
)

make_entry(
    CATALOG,
    id="rw.fixed_d.expansion",
    title="Expected explained-variance ratio at fixed d: the 1/d expansion (n -> infinity first)",
    lhs=sp.Symbol(r"\mathbb{E}[\rho_k]"),
    rhs=sp.expand(expansion.EXPANSION),
    index_range=r"k = 1, 2, \dots,\ d \to \infty\ (+O(d^{-2}))",
    variables={**domains.K.variables(), **domains.D.variables()},
    assumptions=(START_AT_ZERO, CENTRED, GAUSSIAN, FIXED_D),
    regime=Regime(
        RegimeKind.ASYMPTOTIC,
        "n -> infinity at fixed d, then d -> infinity: the 1/d term is exact, O(d^-2) is "
        "neglected; the variance is Var[rho_k / rho_k^inf] = (14/5 - 24/(pi^2 k^2))/d + O(d^-2)",
    ),
    source=Source(
        "not in the paper (it takes d >> n, where rho_k -> 6/(pi^2 k^2))",
        r"\rho_k = \frac{6}{\pi^2 k^2}",
        sp.Integer(6) / (sp.pi**2 * sp.Symbol("k", integer=True, positive=True) ** 2),
        "the printed value is the d -> infinity limit",
    ),
    derivation=expansion.derive_fixed_d_expansion,
    status=Status.DERIVED,
    comparison=Kind.APPROXIMATION,
    process=None,
    quantity=Quantity.LAW,
    related=("rw.evr", "rw.fixed_d.two", "rw.bulk.silverstein"),
    notes=(
        "Derived by SymPy from the second-order perturbation formula of "
        "numerics.walks.finite_d with lambda_j = 1/j^2; verified against the exact finite-n "
        "coefficients (extrapolated in n) and the continuum Monte Carlo sampler.",
        "Where this differs from the paper: 6/(pi^2 k^2) needs d >> n. Real training runs "
        "have d_eff = 5..36; there E[rho_1] is far larger (d = 1: 1; d = 2: 0.796; d = 5: "
        "0.669; d = 36: 0.6145, Monte Carlo +- 0.0012), and the fixed-d law "
        "(numerics.laws.fixed_d.continuum_ratios) is the right null.",
    ),
)

make_entry(
    CATALOG,
    id="rw.fixed_d.two",
    title="Gap of the two ratios of a walk in d = 2 dimensions (n -> infinity), exactly",
    lhs=sp.Symbol(r"\mathbb{E}[\rho_1-\rho_2]_{d=2}"),
    rhs=two_d.TWO_D_GAP,
    index_range=r"\mathbb{E}[\rho_1] = (1 + \mathbb{E}[\rho_1-\rho_2])/2",
    variables={
        "t": "t > 0, integration variable (Laplace transform of 1/S)",
        "s": "s > 0, integration variable (Fourier variable of Re V)",
    },
    assumptions=(START_AT_ZERO, CENTRED, GAUSSIAN, FIXED_D + ", d = 2"),
    regime=Regime(
        RegimeKind.EXACT,
        "exact in the continuum limit n -> infinity at d = 2 (a convergent double integral, "
        "0.5925099975978547910246 by mpmath at 25 digits; E[rho_1] = 0.79625499879892739551); "
        "d = 1 is trivial (rho_1 = 1)",
    ),
    source=Source("not in the paper (it takes d >> n)"),
    derivation=two_d.derive_two_dimensional_gap,
    status=Status.DERIVED,
    comparison=Kind.NOT_PRINTED,
    process=None,
    quantity=Quantity.LAW,
    related=("rw.fixed_d.expansion",),
)

make_entry(
    CATALOG,
    id="rw.bulk.silverstein",
    title="Bulk of the walk's spectrum for n/d = c fixed: generalised Marchenko-Pastur law",
    lhs=sp.Symbol("z"),
    rhs=bulk.SILVERSTEIN,
    index_range=r"\operatorname{Im} m > 0,\ m = m_{X^TX/d}(z)",
    variables={
        **domains.ASPECT.variables(),
        "m": "m, the companion Stieltjes transform of X^T X / d at z (Im z > 0)",
        "z": "z, a complex point with Im z > 0",
    },
    assumptions=(START_AT_ZERO, CENTRED, GAUSSIAN, "n, d -> infinity with n/d -> c"),
    regime=Regime(
        RegimeKind.ASYMPTOTIC,
        "n, d -> infinity with n/d = c: the empirical spectral law of X X^T / d converges to "
        "this law (Kolmogorov distance O(log n / n) at finite n); it does not govern the "
        "leading eigenvalues, which are spikes whose ratios tend to 6/(pi^2 k^2) with O(1/d) "
        "corrections; the bulk carries a vanishing share of the variance",
    ),
    source=Source("not in the paper (c -> 0 there)"),
    derivation=bulk.derive_bulk_law,
    status=Status.DERIVED,
    comparison=Kind.NOT_PRINTED,
    process=None,
    quantity=Quantity.LAW,
    related=("rw.eigenvalue.exact", "rw.fixed_d.expansion"),
    notes=(
        "The equation is Silverstein's (1995) for population law H = law of "
        "1/(4 sin^2(pi U/2)); it is applied, not derived here. H has no mean "
        "(P(tau > x) ~ 1/(pi sqrt x)), so the top of the spectrum is not bulk.",
    ),
)

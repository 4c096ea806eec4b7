"""Catalog entries for the walk with momentum v_t = gamma v_{t-1} + xi_t, x_t = x_{t-1} + v_t."""

from __future__ import annotations

import sympy as sp

from rwpca.proofs.catalog import CATALOG
from rwpca.proofs.catalog.common import GAMMA, GAMMA_NONZERO, POSTER, STANDARD, K, N
from rwpca.proofs.catalog.core import (
    AS_STATED,
    EXACT_FINITE_N,
    Quantity,
    Regime,
    RegimeKind,
    Source,
    Status,
    make_entry,
)
from rwpca.proofs.derivation import Kind
from rwpca.proofs.derive import regimes, variance
from rwpca.proofs.derive.momentum import error as momentum_error
from rwpca.proofs.derive.momentum import exact as momentum_exact
from rwpca.proofs.derive.momentum import steps as momentum_steps
from rwpca.proofs.domains import THETA
from rwpca.proofs.processes import ProcessName
from rwpca.proofs.symbols import gamma, k, lam_k, n, rho_k

_momentum_lambda = 1 / (
    2
    * (
        1
        + gamma
        + gamma**2
        - (1 + gamma) ** 2 * sp.cos(sp.pi * k / n)
        + gamma * sp.cos(2 * sp.pi * k / n)
    )
)

make_entry(
    CATALOG,
    id="momentum.eigenvalue",
    title="Eigenvalues of the centred covariance of a random walk with momentum",
    lhs=lam_k,
    rhs=_momentum_lambda,
    index_range="k = 1, \\dots, n-1",
    variables={**N, **K, **GAMMA},
    assumptions=STANDARD,
    regime=Regime(
        RegimeKind.ASYMPTOTIC,
        "n -> infinity at fixed gamma and k (needs n (1 - |gamma|) >> 1: the boundary layer "
        "has about 1/(1 - |gamma|) steps); for gamma < 2 sqrt 2 - 3 the k-th value is the "
        "k-th largest only for k below n arccos((1 + gamma)^2 / (4 gamma)) / pi",
    ),
    source=Source(
        f"{POSTER}, 'Generalizations'",
        r"\lambda_k = \frac{1}{2}\left[1+\gamma+\gamma^2-(1+\gamma)^2\cos\left(\frac{\pi k}{n}"
        r"\right)+\gamma\cos\left(\frac{2\pi k}{n}\right)\right]^{-1}",
        AS_STATED,
    ),
    derivation=regimes.derive_momentum_eigenvalue,
    status=Status.DERIVED,
    comparison=Kind.EQUAL,
    process=ProcessName.MOMENTUM,
    quantity=Quantity.EIGENVALUE,
    related=(
        "rw.eigenvalue",
        "momentum.eigenvalue.exact",
        "momentum.eigenvalue.error",
        "momentum.trace",
        "momentum.evr",
    ),
    notes=(
        "Asymptotic, not exact: the centred precision matrix differs from the mirror circulant "
        "in its first rows. The exact spectrum is momentum.eigenvalue.exact; the leading error "
        "c(gamma) k^2 / n^3 in closed form is momentum.eigenvalue.error; for gamma < 2 sqrt 2 - 3 "
        "(about -0.17) the values are not decreasing in k and the k-th is not the k-th largest.",
        "Measured (verification section): at fixed gamma and k the relative error decays "
        "like k^2 / n^3 (order 3 in n), with a constant that grows quickly as gamma -> 1; "
        "the worst error over the whole spectrum, by label, decays only like 1/n, and for "
        "gamma < 2 sqrt 2 - 3 not at all (past the turnover the k-th value is not the k-th "
        "largest).",
    ),
)

_g = gamma
_G = gamma**n
make_entry(
    CATALOG,
    id="momentum.trace",
    title="Total variance of the centred walk with momentum",
    lhs=sp.Symbol(r"\operatorname{tr}K"),
    rhs=(
        n**3 * (1 - _g) ** 3 * (1 + _g) ** 2
        - 6 * _g * (1 - _g) ** 2 * (1 + _g) * n**2
        - n * (1 - _g) * (7 * _g**4 - 6 * _g**3 - 14 * _g**2 - 6 * _g + 1)
        + 6 * _g**2 * (1 + _g) * (_g**2 - 2)
        + 12 * _g**2 * (1 - _g) * (1 + _g) ** 2 * _G
        + 6 * _g**4 * ((1 - _g) * n + 1 + _g) * _G**2
    )
    / (6 * n * (1 - _g) ** 5 * (1 + _g) ** 2),
    variables={**N, **GAMMA},
    assumptions=STANDARD,
    regime=EXACT_FINITE_N,
    source=Source("not in the paper"),
    derivation=variance.derive_momentum_trace,
    status=Status.DERIVED,
    comparison=Kind.NOT_PRINTED,
    process=ProcessName.MOMENTUM,
    quantity=Quantity.TRACE,
    related=("momentum.evr", "rw.trace"),
    notes=("Tends to n^2 / (6 (1 - gamma)^2); gamma = 0 gives rw.trace.",),
)

make_entry(
    CATALOG,
    id="momentum.evr",
    title="Explained-variance ratio of the walk with momentum (n -> infinity)",
    lhs=rho_k,
    rhs=CATALOG.get("rw.evr").rhs,  # the plain walk's limit, declared once (plain.py)
    index_range="k = 1, 2, \\dots",
    variables={**K, **GAMMA},
    assumptions=STANDARD,
    regime=Regime(RegimeKind.ASYMPTOTIC, "n -> infinity at fixed gamma and k (and d >> n)"),
    source=Source(
        f"{POSTER}, 'Summary': 'These results also apply to a random walk with momentum'",
        r"\rho_k = \frac{6}{\pi^2 k^2}",
        AS_STATED,
    ),
    derivation=variance.derive_momentum_evr,
    status=Status.DERIVED,
    comparison=Kind.EQUAL,
    process=ProcessName.MOMENTUM,
    quantity=Quantity.EVR,
    related=("momentum.eigenvalue", "momentum.trace", "rw.evr"),
)

#: The angle of the secular equation: its roots in the band, one per eigenvalue.
ROOT_ANGLE = THETA.variables(
    "angle in (0, theta_max), theta_max = pi for gamma >= 2 sqrt 2 - 3 and "
    "arccos((1 + gamma)^2 / (4 gamma)) below; the k-th root gives the k-th largest eigenvalue"
)

make_entry(
    CATALOG,
    id="momentum.eigenvalue.exact",
    title="Exact eigenvalues of the walk with momentum (secular equation)",
    lhs=momentum_exact.SECULAR_FUNCTION,
    rhs=sp.Integer(0),
    index_range=(
        "\\lambda = \\left[2(1-\\cos\\theta)(1+\\gamma^2-2\\gamma\\cos\\theta)\\right]^{-1},\\ "
        "\\theta \\in (0, \\theta_{\\max})"
    ),
    variables={**N, **GAMMA_NONZERO, **ROOT_ANGLE},
    assumptions=STANDARD,
    regime=EXACT_FINITE_N,
    source=Source("not in the paper (it prints the mirror-circulant form, momentum.eigenvalue)"),
    derivation=momentum_steps.derive_momentum_secular,
    status=Status.DERIVED,
    comparison=Kind.NOT_PRINTED,
    process=ProcessName.MOMENTUM,
    quantity=Quantity.SECULAR_ROOTS,
    related=("momentum.eigenvalue", "momentum.eigenvalue.error", "ou.eigenvalue.exact"),
    notes=(
        "Proven for symbolic n (the derivation's identities hold with T_n, U_{n-1} as "
        "symbols); two steps are arguments in prose: the bound mu < max f, and the band "
        "structure of A's last rows beyond the sizes checked entrywise (n = 2..9). That the "
        "n - 1 roots are simple is certified at the verified sizes, not proven for every n.",
        "T_n(c_2) and U_{n-1}(c_2) are Chebyshev polynomials of the partner cosine "
        "c_2 = (1 + gamma)^2 / (2 gamma) - cos(theta): no square root, valid inside and outside "
        "the band where the second root pair is oscillatory.",
    ),
)

make_entry(
    CATALOG,
    id="momentum.eigenvalue.error",
    title="Leading error of the paper's momentum eigenvalue formula",
    lhs=momentum_error.RELATIVE_ERROR,
    rhs=momentum_error.ERROR_LAW,
    index_range="k \\ll n\\,(1 - |\\gamma|)",
    variables={
        **N,
        **K,
        **GAMMA,
        "lambda^paper_k": "the paper's value 1/f(pi k / n) (momentum.eigenvalue)",
    },
    assumptions=STANDARD,
    regime=Regime(
        RegimeKind.ASYMPTOTIC,
        "n -> infinity at fixed k and gamma, n min(1 - gamma, 1 + gamma) >> k: the next term "
        "is smaller by a factor of order k^2 / (n (1 - gamma^2))^2, the far end of the walk "
        "adds a relative term of the size of gamma^n",
    ),
    source=Source("not in the paper (it prints momentum.eigenvalue without its error)"),
    derivation=momentum_error.derive_momentum_error_law,
    status=Status.DERIVED,
    comparison=Kind.NOT_PRINTED,
    process=ProcessName.MOMENTUM,
    quantity=Quantity.ERROR_LAW,
    related=("momentum.eigenvalue", "momentum.eigenvalue.exact"),
    notes=(
        "lambda_k is the exact k-th largest eigenvalue (momentum.eigenvalue.exact); the law "
        "comes from expanding its secular equation, not from a fit to the measured errors.",
        "c(gamma) -> -pi^2 / (1 - gamma)^3 as gamma -> 1 and -pi^2 / (4 (1 + gamma)) as "
        "gamma -> -1: the error grows fast towards gamma = 1, slowly towards -1.",
    ),
)

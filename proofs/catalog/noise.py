"""Catalog entries about the noise: the noise-independence claim and the OU walk's distance."""

from __future__ import annotations

import sympy as sp

from rwpca.proofs import domains
from rwpca.proofs.catalog import CATALOG
from rwpca.proofs.catalog.common import ALPHA, POSTER, START_AT_ZERO, N, T
from rwpca.proofs.catalog.core import Quantity, Regime, RegimeKind, Source, Status, make_entry
from rwpca.proofs.derivation import Kind
from rwpca.proofs.derive import noise_moments as noise
from rwpca.proofs.processes import ProcessName
from rwpca.proofs.symbols import alpha, d, kappa, n, sigma, t

D = domains.D.variables()
SIGMA = domains.SIGMA.variables()
KAPPA = domains.KAPPA.variables()

IID = (
    "the d coordinates of every step are independent, identically distributed, with mean 0, "
    "variance sigma^2 and excess kurtosis kappa"
)

make_entry(
    CATALOG,
    id="rw.noise_independence",
    title="Noise independence: the step Gram matrix tends to the identity (conditions and limits)",
    lhs=sp.Symbol(r"\mathbb{E}\left\|\frac{RR^T}{d\sigma^2}-I\right\|_F^2"),
    rhs=n * (n + 1 + kappa) / d,
    index_range=(
        r"\max_k \left|\frac{\hat\lambda_k}{\lambda_k}-1\right| \le \left\|\frac{RR^T}{d\sigma^2}"
        r"-I\right\|_2 \text{ (Ostrowski)}"
    ),
    variables={**N, **D, **SIGMA, **KAPPA},
    assumptions=(
        IID,
        "steps independent over time (rows of R independent)",
        "for correlated coordinates with covariance Sigma (Gaussian): replace d by the "
        "effective rank r_eff = tr(Sigma)^2 / tr(Sigma^2) and kappa by 0",
    ),
    regime=Regime(
        RegimeKind.EXACT,
        "the second moment is exact at every n and d; the spectra follow the theory when it is "
        "small: zero mean, finite variance and r_eff >> n (d >> n for i.i.d. coordinates)",
    ),
    source=Source(
        f"{POSTER}, 'Preliminaries' and 'Summary'",
        r"\mathbf{R}\mathbf{R}^T \rightarrow \mathbf{I} \ (d \gg n);\ \text{the results are "
        r"independent of the noise distribution}",
        sp.Integer(0),
        "the printed form is the limit R R^T -> I, a deviation of 0",
    ),
    derivation=noise.derive_noise_independence,
    status=Status.DERIVED,
    comparison=Kind.APPROXIMATION,
    process=None,
    quantity=Quantity.NOISE,
    related=("rw.eigenvalue", "rw.evr.exact", "ou.distance"),
    notes=(
        "Status 'derived': the moment identity is computed by SymPy and checked by exact "
        "enumeration; the spectral consequence follows from Ostrowski's theorem for every draw. "
        "The unconditional claim of the poster ('independent of the noise distribution') is "
        "refuted by the property tests for infinite-variance noise, for noise covariance of "
        "effective rank comparable to n, and for a nonzero mean.",
        "Conditions: zero mean; finite variance (a finite fourth moment gives the d^-1/2 rate); "
        "effective rank of the noise covariance r_eff >> n.",
    ),
)

make_entry(
    CATALOG,
    id="ou.distance",
    title="Mean squared distance of the Ornstein-Uhlenbeck walk from the minimum",
    lhs=sp.Symbol(r"\mathbb{E}\|x_t\|^2/d"),
    rhs=sigma**2 * (1 - (1 - alpha) ** (2 * t)) / (alpha * (2 - alpha)),
    index_range="t = 1, 2, \\dots",
    variables={**T, **ALPHA, **SIGMA, **D},
    assumptions=(
        START_AT_ZERO,
        "steps xi_t independent with i.i.d. coordinates of mean 0 and variance sigma^2",
    ),
    regime=Regime(
        RegimeKind.EXACT,
        "the expectation is exact for every t; ||x_t||^2 / d concentrates at it with relative "
        "spread sqrt((2 + kappa c_t) / d), c_t <= 1, as d -> infinity",
    ),
    source=Source("not in the paper (its OU discussion is about the early stages, t << 1/alpha)"),
    derivation=noise.derive_ou_distance,
    status=Status.DERIVED,
    comparison=Kind.NOT_PRINTED,
    process=ProcessName.OU,
    quantity=Quantity.DISTANCE,
    related=("ou.eigenvalue", "rw.noise_independence"),
)

"""Catalog entries for the plain random walk x_t = x_{t-1} + xi_t."""

from __future__ import annotations

import sympy as sp

from rwpca.proofs import domains, theorems
from rwpca.proofs.catalog import CATALOG
from rwpca.proofs.catalog.common import POSTER, STANDARD, K, N, T
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
from rwpca.proofs.derive import eigenvectors, variance
from rwpca.proofs.processes import ProcessName
from rwpca.proofs.symbols import X_k, j, k, lam_k, m, n, rho_k, t, u_k

LIMIT_N = Regime(RegimeKind.ASYMPTOTIC, "n -> infinity at fixed k (and d >> n)")
_lam = sp.Symbol("lambda_k", positive=True)

make_entry(
    CATALOG,
    id="rw.eigenvalue",
    title="Eigenvalues of the centred random-walk covariance",
    lhs=lam_k,
    rhs=1 / (2 * (1 - sp.cos(sp.pi * k / n))),
    index_range="k = 1, \\dots, n-1",
    variables={**N, **K},
    assumptions=STANDARD,
    regime=EXACT_FINITE_N,
    source=Source(
        f"{POSTER}, 'Asymptotic convergence to circulant matrices'",
        r"\lambda_{\hat{X}\hat{X}^T,k} = \frac{1}{2}\left[1-\cos\left(\frac{\pi k}{n}\right)\right]^{-1}",
        AS_STATED,
        "derived in the paper from the n -> infinity circulant approximation",
    ),
    derivation=theorems.prove_rw_eigenvalue,
    status=Status.PROVEN,
    comparison=Kind.EQUAL,
    process=ProcessName.PLAIN,
    quantity=Quantity.EIGENVALUE,
    aliases=("rw.eigenvalue.exact",),
    related=("rw.eigenvector", "rw.trace", "rw.evr"),
    notes=(
        "Proven for every n >= 2 (Theorems 1-3 of the derivation: K = Q^+, Q is the path "
        "Laplacian, whose eigenpairs are the DCT-II cosines), not only in the limit; also "
        "cited as rw.eigenvalue.exact.",
        "Exact at every finite n, although the paper derives it as an n -> infinity limit: "
        "the centred precision matrix of the open walk is exactly the mirror-restricted "
        "circulant (the path-graph Laplacian).",
        "A size-n (periodic) circulant gives 1/(2(1 - cos(2 pi k/n))) instead: paired values "
        "and a leading eigenvalue 4 times too small.",
    ),
)

make_entry(
    CATALOG,
    id="rw.eigenvector",
    title="Eigenvectors of the centred random-walk covariance (DCT-II cosines)",
    lhs=u_k(t),
    rhs=sp.sqrt(2 / n) * sp.cos(sp.pi * k * (t - sp.Rational(1, 2)) / n),
    index_range="t = 1, \\dots, n,\\ k = 1, \\dots, n-1",
    variables={**N, **K, **T},
    assumptions=STANDARD,
    regime=EXACT_FINITE_N,
    source=Source(
        f"{POSTER}, 'Asymptotic convergence to circulant matrices' (eigenvector part of X_PCA,k)",
        r"\cos\left(\frac{\pi k t}{n}\right)",
        sp.cos(sp.pi * k * t / n),
        "the paper says the eigenvectors are Fourier modes and prints them inside X_PCA,k",
    ),
    derivation=theorems.prove_rw_eigenvector,
    status=Status.PROVEN,
    comparison=Kind.CONVENTION,
    process=ProcessName.PLAIN,
    quantity=Quantity.EIGENVECTOR,
    aliases=("rw.eigenvector.exact",),
    related=("rw.eigenvalue", "rw.projection"),
    notes=(
        "Proven for every n >= 2: the eigenvalues are simple, so each eigenvector is unique "
        "up to sign; also cited as rw.eigenvector.exact.",
    ),
)

make_entry(
    CATALOG,
    id="rw.projection",
    title="Projection of the random walk onto a PCA component",
    lhs=X_k(t),
    rhs=sp.sqrt(2 * _lam / n) * sp.cos(sp.pi * k * (t - sp.Rational(1, 2)) / n),
    index_range="t = 1, \\dots, n,\\ \\lambda_k \\text{ from rw.eigenvalue}",
    variables={**N, **K, **T, "lambda_k": "the k-th eigenvalue (rw.eigenvalue)"},
    assumptions=(*STANDARD, "defined up to the sign of the eigenvector"),
    regime=EXACT_FINITE_N,
    source=Source(
        f"{POSTER}, 'Asymptotic convergence to circulant matrices'",
        r"\mathbf{X}_{\mathrm{PCA},k} = \sqrt{\frac{2\lambda_k}{n}}\cos\left(\frac{\pi k t}{n}\right)",
        sp.sqrt(2 * _lam / n) * sp.cos(sp.pi * k * t / n),
    ),
    derivation=eigenvectors.derive_rw_projection,
    status=Status.DERIVED,
    comparison=Kind.CONVENTION,
    process=ProcessName.PLAIN,
    quantity=Quantity.PROJECTION,
    related=("rw.eigenvector", "rw.lissajous"),
)

_Aj, _Ak = sp.symbols("A_j A_k", real=True)
_xj, _xk = sp.symbols("X_j X_k", real=True)
make_entry(
    CATALOG,
    id="rw.lissajous",
    title="Projection onto two components is a Lissajous curve",
    lhs=sp.chebyshevt(k, _xj / _Aj),
    rhs=sp.chebyshevt(j, _xk / _Ak),
    index_range=(
        "(X_j, X_k) = (A_j\\cos j\\varphi, A_k\\cos k\\varphi),\\ "
        "\\varphi = \\pi(t - \\tfrac12)/n,\\ A_k = \\sqrt{2\\lambda_k/n}"
    ),
    variables={
        **N,
        **domains.J.variables(label="first component"),
        **K,
        "X_j, X_k": "projections onto components j and k (rw.projection)",
        "A_j, A_k": "amplitudes sqrt(2 lambda / n)",
    },
    assumptions=STANDARD,
    regime=EXACT_FINITE_N,
    source=Source(
        f"{POSTER}, 'Asymptotic convergence to circulant matrices' and abstract",
        r"\text{the projection onto any two PCA components is a Lissajous curve}",
        None,
    ),
    derivation=eigenvectors.derive_rw_lissajous,
    status=Status.DERIVED,
    comparison=Kind.EQUAL,
    process=ProcessName.PLAIN,
    quantity=Quantity.LISSAJOUS,
    related=("rw.projection",),
)

make_entry(
    CATALOG,
    id="rw.trace",
    title="Total variance of the centred random walk",
    lhs=sp.Symbol(r"\operatorname{tr}K"),
    rhs=(n**2 - 1) / 6,
    variables=N,
    assumptions=STANDARD,
    regime=EXACT_FINITE_N,
    source=Source("not in the paper (used through its limit n^2/6)"),
    derivation=theorems.prove_rw_trace,
    status=Status.PROVEN,
    comparison=Kind.NOT_PRINTED,
    process=ProcessName.PLAIN,
    quantity=Quantity.TRACE,
    related=("rw.evr.exact",),
)

make_entry(
    CATALOG,
    id="rw.evr.exact",
    title="Explained-variance ratio of the random walk at finite n",
    lhs=sp.Symbol("rho_k(n)"),
    rhs=3 / (2 * (n**2 - 1) * sp.sin(sp.pi * k / (2 * n)) ** 2),
    index_range="k = 1, \\dots, n-1",
    variables={**N, **K},
    assumptions=STANDARD,
    regime=EXACT_FINITE_N,
    source=Source("not in the paper (it prints only the limit, rw.evr)"),
    derivation=theorems.prove_rw_evr_exact,
    status=Status.PROVEN,
    comparison=Kind.NOT_PRINTED,
    process=ProcessName.PLAIN,
    quantity=Quantity.EVR,
    related=("rw.evr", "rw.trace", "rw.eigenvalue"),
)

make_entry(
    CATALOG,
    id="rw.evr",
    title="Explained-variance ratio of the random walk (n -> infinity)",
    lhs=rho_k,
    rhs=6 / (sp.pi**2 * k**2),
    index_range="k = 1, 2, \\dots",
    variables=K,
    assumptions=STANDARD,
    regime=LIMIT_N,
    source=Source(
        f"{POSTER}, 'Asymptotic convergence to circulant matrices'",
        r"\rho_k = \frac{6}{\pi^2 k^2}",
        AS_STATED,
    ),
    derivation=variance.derive_rw_evr,
    status=Status.DERIVED,
    comparison=Kind.EQUAL,
    process=ProcessName.PLAIN,
    quantity=Quantity.EVR,
    related=("rw.evr.exact", "rw.evr.cumulative"),
)

make_entry(
    CATALOG,
    id="rw.evr.cumulative",
    title="Share of the variance in the first m components (n -> infinity)",
    lhs=sp.Symbol("R_m"),
    rhs=6 * sp.harmonic(m, 2) / sp.pi**2,
    index_range="m = 1, 2, \\dots",
    variables=domains.M.variables(),
    assumptions=STANDARD,
    regime=LIMIT_N,
    source=Source(
        f"{POSTER}, 'Summary'",
        r"\text{approximately 60\% of the variance in the first component, 80\% in the first two}",
        sp.Rational(4, 5),
        "the printed value is the share of the first two components",
    ),
    derivation=variance.derive_rw_evr_cumulative,
    status=Status.DERIVED,
    comparison=Kind.DIFFERENT,
    process=ProcessName.PLAIN,
    quantity=Quantity.CUMULATIVE,
    related=("rw.evr",),
)

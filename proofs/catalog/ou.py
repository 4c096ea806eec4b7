"""Catalog entries for the Ornstein-Uhlenbeck walk x_t = (1 - alpha) x_{t-1} + xi_t."""

from __future__ import annotations

import sympy as sp

from rwpca.proofs.catalog import CATALOG
from rwpca.proofs.catalog.common import ALPHA, POSTER, STANDARD, K, N
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
from rwpca.proofs.derive import ou_spectrum, regimes, secular
from rwpca.proofs.domains import ALPHA_BELOW_ONE
from rwpca.proofs.processes import ProcessName
from rwpca.proofs.symbols import alpha, k, lam_k, n

_periodic = 1 / (1 + (1 - alpha) ** 2 - 2 * (1 - alpha) * sp.cos(2 * sp.pi * k / n))
_source = Source(
    f"{POSTER}, 'Generalizations'",
    r"\lambda_{\mathrm{OU},k} = \left[1+(1-\alpha)^2-2(1-\alpha)\cos\left(\frac{2\pi k}{n}\right)"
    r"\right]^{-1}",
    AS_STATED,
)

make_entry(
    CATALOG,
    id="ou.eigenvalue",
    title="Eigenvalues of the Ornstein-Uhlenbeck covariance (periodic form, as printed)",
    lhs=lam_k,
    rhs=_periodic,
    index_range="k = 1, \\dots, n-1",
    variables={**N, **K, **ALPHA},
    assumptions=STANDARD,
    regime=Regime(
        RegimeKind.ASYMPTOTIC,
        "n min(alpha, 2 - alpha) >> 1 (the walk forgets its start within "
        "1/min(alpha, 2 - alpha) steps): n -> infinity at fixed alpha and k; exact only for "
        "the periodic walk x_0 = x_n",
    ),
    source=_source,
    derivation=regimes.derive_ou_eigenvalue,
    status=Status.DERIVED,
    comparison=Kind.EQUAL,
    process=ProcessName.OU,
    quantity=Quantity.EIGENVALUE,
    related=("ou.eigenvalue.exact", "ou.eigenvalue.mirror", "ou.eigenvalue.small_k"),
    # a circulant's frequencies: the values come in pairs and, for alpha > 1, grow with k
    reading="multiset",
    notes=(
        "Values come in equal pairs k, n - k (size-n circulant); the open walk's spectrum does "
        "not. So the statement is about the spectrum as a set of values, and is verified so; "
        "read as 'the k-th value is the k-th largest', it fails for alpha > 1, where "
        "1 - alpha < 0 makes the values grow with k (the verification section measures it).",
        "When n alpha << 1 the leading eigenvalue is 4 times too small: use ou.eigenvalue.mirror.",
        "Near alpha = 2 the walk alternates in sign and forgets its start as slowly as near "
        "alpha = 0: the regime is n min(alpha, 2 - alpha) >> 1, not n alpha >> 1.",
        "The exact finite-n spectrum, at every n alpha, is ou.eigenvalue.exact (a secular "
        "equation); the verification section measures both circulant forms against it.",
    ),
)

make_entry(
    CATALOG,
    id="ou.eigenvalue.mirror",
    title="Eigenvalues of the Ornstein-Uhlenbeck covariance (mirror form, n alpha << 1)",
    lhs=lam_k,
    rhs=1 / (1 + (1 - alpha) ** 2 - 2 * (1 - alpha) * sp.cos(sp.pi * k / n)),
    index_range="k = 1, \\dots, n-1",
    variables={**N, **K, **ALPHA},
    assumptions=STANDARD,
    regime=Regime(
        RegimeKind.ASYMPTOTIC,
        "n alpha << 1 (the walk has not felt the well); exact in the limit alpha -> 0, "
        "where it is rw.eigenvalue",
    ),
    # the paper prints only the periodic form: the statement of ou.eigenvalue
    source=CATALOG.get("ou.eigenvalue").source,
    derivation=ou_spectrum.derive_ou_eigenvalue_mirror,
    status=Status.DERIVED,
    comparison=Kind.DIFFERENT,
    process=ProcessName.OU,
    quantity=Quantity.EIGENVALUE,
    related=("ou.eigenvalue.exact", "ou.eigenvalue", "rw.eigenvalue"),
)

make_entry(
    CATALOG,
    id="ou.eigenvalue.small_k",
    title="Small-k approximation of the Ornstein-Uhlenbeck eigenvalues",
    lhs=lam_k,
    rhs=1 / (4 * sp.pi**2 * k**2 * (1 - alpha) / n**2 + alpha**2),
    index_range="k \\ll n",
    variables={**N, **K, **ALPHA_BELOW_ONE.variables()},
    domains=(ALPHA_BELOW_ONE,),
    assumptions=STANDARD,
    regime=Regime(
        RegimeKind.ASYMPTOTIC,
        "k << n (relative error of the denominator at most pi^2 k^2 / (3 n^2)), on top of "
        "ou.eigenvalue's regime n alpha >> 1; 0 < alpha < 1 only",
    ),
    source=Source(
        f"{POSTER}, 'Generalizations'",
        r"\lambda_{\mathrm{OU},k} \simeq \left[\frac{4\pi^2 k^2 (1-\alpha)}{n^2}+\alpha^2\right]^{-1}",
        AS_STATED,
    ),
    derivation=regimes.derive_ou_small_k,
    status=Status.DERIVED,
    comparison=Kind.EQUAL,
    process=ProcessName.OU,
    quantity=Quantity.EIGENVALUE,
    related=("ou.eigenvalue", "ou.eigenvalue.mirror"),
    notes=(
        "Stated by the paper for 0 < alpha < 2; it holds for 0 < alpha < 1 only: above 1 the "
        "small-k values are the smallest eigenvalues and the denominator turns negative for "
        "2 pi k / n > alpha / sqrt(alpha - 1).",
    ),
)

make_entry(
    CATALOG,
    id="ou.eigenvalue.exact",
    title="Exact eigenvalues of the Ornstein-Uhlenbeck covariance (secular equation)",
    lhs=secular.CLOSED_FORM,
    rhs=sp.Integer(0),
    index_range=(
        "\\lambda = \\left[1+(1-\\alpha)^2-2(1-\\alpha)\\cos\\theta\\right]^{-1},\\ "
        "\\theta \\in (0, \\pi)"
    ),
    variables={
        **N,
        **ALPHA,
        "theta": "angle in (0, pi); the n - 1 roots give the n - 1 nonzero eigenvalues",
    },
    assumptions=STANDARD,
    regime=EXACT_FINITE_N,
    source=Source("not in the paper (it prints the periodic circulant form, ou.eigenvalue)"),
    derivation=secular.derive_ou_secular,
    status=Status.DERIVED,
    comparison=Kind.NOT_PRINTED,
    process=ProcessName.OU,
    quantity=Quantity.SECULAR,
    related=("ou.eigenvalue", "ou.eigenvalue.mirror", "rw.eigenvalue"),
    notes=(
        "Replaces both circulant forms at every n alpha: the paper's periodic form holds only "
        "when n alpha >> 1, the mirror form only when n alpha << 1.",
    ),
)

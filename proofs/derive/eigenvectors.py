"""Derivations of the eigenvectors, the PCA projections and the Lissajous curves.

The eigenvectors of the plain walk's K are the DCT-II cosines cos(pi k (t - 1/2) / n),
t = 1..n (exact, for every n); the paper prints cos(pi k t / n), the same curve with the
time index shifted by half a step. Projecting the centred trajectory onto components j
and k gives (A_j cos(j phi), A_k cos(k phi)), phi = pi (t - 1/2) / n: a Lissajous curve
with frequency ratio j : k and zero phase, which lies on the algebraic curve
T_k(x / A_j) = T_j(y / A_k) (T the Chebyshev polynomials).
"""

from __future__ import annotations

import mpmath
import sympy as sp

from rwpca.proofs import circulant as circ
from rwpca.proofs import matrices
from rwpca.proofs.derivation import (
    Comparison,
    Derivation,
    Kind,
    Step,
    is_zero,
    same_form,
    takes_printed_form,
)
from rwpca.proofs.derive.eigenvalues import (
    mirror_eigenvalue,
    mirror_steps,
    plain_exactness_step,
    process_symbol,
)
from rwpca.proofs.pointwise import differ_at_points
from rwpca.proofs.side_conditions import LOWER, UPPER, unit_fraction_check
from rwpca.proofs.symbols import j, k, n, t, theta

PHASE = sp.pi * (t - sp.Rational(1, 2)) / n
DCT = sp.sqrt(2 / n) * sp.cos(k * PHASE)
LISSAJOUS_PAIRS = ((1, 2), (1, 3), (2, 3), (1, 4), (3, 4), (2, 5))


def normalisation_step(lower: sp.Expr = LOWER, upper: sp.Expr = UPPER) -> Step:
    """sum_t cos^2(pi k (t - 1/2) / n) = n / 2 for lower <= k <= upper (the declared
    1 <= k <= n - 1 by default), for symbolic n; the side condition e^{2 pi i k / n} != 1 is
    discharged from that range (a range admitting k = n makes the step fail)."""
    step = Step(
        "Normalisation, for symbolic n",
        "cos^2 x = (1 + cos 2x)/2, and sum_t cos(2 pi k (t - 1/2)/n) is the real part of a "
        "geometric sum with ratio e^{2 pi i k / n}. Its closed form needs the ratio to differ "
        "from 1; e^{2 pi i x} = 1 only for integer x, and x = k/n lies strictly between 0 and 1 "
        "on the declared range of k (checked below from that range, not assumed). The sum then "
        "vanishes because e^{2 pi i k} = 1. So the cosines have squared norm n/2 and "
        "sqrt(2/n) normalises them.",
    )
    side = unit_fraction_check(lower, upper)
    step.check(r"e^{2\pi i k/n} \neq 1 \Leftarrow " + side.statement, side.how, side.holds)
    ratio = sp.exp(2 * sp.pi * sp.I * k / n)
    first = sp.exp(sp.pi * sp.I * k / n)  # term t = 1 of exp(2 pi i k (t - 1/2) / n)
    geometric = first * (1 - ratio**n) / (1 - ratio)
    step.show(
        r"\sum_{t=1}^{n} e^{2\pi i k (t-1/2)/n}",
        first * (1 - sp.Symbol(r"e^{2\pi i k}")) / (1 - ratio),
        sp.simplify(geometric),
    )
    step.check(
        r"\sum_t e^{2\pi i k(t-1/2)/n} = 0",
        "geometric-series closed form with integer k simplifies to 0",
        is_zero(geometric),
    )
    # evaluated by mpmath at 40 digits (SymPy's own N of each sum cost 50x as much)
    vector = sp.lambdify((n, k, t), DCT, "mpmath")
    with mpmath.workdps(40):
        ok = all(
            abs(mpmath.fsum(vector(size, kk, tt) ** 2 for tt in range(1, size + 1)) - 1)
            < mpmath.mpf(10) ** -35
            for size in range(2, 9)
            for kk in range(1, size)
        )
    step.check(r"\|u_k\| = 1", "evaluated at n = 2..8, all k, 40 digits", ok)
    return step


def paper_vector_step(printed: sp.Expr) -> Step:
    """The printed cos(pi k t / n) is not an exact eigenvector at finite n."""
    size = 4
    Q = matrices.centred_precision(matrices.difference_matrix(size))
    step = Step(
        "The printed index convention is not an eigenvector at finite n",
        f"With t = 1..n, cos(pi k t / n) is not an eigenvector of the exact Q; at n = {size}, "
        "k = 1 the residual Q v - f v is nonzero, while the half-shifted cosine has zero "
        "residual. The two agree as curves: the printed form samples the same cosine half a "
        "step later, a phase shift pi k / (2n) that vanishes as n -> infinity.",
    )
    f = process_symbol("plain").f.subs(theta, sp.pi / size)  # mu_1 = 1 / lambda_1
    vector = sp.Matrix([printed.subs({n: size, k: 1, t: tt}) for tt in range(1, size + 1)])
    ours = circ.dct_vector(size, 1)
    res_printed = (Q * vector - f * vector).applyfunc(sp.nsimplify)
    res_ours = Q * ours - f * ours
    step.show(r"Q v^{printed} - f v^{printed}", res_printed.applyfunc(sp.simplify))
    step.check(
        r"Q v^{printed} \neq f v^{printed}",
        "exact at n = 4, k = 1: an entry evaluates to a nonzero number (30 digits, strict evalf)",
        any(differ_at_points(entry, sp.Integer(0)) for entry in res_printed),
    )
    step.check(r"Q u - f u = 0", "exact at n = 4, k = 1", is_zero(res_ours))
    return step


def _convention_comparison(derived: sp.Expr, printed: sp.Expr | None, what: str) -> Comparison:
    if printed is None:
        return Comparison(Kind.NOT_PRINTED, f"The paper prints no {what}.")
    if same_form(derived, printed):
        return Comparison(Kind.EQUAL, "The derived formula simplifies to the printed one.")
    shifted = printed.subs(t, t - sp.Rational(1, 2))
    if same_form(derived, shifted):
        return Comparison(
            Kind.CONVENTION,
            "The printed form with t replaced by t - 1/2 is the derived one: the paper indexes "
            "time from 0 at the samples' midpoints, the exact eigenvectors are cos(pi k (t - "
            "1/2)/n) for t = 1..n (DCT-II).",
        )
    return Comparison(Kind.DIFFERENT, "The derived formula differs from the printed one.")


@takes_printed_form
def derive_rw_eigenvector(printed: sp.Basic | None) -> Derivation:
    """u_k(t) = sqrt(2/n) cos(pi k (t - 1/2) / n), exact for every n."""
    steps, _ = mirror_steps("plain")
    steps = [s for s in steps if not s.title.startswith("Boundary defect")]
    steps.append(plain_exactness_step())
    steps.append(normalisation_step())
    if printed is not None:
        steps.append(paper_vector_step(printed))
    result = DCT
    # The printed form carries no normalisation; compare the cosines themselves.
    comparison = _convention_comparison(
        result, None if printed is None else sp.sqrt(2 / n) * printed, "eigenvector"
    )
    return Derivation(result, steps, comparison, figures=["eigenvectors"]).require()


@takes_printed_form
def derive_rw_projection(printed: sp.Basic | None) -> Derivation:
    """X_k(t) = sqrt(2 lambda_k / n) cos(pi k (t - 1/2) / n), up to a sign."""
    step = Step(
        "Projection = singular value times left singular vector",
        "Write the centred trajectory as X^ = U Sigma V^T. Its projection onto component k is "
        "X^ v_k = sigma_k u_k, where u_k is the unit eigenvector of X^ X^T = K and sigma_k^2 "
        "= lambda_k. With u_k from rw.eigenvector and lambda_k from rw.eigenvalue:",
    )
    lam = sp.Symbol("lambda_k", positive=True)
    result = sp.sqrt(lam) * DCT
    step.show(r"X_k(t)", sp.sqrt(lam) * sp.Symbol("u_k(t)"), sp.simplify(result))
    ok = True
    for size in (3, 4, 5):
        S = matrices.difference_matrix(size)
        K = matrices.centred_covariance(S)
        for kk in range(1, size):
            u = sp.Matrix([DCT.subs({n: size, k: kk, t: tt}) for tt in range(1, size + 1)])
            value = mirror_eigenvalue("plain").subs({n: size, k: kk})
            residual = (K * u - value * u).applyfunc(lambda e: sp.N(e, 40))
            ok &= max(abs(e) for e in residual) < sp.Float(10) ** -30
    step.check(r"K u_k = \lambda_k u_k", "exact K at n = 3, 4, 5, all k, 40 digits", ok)
    comparison = _convention_comparison(sp.simplify(result), printed, "projection")
    return Derivation(
        sp.simplify(result),
        [step],
        comparison,
        findings=["The projection is defined up to a sign (the sign of u_k)."],
        figures=["lissajous"],
    ).require()


@takes_printed_form
def derive_rw_lissajous(printed: sp.Basic | None) -> Derivation:
    """(X_j, X_k) lies on T_k(X_j / A_j) = T_j(X_k / A_k): a Lissajous curve."""
    x, y, Aj, Ak = sp.symbols("X_j X_k A_j A_k", real=True)
    step = Step(
        "Parametric form",
        "With phi = pi (t - 1/2) / n and A_k = sqrt(2 lambda_k / n), rw.projection gives "
        "X_j = A_j cos(j phi), X_k = A_k cos(k phi): the Lissajous curve with frequencies "
        "j : k and zero phase, traced once as t runs over 1..n (phi over (0, pi)).",
    )
    phi = sp.Symbol("phi", real=True)
    step.show(r"(X_j, X_k)", sp.Tuple(Aj * sp.cos(j * phi), Ak * sp.cos(k * phi)))
    algebraic = Step(
        "Implicit equation",
        "Since T_m(cos x) = cos(m x) for the Chebyshev polynomial T_m, both T_k(X_j / A_j) and "
        "T_j(X_k / A_k) equal cos(j k phi). Checked by expanding the Chebyshev polynomials "
        "for the pairs below:",
    )
    ok = True
    for jj, kk in LISSAJOUS_PAIRS:
        lhs = sp.chebyshevt(kk, sp.cos(jj * phi))
        rhs = sp.chebyshevt(jj, sp.cos(kk * phi))
        ok &= is_zero(sp.expand(sp.expand_trig(lhs - rhs)))
        if (jj, kk) == (1, 2):
            algebraic.show(
                r"(j, k) = (1, 2)",
                sp.Eq(sp.chebyshevt(2, x / Aj), sp.chebyshevt(1, y / Ak)),
                note="a parabola arc",
            )
    algebraic.check(
        r"T_k(\cos j\phi) = T_j(\cos k\phi)",
        "expand_trig, (j, k) in " + ", ".join(f"({a}, {b})" for a, b in LISSAJOUS_PAIRS),
        ok,
    )
    result = sp.Eq(sp.chebyshevt(k, x / Aj), sp.chebyshevt(j, y / Ak))
    comparison = Comparison(
        Kind.EQUAL,
        "The paper states that the projection onto any two components is a Lissajous curve, "
        "without an equation; the derived curve is one, with frequency ratio j : k and zero "
        "phase.",
    )
    return Derivation(result, [step, algebraic], comparison, figures=["lissajous"]).require()

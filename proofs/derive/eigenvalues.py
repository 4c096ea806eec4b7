"""Derivations of the eigenvalue formulas of the plain, momentum and OU walks.

Every formula here comes out of a computation on the matrices of
:mod:`rwpca.proofs.matrices`: the lag polynomial is read off the step operator, the symbol is
the Laurent product p(z) p(1/z), and the eigenvalues follow from a circulant of size n
(periodic boundary) or 2n (mirror boundary). Checks that the computation performs are
recorded in the returned :class:`~rwpca.proofs.derivation.Derivation` and must all hold.

Regimes, in short:

* plain walk: the mirror form 1 / (2 (1 - cos(pi k / n))) is **exact** for every n,
  because the centred precision matrix *is* the mirror-restricted circulant;
* momentum: the mirror form is **asymptotic** (n -> infinity at fixed gamma, k); the two
  operators differ by a perturbation confined to the first rows;
* OU: the paper's size-n (periodic) form is exact for the periodic OU walk and right
  for the open walk when n alpha >> 1; the mirror form is right when n alpha << 1,
  where the walk has not felt the restoring force.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from rwpca.proofs import circulant as circ
from rwpca.proofs import matrices
from rwpca.proofs.derivation import (
    Comparison,
    Derivation,
    Kind,
    Step,
    is_zero,
    limit_at_infinity,
    same_form,
    takes_printed_form,
)
from rwpca.proofs.processes import get_process
from rwpca.proofs.symbols import gamma, k, n, t, theta, z

#: Size at which matrices are displayed in the documents.
DISPLAY_N = 6
#: Sizes at which exact matrix identities are checked entrywise.
CHECK_SIZES = tuple(range(2, 11))


def check_paired(step: Step, periodic: sp.Expr, how: str) -> None:
    """Record in ``step`` the check that a periodic (size-n circulant) spectrum pairs k, n - k."""
    step.check(
        r"\lambda^{per}_{n-k} = \lambda^{per}_k",
        how,
        is_zero(periodic.subs(k, n - k) - periodic),
    )


@dataclass(frozen=True)
class Symbol:
    """The circulant symbol of a process: lag polynomial, Laurent coefficients, f(theta)."""

    process: str
    step_operator: sp.Matrix
    lag: sp.Expr
    coefficients: tuple[sp.Expr, ...]
    f: sp.Expr


@cache
def process_symbol(process: str) -> Symbol:
    """Read the symbol f(theta) = |p(e^{i theta})|^2 off the process's step operator."""
    T = get_process(process).step_operator(DISPLAY_N)
    p = circ.lag_polynomial(T)
    a = circ.laurent_coefficients(p)
    f = sp.expand(circ.symbol_from_coefficients(a))
    return Symbol(process, T, p, tuple(a), f)


@cache
def mirror_eigenvalue(process: str) -> sp.Expr:
    """1/f(pi k / n): the mirror-circulant eigenvalue read off the process's symbol.

    Exact for the plain walk (rw.eigenvalue), asymptotic for momentum, the n alpha << 1 form
    for OU. Computed, not typed: other derivations compare against this.
    """
    # one fraction with its common factor drawn out (what simplify gave, at 1/100 of the cost;
    # for the plain walk 1/(2 (1 - cos)) rather than simplify's -1/(2 cos - 2))
    return sp.together(1 / process_symbol(process).f.subs(theta, sp.pi * k / n))


@cache
def periodic_eigenvalue(process: str) -> sp.Expr:
    """1/f(2 pi k / n): the eigenvalue of the size-n (periodic) circulant of a process (unsimplified).

    The paper's OU form (ou.eigenvalue); for the open plain walk it is the naive circulant
    whose leading eigenvalue is 4 times too small.
    """
    return 1 / process_symbol(process).f.subs(theta, 2 * sp.pi * k / n)


def half_angle_form(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every cos(x) written as 1 - 2 sin^2(x/2) (1/(2(1 - cos x)) = 1/(4 sin^2(x/2)))."""
    return expr.replace(sp.cos, lambda x: 1 - 2 * sp.sin(x / 2) ** 2)


def symbol_steps(process: str) -> list[Step]:
    """Steps 1-2 common to all processes: step operator, lag polynomial and symbol."""
    proc = get_process(process)
    sym = process_symbol(process)
    one = Step(
        "Step operator and lag polynomial",
        f"The {proc.title} ({proc.recursion}, x_0 = 0) is T X = R with the lower-triangular "
        f"Toeplitz step operator T below (shown at n = {DISPLAY_N}). Its first column gives "
        "the lag polynomial p(z) = sum_m T[m, 0] z^m.",
    )
    one.show("T", sym.step_operator)
    one.show("p(z)", sym.lag, sp.factor(sym.lag))
    one.check(
        r"T \text{ is lower-triangular Toeplitz}",
        "every entry T[i, c] equals T[i - c, 0] (computed)",
        circ.is_lower_toeplitz(sym.step_operator),
    )
    two = Step(
        "Circulant symbol",
        "The precision matrix A = T^T T is banded Toeplitz away from its last rows, with "
        "coefficients a_m of the Laurent polynomial p(z) p(1/z). Any circulant built from "
        "them has eigenvalues f(theta) = a_0 + 2 sum a_m cos(m theta) at theta = 2 pi j / N.",
    )
    two.show("p(z)\\,p(1/z)", sp.expand(sym.lag * sym.lag.subs(z, 1 / z)))
    two.show("f(\\theta)", sym.f, sp.factor(sym.f))
    direct = circ.symbol_direct(sym.lag)
    two.check(
        r"f(\theta) = \left|p(e^{i\theta})\right|^2",
        "the cosine form equals p(e^{i theta}) p(e^{-i theta}) expanded (difference simplifies to 0)",
        is_zero(direct - sym.f),
    )
    two.check(
        r"f(0) = p(1)^2",
        "evaluated",
        is_zero(sym.f.subs(theta, 0) - sym.lag.subs(z, 1) ** 2),
    )
    return [one, two]


def eigen_relation_steps(process: str, size: int = 4) -> Step:
    """Check at a concrete size that the causal circulant has Fourier eigenvectors."""
    sym = process_symbol(process)
    T = get_process(process).step_operator(max(size, DISPLAY_N))
    Tc = circ.causal_circulant(T, size)
    step = Step(
        "Fourier modes diagonalise circulants",
        f"The periodic step operator T_c (the circulant with T's first column, size N = {size}) "
        "maps each Fourier vector v_j = (omega^{j s}) to p(omega^{-j}) v_j, so "
        "T_c^T T_c has eigenvalue |p(omega^j)|^2 = f(2 pi j / N). Checked for every j:",
    )
    step.show("T_c", Tc)
    holds = True
    for freq in range(size):
        v = circ.fourier_vector(size, freq)
        omega_j = sp.exp(-2 * sp.pi * sp.I * freq / size)
        eig = sym.lag.subs(z, omega_j)
        holds &= is_zero((Tc * v - eig * v).applyfunc(sp.expand_complex))
        modulus = sp.expand_complex(eig * sp.conjugate(eig))
        holds &= is_zero(modulus - sym.f.subs(theta, 2 * sp.pi * freq / size))
    step.check(
        rf"T_c v_j = p(\omega^{{-j}}) v_j,\ j = 0..{size - 1}",
        "exact complex arithmetic at N = " + str(size),
        holds,
    )
    return step


def pseudo_inverse_step(process: str) -> Step:
    """K = Q^+ with Q = A - A 1 1^T A / (1^T A 1): checked exactly at small n."""
    step = Step(
        "Centring: the covariance is the pseudo-inverse of a centred precision",
        "Let A = T^T T and Q = A - A 1 1^T A / (1^T A 1). Then Q 1 = 0 and Q K = K Q = C, "
        "so K = C T^-1 T^-T C is the Moore-Penrose pseudo-inverse of Q: the nonzero "
        "eigenvalues of K are the reciprocals of those of Q, with the same eigenvectors. "
        "(Q A^-1 C = C because 1^T C = 0; multiply on the right by C.)",
    )
    ok = True
    for size in (2, 3, 4):
        T = get_process(process).step_operator(size)
        K = matrices.centred_covariance(T)
        C = matrices.centering_matrix(size)
        A = matrices.precision_matrix(T)
        one = sp.ones(size, 1)
        # c Q = c A - (A 1)(A 1)^T with c = 1^T A 1 is polynomial in the parameters, so
        # the identities reduce to polynomial expansions (no rational simplification).
        c = (one.T * A * one)[0, 0]
        cQ = c * A - (A * one) * (A * one).T
        ok &= is_zero((cQ * K - c * C).applyfunc(sp.expand))
        ok &= is_zero((K * cQ - c * C).applyfunc(sp.expand))
        ok &= is_zero(cQ * one)
        ok &= is_zero((matrices.centred_precision(T) * c - cQ).applyfunc(sp.cancel))
    step.check(r"Q K = K Q = C,\ Q\mathbf{1} = 0", "exact, symbolic parameters, n = 2, 3, 4", ok)
    return step


def mirror_steps(process: str) -> tuple[list[Step], sp.Matrix]:
    """Mirror extension: Q_mirror, its DCT eigenpairs for symbolic n, and Q - Q_mirror."""
    sym = process_symbol(process)
    a = list(sym.coefficients)
    steps = []
    ext = Step(
        "Mirror (even) extension: a circulant of size 2n",
        "Extend x in R^n to the mirror-symmetric vector E x = (x_1..x_n, x_n..x_1) in R^{2n}. "
        "The symmetric circulant M_{2n} with the symbol's coefficients maps mirror-symmetric "
        "vectors to mirror-symmetric vectors, so it induces an n x n operator Q_mirror "
        "(the first n rows of M_{2n} E). Its eigenvalues are f(pi k / n), k = 0..n-1.",
    )
    Q_mirror = circ.mirror_restriction(a, DISPLAY_N)
    ext.show("Q_{mirror}", Q_mirror)
    steps.append(ext)

    phi = sp.pi * k / n
    s = t - sp.Rational(1, 2)
    u = sp.cos(phi * s)
    eig = Step(
        "DCT-II eigenvectors, for symbolic n and k",
        "Let u(s) = cos(phi s) with phi = pi k / n and s = t - 1/2. Row t of M_{2n} applied to "
        "the 2n-periodic even extension of u gives f(phi) u(t), and the even extension of "
        "(u(1/2), ..., u(n - 1/2)) is u itself on the whole cycle.",
    )
    row = a[0] * u + sum(
        a[mm] * (sp.cos(phi * (s + mm)) + sp.cos(phi * (s - mm))) for mm in range(1, len(a))
    )
    target = sym.f.subs(theta, phi) * u
    eig.show(r"(M_{2n} u)(t)", row)
    eig.check(
        r"(M_{2n} u)(t) = f(\pi k/n)\, u(t)",
        "expand_trig of the difference simplifies to 0 (symbolic n, k, t)",
        is_zero(sp.expand_trig(sp.expand(row - target))),
    )
    eig.check(
        r"u(-s) = u(s),\ u(2n - s) = u(s)",
        "the mirror symmetries at both ends (symbolic integer k, n)",
        is_zero(u.subs(t, 1 - t) - u) and is_zero(sp.cos(phi * (2 * n - s)) - u),
    )
    steps.append(eig)

    defect = Step(
        "Boundary defect Q - Q_mirror",
        "The true centred precision Q differs from Q_mirror only where the boundary "
        "conditions differ. Computed exactly:",
    )
    Q = matrices.centred_precision(get_process(process).step_operator(DISPLAY_N))
    difference = (Q - Q_mirror).applyfunc(sp.factor)
    defect.show("Q - Q_{mirror}", difference)
    steps.append(defect)
    return steps, difference


def plain_exactness_step() -> Step:
    """For the plain walk Q equals Q_mirror at every size checked, and why for every n."""
    step = Step(
        "Exactness for the plain walk",
        "For the plain walk S 1 = e_1, so A 1 = S^T e_1 = e_1 and 1^T A 1 = 1: the centring "
        "removes exactly the corner entry, Q = S^T S - e_1 e_1^T, the path-graph Laplacian "
        "(1, 2, ..., 2, 1 on the diagonal, -1 beside it). The mirror restriction of the "
        "circulant (-1, 2, -1) is the same matrix: reflecting at a boundary turns 2 x_1 - x_0 "
        "- x_2 into x_1 - x_2. Hence the mirror eigenpairs are the exact eigenpairs of Q.",
    )
    ok = True
    for size in CHECK_SIZES:
        S = matrices.difference_matrix(size)
        Q = matrices.centred_precision(S)
        ok &= is_zero(Q - circ.mirror_restriction([2, -1], size))
        e1 = sp.zeros(size, 1)
        e1[0] = 1
        ok &= S * sp.ones(size, 1) == e1
    step.check(
        r"Q = Q_{mirror},\ S\mathbf{1} = e_1",
        f"exact, entrywise, n = {CHECK_SIZES[0]}..{CHECK_SIZES[-1]}",
        ok,
    )
    return step


def naive_periodic_step(process: str) -> Step:
    """Why a size-n circulant fails for an open walk: paired frequencies 2 pi k / n."""
    sym = process_symbol(process)
    periodic = periodic_eigenvalue(process)
    mirror = 1 / sym.f.subs(theta, sp.pi * k / n)
    step = Step(
        "Why the naive size-n circulant fails",
        "Replacing T by its periodic version (a circulant of size n) gives eigenvalues "
        "1/f(2 pi k / n): every value appears twice (k and n - k) and the frequencies are "
        "twice too coarse, so the leading eigenvalue comes out a factor 4 too small.",
    )
    step.show(r"\lambda^{per}_k", periodic)
    check_paired(step, periodic, "substitution k -> n - k simplifies to the same value")
    lead_per = limit_at_infinity(periodic.subs(k, 1) / n**2, n)
    lead_mir = limit_at_infinity(mirror.subs(k, 1) / n**2, n)
    step.show(r"\lim_{n\to\infty} \lambda^{per}_1 / n^2", lead_per)
    step.show(r"\lim_{n\to\infty} \lambda^{mirror}_1 / n^2", lead_mir)
    step.check(
        r"\lambda^{mirror}_1 / \lambda^{per}_1 \to 4",
        "limit of the ratio of the leading terms",
        sp.simplify(lead_mir / lead_per) == 4,
    )
    exact_n = 4
    Q = matrices.centred_precision(get_process(process).step_operator(exact_n))
    if not Q.free_symbols:
        eigen = sorted(Q.eigenvals(), key=lambda e: float(e))
        mirror_values = sorted(
            (sym.f.subs(theta, sp.pi * kk / exact_n) for kk in range(exact_n)), key=float
        )
        periodic_values = sorted(
            (sym.f.subs(theta, 2 * sp.pi * kk / exact_n) for kk in range(exact_n)), key=float
        )
        step.show(
            "\\mathrm{eig}(Q)",
            sp.FiniteSet(*eigen),
            lead=f"At n = {exact_n} the exact eigenvalues of the centred precision Q (see the centring step) "
            "are the mirror values f(pi k / 4), not the periodic ones f(2 pi k / 4):",
        )
        step.show(r"f(\pi k / 4)", sp.FiniteSet(*mirror_values))
        step.show(r"f(2\pi k / 4)", sp.FiniteSet(*periodic_values))
        step.check(
            r"\mathrm{eig}(Q) = \{f(\pi k / 4)\}",
            "exact roots of the characteristic polynomial of Q at n = 4",
            all(is_zero(sp.nsimplify(x) - y) for x, y in zip(eigen, mirror_values, strict=True)),
        )
    return step


def comparison_of(derived: sp.Expr, printed: sp.Expr) -> Comparison:
    if same_form(derived, printed):
        return Comparison(Kind.EQUAL, "The derived formula simplifies to the printed one.")
    return Comparison(Kind.DIFFERENT, "The derived formula does not simplify to the printed one.")


@takes_printed_form
def derive_rw_eigenvalue(printed: sp.Expr) -> Derivation:
    """lambda_k = 1 / (2 (1 - cos(pi k / n))) for the plain walk, exact for every n."""
    steps = symbol_steps("plain")
    steps.append(eigen_relation_steps("plain"))
    steps.append(naive_periodic_step("plain"))
    steps.append(pseudo_inverse_step("plain"))
    mirror, difference = mirror_steps("plain")
    steps.extend(mirror)
    steps[-1].check(r"Q - Q_{mirror} = 0", f"exact at n = {DISPLAY_N}", is_zero(difference))
    steps.append(plain_exactness_step())
    result = mirror_eigenvalue("plain")
    final = Step(
        "Result",
        "k = 0 is the constant vector (f(0) = 0), removed by the centring; the other n - 1 "
        "eigenvalues of K are the reciprocals 1/f(pi k / n).",
    )
    final.show(r"\lambda_k", result)
    final.check(
        r"\lambda_k = 1/(4\sin^2(\pi k/(2n)))",
        "the half-angle form simplifies to the same value",
        # a deliberate independent witness: the half-angle form typed out, not computed
        is_zero(result - 1 / (4 * sp.sin(sp.pi * k / (2 * n)) ** 2)),
    )
    steps.append(final)
    return Derivation(result, steps, comparison_of(result, printed), figures=["spectrum"]).require()


@takes_printed_form
def derive_momentum_eigenvalue(printed: sp.Expr) -> Derivation:
    """The mirror-circulant eigenvalues of the walk with momentum (asymptotic)."""
    steps = symbol_steps("momentum")
    steps.append(pseudo_inverse_step("momentum"))
    mirror, difference = mirror_steps("momentum")
    nonzero_rows = sorted(
        {i for i in range(DISPLAY_N) for c in range(DISPLAY_N) if difference[i, c] != 0}
    )
    steps.extend(mirror)
    steps[-1].text += (
        f" The defect is nonzero only in rows {[r + 1 for r in nonzero_rows]} (of {DISPLAY_N}): "
        "a perturbation of bounded rank at the ends. It vanishes on constant vectors, so it "
        "shifts the smallest eigenvalues of Q (order 1/n^2) by a relatively small amount as n "
        "grows: the mirror eigenvalues are asymptotic, not exact, at fixed gamma."
    )
    steps[-1].check(
        r"Q - Q_{mirror} \neq 0 \text{ only near the ends}",
        f"rows with nonzero entries at n = {DISPLAY_N}",
        bool(nonzero_rows) and set(nonzero_rows) <= {0, 1, DISPLAY_N - 2, DISPLAY_N - 1},
    )
    result = mirror_eigenvalue("momentum")
    final = Step(
        "Result and leading behaviour",
        "The eigenvalues of K are asymptotically 1/f(pi k / n); for fixed k and gamma they "
        "grow like n^2 / (pi^2 k^2 (1 - gamma)^2), the plain walk's divided by (1 - gamma)^2.",
    )
    final.show(r"\lambda_k", result)
    lead = limit_at_infinity(result * k**2 / n**2, n)
    final.show(r"\lim_{n\to\infty} k^2 \lambda_k / n^2", sp.factor(lead))
    final.check(
        r"\lim_{n\to\infty} k^2\lambda_k/n^2 = 1/(\pi^2 (1-\gamma)^2)",
        "SymPy limit",
        is_zero(lead - 1 / (sp.pi**2 * (1 - gamma) ** 2)),
    )
    final.check(
        r"\gamma = 0 \text{ gives the plain walk}",
        "substitution",
        is_zero(result.subs(gamma, 0) - mirror_eigenvalue("plain")),
    )
    steps.append(final)
    return Derivation(result, steps, comparison_of(result, printed), figures=["spectrum"]).require()

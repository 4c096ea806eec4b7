"""Exact finite-n theorems for the plain random walk, with machine-checked certificates.

The paper derives its random-walk formulas as n -> infinity limits. They hold exactly at
every n >= 2. Each theorem below is proved for a *symbolic* n, with every step checked by
SymPy. Each certificate takes the claimed statement as an argument, so a wrong statement
makes a check fail (see the mutation tests in tests/test_theorems.py).

Two proof devices, both exact:

* **Word rewriting** for identities between matrices of any size: A = T^T T, its inverse
  B, the all-ones vector e and its transpose f are non-commuting symbols, reduced with the
  rules A B = B A = I, f e = n and f A e = s. This proves K = Q^+ for every process at once.
* **Entrywise identities by position cases** for matrices given by their entries. A
  matrix acts on an arbitrary sequence v as an expression in v(i - 1), v(i), v(i + 1) with
  SymPy ``Piecewise`` conditions for the boundary rows. An identity in the row index i
  holds for every n >= 2 and 1 <= i <= n if it holds in the three cases i = 1 (n = 2 + q),
  i = n (n = 2 + q) and 2 <= i <= n - 1 (i = 2 + p, n = 3 + p + q), with p, q symbolic
  non-negative integers: these cases cover every (n, i), and SymPy decides the boundary
  conditions from the signs of p and q. That is a proof for symbolic n, not a check at
  sample sizes.

The theorems, for the plain walk (R R^T = I):

1. K = C S^-1 S^-T C is the Moore-Penrose pseudo-inverse of Q = A - A 1 1^T A / (1^T A 1)
   (any invertible T, in fact);
2. Q is the path-graph Laplacian (1, 2, ..., 2, 1 on the diagonal, -1 beside it);
3. the Laplacian has the eigenpairs mu_k = 2 - 2 cos(pi k / n), u_k(t) = cos(pi k (t - 1/2) / n),
   k = 0..n-1, all distinct, so lambda_k = 1 / (2 - 2 cos(pi k / n)) = 1 / (4 sin^2(pi k / (2n)))
   for k = 1..n-1 exactly, with those eigenvectors;
4. trace K = (n^2 - 1) / 6; hence rho_k(n) = 3 / (2 (n^2 - 1) sin^2(pi k / (2n))) and the
   trigonometric identity sum_{k=1}^{n-1} csc^2(pi k / (2n)) = 2 (n^2 - 1) / 3.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import sympy as sp

from rwpca.proofs.derivation import (
    Derivation,
    Step,
    as_expression,
    is_zero,
    takes_printed_form,
    zero_as_exponentials,
)
from rwpca.proofs.side_conditions import LOWER, UPPER, unit_fraction_check
from rwpca.proofs.symbols import k, n, t
from rwpca.proofs.words import pseudo_inverse_theorem

_p = sp.Symbol("p", integer=True, nonnegative=True)
_q = sp.Symbol("q", integer=True, nonnegative=True)
_j = sp.Symbol("j", integer=True)
_i = sp.Symbol("i", integer=True, positive=True)
_theta = sp.Symbol("theta", positive=True)
_psi = sp.Symbol("psi", real=True)
_phi = sp.Symbol("phi", positive=True)
_r = sp.Symbol("r", integer=True, nonnegative=True)
_v = sp.Function("v")

Sequence_ = Callable[[sp.Expr], sp.Expr]
Operator = Callable[[Sequence_, sp.Expr], Sequence_]


# --------------------------------------------------------------------------------------
# 2. entrywise identities for every n by position cases


@dataclass(frozen=True)
class Position:
    """A case of the row index: i and n as expressions in symbolic p, q >= 0."""

    label: str
    i: sp.Expr
    n: sp.Expr


#: i = 1 and i = n for every n >= 2, and the rows in between for every n >= 3.
POSITIONS = (
    Position("i = 1, n = 2 + q", sp.Integer(1), 2 + _q),
    Position("i = n = 2 + q", 2 + _q, 2 + _q),
    Position("i = 2 + p, n = 3 + p + q", 2 + _p, 3 + _p + _q),
)


def shift_down(v: Sequence_, size: sp.Expr) -> Sequence_:
    """Z v with Z[i, j] = delta(i, j + 1): (Z v)_i = v_{i-1} for i >= 2, else 0."""
    return lambda i: sp.Piecewise((v(i - 1), i >= 2), (0, True))


def shift_up(v: Sequence_, size: sp.Expr) -> Sequence_:
    """Z^T v: (Z^T v)_i = v_{i+1} for i <= n - 1, else 0."""
    return lambda i: sp.Piecewise((v(i + 1), i <= size - 1), (0, True))


def first_corner(v: Sequence_, size: sp.Expr) -> Sequence_:
    """e_1 e_1^T v."""
    return lambda i: sp.Piecewise((v(1), sp.Eq(i, 1)), (0, True))


def last_corner(v: Sequence_, size: sp.Expr) -> Sequence_:
    """e_n e_n^T v."""
    return lambda i: sp.Piecewise((v(size), sp.Eq(i, size)), (0, True))


def difference(v: Sequence_, size: sp.Expr) -> Sequence_:
    """S v = v - Z v, the first difference with x_0 = 0."""
    down = shift_down(v, size)
    return lambda i: v(i) - down(i)


def difference_transpose(v: Sequence_, size: sp.Expr) -> Sequence_:
    """S^T v = v - Z^T v."""
    up = shift_up(v, size)
    return lambda i: v(i) - up(i)


def path_laplacian(v: Sequence_, size: sp.Expr) -> Sequence_:
    """L v for the path-graph Laplacian: degree (1, 2, ..., 2, 1) minus adjacency."""
    down, up = shift_down(v, size), shift_up(v, size)
    first, last = first_corner(v, size), last_corner(v, size)
    return lambda i: 2 * v(i) - down(i) - up(i) - first(i) - last(i)


def ones(i: sp.Expr) -> sp.Expr:
    return sp.Integer(1)


def unit_first(i: sp.Expr) -> sp.Expr:
    return sp.Piecewise((1, sp.Eq(i, 1)), (0, True))


#: Matrix entries, as functions of (i, j, n), that the operators above read.
ENTRIES: dict[str, Callable[[sp.Expr, sp.Expr, sp.Expr], sp.Expr]] = {
    "Z": lambda i, j, size: sp.KroneckerDelta(i, j + 1),
    "Z^T": lambda i, j, size: sp.KroneckerDelta(j, i + 1),
    "e_1 e_1^T": lambda i, j, size: sp.KroneckerDelta(i, 1) * sp.KroneckerDelta(j, 1),
    "e_n e_n^T": lambda i, j, size: sp.KroneckerDelta(i, size) * sp.KroneckerDelta(j, size),
    "L": lambda i, j, size: (
        2 * sp.KroneckerDelta(i, j)
        - sp.KroneckerDelta(i, j + 1)
        - sp.KroneckerDelta(j, i + 1)
        - sp.KroneckerDelta(i, 1) * sp.KroneckerDelta(j, 1)
        - sp.KroneckerDelta(i, size) * sp.KroneckerDelta(j, size)
    ),
}
OPERATORS: dict[str, Operator] = {
    "Z": shift_down,
    "Z^T": shift_up,
    "e_1 e_1^T": first_corner,
    "e_n e_n^T": last_corner,
    "L": path_laplacian,
}


def failing_positions(
    residual: Callable[[sp.Expr, sp.Expr], sp.Expr],
    simplify: Callable[[sp.Expr, Position], sp.Expr] | None = None,
) -> list[str]:
    """Labels of the position cases where residual(i, n) does not reduce to 0."""
    failing = []
    for position in POSITIONS:
        value = residual(position.i, position.n)
        if simplify is not None:
            value = simplify(value, position)
        if not is_zero(value):
            failing.append(position.label)
    return failing


def holds_everywhere(
    residual: Callable[[sp.Expr, sp.Expr], sp.Expr],
    simplify: Callable[[sp.Expr, Position], sp.Expr] | None = None,
) -> bool:
    """residual(i, n) = 0 for every n >= 2 and 1 <= i <= n (proof by the position cases)."""
    return not failing_positions(residual, simplify)


def operator_reads_entries(name: str) -> bool:
    """(M v)_i = sum_j M[i, j] v_j: the operator is the matrix with the stated entries.

    The sum over j = 1..n of the KroneckerDelta entries is done by SymPy for symbolic i and
    n, then compared with the operator in every position case.
    """
    entry, operator = ENTRIES[name], OPERATORS[name]

    def residual(i, size):
        summed = sp.Sum(entry(_i, _j, n) * _v(_j), (_j, 1, n)).doit()
        return summed.subs({_i: i, n: size}) - operator(_v, size)(i)

    return holds_everywhere(residual)


@cache
def path_laplacian_theorem() -> Step:
    """Q = S^T S - (S^T S 1)(S^T S 1)^T / (1^T S^T S 1) is the path-graph Laplacian, every n.

    A statement without parameters, proved once per process: the eigenvalue and the
    eigenvector theorems both cite this step.
    """
    step = Step(
        "Theorem 2 (every n >= 2): the centred precision of the plain walk is the path Laplacian",
        "The matrices act on an arbitrary sequence v; each operator is first shown to be the "
        "matrix with the stated KroneckerDelta entries (the sum over j = 1..n done by SymPy "
        "for symbolic i and n). Then, with S = I - Z: S 1 = e_1, hence A 1 = S^T e_1 = e_1 and "
        "1^T A 1 = 1, so the centring removes exactly the corner: Q v = S^T S v - e_1 v_1, and "
        "this equals L v for the path-graph Laplacian L in every row. Every identity is "
        "checked in the three position cases i = 1, i = n and 2 <= i <= n - 1 with symbolic "
        "n (see the module notes): a proof for every n >= 2.",
    )
    step.show(
        "L_{ij}",
        ENTRIES["L"](sp.Symbol("i"), sp.Symbol("j"), n),
        note="degree 1, 2, ..., 2, 1 on the diagonal, -1 beside it",
    )
    step.check(
        r"(Mv)_i = \sum_{j=1}^n M_{ij} v_j \text{ for } M = Z, Z^T, e_1e_1^T, e_ne_n^T, L",
        "KroneckerDelta sums by SymPy for symbolic i, n; position cases",
        all(operator_reads_entries(name) for name in ENTRIES),
    )
    s1 = difference(ones, n)
    step.check(
        r"S\mathbf{1} = e_1",
        "position cases, symbolic n",
        holds_everywhere(
            lambda i, size: difference(ones, size)(i) - unit_first(i),
        ),
    )
    del s1
    step.check(
        r"A\mathbf{1} = S^T S \mathbf{1} = S^T e_1 = e_1,\ \mathbf{1}^T A \mathbf{1} = 1",
        "position cases, symbolic n; sum of KroneckerDelta(i, 1) over i = 1..n is 1",
        holds_everywhere(
            lambda i, size: difference_transpose(difference(ones, size), size)(i) - unit_first(i)
        )
        and sp.Sum(sp.KroneckerDelta(_i, 1), (_i, 1, n)).doit() == 1,
    )

    def residual(i, size):
        a_v = difference_transpose(difference(_v, size), size)(i)
        centred = a_v - unit_first(i) * _v(1)
        return centred - path_laplacian(_v, size)(i)

    step.check(
        r"Q = S^TS - e_1 e_1^T = L",
        "(S^T S v)_i - v_1 [i = 1] - (L v)_i reduces to 0 in every position case",
        holds_everywhere(residual),
    )
    return step


def _trig_simplifier() -> Callable[[sp.Expr, Position], sp.Expr]:
    """Substitutions that make the trigonometric residuals local.

    Inside the rows (i = 2 + p) the arguments theta (i + m - 1/2) become psi + m theta with
    psi = theta (p + 3/2); at the last row (n = 2 + q) theta n = pi k is used, which is the
    definition theta = pi k / n with k an integer.
    """

    def simplify(expr: sp.Expr, position: Position) -> sp.Expr:
        expr = sp.expand(expr)
        if position.i.has(_p):
            expr = sp.expand(expr.subs(_p, _psi / _theta - sp.Rational(3, 2)))
        if position.n.has(_q):
            expr = sp.expand(expr.subs(_q, sp.pi * k / _theta - 2))
        # theta = 2 phi makes every argument an integer multiple of phi (or psi + m 2 phi)
        expr = sp.expand_trig(sp.expand(expr.subs(_theta, 2 * _phi)))
        # a residual that vanishes does so as an exponential polynomial, decided at a small
        # fraction of simplify's cost; simplify then only writes out the nonzero ones
        return sp.Integer(0) if zero_as_exponentials(expr) else sp.simplify(expr)

    return simplify


def eigenpair_theorem(
    eigenvalue: sp.Expr | None = None, eigenvector: sp.Expr | None = None
) -> Step:
    """L u_k = mu_k u_k for every n >= 2, every row, with the claimed mu_k and u_k(t).

    ``eigenvalue`` is mu as an expression in theta (= pi k / n) and ``eigenvector`` u(t) as
    an expression in theta and t; defaults are 2 - 2 cos(theta) and cos(theta (t - 1/2)).
    """
    mu = 2 - 2 * sp.cos(_theta) if eigenvalue is None else as_expression(eigenvalue)
    u_expr = (
        sp.cos(_theta * (t - sp.Rational(1, 2)))
        if eigenvector is None
        else as_expression(eigenvector)
    )

    def u(index: sp.Expr) -> sp.Expr:
        return u_expr.subs(t, index)

    def residual(i, size):
        return path_laplacian(u, size)(i) - mu * u(i)

    failing = failing_positions(residual, _trig_simplifier())
    step = Step(
        "Theorem 3 (every n >= 2, every k): the eigenpairs of the path Laplacian",
        "Let theta = pi k / n with k an integer and u(t) = cos(theta (t - 1/2)). In the rows "
        "2 <= t <= n - 1 the Laplacian acts as 2 u(t) - u(t - 1) - u(t + 1) = (2 - 2 cos "
        "theta) u(t) (cosine addition). Row 1 needs u(0) = u(1), which holds because cos is "
        "even (u(0) = cos(-theta/2)); row n needs u(n + 1) = u(n), which holds because "
        "theta n = pi k: cos(pi k + theta/2) = cos(pi k - theta/2). The residual L u - mu u "
        "is reduced to 0 by SymPy in the three position cases, for symbolic n, k and i.",
    )
    step.show(r"\mu_k", mu.subs(_theta, sp.pi * k / n))
    step.show(r"u_k(t)", u_expr.subs(_theta, sp.pi * k / n))
    step.show(
        r"(L u)_t - \mu u_t\ \text{(rows } 2 \le t \le n-1)",
        2 * u(t) - u(t - 1) - u(t + 1) - mu * u(t),
        note="zero by the cosine addition theorem",
    )
    step.check(
        r"L u_k = \mu_k u_k",
        "position cases i = 1, i = n, 2 <= i <= n - 1 with symbolic n, k (integer) and i"
        + (f"; fails at: {', '.join(failing)}" if failing else ""),
        not failing,
    )
    return step


def simple_spectrum_step(lower: sp.Expr = LOWER, upper: sp.Expr = UPPER) -> Step:
    """mu_k = 2 - 2 cos(pi k / n), k = 0..n-1, are n distinct values: the whole spectrum.

    The claims are about lower <= k <= upper (the declared 1 <= k <= n - 1): there the
    vector is nonzero (its first entry cos(pi k / (2n)) > 0 because 0 < k/n < 1, checked from
    the range); a range that admits k = n, where the vector vanishes, fails."""
    x = sp.Symbol("x", real=True)
    step = Step(
        "Completeness: n distinct eigenvalues",
        "The angles pi k / n, k = 0..n-1, are distinct points of [0, pi), where cos is "
        "strictly decreasing, so the n values mu_k are distinct. The n eigenvectors are "
        "nonzero (u_k(1) = cos(pi k / (2n)) > 0), so they are the whole spectrum of the n x n matrix L, each "
        "eigenvalue simple. k = 0 is the constant vector (mu_0 = 0), the kernel of Q; by "
        "Theorem 1 the eigenvalues of K are lambda_k = 1/mu_k for k = 1..n-1, in decreasing "
        "order, and 0. Each eigenvector is unique up to sign.",
    )
    step.check(
        r"\cos \text{ strictly decreasing on } (0, \pi)",
        "sympy.is_strictly_decreasing (so on [0, pi] by continuity)",
        bool(sp.is_strictly_decreasing(sp.cos(x), sp.Interval.open(0, sp.pi))),
    )
    side = unit_fraction_check(lower, upper)
    step.check(r"u_k(1) = \cos(\pi k/(2n)) > 0 \Leftarrow " + side.statement, side.how, side.holds)
    step.check(
        r"\cos(\pi k/(2n)) > 0 \text{ for } 0 \le k < n",
        "the image of [0, pi/2) under cos excludes 0 (sympy.imageset)",
        sp.Integer(0) not in sp.imageset(sp.Lambda(x, sp.cos(x)), sp.Interval.Ropen(0, sp.pi / 2)),
    )
    return step


def rewriting_step(claim: sp.Expr, rewritten: sp.Expr, what: str) -> Step:
    """The claim as SymPy rewrites it for integer n, k (a symmetry made explicit)."""
    step = Step(
        "The claim, rewritten for integer n and k",
        f"The claimed {what} is first simplified with n and k integers; this recognises "
        "equivalent forms by symmetry, such as the reflection t -> n + 1 - t of the "
        "eigenvectors, (-1)^k cos(pi k (n - t + 1/2) / n) = cos(pi k (t - 1/2) / n) "
        "(cos(pi k - x) = (-1)^k cos x and (-1)^{2k} = 1). The theorem is proved for the "
        "rewritten form.",
    )
    step.show("\text{claimed}", claim)
    step.show("\text{rewritten}", rewritten)
    step.check(
        r"\text{claimed} = \text{rewritten}",
        "simplify of the difference is 0 for integer n, k",
        is_zero(claim - rewritten),
    )
    return step


def eigenvalue_theorem_steps(
    claimed_lambda: sp.Expr, lower: sp.Expr = LOWER, upper: sp.Expr = UPPER
) -> list[Step]:
    """The proof that lambda_k = claimed_lambda(n, k) exactly, for every n >= 2 and
    lower <= k <= upper (the declared range by default)."""
    claimed_lambda = as_expression(claimed_lambda)
    mu = sp.simplify(1 / claimed_lambda).subs(sp.pi * k / n, _theta)
    mu = sp.simplify(mu.subs(k, _theta * n / sp.pi))
    return [
        pseudo_inverse_theorem(),
        path_laplacian_theorem(),
        eigenpair_theorem(eigenvalue=mu),
        simple_spectrum_step(lower, upper),
    ]


def eigenvector_theorem_steps(
    claimed_vector: sp.Expr, lower: sp.Expr = LOWER, upper: sp.Expr = UPPER
) -> list[Step]:
    """The proof that u_k(t) is the eigenvector of lambda_k (the equation is linear in u,
    so the normalising constant plays no role; the normalisation has its own step), for
    lower <= k <= upper (the declared range by default)."""
    claimed_vector = as_expression(claimed_vector)
    rewritten = sp.simplify(claimed_vector)
    steps = []
    if rewritten != claimed_vector:
        steps.append(rewriting_step(claimed_vector, rewritten, "eigenvector"))
    u = sp.simplify(rewritten.subs(k, _theta * n / sp.pi))
    return [
        *steps,
        pseudo_inverse_theorem(),
        path_laplacian_theorem(),
        eigenpair_theorem(eigenvector=u),
        simple_spectrum_step(lower, upper),
    ]


# --------------------------------------------------------------------------------------
# 3. the trace and the exact explained-variance ratio


def cumulative_sum(v: Sequence_, size: sp.Expr) -> Sequence_:
    """L v with L[i, j] = [i >= j]: (L v)_i = v_1 + (v_2 + ... + v_i).

    The terms j >= 2 are written as v(2 + r) with r >= 0 symbolic, so that boundary
    conditions inside v are decided before SymPy sums.
    """
    return lambda i: v(1) + sp.Sum(v(2 + _r).subs(_r, _j - 2), (_j, 2, i))


def trace_theorem(claimed: sp.Expr) -> Step:
    """trace K = claimed(n) for every n, by closed-form sums."""
    claimed = as_expression(claimed)
    step = Step(
        "Theorem 4 (every n >= 2): the total variance",
        "L = S^-1 has entries L_ij = [i >= j] (checked: L S v = v in every position case, "
        "the sum telescopes). Since C is a symmetric projector (Theorem 1), trace K = "
        "trace(L^T C L) = sum_j |C L e_j|^2 = sum_j (|L e_j|^2 - (1^T L e_j)^2 / n), and the "
        "column L e_j is the indicator of {i >= j}, so |L e_j|^2 = 1^T L e_j = n - j + 1. "
        "SymPy sums the two series in closed form for symbolic n.",
    )

    def left_inverse(i, size):
        return cumulative_sum(difference(_v, size), size)(i) - _v(i)

    def simplify(expr, position):
        return sp.simplify(expr.doit())

    step.check(
        r"L S = I,\ L_{ij} = [i \ge j]",
        "(L S v)_i - v_i = 0 in every position case (telescoping sum, symbolic n)",
        holds_everywhere(left_inverse, simplify),
    )
    column = sp.Sum(1, (_i, _j, n)).doit()
    step.show(r"|L e_j|^2 = \mathbf{1}^T L e_j", sp.Sum(1, (_i, _j, n)), column)
    total = sp.factor(sp.summation(column - column**2 / n, (_j, 1, n)))
    step.show(
        r"\operatorname{tr} K",
        sp.Sum(column - column**2 / n, (_j, 1, n)),
        total,
    )
    step.check(
        r"\operatorname{tr} K = " + sp.latex(claimed),
        "the closed-form sum minus the claim simplifies to 0 (symbolic n)",
        is_zero(total - claimed),
    )
    return step


def trace_sum_identity_step(claimed_lambda: sp.Expr, trace: sp.Expr) -> Step:
    """Corollary: the eigenvalues sum to the trace, a trigonometric identity for every n."""
    claimed_lambda, trace = as_expression(claimed_lambda), as_expression(trace)
    step = Step(
        "Corollary (every n >= 2): a trigonometric sum",
        "Theorems 3 and 4 compute trace K in two ways, so for every n >= 2 the sum of the "
        "eigenvalues is the closed form: the classical identity below, obtained here without "
        "summing a trigonometric series.",
    )
    step.show(
        r"\sum_{k=1}^{n-1} \lambda_k",
        sp.Sum(claimed_lambda, (k, 1, n - 1)),
        trace,
    )
    return step


def evr_theorem(claimed_ratio: sp.Expr, claimed_lambda: sp.Expr, trace: sp.Expr) -> Step:
    """rho_k(n) = lambda_k / trace K with both proven forms substituted."""
    claimed_ratio, claimed_lambda, trace = (
        as_expression(claimed_ratio),
        as_expression(claimed_lambda),
        as_expression(trace),
    )
    step = Step(
        "Theorem 5 (every n >= 2): the exact explained-variance ratio",
        "rho_k(n) = lambda_k / trace K with lambda_k from Theorem 3 and the trace from "
        "Theorem 4; the difference with the claimed form simplifies to 0 for symbolic n, k.",
    )
    step.show(r"\rho_k(n)", claimed_lambda / trace, claimed_ratio)
    step.check(
        r"\rho_k(n) = \lambda_k / \operatorname{tr}K",
        "simplify of the difference (symbolic n, k)",
        is_zero(claimed_lambda / trace - claimed_ratio),
    )
    return step


# --------------------------------------------------------------------------------------
# catalog derivations: the foundation's derivation followed by the proof


def _with_proof(derivation: Derivation, steps: list[Step]) -> Derivation:
    derivation.steps.extend(steps)
    return derivation.require()


@takes_printed_form
def prove_rw_eigenvalue(printed: sp.Basic | None) -> Derivation:
    """rw.eigenvalue: derived from the mirror circulant, then proven for every n."""
    from rwpca.proofs.derive.eigenvalues import derive_rw_eigenvalue

    derivation = derive_rw_eigenvalue(printed)
    return _with_proof(derivation, eigenvalue_theorem_steps(derivation.result))


@takes_printed_form
def prove_rw_eigenvector(printed: sp.Basic | None) -> Derivation:
    """rw.eigenvector: the DCT-II vectors, proven to be the eigenvectors for every n."""
    from rwpca.proofs.derive.eigenvectors import derive_rw_eigenvector

    derivation = derive_rw_eigenvector(printed)
    return _with_proof(derivation, eigenvector_theorem_steps(derivation.result))


@takes_printed_form
def prove_rw_trace(printed: sp.Basic | None) -> Derivation:
    """rw.trace: (n^2 - 1) / 6 for every n, with the trigonometric corollary."""
    from rwpca.proofs.derive.variance import derive_rw_trace, plain_eigenvalue

    derivation = derive_rw_trace(printed)
    return _with_proof(
        derivation,
        [
            trace_theorem(derivation.result),
            trace_sum_identity_step(plain_eigenvalue(), derivation.result),
        ],
    )


@takes_printed_form
def prove_rw_evr_exact(printed: sp.Basic | None) -> Derivation:
    """rw.evr.exact: lambda_k / trace K with both proven for every n."""
    from rwpca.proofs.derive.variance import derive_rw_evr_exact, plain_eigenvalue, plain_trace

    derivation = derive_rw_evr_exact(printed)
    trace, _ = plain_trace()
    return _with_proof(
        derivation,
        [trace_theorem(trace), evr_theorem(derivation.result, plain_eigenvalue(), trace)],
    )

"""The exact structure of the descent Gram matrix at every finite n and d.

Gradient descent multiplies coordinate i by q_i = 1 - eta h_i at each step, so the rows of
the trajectory are x_{t,i} = q_i^(t-1) x_{0,i} (t = 1..n) and the Gram matrix
G = X X^T = V W V^T, V_{ti} = q_i^(t-1) (a Vandermonde matrix), W = diag(x_{0,i}^2), is the
positive semidefinite Hankel matrix of the moments of sum_i x_{0,i}^2 delta_{q_i}. Its
expectation over a start with E x_{0,i}^2 = 1 replaces the weights by 1; the centring
subtracts each coordinate's time mean m_i = (1 - q_i^n) / (n (1 - q_i)).
"""

from __future__ import annotations

import sympy as sp

from rwpca.proofs import matrices
from rwpca.proofs.derivation import Comparison, Derivation, Kind, Step, is_zero, takes_printed_form
from rwpca.proofs.derive.descent.formulas import (
    CENTRED_GRAM,
    EXPECTED_GRAM,
    GRAM,
    MEAN,
    eta,
    h,
    q,
    x0,
)
from rwpca.proofs.symbols import n, t

#: The sizes of the symbolic checks: n checkpoints of d coordinates, all symbolic.
CHECK_N, CHECK_D = 4, 2
_NOT_PRINTED = Comparison(
    Kind.NOT_PRINTED,
    "The paper compares neural-network trajectories with random walks only; gradient "
    "descent on a quadratic is not discussed.",
)


def _symbolic_trajectory() -> tuple[sp.Matrix, tuple[sp.Symbol, ...], tuple[sp.Symbol, ...]]:
    """X (CHECK_N x CHECK_D) with symbolic contractions q_j and start coordinates w_j."""
    qs = sp.symbols(f"q_1:{CHECK_D + 1}", real=True)
    ws = sp.symbols(f"w_1:{CHECK_D + 1}", real=True)
    X = sp.Matrix(CHECK_N, CHECK_D, lambda a, b: qs[b] ** a * ws[b])
    return X, qs, ws


def recursion_step() -> Step:
    """One step of descent is x -> diag(q) x; so x_t = q^(t-1) x_0."""
    step = Step(
        "Gradient descent on a diagonal quadratic is a geometric sequence per coordinate",
        "On f(x) = sum_i h_i x_i^2 / 2 the gradient is (h_i x_i)_i, so one step of size eta maps "
        "x_i to x_i - eta h_i x_i = q_i x_i. A quadratic with a non-diagonal Hessian is the same "
        "after rotating to its eigenbasis, which changes no inner product. Row t = 1..n of the "
        "trajectory is the checkpoint x_{t-1}:",
    )
    y = sp.Symbol("y", real=True)
    gradient = sp.diff(h * y**2 / 2, y)
    step.show(r"x - \eta \nabla f", sp.factor(y - eta * gradient), note="one coordinate")
    step.show(r"x_{t,i}", (q ** (t - 1)) * x0[sp.Symbol("i")])
    step.check(
        r"q\, q^{t-1} x_0 = q^{t} x_0,\ q = 1 - \eta h",
        "the update of one coordinate, expanded, for symbolic eta, h and t",
        is_zero(sp.expand(y - eta * gradient - (1 - eta * h) * y))
        and is_zero(sp.powsimp(q * q ** (t - 1) - q**t)),
    )
    return step


@takes_printed_form
def derive_descent_gram(printed: sp.Basic | None) -> Derivation:
    """G_{st} = sum_i x_{0,i}^2 q_i^(s+t-2): a positive semidefinite Hankel matrix."""
    steps = [recursion_step()]
    X, qs, ws = _symbolic_trajectory()
    G = (X * X.T).applyfunc(sp.expand)
    gram = Step(
        "The Gram matrix is Hankel: the moments of a measure",
        "G_{st} = <x_{s-1}, x_{t-1}> = sum_i x_{0,i}^2 q_i^(s+t-2) depends on s + t only: it is "
        "the Hankel matrix of the moments mu_r = sum_i x_{0,i}^2 q_i^r, r = 0..2n-2, of the "
        f"measure sum_i x_{{0,i}}^2 delta_{{q_i}}. At n = {CHECK_N}, d = {CHECK_D}, symbolic:",
    )
    gram.show("G", G)
    moment = [sp.expand(sum(w**2 * qq**r for w, qq in zip(ws, qs, strict=True))) for r in range(7)]
    gram.check(
        r"G_{st} = \mu_{s+t-2}",
        f"entrywise at n = {CHECK_N}, d = {CHECK_D}, symbolic q_i and x_{{0,i}}",
        all(is_zero(G[a, b] - moment[a + b]) for a in range(CHECK_N) for b in range(CHECK_N)),
    )
    psd = Step(
        "It is positive semidefinite",
        "G = V W V^T with the Vandermonde matrix V_{ti} = q_i^(t-1) and W = diag(x_{0,i}^2), "
        "so y^T G y = sum_i x_{0,i}^2 p_y(q_i)^2 >= 0 with the polynomial p_y(q) = sum_t y_t "
        "q^(t-1). This holds for any real q_i, whatever the step size: every gradient-descent "
        "trajectory on a quadratic has a positive semidefinite Hankel Gram matrix.",
    )
    ys = sp.symbols(f"y_1:{CHECK_N + 1}", real=True)
    y = sp.Matrix(ys)
    quadratic = sp.expand((y.T * G * y)[0, 0])
    squares = sum(
        w**2 * sum(yy * qq**a for a, yy in enumerate(ys)) ** 2 for w, qq in zip(ws, qs, strict=True)
    )
    psd.show(r"y^T G y", sp.factor(squares))
    psd.check(
        r"y^T G y = \sum_i x_{0,i}^2 p_y(q_i)^2",
        f"expansion at n = {CHECK_N}, d = {CHECK_D}, all symbolic",
        is_zero(quadratic - sp.expand(squares)),
    )
    steps += [gram, psd]
    return Derivation(GRAM, steps, _NOT_PRINTED)


@takes_printed_form
def derive_expected_gram(printed: sp.Basic | None) -> Derivation:
    """E G_{st} = sum_i q_i^(s+t-2) when the start has E x_{0,i}^2 = 1."""
    step = Step(
        "Expectation over the start",
        "G is linear in the weights x_{0,i}^2; a start with E x_{0,i}^2 = 1 (x_0 ~ N(0, I_d), or "
        "any law with unit variances, correlated or not) gives weights 1: the expected Gram "
        "matrix is the Hankel matrix of the moments of sum_i delta_{q_i}, the same for every "
        "such law, and the measure is fixed by the curvatures and the step.",
    )
    X, qs, ws = _symbolic_trajectory()
    G = (X * X.T).applyfunc(sp.expand)
    expected = G.subs({w**2: 1 for w in ws})
    step.show(r"\mathbb{E}\,G", expected)
    step.check(
        r"\mathbb{E}\,G_{st} = \sum_i q_i^{s+t-2}",
        f"linearity in x_{{0,i}}^2, entrywise at n = {CHECK_N}, d = {CHECK_D}",
        all(
            is_zero(expected[a, b] - sum(qq ** (a + b) for qq in qs))
            for a in range(CHECK_N)
            for b in range(CHECK_N)
        ),
    )
    return Derivation(EXPECTED_GRAM, [recursion_step(), step], _NOT_PRINTED)


@takes_printed_form
def derive_centred_gram(printed: sp.Basic | None) -> Derivation:
    """(C G C)_{st} = sum_i x_{0,i}^2 (q_i^(s-1) - m_i)(q_i^(t-1) - m_i), m_i the time mean."""
    mean = Step(
        "The time mean of a geometric sequence",
        "Centring subtracts from each coordinate its mean over the n checkpoints, summed by SymPy "
        "(the branch q = 1 would need h_i = 0, which i^-beta never is):",
    )
    j = sp.Symbol("j", integer=True, nonnegative=True)
    total = sp.summation(q**j, (j, 0, n - 1))
    raw = total / n
    general = (total.args[-1][0] if isinstance(total, sp.Piecewise) else total) / n
    mean.show(r"m = \frac{1}{n}\sum_{t=1}^{n} q^{t-1}", raw, general)
    mean.check(
        r"m = \frac{1 - q^n}{n(1-q)}",
        "the general branch of the summation equals the declared mean (symbolic q, n)",
        is_zero(general - MEAN),
    )
    small = sp.series(MEAN.subs(q, 1 - eta * h), h, 0, 2).removeO()
    mean.show(
        r"m\big|_{q = 1 - \eta h}",
        sp.collect(sp.expand(small), h),
        note="to first order in h",
    )
    centred = Step(
        "The centred Gram matrix in closed form",
        "C X subtracts m_i x_{0,i} from column i, and C G C = (C X)(C X)^T. At n = "
        f"{CHECK_N}, d = {CHECK_D}, symbolic q_i, x_{{0,i}}:",
    )
    X, qs, ws = _symbolic_trajectory()
    C = matrices.centering_matrix(CHECK_N)
    K = (C * X * X.T * C).applyfunc(sp.expand)
    # at a concrete n the mean of the geometric sequence is a polynomial in q_i: cancelled
    # once, the entries are polynomial identities that expansion decides
    means = [sp.cancel(MEAN.subs({q: qq, n: CHECK_N})) for qq in qs]
    formula = sp.Matrix(
        CHECK_N,
        CHECK_N,
        lambda a, b: sum(
            w**2 * (qq**a - mm) * (qq**b - mm) for w, qq, mm in zip(ws, qs, means, strict=True)
        ),
    )
    centred.check(
        r"(CGC)_{st} = \sum_i x_{0,i}^2 (q_i^{s-1} - m_i)(q_i^{t-1} - m_i)",
        f"entrywise, expanded polynomials in the q_i and the start, n = {CHECK_N}, d = {CHECK_D}",
        all(
            sp.expand(K[a, b] - formula[a, b]) == 0 for a in range(CHECK_N) for b in range(CHECK_N)
        ),
    )
    centred.show(r"(CGC)_{11}", sp.factor(formula[0, 0]))
    return Derivation(CENTRED_GRAM, [recursion_step(), mean, centred], _NOT_PRINTED)


__all__ = ["derive_centred_gram", "derive_descent_gram", "derive_expected_gram"]

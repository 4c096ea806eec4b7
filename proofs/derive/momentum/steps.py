"""The derivation of the momentum secular equation, step by step, for symbolic n.

The objects it derives (the secular polynomial, the boundary conditions and their
determinant) are declared in :mod:`rwpca.proofs.derive.momentum.exact`; this module shows,
in the steps of :func:`derive_momentum_secular`, why they are the exact spectrum.
"""

from __future__ import annotations

import sympy as sp

from rwpca.proofs import matrices
from rwpca.proofs.derivation import Comparison, Derivation, Kind, Step, is_zero, takes_printed_form
from rwpca.proofs.derive.eigenvalues import process_symbol
from rwpca.proofs.derive.momentum import chebyshev, exact
from rwpca.proofs.symbols import gamma, n, theta, z

# --------------------------------------------------------------------------------------
# the derivation of the secular equation


def _structure_step() -> Step:
    step = Step(
        "The precision matrix and the centring",
        "T has the lag polynomial p(z) = (1 - z)(1 - gamma z) = p_0 + p_1 z + p_2 z^2, so "
        "(T 1)_m = p(1) = 0 for m >= 3: T 1 = e_1 - gamma e_2, and a = A 1 = T^T (T 1) = "
        "(row 1 of T) - gamma (row 2 of T) = (1 + gamma + gamma^2) e_1 - gamma e_2, "
        "s = 1^T A 1 = |T 1|^2 = 1 + gamma^2 (for every n >= 2). The centring of "
        "Q = A - a a^T / s lives in the first two rows; A = T^T T is pentadiagonal, "
        "Toeplitz except in its last two rows.",
    )
    p = process_symbol("momentum").lag
    p0, p1 = p.coeff(z, 0), p.coeff(z, 1)
    a_vec = (1 + gamma + gamma**2, -gamma)
    s_val = 1 + gamma**2
    step.show("p(z)", p, sp.factor(p))
    step.show("a", sp.Matrix([a_vec[0], a_vec[1], 0, sp.Symbol(r"\dots"), 0]))
    step.show("s", s_val)
    step.check(
        r"(T\mathbf 1)_m = p(1) = 0\ (m \ge 3),\ a_1 = 1 - \gamma p_1,\ a_2 = -\gamma",
        "the lag polynomial at z = 1 and the two rows of T (symbolic gamma, every n)",
        is_zero(p.subs(z, 1))
        and is_zero(p0 - 1)
        and is_zero(p0 + p1 + gamma)
        and is_zero(1 - gamma * p1 - a_vec[0])
        and is_zero((p0 * 1) ** 2 + (p0 + p1) ** 2 - s_val),
    )
    ok = True
    for size in range(2, 11):
        T = matrices.momentum_operator(size, gamma)
        A = matrices.precision_matrix(T)
        one = sp.ones(size, 1)
        expected = sp.zeros(size, 1)
        expected[0], expected[1] = a_vec
        ok &= is_zero((A * one - expected).applyfunc(sp.expand))
        ok &= is_zero(sp.expand((one.T * A * one)[0, 0] - s_val))
    step.check(
        r"A\mathbf 1 = a,\ \mathbf 1^T A \mathbf 1 = 1 + \gamma^2",
        "exact matrices, symbolic gamma, n = 2..10",
        ok,
    )
    return step


def _generic_sequence(size: int) -> dict[int, sp.Symbol]:
    return {t: sp.Symbol(f"x_{{{t}}}") for t in range(-1, size + 3)}


def _interior(x, t: int) -> sp.Expr:
    """(L x)_t: the Toeplitz row of A applied to the extended sequence."""
    a = process_symbol("momentum").coefficients
    return a[0] * x(t) + sum(a[d] * (x(t - d) + x(t + d)) for d in range(1, len(a)))


def _boundary_rows_step() -> Step:
    step = Step(
        "The eigen-equation as a recurrence with four boundary conditions",
        "For mu != 0, Q x = mu x is equivalent to (A - mu) x = c a with c = a^T x / s. "
        "Continue x_1..x_n to the integers by the interior recurrence (L - mu) x_t = 0, "
        "L the Toeplitz row gamma, -(1 + gamma)^2, 1 + (1 + gamma)^2 + gamma^2, ... of A "
        "(rows 3..n-2 of A are L; a_t = 0 there). Row t of (A - mu) x - c a then equals the "
        "corrections below: the first two rows miss x_0, x_{-1} and carry the source, the "
        "last two miss the noise xi_{n+1}, xi_{n+2} of the continued walk "
        "(xi_t = x_t - (1 + gamma) x_{t-1} + gamma x_{t-2}). So (for gamma != 0) the n rows "
        "hold exactly when x_0 = x_{-1} = c and xi_{n+1} = xi_{n+2} = 0, and the centring "
        "s c = a_1 x_1 + a_2 x_2 becomes xi_1 = gamma xi_2. Conversely a continued sequence "
        "meeting the four conditions gives an eigenvector: its values x_1..x_n are not all 0 "
        "(else x_0 = x_{-1} = 0 too, and n + 2 >= 4 consecutive zeros of a fourth-order "
        "recurrence with leading coefficient gamma != 0 force x = 0).",
    )
    c = sp.Symbol("c")
    top = {
        1: lambda x: (1 + gamma) ** 2 * (x(0) - c) - gamma * (x(-1) - c),
        2: lambda x: -gamma * (x(0) - c),
    }
    # the last two rows, as functions of xi_{n+1}, xi_{n+2}
    bottom = {
        -1: lambda xi1, xi2: -gamma * xi1,
        0: lambda xi1, xi2: (1 + gamma) * xi1 - gamma * xi2,
    }
    for row, top_rule in top.items():
        step.show(
            rf"\text{{row {row}}} - (L x)_{row} - c\,a_{row}",
            top_rule(lambda t: sp.Symbol(f"x_{{{t}}}")),
        )
    for offset, bottom_rule in bottom.items():
        label = "n" if offset == 0 else "n-1"
        step.show(
            rf"\text{{row }} {label} - (L x)_{{{label}}}",
            bottom_rule(sp.Symbol(r"\xi_{n+1}"), sp.Symbol(r"\xi_{n+2}")),
        )
    ok = True
    for size in range(2, 10):
        values = _generic_sequence(size)
        x = values.__getitem__
        A = matrices.precision_matrix(matrices.momentum_operator(size, gamma))
        a = sp.zeros(size, 1)
        a[0], a[1] = 1 + gamma + gamma**2, -gamma
        vec = sp.Matrix([x(t) for t in range(1, size + 1)])
        residual = A * vec - c * a - sp.Matrix([_interior(x, t) for t in range(1, size + 1)])
        predicted = sp.zeros(size, 1)
        for row, top_rule in top.items():
            predicted[row - 1] += top_rule(x)
        for offset, bottom_rule in bottom.items():
            predicted[size - 1 + offset] += bottom_rule(
                exact.noise_term(x, size + 1), exact.noise_term(x, size + 2)
            )
        ok &= is_zero((residual - predicted).applyfunc(sp.expand))
    step.check(
        r"(A - \mu)x - c\,a = \text{corrections above, rows } 1..n",
        "exact matrices, symbolic gamma and sequence, n = 2..9 (for n <= 3 the top and "
        "bottom corrections add in the shared rows); for n >= 4 the rows are those of the "
        "band structure A = T^T T at any n",
        ok,
    )
    x = lambda t: sp.Symbol(f"x_{{{t}}}")  # noqa: E731
    centring = (1 + gamma + gamma**2) * x(1) - gamma * x(2) - (1 + gamma**2) * x(0)
    rewritten = exact.noise_term(x, 1) - gamma * exact.noise_term(x, 2)
    step.check(
        r"a^T x - s\,x_0 = \xi_1 - \gamma\,\xi_2 \text{ when } x_{-1} = x_0",
        "expansion (symbolic gamma)",
        is_zero(sp.expand((rewritten - centring).subs(x(-1), x(0)))),
    )
    step.show(
        r"\text{conditions}",
        r"\begin{pmatrix}"
        + r" \\ ".join(name for name, _rule in exact.CONDITIONS)
        + r"\end{pmatrix}",
        note="all four must vanish; with them, (A - mu) x = c a with c = x_0 and c s = a^T x",
    )
    return step


def _solution_step() -> Step:
    step = Step(
        "The solutions of the recurrence: two Chebyshev pairs",
        "With S x_t = x_{t+1} + x_{t-1}, the recurrence operator factors as "
        "L - f(theta) = gamma (S - 2 c_1)(S - 2 c_2), c_1 = cos(theta), c_2 = (1 + gamma)^2 / "
        "(2 gamma) - cos(theta): the symbol identity below, with s = z + 1/z. Each factor "
        "S - 2c is solved by the Chebyshev pair T_t(c), U_{t-1}(c) at every integer t. For "
        "gamma != 0 the recurrence has order four, so its solutions form a 4-dimensional "
        "space; the four Chebyshev sequences are independent exactly when c_1 != c_2 (their "
        "Casoratian), so they span it for every theta in (0, pi) except theta* with "
        "cos(theta*) = (1 + gamma)^2 / (4 gamma) (which lies in (0, pi) only for gamma < "
        "2 sqrt 2 - 3). No square root is taken: the same basis serves |c_2| > 1 (where the "
        "second pair grows like w^-t) and |c_2| <= 1 (where it oscillates).",
    )
    sym = process_symbol("momentum")
    laurent = sym.coefficients[0] + sum(
        sym.coefficients[d] * (z**d + z ** (-d)) for d in range(1, len(sym.coefficients))
    )
    s = z + 1 / z
    factored = gamma * (s - 2 * sp.cos(theta)) * (s - 2 * exact.PARTNER)
    step.show(r"p(z)p(1/z) - f(\theta)", factored)
    step.check(
        r"p(z)p(1/z) - f(\theta) = \gamma\,(s - 2c_1)(s - 2c_2)",
        "expansion in z and cos(theta) (symbolic gamma, theta)",
        is_zero(sp.expand(sp.expand_trig(laurent - exact.SYMBOL - factored))),
    )
    step.check(
        r"T_{t+1}(c) + T_{t-1}(c) = 2c\,T_t(c),\ \text{same for } U_{t-1}",
        "T_t = (w^t + w^-t)/2, U_{t-1} = (w^t - w^-t)/(w - 1/w), c = (w + 1/w)/2, with "
        "W = w^t a symbol: rational identities for symbolic t",
        chebyshev.recurrence_holds(),
    )
    rows = [
        [
            f(t)
            for half in (
                chebyshev.pair(exact.C1, exact.T1, exact.U1),
                chebyshev.pair(exact.C2, exact.T2, exact.U2),
            )
            for f, _ in half
        ]
        for t in range(-1, 3)
    ]
    casoratian = sp.factor(sp.Matrix(rows).det())
    step.show(r"\det\big(\text{basis at } t = -1, 0, 1, 2\big)", casoratian)
    step.check(
        r"\text{Casoratian} = 4\,(c_1 - c_2)^2",
        "determinant of the four sequences at four consecutive t",
        exact.polynomial_zero(casoratian - 4 * (exact.C1 - exact.C2) ** 2),
    )
    step.check(
        r"T_{n+m} = T_m T_n + (c^2 - 1) U_{m-1} U_{n-1},\ "
        r"U_{n+m-1} = T_m U_{n-1} + U_{m-1} T_n,\ m = -1..2",
        "W = w^n a symbol: rational identities for symbolic n",
        chebyshev.shift_formulas_hold(range(-1, 3)),
    )
    step.check(
        r"T_n(c)^2 - (c^2 - 1)\,U_{n-1}(c)^2 = 1",
        "the Pell identity, W = w^n a symbol (symbolic n)",
        chebyshev.pell_holds(),
    )
    return step


def _determinant_step() -> Step:
    step = Step(
        "The boundary determinant and the secular function",
        "The four conditions applied to the four basis sequences give the 4 x 4 matrix M "
        "(values at t = n + m written with the shift formulas, so n stays symbolic). A "
        "nonzero combination meets all four exactly when det M = 0. SymPy computes det M "
        "and reduces it with the Pell identities: it is 8 (c_1 - 1)(c_2 - 1) F with F the "
        "polynomial below. On (0, pi), c_1 < 1, and c_2 - 1 = |1 - gamma e^{i theta}|^2 / "
        "(2 gamma) != 0 (checked). Hence, for 0 < |gamma| < 1, every n >= 2 and every "
        "theta in (0, pi) other than theta*: 1/f(theta) is an eigenvalue of K if and only "
        "if F_n(theta) = 0, with T_1 = cos(n theta), U_1 = sin(n theta)/sin(theta), "
        "T_2 = T_n(c_2), U_2 = U_{n-1}(c_2). This is a proof for symbolic n.",
    )
    M = exact.boundary_matrix()
    step.show("M", M, note="rows: the four conditions; columns: T(c_1), U(c_1), T(c_2), U(c_2)")
    step.show("F", exact.SECULAR_POLYNOMIAL)
    step.check(
        r"\det M = 8\,(c_1 - 1)(c_2 - 1)\,F",
        "exact determinant over Q[c_1, c_2, gamma, T_i, U_i] and the closed form, both "
        "reduced modulo the Pell identities (a Groebner normal form), expand to the same "
        "polynomial (independent symbols: symbolic n)",
        exact.polynomial_zero(
            exact.boundary_determinant()
            - exact.reduce_pell(8 * (exact.C1 - 1) * (exact.C2 - 1) * exact.SECULAR_POLYNOMIAL)
        ),
    )
    step.check(
        r"c_2 - 1 = |1 - \gamma e^{i\theta}|^2 / (2\gamma)",
        "expansion (symbolic gamma, theta)",
        is_zero(sp.expand(2 * gamma * (exact.PARTNER - 1) - exact.filter_symbol(sp.cos(theta)))),
    )
    step.show(r"F_n(\theta)", exact.SECULAR_FUNCTION)
    return step


def _domain_step() -> Step:
    step = Step(
        "Which roots: the band (0, theta_max) and the order of the eigenvalues",
        "f'(theta) = 2 sin(theta) ((1 + gamma)^2 - 4 gamma cos(theta)). For "
        "gamma >= 2 sqrt 2 - 3 (about -0.1716; the root of 1 + 6 gamma + gamma^2) the bracket "
        "is positive on (0, pi) and f increases; for gamma < 2 sqrt 2 - 3 it changes sign at "
        "theta*, where c_1 = c_2, and f increases on (0, theta*) and decreases on "
        "(theta*, pi). Every eigenvalue mu of Q satisfies 0 < mu < max f: Q <= A (a rank-one "
        "term is removed) and |T x|^2 = (1/2 pi) int |p|^2 |x^(theta)|^2 < max f |x|^2 for "
        "x != 0 (|p|^2 < max f except at isolated angles; an argument in prose). So, with "
        "theta_max = pi or theta*, each eigenvalue is f(theta) for exactly one theta in "
        "(0, theta_max), never at the exceptional theta*: the spectrum is {1/f(theta): "
        "F_n(theta) = 0, 0 < theta < theta_max}, and the k-th root is the k-th largest "
        "lambda. F is symmetric in the two pairs (checked), so for gamma < 2 sqrt 2 - 3 its "
        "roots in (theta*, pi) repeat eigenvalues already seen below theta* (the same "
        "eigenvector has both angles), and F(theta*) = 0 is spurious (checked). That the n - "
        "1 roots are distinct (simple eigenvalues) is certified at the sizes of the "
        "verification, not proven for every n here.",
    )
    derivative = sp.diff(exact.SYMBOL, theta)
    step.show(r"f'(\theta)", sp.factor(sp.expand_trig(derivative)))
    step.check(
        r"f'(\theta) = 2\sin\theta\,\big((1+\gamma)^2 - 4\gamma\cos\theta\big)",
        "differentiation and expansion",
        is_zero(
            sp.expand(
                sp.expand_trig(
                    derivative - 2 * sp.sin(theta) * ((1 + gamma) ** 2 - 4 * gamma * sp.cos(theta))
                )
            )
        ),
    )
    bracket_at_pi = sp.expand((1 + gamma) ** 2 + 4 * gamma)
    step.check(
        r"\min_\theta \big((1+\gamma)^2 - 4\gamma\cos\theta\big) \ge 0 \iff "
        r"\gamma \ge 2\sqrt2 - 3\ (|\gamma| < 1)",
        "for gamma < 0 the minimum is 1 + 6 gamma + gamma^2 (at theta = pi), whose roots are "
        "-3 +- 2 sqrt 2",
        set(sp.solve(bracket_at_pi, gamma)) == {exact.GAMMA_MONOTONE, -3 - 2 * sp.sqrt(2)},
    )
    step.check(
        r"c_1 = c_2 \iff \cos\theta = (1+\gamma)^2 / (4\gamma)",
        "solving c_1 = c_2 for cos(theta)",
        sp.solve(sp.Eq(exact.C1, exact.PARTNER.subs(sp.cos(theta), exact.C1)), exact.C1)
        == [(1 + gamma) ** 2 / (4 * gamma)],
    )
    swap = {
        exact.C1: exact.C2,
        exact.C2: exact.C1,
        exact.T1: exact.T2,
        exact.T2: exact.T1,
        exact.U1: exact.U2,
        exact.U2: exact.U1,
    }
    step.check(
        r"F(c_1, T_1, U_1; c_2, T_2, U_2) = F(c_2, T_2, U_2; c_1, T_1, U_1)",
        "the polynomial is invariant under exchanging the pairs (expansion)",
        exact.polynomial_zero(exact.SECULAR_POLYNOMIAL - exact.SECULAR_POLYNOMIAL.xreplace(swap)),
    )
    confluent = exact.SECULAR_POLYNOMIAL.xreplace(
        {exact.C2: exact.C1, exact.T2: exact.T1, exact.U2: exact.U1}
    )
    step.check(
        r"F = 0 \text{ at } c_1 = c_2,\ T_1 = T_2,\ U_1 = U_2",
        "the spurious root theta*: the confluent F reduces to 0 modulo the Pell identity",
        exact.polynomial_zero(exact.reduce_pell(confluent)),
    )
    return step


def _plain_limit_step() -> Step:
    sizes = tuple(range(2, 13))
    step = Step(
        "The plain-walk limit gamma -> 0",
        "As gamma -> 0, c_2 grows like 1/(2 gamma) and T_n(c_2), U_{n-1}(c_2) like its "
        "powers; gamma^(n+1) F_n tends to U_1 / 2 = sin(n theta) / (2 sin(theta)), whose roots "
        "pi k / n are the plain walk's exact spectrum (rw.eigenvalue). Checked at exact n "
        f"= {sizes[0]}..{sizes[-1]} (T_n(c_2), U_{{n-1}}(c_2) by their recurrence, c_1, T_1, U_1 "
        "kept as symbols, exact rational functions).",
    )
    # exact rational arithmetic in QQ(gamma, c_1, T_1, U_1); c_2 = (1 + gamma)^2/(2 gamma) - c_1
    field, g, c1, t1, u1 = sp.field("gamma c_1 T_1 U_1", sp.QQ)
    c2 = (1 + g) ** 2 / (2 * g) - c1
    ok = True
    cheb_t, cheb_u = [field(1), c2], [field(0), field(1)]  # T_0, T_1 and U_{-1}, U_0
    for size in range(2, sizes[-1] + 1):
        cheb_t.append(2 * c2 * cheb_t[-1] - cheb_t[-2])
        cheb_u.append(2 * c2 * cheb_u[-1] - cheb_u[-2])
        if size not in sizes:
            continue
        scaled = g ** (size + 1) * exact.secular_polynomial(
            g, c1, c2, t1, u1, cheb_t[size], cheb_u[size]
        )
        # a polynomial in gamma (constant denominator): its limit at 0 is its value there
        if not scaled.denom.is_ground:
            ok = False
            continue
        at_zero = scaled.numer.evaluate(g.numer.ring.gens[0], 0).as_expr()
        ok &= is_zero(sp.expand(at_zero / scaled.denom.as_expr() - exact.U1 / 2))
    step.check(
        r"\gamma^{n+1}F_n \to U_1/2 = \sin(n\theta) / (2\sin\theta)",
        "gamma^(n+1) F_n expands to a polynomial in gamma whose value at 0 is U_1 / 2, "
        f"n = {sizes[0]}..{sizes[-1]}",
        ok,
    )
    return step


def _paper_step() -> Step:
    step = Step(
        "The paper's angles are not roots",
        "At theta = pi k / n, T_1 = (-1)^k and U_1 = 0, so F_n(pi k / n) = b_1 b_2 (1 - "
        "(-1)^k T_n(c_2)) + (-1)^k (c_1 - c_2) b_2 U_{n-1}(c_2), b_i = 1 + gamma^2 - 2 gamma "
        "c_i. It does not vanish: at n = 3 and gamma = 1/2 (exact arithmetic) it is "
        "nonzero for k = 1, 2, so momentum.eigenvalue is not the exact spectrum there.",
    )
    values = []
    for kk in (1, 2):
        value = sp.nsimplify(
            sp.simplify(
                exact.SECULAR_FUNCTION.subs({n: 3, gamma: sp.Rational(1, 2)}).subs(
                    theta, sp.pi * kk / 3
                )
            )
        )
        values.append(value)
        step.show(rf"F_3(\pi\cdot {kk}/3)\big|_{{\gamma=1/2}}", value)
    step.check(
        r"F_3(\pi k/3) \ne 0,\ k = 1, 2\ (\gamma = 1/2)",
        "exact rational values",
        all(v.is_Rational and v != 0 for v in values),
    )
    return step


@takes_printed_form
def derive_momentum_secular(printed: sp.Basic | None) -> Derivation:
    """The exact eigenvalues of K for the walk with momentum: lambda = 1/f(theta), F_n = 0."""
    steps = [
        _structure_step(),
        _boundary_rows_step(),
        _solution_step(),
        _determinant_step(),
        _domain_step(),
        _plain_limit_step(),
        _paper_step(),
    ]
    return Derivation(
        sp.Eq(exact.SECULAR_FUNCTION, 0),
        steps,
        Comparison(
            Kind.NOT_PRINTED,
            "The paper prints only the mirror-circulant form 1/f(pi k / n) "
            "(momentum.eigenvalue); the exact finite-n spectrum is new here.",
        ),
        findings=[
            "Exact for every n >= 2 and 0 < |gamma| < 1 (proven for symbolic n, given the "
            "eigenvalue bound mu < max f argued in prose): the eigenvalues of K are "
            "1/f(theta) at the roots of F_n in (0, theta_max), the k-th root giving the k-th "
            "largest eigenvalue. That these roots are simple (n - 1 of them) is certified at "
            "the verification sizes, not proven for every n.",
            "For gamma < 2 sqrt 2 - 3 (about -0.1716) f is not monotone: every eigenvalue "
            "angle lies below theta* = arccos((1 + gamma)^2 / (4 gamma)) < pi, while the "
            "paper's angles pi k / n run to pi; its k-th value is then not the k-th largest "
            "eigenvalue for k above about n theta* / pi, and k -> 1/f(pi k / n) is not "
            "monotone.",
            "The paper's angles pi k / n are not roots of F_n (step 7): the mirror form is "
            "asymptotic, with the leading error of momentum.eigenvalue.error.",
        ],
    ).require()

"""Derivations of total variance and explained-variance ratios.

The trace of K is computed by closed-form summation over the matrix entries for symbolic
n, so the plain walk's trace (n^2 - 1)/6 and exact ratio rho_k(n) hold for every n; the
n -> infinity limits (6 / (pi^2 k^2) and its cumulative shares) are then SymPy limits.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from rwpca.proofs import matrices
from rwpca.proofs.derivation import (
    Comparison,
    Derivation,
    Kind,
    Step,
    is_zero,
    limit_at_infinity,
    limit_comparison,
    takes_printed_form,
)
from rwpca.proofs.processes import get_process
from rwpca.proofs.symbols import gamma, k, m, n

_i = sp.Symbol("i", integer=True, positive=True)
_s = sp.Symbol("s", integer=True, positive=True)

PLAIN_TRACE_SIZES = tuple(range(2, 9))


@cache
def plain_eigenvalue() -> sp.Expr:
    """The plain walk's exact eigenvalue 1/(4 sin^2(pi k/(2n))), in the half-angle form.

    Computed from the circulant symbol (the derivation of rw.eigenvalue), not typed.
    """
    from rwpca.proofs.derive.eigenvalues import half_angle_form, mirror_eigenvalue

    return half_angle_form(mirror_eigenvalue("plain"))


def _matrix_trace_check(
    process: str, trace: sp.Expr, sizes: tuple[int, ...], params: dict | None = None
) -> bool:
    ok = True
    for size in sizes:
        T = get_process(process).step_operator(size, params)
        K = matrices.centred_covariance(T)
        subs = {n: size, **({gamma: params["gamma"]} if params else {})}
        ok &= is_zero(K.trace() - trace.subs(subs))
    return ok


@cache
def plain_trace() -> tuple[sp.Expr, tuple[Step, ...]]:
    """trace K = (n^2 - 1)/6 by summation, with its steps."""
    step1 = Step(
        "Uncentred covariance",
        "With L = S^-1 (cumulative sum), M = L L^T has entries M_{ij} = min(i, j): row i of L "
        "has ones in columns 1..i. Since C is a symmetric projector, trace(C M C) = trace(M) "
        "- 1^T M 1 / n.",
    )
    L = matrices.cumulative_sum_matrix(4)
    step1.show("L L^T", L * L.T, note="at n = 4")
    step1.check(
        r"(LL^T)_{ij} = \min(i,j)",
        "entrywise, n = 2..8",
        all(
            (matrices.cumulative_sum_matrix(size) * matrices.cumulative_sum_matrix(size).T)
            == sp.Matrix(size, size, lambda r, c: min(r, c) + 1)
            for size in PLAIN_TRACE_SIZES
        ),
    )
    trace_m = sp.summation(_i, (_i, 1, n))
    # 1^T M 1 = |L^T 1|^2, and (L^T 1)_i = n - i + 1.
    quad = sp.summation((n - _i + 1) ** 2, (_i, 1, n))
    trace = sp.factor(sp.simplify(trace_m - quad / n))
    step2 = Step(
        "Closed-form sums for symbolic n",
        "trace(M) = sum_i i and 1^T M 1 = |L^T 1|^2 = sum_i (n - i + 1)^2, summed by SymPy:",
    )
    step2.show(r"\operatorname{tr} M", sp.Sum(_i, (_i, 1, n)), sp.factor(trace_m))
    step2.show(r"\mathbf{1}^T M \mathbf{1}", sp.Sum((n - _i + 1) ** 2, (_i, 1, n)), sp.factor(quad))
    step2.show(r"\operatorname{tr} K", trace)
    step2.check(
        r"\operatorname{tr} K = (n^2-1)/6 \text{ on the exact matrices}",
        "trace of C L L^T C computed exactly, n = 2..8",
        _matrix_trace_check("plain", trace, PLAIN_TRACE_SIZES),
    )
    step2.check(
        r"\sum_{k=1}^{n-1} \lambda_k = \operatorname{tr} K",
        "the eigenvalue formula summed at n = 2..8, 40 digits",
        all(
            abs(
                sp.N(
                    sum(plain_eigenvalue().subs({n: size, k: kk}) for kk in range(1, size))
                    - trace.subs(n, size),
                    40,
                )
            )
            < sp.Float(10) ** -35
            for size in PLAIN_TRACE_SIZES
        ),
    )
    return trace, (step1, step2)


@takes_printed_form
def derive_rw_trace(printed: sp.Basic | None) -> Derivation:
    """Total variance of the centred plain walk: (n^2 - 1)/6 for every n."""
    trace, steps = plain_trace()
    comparison = Comparison(
        Kind.NOT_PRINTED,
        "The paper uses the total variance only through its n -> infinity limit n^2/6 "
        "(implicit in rho_k = 6/(pi^2 k^2)); it prints no finite-n trace.",
    )
    return Derivation(trace, list(steps), comparison).require()


@cache
def plain_exact_ratio() -> tuple[sp.Expr, Step]:
    trace, _ = plain_trace()
    rho = sp.simplify(plain_eigenvalue() / trace)
    step = Step(
        "Exact ratio at finite n",
        "Divide the exact eigenvalue lambda_k = 1/(4 sin^2(pi k/(2n))) (rw.eigenvalue) by the "
        "exact trace:",
    )
    step.show(r"\rho_k(n)", plain_eigenvalue() / trace, rho)
    step.check(
        r"\sum_{k=1}^{n-1}\rho_k(n) = 1",
        "summed at n = 2..8, 40 digits",
        all(
            abs(sp.N(sum(rho.subs({n: size, k: kk}) for kk in range(1, size)) - 1, 40))
            < sp.Float(10) ** -35
            for size in PLAIN_TRACE_SIZES
        ),
    )
    return rho, step


@takes_printed_form
def derive_rw_evr_exact(printed: sp.Basic | None) -> Derivation:
    """rho_k(n) = 3 / (2 (n^2 - 1) sin^2(pi k / (2n))) for every n >= 2."""
    _trace, steps = plain_trace()
    rho, step = plain_exact_ratio()
    series_step = Step(
        "Approach to the limit",
        "Expanding in 1/n at fixed k shows how fast the finite-n ratio approaches "
        "6/(pi^2 k^2): the first correction is of order 1/n^2 and positive, so finite walks "
        "concentrate more variance in each leading component than the limit says.",
    )
    x = sp.Symbol("x", positive=True)
    expansion = sp.series(rho.subs(n, 1 / x), x, 0, 3).removeO()
    series_step.show(
        r"\rho_k(n)", sp.collect(sp.expand(expansion.subs(x, 1 / n)), n) + sp.O(n**-3, (n, sp.oo))
    )
    comparison = Comparison(
        Kind.NOT_PRINTED,
        "The paper prints only the n -> infinity limit 6/(pi^2 k^2) (rw.evr).",
    )
    return Derivation(rho, [*steps, step, series_step], comparison, figures=["evr"]).require()


@cache
def plain_limit_ratio() -> sp.Expr:
    """lim_{n -> infinity} rho_k(n) at fixed k, computed from the exact ratio (6/(pi^2 k^2))."""
    rho, _step = plain_exact_ratio()
    return sp.simplify(limit_at_infinity(rho, n))


@takes_printed_form
def derive_rw_evr(printed: sp.Basic | None) -> Derivation:
    """rho_k -> 6 / (pi^2 k^2) as n -> infinity, and the ratios sum to 1."""
    _trace, steps = plain_trace()
    _rho, step = plain_exact_ratio()
    limit = plain_limit_ratio()
    lim_step = Step(
        "Limit n -> infinity at fixed k",
        "sin(pi k/(2n)) ~ pi k/(2n), so the exact ratio tends to:",
    )
    lim_step.show(r"\lim_{n\to\infty}\rho_k(n)", limit)
    total = sp.summation(limit, (k, 1, sp.oo))
    lim_step.show(r"\sum_{k=1}^\infty \rho_k", sp.Sum(limit, (k, 1, sp.oo)), total)
    lim_step.check(r"\sum_k \rho_k = 1", "SymPy summation (zeta(2) = pi^2/6)", total == 1)
    comparison = limit_comparison(
        limit,
        printed,
        Comparison(
            Kind.EQUAL,
            "Equal as the n -> infinity limit; the paper writes "
            "the limit with an equality sign and no limit.",
        ),
    )
    return Derivation(
        limit,
        [*steps, step, lim_step],
        comparison,
        findings=[
            "The paper's rho_k = 6/(pi^2 k^2) is the n -> infinity limit; at finite n the exact "
            "ratio (rw.evr.exact) is larger, by a relative amount of order k^2/n^2 plus 1/n^2.",
        ],
        figures=["evr"],
    ).require()


def _percent(value: sp.Expr) -> str:
    return f"{float(sp.N(100 * value, 30)):.2f}%"


@takes_printed_form
def derive_rw_evr_cumulative(printed: sp.Basic | None) -> Derivation:
    """Share of the first m components in the limit: (6/pi^2) H_m^(2)."""
    limit = plain_limit_ratio()
    cumulative = sp.simplify(sp.summation(limit, (k, 1, m)))
    step = Step(
        "Partial sums of 6/(pi^2 k^2)",
        "The share of the first m components in the limit n -> infinity is the partial sum "
        "of rw.evr, a generalised harmonic number:",
    )
    step.show(r"R_m", sp.Sum(limit, (k, 1, m)), cumulative)
    values = {mm: cumulative.subs(m, mm) for mm in range(1, 6)}
    step.show("R_1, ..., R_5", sp.Tuple(*[sp.N(v, 6) for v in values.values()]))
    rho, _ = plain_exact_ratio()
    finite = Step(
        "At finite n",
        "With the exact ratio rho_k(n) (rw.evr.exact), the two-component share decreases in "
        "n towards R_2; the smallest n at which it falls below 4/5 is computed below.",
    )
    two = rho.subs(k, 1) + rho.subs(k, 2)
    threshold = next(
        size for size in range(3, 200) if sp.N(two.subs(n, size), 30) < sp.Rational(4, 5)
    )
    table = sp.Matrix([[size, sp.N(two.subs(n, size), 6)] for size in (3, 4, 5, 6, 7, 10, 100)])
    finite.show(r"(n,\ \rho_1(n) + \rho_2(n))", table)
    finite.check(
        r"\rho_1(n) + \rho_2(n) > R_2 \text{ for } n = 3..100",
        "evaluated to 30 digits",
        all(sp.N(two.subs(n, size) - values[2], 30) > 0 for size in range(3, 101)),
    )
    paper_two = sp.Rational(4, 5)
    comparison = Comparison(
        Kind.DIFFERENT,
        f"The paper says about 60% in the first component and 80% in the first two. The "
        f"limits are R_1 = 6/pi^2 = {_percent(values[1])} (consistent with 'about 60%') and "
        f"R_2 = 15/(2 pi^2) = {_percent(values[2])}, not 80%.",
    )
    if printed is not None and is_zero(values[2] - printed):
        comparison = Comparison(Kind.EQUAL, "R_2 equals the printed value.")
    first_m = next(mm for mm, v in values.items() if sp.N(v, 30) >= paper_two)
    return Derivation(
        cumulative,
        [step, finite],
        comparison,
        findings=[
            f"R_1 = {_percent(values[1])}, R_2 = {_percent(values[2])}, R_3 = "
            f"{_percent(values[3])}: the 80% of the poster is first reached with m = {first_m} "
            f"components in the limit.",
            f"At finite n the first two components hold at least 80% of the variance only for "
            f"n <= {threshold - 1} steps (exact ratio rho_k(n)); for every longer walk they hold "
            f"less, tending to {_percent(values[2])}.",
        ],
        figures=["evr"],
    ).require()


def _drop_geometric(expr: sp.Expr) -> sp.Expr:
    """Remove terms containing gamma**(f(n)): they vanish as n -> infinity when |gamma| < 1."""
    expr = sp.expand(expr)
    return sp.Add(
        *[
            term
            for term in sp.Add.make_args(expr)
            if not any(
                isinstance(p, sp.Pow) and p.base == gamma and p.exp.has(n)
                for p in term.atoms(sp.Pow)
            )
        ]
    )


def _sum_termwise(expr: sp.Expr, limits: tuple[sp.Symbol, sp.Expr, sp.Expr]) -> sp.Expr:
    """The sum of ``expr`` over ``limits``, by SymPy's ``summation`` of each term of its
    expansion (linearity; SymPy's search on the whole sum takes about four times longer)."""
    return sp.Add(*[sp.summation(term, limits) for term in sp.Add.make_args(sp.expand(expr))])


def _generic_branch(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every Piecewise replaced by its last (otherwise) branch."""
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[-1][0])


def _one_fraction(expr: sp.Expr) -> sp.Expr:
    """``expr`` as one fraction: the numerator expanded with its powers merged (gamma**(n + 2),
    not gamma**2 gamma**n), the denominator factored. The same function: factoring and
    expanding are equivalences (``simplify`` gave an unfactored denominator, 10x slower)."""
    numerator, denominator = sp.fraction(sp.factor(expr))
    return sp.powsimp(sp.expand(numerator)) / denominator


@cache
def momentum_trace() -> tuple[sp.Expr, Step]:
    """Exact trace of the momentum walk's centred covariance, by summation."""
    q = sp.Symbol("q", integer=True, positive=True)
    step = Step(
        "Exact trace by summation",
        "T^-1 = S^-1 M^-1 has entries (T^-1)_{ts} = w(t - s + 1), w(q) = (1 - gamma^q)/(1 - "
        "gamma), for s <= t. Then trace(M) = sum_q (n - q + 1) w(q)^2 and 1^T M 1 = sum_s "
        "c_s^2 with column sums c_s = sum_{q <= n - s + 1} w(q). SymPy sums the geometric "
        "series in closed form (generic branch |gamma| < 1):",
    )
    # each sum is a Piecewise in gamma = 1 (and the nested one in gamma^2 = 1); the generic
    # branch of every one is taken, which is what the text states and spares simplify the
    # branches of a folded Piecewise
    trace_m = _generic_branch(_sum_termwise((n - q + 1) * (1 - gamma**q) ** 2, (q, 1, n)))
    col = _generic_branch(_sum_termwise(1 - gamma**q, (q, 1, _s)))
    quad = _generic_branch(_sum_termwise(col**2, (_s, 1, n)))
    trace = _one_fraction((trace_m - quad / n) / (1 - gamma) ** 2)
    step.show(r"\operatorname{tr} K", trace)
    step.check(
        r"\operatorname{tr} K \text{ on the exact matrices}",
        "trace of C T^-1 T^-T C computed exactly at gamma = 1/3, n = 2..6",
        _matrix_trace_check("momentum", trace, tuple(range(2, 7)), {"gamma": sp.Rational(1, 3)}),
    )
    return trace, step


@takes_printed_form
def derive_momentum_trace(printed: sp.Basic | None) -> Derivation:
    trace, step = momentum_trace()
    lead = Step(
        "Leading behaviour",
        "Terms with gamma^n vanish as n -> infinity (|gamma| < 1); the rest grows like:",
    )
    poly = sp.cancel(_drop_geometric(trace * n))
    leading = sp.factor(limit_at_infinity(poly / n**3, n))
    lead.show(r"\lim_{n\to\infty}\operatorname{tr}K / n^2", leading)
    lead.check(
        r"\operatorname{tr} K \sim n^2 / (6 (1-\gamma)^2)",
        "limit of the non-geometric part",
        is_zero(leading - 1 / (6 * (1 - gamma) ** 2)),
    )
    lead.check(
        r"\gamma = 0 \text{ gives } (n^2-1)/6",
        "substitution",
        is_zero(trace.subs(gamma, 0) - (n**2 - 1) / 6),
    )
    return Derivation(
        trace,
        [step, lead],
        Comparison(Kind.NOT_PRINTED, "The paper prints no trace for the walk with momentum."),
    ).require()


@takes_printed_form
def derive_momentum_evr(printed: sp.Basic | None) -> Derivation:
    """rho_k -> 6/(pi^2 k^2) for the walk with momentum, at fixed gamma."""
    from rwpca.proofs.derive.eigenvalues import process_symbol
    from rwpca.proofs.symbols import theta

    trace, tstep = momentum_trace()
    lam = 1 / process_symbol("momentum").f.subs(theta, sp.pi * k / n)
    poly = sp.cancel(_drop_geometric(trace * n))
    lam_lead = sp.simplify(limit_at_infinity(lam / n**2, n))
    tr_lead = sp.simplify(limit_at_infinity(poly / n**3, n))
    limit = sp.simplify(lam_lead / tr_lead)
    step = Step(
        "Ratio of leading terms",
        "lambda_k (momentum.eigenvalue, asymptotic) and the exact trace (momentum.trace) both "
        "grow like n^2 with a factor (1 - gamma)^-2, which cancels:",
    )
    step.show(r"\lim \lambda_k / n^2", lam_lead)
    step.show(r"\lim \operatorname{tr} K / n^2", tr_lead)
    step.show(r"\lim \rho_k", limit)
    step.check(
        r"\text{independent of } \gamma", "no gamma in the limit", gamma not in limit.free_symbols
    )
    comparison = limit_comparison(
        limit,
        printed,
        Comparison(
            Kind.EQUAL,
            "The paper says the random-walk results 'also apply to a random walk with momentum'; "
            "the limit of the ratio is the plain walk's 6/(pi^2 k^2).",
        ),
    )
    return Derivation(
        limit,
        [tstep, step],
        comparison,
        findings=[
            "Momentum rescales every leading eigenvalue and the trace by (1 - gamma)^-2, so the "
            "ratios are unchanged in the limit; the approach is slower when gamma is close to 1 "
            "(the boundary layer has about 1/(1 - gamma) steps).",
        ],
    ).require()

"""The ``rwpca verify`` checks of the descent entries (dispatched by quantity from
:mod:`rwpca.numerics.verification.entries`).

* **gram** (descent.gram, descent.gram.expected, descent.centred_gram): the statement,
  evaluated entry by entry at exact rational instances (integer beta, rational eta and
  start), equals the matrix computed from its definition, by running gradient descent
  in exact rational arithmetic: X X^T, its expectation by enumerating every outcome of a
  start with E x_{0,i}^2 = 1 (each coordinate -2, 0, 2 with probabilities 1/8, 3/4, 1/8),
  and C X X^T C.
* **series-limit** (descent.limit): the partial sums of the stated series equal the exact
  expected centred Gram matrix at every d checked; and the stated domain of beta is where
  the series converges: at points inside it the diagonal terms compare (limit comparison,
  by SymPy) with a convergent sum_i i^-2beta, at points below it with a divergent one.
* **ratio-bound** (descent.ratio_bound): lambda_k <= B_{n,k} lambda_1 certified (ball
  arithmetic and inertia, :mod:`rwpca.numerics.descent.certify`) for every k on descent
  instances over beta, eta, d and on the slowest-decaying instance known (the arcsine
  measure), or refuted where the stated bound fails.
"""

from __future__ import annotations

import itertools
import time
from fractions import Fraction

import mpmath as mp
import numpy as np
import sympy as sp

from rwpca.numerics.descent.certify import check_ratio_bound
from rwpca.numerics.descent.trajectory import contractions
from rwpca.numerics.progress import ProgressArg, iterate
from rwpca.numerics.verification.checks.exact import counted_exact_run
from rwpca.numerics.verification.evidence import CheckKind, EntryEvidence, Method, fingerprint
from rwpca.numerics.verification.formula.check import Run
from rwpca.numerics.verification.plans import Plan
from rwpca.numerics.verification.status import CheckState, combine_runs, exact_verdict
from rwpca.proofs.catalog import Entry

#: Exact instances of the gram checks: (beta, eta) with integer beta, and dimensions.
GRAM_PARAMS = ((1, Fraction(1, 2)), (2, Fraction(19, 10)), (1, Fraction(1)))
GRAM_DIMS = (1, 3)
#: The start's law for the expectation: values and probabilities, E x^2 = 1.
START_LAW = (
    (Fraction(-2), Fraction(1, 8)),
    (Fraction(0), Fraction(3, 4)),
    (Fraction(2), Fraction(1, 8)),
)
#: Dimensions of the partial-sum check of the limit, and the step sizes of the limit checks.
LIMIT_DIMS = (1, 4, 9)
LIMIT_ETAS = (Fraction(1, 2), Fraction(19, 10))
#: Instances of the bound: (beta, eta, d as a multiple of n).
BOUND_PARAMS = (
    (0.5, 1.0, 4),
    (1.0, 1.0, 4),
    (2.0, 1.0, 4),
    (1.0, 0.5, 1),
    (1.0, 1.9, 4),
    (0.5, 1.9, 4),
)


def _symbols(entry: Entry) -> dict[str, sp.Basic]:
    """The statement's symbols (and indexed bases) by name."""
    found: dict[str, sp.Basic] = {x.name: x for x in entry.rhs.free_symbols}
    for indexed in entry.rhs.atoms(sp.Indexed):
        found[indexed.base.name] = indexed.base
    return found


def _exact(value: int | Fraction) -> sp.Rational:
    fraction = Fraction(value)
    return sp.Rational(fraction.numerator, fraction.denominator)


def _expand_sums(expr: sp.Basic) -> sp.Basic:
    """Every sum with numeric limits written out term by term (SymPy's ``doit`` first tries
    closed-form summation, which takes seconds on these terms)."""

    def written_out(*args: sp.Basic) -> sp.Basic:
        total = sp.Sum(*args)
        index, low, high = total.limits[0]
        if len(total.limits) != 1 or not (low.is_Integer and high.is_Integer):
            return total
        return sp.Add(
            *(total.function.xreplace({index: j}) for j in range(int(low), int(high) + 1))
        )

    return expr.replace(sp.Sum, written_out)


def _value(
    expr: sp.Basic, names: dict[str, sp.Basic], values: dict[str, int | Fraction], start
) -> sp.Basic:
    """``expr`` at exact values (by name), its sums written out, the start substituted."""
    subs = {names[key]: _exact(v) for key, v in values.items() if key in names}
    out = _expand_sums(expr.xreplace(subs))
    if start is not None and "x_0" in names:
        base = names["x_0"]
        out = out.xreplace({base[j + 1]: _exact(x) for j, x in enumerate(start)})
    return sp.expand(out)


def _equal(got: sp.Basic, want: Fraction) -> bool:
    return bool(got.is_Rational) and Fraction(int(got.p), int(got.q)) == want


def descent_rows(
    n: int, d: int, beta: int, eta: Fraction, start: list[Fraction]
) -> list[list[Fraction]]:
    """The n checkpoints of gradient descent in exact arithmetic: x <- x - eta h x, h_i = i^-beta."""
    h = [Fraction(1, (i + 1) ** beta) for i in range(d)]
    rows = [list(start)]
    for _ in range(n - 1):
        rows.append([x - eta * hh * x for x, hh in zip(rows[-1], h, strict=True)])
    return rows


def _gram(rows: list[list[Fraction]], centred: bool) -> list[list[Fraction]]:
    if centred:
        means = [sum(col, Fraction(0)) / len(rows) for col in zip(*rows, strict=True)]
        rows = [[x - m for x, m in zip(r, means, strict=True)] for r in rows]
    return [
        [sum((a * b for a, b in zip(r, c, strict=True)), Fraction(0)) for c in rows] for r in rows
    ]


def _start(d: int, seed: int) -> list[Fraction]:
    """A rational start: the seeded Gaussian draw rounded to eighths (exact instance)."""
    draw = np.random.default_rng(seed).standard_normal(d)
    eighths = [Fraction(round(8 * float(x)), 8) for x in draw]
    return [x if x != 0 else Fraction(1, 8) for x in eighths]


def expected_gram(n: int, d: int, beta: int, eta: Fraction, centred: bool) -> list[list[Fraction]]:
    """E[G] (or E[C G C]) over every outcome of START_LAW in each coordinate, exactly."""
    total = [[Fraction(0)] * n for _ in range(n)]
    for outcome in itertools.product(START_LAW, repeat=d):
        weight = Fraction(1)
        for _, p in outcome:
            weight *= p
        G = _gram(descent_rows(n, d, beta, eta, [x for x, _ in outcome]), centred)
        for a in range(n):
            for b in range(n):
                total[a][b] += weight * G[a][b]
    return total


def _compare(
    expr: sp.Basic, names, n: int, values: dict[str, int | Fraction], exact, start
) -> tuple[int, str]:
    """How many of the n^2 entries differ from ``exact``, and the first one."""
    bad, note = 0, ""
    for a in range(n):
        for b in range(n):
            got = _value(expr, names, {**values, "s": a + 1, "t": b + 1}, start)
            if not _equal(got, exact[a][b]):
                if not bad:
                    note = f"(s, t) = ({a + 1}, {b + 1}): definition {exact[a][b]}, formula {got}"
                bad += 1
    return bad, note


def verify_gram(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """The Gram identity against the matrix computed by exact gradient descent, every entry."""
    expected = entry.id.endswith(".expected")
    centred = "centred" in entry.id
    runs = []
    jobs = [(p, dim, size) for p in GRAM_PARAMS for dim in GRAM_DIMS for size in sizes]
    for (beta, eta), dim, size in iterate(progress, jobs, entry.id, unit="case"):
        start_time = time.perf_counter()
        if expected:
            exact, start = expected_gram(size, dim, beta, eta, centred), None
        else:
            start = _start(dim, seed=size + dim)
            exact = _gram(descent_rows(size, dim, beta, eta, start), centred)
        values: dict[str, int | Fraction] = {"n": size, "d": dim, "beta": beta, "eta": eta}
        bad, note = _compare(entry.rhs, _symbols(entry), size, values, exact, start)
        params = {"beta": str(beta), "eta": str(eta), "d": str(dim)}
        runs.append(counted_exact_run(size, params, size * size, bad, note, start_time))
    return EntryEvidence(
        entry.id,
        fingerprint(entry),
        CheckKind.DESCENT_GRAM,
        exact_verdict(runs),
        {
            "sizes": list(sizes),
            "dims": list(GRAM_DIMS),
            "params": [f"beta = {b}, eta = {e}" for b, e in GRAM_PARAMS],
        },
        runs,
        data={"expected": expected, "centred": centred},
    )


def _comparison_converges(entry: Entry, n: int, eta: Fraction, beta: Fraction) -> bool | None:
    """Whether the stated series' (1, 1) terms sum to a finite value at this beta, by the limit
    comparison test with sum_i i^-2beta (SymPy); None when SymPy cannot decide it."""
    names = _symbols(entry)
    if not isinstance(entry.rhs, sp.Sum):
        return None
    term, (index, _, _) = entry.rhs.function, entry.rhs.limits[0]
    values: dict[str, int | Fraction] = {"n": n, "eta": eta, "beta": beta, "s": 1, "t": 1}
    term = term.xreplace({names[key]: _exact(v) for key, v in values.items() if key in names})
    b = _exact(beta)
    # i^-beta = u -> 0 as i -> infinity: the comparison ratio term / i^-2beta as u -> 0
    u = sp.Symbol("u", positive=True)
    ratio = sp.limit(sp.cancel(sp.expand(term.xreplace({index: u ** (-1 / b)}) / u**2)), u, 0)
    if not (ratio.is_finite and ratio.is_positive):
        return None
    return bool(sp.Sum(index ** (-2 * b), (index, 1, sp.oo)).is_convergent())


def _partial_sum(entry: Entry, dim: int) -> sp.Basic:
    """The stated series truncated after ``dim`` terms (the statement itself if not a sum)."""
    if not isinstance(entry.rhs, sp.Sum):
        return entry.rhs
    index = entry.rhs.limits[0][0]
    return sp.Sum(entry.rhs.function, (index, 1, dim))


def verify_limit(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """Partial sums against the exact expectation; the domain of beta against convergence."""
    runs = []
    domain = entry.domain("beta")
    lower, _ = domain.ends()
    assert lower is not None
    inside = (*domain.samples(2, seed=1), *domain.near_ends())
    outside = tuple(x for x in (lower - Fraction(1, 100), lower / 2) if x > 0)
    jobs = [(eta, size) for eta in LIMIT_ETAS for size in sizes]
    for eta, size in iterate(progress, jobs, entry.id, unit="case"):
        start_time = time.perf_counter()
        bad, note, checked = 0, "", 0
        names = _symbols(entry)
        for dim in LIMIT_DIMS:
            # unit weights: E x_{0,i}^2 = 1 and K is linear in the weights, so this is E[CGC]
            exact = _gram(descent_rows(size, dim, 1, eta, [Fraction(1)] * dim), centred=True)
            count, first = _compare(
                _partial_sum(entry, dim),
                names,
                size,
                {"n": size, "eta": eta, "beta": 1},
                exact,
                None,
            )
            checked += size * size
            bad += count
            note = note or (f"d = {dim}, {first}" if first else "")
        for beta, want in [(x, True) for x in inside] + [(x, False) for x in outside]:
            checked += 1
            got = _comparison_converges(entry, size, eta, Fraction(beta))
            if got is not want:
                bad += 1
                state = "undecided" if got is None else ("converges" if got else "diverges")
                note = (
                    note
                    or f"beta = {beta}: the series {state}, the statement says it {'converges' if want else 'diverges'}"
                )
        runs.append(counted_exact_run(size, {"eta": str(eta)}, checked, bad, note, start_time))
    return EntryEvidence(
        entry.id,
        fingerprint(entry),
        CheckKind.DESCENT_LIMIT,
        exact_verdict(runs),
        {"sizes": list(sizes), "dims": list(LIMIT_DIMS), "etas": [str(e) for e in LIMIT_ETAS]},
        runs,
        data={"inside": [str(x) for x in inside], "outside": [str(x) for x in outside]},
    )


def _arcsine(d: int) -> list[float]:
    """Contractions at the Chebyshev points cos(pi (j + 1/2) / d): the arcsine measure on
    (-1, 1), the slowest-decaying instance found (descent with eta = 1 on curvatures 1 - q)."""
    return [float(np.cos(np.pi * (j + 0.5) / d)) for j in range(d)]


def bound_instances(n: int) -> list[tuple[dict[str, str], list[float], list[float]]]:
    """(label, contractions, weights) of the bound check at size n."""
    out = []
    for beta, eta, factor in BOUND_PARAMS:
        dim = factor * n
        q = contractions(dim, beta, eta).tolist()
        x0 = np.random.default_rng(n).standard_normal(dim)
        label = {"beta": str(beta), "eta": str(eta), "d": str(dim), "start": "N(0, I)"}
        out.append((label, q, (x0 * x0).tolist()))
    out.append(({"measure": "arcsine", "d": str(2 * n)}, _arcsine(2 * n), [1.0] * (2 * n)))
    return out


def _stated_bound(entry: Entry, n: int, digits: int):
    """k -> the statement's value at (n, k) as an mpmath number of ``digits`` digits."""
    names = _symbols(entry)

    def bound(k: int) -> mp.mpf:
        values = {"n": n, "k": k}
        expr = entry.rhs.xreplace(
            {names[key]: sp.Integer(v) for key, v in values.items() if key in names}
        )
        return mp.mpf(str(sp.N(expr, digits)))

    return bound


def verify_bound(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """lambda_k(CGC) <= B_{n,k} lambda_1(CGC), k = 2..n-1, certified on every instance."""
    runs = []
    jobs = [(size, inst) for size in sizes for inst in bound_instances(size)]
    slowest: dict[str, float] = {}
    for size, (label, q, w) in iterate(progress, jobs, entry.id, unit="case"):
        start_time = time.perf_counter()
        with mp.workdps(60):
            result = check_ratio_bound(q, w, size, _stated_bound(entry, size, 60))
        verdicts = result.verdicts
        runs.append(
            Run(
                n=size,
                params=label,
                checked=len(verdicts),
                certified=sum(v is CheckState.CERTIFIED for v in verdicts),
                refuted=sum(v is CheckState.REFUTED for v in verdicts),
                undecided=sum(v is CheckState.UNDECIDED for v in verdicts),
                method=Method.INERTIA,
                first_refuted=result.first_refuted,
                seconds=time.perf_counter() - start_time,
            )
        )
        # how close the instance comes to the bound: min_k log(ratio_k) / log(bound_k) over the k
        # where the bound has fallen below 1e-3 (nearer 1 the quotient says nothing)
        key = f"n = {size}"
        bound = _stated_bound(entry, size, 30)
        closeness = max(
            (
                float(mp.log(max(r, 1e-300)) / mp.log(bound(k)))
                for k, r in enumerate(result.ratios, start=2)
                if bound(k) < mp.mpf(10) ** -3
            ),
            default=float("inf"),
        )
        slowest[key] = min(slowest.get(key, float("inf")), closeness)
    return EntryEvidence(
        entry.id,
        fingerprint(entry),
        CheckKind.DESCENT_BOUND,
        combine_runs(runs),
        {"sizes": list(sizes), "instances": len(BOUND_PARAMS) + 1},
        runs,
        data={"exponent_margin": {k: round(v, 3) for k, v in slowest.items() if v != float("inf")}},
    )


__all__ = [
    "bound_instances",
    "descent_rows",
    "expected_gram",
    "verify_bound",
    "verify_gram",
    "verify_limit",
]

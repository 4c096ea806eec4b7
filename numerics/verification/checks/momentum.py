"""The exact momentum spectrum (secular equation) and the error law of the paper's formula.

Two catalog quantities are checked here (the dispatcher,
:mod:`~rwpca.numerics.verification.entries`, picks them by quantity):

* ``secular-roots`` (momentum.eigenvalue.exact, :func:`verify_momentum_secular`): at each n
  and gamma of the plan, the roots of the entry's secular function in (0, theta_max) are
  found and refined to 10^-(dps+2) (:func:`rwpca.numerics.certified.momentum_roots.secular_roots`),
  and every one is certified by Sturm counts on the exact Q: lambda_k lies within relative
  10^-dps of 1/f(theta_k), the intervals are disjoint, so each holds exactly one eigenvalue
  and all n - 1 are accounted for. A matrix-free sign scan that finds more than n - 1 roots
  refutes the equation, and so does an eigenvalue whose certified interval of angles holds
  no zero of it.
* ``error-law`` (momentum.eigenvalue.error, :func:`verify_error_law`): the relative errors
  of the paper's formula at k = 1, 2, 3, measured against eigenvalues certified to 1e-20 by
  the matrix route (independent of the secular equation), divided by the law: the ratio
  minus one must decrease like the claimed remainder, with a fitted order above
  :data:`LAW_MIN_ORDER` (the law says O(n^-2)).

The evidence holds numbers and kinds only; its words are written by
:mod:`rwpca.documents.evidence_text`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp
from flint import ctx

from rwpca.numerics.arbeval import compile_arb
from rwpca.numerics.certified.momentum_roots import (
    SecularRoots,
    certify_roots,
    eigenvalue_angles,
    monotone,
    secular_roots,
)
from rwpca.numerics.progress import ProgressArg, iterate
from rwpca.numerics.verification.evidence import (
    CheckKind,
    EntryEvidence,
    Finding,
    FindingKind,
    Method,
    Table,
    TableKind,
    fingerprint,
)
from rwpca.numerics.verification.formula.check import (
    Convergence,
    Run,
    fitted_order,
    reference_eigenvalues,
)
from rwpca.numerics.verification.plans import (
    AS_EXACT_DPS,
    AS_EXACT_SIZES,
    ERROR_LAW_KS,
    ERROR_LAW_OUTSIDE,
    MOMENTUM_EXACT_GAMMAS,
    Plan,
    is_default_run,
    parameter_sets_for,
)
from rwpca.numerics.verification.status import CheckState, combine_runs
from rwpca.proofs.catalog import CATALOG, Entry
from rwpca.proofs.symbols import n as n_symbol
from rwpca.proofs.symbols import theta

#: The law claims a relative remainder O(k^2 / n^2): the fitted order must exceed this.
LAW_MIN_ORDER = 1.5
#: The secular equation whose roots are the paper's angles pi k / n.
PAPER_ANGLES = sp.sin(n_symbol * theta)
#: Momentum coefficients at which the paper's angles are read as an exact statement.
PAPER_ANGLE_GAMMAS = (Fraction(1, 2), Fraction(-4, 5))
#: The labels table: sizes, and a gamma deep in the non-monotone range beside the plan's.
LABEL_SIZES = (25, 100, 400)
LABEL_EXTRA_GAMMAS = (Fraction(-9, 10),)


# --- momentum.eigenvalue.exact -----------------------------------------------------------


@dataclass(frozen=True)
class SecularOutcome:
    """The run at one (n, gamma) and what it saw on the way (numbers, no words).

    ``scan_count``: sign changes a matrix-free scan found in (0, theta_max) (more than
    n - 1 refutes the equation); ``missing``: labels k with no root found near lambda_k.
    """

    run: Run
    scan_count: int | None
    missing: tuple[int, ...]


def secular_outcome(statement: sp.Expr, n: int, gamma: Fraction, dps: int) -> SecularOutcome:
    """Certify or refute "lambda = 1/f(theta) at the roots of ``statement``" at one n, gamma."""
    start = time.perf_counter()
    roots = secular_roots(n, gamma, dps, function=statement, scan=True)
    states: dict[int, str] = {}
    # more disjoint sign changes than eigenvalues refutes the claim (f is injective on
    # (0, theta_max)); fewer proves nothing (a grid can miss a close pair)
    too_many = roots.scan_count is not None and roots.scan_count > n - 1
    if roots.complete:
        states = {v.k: v.state for v in certify_roots(roots)}
    pending = [k for k in range(1, n) if states.get(k) != CheckState.CERTIFIED]
    if pending:
        # decide the rest from the eigenvalue side: no zero on the k-th angle interval
        for k, state in eigenvalue_angles(n, gamma, pending, statement).items():
            if state == CheckState.REFUTED or k not in states:
                states[k] = (
                    CheckState.REFUTED if state == CheckState.REFUTED else CheckState.UNDECIDED
                )
    refuted = sorted(k for k, s in states.items() if s == CheckState.REFUTED)
    certified = sum(1 for s in states.values() if s == CheckState.CERTIFIED)
    run = Run(
        n=n,
        params={"gamma": str(gamma)},
        checked=n - 1,
        certified=certified,
        refuted=len(refuted) + int(too_many and not refuted),
        undecided=n - 1 - certified - len(refuted),
        radius=10.0**-dps,
        digits=dps,
        method=Method.SECULAR_ROOTS,
        first_refuted=refuted[0] if refuted else None,
        seconds=time.perf_counter() - start,
    )
    return SecularOutcome(run, roots.scan_count, roots.missing if pending else ())


def secular_run(statement: sp.Expr, n: int, gamma: Fraction, dps: int) -> Run:
    """The run of :func:`secular_outcome` alone."""
    return secular_outcome(statement, n, gamma, dps).run


def _missing(outcomes: Sequence[SecularOutcome]) -> list[list[object]]:
    """(n, gamma, first five labels) without a root found near their eigenvalue."""
    return [[o.run.n, o.run.params["gamma"], list(o.missing[:5])] for o in outcomes if o.missing]


def _paper_finding(dps: int) -> Finding:
    """The paper's angles pi k / n read as an exact secular equation sin(n theta) = 0."""
    outcomes = [
        secular_outcome(PAPER_ANGLES, size, g, min(dps, AS_EXACT_DPS))
        for g in PAPER_ANGLE_GAMMAS
        for size in AS_EXACT_SIZES
    ]
    runs = [o.run for o in outcomes]
    verdict = combine_runs(runs)
    data: dict[str, object] = {
        "sizes": list(AS_EXACT_SIZES),
        "gammas": [str(g) for g in PAPER_ANGLE_GAMMAS],
        "missing": _missing(outcomes),
    }
    first = next((r for r in runs if r.refuted), None)
    if first is not None:
        data.update(n=first.n, gamma=first.params["gamma"], k=first.first_refuted)
    return Finding(FindingKind.PAPER_ANGLES, verdict, data, runs)


def _float_eigenvalues(roots: SecularRoots) -> np.ndarray:
    return np.array([float(r.lam.mid()) for r in roots.roots])


def labels_table(sizes: Sequence[int] = LABEL_SIZES, dps: int = 20) -> Table:
    """The paper's k-th value against the exact k-th largest eigenvalue (the labels).

    Rows: gamma, n, whether f is monotone, the relative error at k = 1, the worst over k
    with the labels as printed and the k where it occurs, the worst with the printed values
    sorted, and how many k have lambda^paper_{k+1} > lambda^paper_k.
    """
    f = compile_arb(CATALOG.get("momentum.eigenvalue").rhs, ("n", "k", "gamma"))
    gammas = (*LABEL_EXTRA_GAMMAS, *MOMENTUM_EXACT_GAMMAS)
    rows = []
    for gamma in gammas:
        for size in sizes:
            roots = secular_roots(size, gamma, min(dps, 20))
            exact = _float_eigenvalues(roots)
            with ctx.workprec(80):
                paper = np.array([float(f(size, kk, gamma).mid()) for kk in range(1, size)])
            labelled = np.abs(paper / exact - 1)
            multiset = np.abs(np.sort(paper)[::-1] / exact - 1)
            increasing = int(np.count_nonzero(np.diff(paper) > 0))
            rows.append(
                (
                    str(gamma),
                    str(size),
                    "yes" if monotone(gamma) else "no",
                    f"{labelled[0]:.2e}",
                    f"{labelled.max():.2e}",
                    str(int(labelled.argmax()) + 1),
                    f"{multiset.max():.2e}",
                    str(increasing),
                )
            )
    return Table(
        TableKind.MOMENTUM_LABELS,
        tuple(rows),
        {"sizes": list(sizes), "gammas": [str(g) for g in gammas]},
    )


def verify_momentum_secular(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """momentum.eigenvalue.exact: every root certified against the exact Q (module docstring)."""
    statement = entry.lhs - entry.rhs
    sets = parameter_sets_for(entry, plan)
    jobs = [(pset, size) for pset in sets for size in sizes]
    outcomes = [
        secular_outcome(statement, size, pset.at(size)["gamma"], dps)
        for pset, size in iterate(progress, jobs, entry.id, unit="n")
    ]
    runs = [o.run for o in outcomes]
    data: dict[str, object] = {
        # (n, gamma, roots) where a scan found more than n - 1 roots
        "scan_excess": [
            [o.run.n, o.run.params["gamma"], o.scan_count]
            for o in outcomes
            if o.scan_count is not None and o.scan_count > o.run.n - 1
        ],
        "missing": _missing(outcomes),
    }
    evidence = EntryEvidence(
        entry.id,
        fingerprint(entry),
        CheckKind.SECULAR_ROOTS,
        combine_runs(runs),
        {"sizes": list(sizes), "dps": dps, "params": [s.label for s in sets]},
        runs,
        data=data,
    )
    if is_default_run(plan, sizes):  # the default plan: the stored evidence
        evidence.findings.append(_paper_finding(dps))
        evidence.tables.append(labels_table(dps=dps))
    return evidence


# --- momentum.eigenvalue.error -----------------------------------------------------------


@dataclass(frozen=True)
class LawRow:
    """Measured errors e_k of the paper's formula, the law's values and e_k / law_k - 1."""

    n: int
    errors: tuple[float, ...]
    predicted: tuple[float, ...]
    deviations: tuple[float, ...]
    radius: float
    seconds: float

    @property
    def worst(self) -> float:
        return max(abs(x) for x in self.deviations)


def law_row(law: sp.Expr, size: int, gamma: Fraction) -> LawRow:
    """The paper's formula against certified eigenvalues, and against ``law``, at one n."""
    start = time.perf_counter()
    paper = compile_arb(CATALOG.get("momentum.eigenvalue").rhs, ("n", "k", "gamma"))
    predicted_of = compile_arb(law, ("n", "k", "gamma"))
    exact, radius = reference_eigenvalues("momentum", size, {"gamma": gamma}, max(ERROR_LAW_KS))
    with ctx.workprec(100):
        claimed = [float(paper(size, kk, gamma).mid()) for kk in ERROR_LAW_KS]
        predicted = [float(predicted_of(size, kk, gamma).mid()) for kk in ERROR_LAW_KS]
    errors = [claimed[i] / exact[i] - 1 for i in range(len(ERROR_LAW_KS))]
    deviations = [e / p - 1 if p != 0 else math.inf for e, p in zip(errors, predicted, strict=True)]
    return LawRow(
        size,
        tuple(errors),
        tuple(predicted),
        tuple(deviations),
        radius,
        time.perf_counter() - start,
    )


def law_converges(conv: Convergence) -> bool:
    """The deviation from the law decreases over the last three sizes, order > LAW_MIN_ORDER."""
    tail = conv.leading[-3:]
    decreasing = len(tail) == 3 and tail[0] > tail[1] > tail[2]
    order = fitted_order(conv.sizes, conv.leading)
    return decreasing and order is not None and order > LAW_MIN_ORDER


def _law_table_row(gamma: Fraction, row: LawRow) -> tuple[str, ...]:
    return (
        str(gamma),
        str(row.n),
        f"{row.errors[0]:+.4e}",
        f"{row.predicted[0]:+.4e}",
        *(f"{e * row.n**3 / k**2:+.3f}" for e, k in zip(row.errors, ERROR_LAW_KS, strict=True)),
        f"{row.worst:.2e}",
    )


def verify_error_law(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """momentum.eigenvalue.error: measured errors over the law tend to 1 like O(n^-2).

    The plan's gammas decide the verdict; :data:`ERROR_LAW_OUTSIDE` (outside the regime at
    these sizes) is shown in the table beside them.
    """
    inside = [pset.at(sizes[0])["gamma"] for pset in parameter_sets_for(entry, plan)]
    gammas = [*inside, *ERROR_LAW_OUTSIDE]
    jobs = [(gamma, size) for gamma in gammas for size in sizes]
    rows = {
        job: law_row(entry.rhs, job[1], job[0])
        for job in iterate(progress, jobs, entry.id, unit="n")
    }
    runs: list[Run] = []
    convs: list[Convergence] = []
    table_rows: list[tuple[str, ...]] = []
    for gamma in gammas:
        these = [rows[(gamma, size)] for size in sizes]
        table_rows.extend(_law_table_row(gamma, row) for row in these)
        if gamma not in inside:
            continue
        runs.extend(
            Run(
                n=row.n,
                params={"gamma": str(gamma)},
                checked=len(ERROR_LAW_KS),
                certified=len(ERROR_LAW_KS),
                radius=row.radius,
                method=Method.ERROR_LAW,
                leading_error=row.worst,
                seconds=row.seconds,
            )
            for row in these
        )
        worst = tuple(row.worst for row in these)
        radius = max(row.radius for row in these)
        convs.append(Convergence(f"gamma = {gamma}", tuple(sizes), worst, worst, radius))
    verdict = (
        CheckState.CONVERGES if all(law_converges(c) for c in convs) else CheckState.NOT_CONVERGING
    )
    law = compile_arb(entry.rhs, ("n", "k", "gamma"))
    with ctx.workprec(80):
        constants = [[str(g), float(law(1, 1, g).mid())] for g in gammas]
    table = Table(
        TableKind.MOMENTUM_LAW,
        tuple(table_rows),
        {
            "k": list(ERROR_LAW_KS),
            "constants": constants,
            "outside": [str(g) for g in ERROR_LAW_OUTSIDE],
        },
    )
    return EntryEvidence(
        entry.id,
        fingerprint(entry),
        CheckKind.ERROR_LAW,
        verdict,
        {"sizes": list(sizes), "k": list(ERROR_LAW_KS), "params": [f"gamma = {g}" for g in gammas]},
        runs,
        convs,
        [table],
        data={"min_order": LAW_MIN_ORDER},
    )


__all__ = [
    "LAW_MIN_ORDER",
    "PAPER_ANGLES",
    "LawRow",
    "SecularOutcome",
    "labels_table",
    "law_converges",
    "law_row",
    "secular_outcome",
    "secular_run",
    "verify_error_law",
    "verify_momentum_secular",
]

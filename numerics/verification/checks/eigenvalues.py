"""Eigenvalue entries: certified spectra (exact regime) and measured convergence (limits).

* **exact regime**: every lambda_k, k = 1..n-1, certified by Sturm counts to lie within
  relative 10^-dps of the formula at every n of the plan
  (:func:`~rwpca.numerics.verification.formula.check.check_formula` with ``exact=True``);
* **asymptotic regime**: the relative error of the leading eigenvalues (certified)
  decreases along the entry's limit path with a fitted order above 0.5, the whole-spectrum
  error beside it. The entry is also checked *as if it were exact* at small n, which
  records where the equality sign of the paper fails (a finding).

The default plan of a momentum or OU limit adds a table: the k-resolved error law of the
momentum formula, and the OU regime scan of both circulant forms against the exact
spectrum (:func:`ou_regime_table`, shared with the secular check).
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from flint import ctx

from rwpca.numerics.arbeval import compile_arb
from rwpca.numerics.progress import ProgressArg
from rwpca.numerics.verification.evidence import (
    CheckKind,
    EntryEvidence,
    Finding,
    FindingKind,
    Table,
    TableKind,
    fingerprint,
)
from rwpca.numerics.verification.formula.check import (
    LEADING,
    MIN_ORDER,
    Convergence,
    ParameterSet,
    Run,
    check_formula,
    reference_eigenvalues,
)
from rwpca.numerics.verification.plans import (
    AS_EXACT_DPS,
    AS_EXACT_SIZES,
    ERROR_LAW_SIZES,
    GAMMAS,
    Plan,
    is_default_run,
    parameter_sets_for,
)
from rwpca.numerics.verification.status import CheckState, combine_runs, limit_verdict
from rwpca.numerics.verification.sweeps import convergence, eigen_function, exact_runs
from rwpca.proofs.catalog import CATALOG, Entry
from rwpca.proofs.catalog.core import RegimeKind

#: The OU regime scan: its size and the products n alpha it covers.
OU_SCAN_N = 400
OU_SCAN_PRODUCTS = ("1/100", "1/10", "1/2", "1", "2", "5", "10", "20", "50", "100", "200")


def as_exact_finding(entry: Entry, sets: list[ParameterSet]) -> Finding:
    """An asymptotic formula checked as if it were exact, at small n (first parameter set)."""
    params = sets[0]
    result = check_formula(
        entry.process or "plain",
        entry.rhs,
        params=params,
        exact=True,
        n=AS_EXACT_SIZES,
        dps=AS_EXACT_DPS,
        labels="multiset",  # the stored finding compares the sorted values
    )
    state = CheckState(result.state)
    data: dict[str, object] = {"params": params.label, "sizes": list(AS_EXACT_SIZES)}
    if state is CheckState.REFUTED:
        first = next(r for r in result.runs if r.refuted)
        data.update(n=first.n, k=first.first_refuted, error=first.spectrum_error, dps=AS_EXACT_DPS)
    return Finding(FindingKind.AS_EXACT, state, data, list(result.runs))


def labelled_finding(runs: list[Run], studies: list[Convergence]) -> Finding:
    """A multiset statement read as 'the k-th value is the k-th largest': certified runs
    (exact entries) or convergence studies (limits) with that reading, and where it fails."""
    if studies:
        state = limit_verdict(studies)
        failing = [c for c in studies if not c.converges()]
        data: dict[str, object] = {
            "failing": [c.label for c in failing],
            "errors": [c.leading[-1] for c in failing],
            "n": studies[0].sizes[-1],
        }
        return Finding(FindingKind.LABELLED, state, data, [], list(studies))
    state = combine_runs(runs)
    refuted = [r for r in runs if r.refuted]
    data = {
        "failing": sorted({", ".join(f"{k} = {v}" for k, v in r.params.items()) for r in refuted})
    }
    return Finding(FindingKind.LABELLED, state, data, list(runs))


def verify_eigenvalue(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """Certified eigenvalues (exact regime) or their convergence (asymptotic regime)."""
    sets = parameter_sets_for(entry, plan)
    process = entry.process or "plain"
    function = eigen_function(process, entry.rhs)
    labelled = entry.reading == "labelled"
    if entry.regime.kind is RegimeKind.EXACT:
        runs = exact_runs(process, function, sets, sizes, dps, progress, entry.id, labelled)
        if plan.extra and is_default_run(plan, sizes, dps):
            for extra_sizes, extra_dps in plan.extra:
                runs += exact_runs(
                    process, function, sets, extra_sizes, extra_dps, progress, entry.id, labelled
                )
        sizes_run = sorted({r.n for r in runs})
        evidence = EntryEvidence(
            entry.id,
            fingerprint(entry),
            CheckKind.EIGENVALUE_EXACT,
            combine_runs(runs),
            {"sizes": sizes_run, "dps": dps, "params": [s.label for s in sets]},
            runs,
            data={"compared": entry.reading},
        )
        if not labelled:
            evidence.findings.append(
                labelled_finding(exact_runs(
                    process, function, sets, sizes, dps, progress, entry.id, True
                ), [])
            )  # fmt: skip
        return evidence
    studies, runs = convergence(
        process, function, sets, sizes, progress, entry.id, labelled=labelled
    )
    evidence = EntryEvidence(
        entry.id,
        fingerprint(entry),
        CheckKind.EIGENVALUE_LIMIT,
        limit_verdict(studies),
        {"sizes": list(sizes), "params": [s.label for s in sets]},
        runs,
        studies,
        data={"min_order": MIN_ORDER, "compared": entry.reading},
    )
    evidence.findings.append(as_exact_finding(entry, sets))
    if not labelled:
        read, _ = convergence(process, function, sets, sizes, progress, entry.id, labelled=True)
        evidence.findings.append(labelled_finding([], read))
    if is_default_run(plan, sizes):  # the tables belong to the default plan (stored evidence)
        if entry.process == "momentum":
            evidence.tables.append(momentum_error_law(entry))
        if entry.process == "ou":
            evidence.tables.append(ou_regime_table())
    return evidence


def momentum_error_law(entry: Entry, sizes: tuple[int, ...] = ERROR_LAW_SIZES) -> Table:
    """The k-resolved leading error of the momentum formula, scaled by n^3 / k^2.

    Rows: gamma, n, the relative errors f_k / lambda_k - 1 for k = 1, 2, 3 (reference
    eigenvalues certified to 1e-20 relative) and the same times n^3 / k^2.
    """
    function = compile_arb(entry.rhs, ("n", "k", "gamma"))
    rows = []
    for params in GAMMAS:
        gamma = params["gamma"]
        for size in sizes:
            estimates, _radius = reference_eigenvalues("momentum", size, params, LEADING)
            with ctx.workprec(80):
                claims = [float(function(size, kk, gamma).mid()) for kk in (1, 2, 3)]
            errors = [claims[i] / estimates[i] - 1 for i in range(3)]
            rows.append(
                (
                    str(gamma),
                    str(size),
                    *(f"{e:+.3e}" for e in errors),
                    *(f"{e * size**3 / (i + 1) ** 2:+.2f}" for i, e in enumerate(errors)),
                )
            )
    return Table(TableKind.MOMENTUM_ERROR_LAW, tuple(rows))


@lru_cache(maxsize=1)
def ou_regime_table() -> Table:
    """Leading OU eigenvalues at n = 400 over n alpha: both circulant forms against exact.

    Rows: n alpha, the exact lambda_1, the relative errors of the periodic and mirror forms
    at k = 1 and 2, and the exact relative gap 1 - lambda_2 / lambda_1.
    """
    periodic = CATALOG.get("ou.eigenvalue").rhs
    mirror = CATALOG.get("ou.eigenvalue.mirror").rhs
    fper = compile_arb(periodic, ("n", "k", "alpha"))
    fmir = compile_arb(mirror, ("n", "k", "alpha"))
    rows = []
    for text in OU_SCAN_PRODUCTS:
        product = Fraction(text)
        alpha = product / OU_SCAN_N
        estimates, _radius = reference_eigenvalues("ou", OU_SCAN_N, {"alpha": alpha}, 2)
        with ctx.workprec(80):
            per = sorted(
                (float(fper(OU_SCAN_N, kk, alpha).mid()) for kk in range(1, OU_SCAN_N)),
                reverse=True,
            )[:2]
            mir = [float(fmir(OU_SCAN_N, kk, alpha).mid()) for kk in (1, 2)]
        gap = 1 - estimates[1] / estimates[0]
        rows.append(
            (
                text,
                f"{estimates[0]:.6g}",
                f"{per[0] / estimates[0] - 1:+.3e}",
                f"{mir[0] / estimates[0] - 1:+.3e}",
                f"{per[1] / estimates[1] - 1:+.3e}",
                f"{mir[1] / estimates[1] - 1:+.3e}",
                f"{gap:.3e}",
            )
        )
    return Table(TableKind.OU_REGIMES, tuple(rows), {"n": OU_SCAN_N})


__all__ = ["as_exact_finding", "momentum_error_law", "ou_regime_table", "verify_eigenvalue"]

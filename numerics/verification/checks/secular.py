"""The OU secular equation: each certified eigenvalue enclosure contains a root of D_n.

The eigenvalues of K are certified (Sturm counts) to relative radius r around float64
estimates; mapped to angles by cos(theta) = (1 + beta^2 - 1/lambda) / (2 beta), beta =
1 - alpha, each enclosure gives an interval of theta. A sign change of the secular function
D_n between its ends (ball arithmetic) certifies a root there; D_n bounded away from 0 on
it refutes the claim; anything else is undecided.
"""

from __future__ import annotations

import time
from typing import Any

from flint import arb, ctx

from rwpca.numerics.arbeval import compile_arb, to_arb
from rwpca.numerics.certified.sturm import certify, working_precision
from rwpca.numerics.linalg.reference import eigenvalues_float
from rwpca.numerics.linalg.structure import centred_precision_structure
from rwpca.numerics.progress import ProgressArg, iterate
from rwpca.numerics.verification.checks.eigenvalues import ou_regime_table
from rwpca.numerics.verification.evidence import CheckKind, EntryEvidence, Method, fingerprint
from rwpca.numerics.verification.formula.check import Run
from rwpca.numerics.verification.plans import Plan, is_default_run, parameter_sets_for
from rwpca.numerics.verification.status import CheckState, combine_runs
from rwpca.proofs.catalog import Entry

#: Relative radii tried, in turn, to certify every eigenvalue around its float64 estimate.
RADII = (1e-10, 1e-8, 1e-6)


def _root_state(secular: Any, size: int, a: Any, lam: arb, radius: float) -> CheckState:
    """Whether D_n changes sign on the angles of the enclosure lambda (1 +- radius)."""
    b = 1 - to_arb(a)
    mus = (1 / (lam * (1 + arb(radius))), 1 / (lam * (1 - arb(radius))))
    cosines = [(1 + b * b - mu) / (2 * b) for mu in mus]
    angles = [c.acos() for c in cosines]
    low = min(angles, key=lambda z: float(z.mid())).lower()
    high = max(angles, key=lambda z: float(z.mid())).upper()
    d_low, d_high = secular(size, a, low), secular(size, a, high)
    whole = secular(size, a, low.union(high))
    if (d_low > 0 and d_high < 0) or (d_low < 0 and d_high > 0):
        return CheckState.CERTIFIED
    if not whole.contains(0):
        return CheckState.REFUTED
    return CheckState.UNDECIDED


def _secular_run(secular: Any, process: str, size: int, values: dict, dps: int) -> Run:
    start = time.perf_counter()
    a = values["alpha"]
    estimates = eigenvalues_float(process, size, values)
    q = centred_precision_structure(process, size, values)
    claims = [arb(float(x)) for x in estimates]
    radius, verdicts = None, None
    for r in RADII:
        verdicts = certify(q, claims, r)
        if all(v.state == CheckState.CERTIFIED for v in verdicts):
            radius = r
            break
    states = []
    with ctx.workprec(working_precision(size, max(dps, 20) + 10)):
        for index, x in enumerate(estimates):
            if radius is None or verdicts is None or verdicts[index].state != "certified":
                states.append(CheckState.UNDECIDED)
                continue
            states.append(_root_state(secular, size, a, arb(float(x)), radius))
    refuted = [i + 1 for i, state in enumerate(states) if state is CheckState.REFUTED]
    certified = states.count(CheckState.CERTIFIED)
    return Run(
        n=size,
        params={k: str(v) for k, v in values.items()},
        checked=size - 1,
        certified=certified,
        refuted=len(refuted),
        undecided=size - 1 - certified - len(refuted),
        radius=radius,
        method=Method.SECULAR,
        first_refuted=refuted[0] if refuted else None,
        seconds=time.perf_counter() - start,
    )


def verify_secular(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """Every nonzero eigenvalue of K is 1/f(theta) at a certified root of D_n (module doc)."""
    process = entry.process or "ou"
    sets = parameter_sets_for(entry, plan)
    secular = compile_arb(entry.lhs - entry.rhs, ("n", "alpha", "theta"))
    jobs = [(pset, size) for pset in sets for size in sizes]
    runs = [
        _secular_run(secular, process, size, pset.at(size), dps)
        for pset, size in iterate(progress, jobs, entry.id, unit="n")
    ]
    evidence = EntryEvidence(
        entry.id,
        fingerprint(entry),
        CheckKind.SECULAR,
        combine_runs(runs),
        {"sizes": list(sizes), "params": [s.label for s in sets]},
        runs,
    )
    if is_default_run(plan, sizes):
        evidence.tables.append(ou_regime_table())
    return evidence


__all__ = ["verify_secular"]

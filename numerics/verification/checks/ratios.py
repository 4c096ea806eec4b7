"""Explained-variance ratios and cumulative shares: certified lambda_k over the exact trace.

* **explained-variance ratio**: lambda_k / trace K with certified lambda_k and exact trace,
  certified at finite n (exact regime) or converging for a limit; a limit ratio is also
  read as an exact statement at small n (a finding: where its '=' fails);
* **cumulative share**: the sum of the first m exact ratios converging to the stated
  limit; a printed numeric share (the poster's 80%) is compared with that limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from rwpca.numerics.arbeval import compile_arb, to_arb
from rwpca.numerics.linalg.structure import exact_trace
from rwpca.numerics.progress import ProgressArg, iterate
from rwpca.numerics.verification.evidence import (
    CheckKind,
    EntryEvidence,
    Finding,
    FindingKind,
    Method,
    fingerprint,
)
from rwpca.numerics.verification.formula.check import (
    LEADING,
    Convergence,
    ParameterSet,
    Run,
    exact_run,
    reference_eigenvalues,
)
from rwpca.numerics.verification.plans import (
    AS_EXACT_DPS,
    AS_EXACT_SIZES,
    Plan,
    parameter_sets_for,
)
from rwpca.numerics.verification.status import CheckState, combine_runs, limit_verdict
from rwpca.numerics.verification.sweeps import convergence, exact_runs, parameter_names
from rwpca.proofs.catalog import Entry
from rwpca.proofs.catalog.core import RegimeKind


def ratio_function(entry: Entry) -> Callable[..., Any]:
    """Claims lambda_k = rho_k(formula) x trace K (exact), as a function of (n, k, params)."""
    process = entry.process or "plain"
    names = ("n", "k", *parameter_names(process))
    inner = compile_arb(entry.rhs, names)
    cache: dict[tuple, Fraction] = {}

    def function(size, kk, *values):
        key = (size, *values)
        if key not in cache:
            params = dict(zip(names[2:], values, strict=True))
            cache[key] = exact_trace(process, int(size), params)
        return inner(size, kk, *values) * to_arb(cache[key])

    return function


def _final_errors(studies: list[Convergence]) -> list[float]:
    return [c.leading[-1] for c in studies]


def verify_ratio(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """Explained-variance ratios: certified lambda_k over exact trace."""
    process = entry.process or "plain"
    sets = parameter_sets_for(entry, plan)
    function = ratio_function(entry)
    if entry.regime.kind is RegimeKind.EXACT:
        runs = exact_runs(process, function, sets, sizes, dps, progress, entry.id)
        return EntryEvidence(
            entry.id,
            fingerprint(entry),
            CheckKind.EVR_EXACT,
            combine_runs(runs),
            {"sizes": list(sizes), "dps": dps, "params": [s.label for s in sets]},
            runs,
        )
    studies, runs = convergence(process, function, sets, sizes, progress, entry.id)
    evidence = EntryEvidence(
        entry.id,
        fingerprint(entry),
        CheckKind.EVR_LIMIT,
        limit_verdict(studies),
        {"sizes": list(sizes), "params": [s.label for s in sets]},
        runs,
        studies,
        data={"final_errors": _final_errors(studies)},
    )
    evidence.findings.append(ratio_as_exact(entry, function, sets[0]))
    return evidence


def ratio_as_exact(entry: Entry, function: Callable[..., Any], pset: ParameterSet) -> Finding:
    """A limit ratio read as an exact statement at finite n (as printed, with '=')."""
    process = entry.process or "plain"
    runs = [exact_run(process, function, s, pset.at(s), AS_EXACT_DPS) for s in AS_EXACT_SIZES]
    refuted = next((r for r in runs if r.refuted), None)
    if refuted is None:
        return Finding(FindingKind.RATIO_AS_EXACT, combine_runs(runs), {}, runs)
    data: dict[str, object] = {
        "n": refuted.n,
        "k": refuted.first_refuted,
        "error": refuted.spectrum_error,
    }
    return Finding(FindingKind.RATIO_AS_EXACT, CheckState.REFUTED, data, runs)


def _share_run(size: int, limits: list[float]) -> tuple[Run, list[float]]:
    start = time.perf_counter()
    estimates, radius = reference_eigenvalues("plain", size, {}, LEADING)
    trace = float(exact_trace("plain", size))
    shares = np.cumsum(estimates[:LEADING]) / trace
    errors = [abs(shares[i] / limits[i] - 1) for i in range(LEADING)]
    run = Run(
        size,
        {},
        LEADING,
        certified=LEADING,
        radius=radius,
        method=Method.SHARES,
        leading_error=max(errors),
        spectrum_error=max(errors),
        seconds=time.perf_counter() - start,
    )
    return run, [float(s) for s in shares]


def verify_cumulative(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """R_m = sum of the first m ratios: exact finite-n shares converge to the formula."""
    symbol = next((s for s in entry.rhs.free_symbols if s.name == "m"), sp.Symbol("m"))
    limits = [float(sp.N(entry.rhs.subs(symbol, mm), 30)) for mm in range(1, LEADING + 1)]
    runs, shares_at = [], {}
    for size in iterate(progress, sizes, entry.id, unit="n"):
        run, shares_at[size] = _share_run(size, limits)
        runs.append(run)
    lead = tuple(float(r.leading_error or 0.0) for r in runs)
    worst_radius = max([0.0, *(float(r.radius or 0.0) for r in runs)])
    conv = Convergence(f"R_1..R_{LEADING}", tuple(sizes), lead, lead, worst_radius)
    evidence = EntryEvidence(
        entry.id,
        fingerprint(entry),
        CheckKind.CUMULATIVE,
        limit_verdict([conv]),
        {"sizes": list(sizes), "m": f"1..{LEADING}"},
        runs,
        [conv],
        data={"final_errors": _final_errors([conv])},
    )
    printed = entry.source.printed  # an expression or None once the entry is built
    if isinstance(printed, sp.Basic) and not printed.free_symbols:
        target = float(printed)
        gaps = [abs(shares_at[s][1] / target - 1) for s in sizes]
        data = {
            "m": 2,
            "limit": limits[1],
            "limits": limits,
            "target": target,
            "sizes": list(sizes),
            "gaps": gaps,
        }
        evidence.findings.append(Finding(FindingKind.PRINTED_SHARE, CheckState.REFUTED, data))
    return evidence


__all__ = ["ratio_as_exact", "ratio_function", "verify_cumulative", "verify_ratio"]

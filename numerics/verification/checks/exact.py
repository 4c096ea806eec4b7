"""Entries checked in exact rational arithmetic: traces, the OU distance, the noise identity.

* **trace**: the formula equals trace K computed in exact rational arithmetic;
* **OU distance**: the formula equals sigma^2 (T^-1 T^-T)_tt at every t, exactly;
* **noise identity**: the formula equals the expectation over every outcome of an n x d
  step matrix from finite laws of different kurtosis
  (:mod:`rwpca.numerics.verification.moments`).

Formulas are evaluated by substituting exact rationals for their symbols (by name) and
simplifying; no string is ever parsed.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from fractions import Fraction

import sympy as sp

from rwpca.numerics.linalg.structure import exact_trace
from rwpca.numerics.progress import ProgressArg, iterate
from rwpca.numerics.verification.evidence import CheckKind, EntryEvidence, Method, fingerprint
from rwpca.numerics.verification.formula.check import Run
from rwpca.numerics.verification.moments import (
    LAWS,
    MAX_OUTCOMES,
    gram_deviation,
    law_moments,
    ou_mean_square,
    outcomes,
)
from rwpca.numerics.verification.plans import (
    OU_DISTANCE_ALPHAS,
    OU_DISTANCE_SIGMAS,
    Plan,
    parameter_sets_for,
)
from rwpca.numerics.verification.status import CheckState, exact_verdict
from rwpca.proofs.catalog import Entry

#: Dimensions d of the noise identity's enumeration.
NOISE_DIMS = (1, 2, 3)


def rational(value: Fraction | int) -> sp.Rational:
    """A SymPy rational from an exact Fraction or int (no parsing)."""
    value = Fraction(value)
    return sp.Rational(value.numerator, value.denominator)


def equals_at(formula: sp.Basic, values: Mapping[str, Fraction | int], exact: Fraction) -> bool:
    """Whether the formula, its symbols replaced by name, is exactly the rational ``exact``.

    Symbols the formula does not use are ignored (a wrong form may drop one); sums and other
    unevaluated objects are evaluated; anything that is not then a rational is decided by
    simplifying the difference, so a form equal in value but not in shape is accepted.
    """
    subs = {s: rational(values[s.name]) for s in formula.free_symbols if s.name in values}
    value = formula.xreplace(subs).doit()
    if value.free_symbols:
        return False
    if isinstance(value, sp.Rational):
        return value == rational(exact)
    return sp.simplify(value - rational(exact)) == 0


def exact_run(size: int, params: dict[str, str], ok: bool, note: str, start: float) -> Run:
    """One comparison in exact arithmetic (``note``: the counterexample when it fails)."""
    return counted_exact_run(size, params, 1, int(not ok), note, start)


def counted_exact_run(
    size: int, params: dict[str, str], checked: int, refuted: int, note: str, start: float
) -> Run:
    """``checked`` comparisons in exact arithmetic at one size, ``refuted`` of them failing."""
    return Run(
        n=size,
        params=params,
        checked=checked,
        certified=checked - refuted,
        refuted=refuted,
        method=Method.EXACT,
        first_refuted=None if not refuted else 0,
        note=note,
        seconds=time.perf_counter() - start,
    )


def verify_trace(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """The trace formula against trace K in exact rational arithmetic."""
    sets = parameter_sets_for(entry, plan)
    process = entry.process or "plain"
    symbols = {s.name: s for s in entry.rhs.free_symbols}
    runs = []
    jobs = [(pset, size) for pset in sets for size in sizes]
    for pset, size in iterate(progress, jobs, entry.id, unit="n"):
        start = time.perf_counter()
        values = pset.at(size)
        exact = exact_trace(process, size, values)
        subs = {symbols[name]: rational(v) for name, v in values.items() if name in symbols}
        if "n" in symbols:
            subs[symbols["n"]] = size
        claimed = sp.simplify(entry.rhs.xreplace(subs))
        ok = isinstance(claimed, sp.Rational) and Fraction(int(claimed.p), int(claimed.q)) == exact
        note = "" if ok else f"trace K = {float(exact):.6g}, formula = {float(claimed):.6g}"
        runs.append(exact_run(size, {k: str(v) for k, v in values.items()}, ok, note, start))
    return EntryEvidence(
        entry.id,
        fingerprint(entry),
        CheckKind.TRACE,
        exact_verdict(runs),
        {"sizes": list(sizes), "params": [s.label for s in sets]},
        runs,
    )


def verify_distance(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """E||x_t||^2 / d against the diagonal of sigma^2 T^-1 T^-T, t = 1..n, exactly."""
    runs = []
    jobs = [(a, s, size) for a in OU_DISTANCE_ALPHAS for s in OU_DISTANCE_SIGMAS for size in sizes]
    for alpha, sigma, size in iterate(progress, jobs, entry.id, unit="n"):
        start = time.perf_counter()
        exact = [sigma**2 * v for v in ou_mean_square(alpha, size)]
        values = {"alpha": alpha, "sigma": sigma}
        bad = [
            step
            for step in range(1, size + 1)
            if not equals_at(entry.rhs, {**values, "t": step}, exact[step - 1])
        ]
        note = "" if not bad else f"t = {bad[0]}"
        runs.append(
            exact_run(size, {"alpha": str(alpha), "sigma": str(sigma)}, not bad, note, start)
        )
    return EntryEvidence(
        entry.id,
        fingerprint(entry),
        CheckKind.DISTANCE,
        exact_verdict(runs),
        {"sizes": list(sizes), "params": [f"alpha = {a}" for a in OU_DISTANCE_ALPHAS]},
        runs,
        data={
            "alpha": [str(a) for a in OU_DISTANCE_ALPHAS],
            "sigma": [str(s) for s in OU_DISTANCE_SIGMAS],
        },
    )


def verify_noise(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """The Gram-deviation identity by brute-force enumeration over finite laws, exactly.

    Every (n, d) with d = 1..3 whose m^(n d) outcomes fit in the enumeration budget is checked
    for each law of :data:`rwpca.numerics.verification.moments.LAWS`; sizes too large to
    enumerate are skipped and counted, and a run with nothing enumerable is undecided.
    """
    runs, skipped = [], set()
    jobs = [(name, size, dim) for name in LAWS for size in sizes for dim in NOISE_DIMS]
    for name, size, dim in iterate(progress, jobs, entry.id, unit="case"):
        law = LAWS[name]
        if outcomes(len(law[0]), size, dim) > MAX_OUTCOMES:
            skipped.add((size, dim))
            continue
        start = time.perf_counter()
        kurtosis = law_moments(*law)[2]
        exact = gram_deviation(*law, n=size, d=dim)
        ok = equals_at(entry.rhs, {"n": size, "d": dim, "kappa": kurtosis}, exact)
        params = {"law": name, "kappa": str(kurtosis), "d": str(dim)}
        runs.append(exact_run(size, params, ok, "" if ok else f"enumerated = {exact}", start))
    verdict = exact_verdict(runs) if runs else CheckState.UNDECIDED
    return EntryEvidence(
        entry.id,
        fingerprint(entry),
        CheckKind.NOISE,
        verdict,
        {"sizes": list(sizes), "dims": list(NOISE_DIMS), "laws": list(LAWS)},
        runs,
        data={
            "kurtosis": [str(law_moments(*law)[2]) for law in LAWS.values()],
            "skipped": len(skipped),
            "max_outcomes": MAX_OUTCOMES,
        },
    )


__all__ = ["equals_at", "verify_distance", "verify_noise", "verify_trace"]

"""Eigenvector, projection and Lissajous entries, certified in ball arithmetic.

* **eigenvector / projection**: the formula vector is an eigenvector of Q within a
  certified angle (residual over the certified spectral gap, Davis-Kahan) and has the
  stated norm (1, or the certified lambda_k for the projection);
* **Lissajous curve**: the stated identity evaluated in ball arithmetic at every time t
  for the component pairs up to 6, with the exact projections.

The paper's printed eigenvector cos(pi k t / n) is checked beside the entry (a finding):
it is no eigenvector at finite n, and its angle to the proven one tends to 0 for fixed k.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp
from flint import arb, ctx

from rwpca.numerics.arbeval import compile_arb, to_arb
from rwpca.numerics.certified.enclosures import apply_structure, ball_structure
from rwpca.numerics.certified.sturm import certify, working_precision
from rwpca.numerics.linalg.structure import centred_precision_structure
from rwpca.numerics.progress import ProgressArg, iterate
from rwpca.numerics.verification.evidence import (
    CheckKind,
    EntryEvidence,
    Finding,
    FindingKind,
    Method,
    fingerprint,
)
from rwpca.numerics.verification.formula.check import LEADING, Convergence, Run
from rwpca.numerics.verification.plans import Plan
from rwpca.numerics.verification.status import CheckState, combine_runs
from rwpca.proofs.catalog import CATALOG, Entry

#: Component pairs (j, k) of the Lissajous check: 1 <= j < k <= LISSAJOUS_TOP.
LISSAJOUS_TOP = 6


@dataclass(frozen=True)
class VectorResult:
    """The decision on one vector: its state, the angle bound and the norm error."""

    state: CheckState
    angle: float  # upper bound of the angle to the k-th eigenvector (or lower bound if refuted)
    norm_error: float


def _gershgorin(q: Any) -> arb:
    """An upper bound of ||Q||_2: the largest absolute row sum (Gershgorin)."""
    size = q.n
    rows = [abs(Fraction(q.bands[0][i])) for i in range(size)]
    for m in range(1, len(q.bands)):
        for i in range(m, size):
            value = abs(q.bands[m][i])
            rows[i] += value
            rows[i - m] += value
    bound = max(rows)
    if q.border is not None:
        bound += sum(x * x for x in q.border) / q.s
    return to_arb(bound)


def _gap(rho: arb, k: int, mu_bounds: Sequence[tuple[arb, arb]]) -> arb:
    """The certified distance from rho to the eigenvalues of Q other than mu_(k+1)."""
    lower_neighbour = mu_bounds[k - 1][1]
    upper_neighbour = mu_bounds[k + 1][0] if k + 1 < len(mu_bounds) else None
    delta = rho - lower_neighbour
    if upper_neighbour is not None:
        above = upper_neighbour - rho
        delta = (
            delta if bool(delta < above) else (above if bool(above < delta) else delta.min(above))
        )
    return delta


def vector_check(
    q: Any,
    vector: Sequence[arb],
    k: int,
    mu_bounds: Sequence[tuple[arb, arb]],
    radius: float,
    norm_target: arb | None,
    norm_radius: float,
) -> VectorResult:
    """Is ``vector`` the k-th eigenvector of K (the (k+1)-th smallest of Q)?

    With rho the Rayleigh quotient and r = Q u - rho u, Davis-Kahan gives sin(angle) <=
    |r| / (|u| delta), delta the distance from rho to the other eigenvalues (certified
    enclosures ``mu_bounds``); a certified |r| > 0 gives sin(angle) >= |r| / (|u| (||Q|| +
    |rho|)). ``norm_target``: the required |u|^2 (None: not checked).
    """
    qv = apply_structure(q, *ball_structure(q), vector)
    uu = sum((x * x for x in vector), arb(0))
    rho = sum((a * b for a, b in zip(vector, qv, strict=True)), arb(0)) / uu
    diffs = [a - rho * b for a, b in zip(qv, vector, strict=True)]
    res2 = sum((d * d for d in diffs), arb(0))
    delta = _gap(rho, k, mu_bounds)  # k: the 0-based position of mu_(k+1), ascending
    norm_error = 0.0
    norm_ok = True
    if norm_target is not None:
        difference = abs(uu / norm_target - 1)
        norm_error = float(difference.upper())
        norm_ok = bool(difference < norm_radius)
        if bool(difference > norm_radius):
            return VectorResult(CheckState.REFUTED, 0.0, float(difference.lower()))
    if res2 > 0:
        residual_low = res2.lower().sqrt()
        lower_angle = residual_low / (uu.sqrt() * (_gershgorin(q) + abs(rho)))
        if lower_angle > radius:
            return VectorResult(CheckState.REFUTED, float(lower_angle.lower()), norm_error)
    if not delta > 0:
        return VectorResult(CheckState.UNDECIDED, math.inf, norm_error)
    residual_high = res2.upper().sqrt()
    upper_angle = residual_high / (uu.sqrt() * delta)
    angle = float(upper_angle.upper())
    if upper_angle < radius and norm_ok:
        return VectorResult(CheckState.CERTIFIED, angle, norm_error)
    return VectorResult(CheckState.UNDECIDED, angle, norm_error)


def _mu_enclosures(process: str, n: int, values: dict, eigen_formula: sp.Expr, dps: int):
    """Certified enclosures of all eigenvalues of Q (ascending, with mu_1 = 0)."""
    function = compile_arb(eigen_formula, ("n", "k", *values))
    radius = Fraction(1, 10**dps)
    q = centred_precision_structure(process, n, values)
    with ctx.workprec(working_precision(n, dps + 10)):
        claims = [function(n, kk, *values.values()) for kk in range(1, n)]
    verdicts = certify(q, claims, radius, digits=dps)
    if not all(v.state == CheckState.CERTIFIED for v in verdicts):
        return None, None
    with ctx.workprec(working_precision(n, dps + 10)):
        r = to_arb(radius)
        ordered = sorted(claims, key=lambda b: float(b.mid()), reverse=True)
        bounds = [(arb(0), arb(0))]
        for claim in ordered:  # descending lambda = ascending mu
            lo = 1 / (claim * (1 + r))
            hi = 1 / (claim * (1 - r))
            bounds.append((lo.lower(), hi.upper()))
        lam = [(c * (1 - r), c * (1 + r)) for c in ordered]
    return bounds, lam


def verify_vectors(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """rw.eigenvector and rw.projection: certified eigenvector angles and norms."""
    eigen = CATALOG.get("rw.eigenvalue").rhs
    projection = entry.quantity == "projection"
    runs = []
    for size in iterate(progress, sizes, entry.id, unit="n"):
        start = time.perf_counter()
        run = _vector_run(entry.rhs, size, dps, eigen, projection)
        runs.append(Run(**{**run.__dict__, "seconds": time.perf_counter() - start}))
    evidence = EntryEvidence(
        entry.id,
        fingerprint(entry),
        CheckKind.PROJECTION if projection else CheckKind.EIGENVECTOR,
        combine_runs(runs),
        {"sizes": list(sizes), "dps": dps},
        runs,
    )
    printed = entry.source.printed
    if printed is not None and entry.quantity == "eigenvector":
        evidence.findings.append(printed_vector_finding(printed, sizes))
    return evidence


def _vector_run(statement: sp.Expr, size: int, dps: int, eigen: sp.Expr, projection: bool) -> Run:
    q = centred_precision_structure("plain", size)
    mu_bounds, lam = _mu_enclosures("plain", size, {}, eigen, dps)
    if mu_bounds is None or lam is None:
        return Run(size, {}, size - 1, undecided=size - 1, note="eigenvalues not certified")
    function = compile_arb(statement, ("n", "k", "t", "lambda_k"))
    radius = 10.0**-dps
    states, angles = [], []
    with ctx.workprec(working_precision(size, dps + 10)):
        for kk in range(1, size):
            # any value in the certified enclosure of lambda_k: its exact midpoint
            lam_value = lam[kk - 1][0].union(lam[kk - 1][1]).mid()
            vector = [function(size, kk, tt, lam_value) for tt in range(1, size + 1)]
            target = lam_value if projection else arb(1)
            result = vector_check(q, vector, kk, mu_bounds, radius, target, 2 * radius)
            states.append(result.state)
            angles.append(result.angle)
    refuted = [i + 1 for i, s in enumerate(states) if s is CheckState.REFUTED]
    certified = states.count(CheckState.CERTIFIED)
    return Run(
        n=size,
        params={},
        checked=size - 1,
        certified=certified,
        refuted=len(refuted),
        undecided=size - 1 - certified - len(refuted),
        radius=radius,
        digits=dps,
        method=Method.VECTOR,
        leading_error=max(angles[:LEADING]),
        spectrum_error=max(angles),
        first_refuted=refuted[0] if refuted else None,
    )


def _sine_of_angle(u: Sequence[arb], w: Sequence[arb]) -> float:
    dot = sum((a * b for a, b in zip(u, w, strict=True)), arb(0))
    nu = sum((a * a for a in u), arb(0))
    nw = sum((b * b for b in w), arb(0))
    cos2 = dot * dot / (nu * nw)
    sine = (1 - cos2).sqrt() if (1 - cos2) > 0 else arb(0)
    return float(sine.mid())


def printed_vector_finding(printed: sp.Expr, sizes: Sequence[int]) -> Finding:
    """The paper's cos(pi k t / n): not an eigenvector at finite n; its angle -> 0.

    The runs hold the sine of the angle to the proven eigenvector cos(pi k (t - 1/2) / n),
    worst over k <= 5 (leading) and over every k, at three or more sizes; the convergence
    study fits its order in n.
    """
    t = sp.Symbol("t")
    exact = sp.cos(sp.pi * sp.Symbol("k") * (t - sp.Rational(1, 2)) / sp.Symbol("n"))
    f_printed = compile_arb(printed, ("n", "k", "t"))
    f_exact = compile_arb(exact, ("n", "k", "t"))
    runs, leading = [], []
    used = [s for s in sizes if s >= 3] or [3]
    while len(used) < 3:  # an order needs three sizes
        used.append(2 * used[-1])
    for size in used:
        with ctx.workprec(120):
            sines = [
                _sine_of_angle(
                    [f_printed(size, kk, tt) for tt in range(1, size + 1)],
                    [f_exact(size, kk, tt) for tt in range(1, size + 1)],
                )
                for kk in range(1, size)
            ]
        worst_lead = max([0.0, *sines[:LEADING]])
        leading.append(worst_lead)
        runs.append(
            Run(
                size,
                {},
                size - 1,
                refuted=size - 1,
                method=Method.PRINTED_ANGLE,
                leading_error=worst_lead,
                spectrum_error=max([0.0, *sines]),
            )
        )
    conv = Convergence(
        "printed cos(pi k t / n)",
        tuple(used),
        tuple(leading),
        tuple(float(r.spectrum_error or 0.0) for r in runs),
        0.0,
    )
    return Finding(FindingKind.PRINTED_EIGENVECTOR, CheckState.REFUTED, {}, runs, [conv])


def _lissajous_states(entry: Entry, size: int, dps: int) -> list[CheckState]:
    """One state per pair (j, k): certified if the identity holds to 10^-dps at every t."""
    projection = CATALOG.get("rw.projection").rhs
    eigen = CATALOG.get("rw.eigenvalue").rhs
    pairs = [
        (a, b)
        for a in range(1, LISSAJOUS_TOP + 1)
        for b in range(a + 1, LISSAJOUS_TOP + 1)
        if b <= size - 1
    ]
    states = []
    with ctx.workprec(working_precision(size, dps + 10)):
        lam_f = compile_arb(eigen, ("n", "k"))
        proj_f = compile_arb(projection, ("n", "k", "t", "lambda_k"))
        for a, b in pairs:
            statement = entry.lhs - entry.rhs
            by_name = {
                s: {"j": a, "k": b}[s.name] for s in statement.free_symbols if s.name in ("j", "k")
            }
            statement = statement.xreplace(by_name).doit()
            f = compile_arb(sp.expand(statement), ("X_j", "X_k", "A_j", "A_k"))
            la, lb = lam_f(size, a), lam_f(size, b)
            amp_a = (2 * la / size).sqrt()
            amp_b = (2 * lb / size).sqrt()
            worst = CheckState.CERTIFIED
            for tt in range(1, size + 1):
                value = f(proj_f(size, a, tt, la), proj_f(size, b, tt, lb), amp_a, amp_b)
                if value.contains(0) and value.rad() < 10.0**-dps:
                    continue
                worst = CheckState.REFUTED if not value.contains(0) else CheckState.UNDECIDED
                break
            states.append(worst)
    return states


def verify_lissajous(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """The implicit equation evaluated in ball arithmetic at every t, pairs up to 6."""
    runs = []
    for size in iterate(progress, sizes, entry.id, unit="n"):
        start = time.perf_counter()
        states = _lissajous_states(entry, size, dps)
        refuted = states.count(CheckState.REFUTED)
        certified = states.count(CheckState.CERTIFIED)
        runs.append(
            Run(
                n=size,
                params={},
                checked=len(states),
                certified=certified,
                refuted=refuted,
                undecided=len(states) - certified - refuted,
                radius=10.0**-dps,
                digits=dps,
                method=Method.IDENTITY,
                seconds=time.perf_counter() - start,
            )
        )
    return EntryEvidence(
        entry.id,
        fingerprint(entry),
        CheckKind.LISSAJOUS,
        combine_runs(runs),
        {"sizes": list(sizes), "dps": dps, "pairs": f"1 <= j < k <= {LISSAJOUS_TOP}"},
        runs,
    )


__all__ = ["VectorResult", "vector_check", "verify_lissajous", "verify_vectors"]

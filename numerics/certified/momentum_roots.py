"""The exact momentum spectrum from its secular equation: roots in ball arithmetic, certified.

:mod:`rwpca.proofs.derive.momentum.exact` proves that the nonzero eigenvalues of the centred
momentum covariance K are lambda = 1/f(theta) at the roots of F_n(theta) in
(0, theta_max) (theta_max = pi, or the band edge theta* when gamma < 2 sqrt 2 - 3), the
k-th root giving the k-th largest eigenvalue. This module finds those roots:

1. **brackets**: from seeds (float64 eigenvalues of Q mapped to angles, ``seeds="eigh"``), or
   matrix-free by a sign scan on a grid that is uniform in the Szegő coordinate
   nu(theta) = |{phi in (0, pi): f(phi) < f(theta)}| (``seeds="scan"``; the roots are spaced
   about pi / n in nu, except for close pairs in the band f(pi) < mu < max f of gamma < 2 sqrt
   2 - 3, which a grid may miss: the result then says it is incomplete);
2. **refinement**: the Illinois variant of regula falsi in arb balls, at a precision that
   covers the growth of T_n(c_2) (about n log2(|c_2| + sqrt(c_2^2 - 1)) bits), until the
   bracket is 10^-(dps + 2) relative; every endpoint's sign is certified in ball
   arithmetic, so each final bracket contains a root of F_n;
3. **certification** (:func:`certify_roots`): the k-th root's eigenvalue interval, of
   relative radius 10^-dps around 1/f(theta_k), is shown by Sturm counts on the exact Q
   (:func:`rwpca.numerics.certified.sturm.certify`) to contain lambda_k; the intervals are
   disjoint, so each holds exactly one eigenvalue and all n - 1 are accounted for.

The secular function evaluated is a SymPy expression in ``n``, ``gamma`` and ``theta`` (by
default the proven one), so a wrong equation can be checked the same way and is refuted.

>>> from fractions import Fraction
>>> roots = secular_roots(6, Fraction(1, 2), dps=30)
>>> roots.complete, len(roots.roots)
(True, 5)
>>> [v.state for v in certify_roots(roots)] == ["certified"] * 5
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp
from flint import arb, ctx

from rwpca.numerics.arbeval import to_arb
from rwpca.numerics.certified.momentum_secular import (
    Evaluator,
    band_edge,
    check_momentum,
    compile_secular,
    default_secular,
    growth_bits,
    monotone,
    symbol,
)
from rwpca.numerics.certified.sturm import CERTIFIED, REFUTED, UNDECIDED, Verdict, certify
from rwpca.numerics.linalg.reference import check_dps, eigenvalues_float
from rwpca.numerics.linalg.structure import centred_precision_structure
from rwpca.numerics.progress import ProgressArg, bar_flag, iterate
from rwpca.proofs.domains import K
from rwpca.proofs.validation import check_n
from rwpca.proofs.values import to_fraction

#: Grid points per root of the matrix-free scan (doubled up to 8 times this when roots are
#: missing).
SCAN_OVERSAMPLE = 8


# --------------------------------------------------------------------------------------
# roots


@dataclass(frozen=True)
class SecularRoot:
    """The k-th root, between the exact points ``low`` < ``high`` where F_n has certified
    opposite signs; ``lam`` contains 1/f over [low, high] (f increases there)."""

    k: int
    low: arb
    high: arb
    lam: arb

    @property
    def theta(self) -> arb:
        """A ball containing [low, high], hence the root."""
        return self.low.union(self.high)


@dataclass(frozen=True)
class SecularRoots:
    """The roots found for one (n, gamma). ``missing``: labels without a certified root."""

    n: int
    gamma: Fraction
    dps: int
    roots: tuple[SecularRoot, ...]
    missing: tuple[int, ...]
    theta_max: float
    method: str
    scan_count: int | None = None  # sign changes a matrix-free scan found in (0, theta_max)

    @property
    def complete(self) -> bool:
        return not self.missing and len(self.roots) == self.n - 1

    def eigenvalues(self) -> list[arb]:
        """The balls ``lam`` in the order of the roots (descending eigenvalues)."""
        return [r.lam for r in self.roots]


def _inverse_symbol(mu: float, gamma: float, top: float) -> float:
    """theta in (0, top) with f(theta) = mu, by float bisection (f increases there)."""
    lo, hi = 0.0, top
    g = float(gamma)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        value = 2 * (1 - math.cos(mid)) * (1 + g * g - 2 * g * math.cos(mid))
        if value < mu:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 4 * np.spacing(hi):
            break
    return 0.5 * (lo + hi)


def eigh_seeds(n: int, gamma: Fraction) -> list[float]:
    """Angle seeds from the float64 eigenvalues of Q (LAPACK): proposals, not claims."""
    top = band_edge(gamma)
    lam = eigenvalues_float("momentum", n, {"gamma": gamma})
    return sorted(_inverse_symbol(1.0 / float(x), float(gamma), top) for x in lam)


def _nu(theta: float, gamma: float) -> float:
    """The Szegő coordinate: the measure of {phi in (0, pi): f(phi) < f(theta)}."""
    c2 = (1 + gamma) ** 2 / (2 * gamma) - math.cos(theta)
    if abs(c2) <= 1:
        return theta + math.pi - math.acos(c2)
    return theta


def _theta_of_nu(nu: float, gamma: float, top: float) -> float:
    lo, hi = 0.0, top
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if _nu(mid, gamma) < nu:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _scan(evaluator: Evaluator, top: float, points: int, nu_end: float = math.pi):
    """Brackets (a, b) with a certified sign change of F on a grid uniform in nu."""
    g = float(evaluator.gamma)
    grid = [_theta_of_nu(nu_end * (j + 0.5) / points, g, top) for j in range(points)]
    grid = [x for x in grid if 0 < x < top]
    signs = [evaluator.sign(x) for x in grid]
    brackets = []
    last = None
    for x, s in zip(grid, signs, strict=True):
        if s == 0:
            continue
        if last is not None and last[1] != s:
            brackets.append((last[0], x))
        last = (x, s)
    return brackets


def _bracket_from_seed(evaluator: Evaluator, seed: float, low: float, high: float):
    """Expand a bracket around ``seed`` inside (low, high) until F changes sign."""
    delta = max(seed * 1e-12, 1e-300)
    while True:
        a, b = max(seed - delta, low), min(seed + delta, high)
        sa, sb = evaluator.sign(a), evaluator.sign(b)
        if sa and sb and sa != sb:
            return a, b
        if a == low and b == high:
            return None
        delta *= 16


def _refine(evaluator: Evaluator, a: float, b: float, dps: int) -> tuple[arb, arb] | None:
    """Exact points lo < hi, hi - lo < lo 10^-(dps+2), where F_n has opposite signs.

    Regula falsi with the Illinois modification (superlinear) keeps a bracket; once its
    steps fall below the tolerance, a bracket of that width around the last iterate is
    tried directly, so the result is certified by two final sign evaluations.
    """
    lo, hi = arb(a), arb(b)
    f_lo, f_hi = evaluator.value(lo), evaluator.value(hi)
    if f_lo is None or f_hi is None or (f_lo > 0) == (f_hi > 0):
        return None
    bits = evaluator.bits
    with ctx.workprec(bits):
        tol = arb(a) / arb(10) ** (dps + 2)
    m_lo, m_hi, positive_hi = f_lo.mid(), f_hi.mid(), f_hi > 0
    side, previous = 0, None
    for _ in range(100):
        with ctx.workprec(bits):
            if hi - lo < tol:
                return lo, hi
            x = ((lo * m_hi - hi * m_lo) / (m_hi - m_lo)).mid()
            if not (lo < x < hi):  # the false position sits on an end: the root is there
                x = lo if abs(m_lo) < abs(m_hi) else hi
            near = min(x - lo, hi - x) < tol / 4 or (
                previous is not None and abs(x - previous) < tol / 8
            )
            previous = x
            if near:
                left, right = (x - tol / 4).mid(), (x + tol / 4).mid()
        if near:
            fl, fr = evaluator.value(left), evaluator.value(right)
            if fl is not None and fr is not None and (fl > 0) != (fr > 0):
                return left, right
            with ctx.workprec(bits):
                x = ((lo + hi) / 2).mid()  # not yet: bisect once
        fx = evaluator.value(x)
        if fx is None:  # zero to the working precision: bisect around it instead
            with ctx.workprec(bits):
                x = ((lo + hi) / 2).mid()
            fx = evaluator.value(x)
            if fx is None:
                return None
        if (fx > 0) == positive_hi:
            hi, m_hi = x, fx.mid()
            if side == 1:
                m_lo = m_lo / 2
            side = 1
        else:
            lo, m_lo = x, fx.mid()
            if side == -1:
                m_hi = m_hi / 2
            side = -1
    return None


def _explicit_seeds(seeds: object, top: float) -> list[float]:
    """Angles given by a caller: real numbers in (0, theta_max), as floats, increasing."""
    if not isinstance(seeds, (Sequence, np.ndarray)):
        raise ValueError(
            f"seeds = {seeds!r} is not allowed: use 'eigh', 'scan' or a list of angles"
        )
    angles = sorted(float(to_fraction(x, "seed")) for x in seeds)
    outside = [x for x in angles if not 0 < x < top]
    if outside:
        raise ValueError(
            f"seed = {outside[0]!r} is not allowed: angles lie in (0, theta_max) = (0, {top!r})"
        )
    return angles


def secular_roots(
    n: int,
    gamma: object,
    dps: int = 30,
    *,
    seeds: str | Sequence[float] = "eigh",
    function: sp.Expr | None = None,
    scan: bool = False,
    progress: ProgressArg = False,
) -> SecularRoots:
    """The roots of F_n in (0, theta_max), refined to 10^-(dps+2) relative, labelled k = 1...

    ``seeds``: "eigh" (float64 eigenvalues of Q as starting angles), "scan" (matrix-free sign
    scan, see the module docstring) or explicit angles. ``function``: a SymPy secular function
    in n, gamma, theta (default: the proven F_n). ``scan=True`` also counts the sign changes of
    a matrix-free scan (``scan_count``; more than n - 1 refutes an equation). Balls are exact
    at their ends; ``lam`` is computed at the working precision. ``progress``: one step per
    root refined (see :mod:`rwpca.numerics.progress`).
    """
    n = check_n(n)
    g = check_momentum(gamma)
    dps = check_dps(dps)
    if isinstance(seeds, str) and seeds not in ("eigh", "scan"):
        raise ValueError(
            f"seeds = {seeds!r} is not allowed: use 'eigh', 'scan' or a list of angles"
        )
    evaluate = default_secular() if function is None else compile_secular(function)
    bits = math.ceil((dps + 12) * math.log2(10)) + 2 * n.bit_length()
    evaluator = Evaluator(evaluate, n, g, bits)
    top = band_edge(g)
    scan_count = None
    brackets: list[tuple[float, float]] = []
    if seeds == "scan" or scan:
        # a scan that must find every root refines its grid; a counting scan runs once
        for factor in (1, 2, 4, 8) if seeds == "scan" else (1,):
            brackets = _scan(evaluator, top, SCAN_OVERSAMPLE * factor * n)
            if len(brackets) >= n - 1:
                break
        scan_count = len(brackets)
    found: list[tuple[float, float] | None]
    if isinstance(seeds, str) and seeds == "scan":
        found = list(brackets)
        method = "matrix-free sign scan in the Szegő coordinate, Illinois refinement in arb"
        missing = list(range(len(found) + 1, n))
    else:
        angles = eigh_seeds(n, g) if isinstance(seeds, str) else _explicit_seeds(seeds, top)
        found, missing = [], []
        for index, seed in enumerate(angles):
            low = 0.5 * (angles[index - 1] + seed) if index else 0.5 * seed
            high = (
                0.5 * (seed + angles[index + 1]) if index + 1 < len(angles) else 0.5 * (seed + top)
            )
            bracket = _bracket_from_seed(evaluator, seed, low, high)
            found.append(bracket)
            if bracket is None:
                missing.append(index + 1)
        method = "float64 eigenvalues of Q as seeds, Illinois refinement in arb"
    roots = []
    desc = f"secular roots, n = {n}"
    for index, bracket in iterate(progress, list(enumerate(found)), desc, unit="root"):
        if bracket is None:
            continue
        ends = _refine(evaluator, bracket[0], bracket[1], dps)
        if ends is None:
            missing.append(index + 1)
            continue
        with ctx.workprec(bits):
            # f increases on (0, theta_max): 1/f over the bracket lies between its end values
            lam = (1 / symbol(ends[1], g)).union(1 / symbol(ends[0], g))
        roots.append(SecularRoot(index + 1, ends[0], ends[1], lam))
    return SecularRoots(n, g, dps, tuple(roots), tuple(sorted(missing)), top, method, scan_count)


def certify_roots(
    result: SecularRoots, dps: int | None = None, *, progress: ProgressArg = False
) -> list[Verdict]:
    """Sturm-count verdicts: lambda_k within relative 10^-dps of 1/f(theta_k), for each root.

    Needs the complete set of n - 1 roots (the claims are ordered); a root whose interval
    overlaps a neighbour's is undecided (it could hold two eigenvalues).
    """
    if not isinstance(result, SecularRoots):
        raise ValueError(
            f"result = {result!r} is not allowed: give the SecularRoots of secular_roots()"
        )
    if not result.complete:
        raise ValueError(
            f"{len(result.roots)} of n - 1 = {result.n - 1} roots found (missing k = "
            f"{list(result.missing)[:5]}): a certification needs all of them"
        )
    digits = result.dps if dps is None else check_dps(dps)
    q = centred_precision_structure("momentum", result.n, {"gamma": result.gamma})
    radius = Fraction(1, 10**digits)
    verdicts = certify(q, result.eigenvalues(), radius, digits=digits, progress=bar_flag(progress))
    with ctx.workprec(math.ceil((digits + 12) * math.log2(10))):
        r = to_arb(radius)
        intervals = [(lam.upper() * (1 - r), lam.lower() * (1 + r)) for lam in result.eigenvalues()]
    out = []
    for index, verdict in enumerate(verdicts):
        overlaps = (index > 0 and not intervals[index - 1][0] > intervals[index][1]) or (
            index + 1 < len(intervals) and not intervals[index][0] > intervals[index + 1][1]
        )
        if verdict.state == CERTIFIED and overlaps:
            verdict = Verdict(verdict.k, UNDECIDED, verdict.radius, "overlaps a neighbour")
        out.append(verdict)
    return out


def eigenvalue_angles(
    n: int, gamma: object, ks: Sequence[int], function: sp.Expr | None = None
) -> dict[int, str]:
    """For the k-th eigenvalue: does F_n vanish on its certified interval of angles?

    lambda_k is certified (Sturm counts) to relative 1e-10 (or 1e-8, 1e-6) around its
    float64 estimate; the interval maps to angles in (0, theta_max). "refuted": F_n has no
    zero there (the ball of F_n over the interval excludes 0); "certified": F_n changes sign
    across it; else "undecided". This direction needs no root search, so it decides claims
    whose roots could not be found.
    """
    n = check_n(n)
    g = check_momentum(gamma)
    if isinstance(ks, (str, bytes)) or not isinstance(ks, (Sequence, range, np.ndarray)):
        raise ValueError(f"ks = {ks!r} is not allowed: give a list of components k")
    labels = [int(K.check(k, n=n)) for k in ks]  # type: ignore[call-overload]
    evaluate = default_secular() if function is None else compile_secular(function)
    top = band_edge(g)
    q = centred_precision_structure("momentum", n, {"gamma": g})
    estimates = eigenvalues_float("momentum", n, {"gamma": g})
    claims = [arb(float(x)) for x in estimates]
    radius, verdicts = None, []
    for r in (1e-10, 1e-8, 1e-6):
        verdicts = certify(q, claims, r)
        if all(v.state == CERTIFIED for v in verdicts):
            radius = r
            break
    bits = 2 * math.ceil(30 * math.log2(10)) + 2 * n.bit_length()
    out = {}
    for k in labels:
        if radius is None or verdicts[k - 1].state != CERTIFIED:
            out[k] = UNDECIDED
            continue
        lam = float(estimates[k - 1])
        mu_low, mu_high = 1 / (lam * (1 + radius)), 1 / (lam * (1 - radius))
        a = _inverse_symbol(mu_low, float(g), top) * (1 - 1e-12)
        b = min(_inverse_symbol(mu_high, float(g), top) * (1 + 1e-12), top)
        with ctx.workprec(bits):
            # the float angles must enclose the mu-interval (checked in ball arithmetic)
            if not (symbol(arb(a), g) < mu_low and symbol(arb(b), g) > mu_high):
                out[k] = UNDECIDED
                continue
        evaluator = Evaluator(evaluate, n, g, bits)
        sa, sb = evaluator.sign(a), evaluator.sign(b)
        with ctx.workprec(bits + growth_bits(n, g, a) + growth_bits(n, g, b)):
            whole = evaluate(n, g, arb(a).union(arb(b)))
        if sa and sb and sa != sb:
            out[k] = CERTIFIED
        elif whole.is_finite() and not whole.contains(0):
            out[k] = REFUTED
        else:
            out[k] = UNDECIDED
    return out


__all__ = [
    "SCAN_OVERSAMPLE",
    "SecularRoot",
    "SecularRoots",
    "band_edge",
    "certify_roots",
    "check_momentum",
    "compile_secular",
    "default_secular",
    "eigenvalue_angles",
    "eigh_seeds",
    "monotone",
    "secular_roots",
    "symbol",
]

"""Certified decisions on eigenvalue claims for K, by Sturm counts and determinant signs on Q.

The nonzero eigenvalues of K are lambda = 1/mu for the nonzero eigenvalues mu of Q (K = Q^+).
For a shift x, Sylvester's law of inertia says that the number of negative pivots of the
LDL^T factorisation of Q - x I equals N(x) = #{eigenvalues of Q below x}, provided every
pivot is nonzero. Q is banded (plain walk, momentum) or banded minus a rank-one border
(OU); for the border, the factorisation of the bordered matrix [[B - x, a], [a^T, s]] adds
one pivot, s - a^T (B - x)^-1 a, whose sign is that of the extra negative eigenvalue
(Haynsworth inertia additivity). Each count costs O(n b^2) operations.

A claim "lambda_k = f_k" (k-th largest, k = 1..n-1) is **certified** at relative radius r
when the mu-interval [x_lo, x_hi] that corresponds to lambda in [f_k (1 - r), f_k (1 + r)]
holds mu_{k+1} (mu_1 = 0 is the constant mode): then |lambda_k / f_k - 1| <= r. It is
**refuted** when mu_{k+1} is shown to lie outside: lambda_k then differs from f_k by more
than r / 2. Otherwise it is undecided, never "verified". Three kinds of evidence decide:

1. **float64 interval Sturm counts** (:mod:`rwpca.numerics.certified.intervals`), vectorised
   over all shifts, for radii above float resolution and n up to
   :data:`FLOAT_COUNTS_MAX_N`: N(x_lo) <= k and N(x_hi) >= k + 1 certify, N(x_lo) >= k + 1
   or N(x_hi) <= k refute;
2. **determinant signs and accounting** (:mod:`rwpca.numerics.certified.parity`): the sign of
   det(Q - x) at both ends of every interval, in O(1) ball operations each; with Q 1 = 0
   and n eigenvalues in all, n - 1 disjoint intervals with sign changes hold one
   eigenvalue each, the j-th from the left mu_{j+1};
3. **Sturm counts in arb balls** at a precision doubled on failure, for whatever is left
   (claims that are wrong, clusters, or a Q without determinant signs).

>>> from rwpca.numerics.linalg.structure import centred_precision_structure
>>> from flint import arb
>>> q = centred_precision_structure("plain", 4)
>>> claims = [1 + arb(2).sqrt() / 2, arb(1), arb(1) / 2]  # exact: 1 + sqrt(2)/2, 1/2, ...
>>> [v.state for v in certify(q, claims, 1e-12)]
['certified', 'refuted', 'refuted']
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from flint import arb, ctx, fmpq

from rwpca.numerics.certified import parity
from rwpca.numerics.certified.intervals import float_counts
from rwpca.numerics.certified.parity import Span
from rwpca.numerics.linalg.structure import Structure
from rwpca.numerics.progress import ProgressArg, iterate

#: Decisions of a single claim.
CERTIFIED, REFUTED, UNDECIDED = "certified", "refuted", "undecided"
#: How a decision was reached (:attr:`Verdict.how`).
BY_FLOAT_COUNTS, BY_PARITY, BY_BALL_COUNTS = "float counts", "determinant signs", "ball counts"
#: Smallest relative radius for which float64 shifts are used (one ulp is far below r / 2).
FLOAT_RADIUS = 1e-12
#: Largest n for the float64 interval counts when determinant signs are available: the
#: counts cost O(n) per shift (about 0.1 us per row and shift), the signs O(1) (about
#: 100 us), so above this size the signs are cheaper even where floats would decide.
FLOAT_COUNTS_MAX_N = 1000

__all__ = [
    "BY_BALL_COUNTS",
    "BY_FLOAT_COUNTS",
    "BY_PARITY",
    "CERTIFIED",
    "FLOAT_RADIUS",
    "REFUTED",
    "UNDECIDED",
    "Verdict",
    "arb_count",
    "certify",
    "float_counts",
    "working_precision",
]


def working_precision(n: int, digits: float) -> int:
    """Bits for ball arithmetic that aims at ``digits`` significant digits after n pivots."""
    return math.ceil(digits * math.log2(10)) + 2 * int(n).bit_length() + 32


# ---------------------------------------------------------------------------------------
# Sturm counts in arb balls


def _arb(value: Fraction) -> arb:
    return arb(fmpq(value.numerator, value.denominator))


@dataclass(frozen=True)
class _BallStructure:
    """The entries of Q as balls at one precision (converted once, not per shift)."""

    prec: int
    bands: tuple[tuple[arb, ...], ...]
    border: tuple[arb, ...] | None
    s: arb


def _ball_structure(q: Structure, prec: int) -> _BallStructure:
    with ctx.workprec(prec):
        cache: dict[Fraction, arb] = {}

        def val(v: Fraction) -> arb:
            got = cache.get(v)
            if got is None:
                got = cache[v] = _arb(v)
            return got

        bands = tuple(tuple(val(v) for v in band) for band in q.bands)
        border = None if q.border is None else tuple(val(v) for v in q.border)
        return _BallStructure(prec, bands, border, val(q.s))


class _Undecided(Exception):
    """A pivot's sign could not be decided at this precision."""


def _negative(pivot: arb) -> int:
    if pivot < 0:
        return 1
    if not pivot > 0:
        raise _Undecided
    return 0


def _tridiagonal_count(balls: _BallStructure, shift: arb, n: int) -> int:
    """The Sturm sequence d_i = (q_ii - x) - q_{i,i-1}^2 / d_{i-1}."""
    diag, sub1 = balls.bands[0], balls.bands[1]
    d = diag[0] - shift
    count = _negative(d)
    for i in range(1, n):
        e = sub1[i]
        d = diag[i] - shift - e * e / d
        count += _negative(d)
    return count


def _banded_count(balls: _BallStructure, shift: arb, n: int, w: int) -> int:
    """LDL^T of a band of width 1 or 2, with the bordered pivot s - a^T (B - x)^-1 a."""
    diag, sub1 = balls.bands[0], balls.bands[1]
    sub2 = balls.bands[2] if w == 2 else None
    border = balls.border
    d1 = diag[0] - shift
    count = _negative(d1)
    d2 = w1 = d1  # the pivot and updated entry two rows back (used from row 2 on)
    if border is not None:
        y = border[0]
        sigma = y * y / d1
    for i in range(1, n):
        if sub2 is not None and i >= 2:
            g = sub2[i]
            l2 = g / d2
            u1 = sub1[i] - l2 * w1
            d = diag[i] - shift - l2 * g - u1 * u1 / d1
        else:
            u1 = sub1[i]
            d = diag[i] - shift - u1 * u1 / d1
        if border is not None:
            y = border[i] - (u1 / d1) * y
        d2, w1, d1 = d1, u1, d
        count += _negative(d)
        if border is not None:
            sigma += y * y / d
    if border is not None:
        count += _negative(balls.s - sigma)
    return count


def arb_count(
    q: Structure, shift: arb, prec: int, balls: _BallStructure | None = None
) -> int | None:
    """N(shift) in ball arithmetic at ``prec`` bits; None if a pivot's sign is undecided."""
    if balls is None or balls.prec != prec:
        balls = _ball_structure(q, prec)
    with ctx.workprec(prec):
        try:
            if q.bandwidth == 1 and balls.border is None:
                return _tridiagonal_count(balls, shift, q.n)
            return _banded_count(balls, shift, q.n, q.bandwidth)
        except _Undecided:
            return None


# ---------------------------------------------------------------------------------------
# claims as intervals of Q's eigenvalues


@dataclass(frozen=True)
class Verdict:
    """The decision on one claim lambda_k = f_k at relative radius ``radius``."""

    k: int
    state: str
    radius: float
    reason: str = ""
    how: str = ""


def _float_at_least(bound: arb) -> float:
    """The smallest float >= an exact arb value (checked in ball arithmetic)."""
    x = float(bound)
    while not arb(x) >= bound:
        x = float(np.nextafter(x, np.inf))
    while True:
        below = float(np.nextafter(x, -np.inf))
        if arb(below) >= bound:
            x = below
        else:
            return x


def _float_at_most(bound: arb) -> float:
    return -_float_at_least(-bound)


def _descending(a: arb, b: arb) -> int:
    # exact (radius 0) balls compare decidably unless equal
    return -1 if a > b else (1 if a < b else 0)


def _order_statistics(claims: Sequence[arb]) -> list[tuple[arb, arb]]:
    """Bounds for the k-th largest claim: the k-th largest lower and upper endpoints.

    Order statistics are monotone, so the k-th largest exact value lies between them.
    """
    key = functools.cmp_to_key(_descending)
    lowers = sorted((c.lower() for c in claims), key=key)
    uppers = sorted((c.upper() for c in claims), key=key)
    return list(zip(lowers, uppers, strict=True))


def _spans(
    claims: Sequence[arb], r: Fraction, wanted: set[int], labelled: bool
) -> tuple[list[Span], dict[int, Verdict]]:
    """The mu-interval of each wanted claim, and the verdicts that need no count."""
    radius = float(r)
    bounds = [(c.lower(), c.upper()) for c in claims] if labelled else _order_statistics(claims)
    spans: list[Span] = []
    early: dict[int, Verdict] = {}
    r_arb = _arb(r)
    for k, (flo, fhi) in enumerate(bounds, start=1):
        if k not in wanted:
            continue
        if not (flo.is_finite() and fhi.is_finite()):
            early[k] = Verdict(k, UNDECIDED, radius, "the claimed value is not finite")
        elif fhi <= 0:
            early[k] = Verdict(k, REFUTED, radius, "claimed value <= 0, but every lambda_k > 0")
        elif not flo > 0 or not (fhi - flo) < flo * r_arb / 4:
            early[k] = Verdict(
                k, UNDECIDED, radius, "the claimed value is not known precisely enough"
            )
        else:
            lo = (1 / (flo * (1 + r_arb))).upper()
            hi = (1 / (fhi * (1 - r_arb))).lower()
            spans.append(Span(k, lo, hi))
    return spans, early


# ---------------------------------------------------------------------------------------
# the three kinds of evidence

# (label, 0 for lo / 1 for hi) -> (N(x), x): the count at the exact shift x used for that
# end (a float just inside the span for the float64 counts, the end itself for balls)
Counts = dict[tuple[int, int], tuple[int, arb]]


def _float_evidence(q: Structure, spans: Sequence[Span], progress: ProgressArg) -> Counts:
    """Interval Sturm counts at float shifts inside each span (where the span allows)."""
    floats: list[float] = []
    where: list[tuple[int, int]] = []
    for span in spans:
        lo, hi = _float_at_least(span.lo), _float_at_most(span.hi)
        if lo < hi:
            floats.extend((lo, hi))
            where.extend(((span.label, 0), (span.label, 1)))
    if not floats:
        return {}
    got, decided = float_counts(q, np.array(floats), progress)
    return {
        place: (int(count), arb(x))
        for place, x, count, ok in zip(where, floats, got, decided, strict=True)
        if ok
    }


def _ball_evidence(q: Structure, spans: Sequence[Span], prec: int, progress: ProgressArg) -> Counts:
    """Sturm counts in ball arithmetic at both ends of each span (None left out).

    Banded recurrences wider than tridiagonal lose bits to the wrapping effect of ball
    arithmetic (about 1-3 bits per row); the precision that worked for one shift is kept
    for the next, and doubled when a pivot's sign stays undecided.
    """
    counts: Counts = {}
    bits, ceiling = prec, max(8 * prec, prec + 8 * q.n)
    balls = _ball_structure(q, bits)
    shifts = [((s.label, end), x) for s in spans for end, x in ((0, s.lo), (1, s.hi))]
    for place, shift in iterate(progress, shifts, "ball Sturm", unit="shift"):
        result = arb_count(q, shift, bits, balls)
        while result is None and bits < ceiling:
            bits = min(2 * bits, ceiling)
            balls = _ball_structure(q, bits)
            result = arb_count(q, shift, bits, balls)
        if result is not None:
            counts[place] = (result, shift)
    return counts


def _points(counts: Counts) -> list[tuple[arb, int]]:
    """The counted shifts as (exact point, N) for the accounting."""
    return [(x, count) for count, x in counts.values()]


def _by_counts(k: int, counts: Counts, radius: float, how: str) -> Verdict | None:
    below = counts[(k, 0)][0] if (k, 0) in counts else None
    upto = counts[(k, 1)][0] if (k, 1) in counts else None
    if below is not None and below >= k + 1:
        return Verdict(k, REFUTED, radius, "lambda_k is above the claimed interval", how)
    if upto is not None and upto <= k:
        return Verdict(k, REFUTED, radius, "lambda_k is below the claimed interval", how)
    if below is not None and upto is not None:
        return Verdict(k, CERTIFIED, radius, "", how)
    return None


def _by_index(k: int, index: int, radius: float) -> Verdict:
    if index == k + 1:
        return Verdict(k, CERTIFIED, radius, "", BY_PARITY)
    return Verdict(
        k, REFUTED, radius, f"the interval holds lambda_{index - 1}, not lambda_{k}", BY_PARITY
    )


def _parity_evidence(
    q: Structure,
    decisions: _Decisions,
    counts: Counts,
    prec: int,
    progress: ProgressArg,
) -> None:
    """Determinant signs for the open spans, then the accounting of all eigenvalues.

    Where the accounting does not close (a wrong claim, two claims on one eigenvalue), ball
    Sturm counts go first to the spans without a sign change or meeting a neighbour, then
    to the middle span of each segment that still does not close, halving it, until every
    span is decided or counted: a few wrong claims cost O(log n) counts each.
    """
    n = q.n
    zero = parity.constant_null_vector(q)
    pending = decisions.spans()
    shifts = [x for s in pending for x in (s.lo, s.hi)]
    odd = parity.odd_spans(pending, parity.determinant_signs(q, shifts, prec, progress))
    odd -= parity.overlapping(pending)
    tried: set[int] = set()
    picks = [s for s in pending if s.label not in odd]
    while True:
        if picks:
            tried.update(s.label for s in picks)
            counts.update(_ball_evidence(q, picks, prec, progress))
            decisions.from_counts(counts, BY_BALL_COUNTS)
        open_odd = decisions.spans(odd)
        points = _points(counts)
        decisions.from_indices(parity.account(open_odd, odd, points, n, zero))
        _, groups, straddling = parity.segments(decisions.spans(odd), points)
        picks = [s for s in straddling if s.label not in tried]
        for group in groups.values():
            fresh = [s for s in group if s.label not in tried]
            if fresh:
                picks.append(fresh[len(fresh) // 2])
        if not picks:
            return


class _Decisions:
    """The verdicts reached so far and the spans still open."""

    def __init__(self, spans: Sequence[Span], radius: float):
        self.open = {s.label: s for s in spans}
        self.verdicts: dict[int, Verdict] = {}
        self.radius = radius

    def from_counts(self, counts: Counts, how: str) -> None:
        for k in list(self.open):
            verdict = _by_counts(k, counts, self.radius, how)
            if verdict is not None:
                self.verdicts[k] = verdict
                del self.open[k]

    def from_indices(self, indices: dict[int, int]) -> None:
        for k, index in indices.items():
            if k in self.open:
                self.verdicts[k] = _by_index(k, index, self.radius)
                del self.open[k]

    def spans(self, labels=None) -> list[Span]:
        return [s for k, s in self.open.items() if labels is None or k in labels]


def certify(
    q: Structure,
    claims: Sequence[arb],
    radius: float | Fraction,
    *,
    digits: float | None = None,
    progress: ProgressArg = False,
    use_floats: bool = True,
    ks: Sequence[int] | None = None,
    labelled: bool = False,
) -> list[Verdict]:
    """Certify or refute lambda_k = claims[k] for k = 1..n-1 at relative ``radius``.

    ``claims`` are balls containing the claimed values, one per k; by default they are
    sorted first (the claim is about the multiset), with ``labelled`` claims[k - 1] is the
    claim about the k-th largest eigenvalue. ``digits`` sets the starting ball precision
    (default: from the radius). ``ks`` restricts the decisions to some components (all
    claims are still sorted). See the module docstring for the evidence used.
    """
    n = q.n
    if len(claims) != n - 1:
        raise ValueError(f"{len(claims)} claims given: expected n - 1 = {n - 1}")
    r = Fraction(radius) if not isinstance(radius, Fraction) else radius
    if not 0 < r < 1:
        raise ValueError(f"radius = {float(r)} is not allowed: need 0 < radius < 1")
    if digits is None:
        digits = max(17.0, -math.log10(float(r)) + 4)
    prec = working_precision(n, digits)
    wanted = set(range(1, n)) if ks is None else set(ks)
    with ctx.workprec(prec):
        spans, early = _spans(claims, r, wanted, labelled)
    decisions = _Decisions(spans, float(r))
    counts: Counts = {}
    # Wider bands lose about a bit per row to the wrapping effect of interval arithmetic,
    # so float64 intervals decide nothing beyond a few dozen rows there.
    floats_decide = q.bandwidth == 1 or n <= 64
    floats_cheaper = n <= FLOAT_COUNTS_MAX_N or ks is not None or not parity.supported(q)
    if use_floats and r >= Fraction(FLOAT_RADIUS) and floats_decide and floats_cheaper:
        counts.update(_float_evidence(q, spans, progress))
        decisions.from_counts(counts, BY_FLOAT_COUNTS)
    if decisions.open and ks is None and parity.supported(q):
        _parity_evidence(q, decisions, counts, prec, progress)
    elif decisions.open:  # no determinant signs, or a subset of the claims: count each
        counts.update(_ball_evidence(q, decisions.spans(), prec, progress))
        decisions.from_counts(counts, BY_BALL_COUNTS)
    verdicts = {**early, **decisions.verdicts}
    for k in decisions.open:
        verdicts[k] = Verdict(k, UNDECIDED, float(r), "a Sturm count stayed undecided")
    return [verdicts[k] for k in sorted(wanted)]

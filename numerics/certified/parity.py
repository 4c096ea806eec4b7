"""Certification by determinant signs and the accounting of all n eigenvalues of Q.

sign det(Q - x I) = (-1)^N(x), where N(x) counts the eigenvalues below x, so opposite
signs at the ends of an interval [lo, hi] mean an odd number of eigenvalues in [lo, hi)
(counted with multiplicity), hence at least one. :mod:`rwpca.numerics.linalg.transfer`
gives that sign in O(1) ball operations per shift, against O(n) for a Sturm count.

Parity alone does not say *which* eigenvalue an interval holds; counting does. Q 1 = 0
(checked exactly on the rational entries), so 0 is an eigenvalue, and Q has n eigenvalues
in all. If disjoint intervals in (0, infinity), each with a sign change, lie in a segment
[a, b) where the Sturm counts N(a) and N(b) are known (N(-infinity) = 0 and
N(+infinity) = n without any count), and

    N(b) - N(a) = (number of those intervals) + (1 if 0 is in [a, b)),

then each interval holds exactly one eigenvalue, simple, and the j-th of them (from the
left) holds mu_{N(a) + [0 in [a, b)] + j}: every eigenvalue of the segment is accounted
for. With n - 1 such intervals and no count at all, the whole spectrum is certified by
2 (n - 1) determinant signs.

>>> from flint import arb
>>> from rwpca.numerics.linalg.structure import centred_precision_structure
>>> q = centred_precision_structure("plain", 3)  # eigenvalues of Q: 0, 1, 3
>>> spans = [Span(1, arb("0.5"), arb("1.5")), Span(2, arb("2.5"), arb("3.5"))]
>>> signs = determinant_signs(q, [x for s in spans for x in (s.lo, s.hi)], 64)
>>> account(spans, odd_spans(spans, signs), [], q.n, constant_null_vector(q))
{1: 2, 2: 3}
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from flint import arb

from rwpca.numerics.linalg.memo import by_identity
from rwpca.numerics.linalg.structure import Structure
from rwpca.numerics.linalg.transfer import determinant, transfer_plan
from rwpca.numerics.progress import ProgressArg, task

#: Doublings of the precision tried before a sign is left undecided.
DOUBLINGS = 3


@dataclass(frozen=True)
class Span:
    """The claim labelled ``label`` as an interval [lo, hi] of Q's eigenvalues (exact ends)."""

    label: int
    lo: arb
    hi: arb


@by_identity(maxsize=32)
def constant_null_vector(q: Structure) -> bool:
    """Q 1 = 0 exactly (every row of the rational Q sums to 0), so 0 is an eigenvalue."""
    n = q.n
    sums = [Fraction(0)] * n
    for m, band in enumerate(q.bands):
        for i in range(m, n):
            sums[i] += band[i]
            if m:
                sums[i - m] += band[i]
    if q.border is not None:
        total = sum(q.border, Fraction(0))
        sums = [value - a * total / q.s for value, a in zip(sums, q.border, strict=True)]
    return all(value == 0 for value in sums)


def supported(q: Structure) -> bool:
    """Whether determinant signs are available for Q (an outermost band with no zero)."""
    return transfer_plan(q) is not None


def determinant_signs(
    q: Structure, shifts: Sequence[arb], prec: int, progress: ProgressArg = False
) -> list[int]:
    """The sign of det F(x) (a constant multiple of det(Q - x I)) at each exact shift.

    +1 or -1, or 0 where the ball still contains 0 after :data:`DOUBLINGS` doublings of
    ``prec`` (then x may be an eigenvalue). Raises ValueError if Q is not supported.
    """
    plan = transfer_plan(q)
    if plan is None:
        raise ValueError(f"no determinant signs for {q.process} at n = {q.n}")
    signs = []
    with task(progress, "determinant signs", len(shifts), "shift") as bar:
        for x in shifts:
            signs.append(_sign(plan, x, prec))
            bar.update()
    return signs


def _sign(plan, x: arb, prec: int) -> int:
    bits = prec
    for _ in range(DOUBLINGS + 1):
        value = determinant(plan, x, bits)
        if value > 0:
            return 1
        if value < 0:
            return -1
        bits *= 2
    return 0


def odd_spans(spans: Sequence[Span], signs: Sequence[int]) -> set[int]:
    """Labels of the spans whose end signs (``signs`` = lo, hi, lo, hi, ...) differ."""
    odd = set()
    for index, span in enumerate(spans):
        low, high = signs[2 * index], signs[2 * index + 1]
        if low * high == -1:
            odd.add(span.label)
    return odd


def _compare(a: arb, b: arb) -> int:
    # exact (radius 0) balls compare decidably unless equal
    return -1 if a < b else (1 if a > b else 0)


def _sorted(spans: Sequence[Span]) -> list[Span]:
    key = functools.cmp_to_key(_compare)
    return sorted(spans, key=lambda s: key(s.lo))


def overlapping(spans: Sequence[Span]) -> set[int]:
    """Labels of the spans that meet a neighbour (accounting needs disjoint spans)."""
    ordered = _sorted(spans)
    out: set[int] = set()
    for a, b in itertools.pairwise(ordered):
        if not a.hi < b.lo:
            out.update((a.label, b.label))
    return out


def segments(
    spans: Sequence[Span], counts: Sequence[tuple[arb, int]]
) -> tuple[list[tuple[arb, int]], dict[int, list[Span]], list[Span]]:
    """The counted points in order, the spans grouped by the segment between two of them,
    and the spans that straddle a counted point (see :func:`account`)."""
    key = functools.cmp_to_key(_compare)
    breaks = sorted(counts, key=lambda c: key(c[0]))
    groups: dict[int, list[Span]] = {}
    straddling = []
    for span in _sorted(spans):
        segment = _segment(breaks, span)
        if segment is None:
            straddling.append(span)
        else:
            groups.setdefault(segment, []).append(span)
    return breaks, groups, straddling


def account(
    spans: Sequence[Span],
    odd: set[int],
    counts: Sequence[tuple[arb, int]],
    n: int,
    zero_eigenvalue: bool,
) -> dict[int, int]:
    """label -> j for the spans shown to hold exactly one eigenvalue, mu_j (1-based, ascending).

    ``odd``: labels of spans with a sign change; ``counts``: exact Sturm counts N(point) at
    some exact points; ``zero_eigenvalue``: Q 1 = 0 was checked. Spans must lie in (0, oo).
    """
    candidates = [s for s in spans if s.label in odd and s.lo > 0 and s.lo < s.hi]
    breaks, groups, _ = segments(candidates, counts)
    proven: dict[int, int] = {}
    for segment, inside in groups.items():
        proven.update(_close_segment(breaks, segment, inside, n, zero_eigenvalue))
    return proven


def _segment(breaks: Sequence[tuple[arb, int]], span: Span) -> int | None:
    """The index s of the segment [breaks[s-1], breaks[s]) holding the span, or None.

    Segment 0 starts at -infinity and segment len(breaks) ends at +infinity.
    """
    lo_index, hi_index = 0, len(breaks)
    while lo_index < hi_index:  # the first break point > span.lo
        middle = (lo_index + hi_index) // 2
        if breaks[middle][0] <= span.lo:
            lo_index = middle + 1
        else:
            hi_index = middle
    segment = lo_index
    if segment < len(breaks) and not span.hi < breaks[segment][0]:
        return None  # the span straddles a counted point
    return segment


def _close_segment(breaks, segment: int, inside: list[Span], n: int, zero: bool) -> dict:
    start = breaks[segment - 1] if segment > 0 else None
    end = breaks[segment] if segment < len(breaks) else None
    low = 0 if start is None else start[1]
    high = n if end is None else end[1]
    if any(not a.hi < b.lo for a, b in itertools.pairwise(inside)):
        return {}  # overlapping spans: nothing to conclude here
    zero_here = zero and (start is None or start[0] <= 0) and (end is None or end[0] > 0)
    if high - low != len(inside) + int(zero_here):
        return {}
    base = low + int(zero_here)  # 0 lies left of every span
    return {span.label: base + j for j, span in enumerate(inside, start=1)}

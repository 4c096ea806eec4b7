"""Certified eigenvalue enclosures of K by Sturm counts on the centred precision matrix Q.

The nonzero eigenvalues of K are lambda = 1/mu for the nonzero eigenvalues mu of Q (K = Q^+).
For a shift x, Sylvester's law of inertia says that the number of negative pivots of the
LDL^T factorisation of Q - x I equals N(x) = #{eigenvalues of Q below x}, provided every
pivot is nonzero. Q is banded (plain walk, momentum) or banded minus a rank-one border
(OU); for the border, the factorisation of the bordered matrix [[B - x, a], [a^T, s]] adds
one pivot, s - a^T (B - x)^-1 a, whose sign is that of the extra negative eigenvalue
(Haynsworth inertia additivity). Each count costs O(n b^2) operations.

Two kinds of arithmetic make the counts rigorous:

* **float64 intervals, vectorised over all shifts at once.** Every IEEE operation is
  correctly rounded, so widening each result by one ulp with ``numpy.nextafter`` gives an
  interval that contains the exact value. A shift whose pivot interval contains 0 is
  *undecided* and is passed on.
* **arb balls** (python-flint) at a chosen precision, for the shifts the floats could not
  decide and for radii below float resolution; the precision is doubled on failure, up to
  a ceiling, before a shift is reported undecided.

A claim "lambda_k = f_k" (k-th largest, k = 1..n-1) is **certified** at relative radius r
when N(x_lo) <= k and N(x_hi) >= k + 1 for shifts x_lo < x_hi inside the mu-interval that
corresponds to lambda in [f_k (1 - r), f_k (1 + r)]: then mu_{k+1} (mu_1 = 0 is the constant
mode) lies in [x_lo, x_hi] and |lambda_k / f_k - 1| <= r. It is **refuted** when
N(x_lo) >= k + 1 or N(x_hi) <= k: then lambda_k is outside that interval and differs from
f_k by more than r / 2. Otherwise it is undecided, never "verified".

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
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from flint import arb, ctx, fmpq
from tqdm import tqdm

from rwpca.numerics.linalg.structure import Structure

#: Decisions of a single claim.
CERTIFIED, REFUTED, UNDECIDED = "certified", "refuted", "undecided"
#: Smallest relative radius for which float64 shifts are used (one ulp is far below r / 2).
FLOAT_RADIUS = 1e-12

_DOWN, _UP = -np.inf, np.inf


def working_precision(n: int, digits: float) -> int:
    """Bits for ball arithmetic that aims at ``digits`` significant digits after n pivots."""
    return math.ceil(digits * math.log2(10)) + 2 * int(n).bit_length() + 32


# ---------------------------------------------------------------------------------------
# float64 interval arithmetic (outward rounding by one ulp after every operation)


def _dn(x: np.ndarray) -> np.ndarray:
    return np.nextafter(x, _DOWN)


def _up(x: np.ndarray) -> np.ndarray:
    return np.nextafter(x, _UP)


def _enclose(value: Fraction) -> tuple[float, float]:
    """A float interval containing an exact rational."""
    f = float(value)  # int / int true division: correctly rounded
    if Fraction(f) == value:
        return f, f
    return float(np.nextafter(f, _DOWN)), float(np.nextafter(f, _UP))


def _enclose_all(values: Sequence[Fraction]) -> tuple[np.ndarray, np.ndarray]:
    cache: dict[Fraction, tuple[float, float]] = {}
    lo = np.empty(len(values))
    hi = np.empty(len(values))
    for i, v in enumerate(values):
        if v not in cache:
            cache[v] = _enclose(v)
        lo[i], hi[i] = cache[v]
    return lo, hi


def _mul(alo, ahi, blo, bhi):
    p = (alo * blo, alo * bhi, ahi * blo, ahi * bhi)
    return _dn(np.minimum(np.minimum(p[0], p[1]), np.minimum(p[2], p[3]))), _up(
        np.maximum(np.maximum(p[0], p[1]), np.maximum(p[2], p[3]))
    )


def _sq(alo, ahi):
    """[a]^2, nonnegative."""
    lo2, hi2 = alo * alo, ahi * ahi
    low = np.where((alo > 0) | (ahi < 0), np.minimum(lo2, hi2), 0.0)
    return _dn(low).clip(min=0.0), _up(np.maximum(lo2, hi2))


def _div_nonneg(nlo, nhi, dlo, dhi):
    """[n] / [d] for n >= 0 and d not containing 0."""
    positive = dlo > 0
    lo = np.where(positive, nlo / dhi, nhi / dhi)
    hi = np.where(positive, nhi / dlo, nlo / dlo)
    return _dn(lo), _up(hi)


def _div(nlo, nhi, dlo, dhi):
    """[n] / [d] for d not containing 0."""
    rlo, rhi = _dn(1.0 / dhi), _up(1.0 / dlo)
    return _mul(nlo, nhi, rlo, rhi)


@dataclass(frozen=True)
class _FloatStructure:
    bands: tuple[tuple[np.ndarray, np.ndarray], ...]
    squares: tuple[tuple[np.ndarray, np.ndarray], ...]
    border: tuple[np.ndarray, np.ndarray] | None
    s: tuple[float, float]


@functools.lru_cache(maxsize=16)
def _float_structure_cached(key: tuple) -> _FloatStructure:
    return _float_structure(_STRUCTURES[key])


_STRUCTURES: dict[tuple, Structure] = {}


def _float_structure_of(q: Structure) -> _FloatStructure:
    key = (q.process, q.n, tuple(q.params.items()))
    _STRUCTURES[key] = q
    try:
        return _float_structure_cached(key)
    finally:
        _STRUCTURES.pop(key, None)


def _float_structure(q: Structure) -> _FloatStructure:
    bands = tuple(_enclose_all(band) for band in q.bands)
    squares = tuple(_sq(lo, hi) for lo, hi in bands)
    border = _enclose_all(q.border) if q.border is not None else None
    return _FloatStructure(bands, squares, border, _enclose(q.s))


def _progress(total: int, desc: str, progress: bool | None):
    disable = None if progress is None else not progress
    return tqdm(total=total, desc=desc, unit="row", disable=disable, file=sys.stderr, leave=False)


def float_counts(
    q: Structure, shifts: np.ndarray, progress: bool | None = False
) -> tuple[np.ndarray, np.ndarray]:
    """N(x) for every float shift x at once; returns (counts, decided) arrays.

    ``decided[i]`` is False when some pivot interval for shift i contained 0 or the
    arithmetic overflowed; its count is then meaningless.
    """
    x = np.asarray(shifts, dtype=np.float64)
    fs = _float_structure_of(q)
    n, w = q.n, q.bandwidth
    if w > 2:
        raise ValueError(f"bandwidth {w} is not supported by the interval Sturm count (max 2)")
    counts = np.zeros(x.size, dtype=np.int64)
    bad = ~np.isfinite(x)
    (dlo_q, dhi_q) = fs.bands[0]

    def pivot(lo, hi):
        nonlocal counts, bad
        negative = hi < 0
        counts += negative
        undecided = ~(negative | (lo > 0)) | ~np.isfinite(lo) | ~np.isfinite(hi)
        bad |= undecided
        # keep the recurrence finite for the undecided shifts (their counts are discarded)
        return np.where(undecided, 1.0, lo), np.where(undecided, 1.0, hi)

    with np.errstate(all="ignore"):
        d1 = pivot(_dn(dlo_q[0] - x), _up(dhi_q[0] - x))
        d2 = None  # pivot two rows back (bandwidth 2)
        w1 = None  # updated entry L[i-1, i-2] d_{i-2} (bandwidth 2)
        if fs.border is not None:
            alo, ahi = fs.border
            ylo, yhi = np.full(x.size, alo[0]), np.full(x.size, ahi[0])
            sig = _div_nonneg(*_sq(ylo, yhi), *d1)
            sig_lo, sig_hi = sig
        bar = _progress(n - 1, "interval Sturm", progress)
        for i in range(1, n):
            elo, ehi = fs.bands[1][0][i], fs.bands[1][1][i]
            if w == 2 and i >= 2:
                glo, ghi = fs.bands[2][0][i], fs.bands[2][1][i]
                l2 = _div(glo, ghi, *d2)
                prod = _mul(*l2, *w1)
                u1 = (_dn(elo - prod[1]), _up(ehi - prod[0]))
                t2 = _div_nonneg(fs.squares[2][0][i], fs.squares[2][1][i], *d2)
            else:
                u1 = (np.full(x.size, elo), np.full(x.size, ehi))
                t2 = None
            t1 = _div_nonneg(*_sq(*u1), *d1)
            lo = _dn(dlo_q[i] - x)
            hi = _up(dhi_q[i] - x)
            lo, hi = _dn(lo - t1[1]), _up(hi - t1[0])
            if t2 is not None:
                lo, hi = _dn(lo - t2[1]), _up(hi - t2[0])
            if fs.border is not None:
                # y_i = a_i - (u1 / d_{i-1}) y_{i-1}
                l1 = _div(*u1, *d1)
                ly = _mul(*l1, ylo, yhi)
                ylo, yhi = _dn(alo[i] - ly[1]), _up(ahi[i] - ly[0])
            d2 = d1
            w1 = u1
            d1 = pivot(lo, hi)
            if fs.border is not None:
                term = _div_nonneg(*_sq(ylo, yhi), *d1)
                sig_lo, sig_hi = _dn(sig_lo + term[0]), _up(sig_hi + term[1])
            bar.update()
        bar.close()
        if fs.border is not None:
            slo, shi = fs.s
            pivot(_dn(slo - sig_hi), _up(shi - sig_lo))
    return counts, ~bad


# ---------------------------------------------------------------------------------------
# arb balls


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


def arb_count(
    q: Structure, shift: arb, prec: int, balls: _BallStructure | None = None
) -> int | None:
    """N(shift) in ball arithmetic at ``prec`` bits; None if a pivot's sign is undecided."""
    n, w = q.n, q.bandwidth
    if balls is None or balls.prec != prec:
        balls = _ball_structure(q, prec)
    with ctx.workprec(prec):
        diag, sub1 = balls.bands[0], balls.bands[1]
        border = balls.border
        if w == 1 and border is None:
            # the tridiagonal Sturm sequence d_i = (q_ii - x) - q_{i,i-1}^2 / d_{i-1}
            count = 0
            d = diag[0] - shift
            for i in range(1, n + 1):
                if d < 0:
                    count += 1
                elif not d > 0:
                    return None
                if i == n:
                    break
                e = sub1[i]
                d = diag[i] - shift - e * e / d
            return count
        sub2 = balls.bands[2] if w == 2 else None
        count = 0
        d1 = diag[0] - shift
        if d1 < 0:
            count += 1
        elif not d1 > 0:
            return None
        d2 = w1 = None
        if border is not None:
            y = border[0]
            sigma = y * y / d1
        for i in range(1, n):
            if w == 2 and i >= 2:
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
            if d < 0:
                count += 1
            elif not d > 0:
                return None
            if border is not None:
                sigma += y * y / d
        if border is not None:
            last = balls.s - sigma
            if last < 0:
                count += 1
            elif not last > 0:
                return None
        return count


# ---------------------------------------------------------------------------------------
# certification of claims


@dataclass(frozen=True)
class Verdict:
    """The decision on one claim lambda_k = f_k at relative radius ``radius``."""

    k: int
    state: str
    radius: float
    reason: str = ""


@dataclass(frozen=True)
class _Interval:
    k: int
    lo: arb  # exact shift values in mu-space
    hi: arb


def _float_at_least(bound: arb) -> float:
    """The smallest float >= an exact arb value (checked in ball arithmetic)."""
    x = float(bound)
    while not arb(x) >= bound:
        x = float(np.nextafter(x, _UP))
    while True:
        below = float(np.nextafter(x, _DOWN))
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


def certify(
    q: Structure,
    claims: Sequence[arb],
    radius: float | Fraction,
    *,
    digits: float | None = None,
    progress: bool | None = False,
    use_floats: bool = True,
    ks: Sequence[int] | None = None,
) -> list[Verdict]:
    """Certify or refute lambda_k = claims (sorted descending) for k = 1..n-1 at ``radius``.

    ``claims`` are balls containing the claimed values, one per k (any order: they are
    sorted). ``digits`` sets the starting ball precision (default: from the radius).
    ``ks`` restricts the decisions to some components (all claims are still sorted).
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
    verdicts: dict[int, Verdict] = {}
    intervals: list[_Interval] = []
    with ctx.workprec(prec):
        r_arb = _arb(r)
        ordered = _order_statistics(claims)
        wanted = set(range(1, n)) if ks is None else set(ks)
        for k, (flo, fhi) in enumerate(ordered, start=1):
            if k not in wanted:
                continue
            if not (flo.is_finite() and fhi.is_finite()):
                verdicts[k] = Verdict(k, UNDECIDED, float(r), "the claimed value is not finite")
                continue
            if fhi <= 0:
                verdicts[k] = Verdict(
                    k, REFUTED, float(r), "claimed value <= 0, but every lambda_k > 0"
                )
                continue
            if not flo > 0 or not (fhi - flo) < flo * r_arb / 4:
                verdicts[k] = Verdict(
                    k, UNDECIDED, float(r), "the claimed value is not known precisely enough"
                )
                continue
            lo = (1 / (flo * (1 + r_arb))).upper()
            hi = (1 / (fhi * (1 - r_arb))).lower()
            intervals.append(_Interval(k, lo, hi))
    counts: dict[tuple[int, int], int | None] = {}
    pending: list[tuple[int, int, arb]] = []  # (k, end 0/1, shift)
    for iv in intervals:
        pending.append((iv.k, 0, iv.lo))
        pending.append((iv.k, 1, iv.hi))
    # Wider bands lose about a bit per row to the wrapping effect of interval arithmetic,
    # so float64 intervals decide nothing beyond a few dozen rows there.
    floats_help = q.bandwidth == 1 or n <= 64
    if use_floats and floats_help and pending and r >= Fraction(FLOAT_RADIUS):
        floats = np.empty(len(pending))
        usable = np.zeros(len(pending), dtype=bool)
        for index in range(0, len(pending), 2):
            k, _, lo = pending[index]
            _, _, hi = pending[index + 1]
            flo_, fhi_ = _float_at_least(lo), _float_at_most(hi)
            if flo_ < fhi_:
                floats[index], floats[index + 1] = flo_, fhi_
                usable[index] = usable[index + 1] = True
        if usable.any():
            got, decided = float_counts(q, floats[usable], progress)
            positions = np.flatnonzero(usable)
            for pos, count, ok in zip(positions, got, decided, strict=True):
                k, end, _ = pending[pos]
                if ok:
                    counts[(k, end)] = int(count)
    remaining = [(k, end, shift) for k, end, shift in pending if (k, end) not in counts]
    if remaining:
        disable = None if progress is None else not progress
        bar = tqdm(
            remaining,
            desc="ball Sturm",
            unit="shift",
            disable=disable,
            file=sys.stderr,
            leave=False,
        )
        # Banded recurrences wider than tridiagonal lose bits to the wrapping effect of
        # ball arithmetic (about 1-3 bits per row); the precision that worked for one shift
        # is kept for the next, and doubled when a pivot's sign stays undecided.
        bits, ceiling = prec, max(8 * prec, prec + 8 * n)
        balls = _ball_structure(q, bits)
        for k, end, shift in bar:
            result = arb_count(q, shift, bits, balls)
            while result is None and bits < ceiling:
                bits = min(2 * bits, ceiling)
                balls = _ball_structure(q, bits)
                result = arb_count(q, shift, bits, balls)
            counts[(k, end)] = result
    for iv in intervals:
        below, upto = counts.get((iv.k, 0)), counts.get((iv.k, 1))
        k = iv.k
        if below is not None and below >= k + 1:
            verdicts[k] = Verdict(k, REFUTED, float(r), "lambda_k is above the claimed interval")
        elif upto is not None and upto <= k:
            verdicts[k] = Verdict(k, REFUTED, float(r), "lambda_k is below the claimed interval")
        elif below is not None and upto is not None:
            verdicts[k] = Verdict(k, CERTIFIED, float(r))
        else:
            verdicts[k] = Verdict(k, UNDECIDED, float(r), "a Sturm count stayed undecided")
    return [verdicts[k] for k in sorted(wanted)]

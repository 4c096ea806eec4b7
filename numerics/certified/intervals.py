"""Sturm counts in float64 interval arithmetic, vectorised over all shifts at once.

Every IEEE operation is correctly rounded, so widening each result by one ulp with
``numpy.nextafter`` gives an interval that contains the exact value. The LDL^T pivots of
Q - x I are carried as such intervals for every shift x at once; N(x), the number of
eigenvalues of Q below x, is the number of negative pivots (Sylvester's law of inertia),
and a shift whose pivot interval contains 0 (or overflows) is *undecided*. For the
rank-one border of OU the bordered pivot s - a^T (B - x)^-1 a is added at the end
(Haynsworth inertia additivity). Wider bands lose about a bit per row to the wrapping
effect of interval arithmetic, so the counts decide little beyond a few dozen rows there.

>>> from rwpca.numerics.linalg.structure import centred_precision_structure
>>> counts, decided = float_counts(centred_precision_structure("plain", 3), np.array([0.5, 2.0]))
>>> counts.tolist(), decided.tolist()  # the eigenvalues of Q are 0, 1, 3
([1, 2], [True, True])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from rwpca.numerics.linalg.memo import by_identity
from rwpca.numerics.linalg.structure import Structure
from rwpca.numerics.progress import ProgressArg, task

_DOWN, _UP = -np.inf, np.inf

Interval = tuple[np.ndarray, np.ndarray]


def dn(x):
    """The next float below (outward rounding of a lower end)."""
    return np.nextafter(x, _DOWN)


def up(x):
    """The next float above (outward rounding of an upper end)."""
    return np.nextafter(x, _UP)


def enclose(value: Fraction) -> tuple[float, float]:
    """A float interval containing an exact rational."""
    f = float(value)  # int / int true division: correctly rounded
    if Fraction(f) == value:
        return f, f
    return float(dn(f)), float(up(f))


def _enclose_all(values: Sequence[Fraction]) -> Interval:
    cache: dict[Fraction, tuple[float, float]] = {}
    lo = np.empty(len(values))
    hi = np.empty(len(values))
    for i, v in enumerate(values):
        if v not in cache:
            cache[v] = enclose(v)
        lo[i], hi[i] = cache[v]
    return lo, hi


def _mul(alo, ahi, blo, bhi) -> Interval:
    p = (alo * blo, alo * bhi, ahi * blo, ahi * bhi)
    return dn(np.minimum(np.minimum(p[0], p[1]), np.minimum(p[2], p[3]))), up(
        np.maximum(np.maximum(p[0], p[1]), np.maximum(p[2], p[3]))
    )


def _sq(alo, ahi) -> Interval:
    """[a]^2, nonnegative."""
    lo2, hi2 = alo * alo, ahi * ahi
    low = np.where((alo > 0) | (ahi < 0), np.minimum(lo2, hi2), 0.0)
    return dn(low).clip(min=0.0), up(np.maximum(lo2, hi2))


def _div_nonneg(nlo, nhi, dlo, dhi) -> Interval:
    """[n] / [d] for n >= 0 and d not containing 0."""
    positive = dlo > 0
    lo = np.where(positive, nlo / dhi, nhi / dhi)
    hi = np.where(positive, nhi / dlo, nlo / dlo)
    return dn(lo), up(hi)


def _div(nlo, nhi, dlo, dhi) -> Interval:
    """[n] / [d] for d not containing 0."""
    rlo, rhi = dn(1.0 / dhi), up(1.0 / dlo)
    return _mul(nlo, nhi, rlo, rhi)


@dataclass(frozen=True)
class _FloatStructure:
    bands: tuple[Interval, ...]
    squares: tuple[Interval, ...]
    border: Interval | None
    s: tuple[float, float]


@by_identity(maxsize=16)
def _float_structure_of(q: Structure) -> _FloatStructure:
    bands = tuple(_enclose_all(band) for band in q.bands)
    squares = tuple(_sq(lo, hi) for lo, hi in bands)
    border = _enclose_all(q.border) if q.border is not None else None
    return _FloatStructure(bands, squares, border, enclose(q.s))


class _Recurrence:
    """The pivot recurrence of Q - x I for all shifts x, one row at a time."""

    def __init__(self, fs: _FloatStructure, x: np.ndarray, bandwidth: int):
        self.fs, self.x, self.w = fs, x, bandwidth
        self.counts = np.zeros(x.size, dtype=np.int64)
        self.bad = ~np.isfinite(x)
        dlo, dhi = fs.bands[0]
        self.d1 = self.pivot(dn(dlo[0] - x), up(dhi[0] - x))
        self.d2: Interval | None = None  # the pivot two rows back (bandwidth 2)
        self.w1: Interval | None = None  # the updated entry L[i-1, i-2] d_{i-2}
        if fs.border is not None:
            alo, ahi = fs.border
            self.y = (np.full(x.size, alo[0]), np.full(x.size, ahi[0]))
            self.sigma = _div_nonneg(*_sq(*self.y), *self.d1)

    def pivot(self, lo, hi) -> Interval:
        """Count a pivot; an undecided one marks its shift and is replaced by 1."""
        negative = hi < 0
        self.counts += negative
        undecided = ~(negative | (lo > 0)) | ~np.isfinite(lo) | ~np.isfinite(hi)
        self.bad |= undecided
        # keep the recurrence finite for the undecided shifts (their counts are discarded)
        return np.where(undecided, 1.0, lo), np.where(undecided, 1.0, hi)

    def row(self, i: int) -> None:
        fs, x = self.fs, self.x
        elo, ehi = fs.bands[1][0][i], fs.bands[1][1][i]
        t2 = None
        if self.w == 2 and i >= 2:
            assert self.d2 is not None and self.w1 is not None
            glo, ghi = fs.bands[2][0][i], fs.bands[2][1][i]
            l2 = _div(glo, ghi, *self.d2)
            prod = _mul(*l2, *self.w1)
            u1 = (dn(elo - prod[1]), up(ehi - prod[0]))
            t2 = _div_nonneg(fs.squares[2][0][i], fs.squares[2][1][i], *self.d2)
        else:
            u1 = (np.full(x.size, elo), np.full(x.size, ehi))
        t1 = _div_nonneg(*_sq(*u1), *self.d1)
        dlo, dhi = fs.bands[0]
        lo, hi = dn(dlo[i] - x), up(dhi[i] - x)
        lo, hi = dn(lo - t1[1]), up(hi - t1[0])
        if t2 is not None:
            lo, hi = dn(lo - t2[1]), up(hi - t2[0])
        if fs.border is not None:
            # y_i = a_i - (u1 / d_{i-1}) y_{i-1}
            ly = _mul(*_div(*u1, *self.d1), *self.y)
            alo, ahi = fs.border
            self.y = (dn(alo[i] - ly[1]), up(ahi[i] - ly[0]))
        self.d2, self.w1 = self.d1, u1
        self.d1 = self.pivot(lo, hi)
        if fs.border is not None:
            term = _div_nonneg(*_sq(*self.y), *self.d1)
            self.sigma = (dn(self.sigma[0] + term[0]), up(self.sigma[1] + term[1]))

    def finish(self) -> None:
        if self.fs.border is not None:
            slo, shi = self.fs.s
            self.pivot(dn(slo - self.sigma[1]), up(shi - self.sigma[0]))


def float_counts(
    q: Structure, shifts: np.ndarray, progress: ProgressArg = False
) -> tuple[np.ndarray, np.ndarray]:
    """N(x) for every float shift x at once; returns (counts, decided) arrays.

    ``decided[i]`` is False when some pivot interval for shift i contained 0 or the
    arithmetic overflowed; its count is then meaningless.
    """
    x = np.asarray(shifts, dtype=np.float64)
    w = q.bandwidth
    if w > 2:
        raise ValueError(f"bandwidth {w} is not supported by the interval Sturm count (max 2)")
    with np.errstate(all="ignore"):
        recurrence = _Recurrence(_float_structure_of(q), x, w)
        with task(progress, "interval Sturm", q.n - 1, "row") as bar:
            for i in range(1, q.n):
                recurrence.row(i)
                bar.update()
        recurrence.finish()
    return recurrence.counts, ~recurrence.bad

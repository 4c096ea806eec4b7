"""Certified checks of a ratio bound on exact descent Gram matrices (ball arithmetic, inertia).

An instance is a finite measure sum_i w_i delta_{q_i} with exact binary-rational q_i and
w_i (float64 values read exactly): the Gram matrix of a gradient-descent trajectory on the
quadratic with curvatures (1 - q_i) / eta and start x_{0,i}^2 = w_i. Its centred Gram
matrix K = C G C is built in arb ball arithmetic (python-flint), so every entry is an
interval that contains the exact value.

The k-th eigenvalue is compared with a claimed bound b_k lambda_1 without computing any
eigenvalue rigorously: by Sylvester's law of inertia the number of eigenvalues of K above y
is the number of positive pivots of the LDL^T factorisation of K - y I, decided when no
pivot ball contains 0. With L <= lambda_1 (certified: at least one eigenvalue above L),
"at most k - 1 eigenvalues above b_k L" certifies lambda_k <= b_k lambda_1; with
U >= lambda_1 (no eigenvalue above U), "at least k eigenvalues above b_k U" refutes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import flint
import mpmath as mp

from rwpca.numerics.descent.spectra import spectrum_of
from rwpca.numerics.verification.status import CheckState

#: Working precision of the ball arithmetic (bits) and the relative gap between the float
#: estimate of lambda_1 and the certified L, U around it.
DEFAULT_PREC = 384
LAMBDA_GAP = mp.mpf(2) ** -40


def _ball(value: float) -> flint.arb:
    """An exact binary-rational float as an arb ball of radius 0."""
    numerator, denominator = float(value).as_integer_ratio()
    return flint.arb(flint.fmpq(numerator, denominator))


def centred_balls(q: Sequence[float], weights: Sequence[float], n: int) -> list[list[flint.arb]]:
    """K = C G C in ball arithmetic at the current flint precision (rows s, columns t)."""
    qs = [_ball(x) for x in q]
    power = [_ball(w) for w in weights]
    mu = []
    for _ in range(2 * n - 1):
        total = flint.arb(0)
        for p in power:
            total += p
        mu.append(total)
        power = [p * x for p, x in zip(power, qs, strict=True)]
    inv_n = flint.arb(flint.fmpq(1, n))
    row = []
    for a in range(n):
        total = flint.arb(0)
        for b in range(n):
            total += mu[a + b]
        row.append(total * inv_n)
    grand = flint.arb(0)
    for value in row:
        grand += value
    grand *= inv_n
    return [[mu[a + b] - row[a] - row[b] + grand for b in range(n)] for a in range(n)]


def count_above(K: Sequence[Sequence[flint.arb]], y: flint.arb) -> int | None:
    """The number of eigenvalues of the symmetric K strictly above y (inertia of K - y I), or
    None when a pivot's ball contains 0 (undecided at this precision)."""
    n = len(K)
    A = [[K[a][b] - (y if a == b else 0) for b in range(n)] for a in range(n)]
    positive = 0
    for j in range(n):
        pivot = A[j][j]
        if pivot.contains(0):
            return None
        if pivot > 0:
            positive += 1
        for a in range(j + 1, n):
            factor = A[a][j] / pivot
            for b in range(j + 1, a + 1):
                A[a][b] -= factor * A[b][j]
                A[b][a] = A[a][b]
    return positive


@dataclass(frozen=True)
class BoundCheck:
    """The verdict of lambda_k <= b_k lambda_1 at every k = 2..n-1 of one instance:
    ``verdicts[k - 2]``, and the float ratios lambda_k / lambda_1 for the record."""

    n: int
    verdicts: tuple[CheckState, ...]
    ratios: tuple[float, ...]

    @property
    def state(self) -> CheckState:
        """Refuted if any k is, undecided if any k is undecided, else certified."""
        for bad in (CheckState.REFUTED, CheckState.UNDECIDED):
            if bad in self.verdicts:
                return bad
        return CheckState.CERTIFIED

    @property
    def first_refuted(self) -> int | None:
        """The smallest refuted k, or None."""
        for k, verdict in enumerate(self.verdicts, start=2):
            if verdict is CheckState.REFUTED:
                return k
        return None


def check_ratio_bound(
    q: Sequence[float],
    weights: Sequence[float],
    n: int,
    bound: Callable[[int], mp.mpf],
    prec: int = DEFAULT_PREC,
) -> BoundCheck:
    """Certify or refute lambda_k(K) <= bound(k) lambda_1(K) for k = 2..n-1 (module docstring).

    ``bound(k)`` is the claimed ratio at k as an mpmath number; it is enclosed in a ball at
    ``prec`` bits, so a bound that is not a binary rational is checked as the interval around
    it. A bound of at least 1 holds by the ordering of the eigenvalues.
    """
    estimate = spectrum_of(q, weights, n, dps=int(prec / 3.33) - 20)
    with mp.workprec(prec):
        top = estimate[0]
        lower, upper = top * (1 - LAMBDA_GAP), top * (1 + LAMBDA_GAP)
        ratios = tuple(float(v / top) for v in estimate[1 : n - 1])
        claimed = [mp.mpf(bound(k)) for k in range(2, n)]
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        K = centred_balls(q, weights, n)
        low = flint.arb(mp.nstr(lower, int(prec / 3.4)))
        high = flint.arb(mp.nstr(upper, int(prec / 3.4)))
        below_ok = (count_above(K, low) or 0) >= 1
        above_ok = count_above(K, high) == 0
        verdicts = []
        for k, b in zip(range(2, n), claimed, strict=True):
            if b >= 1:
                verdicts.append(CheckState.CERTIFIED)  # lambda_k <= lambda_1 by ordering
                continue
            ball = flint.arb(mp.nstr(b, int(prec / 3.4)))
            holds = count_above(K, ball * low) if below_ok else None
            if holds is not None and holds <= k - 1:
                verdicts.append(CheckState.CERTIFIED)
                continue
            fails = count_above(K, ball * high) if above_ok else None
            if fails is not None and fails >= k:
                verdicts.append(CheckState.REFUTED)
            else:
                verdicts.append(CheckState.UNDECIDED)
    finally:
        flint.ctx.prec = old
    return BoundCheck(n, tuple(verdicts), ratios)


__all__ = ["DEFAULT_PREC", "BoundCheck", "centred_balls", "check_ratio_bound", "count_above"]

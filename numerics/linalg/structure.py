"""Exact (rational) structure of the centred precision matrix Q, for any n, in O(n) memory.

K = C T^-1 T^-T C is the Moore-Penrose pseudo-inverse of Q = A - a a^T / s with
A = T^T T, a = A 1 and s = 1^T A 1 (proven in :mod:`rwpca.proofs.theorems`), so the nonzero
eigenvalues of K are the reciprocals of the nonzero eigenvalues of Q. T is lower-triangular
Toeplitz with a short first column c_0..c_b, so A is banded (bandwidth b) and Toeplitz except
in its last b rows. Whether the rank-one centring stays inside the band depends on T 1:

* plain walk and walk with momentum: p(1) = sum c_m = 0, so T 1 lives in the first b + 1
  entries, a a^T / s is a small block in the top-left corner and Q is *banded*;
* Ornstein-Uhlenbeck: T 1 = (1, alpha, ..., alpha), the correction is global and Q is a
  banded matrix minus a dense rank-one term (kept as a *border*: the vector a and s).

Every entry is an exact :class:`fractions.Fraction` of the (rational) parameters, so the
certified eigenvalue code can enclose each entry rigorously at any precision.

>>> q = centred_precision_structure("plain", 4)
>>> [str(x) for x in q.diagonal]
['1', '2', '2', '1']
>>> q.border is None
True
>>> exact_trace("plain", 4)
Fraction(5, 2)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from rwpca.numerics.linalg.float_spectra import default_params
from rwpca.proofs.processes import get_process
from rwpca.proofs.validation import check_n
from rwpca.proofs.values import to_fraction

__all__ = [
    "Structure",
    "centred_precision_structure",
    "exact_params",
    "exact_trace",
    "first_column",
    "inverse_series",
    "to_fraction",
]


def exact_params(process: str, params: Mapping[str, object] | None) -> dict[str, Fraction]:
    """The process parameters as exact rationals, validated (None: the default values).

    Values are converted by :func:`rwpca.proofs.values.to_fraction` (a float 0.1 is 1/10,
    a string is refused) and checked against their domains.
    """
    proc = get_process(process)
    raw = default_params(process) if params is None else params
    if not isinstance(raw, Mapping):
        raise ValueError(f"params = {raw!r} is not allowed: give a dict such as {{'gamma': 0.5}}")
    allowed = {p.name for p in proc.parameters}
    unknown = {name: value for name, value in raw.items() if name not in allowed}
    exact = {name: to_fraction(value, name) for name, value in raw.items() if name in allowed}
    # the domains' one-line errors: unknown names first, then missing ones and ranges
    proc.validate({**unknown, **exact})
    return dict(sorted(exact.items()))


@lru_cache(maxsize=128)
def _first_column(process: str, params: tuple[tuple[str, Fraction], ...]) -> tuple[Fraction, ...]:
    column = get_process(process).first_column(dict(params))
    return tuple(to_fraction(c) for c in column)


def first_column(process: str, params: Mapping[str, object] | None = None) -> tuple[Fraction, ...]:
    """c_0..c_b, the first column of the step operator T declared by the process, exactly."""
    return _first_column(process, tuple(exact_params(process, params).items()))


@dataclass(frozen=True)
class Structure:
    """Q = band - border border^T / s, every entry an exact rational.

    ``bands[m][i]`` is Q[i, i - m] (m = 0 the diagonal, defined for i >= m). ``border`` is
    None when Q is banded; otherwise the vector a with ``s`` such that Q = band - a a^T / s.
    """

    process: str
    n: int
    params: Mapping[str, Fraction]
    bands: tuple[tuple[Fraction, ...], ...]
    border: tuple[Fraction, ...] | None
    s: Fraction

    @property
    def bandwidth(self) -> int:
        return len(self.bands) - 1

    @property
    def diagonal(self) -> tuple[Fraction, ...]:
        return self.bands[0]

    def dense(self) -> list[list[Fraction]]:
        """Q as a dense list of rows (small n only: O(n^2) memory)."""
        size = self.n
        rows = [[Fraction(0)] * size for _ in range(size)]
        for m, band in enumerate(self.bands):
            for i in range(m, size):
                rows[i][i - m] = band[i]
                rows[i - m][i] = band[i]
        if self.border is not None:
            a = self.border
            for i in range(size):
                for c in range(size):
                    rows[i][c] -= a[i] * a[c] / self.s
        return rows


def _row_sums(column: tuple[Fraction, ...], n: int) -> list[Fraction]:
    """(T 1)_i = c_0 + ... + c_min(i, b)."""
    sums, total = [], Fraction(0)
    for i in range(n):
        if i < len(column):
            total += column[i]
        sums.append(total)
    return sums


@lru_cache(maxsize=32)
def _structure(process: str, n: int, params: tuple[tuple[str, Fraction], ...]) -> Structure:
    c = _first_column(process, params)
    if len(c) < 2:
        # T = c_0 I (OU with alpha = 1): keep a zero sub-diagonal so that every Sturm count
        # sees a band of width >= 1
        c = (*c, Fraction(0))
    b = len(c) - 1
    # A = T^T T: A[i, i-m] = sum_l c[l - i] c[l - i + m] over l = i..min(n - 1, i - m + b).
    laurent = [sum((c[q] * c[q + m] for q in range(b - m + 1)), Fraction(0)) for m in range(b + 1)]
    bands: list[list[Fraction]] = []
    for m in range(b + 1):
        band = [Fraction(0)] * n
        for i in range(m, n):
            if i - m + b <= n - 1:
                band[i] = laurent[m]  # the Toeplitz interior: no truncation at the end
            else:
                band[i] = sum(
                    (c[lag] * c[lag + m] for lag in range(0, n - i) if lag + m <= b), Fraction(0)
                )
        bands.append(band)
    t1 = _row_sums(c, n)
    # a = T^T (T 1): a_j = sum_q c_q (T 1)_{j + q}
    a = [sum((c[q] * t1[j + q] for q in range(b + 1) if j + q < n), Fraction(0)) for j in range(n)]
    s = sum((v * v for v in t1), Fraction(0))
    support = max((i for i, v in enumerate(a) if v != 0), default=0)
    if support <= b:
        # the centring lives in the top-left corner: fold it into the band
        for m in range(b + 1):
            for i in range(m, min(n, support + 1)):
                bands[m][i] -= a[i] * a[i - m] / s
        border = None
    else:
        border = tuple(a)
    return Structure(process, n, dict(params), tuple(tuple(band) for band in bands), border, s)


def centred_precision_structure(
    process: str, n: int, params: Mapping[str, object] | None = None
) -> Structure:
    """The exact structure of Q for ``process`` at size n (see the module docstring)."""
    n = check_n(n)
    return _structure(process, n, tuple(exact_params(process, params).items()))


def inverse_series(column: tuple[Fraction, ...], n: int) -> list[Fraction]:
    """h_0..h_{n-1}: the first column of T^-1, the power series of 1 / p(z)."""
    h: list[Fraction] = []
    for i in range(n):
        value = Fraction(1 if i == 0 else 0)
        for lag in range(1, min(i, len(column) - 1) + 1):
            value -= column[lag] * h[i - lag]
        h.append(value / column[0])
    return h


def exact_trace(process: str, n: int, params: Mapping[str, object] | None = None) -> Fraction:
    """trace K exactly, in rational arithmetic, O(n) operations.

    T^-1 is lower-triangular Toeplitz with first column h, so M = T^-1 T^-T has
    trace sum_m (n - m) h_m^2 and 1^T M 1 = |T^-T 1|^2 = sum_q H_q^2 with the partial sums
    H_q = h_0 + ... + h_{q-1}; trace K = trace(C M C) = trace M - 1^T M 1 / n.
    """
    n = check_n(n)
    c = first_column(process, params)
    h = inverse_series(c, n)
    trace_m = sum(((n - m) * h[m] * h[m] for m in range(n)), Fraction(0))
    partial, quad = Fraction(0), Fraction(0)
    for m in range(n):
        partial += h[m]
        quad += partial * partial
    return trace_m - quad / n

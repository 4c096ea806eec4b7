"""The sign of det(Q - x I) in O(1) ball operations per shift, by transfer along the band.

Q has bandwidth b (its outermost band nonzero) and, for OU, a rank-one border:
Q = B - a a^T / s. A solution v of (Q - x) v = 0 is fixed, row by row, by its first b
entries: row i (i < n - b) gives v_{i+b} from v_{i-b} .. v_{i+b-1}, a linear step on the
window (v_{i-b}, ..., v_{i+b-1}) with a D x D matrix C_i(x) = C0_i + x C1_i. Shooting the
b free entries through rows 0 .. n-b-1 and imposing the last b rows gives a b x b matrix
F(x) with

    det(Q - x I) = (-1)^(b (n - b)) (prod_{i < n-b} Q[i, i+b]) det F(x)

(the Schur complement of the lower-triangular block of rows 0..n-b-1 and columns
b..n-1). The constant does not depend on x, so two shifts at which det F has opposite
signs enclose an odd number of eigenvalues of Q (counted with multiplicity): det F carries
the parity of the Sturm count, sign det(Q - x) = (-1)^N(x). With the border the bordered
matrix [[B - x, a], [a^T, s]], of determinant s det(Q - x), is shot the same way with two
more state entries: the border unknown w and the running sum a^T v.

All rows of the Toeplitz interior share one step C(x). Its power C^N is applied in closed
form from the roots z of the symbol, which are the eigenvalues of C: with C = E J E^-1 (J
diagonal, plus a 2 x 2 Jordan block for the border's constant mode),

    det F = sum over p-subsets K of det((G E)[:, K]) det((J^N E^-1 W)[K, :])

(Cauchy-Binet; W is the state after the first rows, G the final conditions, p the number of
free entries). Each term is a product of powers z^N and O(1) minors, so a mode growing like
|z|^n never cancels against itself, and the cost does not grow with n. Where two roots
are too close for the eigenbasis (ball arithmetic cannot invert E), the power is taken
by repeated squaring of the p-th exterior power of C, which is also exact in ball
arithmetic but loses more bits.

>>> from flint import arb
>>> from rwpca.numerics.linalg.structure import centred_precision_structure
>>> plan = transfer_plan(centred_precision_structure("plain", 40))
>>> below, above = (determinant(plan, arb(x)) for x in ("0.001", "0.01"))
>>> bool(below * above < 0)  # one eigenvalue between them: 4 sin^2(pi / 80) = 0.00617
True
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from flint import acb, acb_mat, arb, arb_mat, fmpq, fmpq_mat

from rwpca.numerics.linalg.memo import by_identity
from rwpca.numerics.linalg.structure import Structure

#: Runs of identical rows at least this long are powered (shorter ones are multiplied out).
MIN_POWER = 8
#: At most this many rows may lie outside the powered run (the boundary rows).
MAX_BOUNDARY = 64


def _q(value: Fraction) -> fmpq:
    return fmpq(value.numerator, value.denominator)


def _entry(q: Structure, i: int, j: int) -> Fraction:
    """Q[i, j] of the band part (B for a bordered Q), 0 outside the matrix or the band."""
    if j < 0 or j >= q.n or abs(i - j) > q.bandwidth:
        return Fraction(0)
    return q.bands[abs(i - j)][max(i, j)]


@dataclass(frozen=True, eq=False)
class _Step:
    """One row's transfer C(x) = c0 + x c1 (exact) and its p-th exterior power l0 + x l1."""

    c0: fmpq_mat
    c1: fmpq_mat
    l0: fmpq_mat
    l1: fmpq_mat


@dataclass(frozen=True, eq=False)
class _Interior:
    """The Toeplitz run: ``count`` rows with the symmetric coefficients q_0..q_b and a_int."""

    step: _Step
    count: int
    coefficients: tuple[Fraction, ...]
    border: Fraction | None


@dataclass(frozen=True, eq=False)
class TransferPlan:
    """Q's rows as transfer steps: ``before``, the powered ``interior``, ``after``, then G."""

    n: int
    b: int
    bordered: bool
    dim: int
    free: int
    subsets: tuple[tuple[int, ...], ...]
    start: fmpq_mat
    before: tuple[_Step, ...]
    interior: _Interior | None
    after: tuple[_Step, ...]
    final0: fmpq_mat
    final1: fmpq_mat


def _exterior(mat: list[list[Fraction]], p: int, subsets) -> fmpq_mat:
    """The p-th exterior power (all p x p minors), exactly."""
    d = len(subsets)
    values = []
    for rows in subsets:
        for cols in subsets:
            values.append(fmpq_mat(p, p, [_q(mat[r][c]) for r in rows for c in cols]).det())
    return fmpq_mat(d, d, values)


def _row_key(q: Structure, i: int) -> tuple:
    b = q.bandwidth
    key = tuple(_entry(q, i, i - b + c) for c in range(2 * b + 1))
    if q.border is not None:
        key += (q.border[i], q.border[i - b] if i >= b else Fraction(0))
    return key


def _step(q: Structure, i: int, dim: int, p: int, subsets) -> _Step:
    b = q.bandwidth
    lead = _entry(q, i, i + b)
    c0 = [[Fraction(0)] * dim for _ in range(dim)]
    c1 = [[Fraction(0)] * dim for _ in range(dim)]
    for r in range(2 * b - 1):
        c0[r][r + 1] = Fraction(1)
    for c in range(2 * b):
        c0[2 * b - 1][c] = -_entry(q, i, i - b + c) / lead
    c1[2 * b - 1][b] = 1 / lead  # the diagonal entry is Q[i, i] - x
    if q.border is not None:
        a = q.border
        c0[2 * b - 1][2 * b] = -a[i] / lead
        c0[2 * b][2 * b] = Fraction(1)
        c0[2 * b + 1][2 * b + 1] = Fraction(1)
        if i >= b:
            c0[2 * b + 1][0] = a[i - b]  # the entry leaving the window joins a^T v
    shifted = [[c0[r][c] + c1[r][c] for c in range(dim)] for r in range(dim)]
    l0 = _exterior(c0, p, subsets)
    l1 = _exterior(shifted, p, subsets) - l0  # minors are affine in x: c1 has rank one
    flat = [_q(v) for row in c0 for v in row], [_q(v) for row in c1 for v in row]
    return _Step(fmpq_mat(dim, dim, flat[0]), fmpq_mat(dim, dim, flat[1]), l0, l1)


def _runs(q: Structure) -> list[tuple[int, int]]:
    """(first row, length) of the runs of identical shooting rows 0..n-b-1."""
    keys = [_row_key(q, i) for i in range(q.n - q.bandwidth)]
    runs, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            runs.append((start, i - start))
            start = i
    return runs


def _final(q: Structure, dim: int, p: int) -> tuple[fmpq_mat, fmpq_mat]:
    """G(x) = g0 + x g1: the last b rows (and the border row) on the final window."""
    n, b = q.n, q.bandwidth
    base = n - 2 * b
    g0 = [[Fraction(0)] * dim for _ in range(p)]
    g1 = [[Fraction(0)] * dim for _ in range(p)]
    for r, i in enumerate(range(n - b, n)):
        for c in range(2 * b):
            g0[r][c] = _entry(q, i, base + c)
        g1[r][b + r] = Fraction(-1)
        if q.border is not None:
            g0[r][2 * b] = q.border[i]
    if q.border is not None:
        for c in range(2 * b):
            g0[b][c] = q.border[base + c] if base + c >= 0 else Fraction(0)
        g0[b][2 * b] = q.s
        g0[b][2 * b + 1] = Fraction(1)
    return (
        fmpq_mat(p, dim, [_q(v) for row in g0 for v in row]),
        fmpq_mat(p, dim, [_q(v) for row in g1 for v in row]),
    )


def _interior(q: Structure, first: int, count: int, step: _Step) -> _Interior:
    b = q.bandwidth
    key = _row_key(q, first)
    coefficients = key[b : 2 * b + 1]  # q_0 .. q_b
    symmetric = all(key[b - m] == key[b + m] for m in range(1, b + 1))
    border = key[2 * b + 1] if q.border is not None and key[2 * b + 1] == key[2 * b + 2] else None
    closed = symmetric and b in (1, 2) and (q.border is None or border is not None)
    return _Interior(step, count, coefficients if closed else (), border)


@by_identity(maxsize=32)
def _plan(q: Structure) -> TransferPlan | None:
    n, b = q.n, q.bandwidth
    if b < 1 or any(_entry(q, i, i + b) == 0 for i in range(n - b)):
        return None  # no outermost band to shoot with (OU at alpha = 1)
    bordered = q.border is not None
    dim, p = 2 * b + (2 if bordered else 0), b + (1 if bordered else 0)
    subsets = tuple(itertools.combinations(range(dim), p))
    runs = _runs(q)
    longest = max(range(len(runs)), key=lambda r: runs[r][1], default=None)
    if longest is not None and runs[longest][1] < MIN_POWER:
        longest = None
    outside = sum(length for r, (_, length) in enumerate(runs) if r != longest)
    if outside > MAX_BOUNDARY:
        return None
    steps = {first: _step(q, first, dim, p, subsets) for first, _ in runs}
    before: list[_Step] = []
    after: list[_Step] = []
    interior = None
    for r, (first, length) in enumerate(runs):
        if r == longest:
            interior = _interior(q, first, length, steps[first])
        else:
            (before if interior is None else after).extend([steps[first]] * length)
    start = [[Fraction(0)] * p for _ in range(dim)]
    for c in range(b):
        start[b + c][c] = Fraction(1)
    if bordered:
        start[2 * b][b] = Fraction(1)
    g0, g1 = _final(q, dim, p)
    return TransferPlan(
        n,
        b,
        bordered,
        dim,
        p,
        subsets,
        fmpq_mat(dim, p, [_q(v) for row in start for v in row]),
        tuple(before),
        interior,
        tuple(after),
        g0,
        g1,
    )


def transfer_plan(q: Structure, band_only: bool = False) -> TransferPlan | None:
    """The transfer steps of Q (cached), or None if Q has no usable outermost band.

    ``band_only`` shoots the band B of a bordered Q = B - a a^T / s instead of Q.
    """
    if band_only and q.border is not None:
        return _plan(_band_of(q))
    return _plan(q)


@by_identity(maxsize=32)
def _band_of(q: Structure) -> Structure:
    return dataclasses.replace(q, border=None)


# ---------------------------------------------------------------------------------------
# evaluation in ball arithmetic (at the precision of flint.ctx)


def _row_minors(values: list, p: int, subsets) -> list:
    """The p x p minors of a tall matrix (p columns, row-major ``values``) on row subsets."""
    if p == 1:
        return [values[r] for (r,) in subsets]
    if p == 2:
        return [
            values[2 * i] * values[2 * j + 1] - values[2 * j] * values[2 * i + 1]
            for i, j in subsets
        ]
    return [arb_mat([values[r * p : (r + 1) * p] for r in rows]).det() for rows in subsets]


def _column_minors(values: list, dim: int, p: int, subsets) -> list:
    """The p x p minors of a wide matrix (p rows of ``dim``, row-major) on column subsets."""
    if p == 1:
        return [values[c] for (c,) in subsets]
    if p == 2:
        return [values[i] * values[dim + j] - values[j] * values[dim + i] for i, j in subsets]
    return [
        arb_mat([[values[r * dim + c] for c in cols] for r in range(p)]).det() for cols in subsets
    ]


def _pairing(g: list, y: list):
    """sum_K g_K y_K (the Cauchy-Binet sum)."""
    total = g[0] * y[0]
    for gi, yi in zip(g[1:], y[1:], strict=True):
        total += gi * yi
    return total


@dataclass(frozen=True, eq=False)
class _BallPlan:
    """A plan's exact matrices as balls at one precision (converted once, not per shift)."""

    start: arb_mat
    before: tuple[tuple[arb_mat, arb_mat], ...]
    after: tuple[tuple[arb_mat, arb_mat], ...]
    power: tuple[arb_mat, arb_mat] | None  # the interior's exterior power l0 + x l1
    coefficients: tuple[arb, ...]  # q_0 .. q_b of the interior, () if not in closed form
    border: arb | None  # a_int of the interior
    final: tuple[arb_mat, arb_mat]


@functools.lru_cache(maxsize=64)
def _balls(plan: TransferPlan, prec: int) -> _BallPlan:
    from flint import ctx

    with ctx.workprec(prec):
        interior = plan.interior
        return _BallPlan(
            arb_mat(plan.start),
            tuple((arb_mat(s.c0), arb_mat(s.c1)) for s in plan.before),
            tuple((arb_mat(s.c0), arb_mat(s.c1)) for s in plan.after),
            None if interior is None else (arb_mat(interior.step.l0), arb_mat(interior.step.l1)),
            () if interior is None else tuple(arb(_q(v)) for v in interior.coefficients),
            None if interior is None or interior.border is None else arb(_q(interior.border)),
            (arb_mat(plan.final0), arb_mat(plan.final1)),
        )


def _ends(balls: _BallPlan, x: arb) -> tuple[arb_mat, arb_mat]:
    """The state W after the rows before the interior, and the conditions G after it."""
    state = balls.start
    for c0, c1 in balls.before:
        state = (c0 + c1 * x) * state
    g0, g1 = balls.final
    final = g0 + g1 * x
    for c0, c1 in reversed(balls.after):
        final = final * (c0 + c1 * x)
    return state, final


def _roots(coefficients: Sequence[arb], x: arb) -> list[acb]:
    """The 2b roots z of the symbol equation q_0 - x + sum_m q_m (z^m + z^-m) = 0."""
    if len(coefficients) == 2:
        q0, q1 = coefficients
        ws = [acb((x - q0) / q1)]
    else:
        q0, q1, q2 = coefficients
        root = acb(q1 * q1 - 4 * q2 * (q0 - x - 2 * q2)).sqrt()
        ws = [(root - q1) / (2 * q2), (-root - q1) / (2 * q2)]
    zs = []
    for w in ws:
        r = (w * w - 4).sqrt()
        zs.extend([(w + r) / 2, (w - r) / 2])
    return zs


def _closed_form(
    plan: TransferPlan, balls: _BallPlan, x: arb, state: arb_mat, final: arb_mat
) -> arb:
    """sum_K det((G E)[:, K]) det((J^N E^-1 W)[K, :]) for the interior run (may raise)."""
    assert plan.interior is not None
    dim, p, count = plan.dim, plan.free, plan.interior.count
    zs = _roots(balls.coefficients, x)
    columns = []
    for z in zs:
        column = [acb(1), z]
        while len(column) < 2 * plan.b:
            column.append(column[-1] * z)
        columns.append(column)
    a = balls.border
    if a is not None:
        symbol_at_one = balls.coefficients[0] + 2 * sum(balls.coefficients[1:]) - x
        constant = -a / symbol_at_one  # the constant solution per unit w
        columns = [[*col, acb(0), a / (z - 1)] for col, z in zip(columns, zs, strict=True)]
        columns.append([acb(constant)] * (2 * plan.b) + [acb(1), acb(0)])
        columns.append([acb(0)] * (dim - 1) + [acb(1)])
    eig = acb_mat(dim, dim, [columns[k][r] for r in range(dim) for k in range(dim)])
    coords = eig.solve(acb_mat(state)).entries()  # E^-1 W, dim x p, row-major
    for k, z in enumerate(zs):
        scale = z**count
        for col in range(p):
            coords[k * p + col] *= scale
    if a is not None:  # the Jordan pair: u -> u + a c e_sigma at every step
        growth = acb(count * a * constant)
        for col in range(p):
            coords[(dim - 1) * p + col] += growth * coords[(dim - 2) * p + col]
    left = (acb_mat(final) * eig).entries()
    g = _column_minors(left, dim, p, plan.subsets)
    return _pairing(g, _row_minors(coords, p, plan.subsets)).real


def _squared(plan: TransferPlan, balls: _BallPlan, x: arb, state: arb_mat, final: arb_mat) -> arb:
    """The same determinant with the interior power by squaring in Pluecker coordinates."""
    assert plan.interior is not None and balls.power is not None
    p = plan.free
    coords = _row_minors(state.entries(), p, plan.subsets)
    vector = arb_mat(len(coords), 1, coords)
    l0, l1 = balls.power
    power = l0 + l1 * x
    e = plan.interior.count
    while True:
        if e & 1:
            vector = power * vector
        e >>= 1
        if not e:
            break
        power = power * power
    g = _column_minors(final.entries(), plan.dim, p, plan.subsets)
    return _pairing(g, vector.entries())


def determinant(plan: TransferPlan, x: arb, prec: int | None = None) -> arb:
    """det F(x), a constant nonzero multiple of det(Q - x I), as a ball (ctx precision)."""
    from flint import ctx

    prec = ctx.prec if prec is None else prec
    balls = _balls(plan, prec)
    with ctx.workprec(prec):
        state, final = _ends(balls, x)
        if plan.interior is None:
            return (final * state).det()
        if balls.coefficients:
            try:
                value = _closed_form(plan, balls, x, state, final)
                if value.is_finite():
                    return value
            except ZeroDivisionError:
                pass  # two roots too close to separate: square instead
        return _squared(plan, balls, x, state, final)


# ---------------------------------------------------------------------------------------
# the same determinant in float64, vectorised over shifts (estimates only, for seeds)


def _floats(matrix: fmpq_mat) -> np.ndarray:
    rows, cols = matrix.nrows(), matrix.ncols()
    return np.array([float(v) for v in matrix.entries()]).reshape(rows, cols)


@dataclass(frozen=True, eq=False)
class _FloatPlan:
    start: np.ndarray
    before: tuple[tuple[np.ndarray, np.ndarray], ...]
    after: tuple[tuple[np.ndarray, np.ndarray], ...]
    power: tuple[np.ndarray, np.ndarray] | None
    final: tuple[np.ndarray, np.ndarray]


@functools.lru_cache(maxsize=32)
def _float_plan(plan: TransferPlan) -> _FloatPlan:
    interior = plan.interior
    return _FloatPlan(
        _floats(plan.start),
        tuple((_floats(s.c0), _floats(s.c1)) for s in plan.before),
        tuple((_floats(s.c0), _floats(s.c1)) for s in plan.after),
        None if interior is None else (_floats(interior.step.l0), _floats(interior.step.l1)),
        (_floats(plan.final0), _floats(plan.final1)),
    )


def _float_minors(a: np.ndarray, p: int, subsets, axis: int) -> np.ndarray:
    """p x p minors of stacked matrices a (m, rows, cols) on row (axis 1) or column subsets."""
    out = []
    for s in subsets:
        sub = a[:, list(s), :] if axis == 1 else a[:, :, list(s)]
        if p == 1:
            out.append(sub[:, 0, 0])
        elif p == 2:
            out.append(sub[:, 0, 0] * sub[:, 1, 1] - sub[:, 0, 1] * sub[:, 1, 0])
        else:
            out.append(np.linalg.det(sub))
    return np.stack(out, axis=-1)


def _normalised(a: np.ndarray) -> np.ndarray:
    """a divided by its largest entry in absolute value, per shift (a positive scale)."""
    scale = np.max(np.abs(a.reshape(a.shape[0], -1)), axis=1)
    scale = np.where(scale > 0, scale, 1.0)
    return a / scale.reshape((-1,) + (1,) * (a.ndim - 1))


def float_determinant(plan: TransferPlan, x: np.ndarray) -> np.ndarray:
    """det F(x) for many shifts in float64, divided by a positive scale (sign and zeros kept).

    The interior power by repeated squaring of the exterior power, normalised after every
    product so that nothing overflows. An estimate without error bound, used to locate
    eigenvalues before they are refined and certified in ball arithmetic.
    """
    fp = _float_plan(plan)
    x = np.asarray(x, dtype=float)
    m, p = x.size, plan.free
    shift = x[:, None, None]
    state = np.broadcast_to(fp.start, (m, plan.dim, p))
    for c0, c1 in fp.before:
        state = (c0 + shift * c1) @ state
    g0, g1 = fp.final
    final = g0 + shift * g1
    for c0, c1 in reversed(fp.after):
        final = final @ (c0 + shift * c1)
    if plan.interior is None or fp.power is None:
        return np.linalg.det(final @ state)
    vector = _normalised(_float_minors(state, p, plan.subsets, axis=1))[:, :, None]
    l0, l1 = fp.power
    power = _normalised(l0 + shift * l1)
    e = plan.interior.count
    while True:
        if e & 1:
            vector = _normalised(power @ vector)
        e >>= 1
        if not e:
            break
        power = _normalised(power @ power)
    g = _float_minors(final, p, plan.subsets, axis=2)
    return np.einsum("md,md->m", g, vector[:, :, 0])

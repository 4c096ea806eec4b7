"""Certified enclosures of every eigenvalue of K at a chosen precision, for any process.

The strong counterpart of :func:`rwpca.numerics.linalg.reference.eigenvalues_mpmath`: each nonzero
eigenvalue of K = C T^-1 T^-T C comes with a rigorous interval of relative width
10^-dps. The centred precision Q is banded (plus a rank-one border for OU), so:

1. float64 eigenpairs of Q (LAPACK) give starting points;
2. inverse iteration with the float64 shift refines each one in ball arithmetic at the
   working precision (each step is one banded LDL^T solve, O(n); the border is handled
   by Sherman-Morrison), and the Rayleigh quotient of the vector gives the eigenvalue:
   a few steps reach 50 digits;
3. the refined values are *certified* by Sturm counts (:func:`rwpca.numerics.linalg.sturm.certify`):
   only that step makes a claim, the iteration only proposes.

Cost O(n^2) per precision instead of the O(n^3) of a dense multiprecision eigensolver.

>>> balls = certified_eigenvalues("momentum", 6, {"gamma": 0.5}, dps=40)
>>> len(balls), balls[0].rad() <= balls[0].mid() * arb("2e-40")
(5, True)
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np
from flint import arb, ctx
from tqdm import tqdm

from rwpca.numerics.arbeval import to_arb
from rwpca.numerics.linalg.reference import check_dps, precision_float
from rwpca.numerics.linalg.structure import Structure, centred_precision_structure
from rwpca.numerics.linalg.sturm import CERTIFIED, certify, working_precision
from rwpca.proofs.validation import check_n


class EnclosureError(ValueError):
    """Some eigenvalue could not be certified at the requested precision."""


def _solve(q: Structure, bands: list[list[arb]], border, shift: arb, rhs: Sequence[arb]):
    """(Q - shift) y = rhs by banded LDL^T (no pivoting), Sherman-Morrison for the border.

    A floating-point computation at the ball precision: every intermediate is replaced by
    its midpoint, since ball radii would only grow (this step proposes values, it does not
    certify them).
    """
    size, w = q.n, q.bandwidth

    def banded(vector):
        d = [arb(0)] * size
        low = [[arb(0)] * (w + 1) for _ in range(size)]  # low[i][m] = L[i, i - m]
        for i in range(size):
            for m in range(w, 0, -1):
                if i - m < 0:
                    continue
                value = bands[m][i]
                for r in range(m + 1, w + 1):
                    if i - r >= 0:
                        value -= low[i][r] * low[i - m][r - m] * d[i - r]
                low[i][m] = (value / d[i - m]).mid()
            pivot = bands[0][i] - shift
            for m in range(1, w + 1):
                if i - m >= 0:
                    pivot -= low[i][m] * low[i][m] * d[i - m]
            d[i] = pivot.mid()
        y = list(vector)
        for i in range(size):
            for m in range(1, w + 1):
                if i - m >= 0:
                    y[i] = (y[i] - low[i][m] * y[i - m]).mid()
        y = [(y[i] / d[i]).mid() for i in range(size)]
        for i in range(size - 1, -1, -1):
            for m in range(1, w + 1):
                if i + m < size:
                    y[i] = (y[i] - low[i + m][m] * y[i + m]).mid()
        return y

    z = banded(rhs)
    if border is None:
        return z
    a, s = border
    u = banded(a)
    az = sum((x * y for x, y in zip(a, z, strict=True)), arb(0))
    au = sum((x * y for x, y in zip(a, u, strict=True)), arb(0))
    factor = (az / (s - au)).mid()
    return [(zi + ui * factor).mid() for zi, ui in zip(z, u, strict=True)]


def ball_structure(q: Structure) -> tuple[list[list[arb]], tuple[list[arb], arb] | None]:
    """The bands of Q and its rank-one border (a, s) as arb balls at the current precision."""
    bands = [[to_arb(v) for v in band] for band in q.bands]
    border = None if q.border is None else ([to_arb(v) for v in q.border], to_arb(q.s))
    return bands, border


def apply_structure(q: Structure, bands, border, vector: Sequence[arb]) -> list[arb]:
    """Q v in ball arithmetic, from the bands and border of :func:`ball_structure`."""
    size = q.n
    out = []
    for i in range(size):
        total = bands[0][i] * vector[i]
        for m in range(1, len(bands)):
            if i - m >= 0:
                total += bands[m][i] * vector[i - m]
            if i + m < size:
                total += bands[m][i + m] * vector[i + m]
        out.append(total)
    if border is not None:
        a, s = border
        dot = sum((x * y for x, y in zip(a, vector, strict=True)), arb(0))
        out = [o - x * dot / s for o, x in zip(out, a, strict=True)]
    return out


def _refine(q, bands, border, start: np.ndarray, guess: float, digits: int) -> arb:
    """Inverse iteration with the fixed float64 shift, then the Rayleigh quotient.

    The shift is within about 1e-16 relative of the eigenvalue, so each step divides the
    error of the vector by gap / 1e-16 while the shifted system stays far enough from
    singular for the LDL^T solve (a shift updated to 30+ digits, as in Rayleigh quotient
    iteration, makes the solve lose the vector). The Rayleigh quotient doubles the digits
    of the vector. Stops when the quotient no longer changes at 10^-(digits + 5).
    """
    x = [arb(float(v)) for v in start]
    # off by 1e-13 relative: a float64 value can be an exact eigenvalue (2 at n = 2), and
    # the shifted matrix must stay invertible
    shift = arb(guess) * (1 + arb("1e-13"))
    tolerance = arb(10) ** -(digits + 5)
    rho = shift
    for _ in range(12):
        y = _solve(q, bands, border, shift, x)
        norm = sum((v * v for v in y), arb(0)).sqrt()
        x = [(v / norm).mid() for v in y]
        qx = apply_structure(q, bands, border, x)
        new = sum((a * b for a, b in zip(x, qx, strict=True)), arb(0)).mid()
        done = abs(new - rho) < tolerance * abs(new)
        rho = new
        if done:
            break
    return rho


def _refine_and_certify(
    q: Structure,
    values: np.ndarray,
    vectors: np.ndarray,
    ks: Sequence[int],
    radius: Fraction,
    digits: int,
    progress: bool | None = False,
) -> tuple[dict[int, arb], list[int]]:
    """Refine lambda_k for k in ``ks`` and certify them at ``radius``.

    Returns the claims by k (all k, float64 for the ones not refined) and the k that could
    not be certified. LDL^T without pivoting of an indefinite shifted matrix can grow its
    elements by many orders of magnitude, more so for wider bands: the refinement starts at
    twice the precision of the claims and doubles for the eigenvalues that fail.
    """
    n = q.n
    claims = {k: arb(float(1.0 / values[k])) for k in range(1, n)}
    pending = list(ks)
    bits = 2 * working_precision(n, digits + 10)
    disable = None if progress is None else not progress
    for _round in range(4):
        with ctx.workprec(bits):
            bands, border = ball_structure(q)
            # lambda_k is the k-th largest: 1 / (the (k+1)-th smallest eigenvalue of Q)
            for k in tqdm(pending, desc="refining", unit="eig", disable=disable, file=sys.stderr):
                mu = _refine(q, bands, border, vectors[:, k], float(values[k]), digits)
                claims[k] = 1 / mu
        verdicts = certify(
            q,
            [claims[k] for k in range(1, n)],
            radius,
            digits=digits,
            progress=progress,
            ks=pending,
        )
        pending = [v.k for v in verdicts if v.state != CERTIFIED]
        if not pending:
            break
        bits *= 2
    return claims, pending


def certified_leading(
    process: str,
    n: int,
    params: Mapping[str, object] | None,
    leading: int,
    radius: Fraction = Fraction(1, 10**20),
) -> tuple[np.ndarray, float]:
    """Eigenvalues of K (descending, float64) whose ``leading`` largest are certified.

    The leading values are refined and certified to relative ``radius``; the others are
    float64 estimates. Returns (values, radius); EnclosureError if the certification fails.
    """
    q = centred_precision_structure(process, n, params)
    values, vectors = np.linalg.eigh(precision_float(process, n, params))
    ks = tuple(range(1, min(leading, n - 1) + 1))
    digits = max(17, round(-float(np.log10(float(radius)))) + 3)
    claims, pending = _refine_and_certify(q, values, vectors, ks, radius, digits)
    if pending:
        raise EnclosureError(
            f"could not certify lambda_{pending[0]} of {process} at n = {n} to relative "
            f"{float(radius):.0e}"
        )
    estimates = 1.0 / values[1:]
    for k in ks:
        estimates[k - 1] = float(claims[k].mid())
    return estimates, float(radius)


def certified_eigenvalues(
    process: str,
    n: int,
    params: Mapping[str, object] | None = None,
    dps: int = 30,
    *,
    progress: bool | None = False,
) -> list[arb]:
    """The n - 1 nonzero eigenvalues of K, descending, as balls of relative radius 10^-dps.

    Every ball is certified to contain the exact eigenvalue (Sturm counts); raises
    :class:`EnclosureError` if some eigenvalue could not be certified.
    """
    n = check_n(n)
    dps = check_dps(dps)
    q = centred_precision_structure(process, n, params)
    values, vectors = np.linalg.eigh(precision_float(process, n, params))
    prec = working_precision(n, dps + 10)
    radius = Fraction(1, 10**dps)
    claims, pending = _refine_and_certify(q, values, vectors, range(1, n), radius, dps, progress)
    if pending:
        raise EnclosureError(
            f"could not certify lambda_{pending[0]} of {process} at n = {n} to {dps} digits"
        )
    with ctx.workprec(prec):
        r = to_arb(radius)
        ordered = sorted(claims.values(), key=lambda b: float(b.mid()), reverse=True)
        return [(c * (1 - r)).union(c * (1 + r)) for c in ordered]

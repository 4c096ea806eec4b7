"""Certified enclosures of every eigenvalue of K at a chosen precision, for any process.

The strong counterpart of :func:`rwpca.numerics.linalg.reference.eigenvalues_mpmath`: each nonzero
eigenvalue of K = C T^-1 T^-T C comes with a rigorous interval of relative width
10^-dps. The centred precision Q is banded (plus a rank-one border for OU), so:

1. float64 estimates of the eigenvalues of Q come from the band in O(n^2)
   (:func:`rwpca.numerics.linalg.reference.float_spectrum`);
2. each is refined by the secant method on det(Q - x I) at the working precision, with
   the determinant from transfer matrices in O(1) ball operations per step
   (:mod:`rwpca.numerics.linalg.transfer`): from about 16 digits, three or four steps
   reach 50;
3. the refined values are *certified* (:func:`rwpca.numerics.certified.sturm.certify`, here by
   the sign of the determinant at both ends of every ball and the accounting of all n
   eigenvalues): only that step makes a claim, the refinement only proposes.

That is O(n) ball operations for the whole spectrum at a given precision, plus the O(n^2)
float64 estimates. A Q without an outermost band to shoot with (OU at alpha = 1, T = I)
takes the older path: dense float64 eigenpairs, refined by inverse iteration (one banded
LDL^T solve per step) and certified by Sturm counts.

>>> balls = certified_eigenvalues("momentum", 6, {"gamma": 0.5}, dps=40)
>>> len(balls), balls[0].rad() <= balls[0].mid() * arb("2e-40")
(5, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np
from flint import arb, ctx

from rwpca.numerics.arbeval import to_arb
from rwpca.numerics.certified.sturm import CERTIFIED, certify, working_precision
from rwpca.numerics.linalg.reference import check_dps, float_spectrum, precision_float
from rwpca.numerics.linalg.structure import Structure, centred_precision_structure
from rwpca.numerics.linalg.transfer import TransferPlan, determinant, transfer_plan
from rwpca.numerics.progress import ProgressArg, iterate
from rwpca.proofs.validation import check_n

#: Secant steps allowed for one eigenvalue (two or three are used from float64 seeds).
SECANT_STEPS = 40
#: The order of convergence of the secant method.
GOLDEN = (1 + 5**0.5) / 2
#: Rounds of refinement at doubled precision before an eigenvalue is reported uncertified.
ROUNDS = 3


class EnclosureError(ValueError):
    """Some eigenvalue could not be certified at the requested precision."""


# ---------------------------------------------------------------------------------------
# Q in ball arithmetic (also used by the eigenvector checks)


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


# ---------------------------------------------------------------------------------------
# refinement by the secant method on the determinant


def _refine(plan: TransferPlan, seed: float, digits: int, bits: int, *, early: bool = True) -> arb:
    """An exact point within about 10^-(digits + 5) relative of the eigenvalue near ``seed``.

    The secant method, in floating point at ``bits`` bits (midpoints of the determinant
    balls): it converges with order (1 + sqrt 5) / 2, so once a step is below
    10^-(digits + 5) / order relative the next iterate is already within 10^-(digits + 5)
    and is returned without another evaluation. That shortcut assumes the secant's
    asymptotic constant f''/(2 f') is of the order of 1/x, which fails near clustered
    eigenvalues (momentum at gamma = 9/10, n = 40: lambda_28 came out 1.4e-45 relative
    from the eigenvalue, outside its 10^-45 ball); ``early=False`` iterates until the step
    itself is below 10^-(digits + 5), which the callers use for the claims that
    :func:`certify` did not certify. This proposes a value, :func:`certify` decides.
    """
    with ctx.workprec(bits):
        enough = arb(10) ** (-(digits + 5) / (GOLDEN if early else 1))
        x0 = arb(seed)
        x1 = (x0 * (1 + arb(2) ** -50)).mid()
        f0, f1 = determinant(plan, x0, bits).mid(), determinant(plan, x1, bits).mid()
        for _ in range(SECANT_STEPS):
            if f1 == f0:
                break
            x2 = (x1 - f1 * (x1 - x0) / (f1 - f0)).mid()
            if abs(x2 - x1) <= enough * abs(x2):
                return x2  # early: its error is about that of x1 to the power GOLDEN
            x0, f0, x1 = x1, f1, x2
            f1 = determinant(plan, x1, bits).mid()
        return x1


def _balls(claims: Sequence[arb], radius: Fraction, prec: int) -> list[arb]:
    """Certified claims as balls of relative radius ``radius``, descending."""
    with ctx.workprec(prec):
        r = to_arb(radius)
        ordered = sorted(claims, key=lambda b: float(b.mid()), reverse=True)
        return [(c * (1 - r)).union(c * (1 + r)) for c in ordered]


def _shooting_enclosures(
    q: Structure, plan: TransferPlan, dps: int, progress: ProgressArg
) -> list[arb]:
    n = q.n
    seeds = float_spectrum(q)
    radius = Fraction(1, 10**dps)
    bits = working_precision(n, dps + 10)
    pending = list(range(1, n))
    claims: dict[int, arb] = {}
    for round_ in range(ROUNDS):
        for k in iterate(progress, pending, "refining", unit="eig"):
            mu = _refine(plan, float(seeds[k]), dps, bits, early=round_ == 0)
            with ctx.workprec(bits):
                claims[k] = 1 / mu
        verdicts = certify(
            q, [claims[k] for k in range(1, n)], radius, digits=dps, progress=progress
        )
        pending = [v.k for v in verdicts if v.state != CERTIFIED]
        if not pending:
            return _balls(list(claims.values()), radius, bits)
        bits *= 2
        seeds = _seeds_from(claims, seeds)
    raise EnclosureError(
        f"could not certify lambda_{pending[0]} of {q.process} at n = {n} to {dps} digits"
    )


def _seeds_from(claims: dict[int, arb], seeds: np.ndarray) -> np.ndarray:
    """Seeds for another round: the refined values where they stayed near their seed."""
    out = seeds.copy()
    for k, claim in claims.items():
        value = 1 / float(claim.mid())
        if abs(value - seeds[k]) <= 1e-6 * abs(seeds[k]):
            out[k] = value
    return out


# ---------------------------------------------------------------------------------------
# the dense fallback: inverse iteration with banded LDL^T solves


def _ldl(q: Structure, bands, shift: arb):
    """Banded LDL^T of Q - shift (no pivoting), as floating point at the ball precision."""
    size, w = q.n, q.bandwidth
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
        for m in range(1, min(w, i) + 1):
            pivot -= low[i][m] * low[i][m] * d[i - m]
        d[i] = pivot.mid()
    return low, d


def _ldl_solve(low, d, w: int, vector: Sequence[arb]) -> list[arb]:
    size = len(d)
    y = list(vector)
    for i in range(size):
        for m in range(1, min(w, i) + 1):
            y[i] = (y[i] - low[i][m] * y[i - m]).mid()
    y = [(y[i] / d[i]).mid() for i in range(size)]
    for i in range(size - 1, -1, -1):
        for m in range(1, min(w, size - 1 - i) + 1):
            y[i] = (y[i] - low[i + m][m] * y[i + m]).mid()
    return y


def _solve(q: Structure, bands, border, shift: arb, rhs: Sequence[arb]) -> list[arb]:
    """(Q - shift) y = rhs by banded LDL^T, Sherman-Morrison for the border.

    Floating point at the ball precision (every intermediate replaced by its midpoint:
    this step proposes values, it does not certify them).
    """
    low, d = _ldl(q, bands, shift)
    z = _ldl_solve(low, d, q.bandwidth, rhs)
    if border is None:
        return z
    a, s = border
    u = _ldl_solve(low, d, q.bandwidth, a)
    az = sum((x * y for x, y in zip(a, z, strict=True)), arb(0))
    au = sum((x * y for x, y in zip(a, u, strict=True)), arb(0))
    factor = (az / (s - au)).mid()
    return [(zi + ui * factor).mid() for zi, ui in zip(z, u, strict=True)]


def _inverse_iteration(q, bands, border, start: np.ndarray, guess: float, digits: int) -> arb:
    """Inverse iteration with the fixed float64 shift, then the Rayleigh quotient.

    The shift is within about 1e-16 relative of the eigenvalue, so each step divides the
    error of the vector by gap / 1e-16 while the shifted system stays far enough from
    singular for the LDL^T solve. Stops when the quotient no longer changes at
    10^-(digits + 5).
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


def _dense_refine_and_certify(
    q: Structure,
    ks: Sequence[int],
    radius: Fraction,
    digits: int,
    progress: ProgressArg = False,
) -> tuple[dict[int, arb], list[int]]:
    """Refine lambda_k for k in ``ks`` by inverse iteration and certify them at ``radius``.

    Returns the claims by k (all k, float64 for the ones not refined) and the k that could
    not be certified. LDL^T without pivoting of an indefinite shifted matrix can grow its
    elements by many orders of magnitude, more so for wider bands: the refinement starts at
    twice the precision of the claims and doubles for the eigenvalues that fail.
    """
    n = q.n
    values, vectors = np.linalg.eigh(precision_float(q.process, n, q.params))
    claims = {k: arb(float(1.0 / values[k])) for k in range(1, n)}
    pending = list(ks)
    bits = 2 * working_precision(n, digits + 10)
    for _round in range(4):
        with ctx.workprec(bits):
            bands, border = ball_structure(q)
            # lambda_k is the k-th largest: 1 / (the (k+1)-th smallest eigenvalue of Q)
            for k in iterate(progress, pending, "refining", unit="eig"):
                mu = _inverse_iteration(q, bands, border, vectors[:, k], float(values[k]), digits)
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


# ---------------------------------------------------------------------------------------
# public API


def certified_leading(
    process: str,
    n: int,
    params: Mapping[str, object] | None,
    leading: int,
    radius: Fraction = Fraction(1, 10**20),
) -> tuple[np.ndarray, float]:
    """Eigenvalues of K (descending, float64) whose ``leading`` largest are certified.

    The leading values are refined and certified to relative ``radius`` (Sturm counts at
    the ends of their balls); the others are float64 estimates. Returns (values, radius);
    EnclosureError if the certification fails.
    """
    q = centred_precision_structure(process, n, params)
    ks = tuple(range(1, min(leading, n - 1) + 1))
    digits = max(17, round(-float(np.log10(float(radius)))) + 3)
    plan = transfer_plan(q)
    if plan is None:
        claims, pending = _dense_refine_and_certify(q, ks, radius, digits)
        estimates = np.array([float(claims[k].mid()) for k in range(1, n)])
    else:
        seeds = float_spectrum(q)
        bits = working_precision(n, digits + 10)
        claims = {k: arb(1.0 / float(seeds[k])) for k in range(1, n)}
        pending = list(ks)
        for early in (True, False):  # the cheap proposal first, then the full iteration
            with ctx.workprec(bits):
                for k in pending:
                    claims[k] = 1 / _refine(plan, float(seeds[k]), digits, bits, early=early)
            verdicts = certify(
                q, [claims[k] for k in range(1, n)], radius, digits=digits, ks=tuple(pending)
            )
            pending = [v.k for v in verdicts if v.state != CERTIFIED]
            if not pending:
                break
        estimates = 1.0 / seeds[1:]
        for k in ks:
            estimates[k - 1] = float(claims[k].mid())
    if pending:
        raise EnclosureError(
            f"could not certify lambda_{pending[0]} of {process} at n = {n} to relative "
            f"{float(radius):.0e}"
        )
    return estimates, float(radius)


def certified_eigenvalues(
    process: str,
    n: int,
    params: Mapping[str, object] | None = None,
    dps: int = 30,
    *,
    progress: ProgressArg = False,
) -> list[arb]:
    """The n - 1 nonzero eigenvalues of K, descending, as balls of relative radius 10^-dps.

    The k-th ball is certified to contain lambda_k. On the transfer path (every process
    but OU at alpha = 1) each ball holds exactly one eigenvalue and all n - 1 are
    accounted for (:mod:`rwpca.numerics.certified.parity`); the dense path certifies each ball
    by Sturm counts, which also covers multiple eigenvalues. Raises
    :class:`EnclosureError` if some eigenvalue could not be certified.
    """
    n = check_n(n)
    dps = check_dps(dps)
    q = centred_precision_structure(process, n, params)
    plan = transfer_plan(q)
    if plan is not None:
        return _shooting_enclosures(q, plan, dps, progress)
    radius = Fraction(1, 10**dps)
    claims, pending = _dense_refine_and_certify(q, range(1, n), radius, dps, progress)
    if pending:
        raise EnclosureError(
            f"could not certify lambda_{pending[0]} of {process} at n = {n} to {dps} digits"
        )
    return _balls(list(claims.values()), radius, working_precision(n, dps + 10))

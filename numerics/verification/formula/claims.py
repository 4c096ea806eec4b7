"""What :func:`~rwpca.numerics.verification.formula.check.check_formula` tries for a claim.

A fixed, public plan alone can be gamed: a formula wrong only at sizes the plan skips, or
only at parameters other than the defaults, passes it. So the default plan of a claim is

* **sizes**: the fixed sizes, a size divisible by every integer up to 7 (:data:`COMPOSITE`),
  and sizes drawn from the declared domain of n (:data:`~rwpca.proofs.domains.N`), two in
  its sampling span and one up to :data:`MAX_DRAWN`;
* **digits**: the certified comparison at the requested digits everywhere and, at the
  smallest sizes, at :data:`DEEP_DPS` digits, so that a relative term like n^-100 or
  10^-35, invisible at 30 digits, is exposed where it is largest;
* **parameters**: the process's default sets, points near both ends of each parameter's
  declared domain, and one point drawn from the domain.

The draws are reproducible but not predictable without running the check: they are seeded
by a hash of the claim (its SymPy tree) and the process (:func:`claim_seed`).

>>> import sympy as sp
>>> n, k = sp.symbols("n k")
>>> plan = exact_plan(claim_seed("plain", 1 / (2 - 2 * sp.cos(sp.pi * k / n))))
>>> COMPOSITE in plan.sizes and set(DEEP_SIZES) <= set(plan.sizes)
True
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, replace
from fractions import Fraction

import sympy as sp

from rwpca.proofs.domains import Domain, N, open_
from rwpca.proofs.processes import get_process

#: The fixed sizes of an exact claim.
FIXED_SIZES = (2, 3, 4, 5, 8, 13, 31, 64, 160)
#: lcm(1, ..., 7): a size in every residue class 0 mod m for m <= 7.
COMPOSITE = 420
#: Sizes drawn from the domain of n: within its sampling span, and one up to MAX_DRAWN.
DRAWN_SMALL = 2
MAX_DRAWN = 1000
#: Sizes at which the claims are compared again at DEEP_DPS digits.
DEEP_SIZES = (2, 3, 5)
DEEP_DPS = 120
#: How far inside an open end the near-end parameters lie: exact claims hold at every
#: parameter, a limit only where n_max (distance to the end) is large, so limits stay
#: LIMIT_END_DISTANCE inside.
EXACT_END_DISTANCE = Fraction(1, 100)
LIMIT_END_DISTANCE = Fraction(1, 10)


def claim_seed(process: str, formula: sp.Basic) -> int:
    """A 64-bit seed from the claim's SymPy tree and the process (sha256)."""
    digest = hashlib.sha256(f"{process}\n{sp.srepr(formula)}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True)
class ExactPlan:
    """The sizes of an exact claim: all of them, the drawn ones, and the deep ones."""

    sizes: tuple[int, ...]
    drawn: tuple[int, ...]
    deep: tuple[int, ...]
    deep_dps: int


def _size(value: object) -> int:
    checked = N.check(value)  # an int for an integer domain, or ValueError
    assert isinstance(checked, int)
    return checked


def exact_plan(seed: int) -> ExactPlan:
    """Fixed sizes, :data:`COMPOSITE` and sizes drawn from N's domain with ``seed``."""
    small = tuple(_size(s) for s in N.samples(DRAWN_SMALL, seed=seed))
    large = random.Random(seed).randrange(int(N.sampling_range()[1]) + 1, MAX_DRAWN + 1)
    drawn = tuple(sorted({*small, _size(large)}))
    sizes = tuple(sorted({*FIXED_SIZES, COMPOSITE, *drawn}))
    return ExactPlan(sizes, drawn, DEEP_SIZES, DEEP_DPS)


def _inner(domain: Domain, distance: Fraction) -> Domain:
    """The domain narrowed by ``distance`` at each finite end (for draws of a limit)."""
    lo, hi = domain.ends()
    lower = domain.lower if lo is None else open_(sp.Rational(lo + distance))
    upper = domain.upper if hi is None else open_(sp.Rational(hi - distance))
    return replace(domain, lower=lower, upper=upper)


def parameter_points(process: str, seed: int, *, exact: bool) -> list[dict[str, Fraction]]:
    """The default parameter points of a claim: the process's check sets, both ends of each
    parameter's domain, and one point drawn from the domain (inside the ends for a limit)."""
    proc = get_process(process)
    points: list[dict[str, Fraction]] = [dict(p) for p in proc.check_sets]
    distance = EXACT_END_DISTANCE if exact else LIMIT_END_DISTANCE
    for domain in proc.domains:
        base = {d.name: Fraction(proc.check_sets[0][d.name]) for d in proc.domains}
        for end in domain.near_ends(distance):
            points.append({**base, domain.name: Fraction(end)})
        region = domain if exact else _inner(domain, distance)
        drawn = region.samples(1, seed=seed)[0]
        points.append({**base, domain.name: Fraction(drawn)})
    unique: dict[tuple, dict[str, Fraction]] = {}
    for point in points:
        unique.setdefault(tuple(sorted(point.items())), point)
    return list(unique.values())


__all__ = [
    "COMPOSITE",
    "DEEP_DPS",
    "DEEP_SIZES",
    "ExactPlan",
    "claim_seed",
    "exact_plan",
    "parameter_points",
]

"""Plans: what is checked for each catalog entry by default (sizes, digits, parameters).

A :class:`Plan` is data: the sizes n of the default run, the digits of the certified
comparison, the parameter values (or limit paths n -> parameters) and extra runs beyond
the plan. ``rwpca verify`` without ``--n`` runs an entry's plan, and the stored evidence
is the plan's result. Parameter values are exact rationals.

>>> from rwpca.proofs.catalog import get
>>> plan_for(get("rw.eigenvalue")).sizes[-1]
1000
>>> [s.label for s in parameter_sets_for(get("momentum.eigenvalue"), plan_for(get("momentum.eigenvalue")))]
['gamma = 1/2', 'gamma = -3/10', 'gamma = 9/10', 'gamma = -9/10']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from rwpca.numerics.verification.formula.check import (
    DEFAULT_DPS,
    ParameterSet,
    parameter_sets,
    path,
)
from rwpca.proofs.catalog import Entry
from rwpca.proofs.catalog.core import RegimeKind


@dataclass(frozen=True)
class Plan:
    """Default sizes, digits and parameters of an entry's verification."""

    sizes: tuple[int, ...]
    dps: int = DEFAULT_DPS
    params: tuple[dict[str, Fraction], ...] | None = None
    paths: tuple[tuple[str, Callable[[int], dict[str, object]]], ...] = ()
    extra: tuple[tuple[tuple[int, ...], int], ...] = ()  # (sizes, dps) runs beyond the plan


EXACT_PLAN_SIZES = (2, 3, 4, 5, 8, 13, 31, 64, 160, 1000)
SMALL_EXACT_SIZES = (2, 3, 4, 5, 8, 13, 31, 64, 160)
LIMIT_SIZES = (50, 100, 200, 400, 800, 1600)
GAMMAS = ({"gamma": Fraction(1, 2)}, {"gamma": Fraction(-3, 10)}, {"gamma": Fraction(9, 10)})
ALPHAS = ({"alpha": Fraction(1, 10)}, {"alpha": Fraction(3, 2)})
#: Limit statements are sampled near both ends of their parameter's domain, as near as the
#: regime allows at the plan's largest size (n (1 - |gamma|) and n min(alpha, 2 - alpha)
#: = 160 at n = 1600), and inside it; gamma = -9/10 lies below 2 sqrt 2 - 3, where the
#: momentum values stop decreasing in k.
MOMENTUM_LIMIT_GAMMAS = (*GAMMAS, {"gamma": Fraction(-9, 10)})
OU_LIMIT_ALPHAS = (
    {"alpha": Fraction(1, 20)},
    *ALPHAS,
    {"alpha": Fraction(19, 10)},
)
#: ou.eigenvalue.small_k holds for 0 < alpha < 1 (its declared domain): both ends of that.
OU_SMALL_K_ALPHAS = tuple({"alpha": Fraction(a)} for a in ("1/20", "1/2", "19/20"))
#: OU rates and noise scales at which the OU distance is compared exactly.
OU_DISTANCE_ALPHAS = (Fraction(1, 1000), Fraction(1, 10), Fraction(3, 2))
OU_DISTANCE_SIGMAS = (Fraction(1), Fraction(3, 2))
#: Sizes at which a limit statement is read as an exact one (a finding), and the digits.
AS_EXACT_SIZES = (3, 8, 31)
AS_EXACT_DPS = 15
#: momentum.eigenvalue.exact: gamma near both ends of its domain, on both sides of
#: 2 sqrt 2 - 3 (where f stops being monotone) and near the plain walk.
MOMENTUM_EXACT_GAMMAS = tuple(
    Fraction(g) for g in ("-4/5", "-3/10", "1/10", "1/2", "9/10", "99/100")
)
#: The error law of the momentum formula: its sizes and components, the gammas of the verdict
#: (n (1 - |gamma|) >> k at these n) and one outside the regime (n (1 - gamma) <= 16 here),
#: shown beside them.
ERROR_LAW_SIZES = (100, 200, 400, 800, 1600)
ERROR_LAW_KS = (1, 2, 3)
ERROR_LAW_GAMMAS = tuple({"gamma": g} for g in MOMENTUM_EXACT_GAMMAS[:-1])
ERROR_LAW_OUTSIDE = MOMENTUM_EXACT_GAMMAS[-1:]

PLANS: Mapping[str, Plan] = {
    "rw.eigenvalue": Plan(EXACT_PLAN_SIZES, extra=(((10_000,), 8),)),
    "rw.eigenvector": Plan(SMALL_EXACT_SIZES),
    "rw.projection": Plan(SMALL_EXACT_SIZES),
    "rw.lissajous": Plan((7, 8, 13, 31, 64, 160)),
    "rw.trace": Plan((*SMALL_EXACT_SIZES, 1000, 10_000)),
    "rw.evr.exact": Plan(EXACT_PLAN_SIZES),
    "rw.evr": Plan(LIMIT_SIZES),
    "rw.evr.cumulative": Plan(LIMIT_SIZES),
    "momentum.eigenvalue": Plan(LIMIT_SIZES, params=MOMENTUM_LIMIT_GAMMAS),
    "momentum.trace": Plan(EXACT_PLAN_SIZES, params=MOMENTUM_LIMIT_GAMMAS),
    "momentum.evr": Plan(LIMIT_SIZES, params=MOMENTUM_LIMIT_GAMMAS),
    "momentum.eigenvalue.exact": Plan(
        (*SMALL_EXACT_SIZES, 400), params=tuple({"gamma": g} for g in MOMENTUM_EXACT_GAMMAS)
    ),
    "momentum.eigenvalue.error": Plan(ERROR_LAW_SIZES, params=ERROR_LAW_GAMMAS),
    "ou.eigenvalue": Plan(LIMIT_SIZES, params=OU_LIMIT_ALPHAS),
    "ou.eigenvalue.mirror": Plan(
        LIMIT_SIZES,
        paths=(
            ("alpha = 1/n^2 (n alpha = 1/n -> 0)", lambda size: {"alpha": Fraction(1, size**2)}),
        ),
    ),
    # alpha < 1 only: for alpha > 1 the walk oscillates, the largest eigenvalues sit at
    # frequencies near pi and the small-k form describes the smallest ones instead
    "ou.eigenvalue.exact": Plan(
        (*SMALL_EXACT_SIZES, 400),
        params=(
            {"alpha": Fraction(1, 1000)},
            {"alpha": Fraction(1, 10)},
            {"alpha": Fraction(3, 2)},
            {"alpha": Fraction(19, 10)},
        ),
    ),
    "ou.eigenvalue.small_k": Plan(LIMIT_SIZES, params=OU_SMALL_K_ALPHAS),
    "ou.distance": Plan((2, 3, 5, 8, 13, 31, 64, 160)),
    "rw.noise_independence": Plan((2, 3, 4)),
    "descent.gram": Plan((3, 4, 7)),
    "descent.gram.expected": Plan((3, 4, 7)),
    "descent.centred_gram": Plan((3, 4, 7)),
    "descent.limit": Plan((3, 4, 6)),
    "descent.ratio_bound": Plan((8, 16, 24, 40)),
}
DEFAULT_PLAN_EXACT = Plan(SMALL_EXACT_SIZES)
DEFAULT_PLAN_LIMIT = Plan(LIMIT_SIZES)


def plan_for(entry: Entry) -> Plan:
    """The entry's plan (a default one by regime when none is declared)."""
    if entry.id in PLANS:
        return PLANS[entry.id]
    return DEFAULT_PLAN_EXACT if entry.regime.kind is RegimeKind.EXACT else DEFAULT_PLAN_LIMIT


def parameter_sets_for(entry: Entry, plan: Plan) -> list[ParameterSet]:
    """The plan's parameter sets (or limit paths) for the entry's process."""
    process = entry.process or "plain"
    if plan.paths:
        return [path(process, label, fn) for label, fn in plan.paths]
    return parameter_sets(process, list(plan.params) if plan.params else None)


def is_default_run(plan: Plan, sizes: tuple[int, ...], dps: int | None = None) -> bool:
    """Whether a run uses the plan's own sizes (and digits): the extras belong to it."""
    return sizes == plan.sizes and (dps is None or dps == plan.dps)


__all__ = ["PLANS", "Plan", "is_default_run", "parameter_sets_for", "plan_for"]

"""What the recorded runs say about the paper's claims, read off their cached summaries.

Typed statements (:class:`PaperComparison`); :mod:`rwpca.documents.nn_comparison` words
them. Every "consistent" here is the verdict's (a null with independent steps is never
called consistent when the step autocorrelation rejects independence).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rwpca.numerics.nulls.results import INDEPENDENT_NULLS, NULL_MODELS, NoteKind
from rwpca.numerics.trajectories.recorded import RecordedRuns, RunSummary

#: A projection "follows the cosine" when its Lissajous score is at least this.
LISSAJOUS_ALIGNED = 0.9


@dataclass(frozen=True)
class EarlyAgainstMiddle:
    """The same network early (first window) and in the middle of training."""

    early_first_share: float
    middle_first_share: float
    early_p_values: tuple[float, ...]  # in the order of NULL_MODELS
    middle_p_values: tuple[float, ...]
    early_further: bool  # the early window's best p-value is the smaller one
    early_second_drift_quotient: float  # component 2 against null (c), early window


@dataclass(frozen=True)
class MomentumRuns:
    """The momentum runs: the walk's own spectrum, what their steps show, the verdicts."""

    runs: tuple[str, ...]
    gamma: float  # the optimizer's
    n: int
    departure: float  # k of order n (1 - gamma) / pi where momentum ratios leave the plain ones
    correlated: tuple[str, ...]  # runs whose step autocorrelation rejects independence
    lag_one: dict[str, float]  # run -> lag-1 step cosine
    fitted_gamma: dict[str, float]  # run -> gamma estimated by null (d)
    called_independent: tuple[str, ...]  # runs the verdict calls consistent with (a), (b) or (c)
    momentum_consistent: tuple[str, ...]  # runs consistent with null (d)


@dataclass(frozen=True)
class PaperComparison:
    """The statements of the comparison, read off the cached numbers (runs by ID)."""

    runs: tuple[str, ...]  # the training runs (not the control)
    alpha: float
    first_quotients: dict[str, float]  # observed / null (a), component 1
    first_above: tuple[str, ...]  # runs whose first component exceeds the plain walk's share
    plain_first_ratio: float  # the plain walk's first ratio at the first run's n
    n: int
    drift_first_quotients: dict[str, float]  # observed / null (c), component 1
    consistent: dict[str, tuple[str, ...]]  # null -> runs the verdict calls consistent with it
    consistent_with_some: tuple[str, ...]
    not_independent: tuple[str, ...]  # runs whose steps are autocorrelated
    effective_dimensions: tuple[float, ...]  # the finite d_eff of the runs
    parameters: tuple[int, int]  # smallest and largest d
    below_n: tuple[str, ...]  # runs with d_eff < n
    lissajous_aligned: tuple[str, ...]  # first two Lissajous scores >= LISSAJOUS_ALIGNED
    early: EarlyAgainstMiddle | None
    momentum: MomentumRuns | None
    control_p_values: tuple[float, ...] | None  # the simulated control, in NULL_MODELS order
    control_passes: bool | None  # every null consistent and independence not rejected
    control_effective_dimension: float | None


def _correlated(summary: RunSummary) -> bool:
    return any(note["kind"] == NoteKind.CORRELATED_STEPS for note in summary.analysis["notes"])


def _p_values(summary: RunSummary) -> tuple[float, ...]:
    tests = summary.analysis["tests"]
    return tuple(tests[name]["p_value"] for name in NULL_MODELS)


def _early_against_middle(cache: RecordedRuns) -> EarlyAgainstMiddle | None:
    early, middle = cache.runs.get("mlp-sgd-early"), cache.runs.get("mlp-sgd")
    if early is None or middle is None:
        return None
    e, m = early.analysis, middle.analysis
    early_p, middle_p = _p_values(early), _p_values(middle)
    return EarlyAgainstMiddle(
        e["explained_variance_ratio"][0],
        m["explained_variance_ratio"][0],
        early_p,
        middle_p,
        max(early_p) < max(middle_p),
        e["tests"]["drift"]["quotient"][1],
    )


def _momentum(runs: list[RunSummary]) -> MomentumRuns | None:
    momentum = [r for r in runs if r.config.get("optimizer") == "momentum"]
    if not momentum:
        return None
    gamma, n = momentum[0].config["momentum"], momentum[0].analysis["n"]
    return MomentumRuns(
        runs=tuple(r.id for r in momentum),
        gamma=gamma,
        n=n,
        departure=n * (1 - gamma) / math.pi,
        correlated=tuple(r.id for r in momentum if _correlated(r)),
        lag_one={r.id: r.analysis["step_autocorrelation"]["mean_cosine"][0] for r in momentum},
        fitted_gamma={
            r.id: r.analysis["tests"]["momentum"]["parameters"]["gamma"] for r in momentum
        },
        called_independent=tuple(
            r.id
            for r in momentum
            if set(INDEPENDENT_NULLS) & set(r.analysis["verdict"]["consistent"])
        ),
        momentum_consistent=tuple(
            r.id for r in momentum if "momentum" in r.analysis["verdict"]["consistent"]
        ),
    )


def compare_with_paper(cache: RecordedRuns) -> PaperComparison:
    """What the cached runs say about the paper's claims (see :class:`PaperComparison`)."""
    runs = [r for r in cache.runs.values() if not r.simulated]
    control = [r for r in cache.runs.values() if r.simulated]
    first = {r.id: r.analysis["tests"]["random_walk"]["quotient"][0] for r in runs}
    finite = tuple(
        r.analysis["effective_dimension"]
        for r in runs
        if r.analysis["effective_dimension"] is not None
    )
    control_data = control[0].analysis if control else None
    return PaperComparison(
        runs=tuple(r.id for r in runs),
        alpha=runs[0].analysis["level"],
        first_quotients=first,
        first_above=tuple(key for key, q in first.items() if q > 1),
        plain_first_ratio=runs[0].analysis["null_ratios"]["random_walk"][0],
        n=runs[0].analysis["n"],
        drift_first_quotients={r.id: r.analysis["tests"]["drift"]["quotient"][0] for r in runs},
        consistent={
            name: tuple(r.id for r in runs if name in r.analysis["verdict"]["consistent"])
            for name in NULL_MODELS
        },
        consistent_with_some=tuple(r.id for r in runs if r.analysis["verdict"]["consistent"]),
        not_independent=tuple(
            r.id for r in runs if r.analysis["step_autocorrelation"]["rejects_independence"]
        ),
        effective_dimensions=finite,
        parameters=(min(r.analysis["d"] for r in runs), max(r.analysis["d"] for r in runs)),
        below_n=tuple(
            r.id for r in runs if (r.analysis["effective_dimension"] or math.inf) < r.analysis["n"]
        ),
        lissajous_aligned=tuple(
            r.id for r in runs if min(r.analysis["lissajous"][:2]) >= LISSAJOUS_ALIGNED
        ),
        early=_early_against_middle(cache),
        momentum=_momentum(runs),
        control_p_values=None if not control else _p_values(control[0]),
        control_passes=(
            None
            if control_data is None
            else list(control_data["verdict"]["consistent"]) == list(NULL_MODELS)
            and not control_data["step_autocorrelation"]["rejects_independence"]
        ),
        control_effective_dimension=(
            control_data["effective_dimension"] if control_data is not None else None
        ),
    )

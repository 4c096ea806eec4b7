"""Which decay law a trajectory window's explained-variance ratios follow, and the finite-d
random-walk null at the window's measured effective dimension.

Two laws compete for the ratios ``rho_k``, k = 2..11 (:data:`FIT_FIRST`, :data:`FIT_LAST`;
fewer when the window has fewer):

* **random walk** (catalog ``rw.evr.exact``): ``rho_k`` proportional to
  ``sin(pi k / (2n))^(-p)``, ``p = 2`` for the paper's walk (``rho_k ~ 6 / (pi^2 k^2)`` for
  k << n); a power law in k. The exponent is fitted, so a walk at finite d, whose ratios
  fall faster than k^-2 past its d_eff components, still counts as a power law;
* **descent** (the hyper-ribbon case: gradient descent on a quadratic, whose Gram matrix is
  a positive semidefinite Hankel matrix): ``rho_k`` proportional to ``r^k``, a geometric
  (exponentially fast) decay.

Each is a straight-line least-squares fit of ``log rho_k`` (two parameters each: a scale
and the exponent p or the rate ``-log r``), so their residual sums of squares compare
directly: ``log_evidence = (K / 2) log(RSS_walk / RSS_descent)`` is the Gaussian
log-likelihood ratio of the two fits (positive favours descent). That is a description of
the shape, not a test: a random walk in few dimensions also decays quickly past its d_eff
components. So the evidence is calibrated against the **finite-d null**: isotropic
Gaussian steps in ``d = round(d_eff)`` dimensions at the window's n, whose ratios are
those of ``sum_j w_j g_j g_j^T`` (``w_j`` the null (a) ratios, ``g_j ~ N(0, I_d)``); the
fraction of its draws whose own ``log_evidence`` reaches the window's is the p-value of
"descent fits better than a random walk of this d_eff would". The same draws give the
finite-d null's mean ratios and pointwise band, the finite-d counterpart of the paper's
null (a), which needs d_eff >> n.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from rwpca.numerics.laws.fixed_d import sample_ratios

#: The ratios the law fit uses, k = 2..11 (fewer when the window has fewer): the first is
#: left out because a drift or a descent's net displacement inflates it whatever the law.
FIT_FIRST, FIT_LAST = 2, 11

# A ratio below this fraction of the first is float64 round-off of the centred Gram's
# eigenvalues (absolute error ~ n eps lambda_1), not signal: it is clipped there, so a
# collapsed spectrum reads as the fastest decay instead of as log(0).
_FLOOR = 64 * np.finfo(float).eps


class DecayLaw(StrEnum):
    """The two laws compared (see the module docstring)."""

    RANDOM_WALK = "random_walk"  # rho_k ~ sin(pi k / 2n)^-p: a power law, p = 2 for the walk
    DESCENT = "descent"  # rho_k ~ r^k: geometric decay (gradient descent, hyper-ribbons)


@dataclass(frozen=True)
class LawFit:
    """One law's least-squares fit of ``log rho_k``, k = 1..K.

    ``parameter``: the exponent p (random walk) or the decay factor r per component
    (descent); ``rms_log_residual``: the root-mean-square residual of ``log rho_k``, so
    ``exp(rms)`` is the typical factor by which the fitted law misses a ratio.
    """

    law: DecayLaw
    parameter: float
    rms_log_residual: float

    def to_json(self) -> dict[str, Any]:
        name = "exponent" if self.law is DecayLaw.RANDOM_WALK else "factor_per_component"
        return {name: _finite(self.parameter), "rms_log_residual": _finite(self.rms_log_residual)}


@dataclass(frozen=True)
class LawComparison:
    """The two fits and which fits better.

    ``components``: how many ratios (k = 2, 3, ...) the fits used: those of
    :func:`fit_range` above the round-off floor (fewer than 3: the spectrum collapsed,
    the fits are NaN and the evidence for descent is infinite).
    ``log_evidence``: ``(K / 2) log(RSS_walk / RSS_descent)``, positive when descent fits
    better; ``p_value``: the fraction (with the usual +1) of finite-d random-walk draws
    whose ``log_evidence`` is at least the window's (None when not calibrated).
    """

    components: int
    random_walk: LawFit
    descent: LawFit
    log_evidence: float
    p_value: float | None = None

    @property
    def better(self) -> DecayLaw:
        return DecayLaw.DESCENT if self.log_evidence > 0 else DecayLaw.RANDOM_WALK

    def to_json(self) -> dict[str, Any]:
        return {
            "components": self.components,
            "random_walk": self.random_walk.to_json(),
            "descent": self.descent.to_json(),
            "better": self.better,
            "log_evidence": _finite(self.log_evidence),  # None: infinite (collapsed)
            "p_value": self.p_value,
        }


@dataclass(frozen=True)
class FiniteDNull:
    """Null (a) at finite d: isotropic Gaussian steps in ``dimension`` dimensions.

    ``dimension``: ``round(d_eff)`` clipped to [1, d]; ``mean`` and ``band`` (K x 2, the
    pointwise ``alpha / 2`` and ``1 - alpha / 2`` quantiles) of the first K ratios over
    ``draws`` simulated walks; ``deviating``: the components (1-based) whose observed
    ratio lies outside its band.
    """

    dimension: int
    draws: int
    mean: np.ndarray
    band: np.ndarray
    deviating: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "draws": self.draws,
            "mean": self.mean.tolist(),
            "band": self.band.tolist(),
            "deviating_components": list(self.deviating),
        }


def fit_range(n: int) -> tuple[int, int]:
    """The components (first, last, 1-based) the law fit uses for a window of n points."""
    return FIT_FIRST, min(FIT_LAST, n - 1)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _design(n: int, K: int) -> dict[DecayLaw, np.ndarray]:
    k = np.arange(FIT_FIRST, K + 1, dtype=float)
    return {
        DecayLaw.RANDOM_WALK: -np.log(np.sin(np.pi * k / (2 * n))),
        DecayLaw.DESCENT: -k,
    }


def _fit(
    ratios: np.ndarray, n: int, floor: float = 0.0
) -> tuple[dict[DecayLaw, tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """Slopes and residual sums of squares of ``log rho_k ~ a + b x_k`` for each law, row by
    row of ``ratios`` (draws x K), over the ratios above the round-off floor; and how many
    ratios each row's fit used."""
    ratios = np.atleast_2d(np.asarray(ratios, dtype=float))
    K = ratios.shape[-1]
    first = np.maximum(ratios[:, :1], np.finfo(float).tiny)
    ratios = ratios[:, FIT_FIRST - 1 :]
    used = ratios > np.maximum(_FLOOR * first, floor)
    m = used.astype(float)
    count = m.sum(axis=1)
    logs = np.log(np.where(used, ratios, first))
    out = {}
    for law, x in _design(n, K).items():
        with np.errstate(invalid="ignore", divide="ignore"):
            x_mean = (m @ x) / count
            y_mean = (m * logs).sum(axis=1) / count
            xc = np.where(used, x[None, :] - x_mean[:, None], 0.0)
            yc = np.where(used, logs - y_mean[:, None], 0.0)
            slope = (xc * yc).sum(axis=1) / (xc**2).sum(axis=1)
            rss = ((yc - slope[:, None] * xc) ** 2).sum(axis=1)
        out[law] = (slope, rss)
    return out, count


def _evidence(rss: dict[DecayLaw, np.ndarray], count: np.ndarray) -> np.ndarray:
    """``(K / 2) log(RSS_walk / RSS_descent)`` per row; +inf where fewer than 3 ratios rise
    above round-off (the spectrum collapsed: the fastest decay there is)."""
    # an exactly fitting law has RSS 0: floor both at the round-off of log ratios
    tiny = count * (1e3 * np.finfo(float).eps) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        walk = np.maximum(rss[DecayLaw.RANDOM_WALK], tiny)
        descent = np.maximum(rss[DecayLaw.DESCENT], tiny)
        evidence = 0.5 * count * np.log(walk / descent)
    return np.where(count >= 3, evidence, np.inf)


def compare_laws(
    ratios: np.ndarray, n: int, null_draws: np.ndarray | None = None, floor: float = 0.0
) -> LawComparison:
    """Fit both laws to the explained-variance ratios of a window of ``n`` points.

    ``ratios``: the window's ratios in decreasing order, at least up to component
    ``fit_range(n)[1]`` (n >= 5; later ones are ignored). ``null_draws``: optional
    draws x ``fit_range(n)[1]`` ratios of walks under a null; when given, the comparison's
    ``p_value`` is the fraction of them (plus one over the draws plus one) whose evidence
    for descent is at least the window's. ``floor``: the ratio below which the window's
    values are round-off (see :func:`round_off_floor`); ratios under it are left out.

    >>> k = np.arange(1, 12)
    >>> compare_laws(0.5**k, n=100).better, compare_laws(1.0 / k**2, n=1000).better
    (<DecayLaw.DESCENT: 'descent'>, <DecayLaw.RANDOM_WALK: 'random_walk'>)
    """
    if n < 5:
        raise ValueError(f"n = {n} points is not allowed for the law fit: at least 5 are needed")
    K = fit_range(n)[1]
    ratios = np.asarray(ratios, dtype=float)
    if ratios.ndim != 1 or ratios.size < K:
        raise ValueError(f"{ratios.size} ratios given: the law fit at n = {n} needs {K}")
    ratios = ratios[:K]
    if not (np.isfinite(ratios).all() and (ratios >= 0).all() and ratios[0] > 0):
        raise ValueError("the ratios must be finite and nonnegative, the first positive")
    fits, count = _fit(ratios, n, floor)
    evidence = float(_evidence({law: rss for law, (_, rss) in fits.items()}, count)[0])
    p_value = None
    if null_draws is not None:
        draws = np.asarray(null_draws, dtype=float)
        if draws.ndim != 2 or draws.shape[1] < K:
            raise ValueError(f"null_draws has shape {draws.shape}: expected (draws, {K})")
        null_fits, null_count = _fit(draws[:, :K], n)
        null_evidence = _evidence({law: rss for law, (_, rss) in null_fits.items()}, null_count)
        p_value = float((1 + np.count_nonzero(null_evidence >= evidence)) / (1 + len(draws)))
    used = int(count[0])

    def law_fit(law: DecayLaw) -> LawFit:
        slope, rss = (float(v[0]) for v in fits[law])
        if used < 3:  # collapsed: no line to fit
            return LawFit(law, math.nan, math.nan)
        parameter = slope if law is DecayLaw.RANDOM_WALK else math.exp(-slope)
        return LawFit(law, parameter, math.sqrt(rss / used))

    return LawComparison(
        components=used,
        random_walk=law_fit(DecayLaw.RANDOM_WALK),
        descent=law_fit(DecayLaw.DESCENT),
        log_evidence=evidence,
        p_value=p_value,
    )


def round_off_floor(G: np.ndarray, total: float) -> float:
    """The explained-variance ratio below which a window's values are float64 round-off.

    The centred Gram ``C G C`` is computed from ``G``, whose entries carry relative errors of
    a few eps; centring cancels the common offset, so each eigenvalue of ``C G C`` carries an
    absolute error up to about ``n eps max |G_ij|`` (Weyl), which can be far above
    ``eps lambda_1(C G C)`` when the checkpoints barely move from a large offset (slow
    coordinates of gradient descent). As a ratio that is ``64 n eps max |G| / tr(C G C)``.
    """
    n = G.shape[0]
    return float(64 * n * np.finfo(float).eps * np.abs(G).max() / total)


def finite_d_dimension(effective_dimension: float, d: int) -> int | None:
    """The integer dimension of the finite-d null: ``round(d_eff)`` in [1, d], or None when
    d_eff is infinite (no two steps overlap: nothing to simulate)."""
    if not math.isfinite(effective_dimension):
        return None
    return int(min(max(round(effective_dimension), 1), d))


def finite_d_null(
    observed: np.ndarray, draws: np.ndarray, dimension: int, alpha: float
) -> FiniteDNull:
    """Summarise finite-d null ``draws`` (draws x K ratios) against the ``observed`` K."""
    draws = np.asarray(draws, dtype=float)
    band = np.quantile(draws, [alpha / 2, 1 - alpha / 2], axis=0).T
    observed = np.asarray(observed, dtype=float)[: draws.shape[1]]
    outside = (observed < band[:, 0]) | (observed > band[:, 1])
    return FiniteDNull(
        dimension=dimension,
        draws=len(draws),
        mean=draws.mean(axis=0),
        band=band,
        deviating=tuple(int(k) + 1 for k in np.flatnonzero(outside)),
    )


def describe_laws(
    ratios: np.ndarray,
    null_ratios: np.ndarray,
    d: int,
    effective_dimension: float,
    components: int,
    draws: int,
    alpha: float,
    seed: int | Sequence[int],
    floor: float = 0.0,
) -> tuple[FiniteDNull | None, LawComparison | None]:
    """The finite-d null and the calibrated law comparison of one window.

    ``ratios``: the window's explained-variance ratios (n - 1 of them); ``null_ratios``: the
    ratios of the walk the finite-d null randomises (null (a)'s, whose eigenvalues are the
    weights); ``d`` and ``effective_dimension``: the parameter count and the measured d_eff
    (see :func:`finite_d_dimension`); ``components``: K, the components banded; ``draws``
    simulated walks (:func:`rwpca.numerics.laws.fixed_d.sample_ratios`) from ``seed``; ``floor``: the window's round-off ratio
    (:func:`round_off_floor`). None for the null when d_eff is infinite, for the comparison
    below n = 5.
    """
    n = len(ratios) + 1
    dimension = finite_d_dimension(effective_dimension, d)
    simulated = None
    finite = None
    if dimension is not None:
        last = max(components, fit_range(n)[1])
        simulated = sample_ratios(null_ratios, dimension, last, draws, seed)
        finite = finite_d_null(ratios[:components], simulated[:, :components], dimension, alpha)
    laws = compare_laws(ratios, n, simulated, floor) if n >= 5 else None
    return finite, laws

"""The randomisation test of one null model: replicates, statistic, p-value and band.

The mathematics is in :mod:`rwpca.numerics.trajectories.analysis`. The replicates of the
paper's three nulls are the trajectory's steps reordered and/or sign-flipped, all at once
(:mod:`rwpca.numerics.nulls.randomisation`); those of nulls (d) and (e) are walks
re-integrated from reordered innovations
(:meth:`~rwpca.numerics.nulls.dynamics.MomentumNull.replicates`), also all at once: the
same certified block Krylov method with the integrating filter on both sides of its GEMM.

The statistic of every null is the largest standardised deviation over the first K
components' (log quotient, Lissajous score) and the steps' lag-1 cosine
(:func:`~rwpca.numerics.nulls.autocorrelation.lag_cosines`): momentum barely
changes the spectrum (the paper's point) but moves the lag-1 cosine far from what
independent steps give, so the cosine is what gives nulls (a)-(c) their power against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rwpca.numerics.nulls import randomisation
from rwpca.numerics.nulls.autocorrelation import permuted_lag_cosines
from rwpca.numerics.nulls.null_models import IndependentNull, Null, cosine_basis, lissajous
from rwpca.numerics.progress import Task

#: Lags of the step cosines inside every null's statistic: lag 1 carries nearly all of
#: momentum's signal, and each further component dilutes the max-|z| statistic's power
#: against what the ratios detect (the diagnostic reports lags 1..LAGS).
STATISTIC_LAGS = 1

#: Which symmetries each independent null's randomisation uses: (permute order, flip signs).
SYMMETRIES = {
    "random_walk": (True, True),
    "step_schedule": (False, True),
    "drift": (True, False),
}


def statistics(ratios: np.ndarray, null_ratios: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """(log quotient, atanh Lissajous) for k = 1..K, stacked as K x 2 (any batch axes)."""
    tiny = np.finfo(float).tiny
    logq = np.log(np.maximum(ratios, tiny) / np.maximum(null_ratios, tiny))
    score = np.clip(lissajous(vectors), 0.0, 1 - 1e-12)
    return np.stack([logq, np.arctanh(score)], axis=-1)


def replicates_of(
    null: Null,
    M: np.ndarray,
    null_top: np.ndarray,
    count: int,
    replicates: int,
    rng: np.random.Generator,
    lags: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(statistics B x K x 2, lag cosines B x lags) of the null's B randomised walks."""
    N = M.shape[0]
    W = randomisation.walk_weights(N + 1)
    if isinstance(null, IndependentNull):
        orders, signs = randomisation.draw(rng, N, replicates, *SYMMETRIES[null.name])
        plan = randomisation.Replicates(M, orders, signs)
    else:
        plan = null.replicates(rng, replicates)
    values, vectors = randomisation.spectra(
        plan.gram, plan.orders, plan.signs, count, cosine_basis, plan.step_filter
    )
    if plan.step_filter is None:
        trace = randomisation.traces(plan.gram, plan.orders, plan.signs, W)
        cosines = permuted_lag_cosines(plan.gram, plan.orders, plan.signs, lags)
    else:
        trace, cosines = randomisation.filtered_moments(plan, W, lags)
    return statistics(values / trace[:, None], null_top, vectors), cosines


@dataclass(frozen=True)
class Calibration:
    """One null's randomisation test: data z (K x 2), band (K x 2), T, critical value, p,
    the replicates' mean Lissajous scores (K) and the lag-cosine part."""

    z: np.ndarray
    band: np.ndarray
    statistic: float
    critical_value: float
    p_value: float
    lissajous_mean: np.ndarray
    lags: LagTest


def calibrate(
    null: Null,
    M: np.ndarray,
    null_top: np.ndarray,
    observed: np.ndarray,
    count: int,
    replicates: int,
    alpha: float,
    rng: np.random.Generator,
    bar: Task,
    observed_lags: np.ndarray,
) -> Calibration:
    """Randomisation test under ``null`` of the observed statistics and lag cosines.

    The statistic also takes the largest |z| of the step lag cosines of the data against
    the same randomised walks, two-sided.
    """
    stats, lags = replicates_of(null, M, null_top, count, replicates, rng, observed_lags.size)
    bar.update(replicates)
    # the data join the replicates in the standardisation: all B + 1 walks are then
    # treated alike, which keeps the test exact (an outlying replicate would otherwise
    # shrink its own z-score but not the data's)
    pooled = np.concatenate([stats, observed[None]], axis=0)
    mean = pooled.mean(axis=0)
    sd = np.maximum(pooled.std(axis=0, ddof=1), 1e-12)

    def deviation(s: np.ndarray) -> np.ndarray:
        z = (s - mean) / sd
        # a ratio may deviate either way; a Lissajous score only matters when too low
        return np.stack([np.abs(z[..., 0]), np.maximum(-z[..., 1], 0.0)], axis=-1)

    lag_test = LagTest.of(observed_lags, lags)
    T_reps = np.maximum(deviation(stats).reshape(replicates, -1).max(axis=1), lag_test.T_reps)
    T = max(float(deviation(observed).max()), lag_test.T)
    p = (1 + int(np.sum(T_reps >= T))) / (replicates + 1)
    order = np.sort(T_reps)
    crit = float(order[min(replicates - 1, math.ceil((1 - alpha) * (replicates + 1)) - 1)])
    band = np.exp(np.stack([mean[:, 0] - crit * sd[:, 0], mean[:, 0] + crit * sd[:, 0]], axis=1))
    z_obs = (observed - mean) / sd
    return Calibration(z_obs, band, T, crit, p, np.tanh(mean[:, 1]), lag_test)


@dataclass(frozen=True)
class LagTest:
    """The lag-cosine part of a null's statistic: data z, replicate means, replicate max |z|."""

    z: np.ndarray
    mean: np.ndarray
    T: float
    T_reps: np.ndarray

    @classmethod
    def of(cls, observed: np.ndarray, replicates: np.ndarray) -> LagTest:
        # lags longer than the walk are 0 in every walk and carry no information
        usable = replicates.std(axis=0) > 0
        if not usable.any():
            zero = np.zeros(observed.size)
            return cls(zero, replicates.mean(axis=0), 0.0, np.zeros(replicates.shape[0]))
        pooled = np.concatenate([replicates, observed[None]], axis=0)
        mean = pooled.mean(axis=0)
        sd = np.where(usable, np.maximum(pooled.std(axis=0, ddof=1), 1e-12), 1.0)
        z = np.where(usable, (observed - mean) / sd, 0.0)
        T_reps = np.abs(np.where(usable, (replicates - mean) / sd, 0.0)).max(axis=1)
        return cls(z, replicates.mean(axis=0), float(np.abs(z).max()), T_reps)

"""Step autocorrelation: do consecutive updates point in the same direction?

The diagnostic beside every verdict. For the N steps ``s_t = x_{t+1} - x_t`` of a window
(read off their Gram matrix ``M``), the **lag-l step autocorrelation** is the mean cosine
similarity of steps l apart,

    a_l = mean_t  s_t . s_{t+l} / (|s_t| |s_{t+l}|),      l = 1..LAGS,

a number an ML researcher can read directly: SGD with momentum gamma in high dimension
has ``a_l ~ gamma^l``; independent steps without drift have ``a_l ~ 0``; a constant drift
makes every pair of steps (any lag) alike, so it raises all ``a_l`` and the typical cosine
of *all* pairs by the same amount. (Cosines, not inner products: a decaying learning rate
changes the step sizes, not the directions, so it leaves ``a_l`` alone.) A step of length
zero contributes cosine 0.

**The test of independence** (:func:`step_autocorrelation`) is a permutation test: if the
steps are independent and identically distributed (any mean, any noise distribution, any
anisotropy: *exchangeable*), every reordering of them is as likely as the observed order,
so the lag cosines of B random reorderings have exactly the distribution of the data's.
The statistic is ``max_l |a_l - mean| / sd`` (standardised by the data and the B
reorderings together, as in the randomisation tests of the nulls), and
``p = (1 + #{T_b >= T}) / (B + 1)``. It is exact at finite n and d under exchangeable
steps (which covers nulls (a) and (c)); for independent steps of changing sizes (null (b))
it is exact when the directions are exchangeable, as for a scaled noise ``c_t xi_t``,
because cosines do not see the scale.

:func:`lag_cosines` is also part of every null's randomisation statistic (see
:mod:`rwpca.numerics.trajectories.analysis`), which is what gives null (a) its power
against momentum: momentum changes the PCA spectrum very little (the paper's point),
but it changes the lag cosines a lot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: Lags of the diagnostic (1..LAGS).
LAGS = 5


def lag_cosines(step_gram: np.ndarray, lags: int = LAGS) -> np.ndarray:
    """a_l, l = 1..lags: the mean cosine of steps l apart (0 where a step has length 0).

    Only the first ``lags`` off-diagonals of ``M`` are read (O(N lags)).

    >>> M = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]])
    >>> lag_cosines(M, 2).tolist()
    [0.5, 0.0]
    """
    M = np.asarray(step_gram, dtype=float)
    N = M.shape[0]
    return cosines_of_diagonals([np.diagonal(M, lag) for lag in range(min(lags, N - 1) + 1)], lags)


def cosines_of_diagonals(diagonals: list[np.ndarray], lags: int) -> np.ndarray:
    """:func:`lag_cosines` from the diagonals ``M_{t, t+l}``, l = 0, 1, ... of the step
    Gram matrix (as many as the walk has, up to ``lags``)."""
    q = diagonals[0]
    inverse = np.zeros(q.size)
    moving = q > 1e-300
    inverse[moving] = 1.0 / np.sqrt(q[moving])
    out = np.zeros(lags)
    for lag in range(1, min(lags, q.size - 1) + 1):
        out[lag - 1] = np.mean(diagonals[lag] * inverse[:-lag] * inverse[lag:])
    return out


def permuted_lag_cosines(
    step_gram: np.ndarray, orders: np.ndarray | None, signs: np.ndarray | None, lags: int = LAGS
) -> np.ndarray:
    """B x lags: :func:`lag_cosines` of the walks whose step a is step ``orders[b, a]`` of
    the trajectory times ``signs[b, a]`` (either may be None; not both), without forming
    their Gram matrices.

    >>> M = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]])
    >>> permuted_lag_cosines(M, np.array([[0, 2, 1]]), np.array([[1.0, 1.0, -1.0]]), 2).tolist()
    [[-0.25, -0.5]]
    """
    M = np.asarray(step_gram, dtype=float)
    N = M.shape[0]
    q = np.diagonal(M)
    inverse = np.where(q > 1e-300, 1.0 / np.sqrt(np.maximum(q, 1e-300)), 0.0)
    E = M * inverse[:, None] * inverse[None, :]
    reference = orders if orders is not None else signs
    if reference is None:
        raise ValueError("orders and signs are both None: nothing to randomise")
    B = reference.shape[0]
    index = orders if orders is not None else np.broadcast_to(np.arange(N), (B, N))
    out = np.zeros((B, lags))
    for lag in range(1, min(lags, N - 1) + 1):
        pairs = E[index[:, :-lag], index[:, lag:]]
        if signs is not None:
            pairs = pairs * signs[:, :-lag] * signs[:, lag:]
        out[:, lag - 1] = pairs.mean(axis=1)
    return out


def typical_cosine(step_gram: np.ndarray) -> float:
    """The mean cosine over all pairs of distinct steps (what every lag has under exchangeability)."""
    M = np.asarray(step_gram, dtype=float)
    q = np.diagonal(M)
    inverse = np.where(q > 1e-300, 1.0 / np.sqrt(np.maximum(q, 1e-300)), 0.0)
    E = M * inverse[:, None] * inverse[None, :]
    N = M.shape[0]
    return float((E.sum() - np.trace(E)) / (N * (N - 1))) if N > 1 else 0.0


@dataclass(frozen=True)
class StepAutocorrelation:
    """The lag cosines of a window's steps and the permutation test of their independence.

    ``values``: a_1..a_L; ``independent_mean`` and ``independent_sd``: their mean and sd
    over the data and B reorderings (what independent, identically distributed steps
    give); ``z``: the standardised a_l; ``p_value`` of the joint test over the lags;
    ``rejects_independence``: p <= alpha.
    """

    values: np.ndarray
    independent_mean: np.ndarray
    independent_sd: np.ndarray
    z: np.ndarray
    p_value: float
    alpha: float
    replicates: int

    @property
    def lags(self) -> tuple[int, ...]:
        return tuple(range(1, self.values.size + 1))

    @property
    def rejects_independence(self) -> bool:
        return self.p_value <= self.alpha

    def to_json(self) -> dict[str, Any]:
        return {
            "lags": list(self.lags),
            "mean_cosine": self.values.tolist(),
            "independent_mean_cosine": self.independent_mean.tolist(),
            "independent_sd": self.independent_sd.tolist(),
            "z": self.z.tolist(),
            "p_value": self.p_value,
            "rejects_independence": self.rejects_independence,
        }


def reordered_lag_cosines(
    step_gram: np.ndarray, replicates: int, rng: np.random.Generator, lags: int = LAGS
) -> np.ndarray:
    """B x lags: the lag cosines of B uniformly random reorderings of the steps."""
    M = np.asarray(step_gram, dtype=float)
    N = M.shape[0]
    q = np.diagonal(M)
    inverse = np.where(q > 1e-300, 1.0 / np.sqrt(np.maximum(q, 1e-300)), 0.0)
    E = M * inverse[:, None] * inverse[None, :]
    np.fill_diagonal(E, np.where(q > 1e-300, 1.0, 0.0))
    orders = np.argsort(rng.random((replicates, N)), axis=1)
    out = np.zeros((replicates, lags))
    for lag in range(1, min(lags, N - 1) + 1):
        out[:, lag - 1] = E[orders[:, :-lag], orders[:, lag:]].mean(axis=1)
    return out


def standardised_max(
    observed: np.ndarray, replicates: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(p, z of the data, mean, sd, T of each replicate) of a two-sided max-|z| test.

    The data join the replicates in the standardisation (all B + 1 are treated alike,
    which keeps the permutation test exact).
    """
    pooled = np.concatenate([replicates, observed[None]], axis=0)
    mean = pooled.mean(axis=0)
    sd = np.maximum(pooled.std(axis=0, ddof=1), 1e-12)
    T_reps = np.abs((replicates - mean) / sd).max(axis=1)
    z = (observed - mean) / sd
    T = float(np.abs(z).max())
    p = (1 + int(np.sum(T_reps >= T))) / (replicates.shape[0] + 1)
    return p, z, mean, sd, T_reps


def step_autocorrelation(
    step_gram: np.ndarray,
    replicates: int = 199,
    alpha: float = 0.05,
    rng: np.random.Generator | int = 0,
    lags: int = LAGS,
) -> StepAutocorrelation:
    """The lag cosines of the steps and the permutation test of their independence.

    Exact under exchangeable steps (see the module docstring). With fewer than
    ``lags + 2`` steps the longer lags are 0 in every reordering and do not count.

    >>> rng = np.random.default_rng(1)
    >>> R = rng.standard_normal((80, 500))
    >>> result = step_autocorrelation(R @ R.T, replicates=99)
    >>> bool(abs(result.values[0]) < 0.02), result.rejects_independence
    (True, False)
    """
    if isinstance(rng, (int, np.integer)):
        rng = np.random.default_rng(int(rng))
    M = np.asarray(step_gram, dtype=float)
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] < 2:
        raise ValueError(f"step Gram matrix of shape {M.shape} is not allowed: need N x N, N >= 2")
    observed = lag_cosines(M, lags)
    reordered = reordered_lag_cosines(M, replicates, rng, lags)
    usable = min(lags, M.shape[0] - 1)
    p, z, mean, sd, _ = standardised_max(observed[:usable], reordered[:, :usable])
    pad = np.zeros(lags - usable)
    return StepAutocorrelation(
        values=observed,
        independent_mean=np.concatenate([mean, pad]),
        independent_sd=np.concatenate([sd, pad]),
        z=np.concatenate([z, pad]),
        p_value=p,
        alpha=alpha,
        replicates=replicates,
    )

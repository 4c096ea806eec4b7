"""PCA of a trajectory against random-walk null models, with a calibrated verdict.

Everything is computed from the n x n Gram matrix ``G`` of the checkpoints' displacements
from the first checkpoint of the window (see :mod:`rwpca.numerics.trajectories.readers`):

* **Centred PCA.** ``C G C`` (``C = I - 1 1^T / n``) has eigenvalues ``lambda_k`` (the PCA
  variances times n) and unit eigenvectors ``u_k``, the time courses of the projections:
  the trajectory's coordinate on component k at time t is ``sqrt(lambda_k) u_k(t)``. The
  explained-variance ratios are ``rho_k = lambda_k / trace(C G C)``.
* **Steps.** With ``Delta`` the difference operator, ``M = Delta G Delta^T`` is the Gram
  matrix of the ``N = n - 1`` steps ``s_t = x_t - x_{t-1}`` inside the window; its diagonal
  holds the squared step norms ``||s_t||^2 = G_tt + G_{t-1,t-1} - 2 G_{t,t-1}``. The
  trajectory need not start at a known origin: x_1 (and whatever steps led to it) is a
  constant common to every row and centring removes it exactly, so the analysis uses the
  N increments from the window's first checkpoint, ``C X = C L0 R`` with ``L0`` the n x N
  cumulative sum whose first row is zero and ``R`` the N x d steps.

Null models (each predicts ``C L0 E[R R^T] L0^T C``, exact at finite n, in the limit
d_eff >> n where ``R R^T`` equals its expectation):

* **(a) random walk** (``random_walk``): ``E[R R^T] = sigma^2 d I``; the ratios are the exact
  finite-n ratios of catalog entry ``rw.evr.exact``, ``3 / (2 (n^2 - 1) sin^2(pi k / (2n)))``.
* **(b) step schedule** (``step_schedule``): ``E[R R^T] = D = diag(||s_t||^2)``, the
  trajectory's own step sizes (a decaying learning rate gives decaying steps).
* **(c) drift** (``drift``): ``x_t = x_{t-1} + mu + xi_t`` gives
  ``E[R R^T] = sigma^2 d I + ||mu||^2 1 1^T``. The naive drift estimate ``||(x_n - x_1)/N||^2``
  has expectation ``||mu||^2 + sigma^2 d / N`` (the noise does not average out completely);
  with the mean squared step ``q = mean ||s_t||^2`` (expectation ``||mu||^2 + sigma^2 d``)
  the unbiased estimates are ``||mu||^2 = (N ||m||^2 - q) / (N - 1)`` (clipped at 0) and
  ``sigma^2 d = q - ||mu||^2``. Since ``C L0 1`` is the centred ramp, drift adds a rank-one
  term along an almost-cosine direction and inflates the first component.

**Lissajous score** of component k: ``|u_k . e_k|``, the correlation of the projection with
the exact random-walk eigenvector ``e_k(t) ~ cos(pi k (t - 1/2) / n)`` (catalog entry
``rw.eigenvector``; both have mean zero over t).

**Threshold (why randomisation tests).** At finite d the step Gram matrix is
``D^(1/2) (I + E) D^(1/2)`` with a random ``E``. By Ostrowski's theorem (in its form for a
full-column-rank rectangular ``A = C L0 D^(1/2)``) every eigenvalue of the observed
``A (I + E) A^T`` is the matching eigenvalue of the null ``A A^T`` times a factor in
``[lambda_min(I + E), lambda_max(I + E)]``; that envelope is computed exactly from the data
(:attr:`Analysis.ostrowski`), but it is a worst case: for isotropic Gaussian steps in d_eff
dimensions it is ``(1 +- sqrt(N / d_eff))^2``, the Marchenko-Pastur edges. The typical
error is smaller: to first order ``log(rho_k / rho_k^null)`` is ``tr(P_k E)`` with
``P_k = w_k w_k^T - A^T A / tr(A A^T)``, of standard deviation
``sqrt(2 (1 - 2 rho_k + sum_j rho_j^2) / d_eff)`` for Gaussian steps, valid only while that
is small against the relative eigenvalue gaps. A parametric bootstrap (simulated Gaussian
steps with the measured d_eff) removes the first-order restriction but not the noise
model: NN-like noise concentrated in few directions is not an isotropic Gaussian walk in
d_eff dimensions, and once d_eff is not >> n their spectra fluctuate differently.

So the verdict uses the symmetry that defines each null and needs no noise model: the
trajectory's own steps are reshuffled, which only needs the step Gram matrix ``M``
(``M -> P S M S P^T``, P a permutation, S a diagonal of random signs), and every statistic
is recomputed from the reshuffled walk (all replicates at once, without forming their
matrices: :mod:`rwpca.numerics.trajectories.randomisation`).

* (a) independent, identically distributed, symmetric steps: random order and signs;
* (b) independent symmetric steps of any sizes: random signs (the step sizes stay);
* (c) independent identically distributed steps with a mean: random order (the drift
  stays; the drift and noise estimates are unchanged by construction).

Under its null, the reshuffled walks have exactly the distribution of the trajectory
(whatever the noise distribution, its anisotropy or d_eff, as the paper's results are), so
the test is exact at finite n and d (a randomisation test). The statistic is
``T = max_k |z_k|`` over the standardised log-quotients of the first K ratios and the
(one-sided, Fisher-transformed) Lissajous scores, standardised by the mean and standard
deviation of the data and the B replicates together (so that all B + 1 walks are treated
alike); ``p = (1 + #{T_b >= T}) / (B + 1)``. A component is flagged when its
own |z| exceeds the (1 - alpha) quantile of the replicates' T (a simultaneous band). The
verdict does not depend on the closed-form null ratios (data and replicates are divided
by the same ones; those formulas are verified separately against the exact matrices):
the reported quotients do.

``d_eff`` (:func:`effective_dimension`), the effective number of independent directions
of the steps, ``tr(Sigma)^2 / tr(Sigma^2)``, is reported because the random-walk limit
``R R^T -> I`` needs d_eff >> n, not only d >> n.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from rwpca.numerics.checkpoints.sketch import ratio_sd
from rwpca.numerics.formulas import lambdify_by_name
from rwpca.numerics.progress import ProgressArg, Task, task
from rwpca.numerics.resources import require_memory
from rwpca.numerics.trajectories import randomisation
from rwpca.numerics.trajectories.gram import centred_gram, pca_from_gram, with_blas_threads
from rwpca.proofs.catalog import get

#: Null-model names, in report order, and their titles.
NULL_MODELS = ("random_walk", "step_schedule", "drift")
NULL_TITLES = {
    "random_walk": "(a) random walk",
    "step_schedule": "(b) random walk with the observed step sizes",
    "drift": "(c) random walk with drift",
}


# --- catalog formulas -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _evr_formula() -> Callable[..., Any]:
    return lambdify_by_name(get("rw.evr.exact").rhs, ("n", "k"))


@lru_cache(maxsize=1)
def _eigenvector_formula() -> Callable[..., Any]:
    return lambdify_by_name(get("rw.eigenvector").rhs, ("n", "k", "t"))


def random_walk_ratios(n: int) -> np.ndarray:
    """Exact finite-n ratios of the plain walk, k = 1..n-1 (catalog ``rw.evr.exact``).

    >>> [round(float(r), 6) for r in random_walk_ratios(3)]
    [0.75, 0.25]
    """
    k = np.arange(1, n, dtype=float)
    return np.asarray(_evr_formula()(n, k), dtype=float)


def cosine_basis(n: int, count: int) -> np.ndarray:
    """n x count matrix of the unit random-walk eigenvectors (catalog ``rw.eigenvector``)."""
    return _cosine_basis(n, count).copy()


@lru_cache(maxsize=16)
def _cosine_basis(n: int, count: int) -> np.ndarray:
    t = np.arange(1, n + 1, dtype=float)[:, None]
    k = np.arange(1, count + 1, dtype=float)[None, :]
    basis = np.asarray(_eigenvector_formula()(n, k, t), dtype=float)
    basis.flags.writeable = False
    return basis


# --- linear algebra helpers -------------------------------------------------------------


def _cumulative(steps: np.ndarray) -> np.ndarray:
    """Centred C L0 steps: the trajectory (n = N + 1 rows) built from N steps, centred."""
    path = np.zeros((steps.shape[0] + 1, steps.shape[1]))
    np.cumsum(steps, axis=0, out=path[1:])
    return path - path.mean(axis=0)


def _lissajous(vectors: np.ndarray) -> np.ndarray:
    """|u_k . e_k| for the columns of ``vectors`` (k = 1..; any leading batch axes)."""
    n, count = vectors.shape[-2:]
    return np.abs(np.einsum("...ij,ij->...j", vectors, cosine_basis(n, count)))


# --- null models ------------------------------------------------------------------------


@dataclass(frozen=True)
class DriftFit:
    """Unbiased drift and noise estimates from the steps (null model c)."""

    drift_squared: float  # ||mu||^2
    noise: float  # sigma^2 d
    naive_drift_squared: float  # ||(x_n - x_1) / N||^2, biased upward by sigma^2 d / N


def fit_drift(step_norms_squared: np.ndarray, displacement_squared: float) -> DriftFit:
    """Estimate ||mu||^2 and sigma^2 d from the squared step norms and ||x_n - x_1||^2.

    >>> fit = fit_drift(np.array([2.0, 2.0, 2.0]), 9.0)  # 3 steps, mean step norm^2 = 1
    >>> fit.naive_drift_squared, fit.drift_squared, fit.noise
    (1.0, 0.5, 1.5)
    """
    N = step_norms_squared.size
    q = float(np.mean(step_norms_squared))
    naive = displacement_squared / N**2
    drift = max(0.0, (N * naive - q) / (N - 1))
    return DriftFit(drift, max(q - drift, 0.0), naive)


def schedule_factor(step_norms_squared: np.ndarray) -> np.ndarray:
    """C L0 D^(1/2): the centred n x N factor of null (b)."""
    return _cumulative(np.diag(np.sqrt(np.maximum(step_norms_squared, 0.0))))


def drift_covariance(n: int, fit: DriftFit) -> np.ndarray:
    """sigma^2 d C L0 L0^T C + ||mu||^2 r r^T, r = C L0 1 (null c)."""
    ramp = np.arange(n, dtype=float) - (n - 1) / 2
    return fit.noise * _plain_covariance(n) + fit.drift_squared * np.outer(ramp, ramp)


@lru_cache(maxsize=4)
def _plain_covariance(n: int) -> np.ndarray:
    """C L0 L0^T C, the plain walk's centred covariance with unit steps (read-only)."""
    plain = _cumulative(np.eye(n - 1))
    K = plain @ plain.T
    K.flags.writeable = False
    return K


def normalised_overlaps(step_gram: np.ndarray) -> np.ndarray:
    """s_i . s_j / (|s_i| |s_j|) for the steps of nonzero length (a symmetric matrix)."""
    q = np.diag(step_gram)
    keep = q > 1e-300
    scale = np.sqrt(q[keep])
    return step_gram[np.ix_(keep, keep)] / scale[:, None] / scale[None, :]


def effective_dimension(step_gram: np.ndarray) -> float:
    """d_eff = tr(Sigma)^2 / tr(Sigma^2) of independent steps, from their Gram matrix M.

    For independent steps ``s_i = mu + sqrt(c_i) xi_i`` with ``Cov(xi) = Sigma``, i != j:
    ``M_ij = ||mu||^2 + mu.(...)_i + mu.(...)_j + sqrt(c_i c_j) xi_i.xi_j``. Fitting
    ``M_ij = a_i + a_j`` by least squares removes the drift's constant and per-step terms;
    the residuals have mean square ``mean(c_i c_j) tr(Sigma^2)`` (``N`` parameters fitted),
    while ``(q_i - ||mu||^2)(q_j - ||mu||^2)``, with ``q_i = M_ii``, has mean
    ``mean(c_i c_j) tr(Sigma)^2``: their quotient estimates d_eff whatever the step sizes,
    the drift or the tails of the noise (a moment estimate, so heavy-tailed overlaps of
    anisotropic noise do not bias it). Infinite when fewer than four steps have nonzero
    length or the residuals vanish.

    >>> rng = np.random.default_rng(0)
    >>> R = rng.standard_normal((60, 4000))
    >>> bool(3500 < effective_dimension(R @ R.T) < 4500)
    True
    """
    q_all = np.diag(step_gram)
    keep = q_all > 1e-300
    M = np.asarray(step_gram)[np.ix_(keep, keep)]
    N = M.shape[0]
    pairs = N * (N - 1) // 2
    if N < 4:
        return math.inf
    q = np.diag(M)
    off = M - np.diag(q)
    row = off.sum(axis=1)
    total = row.sum() / (2 * N - 2)
    effect = (row - total) / (N - 2)
    residual = (off - effect[:, None] - effect[None, :])[np.triu_indices(N, 1)]
    variance = float(residual @ residual) / (pairs - N)
    centred = q - off.sum() / (N * (N - 1))  # q_i - ||mu||^2
    products = (centred.sum() ** 2 - float(centred @ centred)) / 2 / pairs
    if variance <= 0 or products <= 0:
        return math.inf
    return products / variance


def lag_one_overlap(step_gram: np.ndarray) -> tuple[float, float]:
    """Mean overlap of consecutive steps and the median overlap of all pairs.

    Independent steps (every null model here) give equal values in expectation;
    momentum or any smoothing of the steps makes the first clearly larger.
    """
    E = normalised_overlaps(step_gram)
    if E.shape[0] < 2:
        return 0.0, 0.0
    return float(np.mean(np.diagonal(E, 1))), float(np.median(E[np.triu_indices(E.shape[0], 1)]))


# --- results ----------------------------------------------------------------------------


class NoteKind(StrEnum):
    """A diagnostic of the steps that qualifies the verdict."""

    LOW_EFFECTIVE_DIMENSION = "low_effective_dimension"  # d_eff < 10 n: R R^T -> I fails
    CORRELATED_STEPS = "correlated_steps"  # consecutive overlap above the typical one
    ANTICORRELATED_STEPS = "anticorrelated_steps"  # consecutive overlap below it
    ZERO_LENGTH_STEPS = "zero_length_steps"  # some steps do not move


@dataclass(frozen=True)
class Note:
    """One diagnostic and its numbers.

    ``values``: ``effective_dimension`` and ``n`` (low effective dimension);
    ``consecutive`` and ``typical`` overlaps (correlated steps); ``count`` and ``steps``
    (zero-length steps).
    """

    kind: NoteKind
    values: Mapping[str, float]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.values}


@dataclass(frozen=True)
class Verdict:
    """Which null models the first components are consistent with (p > alpha), in order."""

    consistent: tuple[str, ...]
    rejected: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"consistent": list(self.consistent), "rejected": list(self.rejected)}


@dataclass(frozen=True)
class NullTest:
    """One null model: its ratios and the randomisation test of the first K components."""

    name: str
    title: str
    ratios: np.ndarray  # all n - 1 null ratios
    parameters: dict[str, float]
    quotient: np.ndarray  # observed / null ratio, k = 1..K
    allowed: np.ndarray  # K x 2: the simultaneous band of the quotient under this null
    lissajous_null: np.ndarray  # K: mean Lissajous score of the null's replicates
    z: np.ndarray  # K x 2: standardised deviation of (ratio, Lissajous) per component
    statistic: float
    critical_value: float
    p_value: float
    consistent: bool
    deviating: tuple[int, ...]  # components outside the band (1-based)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "parameters": self.parameters,
            "quotient": self.quotient.tolist(),
            "allowed_quotient": self.allowed.tolist(),
            "lissajous_null": self.lissajous_null.tolist(),
            "statistic": self.statistic,
            "critical_value": self.critical_value,
            "p_value": self.p_value,
            "consistent": self.consistent,
            "deviating_components": list(self.deviating),
        }


@dataclass(frozen=True)
class Analysis:
    """Centred PCA of a trajectory window and its comparison with the null models."""

    n: int
    d: int
    window: tuple[int, int]
    components: int
    eigenvalues: np.ndarray  # lambda_1 >= ... >= lambda_{n-1} of C G C
    explained_variance_ratio: np.ndarray
    projections: np.ndarray  # n x K: sqrt(lambda_k) u_k, oriented along the cosine
    lissajous: np.ndarray  # K
    step_norms_squared: np.ndarray  # N
    effective_dimension: float
    ostrowski: tuple[float, float]
    lag_one_overlap: tuple[float, float]
    nulls: dict[str, NullTest]
    alpha: float
    replicates: int
    notes: tuple[Note, ...] = field(default_factory=tuple)
    steps: np.ndarray | None = None  # n: the training step of each checkpoint of the window
    sketch_sd: np.ndarray | None = None  # sketched runs: sd of each ratio due to the sketch

    @property
    def consistent_with_random_walk(self) -> bool:
        """True when at least one null model is not rejected at level alpha."""
        return any(test.consistent for test in self.nulls.values())

    @property
    def verdict(self) -> Verdict:
        """The null models not rejected and those rejected at level alpha."""
        return Verdict(
            tuple(name for name, t in self.nulls.items() if t.consistent),
            tuple(name for name, t in self.nulls.items() if not t.consistent),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object `rwpca analyze --json` prints."""
        return {
            "n": self.n,
            "d": self.d,
            "window": list(self.window),
            "components": self.components,
            "explained_variance_ratio": self.explained_variance_ratio.tolist(),
            "null_models": {name: t.ratios.tolist() for name, t in self.nulls.items()},
            "tests": {name: t.to_json() for name, t in self.nulls.items()},
            "lissajous": self.lissajous.tolist(),
            "effective_dimension": _finite_or_none(self.effective_dimension),
            "ostrowski_envelope": list(self.ostrowski),
            "step_overlap": {
                "consecutive": self.lag_one_overlap[0],
                "all": self.lag_one_overlap[1],
            },
            "alpha": self.alpha,
            "replicates": self.replicates,
            "notes": [note.to_json() for note in self.notes],
            "consistent_with_random_walk": self.consistent_with_random_walk,
            "verdict": self.verdict.to_json(),
            "steps": None if self.steps is None else self.steps.tolist(),
            "sketch_sd": None if self.sketch_sd is None else self.sketch_sd.tolist(),
        }


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


# --- the analysis -----------------------------------------------------------------------


def _statistics(ratios: np.ndarray, null_ratios: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """(log quotient, atanh Lissajous) for k = 1..K, stacked as K x 2 (any batch axes)."""
    tiny = np.finfo(float).tiny
    logq = np.log(np.maximum(ratios, tiny) / np.maximum(null_ratios, tiny))
    score = np.clip(_lissajous(vectors), 0.0, 1 - 1e-12)
    return np.stack([logq, np.arctanh(score)], axis=-1)


#: Which symmetries each null model's randomisation uses: (permute order, flip signs).
_SYMMETRIES = {
    "random_walk": (True, True),
    "step_schedule": (False, True),
    "drift": (True, False),
}


class _Null:
    """A fitted null model: its ratios, parameters and randomisation of the steps."""

    def __init__(self, name: str, n: int, q: np.ndarray, fit: DriftFit) -> None:
        self.name, self.n, self.q, self.fit = name, n, q, fit

    def ratios(self) -> np.ndarray:
        N = self.n - 1
        if self.name == "random_walk":
            return random_walk_ratios(self.n)
        if self.name == "step_schedule":
            F = schedule_factor(self.q)
            values = np.linalg.eigvalsh(F @ F.T)[::-1][:N]
        else:
            values = np.linalg.eigvalsh(drift_covariance(self.n, self.fit))[::-1][:N]
        values = np.maximum(values, 0.0)
        total = values.sum()
        return values / total if total > 0 else values

    def parameters(self) -> dict[str, float]:
        if self.name == "random_walk":
            return {"mean_step_norm_squared": float(np.mean(self.q))}
        if self.name == "step_schedule":
            return {
                "first_step_norm_squared": float(self.q[0]),
                "last_step_norm_squared": float(self.q[-1]),
                "mean_step_norm_squared": float(np.mean(self.q)),
            }
        return {
            "drift_squared": self.fit.drift_squared,
            "noise": self.fit.noise,
            "naive_drift_squared": self.fit.naive_drift_squared,
            "drift_to_noise": self.fit.drift_squared / self.fit.noise if self.fit.noise else 0.0,
        }


def walk_gram(step_gram: np.ndarray) -> np.ndarray:
    """Centred Gram matrix C L0 M L0^T C of the walk whose steps have Gram matrix M.

    >>> M = np.eye(2)  # two orthogonal unit steps: x = (0, e1, e1 + e2)
    >>> np.round(walk_gram(M) * 9, 10)
    array([[ 5., -1., -4.],
           [-1.,  2., -1.],
           [-4., -1.,  5.]])
    """
    N = step_gram.shape[0]
    G = np.zeros((N + 1, N + 1))
    G[1:, 1:] = np.cumsum(np.cumsum(step_gram, axis=0), axis=1)
    return centred_gram(G)


def _calibrate(
    null: _Null,
    M: np.ndarray,
    null_top: np.ndarray,
    observed: np.ndarray,
    count: int,
    replicates: int,
    alpha: float,
    rng: np.random.Generator,
    bar: Task,
) -> tuple[np.ndarray, np.ndarray, float, float, float, np.ndarray]:
    """Randomisation test under ``null``: (z_obs, band, T, crit, p, Lissajous mean).

    All replicates at once (:mod:`rwpca.numerics.trajectories.randomisation`): the same
    draws, in the same order, as reshuffling M replicate by replicate.
    """
    permute, flip = _SYMMETRIES[null.name]
    orders, signs = randomisation.draw(rng, M.shape[0], replicates, permute, flip)
    values, vectors = randomisation.spectra(M, orders, signs, count, cosine_basis)
    trace = randomisation.traces(M, orders, signs, randomisation.walk_weights(M.shape[0] + 1))
    stats = _statistics(values / trace[:, None], null_top, vectors)
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

    T_reps = deviation(stats).reshape(replicates, -1).max(axis=1)
    z_obs = (observed - mean) / sd
    T = float(deviation(observed).max())
    p = (1 + int(np.sum(T_reps >= T))) / (replicates + 1)
    order = np.sort(T_reps)
    crit = float(order[min(replicates - 1, math.ceil((1 - alpha) * (replicates + 1)) - 1)])
    band = np.exp(np.stack([mean[:, 0] - crit * sd[:, 0], mean[:, 0] + crit * sd[:, 0]], axis=1))
    return z_obs, band, T, crit, p, np.tanh(mean[:, 1])


#: n x n float64 arrays alive at the peak of :func:`analyze_gram`, the Gram matrix itself
#: included: its centred copy and eigenvectors, the step Gram matrix and its normalised
#: copy, the plain covariance the nulls share, with headroom for the Gram pass before it
#: (the randomisation's own buffers are :func:`randomisation.peak_bytes`).
ANALYSIS_SQUARES = 10


def peak_bytes(n: int, components: int = 5, replicates: int = 199, grams: int = 1) -> int:
    """An upper estimate of the memory of analysing n checkpoints, in bytes.

    ``grams`` Gram matrices are kept (one per group of ``--by-layer``); the randomisation
    test runs its replicates in batches (:mod:`rwpca.numerics.trajectories.randomisation`).
    """
    count = min(max(components, 1), max(n - 1, 1))
    squares = 8 * (ANALYSIS_SQUARES + grams - 1) * n * n
    return squares + randomisation.peak_bytes(n, replicates, count)


def check_resources(n: int, components: int = 5, replicates: int = 199, grams: int = 1) -> None:
    """ResourceError (a ValueError) if the analysis of n checkpoints does not fit in memory."""
    require_memory(
        peak_bytes(n, components, replicates, grams),
        f"analysing n = {n} checkpoints with {replicates} replicates",
    )


@with_blas_threads("analysis")
def analyze_gram(
    G: np.ndarray,
    d: int,
    components: int = 5,
    window: tuple[int, int] | None = None,
    replicates: int = 199,
    alpha: float = 0.05,
    seed: int = 0,
    progress: ProgressArg = False,
    steps: np.ndarray | None = None,
    sketch: int | None = None,
) -> Analysis:
    """Analyse a trajectory window from the Gram matrix of its checkpoints.

    ``G`` is n x n (any common shift of the checkpoints is allowed: only centred
    quantities and differences are used), ``d`` the number of parameters. ``components``
    K: how many leading components are tested and reported. ``replicates`` and ``alpha``:
    the number of reshuffled walks and the test level (see the module docstring);
    ``seed`` fixes the reshuffling, so the result is deterministic on a given machine.
    ``steps``: the training step of each checkpoint (carried into the result); ``sketch``:
    the dimension m when G is the Gram matrix of CountSketches, whose error on each ratio
    is then reported (:func:`rwpca.numerics.checkpoints.sketch.ratio_sd`).
    """
    G = np.asarray(G, dtype=np.float64)
    if G.ndim != 2 or G.shape[0] != G.shape[1]:
        raise ValueError(f"G has shape {G.shape}: expected a square n x n Gram matrix")
    n = G.shape[0]
    if n < 3:
        raise ValueError(f"n = {n} checkpoints is not allowed: at least 3 are needed")
    if not np.isfinite(G).all():
        raise ValueError("the Gram matrix contains NaN or infinity: values must be finite")
    if components < 1:
        raise ValueError(f"components = {components} is not allowed: need an integer >= 1")
    if replicates < 19:
        raise ValueError(f"replicates = {replicates} is not allowed: need at least 19")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha = {alpha} is not allowed: need 0 < alpha < 1")
    check_resources(n, components, replicates)
    window = (0, n) if window is None else (int(window[0]), int(window[1]))
    N = n - 1
    K = min(components, N)

    Gc = centred_gram(G)
    total = float(np.trace(Gc))
    if not total > 0:
        raise ValueError("the trajectory does not move (zero variance): nothing to analyse")
    values, vectors = pca_from_gram(Gc)
    eigenvalues = np.maximum(values[:N], 0.0)
    ratios = eigenvalues / total
    signs = np.sign(np.einsum("ij,ij->j", vectors[:, :K], cosine_basis(n, K)))
    top = vectors[:, :K] * np.where(signs == 0, 1.0, signs)[None, :]
    projections = top * np.sqrt(eigenvalues[:K])[None, :]
    lissajous = _lissajous(top)

    M = np.diff(np.diff(G, axis=0), axis=1)
    q = np.maximum(np.diag(M).copy(), 0.0)
    d_hat = min(effective_dimension(M), float(d))
    fit = fit_drift(q, _span(G))

    keep = q > 1e-300
    extremes = np.linalg.eigvalsh(normalised_overlaps(M))
    ostrowski = (float(max(extremes[0], 0.0)), float(extremes[-1]))
    lag_one, typical = lag_one_overlap(M)

    notes = []
    if d_hat < 10 * n:
        low = {"effective_dimension": d_hat, "n": n}
        notes.append(Note(NoteKind.LOW_EFFECTIVE_DIMENSION, low))
    # under independent steps each consecutive overlap has sd 1/sqrt(d_eff): 3 sd of a mean
    if N >= 3 and abs(lag_one - typical) > 3 / math.sqrt(d_hat * (N - 1)):
        kind = NoteKind.CORRELATED_STEPS if lag_one > typical else NoteKind.ANTICORRELATED_STEPS
        notes.append(Note(kind, {"consecutive": lag_one, "typical": typical}))
    if not keep.all():
        notes.append(Note(NoteKind.ZERO_LENGTH_STEPS, {"count": int((~keep).sum()), "steps": N}))

    rng = np.random.default_rng(seed)
    nulls: dict[str, NullTest] = {}
    # the randomisation runs thousands of small (n x n) x (n x b) products: BLAS threads
    # gain nothing there and, on a busy machine, their synchronisation makes each product
    # several times slower
    total = replicates * len(NULL_MODELS)
    with (
        task(progress, "randomisation", total, unit="walk") as bar,
        threadpool_limits(limits=1, user_api="blas"),
    ):
        for name in NULL_MODELS:
            null = _Null(name, n, q, fit)
            null_ratios = null.ratios()
            observed = _statistics(ratios[:K], null_ratios[:K], top)
            z, band, T, crit, p, liss_null = _calibrate(
                null, M, null_ratios[:K], observed, K, replicates, alpha, rng, bar
            )
            deviating = tuple(
                int(k + 1) for k in range(K) if abs(z[k, 0]) > crit or -z[k, 1] > crit
            )
            nulls[name] = NullTest(
                name=name,
                title=NULL_TITLES[name],
                ratios=null_ratios,
                parameters=null.parameters(),
                quotient=ratios[:K] / null_ratios[:K],
                allowed=band,
                lissajous_null=liss_null,
                z=z,
                statistic=T,
                critical_value=crit,
                p_value=p,
                consistent=p > alpha,
                deviating=deviating,
            )
    return Analysis(
        n=n,
        d=int(d),
        window=window,
        components=K,
        eigenvalues=eigenvalues,
        explained_variance_ratio=ratios,
        projections=projections,
        lissajous=lissajous,
        step_norms_squared=q,
        effective_dimension=d_hat,
        ostrowski=ostrowski,
        lag_one_overlap=(lag_one, typical),
        nulls=nulls,
        alpha=alpha,
        replicates=replicates,
        notes=tuple(notes),
        steps=None if steps is None else np.asarray(steps, dtype=np.int64),
        sketch_sd=None if sketch is None else ratio_sd(ratios, sketch),
    )


def _span(G: np.ndarray) -> float:
    """||x_n - x_1||^2 from the Gram matrix."""
    return float(G[-1, -1] + G[0, 0] - 2 * G[0, -1])


def analyze(
    source: Any,
    window: tuple[int, int] | None = None,
    components: int = 5,
    replicates: int = 199,
    alpha: float = 0.05,
    seed: int = 0,
    block: int | None = None,
    progress: ProgressArg = False,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    glob: str | None = None,
) -> Analysis:
    """Open, validate and analyse a trajectory (path, ndarray, Dask or Zarr array).

    One streaming pass over d computes the Gram matrix of the window's checkpoints; the
    rest works on n x n matrices (see :func:`analyze_gram`). ``include``, ``exclude`` and
    ``glob`` choose the tensors and checkpoints of a folder
    (:func:`rwpca.numerics.trajectories.readers.open_trajectory`).
    """
    from rwpca.numerics.trajectories.gram import DEFAULT_BLOCK
    from rwpca.numerics.trajectories.readers import check_window, open_trajectory

    trajectory = open_trajectory(source, include, exclude, glob)
    window = check_window(window, trajectory.n)
    check_resources(window[1] - window[0], components, replicates)
    G = trajectory.gram(window, block=block or DEFAULT_BLOCK, progress=progress)
    sketch = trajectory.sketch.m if trajectory.sketch is not None else None
    steps = trajectory.steps[window[0] : window[1]]
    return analyze_gram(
        G, trajectory.d, components, window, replicates, alpha, seed, progress, steps, sketch
    )

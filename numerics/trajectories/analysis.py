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
is recomputed from the reshuffled walk.

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
``R R^T -> I`` needs d_eff >> n, not only d >> n. It is measured on the innovations
``s_t - gamma s_{t-1}`` of the fitted momentum (:func:`~rwpca.numerics.trajectories.
dynamics.fit_momentum`; ~0 for independent steps), because a momentum walk's consecutive
steps share their direction, which the estimator would read as few directions, while
their covariance ``Sigma / (1 - gamma^2)`` has the innovations' d_eff.

Nulls (d) momentum and (e) Ornstein-Uhlenbeck, with their own exact predictions and
randomisations (reordered innovations, re-integrated), are in
:mod:`rwpca.numerics.trajectories.dynamics`. Every null's statistic also includes the
lag-1 cosine of the steps (:mod:`rwpca.numerics.trajectories.autocorrelation`),
so the nulls with independent steps have power against momentum, which barely changes
the spectrum; the lag cosines at lags 1..5, tested by reordering alone, are the step
autocorrelation diagnostic reported beside every verdict.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from rwpca.numerics.checkpoints.sketch import ratio_sd
from rwpca.numerics.formulas import lambdify_by_name
from rwpca.numerics.progress import ProgressArg, Task, task
from rwpca.numerics.trajectories.autocorrelation import (
    LAGS,
    StepAutocorrelation,
    lag_cosines,
    step_autocorrelation,
)
from rwpca.numerics.trajectories.dynamics import (
    MomentumNull,
    OUNull,
    check_dynamics,
    fit_momentum,
    momentum_innovations,
)
from rwpca.numerics.trajectories.gram import centred_gram, pca_from_gram
from rwpca.numerics.trajectories.results import (
    DYNAMIC_NULLS,
    INDEPENDENT_NULLS,
    NULL_LETTERS,
    NULL_MODELS,
    NULL_TITLES,
    SYMMETRY,
    Analysis,
    Note,
    NoteKind,
    NullTest,
    Symmetry,
    Verdict,
    parse_nulls,
)
from rwpca.proofs.catalog import get

#: Lags of the step cosines inside every null's statistic: lag 1 carries nearly all of
#: momentum's signal, and each further component dilutes the max-|z| statistic's power
#: against what the ratios detect (the diagnostic reports lags 1..LAGS).
STATISTIC_LAGS = 1
#: Subspace-iteration block beyond the K wanted components.
_OVERSAMPLE = 10


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


def _top_eigen(
    apply: Callable[[np.ndarray], np.ndarray],
    dense: Callable[[], np.ndarray],
    n: int,
    count: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Leading ``count`` eigenpairs of a symmetric PSD n x n operator.

    Subspace iteration started from the random-walk cosines (which are the exact answer
    for the plain walk and close to it for every null here), with Rayleigh-Ritz; a dense
    eigendecomposition when n is small or if the iteration has not converged to 1e-10
    (relative to the largest eigenvalue) within 60 iterations.
    """
    width = count + _OVERSAMPLE
    if n <= 4 * width:
        values, vectors = np.linalg.eigh(dense())
        return values[::-1][:count], vectors[:, ::-1][:, :count]
    Q = cosine_basis(n, width)
    previous = None
    for _ in range(60):
        Z = apply(Q)
        H = Q.T @ Z
        values, S = np.linalg.eigh((H + H.T) / 2)
        values, S = values[::-1], S[:, ::-1]
        scale = max(values[0], np.finfo(float).tiny)
        if previous is not None and np.all(np.abs(values[:count] - previous) <= 1e-10 * scale):
            return values[:count], (Q @ S)[:, :count]
        previous = values[:count]
        Q, _ = np.linalg.qr(Z @ S)
    values, vectors = np.linalg.eigh(dense())
    return values[::-1][:count], vectors[:, ::-1][:, :count]


def _lissajous(vectors: np.ndarray) -> np.ndarray:
    """|u_k . e_k| for the columns of ``vectors`` (k = 1..)."""
    n, count = vectors.shape
    return np.abs(np.einsum("ij,ij->j", vectors, cosine_basis(n, count)))


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


# --- the analysis -----------------------------------------------------------------------


def _statistics(ratios: np.ndarray, null_ratios: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """(log quotient, atanh Lissajous) for k = 1..K, stacked as K x 2."""
    tiny = np.finfo(float).tiny
    logq = np.log(np.maximum(ratios, tiny) / np.maximum(null_ratios, tiny))
    score = np.clip(_lissajous(vectors), 0.0, 1 - 1e-12)
    return np.stack([logq, np.arctanh(score)], axis=1)


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

    def randomise(self, rng: np.random.Generator, M: np.ndarray) -> np.ndarray:
        """The step Gram matrix of the steps reordered and/or sign-flipped (this null's)."""
        permute, flip = _SYMMETRIES[self.name]
        if permute:
            order = rng.permutation(M.shape[0])
            M = M[np.ix_(order, order)]
        if flip:
            signs = rng.choice(np.array([-1.0, 1.0]), M.shape[0])
            M = M * signs[:, None] * signs[None, :]
        return M


def _make_null(
    name: str,
    n: int,
    q: np.ndarray,
    fit: DriftFit,
    M: np.ndarray,
    momentum: float | None,
    ou_rate: float | None,
) -> _Null | MomentumNull | OUNull:
    """The fitted null called ``name`` (the paper's three, or momentum and OU)."""
    if name == "momentum":
        return MomentumNull(n, M, momentum)
    if name == "ou":
        return OUNull(n, M, ou_rate)
    return _Null(name, n, q, fit)


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


class _Walks:
    """Spectra of the walks built from (reshuffled) step Gram matrices, without forming them.

    For the walk ``C L0 R`` with step Gram matrix ``M``, ``K V = C L0 M L0^T C V``: the
    operator is applied with a reversed cumulative sum, one ``N x N`` product and a
    cumulative sum (``O(N^2 b)`` for b vectors), and ``tr K = sum(M * W)`` with the fixed
    ``W = L0^T C L0``. Small walks are decomposed densely.
    """

    def __init__(self, n: int, count: int) -> None:
        self.n, self.count = n, count
        L0C = _cumulative(np.eye(n - 1))  # C L0, n x N
        self.W = L0C.T @ L0C

    def spectrum(self, M: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """Top eigenpairs and trace of C L0 M L0^T C."""
        n, count = self.n, self.count
        trace = float(np.einsum("ij,ij->", M, self.W))

        def apply(V: np.ndarray) -> np.ndarray:
            centred = V - V.mean(axis=0)
            back = np.cumsum(centred[::-1], axis=0)[::-1][1:]  # L0^T C V: sums over t > j
            out = np.zeros_like(V)
            np.cumsum(M @ back, axis=0, out=out[1:])  # L0 (...)
            return out - out.mean(axis=0)

        values, vectors = _top_eigen(apply, lambda: walk_gram(M), n, count)
        return values, vectors, trace


def _calibrate(
    null: _Null | MomentumNull | OUNull,
    M: np.ndarray,
    null_top: np.ndarray,
    observed: np.ndarray,
    count: int,
    replicates: int,
    alpha: float,
    rng: np.random.Generator,
    bar: Task,
    observed_lags: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, float, float, float, np.ndarray, _LagTest]:
    """Randomisation test under ``null``: (z_obs, band, T, crit, p, Lissajous mean, lags).

    The statistic also takes the largest |z| of the step lag cosines
    (:func:`~rwpca.numerics.trajectories.autocorrelation.lag_cosines`) of the data against
    the same reshuffled walks, two-sided.
    """
    stats = np.empty((replicates, count, 2))
    lags = np.empty((replicates, observed_lags.size))
    walks = _Walks(M.shape[0] + 1, count)
    for b in range(replicates):
        reshuffled = null.randomise(rng, M)
        values, vectors, trace = walks.spectrum(reshuffled)
        stats[b] = _statistics(values / trace, null_top, vectors)
        lags[b] = lag_cosines(reshuffled, observed_lags.size)
        bar.update(1)
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

    lag_test = _LagTest.of(observed_lags, lags)
    T_reps = np.maximum(deviation(stats).reshape(replicates, -1).max(axis=1), lag_test.T_reps)
    z_obs = (observed - mean) / sd
    T = max(float(deviation(observed).max()), lag_test.T)
    p = (1 + int(np.sum(T_reps >= T))) / (replicates + 1)
    order = np.sort(T_reps)
    crit = float(order[min(replicates - 1, math.ceil((1 - alpha) * (replicates + 1)) - 1)])
    band = np.exp(np.stack([mean[:, 0] - crit * sd[:, 0], mean[:, 0] + crit * sd[:, 0]], axis=1))
    return z_obs, band, T, crit, p, np.tanh(mean[:, 1]), lag_test


@dataclass(frozen=True)
class _LagTest:
    """The lag-cosine part of a null's statistic: data z, replicate means, replicate max |z|."""

    z: np.ndarray
    mean: np.ndarray
    T: float
    T_reps: np.ndarray

    @classmethod
    def of(cls, observed: np.ndarray, replicates: np.ndarray) -> _LagTest:
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
    nulls: str | Sequence[str] | None = None,
    momentum: float | None = None,
    ou_rate: float | None = None,
) -> Analysis:
    """Analyse a trajectory window from the Gram matrix of its checkpoints.

    ``G`` is n x n (any common shift of the checkpoints is allowed: only centred
    quantities and differences are used), ``d`` the number of parameters. ``components``
    K: how many leading components are tested and reported. ``replicates`` and ``alpha``:
    the number of reshuffled walks and the test level (see the module docstring);
    ``seed`` fixes the reshuffling, so the result is deterministic on a given machine.
    ``steps``: the training step of each checkpoint (carried into the result); ``sketch``:
    the dimension m when G is the Gram matrix of CountSketches, whose error on each ratio
    is then reported (:func:`rwpca.numerics.checkpoints.sketch.ratio_sd`). ``nulls``: the
    null models tested (names or letters, :func:`parse_nulls`; all by default);
    ``momentum`` (gamma of null (d)) and ``ou_rate`` (alpha of null (e)): given values,
    estimated from the steps when None (:mod:`rwpca.numerics.trajectories.dynamics`).
    Each null and the step autocorrelation draw from their own stream of ``seed``, so a
    null's result does not depend on which other nulls are tested.
    """
    chosen = parse_nulls(nulls)
    check_dynamics(momentum, ou_rate)
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
    # d_eff of the innovations of the fitted momentum filter: consecutive steps that share
    # a direction would otherwise read as few directions (for independent steps the
    # fitted gamma is ~0 and the innovations are the steps)
    innovations = momentum_innovations(M, fit_momentum(M))[1:, 1:]
    d_hat = min(effective_dimension(innovations if N >= 5 else M), float(d))
    fit = fit_drift(q, _span(G))

    keep = q > 1e-300
    extremes = np.linalg.eigvalsh(normalised_overlaps(M))
    ostrowski = (float(max(extremes[0], 0.0)), float(extremes[-1]))
    # its own stream (as every null below): choosing other nulls changes no result
    autocorrelation = step_autocorrelation(
        M, replicates, alpha, np.random.default_rng([seed, len(NULL_MODELS)])
    )

    notes = []
    if d_hat < 10 * n:
        low = {"effective_dimension": d_hat, "n": n}
        notes.append(Note(NoteKind.LOW_EFFECTIVE_DIMENSION, low))
    if autocorrelation.rejects_independence:
        lag_one, independent = autocorrelation.values[0], autocorrelation.independent_mean[0]
        kind = NoteKind.CORRELATED_STEPS if lag_one > independent else NoteKind.ANTICORRELATED_STEPS
        values = {
            "lag_one_cosine": float(lag_one),
            "independent_cosine": float(independent),
            "p_value": autocorrelation.p_value,
        }
        notes.append(Note(kind, values))
    if not keep.all():
        notes.append(Note(NoteKind.ZERO_LENGTH_STEPS, {"count": int((~keep).sum()), "steps": N}))

    observed_lags = lag_cosines(M, STATISTIC_LAGS)
    nulls: dict[str, NullTest] = {}
    # the randomisation runs thousands of small (n x n) x (n x b) products: BLAS threads
    # gain nothing there and, on a busy machine, their synchronisation makes each product
    # several times slower
    with (
        task(progress, "randomisation", replicates * len(chosen), unit="walk") as bar,
        threadpool_limits(limits=1, user_api="blas"),
    ):
        for name in chosen:
            null = _make_null(name, n, q, fit, M, momentum, ou_rate)
            rng = np.random.default_rng([seed, NULL_MODELS.index(name)])
            null_ratios = null.ratios()
            observed = _statistics(ratios[:K], null_ratios[:K], top)
            z, band, T, crit, p, liss_null, lags = _calibrate(
                null, M, null_ratios[:K], observed, K, replicates, alpha, rng, bar, observed_lags
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
                band=band,
                lissajous_null=liss_null,
                z=z,
                statistic=T,
                critical_value=crit,
                p_value=p,
                consistent=p > alpha,
                deviating=deviating,
                symmetry=SYMMETRY[name],
                autocorrelation_mean=lags.mean,
                autocorrelation_z=lags.z,
                deviating_lags=tuple(int(j + 1) for j in np.flatnonzero(np.abs(lags.z) > crit)),
                fitted=getattr(null, "fitted", ()),
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
        autocorrelation=autocorrelation,
        nulls=nulls,
        alpha=alpha,
        replicates=replicates,
        notes=tuple(notes),
        steps=None if steps is None else np.asarray(steps, dtype=np.int64),
        sketch_sd=None if sketch is None else ratio_sd(ratios, sketch),
        step_gram=M,
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
    nulls: str | Sequence[str] | None = None,
    momentum: float | None = None,
    ou_rate: float | None = None,
) -> Analysis:
    """Open, validate and analyse a trajectory (any source of
    :func:`~rwpca.numerics.trajectories.sources.open_source`).

    One streaming pass over d computes the Gram matrix of the window's checkpoints; the
    rest works on n x n matrices (see :func:`analyze_gram`). ``include``, ``exclude`` and
    ``glob`` choose the tensors and checkpoints of a folder
    (:func:`rwpca.numerics.trajectories.readers.open_trajectory`). The documented entry
    point for notebooks is :func:`rwpca.analyze`, which also takes slices and training
    steps as windows and returns a displayable report.
    """
    from rwpca.numerics.trajectories.gram import DEFAULT_BLOCK
    from rwpca.numerics.trajectories.readers import check_window
    from rwpca.numerics.trajectories.sources import open_source

    parse_nulls(nulls)
    check_dynamics(momentum, ou_rate)
    trajectory = open_source(source, include, exclude, glob)
    window = check_window(window, trajectory.n)
    G = trajectory.gram(window, block=block or DEFAULT_BLOCK, progress=progress)
    sketch = trajectory.sketch.m if trajectory.sketch is not None else None
    steps = trajectory.steps[window[0] : window[1]]
    return analyze_gram(
        G, trajectory.d, components, window, replicates, alpha, seed, progress, steps, sketch,
        nulls, momentum, ou_rate,
    )  # fmt: skip


#: The public names (the result types and null names are defined in
#: :mod:`rwpca.numerics.trajectories.results` and re-exported here).
__all__ = [
    "DYNAMIC_NULLS",
    "INDEPENDENT_NULLS",
    "LAGS",
    "NULL_LETTERS",
    "NULL_MODELS",
    "NULL_TITLES",
    "SYMMETRY",
    "Analysis",
    "DriftFit",
    "Note",
    "NoteKind",
    "NullTest",
    "StepAutocorrelation",
    "Symmetry",
    "Verdict",
    "analyze",
    "analyze_gram",
    "cosine_basis",
    "drift_covariance",
    "effective_dimension",
    "fit_drift",
    "normalised_overlaps",
    "parse_nulls",
    "random_walk_ratios",
    "schedule_factor",
    "walk_gram",
]

"""The paper's three null models of a trajectory window, and the catalog formulas they use.

(a) random walk, (b) the observed step sizes, (c) drift: their exact finite-n ratios (the
catalog's ``rw.evr.exact`` and exact covariances), the unbiased drift fit, the random-walk
cosines (catalog ``rw.eigenvector``) and the effective dimension of the steps. The
mathematics is described in :mod:`rwpca.numerics.trajectories.analysis`; nulls (d) and (e)
are in :mod:`rwpca.numerics.nulls.dynamics`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from rwpca.numerics.formulas import lambdify_by_name
from rwpca.numerics.nulls.dynamics import MomentumNull, OUNull
from rwpca.proofs.catalog import get

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


def lissajous(vectors: np.ndarray) -> np.ndarray:
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


# --- the fitted nulls -------------------------------------------------------------------


class IndependentNull:
    """A fitted null model (a), (b) or (c): its ratios and parameters."""

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


def make_null(
    name: str,
    n: int,
    q: np.ndarray,
    fit: DriftFit,
    M: np.ndarray,
    momentum: float | None,
    ou_rate: float | None,
) -> IndependentNull | MomentumNull | OUNull:
    """The fitted null called ``name`` (the paper's three, or momentum and OU)."""
    if name == "momentum":
        return MomentumNull(n, M, momentum)
    if name == "ou":
        return OUNull(n, M, ou_rate)
    return IndependentNull(name, n, q, fit)


#: Any fitted null model.
Null = IndependentNull | MomentumNull | OUNull

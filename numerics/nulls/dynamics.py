"""Null models with the run's own dynamics: (d) a walk with momentum, (e) an Ornstein-Uhlenbeck walk.

Both are linear filters of independent innovations, the processes of the catalog
(:mod:`rwpca.proofs.processes`), seen through a window of n checkpoints with N = n - 1
steps ``s_t = x_{t+1} - x_t`` (only their Gram matrix ``M`` is used):

* **(d) momentum** (heavy ball, as SGD with momentum): ``v_t = gamma v_{t-1} + xi_t``,
  ``x_t = x_{t-1} + v_t``. The steps in the window are velocities, so the innovations are
  ``e_t = s_t - gamma s_{t-1}``, t = 2..N; the first step ``s_1`` carries the velocity the
  window starts with (it depends on the steps before the window) and is kept as it is.
* **(e) Ornstein-Uhlenbeck** (a quadratic well, as gradient descent near a minimum):
  ``x_t - c = (1 - alpha) (x_{t-1} - c) + xi_t`` around an unknown centre c. In the
  window's coordinates ``y_t = x_t - x_1`` (``y_1 = 0``) the innovations are
  ``z_t = y_t - (1 - alpha) y_{t-1} = m + xi_t``, t = 2..n, with the constant
  ``m = alpha (c - x_1)``: every one of the N is an innovation, and the unknown centre
  is an unknown mean, like the drift of null (c).

**Randomisation (exact under the null).** Each scheme assumes that the innovations are
*exchangeable*: independent and identically distributed, with any mean (a drift of the
innovations, or the OU centre), any distribution, any anisotropy, any effective
dimension. Then every reordering of the innovations is as likely as the observed one, so
the walks re-integrated from reordered innovations (the momentum scheme keeps ``s_1`` and
the order of nothing else) have exactly the conditional distribution of the trajectory
given ``s_1`` (momentum) or given ``x_1`` (OU). Signs are not flipped: that would also
assume a zero mean. Everything is done on Gram matrices: innovations ``A M A^T`` with the
lower-triangular filter A, reordering, and integration ``A^-1 (...) A^-T`` by the
first-order filter ``F = A^-1`` (:class:`~rwpca.numerics.linalg.filters.FirstOrderFilter`).
The B replicates are never formed: their spectra come from the batched Krylov method of
the independent nulls, with ``F`` and ``F^T`` applied to its blocks on either side of the
one GEMM with the innovations' Gram matrix; their traces and lag cosines come from one
gather of the reordered innovations per walk
(:func:`~rwpca.numerics.nulls.randomisation.filtered_moments`).

With gamma = 0 (alpha = 0) both schemes are exactly null (c)'s reordering of the steps.
What they do not allow: step sizes that change within the window (a decaying learning
rate makes the innovations non-identically distributed; null (b) covers schedules, not
with momentum), or a gamma / alpha that changes.

**Parameters given or estimated.** ``gamma`` (``rwpca analyze --momentum``, the
optimizer's value) and ``alpha`` (``--ou-rate``) may be given; otherwise they are the
least-squares fits of the autoregressions with an intercept (so a drift or the OU centre
is not mistaken for dynamics), with their exact finite-n bias removed: gamma from the
steps (:func:`fit_momentum`), 1 - alpha from the positions (:func:`fit_ou_rate`); both
are consistent as d_eff -> infinity at fixed n. With a given value the test is
exact; with an estimate the same estimate is used for the data and every replicate, which
is exact only as N d_eff -> infinity (the estimate's error is of order
``1 / sqrt(N d_eff)``); the power study measures its calibration at finite n and d_eff.
Plain least squares with an intercept would keep a bias of order 1 / n whatever d (for a
pure random walk ``1 - alpha`` comes out low by a few / n, the Dickey-Fuller bias; for
momentum 0.9 gamma comes out about 0.01 low at n = 200), and in high dimension the
randomisation test sees a null that far off.

**Prediction (the reported null ratios).** The catalog's exact finite-n matrices, not
the asymptotic formulas: with ``T`` the process's step operator at size n
(:func:`rwpca.numerics.linalg.float_spectra.step_operator`),
``E[C X X^T C] = sigma^2 d C T^-1 T^-T C + ||mu||^2 (C T^-1 1)(C T^-1 1)^T``: the
process started at rest (momentum) or at its centre (OU) one step before the window,
with innovations of mean mu (``sigma^2 d`` and ``||mu||^2`` estimated from the
innovations without bias, :func:`rwpca.numerics.trajectories.analysis.fit_drift`);
without drift the momentum ratios are those of the certified roots of the exact secular
equation (:mod:`rwpca.numerics.certified.momentum_roots`, checked in tests/test_dynamics.py;
the matrix form also carries the rank-one drift term, which the secular equation does not). A
window in the middle of a stationary run differs from that start by a transient of
order ``1 / (n (1 - gamma))`` (momentum) or that of the stationary position (OU); the
verdict does not depend on the prediction (data and replicates are divided by the same
ratios), the reported quotients do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rwpca.numerics.linalg import float_spectra
from rwpca.numerics.linalg.filters import FirstOrderFilter, symmetric_product
from rwpca.numerics.nulls.randomisation import Replicates
from rwpca.proofs.domains import ALPHA, GAMMA

#: Estimates are kept inside the catalog's domains (|gamma| < 1, 0 < alpha < 2); an OU
#: rate estimated at or below 0 (no restoring force) makes null (e) the walk with drift.
GAMMA_LIMIT = 0.999
ALPHA_LIMIT = 1.0


def check_dynamics(momentum: float | None, ou_rate: float | None) -> None:
    """ValueError (one line) unless a given gamma and alpha lie in the catalog's domains.

    >>> check_dynamics(0.9, None)
    >>> check_dynamics(1.0, None)
    Traceback (most recent call last):
    ...
    ValueError: momentum = 1.0 is not allowed: need |gamma| < 1
    """
    for label, value, domain in (("momentum", momentum, GAMMA), ("ou_rate", ou_rate, ALPHA)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
            raise ValueError(
                f"{label} = {value!r} is not allowed: need a number, {domain.condition}"
            )
        if not np.isfinite(value) or not domain.contains(float(value)):
            raise ValueError(f"{label} = {value} is not allowed: need {domain.condition}")


# --- momentum ---------------------------------------------------------------------------


def _centred_trace(X: np.ndarray) -> float:
    """sum_t (p_t - pbar).(q_t - qbar) from the N' x N' matrix X_tu = p_t . q_u."""
    return float(np.trace(X) - X.sum() / X.shape[0])


def _autoregression(
    current: np.ndarray, cross: np.ndarray, past: np.ndarray, low: float, high: float
) -> float:
    """phi of ``u_t = phi u_{t-1} + c + xi_t`` by least squares, its finite-N bias removed.

    The arguments are the Gram blocks of the N' pairs (p_t = u_t, q_t = u_{t-1}):
    ``current_tu = p_t . p_u``, ``cross_tu = p_t . q_u``, ``past_tu = q_t . q_u``. Centring
    removes the unknown constant c (a drift, or the OU centre); the least-squares
    numerator and denominator ``num = sum (p_t - pbar).(q_t - qbar)``,
    ``den = sum |q_t - qbar|^2`` then satisfy ``num - phi den = sum (xi_t - xibar).(q_t -
    qbar)``, whose expectation is ``sigma^2 d kappa(phi)`` with ``kappa(phi) = tr(C F) =
    -(1/N') sum_{k=1}^{N'-1} (N' - k) phi^(k-1)`` exactly (F maps xi to the lagged
    u_{t-1}; xi is independent of whatever came before the window). That is the
    Dickey-Fuller bias of plain least squares, of order 1 / N' whatever d. The estimate
    solves ``num - phi den = kappa(phi) c0(phi) / (N' - 1)``, with
    ``c0(phi) = sum |xi_t(phi) - xibar|^2 = ct(current) - 2 phi num + phi^2 den`` (so that
    ``c0 / (N' - 1)`` estimates sigma^2 d): as d_eff -> infinity at fixed N' both sides
    concentrate and the root tends to the true phi, with an error of order
    ``sqrt((1 - phi^2) / (N' d_eff))``. Of the roots in [low, high] the one nearest the
    plain least-squares value is taken; without a sign change, the phi where the two
    sides are closest.
    """
    count = current.shape[0]
    numerator = _centred_trace(cross)
    denominator = _centred_trace(past)
    if not denominator > 0:
        return 0.0
    plain = numerator / denominator
    phi = np.linspace(low, high, 4001)
    # sum_{k=1}^{N'-1} (N' - k) phi^(k-1) by Horner (coefficients 1..N'-1, highest first)
    kappa = -np.polyval(np.arange(1.0, count), phi) / count
    c0 = _centred_trace(current) - 2 * phi * numerator + phi**2 * denominator
    gap = numerator - phi * denominator - kappa * c0 / (count - 1)
    change = np.flatnonzero(np.sign(gap[:-1]) * np.sign(gap[1:]) <= 0)
    if change.size == 0:
        return float(phi[np.argmin(np.abs(gap))])
    # linear interpolation inside each grid cell with a sign change
    left, right = gap[change], gap[change + 1]
    step = np.divide(left, left - right, out=np.zeros_like(left), where=left != right)
    roots = phi[change] + (phi[change + 1] - phi[change]) * step
    return float(roots[np.argmin(np.abs(roots - plain))])


def fit_momentum(step_gram: np.ndarray) -> float:
    """gamma of s_t = gamma s_{t-1} + mu + e_t (t = 2..N), bias-corrected least squares.

    :func:`_autoregression` on the steps (any drift mu); kept to ``|gamma| <=
    GAMMA_LIMIT``. 0 with fewer than 4 steps.

    >>> rng = np.random.default_rng(0)
    >>> steps = np.zeros((400, 2000))
    >>> for t in range(400):
    ...     steps[t] = rng.standard_normal(2000) + (0.9 * steps[t - 1] if t else 0.0)
    >>> round(fit_momentum(steps @ steps.T), 2)
    0.9
    """
    M = np.asarray(step_gram, dtype=float)
    if M.shape[0] < 4 or not np.trace(M) > 0:
        return 0.0
    return _autoregression(M[1:, 1:], M[1:, :-1], M[:-1, :-1], -GAMMA_LIMIT, GAMMA_LIMIT)


def fit_ou_rate(step_gram: np.ndarray) -> float:
    """alpha of y_t = (1 - alpha) y_{t-1} + m + xi_t (t = 2..n), bias-corrected least squares.

    :func:`_autoregression` on the positions y (any OU centre, which sets m), with
    ``1 - alpha`` in [1 - ALPHA_LIMIT, 1]: levels carry far more information about a
    slow restoring force than the steps' correlation does. 0 with fewer than 4 steps.

    >>> rng = np.random.default_rng(0)
    >>> x = np.zeros((400, 2000))
    >>> for t in range(1, 400):
    ...     x[t] = 0.9 * x[t - 1] + rng.standard_normal(2000)
    >>> s = np.diff(x, axis=0)
    >>> round(fit_ou_rate(s @ s.T), 2)
    0.1
    """
    M = np.asarray(step_gram, dtype=float)
    N = M.shape[0]
    if N < 4 or not np.trace(M) > 0:
        return 0.0
    G = np.zeros((N + 1, N + 1))  # y_1 = 0, y_t = s_1 + ... + s_{t-1}
    G[1:, 1:] = np.cumsum(np.cumsum(M, axis=0), axis=1)
    b = _autoregression(G[1:, 1:], G[1:, :-1], G[:-1, :-1], 1.0 - ALPHA_LIMIT, 1.0)
    return float(min(max(1.0 - b, 0.0), ALPHA_LIMIT))


def momentum_innovations(step_gram: np.ndarray, gamma: float) -> np.ndarray:
    """Gram matrix of (s_1, e_2, ..., e_N), e_t = s_t - gamma s_{t-1}."""

    def innovate(X: np.ndarray) -> np.ndarray:
        out = np.array(X, dtype=float, copy=True)
        out[1:] -= gamma * X[:-1]
        return out

    return symmetric_product(innovate, np.asarray(step_gram, dtype=float))


def momentum_filter(gamma: float) -> FirstOrderFilter:
    """The steps from the innovations: s_1 = e_1, s_t = gamma s_{t-1} + e_t."""
    return FirstOrderFilter(gamma)


def integrate_momentum(innovation_gram: np.ndarray, gamma: float) -> np.ndarray:
    """The step Gram matrix of s_1 = e_1, s_t = gamma s_{t-1} + e_t (inverse of the above)."""
    return momentum_filter(gamma).both_sides(np.asarray(innovation_gram, dtype=float))


# --- Ornstein-Uhlenbeck -------------------------------------------------------------------


def ou_innovations(step_gram: np.ndarray, alpha: float) -> np.ndarray:
    """Gram matrix of z_1..z_N, z_j = s_j + alpha y_j (= y_{j+1} - (1 - alpha) y_j)."""

    def innovate(X: np.ndarray) -> np.ndarray:
        out = np.array(X, dtype=float, copy=True)
        out[1:] += alpha * np.cumsum(X[:-1], axis=0)
        return out

    return symmetric_product(innovate, np.asarray(step_gram, dtype=float))


def ou_filter(alpha: float) -> FirstOrderFilter:
    """The steps from the innovations: y_{j+1} = (1 - alpha) y_j + z_j from y_1 = 0, and
    s_j = y_{j+1} - y_j, so s_j = (1 - alpha) s_{j-1} + z_j - z_{j-1}."""
    return FirstOrderFilter(1.0 - alpha, 1.0, -1.0)


def integrate_ou(innovation_gram: np.ndarray, alpha: float) -> np.ndarray:
    """The step Gram matrix of y_{j+1} = (1 - alpha) y_j + z_j, y_1 = 0, s_j = y_{j+1} - y_j."""
    return ou_filter(alpha).both_sides(np.asarray(innovation_gram, dtype=float))


# --- the prediction -----------------------------------------------------------------------


@dataclass(frozen=True)
class InnovationFit:
    """Unbiased ||mu||^2 and sigma^2 d of the innovations (as null (c) fits the steps)."""

    drift_squared: float
    noise: float

    @property
    def drift_to_noise(self) -> float:
        return self.drift_squared / self.noise if self.noise > 0 else 0.0


def fit_innovations(innovation_gram: np.ndarray) -> InnovationFit:
    """||mu||^2 = (N ||mean||^2 - mean |e|^2) / (N - 1) (clipped at 0), sigma^2 d = rest."""
    E = np.asarray(innovation_gram, dtype=float)
    N = E.shape[0]
    q = float(np.mean(np.diagonal(E)))
    if N < 2:
        return InnovationFit(0.0, max(q, 0.0))
    naive = float(E.sum()) / N**2
    drift = max(0.0, (N * naive - q) / (N - 1))
    return InnovationFit(drift, max(q - drift, 0.0))


def predicted_ratios(
    process: str, n: int, params: dict[str, float], fit: InnovationFit
) -> np.ndarray:
    """The n - 1 ratios of sigma^2 d C T^-1 T^-T C + ||mu||^2 (C T^-1 1)(C T^-1 1)^T.

    ``T`` is the catalog process's step operator at size n (exact finite-n matrix in
    float64). With mu = 0 these are the catalog's exact ratios
    (:func:`rwpca.numerics.linalg.float_spectra.explained_variance_ratio`).
    """
    T = float_spectra.step_operator(process, n, params or None)
    B = np.linalg.solve(T, np.eye(n))
    B -= B.mean(axis=0, keepdims=True)  # C T^-1
    ramp = B.sum(axis=1)  # C T^-1 1
    K = fit.noise * (B @ B.T) + fit.drift_squared * np.outer(ramp, ramp)
    values = np.maximum(np.linalg.eigvalsh(K)[::-1][: n - 1], 0.0)
    total = values.sum()
    return values / total if total > 0 else values


# --- the nulls ----------------------------------------------------------------------------


class MomentumNull:
    """Null (d): momentum ``gamma`` (given or estimated), exchangeable innovations."""

    name = "momentum"
    assumes_independent_steps = False

    def __init__(self, n: int, step_gram: np.ndarray, gamma: float | None = None) -> None:
        self.n = n
        self.fitted: tuple[str, ...] = () if gamma is not None else ("gamma",)
        self.gamma = float(gamma) if gamma is not None else fit_momentum(step_gram)
        self._innovations = momentum_innovations(step_gram, self.gamma)
        self.fit = fit_innovations(self._innovations[1:, 1:])

    def ratios(self) -> np.ndarray:
        if self.gamma == 0:
            return predicted_ratios("plain", self.n, {}, self.fit)
        return predicted_ratios("momentum", self.n, {"gamma": self.gamma}, self.fit)

    def parameters(self) -> dict[str, float]:
        return {
            "gamma": self.gamma,
            "innovation_drift_squared": self.fit.drift_squared,
            "innovation_noise": self.fit.noise,
            "drift_to_noise": self.fit.drift_to_noise,
        }

    def replicates(self, rng: np.random.Generator, count: int) -> Replicates:
        """``count`` walks with e_2..e_N reordered (s_1 kept), integrated again by the
        momentum filter; one ``rng.permutation(N - 1)`` per walk, in order."""
        E = self._innovations
        N = E.shape[0]
        orders = np.zeros((count, N), dtype=np.intp)
        for b in range(count):
            orders[b, 1:] = 1 + rng.permutation(N - 1)
        return Replicates(E, orders, None, momentum_filter(self.gamma))

    def randomise(self, rng: np.random.Generator, M: np.ndarray) -> np.ndarray:
        """One replicate's step Gram matrix, formed explicitly (M: the steps given at
        construction; the test's replicates are :meth:`replicates`, the same draws)."""
        return self.replicates(rng, 1).gram_of(0)


class OUNull:
    """Null (e): Ornstein-Uhlenbeck rate ``alpha`` (given or estimated), exchangeable innovations."""

    name = "ou"
    assumes_independent_steps = False

    def __init__(self, n: int, step_gram: np.ndarray, alpha: float | None = None) -> None:
        self.n = n
        self.fitted: tuple[str, ...] = () if alpha is not None else ("alpha",)
        self.alpha = float(alpha) if alpha is not None else fit_ou_rate(step_gram)
        self._innovations = ou_innovations(step_gram, self.alpha)
        self.fit = fit_innovations(self._innovations)

    def ratios(self) -> np.ndarray:
        if self.alpha == 0:
            return predicted_ratios("plain", self.n, {}, self.fit)
        return predicted_ratios("ou", self.n, {"alpha": self.alpha}, self.fit)

    def parameters(self) -> dict[str, float]:
        return {
            "alpha": self.alpha,
            "n_alpha": self.n * self.alpha,
            "innovation_drift_squared": self.fit.drift_squared,
            "innovation_noise": self.fit.noise,
            "drift_to_noise": self.fit.drift_to_noise,
        }

    def replicates(self, rng: np.random.Generator, count: int) -> Replicates:
        """``count`` walks with z_1..z_N reordered, integrated again from y_1 = 0 by the
        OU filter; one ``rng.permutation(N)`` per walk, in order."""
        Z = self._innovations
        N = Z.shape[0]
        orders = np.empty((count, N), dtype=np.intp)
        for b in range(count):
            orders[b] = rng.permutation(N)
        return Replicates(Z, orders, None, ou_filter(self.alpha))

    def randomise(self, rng: np.random.Generator, M: np.ndarray) -> np.ndarray:
        """One replicate's step Gram matrix, formed explicitly (M: the steps given at
        construction; the test's replicates are :meth:`replicates`, the same draws)."""
        return self.replicates(rng, 1).gram_of(0)

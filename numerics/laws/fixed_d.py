"""Explained-variance ratios of a random walk in a fixed number d of dimensions.

Setting. A plain random walk of n points in R^d with i.i.d. N(0, 1) step coordinates. Its
centred Gram matrix is B G G^T B^T with B = C T^-1 and G an (n-1) x d standard Gaussian
matrix; in the eigenbasis of B^T B (eigenvalues lambda_j, the exact centred eigenvalues of
the walk) rotation invariance of G gives the nonzero spectrum as that of

    M = sum_j lambda_j g_j g_j^T,   g_j ~ N(0, I_d) i.i.d.   (a d x d matrix)

with the same nonzero eigenvalues as the Gram matrix. The ratios rho_k = mu_k(M) / tr M are
scale-free, so any positive multiple of the weights gives the same law. As n -> infinity at
fixed d the normalised weights tend to 6 / (pi^2 j^2) (demeaned Brownian motion's
Karhunen-Loeve spectrum, sum 1/6 for lambda_j = 1/(pi j)^2): :func:`continuum_ratios`.

Samplers (exact in distribution unless the plan truncates):

- d-form: M = Z^T diag(w) Z with Z an m x d Gaussian matrix, cost m d^2 per draw.
- Bartlett form (d >= J): the nonzero spectrum of sum_{j <= J} w_j g_j g_j^T is that of
  W^(1/2) L L^T W^(1/2) with L L^T ~ Wishart_J(d, I) drawn by Bartlett's decomposition
  (L lower triangular, L_ii^2 ~ chi^2_{d-i+1}, L_ij ~ N(0, 1) below), cost J^3 per draw.

Truncation (when the exact d-form would cost more than :data:`EXACT_BUDGET` per draw):
keep the leading J weights and replace the tail T = sum_{j>J} w_j g_j g_j^T by its mean
tau I_d, tau = sum_{j>J} w_j, in the numerator; the trace tr M = sum_j w_j |g_j|^2 stays
exact (the tail's w_j chi^2_d are drawn, m - J numbers per draw). Error analysis, with
s2 = sum_{j>J} w_j^2, r = min(J, d), weights normalised to sum 1 (so tr M ~ d):

- Let V be the range of the head (dimension r, independent of the tail). In the basis
  (V, V-perp), T - tau I has the diagonal block T_VV - tau, with E||(T_VV - tau) u||^2
  = (r + 1) s2 for a unit u in V independent of T, and the coupling block T_QV with
  E||T_QV u||^2 = (d - J)_+ s2. To first order an eigenvalue mu_k moves by
  u_k^T (T_VV - tau) u_k (mean 0, RMS sqrt(2 s2)); a cluster of nearly equal eigenvalues
  moves by at most ||(T_VV - tau) u||; the coupling moves it by at most
  ||T_QV u||^2 / (mu_k - ||T_QQ||) ~ (d - J)_+ s2 / (d (w_K - tau)).
- Hence the per-draw error of every rho_k, k <= K (``components``), is about

      error(J) = [sqrt(2 (r + 1) s2) + (d - J)_+ s2 / (d (w_K - tau))] / d,

  an RMS scale (not a certificate). The first-order part has mean zero, so the bias of the
  Monte Carlo mean is of second order, about error(J)^2 / (rho_K sqrt(2 / d)).
- J is the smallest index >= K + 1 with error(J) <= :data:`TRUNCATION_SHARE` times the
  per-draw spread proxy w_K sqrt(2 / d) (so quantiles move by at most 2% of the spread and
  the mean by far less than its standard error at 2000 draws); J = m (exact) if none is.

:func:`truncation_plan` reports J and error(J); tests/test_fixed_d.py checks the truncated
sampler against the exact one within standard errors plus that error.

Memory: draws are made in chunks of at most :data:`CHUNK_BYTES`; beside the chunk only the
draws x components ratios are kept, so the peak is O(n + draws * components) plus a
constant, which :func:`peak_bytes` states.

>>> r = fixed_d_ratios([1.0], 1, components=1, draws=10)
>>> r.mean.tolist()
[1.0]
>>> bool(continuum_ratios(5000, draws=200).mean[0] > 0.6)
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

#: Per-draw cost (multiply-adds) up to which the exact d-form m d^2 is used without truncation.
EXACT_BUDGET = 250_000
#: Allowed per-draw truncation error, as a share of the spread proxy w_K sqrt(2 / d).
TRUNCATION_SHARE = 0.02
#: Bytes of Gaussian draws held at once.
CHUNK_BYTES = 32 * 2**20
#: Continuum weights kept explicitly; beyond them the tail is exact in mean (see continuum_ratios).
CONTINUUM_TERMS = 4096
DEFAULT_LEVELS = (0.025, 0.5, 0.975)


@dataclass(frozen=True)
class FixedDRatios:
    """Monte Carlo law of the leading ratios rho_1 >= rho_2 >= ... at fixed d."""

    d: int
    draws: int
    mean: np.ndarray  # E[rho_k], k = 1..components (Monte Carlo mean)
    standard_error: np.ndarray  # its Monte Carlo standard error
    levels: tuple[float, ...]  # quantile levels, default (0.025, 0.5, 0.975)
    quantiles: np.ndarray  # shape (len(levels), components)


@dataclass(frozen=True)
class TruncationPlan:
    """How :func:`fixed_d_ratios` samples: the leading weights kept and the error estimate."""

    heads: int  # J: weights kept exactly (J = len(weights) means no truncation)
    error: float  # error(J) of the module docstring (0 when exact)
    form: str  # "d" (d x d form) or "bartlett" (J x J Wishart form)


# --- validation ---------------------------------------------------------------------------


def _positive_int(value: object, name: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} = {value!r} is not allowed: give an integer >= {low}")
    return int(value)


def _weights(weights: ArrayLike) -> np.ndarray:
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"weights = {weights!r} is not allowed: give a 1-D array of nonnegative numbers"
        ) from None
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"weights of shape {w.shape} are not allowed: give a nonempty 1-D array")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        bad = w[~np.isfinite(w) | (w < 0)][0]
        raise ValueError(f"weight {bad!r} is not allowed: weights are finite and >= 0")
    if np.any(np.diff(w) > 1e-12 * w[0]):
        i = int(np.argmax(np.diff(w) > 1e-12 * w[0]))
        raise ValueError(
            f"weights[{i + 1}] = {w[i + 1]!r} > weights[{i}] = {w[i]!r} is not allowed: "
            "give decreasing weights"
        )
    if w[0] <= 0:
        raise ValueError("weights that are all 0 are not allowed: give a positive first weight")
    return w / w.sum()


def _levels(levels: Any) -> tuple[float, ...]:
    try:
        values = tuple(float(x) for x in levels)
    except (TypeError, ValueError):
        raise ValueError(f"levels = {levels!r} is not allowed: give numbers in [0, 1]") from None
    if not values or any(not 0 <= x <= 1 for x in values):
        raise ValueError(f"levels = {levels!r} is not allowed: give numbers in [0, 1]")
    return values


# --- the plan -----------------------------------------------------------------------------


def _error_curve(w: np.ndarray, d: int, components: int, extra: tuple[float, float]) -> np.ndarray:
    """error(J) for J = 0..m (module docstring); ``extra`` = (tau, s2) beyond the weights."""
    m = w.size
    tail = np.concatenate([np.cumsum(w[::-1])[::-1], [0.0]]) + extra[0]  # tau(J), J = 0..m
    tail2 = np.concatenate([np.cumsum((w**2)[::-1])[::-1], [0.0]]) + extra[1]
    J = np.arange(m + 1)
    r = np.minimum(J, d)
    w_K = w[min(components, m) - 1]
    margin = np.where(w_K > tail, w_K - tail, np.nan)
    coupling = np.maximum(d - J, 0) * tail2 / (d * margin)
    return (np.sqrt(2 * (r + 1) * tail2) + coupling) / d


def _plan(w: np.ndarray, d: int, components: int, extra: tuple[float, float]) -> TruncationPlan:
    m = w.size
    exact_extra = extra == (0.0, 0.0)
    if m * d * d <= EXACT_BUDGET:
        error = 0.0 if exact_extra else float(_error_curve(w, d, components, extra)[m])
        return TruncationPlan(m, error, "d")
    curve = _error_curve(w, d, components, extra)
    tol = TRUNCATION_SHARE * w[min(components, m) - 1] * math.sqrt(2 / d)
    start = min(components + 1, m)
    ok = np.nonzero(np.nan_to_num(curve[start:], nan=np.inf) <= tol)[0]
    heads = start + int(ok[0]) if ok.size else m
    error = float(curve[heads]) if (heads < m or not exact_extra) else 0.0
    return TruncationPlan(heads, error, "d" if d <= heads else "bartlett")


def truncation_plan(weights: ArrayLike, d: int, components: int = 5) -> TruncationPlan:
    """The leading weights :func:`fixed_d_ratios` keeps and its per-draw error estimate.

    >>> truncation_plan(1 / np.arange(1, 500) ** 2, 5000).form
    'bartlett'
    """
    w = _weights(weights)
    d = _positive_int(d, "d")
    components = _positive_int(components, "components")
    return _plan(w, d, min(components, w.size), (0.0, 0.0))


def peak_bytes(
    n: int, d: int, components: int = 5, draws: int = 2000, weights: ArrayLike | None = None
) -> int:
    """An upper estimate of the memory of :func:`fixed_d_ratios` / :func:`sample_ratios` with
    n weights, in bytes.

    With ``weights`` the truncation plan is known and the estimate follows the chunk the
    sampler holds (its Gaussian block, the matrices formed from it, the tail's chi-square
    draws, each at most :data:`CHUNK_BYTES` in total per block); without them, the worst
    plan (all n weights kept) is assumed.
    """
    m = max(int(n), 1)
    if weights is None:
        heads, form_d = m, min(int(d), m)
    else:
        w = _weights(weights)
        plan = _plan(w, int(d), min(components, w.size), (0.0, 0.0))
        heads, form_d = plan.heads, (int(d) if plan.form == "d" else plan.heads)
    rest = m - heads
    per_draw = heads * min(form_d, heads) + rest
    chunk = min(draws, max(1, CHUNK_BYTES // (8 * max(per_draw, 1))))
    held = 8 * chunk * (3 * heads * form_d + form_d * form_d + 2 * rest + heads)
    return held + 8 * (4 * m + 2 * draws * (components + 2))


# --- the samplers -------------------------------------------------------------------------


def _chunks(draws: int, per_draw: int) -> list[int]:
    size = max(1, CHUNK_BYTES // (8 * max(per_draw, 1)))
    return [min(size, draws - start) for start in range(0, draws, size)]


def _sample(
    w: np.ndarray,
    d: int,
    components: int,
    draws: int,
    seed: int | Sequence[int],
    extra: tuple[float, float],
) -> np.ndarray:
    """draws x components ratios (zero beyond the rank)."""
    plan = _plan(w, d, components, extra)
    J = plan.heads
    head, rest = w[:J], w[J:]
    tau = float(rest.sum()) + extra[0]
    rng = np.random.default_rng(seed)
    out = np.zeros((draws, components))
    rank = min(components, d, J if plan.form == "bartlett" else d)
    done = 0
    per_draw = J * min(d, J) + rest.size
    for size in _chunks(draws, per_draw):
        if plan.form == "d":
            Z = rng.standard_normal((size, J, d))
            trace_head = np.einsum("j,bjc,bjc->b", head, Z, Z)
            mu = np.linalg.eigvalsh(np.einsum("bjc,j,bje->bce", Z, head, Z))[:, ::-1]
        else:
            L = np.tril(rng.standard_normal((size, J, J)), -1)
            diag = np.sqrt(rng.chisquare(d - np.arange(J), size=(size, J)))
            L[:, np.arange(J), np.arange(J)] = diag
            H = np.sqrt(head)[None, :, None] * L  # W^(1/2) L
            trace_head = np.einsum("bij,bij->b", H, H)
            mu = np.linalg.eigvalsh(H @ H.transpose(0, 2, 1))[:, ::-1]
        trace = trace_head + _tail_trace(rng, rest, d, size) + d * extra[0]
        out[done : done + size, :rank] = (mu[:, :rank] + tau) / trace[:, None]
        done += size
    return out


def _tail_trace(rng: np.random.Generator, rest: np.ndarray, d: int, size: int) -> np.ndarray:
    """sum_{j>J} w_j |g_j|^2 for ``size`` draws: the tail's exact part of the trace."""
    if not rest.size:
        return np.zeros(size)
    return rng.chisquare(d, size=(size, rest.size)) @ rest


def _summarise(samples: np.ndarray, d: int, levels: tuple[float, ...]) -> FixedDRatios:
    draws = samples.shape[0]
    mean = samples.mean(axis=0)
    se = samples.std(axis=0, ddof=1) / math.sqrt(draws) if draws > 1 else np.zeros_like(mean)
    q = np.quantile(samples, levels, axis=0)
    return FixedDRatios(d, draws, mean, se, levels, np.asarray(q).reshape(len(levels), -1))


def fixed_d_ratios(
    weights: ArrayLike,
    d: int,
    components: int = 5,
    draws: int = 2000,
    seed: int = 0,
    levels: tuple[float, ...] = DEFAULT_LEVELS,
) -> FixedDRatios:
    """Explained-variance ratios of sum_j w_j g_j g_j^T, g_j ~ N(0, I_d) i.i.d.

    ``weights``: nonnegative decreasing eigenvalues (any scale), for example
    ``random_walk_ratios(n)``; ``d`` >= 1. Returns the Monte Carlo mean, standard error and
    quantiles of rho_1..rho_components over ``draws`` draws from ``seed`` (deterministic).
    Exact in distribution when the d x d form is affordable, else truncated to the leading
    weights with the error stated in the module docstring (:func:`truncation_plan`).
    Components beyond rank min(d, len(weights)) are 0.

    >>> r = fixed_d_ratios([3.0, 1.0], 2, components=2, draws=4000, seed=1)
    >>> bool(abs(r.mean.sum() - 1) < 1e-12)
    True
    """
    w = _weights(weights)
    d = _positive_int(d, "d")
    components = _positive_int(components, "components")
    draws = _positive_int(draws, "draws")
    seed = _positive_int(seed, "seed", low=0)
    levels = _levels(levels)
    return _summarise(sample_ratios(w, d, components, draws, seed), d, levels)


def sample_ratios(
    weights: ArrayLike,
    d: int,
    components: int = 5,
    draws: int = 2000,
    seed: int | Sequence[int] = 0,
) -> np.ndarray:
    """The draws x components ratios behind :func:`fixed_d_ratios` (same sampler, same
    truncation), for callers that need the draws themselves: a band, or a statistic's
    null distribution. ``seed``: an integer or a sequence of them (a NumPy seed
    sequence, so that a caller can give this use its own stream)."""
    w = _weights(weights)
    d = _positive_int(d, "d")
    components = _positive_int(components, "components")
    draws = _positive_int(draws, "draws")
    if isinstance(seed, int):
        _positive_int(seed, "seed", low=0)
    if components > w.size:
        raise ValueError(
            f"components = {components} is not allowed: at most len(weights) = {w.size}"
        )
    return _sample(w, d, components, draws, seed, (0.0, 0.0))


def continuum_weights(terms: int = CONTINUUM_TERMS) -> tuple[np.ndarray, float, float]:
    """The first ``terms`` weights 1/(pi j)^2 and the tail's sum and sum of squares beyond them.

    The tail sums are 1/6 - sum_{j<=J} 1/(pi j)^2 and 1/90 - sum_{j<=J} 1/(pi j)^4, computed
    from the closed forms zeta(2)/pi^2 = 1/6 and zeta(4)/pi^4 = 1/90 (error below 1e-16).
    """
    j = np.arange(1, terms + 1, dtype=float)
    w = 1 / (math.pi * j) ** 2
    # the tails from their asymptotic expansions (Euler-Maclaurin), not by subtraction:
    # sum_{j>J} j^-2 = 1/J - 1/(2J^2) + 1/(6J^3) - ..., sum_{j>J} j^-4 = 1/(3J^3) - ...
    J = float(terms)
    tail = (1 / J - 1 / (2 * J**2) + 1 / (6 * J**3)) / math.pi**2
    tail2 = (1 / (3 * J**3) - 1 / (2 * J**4)) / math.pi**4
    return w, tail, tail2


def continuum_ratios(
    d: int,
    components: int = 5,
    draws: int = 2000,
    seed: int = 0,
    levels: tuple[float, ...] = DEFAULT_LEVELS,
) -> FixedDRatios:
    """The n -> infinity limit at fixed d (weights 1/(pi j)^2, truncated with a stated tail error).

    The first :data:`CONTINUUM_TERMS` weights are kept (or fewer, by the truncation plan);
    the rest, tau = sum_{j > 4096} 1/(pi j)^2 ~ 2.5e-5 of the total 1/6, enters as tau I_d in
    the numerator and d tau in the trace, a per-draw error of the ratios of about
    [sqrt(2 (d + 1) s2) / d + sqrt(2 s2 / d)] * 6 with s2 = sum_{j>4096} (pi j)^-4 ~ 5e-14:
    below 3e-6 for every d (its part in error(J) of the module docstring).
    """
    d = _positive_int(d, "d")
    components = _positive_int(components, "components")
    draws = _positive_int(draws, "draws")
    seed = _positive_int(seed, "seed", low=0)
    levels = _levels(levels)
    w, tail, tail2 = continuum_weights()
    total = float(w.sum()) + tail
    samples = _sample(w / total, d, components, draws, seed, (tail / total, tail2 / total**2))
    return _summarise(samples, d, levels)


__all__ = [
    "CONTINUUM_TERMS",
    "FixedDRatios",
    "TruncationPlan",
    "continuum_ratios",
    "continuum_weights",
    "fixed_d_ratios",
    "peak_bytes",
    "truncation_plan",
]

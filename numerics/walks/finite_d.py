"""Finite-d corrections to the explained-variance ratios: perturbation theory in 1/d.

Setting. Steps R (n x d) with i.i.d. entries of mean 0, variance sigma^2 and excess
kurtosis kappa = E xi^4 / sigma^4 - 3. The ratios are scale-free, so take
G / (d sigma^2) = I + E. With B = C T^-1 the simulated covariance is B (I + E) B^T; its
nonzero eigenvalues are those of D^(1/2) (I + F) D^(1/2), where B^T B = W D W^T
(orthonormal W, D = diag(lambda_j) including one zero for the constant mode) and
F = W^T E W. Write w_j for column j of W.

Moments of F. Column c of R gives r_c in R^n with E r r^T = I and
E (a.r)(b.r)(c.r)(e.r) = (a.b)(c.e) + (a.c)(b.e) + (a.e)(b.c) + kappa sum_t a_t b_t c_t e_t,
so, summing d independent columns,

    Cov(F_ij, F_kl) = [delta_ik delta_jl + delta_il delta_jk + kappa Q_ijkl] / d,
    Q_ijkl = sum_t w_it w_jt w_kt w_lt.

Eigenvalues to second order (Rayleigh-Schroedinger for D + D^(1/2) F D^(1/2)):

    lambda_hat_k / lambda_k = 1 + F_kk + sum_{j != k} lambda_j F_jk^2 / (lambda_k - lambda_j) + O(d^-3/2).

Ratios. With x_k = lambda_hat_k / lambda_k - 1 and rho_j = lambda_j / sum lambda,
rho_hat_k / rho_k = (1 + x_k) / (1 + y), y = sum_j rho_j x_j. Expanding to second order
and using E F_kk = 0, E F_jk^2 = (1 + kappa q_jk) / d (q_jk = Q_jjkk) and the
antisymmetry of lambda_i lambda_j / (lambda_i - lambda_j), which makes sum_j rho_j E x_j
vanish at second order:

    E[rho_hat_k / rho_k] - 1 = (1/d) [ sum_{j != k} lambda_j (1 + kappa q_jk) / (lambda_k - lambda_j)
                                        - 2 rho_k + 2 |rho|^2 - kappa ((q rho)_k - rho^T q rho) ],
    Var[rho_hat_k / rho_k]   = (1/d) [ 2 (1 - 2 rho_k + |rho|^2)
                                        + kappa (q_kk - 2 (q rho)_k + rho^T q rho) ].

Both are O(1/d) and O(1/sqrt d) with coefficients computed here from the exact finite-n
matrices. The fourth moment enters only through q, whose entries are sums of products
of squared delocalised unit vectors, q_jk ~ 1/n: so kappa matters at relative order
kappa / n. For Gaussian noise (kappa = 0) the correction is universal; for very sparse
noise (kappa = 3/density - 3 >> n) the kurtosis term dominates both the bias and the
fluctuations. The expansion needs the gaps lambda_k - lambda_j to be large compared with
lambda_k / sqrt(d); it holds for the leading components, not for the near-degenerate
bottom of the spectrum.

>>> p = ratio_perturbation("plain", 20, 10**4)
>>> bool(0 < p.sd[0] < 0.01)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rwpca.numerics.linalg import float_spectra


@dataclass(frozen=True)
class StepBasis:
    """Eigen-decomposition of B^T B = T^-T C T^-1 (descending, the zero mode last)."""

    values: np.ndarray  # lambda_j, length n, last one 0
    vectors: np.ndarray  # w_j as columns
    fourth: np.ndarray  # q_jk = sum_t w_jt^2 w_kt^2

    @property
    def ratios(self) -> np.ndarray:
        """rho_j (n values, the last one 0)."""
        return self.values / self.values.sum()


def step_basis(process: str, n: int, params: Mapping[str, object] | None = None) -> StepBasis:
    """The eigenpairs of B^T B, B = C T^-1, in which F = W^T E W is expressed."""
    T = float_spectra.step_operator(process, n, params)
    Tinv = np.linalg.solve(T, np.eye(n))
    B = Tinv - Tinv.mean(axis=0, keepdims=True)
    values, vectors = np.linalg.eigh(B.T @ B)
    values, vectors = values[::-1].copy(), vectors[:, ::-1].copy()
    values[-1] = 0.0  # the constant mode: exactly zero, numerically ~1e-16 lambda_1
    squares = vectors**2
    return StepBasis(values, vectors, squares.T @ squares)


@dataclass(frozen=True)
class RatioPerturbation:
    """Second-order mean and first-order spread of rho_hat_k / rho_k - 1, k = 1..n-1.

    ``second`` is the size of the second-order terms, (1/d) [sum_{j != k}
    |lambda_j / (lambda_k - lambda_j)| (1 + |kappa| q_jk) + 2 + |kappa| max_j q_jj]: each
    is a product of two entries of F whose variances are at most (1 + |kappa| q) / d, so a
    z-standard-deviation excursion of the first-order term comes with second-order
    terms of at most about z^2 * second.
    """

    bias: np.ndarray
    sd: np.ndarray
    second: np.ndarray
    #: Coefficients: bias = (bias0 + kappa bias4) / d, sd^2 = (var0 + kappa var4) / d.
    bias0: np.ndarray
    bias4: np.ndarray
    var0: np.ndarray
    var4: np.ndarray


def ratio_perturbation(
    process: str,
    n: int,
    d: float,
    kurtosis: float = 0.0,
    params: Mapping[str, object] | None = None,
) -> RatioPerturbation:
    """Leading finite-d bias and standard deviation of the ratios (module docstring).

    ``kurtosis`` is the excess kurtosis kappa of one noise coordinate (0 for Gaussian).
    """
    basis = step_basis(process, n, params)
    lam, q = basis.values, basis.fourth
    rho = basis.ratios
    m = n - 1
    diff = lam[:m, None] - lam[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        coupling = np.where(np.eye(m, n, dtype=bool), 0.0, lam[None, :] / diff)
    norm2 = float(rho @ rho)
    q_rho = q @ rho
    rqr = float(rho @ q_rho)
    bias0 = coupling.sum(axis=1) - 2 * rho[:m] + 2 * norm2
    bias4 = (coupling * q[:m, :]).sum(axis=1) - (q_rho[:m] - rqr)
    var0 = 2 * (1 - 2 * rho[:m] + norm2)
    var4 = np.diag(q)[:m] - 2 * q_rho[:m] + rqr
    kappa = float(kurtosis)
    bias = (bias0 + kappa * bias4) / d
    variance = np.clip(var0 + kappa * var4, 0, None) / d
    size = abs(kappa)
    second = (
        (np.abs(coupling) * (1 + size * q[:m, :])).sum(axis=1) + 2 + size * np.diag(q).max()
    ) / d
    return RatioPerturbation(bias, np.sqrt(variance), second, bias0, bias4, var0, var4)


def eigenvector_misalignment(
    process: str,
    n: int,
    d: float,
    kurtosis: float = 0.0,
    params: Mapping[str, object] | None = None,
) -> np.ndarray:
    """E[1 - |<u_hat_k, u_k>|] to leading order, k = 1..n-1.

    First-order perturbation of the eigenvector of D^(1/2)(I + F)D^(1/2): its component
    along mode j != k is sqrt(lambda_j lambda_k) F_jk / (lambda_k - lambda_j), and these
    modes map to the eigenvectors of K (u_j = B w_j / sqrt(lambda_j)), so
    1 - |<u_hat_k, u_k>| = (1/2) sum_{j != k} lambda_j lambda_k F_jk^2 / (lambda_k - lambda_j)^2,
    with E F_jk^2 = (1 + kappa q_jk) / d.
    """
    basis = step_basis(process, n, params)
    lam, q = basis.values, basis.fourth
    m = n - 1
    diff = lam[:m, None] - lam[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(np.eye(m, n, dtype=bool), 0.0, lam[None, :] * lam[:m, None] / diff**2)
    return 0.5 * (weight * (1 + float(kurtosis) * q[:m, :])).sum(axis=1) / d


def distance_profile(
    process: str, n: int, params: Mapping[str, object] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """E ||x_t||^2 / (d sigma^2) and sum_s a_ts^4 / (sum_s a_ts^2)^2 for t = 1..n.

    x_t = sum_s a_ts xi_s with a = T^-1; the second array enters the spread of
    ||x_t||^2 / d: Var = (E)^2 (2 + kappa * that) / d.
    """
    T = float_spectra.step_operator(process, n, params)
    A = np.linalg.solve(T, np.eye(n))
    second = (A**2).sum(axis=1)
    fourth = (A**4).sum(axis=1)
    return second, fourth / second**2


def relative_spread_of_squared_norms(
    process: str, n: int, d: float, kurtosis: float = 0.0, params=None
) -> np.ndarray:
    """Standard deviation of ||x_t||^2 / E||x_t||^2, t = 1..n: sqrt((2 + kappa c_t) / d)."""
    _, shape = distance_profile(process, n, params)
    return np.sqrt(np.clip(2 + float(kurtosis) * shape, 0, None) / d)

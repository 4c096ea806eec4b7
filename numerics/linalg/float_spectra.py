"""Float64 spectra of the exact finite matrices K = C T^-1 T^-T C.

This is the fast, non-certified path used for figures and statistical tests; the
step operator is read from :mod:`proofs` (its first column), so the numeric matrices are
the symbolic ones with numbers substituted.

>>> lam = eigenvalues("plain", 4)
>>> [round(float(x), 10) for x in lam]
[1.7071067812, 0.5, 0.2928932188]
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from rwpca.proofs.circulant import toeplitz_first_column
from rwpca.proofs.processes import get_process
from rwpca.proofs.validation import check_n


@lru_cache(maxsize=64)
def _first_column(process: str, params: tuple[tuple[str, object], ...]) -> tuple[float, ...]:
    proc = get_process(process)
    T = proc.step_operator(4, dict(params))
    return tuple(float(c) for c in toeplitz_first_column(T))


def default_params(process: str) -> dict[str, float]:
    """The parameter values used when none are given: gamma = 0.5, alpha = 0.1."""
    return {"plain": {}, "momentum": {"gamma": 0.5}, "ou": {"alpha": 0.1}}[
        get_process(process).name
    ]


def step_operator(process: str, n: int, params: Mapping[str, object] | None = None) -> np.ndarray:
    """The float64 step operator T (n x n) of ``process``."""
    n = check_n(n)
    params = default_params(process) if params is None else dict(params)
    proc = get_process(process)
    proc.validate(params)
    column = _first_column(process, tuple(sorted(params.items())))
    T = np.zeros((n, n))
    for lag, value in enumerate(column[:n]):
        T += value * np.eye(n, k=-lag)
    return T


def centred_covariance(
    process: str, n: int, params: Mapping[str, object] | None = None
) -> np.ndarray:
    """K = C T^-1 T^-T C in float64."""
    T = step_operator(process, n, params)
    Tinv = np.linalg.solve(T, np.eye(n))
    B = Tinv - Tinv.mean(axis=0, keepdims=True)  # C T^-1
    return B @ B.T


def eigenvalues(process: str, n: int, params: Mapping[str, object] | None = None) -> np.ndarray:
    """The n - 1 nonzero eigenvalues of K, descending (the zero of the constant mode dropped)."""
    values = np.linalg.eigvalsh(centred_covariance(process, n, params))
    return values[::-1][:-1].copy()


def explained_variance_ratio(
    process: str, n: int, params: Mapping[str, object] | None = None
) -> np.ndarray:
    """The exact finite-n ratios lambda_k / trace K, descending, length n - 1."""
    lam = eigenvalues(process, n, params)
    return lam / lam.sum()

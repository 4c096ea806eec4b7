"""Float64 spectra of the exact finite matrices K = C T^-1 T^-T C.

This is the fast, non-certified path used for figures and statistical tests; the
step operator's first column is the one its process declares (:mod:`rwpca.proofs.processes`),
so the numeric matrices are the symbolic ones with numbers substituted.

>>> lam = eigenvalues("plain", 4)
>>> [round(float(x), 10) for x in lam]
[1.7071067812, 0.5, 0.2928932188]
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import lru_cache

import numpy as np

from rwpca.proofs.processes import get_process
from rwpca.proofs.validation import check_n


def default_params(process: str) -> dict[str, Fraction]:
    """The parameter values used when none are given: the process's declared defaults.

    >>> default_params("momentum")
    {'gamma': Fraction(1, 2)}
    """
    return dict(get_process(process).defaults)


@lru_cache(maxsize=64)
def _first_column(process: str, params: tuple[tuple[str, object], ...]) -> tuple[float, ...]:
    column = get_process(process).first_column(dict(params))
    return tuple(float(c) for c in column)


def first_column(process: str, params: Mapping[str, object] | None = None) -> np.ndarray:
    """c_0..c_b, the first column of the step operator T declared by the process, in float64.

    ``params`` None means :func:`default_params`; values are checked against their domains.

    >>> first_column("momentum", {"gamma": 0.5}).tolist()
    [1.0, -1.5, 0.5]
    """
    proc = get_process(process)
    exact = proc.validate(default_params(process) if params is None else params)
    return np.array(_first_column(proc.name, tuple(sorted(exact.items()))))


def step_operator(process: str, n: int, params: Mapping[str, object] | None = None) -> np.ndarray:
    """The float64 step operator T (n x n) of ``process``."""
    n = check_n(n)
    column = first_column(process, params)
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

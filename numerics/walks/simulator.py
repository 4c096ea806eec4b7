"""Monte-Carlo walks under any noise: PCA of a d-dimensional walk without the n x d trajectory.

The trajectory X (n x d) of a process with step operator T obeys T X = R, R the steps.
PCA of the centred trajectory needs only its n x n Gram matrix

    C X X^T C = C T^-1 (R R^T) T^-T C,

so :func:`simulate` draws the step Gram matrix G = R R^T (block by block over d, or for
Gaussian noise directly as a Wishart matrix; see :mod:`rwpca.numerics.walks.families`), applies the
process recursion to both sides (:func:`integrate`), removes the time average
(:func:`centre`) and diagonalises. Memory is O(n^2 + n * block) and for Gaussian noise
the cost does not depend on d at all.

Scale-free deterministic bound (Ostrowski). Write M = G / (tr G / n) = I + E, the step
Gram matrix normalised to mean diagonal 1, and B = C T^-1. The simulated covariance is
B M B^T and the exact finite-n theory is K = B B^T (rwpca.numerics.linalg.float_spectra). The nonzero
eigenvalues of B M B^T are those of M^(1/2) B^T B M^(1/2), and by Ostrowski's theorem
(Horn & Johnson, *Matrix Analysis*, Thm 4.5.9) each is theta_k times the corresponding
eigenvalue of B^T B, i.e. of K, with lambda_min(M) <= theta_k <= lambda_max(M). So for
*every draw*

    lambda_min(M) <= lambda_hat_k / lambda_k <= lambda_max(M),

and the explained-variance ratios satisfy rho_hat_k / rho_k in [l/u, u/l] with
l, u = lambda_min(M), lambda_max(M): relative errors at most about 2 ||E|| / (1 - ||E||).
:attr:`Walk.ostrowski_bounds` returns (l, u). How fast ||E|| shrinks is a property of
the noise (rw.noise_independence): about 2 sqrt(n/d) + n/d for i.i.d. finite-variance
coordinates (Bai-Yin), sqrt(n / r_eff) for covariance of effective rank r_eff, and not
at all for infinite variance.

>>> walk = simulate("plain", 50, 10**7, "gaussian", seed=1)
>>> walk.explained_variance_ratio.shape
(49,)
>>> bool(abs(walk.explained_variance_ratio[0] / walk.theory()[0] - 1) < 0.01)
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp

from rwpca.numerics.linalg import float_spectra
from rwpca.numerics.progress import ProgressArg
from rwpca.numerics.resources import require_memory
from rwpca.numerics.walks import samplers
from rwpca.numerics.walks.families import Noise, get_noise
from rwpca.proofs.processes import get_process
from rwpca.proofs.validation import check_n, show


def _first_column(process: str, params: Mapping[str, object]) -> np.ndarray:
    """The nonzero lags (c_0, c_1, ...) of the lower-triangular Toeplitz step operator T."""
    column = float_spectra.first_column(process, params)
    nonzero = np.flatnonzero(column)
    return column[: nonzero[-1] + 1]


def _solve_in_place(column: np.ndarray, Y: np.ndarray, axis: int) -> None:
    """Y <- T^-1 Y along ``axis`` (0: columns of Y are solved; 1: rows), in place."""
    if column.size == 2 and column[0] == 1 and column[1] == -1:
        np.cumsum(Y, axis=axis, out=Y)  # the plain walk: T^-1 is the cumulative sum
        return
    view = Y if axis == 0 else Y.T
    lags = column.size - 1
    for t in range(view.shape[0]):
        for lag in range(1, min(lags, t) + 1):
            view[t] -= column[lag] * view[t - lag]
        if column[0] != 1:
            view[t] /= column[0]


def solve_steps(column: np.ndarray, G: np.ndarray) -> np.ndarray:
    """T^-1 G along axis 0 for the banded lower-triangular Toeplitz T with first column c.

    This is the walk recursion itself, applied to every column of G:
    y_t = (g_t - c_1 y_{t-1} - c_2 y_{t-2} - ...) / c_0. For the plain walk (c = (1, -1))
    it is the cumulative sum.
    """
    Y = np.array(G, dtype=np.float64, copy=True)
    _solve_in_place(column, Y, 0)
    return Y


def integrate(G: np.ndarray, process: str, params: Mapping[str, object]) -> np.ndarray:
    """The trajectory Gram matrix X X^T = T^-1 G T^-T from the step Gram matrix G.

    Returns a new array (G is left unchanged); one n x n buffer, solved in place along
    both axes.
    """
    column = _first_column(process, params)
    Y = np.array(G, dtype=np.float64, copy=True)
    _solve_in_place(column, Y, 0)  # T^-1 G
    _solve_in_place(column, Y, 1)  # (T^-1 G) T^-T
    return Y


def centre(G: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """C G C, C = I - 1 1^T / n: the Gram matrix of the trajectory minus its time average.

    With ``out=G`` the result overwrites G (no n x n temporary).
    """
    row = G.mean(axis=0, keepdims=True)
    total = float(row.mean())
    if out is None:
        out = np.array(G, dtype=np.float64, copy=True)
    elif out is not G:
        out[...] = G
    out -= row
    out -= row.T
    out += total
    return out


@dataclass(frozen=True, eq=False)
class Walk:
    """The PCA of one simulated walk.

    Eigenvalues are those of C X X^T C divided by s = tr(R R^T) / n, the mean squared
    length of a step: in these units the exact finite-n theory is K = C T^-1 T^-T C
    (:func:`rwpca.numerics.linalg.float_spectra.eigenvalues`) whatever the noise scale.
    """

    process: str
    n: int
    d: int
    params: Mapping[str, sp.Expr]  # exact SymPy numbers (ProcessSpec.validate)
    noise: Noise
    seed: object
    method: str
    #: n - 1 eigenvalues, descending (the zero of the constant mode dropped).
    eigenvalues: np.ndarray
    #: Normalised step Gram matrix M = R R^T / s (mean diagonal 1).
    step_gram: np.ndarray = field(repr=False)
    #: ||x_t||^2 / d for t = 1..n (uncentred, in the units of the noise).
    squared_norms: np.ndarray = field(repr=False)
    #: tr(R R^T) / (n d): the mean square of one coordinate of a step (sigma^2 estimate).
    mean_square_step: float = math.nan
    #: PCA projections (scores) onto the first components, n x m, or None.
    projections: np.ndarray | None = field(default=None, repr=False)

    @property
    def explained_variance_ratio(self) -> np.ndarray:
        """rho_k = lambda_k / sum_j lambda_j, descending, length n - 1."""
        return self.eigenvalues / self.eigenvalues.sum()

    def theory(self) -> np.ndarray:
        """Exact finite-n ratios of the process (R R^T = I), from rwpca.numerics.linalg.float_spectra."""
        return float_spectra.explained_variance_ratio(self.process, self.n, self.params)

    def theory_eigenvalues(self) -> np.ndarray:
        """Exact finite-n eigenvalues of K = C T^-1 T^-T C."""
        return float_spectra.eigenvalues(self.process, self.n, self.params)

    def relative_deviation(self) -> np.ndarray:
        """rho_hat_k / rho_k - 1 against the exact finite-n theory, k = 1..n-1."""
        return self.explained_variance_ratio / self.theory() - 1

    @cached_property
    def ostrowski_bounds(self) -> tuple[float, float]:
        """(lambda_min(M), lambda_max(M)): every lambda_hat_k / lambda_k lies between them."""
        values = np.linalg.eigvalsh(self.step_gram)
        return float(values[0]), float(values[-1])

    @property
    def noise_deviation(self) -> float:
        """||M - I||_2, the spectral distance of the normalised step Gram matrix from I."""
        low, high = self.ostrowski_bounds
        return max(1 - low, high - 1)

    @property
    def ratio_bound(self) -> float:
        """Deterministic bound u/l - 1 on |rho_hat_k / rho_k - 1| for this draw (inf if l <= 0)."""
        low, high = self.ostrowski_bounds
        return high / low - 1 if low > 0 else math.inf


#: n x n float64 arrays alive at the peak of a simulation and its comparison: the step Gram
#: matrix (kept in the :class:`Walk`) beside the exact theory (:meth:`Walk.theory` builds
#: T, I, LU's copy, T^-1, C T^-1 and K: measured 6.1 in all at n = 3000), which is more
#: than :func:`simulate`'s own three (step and trajectory Gram matrices, LAPACK's copy);
#: eigenvectors (``projections``, :func:`exact_projections`) add the vectors and the
#: divide-and-conquer workspace.
SQUARES = 7
SQUARES_WITH_VECTORS = 9


def peak_bytes(
    n: int,
    d: int,
    noise: object = "gaussian",
    *,
    projections: bool = False,
    block: int | None = None,
) -> int:
    """An upper estimate of the memory a simulation and its theory need, in bytes.

    :func:`simulate` checks it before it allocates anything.

    The larger of the noise's Gram pass (:meth:`~rwpca.numerics.walks.steps.Noise.gram_bytes`)
    and the n x n arrays of the PCA; d enters only through the noise (a block of columns,
    or the spectrum of correlated noise).

    >>> round(peak_bytes(100_000, 10**6) / 2**30, 1)  # seven n x n arrays of float64
    521.5
    """
    squares = SQUARES_WITH_VECTORS if projections else SQUARES
    return max(get_noise(noise).gram_bytes(n, d, block), 8 * squares * n * n)


def _check_d(d: object) -> int:
    return check_n(d, minimum=1, name="d")


def _rng(seed: object) -> np.random.Generator:
    """A Generator from an integer >= 0, a tuple of them, a SeedSequence or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    parts = seed if isinstance(seed, tuple) and seed else (seed,)
    for part in parts:
        if isinstance(part, bool) or not isinstance(part, (int, np.integer)) or part < 0:
            raise ValueError(
                f"seed = {show(seed)} is not allowed: the seed must be an integer >= 0 (or a "
                "tuple of them, a numpy SeedSequence or a Generator)"
            )
    return np.random.default_rng([int(part) for part in parts] if len(parts) > 1 else int(parts[0]))


def simulate(
    process: str,
    n: int,
    d: int,
    noise: object = "gaussian",
    *,
    params: Mapping[str, object] | None = None,
    seed: object = 0,
    projections: int | bool = False,
    block: int | None = None,
    progress: ProgressArg = False,
) -> Walk:
    """Simulate a d-dimensional walk of n steps and return its PCA (:class:`Walk`).

    ``process`` is ``"plain"``, ``"momentum"`` (params gamma) or ``"ou"`` (params alpha);
    default parameters are those of :func:`rwpca.numerics.linalg.float_spectra.default_params`. ``noise`` is
    a family name (see :data:`rwpca.numerics.walks.families.FAMILIES`, parameters as
    ``"student_t:nu=3"``), a :class:`rwpca.numerics.walks.steps.Noise` or a callable
    ``sampler(rng, size) -> ndarray`` drawing i.i.d. entries of the requested shape.
    ``projections`` = m (or True for all n - 1) returns the time courses of the first m
    principal components. ``seed`` fixes every draw. ``progress`` reports the streaming
    of the steps (:mod:`rwpca.numerics.progress`; None: a bar on a terminal, lines elsewhere).

    Memory is O(n^2 + n * block); the trajectory is never formed. The built-in
    finite-variance families draw float32 values from an SFC64 stream seeded from
    ``seed`` and multiply them in float32 when d >= 4 n (what this does to each law and
    to the eigenvalues: :mod:`rwpca.numerics.walks.samplers`). BLAS runs on one thread
    here (on a shared two-core machine a second thread made the n x n eigensolver 2x to
    4x slower); streamed blocks are drawn in a second thread meanwhile.
    """
    n = check_n(n)
    d = _check_d(d)
    proc = get_process(process)
    params = float_spectra.default_params(process) if params is None else dict(params)
    params = proc.validate(params)
    family = get_noise(noise)
    if block is not None:
        block = check_n(block, minimum=1, name="block")
    if isinstance(projections, bool):
        components = n - 1 if projections else 0
    else:
        components = check_n(projections, minimum=0, name="projections")
        if components > n - 1:
            raise ValueError(
                f"projections = {components} is not allowed: at most n - 1 = {n - 1} components"
            )
    rng = _rng(seed)
    require_memory(
        peak_bytes(n, d, family, projections=components > 0, block=block),
        f"a walk of n = {n} steps in d = {d} dimensions",
    )

    with samplers.blas_threads():
        steps = family.gram(rng, n, d, block=block, progress=progress)
        G = steps.matrix
        scale = float(np.trace(G)) / n
        if not (math.isfinite(scale) and scale > 0):
            raise ValueError(
                f"the noise {family.label!r} gave steps of mean square {scale}: the steps "
                "must be finite and not all zero"
            )
        M = G
        M /= scale  # in place: peak memory is a few n x n arrays
        trajectory = integrate(M, proc.name, params)
        squared_norms = np.diag(trajectory) * (scale / d)
        covariance = centre(trajectory, out=trajectory)
        if components:
            values, vectors = np.linalg.eigh(covariance)
            values, vectors = values[::-1], vectors[:, ::-1]
            vectors = vectors[:, :components]
            # sign convention of the exact eigenvectors: positive at t = 1 (cos(pi k / (2n)) > 0)
            vectors = vectors * np.where(vectors[0] < 0, -1.0, 1.0)
            scores = vectors * np.sqrt(np.clip(values[:components], 0, None))
        else:
            values = np.linalg.eigvalsh(covariance)[::-1]
            scores = None
    return Walk(
        process=proc.name,
        n=n,
        d=d,
        params=params,
        noise=family,
        seed=seed,
        method=steps.method,
        eigenvalues=values[: n - 1].copy(),
        step_gram=M,
        squared_norms=squared_norms,
        mean_square_step=scale / d,
        projections=scores,
    )


def exact_projections(process: str, n: int, components: int, params=None) -> np.ndarray:
    """sqrt(lambda_k) u_k for the exact K (n x components), sign positive at t = 1.

    For the plain walk u_k(t) = sqrt(2/n) cos(pi k (t - 1/2) / n) (rw.eigenvector).
    """
    K = float_spectra.centred_covariance(process, n, params)
    values, vectors = np.linalg.eigh(K)
    values, vectors = values[::-1][:components], vectors[:, ::-1][:, :components]
    vectors = vectors * np.where(vectors[0] < 0, -1.0, 1.0)
    return vectors * np.sqrt(np.clip(values, 0, None))

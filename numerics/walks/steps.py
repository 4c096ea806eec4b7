"""Step noise: the :class:`Noise` interface and the Gram matrix of its steps, streamed.

A *noise* produces the n x d matrix R of walk increments (row t is the step xi_t in R^d)
and, what the simulator really needs, its n x n Gram matrix R R^T. Three kinds exist:

* :class:`IidNoise`: every entry of R is an independent draw of one zero-mean law. The
  Gram matrix is accumulated block by block over d
  (:func:`rwpca.numerics.walks.samplers.accumulate_steps`), so memory stays
  O(n^2 + n * block) whatever d is; blocks are drawn in a worker thread meanwhile.
* :class:`GaussianNoise`: for d >= n, R R^T ~ Wishart(d, sigma^2 I_n), drawn directly by
  the Bartlett decomposition at a cost independent of d (:func:`wishart_bartlett`).
* :class:`CorrelatedNoise`: steps with covariance Sigma = U diag(lambda) U^T over the d
  coordinates, for any orthogonal U. Since R = Z diag(lambda)^(1/2) U^T gives
  R R^T = Z diag(lambda) Z^T exactly, whatever U is, the Gram matrix is accumulated from
  the latent coordinates z; its effective rank tr(Sigma)^2 / tr(Sigma^2) is the control.

The named laws built on these classes, and the parser of their specifications, are in
:mod:`rwpca.numerics.walks.families`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from rwpca.numerics.progress import ProgressArg, task
from rwpca.numerics.resources import require_memory
from rwpca.numerics.walks import samplers
from rwpca.proofs.validation import show

Sampler = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]

#: Bytes of noise per streamed block (n rows x block columns): 8 MiB.
BLOCK_BYTES = 8 * 2**20
#: Float64 arrays of one block's shape alive while blocks stream: the block multiplied, the
#: next one drawn meanwhile by the worker thread (:func:`samplers.prefetched`), and a
#: sampler's float64 temporaries (measured 4.0 for the correlated family at n = 600): the
#: block term of the memory estimate :meth:`Noise.gram_bytes`.
_DRAW_COPIES = 5


def default_block(n: int, itemsize: int = 8) -> int:
    """Columns per block so that one n x block block of ``itemsize``-byte values is 8 MiB.

    Block products ``B @ B.T`` run as a symmetric rank-k update, whose throughput is
    within a few per cent of its maximum once the block has a few thousand columns
    (measured in benchmarks/simulate.py); smaller blocks keep peak memory low.
    """
    return int(min(8192, max(64, BLOCK_BYTES // (itemsize * max(n, 1)))))


# --- the Gram matrix of the steps ------------------------------------------------------------


def wishart_bartlett(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """A draw of Z Z^T for a d-column standard Gaussian Z (n x d), at cost O(n^3) for any d.

    Bartlett decomposition (Bartlett 1933; Anderson, *An Introduction to Multivariate
    Statistical Analysis*, Thm 7.2.1): for d >= n, Z Z^T = A A^T with A lower triangular,
    independent entries A_ii = sqrt(chi^2_{d - i + 1}) (i = 1..n) and A_ij ~ N(0, 1) below
    the diagonal. Requires d >= n (for d < n the Wishart matrix is singular and has no
    such factor: draw Z instead).

    >>> G = wishart_bartlett(np.random.default_rng(1), 3, 10**12)
    >>> bool(np.allclose(G / 10**12, np.eye(3), atol=1e-5))
    True
    """
    if d < n:
        raise ValueError(f"d = {d} is not allowed here: the Bartlett factor needs d >= n = {n}")
    A = rng.standard_normal((n, n))
    for row in range(n - 1):
        A[row, row + 1 :] = 0.0  # strictly upper part: zero in place (no n x n temporary)
    A[np.diag_indices(n)] = np.sqrt(rng.chisquare(d - np.arange(n, dtype=float)))
    return A @ A.T


@dataclass(frozen=True)
class StepGram:
    """The Gram matrix R R^T of the steps and how it was obtained.

    ``method`` is ``"wishart"`` (drawn directly, cost independent of d), ``"stream"``
    (accumulated over column blocks) or ``"direct"`` (d < n: R drawn whole).
    """

    matrix: np.ndarray
    method: str


class Noise:
    """Base class of the noise kinds. Subclasses implement :meth:`gram`."""

    name: str = "noise"
    params: Mapping[str, float]
    #: Variance of one coordinate (nan if unknown, inf if infinite).
    variance: float = math.nan
    #: Excess kurtosis E x^4 / sigma^4 - 3 of one coordinate (nan unknown, inf infinite).
    excess_kurtosis: float = math.nan
    #: Whether the mean is zero (None if unknown, as for a user's sampler).
    zero_mean: bool | None = None

    @property
    def finite_variance(self) -> bool | None:
        """True/False when known, None for a user's sampler."""
        if math.isnan(self.variance):
            return None
        return math.isfinite(self.variance)

    def effective_rank(self, d: int) -> float:
        """tr(Sigma)^2 / tr(Sigma^2) of the covariance of one step (d for i.i.d. coordinates)."""
        return float(d)

    def gram(
        self,
        rng: np.random.Generator,
        n: int,
        d: int,
        *,
        block: int | None = None,
        progress: ProgressArg = False,
    ) -> StepGram:
        raise NotImplementedError

    def gram_bytes(self, n: int, d: int, block: int | None = None) -> int:
        """Peak bytes of :meth:`gram`: the n x n result and its block products, one block."""
        columns = min(d, default_block(n) if block is None else block)
        return 8 * (2 * n * n + _DRAW_COPIES * n * columns)

    @property
    def label(self) -> str:
        """The name with its parameters, as the CLI accepts it (``student_t:nu=5``)."""
        if not self.params:
            return self.name
        return self.name + ":" + ",".join(f"{k}={format_number(v)}" for k, v in self.params.items())

    def __repr__(self) -> str:
        return f"<noise {self.label}>"


def format_number(value: float) -> str:
    return f"{value:g}"


class IidNoise(Noise):
    """Independent entries drawn by ``sampler(rng, size) -> ndarray`` (any shape ``size``).

    ``moments`` = (variance, fourth moment about zero) when known. User samplers are
    checked on every call: the result must have exactly the requested shape, real numbers
    and no NaN or infinity. Built-in samplers (``trusted``) draw from the walk's own SFC64
    stream (:func:`rwpca.numerics.walks.samplers.stream_generator`) and, with ``single``,
    return float32 values (see :mod:`rwpca.numerics.walks.samplers` for what that does to
    the law); a user's sampler gets the walk's Generator itself.
    """

    def __init__(
        self,
        name: str,
        sampler: Sampler,
        *,
        params: Mapping[str, float] | None = None,
        moments: tuple[float, float] | None = None,
        zero_mean: bool | None = True,
        description: str = "",
        trusted: bool = True,
        single: bool = False,
    ) -> None:
        self.name = name
        self.sampler = sampler
        self.params = dict(params or {})
        self.description = description
        self.zero_mean = zero_mean
        self.trusted = trusted
        self.single = single
        if moments is not None:
            variance, fourth = moments
            self.variance = float(variance)
            if math.isfinite(variance) and variance > 0:
                self.excess_kurtosis = float(fourth / variance**2 - 3)
            else:
                self.excess_kurtosis = math.inf
            self.fourth_moment = float(fourth)
        else:
            self.fourth_moment = math.nan

    def draw(self, rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
        """Draws of the requested shape, checked (shape, real, finite) unless built in."""
        try:
            values = self.sampler(rng, size)
        except TypeError as error:
            if self.trusted:
                raise
            raise ValueError(
                f"the noise sampler {self.name!r} could not be called as sampler(rng, size) "
                f"with size = {size}: {error}"
            ) from None
        if self.trusted:
            return values
        return _check_draws(self.name, values, size)

    def source(self, rng: np.random.Generator) -> np.random.Generator:
        """The Generator the draws of one walk come from: SFC64 seeded from ``rng`` for a
        built-in sampler, ``rng`` itself for a user's."""
        return samplers.stream_generator(rng) if self.trusted else rng

    def blocks(self, rng: np.random.Generator, n: int, d: int, block: int) -> Iterator[np.ndarray]:
        """The n x d step matrix R as consecutive n x block column blocks."""
        source = self.source(rng)
        for start in range(0, d, block):
            yield self.draw(source, (n, min(block, d - start)))

    def gram(
        self,
        rng: np.random.Generator,
        n: int,
        d: int,
        *,
        block: int | None = None,
        progress: ProgressArg = False,
    ) -> StepGram:
        """R R^T accumulated over column blocks (memory O(n^2 + n * block)).

        Blocks are drawn in a worker thread while the previous one is multiplied, with
        one BLAS thread for the products (measured in benchmarks/simulate.py).
        """
        block = default_block(n, 4 if self.single else 8) if block is None else block
        single = samplers.single_precision(n, d)
        if d <= block:
            steps = [self.draw(self.source(rng), (n, d))]
            with samplers.blas_threads():
                matrix = samplers.accumulate_steps(steps, n, single=single)
            return StepGram(matrix, "direct")
        count = -(-d // block)
        with task(progress, f"steps ({self.name})", count, unit="block") as bar:

            def counted() -> Iterator[np.ndarray]:
                for B in self.blocks(rng, n, d, block):
                    yield B
                    del B  # freed before the next block is drawn
                    bar.update()

            drawn = samplers.prefetched(counted())
            with samplers.blas_threads():
                return StepGram(samplers.accumulate_steps(drawn, n, single=single), "stream")


def _check_draws(name: str, values: object, size: tuple[int, ...]) -> np.ndarray:
    array = np.asarray(values)
    if array.shape != tuple(size):
        raise ValueError(
            f"the noise sampler {name!r} returned shape {array.shape} for size = {tuple(size)}: "
            "it must return an array of exactly the requested shape"
        )
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"the noise sampler {name!r} returned values of dtype {array.dtype}: "
            "draws must be real numbers"
        )
    array = array.astype(np.float64, copy=False)
    if not np.isfinite(array).all():
        bad = array[~np.isfinite(array)].flat[0]
        raise ValueError(
            f"the noise sampler {name!r} returned {bad} among its draws: draws must be finite "
            "(no NaN or infinity)"
        )
    return array


class GaussianNoise(IidNoise):
    """Standard Gaussian entries; the Gram matrix is drawn directly when d >= n.

    With ``wishart=False`` it is streamed like any other family (used to check that
    the two paths agree in distribution).
    """

    def __init__(self, *, wishart: bool = True) -> None:
        super().__init__(
            "gaussian",
            samplers.gaussian,
            moments=(1.0, 3.0),
            description="standard normal N(0, 1)",
            single=True,
        )
        self.wishart = wishart

    def gram(
        self,
        rng: np.random.Generator,
        n: int,
        d: int,
        *,
        block: int | None = None,
        progress: ProgressArg = False,
    ) -> StepGram:
        """Wishart(d, I_n) by Bartlett for d >= n (any d, O(n^3)); R drawn when d < n."""
        if self.wishart and d >= n:
            return StepGram(wishart_bartlett(rng, n, d), "wishart")
        return super().gram(rng, n, d, block=block, progress=progress)

    def gram_bytes(self, n: int, d: int, block: int | None = None) -> int:
        if self.wishart and d >= n:
            return 8 * 2 * n * n  # the Bartlett factor A and A A^T
        return super().gram_bytes(n, d, block)


class CorrelatedNoise(Noise):
    """Gaussian steps with covariance Sigma of eigenvalues lambda_i = i^(-decay), i <= rank.

    ``rank = 0`` means all d coordinates. The eigenvalues are scaled so that tr(Sigma) = d
    (mean coordinate variance 1, as for the i.i.d. families). With rank = 0 the effective
    rank grows like d for decay < 1/2, like d^(2 - 2 decay) for 1/2 < decay < 1, like
    (log d)^2 / zeta(2) for decay = 1 and stays below zeta(decay)^2 / zeta(2 decay) for
    decay > 1.

    The d coordinates of a step are correlated through Sigma = U diag(lambda) U^T; as
    explained in the module docstring the Gram matrix does not depend on U, so only the
    min(rank, d) nonzero eigenvalues are drawn, at cost O(n^2 min(rank, d)). The effective
    rank tr(Sigma)^2 / tr(Sigma^2) is ``rank`` when decay = 0 and smaller otherwise.
    """

    name = "correlated"

    def __init__(self, rank: float = 0, decay: float = 1.0) -> None:
        if not (float(rank).is_integer() and rank >= 0):
            raise ValueError(
                f"rank = {show(rank)} is not allowed: the rank of the noise covariance must "
                "be an integer >= 1, or 0 for all d coordinates"
            )
        if not (math.isfinite(decay) and decay >= 0):
            raise ValueError(
                f"decay = {show(decay)} is not allowed: the spectral decay must be a real >= 0"
            )
        self.rank = int(rank)
        self.decay = float(decay)
        self.params = {"rank": self.rank, "decay": self.decay}
        self.variance = 1.0
        self.excess_kurtosis = 0.0
        self.zero_mean = True
        top = "d" if self.rank == 0 else str(self.rank)
        self.description = (
            f"Gaussian with covariance eigenvalues i^-{format_number(self.decay)}, i <= {top}"
        )

    def latent(self, d: int) -> int:
        """How many latent coordinates (nonzero eigenvalues of Sigma) d dimensions have."""
        return d if self.rank == 0 else min(self.rank, d)

    def check_size(self, d: int) -> None:
        """ResourceError if the d-dimensional spectrum (three arrays of it) does not fit."""
        require_memory(
            8 * 3 * self.latent(d),
            f"the correlated noise in d = {d} dimensions ({self.latent(d)} eigenvalues)",
        )

    def gram_bytes(self, n: int, d: int, block: int | None = None) -> int:
        columns = min(self.latent(d), default_block(n) if block is None else block)
        return 8 * (3 * self.latent(d) + 2 * n * n + _DRAW_COPIES * n * columns)

    def spectrum(self, d: int) -> np.ndarray:
        """The nonzero eigenvalues of Sigma in d dimensions (normalised to trace 1)."""
        lam = np.arange(1, self.latent(d) + 1, dtype=float) ** -self.decay
        return lam * (d / lam.sum())

    def effective_rank(self, d: int) -> float:
        self.check_size(d)
        lam = self.spectrum(d)
        return float(lam.sum() ** 2 / (lam**2).sum())

    def gram(
        self,
        rng: np.random.Generator,
        n: int,
        d: int,
        *,
        block: int | None = None,
        progress: ProgressArg = False,
    ) -> StepGram:
        """Z diag(lambda) Z^T over the latent coordinates, streamed in blocks."""
        self.check_size(d)
        lam = self.spectrum(d)
        block = default_block(n, 4) if block is None else block
        if self.decay == 0:
            # equal eigenvalues: Z diag(lambda) Z^T is a Wishart matrix with rank(Sigma) dof
            r = lam.size
            if r >= n:
                return StepGram(wishart_bartlett(rng, n, r) * lam[0], "wishart")
        roots = np.sqrt(lam).astype(np.float32)
        source = samplers.stream_generator(rng)
        # float32 products need a well-conditioned M, i.e. an effective rank >> n
        single = samplers.single_precision(n, lam.sum() ** 2 / (lam**2).sum())

        def blocks() -> Iterator[np.ndarray]:
            for start in range(0, lam.size, block):
                scale = roots[start : start + block]
                values = samplers.gaussian(source, (n, scale.size))
                values *= scale
                yield values

        count = -(-lam.size // block)
        with task(progress, "steps (correlated)", count, unit="block") as bar:

            def counted() -> Iterator[np.ndarray]:
                for B in blocks():
                    yield B
                    del B  # freed before the next block is drawn
                    bar.update()

            method = "stream" if count > 1 else "direct"
            drawn = samplers.prefetched(counted())
            with samplers.blas_threads():
                return StepGram(samplers.accumulate_steps(drawn, n, single=single), method)

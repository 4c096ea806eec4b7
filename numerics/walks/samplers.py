"""Fast draws for the built-in noise families: float32 values from raw bits, and their Gram matrix.

The streamed simulator spends its time drawing n * d random numbers (10^8 at n = 1000,
d = 10^5) and multiplying n x block blocks. This module makes both cheap without changing
any family's law:

* **One fast bit generator per walk.** :func:`stream_generator` seeds NumPy's SFC64 from
  256 bits drawn from the walk's Generator, so the draws are a function of the seed alone
  (the same seed, integer, SeedSequence or Generator in the same state, gives the same
  walk on every platform: SFC64's integer stream is covered by NumPy's compatibility
  guarantee and the bits are read little-endian). SFC64 (Doty-Humphrey's Small Fast
  Chaotic generator) passes PractRand and TestU01 BigCrush, has a minimum period of 2^64
  per seed (a counter is part of its state) and an expected one of about 2^255; here it
  gives 64 random bits in about 2 ns against 2.7 ns for PCG64 (benchmarks/simulate.py).
* **Bits, not floats, where the law is discrete or sparse.** :func:`signs` turns every
  64-bit word into 64 signs through a 256 x 8 table; :func:`uniform` maps each 32-bit half
  word to a float32; :func:`sparse_gaussian` draws the binomial number of nonzeros and
  their positions instead of n * d Bernoulli variables.
* **float32 values.** Every built-in finite-variance family returns float32 (its values
  have 24 significant bits) and :func:`accumulate_steps` multiplies float32 blocks in
  float32 GEMM, the machine's fastest kernel, summing the block products in float64.

What float32 does to the law (u = 2^-24, the unit roundoff of float32):

* Each value is a rounding of a draw of the exact law, or, for Student-t and uniform, the
  float32 evaluation of an exact transformation of exactly distributed inputs. So the
  Gram matrix is the Gram matrix of *different but equally distributed* noise, up to a
  relative perturbation of each entry of at most a few u: every moment E|x|^p of one
  coordinate moves by a relative amount of at most about p times that.
* Symmetric families stay exactly symmetric: their values are built as a magnitude times
  an independent fair sign (Laplace, Student-t, sparse through the Gaussian), or as an
  odd function of an odd-symmetric integer (uniform), and rounding to nearest is odd, so
  every odd moment, the mean included, is exactly 0. Centred exponential values have a
  mean of 0 up to the rounding of Exp(1) - 1, at most u E|x| in absolute value.
* Per family (each value x, exact law X): **rademacher** is exact (+-1 with probability
  1/2 each, given ideal bits); **uniform** is uniform on the 2^31 odd multiples of
  2^-31 sqrt 3 in (-sqrt 3, sqrt 3), rounded to float32 (variance 1 - 2^-62, excess
  kurtosis -6/5 up to 2^-61, before the final rounding); **laplace** and **exponential**
  are float32 roundings of float64 ziggurat draws; **gaussian** draws come from NumPy's
  float32 ziggurat (exactly symmetric; the tail is cut at about 8.2 sd, probability
  2e-16); **student_t** (nu > 2) is the polar construction of Bailey (1994) without
  rejection, T = S |cos theta| sqrt(nu (exp(y) - 1)) with y = 2 E / nu, S a fair sign,
  theta uniform on (0, pi/2) and E ~ Exp(1) drawn in float64 (tail up to 44, so the
  variance lost to the cut is below 10^-6 for nu >= 3). Its float32 evaluation has a
  relative error of about (2 y + 4) u (y is rounded before exp; y > 10 has probability
  e^(-5 nu)) plus an absolute error of T^2 below (nu - 2) 2^-22, from the cancellation
  in exp(y) - 1 for small y. Infinite-variance laws (Cauchy, Student-t with nu <= 2)
  stay float64: their squares could overflow float32.

What float32 GEMM does to the Gram matrix: each block product is rounded once per entry
and accumulated in float32 within the block, so a block contributes an error of at most
gamma_b sqrt(G_ii G_jj) to entry (i, j) (Higham, *Accuracy and Stability of Numerical
Algorithms*, 2nd ed., eq. 3.5, with gamma_b = b u / (1 - b u)), and in practice (blocked,
fused multiply-adds) a few u times the block's diagonal: measured ||Delta G_block||_2 /
b below 10^-6 for unit-variance blocks of 512 to 4096 columns at n = 1000. The float64
sum over blocks adds nothing visible, so the normalised step Gram matrix M carries an
error Delta M with ||Delta M||_2 below about 10^-6. By Ostrowski's theorem (the same
argument as in :mod:`rwpca.numerics.walks.simulator`) every eigenvalue of the walk then
moves by a relative amount of at most ||Delta M||_2 / lambda_min(M); float32 products are
used only when d >= SINGLE_MIN_RATIO * n (for correlated noise: effective rank >=
SINGLE_MIN_RATIO * n), where lambda_min(M) is about (1 - sqrt(n / d))^2 >= 1/4 for
i.i.d. finite-variance noise (Bai-Yin), so eigenvalues move by a relative 4e-6 at most
and ratios by 1e-5, below the sampling spread of rho_1 (about 1 / sqrt(d), 10^-4 at
d = 10^8, beyond which nothing is streamed in reasonable time). For d < SINGLE_MIN_RATIO
* n (M nearly singular) the products are float64: float32 values multiply exactly in
float64, so that Gram matrix is exact up to 2^-53. tests/test_samplers.py checks the
Ostrowski bound on a walk against float64 products of the same draws.

>>> rng = stream_generator(np.random.default_rng(0))
>>> x = signs(rng, (2, 5))
>>> x.dtype, sorted(set(x.ravel().tolist())) == [-1.0, 1.0]
(dtype('float32'), True)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import ThreadpoolController

#: The bit generator of the built-in samplers (see the module docstring for the choice).
GENERATOR = np.random.SFC64
#: Float32 block products only when d >= SINGLE_MIN_RATIO * n (lambda_min(M) >= about 1/4).
SINGLE_MIN_RATIO = 4
#: BLAS threads for the block products of a streamed walk, while one worker thread draws.
PRODUCT_THREADS = 1

_FLOAT32 = np.dtype(np.float32)
_WORD = np.dtype("<u8")  # words are read little-endian: the same draws on every platform
_HALF = np.dtype("<i4")


def stream_generator(rng: np.random.Generator) -> np.random.Generator:
    """An SFC64 Generator seeded by 256 bits drawn from ``rng`` (a function of its state).

    >>> a = stream_generator(np.random.default_rng(5)).integers(10**9)
    >>> b = stream_generator(np.random.default_rng(5)).integers(10**9)
    >>> bool(a == b)
    True
    """
    entropy = rng.integers(0, 2**32, size=8, dtype=np.uint64)
    return np.random.Generator(GENERATOR(np.random.SeedSequence(entropy.tolist())))


def words(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` uniform 64-bit words (little-endian uint64), whatever the bit generator.

    ``integers`` over the full uint64 range takes one raw 64-bit output per word (no
    rejection), also for MT19937, whose raw outputs have 32 bits.
    """
    drawn = rng.integers(0, 2**64 - 1, size=count, dtype=np.uint64, endpoint=True)
    return drawn.astype(_WORD, copy=False)


def _sign_table(value: float) -> np.ndarray:
    """Row b holds the 8 signs of byte b: +value where bit j (least significant first) is 1."""
    bits = (np.arange(256)[:, None] >> np.arange(8)[None, :]) & 1
    return np.where(bits == 1, value, -value).astype(np.float32)


_SIGNS = _sign_table(1.0)


def signs(rng: np.random.Generator, size: tuple[int, ...], value: float = 1.0) -> np.ndarray:
    """Independent fair signs +-value as float32: 64 signs per 64-bit word, one bit each."""
    count = math.prod(size)
    table = _SIGNS if value == 1.0 else _sign_table(value)
    octets = words(rng, -(-count // 64)).view(np.uint8)[: -(-count // 8)]
    return table[octets].reshape(-1)[:count].reshape(size)


def _odd_halves(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` int32 values uniform on the 2^31 odd integers in (-2^31, 2^31) (symmetric)."""
    halves = words(rng, -(-count // 2)).view(_HALF)[:count]
    halves |= 1  # k and k | 1 map to the same odd value: each odd value has probability 2^-31
    return halves


def uniform(rng: np.random.Generator, size: tuple[int, ...], half_width: float) -> np.ndarray:
    """Uniform on (-half_width, half_width) as float32, from 32 random bits per value.

    The value is m * half_width / 2^31 for m uniform on the odd integers, so the law is
    exactly symmetric (rounding to nearest is odd) and has 2^31 equally likely points.
    """
    count = math.prod(size)
    values = _odd_halves(rng, count).astype(np.float32)
    values *= np.float32(half_width * 2.0**-31)
    return values.reshape(size)


def gaussian(rng: np.random.Generator, size: tuple[int, ...], scale: float = 1.0) -> np.ndarray:
    """N(0, scale^2) as float32 (NumPy's float32 ziggurat)."""
    values = rng.standard_normal(size, dtype=np.float32)
    if scale != 1.0:
        values *= np.float32(scale)
    return values


def laplace(rng: np.random.Generator, size: tuple[int, ...], scale: float) -> np.ndarray:
    """Laplace(0, scale) as float32: a float64 Exp(1) rounded, times a fair sign times scale."""
    magnitude = rng.standard_exponential(size).astype(np.float32)
    magnitude *= signs(rng, size, scale)
    return magnitude


def centred_exponential(rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
    """Exp(1) - 1 as float32 (a float64 draw, centred, then rounded)."""
    values = rng.standard_exponential(size)
    values -= 1.0
    return values.astype(np.float32)


def student_t(
    rng: np.random.Generator, size: tuple[int, ...], nu: float, scale: float = 1.0
) -> np.ndarray:
    """Student-t with nu > 2 degrees of freedom, times ``scale``, as float32.

    Bailey's polar construction without rejection: if E ~ Exp(1), theta is uniform and
    independent, then R^2 = nu (exp(2 E / nu) - 1) has P(R^2 > r) = (1 + r / nu)^(-nu/2),
    the radial law of the bivariate t, and R cos theta is t_nu (its marginal). Written as
    a fair sign times R |cos theta| with theta uniform on (0, pi/2), so the law is exactly
    symmetric.
    """
    if not nu > 2:
        raise ValueError(f"nu = {nu} is not allowed here: the float32 t sampler needs nu > 2")
    count = math.prod(size)
    radius = np.multiply(rng.standard_exponential(count), 2.0 / nu, dtype=np.float32)
    np.exp(radius, out=radius)
    radius -= np.float32(1.0)
    radius *= np.float32(nu * scale * scale)
    np.sqrt(radius, out=radius)
    # one 32-bit word per value: its sign is S, its magnitude the angle theta in (0, pi/2)
    angle = _odd_halves(rng, count).astype(np.float32)
    sign = np.sign(angle)
    np.abs(angle, out=angle)
    angle *= np.float32(math.pi * 2.0**-32)
    np.cos(angle, out=angle)
    radius *= angle
    radius *= sign
    return radius.reshape(size)


def sparse_gaussian(rng: np.random.Generator, size: tuple[int, ...], density: float) -> np.ndarray:
    """N(0, 1 / density) masked by independent Bernoulli(density) variables, as float32.

    The number of nonzeros is drawn as Binomial(count, density) and their positions as a
    uniform subset of that size: together exactly the law of ``count`` independent
    Bernoulli masks, at a cost proportional to the nonzeros.
    """
    count = math.prod(size)
    if density >= 1.0:
        return gaussian(rng, size)
    nonzero = int(rng.binomial(count, density))
    values = np.zeros(count, dtype=np.float32)
    positions = rng.choice(count, size=nonzero, replace=False, shuffle=False)
    values[positions] = gaussian(rng, (nonzero,), 1.0 / math.sqrt(density))
    return values.reshape(size)


def scale_mixture(
    rng: np.random.Generator, size: tuple[int, ...], weight: float, narrow: float, wide: float
) -> np.ndarray:
    """N(0, wide^2) with probability ``weight``, N(0, narrow^2) otherwise, as float32.

    The choice compares a 32-bit word with round(weight 2^32), so the mixing probability is
    ``weight`` up to 2^-33.
    """
    count = math.prod(size)
    values = gaussian(rng, (count,))
    threshold = np.uint32(min(round(weight * 2.0**32), 2**32 - 1))
    chosen = words(rng, -(-count // 2)).view("<u4")[:count] < threshold
    if weight >= 1.0:
        chosen[:] = True
    values *= np.where(chosen, np.float32(wide), np.float32(narrow))
    return values.reshape(size)


# --- the Gram matrix of streamed steps ---------------------------------------------------------


def single_precision(n: int, d: float) -> bool:
    """Whether float32 block products are accurate enough: d >= SINGLE_MIN_RATIO * n."""
    return d >= SINGLE_MIN_RATIO * n


def accumulate_steps(blocks: Iterable[np.ndarray], n: int, *, single: bool) -> np.ndarray:
    """Sum of B B^T over the step blocks (each n x b), in float64.

    With ``single``, float32 blocks are multiplied in float32 GEMM and the n x n products
    added in float64 (the error analysis is in the module docstring); every other block
    is multiplied in float64. Raises ValueError for NaN or infinity, or a wrong shape.
    Unlike :func:`rwpca.numerics.trajectories.gram.accumulate` (any data, float64
    products) this is for zero-mean noise steps, whose Gram matrix has no large common
    part that rounding could swamp.
    """
    total = np.zeros((n, n))
    for index, raw in enumerate(blocks):
        B = np.asarray(raw)
        if not (single and B.dtype == _FLOAT32):
            B = B.astype(np.float64, copy=False)
        if B.ndim != 2 or B.shape[0] != n:
            raise ValueError(f"block {index} has shape {B.shape}: expected {n} x b")
        if not np.isfinite(B).all():
            raise ValueError(f"block {index} contains NaN or infinity: values must be finite")
        total += B @ B.T  # float32 product added to the float64 total in place
        del raw, B  # one block alive here at a time
    return total


_CONTROLLER: list[ThreadpoolController] = []


def blas_threads():
    """Context in which BLAS uses PRODUCT_THREADS threads (restored on exit).

    One ThreadpoolController is kept: building one scans the loaded libraries (0.5 ms),
    which the finite-d study would pay for each of its thousands of walks.
    """
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=PRODUCT_THREADS, user_api="blas")


def prefetched(blocks: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    """The same blocks, each drawn in a worker thread while the caller uses the previous one.

    NumPy's samplers and BLAS release the GIL, so on two cores drawing overlaps the block
    products. Blocks are produced in order by one thread, so the draws are those of the
    plain iterator; at most two blocks are alive at once. An exception raised while
    drawing is raised here, at the block it belongs to.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rwpca-draw") as pool:
        pending = pool.submit(next, blocks, None)
        while True:
            block = pending.result()
            if block is None:
                return
            pending = pool.submit(next, blocks, None)
            yield block
            del block

"""Streaming Gram matrices: G = X X^T for an n x d matrix read block by block over d.

PCA of a trajectory (n points in d dimensions, d >> n) needs only the n x n Gram matrix
of its rows. Accumulating it over column blocks keeps peak memory at O(n^2 + n * block)
whatever d is, and every block product is one BLAS call (``B @ B.T``, which NumPy runs as
a symmetric rank-k update, ``syrk``). This module is shared by the walk simulator (Gram
matrix of the noise steps) and the trajectory reader (Gram matrix of the checkpoints).

**Precision.** A float32 block is multiplied in float32 (``ssyrk``, about 2.4x the float64
rate on this machine and half the memory traffic) and the n x n block products are summed
in float64; every other input is multiplied in float64. Write ``u = 2^-24`` for the unit
roundoff of float32 and ``b`` for the block width.

1. *One block product.* For float32 vectors ``a, c`` of length b, the computed
   ``fl(a . c)`` (any summation order, with or without FMA, rounded once more to float32 on
   output) satisfies ``|fl(a . c) - a . c| <= gamma_{b+1} |a| . |c|`` with
   ``gamma_m = m u / (1 - m u)`` (Higham, *Accuracy and Stability of Numerical Algorithms*,
   2nd ed., eq. (3.5)); the float64 product of the same float32 numbers is exact to
   ``2^-53``, so this is the error relative to the float64 result. For independent rounding
   errors of mean zero the bound holds with ``gamma_{b+1}`` replaced by about
   ``lambda sqrt(b) u`` with probability at least ``1 - 2 exp(-lambda^2 / 2)`` per entry
   (Higham and Mary, SIAM J. Sci. Comput. 41 (2019) A2815, Thm. 3.1). Summing the ``d / b``
   block products in float64 adds at most ``(d / b) 2^-53`` relative to ``sum |a| . |c|``:
   nothing at float32 scale; float32 sums would add up to ``gamma_{d/b}``.
2. *Subtract before multiplying.* The bound is relative to ``|a| . |c|``, so what is
   multiplied must be small. A checkpoint ``x_t`` of a training run is a large common
   offset (the initialisation) plus a small displacement; the analysis needs the steps
   ``s_t = x_{t+1} - x_t``. Multiplying the raw ``x_t`` and differencing afterwards makes
   the error ``gamma ||x||^2``, i.e. ``gamma (||x|| / ||s||)^2`` relative to the step Gram
   matrix: with an offset 10^3 times a step no digit is left. Multiplying displacements
   from the first checkpoint ``x_t - x_1`` is not enough in float32 either: a random walk's
   ``||x_t - x_1||^2`` grows like t, so the double difference that recovers the step Gram
   matrix ``M`` loses a factor n. So each block is turned into steps *before* the product,
   and the block's mean step ``m = (x_n - x_1) / N`` is subtracted too (a drift would
   otherwise dominate ``|s_i| . |s_j|`` and swamp the noise that carries the small ratios):
   :func:`reference_steps` gives the rows ``r_t = s_t - m`` and ``m``, one product gives
   ``r_i . r_j``, ``r_i . m`` and ``m . m``, and :func:`steps_gram` reassembles
   ``M_ij = s_i . s_j`` in float64. The float32 subtractions are correctly rounded,
   ``fl(p - q) = (p - q)(1 + delta)`` with ``|delta| <= u``, and exact when ``p / q`` lies
   in [1/2, 2] (Sterbenz), so in particular for a large offset with small steps: the offset
   costs nothing.
3. *The ratios.* Altogether ``|dM_ij| <= e_i e_j`` with ``e_t^2 = eps (||r_t|| + ||m||)^2``
   and ``eps = gamma_{b+1} + 3u`` (probabilistically ``~ sqrt(b) u``). The centred Gram matrix
   is ``K = Phi M Phi^T`` with ``Phi = C L0`` (cumulative sum, centred), and
   ``W = Phi^T Phi`` (entries ``min(i,j) (n - max(i,j)) / n >= 0``) has norm
   ``omega = 1 / (4 sin^2(pi / (2n))) ~ n^2 / pi^2``. Hence
   ``||dK||_2 <= omega ||e||^2`` and ``|d tr K| <= e^T W e <= omega ||e||^2``, and with
   ``eta = omega ||e||^2 / tr K`` Weyl's inequality gives for every explained-variance ratio
   ``|rho_k' - rho_k| <= eta (1 + rho_k) / (1 - eta)``. This worst case assumes all
   rounding errors aligned with the leading component; it grows like ``n eps`` (for a walk
   ``eta ~ 0.6 n eps``). Independent rounding errors enter ``lambda_k`` to first order as
   ``v_k^T dM v_k`` (``v_k = Phi^T u_k``), a sum of terms of random sign, so the typical
   relative error of a ratio is of order ``eps`` without the factor n: measured, 1e-9 to
   2e-7 at n = 50 and 200 with b = 8192, on walks with a 10^4 offset-to-step ratio and on
   drift-dominated runs (``tests/test_precision.py`` holds it to 1e-6 against float64, and
   shows that each shortcut above fails that comparison).

>>> import numpy as np
>>> X = np.arange(12.0).reshape(3, 4)
>>> bool(np.allclose(gram(X, block=3), X @ X.T))
True
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import numpy as np
from threadpoolctl import threadpool_limits

#: Default number of columns per block: an n = 1000 block of float32 is 32 MiB.
DEFAULT_BLOCK = 8192

#: Element types whose every value is a float32: they are multiplied in float32.
FLOAT32_EXACT = frozenset(
    {
        "float32",
        "float16",
        "bfloat16",
        "float8_e4m3fn",
        "float8_e5m2",
        "int16",
        "int8",
        "uint16",
        "uint8",
        "bool",
    }
)

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

#: BLAS threads of each kernel, chosen on this 2-core machine shared by several jobs
#: (benchmarks/trajectory_pca.py measures 1 against 2): the block products of the Gram
#: pass run on one thread while a reader thread keeps the second core busy, and a second
#: BLAS thread made ``ssyrk`` 3x to 5x more expensive in CPU seconds under load; the
#: analysis after the pass (n x n ``eigh``, the replicates' products) is small enough that
#: a second thread's synchronisation costs more than it gains.
BLAS_THREADS = {"gram": 1, "analysis": 1}


def blas_threads(kernel: str) -> Any:
    """The BLAS thread limit of a kernel (:data:`BLAS_THREADS`) as a context manager."""
    return threadpool_limits(limits=BLAS_THREADS[kernel], user_api="blas")


def with_blas_threads(kernel: str) -> Callable[[F], F]:
    """Decorator: run the function under :func:`blas_threads` (entered at each call)."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with blas_threads(kernel):
                return function(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def compute_dtype(dtypes: Iterable[np.dtype | str]) -> np.dtype:
    """float32 when every value of every given element type is a float32, else float64.

    >>> compute_dtype(["float32", "bfloat16"]), compute_dtype([np.dtype("int32")])
    (dtype('float32'), dtype('float64'))
    """
    names = [d if isinstance(d, str) else np.dtype(d).name for d in dtypes]
    exact = bool(names) and all(name in FLOAT32_EXACT for name in names)
    return np.dtype(np.float32 if exact else np.float64)


class NonFiniteBlock(ValueError):
    """Block ``index`` of a pass holds NaN or infinity."""

    def __init__(self, index: int) -> None:
        super().__init__(f"block {index} contains NaN or infinity: values must be finite")
        self.index = index


def block_product(B: np.ndarray, index: int = 0) -> np.ndarray:
    """B B^T of one n x b block: in float32 for a float32 block, else in float64.

    Finiteness is read off the diagonal of the product (a NaN or infinity anywhere in row
    t makes ``(B B^T)_tt`` NaN or infinite), so the block itself is scanned only when that
    fails: :class:`NonFiniteBlock` if it holds NaN or infinity; a finite float32 block whose
    squares overflow float32 is multiplied again in float64; ValueError if even float64
    overflows.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # NaN and overflow are handled here
        P = B @ B.T
    if np.isfinite(np.diagonal(P)).all():
        return P
    if not np.isfinite(B).all():
        raise NonFiniteBlock(index)
    if B.dtype == np.float32:
        B64 = B.astype(np.float64)
        P = B64 @ B64.T
        if np.isfinite(np.diagonal(P)).all():
            return P
    raise ValueError(
        f"block {index} has values up to {float(np.abs(B).max()):.3g}, whose squares overflow "
        "float64: rescale the data"
    )


def as_block(raw: np.ndarray) -> np.ndarray:
    """A block in the precision it is multiplied in (float32 stays, the rest is float64)."""
    B = np.asarray(raw)
    return B if B.dtype == compute_dtype([B.dtype]) else B.astype(np.float64)


def column_blocks(X: np.ndarray, block: int = DEFAULT_BLOCK) -> Iterator[np.ndarray]:
    """Views of X[:, j:j + block] for j = 0, block, 2 block, ... (works on memory maps)."""
    if block < 1:
        raise ValueError(f"block = {block} is not allowed: block must be an integer >= 1")
    d = X.shape[1]
    for start in range(0, d, block):
        yield X[:, start : start + block]


def accumulate(blocks: Iterable[np.ndarray], n: int | None = None) -> np.ndarray:
    """Sum of B B^T over the blocks (each n x b), in float64.

    Each product is formed in the block's precision (:func:`block_product`: float32 blocks
    in float32, the rest in float64; see the module docstring for the error) and added
    into a float64 total. Raises ValueError if the blocks disagree on n, or contain NaN or
    infinity.
    """
    total: np.ndarray | None = None
    for index, raw in enumerate(blocks):
        B = as_block(raw)
        if B.ndim != 2:
            raise ValueError(f"block {index} has shape {B.shape}: blocks must be 2-D (n x b)")
        if n is None:
            n = B.shape[0]
        if B.shape[0] != n:
            raise ValueError(f"block {index} has {B.shape[0]} rows: expected n = {n}")
        product = block_product(B, index)
        if total is None:
            total = product.astype(np.float64)
        else:
            total += product  # in place (and widened): one n x n temporary fewer at the peak
        # drop this block before the next one is produced: one block alive at a time
        del raw, B, product
    if total is None:
        if n is None:
            raise ValueError("no blocks given: need at least one column")
        return np.zeros((n, n))
    return total


def gram(X: np.ndarray, block: int = DEFAULT_BLOCK) -> np.ndarray:
    """X X^T for an n x d array (ndarray or memory map), streamed over column blocks."""
    X = np.asarray(X) if not isinstance(X, np.ndarray) else X
    if X.ndim != 2:
        raise ValueError(f"X has shape {X.shape}: expected a 2-D array (n x d)")
    return accumulate(column_blocks(X, block), n=X.shape[0])


# --- checkpoints: steps before products ----------------------------------------------------


def reference_steps(
    B: np.ndarray, dtype: np.dtype | type = np.float64, out: np.ndarray | None = None
) -> np.ndarray:
    """For a block of n checkpoints (n x b), the rows ``s_t - m`` (t < N = n - 1) and ``m``.

    ``s_t = x_{t+1} - x_t`` are the steps and ``m = (x_n - x_1) / N`` their mean, computed
    in ``dtype`` (integers are converted first, so nothing wraps around). The product of
    the result with itself holds everything :func:`steps_gram` needs (module docstring,
    item 2).

    >>> reference_steps(np.array([[0.0], [1.0], [3.0]]))[:, 0].tolist()
    [-0.5, 0.5, 1.5]
    """
    n = B.shape[0]
    if n < 2:
        raise ValueError(f"a block of {n} checkpoints has no step: at least 2 are needed")
    A = np.empty(B.shape, dtype) if out is None else out
    # NaN, infinity and float32 overflow go on into the product, whose diagonal reveals them
    with np.errstate(over="ignore", invalid="ignore"):
        np.subtract(B[-1], B[0], out=A[-1], dtype=A.dtype)
        A[-1] /= n - 1
        np.subtract(B[1:], B[:-1], out=A[:-1], dtype=A.dtype)
        A[:-1] -= A[-1]
    return A


def steps_gram(total: np.ndarray) -> np.ndarray:
    """The step Gram matrix ``M_ij = s_i . s_j`` (N x N) from the summed products of
    :func:`reference_steps` blocks: ``r_i . r_j + r_i . m + m . r_j + m . m``."""
    N = total.shape[0] - 1
    return total[:N, :N] + total[:N, N:] + total[N:, :N] + total[N, N]


def displacement_gram(step_gram: np.ndarray) -> np.ndarray:
    """``G_ij = (x_i - x_1) . (x_j - x_1)`` (n x n) from the step Gram matrix (N x N).

    >>> displacement_gram(np.eye(2)).tolist()  # x = (0, e1, e1 + e2)
    [[0.0, 0.0, 0.0], [0.0, 1.0, 1.0], [0.0, 1.0, 2.0]]
    """
    N = step_gram.shape[0]
    G = np.zeros((N + 1, N + 1))
    G[1:, 1:] = np.cumsum(np.cumsum(step_gram, axis=0), axis=1)
    return G


# --- reading ahead ---------------------------------------------------------------------------


def prefetched(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Iterate ``items`` in a background thread, at most ``depth`` items ahead.

    The producer (reading and converting blocks: ``preadv``, NumPy ufuncs) and the consumer
    (the BLAS product) both release the GIL, so reading overlaps computing. At most
    ``depth + 2`` items are alive at once (the consumer's, the queued ones and the one
    being built), which is what a producer reusing buffers must allow for. An exception
    of the producer is raised in the consumer; leaving the loop early stops the producer
    and closes ``items`` in its own thread.
    """
    channel: queue.Queue[tuple[bool, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[bool, object]) -> bool:
        while not stop.is_set():
            try:
                channel.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put((False, item)):
                    return
            put((True, None))
        except BaseException as error:  # handed to the consumer, raised there
            put((True, error))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=work, name="rwpca-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            done, value = channel.get()
            if done:
                if isinstance(value, BaseException):
                    raise value
                return
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()


def centred_gram(G: np.ndarray) -> np.ndarray:
    """C G C with C = I - 1 1^T / n: the Gram matrix of the rows after removing their mean."""
    G = np.asarray(G, dtype=np.float64)
    row = G.mean(axis=0, keepdims=True)
    return G - row - row.T + G.mean()


def pca_from_gram(G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (descending) and unit eigenvectors (columns) of a centred Gram matrix.

    For a centred trajectory X^ (n x d), the eigenvalues of X^ X^T are the PCA variances
    times n and its eigenvectors are the time courses of the projections (the projection
    on component k is sqrt(lambda_k) u_k).
    """
    values, vectors = np.linalg.eigh(np.asarray(G, dtype=np.float64))
    order = np.argsort(values)[::-1]
    return values[order], vectors[:, order]

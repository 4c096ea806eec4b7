"""The trajectory object: n checkpoints of d parameters behind a block source, and its Gram pass.

:meth:`Trajectory.gram` reads the data once, column block by column block, and returns the
n x n Gram matrix of the *displacements from the first checkpoint of the window*,
``G_ij = (x_i - x_1).(x_j - x_1)``. Centred PCA and the squared step norms are invariant
under that shift. Each block is turned into steps minus the block's mean step before it is
multiplied (:func:`rwpca.numerics.trajectories.gram.reference_steps`): that keeps the
rounding error relative to the steps, not to the offset, which matters for float32
checkpoints, multiplied in float32 (the error analysis is in
:mod:`rwpca.numerics.trajectories.gram`); float64 ones are multiplied in float64. A reader
thread reads and converts the next block while BLAS multiplies the current one
(:func:`~rwpca.numerics.trajectories.gram.prefetched`). Where the values come from (files,
folders of checkpoints, arrays) is :mod:`rwpca.numerics.trajectories.readers`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import numpy as np

from rwpca.numerics import progress as progress_display
from rwpca.numerics.checkpoints.sketch import SketchInfo
from rwpca.numerics.checkpoints.sources import Run
from rwpca.numerics.checkpoints.tensors import Selection
from rwpca.numerics.trajectories.gram import (
    DEFAULT_BLOCK,
    NonFiniteBlock,
    blas_threads,
    block_product,
    compute_dtype,
    displacement_gram,
    prefetched,
    reference_steps,
    steps_gram,
)

#: The theory needs d >> n; below this many parameters per checkpoint a warning is given.
MIN_DIMENSION_RATIO = 10


def parse_window(
    text: str, n: int, what: str = "window", steps: Sequence[int] | None = None
) -> tuple[int, int]:
    """``START:STOP`` (checkpoint positions) or ``step=START:STOP`` (training steps, half
    open: the checkpoints whose step s has START <= s < STOP) -> a checked window.

    >>> parse_window("10:", 100)
    (10, 100)
    >>> parse_window("step=20:50", 6, steps=[0, 10, 20, 30, 40, 50])
    (2, 5)
    """
    by_step = re.fullmatch(r"\s*step\s*=\s*(\d*)\s*:\s*(\d*)\s*", text)
    match = by_step or re.fullmatch(r"\s*(\d*)\s*:\s*(\d*)\s*", text)
    if match is None:
        raise ValueError(
            f"{what} {text!r} is not allowed: use START:STOP with integers "
            f"0 <= START < STOP <= {n} (either may be left out), or step=START:STOP"
        )
    if by_step is None:
        start = int(match[1]) if match[1] else 0
        stop = int(match[2]) if match[2] else n
        return check_window((start, stop), n, what)
    # without steps the positions are the steps (no arange of a typed size); bounds beyond
    # int64 are clipped before NumPy sees them
    known = np.array([0, n - 1]) if steps is None else np.asarray(steps)
    low = int(match[1]) if match[1] else int(known[0])
    high = int(match[2]) if match[2] else int(known[-1]) + 1
    if steps is None:
        start, stop = (min(v, n) for v in (low, high))
    else:
        start, stop = (int(np.searchsorted(known, min(v, 2**62), side="left")) for v in (low, high))
    if stop - start < 3:
        raise ValueError(
            f"{what} {text!r} is not allowed: it holds {max(stop - start, 0)} checkpoints "
            f"(the steps run from {known[0]} to {known[-1]}), at least 3 are needed"
        )
    return start, stop


def check_window(window: tuple[int, int] | None, n: int, what: str = "window") -> tuple[int, int]:
    """The window (START, STOP) of checkpoint indices, checked against n (None: all)."""
    if window is None:
        return 0, n
    start, stop = (int(w) for w in window)
    if not (0 <= start < stop <= n) or stop - start < 3:
        raise ValueError(
            f"{what} {start}:{stop} is not allowed: need 0 <= START < STOP <= {n} "
            "with at least 3 checkpoints inside"
        )
    return start, stop


class TrajectoryWarning(UserWarning):
    """The trajectory can be analysed, but the random-walk theory may not apply."""


class BlockSource(Protocol):
    """Where a trajectory's values are: column blocks of its checkpoints, on demand.

    ``read`` may return a view of a buffer it reuses (valid until its next call) and is
    called from one thread at a time; ``close`` releases what a pass opened.
    """

    @property
    def dtypes(self) -> tuple[str, ...]:
        """Element types of the values (they decide the precision)."""
        ...

    @property
    def align(self) -> int:
        """Blocks are a multiple of this many columns (a Zarr column chunk)."""
        ...

    @property
    def rows_per_read(self) -> int | None:
        """Read a block this many checkpoints at a time (None: whole)."""
        ...

    def read(self, start: int, stop: int, column: int, end: int) -> np.ndarray: ...

    def nonfinite(self, B: np.ndarray, start: int, column: int) -> str: ...

    def close(self) -> None: ...


#: Checkpoints read (and turned into steps) at a time by sources that read row by row.
ROWS_PER_READ = 16


class Trajectory:
    """A validated trajectory: ``n`` checkpoints of ``d`` parameters, read on demand.

    ``steps`` are the training steps of the checkpoints (positions 0..n-1 when the source
    has none); ``run`` and ``selection`` describe a folder's checkpoints and the tensors
    analysed; ``sketch`` is set when the checkpoints are sketches.
    """

    def __init__(
        self,
        n: int,
        d: int,
        label: str,
        kind: str,
        source: BlockSource | None = None,
        dask_array: Any = None,
        steps: Sequence[int] | None = None,
        run: Run | None = None,
        selection: Selection | None = None,
    ) -> None:
        self.n, self.d, self.label, self.kind = n, d, label, kind
        self._source = source
        self._dask = dask_array
        self.steps = np.arange(n) if steps is None else np.asarray(steps, dtype=np.int64)
        self.run, self.selection = run, selection

    @property
    def sketch(self) -> SketchInfo | None:
        return self.run.sketch if self.run is not None else None

    @property
    def precision(self) -> np.dtype:
        """The dtype the block products are formed in (float32 or float64)."""
        if self._source is None:
            return np.dtype(np.float64)
        return compute_dtype(self._source.dtypes)

    def __repr__(self) -> str:
        return f"Trajectory({self.label!r}, n={self.n}, d={self.d}, kind={self.kind!r})"

    def _checked(self, window: tuple[int, int] | None, block: int) -> tuple[int, int]:
        start, stop = check_window(window, self.n)
        if block < 1:
            raise ValueError(f"block = {block} is not allowed: block must be an integer >= 1")
        rows = stop - start
        if self.d < MIN_DIMENSION_RATIO * rows:
            warnings.warn(
                f"d = {self.d} is not much larger than n = {rows}: the random-walk theory "
                f"assumes d >> n (here d/n = {self.d / rows:.3g}); expect larger "
                "finite-d fluctuations",
                TrajectoryWarning,
                stacklevel=3,
            )
        return start, stop

    def _reference_blocks(
        self, start: int, stop: int, width: int, first: int
    ) -> Iterator[tuple[int, int, np.ndarray]]:
        """(column, end, steps minus mean step) for the blocks from column ``first`` on.

        Runs in the reader thread; the three buffers are what :func:`prefetched` with
        depth 1 keeps alive at most.
        """
        source = self._source
        assert source is not None
        dtype = self.precision
        rows = stop - start
        ring = [np.empty((rows, width), dtype) for _ in range(3)]
        chunk = source.rows_per_read
        for k, column in enumerate(range(first, self.d, width)):
            end = min(column + width, self.d)
            A = ring[k % 3][:, : end - column]
            if chunk is None or chunk + 1 >= rows:
                reference_steps(source.read(start, stop, column, end), dtype, out=A)
            else:
                _streamed_steps(source, start, stop, column, end, chunk, A)
            yield column, end, A

    def _pass(
        self,
        start: int,
        stop: int,
        block: int,
        progress: progress_display.ProgressArg,
        consume: Callable[[np.ndarray], None],
    ) -> None:
        """Feed every block of reference steps to ``consume`` (which adds its products).

        A block whose product is not finite is read again in this thread: NaN or infinity
        is reported with its checkpoint and parameter; finite values whose float32 steps
        or squares overflow are multiplied in float64 instead, and the pass goes on.
        """
        source = self._source
        assert source is not None
        width = max(1, round(block / source.align)) * source.align
        column = 0
        try:
            with (
                progress_display.task(
                    progress, "reading", total=-(-self.d // width), unit="block"
                ) as shown,
                blas_threads("gram"),
            ):
                while column < self.d:
                    failed = None
                    for first, end, A in prefetched(
                        self._reference_blocks(start, stop, width, column)
                    ):
                        try:
                            consume(A)
                        except ValueError:  # NonFiniteBlock, or a float64 overflow
                            failed = first, end
                            break
                        shown.update()
                        column = end
                    if failed is None:
                        break
                    first, end = failed
                    raw = source.read(start, stop, first, end)
                    if not np.isfinite(raw).all():
                        raise ValueError(source.nonfinite(raw, start, first))
                    try:
                        consume(reference_steps(raw, np.float64))
                    except ValueError:
                        raise ValueError(
                            f"{self.label} has values up to {float(np.abs(raw).max()):.3g} in "
                            f"parameters {first}..{end - 1}, whose squares overflow float64: "
                            "rescale the trajectory"
                        ) from None
                    shown.update()
                    column = end
        finally:
            source.close()

    def gram(
        self,
        window: tuple[int, int] | None = None,
        block: int = DEFAULT_BLOCK,
        progress: progress_display.ProgressArg = False,
    ) -> np.ndarray:
        """Gram matrix of the displacements x_t - x_START, t in the window (one pass).

        ``progress``: see :mod:`rwpca.numerics.progress` (None: a bar on a terminal, a
        line every 10 s otherwise). Warns (:class:`TrajectoryWarning`) when d < 10 n: the
        random-walk theory needs d >> n.
        """
        start, stop = self._checked(window, block)
        if self._dask is not None:
            return _dask_gram(self._dask[start:stop], self.label)
        rows = stop - start
        total = np.zeros((rows, rows))

        def consume(A: np.ndarray) -> None:
            total.__iadd__(block_product(A))

        self._pass(start, stop, block, progress, consume)
        return displacement_gram(steps_gram(total))

    def grams(
        self,
        groups: Sequence[Sequence[tuple[int, int]]],
        window: tuple[int, int] | None = None,
        block: int = DEFAULT_BLOCK,
        progress: progress_display.ProgressArg = False,
    ) -> list[np.ndarray]:
        """The Gram matrix of each group of columns (half-open ranges), in one pass."""
        start, stop = self._checked(window, block)
        if self._dask is not None:
            raise ValueError(
                f"{self.label} has no named tensors to group: use a folder of checkpoints"
            )
        rows = stop - start
        totals = [np.zeros((rows, rows)) for _ in groups]
        covered = np.zeros(self.d, dtype=bool)
        for ranges in groups:
            for low, high in ranges:
                covered[low:high] = True
        state = {"column": 0}

        def consume(A: np.ndarray) -> None:
            column = state["column"]
            end = column + A.shape[1]
            if not covered[column:end].all() and not np.isfinite(A[:, ~covered[column:end]]).all():
                raise NonFiniteBlock(0)  # a column in no group: still checked
            products = []  # all formed before any is added: a failed block adds nothing
            for ranges in groups:
                parts = []
                for low, high in ranges:
                    a, b = max(low, column), min(high, end)
                    if b > a:
                        parts.append(block_product(A[:, a - column : b - column]))
                products.append(parts)
            for total, parts in zip(totals, products, strict=True):
                for part in parts:
                    total += part
            state["column"] = end

        self._pass(start, stop, block, progress, consume)
        return [displacement_gram(steps_gram(total)) for total in totals]


def _streamed_steps(
    source: BlockSource, start: int, stop: int, column: int, end: int, chunk: int, A: np.ndarray
) -> None:
    """:func:`reference_steps` of a block read ``chunk`` checkpoints at a time.

    Each chunk is turned into steps while it is still in cache, so the block is read from
    the page cache and written once, instead of being copied whole and then read again.
    """
    N = stop - start - 1
    m = A[N]
    with np.errstate(over="ignore", invalid="ignore"):  # the product's diagonal tells
        previous = np.array(source.read(start, start + 1, column, end)[0], dtype=A.dtype)
        np.subtract(source.read(stop - 1, stop, column, end)[0], previous, out=m, dtype=A.dtype)
        m /= N
        for low in range(start + 1, stop, chunk):
            high = min(low + chunk, stop)
            R = source.read(low, high, column, end)
            i = low - start - 1  # the step x_low - x_(low - 1)
            np.subtract(R[0], previous, out=A[i], dtype=A.dtype)
            np.subtract(R[1:], R[:-1], out=A[i + 1 : i + high - low], dtype=A.dtype)
            A[i : i + high - low] -= m
            previous[...] = R[-1]


def _dask_gram(X: Any, label: str) -> np.ndarray:
    """X X^T of the displacements as a chunked reduction over column chunks.

    The rows are put in one chunk, so each column chunk contributes one n x n product and
    Dask sums the contributions in a tree reduction; the scheduler is Dask's configured
    one (``dask.config.set(scheduler="synchronous")`` for a single thread).
    """
    import dask
    import dask.array as da

    X = X.astype(np.float64).rechunk({0: -1})
    Y = X - X[0:1]
    G, finite = dask.compute(Y @ Y.T, da.isfinite(X).all())
    if not finite:
        raise ValueError(f"{label} contains NaN or infinity: values must be finite")
    return np.asarray(G, dtype=np.float64)

"""Reading training trajectories: validated input and one streaming Gram pass over d.

A trajectory is n checkpoints of d parameters. It can be

* one ``.npy`` file holding an n x d array, opened memory-mapped;
* a ``.npz`` file holding exactly one such array (memory-mapped when stored
  uncompressed, as ``numpy.savez`` writes it; read into memory when compressed);
* a folder holding one run: per-checkpoint safetensors files, PyTorch state_dicts,
  ``.npy`` arrays or ``.npz`` archives, a Hugging Face Trainer output folder, or what
  :class:`rwpca.Recorder` writes (exact snapshots or sketches), ordered by the step numbers
  in the names (:mod:`rwpca.numerics.checkpoints.sources`); named tensors are flattened in
  the canonical order and the parameters selected
  (:mod:`rwpca.numerics.checkpoints.tensors`);
* a Zarr array (a store on disk, e.g. what ``dask.array.to_zarr`` writes, or a
  ``zarr.Array``), read block by block;
* an in-memory ``numpy`` array or a Dask array (Python API).

Everything is validated from the headers before any data is read: rank, n >= 3, d >= 1, a
real numeric dtype, a file size that matches the header, the same tensors in every
checkpoint. Nothing is ever unpickled or run (object dtypes are rejected from the header,
``allow_pickle=False`` everywhere, PyTorch pickles go through a restricted unpickler).
Finiteness is checked block by block during the pass, before any result exists. Bad input
raises ``ValueError`` with one line naming the file and the rule.

:meth:`Trajectory.gram` reads the data once, column block by column block, and returns the
n x n Gram matrix of the *displacements from the first checkpoint of the window*,
``G_ij = (x_i - x_1).(x_j - x_1)``. Centred PCA and the squared step norms are invariant
under that shift. Each block is turned into steps minus the block's mean step before it is
multiplied (:func:`rwpca.numerics.trajectories.gram.reference_steps`): that keeps the
rounding error relative to the steps, not to the offset, which matters for float32
checkpoints, multiplied in float32 (the error analysis is in
:mod:`rwpca.numerics.trajectories.gram`); float64 ones are multiplied in float64. A reader
thread reads and converts the next block while BLAS multiplies the current one
(:func:`~rwpca.numerics.trajectories.gram.prefetched`).

Every file is read with positioned reads (``preadv``) into buffers the pass owns and reuses,
never memory-mapped: the resident set is O(n^2 + n * block) whatever the file size (a
mapped page stays resident until it is released, and the kernel may map whole page-cache
folios on a fault). Finiteness is read off the diagonal of each block product; only a
block that fails is scanned, to name the checkpoint and the parameter.

>>> import numpy as np
>>> X = np.cumsum(np.ones((4, 50)), axis=0)  # x_t = (t, t, ..., t)
>>> float(open_trajectory(X).gram()[3, 3])  # ||x_4 - x_1||^2 = 50 * 3^2
450.0
"""

from __future__ import annotations

import os
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rwpca.numerics import progress as progress_display
from rwpca.numerics.checkpoints import npy_format
from rwpca.numerics.checkpoints.sketch import SketchInfo
from rwpca.numerics.checkpoints.sources import Run, open_run
from rwpca.numerics.checkpoints.stream import Layout, read_exact
from rwpca.numerics.checkpoints.tensors import Selection, natural_key, select
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

__all__ = [
    "MIN_DIMENSION_RATIO",
    "Trajectory",
    "TrajectoryWarning",
    "check_window",
    "natural_key",
    "open_trajectory",
    "parse_window",
]

#: The theory needs d >> n; below this many parameters per checkpoint a warning is given.
MIN_DIMENSION_RATIO = 10


class TrajectoryWarning(UserWarning):
    """The trajectory can be analysed, but the random-walk theory may not apply."""


def _check_matrix_shape(shape: tuple[int, ...], label: str) -> tuple[int, int]:
    if len(shape) != 2:
        raise ValueError(
            f"{label} has shape {shape} ({len(shape)}-D): a trajectory needs a 2-D array "
            "(n checkpoints x d parameters)"
        )
    n, d = shape
    if n < 3:
        raise ValueError(f"{label} has n = {n} checkpoints: at least 3 are needed")
    if d < 1:
        raise ValueError(f"{label} has d = {d} parameters: at least 1 is needed")
    return n, d


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


# --- sources ----------------------------------------------------------------------------


def _nonfinite_message(label: str, B: np.ndarray, column: int) -> str:
    return (
        f"{label} contains NaN or infinity (in parameters {column}..{column + B.shape[1] - 1}):"
        " values must be finite"
    )


class _MatrixSource:
    """An n x d array-like (ndarray, Zarr array): blocks are its slices."""

    rows_per_read: int | None = None  # a slice is no copy (ndarray) or one decode (Zarr)

    def __init__(self, X: Any, label: str, align: int = 1) -> None:
        self.X, self.label, self.align = X, label, align
        self.dtypes: tuple[str, ...] = (np.dtype(X.dtype).name,)

    def read(self, start: int, stop: int, column: int, end: int) -> np.ndarray:
        return np.asarray(self.X[start:stop, column:end])

    def nonfinite(self, B: np.ndarray, start: int, column: int) -> str:
        return _nonfinite_message(self.label, B, column)

    def close(self) -> None:
        pass


class _FileSource:
    """An n x d array stored at a byte offset of a file (``.npy``, stored ``.npz`` member),
    read with positioned reads into one reused buffer (C order: one read per row and
    block; Fortran order: one read per block)."""

    align = 1

    def __init__(self, path: Path, header: npy_format.Header, label: str) -> None:
        self.path, self.header, self.label = path, header, label
        self.rows_per_read: int | None
        # C order: one read per row anyway, so read a cache-sized handful of rows at a time
        self.rows_per_read = None if header.fortran_order else ROWS_PER_READ
        self.dtypes: tuple[str, ...] = (header.dtype.name,)
        self._fd: int | None = None
        self._buffer = np.empty(0, dtype=header.dtype)

    def _take(self, size: int) -> np.ndarray:
        if self._buffer.size < size:
            self._buffer = np.empty(size, dtype=self.header.dtype)
        return self._buffer[:size]

    def read(self, start: int, stop: int, column: int, end: int) -> np.ndarray:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDONLY)
        n, d = self.header.shape
        size = self.header.dtype.itemsize
        width = end - column
        if self.header.fortran_order:  # the columns are contiguous: one read
            flat = self._take(width * n)
            read_exact(
                self._fd, flat.data.cast("B"), self.header.offset + column * n * size, self.label
            )
            return flat.reshape(width, n)[:, start:stop].T
        block = self._take((stop - start) * width).reshape(stop - start, width)
        for r in range(start, stop):
            offset = self.header.offset + (r * d + column) * size
            read_exact(self._fd, block[r - start].data.cast("B"), offset, self.label)
        return block

    def nonfinite(self, B: np.ndarray, start: int, column: int) -> str:
        return _nonfinite_message(self.label, B, column)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _open_file(path: Path, header: npy_format.Header, label: str, kind: str) -> Trajectory:
    n, d = _check_matrix_shape(header.shape, label)
    return Trajectory(n, d, label, kind, _FileSource(path, header, label))


def _open_npy(path: Path, label: str) -> Trajectory:
    with open(path, "rb") as stream:
        header = npy_format.read_header(stream, label)
    _check_matrix_shape(header.shape, label)
    npy_format.check_size(header, path.stat().st_size, label)
    return _open_file(path, header, label, "npy")


def _open_npz(path: Path, label: str) -> Trajectory:
    members = npy_format.npz_members(path, label)
    if len(members) != 1:
        raise ValueError(
            f"{label} holds {len(members)} entries: a trajectory .npz must hold exactly one "
            "array (a folder of .npz files holds one checkpoint per file)"
        )
    info, header = members[0]
    member = f"{label}[{info.filename[:-4]}]"
    n, d = _check_matrix_shape(header.shape, member)
    if npy_format.is_stored(info):
        offset = npy_format.member_data_offset(path, info, label) + header.offset
        shifted = npy_format.Header(header.shape, header.fortran_order, header.dtype, offset)
        return _open_file(path, shifted, label, "npy")
    # a compressed member cannot be read in place: decompress it (memory O(n d))
    try:
        with zipfile.ZipFile(path) as archive, archive.open(info) as stream:
            X = np.lib.format.read_array(stream, allow_pickle=False)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise ValueError(f"{label} is not a valid .npz file: {e}") from None
    return Trajectory(n, d, label, "npz", _MatrixSource(X, label))


def _open_run(
    path: Path, label: str, include: Sequence[str], exclude: Sequence[str], glob: str | None
) -> Trajectory:
    run = open_run(path, label, glob)
    if run.sketch is not None or not run.named:
        if include or exclude:
            what = (
                "a sketch (its tensors were chosen when it was recorded)"
                if run.sketch
                else ("a folder of .npy arrays (each is one unnamed tensor)")
            )
            raise ValueError(f"--include/--exclude do not apply to {label}: it is {what}")
        selection = None
        specs = list(run.specs)
    else:
        selection = select(run.specs, include, exclude)
        specs = list(selection.tensors)
    layout = Layout(run.checkpoints, specs)
    if layout.d < 1:
        raise ValueError(f"{label} has d = 0 parameters: at least 1 is needed")
    return Trajectory(
        len(run.checkpoints),
        layout.d,
        label,
        run.format,
        layout,
        None,
        run.steps,
        run,
        selection,
    )


def _is_module(source: object, package: str) -> bool:
    return type(source).__module__.split(".")[0] == package


def _is_dask(source: object) -> bool:
    return type(source).__module__.split(".")[:2] == ["dask", "array"]


def _open_dask(X: Any) -> Trajectory:
    label = "the Dask array"
    if X.ndim != 2:
        _check_matrix_shape(tuple(X.shape), label)
    if any(np.isnan(s) for s in X.shape):
        raise ValueError(f"{label} has unknown shape {X.shape}: compute its chunk sizes first")
    npy_format.check_dtype(np.dtype(X.dtype), label)
    n, d = _check_matrix_shape(tuple(int(s) for s in X.shape), label)
    return Trajectory(n, d, label, "dask", dask_array=X)


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


def _is_zarr_store(path: Path) -> bool:
    return path.is_dir() and (
        path.suffix == ".zarr" or (path / "zarr.json").is_file() or (path / ".zarray").is_file()
    )


def _open_zarr(source: Any, label: str) -> Trajectory:
    """A Zarr array (or the path of its store), read in chunk-aligned column blocks."""
    if isinstance(source, (str, os.PathLike)):
        try:
            import zarr
        except ImportError:
            raise ValueError(
                f"{label} is a Zarr store: reading it needs the zarr package "
                "(pip install -e '.[zarr]' in the rwpca checkout, or pip install zarr)"
            ) from None
        try:
            opened = zarr.open(str(source), mode="r")
        except Exception as e:  # zarr raises many kinds; every one means "not readable"
            raise ValueError(
                f"{label} is not a readable Zarr store: {' '.join(str(e).split())}"
            ) from None
        if not hasattr(opened, "shape"):
            names = ", ".join(sorted(name for name, _ in opened.arrays())) or "none"
            raise ValueError(
                f"{label} is a Zarr group (arrays: {names}): give the path of one array"
            )
        source = opened
    npy_format.check_dtype(np.dtype(source.dtype), label)
    n, d = _check_matrix_shape(tuple(int(s) for s in source.shape), label)
    chunks = getattr(source, "chunks", (n, d))
    return Trajectory(n, d, label, "zarr", _MatrixSource(source, label, align=int(chunks[1])))


def open_trajectory(
    source: Any,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    glob: str | None = None,
) -> Trajectory:
    """Validate a trajectory (path, ndarray, Dask or Zarr array) without reading its values.

    ``include``/``exclude``: regular expressions choosing the tensors of a folder of named
    checkpoints (:func:`rwpca.numerics.checkpoints.tensors.select`); ``glob`` chooses the
    checkpoints of a folder by name. Raises ValueError (one line) for a missing or
    unreadable path, a pickled/object, complex or structured dtype, a pickle that refers
    to code, a truncated or corrupted file, a rank other than 2, n < 3, or checkpoints
    that differ in their tensors.
    """
    folder = isinstance(source, (str, os.PathLike)) and Path(source).is_dir()
    if not folder or _is_zarr_store(Path(source)):
        label = str(source) if isinstance(source, (str, os.PathLike)) else "the array"
        if include or exclude:
            raise ValueError(
                f"--include/--exclude do not apply to {label}: it has no named tensors"
            )
        if glob is not None:
            raise ValueError(f"--glob is not allowed with {label}: it chooses files of a folder")
    if _is_dask(source):
        return _open_dask(source)
    if _is_module(source, "zarr"):
        return _open_zarr(source, "the Zarr array")
    if isinstance(source, np.ndarray):
        label = "the array"
        npy_format.check_dtype(source.dtype, label)
        n, d = _check_matrix_shape(source.shape, label)
        return Trajectory(n, d, label, "array", _MatrixSource(source, label))
    if not isinstance(source, (str, os.PathLike)):
        raise ValueError(
            f"{type(source).__name__} is not allowed as a trajectory: give a path, a NumPy "
            "array, a Dask array or a Zarr array"
        )
    path = Path(source)
    label = str(source)
    if _is_zarr_store(path):
        return _open_zarr(path, label)
    if path.is_dir():
        return _open_run(path, label, include, exclude, glob)
    if not path.is_file():
        raise ValueError(
            f"{label} does not exist: give a .npy or .npz file, a folder of checkpoints or a "
            "Zarr store"
        )
    if path.suffix == ".npz":
        return _open_npz(path, label)
    if path.suffix == ".npy":
        return _open_npy(path, label)
    if path.suffix in (".safetensors", ".pt", ".pth", ".bin") or path.name.endswith(".index.json"):
        raise ValueError(
            f"{label} is one checkpoint: give the folder that holds the run's checkpoints "
            "(they are ordered by the step numbers in their names)"
        )
    raise ValueError(
        f"{label} is not allowed: a trajectory is a .npy file, a .npz file with one array, "
        "a folder of checkpoints or a Zarr store"
    )

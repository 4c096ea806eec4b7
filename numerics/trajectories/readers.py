"""Reading training trajectories: validated input and one streaming Gram pass over d.

A trajectory is n checkpoints of d parameters. It can be

* one ``.npy`` file holding an n x d array, opened memory-mapped;
* a ``.npz`` file holding exactly one such array (memory-mapped when stored
  uncompressed, as ``numpy.savez`` writes it; read into memory when compressed);
* a folder of per-checkpoint ``.npy`` files (any shape, all the same), taken in natural
  name order (``ckpt_2`` before ``ckpt_10``; zero-padded names sort the same either way);
* an in-memory ``numpy`` array or a Dask array (Python API only).

Everything is validated from the ``.npy`` headers before any data is read: rank, n >= 3,
d >= 1, a real numeric dtype (integer or floating point), a file size that matches the
header, the same shape and memory order in every file of a folder. Nothing is ever
unpickled (object dtypes are rejected from the header, and every load uses
``allow_pickle=False``). Finiteness is checked block by block during the pass, before
any result exists. Bad input raises ``ValueError`` with one line naming the file and the
rule.

:meth:`Trajectory.gram` reads the data once, column block by column block
(:func:`rwpca.numerics.trajectories.gram.accumulate`), and returns the n x n Gram matrix of the
*displacements from the first checkpoint of the window*, ``G_ij = (x_i - x_1).(x_j - x_1)``.
Centred PCA and the squared step norms are invariant under that shift, and subtracting
the first checkpoint before the products avoids the cancellation that ``||x||^2 >> ||x_i -
x_j||^2`` (typical of a window in the middle of training) would cause in float64. Peak
memory is O(n^2 + n * block) whatever the file size: the memory-mapped pages read so far
are released (``madvise(MADV_DONTNEED)``) once each block has been copied. (The kernel may
map a whole page-cache folio on a fault, so a block can transiently hold up to n folios,
a few MB per row at most, still independent of d.)

>>> import numpy as np
>>> X = np.cumsum(np.ones((4, 50)), axis=0)  # x_t = (t, t, ..., t)
>>> float(open_trajectory(X).gram()[3, 3])  # ||x_4 - x_1||^2 = 50 * 3^2
450.0
"""

from __future__ import annotations

import mmap
import os
import re
import struct
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from rwpca.numerics.trajectories.gram import DEFAULT_BLOCK, accumulate

#: The theory needs d >> n; below this many parameters per checkpoint a warning is given.
MIN_DIMENSION_RATIO = 10


class TrajectoryWarning(UserWarning):
    """The trajectory can be analysed, but the random-walk theory may not apply."""


@dataclass(frozen=True)
class _Header:
    shape: tuple[int, ...]
    fortran_order: bool
    dtype: np.dtype
    offset: int  # byte offset of the data in its file


def _check_dtype(dtype: np.dtype, label: str) -> None:
    if dtype.hasobject or dtype.fields is not None or dtype.kind not in "iuf":
        raise ValueError(
            f"{label} has dtype {dtype}: a trajectory needs a real numeric dtype "
            "(integer or floating point); object, structured, complex, bool and string "
            "arrays are not allowed"
        )


def _read_header(stream: Any, label: str) -> _Header:
    """Parse a .npy header from ``stream`` (positioned at the magic string)."""
    start = stream.tell()
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"unsupported format version {version[0]}.{version[1]}")
    except (ValueError, EOFError, OSError, SyntaxError, TypeError, KeyError, struct.error) as e:
        message = " ".join(str(e).split()) or type(e).__name__
        raise ValueError(f"{label} is not a valid .npy file: {message}") from None
    _check_dtype(dtype, label)
    return _Header(tuple(int(s) for s in shape), bool(fortran), dtype, stream.tell() - start)


def _check_size(header: _Header, available: int, label: str) -> None:
    expected = header.offset + int(np.prod(header.shape, dtype=np.int64)) * header.dtype.itemsize
    if available < expected:
        raise ValueError(
            f"{label} is truncated: it has {available} bytes, its header promises {expected}"
        )
    if available > expected:
        raise ValueError(
            f"{label} is corrupted: it has {available} bytes, its header promises {expected}"
        )


def _check_matrix_shape(shape: tuple[int, ...], label: str) -> tuple[int, int]:
    if len(shape) != 2:
        raise ValueError(
            f"{label} has shape {shape} ({len(shape)}-D): a trajectory needs a 2-D array "
            "(n checkpoints x d parameters)"
        )
    n, d = shape
    _check_counts(n, d, label)
    return n, d


def _check_counts(n: int, d: int, label: str) -> None:
    if n < 3:
        raise ValueError(f"{label} has n = {n} checkpoints: at least 3 are needed")
    if d < 1:
        raise ValueError(f"{label} has d = {d} parameters: at least 1 is needed")


def natural_key(name: str) -> tuple[object, ...]:
    """Sort key comparing digit runs as numbers: ``ckpt_2`` < ``ckpt_10``.

    >>> sorted(["c10.npy", "c2.npy", "c1.npy"], key=natural_key)
    ['c1.npy', 'c2.npy', 'c10.npy']
    """
    parts = re.split(r"(\d+)", name)
    return tuple(int(p) if index % 2 else p for index, p in enumerate(parts))


def parse_window(text: str, n: int, what: str = "window") -> tuple[int, int]:
    """``START:STOP`` (either may be empty) -> a checked half-open window of checkpoints.

    >>> parse_window("10:", 100)
    (10, 100)
    """
    match = re.fullmatch(r"\s*(\d*)\s*:\s*(\d*)\s*", text)
    if match is None:
        raise ValueError(
            f"{what} {text!r} is not allowed: use START:STOP with integers "
            f"0 <= START < STOP <= {n} (either may be left out)"
        )
    start = int(match[1]) if match[1] else 0
    stop = int(match[2]) if match[2] else n
    return check_window((start, stop), n, what)


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


class Trajectory:
    """A validated trajectory: ``n`` checkpoints of ``d`` parameters, read on demand."""

    def __init__(
        self,
        n: int,
        d: int,
        label: str,
        kind: str,
        blocks: Callable[[int, int, int], Iterator[np.ndarray]] | None = None,
        dask_array: Any = None,
    ) -> None:
        self.n, self.d, self.label, self.kind = n, d, label, kind
        self._blocks = blocks
        self._dask = dask_array

    def __repr__(self) -> str:
        return f"Trajectory({self.label!r}, n={self.n}, d={self.d}, kind={self.kind!r})"

    def gram(
        self,
        window: tuple[int, int] | None = None,
        block: int = DEFAULT_BLOCK,
        progress: bool | None = False,
    ) -> np.ndarray:
        """Gram matrix of the displacements x_t - x_START, t in the window (one pass).

        ``progress=None`` shows a tqdm bar when stderr is a terminal. Warns
        (:class:`TrajectoryWarning`) when d < 10 n: the random-walk theory needs d >> n.
        """
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
                stacklevel=2,
            )
        if self._dask is not None:
            return _dask_gram(self._dask[start:stop], self.label)
        assert self._blocks is not None
        disable = None if progress is None else not progress
        count = -(-self.d // block)
        bar = tqdm(
            self._blocks(start, stop, block),
            total=count,
            desc="reading",
            unit="block",
            disable=disable,
            leave=False,
        )
        return accumulate((B - B[0] for B in bar), n=rows)


# --- sources ----------------------------------------------------------------------------


def _finite(B: np.ndarray, label: str, column: int) -> np.ndarray:
    if not np.isfinite(B).all():
        raise ValueError(
            f"{label} contains NaN or infinity (in parameters {column}..{column + B.shape[1] - 1}):"
            " values must be finite"
        )
    return B


Release = Callable[[int, int, int, int], None]


def _matrix_blocks(
    X: np.ndarray, label: str, release: Release | None = None
) -> Callable[[int, int, int], Iterator[np.ndarray]]:
    def blocks(start: int, stop: int, block: int) -> Iterator[np.ndarray]:
        rows = X[start:stop]
        for column in range(0, X.shape[1], block):
            end = min(column + block, X.shape[1])
            B = np.array(rows[:, column:end], dtype=np.float64)
            if release is not None:
                release(start, stop, column, end)  # the copy is made: drop the mapped pages
            yield _finite(B, label, column)

    return blocks


def _mapped(path: Path, header: _Header, label: str) -> Trajectory:
    n, d = _check_matrix_shape(header.shape, label)
    with open(path, "rb") as stream:
        mapping = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    X = np.ndarray(
        (n, d),
        dtype=header.dtype,
        buffer=mapping,
        offset=header.offset,
        order="F" if header.fortran_order else "C",
    )
    size = header.dtype.itemsize
    page = mmap.PAGESIZE

    def drop(low: int, high: int) -> None:
        # whole pages below ``high`` only: the page holding ``high`` is the next block's.
        # Dropping a clean page of a read-only file mapping never loses data; at worst a
        # page holding a neighbouring row's bytes is read again later.
        low, high = low - low % page, high - high % page
        if high > low:
            mapping.madvise(mmap.MADV_DONTNEED, low, high - low)

    def release(start: int, stop: int, column: int, end: int) -> None:
        # everything before column ``end`` has been read: drop it all, not only this
        # block, because a fault can map a whole large page-cache folio, including pages
        # dropped earlier (a row's tail faults in the next row's head)
        if header.fortran_order:  # columns are contiguous
            drop(header.offset, header.offset + end * n * size)
            return
        for row in range(start, stop):
            base = header.offset + row * d * size
            drop(base, base + end * size)

    usable = hasattr(mapping, "madvise") and hasattr(mmap, "MADV_DONTNEED")
    return Trajectory(n, d, label, "npy", _matrix_blocks(X, label, release if usable else None))


def _open_npy(path: Path, label: str) -> Trajectory:
    with open(path, "rb") as stream:
        header = _read_header(stream, label)
    _check_matrix_shape(header.shape, label)
    _check_size(header, path.stat().st_size, label)
    return _mapped(path, header, label)


def _open_npz(path: Path, label: str) -> Trajectory:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise ValueError(f"{label} is not a valid .npz file: {e}") from None
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) != 1 or not members[0].filename.endswith(".npy"):
            raise ValueError(
                f"{label} holds {len(members)} entries: a trajectory .npz must hold exactly "
                "one array"
            )
        info = members[0]
        member = f"{label}[{info.filename[:-4]}]"
        try:
            with archive.open(info) as stream:
                header = _read_header(stream, member)
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise ValueError(f"{label} is not a valid .npz file: {e}") from None
        n, d = _check_matrix_shape(header.shape, member)
        _check_size(header, info.file_size, member)
        if info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 1:
            with open(path, "rb") as raw:
                raw.seek(info.header_offset)
                local = raw.read(30)
            if len(local) != 30 or local[:4] != b"PK\x03\x04":
                raise ValueError(f"{label} is not a valid .npz file: bad local header")
            name_length, extra_length = struct.unpack("<HH", local[26:30])
            data = info.header_offset + 30 + name_length + extra_length
            if path.stat().st_size < data + info.file_size:
                raise ValueError(f"{label} is truncated: its array extends past the end")
            shifted = _Header(
                header.shape, header.fortran_order, header.dtype, data + header.offset
            )
            return _mapped(path, shifted, label)
        # a compressed member cannot be mapped: decompress it (memory O(n d))
        try:
            with archive.open(info) as stream:
                X = np.lib.format.read_array(stream, allow_pickle=False)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            raise ValueError(f"{label} is not a valid .npz file: {e}") from None
    return Trajectory(n, d, label, "npz", _matrix_blocks(X, label))


def _open_folder(path: Path, label: str) -> Trajectory:
    names = sorted(
        (p.name for p in path.iterdir() if p.suffix == ".npy" and not p.name.startswith(".")),
        key=natural_key,
    )
    if len(names) < 3:
        raise ValueError(
            f"{label} holds n = {len(names)} .npy checkpoint files: at least 3 are needed"
        )
    files: list[tuple[Path, _Header]] = []
    first: _Header | None = None
    for name in names:
        file = path / name
        file_label = f"{label}/{name}"
        with open(file, "rb") as stream:
            header = _read_header(stream, file_label)
        _check_size(header, file.stat().st_size, file_label)
        if first is None:
            first = header
            if int(np.prod(header.shape, dtype=np.int64)) < 1:
                raise ValueError(f"{file_label} has shape {header.shape}: it holds no parameters")
        elif (header.shape, header.fortran_order) != (first.shape, first.fortran_order):
            raise ValueError(
                f"{file_label} has shape {header.shape}"
                f"{' (Fortran order)' if header.fortran_order else ''}: every checkpoint "
                f"must have the shape of {names[0]}, {first.shape}"
                f"{' (Fortran order)' if first.fortran_order else ''}"
            )
        files.append((file, header))
    assert first is not None
    n, d = len(files), int(np.prod(first.shape, dtype=np.int64))

    def blocks(start: int, stop: int, block: int) -> Iterator[np.ndarray]:
        chosen = files[start:stop]
        for column in range(0, d, block):
            width = min(block, d - column)
            B = np.empty((len(chosen), width))
            for row, (file, header) in enumerate(chosen):
                # a positioned read per file and block: no descriptor is held open, so a
                # folder of any number of checkpoints stays within the process's limits
                values = np.fromfile(
                    file,
                    dtype=header.dtype,
                    count=width,
                    offset=header.offset + column * header.dtype.itemsize,
                )
                if values.size != width:
                    raise ValueError(f"{label}/{file.name} was truncated while being read")
                B[row] = values
                if not np.isfinite(B[row]).all():
                    raise ValueError(
                        f"{label}/{file.name} contains NaN or infinity (in parameters "
                        f"{column}..{column + width - 1}): values must be finite"
                    )
            yield B

    return Trajectory(n, d, label, "folder", blocks)


def _is_dask(source: object) -> bool:
    return type(source).__module__.split(".")[:2] == ["dask", "array"]


def _open_dask(X: Any) -> Trajectory:
    label = "the Dask array"
    if X.ndim != 2:
        _check_matrix_shape(tuple(X.shape), label)
    if any(np.isnan(s) for s in X.shape):
        raise ValueError(f"{label} has unknown shape {X.shape}: compute its chunk sizes first")
    _check_dtype(np.dtype(X.dtype), label)
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


def open_trajectory(source: Any) -> Trajectory:
    """Validate a trajectory (path, ndarray or Dask array) without reading its values.

    Raises ValueError (one line) for a missing or unreadable path, a pickled/object,
    complex or structured dtype, a truncated or corrupted file, a rank other than 2,
    n < 3, or checkpoints of different shapes.
    """
    if _is_dask(source):
        return _open_dask(source)
    if isinstance(source, np.ndarray):
        label = "the array"
        _check_dtype(source.dtype, label)
        n, d = _check_matrix_shape(source.shape, label)
        return Trajectory(n, d, label, "array", _matrix_blocks(source, label))
    if not isinstance(source, (str, os.PathLike)):
        raise ValueError(
            f"{type(source).__name__} is not allowed as a trajectory: give a path, a NumPy "
            "array or a Dask array"
        )
    path = Path(source)
    label = str(source)
    if path.is_dir():
        return _open_folder(path, label)
    if not path.is_file():
        raise ValueError(f"{label} does not exist: give a .npy or .npz file or a folder")
    if path.suffix == ".npz":
        return _open_npz(path, label)
    if path.suffix == ".npy":
        return _open_npy(path, label)
    raise ValueError(
        f"{label} is not allowed: a trajectory is a .npy file, a .npz file with one array, "
        "or a folder of per-checkpoint .npy files"
    )

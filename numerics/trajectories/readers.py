"""Opening training trajectories: every format a run comes in, validated from its headers.

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

The :class:`~rwpca.numerics.trajectories.trajectory.Trajectory` this module opens reads
the data once in its Gram pass (:mod:`rwpca.numerics.trajectories.trajectory`).

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
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rwpca.numerics.checkpoints import npy_format
from rwpca.numerics.checkpoints.sources import open_run
from rwpca.numerics.checkpoints.stream import Layout, read_exact
from rwpca.numerics.checkpoints.tensors import natural_key, select
from rwpca.numerics.trajectories.trajectory import (
    MIN_DIMENSION_RATIO,
    ROWS_PER_READ,
    Trajectory,
    TrajectoryWarning,
    check_window,
    parse_window,
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

"""Every kind of trajectory the Python API accepts, opened as a validated Trajectory.

On top of what :func:`~rwpca.numerics.trajectories.readers.open_trajectory` opens (paths,
NumPy, Dask and Zarr arrays), :func:`open_source` accepts what a notebook holds:

* a **list or tuple of checkpoints**, each a NumPy array (any shape, flattened in C
  order) or a PyTorch tensor, all of the same size: read column block by column block
  straight from the list, never stacked into an n x d copy;
* a **PyTorch tensor** n x d (or a list of tensors), converted with
  ``detach().cpu()`` and NumPy's ``__array__`` (half precision and bfloat16 through
  ``float()``), without importing torch: a tensor is recognised by its type's module,
  so torch is only ever touched through the object the caller passes.

Every checkpoint is validated (dtype, size, finiteness, block by block) as the other
sources are; bad input raises ValueError with one line naming the checkpoint.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from rwpca.numerics.checkpoints import npy_format
from rwpca.numerics.trajectories.readers import Trajectory, open_trajectory


def _is_torch(value: object) -> bool:
    return type(value).__module__.split(".")[0] == "torch"


def torch_to_numpy(tensor: Any, label: str) -> np.ndarray:
    """A CPU NumPy view (or copy) of a torch tensor, without importing torch.

    Gradients are detached; float16 and bfloat16 (which NumPy cannot hold exactly, or at
    all) become float32; integer, boolean and complex tensors are refused by dtype.
    """
    dtype = str(getattr(tensor, "dtype", ""))
    if dtype in ("torch.bfloat16", "torch.float16", "torch.half"):
        tensor = tensor.float()
    if dtype.startswith("torch.complex") or dtype == "torch.bool":
        raise ValueError(f"{label} has dtype {dtype}: a trajectory needs real numbers")
    try:
        array = np.asarray(tensor.detach().cpu())
    except (AttributeError, TypeError, RuntimeError) as error:
        raise ValueError(f"{label} cannot be read as an array: {error}") from None
    npy_format.check_dtype(array.dtype, label)
    return array


def _checkpoint(value: Any, index: int) -> np.ndarray:
    label = f"checkpoint {index} of the list"
    if _is_torch(value):
        array = torch_to_numpy(value, label)
    elif isinstance(value, np.ndarray):
        array = value
    else:
        raise ValueError(
            f"{label} is a {type(value).__name__}: each checkpoint must be a NumPy array or a "
            "PyTorch tensor"
        )
    npy_format.check_dtype(array.dtype, label)
    return array.reshape(-1)


def _list_trajectory(items: Sequence[Any]) -> Trajectory:
    flat = [_checkpoint(value, index) for index, value in enumerate(items)]
    if len(flat) < 3:
        raise ValueError(f"the list has n = {len(flat)} checkpoints: at least 3 are needed")
    d = flat[0].size
    for index, array in enumerate(flat):
        if array.size != d:
            raise ValueError(
                f"checkpoint {index} of the list has {array.size} parameters, checkpoint 0 "
                f"has {d}: every checkpoint must have the same size"
            )
    if d < 1:
        raise ValueError("the checkpoints of the list are empty: at least 1 parameter is needed")

    return Trajectory(len(flat), d, "the list of checkpoints", "list", _ListSource(flat))


class _ListSource:
    """The checkpoints of a list: a block is the stack of each array's slice (no n x d copy)."""

    align = 1
    rows_per_read: int | None = None

    def __init__(self, flat: list[np.ndarray]) -> None:
        self.flat = flat
        self.dtypes: tuple[str, ...] = tuple(sorted({a.dtype.name for a in flat}))

    def read(self, start: int, stop: int, column: int, end: int) -> np.ndarray:
        return np.stack([array[column:end] for array in self.flat[start:stop]])

    def nonfinite(self, B: np.ndarray, start: int, column: int) -> str:
        rows, cols = np.nonzero(~np.isfinite(B))
        if rows.size == 0:
            return f"a block of the list (parameters {column}..): values must be finite"
        row, col = int(rows[0]), int(cols[0])
        return (
            f"checkpoint {start + row} of the list contains NaN or infinity (parameter "
            f"{column + col}): values must be finite"
        )

    def close(self) -> None:
        pass


def open_source(
    source: Any,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    glob: str | None = None,
) -> Trajectory:
    """A validated trajectory from any source of the API (see the module docstring).

    >>> import numpy as np
    >>> checkpoints = [np.full((5, 8), t, dtype=np.float32) for t in range(4)]
    >>> trajectory = open_source(checkpoints)
    >>> trajectory.n, trajectory.d, float(trajectory.gram()[3, 3])
    (4, 40, 360.0)
    """
    if isinstance(source, (list, tuple)):
        if include or exclude or glob is not None:
            raise ValueError(
                "--include/--exclude/--glob do not apply to a list of checkpoints: they choose "
                "the tensors and files of a folder"
            )
        return _list_trajectory(source)
    if _is_torch(source):
        return open_trajectory(torch_to_numpy(source, "the tensor"), include, exclude, glob)
    package = type(source).__module__.split(".")[0]
    if not isinstance(source, (str, os.PathLike, np.ndarray)) and package not in ("dask", "zarr"):
        raise ValueError(
            f"{type(source).__name__} is not allowed as a trajectory: give a path, a NumPy "
            "array, a list of checkpoint arrays or tensors, a PyTorch tensor, a Dask array "
            "or a Zarr array"
        )
    return open_trajectory(source, include, exclude, glob)

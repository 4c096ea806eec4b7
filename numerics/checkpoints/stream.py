"""Column blocks of a run's flattened parameters, read with positioned reads.

Each checkpoint is a set of tensors, each at a known byte offset of a file
(:class:`TensorLoc`, found from a safetensors header, a PyTorch zip's storages or an
``.npy`` header). The analysed tensors are laid end to end in the canonical order
(:mod:`rwpca.numerics.checkpoints.tensors`) and :meth:`Layout.read` fills the n x b block of
columns ``[c, c + b)`` of all checkpoints of a window, in float32 when every analysed
tensor's values are float32 numbers (float32, float16, bfloat16, float8, small integers:
the Gram pass then multiplies in float32) and in float64 otherwise.

Why positioned reads (``preadv`` into the block buffer) rather than a memory map per
file: a run is hundreds to tens of thousands of files, and a mapping holds a file
descriptor (CPython's ``mmap`` duplicates it), so mapping them all would exceed the
process's descriptor limit; a read copies exactly the bytes of the block into memory we
own, so the resident set stays ``O(n * block)`` whatever the files' sizes and the page
cache's folio sizes (a mapped page stays resident until released). Descriptors are kept
open in a small LRU cache within one pass. Byte runs that are adjacent in a file are read
with one call. Values are converted exactly (bfloat16 and float8 by their bit
layout, which NumPy cannot read); the Gram pass checks finiteness on each block product and
:meth:`Layout.nonfinite` names the checkpoint and the tensor of a NaN or an infinity.
"""

from __future__ import annotations

import math
import os
import resource
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rwpca.numerics.checkpoints.tensors import DTYPES, TensorSpec, decode
from rwpca.numerics.trajectories.gram import compute_dtype

#: Open descriptors kept at most during one pass (a quarter of the soft limit, at most 512).
_MAX_OPEN = 512


@dataclass(frozen=True)
class TensorLoc:
    """Where one tensor's values are: a file, the byte offset of its first element, strides.

    ``strides`` (in elements) is None when the values are contiguous in the order they are
    flattened (C order; for an ``.npy`` checkpoint, its memory order).
    """

    spec: TensorSpec
    file: Path
    offset: int
    strides: tuple[int, ...] | None = None
    big_endian: bool = False
    negate: bool = False  # PyTorch's lazy negation bit: the value is minus the stored one


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint of a run: its label for messages, its step and its tensors."""

    label: str
    step: int
    tensors: dict[str, TensorLoc]


def check_same_tensors(checkpoints: Sequence[Checkpoint]) -> list[TensorSpec]:
    """The tensors of the first checkpoint; ValueError naming the first checkpoint and
    tensor whose name, shape or dtype differs."""
    first = checkpoints[0]
    specs = {name: loc.spec for name, loc in first.tensors.items()}
    for checkpoint in checkpoints[1:]:
        for name, loc in checkpoint.tensors.items():
            spec = specs.get(name)
            if spec is None:
                raise ValueError(
                    f"{checkpoint.label} has tensor {name}, which {first.label} does not have: "
                    "every checkpoint must have the same tensor names, shapes and dtypes"
                )
            for what in ("shape", "dtype"):
                if getattr(loc.spec, what) != getattr(spec, what):
                    which = f": tensor {name}" if name else ""
                    raise ValueError(
                        f"{checkpoint.label}{which} has {what} "
                        f"{_show(getattr(loc.spec, what))}, {first.label} has "
                        f"{_show(getattr(spec, what))}: every checkpoint must have the same "
                        f"{'tensor names, ' if name else ''}shapes and dtypes"
                    )
        if len(checkpoint.tensors) != len(specs):
            missing = next(name for name in specs if name not in checkpoint.tensors)
            raise ValueError(
                f"{checkpoint.label} lacks tensor {missing}, which {first.label} has: every "
                "checkpoint must have the same tensor names, shapes and dtypes"
            )
    return list(specs.values())


def _show(value: object) -> str:
    return str(list(value)) if isinstance(value, tuple) else str(value)


class _Descriptors:
    """An LRU cache of read-only file descriptors for one pass."""

    def __init__(self) -> None:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        limit = _MAX_OPEN if soft == resource.RLIM_INFINITY else max(8, soft // 4)
        self.capacity = min(_MAX_OPEN, limit)
        self.open: OrderedDict[Path, int] = OrderedDict()

    def get(self, path: Path) -> int:
        fd = self.open.get(path)
        if fd is not None:
            self.open.move_to_end(path)
            return fd
        if len(self.open) >= self.capacity:
            _, oldest = self.open.popitem(last=False)
            os.close(oldest)
        fd = os.open(path, os.O_RDONLY)
        self.open[path] = fd
        return fd

    def close(self) -> None:
        while self.open:
            os.close(self.open.popitem()[1])


def read_exact(fd: int, view: memoryview, offset: int, label: str) -> None:
    """Read exactly ``len(view)`` bytes at ``offset`` (positioned: no file position moves)."""
    done = 0
    while done < len(view):
        if hasattr(os, "preadv"):
            got = os.preadv(fd, [view[done:]], offset + done)
        else:  # pragma: no cover - platforms without preadv
            chunk = os.pread(fd, len(view) - done, offset + done)
            view[done : done + len(chunk)] = chunk
            got = len(chunk)
        if got == 0:
            raise ValueError(f"{label} was truncated while being read")
        done += got


class Layout:
    """The analysed tensors of a run laid end to end: the plan of every column block."""

    def __init__(self, checkpoints: Sequence[Checkpoint], specs: Sequence[TensorSpec]) -> None:
        self.checkpoints = list(checkpoints)
        self.specs = list(specs)
        self.offsets = np.concatenate(
            [[0], np.cumsum([s.size for s in self.specs], dtype=np.int64)]
        )
        self.d = int(self.offsets[-1])
        # per checkpoint, the location of each analysed tensor (in canonical order)
        self.locations = [[cp.tensors[s.name] for s in self.specs] for cp in self.checkpoints]
        self._files: _Descriptors | None = None
        self._buffer = np.empty(0)
        self._scratch = np.empty(0, dtype=np.uint8)

    def segments(self, column: int, stop: int) -> list[tuple[int, int, int, int]]:
        """(tensor, first element, count, destination column) for columns [column, stop)."""
        first = int(np.searchsorted(self.offsets, column, side="right")) - 1
        found = []
        for index in range(first, len(self.specs)):
            low, high = int(self.offsets[index]), int(self.offsets[index + 1])
            if low >= stop:
                break
            start, end = max(low, column), min(high, stop)
            if end > start:
                found.append((index, start - low, end - start, start - column))
        return found

    def where(self, column: int) -> tuple[str, int]:
        """The tensor holding a column and the element's flat index in it."""
        index = int(np.searchsorted(self.offsets, column, side="right")) - 1
        return self.specs[index].name, column - int(self.offsets[index])

    @property
    def dtypes(self) -> tuple[str, ...]:
        """The element types of the analysed tensors (they decide the pass's precision)."""
        return tuple(sorted({spec.dtype for spec in self.specs}))

    #: Blocks need no alignment: any column range is read by its byte runs.
    align = 1
    #: Checkpoints are separate files: read a cache-sized handful at a time.
    rows_per_read = 16

    def read(
        self, start: int, stop: int, column: int, end: int, out: np.ndarray | None = None
    ) -> np.ndarray:
        """Columns [column, end) of checkpoints start..stop-1 as a (stop - start) x width
        block, decoded exactly into ``out`` or into a buffer reused by the next call (in
        the pass's precision: float32 when every tensor's values are float32 numbers, else
        float64). Not checked for finiteness: see :meth:`nonfinite`."""
        if self._files is None:
            self._files = _Descriptors()
        shape = (stop - start, end - column)
        if out is None:
            dtype = compute_dtype(self.dtypes)
            if self._buffer.dtype != dtype or self._buffer.size < shape[0] * shape[1]:
                self._buffer = np.empty(shape[0] * shape[1], dtype)
            out = self._buffer[: shape[0] * shape[1]].reshape(shape)
        scratch_bytes = (end - column) * 16  # room for the widest dtype
        if self._scratch.size < scratch_bytes:
            self._scratch = np.empty(scratch_bytes, dtype=np.uint8)
        plan = self.segments(column, end)
        for r, row in enumerate(range(start, stop)):
            self._fill(out[r], self.locations[row], plan, self._files, self._scratch, row)
        return out

    def close(self) -> None:
        """Close the descriptors a pass opened."""
        if self._files is not None:
            self._files.close()
            self._files = None

    def blocks(self, start: int, stop: int, block: int) -> Iterator[np.ndarray]:
        """float64 blocks of the checkpoints start..stop-1, ``block`` columns each (new
        arrays, checked for finiteness)."""
        try:
            for column in range(0, self.d, block):
                end = min(column + block, self.d)
                B = self.read(start, stop, column, end, np.empty((stop - start, end - column)))
                if not np.isfinite(B).all():
                    raise ValueError(self.nonfinite(B, start, column))
                yield B
        finally:
            self.close()

    def _fill(
        self,
        out: np.ndarray,
        locations: list[TensorLoc],
        plan: list[tuple[int, int, int, int]],
        files: _Descriptors,
        scratch: np.ndarray,
        row: int,
    ) -> None:
        label = self.checkpoints[row].label
        run: list | None = None  # [loc, first byte, count, destination]
        for index, first, count, dest in plan:
            loc = locations[index]
            if loc.strides is not None:
                self._flush(run, out, files, scratch, label)
                run = None
                self._gather(loc, first, count, out[dest : dest + count], files, label)
                continue
            itemsize = DTYPES[loc.spec.dtype].itemsize
            byte = loc.offset + first * itemsize
            if run is not None:
                head = run[0]
                if (
                    head.file == loc.file
                    and head.spec.dtype == loc.spec.dtype
                    and (head.big_endian, head.negate) == (loc.big_endian, loc.negate)
                    and run[1] + run[2] * itemsize == byte
                    and run[3] + run[2] == dest
                ):
                    run[2] += count
                    continue
                self._flush(run, out, files, scratch, label)
            run = [loc, byte, count, dest]
        self._flush(run, out, files, scratch, label)

    @staticmethod
    def _storage(loc: TensorLoc) -> tuple[np.dtype, object]:
        dtype = DTYPES[loc.spec.dtype]
        storage = np.dtype(dtype.storage)
        return (storage.newbyteorder(">") if loc.big_endian else storage), dtype

    def _flush(
        self,
        run: list | None,
        out: np.ndarray,
        files: _Descriptors,
        scratch: np.ndarray,
        label: str,
    ) -> None:
        if run is None:
            return
        loc, byte, count, dest = run
        storage, dtype = self._storage(loc)
        nbytes = count * storage.itemsize
        target = out[dest : dest + count]
        if storage == target.dtype and target.flags.c_contiguous:
            # stored exactly as the block holds it (float32 into a float32 block): read
            # straight into the block, no scratch copy
            read_exact(files.get(loc.file), target.view(np.uint8).data, byte, label)
        else:
            read_exact(files.get(loc.file), scratch.data[:nbytes], byte, label)
            decode(scratch[:nbytes].view(storage), dtype, target)  # type: ignore[arg-type]
        if loc.negate:
            np.negative(target, out=target)

    def _gather(
        self,
        loc: TensorLoc,
        first: int,
        count: int,
        out: np.ndarray,
        files: _Descriptors,
        label: str,
    ) -> None:
        """Elements first..first+count-1 (C order) of a strided tensor: read their span."""
        assert loc.strides is not None
        storage, dtype = self._storage(loc)
        index = np.unravel_index(np.arange(first, first + count), loc.spec.shape)
        where = sum(i * s for i, s in zip(index, loc.strides, strict=True))
        where = np.asarray(where, dtype=np.int64).reshape(-1)
        low, high = int(where.min()), int(where.max()) + 1
        raw = np.empty((high - low) * storage.itemsize, dtype=np.uint8)
        read_exact(files.get(loc.file), raw.data, loc.offset + low * storage.itemsize, label)
        decode(raw.view(storage)[where - low], dtype, out)  # type: ignore[arg-type]
        if loc.negate:
            np.negative(out, out=out)

    def nonfinite(self, B: np.ndarray, start: int, column: int) -> str:
        """The message naming the first checkpoint and tensor element of a block (of
        checkpoints start.. and columns column..) that is NaN or infinite."""
        rows, cols = np.nonzero(~np.isfinite(B))
        label = self.checkpoints[start + int(rows[0])].label
        name, element = self.where(column + int(cols[0]))
        where = f"in tensor {name} (element {element})" if name else f"(parameter {element})"
        return f"{label} contains NaN or infinity {where}: values must be finite"


def contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    """Element strides of a C-contiguous array of this shape."""
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(int(size), 1)
    return tuple(reversed(strides))


def storage_span(shape: Sequence[int], strides: Sequence[int]) -> int:
    """Number of storage elements a strided view reaches (0 for an empty tensor)."""
    if math.prod(shape) == 0:
        return 0
    return 1 + sum((int(n) - 1) * int(s) for n, s in zip(shape, strides, strict=True))

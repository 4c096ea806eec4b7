"""PyTorch checkpoints (``torch.save`` zip archives) read without torch and without running code.

Since PyTorch 1.6, ``torch.save`` writes a zip archive ``<name>/data.pkl``,
``<name>/data/<key>`` (one uncompressed entry per storage, 64-byte aligned),
``<name>/byteorder`` and version records. ``data.pkl`` is a pickle in which every tensor
is ``torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride,
requires_grad, backward_hooks[, metadata])`` (``_rebuild_tensor_v3`` adds the dtype, for
dtypes without a legacy storage class), every storage a *persistent id*
``("storage", torch.FloatStorage, key, location, numel)``, parameters are wrapped by
``_rebuild_parameter`` and a ``state_dict`` is a ``collections.OrderedDict``.

A pickle is a program: its GLOBAL opcodes import any callable and REDUCE calls it, which is
how a checkpoint runs code when ``torch.load(weights_only=False)`` (or ``pickle.load``)
opens it. :class:`_Unpickler` restricts globals as the Python documentation's
"Restricting Globals" recipe does: ``find_class``, through which every GLOBAL,
STACK_GLOBAL, INST, OBJ and EXT opcode must pass, returns only entries of
:data:`ALLOWED` (inert stand-ins for the rebuild functions, storage classes and dtypes,
and ``OrderedDict``) and refuses anything else *before* it is imported; persistent ids
become inert references. Nothing from the file is ever imported or called, so torch is
not needed and a malicious file is refused with its code unrun. The storages are then
located in the zip and checked (size, bounds of every view) and the values are read in
place like any other checkpoint.

Also refused, in one line: the legacy (pre-1.6) format, TorchScript archives
(``torch.jit.save``), compressed or missing storages, big-endian data
that cannot be decoded, and files that hold no tensors.
"""

from __future__ import annotations

import io
import pickle
import struct
import zipfile
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rwpca.numerics.checkpoints.npy_format import is_stored, member_data_offset
from rwpca.numerics.checkpoints.stream import TensorLoc, contiguous_strides, storage_span
from rwpca.numerics.checkpoints.tensors import DTYPES, TensorSpec

#: Largest data.pkl accepted (a state_dict's pickle is a few hundred bytes per tensor).
MAX_PICKLE = 100_000_000
#: Keys of a training checkpoint dict that hold the model's state_dict, in priority order.
STATE_DICT_KEYS = ("state_dict", "model_state_dict", "model")

#: Legacy storage classes (GLOBAL torch.<name>) and their dtypes.
_STORAGES = {
    "DoubleStorage": "float64",
    "FloatStorage": "float32",
    "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16",
    "LongStorage": "int64",
    "IntStorage": "int32",
    "ShortStorage": "int16",
    "CharStorage": "int8",
    "ByteStorage": "uint8",
    "BoolStorage": "bool",
    "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
}


class Refused(pickle.UnpicklingError):
    """The pickle asked for something a checkpoint of tensors never needs."""


@dataclass(frozen=True, slots=True)
class _StorageType:
    dtype: str | None  # None: torch.storage.UntypedStorage (bytes; dtype from the tensor)

    def __setstate__(self, state: object) -> None:
        raise Refused("BUILD on a storage type")


@dataclass(frozen=True, slots=True)
class _DType:
    name: str

    def __setstate__(self, state: object) -> None:
        raise Refused("BUILD on a dtype")


@dataclass(frozen=True, slots=True)
class _Storage:
    dtype: str | None
    key: str
    numel: int

    def __setstate__(self, state: object) -> None:
        raise Refused("BUILD on a storage")


@dataclass(frozen=True, slots=True)
class _Tensor:
    storage: _Storage
    dtype: str
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]
    negate: bool

    def __setstate__(self, state: object) -> None:
        raise Refused("BUILD on a tensor")


def _ints(value: object, what: str) -> tuple[int, ...]:
    if not isinstance(value, tuple) or not all(type(v) is int and v >= 0 for v in value):
        raise Refused(f"tensor {what} {value!r} is not a tuple of integers >= 0")
    return value


def _tensor(storage: object, offset: object, size: object, stride: object, dtype: object,
            metadata: object) -> _Tensor:  # fmt: skip
    if not isinstance(storage, _Storage):
        raise Refused("a tensor rebuild without a storage")
    if type(offset) is not int or offset < 0:
        raise Refused(f"storage offset {offset!r} is not an integer >= 0")
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    if len(size) != len(stride):
        raise Refused(f"size {size} and stride {stride} differ in length")
    negate = False
    if metadata:
        if not isinstance(metadata, dict) or set(metadata) - {"neg", "conj"}:
            raise Refused(f"tensor metadata {metadata!r}")
        if metadata.get("conj"):
            raise Refused("a conjugated (complex) tensor")
        negate = bool(metadata.get("neg"))
    name = storage.dtype if storage.dtype is not None else getattr(dtype, "name", None)
    if name is None:
        raise Refused("an untyped storage without a dtype")
    return _Tensor(storage, name, offset, size, stride, negate)


def _rebuild_v2(storage, offset, size, stride, requires_grad=False, hooks=None, metadata=None):
    return _tensor(storage, offset, size, stride, None, metadata)


def _rebuild_v3(storage, offset, size, stride, requires_grad, hooks, dtype, metadata=None):
    if not isinstance(dtype, _DType):
        raise Refused(f"dtype {dtype!r}")
    return _tensor(storage, offset, size, stride, dtype, metadata)


def _rebuild_v1(storage, offset, size, stride):
    return _tensor(storage, offset, size, stride, None, None)


def _parameter(data, requires_grad=False, hooks=None, state=None):
    if not isinstance(data, _Tensor):
        raise Refused("a parameter that is not a tensor")
    return data


def _size(values=()):
    return _ints(tuple(values), "size")


#: Everything a pickled checkpoint of tensors may refer to ("module.name" -> stand-in).
ALLOWED: dict[str, object] = {
    "collections.OrderedDict": OrderedDict,
    "torch._utils._rebuild_tensor": _rebuild_v1,
    "torch._utils._rebuild_tensor_v2": _rebuild_v2,
    "torch._utils._rebuild_tensor_v3": _rebuild_v3,
    "torch._utils._rebuild_parameter": _parameter,
    "torch._utils._rebuild_parameter_with_state": _parameter,
    "torch.Size": _size,
    "torch.storage.UntypedStorage": _StorageType(None),
    **{f"torch.{name}": _StorageType(dtype) for name, dtype in _STORAGES.items()},
    **{f"torch.{name}": _DType(name) for name in DTYPES},
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        key = f"{module}.{name}"
        if key not in ALLOWED:
            raise Refused(f"it refers to {key}")
        return ALLOWED[key]

    def persistent_load(self, pid: Any) -> _Storage:
        if (
            not isinstance(pid, tuple)
            or len(pid) != 5
            or pid[0] != "storage"
            or not isinstance(pid[1], _StorageType)
            or not isinstance(pid[2], str)
            or type(pid[4]) is not int
            or pid[4] < 0
        ):
            raise Refused(f"persistent id {pid!r:.80} is not a storage")
        return _Storage(pid[1].dtype, pid[2], pid[4])


#: Deepest nesting of mappings and lists searched for tensors (a pickle can be cyclic).
MAX_DEPTH = 32
#: Most entries visited (shared references let a small pickle describe a huge tree).
MAX_ENTRIES = 1_000_000


def _flatten(value: object, prefix: str, out: dict[str, _Tensor], depth: int = 0,
             budget: list[int] | None = None) -> None:  # fmt: skip
    """Tensors of nested mappings/sequences under dotted names; other leaves are skipped."""
    budget = [MAX_ENTRIES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError(f"it holds more than {MAX_ENTRIES} entries")
    if depth > MAX_DEPTH:
        raise ValueError(f"it nests containers deeper than {MAX_DEPTH} levels (at {prefix:.80})")
    if isinstance(value, _Tensor):
        out[prefix] = value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out, depth + 1, budget)
    elif isinstance(value, (list, tuple)):
        for key, item in enumerate(value):
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out, depth + 1, budget)


def state_dict_of(obj: object) -> dict[str, Any]:
    """The model's tensors in a loaded checkpoint: the object itself, or the entry of a
    training checkpoint dict named by :data:`STATE_DICT_KEYS`, flattened to dotted names."""
    if isinstance(obj, Mapping):
        for key in STATE_DICT_KEYS:
            found: dict[str, _Tensor] = {}
            if key in obj and isinstance(obj[key], Mapping):
                _flatten(obj[key], "", found, 0)
                if found:
                    return found
    found = {}
    _flatten(obj, "", found)
    return found


def _looks_legacy(path: Path) -> bool:
    with open(path, "rb") as stream:
        return stream.read(2) in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")


def read_state(path: Path, label: str) -> dict[str, TensorLoc]:
    """The tensors of a PyTorch zip checkpoint (a state_dict, or a dict holding one).

    Raises ValueError (one line naming the file) for anything that is not such a file,
    including every pickle that refers to a callable outside :data:`ALLOWED`.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        if _looks_legacy(path):
            raise ValueError(
                f"{label} uses PyTorch's legacy (before 1.6) serialization, which cannot be "
                "read safely: load it with torch and save it again with torch.save"
            ) from None
        raise ValueError(
            f"{label} is not a valid PyTorch checkpoint (not a zip archive: {e})"
        ) from None
    with archive:
        infos = {info.filename: info for info in archive.infolist()}
        pickles = [name for name in infos if name.endswith("/data.pkl") and name.count("/") == 1]
        if any(name.endswith("/constants.pkl") for name in infos) or any(
            "/code/" in n for n in infos
        ):
            raise ValueError(
                f"{label} is a TorchScript archive (torch.jit.save): save the model's "
                "state_dict with torch.save instead"
            )
        if len(pickles) != 1:
            raise ValueError(
                f"{label} is not a valid PyTorch checkpoint: it holds {len(pickles)} data.pkl records"
            )
        prefix = pickles[0][: -len("data.pkl")]
        big_endian = False
        if prefix + "byteorder" in infos:
            order = archive.read(prefix + "byteorder").strip()
            if order not in (b"little", b"big"):
                raise ValueError(f"{label} has byte order {order!r}: little or big is needed")
            big_endian = order == b"big"
        info = infos[pickles[0]]
        if info.file_size > MAX_PICKLE:
            raise ValueError(f"{label} has a {info.file_size}-byte data.pkl: at most {MAX_PICKLE}")
        try:
            data = archive.read(info)
            loaded = _Unpickler(io.BytesIO(data)).load()
        except Refused as e:
            raise ValueError(
                f"{label} cannot be read safely: {e}, which a checkpoint of tensors never "
                "needs (this is how a pickle runs code; nothing was run). Only tensors, "
                "ordered dicts and plain values are allowed"
            ) from None
        except (pickle.UnpicklingError, zipfile.BadZipFile, EOFError, OSError, ValueError,
                TypeError, AttributeError, IndexError, KeyError, RecursionError, MemoryError,
                struct.error) as e:  # fmt: skip
            message = " ".join(str(e).split()) or type(e).__name__
            raise ValueError(f"{label} is not a valid PyTorch checkpoint: {message}") from None
        try:
            tensors = state_dict_of(loaded)
        except ValueError as e:
            raise ValueError(f"{label} is not a valid PyTorch checkpoint: {e}") from None
        if not tensors:
            raise ValueError(
                f"{label} holds no tensors: a state_dict (or a dict holding one under "
                f"{', '.join(STATE_DICT_KEYS)}) is needed"
            )
        found = {}
        for name, tensor in tensors.items():
            found[name] = _locate(path, label, infos, prefix, name, tensor, big_endian)
    return found


def _locate(path: Path, label: str, infos: dict[str, zipfile.ZipInfo], prefix: str, name: str,
            tensor: _Tensor, big_endian: bool) -> TensorLoc:  # fmt: skip
    dtype = DTYPES[tensor.dtype]
    entry = infos.get(f"{prefix}data/{tensor.storage.key}")
    if entry is None:
        raise ValueError(
            f"{label}: tensor {name} refers to storage {tensor.storage.key!r}, which is missing"
        )
    if not is_stored(entry):
        raise ValueError(f"{label}: the storage of tensor {name} is compressed or encrypted")
    available = entry.file_size // dtype.itemsize
    declared = tensor.storage.numel if tensor.storage.dtype is not None else None
    if declared is not None and declared * dtype.itemsize != entry.file_size:
        raise ValueError(
            f"{label}: the storage of tensor {name} has {entry.file_size} bytes, its header "
            f"promises {declared} x {dtype.itemsize}"
        )
    span = storage_span(tensor.size, tensor.stride)
    if span and tensor.offset + span > available:
        raise ValueError(
            f"{label}: tensor {name} reaches element {tensor.offset + span} of a storage "
            f"of {available}"
        )
    strides = None if _is_contiguous(tensor.size, tensor.stride) else tensor.stride
    return TensorLoc(
        TensorSpec(name, tensor.dtype, tensor.size),
        path,
        member_data_offset(path, entry, label) + tensor.offset * dtype.itemsize,
        strides,
        big_endian,
        tensor.negate,
    )


def _is_contiguous(size: tuple[int, ...], stride: tuple[int, ...]) -> bool:
    expected = contiguous_strides(size)
    return all(n <= 1 or s == e for n, s, e in zip(size, stride, expected, strict=True))

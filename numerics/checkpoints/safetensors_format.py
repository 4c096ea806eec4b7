"""safetensors files: the header checked as the reference implementation checks it, and written.

A safetensors file is an 8-byte little-endian header length ``N``, ``N`` bytes of UTF-8
JSON mapping each tensor name to ``{"dtype", "shape", "data_offsets": [begin, end]}``
(offsets relative to the byte after the header) and an optional ``"__metadata__"``
string-to-string map, then the data. :func:`read_header` applies the rules of the
reference implementation (``safetensors/src/tensor.rs``: header at most 100 MB, offsets
contiguous from 0 when sorted, each range exactly ``prod(shape) * itemsize`` bytes, the
last one ending at the end of the file), and is stricter where JSON is loose (duplicate
keys, non-integer numbers, unknown fields are refused), so that every byte of the file
is accounted for before any value is read. Values are then read in place with
positioned reads (:mod:`rwpca.numerics.checkpoints.stream`); nothing is loaded whole.

Why not the ``safetensors`` package's NumPy API: it does not expose the tensors' byte
offsets (so a column block of a multi-dimensional tensor costs whole rows), each
``safe_open`` holds a descriptor and a mapping, and it refuses ``BF16`` (NumPy has no
bfloat16), the commonest dtype of published checkpoints. The package is the oracle of
the tests instead: what it writes is read here identically, and every corruption it
refuses is refused here.

:func:`write` writes a file the package (and PyTorch, via ``safetensors.torch``) reads,
with the tensors' data in the order given (largest itemsize first keeps every tensor
aligned, as the reference writer does).
"""

from __future__ import annotations

import json
import math
import os
import struct
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from rwpca.numerics.checkpoints.stream import TensorLoc
from rwpca.numerics.checkpoints.tensors import DTYPES, TensorSpec

#: The reference implementation's limit on the JSON header.
MAX_HEADER = 100_000_000
#: safetensors dtype codes and the canonical dtype names they stand for.
CODES = {
    "F64": "float64",
    "F32": "float32",
    "F16": "float16",
    "BF16": "bfloat16",
    "F8_E4M3": "float8_e4m3fn",
    "F8_E5M2": "float8_e5m2",
    "I64": "int64",
    "I32": "int32",
    "I16": "int16",
    "I8": "int8",
    "U64": "uint64",
    "U32": "uint32",
    "U16": "uint16",
    "U8": "uint8",
    "BOOL": "bool",
    "C64": "complex64",
}
_NAMES = {name: code for code, name in CODES.items()}


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found: dict[str, object] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"key {key!r} appears twice")
        found[key] = value
    return found


def _is_count(value: object) -> bool:
    return type(value) is int and value >= 0


def read_header(path: Path, label: str) -> tuple[dict[str, TensorLoc], dict[str, str]]:
    """The tensors of a safetensors file (in the file's order) and its ``__metadata__``.

    Raises ValueError (one line naming the file) for any header that is truncated, longer
    than 100 MB, not JSON, malformed, or inconsistent with the file's size.
    """

    def bad(why: str) -> ValueError:
        return ValueError(f"{label} is not a valid safetensors file: {why}")

    size = path.stat().st_size
    with open(path, "rb") as stream:
        head = stream.read(8)
        if len(head) < 8:
            raise bad(f"it has {size} bytes, fewer than the 8 of the header length")
        (length,) = struct.unpack("<Q", head)
        if length > MAX_HEADER:
            raise bad(f"its header length {length} exceeds the limit of {MAX_HEADER} bytes")
        if 8 + length > size:
            raise ValueError(
                f"{label} is truncated: its header claims {length} bytes, the file has "
                f"{size - 8} after the length"
            )
        text = stream.read(length)
    try:
        header = json.loads(text.decode("utf-8"), object_pairs_hook=_pairs)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise bad(f"its header is not JSON ({' '.join(str(e).split())})") from None
    if not isinstance(header, dict):
        raise bad("its header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise bad("its __metadata__ is not a map of strings to strings")
    entries = []
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise bad(f"tensor {name!r} must have exactly dtype, shape and data_offsets")
        code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if code not in CODES:
            raise bad(f"tensor {name!r} has unknown dtype {code!r} (known: {', '.join(CODES)})")
        if not isinstance(shape, list) or not all(_is_count(s) for s in shape):
            raise bad(f"tensor {name!r} has shape {shape!r}: a list of integers >= 0 is needed")
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(_is_count(o) for o in offsets)
        ):
            raise bad(f"tensor {name!r} has data_offsets {offsets!r}: need [begin, end]")
        entries.append((name, CODES[code], tuple(shape), offsets[0], offsets[1]))
    entries.sort(key=lambda e: (e[3], e[4]))
    expected = 0
    for name, dtype, shape, begin, end in entries:
        if begin != expected or end < begin:
            raise bad(
                f"tensor {name!r} has data_offsets [{begin}, {end}]: the tensors' bytes must "
                f"follow one another from 0 (expected to begin at {expected})"
            )
        nbytes = math.prod(shape) * DTYPES[dtype].itemsize
        if end - begin != nbytes:
            raise bad(
                f"tensor {name!r} has {end - begin} bytes, its shape {list(shape)} and dtype "
                f"need {nbytes}"
            )
        expected = end
    available = size - 8 - length
    if expected > available:
        raise ValueError(
            f"{label} is truncated: its header promises {expected} bytes of data, the file "
            f"has {available}"
        )
    if expected < available:
        raise bad(f"it has {available - expected} bytes after the last tensor")
    base = 8 + length
    tensors = {
        name: TensorLoc(TensorSpec(name, dtype, shape), path, base + begin)
        for name, dtype, shape, begin, _ in entries
    }
    return tensors, dict(metadata)


def _all_written(fd: int, data: memoryview) -> None:
    while len(data):
        data = data[os.write(fd, data) :]


def write(
    fd: int,
    tensors: Sequence[tuple[str, str, tuple[int, ...], np.ndarray]],
    metadata: Mapping[str, str] | None = None,
) -> int:
    """Write (name, dtype, shape, contiguous values) tensors to an open descriptor.

    ``values`` hold the raw storage (for bfloat16: its uint16 bits). Returns the bytes
    written. Data are laid out by decreasing itemsize, then in the order given.
    """
    order = sorted(range(len(tensors)), key=lambda i: (-DTYPES[tensors[i][1]].itemsize, i))
    header: dict[str, object] = {}
    if metadata:
        header["__metadata__"] = dict(metadata)
    offset = 0
    for i in order:
        name, dtype, shape, values = tensors[i]
        nbytes = values.nbytes
        if nbytes != math.prod(shape) * DTYPES[dtype].itemsize:
            raise ValueError(f"tensor {name} holds {nbytes} bytes, not those of {shape} {dtype}")
        header[name] = {
            "dtype": _NAMES[dtype],
            "shape": list(shape),
            "data_offsets": [offset, offset + nbytes],
        }
        offset += nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    _all_written(fd, memoryview(struct.pack("<Q", len(text)) + text))
    for i in order:
        values = np.ascontiguousarray(tensors[i][3])
        if values.dtype.byteorder == ">":
            values = values.astype(values.dtype.newbyteorder("<"))
        _all_written(fd, values.reshape(-1).view(np.uint8).data)
    return 8 + len(text) + offset

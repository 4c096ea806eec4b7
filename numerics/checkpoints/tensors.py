"""Named tensors of a checkpoint: dtypes, the canonical order, and which ones are parameters.

A checkpoint is a set of named tensors, whatever its format: a PyTorch ``state_dict``, a
safetensors file, the arrays of an ``.npz``, a JAX/Flax pytree flattened to dotted names.
Every format is reduced to the same description (:class:`TensorSpec`: name, dtype, shape)
and flattened in one **canonical order**, the natural order of the names (``layer.2``
before ``layer.10``). The Gram matrix of a trajectory does not depend on the order of its
coordinates, but every checkpoint must use the same one, block boundaries then fall on the
same values whatever the file order (a safetensors file lists tensors alphabetically by
dtype, a ``state_dict`` in module order), and a sketch hashes coordinates by their place in
this order: so the same run saved in two formats gives bit-identical results.

**Which tensors are parameters.** By default the floating-point tensors are analysed,
except the BatchNorm statistics (:data:`BATCHNORM_STATISTICS`). Integer and boolean tensors
are counters, indices and masks (``num_batches_tracked``, ``position_ids``), not
coordinates of the loss landscape. ``running_mean``/``running_var`` are floating point but
are not trained by the optimizer: they are exponential moving averages of batch statistics
(momentum 0.1 by default), a smoothed process whose steps are strongly correlated by
construction, so mixing them in would bias the very test of independent steps this
analysis makes. A saved ``state_dict`` does not say which floating tensors are buffers;
other buffers that never change (masks, fixed positional tables) add nothing to the
displacements ``x_t - x_1`` and leave the spectrum unchanged, and buffers that do change
can be left out with ``exclude``. ``include`` replaces the default rule by an explicit
choice.

>>> specs = [TensorSpec("fc.weight", "float32", (2, 3)), TensorSpec("bn.running_var", "float32", (3,)),
...          TensorSpec("bn.num_batches_tracked", "int64", ()), TensorSpec("bn.weight", "float32", (3,))]
>>> [s.name for s in select(specs).tensors]
['bn.weight', 'fc.weight']
>>> [(s.name, why) for s, why in select(specs).left_out]
[('bn.num_batches_tracked', 'int64, not floating point'), ('bn.running_var', 'BatchNorm statistic')]
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: Names (last dotted component) of the BatchNorm buffers, which are not parameters.
BATCHNORM_STATISTICS = ("running_mean", "running_var", "num_batches_tracked")


@dataclass(frozen=True)
class DType:
    """A tensor element type: its canonical name, how its bytes are stored, its kind."""

    name: str  # the PyTorch/NumPy spelling: float32, bfloat16, int64, ...
    storage: str  # NumPy dtype of the raw bytes (little-endian); bfloat16 and float8 are uint
    kind: str  # "float", "int", "bool" or "complex"

    @property
    def itemsize(self) -> int:
        return np.dtype(self.storage).itemsize


_DTYPE_LIST = (
    DType("float64", "<f8", "float"),
    DType("float32", "<f4", "float"),
    DType("float16", "<f2", "float"),
    DType("bfloat16", "<u2", "float"),
    DType("float8_e4m3fn", "u1", "float"),
    DType("float8_e5m2", "u1", "float"),
    DType("int64", "<i8", "int"),
    DType("int32", "<i4", "int"),
    DType("int16", "<i2", "int"),
    DType("int8", "i1", "int"),
    DType("uint64", "<u8", "int"),
    DType("uint32", "<u4", "int"),
    DType("uint16", "<u2", "int"),
    DType("uint8", "u1", "int"),
    DType("bool", "u1", "bool"),
    DType("complex64", "<c8", "complex"),
    DType("complex128", "<c16", "complex"),
)
#: Every dtype a checkpoint may declare, by canonical name.
DTYPES = {d.name: d for d in _DTYPE_LIST}


def numpy_dtype_name(dtype: np.dtype) -> str:
    """The canonical name of a NumPy dtype (``ml_dtypes.bfloat16`` included), or ValueError."""
    dtype = np.dtype(dtype)
    name = dtype.name
    if name in DTYPES and (dtype.kind != "V" or name == "bfloat16"):
        return name
    raise ValueError(f"dtype {dtype} is not allowed: a tensor must be real or integer numbers")


@dataclass(frozen=True)
class TensorSpec:
    """What every checkpoint of a run must agree on for one tensor."""

    name: str
    dtype: str
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def describe(self) -> str:
        return f"{self.name} {list(self.shape)} {self.dtype}"


def natural_key(name: str) -> tuple[object, ...]:
    """Sort key comparing digit runs as numbers: ``ckpt_2`` < ``ckpt_10``.

    >>> sorted(["c10.npy", "c2.npy", "c1.npy"], key=natural_key)
    ['c1.npy', 'c2.npy', 'c10.npy']
    """
    parts = re.split(r"(\d+)", name)
    return tuple(int(p) if index % 2 else p for index, p in enumerate(parts))


def canonical(specs: Iterable[TensorSpec]) -> list[TensorSpec]:
    """The tensors in the canonical order: natural order of their names."""
    return sorted(specs, key=lambda s: natural_key(s.name))


# --- decoding ---------------------------------------------------------------------------


@lru_cache(maxsize=2)
def float8_table(name: str) -> np.ndarray:
    """float32 value of each of the 256 codes of a float8 format (e4m3fn or e5m2).

    >>> t = float8_table("float8_e4m3fn"); float(t[0x38]), float(t[0x7E]), bool(np.isnan(t[0x7F]))
    (1.0, 448.0, True)
    >>> t = float8_table("float8_e5m2"); float(t[0x3C]), float(t[0x7C])
    (1.0, inf)
    """
    exponent_bits, bias = (4, 7) if name == "float8_e4m3fn" else (5, 15)
    mantissa_bits = 7 - exponent_bits
    code = np.arange(256)
    sign = np.where(code & 0x80, -1.0, 1.0)
    exponent = (code >> mantissa_bits) & ((1 << exponent_bits) - 1)
    mantissa = code & ((1 << mantissa_bits) - 1)
    fraction = mantissa / (1 << mantissa_bits)
    value = np.where(
        exponent == 0,
        fraction * 2.0 ** (1 - bias),
        (1 + fraction) * 2.0 ** (exponent - bias),
    )
    top = (1 << exponent_bits) - 1
    if name == "float8_e4m3fn":  # no infinities; S.1111.111 is NaN
        value = np.where((exponent == top) & (mantissa == (1 << mantissa_bits) - 1), np.nan, value)
    else:  # IEEE-like: top exponent is infinity (mantissa 0) or NaN
        value = np.where(exponent == top, np.where(mantissa == 0, np.inf, np.nan), value)
    table = (sign * value).astype(np.float32)
    table.flags.writeable = False
    return table


def decode(raw: np.ndarray, dtype: DType, out: np.ndarray) -> None:
    """Convert raw storage values (``dtype.storage``, any byte order) into ``out`` (float)."""
    if dtype.name == "bfloat16":  # the top half of a float32: exact
        out[...] = (raw.astype(np.uint32) << 16).view(np.float32)
    elif dtype.name.startswith("float8"):
        out[...] = float8_table(dtype.name)[raw]
    else:
        out[...] = raw


# --- parameter selection ----------------------------------------------------------------


def default_exclusion(spec: TensorSpec) -> str | None:
    """Why a tensor is not a parameter by default (None: it is one)."""
    kind = DTYPES[spec.dtype].kind
    if kind != "float":
        return f"{spec.dtype}, not floating point"
    if spec.name.rsplit(".", 1)[-1] in BATCHNORM_STATISTICS:
        return "BatchNorm statistic"
    return None


def _compile(patterns: Sequence[str], option: str) -> list[re.Pattern[str]]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as e:
            raise ValueError(
                f"{option} {pattern!r} is not allowed: it is not a regular expression ({e})"
            ) from None
    return compiled


def check_patterns(include: Sequence[str], exclude: Sequence[str]) -> None:
    """ValueError naming the first of the patterns that is not a regular expression."""
    _compile(include, "--include")
    _compile(exclude, "--exclude")


@dataclass(frozen=True)
class Selection:
    """The analysed tensors of a run (canonical order) and those left out, with reasons."""

    tensors: tuple[TensorSpec, ...]
    left_out: tuple[tuple[TensorSpec, str], ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def d(self) -> int:
        return sum(s.size for s in self.tensors)

    def offsets(self) -> np.ndarray:
        """Column offset of each tensor in the flattened vector (length len(tensors) + 1)."""
        return np.concatenate([[0], np.cumsum([s.size for s in self.tensors], dtype=np.int64)])


def select(
    specs: Iterable[TensorSpec], include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> Selection:
    """The tensors analysed: by default the parameters (module docstring), else the names
    matching an ``include`` regular expression (searched anywhere in the name); then
    those matching an ``exclude`` expression are removed. ValueError if none is left or a
    chosen tensor is boolean or complex."""
    includes = _compile(include, "--include")
    excludes = _compile(exclude, "--exclude")
    chosen, left = [], []
    ordered = canonical(specs)
    for spec in ordered:
        if includes:
            reason = None if any(p.search(spec.name) for p in includes) else "not --include'd"
        else:
            reason = default_exclusion(spec)
        if reason is None and any(p.search(spec.name) for p in excludes):
            reason = "--exclude'd"
        if reason is None and DTYPES[spec.dtype].kind in ("bool", "complex"):
            raise ValueError(
                f"tensor {spec.name} has dtype {spec.dtype}: only real or integer tensors can "
                "be analysed; leave it out with --exclude"
            )
        (left.append((spec, reason)) if reason else chosen.append(spec))
    if not chosen:
        names = ", ".join(s.name for s in ordered[:6]) + (", ..." if len(ordered) > 6 else "")
        rule = (
            "no tensor name matches --include"
            if includes
            else "the default keeps floating-point tensors other than BatchNorm statistics"
        )
        raise ValueError(
            f"no tensor is left to analyse ({rule}; the tensors are {names or 'none'}): "
            "choose some with --include"
        )
    return Selection(tuple(chosen), tuple(left), tuple(include), tuple(exclude))


# --- groups (--by-layer) ----------------------------------------------------------------

#: ``--by-layer`` groupings besides a number of leading name components.
GROUPINGS = ("tensor", "module")


def parse_grouping(text: str) -> str | int:
    """``tensor``, ``module`` (the name without its last component) or a depth >= 1.

    >>> parse_grouping("module"), parse_grouping("2")
    ('module', 2)
    """
    if text in GROUPINGS:
        return text
    if re.fullmatch(r"[1-9]\d{0,2}", text):
        return int(text)
    raise ValueError(
        f"--by-layer {text!r} is not allowed: use tensor, module, or a number of leading "
        "name components (1, 2, ...)"
    )


def group_name(name: str, grouping: str | int) -> str:
    """The group of a tensor name.

    >>> group_name("layer1.0.conv1.weight", "module"), group_name("layer1.0.conv1.weight", 2)
    ('layer1.0.conv1', 'layer1.0')
    """
    parts = name.split(".")
    if grouping == "tensor":
        return name
    if grouping == "module":
        return ".".join(parts[:-1]) or name
    return ".".join(parts[: int(grouping)])


@dataclass(frozen=True)
class Group:
    """Tensors analysed together by ``--by-layer`` and their columns in the flattened vector."""

    name: str
    tensors: tuple[str, ...]
    ranges: tuple[tuple[int, int], ...]  # half-open column ranges, increasing

    @property
    def d(self) -> int:
        return sum(stop - start for start, stop in self.ranges)


def groups(selection: Selection, grouping: str | int) -> list[Group]:
    """The selected tensors grouped, in order of first appearance."""
    offsets = selection.offsets()
    found: dict[str, tuple[list[str], list[tuple[int, int]]]] = {}
    for index, spec in enumerate(selection.tensors):
        names, ranges = found.setdefault(group_name(spec.name, grouping), ([], []))
        names.append(spec.name)
        start, stop = int(offsets[index]), int(offsets[index + 1])
        if ranges and ranges[-1][1] == start:
            ranges[-1] = (ranges[-1][0], stop)
        elif stop > start:
            ranges.append((start, stop))
    return [Group(name, tuple(n), tuple(r)) for name, (n, r) in found.items()]

"""Recording a training run as it happens: exact snapshots or sketches, crash-safe.

>>> import numpy as np, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "run"
>>> with Recorder(folder, every=2) as rec:
...     for step in range(6):
...         _ = rec.record({"w": np.full(3, float(step)), "b": np.zeros(2)})
>>> rec.steps, sorted(p.name for p in folder.iterdir())
([0, 2, 4], ['step_00000000.safetensors', 'step_00000002.safetensors', 'step_00000004.safetensors'])

A :class:`Recorder` accepts, at each ``record`` call, a PyTorch module (its
``state_dict()``) or state_dict, a JAX/Flax pytree (nested dicts, lists and tuples of
arrays), a NumPy array or a mapping of arrays. Leaves are converted without importing
torch or jax unless the objects are theirs: PyTorch tensors by ``detach().cpu()`` and
their NumPy view (bfloat16 by its bits), anything else through DLPack
(``numpy.from_dlpack``) or ``__array__``. Nested names are joined with dots
(``params.Dense_0.kernel``); non-array leaves (step counters, strings) are skipped.

**Format.** One safetensors file per snapshot, ``step_<step>.safetensors``, in the folder:
``rwpca analyze FOLDER`` reads it like any run (same canonical order, same parameter
selection, so a recorded run and the same run saved with ``torch.save`` give identical
results). An exact snapshot holds every tensor (``include``/``exclude`` store fewer); a
sketch (``sketch=m``) holds one float64 vector of m numbers, the CountSketch of the
selected parameters (:mod:`rwpca.numerics.checkpoints.sketch`), and its seed, m, d and a
fingerprint of the sketched tensors in the file's metadata.

**Crash safety.** A snapshot is written to a hidden temporary file in the folder and
renamed to its final name only once complete (``os.replace`` is atomic), so a run killed
at any moment, even mid-write, leaves every completed snapshot readable and no partial
file under a snapshot's name; the reader skips hidden files and ``resume=True`` removes
the recorder's own leftovers. ``durable=True`` also fsyncs each file and the folder,
which protects against power loss as well (at the cost of a disk flush per snapshot).

Costs per recorded step: one copy of the parameters to host memory and one write
(exact); for a sketch, one pass over the parameters (a weighted ``bincount``) and m
numbers written, plus 8 bytes per parameter kept for the sketch's hash.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from rwpca.numerics.checkpoints import safetensors_format
from rwpca.numerics.checkpoints.sketch import (
    DEFAULT_DIMENSION,
    CountSketch,
    SketchInfo,
    check_dimension,
    parameters_digest,
    read_metadata,
)
from rwpca.numerics.checkpoints.tensors import (
    DTYPES,
    TensorSpec,
    canonical,
    check_patterns,
    decode,
    numpy_dtype_name,
    select,
)

#: Final names of the snapshots (the step, zero-padded to 8 digits).
SNAPSHOT = re.compile(r"step_(\d+)\.safetensors")
_TEMPORARY = re.compile(r"\.step_\d+\.safetensors\.tmp-\d+")


def _from_torch(tensor: Any) -> tuple[np.ndarray, str]:
    import torch  # only ever reached with a torch tensor in hand

    t = tensor.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    t = t.resolve_conj().resolve_neg().contiguous()
    name = str(t.dtype).removeprefix("torch.")
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(np.uint16), name
    if name.startswith("float8"):
        return t.view(torch.uint8).numpy(), name
    return t.numpy(), name


def _leaf(value: Any, name: str) -> tuple[np.ndarray, str] | None:
    """(raw little-endian contiguous storage, canonical dtype) of an array leaf, or None."""
    if value is None or isinstance(value, (str, bytes, bool, int, float, complex)):
        return None
    if type(value).__module__.split(".")[0] == "torch":
        raw, dtype = _from_torch(value)
    else:
        array = None
        if isinstance(value, np.ndarray):
            array = value
        elif hasattr(value, "__dlpack__"):
            try:
                array = np.from_dlpack(value)
            except (TypeError, ValueError, BufferError, RuntimeError):
                array = None  # on an accelerator, or a dtype NumPy lacks: use __array__
        if array is None and hasattr(value, "__array__"):
            array = np.asarray(value)
        if array is None:
            return None
        try:
            dtype = numpy_dtype_name(array.dtype)
        except ValueError as e:
            raise ValueError(f"tensor {name}: {e}") from None
        raw = array.view(np.uint16) if dtype == "bfloat16" else array
        if dtype.startswith("float8"):
            raw = array.view(np.uint8)
    if not raw.flags.c_contiguous:  # (np.ascontiguousarray would make a 0-d array 1-d)
        raw = raw.copy(order="C")
    if raw.dtype.byteorder == ">":
        raw = raw.astype(raw.dtype.newbyteorder("<"))
    if DTYPES[dtype].kind == "complex":
        raise ValueError(f"tensor {name} is complex: only real or integer tensors are recorded")
    return raw, dtype


def flatten_state(state: Any) -> dict[str, tuple[np.ndarray, str]]:
    """Name -> (raw storage, dtype) of every array in a module, state_dict, pytree or array."""
    if callable(getattr(state, "state_dict", None)):
        state = state.state_dict()
    found: dict[str, tuple[np.ndarray, str]] = {}

    def walk(value: Any, prefix: str, depth: int) -> None:
        if depth > 32:
            raise ValueError(f"the state nests containers deeper than 32 levels (at {prefix})")
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, f"{prefix}.{key}" if prefix else str(key), depth + 1)
        elif isinstance(value, (list, tuple)):
            for key, item in enumerate(value):
                walk(item, f"{prefix}.{key}" if prefix else str(key), depth + 1)
        else:
            leaf = _leaf(value, prefix or "parameters")
            if leaf is not None:
                found[prefix or "parameters"] = leaf

    walk(state, "", 0)
    if not found:
        raise ValueError(
            f"{type(state).__name__} holds no arrays: record a model, a state_dict, a pytree "
            "of arrays or an array"
        )
    return found


class Recorder:
    """Snapshots of a model during training, in a folder that ``rwpca analyze`` reads.

    ``every``: record when ``step % every == 0`` (``step`` counts ``record`` calls from 0
    unless given). ``sketch``: None for exact snapshots, ``True`` for a sketch of
    :data:`~rwpca.numerics.checkpoints.sketch.DEFAULT_DIMENSION` numbers, or the dimension
    m; ``seed`` fixes the sketch. ``include``/``exclude``: regular expressions choosing the
    tensors (a sketch always applies the default parameter rule unless they are given).
    ``resume``: append to an earlier recording in ``path`` (same tensors, later steps).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        every: int = 1,
        *,
        sketch: int | bool | None = None,
        seed: int = 0,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        resume: bool = False,
        durable: bool = False,
    ) -> None:
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every = {every!r} is not allowed: need an integer >= 1")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 1 << 63:
            raise ValueError(f"seed = {seed!r} is not allowed: need an integer 0 <= seed < 2^63")
        if sketch is True:
            sketch = DEFAULT_DIMENSION
        elif sketch is False:
            sketch = None
        self.m = None if sketch is None else check_dimension(sketch)
        self.path, self.every, self.seed = Path(path), every, seed
        self.include, self.exclude = tuple(include), tuple(exclude)
        check_patterns(self.include, self.exclude)
        self.durable = durable
        self.steps: list[int] = []
        self._next = 0
        self._last = -1
        self._specs: list[TensorSpec] | None = None  # every recorded tensor, canonical order
        self._chosen: list[TensorSpec] = []
        self._sketch: CountSketch | None = None
        self._info: SketchInfo | None = None
        self._expected: tuple[str, object] | None = None  # what an earlier recording holds
        self._closed = False
        self._prepare(resume)

    # --- the folder ----------------------------------------------------------------------

    def _prepare(self, resume: bool) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(
                f"{self.path} exists and is not a folder: give a folder to record into"
            )
        self.path.mkdir(parents=True, exist_ok=True)
        entries = [p for p in self.path.iterdir() if not p.name.startswith(".")]
        if entries and not resume:
            raise ValueError(
                f"{self.path} already holds {len(entries)} files: give a new folder, or "
                "resume=True to append to an earlier recording"
            )
        strangers = [p.name for p in entries if not SNAPSHOT.fullmatch(p.name)]
        if strangers:
            raise ValueError(
                f"{self.path} holds {strangers[0]}, which is not a snapshot of this recorder: "
                "resume only into a recorder's own folder"
            )
        for leftover in self.path.iterdir():  # our unfinished snapshots of a killed run
            if _TEMPORARY.fullmatch(leftover.name):
                leftover.unlink()
        if entries:
            last = max(entries, key=lambda p: int(SNAPSHOT.fullmatch(p.name)[1]))  # type: ignore[index]
            self._last = int(SNAPSHOT.fullmatch(last.name)[1])  # type: ignore[index]
            self._next = self._last + 1
            tensors, metadata = safetensors_format.read_header(last, str(last))
            info = read_metadata(metadata, str(last))
            specs = canonical(loc.spec for loc in tensors.values())
            self._expected = ("sketch", info) if info else ("exact", specs)

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop recording (every snapshot is already complete on disk)."""
        self._closed = True

    # --- recording -----------------------------------------------------------------------

    def _layout(self, arrays: dict[str, tuple[np.ndarray, str]]) -> None:
        specs = canonical(
            TensorSpec(n, dtype, tuple(raw.shape)) for n, (raw, dtype) in arrays.items()
        )
        if self.m is None:
            chosen = (
                list(select(specs, self.include, self.exclude).tensors)
                if (self.include or self.exclude)
                else specs
            )
            if self._expected is not None and self._expected != ("exact", chosen):
                raise ValueError(
                    f"{self.path} holds snapshots of other tensors: resume with the same model"
                )
        else:
            chosen = list(select(specs, self.include, self.exclude).tensors)
            d = sum(s.size for s in chosen)
            self._sketch = CountSketch(self.m, self.seed, d)
            self._info = SketchInfo(self.m, self.seed, d, parameters_digest(chosen), len(chosen))
            if self._expected is not None and self._expected != ("sketch", self._info):
                raise ValueError(
                    f"{self.path} holds a recording with another sketch or other tensors: "
                    "resume with the same model, sketch dimension and seed"
                )
        self._specs, self._chosen = specs, chosen

    def record(self, state: Any, step: int | None = None) -> bool:
        """Record a snapshot if this step is due; True when one was written."""
        if self._closed:
            raise ValueError(f"the recorder of {self.path} is closed")
        if step is None:
            step = self._next
        elif isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 0:
            raise ValueError(f"step = {step!r} is not allowed: need an integer >= 0")
        step = int(step)
        self._next = step + 1
        if step % self.every:
            return False
        if step <= self._last:
            raise ValueError(f"step {step} is not after the last recorded step {self._last}")
        arrays = flatten_state(state)
        if self._specs is None:
            self._layout(arrays)
        self._check(arrays, step)
        tensors: list[tuple[str, str, tuple[int, ...], np.ndarray]]
        if self._sketch is not None:
            assert self._info is not None
            vector = self._sketch.apply(self._pieces(arrays))
            tensors = [("sketch", "float64", (self._sketch.m,), vector)]
            metadata = self._info.metadata()
        else:
            tensors = [(s.name, s.dtype, s.shape, arrays[s.name][0]) for s in self._chosen]
            metadata = {"rwpca.format": "snapshot", "rwpca.step": str(step)}
        self._write(step, tensors, metadata)
        self._last = step
        self.steps.append(step)
        return True

    def _check(self, arrays: dict[str, tuple[np.ndarray, str]], step: int) -> None:
        assert self._specs is not None
        if len(arrays) != len(self._specs):
            raise ValueError(
                f"step {step} has {len(arrays)} tensors, the first snapshot {len(self._specs)}: "
                "every snapshot must have the same tensor names, shapes and dtypes"
            )
        for spec in self._specs:
            got = arrays.get(spec.name)
            if got is None or (tuple(got[0].shape), got[1]) != (spec.shape, spec.dtype):
                now = "missing" if got is None else f"{list(got[0].shape)} {got[1]}"
                raise ValueError(
                    f"step {step}: tensor {spec.name} is {now}, it was "
                    f"{list(spec.shape)} {spec.dtype}: every snapshot must have the same "
                    "tensor names, shapes and dtypes"
                )

    def _pieces(
        self, arrays: dict[str, tuple[np.ndarray, str]]
    ) -> Iterator[tuple[int, np.ndarray]]:
        offset = 0
        for spec in self._chosen:
            raw, dtype = arrays[spec.name]
            values = raw
            if dtype in ("bfloat16", "float8_e4m3fn", "float8_e5m2"):
                values = np.empty(raw.shape, dtype=np.float32)
                decode(raw, DTYPES[dtype], values)
            if not np.isfinite(values).all():
                raise ValueError(
                    f"tensor {spec.name} contains NaN or infinity: values must be finite"
                )
            yield offset, values
            offset += spec.size

    def _write(self, step: int, tensors: list, metadata: dict[str, str]) -> None:
        final = self.path / f"step_{step:08d}.safetensors"
        temporary = self.path / f".{final.name}.tmp-{os.getpid()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
        try:
            try:
                safetensors_format.write(fd, tensors, metadata)
                if self.durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temporary, final)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        if self.durable:
            folder = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)

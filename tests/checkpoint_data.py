"""Shared builders of checkpoint runs for the tests (no torch needed)."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np

from rwpca.numerics.checkpoints import safetensors_format

DATA = Path(__file__).resolve().parent / "data" / "torch"
#: The tensors of a small Conv + BatchNorm + Linear model, in module order.
LAYOUT = {
    "conv.weight": ((4, 1, 3, 3), np.float32),
    "conv.bias": ((4,), np.float32),
    "bn.weight": ((4,), np.float32),
    "bn.bias": ((4,), np.float32),
    "bn.running_mean": ((4,), np.float32),
    "bn.running_var": ((4,), np.float32),
    "bn.num_batches_tracked": ((), np.int64),
    "fc.weight": ((10, 64), np.float32),
    "fc.bias": ((10,), np.float32),
}
PARAMETERS = ["bn.bias", "bn.weight", "conv.bias", "conv.weight", "fc.bias", "fc.weight"]


def states(n: int, seed: int = 0) -> list[dict[str, np.ndarray]]:
    """n state_dicts of a random walk in the parameters (module order, as torch keeps it)."""
    rng = np.random.default_rng(seed)
    current = {k: rng.standard_normal(shape).astype(dtype) for k, (shape, dtype) in LAYOUT.items()}
    current["bn.num_batches_tracked"] = np.array(0, dtype=np.int64)
    found = []
    for _ in range(n):
        found.append({k: v.copy() for k, v in current.items()})
        for k, (shape, dtype) in LAYOUT.items():
            if dtype is np.int64:
                current[k] = current[k] + 1
            elif "running" in k:
                current[k] = (0.9 * current[k] + 0.1 * rng.standard_normal(shape)).astype(dtype)
            else:
                current[k] = (current[k] + 0.1 * rng.standard_normal(shape)).astype(dtype)
    return found


def save_safetensors(path: Path, state: dict[str, np.ndarray], metadata=None) -> Path:
    """Write with the safetensors package itself (the reference writer)."""
    from safetensors.numpy import save_file

    save_file({k: np.ascontiguousarray(v) for k, v in state.items()}, str(path), metadata)
    return path


def write_with_ours(path: Path, tensors: list[tuple[str, str, tuple, np.ndarray]], metadata=None):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        safetensors_format.write(fd, tensors, metadata)
    finally:
        os.close(fd)
    return path


def safetensors_run(folder: Path, n: int = 12, seed: int = 0, name: str = "step_{}") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for step, state in enumerate(states(n, seed)):
        save_safetensors(folder / f"{name.format(step)}.safetensors", state)
    return folder


def npz_run(folder: Path, n: int = 12, seed: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for step, state in enumerate(states(n, seed)):
        np.savez(folder / f"step_{step}.npz", **state)
    return folder


def flat(state: dict[str, np.ndarray], names=PARAMETERS) -> np.ndarray:
    return np.concatenate([state[k].astype(np.float64).reshape(-1) for k in names])


def dense_gram(vectors: np.ndarray) -> np.ndarray:
    Y = np.asarray(vectors, dtype=np.float64)
    Y = Y - Y[0]
    return Y @ Y.T


def torch_zip(path: Path, data_pkl: bytes, storages: dict[str, bytes] | None = None,
              prefix: str = "archive", compress: bool = False) -> Path:  # fmt: skip
    """A file laid out as torch.save writes it, with the given pickle and storages."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as z:
        z.writestr(f"{prefix}/data.pkl", data_pkl)
        z.writestr(f"{prefix}/byteorder", "little")
        for key, raw in (storages or {}).items():
            z.writestr(f"{prefix}/data/{key}", raw)
        z.writestr(f"{prefix}/version", "3\n")
    return path


class Op:
    """A tiny pickle assembler (protocol 2 opcodes) for pickles torch would write, or worse."""

    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.out.write(pickle.PROTO + b"\x02")

    def raw(self, data: bytes) -> Op:
        self.out.write(data)
        return self

    def glob(self, module: str, name: str) -> Op:
        return self.raw(pickle.GLOBAL + f"{module}\n{name}\n".encode())

    def text(self, s: str) -> Op:
        data = s.encode()
        return self.raw(pickle.BINUNICODE + len(data).to_bytes(4, "little") + data)

    def int(self, v: int) -> Op:
        return self.raw(pickle.BININT + v.to_bytes(4, "little", signed=True))

    def ints(self, values) -> Op:
        self.raw(pickle.MARK)
        for v in values:
            self.int(v)
        return self.raw(pickle.TUPLE)

    def storage(self, kind: str, key: str, numel: int) -> Op:
        self.raw(pickle.MARK).text("storage").glob("torch", kind).text(key).text("cpu")
        return self.int(numel).raw(pickle.TUPLE + pickle.BINPERSID)

    def tensor(self, kind: str, key: str, numel: int, offset: int, size, stride) -> Op:
        self.glob("torch._utils", "_rebuild_tensor_v2").raw(pickle.MARK)
        self.storage(kind, key, numel).int(offset).ints(size).ints(stride)
        self.raw(pickle.NEWFALSE).glob("collections", "OrderedDict")
        return self.raw(pickle.EMPTY_TUPLE + pickle.REDUCE + pickle.TUPLE + pickle.REDUCE)

    def state_dict(self, entries) -> bytes:
        """An OrderedDict of (name, (kind, key, numel, offset, size, stride)) tensors."""
        self.glob("collections", "OrderedDict").raw(pickle.EMPTY_TUPLE + pickle.REDUCE)
        self.raw(pickle.MARK)
        for name, args in entries:
            self.text(name).tensor(*args)
        return self.raw(pickle.SETITEMS + pickle.STOP).out.getvalue()

    def done(self) -> bytes:
        return self.raw(pickle.STOP).out.getvalue()


def pt_run(folder: Path, n: int = 12, seed: int = 0) -> Path:
    """The run of :func:`states` as torch.save would write it (float32 and int64 storages)."""
    folder.mkdir(parents=True, exist_ok=True)
    for step, state in enumerate(states(n, seed)):
        entries, storages = [], {}
        for key, (name, value) in enumerate(state.items()):
            kind = "LongStorage" if value.dtype == np.int64 else "FloatStorage"
            shape = value.shape
            stride = tuple(int(s // value.itemsize) for s in value.strides)
            entries.append((name, (kind, str(key), value.size, 0, shape, stride)))
            storages[str(key)] = value.tobytes()
        torch_zip(folder / f"step_{step:05d}.pt", Op().state_dict(entries), storages)
    return folder

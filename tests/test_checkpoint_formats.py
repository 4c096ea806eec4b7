"""Checkpoint formats: safetensors against its reference package, PyTorch zips without torch
or code, one-format folders ordered by step, canonical order, parameter selection."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rwpca.numerics.checkpoints import safetensors_format, torch_format
from rwpca.numerics.checkpoints.stream import Checkpoint, Layout
from rwpca.numerics.checkpoints.tensors import TensorSpec, canonical, float8_table, groups, select
from rwpca.numerics.trajectories.readers import open_trajectory, parse_window

from .checkpoint_data import (
    DATA,
    LAYOUT,
    PARAMETERS,
    Op,
    dense_gram,
    flat,
    npz_run,
    pt_run,
    safetensors_run,
    save_safetensors,
    states,
    torch_zip,
    write_with_ours,
)

safetensors = pytest.importorskip("safetensors")  # in the test extra: this runs in CI
pytestmark = pytest.mark.filterwarnings(
    "ignore::rwpca.numerics.trajectories.readers.TrajectoryWarning"
)
MARKER = "rwpca-payload-marker"


def values_of(path: Path, fmt: str) -> dict[str, np.ndarray]:
    """Every tensor of one checkpoint file as float64, read through the block reader."""
    reader = safetensors_format.read_header if fmt == "safetensors" else torch_format.read_state
    found = reader(path, str(path))
    tensors = found[0] if isinstance(found, tuple) else found
    specs = canonical(loc.spec for loc in tensors.values())
    readable = [s for s in specs if s.dtype not in ("bool",)]
    layout = Layout([Checkpoint(str(path), 0, tensors)], readable)
    vector = np.concatenate([np.zeros((1, 0)), *layout.blocks(0, 1, 5)], axis=1)[0]
    out, offset = {}, 0
    for spec in readable:
        out[spec.name] = vector[offset : offset + spec.size].reshape(spec.shape)
        offset += spec.size
    return out


# --- safetensors ------------------------------------------------------------------------

DTYPES = [np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8]


@given(
    tensors=st.lists(
        st.tuples(st.sampled_from(DTYPES), st.lists(st.integers(0, 4), max_size=3)),
        min_size=1,
        max_size=6,
    ),
    seed=st.integers(0, 2**16),
)
def test_safetensors_read_as_the_package_writes_and_reads(tensors, seed, tmp_path_factory):
    """Every file the reference writer makes is read here to the same values."""
    from safetensors.numpy import load_file

    rng = np.random.default_rng(seed)
    state = {
        f"t.{i}": (rng.standard_normal(shape) * 50).astype(dtype)
        for i, (dtype, shape) in enumerate(tensors)
    }
    path = save_safetensors(tmp_path_factory.mktemp("st") / "x.safetensors", state)
    ours = values_of(path, "safetensors")
    for name, value in load_file(str(path)).items():
        assert np.array_equal(ours[name], value.astype(np.float64)), name


def test_bfloat16_and_float8_are_decoded_exactly(tmp_path):
    values = np.array([1.0, -2.5, 3.140625, 0.0, 65280.0], dtype=np.float32)
    bits = (values.view(np.uint32) >> 16).astype(np.uint16)
    codes = np.arange(256, dtype=np.uint8)
    path = write_with_ours(tmp_path / "x.safetensors", [
        ("a", "bfloat16", (5,), bits),
        ("b", "float8_e5m2", (256,), codes),
    ])  # fmt: skip
    from safetensors import safe_open

    with safe_open(str(path), "np") as f:  # the package accepts the file we wrote
        assert set(f.keys()) == {"a", "b"}
    tensors, _ = safetensors_format.read_header(path, "x")
    layout = Layout([Checkpoint("x", 0, tensors)], [tensors["a"].spec])
    assert np.array_equal(next(layout.blocks(0, 1, 8))[0], values)
    table = float8_table("float8_e5m2")
    finite = np.isfinite(table)
    assert np.array_equal(table[finite], table[finite].astype(np.float16).astype(np.float32))
    assert float(table[0b0_01111_00]) == 1.0 and float(table[0b1_10000_10]) == -3.0


def _valid_bytes() -> bytes:
    header = json.dumps(
        {"a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
         "b": {"dtype": "I64", "shape": [1], "data_offsets": [16, 24]}}
    ).encode()  # fmt: skip
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + bytes(range(24))


def _with_header(header: dict | str, data: bytes = bytes(24)) -> bytes:
    text = (header if isinstance(header, str) else json.dumps(header)).encode()
    return struct.pack("<Q", len(text)) + text + data


CORRUPT = {
    "empty": (b"", "fewer than the 8"),
    "short-length": (b"\x10\x00\x00", "fewer than the 8"),
    "header-beyond-file": (struct.pack("<Q", 5000) + b"{}", "header claims 5000 bytes"),
    "huge-header": (struct.pack("<Q", 10**12) + b"{}", "exceeds the limit"),
    "not-json": (_with_header("{not json}"), "not JSON"),
    "not-utf8": (_with_header("{}")[:8] + b"\xff\xfe" + b"}", "not JSON"),
    "array": (_with_header("[1, 2]"), "not a JSON object"),
    "data-beyond-file": (
        _with_header({"a": {"dtype": "F32", "shape": [100], "data_offsets": [0, 400]}}),
        "is truncated",
    ),
    "gap": (
        _with_header({"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}, bytes(16)),
        "follow one another",
    ),
    "overlap": (
        _with_header(
            {
                "a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]},
            },
            bytes(16),
        ),
        "follow one another",
    ),
    "shape-vs-bytes": (
        _with_header({"a": {"dtype": "F64", "shape": [2], "data_offsets": [0, 24]}}),
        "need 16",
    ),
    "trailing": (
        _with_header({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, bytes(24)),
        "bytes after the last tensor",
    ),
    "unknown-dtype": (
        _with_header({"a": {"dtype": "F128", "shape": [1], "data_offsets": [0, 24]}}),
        "unknown dtype",
    ),
    "negative-shape": (
        _with_header({"a": {"dtype": "U8", "shape": [-24], "data_offsets": [0, 24]}}),
        "shape",
    ),
    "float-offsets": (
        _with_header({"a": {"dtype": "U8", "shape": [24], "data_offsets": [0.0, 24]}}),
        "data_offsets",
    ),
    "bad-metadata": (
        _with_header(
            {"__metadata__": {"k": 1}, "a": {"dtype": "U8", "shape": [24], "data_offsets": [0, 24]}}
        ),
        "__metadata__",
    ),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_corrupt_safetensors_refused_as_the_package_refuses(tmp_path, case):
    from safetensors import safe_open

    raw, fragment = CORRUPT[case]
    path = tmp_path / "x.safetensors"
    path.write_bytes(raw)
    with pytest.raises(ValueError) as info:
        safetensors_format.read_header(path, str(path))
    message = str(info.value)
    assert fragment in message and str(path) in message and "\n" not in message
    if case not in ("bad-metadata",):  # the package accepts non-string metadata values
        with pytest.raises(Exception):  # noqa: B017 - the reference refuses it too
            with safe_open(str(path), "np") as f:
                [f.get_tensor(k) for k in f.keys()]


@given(edits=st.lists(st.tuples(st.integers(0, 120), st.integers(0, 255)), min_size=1, max_size=4))
def test_mutated_files_are_never_read_when_the_package_refuses_them(edits, tmp_path_factory):
    """Differential fuzzing: refused by the reference => refused here; read here => the
    reference reads the same values."""
    from safetensors import safe_open

    raw = bytearray(_valid_bytes())
    for where, byte in edits:
        raw[where % len(raw)] = byte
    path = tmp_path_factory.mktemp("fuzz") / "x.safetensors"
    path.write_bytes(bytes(raw))
    try:
        with safe_open(str(path), "np") as f:
            reference = {k: f.get_tensor(k) for k in f.keys()}
    except Exception:
        reference = None
    try:
        ours = values_of(path, "safetensors")
    except ValueError:
        ours = None
    if reference is None:
        assert ours is None
    elif ours is not None:
        for name, value in reference.items():
            assert np.array_equal(ours[name], value.astype(np.float64), equal_nan=True)


# --- PyTorch ----------------------------------------------------------------------------


def test_real_torch_files_are_read_without_torch():
    """bfloat16, a transposed view, the lazy negation bit and a Parameter, as torch saved them."""
    expected = np.load(DATA / "expected.npz")
    for step in range(4):
        ours = values_of(DATA / "run" / f"step_{step}.pt", "torch")
        names = {key.split("/", 1)[1] for key in expected.files if key.startswith(f"{step}/")}
        assert set(ours) == names
        for name in names:
            assert np.array_equal(ours[name], expected[f"{step}/{name}"]), (step, name)


def test_a_training_checkpoint_dict_gives_its_model_state_dict():
    tensors = torch_format.read_state(DATA / "training_checkpoint.pt", "t")
    assert set(tensors) == {"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                            "1.running_var", "1.num_batches_tracked", "3.weight", "3.bias"}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("payload.pt", "refers to io.open"),
        ("legacy.pt", "legacy (before 1.6)"),
        ("scripted.pt", "TorchScript"),
    ],
)
def test_unsafe_or_unsupported_torch_files_are_refused(tmp_path, monkeypatch, name, fragment):
    monkeypatch.chdir(tmp_path)  # where the payload would create its marker
    with pytest.raises(ValueError) as info:
        torch_format.read_state(DATA / name, name)
    assert fragment in str(info.value) and "\n" not in str(info.value)
    assert not (tmp_path / MARKER).exists()


def test_the_payload_does_run_code_when_unpickled(tmp_path, monkeypatch):
    """The committed payload is real: plain unpickling creates the marker (so the test bites)."""
    import zipfile

    monkeypatch.chdir(tmp_path)
    with zipfile.ZipFile(DATA / "payload.pt") as archive:
        data = archive.read(next(n for n in archive.namelist() if n.endswith("data.pkl")))

    class Plain(pickle.Unpickler):  # what an unrestricted loader does (torch stubbed out)
        def find_class(self, module, name):
            if module.startswith("torch"):
                return lambda *args, **kwargs: None
            return super().find_class(module, name)

        def persistent_load(self, pid):
            return None

    import io

    Plain(io.BytesIO(data)).load()
    assert (tmp_path / MARKER).exists()


class _System:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _hostile(marker: Path) -> dict[str, bytes]:
    """Pickles that run code, or misuse what is allowed."""
    cases = {f"protocol-{p}": pickle.dumps({"w": _System(marker)}, protocol=p) for p in range(6)}
    cases["eval"] = Op().glob("builtins", "eval").text(f"open({str(marker)!r}, 'w')").raw(
        pickle.TUPLE1 + pickle.REDUCE).done()  # fmt: skip
    cases["inst"] = f"(S'touch {marker}'\nios\nsystem\n.".encode()
    cases["build-on-tensor"] = (
        Op()
        .tensor("FloatStorage", "0", 1, 0, (1,), (1,))
        .raw(pickle.EMPTY_DICT + pickle.BUILD)
        .done()
    )
    cases["bad-persistent-id"] = Op().raw(pickle.MARK).text("storage").text("FloatStorage").raw(
        pickle.TUPLE + pickle.BINPERSID).done()  # fmt: skip
    cases["tensor-without-storage"] = (
        Op().glob("torch._utils", "_rebuild_tensor_v2").raw(pickle.MARK).int(0).int(0)
        .ints((1,)).ints((1,)).raw(pickle.NEWFALSE + pickle.NONE + pickle.TUPLE + pickle.REDUCE).done()
    )  # fmt: skip
    return cases


def test_hostile_pickles_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "EXECUTED"
    for name, data in _hostile(marker).items():
        path = torch_zip(tmp_path / f"{name}.pt", data, {"0": bytes(4)})
        with pytest.raises(ValueError) as info:
            torch_format.read_state(path, name)
        message = str(info.value)
        assert name in message and "\n" not in message, (name, message)
    assert not marker.exists()
    pickle.loads(pickle.dumps(_System(marker)))  # the payload is real
    assert marker.exists()


def _one_tensor(size, stride, numel, offset=0, raw=None, compress=False, key="0"):
    data = Op().state_dict([("w", ("FloatStorage", key, numel, offset, size, stride))])
    return data, {"0": raw if raw is not None else bytes(4 * numel)}, compress


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("view-beyond-storage", "reaches element"),
        ("storage-size", "promises 4 x 4"),
        ("missing-storage", "which is missing"),
        ("compressed", "compressed"),
        ("no-tensors", "holds no tensors"),
        ("not-zip", "not a zip archive"),
        ("cyclic", "nests containers"),
        ("exponential", "more than 1000000 entries"),
    ],
)
def test_malformed_torch_files_are_refused(tmp_path, case, fragment):
    path = tmp_path / f"{case}.pt"
    if case == "not-zip":
        path.write_bytes(b"hello")
    elif case == "no-tensors":
        torch_zip(path, pickle.dumps({"epoch": 3}, protocol=2))
    elif case == "cyclic":  # a list that contains itself
        data = Op().raw(pickle.EMPTY_LIST + pickle.BINPUT + b"\x00" + pickle.BINGET + b"\x00"
                        + pickle.APPEND).done()  # fmt: skip
        torch_zip(path, data)
    elif case == "exponential":  # 30 levels of [x, x]: 2^30 leaves from a few hundred bytes
        op = Op().raw(pickle.NONE)
        for _ in range(30):
            op.raw(pickle.DUP + pickle.TUPLE2)
        torch_zip(path, op.done())
    else:
        data, storages, compress = {
            "view-beyond-storage": _one_tensor((3, 3), (3, 1), 8),
            "storage-size": _one_tensor((4,), (1,), 4, raw=bytes(12)),
            "missing-storage": _one_tensor((4,), (1,), 4, key="7"),
            "compressed": _one_tensor((4,), (1,), 4, compress=True),
        }[case]
        torch_zip(path, data, storages, compress=compress)
    with pytest.raises(ValueError) as info:
        torch_format.read_state(path, str(path))
    assert fragment in str(info.value) and "\n" not in str(info.value)


# --- runs -------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [safetensors_run, pt_run, npz_run])
def test_every_format_gives_the_dense_gram_of_the_parameters(tmp_path, make):
    folder = make(tmp_path / "run", n=11)
    trajectory = open_trajectory(folder)
    X = np.array([flat(s) for s in states(11)])
    assert [s.name for s in trajectory.selection.tensors] == PARAMETERS
    assert trajectory.d == X.shape[1] and list(trajectory.steps) == list(range(11))
    # the values read are exactly the parameters: the same pass over the float32 array in
    # memory gives a bit-identical result (the parameters are float32 numbers, so both
    # multiply in float32; the float32 arithmetic itself is checked in test_precision.py)
    assert trajectory.precision == np.float32 and np.array_equal(X.astype(np.float32), X)
    for block in (1, 7, 8192):
        G = trajectory.gram(block=block)
        assert np.array_equal(G, open_trajectory(X.astype(np.float32)).gram(block=block))
        assert np.allclose(G, dense_gram(X), rtol=1e-5, atol=1e-9 * np.abs(G).max())


def test_a_safetensors_copy_and_a_pt_copy_give_identical_results(tmp_path):
    """Alphabetical (safetensors) and module (state_dict) order: bit-identical Gram matrices."""
    a = open_trajectory(safetensors_run(tmp_path / "a", n=9)).gram(block=100)
    b = open_trajectory(pt_run(tmp_path / "b", n=9)).gram(block=100)
    c = open_trajectory(npz_run(tmp_path / "c", n=9)).gram(block=100)
    assert np.array_equal(a, b) and np.array_equal(a, c)


def test_real_torch_run_and_its_safetensors_copy_agree(tmp_path):
    expected = np.load(DATA / "expected.npz")
    copy = tmp_path / "copy"
    copy.mkdir()
    for step in range(4):
        run = torch_format.read_state(DATA / "run" / f"step_{step}.pt", "x")
        tensors = []
        for name, loc in reversed(list(run.items())):  # another order on purpose
            value = expected[f"{step}/{name}"]
            if loc.spec.dtype == "bfloat16":
                value = (value.astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
            else:
                value = value.astype(np.dtype(loc.spec.dtype))
            tensors.append((name, loc.spec.dtype, loc.spec.shape, value))
        write_with_ours(copy / f"step_{step}.safetensors", tensors)
    pt = open_trajectory(DATA / "run")
    st_ = open_trajectory(copy)
    assert pt.selection == st_.selection
    assert np.array_equal(pt.gram(block=5), st_.gram(block=5))


def test_folder_rules(tmp_path):
    run = safetensors_run(tmp_path / "run", n=12)
    np.save(run / "optimizer_momentum.npy", np.zeros(3))
    with pytest.raises(ValueError, match=r"mixes formats: 12 files named like step_#\.safetensors "
                       r"and 1 other \(optimizer_momentum\.npy\)"):  # fmt: skip
        open_trajectory(run)
    assert open_trajectory(run, glob="step_*.safetensors").n == 12
    (run / "optimizer_momentum.npy").unlink()
    save_safetensors(run / "final.safetensors", states(1)[0])
    with pytest.raises(ValueError, match=r"mixes name patterns.*final\.safetensors"):
        open_trajectory(run)
    (run / "final.safetensors").unlink()
    (run / "notes.txt").write_text("a note")
    (run / ".hidden.safetensors").write_bytes(b"garbage")
    (run / "sub").mkdir()
    trajectory = open_trajectory(run)
    assert trajectory.run.ignored == ("notes.txt", "sub")
    assert [c.label.rsplit("/", 1)[1] for c in trajectory.run.checkpoints][9:11] == [
        "step_9.safetensors", "step_10.safetensors"]  # fmt: skip
    shutil.copy(run / "step_3.safetensors", run / "step_03.safetensors")
    with pytest.raises(ValueError, match="both have step 3"):
        open_trajectory(run)


def test_steps_come_from_the_varying_digit_run(tmp_path):
    run = safetensors_run(tmp_path / "run", n=5, name="model7_step{}")
    for path in sorted(run.iterdir()):
        step = int(path.stem.split("step")[1])
        path.rename(run / f"model7_step{step * 250}.safetensors")
    trajectory = open_trajectory(run)
    assert list(trajectory.steps) == [0, 250, 500, 750, 1000]
    assert parse_window("step=250:1000", 5, steps=trajectory.steps) == (1, 4)
    with pytest.raises(ValueError, match="holds 2 checkpoints"):
        parse_window("step=400:900", 5, steps=trajectory.steps)


def test_hugging_face_trainer_folders(tmp_path):
    out = tmp_path / "out"
    for step, state in enumerate(states(6)):
        folder = out / f"checkpoint-{(step + 1) * 500}"
        folder.mkdir(parents=True)
        if step % 2:  # sharded, with its index
            names = list(state)
            parts = {"model-00001-of-00002.safetensors": names[:4],
                     "model-00002-of-00002.safetensors": names[4:]}  # fmt: skip
            for shard, keys in parts.items():
                save_safetensors(folder / shard, {k: state[k] for k in keys})
            index = {"metadata": {}, "weight_map": {k: s for s, ks in parts.items() for k in ks}}
            (folder / "model.safetensors.index.json").write_text(json.dumps(index))
        else:
            save_safetensors(folder / "model.safetensors", state)
        (folder / "optimizer.pt").write_bytes(b"never read")
        (folder / "trainer_state.json").write_text("{}")
    save_safetensors(out / "model.safetensors", states(1)[0])  # the final model
    (out / "config.json").write_text("{}")
    trajectory = open_trajectory(out)
    assert list(trajectory.steps) == [500, 1000, 1500, 2000, 2500, 3000]
    assert set(trajectory.run.ignored) == {"config.json", "model.safetensors"}
    X = np.array([flat(s) for s in states(6)])
    assert np.allclose(trajectory.gram(block=64), dense_gram(X), atol=1e-9)
    index = out / "checkpoint-2000" / "model.safetensors.index.json"
    index.write_text(json.dumps({"weight_map": {"conv.weight": "../../secret.safetensors"}}))
    with pytest.raises(ValueError, match="shards are files beside the index"):
        open_trajectory(out)
    shutil.rmtree(out / "checkpoint-2000")
    pt_run(tmp_path / "pt", n=1)
    (out / "checkpoint-2000").mkdir()
    shutil.copy(tmp_path / "pt" / "step_00000.pt", out / "checkpoint-2000" / "pytorch_model.bin")
    with pytest.raises(
        ValueError, match=r"mixes formats: .*checkpoint-2000 holds pytorch_model\.bin"
    ):
        open_trajectory(out)
    bins = tmp_path / "bins"
    pt_run(tmp_path / "pts", n=4)
    for step, file in enumerate(sorted((tmp_path / "pts").iterdir())):
        (bins / f"checkpoint-{step}").mkdir(parents=True)
        shutil.copy(file, bins / f"checkpoint-{step}" / "pytorch_model.bin")
        (bins / f"checkpoint-{step}" / "training_args.bin").write_bytes(b"a pickle, never read")
    trajectory = open_trajectory(bins)
    assert trajectory.kind == "torch" and trajectory.run.pattern == "checkpoint-#/pytorch_model.bin"
    X = np.array([flat(s) for s in states(4)])
    assert np.allclose(trajectory.gram(), dense_gram(X), atol=1e-9)


def test_checkpoints_must_agree_on_names_shapes_and_dtypes(tmp_path):
    for change, fragment in [
        (lambda s: s.pop("fc.bias"), "step_4.safetensors lacks tensor fc.bias"),
        (lambda s: s.update(extra=np.zeros(2, np.float32)), "has tensor extra"),
        (
            lambda s: s.update({"fc.bias": np.zeros(11, np.float32)}),
            "tensor fc.bias has shape [11]",
        ),
        (lambda s: s.update({"fc.bias": np.zeros(10)}), "tensor fc.bias has dtype float64"),
    ]:
        run = safetensors_run(tmp_path / f"r{len(fragment)}", n=6)
        state = states(6)[4]
        change(state)
        save_safetensors(run / "step_4.safetensors", state)
        with pytest.raises(ValueError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
            open_trajectory(run)


def test_nan_names_the_checkpoint_and_the_tensor(tmp_path):
    run = safetensors_run(tmp_path / "run", n=6)
    state = states(6)[3]
    state["fc.weight"][2, 5] = np.inf
    save_safetensors(run / "step_3.safetensors", state)
    with pytest.raises(ValueError, match=r"step_3\.safetensors contains NaN or infinity in "
                       r"tensor fc\.weight \(element 133\)"):  # fmt: skip
        open_trajectory(run).gram(block=100)
    state["fc.weight"][2, 5] = 0
    state["bn.running_var"][0] = np.nan  # a buffer: not analysed, so not an error
    save_safetensors(run / "step_3.safetensors", state)
    open_trajectory(run).gram()


def test_parameter_selection(tmp_path):
    specs = [TensorSpec(n, "float32" if dt is np.float32 else "int64", shape)
             for n, (shape, dt) in LAYOUT.items()]  # fmt: skip
    default = select(specs)
    assert [s.name for s in default.tensors] == PARAMETERS
    assert {s.name: why for s, why in default.left_out} == {
        "bn.num_batches_tracked": "int64, not floating point",
        "bn.running_mean": "BatchNorm statistic",
        "bn.running_var": "BatchNorm statistic",
    }
    assert [s.name for s in select(specs, include=[r"^bn\."]).tensors] == [
        "bn.bias", "bn.num_batches_tracked", "bn.running_mean", "bn.running_var", "bn.weight"]  # fmt: skip
    assert [s.name for s in select(specs, exclude=["bias"]).tensors] == [
        "bn.weight", "conv.weight", "fc.weight"]  # fmt: skip
    with pytest.raises(ValueError, match="no tensor is left"):
        select(specs, include=["nothing"])
    with pytest.raises(ValueError, match=r"--exclude '\(' is not allowed"):
        select(specs, exclude=["("])
    with pytest.raises(ValueError, match="dtype bool"):
        select([TensorSpec("mask", "bool", (3,))], include=["mask"])
    run = safetensors_run(tmp_path / "run", n=6)
    assert open_trajectory(run, exclude=[r"^fc\."]).d == 4 * 9 + 4 * 3
    grouped = groups(default, "module")
    assert [(g.name, g.d) for g in grouped] == [("bn", 8), ("conv", 40), ("fc", 650)]
    trajectory = open_trajectory(run)
    parts = trajectory.grams([g.ranges for g in grouped], block=33)
    assert np.allclose(sum(parts), trajectory.gram(), atol=1e-9)


def test_npz_checkpoints_must_be_stored(tmp_path):
    run = npz_run(tmp_path / "run", n=5)
    np.savez_compressed(run / "step_2.npz", **states(5)[2])
    with pytest.raises(ValueError, match=r"is compressed: save checkpoints with numpy\.savez"):
        open_trajectory(run)


def test_zarr_store_is_read_in_chunk_aligned_blocks(tmp_path):
    zarr = pytest.importorskip("zarr")
    X = np.cumsum(np.random.default_rng(0).standard_normal((9, 300)), axis=0)
    store = zarr.open(str(tmp_path / "run.zarr"), mode="w", shape=X.shape, chunks=(9, 64),
                      dtype="f8")  # fmt: skip
    store[:] = X
    trajectory = open_trajectory(tmp_path / "run.zarr")
    assert trajectory.kind == "zarr"
    assert np.allclose(trajectory.gram(block=100), dense_gram(X), atol=1e-9)
    assert np.allclose(open_trajectory(store).gram(), dense_gram(X), atol=1e-9)
    group = zarr.open_group(str(tmp_path / "group.zarr"), mode="w")
    group.create_array("a", shape=(3, 4), dtype="f8")
    with pytest.raises(ValueError, match=r"Zarr group \(arrays: a\)"):
        open_trajectory(tmp_path / "group.zarr")


def test_a_single_checkpoint_file_is_refused_with_advice(tmp_path):
    path = save_safetensors(tmp_path / "model.safetensors", states(1)[0])
    with pytest.raises(ValueError, match="is one checkpoint: give the folder"):
        open_trajectory(path)

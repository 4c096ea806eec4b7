"""Trajectory input: every format gives the same Gram matrix; bad input is refused up front."""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rwpca.numerics.trajectories.readers import (
    TrajectoryWarning,
    natural_key,
    open_trajectory,
    parse_window,
)

# small test trajectories are not d >> n; the warning has its own test
pytestmark = pytest.mark.filterwarnings(
    "ignore::rwpca.numerics.trajectories.readers.TrajectoryWarning"
)


def walk(n: int, d: int, seed: int = 0, offset: float = 5.0) -> np.ndarray:
    """A random walk that does not start at the origin (float64, n x d)."""
    rng = np.random.default_rng(seed)
    return offset + np.cumsum(rng.standard_normal((n, d)), axis=0)


def dense_gram(X: np.ndarray, start: int = 0, stop: int | None = None) -> np.ndarray:
    Y = np.asarray(X[start:stop], dtype=np.float64)
    Y = Y - Y[0]
    return Y @ Y.T


def save_folder(path, X, shape=None, order="C"):
    path.mkdir()
    for t, row in enumerate(X):
        value = row if shape is None else np.asarray(row.reshape(shape), order=order)
        np.save(path / f"ckpt_{t}.npy", value)
    return path


@pytest.fixture
def X():
    return walk(13, 37)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda p, X: (np.save(p / "x.npy", X), p / "x.npy")[1], id="npy"),
        pytest.param(
            lambda p, X: (np.save(p / "x.npy", np.asfortranarray(X)), p / "x.npy")[1],
            id="npy-fortran",
        ),
        pytest.param(lambda p, X: (np.savez(p / "x.npz", X), p / "x.npz")[1], id="npz-stored"),
        pytest.param(
            lambda p, X: (np.savez_compressed(p / "x.npz", w=X), p / "x.npz")[1],
            id="npz-compressed",
        ),
        pytest.param(lambda p, X: save_folder(p / "f", X), id="folder-1d"),
        pytest.param(lambda p, X: save_folder(p / "f", X[:, :36], (4, 9)), id="folder-2d"),
        pytest.param(
            lambda p, X: save_folder(p / "f", X[:, :36], (4, 9), order="F"), id="folder-2d-F"
        ),
        pytest.param(lambda p, X: X, id="ndarray"),
    ],
)
def test_every_format_gives_the_dense_gram(tmp_path, X, make):
    """Gram of the displacements equals the dense product, for every input format."""
    source = make(tmp_path, X)
    trajectory = open_trajectory(source)
    d = trajectory.d
    expected = dense_gram(X[:, :d])
    assert trajectory.n == 13
    for block in (1, 5, 8192):
        assert np.allclose(trajectory.gram(block=block), expected, rtol=1e-12, atol=1e-9)
    assert np.allclose(trajectory.gram((3, 9), block=4), dense_gram(X[:, :d], 3, 9), atol=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.int16, np.uint8, np.float16])
def test_numeric_dtypes_are_read_as_float64(tmp_path, dtype):
    X = (walk(6, 20) % 50).astype(dtype)
    np.save(tmp_path / "x.npy", X)
    assert np.allclose(open_trajectory(tmp_path / "x.npy").gram(block=3), dense_gram(X))


@given(
    st.integers(3, 12),
    st.integers(1, 30),
    st.integers(1, 40),
    st.data(),
)
def test_blocked_windowed_gram_property(n, d, block, data):
    """For every window and block size, the streamed Gram equals the dense one."""
    start = data.draw(st.integers(0, n - 3))
    stop = data.draw(st.integers(start + 3, n))
    X = walk(n, d, seed=n * 100 + d)
    G = open_trajectory(X).gram((start, stop), block=block)
    assert np.allclose(G, dense_gram(X, start, stop), rtol=1e-12, atol=1e-9)


def test_folder_is_read_in_natural_name_order(tmp_path):
    X = walk(12, 5)
    folder = tmp_path / "run"
    folder.mkdir()
    for t, row in enumerate(X):
        np.save(folder / f"step{t}.npy", row)  # step10 sorts before step2 lexicographically
    (folder / "notes.txt").write_text("not a checkpoint")
    assert np.allclose(open_trajectory(folder).gram(), dense_gram(X))
    assert sorted(["a10", "a9", "b1", "a1"], key=natural_key) == ["a1", "a9", "a10", "b1"]


def test_dask_array_uses_a_chunked_reduction():
    dask = pytest.importorskip("dask")  # in the test extra: this runs in CI
    import dask.array as da

    X = walk(11, 300)
    lazy = da.from_array(X, chunks=(4, 64))
    with dask.config.set(scheduler="synchronous"):
        trajectory = open_trajectory(lazy)
        assert trajectory.kind == "dask" and (trajectory.n, trajectory.d) == (11, 300)
        assert np.allclose(trajectory.gram(), dense_gram(X))
        assert np.allclose(trajectory.gram((2, 9)), dense_gram(X, 2, 9))
        bad = X.copy()
        bad[5, 200] = np.nan
        with pytest.raises(ValueError, match="NaN or infinity"):
            open_trajectory(da.from_array(bad, chunks=(11, 50))).gram()
        with pytest.raises(ValueError, match="1-D"):
            open_trajectory(da.zeros(10))
        from rwpca.numerics.trajectories.analysis import analyze

        lazy_result = analyze(lazy, components=2, replicates=19)
        eager_result = analyze(X, components=2, replicates=19)
        assert np.allclose(
            lazy_result.explained_variance_ratio, eager_result.explained_variance_ratio
        )
        assert lazy_result.verdict == eager_result.verdict


def test_streaming_pass_memory_is_independent_of_d(tmp_path):
    """Peak traced memory is O(n^2 + n block), far below the n x d file (80 MB here)."""
    n, d, block = 100, 100_000, 2048
    path = tmp_path / "big.npy"
    store = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(n, d))
    rng = np.random.default_rng(0)
    for t in range(n):
        store[t] = rng.standard_normal(d)
    del store
    trajectory = open_trajectory(path)
    tracemalloc.start()
    G = trajectory.gram(block=block)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    file_bytes = n * d * 8
    # a few n x block float64 copies plus n x n matrices: ~ 6 MB here, against 80 MB
    assert peak < 4 * n * block * 8 + 8 * n * n * 8
    assert peak < file_bytes / 10
    assert G.shape == (n, n)


def test_warns_when_d_is_not_much_larger_than_n():
    with pytest.warns(TrajectoryWarning, match="not much larger"):
        open_trajectory(walk(10, 50)).gram()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        open_trajectory(walk(10, 100)).gram()


def test_parse_window():
    assert parse_window(":", 10) == (0, 10)
    assert parse_window("2:7", 10) == (2, 7)
    for text in ("1:3x", "-1:5", "5:2", "0:11", "4:6", "a:b"):
        with pytest.raises(ValueError, match="not allowed"):
            parse_window(text, 10)


# --- bad input ----------------------------------------------------------------------------


class _Payload:
    """Unpickling this creates a marker file: proof that something ran from the file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def bad_inputs(tmp_path):
    """(name, path, message fragment) for every kind of bad input the issue names."""
    cases = []
    marker = tmp_path / "EXECUTED"
    payload = np.empty((4, 3), dtype=object)
    payload[:] = _Payload(marker)
    path = tmp_path / "pickled.npy"
    np.save(path, payload, allow_pickle=True)
    cases.append(("pickled", path, "dtype object"))

    path = tmp_path / "pickled_raw.npy"
    path.write_bytes(pickle.dumps(_Payload(marker)))  # a bare pickle named .npy
    cases.append(("bare-pickle", path, "not a valid .npy"))

    good = io.BytesIO()
    np.save(good, walk(5, 10))
    raw = good.getvalue()
    path = tmp_path / "truncated.npy"
    path.write_bytes(raw[:-17])
    cases.append(("truncated", path, "truncated"))
    path = tmp_path / "header_only.npy"
    path.write_bytes(raw[:20])
    cases.append(("cut-header", path, "not a valid .npy"))
    path = tmp_path / "garbage.npy"
    path.write_bytes(b"\x93NUMPY\x01\x00" + b"\xff" * 200)
    cases.append(("corrupted-header", path, "not a valid .npy"))
    path = tmp_path / "empty.npy"
    path.write_bytes(b"")
    cases.append(("empty", path, "not a valid .npy"))
    path = tmp_path / "padded.npy"
    path.write_bytes(raw + b"\0" * 8)
    cases.append(("trailing-bytes", path, "corrupted"))

    for name, array, fragment in [
        ("1-D", np.arange(10.0), "1-D"),
        ("3-D", np.zeros((3, 4, 5)), "3-D"),
        ("n<3", walk(2, 10), "n = 2"),
        ("complex", np.ones((4, 5), dtype=complex), "dtype complex"),
        ("bool", np.ones((4, 5), dtype=bool), "dtype bool"),
        ("strings", np.array([["a"] * 3] * 4), "dtype <U1"),
        ("structured", np.zeros((4, 3), dtype=[("a", "f8")]), "dtype [("),
    ]:
        path = tmp_path / f"{name}.npy"
        np.save(path, array)
        cases.append((name, path, fragment))

    for name, value in (("nan", np.nan), ("inf", np.inf)):
        X = walk(5, 10)
        X[3, 7] = value
        path = tmp_path / f"{name}.npy"
        np.save(path, X)
        cases.append((name, path, "NaN or infinity"))

    path = tmp_path / "two.npz"
    np.savez(path, a=walk(4, 5), b=walk(4, 5))
    cases.append(("npz-two-arrays", path, "exactly one array"))
    path = tmp_path / "pickled.npz"
    np.savez(path, payload)
    cases.append(("npz-pickled", path, "dtype object"))
    path = tmp_path / "notzip.npz"
    path.write_bytes(b"PK not really a zip")
    cases.append(("npz-not-zip", path, "not a valid .npz"))
    path = tmp_path / "cut.npz"
    np.savez(path, walk(5, 10))
    path.write_bytes(path.read_bytes()[:150])
    cases.append(("npz-truncated", path, "not a valid .npz"))

    folder = tmp_path / "mismatch"
    folder.mkdir()
    for t in range(4):
        np.save(folder / f"c{t}.npy", np.zeros(10 if t != 2 else 11))
    cases.append(("folder-shapes", folder, "c2.npy has shape [11]"))
    folder = tmp_path / "few"
    folder.mkdir()
    np.save(folder / "c0.npy", np.zeros(3))
    cases.append(("folder-too-few", folder, "n = 1"))
    folder = tmp_path / "folder_nan"
    folder.mkdir()
    for t in range(4):
        np.save(folder / f"c{t}.npy", np.full(6, np.inf if t == 3 else 1.0))
    cases.append(("folder-inf", folder, "c3.npy contains NaN or infinity"))
    folder = tmp_path / "folder_pickle"
    folder.mkdir()
    for t in range(4):
        np.save(folder / f"c{t}.npy", payload[0], allow_pickle=True)
    cases.append(("folder-pickled", folder, "dtype object"))

    cases.append(("missing", tmp_path / "nope.npy", "does not exist"))
    path = tmp_path / "x.csv"
    path.write_text("1,2,3\n")
    cases.append(("suffix", path, "not allowed"))
    return cases, marker


def test_bad_input_is_refused_with_one_line(tmp_path):
    cases, marker = bad_inputs(tmp_path)
    assert len(cases) >= 25
    for name, path, fragment in cases:
        with pytest.raises(ValueError) as info:
            open_trajectory(path).gram()
        message = str(info.value)
        assert fragment in message, (name, message)
        assert "\n" not in message, name
        assert str(path) in message or name in ("missing",), name
    assert not marker.exists(), "something was executed from a pickled file"


def test_pickle_payload_works_when_unpickled(tmp_path):
    """The payload is real: unpickling it does create the marker (so the test above bites)."""
    marker = tmp_path / "EXECUTED"
    pickle.loads(pickle.dumps(_Payload(marker))).close()
    assert marker.exists()


def test_npz_member_offset_survives_zip64_extra(tmp_path):
    """A stored member is mapped at its local header's data offset (extra fields skipped)."""
    X = walk(6, 40)
    buffer = io.BytesIO()
    np.save(buffer, X)
    path = tmp_path / "x.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        with archive.open("arr_0.npy", "w", force_zip64=True) as member:
            member.write(buffer.getvalue())
    trajectory = open_trajectory(path)
    assert trajectory.kind == "npy"  # mapped, not decompressed
    assert np.allclose(trajectory.gram(block=7), dense_gram(X))


_RSS_PROBE = """
import sys
import numpy as np
from rwpca.numerics.trajectories import readers

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024

if sys.argv[2] == "mapped":  # the reader as it was: blocks sliced out of a memory map
    X = np.load(sys.argv[1], mmap_mode="r")
    trajectory = readers.Trajectory(*X.shape, "mapped", "npy", readers._MatrixSource(X, "m"))
else:
    trajectory = readers.open_trajectory(sys.argv[1])
_warm = np.ones((500, 4096), np.float32); _warm @ _warm.T  # BLAS buffers on first use
before = hwm()
trajectory.gram(block=int(sys.argv[3]))
print(hwm() - before)
"""


def test_npy_pass_resident_memory_is_independent_of_the_file_size(tmp_path):
    """The resident set of a pass over a 240 MB float32 .npy at n = 500 grows by
    O(n^2 + n block), not by the file.

    n = 500 rows matter: each row's block is a separate byte range, and a reader that maps
    the file keeps every page it touched resident (with madvise per row, the kernel's
    page-cache folios still add up over 500 rows). Measured in a subprocess (VmHWM);
    the same probe reading through a memory map grows by the whole file, so the check
    bites.
    """
    n, d, block = 500, 120_000, 2048
    path = tmp_path / "big.npy"
    store = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, d))
    rng = np.random.default_rng(0)
    for t in range(0, n, 50):
        store[t : t + 50] = rng.standard_normal((50, d), dtype=np.float32)
    store.flush()
    del store

    def growth(mode):
        result = subprocess.run(
            [sys.executable, "-c", _RSS_PROBE, str(path), mode, str(block)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
        return int(result.stdout.strip())

    file_bytes = n * d * 4
    # four n x block float32 buffers (a read buffer, three in flight) and n x n float64s
    expected = 4 * n * block * 4 + 8 * n * n * 8
    positioned, mapped = growth("positioned"), growth("mapped")
    assert positioned < 1.5 * expected < file_bytes / 4, (positioned, mapped)
    assert mapped > file_bytes * 3 / 4, (positioned, mapped)

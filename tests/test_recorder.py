"""rwpca.Recorder: what it records is what a saved run gives; crash-safe; refuses misuse."""

from __future__ import annotations

import signal
import subprocess
import sys

import numpy as np
import pytest

import rwpca
from rwpca.numerics.checkpoints.recorder import Recorder, flatten_state
from rwpca.numerics.checkpoints.sketch import CountSketch
from rwpca.numerics.trajectories.readers import open_trajectory

from .checkpoint_data import DATA, PARAMETERS, flat, pt_run, safetensors_run, states

pytestmark = pytest.mark.filterwarnings(
    "ignore::rwpca.numerics.trajectories.readers.TrajectoryWarning"
)


def test_top_level_export_is_lazy():
    result = subprocess.run(
        [sys.executable, "-c", "import sys, rwpca; assert 'rwpca.numerics' not in sys.modules;"
         " r = rwpca.Recorder; assert 'torch' not in sys.modules; print(r.__name__)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert result.stdout.strip() == "Recorder" and rwpca.Recorder is Recorder


def test_recorded_run_equals_the_saved_run(tmp_path):
    """Same tensors recorded and saved (as .pt and as safetensors): identical Gram matrices."""
    with Recorder(tmp_path / "rec") as rec:
        for state in states(10):
            assert rec.record(state)
    recorded = open_trajectory(tmp_path / "rec").gram(block=64)
    for saved in (pt_run(tmp_path / "pt", n=10), safetensors_run(tmp_path / "st", n=10)):
        assert np.array_equal(recorded, open_trajectory(saved).gram(block=64))
    selection = open_trajectory(tmp_path / "rec").selection
    assert [s.name for s in selection.tensors] == PARAMETERS


def test_recorded_real_torch_run_equals_its_pt_files(tmp_path):
    """The committed torch run, recorded from its values (bfloat16 recorded as its float32
    upcast, which is exact): the same Gram matrix as the .pt files themselves."""
    expected = np.load(DATA / "expected.npz")
    with Recorder(tmp_path / "rec") as rec:
        for step in range(4):
            state = {
                k.split("/", 1)[1]: expected[k] for k in expected.files if k.startswith(f"{step}/")
            }
            state["1.num_batches_tracked"] = state["1.num_batches_tracked"].astype(np.int64)
            rec.record(state)
    a = open_trajectory(tmp_path / "rec").gram(block=7)
    b = open_trajectory(DATA / "run").gram(block=7)
    assert np.array_equal(a, b)


def test_every_steps_and_pytrees(tmp_path):
    class Wrapped:  # an array-like with only __array__ (as some frameworks' arrays)
        def __init__(self, value):
            self.value = value

        def __array__(self, dtype=None, copy=None):
            return np.asarray(self.value, dtype=dtype)

    class Exported:  # an array that offers only DLPack (as JAX and CuPy arrays do)
        def __init__(self, value):
            self.value = value

        def __dlpack__(self, **kwargs):
            return self.value.__dlpack__(**kwargs)

        def __dlpack_device__(self):
            return self.value.__dlpack_device__()

    tree = {"params": {"dense": {"kernel": Wrapped(np.ones((2, 3))), "bias": np.zeros(3)}},
            "layers": [np.ones(2), Exported(np.arange(4, dtype=np.float32))], "step": 7,
            "name": "x"}  # fmt: skip
    flat_tree = flatten_state(tree)
    assert sorted(flat_tree) == ["layers.0", "layers.1", "params.dense.bias", "params.dense.kernel"]
    assert flat_tree["layers.1"][1] == "float32" and flat_tree["layers.1"][0].tolist() == [
        0,
        1,
        2,
        3,
    ]
    with Recorder(tmp_path / "run", every=10) as rec:
        written = [rec.record(tree, step=s) for s in range(0, 35, 5)]
    assert written == [True, False, True, False, True, False, True] and rec.steps == [0, 10, 20, 30]
    assert list(open_trajectory(tmp_path / "run").steps) == [0, 10, 20, 30]
    assert flatten_state(np.arange(3.0))["parameters"][1] == "float64"


def test_misuse_is_refused_in_one_line(tmp_path):
    with Recorder(tmp_path / "a") as rec:
        rec.record({"w": np.zeros(3)}, step=5)
        for bad, fragment in [
            ({"w": np.zeros(4)}, "tensor w is [4] float64, it was [3] float64"),
            ({"v": np.zeros(3)}, "tensor w is missing"),
            ({"w": np.zeros(3), "v": np.zeros(1)}, "has 2 tensors"),
        ]:
            with pytest.raises(ValueError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
                rec.record(bad)
        with pytest.raises(ValueError, match="not after the last recorded step 5"):
            rec.record({"w": np.zeros(3)}, step=5)
    with pytest.raises(ValueError, match="is closed"):
        rec.record({"w": np.zeros(3)})
    with pytest.raises(ValueError, match="already holds 1 files"):
        Recorder(tmp_path / "a")
    for kwargs, fragment in [
        ({"every": 0}, "every = 0"),
        ({"sketch": 3}, "sketch = 3"),
        ({"seed": -1}, "seed = -1"),
        ({"include": ["("]}, "--include '('"),
    ]:
        with pytest.raises(ValueError, match=fragment.replace("(", r"\(")):
            Recorder(tmp_path / "new", **kwargs)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is not a folder"):
        Recorder(tmp_path / "file")
    with pytest.raises(ValueError, match="holds no arrays"):
        Recorder(tmp_path / "b").record({"lr": 0.1})
    with pytest.raises(ValueError, match="contains NaN"):
        Recorder(tmp_path / "c", sketch=16).record({"w": np.full(40, np.nan)})


def test_resume_appends_to_the_same_recording(tmp_path):
    with Recorder(tmp_path / "run") as rec:
        for state in states(4):
            rec.record(state)
    with Recorder(tmp_path / "run", resume=True) as rec:
        for state in states(7)[4:]:
            rec.record(state)
    assert rec.steps == [4, 5, 6]
    X = np.array([flat(s) for s in states(7)])
    G = open_trajectory(tmp_path / "run").gram()
    Y = X - X[0]
    assert np.allclose(G, Y @ Y.T, atol=1e-9)
    with pytest.raises(ValueError, match="other tensors"):
        Recorder(tmp_path / "run", resume=True).record({"w": np.zeros(2)})
    (tmp_path / "run" / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match=r"notes\.txt, which is not a snapshot"):
        Recorder(tmp_path / "run", resume=True)


def test_sketch_recording_is_the_countsketch_of_the_parameters(tmp_path):
    with Recorder(tmp_path / "sk", sketch=64, seed=5) as rec:
        for state in states(6):
            rec.record(state)
    trajectory = open_trajectory(tmp_path / "sk")
    assert trajectory.kind == "sketch" and trajectory.d == 64
    info = trajectory.sketch
    assert (info.m, info.seed, info.d, info.tensors) == (64, 5, 698, 6)
    S = CountSketch(64, 5, 698)
    Y = np.array([S.apply([(0, flat(s))]) for s in states(6)])
    Y = Y - Y[0]
    assert np.allclose(trajectory.gram(), Y @ Y.T, rtol=1e-12, atol=1e-9)
    with Recorder(tmp_path / "other", sketch=64, seed=6) as rec:
        rec.record(states(1)[0], step=99)
    (tmp_path / "other" / "step_00000099.safetensors").rename(
        tmp_path / "sk" / "step_00000099.safetensors"
    )
    with pytest.raises(ValueError, match=r"was sketched with seed 6, .* with 5"):
        open_trajectory(tmp_path / "sk")
    with Recorder(tmp_path / "wide", sketch=128, seed=5) as rec:
        rec.record(states(1)[0], step=99)
    (tmp_path / "wide" / "step_00000099.safetensors").replace(
        tmp_path / "sk" / "step_00000099.safetensors"
    )
    with pytest.raises(ValueError, match="was sketched with m 128"):
        open_trajectory(tmp_path / "sk")


_KILLED = """
import sys, time
import numpy as np
from rwpca.numerics.checkpoints import safetensors_format
from rwpca.numerics.checkpoints.recorder import Recorder

original = safetensors_format._all_written
calls = {"n": 0}

def slow(fd, data):
    calls["n"] += 1
    if calls["n"] == 2 * 5 + 2:  # header and data per snapshot: the 6th snapshot's data
        original(fd, data[: len(data) // 2])
        print("MIDWRITE", flush=True)
        time.sleep(60)
    original(fd, data)

safetensors_format._all_written = slow
with Recorder(sys.argv[1], sketch=None) as rec:
    for step in range(100):
        rec.record({"w": np.full(200_000, float(step), dtype=np.float32)})
"""


def test_a_run_killed_mid_write_leaves_every_completed_snapshot(tmp_path):
    """SIGKILL while the 6th snapshot is half written: 5 complete snapshots, no corrupt tail."""
    folder = tmp_path / "run"
    child = subprocess.Popen([sys.executable, "-c", _KILLED, str(folder)], stdout=subprocess.PIPE,
                             text=True)  # fmt: skip
    try:
        assert child.stdout.readline().strip() == "MIDWRITE"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    partial = [p for p in folder.iterdir() if p.name.startswith(".")]
    assert len(partial) == 1 and 0 < partial[0].stat().st_size < 800_000  # killed mid-write
    trajectory = open_trajectory(folder)
    assert trajectory.n == 5 and list(trajectory.steps) == [0, 1, 2, 3, 4]
    G = trajectory.gram()
    t = np.arange(5.0)
    assert np.array_equal(G, 200_000 * np.outer(t, t))
    with Recorder(folder, resume=True) as rec:  # the recorder's leftover is cleaned up
        rec.record({"w": np.full(200_000, 5.0, dtype=np.float32)})
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]
    assert open_trajectory(folder).n == 6


def test_records_a_torch_module_without_converting_by_hand(tmp_path):
    torch = pytest.importorskip("torch", reason="torch is optional: this checks the torch path")
    from safetensors.torch import load_file

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4)).to(torch.bfloat16)
    saved = []
    with Recorder(tmp_path / "run") as rec:
        for _ in range(4):
            rec.record(net)
            saved.append({k: v.clone() for k, v in net.state_dict().items()})
            with torch.no_grad():
                for p in net.parameters():
                    p.add_(torch.randn_like(p))
    trajectory = open_trajectory(tmp_path / "run")
    assert [s.dtype for s in trajectory.selection.tensors] == ["bfloat16"] * 4
    for path, state in zip(sorted((tmp_path / "run").iterdir()), saved, strict=True):
        loaded = load_file(str(path))  # torch's own reader of what we wrote
        assert set(loaded) == set(state)
        assert all(torch.equal(loaded[k], state[k]) for k in state)

"""Every size a user can type is checked against memory and disk before anything is allocated.

The estimates sit beside their computations (``peak_bytes`` functions in numerics); these
tests show that each one is an upper bound of what the computation really allocates
(tracemalloc sees NumPy's arrays), so a smaller, wrong estimate fails here. Each check is
made in the library function itself, so the Python API is protected as well as the CLI.
A MemoryError, an OSError or an interruption never reaches the user as a traceback, and a
signal leaves no temporary file behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from rwpca.cli import main
from rwpca.numerics import resources
from rwpca.numerics.resources import ResourceError

#: Memory the tests pretend is available, so the messages are the same on every machine.
AVAILABLE = 10 * 2**30


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def machine(monkeypatch):
    monkeypatch.setattr(resources, "available_memory", lambda: AVAILABLE)


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (
            ["simulate", "--n", "100000", "--d", "1000000"],
            ["--n 100000 --d 1000000 needs about 521.5 GiB of memory", "8.0 GiB available"],
        ),
        (["simulate", "--n", "1000000000", "--d", "10"], ["--n 1000000000 --d 10 needs about"]),
        (
            ["simulate", "--n", "10", "--d", "10000000000", "--noise", "correlated"],
            ["--n 10 --d 10000000000 needs about 223.5 GiB of memory"],
        ),
        (
            ["verify", "rw.eigenvalue", "--n", "1000000000"],
            ["verifying rw.eigenvalue at n = 1000000000", "TiB of memory"],
        ),
        (
            ["verify", "--n", "100", "200", "1000000000"],
            ["verifying rw.eigenvalue at n = 1000000000"],
        ),
        (
            ["train", "--model", "linear", "--steps", "100000000", "--out", "t.npy"],
            ["--out t.npy would write about 1.5 TiB", "free there"],
        ),
        (
            [
                "train",
                "--model",
                "mlp",
                "--steps",
                "10",
                "--hidden",
                "100000000000",
                "--out",
                "t.npy",
            ],
            ["--out t.npy would write about 600.3 TiB"],
        ),
        (
            [
                "train",
                "--model",
                "linear",
                "--steps",
                "10",
                "--batch-size",
                "10000000000",
                "--out",
                "t.npy",
            ],
            ["training linear for 10 steps (d = 2001) needs about"],
        ),
        (
            ["analyze", "run.npy", "--replicates", "1000000000000"],
            ["analysing n = 20 checkpoints with 1000000000000 replicates needs about"],
        ),
    ],
)
def test_huge_sizes_are_one_line_before_any_allocation(tmp_path, monkeypatch, capsys, machine,
                                                       argv, fragments):  # fmt: skip
    monkeypatch.chdir(tmp_path)
    np.save(tmp_path / "run.npy", np.cumsum(np.ones((20, 50)), axis=0))
    tracemalloc.start()
    try:
        code, out, err = run(capsys, *argv)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 2 and not out and err.startswith("rwpca: error: ") and err.count("\n") == 1
    for fragment in fragments:
        assert fragment in err, err
    assert peak < 64 * 2**20  # refused before the allocation, not after a MemoryError
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.npy"]


def test_the_python_api_is_protected_too(machine):
    from rwpca.numerics.trajectories.analysis import analyze_gram
    from rwpca.numerics.trajectories.training import RunConfig, train
    from rwpca.numerics.verification.entries import verify_entry
    from rwpca.numerics.walks.simulator import simulate
    from rwpca.proofs.catalog import get

    with pytest.raises(ResourceError, match="a walk of n = 100000 steps in d = 1000000"):
        simulate("plain", 100_000, 1_000_000)
    with pytest.raises(ResourceError, match="training linear for 1000000000000 steps"):
        train(RunConfig("linear", steps=10**12, record=(0, 10)))
    with pytest.raises(ResourceError, match=r"verifying rw\.eigenvalue at n = 1000000000"):
        verify_entry(get("rw.eigenvalue"), sizes=[10**9])
    G = np.eye(30)
    with pytest.raises(ResourceError, match="with 1000000000000 replicates"):
        analyze_gram(G, 100, replicates=10**12)


# --- the estimates bound what is really allocated ---------------------------------------


def _traced_peak(function) -> int:
    function()  # warm caches and imports first: only the computation is measured
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("noise", "d", "projections"),
    [("gaussian", 10**6, False), ("gaussian", 400, False), ("uniform", 30_000, True),
     ("laplace", 30_000, False), ("student_t:nu=3", 30_000, False),
     ("correlated:rank=0,decay=1", 20_000, False)],
)  # fmt: skip
def test_simulate_estimate_bounds_its_allocations(noise, d, projections):
    from rwpca.numerics.walks import simulator

    n = 600

    def work():
        walk = simulator.simulate("plain", n, d, noise, projections=projections)
        walk.theory()
        bounds = walk.ostrowski_bounds
        assert len(bounds) == 2
        if projections:
            simulator.exact_projections("plain", n, 4)

    peak = _traced_peak(work)
    estimate = simulator.peak_bytes(n, d, noise, projections=projections)
    assert peak <= estimate <= 4 * peak


def test_training_estimate_bounds_its_allocations():
    from rwpca.numerics.trajectories.training import RunConfig, peak_bytes, train

    for config in (
        # 3,000 steps: the recorded trajectory (3001 x 301 float32) still dominates the peak
        RunConfig("linear", steps=3_000, features=300, batch_size=64),
        RunConfig("mlp", steps=200, hidden=256, batch_size=512),
    ):
        peak = _traced_peak(lambda config=config: train(config))
        assert peak <= peak_bytes(config) <= 8 * peak, config


@pytest.mark.parametrize("replicates", [19, 199])
def test_analysis_estimate_bounds_its_allocations(replicates):
    """Below the batch size and beyond it (the batches of the randomisation test)."""
    from rwpca.numerics.trajectories.analysis import analyze_gram, peak_bytes

    rng = np.random.default_rng(0)
    n = 300
    X = np.cumsum(rng.standard_normal((n, 2000)), axis=0)
    G = X @ X.T
    result: list = []
    peak = _traced_peak(lambda: result.append(analyze_gram(G, 2000, replicates=replicates)))
    dimension = result[0].finite_d.dimension
    assert peak <= peak_bytes(n, 5, replicates, dimension=dimension) <= 4 * peak
    # before d_eff is measured the worst dimension is assumed: never below the known one
    assert peak_bytes(n, 5, replicates) >= peak_bytes(n, 5, replicates, dimension=dimension)


def test_verification_estimate_bounds_its_resident_memory():
    """flint's balls are outside tracemalloc: the resident set of a fresh process is measured."""
    code = (
        "import resource, sys\n"
        "from rwpca.proofs.catalog import get\n"
        "from rwpca.numerics.verification.entries import verify_entry, peak_bytes\n"
        "entry = get(sys.argv[1]); sizes = [int(s) for s in sys.argv[2:]]\n"
        "verify_entry(entry, sizes=[3, 4, 5])\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "verify_entry(entry, sizes=sizes)\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base\n"
        "print(peak, peak_bytes(entry, max(sizes), 30))\n"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    for argv in (["rw.evr", "400", "800", "1600"], ["rw.eigenvalue", "1500"]):
        result = subprocess.run(
            [sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, check=True
        )
        peak, estimate = map(int, result.stdout.split())
        assert peak <= estimate, (argv, peak, estimate)


# --- failures of the machine: one line, never a traceback -------------------------------


@pytest.mark.parametrize(
    ("error", "status", "fragment"),
    [
        (MemoryError(), 2, "rwpca: error: out of memory"),
        (OSError(28, "No space left on device", "t.npy"), 2, "cannot use t.npy: No space left"),
        (KeyboardInterrupt(), 130, "rwpca: interrupted"),
    ],
)
def test_machine_failures_are_one_line(monkeypatch, capsys, error, status, fragment):
    from rwpca.commands import cite

    def fail(args):
        raise error

    monkeypatch.setattr(cite, "run", fail)
    monkeypatch.setenv("RWPCA_DEBUG", "")
    code, _out, err = run(capsys, "cite", "rw.evr")
    assert code == status and err.strip() == err.strip().splitlines()[0] and fragment in err
    assert "Traceback" not in err


# --- a signal leaves no temporary file ---------------------------------------------------

TRAIN = [
    "train", "--model", "linear", "--steps", "50000000", "--features", "2000",
    "--record", "0:100", "--out", "run.npy", "--quiet",
]  # fmt: skip


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(argv: list[str], folder: Path, script: str | None = None) -> subprocess.Popen:
    code = script or "import sys\nfrom rwpca.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "RWPCA_DEBUG": ""}
    return subprocess.Popen(
        [sys.executable, "-c", code, *argv],
        cwd=folder,
        env=env,
        # a shell without job control starts background jobs with SIGINT ignored, and the
        # child would inherit that (Python then installs no KeyboardInterrupt handler): the
        # test is about our handling, so the child starts with the default disposition
        preexec_fn=_default_sigint,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen, seconds: float = 60) -> tuple[str, str]:
    """The process's output once it exits; killed (never left running) if it does not."""
    try:
        return process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"the process did not stop within {seconds} s of the signal")


def _wait_for(condition, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the run ended or hung before the moment to signal: {process.stderr}")
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("number", "status", "word"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted"),
     (signal.SIGHUP, 129, "terminated")],
)  # fmt: skip
def test_a_signal_mid_training_leaves_no_temporary(tmp_path, number, status, word):
    (tmp_path / "run.npy").write_bytes(b"the previous run")
    process = _start(TRAIN, tmp_path)
    _wait_for(lambda: len(list(tmp_path.iterdir())) > 1, process)  # the memory map exists
    time.sleep(0.2)
    process.send_signal(number)
    _out, err = _finish(process)
    assert process.returncode == status and err.strip() == f"rwpca: {word}"
    assert [p.name for p in tmp_path.iterdir()] == ["run.npy"]
    assert (tmp_path / "run.npy").read_bytes() == b"the previous run"


SLOW_DERIVE = """
import sys, time
from pathlib import Path
from rwpca.cli import main
from rwpca.documents import generate
mark = generate.GENERATED_MARK
files = {f"d{i}.md": b"# d\\n" + mark + b"*\\n" for i in range(400)}
files["README.md"] = b"# index\\n" + mark + b"*\\n"
generate.generate = lambda progress=None, draw=True: dict(files)
real = Path.write_bytes
def slow(self, data):
    if self.name == "d1.md":
        print("staging", flush=True)
    time.sleep(0.01)
    return real(self, data)
Path.write_bytes = slow
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_derive_leaves_the_previous_tree_and_no_staging(tmp_path, number):
    from rwpca import treeio
    from rwpca.documents import generate

    previous = {"README.md": b"# old index\n" + generate.GENERATED_MARK + b"*\n"}
    treeio.write_tree(tmp_path / "tree", previous)
    (tmp_path / "tree" / "mine.txt").write_bytes(b"mine")
    process = _start(["derive", "--out", "tree", "--quiet"], tmp_path, SLOW_DERIVE)
    assert process.stdout is not None and process.stdout.readline() == "staging\n"
    process.send_signal(number)
    _finish(process)
    assert process.returncode in (130, 143)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tree"]
    assert treeio.existing_files(tmp_path / "tree") == {**previous, "mine.txt": b"mine"}

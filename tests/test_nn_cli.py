"""`rwpca train` and `rwpca analyze` end to end; bad input in one line, exit 2, nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rwpca.cli import main

from .test_trajectory import bad_inputs

JSON_KEYS = {
    "n",
    "d",
    "explained_variance_ratio",
    "null_ratios",
    "lissajous",
    "step_autocorrelation",
    "consistent_with_some_null",
    "verdict",
}


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A tiny MLP run: d = 610, 31 checkpoints (d / n ~ 20)."""
    out = tmp_path_factory.mktemp("run") / "mlp.npy"
    assert main(["train", "--model", "mlp", "--hidden", "8", "--steps", "40", "--record",
                 "5:36", "--out", str(out)]) == 0  # fmt: skip
    return out


def test_train_writes_what_analyze_reads(recorded, capsys, tmp_path):
    X = np.load(recorded, allow_pickle=False)
    assert X.shape == (31, 610)
    plot = tmp_path / "fig.png"
    code, out, err = run(capsys, "analyze", recorded, "--components", "3", "--plot", plot,
                         "--replicates", "39")  # fmt: skip
    assert code == 0 and not err
    for fragment in ("n = 31 checkpoints", "d = 610", "(a) random walk", "verdict:", "Lissajous"):
        assert fragment in out
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_analyze_json(recorded, capsys):
    code, out, _ = run(capsys, "analyze", recorded, "--json", "--window", "2:30",
                       "--components", "4", "--replicates", "19")  # fmt: skip
    data = json.loads(out)
    assert code == 0 and JSON_KEYS <= set(data)
    assert data["n"] == 28 and data["d"] == 610 and data["window_positions"] == [2, 30]
    assert set(data["null_ratios"]) == {"random_walk", "step_schedule", "drift", "momentum", "ou"}
    assert all(len(r) == 27 for r in data["null_ratios"].values())
    assert len(data["lissajous"]) == 4 and isinstance(data["consistent_with_some_null"], bool)


def test_analyze_folder_and_npz_agree_with_npy(recorded, capsys, tmp_path):
    X = np.load(recorded, allow_pickle=False)
    folder = tmp_path / "ckpts"
    folder.mkdir()
    for t, row in enumerate(X):
        np.save(folder / f"step_{t}.npy", row.reshape(2, 305))
    np.savez_compressed(tmp_path / "run.npz", trajectory=X)
    outputs = []
    for source in (recorded, folder, tmp_path / "run.npz"):
        code, out, _ = run(capsys, "analyze", source, "--json", "--replicates", "19")
        assert code == 0
        data = json.loads(out)
        data.pop("path")
        outputs.append(data)
    for other in outputs[1:]:
        assert np.allclose(
            other["explained_variance_ratio"], outputs[0]["explained_variance_ratio"]
        )
        assert other["verdict"] == outputs[0]["verdict"]


def test_warning_when_d_is_not_much_larger_than_n(capsys, tmp_path):
    path = tmp_path / "small.npy"
    np.save(path, np.cumsum(np.random.default_rng(0).standard_normal((30, 100)), axis=0))
    code, _, err = run(capsys, "analyze", path, "--replicates", "19")
    assert code == 0 and err.startswith("rwpca: warning: d = 100 is not much larger than n = 30")
    code, _, err = run(capsys, "train", "--model", "softmax", "--steps", "200", "--out",
                       tmp_path / "s.npy")  # fmt: skip
    assert code == 0 and "at most 65" in err


def test_bad_trajectories_exit_2_in_one_line(capsys, tmp_path):
    cases, marker = bad_inputs(tmp_path)
    plot = tmp_path / "never.png"
    for name, path, fragment in cases:
        code, out, err = run(capsys, "analyze", path, "--plot", plot, "--json")
        assert code == 2, name
        assert out == "", name
        assert err.startswith("rwpca: error: ") and err.count("\n") == 1, (name, err)
        assert fragment in err, (name, err)
    assert not plot.exists()
    assert not marker.exists()
    assert not list(tmp_path.glob(".never.png*"))


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--window", "0:99"], "--window 0:99 is not allowed"),
        (["--window", "5:6"], "--window 5:6 is not allowed"),
        (["--window", "x"], "--window 'x' is not allowed"),
        (["--components", "0"], "--components 0"),
        (["--replicates", "3"], "--replicates 3"),
        (["--level", "2"], "--level 2.0"),
        (["--alpha", "0.01"], "the level of the test is --level (for example --level 0.01)"),
        (["--plot", "fig.pdf"], "--plot fig.pdf"),
    ],
)
def test_bad_options_exit_2(recorded, capsys, tmp_path, argv, fragment):
    code, out, err = run(capsys, "analyze", recorded, *argv)
    assert code == 2 and out == "" and fragment in err and err.count("\n") == 1
    assert not (tmp_path / "fig.pdf").exists()


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--model", "resnet"], "invalid choice"),
        (["--model", "mlp", "--record", "0:99"], "--record 0:99 is not allowed"),
        (["--model", "mlp", "--lr", "nan"], "learning rate nan"),
        (["--model", "mlp", "--steps", "x"], "invalid int value"),
        (["--model", "mlp", "--out-suffix"], "unrecognized"),
    ],
)
def test_bad_training_options_exit_2(capsys, tmp_path, argv, fragment):
    out = tmp_path / "t.npy"
    full = ["train", "--steps", "10", "--out", out, *argv]
    code, stdout, err = run(capsys, *full)
    assert code == 2 and stdout == "" and fragment in err and err.count("\n") == 1
    assert not out.exists() and not list(tmp_path.iterdir())


def test_train_refuses_a_non_npy_output(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--model", "mlp", "--steps", "5", "--out",
                       tmp_path / "t.txt")  # fmt: skip
    assert code == 2 and "--out" in err and not list(tmp_path.iterdir())


def test_derive_retrain_with_check_is_refused(capsys):
    code, _, err = run(capsys, "derive", "--retrain", "--check")
    assert code == 2 and "--retrain is not allowed with --check" in err


def test_console_script_bad_trajectory_no_traceback(tmp_path):
    path = tmp_path / "flat.npy"
    np.save(path, np.arange(12.0))
    script = Path(sys.executable).with_name("rwpca")
    result = subprocess.run(
        [str(script), "analyze", str(path)],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "RWPCA_DEBUG"},
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("rwpca: error:") and "Traceback" not in result.stderr
    assert "1-D" in result.stderr

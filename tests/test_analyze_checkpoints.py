"""`rwpca analyze` on real-run folders: reports, options, and every bad input of issue 10
as one line, exit 2, nothing written."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from rwpca.cli import main
from rwpca.numerics.checkpoints.recorder import Recorder

from .checkpoint_data import DATA, PARAMETERS, pt_run, safetensors_run, save_safetensors, states

MARKER = "rwpca-payload-marker"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_report_lists_source_steps_and_tensors(capsys, tmp_path):
    folder = pt_run(tmp_path / "ckpt", n=12)
    (folder / "notes.txt").write_text("lr 0.1")
    code, out, err = run(capsys, "analyze", folder, "--replicates", "19", "--components", "3")
    assert code == 0, err
    for fragment in [
        "source       12 PyTorch state_dicts (step_#.pt), steps 0..11 analysed",
        "parameters   6 tensors, d = 698: bn.bias [4] float32",
        "left out     3 tensors: bn.num_batches_tracked (int64, not floating point); "
        "bn.running_mean, bn.running_var (BatchNorm statistic)",
        "not read     1 entry: notes.txt",
        f"trajectory   {folder}, steps 0..11",
        "verdict:",
    ]:
        assert " ".join(fragment.split()) in " ".join(out.split()), fragment
    code, out, _ = run(capsys, "analyze", folder, "--json", "--replicates", "19", "--window", "step=2:10",
                       "--exclude", "^fc")  # fmt: skip
    data = json.loads(out)
    assert (
        code == 0
        and data["training_steps"] == list(range(2, 10))
        and data["window_positions"] == [2, 10]
    )
    assert [t["name"] for t in data["source"]["tensors"]] == PARAMETERS[:4]
    assert data["d"] == 48 and data["sketch_ratio_sd"] is None
    assert {"name": "fc.weight", "reason": "--exclude'd"} in data["source"]["left_out"]


def test_by_layer_table(capsys, tmp_path):
    folder = safetensors_run(tmp_path / "run", n=10)
    code, out, _ = run(
        capsys, "analyze", folder, "--by-layer", "--replicates", "19", "--components", "2"
    )
    assert code == 0
    table = out[out.index("by layer (module)") :].splitlines()
    assert table[1].split() == ["group", "tensors", "d", "ratio", "1", "ratio", "2", "ratio", "3",
                                "p", "(a)", "p", "(b)", "p", "(c)", "p", "(d)", "p", "(e)"]  # fmt: skip
    assert [line.split()[:3] for line in table[2:]] == [["bn", "2", "8"], ["conv", "2", "40"],
                                                        ["fc", "2", "650"]]  # fmt: skip
    code, out, _ = run(
        capsys, "analyze", folder, "--by-layer", "tensor", "--json", "--replicates", "19"
    )
    groups = json.loads(out)["by_layer"]["groups"]
    assert [g["group"] for g in groups] == PARAMETERS and all("p_values" in g for g in groups)
    code, out, _ = run(capsys, "analyze", folder, "--by-layer", "--nulls", "a,d",
                       "--replicates", "19", "--components", "2")  # fmt: skip
    table = out[out.index("by layer (module)") :].splitlines()
    assert table[1].split()[-4:] == ["p", "(a)", "p", "(d)"]


def test_sketch_report_carries_its_error(capsys, tmp_path):
    with Recorder(tmp_path / "sk", sketch=64) as rec:
        for state in states(12):
            rec.record(state)
    code, out, _ = run(capsys, "analyze", tmp_path / "sk", "--replicates", "19")
    assert code == 0
    assert "CountSketch to m = 64 (seed 0) of d = 698 parameters in 6 tensors" in out
    assert "the sketch's error (1 sd) on ratios 1..5:" in out and "(sketch, m = 64)" in out


def _bad_runs(tmp_path):
    """(name, folder, fragment) for each bad input issue 10 lists, and a few more."""
    cases = []

    def fresh(name, n=6):
        return safetensors_run(tmp_path / name, n=n)

    folder = pt_run(tmp_path / "payload", n=5)
    shutil.copy(DATA / "payload.pt", folder / "step_00003.pt")
    cases.append(("payload", folder, "cannot be read safely: it refers to io.open"))
    raw = (fresh("t") / "step_2.safetensors").read_bytes()
    (tmp_path / "t" / "step_2.safetensors").write_bytes(raw[:5])
    cases.append(("truncated-header", tmp_path / "t", "fewer than the 8"))
    (fresh("c") / "step_2.safetensors").write_bytes(raw[:8] + b"not json" + raw[16:])
    cases.append(("corrupt-header", tmp_path / "c", "its header is not JSON"))
    (fresh("h") / "step_2.safetensors").write_bytes(raw[:-100])
    cases.append(("claims-more-bytes", tmp_path / "h", "is truncated: its header promises"))
    for name, change, fragment in [
        ("names", lambda s: s.pop("fc.bias"), "lacks tensor fc.bias"),
        ("shapes", lambda s: s.update({"fc.bias": np.zeros(3, np.float32)}), "has shape [3]"),
        ("dtypes", lambda s: s.update({"fc.bias": np.zeros(10)}), "has dtype float64"),
        ("nan", lambda s: s["conv.weight"].flat.__setitem__(3, np.nan), "tensor conv.weight"),
        ("inf", lambda s: s["fc.bias"].__setitem__(1, -np.inf), "tensor fc.bias (element 1)"),
    ]:
        folder = fresh(name)
        state = states(6)[4]
        change(state)
        save_safetensors(folder / "step_4.safetensors", state)
        cases.append((name, folder, fragment))
    folder = fresh("mixed")
    np.save(folder / "optimizer_momentum.npy", np.zeros(3))
    cases.append(("mixed-formats", folder, "mixes formats"))
    for what, kwargs in [("seed", {"sketch": 32, "seed": 1}), ("m", {"sketch": 48})]:
        folder = tmp_path / f"sketch-{what}"
        with Recorder(folder, sketch=32) as rec:
            for state in states(5):
                rec.record(state)
        with Recorder(tmp_path / f"other-{what}", **kwargs) as rec:
            rec.record(states(1)[0], step=9)
        shutil.move(tmp_path / f"other-{what}" / "step_00000009.safetensors", folder)
        cases.append((f"sketch-{what}", folder, f"was sketched with {what}"))
    return cases


def test_bad_runs_exit_2_in_one_line_and_write_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cases = _bad_runs(tmp_path)
    plot = tmp_path / "never.png"
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    for name, folder, fragment in cases:
        code, out, err = run(capsys, "analyze", folder, "--plot", plot, "--replicates", "19")
        assert code == 2 and out == "", name
        assert err.startswith("rwpca: error: ") and err.count("\n") == 1, (name, err)
        assert fragment in err and str(folder) in err, (name, err)
    after = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before  # nothing written, no file touched
    assert not (tmp_path / MARKER).exists()


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--by-layer", "layers"], "--by-layer 'layers' is not allowed"),
        (["--include", "("], "--include '(' is not allowed"),
        (["--include", "nothing"], "no tensor name matches --include"),
        (["--window", "step=100:200"], "holds 0 checkpoints"),
        (["--window", "steps:1"], "or step=START:STOP"),
        (["--glob", "*.pt"], "holds n = 0 checkpoint files"),
    ],
)
def test_bad_options_on_a_run_exit_2(capsys, tmp_path, argv, fragment):
    folder = safetensors_run(tmp_path / "run", n=6)
    code, out, err = run(capsys, "analyze", folder, *argv)
    assert code == 2 and out == "" and fragment in err and err.count("\n") == 1, err


def test_options_that_need_a_folder(capsys, tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.cumsum(np.ones((6, 80)), axis=0))
    for argv, fragment in [(["--by-layer"], "--by-layer is not allowed"),
                           (["--glob", "*"], "--glob is not allowed"),
                           (["--include", "w"], "do not apply")]:  # fmt: skip
        code, _, err = run(capsys, "analyze", path, *argv)
        assert code == 2 and fragment in err, err

"""`rwpca simulate`: the table, JSON, the figure, and bad input (one line, exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from rwpca.cli import main
from rwpca.numerics.linalg import float_spectra


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_table_shows_observed_beside_theory(capsys):
    code, out, err = run(capsys, "simulate", "--n", "50", "--d", "100000", "--components", "4")
    assert code == 0 and not err
    lines = out.splitlines()
    assert lines[0].startswith("random walk: n = 50, d = 100000, noise gaussian, seed 0")
    header = next(line for line in lines if "observed" in line)
    assert "exact finite n" in header and "rw.evr" in header and "expected sd" in header
    rows = [line.split() for line in lines if line.strip()[:1].isdigit()]
    assert [row[0] for row in rows] == ["1", "2", "3", "4"]
    theory = float_spectra.explained_variance_ratio("plain", 50)
    assert [float(row[2]) for row in rows] == pytest.approx(theory[:4], abs=1e-6)


def test_json_output(capsys):
    code, out, _ = run(
        capsys,
        "simulate",
        "--process",
        "momentum",
        "--gamma",
        "0.7",
        "--n",
        "12",
        "--d",
        "20000",
        "--noise",
        "student_t:nu=6",
        "--seed",
        "3",
        "--json",
    )
    data = json.loads(out)
    assert code == 0
    assert data["process"] == "momentum" and data["params"] == {"gamma": 0.7}
    assert data["noise"] == "student_t:nu=6" and data["excess_kurtosis"] == pytest.approx(3)
    assert len(data["observed"]) == len(data["theory"]) == 11
    assert data["method"] == "stream" and data["seed"] == 3
    assert data["theory"] == pytest.approx(
        float_spectra.explained_variance_ratio("momentum", 12, {"gamma": 0.7}).tolist()
    )
    low, high = data["ostrowski_bounds"]
    ratio = np.array(data["observed"]) / np.array(data["theory"])
    assert np.all(ratio >= low / high - 1e-9) and np.all(ratio <= high / low + 1e-9)


def test_ou_with_alpha_and_same_seed_same_output(capsys):
    argv = ["simulate", "--process", "ou", "--alpha", "0.2", "--n", "30", "--d", "3000"]
    first = run(capsys, *argv, "--noise", "sparse:density=0.2")[1]
    second = run(capsys, *argv, "--noise", "sparse:density=0.2")[1]
    assert first == second and "alpha = 0.2" in first


def test_infinite_variance_warns(capsys):
    code, out, _ = run(capsys, "simulate", "--n", "10", "--d", "2000", "--noise", "cauchy")
    assert code == 0 and "infinite variance" in out and "rw.noise_independence" in out


def test_plot_writes_a_png(tmp_path, capsys):
    target = tmp_path / "out" / "walk.png"
    code, out, _ = run(capsys, "simulate", "--n", "40", "--d", "4000", "--plot", str(target))
    assert code == 0 and f"wrote {target}" in out
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert [p.name for p in target.parent.iterdir()] == ["walk.png"]  # no temporary left


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--n", "10", "--d", "0"], "d = 0 is not allowed: d must be an integer >= 1"),
        (["--n", "1", "--d", "10"], "n = 1 is not allowed"),
        (["--n", "10", "--d", "10", "--noise", "pink"], "noise family 'pink' is not known"),
        (["--n", "10", "--d", "10", "--noise", "sparse:density=2"], "density = 2.0 is not allowed"),
        (["--n", "10", "--d", "10", "--noise", "student_t:df=3"], "parameter 'df' is not allowed"),
        (
            ["--n", "10", "--d", "10", "--gamma", "0.5"],
            "--gamma is not allowed for process 'plain'",
        ),
        (
            ["--process", "ou", "--alpha", "3", "--n", "10", "--d", "10"],
            "alpha = 3.0 is not allowed",
        ),
        (["--n", "10", "--d", "10", "--seed", "-4"], "--seed -4 is not allowed"),
        (["--n", "10", "--d", "10", "--components", "0"], "--components 0 is not allowed"),
        (["--n", "10", "--d", "ten"], "invalid int value: 'ten'"),
        (["--n", "10", "--d", "10", "--process", "levy"], "invalid choice: 'levy'"),
        (["--n", "10", "--d", "10", "--plot", "walk.jpg"], "the file must end in .png"),
    ],
)
def test_bad_input_exit_2(capsys, tmp_path, monkeypatch, argv, fragment):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "simulate", *argv)
    assert code == 2 and not out
    assert err.startswith("rwpca: error: ") and err.count("\n") == 1
    assert fragment in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_plot_into_a_directory_is_refused(capsys, tmp_path):
    folder = tmp_path / "figure.png"
    folder.mkdir()
    code, _, err = run(capsys, "simulate", "--n", "5", "--d", "10", "--plot", str(folder))
    assert code == 2 and "is an existing folder" in err


def test_console_script_has_no_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "rwpca.cli", "simulate", "--n", "5", "--d", "-1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("rwpca: error: d = -1 is not allowed")

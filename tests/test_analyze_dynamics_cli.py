"""`rwpca analyze --nulls --momentum --ou-rate --sweep`: end to end, and bad values in one line.

A momentum run (gamma = 0.9) must not be reported as a walk of independent steps; its
sweep must tell the independent-step half of a run from the momentum half.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from rwpca.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def half_momentum(tmp_path_factory):
    """60 checkpoints of independent steps, then 60 with momentum 0.9 (d = 1,500)."""
    rng = np.random.default_rng(3)
    d = 1500
    v = np.zeros(d)
    X = [np.zeros(d)]
    for t in range(119):
        gamma = 0.9 if t >= 59 else 0.0
        v = gamma * v + rng.standard_normal(d)
        X.append(X[-1] + v)
    path = tmp_path_factory.mktemp("run") / "half.npy"
    np.save(path, np.array(X))
    return path


def test_momentum_window_is_not_called_independent(half_momentum, capsys):
    code, out, err = run(capsys, "analyze", half_momentum, "--window", "60:120", "--json",
                         "--replicates", "39", "--momentum", "0.9", "--quiet")  # fmt: skip
    assert code == 0 and not err
    data = json.loads(out)
    assert data["step_autocorrelation"]["rejects_independence"]
    assert data["tests"]["momentum"]["consistent"]
    assert data["tests"]["momentum"]["parameters"]["gamma"] == 0.9
    assert data["tests"]["momentum"]["fitted_parameters"] == []
    for name in ("random_walk", "step_schedule", "drift"):
        assert name not in data["verdict"]["consistent"]
    assert "independent steps" not in data["verdict_text"].split("Rejected")[0]


def test_nulls_option_chooses_the_tests(half_momentum, capsys):
    code, out, _ = run(capsys, "analyze", half_momentum, "--window", "0:60", "--nulls", "a,e",
                       "--replicates", "19", "--quiet")  # fmt: skip
    assert code == 0
    assert "(a) random walk" in out and "(e) Ornstein-Uhlenbeck" in out
    assert "(c) random walk with drift " not in out


def test_sweep_tells_the_halves_apart(half_momentum, capsys, tmp_path):
    plot = tmp_path / "sweep.png"
    code, out, err = run(capsys, "analyze", half_momentum, "--sweep", "30", "--json", "--plot",
                         plot, "--replicates", "19", "--nulls", "a,d", "--quiet")  # fmt: skip
    assert code == 0 and not err
    windows = json.loads(out)["sweep"]["windows"]
    assert [w["window_positions"] for w in windows] == [[0, 30], [30, 60], [60, 90], [90, 120]]
    lags = [w["step_autocorrelation_lag_one"] for w in windows]
    assert max(abs(a) for a in lags[:2]) < 0.1 and min(lags[2:]) > 0.8
    assert all("random_walk" in w["verdict"]["rejected"] for w in windows[2:])
    assert plot.read_bytes().startswith(b"\x89PNG")
    code, out, _ = run(capsys, "analyze", half_momentum, "--sweep", "40", "--replicates", "19",
                       "--nulls", "a", "--quiet")  # fmt: skip
    assert code == 0 and "3 consecutive windows of 40 checkpoints" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("--momentum", "1"), "--momentum 1 is not allowed"),
        (("--momentum", "2**3"), "--momentum 2**3 is not allowed"),
        (("--ou-rate", "0"), "--ou-rate 0 is not allowed"),
        (("--nulls", "a,x"), "null 'x' is not known"),
        (("--sweep", "2"), "--sweep 2 is not allowed"),
        (("--sweep", "500"), "sweep size 500 is not allowed"),
        (("--sweep", "30", "--by-layer"), "--sweep is not allowed with --by-layer"),
    ],
)
def test_bad_values_are_one_line(half_momentum, capsys, tmp_path, argv, fragment):
    plot = tmp_path / "never.png"
    code, out, err = run(capsys, "analyze", half_momentum, *argv, "--plot", plot, "--quiet")
    assert code == 2 and not out
    assert err.startswith("rwpca: error: ") and fragment in err and err.count("\n") == 1
    assert not plot.exists()

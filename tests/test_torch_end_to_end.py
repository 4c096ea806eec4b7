"""The issue's trial with real PyTorch: a small CNN with BatchNorm trained on digits.

Saved every step with ``torch.save(model.state_dict(), ...)``, with
``safetensors.torch.save_file`` and recorded with :class:`rwpca.Recorder` (exactly and as
a sketch): the three exact copies give the same ratios to 1e-9 and the sketch lies
within its reported error. Skipped when torch is not installed (it is optional; the
default suite reads the committed torch files without it).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from rwpca.cli import main
from rwpca.numerics.trajectories.analysis import analyze

torch = pytest.importorskip("torch", reason="torch is optional: this runs the issue's trial")
pytestmark = pytest.mark.filterwarnings(
    "ignore::rwpca.numerics.trajectories.readers.TrajectoryWarning"
)
STEPS = 120


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from safetensors.torch import save_file
    from sklearn.datasets import load_digits

    import rwpca

    root = tmp_path_factory.mktemp("trial")
    digits = load_digits()
    x = torch.tensor(digits.images[:, None] / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3), torch.nn.BatchNorm2d(8), torch.nn.ReLU(), torch.nn.Flatten(),
        torch.nn.Linear(8 * 6 * 6, 10),
    )  # fmt: skip
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    generator = torch.Generator().manual_seed(0)
    for folder in ("ckpt", "st"):
        (root / folder).mkdir()
    with rwpca.Recorder(root / "rec") as rec, rwpca.Recorder(root / "sketch", sketch=1024) as sk:
        for i in range(STEPS):
            batch = torch.randint(0, len(y), (32,), generator=generator)
            loss = torch.nn.functional.cross_entropy(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            torch.save(model.state_dict(), root / "ckpt" / f"step_{i:05d}.pt")
            save_file(model.state_dict(), str(root / "st" / f"step_{i:05d}.safetensors"))
            rec.record(model, step=i)
            sk.record(model, step=i)
    return root


def test_pt_safetensors_and_recorder_give_the_same_ratios(trained):
    results = [analyze(trained / name, replicates=19) for name in ("ckpt", "st", "rec")]
    for other in results[1:]:
        assert np.allclose(other.explained_variance_ratio, results[0].explained_variance_ratio,
                           rtol=0, atol=1e-9)  # fmt: skip
        assert other.verdict == results[0].verdict
    assert list(results[0].steps) == list(range(STEPS))


def test_the_sketch_lies_within_its_reported_error(trained):
    exact = analyze(trained / "ckpt", replicates=19).explained_variance_ratio[:5]
    sketched = analyze(trained / "sketch", replicates=19)
    gap = np.abs(sketched.explained_variance_ratio[:5] - exact)
    assert np.all(gap < 4 * sketched.sketch_sd[:5]), (gap, sketched.sketch_sd[:5])


def test_rwpca_analyze_ckpt_as_a_new_user_runs_it(trained, capsys):
    assert main(["analyze", str(trained / "ckpt"), "--replicates", "39"]) == 0
    out = capsys.readouterr().out
    assert "120 PyTorch state_dicts (step_#.pt), steps 0..119 analysed" in out
    assert "1.running_mean, 1.running_var (BatchNorm statistic)" in " ".join(out.split())
    assert main(["analyze", str(trained / "ckpt"), "--json", "--replicates", "19"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["d"] == 8 * 9 + 8 + 8 + 8 + 8 * 36 * 10 + 10

"""The neural-network comparison document: its cache is current and it says what the data say."""

from __future__ import annotations

import copy
import dataclasses
import json

import numpy as np
import pytest

from rwpca.documents import nn_comparison
from rwpca.documents.nn_comparison import render
from rwpca.numerics.trajectories import recorded
from rwpca.numerics.trajectories.recorded import RUNS, RunSummary, load_cache, record_run


@pytest.fixture(scope="module")
def cache():
    return load_cache()


def test_cache_matches_the_configured_runs(cache):
    assert list(cache.runs) == [run.id for run in RUNS]
    for run in RUNS:
        record = cache.runs[run.id]
        assert record.caption == run.caption
        if run.config is not None:
            expected = dataclasses.asdict(run.config.checked())
            expected["record"] = list(expected["record"])
            assert record.config == recorded.rounded(expected)


def compare(fresh, stored, tests=True):
    """Ratios to 1e-5 relative (6 digits are stored and BLAS builds differ in the last
    bits); p-values within 2 / (B + 1) (a reshuffled walk's statistic can cross the
    data's); verdict flags unless a p-value sits within that of alpha."""
    for key in ("explained_variance_ratio", "lissajous", "step_norms_squared"):
        assert np.allclose(fresh[key], stored[key], rtol=1e-5, atol=1e-12), key
    for name, ratios in stored["null_ratios"].items():
        assert np.allclose(fresh["null_ratios"][name], ratios, rtol=1e-5, atol=1e-12)
    if not tests:
        return
    step = 2 / (recorded.REPLICATES + 1)
    for name, test in stored["tests"].items():
        assert abs(fresh["tests"][name]["p_value"] - test["p_value"]) <= step + 1e-9
        if abs(test["p_value"] - stored["level"]) > step:
            assert fresh["tests"][name]["consistent"] == test["consistent"]
    auto, fresh_auto = stored["step_autocorrelation"], fresh["step_autocorrelation"]
    assert np.allclose(fresh_auto["mean_cosine"], auto["mean_cosine"], rtol=1e-5, atol=1e-9)
    assert abs(fresh_auto["p_value"] - auto["p_value"]) <= step + 1e-9


@pytest.mark.slow  # a regeneration test: CI runs it (pytest -m slow)
@pytest.mark.parametrize("run_id", ["softmax-sgd-decay", "softmax-momentum"])
def test_cached_summaries_are_reproduced_by_retraining(cache, run_id):
    run = next(r for r in RUNS if r.id == run_id)
    compare(record_run(run).analysis, cache.runs[run_id].analysis)


@pytest.mark.slow  # a regeneration test: CI runs it (pytest -m slow)
def test_cached_network_run_is_reproduced(cache, monkeypatch):
    """The largest run's training and spectrum (its tests need the full reshuffling)."""
    monkeypatch.setattr(recorded, "REPLICATES", 19)
    run = next(r for r in RUNS if r.id == "mlp-sgd")
    compare(record_run(run).analysis, cache.runs["mlp-sgd"].analysis, tests=False)


def test_document_lists_every_run_with_its_figure(generated):
    text = generated[nn_comparison.DOCUMENT].decode()
    for run in RUNS:
        assert f"## `{run.id}`" in text
        assert f"figures/nn_{run.id}.png" in generated
        assert f"(figures/nn_{run.id}.png)" in text
    assert "## What agrees with the paper and what does not" in text
    assert "figures/nn_overview.png" in generated
    assert f"[{nn_comparison.TITLE}]({nn_comparison.DOCUMENT})" in generated["README.md"].decode()


def test_findings_follow_the_numbers(cache):
    """The prose is computed from the cache: change a number and the statement changes."""
    text = render(cache)
    changed = copy.deepcopy(cache)
    control = changed.runs["control-random-walk"].analysis
    control["verdict"]["consistent"].remove("drift")
    control["verdict"]["rejected"].append("drift")
    control["tests"]["drift"]["consistent"], control["tests"]["drift"]["p_value"] = False, 0.01
    assert "The simulated random walk passes every null" in text
    assert "The simulated random walk is rejected by some test" in render(changed)
    for record in changed.runs.values():
        verdict = record.analysis["verdict"]
        if "drift" not in verdict["consistent"]:
            verdict["consistent"].append("drift")
    runs = len([r for r in RUNS if r.config is not None])
    assert f"Not rejected at level 0.05 in {runs} of {runs} runs" in render(changed)


def test_momentum_runs_are_not_called_independent(cache):
    """The done-when of issue 11: momentum runs are never reported as independent steps."""
    momentum = [r for r in cache.runs.values() if r.config.get("optimizer") == "momentum"]
    assert momentum
    for record in momentum:
        a = record.analysis
        assert a["step_autocorrelation"]["rejects_independence"], record.id
        assert not {"random_walk", "step_schedule", "drift"} & set(a["verdict"]["consistent"])
        assert "consistent with (a)" not in nn_comparison.analysis_report.verdict_text(a)
    control = cache.runs["control-random-walk"].analysis
    assert not control["step_autocorrelation"]["rejects_independence"]
    assert "random_walk" in control["verdict"]["consistent"]


def test_sweeps_are_cached_and_drawn(cache, generated):
    swept = [run for run in RUNS if run.sweep]
    assert swept
    for run in swept:
        sweep = cache.runs[run.id].sweep
        assert sweep is not None and sweep["size"] == run.sweep
        assert [w["first_step"] for w in sweep["windows"]][:2] == [0, run.sweep]
        assert f"figures/nn_sweep_{run.id}.png" in generated
        assert f"(figures/nn_sweep_{run.id}.png)" in generated[nn_comparison.DOCUMENT].decode()


def test_stale_or_missing_cache_asks_for_retrain(tmp_path):
    path = tmp_path / "cache.json"
    with pytest.raises(ValueError, match="rwpca derive --retrain"):
        load_cache(path)
    data = json.loads(recorded.CACHE.read_text())
    data["version"] = -1
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="does not match"):
        load_cache(path)


def test_retrain_writes_the_cache_atomically(tmp_path, monkeypatch):
    """retrain() replaces the file only when every run has finished."""
    path = tmp_path / "cache.json"
    path.write_text("previous")
    monkeypatch.setattr(nn_comparison, "RUNS", RUNS[2:4])

    def fail(run, progress):
        if run.id == "softmax-momentum":
            raise RuntimeError("interrupted")
        return RunSummary(run.id, run.caption, {}, {}, {})

    monkeypatch.setattr(nn_comparison, "record_run", fail)
    with pytest.raises(RuntimeError):
        nn_comparison.retrain(progress=False, path=path)
    assert path.read_text() == "previous"
    monkeypatch.setattr(
        nn_comparison, "record_run", lambda run, progress: RunSummary(run.id, "", {}, {}, {})
    )
    nn_comparison.retrain(progress=False, path=path)
    assert list(json.loads(path.read_text())["runs"]) == ["softmax-sgd-decay", "softmax-momentum"]

"""``rwpca.analyze`` and ``rwpca.sweep``: windows, sources, display, JSON, frames and figures.

Every source kind must give the analysis of the same n x d matrix (the Gram matrices agree
to rounding, the verdicts exactly); every bad argument raises one ValueError line.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import rwpca
from rwpca import api
from rwpca.numerics.studies.sweep import projection_band, sweep_windows
from rwpca.numerics.trajectories import sources
from rwpca.numerics.trajectories.readers import open_trajectory

REPLICATES = 19


@pytest.fixture(scope="module")
def walk():
    rng = np.random.default_rng(0)
    return np.cumsum(rng.standard_normal((40, 1500)), axis=0)


@pytest.fixture(scope="module")
def report(walk):
    return rwpca.analyze(walk, window=slice(5, 35), replicates=REPLICATES)


def momentum_walk(n=60, d=1500, gamma=0.9, seed=1):
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(d) / np.sqrt(1 - gamma**2)
    X = np.zeros((n, d))
    for t in range(1, n):
        v = gamma * v + rng.standard_normal(d)
        X[t] = X[t - 1] + v
    return X


# --- display ------------------------------------------------------------------------------


def test_repr_is_one_short_line_with_the_verdict(report):
    text = repr(report)
    assert "\n" not in text and len(text) < 400
    assert text.startswith("<rwpca analysis of the array, steps 5..34 (n = 30, d = 1,500)")
    assert "(a) p = " in text and "lag 1" in text


def test_html_is_a_compact_table_with_the_verdict(report):
    page = report._repr_html_()
    assert len(page) < 10_000
    assert "<table>" in page and "Verdict." in page and "p-value" in page


def test_report_text_is_the_cli_report(report):
    text = str(report)
    assert "verdict:" in text and "step autocorrelation" in text


def test_to_json_is_strict_json_and_names_its_fields(report):
    data = report.to_json()
    json.dumps(data, allow_nan=False)
    assert data["label"] == "the array" and data["window_positions"] == [5, 35]
    assert set(data["tests"]) == set(rwpca.numerics.nulls.results.NULL_MODELS)
    assert "quotient_band" in data["tests"]["random_walk"]


def test_to_frame_has_one_row_per_component(report):
    pandas = pytest.importorskip("pandas")
    frame = report.to_frame()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.index) == list(range(1, report.components + 1))
    assert np.allclose(frame["ratio"], report.explained_variance_ratio[: report.components])


def test_attributes_of_the_analysis_are_on_the_report(report):
    assert report.nulls["momentum"].p_value == report.analysis.nulls["momentum"].p_value
    assert report.autocorrelation.values.shape == (5,)


def test_plot_titles_carry_the_window_verdict_and_p_values(report, tmp_path):
    figure = report.plot(band=19)
    title = figure._suptitle.get_text()
    assert title.startswith("the array: steps 5-34 (n = 30)") and "(a) p = " in title
    path = tmp_path / "w.png"
    report.plot(path, band=0)
    assert path.read_bytes().startswith(b"\x89PNG")
    with pytest.raises(ValueError, match=r"written as a \.png"):
        report.plot(tmp_path / "w.pdf")


# --- windows ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "steps", "expected"),
    [
        (slice(2, -1), None, (2, 9)),
        ((0, 5), None, (0, 5)),
        ([-5, 10], None, (5, 10)),
        ("3:", None, (3, 10)),
        ("step=2:6", None, (2, 6)),
        (None, (4, 8), (4, 8)),
        (None, None, (0, 10)),
    ],
)
def test_every_window_form(window, steps, expected):
    trajectory = open_trajectory(np.zeros((10, 4)))
    assert api.resolve_window(window, trajectory, steps) == expected


@pytest.mark.parametrize(
    ("window", "steps", "fragment"),
    [
        (slice(0, 8, 2), None, "is contiguous"),
        ((1.5, 4), None, "positions must be integers"),
        ((0, 1, 2), None, "give a slice"),
        (3, None, "give a slice"),
        (slice(0, 2), None, "at least 3 checkpoints"),
        ((0, 4), (0, 4), "both given"),
        (None, "0:4", "give \\(first, stop\\)"),
    ],
)
def test_bad_windows_are_one_line(window, steps, fragment):
    trajectory = open_trajectory(np.zeros((10, 4)))
    with pytest.raises(ValueError, match=fragment) as error:
        api.resolve_window(window, trajectory, steps)
    assert "\n" not in str(error.value)


# --- sources ------------------------------------------------------------------------------


def test_a_list_of_checkpoints_is_the_matrix(walk):
    checkpoints = [row.reshape(30, 50) for row in walk]
    from_list = sources.open_source(checkpoints).gram()
    assert np.allclose(from_list, open_trajectory(walk).gram(), rtol=1e-12, atol=1e-9)
    a = rwpca.analyze(checkpoints, replicates=REPLICATES, nulls="a,d")
    b = rwpca.analyze(walk, replicates=REPLICATES, nulls="a,d")
    assert a.label == "the list of checkpoints"
    assert {k: t.p_value for k, t in a.nulls.items()} == {k: t.p_value for k, t in b.nulls.items()}


def test_mutation_a_list_source_that_ignores_the_window_start_is_caught(walk, monkeypatch):
    """The comparison above can fail: blocks read from checkpoint 0 whatever the window."""
    checkpoints = list(walk)
    monkeypatch.setattr(
        sources._ListSource,
        "read",
        lambda self, start, stop, column, end: np.stack(
            [a[column:end] for a in self.flat[: stop - start]]
        ),
    )
    wrong = sources.open_source(checkpoints).gram((10, 30))
    assert not np.allclose(wrong, open_trajectory(walk).gram((10, 30)))


def test_torch_tensors_and_lists_of_them():
    torch = pytest.importorskip("torch")
    X = momentum_walk(n=20, d=300)
    tensor = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    assert np.allclose(sources.open_source(tensor).gram(), open_trajectory(X).gram())
    listed = [torch.tensor(row, dtype=torch.float32) for row in X]
    expected = open_trajectory(X.astype(np.float32)).gram()
    assert np.allclose(sources.open_source(listed).gram(), expected, rtol=1e-5)
    assert rwpca.analyze(tensor, replicates=REPLICATES, nulls="a").label == "the tensor"


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ({"a": 1}, "dict is not allowed as a trajectory"),
        ([np.zeros(3), np.zeros(3)], "n = 2 checkpoints"),
        ([np.zeros(3), np.zeros(4), np.zeros(3)], "checkpoint 1 of the list has 4 parameters"),
        ([np.zeros(3), "x", np.zeros(3)], "checkpoint 1 of the list is a str"),
        ([np.zeros(2, dtype=complex)] * 3, "complex"),
    ],
)
def test_bad_sources_are_one_line(source, fragment):
    with pytest.raises(ValueError, match=fragment) as error:
        sources.open_source(source)
    assert "\n" not in str(error.value)


def test_a_non_finite_checkpoint_of_a_list_is_named(walk):
    checkpoints = [row.copy() for row in walk[:10]]
    checkpoints[7][3] = np.nan
    with pytest.raises(ValueError, match="checkpoint 7 of the list contains NaN"):
        sources.open_source(checkpoints).gram()


def test_bad_nulls_and_parameters_are_refused_before_any_pass(walk):
    for kwargs, fragment in [
        ({"nulls": "a,q"}, "null 'q' is not known"),
        ({"momentum": 1.5}, "momentum = 1.5 is not allowed"),
        ({"ou_rate": -1.0}, "ou_rate = -1.0 is not allowed"),
    ]:
        with pytest.raises(ValueError, match=fragment):
            rwpca.analyze(walk, replicates=REPLICATES, **kwargs)


# --- the verdict a user reads --------------------------------------------------------------


def test_a_momentum_run_is_not_called_independent_and_null_d_accepts_it():
    report = rwpca.analyze(momentum_walk(), replicates=39, momentum=0.9)
    assert report.autocorrelation.rejects_independence
    assert not report.nulls["random_walk"].consistent
    assert report.nulls["momentum"].consistent
    assert "consistent with independent steps" not in str(report)
    assert "steps autocorrelated" in repr(report)


# --- sweeps -------------------------------------------------------------------------------


def test_sweep_windows_cover_the_run():
    assert sweep_windows(10, 4) == [(0, 4), (4, 8)]
    assert sweep_windows(11, 4) == [(0, 4), (4, 8), (8, 11)]
    for bad, fragment in [(2, "need an integer >= 3"), (12, "only 11 checkpoints")]:
        with pytest.raises(ValueError, match=fragment):
            sweep_windows(11, bad)


def test_sweep_report(walk, tmp_path):
    result = rwpca.sweep(walk, 12, replicates=REPLICATES, nulls="a,c")
    data = result.to_json()
    assert [w["window_positions"] for w in data["windows"]] == [
        [0, 12],
        [12, 24],
        [24, 36],
        [36, 40],
    ]
    assert data["nulls"] == ["random_walk", "drift"]
    assert "4 windows of 12 checkpoints" in repr(result)
    # each window is the analysis of that window alone
    alone = rwpca.analyze(walk, window=(12, 24), replicates=REPLICATES, nulls="a,c")
    assert result.windows[1].explained_variance_ratio[0] == alone.explained_variance_ratio[0]
    assert result.windows[1].nulls["drift"].p_value == alone.nulls["drift"].p_value
    path = tmp_path / "s.png"
    result.plot(path)
    assert path.read_bytes().startswith(b"\x89PNG")
    pytest.importorskip("pandas")
    assert len(result.to_frame()) == 4


def test_projection_band_holds_the_random_walk_curve(walk):
    """The band of null (a)'s reshuffled walks contains the random-walk Lissajous curve for
    most t (it is where such walks draw it), and is narrow against its amplitude."""
    Y = walk - walk[0]
    G = Y @ Y.T
    M = np.diff(np.diff(G, axis=0), axis=1)
    band = projection_band(M, shown=2, replicates=39)
    assert band.shape == (40, 2, 2) and np.all(band[..., 0] <= band[..., 1])
    from rwpca.numerics.nulls.null_models import cosine_basis, random_walk_ratios
    from rwpca.numerics.nulls.randomisation import walk_weights

    total = float(np.sum(M * walk_weights(40)))
    curve = cosine_basis(40, 2) * np.sqrt(random_walk_ratios(40)[:2] * total)
    inside = (band[..., 0] <= curve) & (curve <= band[..., 1])
    assert inside.mean() > 0.9

"""The decay-law comparison and the finite-d null of `rwpca analyze` (rwpca.numerics.laws).

Statistical checks count outcomes over independent simulated walks from fixed seeds; each
count is Binomial(T, pi) with pi known exactly (a Monte Carlo p-value of exchangeable
draws has P(p <= a) = floor(a (B + 1)) / (B + 1); a pointwise band of B draws covers a new
draw with probability near 1 - alpha), so the tolerance is 4 binomial standard deviations.
Each check is shown to fail on a broken sampler.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from rwpca.documents.analysis_report import law_text, sweep_table, text_report
from rwpca.numerics.descent import descent_gram
from rwpca.numerics.laws.decay import (
    DecayLaw,
    compare_laws,
    finite_d_dimension,
    finite_d_null,
)
from rwpca.numerics.laws.fixed_d import sample_ratios
from rwpca.numerics.nulls.null_models import random_walk_ratios
from rwpca.numerics.trajectories.analysis import analyze_gram
from rwpca.numerics.trajectories.gram import centred_gram, pca_from_gram


def walk_ratios(n: int, d: int, rng: np.random.Generator, count: int) -> np.ndarray:
    """The first ``count`` ratios of a simulated walk of n points, isotropic Gaussian steps."""
    X = np.vstack([np.zeros(d), np.cumsum(rng.standard_normal((n - 1, d)), axis=0)])
    values, _ = pca_from_gram(centred_gram(X @ X.T))
    values = np.maximum(values[: n - 1], 0.0)
    return values[:count] / values.sum()


def binomial_ok(count: int, trials: int, rate: float) -> bool:
    return abs(count / trials - rate) <= 4 * math.sqrt(rate * (1 - rate) / trials)


# --- the fit itself -----------------------------------------------------------------------


def test_exact_random_walk_ratios_are_a_power_law_of_exponent_two() -> None:
    result = compare_laws(random_walk_ratios(300), 300)
    assert result.better is DecayLaw.RANDOM_WALK
    assert result.random_walk.parameter == pytest.approx(2.0, abs=1e-9)
    assert result.random_walk.rms_log_residual < 1e-9
    assert result.components == 10


def test_geometric_ratios_are_descent() -> None:
    ratios = 0.3 ** np.arange(1, 40)
    result = compare_laws(ratios / ratios.sum(), 40)
    assert result.better is DecayLaw.DESCENT
    assert result.descent.parameter == pytest.approx(0.3, rel=1e-9)
    assert result.log_evidence > 0


def test_a_collapsed_spectrum_is_the_fastest_decay_and_its_json_is_strict() -> None:
    ratios = np.zeros(20)
    ratios[:2] = (0.9, 0.1)
    result = compare_laws(ratios, 21)
    assert result.components < 3 and result.better is DecayLaw.DESCENT
    data = result.to_json()
    json.dumps(data, allow_nan=False)
    assert data["log_evidence"] is None
    assert "collapses" in law_text(data)


@pytest.mark.parametrize(
    ("ratios", "n", "message"),
    [
        (np.ones(3), 4, "at least 5"),
        (np.ones(4) / 4, 20, "needs 11"),
        (np.r_[np.nan, np.ones(10)], 20, "finite"),
        (np.r_[0.0, np.ones(10)], 20, "the first positive"),
    ],
)
def test_bad_input_is_named(ratios: np.ndarray, n: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compare_laws(ratios, n)


def test_the_dimension_of_the_finite_d_null() -> None:
    assert finite_d_dimension(math.inf, 10) is None
    assert finite_d_dimension(0.3, 10) == 1
    assert finite_d_dimension(36.4, 10**6) == 36
    assert finite_d_dimension(500.0, 40) == 40


# --- the sampler against simulated walks ----------------------------------------------------


def _coverage(sampler_d: int, trials: int = 200) -> int:
    """How often a walk in 8 dimensions has rho_1 inside the sampler's pointwise 90% band."""
    n, d = 40, 8
    rng = np.random.default_rng(2018)
    draws = sample_ratios(random_walk_ratios(n), sampler_d, 3, 999, seed=11)
    band = finite_d_null(np.zeros(3), draws, sampler_d, alpha=0.1).band
    inside = 0
    for _ in range(trials):
        first = walk_ratios(n, d, rng, 1)[0]
        inside += band[0, 0] <= first <= band[0, 1]
    return inside


def test_the_finite_d_band_covers_simulated_walks() -> None:
    # 999 draws fix the band's quantiles to about 0.01 in probability
    assert binomial_ok(_coverage(8), 200, 0.9)


def test_mutation_a_sampler_in_the_wrong_dimension_fails_the_coverage() -> None:
    assert not binomial_ok(_coverage(2), 200, 0.9)


def _calibration(sampler_d: int, trials: int = 200, B: int = 39) -> int:
    """How many of ``trials`` walks in 6 dimensions get a law p-value <= 0.1."""
    n, d = 30, 6
    rng = np.random.default_rng(7)
    weights = random_walk_ratios(n)
    small = 0
    for trial in range(trials):
        data = walk_ratios(n, d, rng, 11)
        draws = sample_ratios(weights, sampler_d, 11, B, seed=[7, trial])
        small += compare_laws(data, n, draws).p_value <= 0.1
    return small


def test_the_law_p_value_is_calibrated_under_the_finite_d_null() -> None:
    # P(p <= 0.1) = floor(0.1 * 40) / 40 = 0.1 exactly for exchangeable draws
    assert binomial_ok(_calibration(6), 200, 0.1)


def test_mutation_calibrating_at_the_wrong_dimension_is_detected() -> None:
    assert not binomial_ok(_calibration(30), 200, 0.1)


# --- in the analysis ------------------------------------------------------------------------


def test_a_descent_trajectory_is_told_from_a_random_walk() -> None:
    descent = analyze_gram(descent_gram(120, 2000, 1.0, eta=0.9, seed=3), 2000, replicates=39)
    # descent's steps share a few directions: d_eff is small, and the finite-d null's walks
    # in so few dimensions have almost no ratios past d_eff, which their band shows
    assert descent.laws.better is DecayLaw.DESCENT and descent.laws.log_evidence > 5
    dimension = descent.finite_d.dimension
    assert dimension < 5 and set(range(dimension + 1, 6)) <= set(descent.finite_d.deviating)

    rng = np.random.default_rng(5)
    X = np.cumsum(rng.standard_normal((120, 60)), axis=0)
    walk = analyze_gram(X @ X.T, 60, replicates=39)
    assert walk.laws.better is DecayLaw.RANDOM_WALK
    assert walk.laws.random_walk.parameter == pytest.approx(2.0, abs=0.5)
    assert walk.finite_d.dimension == pytest.approx(60, abs=6)


def test_the_report_and_json_show_the_finite_d_null_and_the_law() -> None:
    analysis = analyze_gram(descent_gram(60, 500, 1.0, eta=0.9, seed=1), 500, replicates=19)
    data = analysis.to_json()
    json.dumps(data, allow_nan=False)
    assert data["finite_d_null"]["dimension"] == analysis.finite_d.dimension
    assert data["decay_laws"]["better"] == "descent"
    text = text_report(analysis, "descent")
    assert (
        f"finite d: null (a) with isotropic Gaussian steps in d = {analysis.finite_d.dimension}"
        in text
    )
    assert "decay law: descent (geometric) fits better" in text


def test_the_sweep_table_names_the_law_of_each_window() -> None:
    from rwpca.numerics.studies.sweep import Sweep

    windows = tuple(
        analyze_gram(descent_gram(40, 300, 1.0, eta=0.9, seed=s), 300, replicates=19)
        for s in (1, 2)
    )
    lines = sweep_table(Sweep(size=40, windows=windows).to_json())
    assert lines[0].rstrip().endswith("decay law")
    assert all("descent" in line for line in lines[1:])


DESCENT_CASES = [(beta, eta) for beta in (0.5, 1.0, 2.0, 3.0) for eta in (0.3, 1.0, 1.9)]


@pytest.mark.parametrize(("beta", "eta"), DESCENT_CASES)
def test_descent_is_recognised_across_curvature_decays_and_steps(beta: float, eta: float) -> None:
    analysis = analyze_gram(descent_gram(100, 2000, beta, eta=eta, seed=0), 2000, replicates=19)
    assert analysis.laws.better is DecayLaw.DESCENT


def test_mutation_without_the_round_off_floor_slow_descent_reads_as_a_power_law() -> None:
    """Fast curvature decay and small steps leave most coordinates near their start: the
    centred Gram's small eigenvalues are then cancellation noise of the offset, a flat tail
    that a power law fits; the floor of round_off_floor leaves them out."""
    from rwpca.numerics.laws.decay import round_off_floor

    G = descent_gram(100, 2000, 3.0, eta=0.3, seed=0)
    values, _ = pca_from_gram(centred_gram(G))
    total = float(values.sum())
    ratios = np.maximum(values[:99], 0.0) / total
    assert compare_laws(ratios, 100).better is DecayLaw.RANDOM_WALK
    floor = round_off_floor(G, total)
    assert compare_laws(ratios, 100, floor=floor).better is DecayLaw.DESCENT

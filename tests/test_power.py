"""The power study: its alternatives, its binomial ranges, its committed results and document.

The committed summary (``numerics/data/power_study.json``, written by
``benchmarks/power_study.py``) is checked against what issue 11 asks: every test within the
binomial range of its level under its own null, and null (a) rejecting momentum 0.9 in at
least 90% of trajectories once n >= 200. Its first trials are redone from their seeds and
must give the same decisions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rwpca.documents import power_document
from rwpca.numerics.linalg.filters import exponential_cumsum
from rwpca.numerics.nulls.autocorrelation import lag_cosines
from rwpca.numerics.studies import power


@pytest.fixture(scope="module")
def study():
    return power_document.load()


def test_binomial_range_holds_all_but_the_tails():
    lo, hi = power.binomial_range(100, 0.05, tail=5e-4)
    pmf = [math.comb(100, c) * 0.05**c * 0.95 ** (100 - c) for c in range(101)]
    assert sum(pmf[lo : hi + 1]) >= 1 - 1e-3
    assert sum(pmf[lo + 1 : hi + 1]) < 1 - 5e-4 or lo == 0  # no narrower on the left
    assert sum(pmf[lo:hi]) < 1 - 5e-4  # nor on the right


@pytest.mark.parametrize("alternative", ["plain", "momentum-0.9", "ou-10", "drift", "descent"])
def test_simulated_alternatives_have_their_dynamics(alternative):
    """Lag-1 cosines of the simulated steps: ~0 (plain), ~gamma (momentum), slightly negative
    for OU, the drift's share for drift, ~1 for the deterministic descent."""
    rng = np.random.default_rng(0)
    S = power.simulate_steps(power.BY_ID[alternative], 200, 4000, rng)
    assert S.shape == (199, 4000)
    a1 = lag_cosines(S @ S.T, 1)[0]
    expected = {"plain": 0.0, "momentum-0.9": 0.9, "drift": 1 / 200, "descent": 1.0}
    if alternative == "ou-10":
        # s_t = -alpha x_t + xi: lag-1 covariance -alpha (1 - alpha) Var(x) + ... < 0
        assert -0.1 < a1 < 0
    else:
        # the cosine of independent directions in d dimensions has sd 1/sqrt(N d)
        assert abs(a1 - expected[alternative]) < 0.02 + 4 / math.sqrt(199 * 4000)


def test_mutation_momentum_simulated_without_its_stationary_start_is_seen():
    """Started from rest, the first steps are shorter: the step norms climb, which the
    stationary start does not show (the study's windows look like the middle of a run)."""
    rng = np.random.default_rng(0)
    S = power.simulate_steps(power.BY_ID["momentum-0.9"], 100, 4000, rng)
    norms = np.sum(S**2, axis=1)
    assert abs(norms[:5].mean() / norms[-20:].mean() - 1) < 0.15
    rest = exponential_cumsum(np.random.default_rng(0).standard_normal((99, 4000)), 0.9)
    rest_norms = np.sum(rest**2, axis=1)
    assert rest_norms[:5].mean() / rest_norms[-20:].mean() < 0.5


def test_committed_study_is_calibrated(study):
    rows, _, total = power_document.calibration_rows(study)
    assert total >= 10
    outside = [row for row in rows if row[-1] != "yes"]
    # each count lies outside its range with probability 1e-3 when calibrated: with about
    # 20 pairs, one outside is possible (2%), two would be a 2e-4 event
    assert len(outside) <= 1, outside


def test_committed_study_has_power_against_momentum(study):
    cells = [c for c in study.cells if c.alternative == "momentum-0.9" and c.n >= 200]
    assert cells
    for cell in cells:
        assert cell.rate("random_walk") >= 0.9, (cell.n, cell.d_eff, cell.rate("random_walk"))
        # and the verdict never calls such a run a walk of independent steps when the
        # diagnostic rejects: at most the trials where it does not reject
        assert cell.called_independent <= cell.rejections["independence"].count("0")


def test_first_trials_of_the_committed_study_are_reproduced(study):
    """Two trials of the cheapest momentum cell, redone from their seeds: same decisions."""
    cell = min(
        (c for c in study.cells if c.alternative == "momentum-0.9"), key=lambda c: (c.n, c.d_eff)
    )
    redone = power.run_cell(
        power.BY_ID[cell.alternative], cell.n, cell.d_eff, 2, cell.replicates, 0
    )
    for variant, bits in redone.rejections.items():
        assert bits == cell.rejections[variant][:2], variant


def test_the_document_states_what_the_numbers_say(study):
    text = power_document.render(study)
    _, inside, total = power_document.calibration_rows(study)
    assert f"**{inside} of {total}**" in text
    assert "rejected in" in text and "null (d) with gamma given" in text
    for alternative in {c.alternative for c in study.cells}:
        assert power_document.ALTERNATIVE_TITLES[alternative] in text

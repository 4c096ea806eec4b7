"""The fixed-d sampler: exact cases, the truncation against the exact sampler, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from rwpca.numerics.laws import fixed_d
from rwpca.numerics.laws.fixed_d import (
    continuum_ratios,
    fixed_d_ratios,
    peak_bytes,
    truncation_plan,
)
from rwpca.numerics.nulls.null_models import random_walk_ratios

Z = 4.5  # a fixed z: a false alarm has probability below 1e-5 per comparison


def test_one_dimension_is_exactly_one() -> None:
    r = fixed_d_ratios(random_walk_ratios(50), 1, components=3, draws=50)
    assert r.mean.tolist() == pytest.approx([1.0, 0.0, 0.0], abs=1e-12)
    assert r.quantiles.shape == (3, 3)


def test_deterministic_from_the_seed() -> None:
    w = random_walk_ratios(100)
    a, b = fixed_d_ratios(w, 300, draws=50, seed=3), fixed_d_ratios(w, 300, draws=50, seed=3)
    assert np.array_equal(a.mean, b.mean) and np.array_equal(a.quantiles, b.quantiles)
    assert not np.array_equal(a.mean, fixed_d_ratios(w, 300, draws=50, seed=4).mean)


def _exact(monkeypatch: pytest.MonkeyPatch, w: np.ndarray, d: int, draws: int, seed: int):
    # tolerance 0: the plan keeps every weight (d-form for d <= m, else Bartlett m x m)
    monkeypatch.setattr(fixed_d, "TRUNCATION_SHARE", 0.0)
    try:
        return fixed_d_ratios(w, d, draws=draws, seed=seed)
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("d", [80, 400])
def test_truncation_agrees_with_the_exact_sampler(monkeypatch: pytest.MonkeyPatch, d: int) -> None:
    """Truncated and exact means agree within Z combined standard errors plus error(J)."""
    w = random_walk_ratios(100)
    plan = truncation_plan(w, d)
    assert plan.heads < w.size  # the truncation is what is tested
    approx = fixed_d_ratios(w, d, draws=1500, seed=1)
    exact = _exact(monkeypatch, w, d, 1500, 2)
    se = np.hypot(approx.standard_error, exact.standard_error)
    assert np.all(np.abs(approx.mean - exact.mean) <= Z * se + plan.error)


def test_a_broken_truncation_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation: leaving the tail out of the trace is caught by the same check."""
    w = random_walk_ratios(100)
    d = 400
    exact = _exact(monkeypatch, w, d, 1500, 2)
    monkeypatch.setattr(fixed_d, "_tail_trace", lambda rng, rest, d, size: np.zeros(size))
    broken = fixed_d_ratios(w, d, draws=1500, seed=1)
    se = np.hypot(broken.standard_error, exact.standard_error)
    assert np.any(np.abs(broken.mean - exact.mean) > Z * se + truncation_plan(w, d).error)


def test_continuum_tends_to_the_paper_at_large_d() -> None:
    r = continuum_ratios(20000, components=3, draws=400)
    paper = 6 / (np.pi**2 * np.arange(1, 4) ** 2)
    assert np.all(np.abs(r.mean - paper) < 0.01 * paper)


def test_peak_bytes_is_a_bound_of_the_allocations() -> None:
    assert peak_bytes(500, 5000) < 2**28


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"weights": [1.0, 2.0], "d": 2}, "decreasing"),
        ({"weights": [1.0, -1.0], "d": 2}, ">= 0"),
        ({"weights": [], "d": 2}, "nonempty"),
        ({"weights": [1.0], "d": 0}, "d = 0"),
        ({"weights": [1.0], "d": 2.5}, "d = 2.5"),
        ({"weights": [1.0, 0.5], "d": 2, "components": 3}, "components = 3"),
        ({"weights": [1.0], "d": 2, "components": 1, "draws": 0}, "draws = 0"),
        ({"weights": [1.0], "d": 2, "components": 1, "levels": (2.0,)}, "levels"),
        ({"weights": [float("nan")], "d": 2}, "nan"),
    ],
)
def test_bad_input_names_the_value(kwargs: dict, word: str) -> None:
    with pytest.raises(ValueError, match="not allowed") as info:
        fixed_d_ratios(**kwargs)
    assert word in str(info.value) and "\n" not in str(info.value)

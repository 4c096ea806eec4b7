"""The committed finite-d study is what the code produces, and its document is generated from it."""

from __future__ import annotations

import dataclasses

import pytest

from rwpca.documents import noise_documents
from rwpca.numerics.walks import noise_evidence, noise_study, simulator
from rwpca.proofs.catalog import get


@pytest.mark.slow  # a regeneration test: CI runs it (pytest -m slow)
@pytest.mark.parametrize(
    ("label", "d"),
    [("gaussian", 1000), ("sparse:density=0.01", 200), ("cauchy", 100), ("mean=0.5", 500)],
)
def test_committed_cells_are_reproduced_from_their_seeds(label, d):
    """Recompute cells of numerics/data/noise_study.json from the same seeds (6 digits)."""
    stored = next(c for c in noise_study.load()["results"][label] if c["d"] == d)
    fresh = noise_study.cell(label, d, stored["draws"])
    for key in ("mean", "sd"):
        assert fresh[key] == pytest.approx(stored[key], rel=1e-5, abs=1e-12)
    for key in ("distance_mean", "distance_median", "norm_mean"):
        assert fresh[key] == pytest.approx(stored[key], rel=1e-5)


def test_study_covers_the_configured_grid():
    data = noise_study.load()
    assert data["n"] == noise_study.N and data["dimensions"] == list(noise_study.DIMENSIONS)
    for label in (*noise_study.FINITE_VARIANCE, *noise_study.FAILING):
        cells = data["results"][label]
        assert [c["d"] for c in cells] == list(noise_study.DIMENSIONS)
        assert all(c["draws"] == noise_study.draws_for(c["d"]) for c in cells)


def test_document_reports_derived_and_measured_parts(generated):
    text = generated[noise_documents.DOCUMENT].decode()
    assert "## What is derived" in text and "## What is measured" in text
    assert noise_documents.FIGURE in generated
    assert f"({noise_documents.DOCUMENT})" in generated["README.md"].decode()
    evidence = generated["rw.noise_independence.md"].decode()
    assert "## Monte-Carlo evidence" in evidence and "`cauchy`" in evidence
    assert "## Monte-Carlo evidence" in generated["ou.distance.md"].decode()


def test_committed_ou_walk_is_reproduced_from_its_seed():
    """numerics/data/noise_evidence.json is what the seeded simulation gives (10 digits)."""
    stored = noise_evidence.load_ou_walk()
    fresh = noise_evidence.simulate_ou_walk(stored.spec)
    assert fresh.spec == noise_evidence.OU_WALK == stored.spec
    assert fresh.squared_norms == pytest.approx(stored.squared_norms, rel=1e-9)
    other = noise_evidence.simulate_ou_walk(dataclasses.replace(stored.spec, seed=2019))
    assert other.squared_norms != pytest.approx(stored.squared_norms, rel=1e-4)


def test_the_noise_documents_simulate_nothing(monkeypatch):
    """derive renders the noise sections from committed data: a simulation would fail here."""

    def refuse(*args, **kwargs):
        raise AssertionError("rwpca derive must not simulate")

    monkeypatch.setattr(simulator, "simulate", refuse)
    monkeypatch.setattr(noise_study, "cell", refuse)
    noise_documents._ou_walk.cache_clear()
    section = noise_documents.entry_section(get("ou.distance"))
    assert "| 400 | 10.2521 |" in section
    assert "## What is measured" in noise_documents.document()


def test_fitted_slopes_follow_the_study():
    """The d^-1/2 law: Gaussian spread slope near -1/2; Cauchy's distance does not shrink."""
    study = noise_study.load()
    assert noise_evidence.fluctuation_slope(study, "gaussian") == pytest.approx(-0.5, abs=0.05)
    summary = noise_evidence.scaling_summary(study)
    assert summary.distance_slope == pytest.approx(0.5, abs=0.1)
    assert set(summary.levels) == set(noise_study.SCALING_N)

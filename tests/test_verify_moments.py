"""Verification of the noise entries by exact second moments, and that it rejects wrong forms."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
import sympy as sp

from rwpca.numerics.verification.entries import verify_entry
from rwpca.numerics.verification.evidence import load_evidence
from rwpca.numerics.verification.moments import (
    LAWS,
    MAX_OUTCOMES,
    gram_deviation,
    law_moments,
    ou_mean_square,
)
from rwpca.proofs.catalog import get
from rwpca.proofs.symbols import alpha, d, kappa, n, sigma, t


def test_enumeration_matches_the_identity_for_every_law():
    for law in LAWS.values():
        _, _, kurt = law_moments(*law)
        assert gram_deviation(*law, n=3, d=2) == Fraction(3) * (3 + 1 + kurt) / 2


def test_enumeration_refuses_too_many_outcomes_and_a_biased_law():
    with pytest.raises(ValueError, match="outcomes"):
        gram_deviation(*LAWS["three-point"], n=5, d=3)
    assert 3**15 > MAX_OUTCOMES
    with pytest.raises(ValueError, match="mean 1/2"):
        gram_deviation((Fraction(0), Fraction(1)), (Fraction(1, 2), Fraction(1, 2)), n=2, d=1)


def test_ou_mean_square_is_the_geometric_sum():
    a = Fraction(1, 10)
    values = ou_mean_square(a, 6)
    assert values == [sum((1 - a) ** (2 * s) for s in range(m)) for m in range(1, 7)]


@pytest.mark.slow  # a regeneration test: CI runs it (pytest -m slow)
@pytest.mark.parametrize("entry_id", ["ou.distance", "rw.noise_independence"])
def test_committed_evidence_is_reproducible(entry_id):
    entry = get(entry_id)
    assert verify_entry(entry).to_json() == load_evidence()[entry_id]


DISTANCE_MUTANTS = {
    "exponent t, not 2t": sigma**2 * (1 - (1 - alpha) ** t) / (alpha * (2 - alpha)),
    "alpha and 1 - alpha swapped": sigma**2 * (1 - alpha ** (2 * t)) / ((1 - alpha) * (1 + alpha)),
    "stationary value only": sigma**2 / (alpha * (2 - alpha)),
    "t shifted by one": sigma**2 * (1 - (1 - alpha) ** (2 * t + 2)) / (alpha * (2 - alpha)),
    "sigma, not sigma^2": sigma * (1 - (1 - alpha) ** (2 * t)) / (alpha * (2 - alpha)),
    "small-alpha form": sigma**2 * (1 - (1 - alpha) ** (2 * t)) / (2 * alpha),
}

NOISE_MUTANTS = {
    "kurtosis dropped": n * (n + 1) / d,
    "kurtosis doubled": n * (n + 1 + 2 * kappa) / d,
    "n^2 / d": n**2 / d,
    "n - 1 for n + 1": n * (n - 1 + kappa) / d,
    "relative 1 + 1/d^2": n * (n + 1 + kappa) / d * (1 + 1 / d**2),
}


@pytest.mark.parametrize("name", sorted(DISTANCE_MUTANTS))
def test_distance_verifier_rejects_wrong_forms(name):
    entry = dataclasses.replace(get("ou.distance"), rhs=DISTANCE_MUTANTS[name])
    assert verify_entry(entry, sizes=(2, 5, 13)).verdict == "refuted"


@pytest.mark.parametrize("name", sorted(NOISE_MUTANTS))
def test_noise_verifier_rejects_wrong_forms(name):
    entry = dataclasses.replace(get("rw.noise_independence"), rhs=NOISE_MUTANTS[name])
    assert verify_entry(entry, sizes=(2, 3)).verdict == "refuted"


def test_equivalent_forms_are_accepted():
    distance = dataclasses.replace(
        get("ou.distance"),
        rhs=sigma**2 * sp.Sum((1 - alpha) ** (2 * sp.Symbol("s")), (sp.Symbol("s"), 0, t - 1)),
    )
    assert verify_entry(distance, sizes=(2, 5)).verdict == "exact"
    noise = dataclasses.replace(get("rw.noise_independence"), rhs=(n**2 + n + n * kappa) / d)
    assert verify_entry(noise, sizes=(2, 3)).verdict == "exact"


def test_nothing_enumerable_is_undecided():
    evidence = verify_entry(get("rw.noise_independence"), sizes=(40,))
    assert evidence.verdict == "undecided" and not evidence.passed

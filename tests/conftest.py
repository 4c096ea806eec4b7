"""Shared test configuration: the Hypothesis profiles live here and only here.

* ``ci``: deterministic (derandomised), few examples, no deadline; loaded automatically
  when the environment variable CI is set (as CI does), so a CI run is reproducible.
* ``dev``: the default for local runs: random, a moderate number of examples.
* ``thorough``: many examples for long runs: ``HYPOTHESIS_PROFILE=thorough pytest``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=20,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile(
    "thorough",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(scope="session")
def derivations():
    """Every catalog derivation, computed once per test session."""
    from rwpca.documents.generate import derive_all

    return derive_all(progress=False)


@pytest.fixture(scope="session")
def generated(derivations):
    """The full derivations/ tree as generated in this process, as ``rwpca derive --check``
    generates it: every figure by its data fingerprint (drawn: test_cli_speed.py and the
    slow determinism test). Plain bytes: a test that writes this tree writes the
    fingerprint PNGs and draws nothing (generate.write draws a PendingFigure only)."""
    from rwpca.documents.generate import generate

    files = generate(progress=False, draw=False, derivations=derivations)
    return {path: bytes(data) for path, data in files.items()}

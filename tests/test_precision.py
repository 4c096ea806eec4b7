"""Float32 Gram pass against float64 on adversarial trajectories, and the shortcuts it avoids.

The module docstring of :mod:`rwpca.numerics.trajectories.gram` derives why float32
checkpoints may be multiplied in float32: steps are formed (and the block's mean step
removed) before the product, and the block products are summed in float64. Here the
explained-variance ratios of such a pass are held to 1e-6 relative against a float64
computation on the same float32 numbers, on data built to break a careless float32 path: a
common offset 10^4 times a step, tiny steps, and a drift that dominates the noise. Each
shortcut (no subtraction before the product, displacements from the first checkpoint,
steps without the mean step, and the naive float32 pass that also sums the block products
in float32) is run through the same comparison and must fail it: the comparison can tell.
(Summing the *reference-step* products in float32 measures 1e-7 to 1e-6 here: once the
mean step is removed, float32 sums are nearly harmless; the float64 sums cost nothing and
keep the worst-case bound.)
"""

from __future__ import annotations

import numpy as np
import pytest

from rwpca.numerics.trajectories import gram
from rwpca.numerics.trajectories.readers import open_trajectory

TOLERANCE = 1e-6  # relative, on each of the first K ratios
K = 5
BLOCK = 8192


def adversarial(n: int, d: int, drift: float, seed: int = 0) -> np.ndarray:
    """float32 checkpoints: offset ~ 100 per parameter, steps ~ 1e-3, optional drift."""
    rng = np.random.default_rng(seed)
    steps = rng.standard_normal((n - 1, d)) * 1e-3
    steps += drift * 1e-3 * rng.choice([-1.0, 1.0], d)  # the same direction at every step
    offset = 100.0 * (1.0 + rng.random(d))
    X = np.vstack([np.zeros(d), np.cumsum(steps, axis=0)]) + offset
    return X.astype(np.float32)


def ratios(G: np.ndarray) -> np.ndarray:
    values = np.linalg.eigvalsh(gram.centred_gram(G))[::-1]
    return values / values.sum()


def reference(X: np.ndarray) -> np.ndarray:
    """Displacement Gram matrix in float64 of the same float32 numbers (exact differences)."""
    Y = X.astype(np.float64)
    Y -= Y[0]
    return Y @ Y.T


def error(G: np.ndarray, X: np.ndarray) -> float:
    expected = ratios(reference(X))[:K]
    return float(np.max(np.abs(ratios(G)[:K] / expected - 1)))


# --- the shortcuts (each a plausible float32 implementation) ---------------------------------


def raw_products(X: np.ndarray) -> np.ndarray:
    """Multiply the checkpoints as stored, subtract the first one afterwards."""
    R = gram.accumulate(gram.column_blocks(X, BLOCK), n=X.shape[0])
    return R - R[:1] - R[:, :1] + R[0, 0]


def displacements(X: np.ndarray) -> np.ndarray:
    """Subtract the first checkpoint in float32, multiply displacements (the former reader)."""
    return gram.accumulate((B - B[0] for B in gram.column_blocks(X, BLOCK)), n=X.shape[0])


def plain_steps(X: np.ndarray) -> np.ndarray:
    """Steps before the product, but without removing the block's mean step."""
    M = gram.accumulate((B[1:] - B[:-1] for B in gram.column_blocks(X, BLOCK)), n=X.shape[0] - 1)
    return gram.displacement_gram(M)


def float32_sums(X: np.ndarray) -> np.ndarray:
    """The naive float32 pass: steps multiplied block by block, summed in float32."""
    total = np.zeros((X.shape[0] - 1, X.shape[0] - 1), dtype=np.float32)
    for B in gram.column_blocks(X, BLOCK):
        S = B[1:] - B[:-1]
        total += S @ S.T
    return gram.displacement_gram(total.astype(np.float64))


SHORTCUTS = {
    "raw products": (raw_products, 0.0),
    "displacements": (displacements, 10.0),
    "steps without the mean step": (plain_steps, 10.0),
    "steps summed in float32": (float32_sums, 10.0),
}


@pytest.mark.parametrize(("n", "d"), [(50, 1 << 17), (200, 1 << 15)])
@pytest.mark.parametrize("drift", [0.0, 10.0])
def test_float32_pass_agrees_with_float64(n, d, drift):
    X = adversarial(n, d, drift)
    trajectory = open_trajectory(X)
    assert trajectory.precision == np.float32
    assert error(trajectory.gram(block=BLOCK), X) < TOLERANCE


def test_float32_pass_of_a_npy_file_agrees_with_float64(tmp_path):
    X = adversarial(60, 50_000, 10.0, seed=1)
    np.save(tmp_path / "x.npy", X)
    G = open_trajectory(tmp_path / "x.npy").gram(block=4096)
    assert error(G, X) < TOLERANCE


@pytest.mark.parametrize("name", SHORTCUTS)
def test_each_shortcut_fails_the_comparison(name):
    shortcut, drift = SHORTCUTS[name]
    X = adversarial(50, 1 << 17, drift)
    assert error(shortcut(X), X) > 10 * TOLERANCE


def test_float64_input_is_multiplied_in_float64():
    X = adversarial(40, 20_000, 10.0).astype(np.float64)
    X += np.random.default_rng(5).standard_normal(X.shape) * 1e-9  # not float32 numbers
    trajectory = open_trajectory(X)
    assert trajectory.precision == np.float64
    assert error(trajectory.gram(block=4096), X) < 1e-11


def test_float32_block_whose_squares_overflow_is_multiplied_in_float64():
    """Finite float32 values beyond 1e19: the float32 product overflows, float64 does not."""
    X = np.cumsum(np.random.default_rng(2).standard_normal((6, 300)), axis=0) * 3e19
    X32 = X.astype(np.float32)
    assert np.isfinite(X32).all()
    G = open_trajectory(X32).gram(block=100)
    assert np.allclose(G, reference(X32), rtol=1e-5)

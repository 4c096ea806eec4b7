"""The streaming Gram accumulator equals the dense product, whatever the block size."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rwpca.numerics.trajectories import gram


@given(
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=1, max_value=50),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_blocked_gram_equals_dense(n, d, block, seed):
    """gram(X, block) = X X^T for every block size."""
    X = np.random.default_rng(seed).standard_normal((n, d))
    assert np.allclose(gram.gram(X, block=block), X @ X.T, rtol=1e-12, atol=1e-12)


def test_centred_gram_is_gram_of_centred_rows():
    X = np.random.default_rng(1).standard_normal((7, 30))
    Xc = X - X.mean(axis=0)
    assert np.allclose(gram.centred_gram(X @ X.T), Xc @ Xc.T)


def test_gram_of_memory_map(tmp_path):
    X = np.random.default_rng(2).standard_normal((5, 100))
    np.save(tmp_path / "x.npy", X)
    mm = np.load(tmp_path / "x.npy", mmap_mode="r", allow_pickle=False)
    assert np.allclose(gram.gram(mm, block=7), X @ X.T)


@pytest.mark.parametrize(
    ("blocks", "message"),
    [
        ([np.ones((3, 2)), np.ones((4, 2))], "expected n = 3"),
        ([np.array([[1.0, np.nan]])], "NaN or infinity"),
        ([np.ones(3)], "must be 2-D"),
        ([], "no blocks given"),
    ],
)
def test_bad_blocks(blocks, message):
    with pytest.raises(ValueError, match=message):
        gram.accumulate(blocks)

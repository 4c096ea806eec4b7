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


def test_prefetched_yields_everything_in_order_and_raises_the_producers_error():
    assert list(gram.prefetched(iter(range(100)))) == list(range(100))

    def failing():
        yield 1
        raise ValueError("the producer failed")

    with pytest.raises(ValueError, match="the producer failed"):
        list(gram.prefetched(failing()))


def test_prefetched_stops_and_closes_the_producer_when_left_early():
    closed = []

    def endless():
        try:
            k = 0
            while True:
                yield k
                k += 1
        finally:
            closed.append(True)

    for k in gram.prefetched(endless()):
        if k == 3:
            break
    assert closed == [True]


def test_float32_blocks_are_multiplied_in_float32_and_summed_in_float64():
    B = np.random.default_rng(4).standard_normal((5, 64)).astype(np.float32)
    assert gram.block_product(B).dtype == np.float32
    total = gram.accumulate([B, B])
    assert total.dtype == np.float64
    assert np.allclose(total, 2 * (B.astype(np.float64) @ B.T.astype(np.float64)), rtol=1e-5)
    assert gram.accumulate([B.astype(np.int16)]).dtype == np.float64


def test_a_nan_anywhere_is_found_from_the_diagonal_of_the_product():
    for row, column in [(0, 0), (3, 17), (4, 63)]:
        B = np.ones((5, 64), dtype=np.float32)
        B[row, column] = np.nan
        with pytest.raises(gram.NonFiniteBlock):
            gram.block_product(B)
        B[row, column] = -np.inf
        with pytest.raises(gram.NonFiniteBlock):
            gram.block_product(gram.reference_steps(B, np.float32))


def test_steps_gram_and_displacement_gram_rebuild_the_gram_of_the_checkpoints():
    X = np.random.default_rng(6).standard_normal((7, 40)) + 5.0
    A = gram.reference_steps(X)
    G = gram.displacement_gram(gram.steps_gram(A @ A.T))
    Y = X - X[0]
    assert np.allclose(G, Y @ Y.T, rtol=1e-12, atol=1e-12)

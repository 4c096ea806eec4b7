"""Streaming Gram matrices: G = X X^T for an n x d matrix read block by block over d.

PCA of a trajectory (n points in d dimensions, d >> n) needs only the n x n Gram matrix
of its rows. Accumulating it over column blocks keeps peak memory at O(n^2 + n * block)
whatever d is, and every block product is one BLAS call (``B @ B.T``, which NumPy runs as
a symmetric rank-k update). This module is shared by the walk simulator (Gram matrix of
the noise steps) and the trajectory reader (Gram matrix of the checkpoints).

>>> import numpy as np
>>> X = np.arange(12.0).reshape(3, 4)
>>> bool(np.allclose(gram(X, block=3), X @ X.T))
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

#: Default number of columns per block: an n = 1000 block of float64 is 64 MiB.
DEFAULT_BLOCK = 8192


def column_blocks(X: np.ndarray, block: int = DEFAULT_BLOCK) -> Iterator[np.ndarray]:
    """Views of X[:, j:j + block] for j = 0, block, 2 block, ... (works on memory maps)."""
    if block < 1:
        raise ValueError(f"block = {block} is not allowed: block must be an integer >= 1")
    d = X.shape[1]
    for start in range(0, d, block):
        yield X[:, start : start + block]


def accumulate(blocks: Iterable[np.ndarray], n: int | None = None) -> np.ndarray:
    """Sum of B B^T over the blocks (each n x b), in float64.

    Raises ValueError if the blocks disagree on n, or contain NaN or infinity.
    """
    total: np.ndarray | None = None
    for index, raw in enumerate(blocks):
        B = np.asarray(raw, dtype=np.float64)
        if B.ndim != 2:
            raise ValueError(f"block {index} has shape {B.shape}: blocks must be 2-D (n x b)")
        if n is None:
            n = B.shape[0]
        if B.shape[0] != n:
            raise ValueError(f"block {index} has {B.shape[0]} rows: expected n = {n}")
        if not np.isfinite(B).all():
            raise ValueError(f"block {index} contains NaN or infinity: values must be finite")
        product = B @ B.T
        if total is None:
            total = product
        else:
            total += product  # in place: one n x n temporary fewer at the peak
        # drop this block before the next one is produced: one block alive at a time
        del raw, B, product
    if total is None:
        if n is None:
            raise ValueError("no blocks given: need at least one column")
        return np.zeros((n, n))
    return total


def gram(X: np.ndarray, block: int = DEFAULT_BLOCK) -> np.ndarray:
    """X X^T for an n x d array (ndarray or memory map), streamed over column blocks."""
    X = np.asarray(X) if not isinstance(X, np.ndarray) else X
    if X.ndim != 2:
        raise ValueError(f"X has shape {X.shape}: expected a 2-D array (n x d)")
    return accumulate(column_blocks(X, block), n=X.shape[0])


def centred_gram(G: np.ndarray) -> np.ndarray:
    """C G C with C = I - 1 1^T / n: the Gram matrix of the rows after removing their mean."""
    G = np.asarray(G, dtype=np.float64)
    row = G.mean(axis=0, keepdims=True)
    return G - row - row.T + G.mean()


def pca_from_gram(G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (descending) and unit eigenvectors (columns) of a centred Gram matrix.

    For a centred trajectory X^ (n x d), the eigenvalues of X^ X^T are the PCA variances
    times n and its eigenvectors are the time courses of the projections (the projection
    on component k is sqrt(lambda_k) u_k).
    """
    values, vectors = np.linalg.eigh(np.asarray(G, dtype=np.float64))
    order = np.argsort(values)[::-1]
    return values[order], vectors[:, order]

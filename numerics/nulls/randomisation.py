"""The replicates of the randomisation test, all at once: spectra and traces of reshuffled walks.

A replicate of the test (:mod:`rwpca.numerics.trajectories.analysis`) is the walk whose
steps are the trajectory's, reordered by a permutation ``o`` and/or sign-flipped by ``s``:
its step Gram matrix is ``M_b[a, c] = s_a s_c M[o_a, o_c]`` and its centred Gram matrix
``K_b = C L0 M_b L0^T C``. The test needs, per replicate, the leading eigenpairs of ``K_b``
and its trace. Neither needs ``M_b``:

* **Products.** ``M_b V = S P M P^T S V``: the permutation and the signs act on the rows
  of the n x w block ``V`` (a gather and a scatter), and the products of *all* replicates
  with the one matrix ``M`` are a single GEMM ``M [Z_1 ... Z_B]`` (N x N times N x B w),
  which runs at the machine's GEMM rate instead of B memory-bound skinny products. The
  gather also lays the vectors out as that GEMM needs them (no extra copy).
* **Spectra.** A batched block Krylov method (block size ``count + 5``, full
  reorthogonalisation) started from the random-walk cosines, which are the exact answer for
  the plain walk and close to it for every null: a Krylov space of depth j costs j products
  and converges like a Chebyshev polynomial of degree j, where subspace iteration would
  need about twice as many. Convergence is certified per replicate by the Ritz residuals:
  a Ritz value theta with residual norm r and distance delta to the other Ritz values lies
  within ``r^2 / (delta - r)`` of an eigenvalue (Kato-Temple); a replicate is done when that
  is at most ``TOLERANCE`` times its largest Ritz value, and replicates that do not
  converge by depth ``_MAX_DEPTH`` (or small walks, n <= 4 w) are decomposed densely.
* **Traces.** ``tr K_b = sum(M_b * W)`` with the fixed ``W = L0^T C L0``,
  ``W_ac = min(a, c) - a c / n``. Without a permutation this is ``s^T (M * W) s``, one
  batched product for all replicates; with one, the weights move instead of ``M``: an
  outer minimum of the steps' positions times ``M`` (contiguous, O(N^2) per replicate,
  no gather) and one batched product for the rank-one part (:func:`traces`).
* **Filtered replicates** (nulls (d) and (e), :class:`Replicates` with a
  ``step_filter`` F): the steps are ``F`` of reordered innovations, so
  ``M_b = F P E P^T F^T``. The Krylov products apply ``F^T`` before the scatter and
  ``F`` after the gather (O(n w) each,
  :class:`~rwpca.numerics.linalg.filters.FirstOrderFilter`), around the same single GEMM
  with the innovations' Gram matrix E;
  the traces and lag cosines need one gather of ``P E P^T`` per replicate
  (:func:`filtered_moments`).

The draws are those of one replicate at a time (:func:`draw`: the same generator calls in
the same order), so the replicates, and the test's p-values, are the same as when each
replicate's ``M_b`` was formed explicitly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rwpca.numerics.linalg.filters import FirstOrderFilter
from rwpca.numerics.nulls.autocorrelation import cosines_of_diagonals
from rwpca.numerics.trajectories.gram import centred_gram

#: Relative accuracy (to the largest eigenvalue) certified for every leading Ritz value.
TOLERANCE = 1e-10
#: Krylov blocks at most before a replicate is decomposed densely.
_MAX_DEPTH = 8
#: Block size beyond the wanted components.
_EXTRA = 5
#: Depth of the first certification (shallower spaces of cosine-started walks are rarely
#: certified, and each check costs a Rayleigh-Ritz step per replicate).
_FIRST_CHECK = 3
#: Replicates per batch: their n x w blocks stay in cache between the passes over them,
#: and the GEMM of a batch (N x N times N x 40 w) still runs at full rate.
_CHUNK = 40


def peak_bytes(n: int, replicates: int, count: int) -> int:
    """An upper estimate of the memory of :func:`draw`, :func:`spectra` and :func:`traces`
    for walks of n points, in bytes (beyond ``M`` itself).

    A batch of ``_CHUNK`` replicates holds its Krylov basis and images (twice over while a
    space grows past the planned depth) and the operator's temporaries, about five n x w
    blocks; all replicates keep their draws and eigenvectors; the traces use one float64 and
    one float32 N x N buffer.
    """
    width = count + _EXTRA
    batch = min(_CHUNK, replicates)
    depth = max(1, min(_MAX_DEPTH, (n // 2) // width))
    krylov = 8 * batch * n * width * (4 * depth + 6)
    kept = 8 * replicates * (n * count + count) + 16 * replicates * n
    return krylov + kept + 12 * n * n


def draw(
    rng: np.random.Generator, N: int, replicates: int, permute: bool, flip: bool
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Permutations (replicates x N) and signs (replicates x N) of the steps, or None.

    Per replicate, in order: ``rng.permutation(N)`` if ``permute``, then
    ``rng.choice([-1.0, 1.0], N)`` if ``flip`` (the generator's stream is the same as when
    each replicate drew its own just before use).
    """
    orders = np.empty((replicates, N), dtype=np.intp) if permute else None
    signs = np.empty((replicates, N)) if flip else None
    choices = np.array([-1.0, 1.0])
    for b in range(replicates):
        if orders is not None:
            orders[b] = rng.permutation(N)
        if signs is not None:
            signs[b] = rng.choice(choices, N)
    return orders, signs


def replicate_gram(
    M: np.ndarray,
    order: np.ndarray | None,
    sign: np.ndarray | None,
    step_filter: FirstOrderFilter | None = None,
) -> np.ndarray:
    """``M_b`` of one replicate, formed explicitly (small walks and the dense fallback):
    ``F S P M P^T S F^T`` (each factor only where given)."""
    if order is not None:
        M = M[np.ix_(order, order)]
    if sign is not None:
        M = M * sign[:, None] * sign[None, :]
    if step_filter is not None:
        M = step_filter.both_sides(M)
    return M


@dataclass(frozen=True)
class Replicates:
    """The B replicates of a null as one plan: replicate b's step Gram matrix is
    ``F S_b P_b gram P_b^T S_b F^T`` (reordered by ``orders[b]``, sign-flipped by
    ``signs[b]``, filtered by ``step_filter``; each only where given)."""

    gram: np.ndarray
    orders: np.ndarray | None
    signs: np.ndarray | None
    step_filter: FirstOrderFilter | None = None

    def __len__(self) -> int:
        reference = self.orders if self.orders is not None else self.signs
        if reference is None:
            raise ValueError("orders and signs are both None: nothing to randomise")
        return int(reference.shape[0])

    def gram_of(self, b: int) -> np.ndarray:
        """Replicate b's step Gram matrix, formed explicitly (the reference)."""
        order = None if self.orders is None else self.orders[b]
        sign = None if self.signs is None else self.signs[b]
        return replicate_gram(self.gram, order, sign, self.step_filter)


def _walk_gram(step_gram: np.ndarray) -> np.ndarray:
    N = step_gram.shape[0]
    G = np.zeros((N + 1, N + 1))
    G[1:, 1:] = np.cumsum(np.cumsum(step_gram, axis=0), axis=1)
    return centred_gram(G)


def walk_weights(n: int) -> np.ndarray:
    """``W = L0^T C L0`` (N x N): ``W_ac = min(a, c) (n - max(a, c)) / n`` (a, c = 1..N),
    so that the trace of the walk with step Gram matrix M is ``sum(M * W)``."""
    a = np.arange(1, n, dtype=float)
    low, high = np.minimum.outer(a, a), np.maximum.outer(a, a)
    return low * (n - high) / n


def traces(
    M: np.ndarray, orders: np.ndarray | None, signs: np.ndarray | None, W: np.ndarray
) -> np.ndarray:
    """``tr K_b = sum(M_b * W)`` for every replicate.

    Without a permutation: ``s^T (M * W) s``, one product for all replicates. With one,
    no gather of ``M``: ``W_ac = min(a, c) - a c / n`` (positions a, c = 1..N), so with
    ``r_i`` the position of the trajectory's step i in the replicate and ``g_i`` its sign,
    ``tr K_b = g^T (M * min(r_i, r_j)) g - (g r)^T M (g r) / n``: an outer minimum and an
    elementwise product (contiguous, vectorised) per replicate, and one product for the
    quadratic forms of all replicates.
    """
    if orders is None:
        assert signs is not None
        weighted = (M * W) @ signs.T  # (N, B): one product for all replicates
        return np.einsum("ab,ba->b", weighted, signs)
    replicates, N = orders.shape
    inverse = np.argsort(orders, axis=1)
    ranks = inverse + 1.0
    g = None if signs is None else np.take_along_axis(signs, inverse, axis=1)
    V = ranks if g is None else g * ranks
    found = -np.einsum("bi,ib->b", V, M @ V.T) / (N + 1)
    smaller = np.empty((N, N), dtype=np.float32)  # ranks < 2^24: exact in float32
    buffer = np.empty((N, N))
    low = ranks.astype(np.float32)
    for b in range(replicates):
        np.minimum.outer(low[b], low[b], out=smaller)
        np.multiply(M, smaller, out=buffer)
        found[b] += buffer.sum() if g is None else g[b] @ (buffer @ g[b])
    return found


def filtered_moments(plan: Replicates, W: np.ndarray, lags: int) -> tuple[np.ndarray, np.ndarray]:
    """(traces B, lag cosines B x lags) of a filtered plan's replicates.

    With ``A_b = S_b P_b M P_b^T S_b`` the reordered Gram matrix, ``tr K_b = sum(A_b *
    F^T W F)`` and the lag cosines are read off the diagonals of ``F A_b F^T``
    (:meth:`~rwpca.numerics.linalg.filters.FirstOrderFilter.lag_products`): one gather of
    A_b and O(N^2) contiguous work per replicate, no filter of an N x N matrix.
    """
    F = plan.step_filter
    assert F is not None
    M = np.ascontiguousarray(plan.gram)
    N = M.shape[0]
    weights = F.adjoint(F.adjoint(W, 0), 1)  # F^T W F
    flat = M.ravel()
    count = len(plan)
    found = np.empty(count)
    cosines = np.empty((count, lags))
    for b in range(count):
        if plan.orders is not None:
            order = plan.orders[b]
            A = np.take(flat, order[:, None] * N + order[None, :])
        else:
            A = M.copy()
        if plan.signs is not None:
            A *= plan.signs[b][:, None] * plan.signs[b][None, :]
        found[b] = np.vdot(A, weights)
        cosines[b] = cosines_of_diagonals(F.lag_products(A, min(lags, N - 1)), lags)
    return found, cosines


class _Operator:
    """``V -> K_b V`` for a batch of replicates, V of shape (B, n, w), each column of mean
    zero over t (the range of ``K_b``: the Krylov spaces here never leave it)."""

    def __init__(
        self,
        M: np.ndarray,
        orders: np.ndarray | None,
        signs: np.ndarray | None,
        step_filter: FirstOrderFilter | None = None,
    ):
        self.M, self.orders, self.signs, self.filter = M, orders, signs, step_filter
        B, N = (orders if orders is not None else signs).shape  # type: ignore[union-attr]
        n = N + 1
        self.later = np.arange(N, 0, -1, dtype=float) / n  # (n - a) / n, a = 1..N
        self.scatter = self.gather = None
        if orders is not None:
            # row (i, b) of the GEMM's (N, B, w) input is step inv_b(i) of replicate b,
            # read from the reversed cumulative sum (the sum over t >= a sits at n - 2 - a),
            # or, with a filter, from F^T of the sums in their natural order
            inverse = np.argsort(orders, axis=1)
            rows = inverse.T if step_filter is not None else n - 2 - inverse.T
            stride = N if step_filter is not None else n
            self.scatter = (np.arange(B)[None, :] * stride + rows).ravel()
            # row (b, a) of the result is row o_b(a) of the GEMM's output for replicate b
            self.gather = (orders * B + np.arange(B)[:, None]).ravel()
            if signs is not None:
                self.scatter_signs = np.take_along_axis(signs, inverse, axis=1).T[:, :, None]

    def subset(self, keep: np.ndarray) -> _Operator:
        return _Operator(
            self.M,
            None if self.orders is None else self.orders[keep],
            None if self.signs is None else self.signs[keep],
            self.filter,
        )

    def __call__(self, V: np.ndarray) -> np.ndarray:
        B, n, w = V.shape
        N = n - 1
        # V is mean-zero over t (the cosines and K's images are), so C V = V
        reversed_sums = np.cumsum(V[:, ::-1], axis=1)
        if self.filter is not None:  # F^T L0^T C V, natural order
            reversed_sums = self.filter.adjoint(reversed_sums[:, -2::-1], axis=1)
        if self.scatter is not None:
            Z = np.take(reversed_sums.reshape(-1, w), self.scatter, axis=0)
            if self.signs is not None:
                Z.reshape(N, B, w).__imul__(self.scatter_signs)
        else:  # L0^T C V (sums over t >= a) in the GEMM's layout
            back = reversed_sums if self.filter is not None else reversed_sums[:, -2::-1]
            if self.signs is not None:
                back = back * self.signs[:, :, None]
            Z = np.ascontiguousarray(back.transpose(1, 0, 2))
        Y = (self.M @ Z.reshape(N, B * w)).reshape(N * B, w)
        if self.gather is not None:
            steps = np.take(Y, self.gather, axis=0).reshape(B, N, w)
        else:
            steps = Y.reshape(N, B, w).transpose(1, 0, 2)
        if self.signs is not None:
            steps = steps * self.signs[:, :, None]
        if self.filter is not None:
            steps = self.filter.forward(steps, axis=1)
        out = np.empty((B, n, w))
        out[:, 0] = 0.0
        np.cumsum(steps, axis=1, out=out[:, 1:])  # L0 (...)
        # C: the mean over t of the partial sums is sum_a (n - a) step_a / n
        out -= (self.later @ steps.reshape(B, N, w))[:, None, :]
        return out


def _orthonormal(Z: np.ndarray, basis: np.ndarray | None) -> np.ndarray:
    """Z (B, n, w) orthogonalised against ``basis`` (B, n, m) twice, then orthonormalised."""
    if basis is not None:
        for _ in range(2):
            Z = Z - basis @ (basis.transpose(0, 2, 1) @ Z)
    Q, _ = np.linalg.qr(Z)
    return Q


def spectra(
    M: np.ndarray,
    orders: np.ndarray | None,
    signs: np.ndarray | None,
    count: int,
    start: Callable[[int, int], np.ndarray],
    step_filter: FirstOrderFilter | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Leading ``count`` eigenvalues (B x count, descending) and unit eigenvectors
    (B x n x count) of every replicate's ``K_b``; ``start(n, w)`` gives the n x w
    orthonormal start block (the random-walk cosines). With ``step_filter`` F the
    replicates' step Gram matrices are ``F M_b F^T`` (the dynamics nulls), and the
    filter is applied to the Krylov blocks on both sides of the one GEMM."""
    N = M.shape[0]
    n = N + 1
    replicates = len(orders) if orders is not None else len(signs)  # type: ignore[arg-type]
    width = count + _EXTRA
    values = np.empty((replicates, count))
    vectors = np.empty((replicates, n, count))
    todo = np.arange(replicates)
    if n > 4 * (count + 10):
        Q0 = start(n, width)
        left = []
        for low in range(0, replicates, _CHUNK):
            part = slice(low, low + _CHUNK)
            found = _krylov(
                M,
                None if orders is None else orders[part],
                None if signs is None else signs[part],
                count,
                width,
                Q0,
                values[part],
                vectors[part],
                step_filter,
            )
            left.append(found + low)
        todo = np.concatenate(left)
    for b in todo:  # small walks, and replicates the Krylov method did not certify
        order = None if orders is None else orders[b]
        sign = None if signs is None else signs[b]
        found, basis = np.linalg.eigh(_walk_gram(replicate_gram(M, order, sign, step_filter)))
        values[b], vectors[b] = found[::-1][:count], basis[:, ::-1][:, :count]
    return values, vectors


def _krylov(
    M: np.ndarray,
    orders: np.ndarray | None,
    signs: np.ndarray | None,
    count: int,
    width: int,
    Q0: np.ndarray,
    values: np.ndarray,
    vectors: np.ndarray,
    step_filter: FirstOrderFilter | None = None,
) -> np.ndarray:
    """Fill ``values``/``vectors`` of the replicates it certifies; return the others."""
    replicates = values.shape[0]
    n = Q0.shape[0]
    operator = _Operator(M, orders, signs, step_filter)
    active = np.arange(replicates)
    depth_max = min(_MAX_DEPTH, (n // 2) // width)
    planned = min(depth_max, _FIRST_CHECK)  # the space most replicates are certified in
    basis = np.empty((replicates, n, width * planned))
    images = np.empty_like(basis)
    basis[:, :, :width] = Q0
    images[:, :, :width] = operator(basis[:, :, :width])
    for depth in range(1, depth_max + 1):
        m = depth * width
        if depth >= _FIRST_CHECK:
            done = _certified(basis[:, :, :m], images[:, :, :m], count, active, values, vectors)
            if done.all():
                return active[:0]
            if done.any():
                keep = ~done
                active, basis, images = active[keep], basis[keep], images[keep]
                operator = operator.subset(keep)
        if depth == depth_max:
            break
        if basis.shape[2] < m + width:  # beyond the planned depth: room for one more block
            grown = np.empty((basis.shape[0], n, m + width))
            grown_images = np.empty_like(grown)
            grown[:, :, :m], grown_images[:, :, :m] = basis[:, :, :m], images[:, :, :m]
            basis, images = grown, grown_images
        block = _orthonormal(images[:, :, m - width : m], basis[:, :, :m])
        basis[:, :, m : m + width] = block
        images[:, :, m : m + width] = operator(block)
    return active


def _certified(
    basis: np.ndarray,
    images: np.ndarray,
    count: int,
    active: np.ndarray,
    values: np.ndarray,
    vectors: np.ndarray,
) -> np.ndarray:
    """Rayleigh-Ritz on each replicate's Krylov space; store and flag the certified ones."""
    H = basis.transpose(0, 2, 1) @ images
    theta, S = np.linalg.eigh((H + H.transpose(0, 2, 1)) / 2)
    theta, top = theta[:, ::-1], S[:, :, ::-1][:, :, :count]
    ritz = basis @ top
    residual = images @ top - ritz * theta[:, None, :count]
    r = np.linalg.norm(residual, axis=1)  # (B, count)
    others = np.abs(theta[:, :count, None] - theta[:, None, :])
    others[:, np.arange(count), np.arange(count)] = np.inf
    delta = others.min(axis=2) - r
    scale = np.maximum(theta[:, :1], np.finfo(float).tiny)
    done = np.all((delta > 0) & (r**2 <= TOLERANCE * scale * delta), axis=1)
    values[active[done]] = theta[done, :count]
    vectors[active[done]] = ritz[done]
    return done

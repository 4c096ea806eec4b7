r"""CountSketch of parameter vectors, and the error it puts on the explained-variance ratios.

**The sketch.** ``S`` is m x d with one entry ``s(j) = +-1`` per column, in row ``h(j)``:
``(S x)_i = sum_{j: h(j) = i} s(j) x_j`` (CountSketch; Charikar, Chen & Farach-Colton 2002,
the sparsest Johnson-Lindenstrauss transform). ``h`` and ``s`` are a seeded hash of the
coordinate's place in the canonical order (SplitMix64's output function), so S is never
stored: a snapshot is sketched tensor by tensor, in blocks, as a weighted ``bincount``
into 2m bins (bin ``2 h(j) + [s(j) < 0]``), and a run costs n x m numbers. The bins of
the first ``d`` coordinates are computed once and kept (8 bytes per parameter).

**Why the Gram matrix survives.** For fixed vectors ``a, b, c, e`` (here the centred
displacements ``B_i`` of checkpoints) and independent uniform ``h``, ``s``,
``<Sa, Sb> = a.b + sum_{p != q} a_p b_q s_p s_q [h_p = h_q]``, so ``E <Sa, Sb> = a.b``
and only the pairs ``{p, q} = {r, t}`` correlate (``E [h_p = h_q] = 1/m``)::

    Cov(<Sa,Sb>, <Sc,Se>) = ((a.c)(b.e) + (a.e)(b.c) - 2 sum_p a_p b_p c_p e_p) / m.

The sketched centred Gram matrix ``G^ = C Y Y^T C`` (``Y`` the n x m sketches) is
therefore unbiased, ``E G^ = G``, with ``Cov(G^_ij, G^_kl) = (G_ik G_jl + G_il G_jk)/m``
minus the fourth-moment term, which is the covariance of a Wishart matrix with m degrees
of freedom (a Gaussian sketch has exactly that) less a term of relative size
``sum_p w_p^4 ~ 1 / d_eff`` for unit directions ``w`` in parameter space.

**Error of each ratio (first order).** Let ``G = sum_j lambda_j u_j u_j^T``,
``T = tr G``, ``rho_k = lambda_k / T`` and ``E = G^ - G``. To first order in E,
``lambda^_k = lambda_k + u_k^T E u_k`` and ``T^ = T + tr E``, so

    rho^_k - rho_k = tr(E P_k) / T,   P_k = u_k u_k^T - rho_k I.

For Wishart-like E, ``Var tr(E P) = (2/m) tr((G P)^2)``; with ``G P_k = lambda_k u_k u_k^T -
rho_k G``, ``tr((G P_k)^2) = lambda_k^2 (1 - 2 rho_k) + rho_k^2 sum_j lambda_j^2``, hence

    sd(rho^_k) = rho_k sqrt(2 (1 - 2 rho_k + sum_j rho_j^2) / m)      (:func:`ratio_sd`).

The dropped fourth-moment term only lowers the variance, so for CountSketch this is an
upper bound at first order (exact for a Gaussian sketch). Regime: valid while the
relative error ``sqrt(2/m)`` is small against the relative eigenvalue gaps
``(lambda_k - lambda_{k+1}) / lambda_k`` (about ``2/k`` for a random walk); second-order
terms, including the bias ``(1/m) sum_{j != k} lambda_j / (lambda_k - lambda_j)`` of
``lambda^_k / lambda_k``, are O(1/m). It is evaluated at the sketched ratios (plug-in).
``tests/test_sketch.py`` checks it against the spread of sketched ratios around exact
PCA over many seeds, and shows that a wrong formula fails that check.

**Default m = 4096** (:data:`DEFAULT_DIMENSION`). For a random walk ``rho_1 = 0.608`` and
``sum rho^2 = 0.40``, so ``sd(rho_1)/rho_1 = sqrt(0.37/m)``: 1.9% at m = 1000, 0.95% at
4096, 0.48% at 16,000 (2.3% for ``rho_2`` at 4096), enough to compare the first ratios with
the nulls to two digits. The sketched steps live in m dimensions, so their d_eff is at
most about m, and the random-walk limit needs d_eff >> n: 4096 keeps m/n >= 10 for
windows of up to 400 checkpoints. Its cost is 32 kB per snapshot (the paper's ResNet-50
run, 15,000 snapshots of 25 M parameters, 1.5 TB in float32, becomes 0.5 GB) and about
one read of the parameters per snapshot.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from rwpca.numerics.checkpoints.tensors import TensorSpec

#: Recommended sketch dimension (module docstring).
DEFAULT_DIMENSION = 4096
#: Name of the transform, stored with every sketch.
KIND = "countsketch-splitmix64"
#: Format version of the sketch metadata.
VERSION = "1"

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function (a bijection of uint64 with good avalanche)."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def bins(seed: int, start: int, stop: int, m: int) -> np.ndarray:
    """Bin ``2 h(j) + [s(j) = -1]`` of coordinates j = start..stop-1 (intp).

    >>> b = bins(0, 0, 6, 4); bool(((0 <= b) & (b < 8)).all()), b.tolist() == bins(0, 0, 6, 4).tolist()
    (True, True)
    """
    with np.errstate(over="ignore"):
        key = _mix(np.array([seed], dtype=np.uint64) * _GOLDEN + _GOLDEN)
        j = np.arange(start, stop, dtype=np.uint64) + np.uint64(1)
        z = _mix(key + j * _GOLDEN)
    bucket = (z >> np.uint64(1)) % np.uint64(m)
    return (bucket * np.uint64(2) + (z & np.uint64(1))).astype(np.intp)


def check_dimension(m: int, d: int | None = None) -> int:
    """The sketch dimension, checked: an integer 16 <= m (and m < d when d is known)."""
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 16:
        raise ValueError(f"sketch = {m!r} is not allowed: the dimension must be an integer >= 16")
    if m > 1 << 24:
        raise ValueError(f"sketch = {m} is not allowed: at most {1 << 24}")
    if d is not None and m >= d:
        raise ValueError(
            f"sketch = {m} is not allowed: it must be smaller than the d = {d} parameters "
            "it sketches (record them exactly instead)"
        )
    return int(m)


def parameters_digest(specs: Sequence[TensorSpec]) -> str:
    """A short fingerprint of the sketched tensors (names, shapes, dtypes, in order)."""
    text = "\n".join(s.describe() for s in specs)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class CountSketch:
    """The seeded m x d CountSketch, applied to a vector given in pieces."""

    def __init__(self, m: int, seed: int, d: int) -> None:
        self.m, self.seed, self.d = check_dimension(m, d), int(seed), int(d)
        self._bins: np.ndarray | None = None

    def apply(self, pieces: Iterable[tuple[int, np.ndarray]], block: int = 1 << 22) -> np.ndarray:
        """S x for x given as (column offset, flat values) pieces covering 0..d-1 once."""
        if self._bins is None:
            self._bins = bins(self.seed, 0, self.d, self.m)
        total = np.zeros(2 * self.m)
        for offset, values in pieces:
            flat = np.asarray(values).reshape(-1)
            for low in range(0, flat.size, block):
                chunk = flat[low : low + block]
                where = self._bins[offset + low : offset + low + chunk.size]
                total += np.bincount(where, weights=chunk, minlength=2 * self.m)
        return total[0::2] - total[1::2]


@dataclass(frozen=True)
class SketchInfo:
    """What a stored sketch was made with; every snapshot of a run must agree."""

    m: int
    seed: int
    d: int
    parameters: str  # parameters_digest of the sketched tensors
    tensors: int

    def metadata(self) -> dict[str, str]:
        """The safetensors ``__metadata__`` of a sketch snapshot."""
        return {
            "rwpca.format": "sketch",
            "rwpca.version": VERSION,
            "rwpca.sketch": KIND,
            "rwpca.m": str(self.m),
            "rwpca.seed": str(self.seed),
            "rwpca.d": str(self.d),
            "rwpca.parameters": self.parameters,
            "rwpca.tensors": str(self.tensors),
        }


def read_metadata(metadata: Mapping[str, str], label: str) -> SketchInfo | None:
    """The sketch a snapshot's metadata describes (None: not a sketch); ValueError if bad."""
    if metadata.get("rwpca.format") != "sketch":
        return None

    def number(key: str) -> int:
        text = metadata.get(key, "")
        if not text.isdigit():
            raise ValueError(f"{label} is a sketch with a bad {key} {text!r}")
        return int(text)

    if metadata.get("rwpca.sketch") != KIND or metadata.get("rwpca.version") != VERSION:
        raise ValueError(
            f"{label} is a sketch of kind {metadata.get('rwpca.sketch')!r} version "
            f"{metadata.get('rwpca.version')!r}: this rwpca reads {KIND} version {VERSION}"
        )
    return SketchInfo(
        number("rwpca.m"),
        number("rwpca.seed"),
        number("rwpca.d"),
        metadata.get("rwpca.parameters", ""),
        number("rwpca.tensors"),
    )


def check_same_sketch(infos: Sequence[tuple[str, SketchInfo]]) -> SketchInfo:
    """The common sketch of a run's snapshots; ValueError naming the first that differs."""
    first_label, first = infos[0]
    for label, info in infos[1:]:
        for what in ("seed", "m", "d", "parameters"):
            if getattr(info, what) != getattr(first, what):
                raise ValueError(
                    f"{label} was sketched with {what} {getattr(info, what)}, {first_label} "
                    f"with {getattr(first, what)}: the snapshots of one run must share the "
                    "sketch's seed, dimension and parameters"
                )
    return first


def ratio_sd(ratios: np.ndarray, m: int) -> np.ndarray:
    """First-order standard deviation of each sketched explained-variance ratio.

    ``rho_k sqrt(2 (1 - 2 rho_k + sum_j rho_j^2) / m)`` (module docstring), from all the
    ratios of the spectrum. With two components rho_2 = 1 - rho_1, so both errors agree:

    >>> [round(float(s), 4) for s in ratio_sd(np.array([0.75, 0.25]), 100)]
    [0.0375, 0.0375]
    """
    rho = np.asarray(ratios, dtype=float)
    spread = 1 - 2 * rho + float(np.sum(rho**2))
    return rho * np.sqrt(np.maximum(2 * spread / m, 0.0))

"""Consecutive windows of one run, each analysed alone: early against late training at a glance.

:func:`sweep_windows` cuts the checkpoints into consecutive windows of ``size`` (the last
partial window is analysed when it has at least :data:`MIN_WINDOW` checkpoints and left
out otherwise); :func:`sweep` reads each window's Gram matrix (one pass over d per
window, so the whole run is read once) and analyses it with :func:`analyze_gram`, with the
same seed, so the windows are told apart by their data only. The :class:`Sweep` keeps
every window's :class:`~rwpca.numerics.nulls.results.Analysis` and a compact JSON.

Also here: :func:`projection_band`, the band in which null (a)'s reshuffled walks put
the projections of the first components, drawn around the random-walk Lissajous curve in
the window figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rwpca.numerics.nulls import randomisation
from rwpca.numerics.nulls.calibration import SYMMETRIES
from rwpca.numerics.nulls.null_models import cosine_basis
from rwpca.numerics.nulls.results import NULL_LETTERS, Analysis
from rwpca.numerics.progress import ProgressArg, task
from rwpca.numerics.trajectories.analysis import analyze_gram, check_resources

#: The smallest window analysed (as analyze_gram requires).
MIN_WINDOW = 3


def sweep_windows(n: int, size: int) -> list[tuple[int, int]]:
    """Consecutive windows [start, stop) of ``size`` checkpoints covering 0..n-1.

    >>> sweep_windows(10, 4)
    [(0, 4), (4, 8)]
    >>> sweep_windows(11, 4)
    [(0, 4), (4, 8), (8, 11)]
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < MIN_WINDOW:
        raise ValueError(f"sweep size {size!r} is not allowed: need an integer >= {MIN_WINDOW}")
    if size > n:
        raise ValueError(f"sweep size {size} is not allowed: the run has only {n} checkpoints")
    windows = [(start, start + size) for start in range(0, n - size + 1, size)]
    if n - windows[-1][1] >= MIN_WINDOW:
        windows.append((windows[-1][1], n))
    return windows


@dataclass(frozen=True)
class Sweep:
    """The analyses of consecutive windows of one run (in training order)."""

    size: int
    windows: tuple[Analysis, ...]

    def to_json(self, ratios: int = 3) -> dict[str, Any]:
        """Per window: steps, the first ratios and Lissajous scores, p-values, diagnostics."""
        rows = []
        for analysis in self.windows:
            first, last = analysis.window_steps
            rows.append(
                {
                    "window_positions": list(analysis.window),
                    "first_step": first,
                    "last_step": last,
                    "n": analysis.n,
                    "explained_variance_ratio": analysis.explained_variance_ratio[:ratios].tolist(),
                    "random_walk_ratio": analysis.nulls["random_walk"].ratios[:ratios].tolist()
                    if "random_walk" in analysis.nulls
                    else None,
                    "lissajous": analysis.lissajous[:ratios].tolist(),
                    "p_values": {name: t.p_value for name, t in analysis.nulls.items()},
                    "step_autocorrelation_lag_one": float(analysis.autocorrelation.values[0]),
                    "step_autocorrelation_p_value": analysis.autocorrelation.p_value,
                    "effective_dimension": _finite_or_none(analysis.effective_dimension),
                    "verdict": analysis.verdict.to_json(),
                    "finite_d_deviating": None
                    if analysis.finite_d is None
                    else list(analysis.finite_d.deviating),
                    "decay_law": None if analysis.laws is None else analysis.laws.better,
                    "decay_log_evidence": None
                    if analysis.laws is None
                    else _finite_or_none(analysis.laws.log_evidence),
                    "decay_p_value": None if analysis.laws is None else analysis.laws.p_value,
                }
            )
        return {
            "size": self.size,
            "level": self.windows[0].alpha,
            "replicates_per_null": self.windows[0].replicates,
            "nulls": list(self.windows[0].nulls),
            "windows": rows,
        }

    def __repr__(self) -> str:
        first, last = self.windows[0].window_steps[0], self.windows[-1].window_steps[1]
        return (
            f"Sweep({len(self.windows)} windows of {self.size} checkpoints, steps {first}..{last}, "
            f"nulls {', '.join(NULL_LETTERS[n] for n in self.windows[0].nulls)})"
        )


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def sweep(
    source: Any,
    size: int,
    window: tuple[int, int] | None = None,
    components: int = 5,
    replicates: int = 199,
    alpha: float = 0.05,
    seed: int = 0,
    progress: ProgressArg = False,
    nulls: str | Sequence[str] | None = None,
    momentum: float | None = None,
    ou_rate: float | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    glob: str | None = None,
) -> Sweep:
    """Analyse consecutive windows of ``size`` checkpoints inside ``window`` (see the module).

    ``source`` is a path, an array, a Dask or Zarr array, or an opened
    :class:`~rwpca.numerics.trajectories.readers.Trajectory`.
    """
    from rwpca.numerics.trajectories.readers import Trajectory, check_window
    from rwpca.numerics.trajectories.sources import open_source

    trajectory = (
        source if isinstance(source, Trajectory) else open_source(source, include, exclude, glob)
    )
    start, stop = check_window(window, trajectory.n)
    windows = [(start + a, start + b) for a, b in sweep_windows(stop - start, size)]
    check_resources(size, components, replicates)
    sketch = trajectory.sketch.m if trajectory.sketch is not None else None
    results = []
    with task(progress, "windows", len(windows), unit="window") as bar:
        for part in windows:
            G = trajectory.gram(part, progress=False)
            steps = trajectory.steps[part[0] : part[1]]
            result = analyze_gram(
                G, trajectory.d, components, part, replicates, alpha, seed, False, steps,
                sketch, nulls, momentum, ou_rate,
            )  # fmt: skip
            results.append(result)
            bar.update()
    return Sweep(size, tuple(results))


def projection_band(
    step_gram: np.ndarray,
    shown: int = 3,
    replicates: int = 99,
    seed: int = 0,
    quantiles: tuple[float, float] = (0.025, 0.975),
) -> np.ndarray:
    """n x shown x 2: pointwise quantiles of the projections of null (a)'s reshuffled walks.

    Each reshuffled walk (the steps reordered and sign-flipped, as null (a)'s test does)
    is projected on its own first components, ``sqrt(lambda_k) u_k(t)``, each oriented
    along the random-walk cosine ``e_k`` and scaled to the data's total variance (as the
    random-walk Lissajous curve ``sqrt(rho_k total) e_k`` is); the band holds, at every t,
    the central ``quantiles`` of those projections: where a random walk with these steps
    draws its Lissajous curve. (For the figure; the test uses the scores, not this band.)
    """
    M = np.asarray(step_gram, dtype=float)
    N = M.shape[0]
    n = N + 1
    shown = min(shown, N)
    rng = np.random.default_rng([seed, 101])
    orders, signs = randomisation.draw(rng, N, replicates, *SYMMETRIES["random_walk"])
    values, vectors = randomisation.spectra(M, orders, signs, shown, cosine_basis)
    W = randomisation.walk_weights(n)
    trace = randomisation.traces(M, orders, signs, W)
    total = float(np.einsum("ij,ij->", M, W))
    orient = np.sign(np.einsum("bij,ij->bj", vectors, cosine_basis(n, shown)))
    scale = np.sqrt(np.maximum(values, 0.0) * total / np.maximum(trace, 1e-300)[:, None])
    draws = vectors * np.where(orient == 0, 1.0, orient)[:, None, :] * scale[:, None, :]
    return np.moveaxis(np.quantile(draws, quantiles, axis=0), 0, -1)

"""Plot panels shared by the CLI figures (`simulate --plot`, `analyze --plot`) and derivations/.

Projections are time courses: column k - 1 of ``projections`` is the trajectory's
coordinate on PCA component k at times t = 1..n.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import combinations
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: True within :func:`null_canvas`.
_NULL: ContextVar[bool] = ContextVar("rwpca_null_canvas", default=False)


def _null_method(kind: type, name: str) -> Any:
    if not hasattr(kind, name):
        raise AttributeError(f"{kind.__name__} has no attribute {name!r}")
    if name.startswith("get_"):
        # what is recorded must be data the function computed: a null canvas has no state
        raise TypeError(f"{kind.__name__}.{name} read on a null canvas: record computed data")
    return _nothing


class NullAxes:
    """Axes that accept every :class:`~matplotlib.axes.Axes` method and draw nothing.

    A name that matplotlib's Axes does not have is an AttributeError, as on real axes, and a
    getter (``get_*``) is a TypeError: nothing read back from axes may enter a fingerprint.
    """

    def __getattr__(self, name: str) -> Any:
        return _null_method(Axes, name)


class NullFigure:
    """A figure on which nothing is laid out: what a figure function draws within
    :func:`null_canvas`. ``subplots`` gives :class:`NullAxes` shaped as matplotlib's do."""

    def subplots(self, nrows: int = 1, ncols: int = 1, **_options: Any) -> Any:
        axes = np.empty((nrows, ncols), dtype=object)
        for index in np.ndindex(axes.shape):
            axes[index] = NullAxes()
        if nrows == 1 and ncols == 1:
            return axes[0, 0]
        return axes.ravel() if 1 in (nrows, ncols) else axes

    def __getattr__(self, name: str) -> Any:
        return _null_method(Figure, name)


def _nothing(*_args: Any, **_kwargs: Any) -> None:
    return None


def null(fig: Any) -> bool:
    """Whether ``fig`` is a :class:`NullFigure` (nothing to rasterise)."""
    return isinstance(fig, NullFigure)


@contextmanager
def null_canvas() -> Iterator[None]:
    """Within: :func:`figure` gives a :class:`NullFigure`.

    A figure function run here computes its data (and the fingerprint of them) without the
    cost of laying out axes, which was most of the time of ``rwpca derive --check``'s figures.

    >>> with null_canvas():
    ...     left, right = figure(4, 3).subplots(1, 2)
    ...     left.plot([1, 2], [3, 4]) is None
    True
    """
    token = _NULL.set(True)
    try:
        yield
    finally:
        _NULL.reset(token)


def figure(width: float, height: float) -> Figure:
    """A pyplot-free figure with constrained layout (a :class:`NullFigure` in a null canvas)."""
    if _NULL.get():
        return NullFigure()  # type: ignore[return-value]
    return Figure(figsize=(width, height), layout="constrained")


def component_pairs(components: int) -> list[tuple[int, int]]:
    """Pairs (j, k), 1 <= j < k <= components, in reading order."""
    return list(combinations(range(1, components + 1), 2))


def lissajous_panels(
    axes: Sequence[Axes],
    projections: np.ndarray,
    pairs: Sequence[tuple[int, int]],
    reference: np.ndarray | None = None,
) -> None:
    """Scatter projection k against projection j for each pair, coloured by time.

    ``reference`` (same shape as ``projections``) is drawn as a grey line, for example the
    exact random-walk projections sqrt(2 lambda_k / n) cos(pi k (t - 1/2) / n).
    """
    n = projections.shape[0]
    time = np.arange(1, n + 1)
    for ax, (j, k) in zip(axes, pairs, strict=False):
        if reference is not None:
            ax.plot(
                reference[:, j - 1],
                reference[:, k - 1],
                "-",
                color="0.6",
                lw=1,
                label="random-walk theory",
            )
        ax.scatter(projections[:, j - 1], projections[:, k - 1], c=time, s=5, cmap="viridis")
        ax.set_xlabel(f"PC {j}")
        ax.set_ylabel(f"PC {k}")
        ax.set_title(f"components {j} and {k}", fontsize=9)


def spectrum_panel(
    ax: Axes,
    observed: np.ndarray,
    references: Mapping[str, np.ndarray],
    ylabel: str = "explained-variance ratio",
    components: int | None = None,
) -> None:
    """Observed ratios (markers) against reference curves, log-log, k = 1..components."""
    count = observed.size if components is None else min(components, observed.size)
    k = np.arange(1, count + 1)
    ax.loglog(k, observed[:count], "o", ms=4, color="k", label="observed")
    for index, (label, values) in enumerate(references.items()):
        ax.loglog(k, np.asarray(values)[:count], "-", color=f"C{index}", label=label)
    ax.set_xlabel("component k")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)


def to_png(fig: Figure) -> bytes:
    """PNG bytes without a software tag, in matplotlib's default style."""
    import io

    buffer = io.BytesIO()
    with matplotlib.rc_context(matplotlib.rcParamsDefault):
        fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()

"""Figures for the generated documents (matplotlib, PNG, deterministic).

Every figure is drawn from data computed by :mod:`numerics` and the catalog formulas,
with matplotlib's default style whatever the user's configuration, and saved without a
software tag. Each PNG carries a text chunk ``rwpca-fingerprint``: a hash of the plotted
data (rounded to 6 significant digits) and of :data:`STYLE_VERSION`. ``rwpca derive --check``
compares figures by this fingerprint, so a matplotlib upgrade that moves a pixel does not
make the documents stale, while any change of the data does.

Since the fingerprint is all that ``--check`` compares, it computes the data of every figure
but does not draw it: within :func:`fingerprints_only`, a figure function returns a
:class:`PendingFigure`, the PNG that holds only the fingerprint chunk, which can still be
drawn later (:meth:`PendingFigure.draw`). ``rwpca derive`` draws only the figures whose
fingerprint differs from the file already there (laying out and rasterising the figures was
about a third of the CPU time of ``rwpca derive``). A function declared with
:func:`figure_function` is then run on a null canvas (:func:`rwpca.plots.panels.null_canvas`):
its data are computed and recorded but no axes are laid out, and drawing it runs it again on
a real figure.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from rwpca.numerics.formulas import evaluate_eigenvalue_formula, lambdify_by_name
from rwpca.numerics.linalg import float_spectra
from rwpca.plots import panels
from rwpca.proofs import symbols
from rwpca.proofs.catalog import get
from rwpca.proofs.derive.eigenvalues import periodic_eigenvalue

#: Bump when the look of the figures changes without a change of their data.
STYLE_VERSION = "1"
FINGERPRINT_KEY = "rwpca-fingerprint"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: False within :func:`fingerprints_only`.
_DRAW: ContextVar[bool] = ContextVar("rwpca_draw_figures", default=True)


@contextmanager
def fingerprints_only() -> Iterator[None]:
    """Within: figures are computed but not drawn (:class:`PendingFigure`).

    >>> with fingerprints_only():
    ...     png = render("evr")
    >>> png_fingerprint(png) == png_fingerprint(render("evr"))
    True
    >>> draw(png) == render("evr")
    True
    """
    token = _DRAW.set(False)
    try:
        yield
    finally:
        _DRAW.reset(token)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def fingerprint_png(fingerprint: str) -> bytes:
    """A PNG stream of the fingerprint chunk alone (no image): what ``--check`` compares.

    >>> png_fingerprint(fingerprint_png("abc"))
    'abc'
    """
    text = FINGERPRINT_KEY.encode("latin-1") + b"\0" + fingerprint.encode("latin-1")
    return _PNG_SIGNATURE + _chunk(b"tEXt", text) + _chunk(b"IEND", b"")


class _Recorder:
    """Collects the arrays a figure plots, for its fingerprint."""

    def __init__(self, name: str) -> None:
        self.items: list[object] = [name, STYLE_VERSION]

    def __call__(self, *arrays: object) -> None:
        for array in arrays:
            values = np.asarray(array, dtype=float).ravel()
            self.items.append([np.format_float_scientific(v, precision=5) for v in values])

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.items).encode()).hexdigest()


class PendingFigure(bytes):
    """A figure computed but not drawn: its value is :func:`fingerprint_png` of its data.

    :meth:`draw` lays it out and rasterises it, under the matplotlib settings that were in
    force when it was computed, giving the bytes an eager :func:`render` gives.
    """

    _draw: Callable[[], bytes]

    def __new__(cls, fingerprint: str, draw: Callable[[], bytes]) -> PendingFigure:
        pending = super().__new__(cls, fingerprint_png(fingerprint))
        pending._draw = draw
        return pending

    def draw(self) -> bytes:
        """The PNG of the figure (with its fingerprint chunk)."""
        return self._draw()


def _draw_png(fig: Figure, digest: str) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None, FINGERPRINT_KEY: digest})
    return buffer.getvalue()


def _save(fig: Figure, record: _Recorder) -> bytes:
    digest = record.digest()
    if panels.null(fig):  # within figure_function's fingerprint pass
        return fingerprint_png(digest)
    if not _DRAW.get():
        # a real figure here would be laid out only to be thrown away: the null canvas is
        # the one way a figure is fingerprinted
        raise RuntimeError("a figure function must be declared with @figure_function")
    return _draw_png(fig, digest)


_P = ParamSpec("_P")


def figure_function(function: Callable[_P, bytes]) -> Callable[_P, bytes]:
    """Declare a function that draws a figure and returns :func:`_save` of it.

    Within :func:`fingerprints_only` it runs on a null canvas and gives a
    :class:`PendingFigure`; drawing that runs it again, on a real figure, under the
    matplotlib settings in force at the first call. The function must record (``_Recorder``)
    only data it computes, never anything read back from the axes.
    """

    @functools.wraps(function)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> bytes:
        if _DRAW.get():
            return function(*args, **kwargs)
        settings = matplotlib.rcParams.copy()
        with panels.null_canvas():
            fingerprint = png_fingerprint(function(*args, **kwargs))
        assert fingerprint is not None

        def drawn() -> bytes:
            token = _DRAW.set(True)
            try:
                with matplotlib.rc_context(settings):
                    return function(*args, **kwargs)
            finally:
                _DRAW.reset(token)

        return PendingFigure(fingerprint, drawn)

    return run


def draw(data: bytes) -> bytes:
    """The drawn PNG of ``data``: a :class:`PendingFigure` drawn, any other bytes as given."""
    return data.draw() if isinstance(data, PendingFigure) else data


def png_fingerprint(data: bytes) -> str | None:
    """The ``rwpca-fingerprint`` text chunk of a PNG, or None if it has none."""
    if not data.startswith(_PNG_SIGNATURE):
        return None
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            if key.decode("latin-1") == FINGERPRINT_KEY:
                return value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            if key.decode("latin-1") == FINGERPRINT_KEY:
                return zlib.decompress(rest[1:]).decode("latin-1")
        pos += 12 + length
    return None


@figure_function
def spectrum() -> bytes:
    """Eigenvalues of the exact K against the catalog formulas, three processes."""
    record = _Recorder("spectrum")
    n = 100
    k = np.arange(1, n)
    fig = panels.figure(12, 4)
    axes = fig.subplots(1, 3)

    ax = axes[0]
    exact = float_spectra.eigenvalues("plain", n)
    formula = evaluate_eigenvalue_formula(get("rw.eigenvalue").rhs, n)
    periodic = np.sort(evaluate_eigenvalue_formula(periodic_eigenvalue("plain"), n))[::-1]
    record(exact, formula, periodic)
    ax.loglog(k, exact, "o", ms=3, label="exact K (numerical)")
    ax.loglog(k, formula, "-", label="rw.eigenvalue (mirror, 2n circulant)")
    ax.loglog(k, periodic, "--", label="naive size-n circulant (sorted)")
    ax.set_title(f"plain random walk, n = {n}")

    ax = axes[1]
    for gamma, colour in ((0.5, "C0"), (0.9, "C1")):
        exact = float_spectra.eigenvalues("momentum", n, {"gamma": gamma})
        formula = evaluate_eigenvalue_formula(get("momentum.eigenvalue").rhs, n, {"gamma": gamma})
        record(exact, formula)
        ax.loglog(k, exact, "o", ms=3, color=colour, label=f"exact K, gamma = {gamma}")
        ax.loglog(k, formula, "-", color=colour, label="momentum.eigenvalue")
    ax.set_title(f"with momentum, n = {n}")

    ax = axes[2]
    for alpha, colour in ((0.005, "C0"), (0.2, "C1")):
        params = {"alpha": alpha}
        exact = float_spectra.eigenvalues("ou", n, params)
        per = np.sort(evaluate_eigenvalue_formula(get("ou.eigenvalue").rhs, n, params))[::-1]
        mir = np.sort(evaluate_eigenvalue_formula(get("ou.eigenvalue.mirror").rhs, n, params))[::-1]
        record(exact, per, mir)
        ax.loglog(k, exact, "o", ms=3, color=colour, label=f"exact K, n alpha = {n * alpha:g}")
        ax.loglog(k, per, "-", color=colour, label="ou.eigenvalue (periodic, sorted)")
        ax.loglog(k, mir, ":", color=colour, label="ou.eigenvalue.mirror")
    ax.set_title(f"Ornstein-Uhlenbeck, n = {n}")
    for ax in axes:
        ax.set_xlabel("component k")
        ax.set_ylabel("eigenvalue lambda_k")
        ax.legend(fontsize=7)
    return _save(fig, record)


@figure_function
def evr() -> bytes:
    """Explained-variance ratios: exact finite n against the limit, and cumulative shares."""
    record = _Recorder("evr")
    fig = panels.figure(11, 4.2)
    left, right = fig.subplots(1, 2)
    kmax = 30
    kk = np.arange(1, kmax + 1)
    limit = lambdify_by_name(get("rw.evr").rhs, ("k",))(kk)
    for n, style in ((8, "s"), (20, "^"), (1000, "o")):
        ratios = float_spectra.explained_variance_ratio("plain", n)[: min(kmax, n - 1)]
        record(ratios)
        left.loglog(np.arange(1, ratios.size + 1), ratios, style, ms=4, label=f"exact, n = {n}")
    record(limit)
    left.loglog(kk, limit, "k-", label="rw.evr: 6 / (pi^2 k^2)")
    left.set_xlabel("component k")
    left.set_ylabel("explained-variance ratio rho_k")
    left.legend(fontsize=8)
    left.set_title("ratios: finite n against the limit")

    m = np.arange(1, 11)
    share = get("rw.evr.cumulative").rhs
    cumulative = np.array([float(share.subs(symbols.m, size)) for size in m])
    record(cumulative)
    right.bar(m, cumulative, color="C0", alpha=0.7, label="rw.evr.cumulative (n -> infinity)")
    right.axhline(0.8, color="C3", ls="--", label="poster: 80% in the first two")
    right.axhline(0.6, color="C2", ls=":", label="poster: about 60% in the first")
    for index in (0, 1, 2):
        right.annotate(
            f"{100 * cumulative[index]:.1f}%",
            (m[index], cumulative[index]),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    right.set_ylim(0, 1.05)
    right.set_xlabel("number of components m")
    right.set_ylabel("share of the variance R_m")
    right.legend(fontsize=8, loc="lower right")
    right.set_title("cumulative share")
    return _save(fig, record)


@figure_function
def lissajous() -> bytes:
    """Projections onto pairs of components from the exact eigenvectors (n = 200)."""
    record = _Recorder("lissajous")
    n = 200
    t = np.arange(1, n + 1)
    lam = evaluate_eigenvalue_formula(get("rw.eigenvalue").rhs, n)
    projection = lambdify_by_name(get("rw.projection").rhs, ("n", "k", "t", "lambda_k"))
    pairs = ((1, 2), (1, 3), (2, 3), (1, 4), (2, 4), (3, 4))
    fig = panels.figure(11, 7)
    axes = fig.subplots(2, 3)
    for ax, (j, k) in zip(axes.ravel(), pairs, strict=True):
        xj = projection(n, j, t, lam[j - 1])
        xk = projection(n, k, t, lam[k - 1])
        record(xj, xk)
        ax.plot(xj, xk, "-", color="0.7", lw=1)
        ax.scatter(xj, xk, c=t, s=6, cmap="viridis")
        ax.set_title(f"components {j} and {k}  (frequency ratio {j}:{k})", fontsize=9)
        ax.set_xlabel(f"X_{j}(t)")
        ax.set_ylabel(f"X_{k}(t)")
    fig.suptitle(f"rw.lissajous: exact PCA projections of a random walk, n = {n} (colour = time)")
    return _save(fig, record)


@figure_function
def eigenvectors() -> bytes:
    """Exact eigenvectors (DCT-II) against the printed cos(pi k t / n), n = 12."""
    record = _Recorder("eigenvectors")
    n = 12
    t = np.arange(1, n + 1)
    fine = np.linspace(0, n + 0.5, 400)
    entry = get("rw.eigenvector")
    cosine = lambdify_by_name(entry.rhs, ("n", "k", "t"))
    # the paper prints the cosine without its normalisation: give it the statement's
    amplitude, _cosine = entry.rhs.as_independent(symbols.t, as_Add=False)
    paper = lambdify_by_name(amplitude * entry.source.printed, ("n", "k", "t"))
    fig = panels.figure(11, 4)
    axes = fig.subplots(1, 3)
    for ax, k in zip(axes, (1, 2, 3), strict=True):
        K = float_spectra.centred_covariance("plain", n)
        _values, vectors = np.linalg.eigh(K)
        u = vectors[:, -k]
        exact = cosine(n, k, t)
        u = u * np.sign(u @ exact)
        printed = paper(n, k, t)
        record(u, exact, printed)
        ax.plot(
            fine,
            cosine(n, k, fine),
            "-",
            color="C0",
            lw=1,
            label="cos(pi k (t - 1/2) / n)",
        )
        ax.plot(t, u, "o", color="C0", label="numerical eigenvector of K")
        ax.plot(t, printed, "x", color="C3", label="printed cos(pi k t / n)")
        ax.set_title(f"k = {k}, n = {n}")
        ax.set_xlabel("time t")
        ax.legend(fontsize=7)
    return _save(fig, record)


@figure_function
def ou_regimes() -> bytes:
    """Exact OU eigenvalues over the two circulant forms as n alpha varies (n = 200)."""
    record = _Recorder("ou_regimes")
    n = 200
    products = np.geomspace(0.01, float(n), 41)  # alpha up to 1
    fig = panels.figure(11, 4)
    axes = fig.subplots(1, 2)
    # each form compiled once for all 41 rates (not substituted and compiled per rate)
    names = ("k", "n", "alpha")
    periodic = lambdify_by_name(get("ou.eigenvalue").rhs, names)
    mirror = lambdify_by_name(get("ou.eigenvalue.mirror").rhs, names)
    k_all = np.arange(1, n, dtype=float)
    for ax, k in zip(axes, (1, 2), strict=True):
        per_ratio, mir_ratio = [], []
        for product in products:
            params = {"alpha": product / n}
            exact = float_spectra.eigenvalues("ou", n, params)[k - 1]
            per = np.sort(periodic(k_all, n, params["alpha"]))[::-1]
            mir = np.sort(mirror(k_all, n, params["alpha"]))[::-1]
            per_ratio.append(exact / per[k - 1])
            mir_ratio.append(exact / mir[k - 1])
        record(products, per_ratio, mir_ratio)
        ax.semilogx(products, per_ratio, "-", label="exact / ou.eigenvalue (periodic)")
        ax.semilogx(products, mir_ratio, "--", label="exact / ou.eigenvalue.mirror")
        ax.axhline(1, color="0.5", lw=0.8)
        ax.set_xlabel("n alpha")
        ax.set_ylabel(f"ratio for lambda_{k}")
        ax.set_title(f"component k = {k}, n = {n}")
        ax.legend(fontsize=8)
    return _save(fig, record)


FIGURES: dict[str, Callable[[], bytes]] = {
    "spectrum": spectrum,
    "evr": evr,
    "lissajous": lissajous,
    "eigenvectors": eigenvectors,
    "ou_regimes": ou_regimes,
    "descent_evr": lambda: _descent_figure("descent_evr"),
    "descent_lissajous": lambda: _descent_figure("descent_lissajous"),
}

FIGURE_CAPTIONS = {
    "spectrum": "Eigenvalues of the exact finite-n covariance against the catalog formulas.",
    "evr": "Explained-variance ratios at finite n against the limit, and the cumulative share.",
    "lissajous": "PCA projections onto pairs of components: Lissajous curves.",
    "eigenvectors": "Exact eigenvectors against the printed index convention.",
    "ou_regimes": "Where each OU formula holds: exact leading eigenvalues over the two forms.",
    "descent_evr": (
        "Descent ratios fall exponentially, far below the rigorous bound; the random walk's "
        "fall as k^-2."
    ),
    "descent_lissajous": "PCA projections of a descent trajectory beside a random walk's.",
}


def _descent_figure(name: str) -> bytes:
    """The descent figures live in :mod:`rwpca.plots.descent_figures` (which uses this module)."""
    from rwpca.plots import descent_figures

    return descent_figures.FIGURES[name]()


def render(name: str) -> bytes:
    """PNG bytes of the named figure, drawn in matplotlib's default style."""
    if name not in FIGURES:
        raise ValueError(f"figure {name!r} is not known: allowed figures are {', '.join(FIGURES)}")
    with matplotlib.rc_context(matplotlib.rcParamsDefault):
        return FIGURES[name]()

"""Figures of the descent entries: ratio decay against the bound and the random walk, and the
PCA projections of a descent trajectory beside a random walk's (registered in
:data:`rwpca.plots.figures.FIGURES`)."""

from __future__ import annotations

import numpy as np

from rwpca.numerics.descent import descent_ratio_bound, descent_trajectory
from rwpca.numerics.descent import rates as descent_rates
from rwpca.numerics.formulas import lambdify_by_name
from rwpca.numerics.linalg import float_spectra
from rwpca.plots import figures, panels
from rwpca.proofs.catalog import get

#: The projection figure's trajectories: n checkpoints in d dimensions, seed 0.
PROJECTION_N, PROJECTION_D, PROJECTION_BETA, PROJECTION_ETA = 200, 1000, 1.0, 0.5


@figures.figure_function
def descent_evr() -> bytes:
    """rho_k against k (log axis): descent at several beta, the bound, the random walk."""
    record = figures._Recorder("descent_evr")
    data = descent_rates.load()
    curve = data["curve"]
    n = int(curve["n"])
    fig = panels.figure(11, 4.2)
    left, right = fig.subplots(1, 2)
    for index, beta in enumerate(descent_rates.BETAS):
        expected = np.array(data["curves"][f"{beta}:expected"])
        seeded = np.array(data["curves"][f"{beta}:seed0"])
        k = np.arange(1, expected.size + 1)
        record(expected, seeded)
        left.semilogy(k, expected, "o-", ms=3, color=f"C{index}", label=f"descent, beta = {beta}")
        left.semilogy(k, seeded, ":", color=f"C{index}", lw=1)
    kk = np.arange(1, n)
    bound = descent_ratio_bound(n, kk)
    walk = float_spectra.explained_variance_ratio("plain", n)
    limit = lambdify_by_name(get("rw.evr").rhs, ("k",))(kk)
    record(bound, walk, limit)
    left.semilogy(kk, bound, "k-", lw=2, label="descent.ratio_bound (any descent)")
    left.semilogy(kk, walk[: kk.size], "s", ms=3, color="0.4", label=f"random walk, exact n = {n}")
    left.semilogy(kk, limit, "--", color="0.4", label="rw.evr: 6 / (pi^2 k^2)")
    left.set_ylim(1e-45, 2)
    left.set_xlim(0, 41)
    left.set_xlabel("component k")
    left.set_ylabel("explained-variance ratio rho_k")
    left.set_title(
        f"n = {n}, eta = {curve['eta']}, d = {curve['d']} (solid: E over the start; dotted: seed 0)",
        fontsize=9,
    )
    left.legend(fontsize=7)
    rows = [r for r in data["rows"] if r["eta"] == curve["eta"]]
    for index, beta in enumerate(descent_rates.BETAS):
        chosen = [r for r in rows if r["beta"] == beta]
        sizes = np.array([r["n"] for r in chosen], dtype=float)
        measured = np.array([r["expected"]["rate"] for r in chosen])
        record(sizes, measured)
        right.semilogx(sizes, measured, "o-", color=f"C{index}", label=f"measured, beta = {beta}")
    sizes = np.array(descent_rates.SIZES, dtype=float)
    bound_rates = np.array([r["bound_rate"] for r in rows if r["beta"] == descent_rates.BETAS[0]])
    record(bound_rates)
    right.semilogx(
        sizes, bound_rates, "k-", lw=2, label="bound: log R_n = pi^2 / (4 log(8 floor(n/2) / pi))"
    )
    right.set_xlabel("n checkpoints")
    right.set_ylabel("decay rate per component (natural log)")
    right.set_title(f"fitted rate of log rho_k, eta = {curve['eta']}", fontsize=9)
    right.set_ylim(bottom=0)
    right.legend(fontsize=7)
    return figures._save(fig, record)


def _projections(X: np.ndarray, count: int = 3) -> np.ndarray:
    centred = X - X.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    signs = np.sign(u[0, :count])  # a deterministic orientation: the start on the positive side
    return u[:, :count] * s[:count] * np.where(signs == 0, 1, signs)


@figures.figure_function
def descent_lissajous() -> bytes:
    """PC projections of a descent trajectory beside a random walk's (same n and d)."""
    record = figures._Recorder("descent_lissajous")
    n, d = PROJECTION_N, PROJECTION_D
    descent = _projections(descent_trajectory(n, d, PROJECTION_BETA, PROJECTION_ETA, seed=0))
    walk = _projections(np.cumsum(np.random.default_rng(0).standard_normal((n, d)), axis=0))
    t = np.arange(n)
    fig = panels.figure(11, 7)
    axes = fig.subplots(2, 2)
    for row, (name, P) in enumerate((("gradient descent", descent), ("random walk", walk))):
        for col, (a, b) in enumerate(((0, 1), (1, 2))):
            ax = axes[row, col]
            record(P[:, a], P[:, b])
            ax.plot(P[:, a], P[:, b], "-", color="0.7", lw=1)
            ax.scatter(P[:, a], P[:, b], c=t, s=6, cmap="viridis")
            ax.set_xlabel(f"PC {a + 1}")
            ax.set_ylabel(f"PC {b + 1}")
            ax.set_title(f"{name}: PC {a + 1} and PC {b + 1}", fontsize=9)
    fig.suptitle(
        f"n = {n}, d = {d}; descent on sum i^-{PROJECTION_BETA:g} x_i^2 / 2 with eta = "
        f"{PROJECTION_ETA:g} from x_0 ~ N(0, I) (colour = time)",
        fontsize=10,
    )
    return figures._save(fig, record)


FIGURES = {"descent_evr": descent_evr, "descent_lissajous": descent_lissajous}

__all__ = ["FIGURES", "descent_evr", "descent_lissajous"]

"""Figures of a trajectory analysis that carry the answer: one per window, one per sweep.

Both are drawn from JSON data (a :func:`~rwpca.numerics.trajectories.recorded.summarise`
of an analysis, or a :meth:`~rwpca.numerics.studies.sweep.Sweep.to_json`), so a live
analysis and a cached one look the same. ``draw_*`` fill a figure and return the plotted
arrays (for the documents' fingerprints); ``*_figure`` make a standalone figure.

The window figure (2 x 3 panels): the explained-variance ratios against every null with
the band each null allows for the tested components; two Lissajous panels (projection j
against projection k, coloured by training step) over the random-walk Lissajous curve
and the band in which null (a)'s reshuffled walks draw it; the projections' time courses
with the same curves and band; the step autocorrelation against independent steps; and
each null's p-value against the level. The title names the run, the window in training
steps and the verdict with its p-values.

The sweep figure (4 panels over training steps): the first explained-variance ratios
against the plain walk's, the Lissajous scores, each null's p-value and the lag-1 step
cosine, window by window: early against late training at a glance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from rwpca.numerics.trajectories.analysis import NULL_LETTERS, NULL_MODELS, cosine_basis
from rwpca.plots import panels

SHORT = {
    "random_walk": "(a) random walk",
    "step_schedule": "(b) step sizes",
    "drift": "(c) drift",
    "momentum": "(d) momentum",
    "ou": "(e) OU",
}
COLOURS = {name: f"C{i}" for i, name in enumerate(NULL_MODELS)}
#: Outcome colours of the p-value panels.
OUTCOME = {"consistent": "tab:green", "rejected": "tab:red", "not_independent": "tab:orange"}
#: Ratios drawn in the spectrum panel.
SPECTRUM = 30


def _names(data: Mapping[str, Any]) -> list[str]:
    return [name for name in NULL_MODELS if name in data["tests"]]


def _time(data: Mapping[str, Any], n: int) -> np.ndarray:
    steps = data.get("training_steps")
    return np.asarray(steps if steps else np.arange(n), dtype=float)


def reference_projections(n: int, ratios: np.ndarray, total: float, count: int) -> np.ndarray:
    """The plain walk's projections sqrt(rho_k^a total) e_k(t), scaled like the data's."""
    ratios = np.asarray(ratios[:count], dtype=float)
    return cosine_basis(n, count) * np.sqrt(ratios * total)[None, :]


def _outcome(data: Mapping[str, Any], name: str) -> str:
    verdict = data["verdict"]
    if name in verdict["rejected"]:
        return "rejected"
    if name in verdict.get("not_independent", []):
        return "not_independent"
    return "consistent"


def spectrum_panel(ax: Axes, data: Mapping[str, Any]) -> list[np.ndarray]:
    """Observed ratios, each null's ratios and, for the tested components, its band."""
    observed = np.asarray(data["explained_variance_ratio"], dtype=float)
    count = min(SPECTRUM, observed.size)
    k = np.arange(1, count + 1)
    arrays = [observed[:count]]
    ax.loglog(k, observed[:count], "o", ms=4, color="k", label="observed", zorder=5)
    names = _names(data)
    K = data["components_tested"]
    for index, name in enumerate(names):
        ratios = np.asarray(data["null_ratios"][name], dtype=float)[:count]
        band = np.asarray(data["tests"][name]["quotient_band"], dtype=float)[:K]
        arrays += [ratios, band]
        colour = COLOURS[name]
        ax.loglog(k, ratios, "-", color=colour, lw=1, label=f"{SHORT[name]} null")
        low, high = band[:, 0] * ratios[:K], band[:, 1] * ratios[:K]
        # the bands side by side around each k, so that five nulls stay readable
        x = k[:K] * np.exp(0.035 * (index - (len(names) - 1) / 2))
        ax.vlines(x, low, high, color=colour, lw=3, alpha=0.5)
    finite = data.get("finite_d_null")
    if finite is not None:
        mean = np.asarray(finite["mean"], dtype=float)
        band = np.asarray(finite["band"], dtype=float)
        arrays += [mean, band]
        kk = np.arange(1, mean.size + 1)
        # a walk in d dimensions has d nonzero ratios: nothing to draw past them on a log axis
        positive = np.where(band > 0, band, np.nan)
        ax.fill_between(kk, positive[:, 0], positive[:, 1], color="0.5", alpha=0.25, lw=0)
        ax.loglog(
            kk, np.where(mean > 0, mean, np.nan), ":", color="0.3", lw=1.2,
            label=f"(a) in d = {finite['dimension']} (d_eff)",
        )  # fmt: skip
    ax.set_xlabel("component k")
    ax.set_ylabel("explained-variance ratio")
    ax.set_title(f"ratios; bars: each null's band (k <= {K}); grey: finite d", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    return arrays


def _tube(ax: Axes, band: np.ndarray, j: int, k: int) -> None:
    """The region of null (a)'s projections: one translucent rectangle per time."""
    lo_j, hi_j = band[:, j - 1, 0], band[:, j - 1, 1]
    lo_k, hi_k = band[:, k - 1, 0], band[:, k - 1, 1]
    boxes = [
        [(a, c), (b, c), (b, e), (a, e)] for a, b, c, e in zip(lo_j, hi_j, lo_k, hi_k, strict=True)
    ]
    ax.add_collection(PolyCollection(boxes, facecolor="0.5", edgecolor="none", alpha=0.04))


def lissajous_panel(
    ax: Axes, data: Mapping[str, Any], j: int, k: int, reference: np.ndarray
) -> Any:
    """Projection k against projection j, coloured by training step, over the walk's curve."""
    projections = np.asarray(data["projections"], dtype=float)
    time = _time(data, projections.shape[0])
    band = data.get("projection_band")
    if band is not None:
        _tube(ax, np.asarray(band, dtype=float), j, k)
    ax.plot(reference[:, j - 1], reference[:, k - 1], "-", color="0.35", lw=1,
            label="random walk: Lissajous curve")  # fmt: skip
    points = ax.scatter(
        projections[:, j - 1], projections[:, k - 1], c=time, s=6, cmap="viridis", zorder=3
    )
    ax.set_xlabel(f"PC {j}")
    ax.set_ylabel(f"PC {k}")
    lissajous = data["lissajous"]
    ax.set_title(
        f"PC {j} and PC {k}: Lissajous scores {lissajous[j - 1]:.2f}, {lissajous[k - 1]:.2f}",
        fontsize=9,
    )
    return points


def time_course_panel(ax: Axes, data: Mapping[str, Any], reference: np.ndarray) -> None:
    """Each projection against the training step, the walk's cosine and null (a)'s band."""
    projections = np.asarray(data["projections"], dtype=float)
    time = _time(data, projections.shape[0])
    band = data.get("projection_band")
    for c in range(projections.shape[1]):
        colour = f"C{c}"
        if band is not None:
            b = np.asarray(band, dtype=float)
            ax.fill_between(time, b[:, c, 0], b[:, c, 1], color=colour, alpha=0.15, lw=0)
        ax.plot(time, reference[:, c], "--", color=colour, lw=0.8)
        ax.plot(time, projections[:, c], "-", color=colour, lw=1.2, label=f"PC {c + 1}")
    ax.set_xlabel("training step")
    ax.set_ylabel("projection")
    ax.set_title("projections; dashed: random walk, shaded: (a)'s band", fontsize=9)
    ax.legend(fontsize=7, loc="best")


def autocorrelation_panel(ax: Axes, data: Mapping[str, Any]) -> list[np.ndarray]:
    """Mean cosine of steps l apart, against independent steps (and momentum's gamma^l)."""
    auto = data["step_autocorrelation"]
    lags = np.asarray(auto["lags"], dtype=float)
    observed = np.asarray(auto["mean_cosine"], dtype=float)
    mean = np.asarray(auto["independent_mean_cosine"], dtype=float)
    sd = np.asarray(auto["independent_sd"], dtype=float)
    ax.fill_between(lags, mean - 2 * sd, mean + 2 * sd, color="0.6", alpha=0.4, lw=0,
                    label="independent steps (2 sd)")  # fmt: skip
    momentum = data["tests"].get("momentum")
    if momentum is not None:
        gamma = momentum["parameters"]["gamma"]
        ax.plot(
            lags, gamma**lags, ":", color=COLOURS["momentum"], label=f"gamma^l, gamma = {gamma:.2f}"
        )
    ax.plot(lags, observed, "o-", color="k", ms=4, label="observed")
    ax.axhline(0.0, color="0.5", lw=0.6)
    ax.set_xlabel("lag l (steps)")
    ax.set_ylabel("mean cosine of steps l apart")
    outcome = "rejects" if auto["rejects_independence"] else "does not reject"
    ax.set_title(f"step autocorrelation: {outcome} independence (p = {auto['p_value']:.2g})",
                 fontsize=9)  # fmt: skip
    ax.set_xticks(lags)
    ax.legend(fontsize=7, loc="best")
    return [observed, mean, sd]


def p_value_panel(ax: Axes, data: Mapping[str, Any]) -> list[np.ndarray]:
    """Each null's p-value (and the independence test's), against the level, log scale."""
    names = _names(data)
    labels = [SHORT[name] for name in names] + ["independent steps"]
    values = [data["tests"][name]["p_value"] for name in names]
    values.append(data["step_autocorrelation"]["p_value"])
    colours = [OUTCOME[_outcome(data, name)] for name in names]
    colours.append(
        "tab:red" if data["step_autocorrelation"]["rejects_independence"] else "tab:green"
    )
    y = np.arange(len(labels))[::-1]
    ax.barh(y, values, color=colours, height=0.6)
    ax.set_xscale("log")
    floor = 1.0 / (data["replicates_per_null"] + 1)
    ax.set_xlim(floor / 1.5, 1.0)
    ax.axvline(data["level"], color="k", lw=1, ls="--")
    ax.text(data["level"], y[-1] - 0.5, f" level {data['level']:g}", fontsize=7, va="center")
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("p-value (green: consistent, red: rejected, orange: not independent)", fontsize=7)
    ax.set_title("randomisation tests", fontsize=9)
    return [np.asarray(values)]


def draw_window(fig: Figure, data: Mapping[str, Any], title: str | None = None) -> list[np.ndarray]:
    """The window figure (see the module docstring); returns the plotted arrays."""
    projections = np.asarray(data["projections"], dtype=float)
    n, shown = projections.shape
    axes = fig.subplots(2, 3)
    arrays = spectrum_panel(axes[0, 0], data)
    plain = data["null_ratios"].get("random_walk")
    if plain is None:  # the plain walk's exact ratios, as null (a) predicts them
        from rwpca.numerics.trajectories.analysis import random_walk_ratios

        plain = random_walk_ratios(n)
    reference = reference_projections(n, np.asarray(plain), float(data["total_variance"]), shown)
    arrays += [projections, reference]
    pairs = [(1, 2), (1, 3)] if shown >= 3 else [(1, 2)] if shown == 2 else []
    points = None
    for ax, (j, k) in zip(axes[0, 1:], pairs, strict=False):
        points = lissajous_panel(ax, data, j, k, reference)
    for ax in axes[0, 1 + len(pairs) :]:
        ax.set_axis_off()
    if points is not None:
        fig.colorbar(points, ax=list(axes[0, 1:]), label="training step", shrink=0.8)
        axes[0, 1].legend(fontsize=7, loc="best")
    time_course_panel(axes[1, 0], data, reference)
    arrays += autocorrelation_panel(axes[1, 1], data)
    arrays += p_value_panel(axes[1, 2], data)
    if data.get("projection_band") is not None:
        arrays.append(np.asarray(data["projection_band"], dtype=float))
    if title:
        fig.suptitle(title, fontsize=10)
    return arrays


WINDOW_SIZE = (15.0, 8.6)


def window_figure(data: Mapping[str, Any], title: str | None = None) -> Figure:
    fig = panels.figure(*WINDOW_SIZE)
    draw_window(fig, data, title)
    return fig


# --- the sweep ------------------------------------------------------------------------------


def draw_sweep(fig: Figure, data: Mapping[str, Any], title: str | None = None) -> list[np.ndarray]:
    """The sweep figure (see the module docstring); returns the plotted arrays."""
    windows = data["windows"]
    middle = np.array([(w["first_step"] + w["last_step"]) / 2 for w in windows], dtype=float)
    width = np.array([w["last_step"] - w["first_step"] for w in windows], dtype=float)
    axes = fig.subplots(4, 1, sharex=True)
    ratios = np.array([w["explained_variance_ratio"] for w in windows], dtype=float)
    lissajous = np.array([w["lissajous"] for w in windows], dtype=float)
    arrays = [middle, ratios, lissajous]
    for c in range(ratios.shape[1]):
        axes[0].plot(middle, ratios[:, c], "o-", color=f"C{c}", ms=4, label=f"ratio {c + 1}")
        reference = windows[0].get("random_walk_ratio")
        if reference is not None:
            axes[0].axhline(reference[c], color=f"C{c}", ls="--", lw=0.8)
        axes[1].plot(middle, lissajous[:, c], "o-", color=f"C{c}", ms=4, label=f"PC {c + 1}")
    axes[0].set_ylabel("explained-variance\nratio")
    axes[0].set_title("first ratios (dashed: the random walk's, null (a))", fontsize=9)
    axes[0].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes[1].set_ylabel("Lissajous score")
    axes[1].set_ylim(0, 1.05)
    axes[1].set_title("correlation of each projection with the random-walk cosine", fontsize=9)
    axes[1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    floor = 1.0 / (data["replicates_per_null"] + 1)
    nulls = list(data["nulls"])
    # the nulls side by side within each window, so equal p-values (the floor) stay visible
    shift = (width.min() if width.size else 1.0) * 0.06
    for index, name in enumerate(nulls):
        p = np.array([w["p_values"][name] for w in windows], dtype=float)
        arrays.append(p)
        x = middle + shift * (index - len(nulls) / 2)
        axes[2].semilogy(x, p, "o-", color=COLOURS[name], ms=4, label=SHORT[name])
    independence = np.array([w["step_autocorrelation_p_value"] for w in windows], dtype=float)
    x = middle + shift * (len(nulls) / 2)
    axes[2].semilogy(x, independence, "x:", color="k", ms=5, label="independent steps")
    axes[2].axhline(data["level"], color="k", lw=1, ls="--")
    axes[2].set_ylim(floor / 1.5, 1.2)
    axes[2].set_ylabel("p-value")
    axes[2].set_title(f"randomisation tests (dashed: level {data['level']:g})", fontsize=9)
    axes[2].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    lag_one = np.array([w["step_autocorrelation_lag_one"] for w in windows], dtype=float)
    arrays += [independence, lag_one]
    rejected = independence <= data["level"]
    axes[3].plot(middle, lag_one, "-", color="k", lw=1)
    axes[3].plot(middle[rejected], lag_one[rejected], "o", color="tab:red", ms=5,
                 label="independence rejected")  # fmt: skip
    axes[3].plot(middle[~rejected], lag_one[~rejected], "o", color="tab:green", ms=5,
                 label="independence not rejected")  # fmt: skip
    axes[3].axhline(0.0, color="0.5", lw=0.6)
    axes[3].set_ylabel("lag-1 step\ncosine")
    axes[3].set_xlabel(f"training step (windows of {data['size']} checkpoints, at their middle)")
    axes[3].set_title("step autocorrelation (momentum gamma gives about gamma)", fontsize=9)
    axes[3].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    for ax in axes:
        for left in middle - width / 2:
            ax.axvline(left, color="0.9", lw=0.6, zorder=0)
    if title:
        fig.suptitle(title, fontsize=10)
    return arrays


SWEEP_SIZE = (10.5, 10.0)


def sweep_figure(data: Mapping[str, Any], title: str | None = None) -> Figure:
    fig = panels.figure(*SWEEP_SIZE)
    draw_sweep(fig, data, title)
    return fig


def sweep_title(data: Mapping[str, Any], label: str) -> str:
    """The run, its steps, and how many windows each null is consistent with."""
    windows = data["windows"]
    counts = ", ".join(
        f"({NULL_LETTERS[name]}) {sum(name in w['verdict']['consistent'] for w in windows)}"
        for name in data["nulls"]
    )
    return (
        f"{label}: steps {windows[0]['first_step']}-{windows[-1]['last_step']}, "
        f"{len(windows)} windows of {data['size']}\nwindows consistent with each null: {counts}"
    )

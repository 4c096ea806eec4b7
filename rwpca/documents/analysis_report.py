"""Rendering of a trajectory analysis: the terminal report and the figure.

Shared by `rwpca analyze` and the neural-network comparison document.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from rwpca.numerics.trajectories.analysis import NULL_MODELS, Analysis
from rwpca.plots import panels

#: Short column titles of the null models.
SHORT = {"random_walk": "(a) random walk", "step_schedule": "(b) step sizes", "drift": "(c) drift"}


def component_table(analysis: Analysis) -> list[str]:
    """Per component: observed ratio, each null's ratio and quotient, the Lissajous score."""
    head1 = f"{'':>3}  {'observed':>8}"
    head2 = f"{'k':>3}  {'ratio':>8}"
    for name in NULL_MODELS:
        head1 += f"  {SHORT[name]:^19}"
        head2 += f"  {'null':>8} {'quotient':>10}"
    head1 += f"  {'Lissajous':>9}"
    head2 += f"  {'score':>9}"
    lines = [head1, head2]
    for k in range(1, analysis.components + 1):
        row = f"{k:>3}  {analysis.explained_variance_ratio[k - 1]:8.4f}"
        for name in NULL_MODELS:
            test = analysis.nulls[name]
            mark = "*" if k in test.deviating else " "
            row += f"  {test.ratios[k - 1]:8.4f} {test.quotient[k - 1]:9.3f}{mark}"
        row += f"  {analysis.lissajous[k - 1]:9.3f}"
        lines.append(row)
    return lines


def text_report(analysis: Analysis, label: str, total_checkpoints: int) -> str:
    """The readable report `rwpca analyze` prints."""
    start, stop = analysis.window
    window = (
        "all checkpoints"
        if (start, stop) == (0, total_checkpoints)
        else f"window {start}:{stop} of {total_checkpoints} checkpoints"
    )
    lines = [
        f"trajectory   {label}",
        f"             n = {analysis.n} checkpoints ({window}), d = {analysis.d} parameters",
        f"steps        effective dimension d_eff = {analysis.effective_dimension:.4g}"
        f"; Ostrowski envelope of the eigenvalues against (b): "
        f"[{analysis.ostrowski[0]:.3g}, {analysis.ostrowski[1]:.3g}]",
        "",
        "explained-variance ratios of the first components against the null models",
        "(quotient = observed / null; * outside the band the null allows)",
        "",
        *component_table(analysis),
        "",
        f"{'null model':<48} {'p-value':>8}  result",
    ]
    for test in analysis.nulls.values():
        result = "consistent" if test.consistent else "rejected"
        lines.append(f"{test.title:<48} {test.p_value:8.3f}  {result}")
    drift = analysis.nulls["drift"].parameters
    lines.append(
        f"{'':<4}drift fit: ||mu||^2 = {drift['drift_squared']:.4g}, sigma^2 d = "
        f"{drift['noise']:.4g} (naive ||mean step||^2 = {drift['naive_drift_squared']:.4g})"
    )
    lines.append("")
    lines.extend(f"note: {note}" for note in analysis.notes)
    lines.append(f"verdict: {analysis.verdict}")
    return "\n".join(lines) + "\n"


def rounded(value: object, digits: int = 6) -> object:
    """Floats (also inside lists and dicts) rounded to ``digits`` significant digits."""
    if isinstance(value, float):
        return float(f"{value:.{digits}g}") if np.isfinite(value) else None
    if isinstance(value, dict):
        return {key: rounded(item, digits) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(item, digits) for item in value]
    return value


def summary(analysis: Analysis, spectrum: int = 50, shown: int = 3) -> dict[str, object]:
    """What the figure and the document need, JSON-ready and rounded to 6 digits.

    The analysis's JSON (first ``spectrum`` ratios only), the projections on the first
    ``shown`` components, the squared step norms and the total variance.
    """
    data = analysis.to_json()
    data["explained_variance_ratio"] = data["explained_variance_ratio"][:spectrum]
    data["null_models"] = {name: r[:spectrum] for name, r in data["null_models"].items()}
    data["projections"] = analysis.projections[:, :shown].tolist()
    data["step_norms_squared"] = analysis.step_norms_squared.tolist()
    data["total_variance"] = float(analysis.eigenvalues.sum())
    return rounded(data)  # type: ignore[return-value]


def reference_projections(n: int, ratios: np.ndarray, total: float, count: int) -> np.ndarray:
    """The plain walk's projections sqrt(rho_k^a total) e_k(t), scaled like the data's."""
    from rwpca.numerics.trajectories.analysis import cosine_basis

    ratios = np.asarray(ratios[:count], dtype=float)
    return cosine_basis(n, count) * np.sqrt(ratios * total)[None, :]


def draw(fig: Figure, data: dict, title: str | None = None) -> list[np.ndarray]:
    """Spectrum against the three nulls, then Lissajous panels of the first components.

    ``data`` is a :func:`summary`; returns the plotted arrays (for a fingerprint).
    """
    projections = np.asarray(data["projections"], dtype=float)
    n, shown = projections.shape
    pairs = panels.component_pairs(shown)
    axes = fig.subplots(1, 1 + len(pairs), squeeze=False)[0]
    observed = np.asarray(data["explained_variance_ratio"], dtype=float)
    references = {
        f"{SHORT[name]} null": np.asarray(data["null_models"][name], dtype=float)
        for name in NULL_MODELS
    }
    panels.spectrum_panel(axes[0], observed, references)
    axes[0].set_title(f"spectrum, n = {data['n']}, d = {data['d']}", fontsize=9)
    reference = reference_projections(
        n, references[f"{SHORT['random_walk']} null"], float(data["total_variance"]), shown
    )
    if pairs:
        panels.lissajous_panels(axes[1:], projections, pairs, reference=reference)
        axes[1].legend(fontsize=7, loc="best")
    if title:
        fig.suptitle(title, fontsize=10)
    return [observed, *references.values(), projections, reference]


def figure_size(shown: int = 3) -> tuple[float, float]:
    return 4.0 * (1 + len(panels.component_pairs(shown))), 3.8


def figure(analysis: Analysis, title: str | None = None) -> Figure:
    """A standalone figure of the analysis (for `rwpca analyze --plot`)."""
    data = summary(analysis, shown=min(3, analysis.components))
    fig = panels.figure(*figure_size(min(3, analysis.components)))
    draw(fig, data, title)
    return fig

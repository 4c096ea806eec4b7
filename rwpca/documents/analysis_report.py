"""Rendering of a trajectory analysis: the verdict and notes in words, the report, the figure.

Shared by `rwpca analyze` and the neural-network comparison document. The sentences are
written from the analysis's JSON (:meth:`Analysis.to_json`, or a cached summary of it), so
a live analysis and a recorded one are told in the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from rwpca.numerics.trajectories.analysis import NULL_MODELS, Analysis, NoteKind
from rwpca.numerics.trajectories.recorded import summarise
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
    data = analysis.to_json()
    lines.extend(f"note: {note_text(note)}" for note in data["notes"])
    lines.append(f"verdict: {verdict_text(data)}")
    return "\n".join(lines) + "\n"


def note_text(note: Mapping[str, Any]) -> str:
    """A diagnostic of the steps (:class:`~rwpca.numerics.trajectories.analysis.Note`) in words."""
    kind = NoteKind(note["kind"])
    if kind is NoteKind.LOW_EFFECTIVE_DIMENSION:
        return (
            f"the steps are effectively {note['effective_dimension']:.3g}-dimensional (d_eff), "
            f"not >> n = {note['n']}: the random-walk limit (R R^T -> I) does not hold, and the "
            "finite-d fluctuations are large; the randomisation test accounts for them"
        )
    if kind is NoteKind.ZERO_LENGTH_STEPS:
        return f"{note['count']} of the {note['steps']} steps have zero length"
    how = (
        "correlated (momentum or smoothing of the updates)"
        if kind is NoteKind.CORRELATED_STEPS
        else "anti-correlated (mean reversion, as in a quadratic well)"
    )
    return (
        f"consecutive steps are {how}: mean overlap {note['consecutive']:.2g} against "
        f"{note['typical']:.2g} for all pairs, while every null model here assumes independent "
        "steps"
    )


def _describe_deviation(data: Mapping[str, Any], test: Mapping[str, Any]) -> str:
    """Which components leave the band, and how: ratio quotients or Lissajous scores."""
    ratio, shape = [], []
    for k in test["deviating_components"]:
        lo, hi = test["allowed_quotient"][k - 1]
        if lo <= test["quotient"][k - 1] <= hi:
            shape.append(k)
        else:
            ratio.append(k)
    parts = []
    if ratio:
        quotients = ", ".join(f"{test['quotient'][k - 1]:.3g}" for k in ratio)
        parts.append(
            f"ratio of component{'s' if len(ratio) > 1 else ''} "
            f"{', '.join(map(str, ratio))} at {quotients} x the null"
        )
    if shape:
        scores = ", ".join(f"{data['lissajous'][k - 1]:.4f}" for k in shape)
        typical = ", ".join(f"{test['lissajous_null'][k - 1]:.4f}" for k in shape)
        parts.append(
            f"Lissajous score of component{'s' if len(shape) > 1 else ''} "
            f"{', '.join(map(str, shape))} at {scores} against {typical} under the null"
        )
    return "; ".join(parts)


def verdict_text(data: Mapping[str, Any]) -> str:
    """One paragraph: which null models the first K components are consistent with."""
    K = data["components"]
    # in report order: a cached summary stores its tests sorted by name
    order = [*NULL_MODELS, *sorted(set(data["tests"]) - set(NULL_MODELS))]
    tests = [data["tests"][name] for name in order if name in data["tests"]]
    good = [t for t in tests if t["consistent"]]
    bad = [t for t in tests if not t["consistent"]]
    head = (
        f"The first {K} components are consistent with "
        + ", ".join(f"{t['title']} (p = {t['p_value']:.3g})" for t in good)
        if good
        else f"The first {K} components are not consistent with any random-walk null model"
    )
    if bad:
        rejected = "; ".join(
            f"{t['title']} (p = {t['p_value']:.3g}: {_describe_deviation(data, t) or 'jointly'})"
            for t in bad
        )
        head += (". Rejected: " if good else ": ") + rejected
    return head + f" [level alpha = {data['alpha']:g}, {data['replicates']} reshuffled walks]."


def reference_projections(n: int, ratios: np.ndarray, total: float, count: int) -> np.ndarray:
    """The plain walk's projections sqrt(rho_k^a total) e_k(t), scaled like the data's."""
    from rwpca.numerics.trajectories.analysis import cosine_basis

    ratios = np.asarray(ratios[:count], dtype=float)
    return cosine_basis(n, count) * np.sqrt(ratios * total)[None, :]


def draw(fig: Figure, data: dict, title: str | None = None) -> list[np.ndarray]:
    """Spectrum against the three nulls, then Lissajous panels of the first components.

    ``data`` is a :func:`~rwpca.numerics.trajectories.recorded.summarise`; returns the
    plotted arrays (for a fingerprint).
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
    data = summarise(analysis, shown=min(3, analysis.components))
    fig = panels.figure(*figure_size(min(3, analysis.components)))
    draw(fig, data, title)
    return fig

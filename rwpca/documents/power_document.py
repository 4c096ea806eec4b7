"""The power-study document of derivations/, rendered from the committed study summary.

``benchmarks/power_study.py`` runs the study (hours of CPU) and writes
``numerics/data/power_study.json``; this module turns that summary into
``power-study.md`` and its figure, so `rwpca derive` recomputes nothing. The statements
(calibration within binomial error, the power against momentum) are read off the numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np

from rwpca import __version__
from rwpca.documents import markdown
from rwpca.documents.markdown import table
from rwpca.numerics import DATA
from rwpca.numerics.nulls.results import NULL_LETTERS, NULL_TITLES
from rwpca.numerics.studies import power
from rwpca.plots import figures, panels

DOCUMENT = "power-study.md"
TITLE = "Power study: how often each null is rejected under each alternative"
SUMMARY = DATA / "power_study.json"
FIGURE = "figures/power_momentum.png"

#: Column titles of the tests counted in a cell.
VARIANT_TITLES = {
    **{name: f"({NULL_LETTERS[name]})" for name in NULL_TITLES},
    "momentum:given": "(d) gamma given",
    "ou:given": "(e) alpha given",
    "independence": "independent steps",
}
ALTERNATIVE_TITLES = {
    "plain": "random walk",
    "schedule": "random walk, step variance falling 10x",
    "drift": "random walk with drift (drift displacement = noise's)",
    "momentum-0.5": "momentum 0.5",
    "momentum-0.9": "momentum 0.9",
    "momentum-0.99": "momentum 0.99",
    "ou-1": "Ornstein-Uhlenbeck, n alpha = 1",
    "ou-10": "Ornstein-Uhlenbeck, n alpha = 10",
    "ou-100": "Ornstein-Uhlenbeck, n alpha = 100",
    "descent": "gradient descent on a quadratic, curvatures 1/i",
    "trained": "trained network, momentum 0.9 (the trial's run, NumPy)",
}


def load(path: Path = SUMMARY) -> power.PowerStudy:
    try:
        return power.PowerStudy.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(
            f"the power-study summary {path} cannot be read ({error}): run "
            "'python benchmarks/power_study.py'"
        ) from None


def _d_eff(cell: power.Cell) -> str:
    return (
        f"{cell.d_eff}"
        if cell.d_eff is not None
        else f"{cell.mean_effective_dimension:.3g} (measured)"
    )


def calibration_rows(study: power.PowerStudy) -> tuple[list[list[str]], int, int]:
    """Every (cell, variant) whose null holds: its rate and whether it is within range."""
    rows, inside, total = [], 0, 0
    for cell in study.cells:
        alternative = power.BY_ID[cell.alternative]
        for variant in power.calibrated_variants(alternative):
            if variant not in cell.rejections:
                continue
            count = cell.rejections[variant].count("1")
            lo, hi = power.binomial_range(cell.trials, study.level)
            ok = lo <= count <= hi
            inside += ok
            total += 1
            rows.append(
                [
                    ALTERNATIVE_TITLES[cell.alternative],
                    str(cell.n),
                    _d_eff(cell),
                    VARIANT_TITLES[variant],
                    f"{count}/{cell.trials} = {count / cell.trials:.3f}",
                    f"[{lo}, {hi}]",
                    "yes" if ok else "**no**",
                ]
            )
    return rows, inside, total


def power_table(study: power.PowerStudy, alternative: str) -> str:
    cells = [c for c in study.cells if c.alternative == alternative]
    variants = [v for v in power.variants(power.BY_ID[alternative]) if v in cells[0].rejections]
    rows = [
        [str(c.n), _d_eff(c), *(f"{c.rate(v):.2f}" for v in variants), str(c.trials)] for c in cells
    ]
    return table(["n", "d_eff", *(VARIANT_TITLES[v] for v in variants), "trials"], rows)


@figures.figure_function
def _figure(study: power.PowerStudy) -> bytes:
    """Rejection rates of (a) and of (d) against n, momentum 0.9 and the random walk."""
    with matplotlib.rc_context(matplotlib.rcParamsDefault):
        fig = panels.figure(10, 4)
        axes = fig.subplots(1, 2, sharey=True)
        recorder = figures._Recorder("power-momentum")
        for ax, alternative in zip(axes, ("momentum-0.9", "plain"), strict=True):
            cells = [c for c in study.cells if c.alternative == alternative]
            for index, d_eff in enumerate(sorted({c.d_eff or 0 for c in cells})):
                chosen = sorted((c for c in cells if (c.d_eff or 0) == d_eff), key=lambda c: c.n)
                n = np.array([c.n for c in chosen], dtype=float)
                for variant, style in (("random_walk", "-"), ("momentum", "--")):
                    rates = np.array([c.rate(variant) for c in chosen])
                    recorder(n, rates)
                    ax.plot(n, rates, style, marker="o", color=f"C{index}",
                            label=f"{VARIANT_TITLES[variant]}, d_eff = {d_eff}")  # fmt: skip
            ax.axhline(study.level, color="k", lw=0.8, ls=":")
            ax.axhline(0.9, color="0.6", lw=0.8, ls=":")
            ax.set_xlabel("n checkpoints")
            ax.set_title(f"rejection rate under {ALTERNATIVE_TITLES[alternative]}", fontsize=9)
        axes[0].set_ylabel(f"fraction rejected at level {study.level:g}")
        axes[0].legend(fontsize=7, loc="center right")
        return figures._save(fig, recorder)


def render(study: power.PowerStudy) -> str:
    design = study.design
    rows, inside, total = calibration_rows(study)
    lo, hi = power.binomial_range(design["trials"], study.level)
    momentum = [c for c in study.cells if c.alternative == "momentum-0.9" and c.n >= 200]
    weakest = min(momentum, key=lambda c: c.rate("random_walk")) if momentum else None
    trained = [c for c in study.cells if c.alternative == "trained"]
    out = [
        f"# {TITLE}\n",
        "Every cell draws independent trajectories from an alternative at n checkpoints and "
        "effective dimension d_eff, and analyses each exactly as `rwpca analyze` does (every "
        f"null at once, {design['replicates']} reshuffled walks per null, level "
        f"{study.level:g}). The rate at which a null is rejected estimates its test's level "
        "when the null holds (calibration) and its power when it does not. The synthetic "
        "alternatives use isotropic Gaussian noise in d_eff dimensions, started in their "
        "stationary state (so a window looks like the middle of a long run); `trained` is "
        "the NumPy network 64-128-10 on the digits with momentum 0.9 (d = 9,610, its own "
        "d_eff), one training seed per trial. The definitions are in "
        "`numerics/studies/power.py`; the study is run by `benchmarks/power_study.py`, "
        f"and every trial's outcome is kept in `numerics/data/power_study.json`.\n",
        f"Design: {design['trials']} trials per cell, base seed {design['base_seed']}; the "
        "cells (alternative, n, d_eff) are those of the tables below, at (n, d_eff) among "
        + ", ".join(f"({n}, {d})" for n, d in design["shapes"])
        + "."
        + (
            f" The trained run at n = {', '.join(map(str, design['trained_ns']))}."
            if design["trained_ns"]
            else " The trained momentum run is not in this study (one training per trial "
            "costs more than the rest of it); its verdict is in the "
            "[neural-network comparison](nn-comparison.md)."
        )
        + "\n",
        "## Calibration\n",
        f"Under its own null a test should reject a fraction {study.level:g} of trajectories. "
        f"With {design['trials']} trials the count of a calibrated test lies in "
        f"[{lo}, {hi}] with probability 0.999 (the exact binomial range); "
        f"**{inside} of {total}** (cell, test) pairs are inside their range. The tests with "
        "given parameters, and (a) to (c), are exact in theory; (d) and (e) with the "
        "parameter estimated from the steps (the default) are exact only as d_eff grows, "
        "and this table measures them.\n",
        table(["alternative", "n", "d_eff", "test", "rejected", "range (0.999)", "inside"], rows),
        "## Power against momentum\n",
    ]
    if weakest is not None:
        held = [c for c in study.cells if c.alternative == "momentum-0.9"]
        lo_d, hi_d = power.binomial_range(design["trials"], study.level)
        d_inside = all(lo_d <= c.rejections["momentum:given"].count("1") <= hi_d for c in held)
        out.append(
            "Momentum barely changes the PCA spectrum (the paper's point), so a test of the "
            "ratios alone has no power against it; the lag-1 step cosine in every null's "
            "statistic gives it. Against momentum 0.9 the plain null (a) is rejected in "
            f"{weakest.rate('random_walk'):.0%} of trajectories or more at every n >= 200 "
            f"measured (weakest cell: n = {weakest.n}, d_eff = {weakest.d_eff}); null (d) "
            "with gamma given "
            + (
                "keeps its level in every cell (its count inside the binomial range)"
                if d_inside
                else "is outside its binomial range in some cell (see the calibration table)"
            )
            + ", and with gamma estimated it rejects "
            + ", ".join(f"{c.rate('momentum'):.2f} (n = {c.n}, d_eff = {c.d_eff})" for c in held)
            + ".\n"
        )
    out.append(f"![power against momentum]({FIGURE})\n")
    if trained:
        rates = ", ".join(
            f"n = {c.n}: (a) {c.rate('random_walk'):.2f}, not called independent "
            f"{1 - c.called_independent / c.trials:.2f}, (d) {c.rate('momentum'):.2f}, "
            f"(d) gamma given {c.rate('momentum:given'):.2f}"
            for c in trained
        )
        out.append(
            "The trained momentum run (one seed per trial): rejection rates "
            + rates
            + ". Its steps are not independent, and a verdict that calls it consistent with "
            "a walk of independent steps does not occur when the step autocorrelation rejects "
            "independence. Null (d) is a model of the run, not the run: the network's "
            "gradient noise is neither isotropic nor independent of the position, which a "
            "larger n can resolve.\n"
        )
    out.append("## Rejection rates, every alternative\n")
    for alternative in power.ALTERNATIVES:
        if not any(c.alternative == alternative.id for c in study.cells):
            continue
        out.append(f"### {ALTERNATIVE_TITLES[alternative.id]}\n")
        out.append(power_table(study, alternative.id))
    out.append(
        markdown.footer(
            __version__,
            "`numerics/data/power_study.json` (written by `python benchmarks/power_study.py`)",
        )
    )
    return "\n".join(out)


def documents() -> dict[str, bytes]:
    """The document and its figure (the derive hook)."""
    study = load()
    return {DOCUMENT: render(study).encode(), FIGURE: _figure(study)}

"""The neural-network comparison document of derivations/, rendered from the recorded runs.

The runs, their recording and the committed cache of their summaries live in
:mod:`rwpca.numerics.trajectories.recorded`; :func:`retrain` records every run again and
rewrites the cache (``rwpca derive --retrain``). This module only turns the cached
summaries, and the statements :func:`~rwpca.numerics.trajectories.recorded.compare_with_paper`
reads off them, into the document and its figures, so ``rwpca derive`` trains nothing and
stays byte-for-byte stable across machines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import numpy as np

from rwpca import __version__, treeio
from rwpca.documents import analysis_report, markdown
from rwpca.documents.markdown import table
from rwpca.numerics.progress import ProgressArg, iterate
from rwpca.numerics.studies.comparison import PaperComparison, compare_with_paper
from rwpca.numerics.trajectories.analysis import NULL_LETTERS, NULL_MODELS, NULL_TITLES
from rwpca.numerics.trajectories.recorded import (
    CACHE,
    COMPONENTS,
    REPLICATES,
    RUNS,
    RecordedRuns,
    RunSummary,
    encode_cache,
    load_cache,
    record_run,
)
from rwpca.plots import analysis_figures, figures, panels

DOCUMENT = "nn-comparison.md"
TITLE = "Neural-network comparison: recorded training runs against the random-walk nulls"


def retrain(progress: ProgressArg = None, path: Path = CACHE) -> RecordedRuns:
    """Train and analyse every run, then replace the cache file atomically."""
    records = {
        run.id: record_run(run, progress)
        for run in iterate(progress, RUNS, "retraining", unit="run")
    }
    cache = RecordedRuns(records)
    treeio.write_file_atomic(path, encode_cache(cache))
    return cache


# --- the document -----------------------------------------------------------------------


@figures.figure_function
def _figure(record: RunSummary) -> bytes:
    """The window figure of a run (its verdict and p-values in the title)."""
    data = record.analysis
    with matplotlib.rc_context(matplotlib.rcParamsDefault):
        fig = panels.figure(*analysis_figures.WINDOW_SIZE)
        arrays = analysis_figures.draw_window(fig, data, analysis_report.title(data, record.id))
        recorder = figures._Recorder(f"nn-{record.id}")
        recorder(*arrays)
        return figures._save(fig, recorder)


@figures.figure_function
def _sweep_figure(record: RunSummary) -> bytes:
    """The sweep figure of a run: consecutive windows against the training step."""
    assert record.sweep is not None
    with matplotlib.rc_context(matplotlib.rcParamsDefault):
        fig = panels.figure(*analysis_figures.SWEEP_SIZE)
        title = analysis_figures.sweep_title(record.sweep, record.id)
        arrays = analysis_figures.draw_sweep(fig, record.sweep, title)
        recorder = figures._Recorder(f"nn-sweep-{record.id}")
        recorder(*arrays)
        return figures._save(fig, recorder)


@figures.figure_function
def _overview(cache: RecordedRuns) -> bytes:
    """Quotient observed / null of the first components, every run, nulls (a) and (c)."""
    with matplotlib.rc_context(matplotlib.rcParamsDefault):
        fig = panels.figure(11, 4.2)
        axes = fig.subplots(1, 2, sharey=True)
        recorder = figures._Recorder("nn-overview")
        k = np.arange(1, COMPONENTS + 1)
        for ax, name in zip(axes, ("random_walk", "drift"), strict=True):
            for index, record in enumerate(cache.runs.values()):
                quotient = np.asarray(record.analysis["tests"][name]["quotient"], dtype=float)
                recorder(quotient)
                style = "k--" if record.simulated else f"C{index}-"
                ax.semilogy(k[: quotient.size], quotient, style, marker="o", ms=3, label=record.id)
            ax.axhline(1.0, color="0.5", lw=0.8)
            ax.set_xlabel("component k")
            ax.set_title(f"observed / {NULL_TITLES[name]}", fontsize=9)
            ax.set_xticks(k)
        axes[0].set_ylabel("quotient of explained-variance ratios")
        axes[1].legend(fontsize=7, loc="lower left")
        return figures._save(fig, recorder)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


def _config_cell(record: RunSummary) -> str:
    config = record.config
    if record.simulated:
        return "simulated random walk"
    momentum = f" (gamma {config['momentum']})" if config["optimizer"] == "momentum" else ""
    return (
        f"{config['optimizer']}{momentum}, "
        f"{config['schedule']} lr {config['learning_rate']:g}, batch {config['batch_size']}"
    )


def _metrics_cell(record: RunSummary) -> str:
    training = record.training
    if not training:
        return "—"
    parts = [f"loss {training['initial']['loss']:.3g} → {training['final']['loss']:.3g}"]
    if "accuracy" in training["final"]:
        parts.append(f"accuracy {100 * training['final']['accuracy']:.1f}%")
    return ", ".join(parts)


def _runs_table(cache: RecordedRuns) -> str:
    columns = (
        "run",
        "model",
        "d",
        "optimiser",
        "steps, window",
        "n",
        "d / n",
        "training",
        "d_eff",
        *(f"p ({NULL_LETTERS[name]})" for name in NULL_MODELS),
        "lag-1 cosine (p)",
    )
    rows = []
    for record in cache.runs.values():
        a, config = record.analysis, record.config
        model = config.get("model", "—")
        steps = (
            f"{config['steps']}, {config['record'][0]}:{config['record'][1]}"
            if "steps" in config
            else "—"
        )
        tests, verdict = a["tests"], a["verdict"]
        auto = a["step_autocorrelation"]
        rows.append(
            (
                f"[{record.id}](#{record.id})",
                model,
                a["d"],
                _config_cell(record),
                steps,
                a["n"],
                f"{a['d'] / a['n']:.1f}",
                _metrics_cell(record),
                _fmt(a["effective_dimension"]),
                *(
                    f"{tests[name]['p_value']:.3f}{'' if name in verdict['consistent'] else ' ✗'}"
                    for name in NULL_MODELS
                ),
                f"{auto['mean_cosine'][0]:.2f} ({auto['p_value']:.3g}"
                f"{' ✗' if auto['rejects_independence'] else ''})",
            )
        )
    return table(columns, rows)


def _laws_table(cache: RecordedRuns) -> str:
    """Per run: the finite-d null at its d_eff and the better-fitting decay law."""
    columns = (
        "run", "d_eff", "null in d =", "rho_1", "null rho_1 [band]", "outside band",
        "better law", "exponent p", "factor r", "LLR", "p-value",
    )  # fmt: skip
    rows = []
    for record in cache.runs.values():
        a = record.analysis
        null, laws = a.get("finite_d_null"), a.get("decay_laws")
        if null is None or laws is None:
            continue
        low, high = null["band"][0]
        outside = ", ".join(map(str, null["deviating_components"])) or "none"
        rows.append(
            (
                f"[{record.id}](#{record.id})",
                _fmt(a["effective_dimension"]),
                null["dimension"],
                f"{a['explained_variance_ratio'][0]:.3f}",
                f"{null['mean'][0]:.3f} [{low:.3f}, {high:.3f}]",
                outside,
                "descent" if laws["better"] == "descent" else "random walk",
                _fmt(laws["random_walk"]["exponent"]),
                _fmt(laws["descent"]["factor_per_component"]),
                _fmt(laws["log_evidence"]),
                _fmt(laws["p_value"]),
            )
        )
    return table(columns, rows)


def _component_table(record: RunSummary) -> str:
    a = record.analysis
    tests = a["tests"]
    columns = ["k", "observed"]
    for name in NULL_MODELS:
        columns += [f"{analysis_report.SHORT[name]}: null", "quotient"]
    columns.append("Lissajous")
    rows = []
    for k in range(1, a["components_tested"] + 1):
        cells = [str(k), f"{a['explained_variance_ratio'][k - 1]:.4f}"]
        for name in NULL_MODELS:
            test = tests[name]
            mark = " **✗**" if k in test["deviating_components"] else ""
            cells.append(f"{a['null_ratios'][name][k - 1]:.4f}")
            cells.append(f"{test['quotient'][k - 1]:.3f}{mark}")
        cells.append(f"{a['lissajous'][k - 1]:.3f}")
        rows.append(cells)
    return table(columns, rows)


def _reproduce(record: RunSummary) -> str:
    config = record.config
    if record.simulated:
        return ""
    options = [
        f"--model {config['model']}",
        f"--steps {config['steps']}",
        f"--record {config['record'][0]}:{config['record'][1]}",
        f"--optimizer {config['optimizer']}",
        f"--lr {config['learning_rate']:g}",
        f"--schedule {config['schedule']}",
    ]
    if config["model"] == "linear":
        options.append(f"--features {config['features']}")
    if config["model"] == "mlp":
        options.append(f"--hidden {config['hidden']}")
    return (
        "```sh\n"
        f"rwpca train {' '.join(options)} --out {record.id}.npy\n"
        f"rwpca analyze {record.id}.npy --components {COMPONENTS} --plot {record.id}.png\n"
        "```\n"
    )


def _names(ids: tuple[str, ...]) -> str:
    return ", ".join(f"`{name}`" for name in ids) or "none"


def _p_values(values: tuple[float, ...]) -> str:
    return ", ".join(f"{p:.3g}" for p in values)


def _law_findings(cache: RecordedRuns) -> list[str]:
    """The finite-d null and the decay law over the training runs, in words."""
    trained = [r for r in cache.runs.values() if not r.simulated]
    rows: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for record in trained:
        null, laws = record.analysis.get("finite_d_null"), record.analysis.get("decay_laws")
        if null and laws:
            rows.append((record.id, null, laws))
    if not rows:
        return []
    above = [name for name, null, _ in rows if 1 in null["deviating_components"]]
    descent = [name for name, _, laws in rows if laws["better"] == "descent"]
    called = [
        name
        for name, _, laws in rows
        if laws["better"] == "descent" and laws["p_value"] is not None and laws["p_value"] <= 0.05
    ]
    exponents = [laws["random_walk"]["exponent"] for _, _, laws in rows]
    means = [null["mean"][0] for _, null, _ in rows]
    return [
        f"**Finite d (not in the paper).** At its own d_eff, a random walk with isotropic "
        f"Gaussian steps would put the first ratio at {min(means):.3g} to {max(means):.3g} on "
        "average (the d_eff >> n value 6 / pi^2 = 0.608 grows by a factor of about "
        "1 + 0.33 / d_eff); the observed first "
        f"ratio lies above that walk's 95% band in {len(above)} of {len(rows)} training runs, "
        "so the small d_eff does not explain the dominant first component: the drift does.",
        f"**Decay law (not in the paper).** Past the first component the ratios fall like a "
        f"power law k^-p with p from {min(exponents):.3g} to {max(exponents):.3g} (random walk: "
        f"2); a geometric decay, the shape of gradient descent on a quadratic (hyper-ribbons), "
        f"fits better in {len(descent)} of {len(rows)} runs ({_names(tuple(descent))}), and "
        f"better than the finite-d walks would at level 0.05 in {len(called)} "
        f"({_names(tuple(called))}).",
    ]


def _findings(cache: RecordedRuns) -> list[str]:
    """What agrees and what does not with the paper, in words, from the cached numbers."""
    found: PaperComparison = compare_with_paper(cache)
    runs = len(found.runs)
    first = list(found.first_quotients.values())
    items = [
        f'**First component (the paper: comparable to a random walk "with the exception of '
        f'the first component"). Agrees.** In {len(found.first_above)} of {runs} training runs '
        f"the first component holds more than the plain walk's share: observed / null (a) from "
        f"{min(first):.3g} to {max(first):.3g} (the walk's own ratio is "
        f"{found.plain_first_ratio:.3g} at n = {found.n}). Null (c) explains this by drift: "
        "against it the first quotients are "
        + ", ".join(f"{q:.3g}" for q in found.drift_first_quotients.values())
        + "."
    ]
    drift_ok, plain_ok = found.consistent["drift"], found.consistent["random_walk"]
    items.append(
        f'**Random walk with drift (the paper: trajectories "resemble those of a random walk '
        f'with drift").** Not rejected at level {found.alpha:g} in '
        f"{len(drift_ok)} of {runs} runs ({_names(drift_ok)}); the plain walk (a) in "
        f"{len(plain_ok)} ({_names(plain_ok)}); some null in {len(found.consistent_with_some)} "
        f"({_names(found.consistent_with_some)}). Where (c) is rejected, the spectrum is "
        "drift-dominated as the paper says, but the remaining components do not follow the "
        "walk's 1/k^2 law at the level a calibrated test can resolve (see the per-run tables)."
    )
    if found.effective_dimensions:
        items.append(
            f"**Effective dimension (not in the paper).** The steps' effective dimension d_eff "
            f"is {min(found.effective_dimensions):.3g} to {max(found.effective_dimensions):.3g}, "
            f"against d = {found.parameters[0]} to {found.parameters[1]} "
            f"parameters; it is below n in {len(found.below_n)} of {runs} runs. The random-walk "
            "limit needs R R^T -> I, that is d_eff >> n, not only d >> n: SGD noise lives in "
            "few directions, so the finite-d fluctuations are far larger than the parameter "
            "count suggests (the randomisation test is exact whatever d_eff; a simulated "
            "Gaussian walk at the measured d_eff would rest on a noise model)."
        )
    items.extend(_law_findings(cache))
    aligned = found.lissajous_aligned
    items.append(
        f"**Lissajous curves.** The first two projections correlate with the random-walk "
        f"cosines at 0.9 or more in {len(aligned)} of {runs} runs ({_names(aligned)}); "
        "higher components are increasingly noise, as expected when d_eff is small."
    )
    if found.early is not None:
        e = found.early
        items.append(
            '**Early against middle of training (the poster: "especially in the early stages '
            'of training").** For the same network and run, the first 400 steps put '
            f"{100 * e.early_first_share:.1f}% of the variance in the first "
            f"component (p-values (a, b, c) = {_p_values(e.early_p_values)}), the middle 400 "
            f"steps {100 * e.middle_first_share:.1f}% ({_p_values(e.middle_p_values)}). "
            + (
                "Here the early window is the further from a random walk: a fast descent "
                "whose drift changes within the window, which no constant-drift null "
                f"captures (component 2 holds {e.early_second_drift_quotient:.3g} "
                "times the share that (c) predicts)."
                if e.early_further
                else "Here too the early window is the closer to a random walk."
            )
        )
    if found.momentum is not None:
        m = found.momentum
        lags = ", ".join(f"`{run}` {m.lag_one[run]:.2f}" for run in m.runs)
        fitted = ", ".join(f"{m.fitted_gamma[run]:.3g}" for run in m.runs)
        items.append(
            f'**Momentum (the paper: its results "also apply to a random walk with '
            f"momentum\").** Agrees for the spectrum: the momentum walk's ratios "
            f"(`momentum.eigenvalue`) differ from the plain walk's only from k of order "
            f"n (1 - gamma) / pi = {m.departure:.3g} on (n = {m.n}, gamma = {m.gamma:g}), so the "
            f"first components cannot tell momentum from independent steps. The steps can: "
            f"consecutive updates of the momentum runs point in nearly the same direction "
            f"(lag-1 step cosine {lags}; the step autocorrelation rejects independence in "
            f"{len(m.correlated)} of {len(m.runs)}), and every null's test includes that cosine, "
            f"so {len(m.runs) - len(m.called_independent)} of {len(m.runs)} momentum runs are "
            f"not called consistent with a walk of independent steps. Null (d), a walk with "
            f"momentum whose innovations are reshuffled, fits gamma = {fitted} from the steps "
            f"and is consistent with {len(m.momentum_consistent)} of them "
            f"({_names(m.momentum_consistent)})."
        )
    if found.control_p_values is not None:
        p_values = _p_values(found.control_p_values)
        items.append(
            "**Control.** The simulated random walk passes every null and its steps pass the "
            "independence test (p-values "
            + p_values
            + f"; d_eff = {_fmt(found.control_effective_dimension)}): the tests do not reject "
            "everything, and their rejections of the training runs are not an artefact (the "
            "calibrated rejection rates are in the [power study](power-study.md))."
            if found.control_passes
            else "**Control.** The simulated random walk is rejected by some test (p-values "
            + p_values
            + "): at level alpha this happens by chance in a fraction alpha of seeds (see the "
            "[power study](power-study.md))."
        )
    return items


METHOD = """\
Each run records its parameters at every step of a window (the paper uses the middle of
training), with d at least 10 times the number n of recorded checkpoints. `rwpca analyze`
computes the n x n Gram matrix in one pass over d and compares the centred PCA with five
null models, each with its exact finite-n prediction:

- **(a) random walk**: the exact ratios `3 / (2 (n^2 - 1) sin^2(pi k / (2n)))`
  ([`rw.evr.exact`](rw.evr.exact.md));
- **(b) random walk with the observed step sizes**: the spectrum of `C L D L^T C`, `D` the
  squared step norms read off the Gram matrix (the paper's Figure 15 compares with a walk
  whose step variance decays);
- **(c) random walk with drift**: `E[R R^T] = sigma^2 d I + ||mu||^2 1 1^T` with the drift
  estimated without the upward bias `sigma^2 d / N` of the naive `||mean step||^2`;
- **(d) random walk with momentum** gamma and **(e) Ornstein-Uhlenbeck walk** with rate
  alpha: the catalog's exact matrices `C T^-1 T^-T C` of the process (plus the drift term of
  its innovations), gamma and alpha estimated from the steps by least squares with their
  exact finite-n bias removed (or given: `rwpca analyze --momentum 0.9`).

The verdict is a randomisation test ({replicates} walks per null, level 0.05) that needs no
model of the noise: the trajectory's own steps are reshuffled in the way each null allows
(order and signs for (a); signs only for (b), which keeps the step sizes; order only for
(c), which keeps the drift; for (d) and (e) the innovations `s_t - gamma s_{{t-1}}` or
`y_t - (1 - alpha) y_{{t-1}}` are reordered and integrated again), and every reshuffled walk
is analysed exactly like the data. Under its null a reshuffled walk has the distribution of
the trajectory itself, whatever the noise distribution or its effective dimension, so the
test is exact at finite n and d for given parameters. The statistic is the largest
standardised deviation over the first {components} ratio quotients, Lissajous scores and
the lag-1 step cosine (which gives the nulls with independent steps their power against
momentum, which barely changes the spectrum). Beside every verdict, the **step
autocorrelation** (the mean cosine of steps l apart, l = 1..5) is tested against independent
steps by reordering; a run whose steps it finds dependent is never called consistent with
(a), (b) or (c). A quotient marked ✗ lies outside the simultaneous band that the null allows.
The Lissajous score is the correlation of projection k with `cos(pi k (t - 1/2) / n)`
([`rw.eigenvector`](rw.eigenvector.md)). How to read one report line by line, and the terms
(d_eff, the Ostrowski envelope, `R R^T -> I`), are in the
[reader's guide](reading-an-analysis.md); the rejection rates of every null under every
alternative in the [power study](power-study.md).
"""


def render(cache: RecordedRuns) -> str:
    """The document's Markdown from the cached run summaries."""
    out = [
        f"# {TITLE}\n",
        "The paper's last claim: PCA projections of real training trajectories \"resemble "
        'those of a random walk with drift", and their explained-variance ratios are '
        '"comparable to a random walk early in training with the exception of the first '
        'component". This document tests that on runs recorded on one CPU, with NumPy '
        "alone: linear regression on synthetic Gaussian data (the paper's Figure 15 "
        "setting), softmax regression and a small fully connected network on "
        "scikit-learn's bundled 8x8 digits (an offline, MNIST-like data set), plain SGD "
        "and SGD with momentum, constant and decaying learning rates.\n",
        "The numbers come from the recorded runs' summaries cached in "
        "`numerics/data/nn_runs.json`; `rwpca derive --retrain` trains every run again from "
        "its seed and refreshes them.\n",
        "## Method\n",
        METHOD.format(replicates=REPLICATES, components=COMPONENTS),
        "## Runs\n",
        _runs_table(cache),
        "\n*p (a) to p (e): randomisation-test p-values against each null; ✗ not called "
        "consistent at level 0.05 (rejected, or a null with independent steps whose steps are "
        "autocorrelated). d_eff: the effective dimension of the steps. Lag-1 cosine: the mean "
        "cosine of consecutive steps, with the p-value of the test of independent steps.*\n",
        "![Quotients observed / null for every run](figures/nn_overview.png)\n",
        "*Observed / null explained-variance ratio of the first components, every run: "
        "left against the plain walk (a), right against the walk with drift (c).*\n",
        "## Finite d and the decay law\n",
        _laws_table(cache),
        "\n*Finite-d null: null (a) with isotropic Gaussian steps in d = d_eff (rounded) "
        "dimensions at the run's n, the random walk these runs could be at most; rho_1 "
        "observed against its mean and pointwise 95% band, and the components (of the first "
        f"{COMPONENTS}) outside their bands. Decay law: straight-line fits of log rho_k, k = 2..11, "
        "as a power law k^-p (random walk: p = 2) and as a geometric decay r^k (gradient "
        "descent on a quadratic); LLR: the log-likelihood ratio for descent; p-value: the "
        "share of the finite-d null's walks that favour descent as much. See the "
        "[reader's guide](reading-an-analysis.md#finite-d).*\n",
        "## What agrees with the paper and what does not\n",
        "".join(f"- {item}\n" for item in _findings(cache)),
        *_sweep_section(cache),
    ]
    for record in cache.runs.values():
        a = record.analysis
        out.append(f'<a id="{record.id}"></a>\n')
        out.append(f"## `{record.id}`\n")
        out.append(
            f"{record.caption[0].upper()}{record.caption[1:]}. "
            f"n = {a['n']} checkpoints, d = {a['d']} parameters.\n"
        )
        reproduce = _reproduce(record)
        if reproduce:
            out.append(reproduce)
        out.append(f"![{record.id}](figures/nn_{record.id}.png)\n")
        out.append(_component_table(record))
        drift = a["tests"]["drift"]["parameters"]
        out.append(
            f"Drift fit: ||mu||^2 / sigma^2 d = {_fmt(drift['drift_to_noise'])}; effective "
            f"dimension d_eff = {_fmt(a['effective_dimension'])}; Ostrowski envelope of "
            f"observed / (b) eigenvalues [{_fmt(a['ostrowski_envelope'][0])}, "
            f"{_fmt(a['ostrowski_envelope'][1])}].\n"
        )
        auto = a["step_autocorrelation"]
        out.append(
            "Step autocorrelation (mean cosine of steps 1..5 apart): "
            + ", ".join(f"{v:.3g}" for v in auto["mean_cosine"])
            + f"; independent steps give {auto['independent_mean_cosine'][0]:.3g} "
            f"(sd {auto['independent_sd'][0]:.2g}); test of independence p = "
            f"{auto['p_value']:.3g}.\n"
        )
        for note in a["notes"]:
            out.append(f"*Note: {analysis_report.note_text(note)}.*\n")
        out.append(f"**Verdict.** {analysis_report.verdict_text(a)}\n")
    out.append(
        markdown.footer(
            __version__,
            "the cached run summaries in `numerics/data/nn_runs.json`",
            "run `rwpca derive --retrain` to train the runs again",
        )
    )
    return "\n".join(out)


def documents() -> dict[str, bytes]:
    """The document and its figures, from the committed cache (the derive hook)."""
    cache = load_cache()
    files = {DOCUMENT: render(cache).encode()}
    files["figures/nn_overview.png"] = _overview(cache)
    for record in cache.runs.values():
        files[f"figures/nn_{record.id}.png"] = _figure(record)
        if record.sweep is not None:
            files[f"figures/nn_sweep_{record.id}.png"] = _sweep_figure(record)
    return files


def _law_counts(windows: list[dict[str, Any]]) -> str:
    """How many sweep windows each decay law fits better, e.g. 'random walk in 5 of 6'."""
    laws = [w.get("decay_law") for w in windows]
    walk, descent = laws.count("random_walk"), laws.count("descent")
    return f"random walk in {walk}, descent in {descent} of {len(windows)} windows"


def _sweep_section(cache: RecordedRuns) -> list[str]:
    """Early against late training: the sweep figure of every swept run, and what it shows."""
    swept = [record for record in cache.runs.values() if record.sweep is not None]
    if not swept:
        return []
    out = [
        "## Early against late training: window sweeps\n",
        "`rwpca analyze RUN --sweep 200` cuts a run into consecutive windows of 200 "
        "checkpoints and analyses each alone; the figure draws, against the training step, "
        "the first explained-variance ratios (dashed: the plain walk's), the Lissajous scores, "
        "every null's p-value and the lag-1 step cosine.\n",
    ]
    for record in swept:
        assert record.sweep is not None
        windows = record.sweep["windows"]
        consistent = ", ".join(
            f"({NULL_LETTERS[name]}) {sum(name in w['verdict']['consistent'] for w in windows)}"
            for name in record.sweep["nulls"]
        )
        first, last = windows[0], windows[-1]
        out.append(f"![sweep of {record.id}](figures/nn_sweep_{record.id}.png)\n")
        out.append(
            f"*`{record.id}`, {len(windows)} windows: the first ratio goes from "
            f"{first['explained_variance_ratio'][0]:.3g} (steps {first['first_step']}.."
            f"{first['last_step']}) to {last['explained_variance_ratio'][0]:.3g} (steps "
            f"{last['first_step']}..{last['last_step']}); windows called consistent with each "
            f"null: {consistent}; lag-1 step cosine from "
            f"{first['step_autocorrelation_lag_one']:.2f} to "
            f"{last['step_autocorrelation_lag_one']:.2f}; better decay law: "
            f"{_law_counts(windows)}.*\n"
        )
    return out

"""The reader's guide of derivations/: one `rwpca analyze` report, line by line, for ML researchers.

Rendered by `rwpca derive` from the recorded runs' cache (the momentum run, the trial's
case, and the simulated random walk for contrast), so the numbers quoted are those of the
report shown, and change when the runs are retrained. The report and the figure are the
ones `rwpca analyze` prints and draws (:func:`~rwpca.documents.analysis_report.text_report`).
"""

from __future__ import annotations

from typing import Any

from rwpca import __version__
from rwpca.documents import analysis_report, markdown
from rwpca.numerics.trajectories.recorded import RecordedRuns, load_cache

DOCUMENT = "reading-an-analysis.md"
TITLE = "Reading an analysis: `rwpca analyze`, line by line, for ML researchers"
#: The run the guide walks through, and the control it is contrasted with.
RUN, CONTROL = "mlp-momentum", "control-random-walk"


def _number(value: float | None) -> str:
    return "infinite" if value is None else f"{value:.3g}"


def _block(text: str) -> str:
    return f"```text\n{text.rstrip()}\n```\n"


def _lines(report: str, start: str, stop: str | None = None) -> str:
    """The report's lines from the first starting with ``start`` up to one starting with ``stop``."""
    lines = report.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(start))
    last = len(lines)
    if stop is not None:
        last = next(i for i, line in enumerate(lines) if i > first and line.startswith(stop))
    return _block("\n".join(lines[first:last]).rstrip())


def _independent_row(auto: dict[str, Any], n: int) -> str:
    """What the 'independent steps' row shows: about 0, or lifted by what reordering keeps.

    Under independent zero-mean steps the mean cosine of all pairs has a standard error
    about sqrt(2 / N) times the lag-1 cosine's sd (N(N-1)/2 pairs against N - 1); three
    of those is "clearly not 0".
    """
    mean, sd = auto["independent_mean_cosine"][0], auto["independent_sd"][0]
    if abs(mean) > 3 * sd * (2 / max(n - 1, 1)) ** 0.5:
        return (
            f"here {mean:.2g}, not 0: a common direction of the steps (a drift) or, with "
            "momentum, the correlation of every step with its neighbours makes pairs of steps "
            "alike on average, at any lag, and reordering keeps that average."
        )
    return f"here {mean:.2g}, about 0: pairs of steps are not alike on average."


def _observed_lag(auto: dict[str, Any]) -> str:
    """The observed lag-1 cosine and what the reordering test says of it."""
    observed, p = auto["mean_cosine"][0], auto["p_value"]
    if auto["rejects_independence"]:
        return (
            f"The observed {observed:.2f} at lag 1 is far outside; the reordering test "
            "(independent, identically distributed steps make every order equally likely) "
            f"gives p = {p:.2g} and rejects independent steps."
        )
    return (
        f"The observed {observed:.2f} at lag 1 is within it; the reordering test "
        "(independent, identically distributed steps make every order equally likely) "
        f"gives p = {p:.2g}: no evidence against independent steps."
    )


def _titles(data: dict[str, Any], names: list[str]) -> str:
    return ", ".join(data["tests"][name]["title"] for name in names) or "none"


def _verdict_reading(data: dict[str, Any]) -> str:
    """What this report's verdict says, read off its numbers."""
    verdict = data["verdict"]
    consistent, rejected = verdict["consistent"], verdict["rejected"]
    held = verdict.get("not_independent", [])
    parts = [
        f"Here the nulls not rejected at level {data['level']:g} are: {_titles(data, consistent)}."
    ]
    if rejected:
        parts.append(f"Rejected: {_titles(data, rejected)}.")
    if held:
        parts.append(
            f"Not called consistent although their own test does not reject, because the "
            f"steps are not independent: {_titles(data, held)}."
        )
    return " ".join(parts)


def _control_reading(data: dict[str, Any]) -> str:
    """The random-walk control's outcome, read off its numbers."""
    verdict, auto = data["verdict"], data["step_autocorrelation"]
    everyone = not verdict["rejected"] and not verdict.get("not_independent", [])
    nulls = (
        "every null is consistent"
        if everyone
        else f"the nulls not rejected are {_titles(data, verdict['consistent'])}"
    )
    steps = (
        "the steps fail the independence test (p = {:.2g}), as a calibrated test does in "
        "5% of random walks".format(auto["p_value"])
        if auto["rejects_independence"]
        else "the steps pass the independence test (p = {:.2g})".format(auto["p_value"])
    )
    return f"{nulls}, and {steps}"


def render(cache: RecordedRuns) -> str:
    record, control = cache.runs[RUN], cache.runs[CONTROL]
    a, c = record.analysis, control.analysis
    report = analysis_report.text_report(a, f"{RUN}.npy", record.config["steps"] + 1)
    plain = analysis_report.text_report(c, f"{CONTROL}.npy")
    auto, tests = a["step_autocorrelation"], a["tests"]
    d_eff = a["effective_dimension"]
    gamma = tests["momentum"]["parameters"]["gamma"]
    low, high = a["ostrowski_envelope"]
    start, stop = record.config["record"]
    out = [
        f"# {TITLE}\n",
        "PCA of a training trajectory gives smooth projections and a first component that "
        "holds most of the variance, and so does a random walk (Antognini and "
        "Sohl-Dickstein, 2018). `rwpca analyze` asks whether a window of *your* run is told "
        "apart from walks that share a stated part of its structure, and says which. This "
        "guide walks through one report: the NumPy network 64-128-10 trained on the 8x8 "
        "digits with SGD and momentum 0.9, the case a PyTorch user hit first (a momentum "
        'run called "consistent with a random walk" by a test that could not see momentum). '
        "It was produced by:\n",
        "```sh\n"
        f"rwpca train --model mlp --steps {record.config['steps']} --optimizer momentum "
        f"--lr {record.config['learning_rate']:g} --out {RUN}.npy\n"
        f"rwpca analyze {RUN}.npy --window {start}:{stop} --plot {RUN}.png\n"
        "```\n",
        'or, in a notebook, `rwpca.analyze(f"{RUN}.npy", window=slice('
        f"{start}, {stop}))` (the report displays as a table; `.plot()` draws the figure, "
        "`.to_json()` and `.to_frame()` give the numbers).\n",
        "## The report\n",
        _block(report),
        "## Line by line\n",
        "### What was analysed\n",
        _lines(report, "trajectory", "steps"),
        f"n = {a['n']} checkpoints, one per training step, and d = {a['d']:,} parameters. "
        "Everything below is computed from the n x n Gram matrix of the checkpoints' "
        "displacements from the first one, in one pass over the parameters.\n",
        '<a id="d_eff"></a>\n',
        "### Effective dimension, and `R R^T -> I`\n",
        _lines(report, "steps", "step autocorrelation"),
        "The paper's results hold in the limit where `R R^T -> I`: R is the matrix of the "
        "steps (one row per step), so this says that different steps are orthogonal and all "
        "equally long, as independent steps in very many dimensions are. What matters is "
        "not d but the *effective dimension* d_eff = tr(Sigma)^2 / tr(Sigma^2) of the steps' "
        "covariance Sigma: the number of directions the noise really uses. Two independent "
        "steps in d_eff dimensions have a cosine of about +-1 / sqrt(d_eff)"
        + (f", here about +-{1 / d_eff**0.5:.2g}: far from orthogonal, " if d_eff else ", ")
        + f"so with d_eff = {_number(d_eff)} against n = {a['n']} the limit "
        "does not hold and a random walk's ratios fluctuate a lot from run to run. That is "
        "why the verdicts come from randomisation tests, which are exact at any d_eff, and "
        "not from the limit formulas. (d_eff is measured on the innovations of the fitted "
        "momentum, since consecutive momentum steps share their direction.)\n",
        '<a id="ostrowski"></a>\n',
        f"The **Ostrowski envelope** [{low:.3g}, {high:.3g}] is a worst-case bound: writing the "
        "steps' Gram matrix as `D^(1/2) (I + E) D^(1/2)` (D the squared step lengths, I + E "
        "the matrix of the steps' cosines), Ostrowski's theorem puts every PCA eigenvalue of "
        "the trajectory between lambda_min(I + E) and lambda_max(I + E) times the matching "
        "eigenvalue of null (b). A narrow envelope around 1 means the theory's limit holds; a "
        "wide one, as here, means only a test can tell.\n",
        '<a id="autocorrelation"></a>\n',
        "### Step autocorrelation: do consecutive updates point the same way?\n",
        _lines(report, "step autocorrelation", "explained-variance"),
        "The mean cosine similarity of steps l apart. SGD with momentum gamma makes "
        "consecutive updates nearly parallel, about gamma^l in high dimension; independent "
        "steps give the row below it, "
        + _independent_row(auto, a["n"])
        + " "
        + _observed_lag(auto)
        + " When this test rejects independence, no null with independent steps, (a) to "
        "(c), is ever called consistent, whatever its own test says.\n",
        '<a id="ratios"></a>\n',
        "### The explained-variance ratios against every null\n",
        _lines(report, "explained-variance", "finite d:"),
        "Column *observed*: the share of variance of component k. Column *(a) null*: the "
        "exact share of a random walk with n checkpoints (catalog entry `rw.evr.exact`, not "
        "the limit 6 / (pi^2 k^2)). Then, for every null, the *quotient* observed / null: 1 "
        "means the null predicts the share exactly; a `*` marks a component outside the "
        "band the null allows (a simultaneous band at the test's level, from the reshuffled "
        "walks). The *Lissajous score* is the correlation of projection k with the "
        "random-walk cosine cos(pi k (t - 1/2) / n): 1 means the projection traces the "
        "random walk's Lissajous curve.\n",
        "Note how little the spectrum says about momentum: the momentum walk's ratios leave "
        "the plain walk's only from k of order n (1 - gamma) / pi "
        f"(= {a['n'] * (1 - gamma) / 3.14159:.2g} here), the paper's own point.\n",
        '<a id="finite-d"></a>\n',
        "### Finite d, and which decay law the ratios follow\n",
        _lines(report, "finite d:", "null model"),
        "The paper's ratios are those of the limit d_eff >> n. The **finite-d null** is null "
        "(a) in the dimension the steps actually use: walks with isotropic Gaussian steps in "
        "d = d_eff (rounded) dimensions, simulated at the window's n (their ratios are those "
        "of sum_j lambda_j g_j g_j^T with g_j ~ N(0, I_d), catalog entries of the finite-d "
        "laws); *mean* and *band* are its average ratios and pointwise band, `*` marks an "
        "observed ratio outside it. It is a parametric model (isotropic Gaussian noise), so "
        "it describes what a random walk of this d_eff looks like rather than replacing the "
        "randomisation tests below.\n",
        "The **decay law** asks how the ratios fall with k, from the second on (a drift or a "
        "descent's net displacement inflates the first whatever the law): as a power law "
        "rho_k ~ k^-p, the random walk's shape (p = 2), or geometrically, rho_k ~ r^k, the "
        "shape of gradient descent on a quadratic (the hyper-ribbon trajectories, whose Gram "
        "matrix is a positive semidefinite Hankel matrix). Both are straight-line fits of "
        "log rho_k with two parameters; the *typical miss* is the factor exp(rms residual) "
        "by which a fit misses a ratio, and the log-likelihood ratio compares them "
        "(positive favours descent). Its p-value is the share of the finite-d null's walks "
        "that favour descent at least as much: a walk in few dimensions also decays fast "
        "past its d_eff components, which is why the evidence is calibrated there.\n",
        '<a id="symmetries"></a>\n',
        "### The nulls, the symmetry each one tests, and why equal ratios can disagree\n",
        _lines(report, "null model", "note:"),
        "Each null is a family of walks that share one symmetry with the data, and its test "
        "reshuffles the data's own steps by that symmetry and analyses every reshuffled walk "
        "exactly as the data: the p-value is the rank of the data among them. No noise model "
        "is needed, so the test is exact at finite n and d (for given parameters).\n",
        "".join(
            f"- **{tests[name]['title']}**: {analysis_report.symmetry_text(name, tests[name])}.\n"
            for name in analysis_report.NULL_MODELS
            if name in tests
        ),
        "\nTwo nulls can predict the same ratios and still disagree, because they test "
        "different symmetries: with a fitted drift of 0, null (c) predicts exactly the ratios "
        "of null (a), but (c) only reorders the steps, which keeps their sum, the net "
        "displacement, while (a) also flips their signs, which destroys it. Steps with a "
        "common direction then pass (c) and fail (a) with the very same quotients. The "
        "statistic of every test also includes the lag-1 step cosine, so reordering or "
        "flipping steps that were nearly parallel is seen at once: that is the power of (a) "
        "to (c) against momentum. Null (d) keeps it, because it reshuffles the innovations "
        f"s_t - gamma s_(t-1) of the momentum recursion (gamma = {gamma:.3g}, estimated from "
        "the steps; `--momentum 0.9` gives the optimizer's value) and integrates them again; "
        "null (e) does the same for the Ornstein-Uhlenbeck recursion.\n",
        "### Notes and verdict\n",
        _lines(report, "note:", "terms:"),
        "The notes qualify the verdict; the verdict names, for every null, its p-value and "
        "the symmetry its test used. " + _verdict_reading(a) + "\n",
        "## The figure\n",
        f"![{RUN}](figures/nn_{RUN}.png)\n",
        "The title names the run, the window in training steps and the verdict with its "
        "p-values. Top left: the observed ratios (dots) against every null's (lines), and "
        "the band each null allows for the tested components (bars). Top middle and right: "
        "projection 2 (3) against projection 1, coloured by training step, over the random "
        "walk's Lissajous curve (grey line) and the band in which null (a)'s reshuffled walks "
        "draw it (grey). Bottom left: the projections against the training step, with the "
        "random walk's cosines (dashed) and the same band. Bottom middle: the step "
        "autocorrelation against independent steps (grey band) and gamma^l. Bottom right: "
        "every test's p-value against the level (green consistent, red rejected, orange "
        "not called consistent because the steps are not independent).\n",
        "## For contrast: a random walk\n",
        "The simulated Gaussian random walk of the comparison, analysed the same way: "
        + _control_reading(c)
        + " (the calibrated rejection rates of every test are in the "
        "[power study](power-study.md)).\n",
        _lines(plain, "verdict:", "terms:"),
        '<a id="glossary"></a>\n',
        "## Glossary\n",
        "- **d_eff**: effective dimension tr(Sigma)^2 / tr(Sigma^2) of the steps (of the "
        "innovations of the fitted momentum); [above](#d_eff).\n"
        "- **`R R^T -> I`**: the paper's limit d_eff >> n, in which steps are orthogonal and "
        "equally long; [above](#d_eff).\n"
        "- **finite-d null, decay law**: null (a) in d_eff dimensions, and the power-law "
        "or geometric fit of the ratios; [above](#finite-d).\n"
        "- **Ostrowski envelope**: the worst-case factors between the PCA eigenvalues and "
        "null (b)'s; [above](#ostrowski).\n"
        "- **step autocorrelation**: mean cosine of steps l apart, and its reordering test; "
        "[above](#autocorrelation).\n"
        "- **quotient, band**: observed / null ratio, and the simultaneous band of the "
        "null's reshuffled walks; [above](#ratios).\n"
        "- **Lissajous score**: correlation of projection k with the random-walk cosine; "
        "[above](#ratios).\n"
        "- **symmetry, reshuffled walks, innovations**: what each null's test reshuffles; "
        "[above](#symmetries).\n"
        "- **level, p-value**: a null is rejected when p <= level (0.05); p = (1 + the number "
        "of reshuffled walks at least as extreme as the data) / (1 + their number).\n",
        "The methods in full: the docstrings of `numerics/trajectories/analysis.py`, "
        "`numerics/nulls/dynamics.py` and `numerics/nulls/autocorrelation.py`; the runs: the "
        "[neural-network comparison](nn-comparison.md).\n",
        markdown.footer(__version__, "the cached run summaries in `numerics/data/nn_runs.json`"),
    ]
    return "\n".join(out)


def documents() -> dict[str, Any]:
    """The guide (the derive hook)."""
    return {DOCUMENT: render(load_cache()).encode()}

"""The recorded training runs of the neural-network comparison, and their cached summaries.

:data:`RUNS` fixes a set of training runs (seeded
:class:`~rwpca.numerics.trajectories.training.RunConfig`) plus one simulated random walk as
a control. :func:`record_run` trains (or simulates) one and analyses the recorded window
(:func:`~rwpca.numerics.trajectories.analysis.analyze_gram`, :data:`REPLICATES` reshuffled
walks per null, seed :data:`SEED`); ``rwpca derive --retrain`` records all of them and
writes :func:`encode_cache` to ``numerics/data/nn_runs.json``. The
document is rendered from that committed cache only, because training results differ in
the last bits between BLAS builds and a randomisation count can move by one; tests retrain
some runs from their seeds and compare. :func:`~rwpca.numerics.studies.comparison.
compare_with_paper` reads the statements of the comparison off the cached numbers (typed;
the document words them).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rwpca.numerics import DATA
from rwpca.numerics.progress import ProgressArg, bar_flag
from rwpca.numerics.trajectories.analysis import Analysis, analyze_gram
from rwpca.numerics.trajectories.training import RunConfig, train

CACHE = DATA / "nn_runs.json"
#: Components tested per run, and the randomisation test of the verdict.
COMPONENTS = 5
REPLICATES = 199
SEED = 0
#: Bump when the cached summaries' meaning changes (the cache test then asks for --retrain).
#: 2: notes and verdicts as typed records instead of sentences.
#: 3: nulls (d) momentum and (e) OU, the step autocorrelation, fields named for what they
#: hold, null (a)'s projection band, window sweeps.
CACHE_VERSION = 3
#: Reshuffled walks of null (a)'s projection band in the window figures.
BAND_REPLICATES = 99
#: Significant digits of every stored float.
DIGITS = 6


@dataclass(frozen=True)
class RecordedRun:
    """One recorded run of the comparison: an ID, a caption and its configuration.

    ``sweep``: when set, every checkpoint of the run is also cut into consecutive
    windows of that many checkpoints, each analysed alone (the sweep figure).
    """

    id: str
    caption: str
    config: RunConfig | None  # None: the simulated random-walk control
    sweep: int | None = None


_MIDDLE = (800, 1200)  # the middle 400 of 2000 steps: d / n >= 10 for linear and mlp
RUNS: tuple[RecordedRun, ...] = (
    RecordedRun(
        "linear-sgd",
        "linear regression, synthetic Gaussian data, SGD, constant learning rate",
        RunConfig("linear", steps=2000, record=_MIDDLE, features=4000, learning_rate=0.05),
    ),
    RecordedRun(
        "linear-momentum-decay",
        "linear regression, synthetic Gaussian data, momentum 0.9, decaying learning rate",
        RunConfig(
            "linear",
            steps=2000,
            record=_MIDDLE,
            features=4000,
            optimizer="momentum",
            schedule="decay",
            learning_rate=0.005,
        ),
    ),
    RecordedRun(
        "softmax-sgd-decay",
        "softmax regression on the 8x8 digits, SGD, decaying learning rate",
        RunConfig("softmax", steps=1000, record=(468, 533), schedule="decay", learning_rate=0.5),
    ),
    RecordedRun(
        "softmax-momentum",
        "softmax regression on the 8x8 digits, momentum 0.9, constant learning rate",
        RunConfig(
            "softmax", steps=1000, record=(468, 533), optimizer="momentum", learning_rate=0.05
        ),
    ),
    RecordedRun(
        "mlp-sgd",
        "fully connected network 64-128-10 on the digits, SGD, constant learning rate, "
        "middle of training",
        RunConfig("mlp", steps=2000, record=_MIDDLE, learning_rate=0.05),
        sweep=200,
    ),
    RecordedRun(
        "mlp-sgd-early",
        "the same network and run, first 400 steps",
        RunConfig("mlp", steps=2000, record=(0, 400), learning_rate=0.05),
    ),
    RecordedRun(
        "mlp-momentum",
        "fully connected network 64-128-10 on the digits, momentum 0.9, constant learning "
        "rate, 200 checkpoints from the middle of training (the trial's momentum run, on "
        "NumPy)",
        RunConfig("mlp", steps=2000, record=(900, 1100), optimizer="momentum", learning_rate=0.01),
        sweep=200,
    ),
    RecordedRun(
        "mlp-momentum-decay",
        "fully connected network 64-128-10 on the digits, momentum 0.9, decaying learning "
        "rate, middle of training",
        RunConfig(
            "mlp",
            steps=2000,
            record=_MIDDLE,
            optimizer="momentum",
            schedule="decay",
            learning_rate=0.01,
        ),
    ),
    RecordedRun(
        "control-random-walk",
        "control: a simulated Gaussian random walk, n = 400, d = 9610 (no training)",
        None,
    ),
)
CONTROL_SHAPE = (400, 9610)


def control_trajectory(seed: int = SEED) -> np.ndarray:
    """A plain Gaussian random walk of the control's shape (seeded)."""
    n, d = CONTROL_SHAPE
    steps = np.random.default_rng(seed).standard_normal((n - 1, d)) / np.sqrt(d)
    walk = np.zeros((n, d))
    np.cumsum(steps, axis=0, out=walk[1:])
    return walk


def rounded(value: object, digits: int = DIGITS) -> Any:
    """Floats (also inside lists and dicts) rounded to ``digits`` significant digits."""
    if isinstance(value, float):
        return float(f"{value:.{digits}g}") if np.isfinite(value) else None
    if isinstance(value, dict):
        return {key: rounded(item, digits) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(item, digits) for item in value]
    return value


def summarise(
    analysis: Analysis, spectrum: int = 50, shown: int = 3, band: int = 0
) -> dict[str, Any]:
    """What a figure and the document need, JSON-ready and rounded to 6 digits.

    The analysis's JSON (first ``spectrum`` ratios only), the projections on the first
    ``shown`` components, the squared step norms and the total variance; with ``band``
    > 0, also null (a)'s band of the projections from that many reshuffled walks
    (:func:`~rwpca.numerics.studies.sweep.projection_band`, seed :data:`SEED`).
    """
    data = analysis.to_json()
    data["explained_variance_ratio"] = data["explained_variance_ratio"][:spectrum]
    data["null_ratios"] = {name: r[:spectrum] for name, r in data["null_ratios"].items()}
    data["projections"] = analysis.projections[:, :shown].tolist()
    data["step_norms_squared"] = analysis.step_norms_squared.tolist()
    data["total_variance"] = float(analysis.eigenvalues.sum())
    if band and analysis.step_gram is not None:
        from rwpca.numerics.studies.sweep import projection_band

        data["projection_band"] = projection_band(analysis.step_gram, shown, band, SEED).tolist()
    return rounded(json.loads(json.dumps(data)))  # enums as their strings


@dataclass(frozen=True)
class RunSummary:
    """The cached record of one run: its configuration, training metrics and analysis.

    ``config`` is the checked :class:`RunConfig` as JSON (or the control's description,
    with ``simulated``), ``training`` the initial and final loss (and accuracy) ({} for
    the control), ``analysis`` a :func:`summarise` of the recorded window (with null (a)'s
    projection band), ``sweep`` the :meth:`~rwpca.numerics.studies.sweep.Sweep.to_json`
    of the whole run when the run has one.
    """

    id: str
    caption: str
    config: dict[str, Any]
    training: dict[str, Any]
    analysis: dict[str, Any]
    sweep: dict[str, Any] | None = None

    @property
    def simulated(self) -> bool:
        return bool(self.config.get("simulated"))

    def to_json(self) -> dict[str, Any]:
        return rounded(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunSummary:
        return cls(
            data["id"],
            data["caption"],
            data["config"],
            data["training"],
            data["analysis"],
            data.get("sweep"),
        )


@dataclass(frozen=True)
class RecordedRuns:
    """The cache: every run's summary in the order of :data:`RUNS`."""

    runs: dict[str, RunSummary]
    version: int = CACHE_VERSION


def record_run(run: RecordedRun, progress: ProgressArg = False) -> RunSummary:
    """Train (or simulate) and analyse one run (and its sweep): its cache record."""
    from rwpca.numerics.studies.sweep import sweep

    if run.config is None:
        X = control_trajectory()
        config: dict[str, Any] = {"simulated": "plain Gaussian random walk", "seed": SEED}
        training: dict[str, Any] = {}
        window = (0, X.shape[0])
    else:
        checked = run.config.checked()
        # the whole run when it is swept (training does not depend on what is recorded)
        full = dataclasses.replace(checked, record=None) if run.sweep else checked
        result = train(full, progress=bar_flag(progress))
        assert result.trajectory is not None
        window = checked.record or (0, result.trajectory.shape[0])
        X = result.trajectory
        config = dataclasses.asdict(checked)
        config["record"] = list(window)
        training = {"initial": result.initial, "final": result.final}
    offset = 0 if run.sweep else window[0]
    Y = X[window[0] - offset : window[1] - offset]
    Y = Y - Y[0]
    analysis = analyze_gram(
        Y @ Y.T,
        X.shape[1],
        COMPONENTS,
        window=window,
        replicates=REPLICATES,
        seed=SEED,
        steps=np.arange(window[0], window[1]),
    )
    swept = None
    if run.sweep:
        windows = sweep(X, run.sweep, components=COMPONENTS, replicates=REPLICATES, seed=SEED)
        swept = rounded(json.loads(json.dumps(windows.to_json())))
    summary = summarise(analysis, band=BAND_REPLICATES)
    return RunSummary(run.id, run.caption, rounded(config), rounded(training), summary, swept)


def encode_cache(cache: RecordedRuns) -> bytes:
    """One line per run, so a retrain shows as a per-run diff."""
    lines = [f'{{"version": {cache.version}, "runs": {{']
    items = [
        f"  {json.dumps(key)}: {json.dumps(value.to_json(), separators=(',', ':'), sort_keys=True)}"
        for key, value in cache.runs.items()
    ]
    lines.append(",\n".join(items))
    lines.append("}}")
    return ("\n".join(lines) + "\n").encode()


def load_cache(path: Path = CACHE) -> RecordedRuns:
    """The committed cache (ValueError if it is missing or out of step with :data:`RUNS`)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(
            f"the recorded-run cache {path} cannot be read ({error}): run 'rwpca derive --retrain'"
        ) from None
    if data.get("version") != CACHE_VERSION or list(data.get("runs", {})) != [
        run.id for run in RUNS
    ]:
        raise ValueError(
            f"the recorded-run cache {path} does not match the configured runs: "
            "run 'rwpca derive --retrain'"
        )
    runs = {key: RunSummary.from_json(value) for key, value in data["runs"].items()}
    return RecordedRuns(runs, data["version"])


__all__ = [
    "BAND_REPLICATES",
    "CACHE",
    "RUNS",
    "RecordedRun",
    "RecordedRuns",
    "RunSummary",
    "control_trajectory",
    "encode_cache",
    "load_cache",
    "record_run",
    "summarise",
]

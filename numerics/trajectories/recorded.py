"""The recorded training runs of the neural-network comparison, and their cached summaries.

:data:`RUNS` fixes a set of training runs (seeded
:class:`~rwpca.numerics.trajectories.training.RunConfig`) plus one simulated random walk as
a control. :func:`record_run` trains (or simulates) one and analyses the recorded window
(:func:`~rwpca.numerics.trajectories.analysis.analyze_gram`, :data:`REPLICATES` reshuffled
walks per null, seed :data:`SEED`); ``rwpca derive --retrain`` records all of them and
writes :func:`encode_cache` to ``numerics/data/nn_runs.json``. The
document is rendered from that committed cache only, because training results differ in
the last bits between BLAS builds and a randomisation count can move by one; tests retrain
some runs from their seeds and compare. :func:`compare_with_paper` reads the statements of
the comparison off the cached numbers (typed; the document words them).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rwpca.numerics import DATA
from rwpca.numerics.progress import ProgressArg, bar_flag
from rwpca.numerics.trajectories.analysis import NULL_MODELS, Analysis, NoteKind, analyze_gram
from rwpca.numerics.trajectories.training import RunConfig, train

CACHE = DATA / "nn_runs.json"
#: Components tested per run, and the randomisation test of the verdict.
COMPONENTS = 5
REPLICATES = 199
SEED = 0
#: Bump when the cached summaries' meaning changes (the cache test then asks for --retrain).
#: 2: notes and verdicts as typed records instead of sentences.
CACHE_VERSION = 2
#: Significant digits of every stored float.
DIGITS = 6


@dataclass(frozen=True)
class RecordedRun:
    """One recorded run of the comparison: an ID, a caption and its configuration."""

    id: str
    caption: str
    config: RunConfig | None  # None: the simulated random-walk control


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
    ),
    RecordedRun(
        "mlp-sgd-early",
        "the same network and run, first 400 steps",
        RunConfig("mlp", steps=2000, record=(0, 400), learning_rate=0.05),
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


def summarise(analysis: Analysis, spectrum: int = 50, shown: int = 3) -> dict[str, Any]:
    """What a figure and the document need, JSON-ready and rounded to 6 digits.

    The analysis's JSON (first ``spectrum`` ratios only), the projections on the first
    ``shown`` components, the squared step norms and the total variance.
    """
    data = analysis.to_json()
    data["explained_variance_ratio"] = data["explained_variance_ratio"][:spectrum]
    data["null_models"] = {name: r[:spectrum] for name, r in data["null_models"].items()}
    data["projections"] = analysis.projections[:, :shown].tolist()
    data["step_norms_squared"] = analysis.step_norms_squared.tolist()
    data["total_variance"] = float(analysis.eigenvalues.sum())
    return rounded(json.loads(json.dumps(data)))  # enums as their strings


@dataclass(frozen=True)
class RunSummary:
    """The cached record of one run: its configuration, training metrics and analysis.

    ``config`` is the checked :class:`RunConfig` as JSON (or the control's description,
    with ``simulated``), ``training`` the initial and final loss (and accuracy) ({} for
    the control), ``analysis`` a :func:`summarise` of the recorded window.
    """

    id: str
    caption: str
    config: dict[str, Any]
    training: dict[str, Any]
    analysis: dict[str, Any]

    @property
    def simulated(self) -> bool:
        return bool(self.config.get("simulated"))

    def to_json(self) -> dict[str, Any]:
        return rounded(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunSummary:
        return cls(data["id"], data["caption"], data["config"], data["training"], data["analysis"])


@dataclass(frozen=True)
class RecordedRuns:
    """The cache: every run's summary in the order of :data:`RUNS`."""

    runs: dict[str, RunSummary]
    version: int = CACHE_VERSION


def record_run(run: RecordedRun, progress: ProgressArg = False) -> RunSummary:
    """Train (or simulate) and analyse one run: its cache record."""
    if run.config is None:
        X = control_trajectory()
        config: dict[str, Any] = {"simulated": "plain Gaussian random walk", "seed": SEED}
        training: dict[str, Any] = {}
        window = (0, X.shape[0])
    else:
        result = train(run.config, progress=bar_flag(progress))
        assert result.trajectory is not None
        X = result.trajectory
        checked = result.config
        config = dataclasses.asdict(checked)
        config["record"] = list(checked.record or ())
        training = {"initial": result.initial, "final": result.final}
        window = checked.record or (0, X.shape[0])
    Y = X - X[0]
    G = Y @ Y.T
    analysis = analyze_gram(
        G, X.shape[1], COMPONENTS, window=window, replicates=REPLICATES, seed=SEED
    )
    return RunSummary(run.id, run.caption, rounded(config), rounded(training), summarise(analysis))


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


# --- what the cached numbers say about the paper's claims ---------------------------------


@dataclass(frozen=True)
class EarlyAgainstMiddle:
    """The same network early (first window) and in the middle of training."""

    early_first_share: float
    middle_first_share: float
    early_p_values: tuple[float, ...]  # in the order of NULL_MODELS
    middle_p_values: tuple[float, ...]
    early_further: bool  # the early window's best p-value is the smaller one
    early_second_drift_quotient: float  # component 2 against null (c), early window


@dataclass(frozen=True)
class MomentumRuns:
    """The momentum runs: the walk's own spectrum, and what their steps show."""

    runs: tuple[str, ...]
    gamma: float
    n: int
    departure: float  # k of order n (1 - gamma) / pi where momentum ratios leave the plain ones
    correlated: tuple[str, ...]  # runs whose consecutive steps are measurably correlated
    rejected_by_all: tuple[str, ...]


@dataclass(frozen=True)
class PaperComparison:
    """The statements of the comparison, read off the cached numbers (runs by ID)."""

    runs: tuple[str, ...]  # the training runs (not the control)
    alpha: float
    first_quotients: dict[str, float]  # observed / null (a), component 1
    first_above: tuple[str, ...]  # runs whose first component exceeds the plain walk's share
    plain_first_ratio: float  # the plain walk's first ratio at the first run's n
    n: int
    drift_first_quotients: dict[str, float]  # observed / null (c), component 1
    consistent: dict[str, tuple[str, ...]]  # null -> runs it does not reject
    consistent_with_some: tuple[str, ...]
    effective_dimensions: tuple[float, ...]  # the finite d_eff of the runs
    parameters: tuple[int, int]  # smallest and largest d
    below_n: tuple[str, ...]  # runs with d_eff < n
    lissajous_aligned: tuple[str, ...]  # first two Lissajous scores >= LISSAJOUS_ALIGNED
    early: EarlyAgainstMiddle | None
    momentum: MomentumRuns | None
    control_p_values: tuple[float, ...] | None  # the simulated control, in NULL_MODELS order
    control_passes: bool | None
    control_effective_dimension: float | None


#: A projection "follows the cosine" when its Lissajous score is at least this.
LISSAJOUS_ALIGNED = 0.9


def _correlated(summary: RunSummary) -> bool:
    return any(note["kind"] == NoteKind.CORRELATED_STEPS for note in summary.analysis["notes"])


def _early_against_middle(cache: RecordedRuns) -> EarlyAgainstMiddle | None:
    early, middle = cache.runs.get("mlp-sgd-early"), cache.runs.get("mlp-sgd")
    if early is None or middle is None:
        return None
    e, m = early.analysis, middle.analysis
    early_p = tuple(e["tests"][name]["p_value"] for name in NULL_MODELS)
    middle_p = tuple(m["tests"][name]["p_value"] for name in NULL_MODELS)
    return EarlyAgainstMiddle(
        e["explained_variance_ratio"][0],
        m["explained_variance_ratio"][0],
        early_p,
        middle_p,
        max(early_p) < max(middle_p),
        e["tests"]["drift"]["quotient"][1],
    )


def _momentum(runs: list[RunSummary]) -> MomentumRuns | None:
    momentum = [r for r in runs if r.config.get("optimizer") == "momentum"]
    if not momentum:
        return None
    gamma, n = momentum[0].config["momentum"], momentum[0].analysis["n"]
    return MomentumRuns(
        tuple(r.id for r in momentum),
        gamma,
        n,
        n * (1 - gamma) / math.pi,
        tuple(r.id for r in momentum if _correlated(r)),
        tuple(
            r.id for r in momentum if not any(t["consistent"] for t in r.analysis["tests"].values())
        ),
    )


def compare_with_paper(cache: RecordedRuns) -> PaperComparison:
    """What the cached runs say about the paper's claims (see :class:`PaperComparison`)."""
    runs = [r for r in cache.runs.values() if not r.simulated]
    control = [r for r in cache.runs.values() if r.simulated]
    first = {r.id: r.analysis["tests"]["random_walk"]["quotient"][0] for r in runs}
    finite = tuple(
        r.analysis["effective_dimension"]
        for r in runs
        if r.analysis["effective_dimension"] is not None
    )
    control_tests = control[0].analysis["tests"] if control else None
    return PaperComparison(
        runs=tuple(r.id for r in runs),
        alpha=runs[0].analysis["alpha"],
        first_quotients=first,
        first_above=tuple(key for key, q in first.items() if q > 1),
        plain_first_ratio=runs[0].analysis["null_models"]["random_walk"][0],
        n=runs[0].analysis["n"],
        drift_first_quotients={r.id: r.analysis["tests"]["drift"]["quotient"][0] for r in runs},
        consistent={
            name: tuple(r.id for r in runs if r.analysis["tests"][name]["consistent"])
            for name in NULL_MODELS
        },
        consistent_with_some=tuple(
            r.id for r in runs if any(t["consistent"] for t in r.analysis["tests"].values())
        ),
        effective_dimensions=finite,
        parameters=(min(r.analysis["d"] for r in runs), max(r.analysis["d"] for r in runs)),
        below_n=tuple(
            r.id for r in runs if (r.analysis["effective_dimension"] or math.inf) < r.analysis["n"]
        ),
        lissajous_aligned=tuple(
            r.id for r in runs if min(r.analysis["lissajous"][:2]) >= LISSAJOUS_ALIGNED
        ),
        early=_early_against_middle(cache),
        momentum=_momentum(runs),
        control_p_values=(
            None
            if control_tests is None
            else tuple(control_tests[name]["p_value"] for name in NULL_MODELS)
        ),
        control_passes=(
            None
            if control_tests is None
            else all(control_tests[name]["consistent"] for name in NULL_MODELS)
        ),
        control_effective_dimension=(
            control[0].analysis["effective_dimension"] if control else None
        ),
    )


__all__ = [
    "CACHE",
    "RUNS",
    "PaperComparison",
    "RecordedRun",
    "RecordedRuns",
    "RunSummary",
    "compare_with_paper",
    "control_trajectory",
    "encode_cache",
    "load_cache",
    "record_run",
    "summarise",
]

"""The typed results of a trajectory analysis: the nulls' names, each null's test, the verdict.

No prose here: :mod:`rwpca.documents.analysis_report` words these records (and their
JSON, :meth:`Analysis.to_json`, whose field names say what they hold).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from rwpca.numerics.laws.decay import FiniteDNull, LawComparison
from rwpca.numerics.nulls.autocorrelation import StepAutocorrelation

# the names are declared without NumPy (the CLI's help reads them) and re-exported here
from rwpca.numerics.nulls.names import DYNAMIC_NULLS as DYNAMIC_NULLS
from rwpca.numerics.nulls.names import INDEPENDENT_NULLS as INDEPENDENT_NULLS
from rwpca.numerics.nulls.names import NULL_LETTERS as NULL_LETTERS
from rwpca.numerics.nulls.names import NULL_MODELS as NULL_MODELS
from rwpca.numerics.nulls.names import NULL_TITLES as NULL_TITLES
from rwpca.numerics.nulls.names import SYMMETRY as SYMMETRY
from rwpca.numerics.nulls.names import Symmetry as Symmetry
from rwpca.numerics.nulls.names import parse_nulls as parse_nulls


class NoteKind(StrEnum):
    """A diagnostic of the steps that qualifies the verdict."""

    LOW_EFFECTIVE_DIMENSION = "low_effective_dimension"  # d_eff < 10 n: R R^T -> I fails
    CORRELATED_STEPS = "correlated_steps"  # lag-1 cosine above independent steps'
    ANTICORRELATED_STEPS = "anticorrelated_steps"  # lag-1 cosine below it
    ZERO_LENGTH_STEPS = "zero_length_steps"  # some steps do not move


@dataclass(frozen=True)
class Note:
    """One diagnostic and its numbers.

    ``values``: ``effective_dimension`` and ``n`` (low effective dimension);
    ``lag_one_cosine``, ``independent_cosine`` and ``p_value`` (correlated or
    anti-correlated steps: the permutation test of
    :func:`~rwpca.numerics.nulls.autocorrelation.step_autocorrelation` rejects
    independence); ``count`` and ``steps`` (zero-length steps).
    """

    kind: NoteKind
    values: Mapping[str, float]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.values}


@dataclass(frozen=True)
class Verdict:
    """The nulls in report order, by outcome at level alpha.

    ``consistent``: not rejected by their own test, and, for a null with independent
    steps, the step autocorrelation does not reject independence either;
    ``rejected``: rejected by their own test (p <= alpha); ``not_independent``: nulls
    with independent steps that their own test does not reject but whose independence
    the step autocorrelation rejects (never called consistent).
    """

    consistent: tuple[str, ...]
    rejected: tuple[str, ...]
    not_independent: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "consistent": list(self.consistent),
            "rejected": list(self.rejected),
            "not_independent": list(self.not_independent),
        }


@dataclass(frozen=True)
class NullTest:
    """One null model: its ratios and the randomisation test of the first K components.

    ``band``: K x 2, the simultaneous band of the quotient observed / null at level
    alpha; ``z``: K x 2 standardised deviations of (log ratio, atanh Lissajous score);
    ``statistic``: the largest |z| (ratios, Lissajous scores too low, lag cosines) and
    ``critical_value`` its (1 - alpha) quantile over the replicates;
    ``autocorrelation_mean`` and ``autocorrelation_z``: the lag cosines in the statistic
    (lag 1, :data:`~rwpca.numerics.trajectories.analysis.STATISTIC_LAGS`) under this
    null (mean over the replicates) and the data's standardised deviation from them;
    ``fitted``: the parameters estimated from the steps.
    """

    name: str
    title: str
    ratios: np.ndarray  # all n - 1 null ratios
    parameters: dict[str, float]
    quotient: np.ndarray  # observed / null ratio, k = 1..K
    band: np.ndarray  # K x 2
    lissajous_null: np.ndarray  # K: mean Lissajous score of the null's replicates
    z: np.ndarray  # K x 2
    statistic: float
    critical_value: float
    p_value: float
    consistent: bool
    deviating: tuple[int, ...]  # components outside the band (1-based)
    symmetry: Symmetry = Symmetry.ORDER_AND_SIGNS
    autocorrelation_mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    autocorrelation_z: np.ndarray = field(default_factory=lambda: np.zeros(0))
    deviating_lags: tuple[int, ...] = ()
    fitted: tuple[str, ...] = ()

    @property
    def assumes_independent_steps(self) -> bool:
        return self.symmetry is not Symmetry.INNOVATION_ORDER

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "symmetry": self.symmetry,
            "assumes_independent_steps": self.assumes_independent_steps,
            "parameters": self.parameters,
            "fitted_parameters": list(self.fitted),
            "quotient": self.quotient.tolist(),
            "quotient_band": self.band.tolist(),
            "lissajous_null_mean": self.lissajous_null.tolist(),
            "autocorrelation_null_mean": self.autocorrelation_mean.tolist(),
            "max_abs_z": self.statistic,
            "critical_max_abs_z": self.critical_value,
            "p_value": self.p_value,
            "consistent": self.consistent,
            "deviating_components": list(self.deviating),
            "deviating_lags": list(self.deviating_lags),
        }


@dataclass(frozen=True)
class Analysis:
    """Centred PCA of a trajectory window and its comparison with the null models.

    ``autocorrelation``: the lag cosines of the steps and the permutation test of their
    independence, the diagnostic beside every verdict. ``step_gram``: the N x N Gram
    matrix of the window's steps (kept for figures; not in the JSON). ``finite_d`` and
    ``laws``: the random walk at the measured d_eff and the decay-law comparison
    (:mod:`rwpca.numerics.laws.decay`), descriptions beside the verdict, not part of it.
    """

    n: int
    d: int
    window: tuple[int, int]
    components: int
    eigenvalues: np.ndarray  # lambda_1 >= ... >= lambda_{n-1} of C G C
    explained_variance_ratio: np.ndarray
    projections: np.ndarray  # n x K: sqrt(lambda_k) u_k, oriented along the cosine
    lissajous: np.ndarray  # K
    step_norms_squared: np.ndarray  # N
    effective_dimension: float
    ostrowski: tuple[float, float]
    autocorrelation: StepAutocorrelation
    nulls: dict[str, NullTest]
    alpha: float
    replicates: int
    notes: tuple[Note, ...] = field(default_factory=tuple)
    steps: np.ndarray | None = None  # n: the training step of each checkpoint of the window
    sketch_sd: np.ndarray | None = None  # sketched runs: sd of each ratio due to the sketch
    step_gram: np.ndarray | None = field(default=None, repr=False, compare=False)
    finite_d: FiniteDNull | None = None  # null (a) at d = round(d_eff); None if d_eff infinite
    laws: LawComparison | None = None  # random walk or descent; None below n = 5

    @property
    def window_steps(self) -> tuple[int, int]:
        """The training steps of the window's first and last checkpoints."""
        if self.steps is None:
            return self.window[0], self.window[1] - 1
        return int(self.steps[0]), int(self.steps[-1])

    @property
    def consistent_with_some_null(self) -> bool:
        """True when the verdict calls at least one null model consistent."""
        return bool(self.verdict.consistent)

    @property
    def verdict(self) -> Verdict:
        """The null models by outcome (see :class:`Verdict`)."""
        dependent = self.autocorrelation.rejects_independence
        consistent, rejected, not_independent = [], [], []
        for name, test in self.nulls.items():
            if not test.consistent:
                rejected.append(name)
            elif dependent and test.assumes_independent_steps:
                not_independent.append(name)
            else:
                consistent.append(name)
        return Verdict(tuple(consistent), tuple(rejected), tuple(not_independent))

    def __repr__(self) -> str:
        first, last = self.window_steps
        ratios = ", ".join(f"{r:.3g}" for r in self.explained_variance_ratio[:3])
        p = ", ".join(f"{NULL_LETTERS[name]}: {t.p_value:.3g}" for name, t in self.nulls.items())
        return (
            f"Analysis(n={self.n}, d={self.d}, steps {first}..{last}, ratios [{ratios}, ...], "
            f"p {{{p}}}, step autocorrelation p {self.autocorrelation.p_value:.3g})"
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object `rwpca analyze --json` prints."""
        return {
            "n": self.n,
            "d": self.d,
            "window_positions": list(self.window),
            "training_steps": None if self.steps is None else self.steps.tolist(),
            "components_tested": self.components,
            "explained_variance_ratio": self.explained_variance_ratio.tolist(),
            "null_ratios": {name: t.ratios.tolist() for name, t in self.nulls.items()},
            "tests": {name: t.to_json() for name, t in self.nulls.items()},
            "lissajous": self.lissajous.tolist(),
            "effective_dimension": _finite_or_none(self.effective_dimension),
            "ostrowski_envelope": list(self.ostrowski),
            "step_autocorrelation": self.autocorrelation.to_json(),
            "level": self.alpha,
            "replicates_per_null": self.replicates,
            "notes": [note.to_json() for note in self.notes],
            "consistent_with_some_null": self.consistent_with_some_null,
            "verdict": self.verdict.to_json(),
            "sketch_ratio_sd": None if self.sketch_sd is None else self.sketch_sd.tolist(),
            "finite_d_null": None if self.finite_d is None else self.finite_d.to_json(),
            "decay_laws": None if self.laws is None else self.laws.to_json(),
        }


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None

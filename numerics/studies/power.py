"""The power study: how often each null is rejected, at level alpha, under each alternative.

A *cell* is one alternative (:data:`ALTERNATIVES`) at one number of checkpoints n and one
effective dimension d_eff: ``trials`` independent trajectories are drawn from seeds and
each is analysed exactly as `rwpca analyze` does (:func:`analyze_gram`), every null at
once; the cell counts the rejections of each null (and of the step-independence
diagnostic). Under a null its own rejection rate estimates the test's level (the
*calibration*, exact in theory for given parameters; the power study measures the plug-in
estimates of gamma and alpha), under the others the *power*.

The synthetic alternatives draw isotropic Gaussian noise in ``d_eff`` dimensions (so
d = d_eff and the steps' effective dimension is d_eff), started in their stationary
state where they have one (momentum: the velocity; OU: the position), so a window looks
like the middle of a long run:

* ``plain``: ``s_t = xi_t``; ``schedule``: ``s_t = c_t xi_t`` with ``c_t^2`` falling
  geometrically by 10 over the window; ``drift``: ``s_t = mu + xi_t`` with
  ``N ||mu||^2 = sigma^2 d``, a drift displacement as large as the noise's;
* ``momentum-g``: ``v_t = g v_{t-1} + xi_t`` (g = 0.5, 0.9, 0.99);
* ``ou-k``: ``x_t = (1 - alpha) x_{t-1} + xi_t`` with ``n alpha = k`` (1, 10, 100);
* ``descent``: gradient descent on the quadratic ``sum_i h_i x_i^2 / 2`` with
  ``h_i = i^-1``, ``i = 1..d_eff``, learning rate 1/2, from ``x_0 ~ N(0, I)``: a
  deterministic trajectory (the hyper-ribbon case);
* ``trained``: the trial's momentum run, reproduced with the NumPy trainer: the
  64-128-10 network on the digits, SGD with momentum 0.9, constant learning rate 0.01,
  the n checkpoints after step 600 of a run seeded by the trial (d = 9,610, its own
  d_eff; :data:`TRAINED`).

Besides the five nulls with the parameters estimated (``momentum``, ``ou``), the momentum
alternatives are also tested with gamma given (``momentum:given``) and the OU alternatives
with alpha given (``ou:given``), as `rwpca analyze --momentum` / ``--ou-rate`` would.

Every outcome is kept per trial (a bit string), so a test can redo the first trials of a
cell from their seeds and compare decision by decision.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rwpca.numerics.linalg.filters import exponential_cumsum
from rwpca.numerics.progress import ProgressArg, task
from rwpca.numerics.trajectories.analysis import NULL_MODELS, analyze_gram

#: The level of every test of the study.
LEVEL = 0.05


@dataclass(frozen=True)
class Alternative:
    """A family of trajectories: ``kind`` and its ``value`` (gamma, n alpha, ...)."""

    id: str
    kind: str
    value: float = 0.0

    @property
    def synthetic(self) -> bool:
        return self.kind != "trained"


ALTERNATIVES: tuple[Alternative, ...] = (
    Alternative("plain", "plain"),
    Alternative("schedule", "schedule", 10.0),
    Alternative("drift", "drift", 1.0),
    Alternative("momentum-0.5", "momentum", 0.5),
    Alternative("momentum-0.9", "momentum", 0.9),
    Alternative("momentum-0.99", "momentum", 0.99),
    Alternative("ou-1", "ou", 1.0),
    Alternative("ou-10", "ou", 10.0),
    Alternative("ou-100", "ou", 100.0),
    Alternative("descent", "descent", 1.0),
    Alternative("trained", "trained", 0.9),
)
BY_ID = {alternative.id: alternative for alternative in ALTERNATIVES}

#: The trained run's recording: first checkpoint of the window and learning rate.
TRAINED = {"start": 600, "learning_rate": 0.01, "momentum": 0.9}


def variants(alternative: Alternative) -> tuple[str, ...]:
    """The tests counted in a cell: every null, plus the given-parameter ones that apply."""
    extra = {"momentum": ("momentum:given",), "ou": ("ou:given",)}.get(alternative.kind, ())
    if alternative.kind == "trained":
        extra = ("momentum:given",)
    return (*NULL_MODELS, *extra, "independence")


def _seed(
    alternative: Alternative, n: int, d_eff: int, trial: int, base: int
) -> np.random.Generator:
    index = ALTERNATIVES.index(alternative)
    return np.random.default_rng([base, index, n, d_eff, trial])


def simulate_steps(
    alternative: Alternative, n: int, d_eff: int, rng: np.random.Generator
) -> np.ndarray:
    """The N x d_eff steps of one synthetic trajectory with n checkpoints (see the module)."""
    N = n - 1
    kind, value = alternative.kind, alternative.value
    noise = rng.standard_normal((N, d_eff))
    if kind == "plain":
        return noise
    if kind == "schedule":
        return noise * np.sqrt(np.geomspace(1.0, 1.0 / value, N))[:, None]
    if kind == "drift":
        direction = rng.standard_normal(d_eff)
        mu = direction / np.linalg.norm(direction) * math.sqrt(value * d_eff / N)
        return noise + mu
    if kind == "momentum":
        start = rng.standard_normal(d_eff) / math.sqrt(1 - value**2)
        forced = noise.copy()
        forced[0] += value * start
        return exponential_cumsum(forced, value)
    if kind == "ou":
        b = 1.0 - value / n
        start = rng.standard_normal(d_eff) / math.sqrt(1 - b**2)  # x_0, stationary
        first = b * start + rng.standard_normal(d_eff)  # x_1 = b x_0 + xi_1
        positions = exponential_cumsum(np.vstack([first, noise]), b)  # x_1..x_n
        return np.diff(positions, axis=0)
    if kind == "descent":
        h = 1.0 / np.arange(1, d_eff + 1)
        x0 = rng.standard_normal(d_eff)
        factor = 1.0 - 0.5 * h
        t = np.arange(N)[:, None]
        return -0.5 * h * factor**t * x0  # s_t = x_{t+1} - x_t, x_t = factor^t x0
    raise ValueError(f"alternative {alternative.id!r} has no simulator")


def trajectory_gram(
    alternative: Alternative, n: int, d_eff: int, trial: int, base: int = 0
) -> tuple[np.ndarray, int]:
    """(Gram matrix of the displacements, d) of one trial's trajectory."""
    if alternative.synthetic:
        steps = simulate_steps(alternative, n, d_eff, _seed(alternative, n, d_eff, trial, base))
        path = np.zeros((n, steps.shape[1]))
        np.cumsum(steps, axis=0, out=path[1:])
        return path @ path.T, steps.shape[1]
    from rwpca.numerics.trajectories.training import RunConfig, train

    start = int(TRAINED["start"])
    config = RunConfig(
        "mlp",
        steps=start + n,
        record=(start, start + n),
        optimizer="momentum",
        momentum=TRAINED["momentum"],
        learning_rate=TRAINED["learning_rate"],
        seed=base + trial,
    ).checked()
    result = train(config)
    assert result.trajectory is not None
    Y = result.trajectory - result.trajectory[0]
    return Y @ Y.T, Y.shape[1]


@dataclass(frozen=True)
class TrialOutcome:
    """What one trial gives: rejection of each variant, and the fitted parameters."""

    rejected: dict[str, bool]
    gamma: float
    n_alpha: float
    effective_dimension: float
    called_independent: bool  # the verdict calls some null with independent steps consistent


def run_trial(
    alternative: Alternative, n: int, d_eff: int, trial: int, replicates: int, base: int = 0
) -> TrialOutcome:
    """Analyse one trial of a cell, as `rwpca analyze` does, every variant of the cell."""
    G, d = trajectory_gram(alternative, n, d_eff, trial, base)
    seed = int(np.random.SeedSequence([base, trial, 7]).generate_state(1)[0])
    result = analyze_gram(G, d, replicates=replicates, alpha=LEVEL, seed=seed)
    rejected = {name: not test.consistent for name, test in result.nulls.items()}
    rejected["independence"] = result.autocorrelation.rejects_independence
    given = {"momentum": ("momentum", "d"), "trained": ("momentum", "d"), "ou": ("ou", "e")}
    if alternative.kind in given:
        name, letter = given[alternative.kind]
        gamma = alternative.value if name == "momentum" else None
        rate = alternative.value / n if name == "ou" else None
        again = analyze_gram(
            G, d, replicates=replicates, alpha=LEVEL, seed=seed, nulls=letter, momentum=gamma,
            ou_rate=rate,
        )  # fmt: skip
        rejected[f"{name}:given"] = not again.nulls[name].consistent
    return TrialOutcome(
        rejected=rejected,
        gamma=result.nulls["momentum"].parameters["gamma"],
        n_alpha=result.nulls["ou"].parameters["n_alpha"],
        effective_dimension=result.effective_dimension,
        called_independent=any(
            name in result.verdict.consistent for name in ("random_walk", "step_schedule", "drift")
        ),
    )


@dataclass(frozen=True)
class Cell:
    """The outcomes of one cell: per variant a bit string of rejections, trial by trial."""

    alternative: str
    n: int
    d_eff: int | None  # None: the trained run (its own d_eff)
    trials: int
    replicates: int
    rejections: dict[str, str]  # variant -> "0110...", one character per trial
    mean_gamma: float
    mean_n_alpha: float
    mean_effective_dimension: float
    called_independent: int  # trials whose verdict calls an independent-steps null consistent

    def rate(self, variant: str) -> float:
        return self.rejections[variant].count("1") / self.trials

    def to_json(self) -> dict[str, Any]:
        return {
            "alternative": self.alternative,
            "n": self.n,
            "d_eff": self.d_eff,
            "trials": self.trials,
            "replicates": self.replicates,
            "rejections": self.rejections,
            "mean_gamma": self.mean_gamma,
            "mean_n_alpha": self.mean_n_alpha,
            "mean_effective_dimension": self.mean_effective_dimension,
            "called_independent": self.called_independent,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cell:
        return cls(**data)


def run_cell(
    alternative: Alternative,
    n: int,
    d_eff: int | None,
    trials: int,
    replicates: int,
    base: int = 0,
    progress: ProgressArg = False,
    first: int = 0,
) -> Cell:
    """Trials ``first .. first + trials - 1`` of a cell (each from its own seeds)."""
    outcomes = []
    with task(progress, f"{alternative.id} n={n} d_eff={d_eff}", trials, unit="trial") as bar:
        for trial in range(first, first + trials):
            outcomes.append(run_trial(alternative, n, d_eff or 0, trial, replicates, base))
            bar.update()
    names = variants(alternative)
    return Cell(
        alternative=alternative.id,
        n=n,
        d_eff=d_eff,
        trials=trials,
        replicates=replicates,
        rejections={v: "".join("1" if o.rejected[v] else "0" for o in outcomes) for v in names},
        mean_gamma=float(np.mean([o.gamma for o in outcomes])),
        mean_n_alpha=float(np.mean([o.n_alpha for o in outcomes])),
        mean_effective_dimension=float(np.mean([o.effective_dimension for o in outcomes])),
        called_independent=sum(o.called_independent for o in outcomes),
    )


# --- binomial error ---------------------------------------------------------------------


def binomial_range(trials: int, rate: float = LEVEL, tail: float = 5e-4) -> tuple[int, int]:
    """The central range [lo, hi] of Binomial(trials, rate) holding all but 2 x tail.

    A calibrated test's rejection count falls outside it with probability at most
    2 tail (1 in 1000 by default).

    >>> binomial_range(200)
    (2, 21)
    """
    pmf = [math.comb(trials, c) * rate**c * (1 - rate) ** (trials - c) for c in range(trials + 1)]
    cdf = np.cumsum(pmf)
    lo = int(np.searchsorted(cdf, tail, side="right"))
    hi = int(np.searchsorted(cdf, 1 - tail, side="left"))
    return lo, min(hi, trials)


#: Which variant each alternative is a null for (its calibration cells).
CALIBRATES = {
    "plain": ("random_walk", "step_schedule", "drift", "momentum", "ou"),
    "schedule": ("step_schedule",),
    "drift": ("drift", "momentum", "ou"),
    "momentum": ("momentum", "momentum:given"),
    "ou": ("ou", "ou:given"),
}


def calibrated_variants(alternative: Alternative) -> tuple[str, ...]:
    """The variants whose null holds under this alternative (so their rate is a level)."""
    if alternative.kind == "plain":
        return (*CALIBRATES["plain"], "independence")
    if alternative.kind == "drift":
        return (*CALIBRATES["drift"], "independence")
    return CALIBRATES.get(alternative.kind, ())


@dataclass(frozen=True)
class PowerStudy:
    """Every cell of a study, with its design."""

    cells: tuple[Cell, ...]
    level: float = LEVEL
    design: dict[str, Any] = field(default_factory=dict)

    def cell(self, alternative: str, n: int, d_eff: int | None) -> Cell:
        for cell in self.cells:
            if (cell.alternative, cell.n, cell.d_eff) == (alternative, n, d_eff):
                return cell
        raise KeyError((alternative, n, d_eff))

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "design": self.design,
            "cells": [cell.to_json() for cell in self.cells],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PowerStudy:
        return cls(tuple(Cell.from_json(c) for c in data["cells"]), data["level"], data["design"])


def design_cells(
    shapes: Iterable[tuple[int, int]], trained_ns: Iterable[int] = ()
) -> list[tuple[Alternative, int, int | None]]:
    """Every (alternative, n, d_eff) of a study: the synthetic ones at each (n, d_eff) of
    ``shapes``, the trained run once per n of ``trained_ns``."""
    shapes, trained_ns = list(shapes), list(trained_ns)
    out: list[tuple[Alternative, int, int | None]] = []
    for alternative in ALTERNATIVES:
        if alternative.synthetic:
            out.extend((alternative, n, d) for n, d in shapes)
        else:
            out.extend((alternative, n, None) for n in trained_ns)
    return out

"""The numbers of the noise documents: fitted slopes, derived predictions, one OU simulation.

Everything ``rwpca derive`` reports about the noise is computed here from committed data
and seeds, as typed results the documents only format:

* from the finite-d study (:mod:`rwpca.numerics.walks.noise_study`): the derived
  perturbation prediction of a study cell (:func:`prediction`), the fitted slope of the
  leading ratio's spread against d (:func:`fluctuation_slope`) and of the whole-spectrum
  distance against n/d (:func:`scaling_summary`);
* one Gaussian OU walk in d = 10^6 dimensions (:data:`OU_WALK`), whose squared distances
  ||x_t||^2 / d are compared with the catalog's ``ou.distance`` and the derived relative
  spread sqrt((2 + kappa c_t) / d). The simulation is run once
  (:func:`regenerate`, or ``python -m rwpca.numerics.walks.noise_evidence``) and its values committed in
  ``numerics/data/noise_evidence.json``, so ``rwpca derive`` simulates nothing;
  tests/test_noise_study.py simulates it again from its seed and compares.

>>> row = ou_distance_rows(load_ou_walk())[0]
>>> row.t, round(row.formula, 6)
(1, 1.0)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rwpca.numerics import DATA
from rwpca.numerics.formulas import lambdify_by_name
from rwpca.numerics.walks import finite_d, noise_study, simulator
from rwpca.proofs.catalog import get

EVIDENCE = DATA / "noise_evidence.json"
EVIDENCE_FORMAT = 1
#: Significant digits of the stored simulated values (the document shows four decimals).
DIGITS = 10


@dataclass(frozen=True)
class OuWalkSpec:
    """The simulated OU walk: sizes, rate, seed and the times t reported."""

    n: int = 400
    d: int = 10**6
    alpha: float = 0.05
    seed: int = 2018
    noise: str = "gaussian"
    times: tuple[int, ...] = (1, 5, 20, 50, 100, 200, 400)


OU_WALK = OuWalkSpec()


@dataclass(frozen=True)
class OuWalk:
    """||x_t||^2 / d of the simulated walk at the reported times."""

    spec: OuWalkSpec
    squared_norms: tuple[float, ...]  # one per spec.times


@dataclass(frozen=True)
class DistanceRow:
    """One time t: simulated ||x_t||^2 / d, the formula (sigma = 1) and the derived sd."""

    t: int
    simulated: float
    formula: float
    relative_difference: float
    relative_sd: float


def simulate_ou_walk(spec: OuWalkSpec = OU_WALK) -> OuWalk:
    """Run the simulation of ``spec`` (seeded; the Gram matrix drawn at a cost independent of d)."""
    walk = simulator.simulate(
        "ou", spec.n, spec.d, spec.noise, params={"alpha": spec.alpha}, seed=spec.seed
    )
    values = tuple(float(walk.squared_norms[t - 1]) for t in spec.times)
    return OuWalk(spec, values)


def ou_distance_rows(walk: OuWalk) -> list[DistanceRow]:
    """The simulated distances against ``ou.distance`` and the derived relative spread."""
    spec = walk.spec
    formula = lambdify_by_name(get("ou.distance").rhs, ("t", "alpha", "sigma"))
    spread = finite_d.relative_spread_of_squared_norms(
        "ou", spec.n, spec.d, 0.0, {"alpha": spec.alpha}
    )
    rows = []
    for t, observed in zip(spec.times, walk.squared_norms, strict=True):
        expected = float(formula(t, spec.alpha, 1.0))
        rows.append(
            DistanceRow(t, observed, expected, observed / expected - 1, float(spread[t - 1]))
        )
    return rows


def stationary_distance(alpha: float) -> float:
    """The OU walk's stationary E||x||^2 / (d sigma^2) = 1 / (alpha (2 - alpha))."""
    return 1 / (alpha * (2 - alpha))


def load_ou_walk(path: Path = EVIDENCE) -> OuWalk:
    """The committed simulation (ValueError if it is missing or of another format)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"the noise evidence {path} cannot be read ({error})") from None
    if data.get("format") != EVIDENCE_FORMAT:
        raise ValueError(f"the noise evidence {path} has format {data.get('format')!r}")
    record = data["ou_walk"]
    spec = OuWalkSpec(**{**record["spec"], "times": tuple(record["spec"]["times"])})
    return OuWalk(spec, tuple(record["squared_norms"]))


def encode(walk: OuWalk) -> bytes:
    """The evidence file's bytes (values to :data:`DIGITS` significant digits)."""
    record = {
        "spec": asdict(walk.spec),
        "squared_norms": [float(f"{v:.{DIGITS}g}") for v in walk.squared_norms],
    }
    data = {"format": EVIDENCE_FORMAT, "ou_walk": record}
    return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode()


# --- the finite-d study ------------------------------------------------------------------


def kurtosis_of(study: Mapping[str, Any], label: str) -> float:
    """The excess kurtosis recorded for a noise family ("inf" for an infinite one)."""
    value = study["kurtosis"][label]
    return math.inf if value == "inf" else float(value)


def _effective_rank(label: str, d: int) -> float:
    spec = noise_study.noise_for(label)
    return spec.effective_rank(d) if hasattr(spec, "effective_rank") else float(d)


def prediction(study: Mapping[str, Any], label: str, d: int) -> finite_d.RatioPerturbation | None:
    """The derived finite-d bias and spread for a study family at d (None: infinite kappa)."""
    kappa = kurtosis_of(study, label)
    if not math.isfinite(kappa):
        return None
    n = int(study["n"])
    return finite_d.ratio_perturbation("plain", n, _effective_rank(label, d), kappa)


def slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log(ys) against log(xs)."""
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


def fluctuation_slope(study: Mapping[str, Any], label: str, minimum: int = 1000) -> float:
    """Slope of log sd(rho_hat_1 / rho_1 - 1) against log d over d >= ``minimum``."""
    cells = [c for c in study["results"][label] if c["d"] >= minimum]
    return slope([c["d"] for c in cells], [c["sd"][0] for c in cells])


@dataclass(frozen=True)
class ScalingSummary:
    """Gaussian noise over n: the distance's slope against n/d, sqrt(d) sd_1 at d = 1000 n."""

    distance_slope: float  # fitted over d/n >= 20
    levels: dict[int, float]  # n -> sqrt(d) sd of rho_hat_1 / rho_1 - 1 at d = 1000 n


def scaling_summary(study: Mapping[str, Any]) -> ScalingSummary:
    """Slopes of the whole-spectrum distance against n/d, and of sqrt(d) sd_1 against n."""
    scaling = study["scaling"]
    xs, ys, levels = [], [], {}
    for n_label, cells in scaling["cells"].items():
        n = int(n_label)
        for c in cells:
            if c["d"] // n >= 20:
                xs.append(n / c["d"])
                ys.append(c["distance_median"])
        top = next(c for c in cells if c["d"] // n == 1000)
        levels[n] = math.sqrt(top["d"]) * top["sd"][0]
    return ScalingSummary(slope(xs, ys), levels)


def regenerate(path: Path = EVIDENCE) -> Path:
    """Simulate the OU walk again and rewrite the committed evidence (atomically)."""
    noise_study.write_atomic(path, encode(simulate_ou_walk()))
    return path


if __name__ == "__main__":
    regenerate()

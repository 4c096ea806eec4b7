"""The finite-d study: how fast the ratios of a noisy walk approach the d -> infinity theory.

For each noise family and each d, many walks (plain, n = 20) are simulated with
:func:`rwpca.numerics.walks.simulator.simulate` from fixed seeds, and summaries of the relative deviations
rho_hat_k / rho_k - 1 (k = 1, 2, 3), of the whole-spectrum distance sum_k |rho_hat_k - rho_k|
and of ||M - I||_2 are recorded. A second, Gaussian-only part varies n to separate the
1/sqrt(d) behaviour of the leading ratios from the sqrt(n/d) behaviour of the spectrum as
a whole.

The study takes minutes, so it is run once (``python -m rwpca.numerics.walks.noise_study``) and its
summaries are committed in ``numerics/data/noise_study.json``; ``rwpca derive`` reads them,
and tests/test_noise_study.py recomputes a few cells from the same seeds to show that the
committed numbers are what this code produces.
"""

from __future__ import annotations

import argparse
import json
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from rwpca.numerics import DATA as NUMERICS_DATA
from rwpca.numerics.atomic import write_file_atomic
from rwpca.numerics.progress import ProgressArg, iterate
from rwpca.numerics.walks import simulator
from rwpca.numerics.walks.families import Noise, get_noise

DATA = NUMERICS_DATA / "noise_study.json"
BASE_SEED = 2018
N = 20
COMPONENTS = 3
DIMENSIONS = (100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)


def draws_for(d: int) -> int:
    """Walks per cell: many at small d (where the bias is largest), fewer at large d."""
    return 2000 if d <= 2000 else (400 if d <= 20_000 else 150)


def _shifted(rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
    """Gaussian steps with mean 0.5 per coordinate (a drift)."""
    return rng.standard_normal(size) + 0.5


#: label -> noise spec. The first group has finite variance; the second shows the limits.
FINITE_VARIANCE = (
    "gaussian",
    "uniform",
    "rademacher",
    "laplace",
    "exponential",
    "student_t:nu=5",
    "student_t:nu=3",
    "sparse:density=0.1",
    "sparse:density=0.01",
    "mixture:weight=0.1,scale=5",
    "correlated:rank=0,decay=0.5",
)
FAILING = (
    "cauchy",
    "student_t:nu=1.5",
    "student_t:nu=2",
    "correlated:rank=0,decay=1",
    "correlated:rank=0,decay=1.5",
    "mean=0.5",
)
SCALING_N = (10, 20, 40, 80)
SCALING_RATIOS = (5, 10, 20, 50, 100, 200, 500, 1000)
SCALING_DRAWS = 300


def noise_for(label: str) -> Noise | Callable:
    if label == "mean=0.5":
        return _shifted
    return get_noise(label)


def _seed(label: str, d: int, index: int, n: int = N) -> tuple[int, ...]:
    return (BASE_SEED, zlib.crc32(label.encode()), n, d, index)


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def cell(label: str, d: int, draws: int, n: int = N) -> dict[str, object]:
    """Summaries of ``draws`` walks of the plain process at (n, d) under noise ``label``."""
    spec = noise_for(label)
    deviations, distances, norms = [], [], []
    for index in range(draws):
        walk = simulator.simulate("plain", n, d, spec, seed=_seed(label, d, index, n))
        deviation = walk.relative_deviation()
        deviations.append(deviation[:COMPONENTS])
        distances.append(float(np.abs(walk.explained_variance_ratio - walk.theory()).sum()))
        norms.append(walk.noise_deviation)
    dev = np.array(deviations)
    return {
        "d": d,
        "draws": draws,
        "mean": [_round(v) for v in dev.mean(axis=0)],
        "sd": [_round(v) for v in dev.std(axis=0, ddof=1)],
        "distance_mean": _round(float(np.mean(distances))),
        "distance_median": _round(float(np.median(distances))),
        "norm_mean": _round(float(np.mean(norms))),
    }


def run(progress: ProgressArg = None) -> dict[str, object]:
    """The whole study (minutes); returns the JSON-ready summaries."""
    jobs: list[tuple[Any, ...]] = [
        (label, d) for label in (*FINITE_VARIANCE, *FAILING) for d in DIMENSIONS
    ]
    jobs += [("gaussian", n * ratio, n) for n in SCALING_N for ratio in SCALING_RATIOS]
    results: dict[str, list] = {}
    scaling: dict[str, list] = {}
    for job in iterate(progress, jobs, "noise study", unit="cell"):
        if len(job) == 2:
            label, d = job
            results.setdefault(label, []).append(cell(label, d, draws_for(d)))
        else:
            label, d, n = job
            scaling.setdefault(str(n), []).append(cell(label, d, SCALING_DRAWS, n))
    kurtosis = {}
    for label in (*FINITE_VARIANCE, *FAILING):
        spec = noise_for(label)
        value = spec.excess_kurtosis if isinstance(spec, Noise) else 0.0
        kurtosis[label] = value if np.isfinite(value) else "inf"
    return {
        "n": N,
        "process": "plain",
        "components": COMPONENTS,
        "base_seed": BASE_SEED,
        "dimensions": list(DIMENSIONS),
        "finite_variance": list(FINITE_VARIANCE),
        "failing": list(FAILING),
        "kurtosis": kurtosis,
        "results": results,
        "scaling": {"draws": SCALING_DRAWS, "ratios": list(SCALING_RATIOS), "cells": scaling},
    }


def load(path: Path = DATA) -> dict[str, Any]:
    """The committed study summaries."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write(data: Mapping[str, object], path: Path = DATA) -> None:
    """Write the summaries atomically (temporary file, then rename)."""
    write_atomic(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (umask's mode)."""
    write_file_atomic(path, data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA, help=f"output (default {DATA})")
    args = parser.parse_args(argv)
    write(run(), args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

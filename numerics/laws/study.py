"""The committed data of the finite-d figures: E[rho_k] and its band against d, the bulk law.

``python -m rwpca.numerics.laws.study`` (about two minutes, one core) writes
``numerics/data/finite_d_study.json``; ``rwpca derive`` only reads it, so the documents stay
fast and deterministic. Contents:

- ``continuum``: for each d of :data:`DIMENSIONS`, the continuum sampler's mean, standard
  error and 2.5% / 97.5% quantiles of rho_1..rho_3 (``DRAWS`` draws, seed = d).
- ``bulk``: one walk with n = d = :data:`BULK_SIZE` (seed 0): the histogram of the eigenvalues
  of X X^T / d below :data:`BULK_CUTOFF`, the predicted density (Silverstein's equation with
  the population quantile 1/(4 sin^2(pi u / 2))) at the bin centres, and the Kolmogorov check.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from rwpca.numerics import DATA as NUMERICS_DATA
from rwpca.numerics.atomic import write_file_atomic
from rwpca.numerics.laws import bulk
from rwpca.numerics.laws.fixed_d import continuum_ratios

DATA = NUMERICS_DATA / "finite_d_study.json"
DIMENSIONS = (1, 2, 3, 5, 8, 13, 20, 36, 60, 100, 200, 500, 1000, 5000)
DRAWS = 10_000
COMPONENTS = 3
BULK_SIZE = 1000
BULK_CUTOFF = 8.0
BULK_BINS = 60


def _population(u: np.ndarray) -> np.ndarray:
    return 1 / (4 * np.sin(np.pi * u / 2) ** 2)


def _rounded(values: np.ndarray) -> list[float]:
    return [float(f"{x:.6g}") for x in np.asarray(values, dtype=float).ravel()]


def run() -> dict[str, Any]:
    """The study (module docstring)."""
    continuum = []
    for d in DIMENSIONS:
        r = continuum_ratios(d, components=COMPONENTS, draws=DRAWS, seed=d)
        continuum.append(
            {
                "d": d,
                "mean": _rounded(r.mean),
                "standard_error": _rounded(r.standard_error),
                "low": _rounded(r.quantiles[0]),
                "high": _rounded(r.quantiles[-1]),
            }
        )
    values = bulk.simulated_spectrum(BULK_SIZE, BULK_SIZE, 0)
    edges = np.linspace(0, BULK_CUTOFF, BULK_BINS + 1)
    counts, _ = np.histogram(values, edges)
    centres = (edges[1:] + edges[:-1]) / 2
    tau = bulk.population_atoms(_population, BULK_SIZE)
    density = bulk.bulk_density(centres, tau, 1.0, eta=1e-4)
    check = bulk.bulk_check(_population, BULK_SIZE, BULK_SIZE, 0)
    return {
        "draws": DRAWS,
        "components": COMPONENTS,
        "continuum": continuum,
        "bulk": {
            "n": BULK_SIZE,
            "d": BULK_SIZE,
            "seed": 0,
            "edges": _rounded(edges),
            "density_of_counts": _rounded(counts / (BULK_SIZE * np.diff(edges))),
            "predicted": _rounded(density),
            "above_cutoff": int((values >= BULK_CUTOFF).sum()),
            "kolmogorov": float(f"{check.distance:.4g}"),
            "tolerance": float(f"{check.tolerance:.4g}"),
        },
    }


def load(path: Path = DATA) -> dict[str, Any]:
    """The committed study."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA, help=f"output (default {DATA})")
    args = parser.parse_args(argv)
    write_file_atomic(args.out, (json.dumps(run(), indent=1, sort_keys=True) + "\n").encode())
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The measured decay of the descent ratios over beta, eta and n, and its committed summary.

For each (n, beta, eta) the explained-variance ratios of the *expected* centred Gram matrix
(weights x_{0,i}^2 replaced by 1: the deterministic hyper-ribbon, d = 2000) and of one random
start (seed 0) are computed at high precision (:mod:`rwpca.numerics.descent.spectra`) and
fitted with log rho_k = a - rate k (:func:`~rwpca.numerics.descent.spectra.decay_fit`). The
rate is compared with the bound's log R_n (:func:`~rwpca.numerics.descent.bound.hankel_rate`).
Numerical, not certified: the certified statement is the bound. The summary
``numerics/data/descent_rates.json`` is written by::

    python -m rwpca.numerics.descent.rates

(about two minutes of CPU; ``rwpca derive`` only reads it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rwpca.numerics import DATA
from rwpca.numerics.atomic import write_file_atomic
from rwpca.numerics.descent.bound import hankel_rate
from rwpca.numerics.descent.spectra import centred_spectrum, decay_fit, ratios_of

SUMMARY = DATA / "descent_rates.json"
FORMAT = 1
#: The grid of the study and of the figure's curves.
SIZES = (25, 50, 100)
BETAS = (0.5, 1.0, 2.0, 3.0)
ETAS = (0.5, 1.0, 1.9)
DIMENSION = 2000
DPS = 60
#: The curves of the figure: n, eta, and how many ratios are kept.
CURVE_N, CURVE_ETA, CURVE_K = 50, 1.0, 40


def measure() -> dict[str, Any]:
    """The study as a JSON-ready dict (deterministic: fixed seeds and digits)."""
    rows = []
    curves = {}
    for n in SIZES:
        for beta in BETAS:
            for eta in ETAS:
                row: dict[str, object] = {"n": n, "beta": beta, "eta": eta}
                for label, expected in (("expected", True), ("seed0", False)):
                    values = centred_spectrum(n, DIMENSION, beta, eta, 0, DPS, expected)
                    ratios = ratios_of(values)
                    fit = decay_fit(ratios)
                    row[label] = {"rate": round(fit.rate, 4), "fitted_k": [fit.ks[0], fit.ks[-1]]}
                    if n == CURVE_N and eta == CURVE_ETA:
                        curves[f"{beta}:{label}"] = [float(f"{r:.6e}") for r in ratios[:CURVE_K]]
                row["bound_rate"] = round(hankel_rate(n), 4)
                rows.append(row)
    return {
        "format": FORMAT,
        "generated_by": "python -m rwpca.numerics.descent.rates",
        "dimension": DIMENSION,
        "dps": DPS,
        "curve": {"n": CURVE_N, "eta": CURVE_ETA, "d": DIMENSION},
        "rows": rows,
        "curves": curves,
    }


def load(path: Path = SUMMARY) -> dict[str, Any]:
    """The committed summary (ValueError naming the command that writes it)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(
            f"the descent-rate summary {path} cannot be read ({error}): run "
            "'python -m rwpca.numerics.descent.rates'"
        ) from None
    if data.get("format") != FORMAT:
        raise ValueError(f"{path.name}: format {data.get('format')!r} is not {FORMAT}")
    return data


def main() -> None:
    data = measure()
    write_file_atomic(SUMMARY, (json.dumps(data, indent=1) + "\n").encode())


if __name__ == "__main__":
    main()


__all__ = ["SUMMARY", "load", "main", "measure"]

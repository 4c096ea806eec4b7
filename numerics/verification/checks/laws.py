"""Verification of the fixed-d and proportional laws (catalog quantity ``law``) by simulation.

Each check reads the statement from the entry (so a wrong coefficient, value or population
law is rejected) and compares it with an independent computation, with tolerances from
concentration (standard errors times a fixed z, fixed seeds):

- ``rw.fixed_d.expansion``: the 1/d coefficient d (E[rho_k] / rho_k^inf - 1) of the statement
  against the exact finite-n perturbation coefficients at n = 100, 200 extrapolated in n
  (:func:`rwpca.numerics.laws.continuum.expansion_check`), and the statement at d = 400
  against the continuum sampler (20000 draws) within Z standard errors plus a second-order
  allowance (|c_k| + 2)^2 rho_k^inf / d^2.
- ``rw.fixed_d.two``: the statement's integrand against phi(t, 0) - phi(t, s) at fixed points,
  and E[rho_1 - rho_2] (the 25-digit value of the quadrature) against the d = 2 sampler.
- ``rw.bulk.silverstein``: the population law read from the statement (its integrand at
  m = 0), the law solved numerically and its CDF against the spectrum of one simulated walk,
  n = d = 1000 (:func:`rwpca.numerics.laws.bulk.bulk_check`).
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from rwpca.numerics.laws import bulk, continuum
from rwpca.numerics.progress import ProgressArg
from rwpca.numerics.verification.evidence import CheckKind, EntryEvidence, fingerprint
from rwpca.numerics.verification.plans import Plan
from rwpca.numerics.verification.status import CheckState
from rwpca.proofs.catalog import Entry

#: E[rho_1 - rho_2] at d = 2 (numerics.laws.continuum.two_dimensional_gap(25), 90 s).
TWO_D_GAP = "0.5925099975978547910246"
EXPANSION_D, EXPANSION_DRAWS = 400, 20000
TWO_D_DRAWS = 8000
BULK_SIZE = 1000
#: (t, s) points where the statement's integrand is compared with the derived one.
INTEGRAND_POINTS = ((0.3, 0.7), (1.5, 0.2), (4.0, 3.0))


def _symbol(entry: Entry, name: str) -> sp.Symbol:
    found = [s for s in entry.rhs.free_symbols | entry.lhs.free_symbols if s.name == name]
    if not found:
        for integral in entry.rhs.atoms(sp.Integral):
            found = [s for s in integral.function.free_symbols if s.name == name]
            if found:
                break
    if not found:
        raise ValueError(f"{entry.id}: the statement has no symbol {name!r}")
    return found[0]


def _expansion(entry: Entry) -> tuple[dict[str, object], bool]:
    k, d = _symbol(entry, "k"), _symbol(entry, "d")
    limit = sp.limit(entry.rhs, d, sp.oo)
    coefficient = sp.simplify(sp.limit(d * (entry.rhs - limit) / limit, d, sp.oo))
    c = sp.lambdify(k, coefficient, "numpy")
    mean = continuum.expansion_check(lambda kk: np.broadcast_to(c(kk), kk.shape))
    r = sp.lambdify((k, d), entry.rhs, "numpy")
    kk = np.arange(1, 4, dtype=float)
    stated = np.asarray(r(kk, EXPANSION_D), dtype=float)
    rho = np.asarray(sp.lambdify(k, limit, "numpy")(kk), dtype=float) * np.ones(3)
    allowance = (np.abs(mean.stated) + 2) ** 2 * rho / EXPANSION_D**2
    mc = continuum.monte_carlo_check(stated, EXPANSION_D, EXPANSION_DRAWS, 0, allowance)
    data = {
        "coefficient_stated": [float(x) for x in mean.stated],
        "coefficient_extrapolated": [float(x) for x in mean.extrapolated],
        "coefficient_tolerance": [float(x) for x in mean.tolerance],
        "coefficient_sizes": list(mean.sizes),
        "mc_d": EXPANSION_D,
        "mc_draws": EXPANSION_DRAWS,
        "mc_simulated": [float(x) for x in mc.simulated],
        "mc_standard_error": [float(x) for x in mc.standard_error],
        "mc_stated": [float(x) for x in mc.stated],
        "mc_allowance": [float(x) for x in mc.allowance],
        "z": continuum.Z,
    }
    return data, mean.passed and mc.passed


def _derived_bracket(t: float, s: float) -> float:
    """(phi(t, 0) - phi(t, s)) / s^2 with phi = |sqrt w / sinh sqrt w|, w = 2 (t + i s)."""

    def phi(ss: float) -> mpmath.mpf:
        q = mpmath.sqrt(2 * (t + 1j * ss))
        return abs(q / mpmath.sinh(q))

    return float((phi(0.0) - phi(s)) / s**2)


def _two(entry: Entry) -> tuple[dict[str, object], bool]:
    integral = entry.rhs
    if not isinstance(integral, sp.Integral) or len(integral.limits) != 2:
        return {"structure": "not a double integral"}, False
    (s, *_), (t, *_) = integral.limits
    f = sp.lambdify((t, s), integral.function, "mpmath")
    stated_points = [float(sp.re(f(a, b))) for a, b in INTEGRAND_POINTS]
    derived_points = [_derived_bracket(a, b) for a, b in INTEGRAND_POINTS]
    same = bool(np.allclose(stated_points, derived_points, rtol=1e-10, atol=0))
    mc = continuum.monte_carlo_check(np.array([float(TWO_D_GAP)]), 2, TWO_D_DRAWS, 0, gap=True)
    data = {
        "points": [list(p) for p in INTEGRAND_POINTS],
        "integrand_stated": stated_points,
        "integrand_derived": derived_points,
        "value": TWO_D_GAP,
        "mc_draws": TWO_D_DRAWS,
        "mc_simulated": float(mc.simulated[0]),
        "mc_standard_error": float(mc.standard_error[0]),
        "z": continuum.Z,
    }
    return data, same and mc.passed


def _bulk(entry: Entry) -> tuple[dict[str, object], bool]:
    integrals = list(entry.rhs.atoms(sp.Integral))
    if len(integrals) != 1:
        return {"structure": "no single integral over the population"}, False
    integral = integrals[0]
    u = integral.limits[0][0]
    m = _symbol(entry, "m")
    tau = sp.lambdify(u, integral.function.subs(m, 0), "numpy")
    result = bulk.bulk_check(lambda x: np.asarray(tau(x), dtype=float), BULK_SIZE, BULK_SIZE, 0)
    data: dict[str, object] = {
        "n": result.n,
        "d": result.d,
        "seed": result.seed,
        "distance": result.distance,
        "tolerance": result.tolerance,
        "cutoff": result.cutoff,
    }
    return data, result.passed


_CHECKS = {"rw.fixed_d.expansion": _expansion, "rw.fixed_d.two": _two, "rw.bulk.silverstein": _bulk}


def verify_law(
    entry: Entry, sizes: tuple[int, ...], dps: int, plan: Plan, progress: ProgressArg
) -> EntryEvidence:
    """The simulation check of a ``law`` entry (module docstring); its sizes are its own."""
    if entry.id not in _CHECKS:
        raise ValueError(f"{entry.id}: no law check (known: {', '.join(_CHECKS)})")
    data, passed = _CHECKS[entry.id](entry)
    verdict = CheckState.AGREES if passed else CheckState.REFUTED
    return EntryEvidence(entry.id, fingerprint(entry), CheckKind.LAW, verdict, {}, data=data)


__all__ = ["verify_law"]

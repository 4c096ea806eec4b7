"""Verification of eigenvalue formulas against the exact finite matrices.

:func:`check_formula` is the public entry point: does a SymPy formula in ``n``, ``k`` (and
``gamma`` or ``alpha``) give the eigenvalues lambda_k, k = 1..n-1, of a process's centred
covariance K = C T^-1 T^-T C?

* ``exact=True``: the formula must hold at every n tested. For each n, the claimed values
  (sorted, since the OU formula is not monotone in k) are evaluated in ball arithmetic and
  every lambda_k is **certified** to lie within relative 10^-dps of its claim, or
  **refuted** (lambda_k is certified to differ by more than half that), by
  :func:`rwpca.numerics.certified.sturm.certify` on the centred precision matrix: the signs of
  det(Q - x I) at the ends of every claimed interval with the accounting of all n
  eigenvalues (O(1) ball operations per claim, so n = 10^4 takes seconds), and Sturm
  counts where that does not decide. One refuted k refutes the formula; a decision that
  the arithmetic cannot reach is reported "undecided", never "verified". ``Run.method``
  names the evidence that decided.
* ``exact=False``: the formula must converge as n grows (along a limit path of the
  parameters if one is given). At each n the leading eigenvalues (k = 1..5 by default) are
  refined by inverse iteration and certified to relative 1e-20 (or a coarser radius if
  that fails, recorded), so the measured relative errors |f_k / lambda_k - 1| are rigorous
  to that accuracy; the error of the whole spectrum (sorted claims against sorted float64
  eigenvalues, accurate to about 1e-16 ||Q|| lambda_k) is reported beside it. The formula
  passes when the leading error decreases over the last three sizes and the order fitted
  over them is above :data:`MIN_ORDER`; an error below the certification radius at every n
  counts as exact.

Parameters are exact rationals (a float 0.1 is read as 1/10). The default parameter sets
are gamma in {1/2, -3/10} and alpha in {1/10, 3/2}.

>>> import sympy as sp
>>> n, k = sp.symbols("n k")
>>> check_formula("plain", 1 / (4 * sp.sin(sp.pi * k / (2 * n)) ** 2), n=(5, 12)).passed
True
>>> check_formula("plain", 1 / (4 * sp.sin(sp.pi * k / (2 * (n + 1))) ** 2), n=(5, 12)).state
<CheckState.REFUTED: 'refuted'>
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy as sp
from flint import arb, ctx

from rwpca.numerics.arbeval import compile_arb
from rwpca.numerics.certified.sturm import (
    BY_BALL_COUNTS,
    BY_FLOAT_COUNTS,
    BY_PARITY,
    Verdict,
    certify,
    working_precision,
)
from rwpca.numerics.linalg.reference import check_dps, eigenvalues_float, float_spectrum
from rwpca.numerics.linalg.structure import centred_precision_structure, exact_params, to_fraction
from rwpca.numerics.progress import iterate
from rwpca.numerics.verification.status import CheckState
from rwpca.proofs.processes import PROCESSES, get_process
from rwpca.proofs.validation import check_n

#: Default digits of the certified comparison.
DEFAULT_DPS = 30
#: Sizes tried by default for an exact claim and for a limit.
EXACT_SIZES = (2, 3, 4, 5, 8, 13, 31, 64, 160)
ASYMPTOTIC_SIZES = (25, 50, 100, 200, 400, 800)
#: Number of leading eigenvalues whose errors decide convergence.
LEADING = 5
#: Smallest fitted order accepted as convergence (errors like 1/log n are not accepted).
MIN_ORDER = 0.5
#: Certification radii tried for the reference eigenvalues of a convergence study (the
#: leading ones are refined to about 25 digits first, so the first radius normally holds).
ESTIMATE_RADII = (1e-20, 1e-12, 1e-8)

#: The parameter sets a formula is checked at by default, as each process declares them.
DEFAULT_PARAMS: dict[str, tuple[Mapping[str, Fraction], ...]] = {
    name: process.check_sets for name, process in PROCESSES.items()
}

ParamsPath = Callable[[int], Mapping[str, object]]


@dataclass(frozen=True)
class ParameterSet:
    """Parameters for each n: fixed values, or a limit path n -> values."""

    label: str
    at: Callable[[int], dict[str, Fraction]]


def _fixed(process: str, values: Mapping[str, object]) -> ParameterSet:
    exact = exact_params(process, values)
    label = ", ".join(f"{name} = {value}" for name, value in exact.items()) or "no parameters"
    return ParameterSet(label, lambda _n, _e=exact: dict(_e))


def path(process: str, label: str, function: ParamsPath) -> ParameterSet:
    """A limit path: parameters that move with n (validated at each n)."""
    return ParameterSet(label, lambda size: exact_params(process, function(size)))


def parameter_sets(process: str, params: object) -> list[ParameterSet]:
    """Normalise ``params``: None (defaults), a dict, a list of dicts, a callable or sets."""
    if params is None:
        return [_fixed(process, p) for p in DEFAULT_PARAMS[get_process(process).name]]
    if isinstance(params, ParameterSet):
        return [params]
    if isinstance(params, Mapping):
        return [_fixed(process, params)]
    if callable(params):
        return [path(process, "a path n -> parameters", params)]
    if isinstance(params, (list, tuple)) and params:
        out: list[ParameterSet] = []
        for item in params:
            out.extend(parameter_sets(process, item))
        return out
    raise ValueError(
        f"params = {params!r} is not allowed: give a dict such as {{'gamma': 0.5}}, a list "
        "of dicts, or a function of n"
    )


def check_sizes(sizes: object, *, minimum: int = 2) -> tuple[int, ...]:
    """Validated, deduplicated, increasing sizes."""
    if isinstance(sizes, (int, np.integer)) and not isinstance(sizes, bool):
        sizes = (sizes,)
    if not isinstance(sizes, Iterable) or isinstance(sizes, (str, bytes)):
        raise ValueError(f"n = {sizes!r} is not allowed: give an integer or a list of integers")
    checked = sorted({check_n(int(s) if isinstance(s, np.integer) else s) for s in sizes})
    if not checked:
        raise ValueError("n = [] is not allowed: give at least one size")
    if checked[0] < minimum:
        raise ValueError(f"n = {checked[0]} is not allowed: n must be an integer >= {minimum}")
    return tuple(checked)


def check_components(ks: object, n: int) -> tuple[int, ...]:
    """Validated component indices 1 <= k <= n - 1."""
    if isinstance(ks, (int, np.integer)) and not isinstance(ks, bool):
        ks = (ks,)
    out = []
    for value in ks:  # type: ignore[union-attr]
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, np.integer))
            or not (1 <= int(value) <= n - 1)
        ):
            raise ValueError(
                f"k = {value!r} is not allowed at n = {n}: k must be an integer with "
                f"1 <= k <= n - 1 = {n - 1}"
            )
        out.append(int(value))
    return tuple(sorted(set(out)))


def _fmt(value: float | None) -> str | None:
    return None if value is None else f"{value:.3e}"


@dataclass(frozen=True)
class Run:
    """The evidence at one n (and one parameter value)."""

    n: int
    params: dict[str, str]
    checked: int
    certified: int = 0
    refuted: int = 0
    undecided: int = 0
    radius: float | None = None
    digits: int | None = None
    method: str = ""
    leading_error: float | None = None
    spectrum_error: float | None = None
    first_refuted: int | None = None
    note: str = ""
    seconds: float = 0.0

    @property
    def state(self) -> CheckState:
        if self.refuted:
            return CheckState.REFUTED
        if self.undecided or self.certified < self.checked:
            return CheckState.UNDECIDED
        return CheckState.CERTIFIED

    def to_json(self) -> dict[str, object]:
        """A deterministic record (no timings)."""
        data: dict[str, object] = {
            "n": self.n,
            "params": self.params,
            "checked": self.checked,
            "certified": self.certified,
            "refuted": self.refuted,
            "undecided": self.undecided,
            "radius": _fmt(self.radius),
            "digits": self.digits,
            "method": self.method,
            "leading_error": _fmt(self.leading_error),
            "spectrum_error": _fmt(self.spectrum_error),
            "first_refuted": self.first_refuted,
        }
        if self.note:
            data["note"] = self.note
        return data


def fitted_order(sizes: Sequence[int], errors: Sequence[float], last: int = 3) -> float | None:
    """Least-squares slope p of log(error) = c - p log(n) over the last ``last`` sizes."""
    pairs = [(s, e) for s, e in zip(sizes, errors, strict=True) if e is not None and e > 0]
    pairs = pairs[-last:]
    if len(pairs) < 2:
        return None
    x = np.log([s for s, _ in pairs])
    y = np.log([e for _, e in pairs])
    slope = np.polyfit(x, y, 1)[0]
    return float(-slope)


@dataclass(frozen=True)
class Convergence:
    """Errors along increasing n and the fitted orders, for one parameter set or path."""

    label: str
    sizes: tuple[int, ...]
    leading: tuple[float, ...]
    spectrum: tuple[float, ...]
    radius: float

    @property
    def leading_order(self) -> float | None:
        return fitted_order(self.sizes, self.leading)

    @property
    def spectrum_order(self) -> float | None:
        return fitted_order(self.sizes, self.spectrum)

    def exact(self) -> bool:
        """Errors below the certification radius at every size: indistinguishable from exact."""
        return all(e <= 2 * self.radius for e in self.leading)

    def converges(self, which: str = "leading") -> bool:
        errors = self.leading if which == "leading" else self.spectrum
        order = self.leading_order if which == "leading" else self.spectrum_order
        tail = errors[-3:]
        decreasing = len(tail) >= 3 and all(b < a for a, b in itertools.pairwise(tail))
        return decreasing and order is not None and order > MIN_ORDER

    def to_json(self) -> dict[str, object]:
        order = self.leading_order
        whole = self.spectrum_order
        return {
            "label": self.label,
            "sizes": list(self.sizes),
            "leading_error": [_fmt(e) for e in self.leading],
            "spectrum_error": [_fmt(e) for e in self.spectrum],
            "certified_radius": _fmt(self.radius),
            "leading_order": None if order is None else f"{order:.2f}",
            "spectrum_order": None if whole is None else f"{whole:.2f}",
        }


@dataclass
class FormulaCheck:
    """The outcome of :func:`check_formula`: ``passed`` and the evidence beside it."""

    process: str
    formula: sp.Basic
    exact: bool
    passed: bool
    state: CheckState
    runs: list[Run] = field(default_factory=list)
    convergence: list[Convergence] = field(default_factory=list)
    message: str = ""

    def __str__(self) -> str:
        lines = [f"{self.state}: {self.message}"]
        for run in self.runs:
            params = ", ".join(f"{k} = {v}" for k, v in run.params.items())
            lines.append(
                f"  n = {run.n}{' (' + params + ')' if params else ''}: {run.state}, "
                f"{run.certified}/{run.checked} certified"
                + (f", first refuted k = {run.first_refuted}" if run.first_refuted else "")
                + (
                    f", max error {run.spectrum_error:.2e}"
                    if run.spectrum_error is not None
                    else ""
                )
            )
        for conv in self.convergence:
            order = conv.leading_order
            lines.append(
                f"  {conv.label}: leading errors "
                + ", ".join(f"{e:.2e}" for e in conv.leading)
                + (f"; order {order:.2f}" if order is not None else "")
            )
        return "\n".join(lines)


def _formula_function(process: str, formula: sp.Basic):
    if not isinstance(formula, sp.Expr):
        raise ValueError(
            f"the formula must be a SymPy expression in n and k, not {type(formula).__name__}"
        )
    proc = get_process(process)
    names = ("n", "k", *(p.name for p in proc.parameters))
    return compile_arb(formula, names), names


def claims_at(function, n: int, values: Mapping[str, Fraction], digits: int) -> list[arb]:
    """The claimed values at k = 1..n-1 as balls, at a precision good for ``digits``."""
    with ctx.workprec(working_precision(n, digits + 10)):
        extra = list(values.values())
        return [function(n, k, *extra) for k in range(1, n)]


#: Largest n for the dense float64 spectrum behind a refuted run's measured errors (above
#: it, the banded O(n^2) estimates).
DENSE_ESTIMATES = 2000

#: How each kind of evidence is named in ``Run.method`` (in this order).
METHODS = {
    BY_PARITY: "determinant signs and accounting (arb balls)",
    BY_FLOAT_COUNTS: "Sturm counts in float64 intervals",
    BY_BALL_COUNTS: "Sturm counts in arb balls",
}


def _measured_errors(
    process: str, n: int, values: Mapping[str, Fraction], claims: Sequence[arb]
) -> tuple[float, float]:
    """(leading, whole-spectrum) max relative error against float64 eigenvalues."""
    if n <= DENSE_ESTIMATES:
        estimates = eigenvalues_float(process, n, values)
    else:
        estimates = 1.0 / float_spectrum(centred_precision_structure(process, n, values))[1:]
    claimed = np.sort(np.array([float(c.mid()) for c in claims]))[::-1]
    with np.errstate(all="ignore"):
        errors = np.abs(claimed / estimates - 1)
    errors = np.where(np.isfinite(errors), errors, np.inf)
    return float(errors[:LEADING].max()), float(errors.max())


def _method(verdicts: Sequence[Verdict]) -> str:
    used = {v.how for v in verdicts}
    names = [text for how, text in METHODS.items() if how in used]
    return ", ".join(names) or "decided without a count (claims not finite or not positive)"


def exact_run(
    process: str,
    function,
    n: int,
    values: Mapping[str, Fraction],
    dps: int,
    ks: Sequence[int] | None = None,
    progress: bool | None = False,
) -> Run:
    """Certify or refute the claims at one n (relative radius 10^-dps)."""
    start = time.perf_counter()
    q = centred_precision_structure(process, n, values)
    claims = claims_at(function, n, values, dps)
    verdicts = certify(q, claims, Fraction(1, 10**dps), digits=dps, progress=progress, ks=ks)
    states = [v.state for v in verdicts]
    refuted = [v.k for v in verdicts if v.state == CheckState.REFUTED]
    measured = _measured_errors(process, n, values, claims) if refuted else None
    return Run(
        n=n,
        params={name: str(value) for name, value in values.items()},
        checked=len(verdicts),
        certified=states.count(CheckState.CERTIFIED),
        refuted=len(refuted),
        undecided=len(verdicts) - states.count(CheckState.CERTIFIED) - len(refuted),
        radius=10.0**-dps,
        digits=dps,
        method=_method(verdicts),
        leading_error=None if measured is None else measured[0],
        spectrum_error=None if measured is None else measured[1],
        first_refuted=refuted[0] if refuted else None,
        seconds=time.perf_counter() - start,
    )


def reference_eigenvalues(
    process: str,
    n: int,
    values: Mapping[str, Fraction],
    leading: int = LEADING,
    progress: bool | None = False,
) -> tuple[np.ndarray, float]:
    """Eigenvalues of K (descending): the leading ones refined and certified, the rest float64.

    Returns the values and the relative radius r to which lambda_1..lambda_leading are
    certified (the smallest of :data:`ESTIMATE_RADII` that certifies all of them).
    Raises ValueError if none does. Results are cached per (process, n, parameters).
    """
    key = (process, n, tuple(sorted(values.items())), leading)
    if key not in _REFERENCE_CACHE:
        _REFERENCE_CACHE[key] = _reference_eigenvalues(process, n, values, leading, progress)
    return _REFERENCE_CACHE[key]


_REFERENCE_CACHE: dict[tuple, tuple[np.ndarray, float]] = {}


def _reference_eigenvalues(process, n, values, leading, progress):
    from rwpca.numerics.certified.enclosures import EnclosureError, certified_leading

    for radius in ESTIMATE_RADII:
        try:
            return certified_leading(process, n, values, leading, Fraction(radius))
        except EnclosureError:
            continue
    raise ValueError(
        f"could not certify the leading eigenvalues of {process} at n = {n} within "
        f"{ESTIMATE_RADII[-1]}"
    )


def convergence_study(
    process: str,
    function,
    sizes: Sequence[int],
    parameter_set: ParameterSet,
    *,
    leading: int = LEADING,
    progress: bool | None = False,
) -> tuple[Convergence, list[Run]]:
    """Relative errors of the claims at each n along a parameter set (certified leading)."""
    runs: list[Run] = []
    lead_errors: list[float] = []
    spec_errors: list[float] = []
    radius = 0.0
    for n in sizes:
        start = time.perf_counter()
        values = parameter_set.at(n)
        estimates, r = reference_eigenvalues(process, n, values, leading, progress)
        radius = max(radius, r)
        claims = claims_at(function, n, values, 17)
        claimed = np.sort(np.array([float(c.mid()) for c in claims]))[::-1]
        with np.errstate(all="ignore"):
            errors = np.abs(claimed / estimates - 1)
        errors = np.where(np.isfinite(errors), errors, np.inf)
        top = min(leading, n - 1)
        lead_errors.append(float(errors[:top].max()))
        spec_errors.append(float(errors.max()))
        runs.append(
            Run(
                n=n,
                params={name: str(value) for name, value in values.items()},
                checked=top,
                certified=top,
                radius=r,
                method="relative error against eigenvalues certified by Sturm counts",
                leading_error=lead_errors[-1],
                spectrum_error=spec_errors[-1],
                seconds=time.perf_counter() - start,
            )
        )
    conv = Convergence(
        parameter_set.label, tuple(sizes), tuple(lead_errors), tuple(spec_errors), radius
    )
    return conv, runs


def check_formula(
    process: str,
    formula: sp.Basic,
    *,
    params: object = None,
    exact: bool = True,
    n: object = None,
    dps: int | None = None,
    ks: object = None,
    spectrum: str = "leading",
    progress: bool | None = False,
) -> FormulaCheck:
    """Check a claimed eigenvalue formula lambda_k(n) for a process against the exact K.

    ``process`` is "plain", "momentum" or "ou"; ``formula`` a SymPy expression whose symbols
    are named ``n``, ``k`` and the process parameter (``gamma`` or ``alpha``); ``params`` a
    dict of parameter values, a list of them, or a function n -> dict (a limit path; None:
    the defaults). ``exact`` selects "holds at every n" or "converges as n -> infinity" (see
    the module docstring). ``n`` is a size or a list of sizes, ``dps`` the digits of the
    certified comparison (exact claims), ``ks`` restricts an exact check to some components,
    ``spectrum`` ("leading" or "all") which errors decide convergence.
    """
    proc = get_process(process)
    function, _names = _formula_function(proc.name, formula)
    sets = parameter_sets(proc.name, params)
    if spectrum not in ("leading", "all"):
        raise ValueError(f"spectrum = {spectrum!r} is not allowed: use 'leading' or 'all'")
    if exact:
        sizes = check_sizes(EXACT_SIZES if n is None else n)
        digits = check_dps(DEFAULT_DPS if dps is None else dps)
        runs = []
        jobs = [(s, p) for p in sets for s in sizes]
        for size, pset in iterate(progress, jobs, "certifying", unit="n"):
            selected = None if ks is None else check_components(ks, size)
            runs.append(
                exact_run(proc.name, function, size, pset.at(size), digits, selected, progress)
            )
        state, passed, message = _exact_outcome(runs, digits, sizes, len(sets))
        return FormulaCheck(proc.name, formula, True, passed, state, runs, [], message)
    sizes = check_sizes(ASYMPTOTIC_SIZES if n is None else n)
    if len(sizes) < 3:
        raise ValueError(
            f"n = {list(sizes)} is not allowed for a limit: give at least 3 sizes to fit an order"
        )
    if ks is not None:
        raise ValueError("ks is only used by exact checks: a limit is checked on the leading k")
    runs, convs = [], []
    for pset in sets:
        conv, these = convergence_study(proc.name, function, sizes, pset, progress=progress)
        convs.append(conv)
        runs.extend(these)
    state, passed, message = _limit_outcome(convs, spectrum)
    return FormulaCheck(proc.name, formula, False, passed, state, runs, convs, message)


def _exact_outcome(
    runs: Sequence[Run], digits: int, sizes: Sequence[int], sets: int
) -> tuple[CheckState, bool, str]:
    """(state, passed, message) of an exact check from its runs."""
    if any(r.refuted for r in runs):
        first = next(r for r in runs if r.refuted)
        return (
            CheckState.REFUTED,
            False,
            f"refuted at n = {first.n}, k = {first.first_refuted} (and elsewhere)",
        )
    if all(r.state == CheckState.CERTIFIED for r in runs):
        sizes_text = ", ".join(map(str, sizes))
        return (
            CheckState.CERTIFIED,
            True,
            f"certified to {digits} digits at n = {sizes_text} for {sets} parameter set(s)",
        )
    return CheckState.UNDECIDED, False, "some eigenvalues could not be decided at this precision"


def _limit_outcome(convs: Sequence[Convergence], spectrum: str) -> tuple[CheckState, bool, str]:
    """(state, passed, message) of a limit check from its convergence studies."""
    if all(c.exact() for c in convs):
        return (
            CheckState.EXACT,
            True,
            "the error is below the certification radius at every n (exact here)",
        )
    if all(c.converges(spectrum) for c in convs):
        orders = [c.leading_order if spectrum == "leading" else c.spectrum_order for c in convs]
        return (
            CheckState.CONVERGES,
            True,
            "converges; fitted order " + ", ".join(f"{o:.2f}" for o in orders),
        )
    return (
        CheckState.NOT_CONVERGING,
        False,
        f"the {spectrum} error does not decrease with an order above {MIN_ORDER} over the "
        "last three sizes",
    )


def relative_radius_digits(radius: float) -> int:
    """Digits of agreement that a relative radius represents."""
    return round(-math.log10(radius))


__all__ = [
    "DEFAULT_DPS",
    "Convergence",
    "FormulaCheck",
    "ParameterSet",
    "Run",
    "check_formula",
    "convergence_study",
    "fitted_order",
    "parameter_sets",
    "path",
    "reference_eigenvalues",
    "to_fraction",
]

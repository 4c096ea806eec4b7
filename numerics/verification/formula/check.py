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

Parameters are exact rationals (a float 0.1 is read as 1/10). Without ``n`` or ``params``
the claim's own plan is used (:mod:`~rwpca.numerics.verification.formula.claims`): fixed
sizes, a size divisible by 1..7, sizes drawn from the domain of n with a seed hashed from
the claim, the smallest sizes again at 120 digits, and parameters near both ends of their
domain beside the defaults. By default the k-th value is compared with the k-th largest
eigenvalue (``labels="labelled"``); ``labels="multiset"`` compares the sorted values. The
answer's words say what was shown: "refuted at n = ...", "certified at n in {...} to D
digits" (and what is left open), or "proven for every n >= 2", which only a symbolic
certificate gives (exact claims about the plain walk, :mod:`rwpca.proofs.claim_certificates`).

>>> import sympy as sp
>>> n, k = sp.symbols("n k")
>>> check_formula("plain", 1 / (4 * sp.sin(sp.pi * k / (2 * n)) ** 2), n=(5, 12)).passed
True
>>> check_formula("plain", 1 / (4 * sp.sin(sp.pi * k / (2 * (n + 1))) ** 2), n=(5, 12)).state
<CheckState.REFUTED: 'refuted'>
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
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
from rwpca.numerics.linalg.structure import centred_precision_structure, to_fraction
from rwpca.numerics.progress import iterate
from rwpca.numerics.verification.formula.claims import claim_seed, exact_plan, parameter_points
from rwpca.numerics.verification.formula.runs import (
    ASYMPTOTIC_SIZES,
    DEFAULT_DPS,
    DEFAULT_PARAMS,
    ESTIMATE_RADII,
    EXACT_SIZES,
    LEADING,
    MIN_ORDER,
    Convergence,
    ParameterSet,
    Run,
    check_components,
    check_sizes,
    fitted_order,
    parameter_sets,
    path,
)
from rwpca.numerics.verification.status import CheckState
from rwpca.proofs.claim_certificates import Certificate, plain_eigenvalue_certificate
from rwpca.proofs.processes import get_process


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
    labels: str = "labelled"  # what was compared: "labelled" or "multiset"
    certificate: Certificate | None = None  # the symbolic attempt (plain walk, exact claims)

    def __str__(self) -> str:
        lines = [
            self.message
            if self.message.startswith(str(self.state))
            else f"{self.state}: {self.message}"
        ]
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


#: How the claims are compared with the eigenvalues: the k-th claim with the k-th largest
#: (a claim that names lambda_k), or the sorted claims with the sorted eigenvalues.
LABELS = ("labelled", "multiset")


def check_labels(labels: object) -> bool:
    """True for "labelled", False for "multiset"; ValueError otherwise."""
    if labels not in LABELS:
        raise ValueError(
            f"labels = {labels!r} is not allowed: use 'labelled' (the k-th value is the k-th "
            "largest eigenvalue) or 'multiset' (the values are the spectrum in some order)"
        )
    return labels == "labelled"


def _ordered(claims: Sequence[arb], labelled: bool) -> np.ndarray:
    values = np.array([float(c.mid()) for c in claims])
    return values if labelled else np.sort(values)[::-1]


def _measured_errors(
    process: str,
    n: int,
    values: Mapping[str, Fraction],
    claims: Sequence[arb],
    labelled: bool = False,
) -> tuple[float, float]:
    """(leading, whole-spectrum) max relative error against float64 eigenvalues."""
    if n <= DENSE_ESTIMATES:
        estimates = eigenvalues_float(process, n, values)
    else:
        estimates = 1.0 / float_spectrum(centred_precision_structure(process, n, values))[1:]
    claimed = _ordered(claims, labelled)
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
    labelled: bool = False,
) -> Run:
    """Certify or refute the claims at one n (relative radius 10^-dps); with ``labelled``
    the k-th claim is compared with the k-th largest eigenvalue, else the sorted claims."""
    start = time.perf_counter()
    q = centred_precision_structure(process, n, values)
    claims = claims_at(function, n, values, dps)
    verdicts = certify(
        q,
        claims,
        Fraction(1, 10**dps),
        digits=dps,
        progress=progress,
        ks=ks,
        labelled=labelled,
    )
    states = [v.state for v in verdicts]
    refuted = [v.k for v in verdicts if v.state == CheckState.REFUTED]
    measured = _measured_errors(process, n, values, claims, labelled) if refuted else None
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
    labelled: bool = False,
) -> tuple[Convergence, list[Run]]:
    """Relative errors of the claims at each n along a parameter set (certified leading);
    ``labelled`` compares the k-th claim with the k-th largest eigenvalue, else sorted."""
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
        claimed = _ordered(claims, labelled)
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
    labels: str = "labelled",
    progress: bool | None = False,
) -> FormulaCheck:
    """Check a claimed eigenvalue formula lambda_k(n) for a process against the exact K.

    ``process`` is "plain", "momentum" or "ou"; ``formula`` a SymPy expression whose symbols
    are named ``n``, ``k`` and the process parameter (``gamma`` or ``alpha``); ``params`` a
    dict of parameter values, a list of them, or a function n -> dict (a limit path; None:
    the default plan of :mod:`~rwpca.numerics.verification.formula.claims`, with points near
    both ends of the domain and one drawn with a seed from the claim). ``exact`` selects
    "holds at every n" or "converges as n -> infinity" (see the module docstring). ``n`` is
    a size or a list of sizes (None: the claim's plan, fixed sizes and drawn ones, with the
    smallest compared again at :data:`~rwpca.numerics.verification.formula.claims.DEEP_DPS`
    digits), ``dps`` the digits of the certified comparison (exact claims), ``ks`` restricts
    an exact check to some components, ``spectrum`` ("leading" or "all") which errors decide
    convergence, ``labels`` whether the k-th value is compared with the k-th largest
    eigenvalue ("labelled", the default) or the values as a multiset ("multiset").

    An exact claim about the plain walk is also tried symbolically
    (:func:`~rwpca.proofs.claim_certificates.plain_eigenvalue_certificate`): only that
    certificate gives the state "proven"; numbers give "certified" (at the sizes shown, to
    the digits shown) or "refuted".
    """
    proc = get_process(process)
    function, _names = _formula_function(proc.name, formula)
    labelled = check_labels(labels)
    seed = claim_seed(proc.name, formula)
    if params is None:
        params = parameter_points(proc.name, seed, exact=exact)
    sets = parameter_sets(proc.name, params)
    if spectrum not in ("leading", "all"):
        raise ValueError(f"spectrum = {spectrum!r} is not allowed: use 'leading' or 'all'")
    if exact:
        plan = exact_plan(seed) if n is None else None
        sizes = plan.sizes if plan is not None else check_sizes(n)
        digits = check_dps(DEFAULT_DPS if dps is None else dps)
        jobs = [(s, p, digits) for p in sets for s in sizes]
        if plan is not None and plan.deep_dps > digits:
            jobs += [(s, p, plan.deep_dps) for p in sets for s in plan.deep]
        runs = []
        for size, pset, job_dps in iterate(progress, jobs, "certifying", unit="n"):
            selected = None if ks is None else check_components(ks, size)
            runs.append(
                exact_run(
                    proc.name, function, size, pset.at(size), job_dps, selected, progress, labelled
                )
            )
        certificate = None
        if proc.name == "plain" and ks is None:
            certificate = plain_eigenvalue_certificate(formula)
        state, passed, message = _exact_outcome(runs, sets, labels, certificate)
        return FormulaCheck(
            proc.name, formula, True, passed, state, runs, [], message, labels, certificate
        )
    sizes = check_sizes(ASYMPTOTIC_SIZES if n is None else n)
    if len(sizes) < 3:
        raise ValueError(
            f"n = {list(sizes)} is not allowed for a limit: give at least 3 sizes to fit an order"
        )
    if ks is not None:
        raise ValueError("ks is only used by exact checks: a limit is checked on the leading k")
    runs, convs = [], []
    for pset in sets:
        conv, these = convergence_study(
            proc.name, function, sizes, pset, progress=progress, labelled=labelled
        )
        convs.append(conv)
        runs.extend(these)
    state, passed, message = _limit_outcome(convs, spectrum)
    message += f"; compared {_compared(labels)}"
    return FormulaCheck(proc.name, formula, False, passed, state, runs, convs, message, labels)


def _compared(labels: str) -> str:
    if labels == "labelled":
        return "label by label (the k-th value with the k-th largest eigenvalue)"
    return "as a multiset (sorted values with sorted eigenvalues)"


def _sizes_text(sizes: Iterable[int]) -> str:
    return "{" + ", ".join(map(str, sorted(set(sizes)))) + "}"


def _exact_outcome(
    runs: Sequence[Run],
    sets: Sequence[ParameterSet],
    labels: str,
    certificate: Certificate | None = None,
) -> tuple[CheckState, bool, str]:
    """(state, passed, message) of an exact check: the words say what was shown."""
    compared = _compared(labels)
    proof = ""
    if certificate is not None and certificate.proven:
        proof = (
            f"proven for every n >= 2 as a {certificate.reading} claim (symbolic certificate "
            f"from {certificate.basis})"
        )
    elif certificate is not None:
        proof = "not proven symbolically (" + certificate.attempts[0].how + ")"
    if any(r.refuted for r in runs):
        first = next(r for r in runs if r.refuted)
        where = ", ".join(f"{k} = {v}" for k, v in first.params.items())
        text = (
            f"refuted at n = {first.n}{' (' + where + ')' if where else ''}, k = "
            f"{first.first_refuted}, to {first.digits} digits, compared {compared}"
        )
        return CheckState.REFUTED, False, text + (f"; {proof}" if proof else "")
    by_digits: dict[int, set[int]] = {}
    for run in runs:
        by_digits.setdefault(run.digits or 0, set()).add(run.n)
    shown = "; ".join(
        f"at n in {_sizes_text(sizes)} to {digits} digits"
        for digits, sizes in sorted(by_digits.items())
    )
    params = "; ".join(s.label for s in sets)
    if not all(r.state == CheckState.CERTIFIED for r in runs):
        return (
            CheckState.UNDECIDED,
            False,
            f"undecided: some eigenvalues could not be decided ({shown}, {params})",
        )
    if certificate is not None and certificate.reading == "labelled" and labels == "labelled":
        return CheckState.PROVEN, True, f"{proof}; certified {shown} ({params})"
    if certificate is not None and certificate.proven and labels == "multiset":
        return CheckState.PROVEN, True, f"{proof}; certified {shown} ({params})"
    left_open = (
        "other n and parameters, and relative deviations below 10^-D at the sizes certified "
        "to D digits, are left open"
    )
    text = f"certified {shown}, compared {compared}, at {params}; not proven: {left_open}"
    return CheckState.CERTIFIED, True, text + (f"; {proof}" if proof else "")


def _limit_outcome(convs: Sequence[Convergence], spectrum: str) -> tuple[CheckState, bool, str]:
    """(state, passed, message) of a limit check from its convergence studies."""
    labels = ", ".join(c.label for c in convs)
    if all(c.exact() for c in convs):
        return (
            CheckState.EXACT,
            True,
            f"the error is below the certification radius at every n tried ({labels}): "
            "indistinguishable from exact there, not proven",
        )
    if all(c.converges(spectrum) for c in convs):
        orders = [c.leading_order if spectrum == "leading" else c.spectrum_order for c in convs]
        return (
            CheckState.CONVERGES,
            True,
            f"converges at {labels}; fitted order " + ", ".join(f"{o:.2f}" for o in orders),
        )
    failing = ", ".join(c.label for c in convs if not c.converges(spectrum))
    return (
        CheckState.NOT_CONVERGING,
        False,
        f"the {spectrum} error does not decrease with an order above {MIN_ORDER} over the "
        f"last three sizes at {failing}",
    )


def relative_radius_digits(radius: float) -> int:
    """Digits of agreement that a relative radius represents."""
    return round(-math.log10(radius))


__all__ = [
    "ASYMPTOTIC_SIZES",
    "DEFAULT_DPS",
    "DEFAULT_PARAMS",
    "ESTIMATE_RADII",
    "EXACT_SIZES",
    "LABELS",
    "LEADING",
    "MIN_ORDER",
    "Convergence",
    "FormulaCheck",
    "ParameterSet",
    "Run",
    "check_components",
    "check_formula",
    "check_labels",
    "check_sizes",
    "convergence_study",
    "exact_run",
    "fitted_order",
    "parameter_sets",
    "path",
    "reference_eigenvalues",
    "to_fraction",
]

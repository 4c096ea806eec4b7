"""The data of a formula check: parameter sets, sizes, runs and convergence studies.

:class:`Run` is the evidence at one n (and one parameter value), :class:`Convergence` the
errors of a limit along increasing n; :func:`parameter_sets`, :func:`check_sizes` and
:func:`check_components` validate what a caller asks for. The checks themselves are in
:mod:`rwpca.numerics.verification.formula.check`, which re-exports these names.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from rwpca.numerics.linalg.structure import exact_params
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

    def at(_size: int) -> dict[str, Fraction]:
        return dict(exact)

    return ParameterSet(label, at)


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
    if not isinstance(ks, Iterable):
        raise ValueError(f"ks = {ks!r} is not allowed: give an integer or a list of integers")
    out = []
    for value in ks:
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


__all__ = [
    "ASYMPTOTIC_SIZES",
    "DEFAULT_DPS",
    "DEFAULT_PARAMS",
    "ESTIMATE_RADII",
    "EXACT_SIZES",
    "LEADING",
    "MIN_ORDER",
    "Convergence",
    "ParameterSet",
    "ParamsPath",
    "Run",
    "check_components",
    "check_sizes",
    "fitted_order",
    "parameter_sets",
    "path",
]

"""The three processes of the paper as data: name, parameters and step operator.

A process is identified by one of the names ``"plain"``, ``"momentum"`` and ``"ou"``.
Its step operator T (lower triangular, Toeplitz) maps the trajectory to the noise,
T X = R.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy as sp

from rwpca.proofs import matrices
from rwpca.proofs.symbols import alpha, gamma
from rwpca.proofs.validation import check_alpha, check_gamma


@dataclass(frozen=True)
class Process:
    """A linear process x = T^-1 xi with its parameters and their allowed ranges."""

    name: str
    title: str
    recursion: str
    parameters: tuple[sp.Symbol, ...]
    parameter_ranges: Mapping[str, str]
    _operator: Callable[..., sp.Matrix]
    _checks: Mapping[str, Callable[[object], object]]

    def validate(self, params: Mapping[str, object] | None) -> dict[str, object]:
        """Return the parameters as a dict keyed by name, checked against their ranges."""
        params = dict(params or {})
        allowed = {p.name for p in self.parameters}
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise ValueError(
                f"parameter {unknown[0]!r} is not allowed for process {self.name!r}: "
                f"allowed parameters are {sorted(allowed) or 'none'}"
            )
        missing = sorted(allowed - set(params))
        if missing:
            raise ValueError(f"process {self.name!r} needs a value for {missing[0]!r}")
        return {name: self._checks[name](value) for name, value in params.items()}

    def step_operator(self, n: int, params: Mapping[str, object] | None = None) -> sp.Matrix:
        """T at size n; symbolic parameters when ``params`` is None."""
        values = {p.name: p for p in self.parameters} if params is None else self.validate(params)
        return self._operator(n, **values)


PROCESSES: dict[str, Process] = {
    "plain": Process(
        "plain",
        "random walk",
        "x_t = x_{t-1} + xi_t",
        (),
        {},
        matrices.difference_matrix,
        {},
    ),
    "momentum": Process(
        "momentum",
        "random walk with momentum",
        "v_t = gamma v_{t-1} + xi_t, x_t = x_{t-1} + v_t",
        (gamma,),
        {"gamma": "|gamma| < 1"},
        matrices.momentum_operator,
        {"gamma": check_gamma},
    ),
    "ou": Process(
        "ou",
        "Ornstein-Uhlenbeck process",
        "x_t = (1 - alpha) x_{t-1} + xi_t",
        (alpha,),
        {"alpha": "0 < alpha < 2"},
        matrices.ou_operator,
        {"alpha": check_alpha},
    ),
}


def get_process(name: str) -> Process:
    """The process called ``name``; ValueError naming the allowed names otherwise."""
    try:
        return PROCESSES[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"process {name!r} is not known: allowed processes are {', '.join(PROCESSES)}"
        ) from None

"""The three processes of the paper as data: name, parameters, step operator and defaults.

A process is identified by a :class:`ProcessName` (``"plain"``, ``"momentum"``, ``"ou"``).
Its step operator T (lower triangular, Toeplitz) maps the trajectory to the noise, T X = R;
each process declares T's first column c_0, c_1, ..., c_b once, as SymPy expressions in its
parameters, and every builder reads it from here: the exact matrices of
:mod:`rwpca.proofs.matrices`, the rational structure of :mod:`rwpca.numerics.linalg.structure`
and the float64 spectra. The parameters' ranges are their :mod:`rwpca.proofs.domains`.

>>> get_process("momentum").first_column()
(1, -gamma - 1, gamma)
>>> get_process("ou").first_column({"alpha": 0.25})
(1, -3/4)
>>> get_process("momentum").defaults
{'gamma': Fraction(1, 2)}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING

from rwpca.proofs.domains import ALPHA, GAMMA, Domain
from rwpca.proofs.values import show

if TYPE_CHECKING:
    import sympy as sp


class ProcessName(StrEnum):
    """The processes of the paper (the values are the names used in JSON and documents)."""

    PLAIN = "plain"
    MOMENTUM = "momentum"
    OU = "ou"


@dataclass(frozen=True)
class Process:
    """A linear process x = T^-1 xi: its parameters, step operator and default values.

    ``steps`` builds the first column of T in the parameter symbols (trailing zeros removed),
    :attr:`column`; it is called on first use, so the declarations (names, domains, defaults:
    what the command line's help prints) load without SymPy. ``defaults`` are the values used
    when none are given; ``check_sets`` the parameter sets an eigenvalue formula is verified
    at by default (the defaults first).
    """

    name: ProcessName
    title: str
    recursion: str
    domains: tuple[Domain, ...]
    steps: Callable[[], tuple[sp.Expr, ...]]
    defaults: Mapping[str, Fraction]
    check_sets: tuple[Mapping[str, Fraction], ...]

    @cached_property
    def column(self) -> tuple[sp.Expr, ...]:
        """c_0..c_b, the first column of T in the parameter symbols."""
        return self.steps()

    @property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        """The parameter symbols, in declaration order."""
        by_name = {s.name: s for c in self.column for s in c.free_symbols}
        return tuple(by_name[domain.name] for domain in self.domains)

    @property
    def parameter_ranges(self) -> dict[str, str]:
        """``{name: condition}`` of each parameter, from its domain (``|gamma| < 1``)."""
        return {domain.name: domain.condition for domain in self.domains}

    def validate(self, params: Mapping[str, object] | None) -> dict[str, sp.Expr]:
        """The parameters keyed by name, checked against their domains, as exact SymPy numbers.

        Floats are read as the decimals they print (0.1 -> 1/10); a symbolic SymPy value is
        kept as it is; anything else that is not a number (a string, say) raises ValueError.
        """
        if params is not None and not isinstance(params, Mapping):
            raise ValueError(
                f"params = {show(params)} is not allowed: give a dict such as {{'gamma': 0.5}}"
            )
        params = dict(params or {})
        allowed = {domain.name: domain for domain in self.domains}
        unknown = sorted(set(params) - set(allowed), key=str)
        if unknown:
            raise ValueError(
                f"parameter {unknown[0]!r} is not allowed for process {str(self.name)!r}: "
                f"allowed parameters are {sorted(allowed) or 'none'}"
            )
        missing = sorted(set(allowed) - set(params))
        if missing:
            raise ValueError(f"process {str(self.name)!r} needs a value for {missing[0]!r}")
        return {name: allowed[name].sympy(value) for name, value in params.items()}

    def first_column(self, params: Mapping[str, object] | None = None) -> tuple[sp.Expr, ...]:
        """c_0..c_b, the first column of T: symbolic when ``params`` is None, else exact."""
        if params is None:
            return self.column
        import sympy as sp

        values = self.validate(params)
        mapping = {symbol: values[symbol.name] for symbol in self.parameters}
        return tuple(sp.expand(c.xreplace(mapping)) for c in self.column)

    def step_operator(self, n: int, params: Mapping[str, object] | None = None) -> sp.Matrix:
        """T at size n; symbolic parameters when ``params`` is None."""
        from rwpca.proofs.matrices import lower_toeplitz

        return lower_toeplitz(self.first_column(params), n)


def _plain_steps() -> tuple[sp.Expr, ...]:
    import sympy as sp

    return (sp.Integer(1), sp.Integer(-1))


def _momentum_steps() -> tuple[sp.Expr, ...]:
    import sympy as sp

    from rwpca.proofs.symbols import gamma

    # (1 - z)(1 - gamma z): the velocity recursion composed with the position recursion
    return (sp.Integer(1), -(1 + gamma), gamma)


def _ou_steps() -> tuple[sp.Expr, ...]:
    import sympy as sp

    from rwpca.proofs.symbols import alpha

    return (sp.Integer(1), -(1 - alpha))


_half = Fraction(1, 2)

#: The processes by name (ProcessName members, which are also their string values).
PROCESSES: dict[str, Process] = {
    ProcessName.PLAIN: Process(
        ProcessName.PLAIN,
        "random walk",
        "x_t = x_{t-1} + xi_t",
        (),
        _plain_steps,
        {},
        ({},),
    ),
    ProcessName.MOMENTUM: Process(
        ProcessName.MOMENTUM,
        "random walk with momentum",
        "v_t = gamma v_{t-1} + xi_t, x_t = x_{t-1} + v_t",
        (GAMMA,),
        _momentum_steps,
        {"gamma": _half},
        ({"gamma": _half}, {"gamma": Fraction(-3, 10)}),
    ),
    ProcessName.OU: Process(
        ProcessName.OU,
        "Ornstein-Uhlenbeck process",
        "x_t = (1 - alpha) x_{t-1} + xi_t",
        (ALPHA,),
        _ou_steps,
        {"alpha": Fraction(1, 10)},
        ({"alpha": Fraction(1, 10)}, {"alpha": Fraction(3, 2)}),
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

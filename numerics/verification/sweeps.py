"""The loops of a check over parameter sets and sizes, one progress step per size.

:func:`exact_runs` certifies or refutes claimed eigenvalues at each (parameter set, n);
:func:`convergence` measures their relative errors along increasing n. Both give the same
runs as :func:`~rwpca.numerics.verification.formula.check.check_formula` would, but report
progress after every size, so a long verification shows a line at least as often as one
size takes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from rwpca.numerics.arbeval import compile_arb
from rwpca.numerics.progress import ProgressArg, bar_flag, iterate
from rwpca.numerics.verification.formula.check import (
    LEADING,
    Convergence,
    ParameterSet,
    Run,
    convergence_study,
    exact_run,
)
from rwpca.proofs.processes import get_process


def parameter_names(process: str) -> tuple[str, ...]:
    """The names of the process's parameters, in declaration order."""
    return tuple(p.name for p in get_process(process).parameters)


def eigen_function(process: str, formula: sp.Expr) -> Callable[..., Any]:
    """The claimed lambda_k as a ball function of (n, k, parameters...)."""
    return compile_arb(formula, ("n", "k", *parameter_names(process)))


def exact_runs(
    process: str,
    function: Callable[..., Any],
    sets: Sequence[ParameterSet],
    sizes: Sequence[int],
    dps: int,
    progress: ProgressArg,
    desc: str,
    labelled: bool = True,
) -> list[Run]:
    """Certified runs at every (parameter set, n), parameter sets outermost; ``labelled``:
    the k-th claim against the k-th largest eigenvalue, else the sorted claims."""
    bars = bar_flag(progress)
    jobs = [(pset, size) for pset in sets for size in sizes]
    return [
        exact_run(process, function, size, pset.at(size), dps, progress=bars, labelled=labelled)
        for pset, size in iterate(progress, jobs, desc, unit="n")
    ]


def convergence(
    process: str,
    function: Callable[..., Any],
    sets: Sequence[ParameterSet],
    sizes: Sequence[int],
    progress: ProgressArg,
    desc: str,
    leading: int = LEADING,
    labelled: bool = True,
) -> tuple[list[Convergence], list[Run]]:
    """One convergence study per parameter set (errors of the leading k at every n;
    ``labelled`` as in :func:`exact_runs`)."""
    bars = bar_flag(progress)
    by_set: dict[int, list[Run]] = {index: [] for index in range(len(sets))}
    jobs = [(index, size) for index in range(len(sets)) for size in sizes]
    for index, size in iterate(progress, jobs, desc, unit="n"):
        _, runs = convergence_study(
            process, function, (size,), sets[index], leading=leading, progress=bars,
            labelled=labelled,
        )  # fmt: skip
        by_set[index].extend(runs)
    studies, every = [], []
    for index, pset in enumerate(sets):
        runs = by_set[index]
        studies.append(
            Convergence(
                pset.label,
                tuple(r.n for r in runs),
                tuple(float(r.leading_error or 0.0) for r in runs),
                tuple(float(r.spectrum_error or 0.0) for r in runs),
                max((float(r.radius or 0.0) for r in runs), default=0.0),
            )
        )
        every.extend(runs)
    return studies, every


__all__ = ["convergence", "eigen_function", "exact_runs", "parameter_names"]

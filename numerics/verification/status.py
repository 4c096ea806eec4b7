"""The states of a check, how they combine into a verdict, and the status an entry earns.

A check ends in one :class:`CheckState`; the runs of a check combine into the verdict of the
entry (:func:`combine_runs`, :func:`limit_verdict`, :func:`exact_verdict`), and the verdict
with the entry's declared status gives its status (:func:`effective_status`). That function
is the one place where a status is decided: the index, every document, ``rwpca cite`` and
``rwpca verify`` show what it returns.

>>> from rwpca.proofs.catalog import get
>>> effective_status(get("momentum.eigenvalue"), CheckState.CONVERGES)
<Status.VERIFIED: 'verified'>
>>> effective_status(get("rw.eigenvalue"), "refuted")
<Status.REFUTED: 'refuted'>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from rwpca.proofs.catalog import Entry, Status

if TYPE_CHECKING:
    from rwpca.numerics.verification.formula.check import Convergence, Run


class CheckState(StrEnum):
    """How a check (one value, one run or a whole entry) ended."""

    PROVEN = "proven"  # a symbolic certificate for every n (numbers agree where checked)
    CERTIFIED = "certified"  # certified by interval/ball arithmetic
    EXACT = "exact"  # equal in exact rational arithmetic (or below the certification radius)
    CONVERGES = "converges"  # a limit: errors decrease with a fitted order above the minimum
    REFUTED = "refuted"  # certified (or exactly shown) to differ
    NOT_CONVERGING = "does not converge"  # a limit whose errors do not decrease fast enough
    AGREES = "agrees with simulation"  # within Z standard errors plus the stated allowance
    UNDECIDED = "undecided"  # the arithmetic could not decide: never counted as passed


#: Verdicts that pass (the entry is verified) and that fail (the entry is refuted).
PASSED_STATES = frozenset(
    {
        CheckState.PROVEN,
        CheckState.CERTIFIED,
        CheckState.EXACT,
        CheckState.CONVERGES,
        CheckState.AGREES,
    }
)
FAILED_STATES = frozenset({CheckState.REFUTED, CheckState.NOT_CONVERGING})


def effective_status(entry: Entry, verdict: str | None) -> Status:
    """The status an entry earns from its declared status and its verification verdict.

    A proven entry stays proven when the numbers agree; a derived or stated entry becomes
    verified when the check passes; any entry whose check fails is refuted; without a
    decision (no evidence, undecided) the declared status stands.
    """
    if verdict in FAILED_STATES:
        return Status.REFUTED
    if verdict in PASSED_STATES and entry.status in (Status.DERIVED, Status.STATED):
        return Status.VERIFIED
    return entry.status


def stored_status(entry: Entry, records: Mapping[str, Mapping[str, Any]]) -> Status:
    """The status from the stored evidence ``records`` (declared if missing or out of date)."""
    from rwpca.numerics.verification.evidence import current_record

    record = current_record(entry, records)
    return effective_status(entry, None if record is None else str(record["verdict"]))


def combine_runs(runs: Sequence[Run]) -> CheckState:
    """Refuted if one run refutes, certified if every value is certified, else undecided."""
    if any(r.refuted for r in runs):
        return CheckState.REFUTED
    if all(r.certified == r.checked for r in runs):
        return CheckState.CERTIFIED
    return CheckState.UNDECIDED


def limit_verdict(convergence: Sequence[Convergence]) -> CheckState:
    """Exact (errors below the radius), converges, or does not converge: every study agrees."""
    if all(c.exact() for c in convergence):
        return CheckState.EXACT
    if all(c.converges() for c in convergence):
        return CheckState.CONVERGES
    return CheckState.NOT_CONVERGING


def exact_verdict(runs: Sequence[Run]) -> CheckState:
    """Exact when every exact-arithmetic run agrees in every comparison it made, else refuted."""
    return (
        CheckState.EXACT
        if all(r.state is CheckState.CERTIFIED for r in runs)
        else CheckState.REFUTED
    )


__all__ = [
    "FAILED_STATES",
    "PASSED_STATES",
    "CheckState",
    "combine_runs",
    "effective_status",
    "exact_verdict",
    "limit_verdict",
    "stored_status",
]

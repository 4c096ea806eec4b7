"""Catalog verification: every entry checked against the exact finite matrices, with evidence.

:func:`check_formula` (:mod:`~rwpca.numerics.verification.formula`) certifies, refutes or
proves a claimed eigenvalue formula on a plan drawn from the declared domains, or measures
its convergence for a limit;
:func:`verify_entry` runs the check that fits a catalog entry's quantity and regime (one
module per kind of check in :mod:`~rwpca.numerics.verification.checks`: ``eigenvalues``,
``vectors``, ``exact``, ``ratios``, ``secular``, ``momentum``, with the loops in ``sweeps``
and the defaults in ``plans``) and returns typed :class:`EntryEvidence`; ``evidence``
stores it (the file read by ``rwpca derive`` and ``rwpca cite``), ``status`` decides in one place what status the
evidence earns, and ``moments`` computes exact second moments for the noise entries.
The names below are imported on first use, so importing one module of this room does not
load every check.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rwpca.numerics.verification.entries import VERIFIERS, verify_entry
    from rwpca.numerics.verification.evidence import (
        EVIDENCE_FORMAT,
        EVIDENCE_PATH,
        CheckKind,
        EntryEvidence,
        Finding,
        FindingKind,
        Table,
        TableKind,
        current_record,
        dump_evidence,
        fingerprint,
        load_evidence,
    )
    from rwpca.numerics.verification.formula.check import (
        Convergence,
        FormulaCheck,
        Run,
        check_formula,
    )
    from rwpca.numerics.verification.plans import PLANS, Plan, plan_for
    from rwpca.numerics.verification.status import (
        FAILED_STATES,
        PASSED_STATES,
        CheckState,
        effective_status,
        stored_status,
    )

_EXPORTS = {
    "entries": ("VERIFIERS", "verify_entry"),
    "evidence": (
        "EVIDENCE_FORMAT",
        "EVIDENCE_PATH",
        "CheckKind",
        "EntryEvidence",
        "Finding",
        "FindingKind",
        "Table",
        "TableKind",
        "current_record",
        "dump_evidence",
        "fingerprint",
        "load_evidence",
    ),
    "formula.check": ("Convergence", "FormulaCheck", "Run", "check_formula"),
    "plans": ("PLANS", "Plan", "plan_for"),
    "status": ("FAILED_STATES", "PASSED_STATES", "CheckState", "effective_status", "stored_status"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [
    "EVIDENCE_FORMAT",
    "EVIDENCE_PATH",
    "FAILED_STATES",
    "PASSED_STATES",
    "PLANS",
    "VERIFIERS",
    "CheckKind",
    "CheckState",
    "Convergence",
    "EntryEvidence",
    "Finding",
    "FindingKind",
    "FormulaCheck",
    "Plan",
    "Run",
    "Table",
    "TableKind",
    "check_formula",
    "current_record",
    "dump_evidence",
    "effective_status",
    "fingerprint",
    "load_evidence",
    "plan_for",
    "stored_status",
    "verify_entry",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

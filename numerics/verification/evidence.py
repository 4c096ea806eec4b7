"""The evidence of verifying a catalog entry, and the file it is stored in.

An :class:`EntryEvidence` holds typed results only: which kind of check ran
(:class:`CheckKind`), its verdict (a :class:`~rwpca.numerics.verification.status.CheckState`),
the runs and convergence studies, extra tables and secondary findings, and the numbers that
a sentence about them needs (``data``). The words (what a check means, the one-line detail,
table titles) are written by the documents (:mod:`rwpca.documents.evidence_text`) from
these records, so the evidence file holds no prose.

The file ``numerics/data/verification.json`` (written by ``rwpca verify --write``, format
:data:`EVIDENCE_FORMAT`) is deterministic, with no timings::

    {"format": 2, "generated_by": "rwpca verify --write",
     "entries": {ID: {"id", "fingerprint", "check": CheckKind, "verdict": CheckState,
                      "settings": {...}, "data": {...}, "runs": [Run], "convergence":
                      [Convergence], "tables": [{"kind": TableKind, "data", "rows"}],
                      "findings": [{"kind": FindingKind, "verdict", "data", "runs",
                      "convergence"}]}}}

Runs and convergence studies are :class:`~rwpca.numerics.verification.formula.check.Run`
and :class:`~rwpca.numerics.verification.formula.check.Convergence` records (errors as
``%.3e`` strings); ``data`` holds exact values as strings and measured ones as floats.
A record belongs to the statement it was computed for: its :func:`fingerprint` changes
when the statement, its regime, quantity or process does (:func:`current_record`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import sympy as sp

from rwpca.numerics import EVIDENCE_PATH
from rwpca.numerics.verification.formula.check import Convergence, Run
from rwpca.numerics.verification.status import PASSED_STATES, CheckState
from rwpca.proofs.catalog import CATALOG, Entry

# EVIDENCE_PATH, where ``rwpca verify --write`` stores the evidence, is declared in
# rwpca.numerics (the command line's help names it without loading this module).

#: Version of the file's layout (2: typed records, no prose).
EVIDENCE_FORMAT = 2


class CheckKind(StrEnum):
    """Which check an entry's evidence comes from (chosen by quantity and regime)."""

    EIGENVALUE_EXACT = "eigenvalue-exact"
    EIGENVALUE_LIMIT = "eigenvalue-limit"
    EIGENVECTOR = "eigenvector"
    PROJECTION = "projection"
    LISSAJOUS = "lissajous"
    TRACE = "trace"
    EVR_EXACT = "evr-exact"
    EVR_LIMIT = "evr-limit"
    CUMULATIVE = "cumulative"
    SECULAR = "secular"
    SECULAR_ROOTS = "secular-roots"
    ERROR_LAW = "error-law"
    DISTANCE = "distance"
    NOISE = "noise"
    DESCENT_GRAM = "descent-gram"
    DESCENT_LIMIT = "descent-limit"
    DESCENT_BOUND = "descent-bound"
    LAW = "law"


#: Checks done in exact rational arithmetic (the others certify with ball arithmetic).
EXACT_KINDS = frozenset(
    {
        CheckKind.TRACE,
        CheckKind.DISTANCE,
        CheckKind.NOISE,
        CheckKind.DESCENT_GRAM,
        CheckKind.DESCENT_LIMIT,
    }
)


class FindingKind(StrEnum):
    """Secondary statements checked along the way."""

    AS_EXACT = "as-exact"  # a limit eigenvalue formula read as exact at finite n
    RATIO_AS_EXACT = "ratio-as-exact"  # a limit ratio read as exact at finite n
    PRINTED_EIGENVECTOR = "printed-eigenvector"  # the paper's cos(pi k t / n)
    PRINTED_SHARE = "printed-share"  # the paper's printed cumulative share
    PAPER_ANGLES = "paper-angles"  # the paper's angles pi k / n as an exact secular equation
    LABELLED = "labelled"  # a multiset statement read as 'the k-th value is the k-th largest'


class TableKind(StrEnum):
    """Extra tables of evidence."""

    MOMENTUM_ERROR_LAW = "momentum-error-law"  # k-resolved errors, scaled by n^3 / k^2
    OU_REGIMES = "ou-regimes"  # both circulant forms against the exact OU spectrum
    MOMENTUM_LABELS = "momentum-labels"  # the printed k-th value against the exact k-th largest
    MOMENTUM_LAW = "momentum-law"  # measured errors against the law c(gamma) k^2 / n^3


class Method(StrEnum):
    """How the values of a run were decided (the ``method`` of the runs made here)."""

    EXACT = "exact rational arithmetic"
    VECTOR = "ball arithmetic: Rayleigh quotient, residual, certified spectral gap"
    PRINTED_ANGLE = "angle to the proven eigenvector"
    IDENTITY = "identity evaluated in ball arithmetic at every t"
    SHARES = "certified lambda_k, exact trace"
    SECULAR = "sign change of D_n across each certified eigenvalue enclosure"
    SECULAR_ROOTS = "roots of the secular function (arb), Sturm counts on Q"
    ERROR_LAW = "measured / law - 1, eigenvalues certified by Sturm counts"
    INERTIA = "ball arithmetic: eigenvalue counts by the inertia of K - y I"


def fingerprint(entry: Entry) -> str:
    """A hash of what the evidence is about: the statement, its regime, quantity and domain."""
    fields = [
        sp.srepr(entry.lhs),
        sp.srepr(entry.rhs),
        str(entry.regime.kind),
        entry.regime.description,
        entry.quantity,
        entry.process,
    ]
    # a restricted domain is part of the statement (kept out of the list when there is
    # none, so the fingerprints of unrestricted entries stay what they were)
    fields.extend(f"{d.name}: {d.condition}" for d in entry.domains)
    if entry.reading != "labelled":  # likewise: labelled entries keep their fingerprints
        fields.append(f"reading: {entry.reading}")
    data = json.dumps(fields)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Table:
    """An extra table of evidence: rows of formatted numbers (``data``: its parameters)."""

    kind: TableKind
    rows: tuple[tuple[str, ...], ...]
    data: Mapping[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "data": dict(self.data), "rows": [list(r) for r in self.rows]}


@dataclass
class Finding:
    """A secondary statement checked along the way (the printed form, exactness)."""

    kind: FindingKind
    verdict: CheckState
    data: dict[str, object] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)
    convergence: list[Convergence] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "verdict": self.verdict,
            "data": self.data,
            "runs": [r.to_json() for r in self.runs],
            "convergence": [c.to_json() for c in self.convergence],
        }


@dataclass
class EntryEvidence:
    """What verifying one catalog entry showed."""

    id: str
    fingerprint: str
    check: CheckKind
    verdict: CheckState
    settings: dict[str, object]
    runs: list[Run] = field(default_factory=list)
    convergence: list[Convergence] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    data: dict[str, object] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.verdict in PASSED_STATES

    def to_json(self) -> dict[str, object]:
        """Deterministic record for the evidence file (no timings)."""
        return {
            "id": self.id,
            "fingerprint": self.fingerprint,
            "check": self.check,
            "verdict": self.verdict,
            "settings": self.settings,
            "data": self.data,
            "runs": [r.to_json() for r in self.runs],
            "convergence": [c.to_json() for c in self.convergence],
            "tables": [t.to_json() for t in self.tables],
            "findings": [f.to_json() for f in self.findings],
        }


def load_evidence(path: Path = EVIDENCE_PATH) -> dict[str, dict[str, Any]]:
    """The stored evidence records by entry ID ({} if there is no file)."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != EVIDENCE_FORMAT:
        raise ValueError(
            f"{path.name}: evidence format {data.get('format')!r} is not known (this version "
            f"reads format {EVIDENCE_FORMAT}): run 'rwpca verify --write'"
        )
    return dict(data.get("entries", {}))


def dump_evidence(records: Mapping[str, Mapping[str, Any]]) -> bytes:
    """The evidence file's bytes, entries in catalog order."""
    order = {entry.id: i for i, entry in enumerate(CATALOG)}
    entries = {key: records[key] for key in sorted(records, key=lambda x: order.get(x, 10**6))}
    data = {"format": EVIDENCE_FORMAT, "generated_by": "rwpca verify --write", "entries": entries}
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode()


def current_record(
    entry: Entry, records: Mapping[str, Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The stored record of an entry if it is about the current statement, else None."""
    record = records.get(entry.id)
    if record is None or record.get("fingerprint") != fingerprint(entry):
        return None
    return record


__all__ = [
    "EVIDENCE_FORMAT",
    "EVIDENCE_PATH",
    "EXACT_KINDS",
    "CheckKind",
    "EntryEvidence",
    "Finding",
    "FindingKind",
    "Method",
    "Table",
    "TableKind",
    "current_record",
    "dump_evidence",
    "fingerprint",
    "load_evidence",
]

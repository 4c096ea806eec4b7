"""Rendering of the verification evidence: document sections, the report, citation fields.

The evidence is computed by ``rwpca verify --write`` and stored in the committed file
``numerics/data/verification.json``; everything here only *reads* it, so ``rwpca derive`` stays
deterministic and fast, and ``rwpca derive --check`` passes on a clean checkout. An entry
whose statement changed since it was verified (its fingerprint differs) is shown as
"evidence out of date" and keeps its declared status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from rwpca.documents import evidence_text
from rwpca.documents.markdown import table
from rwpca.numerics.verification.evidence import (
    EVIDENCE_PATH,
    EXACT_KINDS,
    CheckKind,
    current_record,
    fingerprint,
    load_evidence,
)
from rwpca.numerics.verification.status import stored_status
from rwpca.proofs.catalog import CATALOG, Entry, Status

REPORT = "verification.md"
REPORT_TITLE = "Verification report: certified spectra and convergence of every entry"


@lru_cache(maxsize=1)
def _records() -> dict[str, dict[str, Any]]:
    return load_evidence(EVIDENCE_PATH)


def records() -> dict[str, dict[str, Any]]:
    """The stored evidence (read once per process)."""
    return _records()


def record_for(entry: Entry) -> Mapping[str, Any] | None:
    """The current evidence record of an entry, or None (missing or out of date)."""
    return current_record(entry, records())


def status_of(entry: Entry) -> Status:
    """The entry's status: the declared one upgraded or refuted by its current evidence.

    Every output shows this one value: the index, the document header and verification
    section, ``rwpca cite`` in every format (``rwpca verify`` shows the same function of
    its fresh verdict, :func:`rwpca.numerics.verification.status.effective_status`).
    """
    return stored_status(entry, records())


def _params(run: Mapping[str, Any]) -> str:
    params = run.get("params") or {}
    return ", ".join(f"{k} = {v}" for k, v in params.items()) or "—"


def _runs_table(runs: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for run in runs:
        counts = f"{run['certified']}/{run['checked']}"
        if run.get("refuted"):
            counts += f" ({run['refuted']} refuted, first k = {run.get('first_refuted')})"
        if run.get("undecided"):
            counts += f" ({run['undecided']} undecided)"
        digits = run.get("digits")
        rows.append(
            (
                run["n"],
                _params(run),
                counts,
                "—" if digits is None else digits,
                run.get("radius") or "—",
                run.get("leading_error") or "—",
                run.get("spectrum_error") or "—",
            )
        )
    return table(
        (
            "n",
            "parameters",
            "certified",
            "digits",
            "radius",
            "leading error",
            "whole-spectrum error",
        ),
        rows,
    )


def _convergence_table(convergence: Sequence[Mapping[str, Any]]) -> str:
    out = []
    for conv in convergence:
        sizes = conv["sizes"]
        rows = [
            (size, lead, whole)
            for size, lead, whole in zip(
                sizes,
                conv["leading_error"],
                conv["spectrum_error"],
                strict=True,
            )
        ]
        out.append(
            f"**{conv['label']}** — fitted order (last three sizes): leading "
            f"{conv.get('leading_order') or '—'}, whole spectrum "
            f"{conv.get('spectrum_order') or '—'}; reference eigenvalues certified to "
            f"{conv.get('certified_radius')} relative.\n"
        )
        out.append(table(("n", "leading error (k <= 5)", "whole-spectrum error"), rows))
    return "\n".join(out)


def _findings(findings: Sequence[Mapping[str, Any]]) -> str:
    out = []
    for finding in findings:
        title = evidence_text.finding_title(finding)
        detail = evidence_text.finding_detail(finding)
        out.append(f"- **{title}: {finding['verdict']}.** {detail}\n")
    return "".join(out)


def entry_section(entry: Entry) -> str:
    """The "Verification" section of an entry's document."""
    record = records().get(entry.id)
    head = "## Verification\n\n"
    if record is None:
        return head + (
            "Not verified yet: run `rwpca verify " + entry.id + " --write` to add the evidence.\n"
        )
    if record.get("fingerprint") != fingerprint(entry):
        return head + (
            "The stored evidence is **out of date** (the statement changed after it was "
            f"verified): run `rwpca verify {entry.id} --write`.\n"
        )
    status = status_of(entry)
    out = [
        head,
        f"**Verdict: {record['verdict']}** — {evidence_text.detail(record)}.\n\n",
        f"**Status:** {status} (declared: {entry.status}).\n\n",
        f"**What was checked:** {evidence_text.check_name(record)}. Verified here means: "
        f"{evidence_text.meaning(record)}.\n\n",
    ]
    runs = record.get("runs") or []
    convergence = record.get("convergence") or []
    if convergence:
        out.append(_convergence_table(convergence))
        out.append("\n")
    elif runs:
        out.append(_runs_table(runs))
        out.append("\n")
    for extra in record.get("tables") or []:
        out.append(f"**{evidence_text.table_title(extra)}**\n\n")
        out.append(table(evidence_text.table_columns(extra), extra["rows"]))
        out.append(f"\n*{evidence_text.table_note(extra)}*\n")
        out.append("\n")
    findings = record.get("findings") or []
    if findings:
        out.append(_findings(findings))
        out.append("\n")
    out.append(f"Reproduce: `rwpca verify {entry.id}` (add `--json` for the full record).\n")
    return "".join(out)


def record_fields(entry: Entry) -> dict[str, object]:
    """Citation fields: the verification summary (None without current evidence)."""
    record = record_for(entry)
    if record is None:
        return {"verification": None}
    sizes = sorted({run["n"] for run in record.get("runs") or []})
    digits = sorted(
        {run["digits"] for run in record.get("runs") or [] if run.get("digits") is not None}
    )
    return {
        "verification": {
            "verdict": record["verdict"],
            "check": evidence_text.check_name(record),
            "meaning": evidence_text.meaning(record),
            "detail": evidence_text.detail(record),
            "sizes": sizes,
            "digits": digits,
            "certified": CheckKind(record["check"]) not in EXACT_KINDS,
            "convergence": [
                {
                    "label": conv["label"],
                    "sizes": conv["sizes"],
                    "leading_error": conv["leading_error"],
                    "leading_order": conv["leading_order"],
                }
                for conv in record.get("convergence") or []
            ],
            "report": f"derivations/{REPORT}",
        },
    }


def report_document() -> dict[str, bytes]:
    """derivations/verification.md: every entry's verdict, and how the checks work."""
    rows = []
    for entry in CATALOG:
        record = records().get(entry.id)
        if record is None:
            verdict, detail = "not verified", ""
        elif record.get("fingerprint") != fingerprint(entry):
            verdict, detail = "evidence out of date", ""
        else:
            verdict, detail = str(record["verdict"]), evidence_text.detail(record)
        rows.append(
            (
                f"[`{entry.id}`]({entry.id}.md)",
                str(entry.regime.kind),
                str(entry.status),
                verdict,
                status_of(entry),
                detail,
            )
        )
    text = [
        f"# {REPORT_TITLE}\n",
        "Every catalog entry checked against the exact finite matrices K = C T^-1 T^-T C "
        "by `rwpca verify`; the evidence is stored in `numerics/data/verification.json` and "
        "regenerated with `rwpca verify --write`.\n",
        table(
            ("entry", "regime", "declared status", "verdict", "status", "evidence"),
            rows,
        ),
        "\n## How the checks work\n",
        "- **Certified eigenvalues.** K is the Moore-Penrose pseudo-inverse of the centred "
        "precision Q = A - A 1 1^T A / (1^T A 1), A = T^T T (proven for every n), which is "
        "banded (plain walk, momentum) or banded minus a rank-one border (OU). By Sylvester's "
        "law of inertia the number of negative pivots of the LDL^T factorisation of Q - x I "
        "counts the eigenvalues below x. Two counts around each claimed value certify that "
        "the k-th eigenvalue lies in a relative ball of radius 10^-digits around it, or prove "
        "that it does not. The counts run in float64 interval arithmetic with outward "
        "rounding (one ulp after every correctly rounded operation, vectorised over all "
        "shifts) and, where that cannot decide, in arb ball arithmetic (python-flint) at "
        "increasing precision. An undecided count is reported as undecided, never as "
        "verified.\n",
        "- **Convergence.** For a limit, the leading eigenvalues are refined by inverse "
        "iteration and certified to 1e-20 relative (or the coarser radius recorded), so the errors in the tables are "
        "rigorous to that accuracy; the whole-spectrum error uses float64 eigenvalues "
        "(sorted claims against sorted eigenvalues, since the OU formula is not monotone). "
        "The order is the least-squares slope over the last three sizes; convergence needs "
        "decreasing errors and an order above 0.5.\n",
        "- **Eigenvectors** are certified by the Davis-Kahan bound (residual over the "
        "certified spectral gap) in ball arithmetic; **traces** in exact rational arithmetic.\n",
        "- **Second moments.** The OU walk's mean squared distance is compared with the diagonal "
        "of T^-1 T^-T from the step operator, and the noise-independence identity with the "
        "expectation over every outcome of an n x d step matrix drawn from finite laws of "
        "different kurtosis, both in exact rational arithmetic.\n",
        "- **Status.** A derived entry whose check passes becomes *verified*; a proven entry "
        "stays *proven* (the numbers agree with the proof); an entry whose check fails is "
        "*refuted*.\n",
    ]
    return {REPORT: "\n".join(text).encode()}

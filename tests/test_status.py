"""One status per entry: the index, the documents, `rwpca cite` (every format) and `rwpca verify`.

The status is decided once (:func:`rwpca.numerics.verification.status.effective_status`
from the declared status and the evidence); every output must show that value, and the
index legend must define exactly the words its rows use.
"""

from __future__ import annotations

import copy
import json
import re
from types import SimpleNamespace

import pytest

from rwpca.cli import main
from rwpca.documents import catalog_documents, citations, verification_report
from rwpca.numerics.verification import entries
from rwpca.numerics.verification.evidence import current_record, load_evidence
from rwpca.numerics.verification.status import CheckState, effective_status
from rwpca.proofs.catalog import CATALOG, Status, get

STATUS_WORDS = {str(status) for status in Status}


def _row(index: str, entry_id: str) -> str:
    return next(line for line in index.splitlines() if line.startswith(f"| [`{entry_id}`]"))


def _row_statuses(row: str) -> set[str]:
    return {cell.strip() for cell in row.strip("|").split(" | ")} & STATUS_WORDS


def _legend_statuses(index: str) -> set[str]:
    legend = next(line for line in index.splitlines() if line.startswith("Status: "))
    return set(re.findall(r"\*\*([^*]+)\*\*", legend.split(" Regime:")[0]))


def _stored_evidence(entry):
    """What `rwpca verify` would find, without the minutes of certified arithmetic."""
    record = dict(verification_report.record_for(entry))
    return SimpleNamespace(
        verdict=CheckState(record["verdict"]),
        seconds=0.0,
        convergence=[],
        runs=[],
        passed=record["verdict"] in ("certified", "exact", "converges"),
        to_json=lambda: copy.deepcopy(record),
    )


def _verify_statuses(capsys, monkeypatch) -> tuple[dict[str, str], dict[str, str]]:
    """The status `rwpca verify` prints for every entry, as text and as JSON."""
    # `rwpca verify` imports verify_entry when it runs: replaced where it is defined
    monkeypatch.setattr(entries, "verify_entry", lambda e, **_: _stored_evidence(e))
    assert main(["verify", "--quiet"]) in (0, 1)
    text = capsys.readouterr().out
    printed = dict(re.findall(r"^(\S+)  \[\w+\]  .+  -> status (.+?)  \(", text, re.M))
    assert main(["verify", "--json", "--quiet"]) in (0, 1)
    records = json.loads(capsys.readouterr().out)
    return printed, {record["id"]: record["status"] for record in records}


def _outputs(entry, index: str, document: str, section: bool = True) -> dict[str, object]:
    """Where an entry's status is shown, and what each place shows."""
    cited = {fmt: citations.cite(entry, fmt) for fmt in citations.FORMATS}
    shown = {
        "index": _row_statuses(_row(index, entry.id)),
        "header": re.search(r"^\| \*\*Status\*\* \| (.+) \|$", document, re.M)[1],
        "cite markdown": re.search(r"^- Status: (.+) \(rwpca", cited["markdown"], re.M)[1],
        "cite latex": re.search(r": status (.+?); regime", cited["latex"])[1],
        "cite bibtex": re.search(r"; status: (.+?); regime", cited["bibtex"])[1],
        "cite json": json.loads(cited["json"])["status"],
    }
    if section:
        text = verification_report.entry_section(entry)
        shown["verification section"] = re.search(r"\*\*Status:\*\* (.+?) \(declared", text)[1]
    return shown


def test_every_output_shows_the_one_status(generated, capsys, monkeypatch):
    """For every entry: index row, header, verification section, four citations, verify."""
    index = generated["README.md"].decode()
    printed, as_json = _verify_statuses(capsys, monkeypatch)
    stored = load_evidence()
    for entry in CATALOG:
        expected = str(effective_status(entry, current_record(entry, stored)["verdict"]))
        document = generated[f"{entry.id}.md"].decode()
        shown = _outputs(entry, index, document)
        assert shown.pop("index") == {expected}, entry.id
        assert set(shown.values()) == {expected}, (entry.id, shown)
        assert printed[entry.id] == expected and as_json[entry.id] == expected, entry.id


def test_the_legend_defines_the_words_the_rows_use(generated):
    index = generated["README.md"].decode()
    used = set().union(*(_row_statuses(_row(index, e.id)) for e in CATALOG))
    assert _legend_statuses(index) == used


def test_changed_evidence_changes_every_output(derivations, capsys, monkeypatch):
    """Refute one entry's stored evidence: every output, and the legend, follow."""
    entry = get("rw.projection")
    records = copy.deepcopy(verification_report.records())
    records[entry.id]["verdict"] = "refuted"
    monkeypatch.setattr(verification_report, "records", lambda: records)
    index = catalog_documents.render_index(list(CATALOG), derivations)
    document = catalog_documents.render_entry(entry, derivations[entry.id])
    shown = _outputs(entry, index, document)
    assert shown.pop("index") == {"refuted"}
    assert set(shown.values()) == {"refuted"}
    assert "refuted" in _legend_statuses(index)
    printed, as_json = _verify_statuses(capsys, monkeypatch)
    assert printed[entry.id] == as_json[entry.id] == "refuted"
    # without current evidence the declared status stands, everywhere
    del records[entry.id]
    index = catalog_documents.render_index(list(CATALOG), derivations)
    document = catalog_documents.render_entry(entry, derivations[entry.id])
    shown = _outputs(entry, index, document, section=False)  # the section: "Not verified yet"
    assert shown.pop("index") == {str(entry.status)}
    assert set(shown.values()) == {str(entry.status)}


@pytest.mark.parametrize(
    ("declared", "verdict", "status"),
    [
        (Status.DERIVED, "certified", Status.VERIFIED),
        (Status.STATED, "exact", Status.VERIFIED),
        (Status.PROVEN, "converges", Status.PROVEN),
        (Status.PROVEN, "does not converge", Status.REFUTED),
        (Status.DERIVED, "undecided", Status.DERIVED),
    ],
)
def test_status_policy(declared, verdict, status):
    entry = SimpleNamespace(status=declared)
    assert effective_status(entry, verdict) is status  # type: ignore[arg-type]


def test_an_exact_run_with_one_failing_comparison_is_refuted():
    """A run that counts many exact comparisons is refuted by a single failure among them
    (the verdict reads each run's state, not whether anything was certified)."""
    import time

    from rwpca.numerics.verification.checks.exact import counted_exact_run, exact_run
    from rwpca.numerics.verification.status import exact_verdict

    start = time.perf_counter()
    agreed = counted_exact_run(4, {}, 16, 0, "", start)
    one_wrong = counted_exact_run(4, {}, 16, 1, "entry (1, 2)", start)
    assert exact_verdict([agreed, exact_run(3, {}, True, "", start)]) is CheckState.EXACT
    assert one_wrong.certified == 15
    assert exact_verdict([agreed, one_wrong]) is CheckState.REFUTED
    assert exact_verdict([exact_run(3, {}, False, "x", start)]) is CheckState.REFUTED

"""`rwpca verify`, the stored evidence, and its rendering by derive and cite."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest
import sympy as sp

from rwpca.cli import main
from rwpca.commands import verify as verify_command
from rwpca.documents import verification_report
from rwpca.numerics.verification import status
from rwpca.numerics.verification.entries import verify_entry
from rwpca.numerics.verification.evidence import current_record, fingerprint, load_evidence
from rwpca.numerics.verification.status import effective_status
from rwpca.proofs.catalog import CATALOG, Status, get


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_prints_and_exits_zero(capsys):
    code, out, err = run(
        capsys, "verify", "rw.trace", "rw.eigenvalue.exact", "--n", "4", "9", "--quiet"
    )
    assert code == 0, err
    assert "rw.trace" in out and "rw.eigenvalue" in out and "certified" in out


def test_verify_json(capsys):
    code, out, _ = run(capsys, "verify", "rw.lissajous", "--n", "7", "--dps", "15", "--json")
    assert code == 0
    (record,) = json.loads(out)
    assert record["id"] == "rw.lissajous" and record["verdict"] == "certified"
    assert record["runs"][0]["digits"] == 15 and "seconds" in record


def test_verify_limit_entry(capsys):
    code, out, _ = run(capsys, "verify", "rw.evr", "--n", "20", "40", "80", "--quiet")
    assert code == 0 and "converges" in out and "order" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["verify", "rw.eigenvalue", "--n", "1"], "n = 1 is not allowed"),
        (["verify", "rw.eigenvalue", "--dps", "0"], "dps = 0 is not allowed"),
        (["verify", "rw.eigenvalue", "--dps", "2000"], "dps = 2000 is not allowed"),
        (["verify", "rw.evr", "--n", "10", "20"], "at least 3 sizes"),
        (["verify", "rw.eigenvalu"], "unknown catalog ID 'rw.eigenvalu'"),
        (["verify", "--n", "x"], "invalid int value: 'x'"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("rwpca: error: ") and fragment in err
    assert "Traceback" not in err and not out


def test_write_merges_atomically(tmp_path, monkeypatch, capsys):
    target = tmp_path / "verification.json"
    monkeypatch.setattr(verify_command, "EVIDENCE_PATH", target)
    assert run(capsys, "verify", "rw.trace", "--n", "3", "5", "--write", "--quiet")[0] == 0
    assert run(capsys, "verify", "momentum.trace", "--n", "3", "--write", "--quiet")[0] == 0
    stored = load_evidence(target)
    assert set(stored) == {"rw.trace", "momentum.trace"}
    assert [p.name for p in tmp_path.iterdir()] == ["verification.json"]
    first = target.read_bytes()
    run(capsys, "verify", "momentum.trace", "--n", "3", "--write", "--quiet")
    assert target.read_bytes() == first  # deterministic: no timings stored


def test_refuted_entry_exits_one(monkeypatch, capsys):
    entry = get("rw.trace")
    mutated = dataclasses.replace(
        entry, rhs=(sp.Symbol("n", integer=True, positive=True) ** 2 + 1) / 6
    )
    monkeypatch.setattr(verify_command, "_entries", lambda ids: [mutated])
    code, out, _ = run(capsys, "verify", "--n", "3", "--quiet")
    assert code == 1 and "refuted" in out


# --- the committed evidence ------------------------------------------------------------------


def test_committed_evidence_covers_the_catalog():
    stored = load_evidence()
    for entry in CATALOG:
        assert current_record(entry, stored) is not None, f"{entry.id}: run rwpca verify --write"
        assert stored[entry.id]["verdict"] in status.PASSED_STATES, entry.id


@pytest.mark.parametrize("entry_id", ["rw.trace", "momentum.trace", "rw.lissajous"])
def test_committed_evidence_is_reproducible(entry_id):
    """Rerunning the default plan gives the committed record, byte for byte."""
    entry = get(entry_id)
    assert verify_entry(entry).to_json() == load_evidence()[entry_id]


def test_a_changed_statement_makes_the_evidence_stale():
    entry = get("rw.trace")
    mutated = dataclasses.replace(entry, rhs=entry.rhs + 1)
    assert fingerprint(mutated) != fingerprint(entry)
    assert current_record(mutated, load_evidence()) is None
    assert "out of date" in verification_report.entry_section(mutated)


def test_effective_status():
    proven, derived = get("rw.eigenvalue"), get("momentum.eigenvalue")
    assert effective_status(proven, "certified") is Status.PROVEN
    assert effective_status(derived, "converges") is Status.VERIFIED
    assert effective_status(derived, "does not converge") is Status.REFUTED
    assert effective_status(proven, "refuted") is Status.REFUTED
    assert effective_status(derived, "undecided") is Status.DERIVED
    assert effective_status(derived, None) is Status.DERIVED


def test_derive_embeds_the_evidence(generated):
    assert "verification.md" in generated
    report = generated["verification.md"].decode()
    for entry in CATALOG:
        assert f"[`{entry.id}`]" in report
        document = generated[f"{entry.id}.md"].decode()
        assert "## Verification" in document and "**Verdict:" in document
    assert "(verification.md)" in generated["README.md"].decode()
    ou = generated["ou.eigenvalue.md"].decode()
    assert "OU regimes at n = 400" in ou


def test_cite_includes_the_evidence(capsys):
    code, out, _ = run(capsys, "cite", "rw.eigenvalue.exact", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["status"] == "proven"
    assert data["verification"]["verdict"] == "certified"
    assert 1000 in data["verification"]["sizes"] and 30 in data["verification"]["digits"]
    _, out, _ = run(capsys, "cite", "momentum.eigenvalue", "--format", "json")
    conv = json.loads(out)["verification"]["convergence"]
    assert conv and conv[0]["leading_order"] is not None


def _mutated(entry_id, change):
    entry = get(entry_id)
    if change is None:  # the secular function is the lhs
        names = {s.name: s for s in entry.lhs.free_symbols}
        return dataclasses.replace(
            entry, lhs=entry.lhs.subs(names["n"], names["n"] + 1) + sp.Rational(1, 1000)
        )
    names = {s.name: s for s in entry.rhs.free_symbols}
    return dataclasses.replace(entry, rhs=change(entry.rhs, names))


MUTATIONS = {
    "eigenvector: printed index": (
        "rw.eigenvector",
        lambda rhs, s: rhs.subs(s["t"], s["t"] + sp.Rational(1, 2)),
        (3, 6),
        "refuted",
    ),
    "eigenvector: not normalised": ("rw.eigenvector", lambda rhs, s: 2 * rhs, (3, 6), "refuted"),
    "projection: sqrt(lambda/n)": (
        "rw.projection",
        lambda rhs, s: rhs / sp.sqrt(2),
        (3, 6),
        "refuted",
    ),
    "lissajous: shifted curve": (
        "rw.lissajous",
        lambda rhs, s: rhs + sp.Rational(1, 100),
        (7,),
        "refuted",
    ),
    "exact ratio: n^2 for n^2 - 1": (
        "rw.evr.exact",
        lambda rhs, s: rhs * (s["n"] ** 2 - 1) / s["n"] ** 2,
        (3, 6),
        "refuted",
    ),
    "momentum trace: gamma flipped": (
        "momentum.trace",
        lambda rhs, s: rhs.subs(s["gamma"], -s["gamma"]),
        (3, 6),
        "refuted",
    ),
    "OU secular: cos((n + 1) theta)": (
        "ou.eigenvalue.exact",
        None,
        (4, 9),
        "refuted",
    ),
    "limit ratio: k + 1": (
        "rw.evr",
        lambda rhs, s: rhs.subs(s["k"], s["k"] + 1),
        (40, 80, 160),
        "does not converge",
    ),
    "cumulative: 1 percent off": (
        "rw.evr.cumulative",
        lambda rhs, s: rhs * sp.Rational(101, 100),
        (40, 80, 160),
        "does not converge",
    ),
}


@pytest.mark.parametrize(
    ("entry_id", "change", "sizes", "verdict"), MUTATIONS.values(), ids=MUTATIONS.keys()
)
def test_entry_verifiers_reject_mutated_statements(entry_id, change, sizes, verdict):
    evidence = verify_entry(_mutated(entry_id, change), sizes=sizes, dps=15)
    assert evidence.verdict == verdict and not evidence.passed


@pytest.mark.parametrize(
    "entry_id", ["rw.eigenvector", "rw.projection", "rw.evr.exact", "ou.eigenvalue.exact"]
)
def test_entry_verifiers_certify_the_true_statements(entry_id):
    evidence = verify_entry(get(entry_id), sizes=(3, 6), dps=15)
    assert evidence.verdict == "certified"


# --- progress on stderr ----------------------------------------------------------------------


def test_verify_prints_progress_lines_when_stderr_is_a_log(capsys, monkeypatch):
    """stderr is not a terminal here: `auto` prints plain lines, one per (short) interval."""
    import rwpca.commands

    monkeypatch.setattr(rwpca.commands, "PROGRESS_INTERVAL", 0.0)
    code, out, err = run(capsys, "verify", "rw.trace", "rw.eigenvalue", "--n", "3", "5", "40")
    assert code == 0 and "rw.eigenvalue" in out
    lines = err.splitlines()
    assert "rwpca: rw.eigenvalue: 3/3 n (100%)" in err and "rwpca: verify: 2/2 entry" in err
    assert all(line.startswith("rwpca: ") and "elapsed" in line for line in lines), lines
    # quiet, and the default interval on work this short: nothing
    assert run(capsys, "verify", "rw.trace", "--n", "3", "--quiet")[2] == ""
    monkeypatch.setattr(rwpca.commands, "PROGRESS_INTERVAL", 3600.0)
    assert run(capsys, "verify", "rw.trace", "--n", "3")[2] == ""


def test_verify_heartbeat_covers_one_long_size(capsys, monkeypatch):
    """One size that takes longer than the interval still shows lines while it runs."""
    import rwpca.commands

    monkeypatch.setattr(rwpca.commands, "PROGRESS_INTERVAL", 0.01)
    code, _, err = run(capsys, "verify", "rw.eigenvalue", "--n", "400", "--progress", "lines")
    assert code == 0
    assert "rwpca: rw.eigenvalue: 0/1 n (0%)" in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["verify", "rw.trace", "--progress", "loud"], "invalid choice: 'loud'"),
        (["verify", "rw.trace", "--progress", "bar", "--quiet"], "not allowed with argument"),
        (["derive", "--check", "--progress", "sometimes"], "invalid choice: 'sometimes'"),
    ],
)
def test_bad_progress_options_are_one_line(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2 and err.startswith("rwpca: error: ") and fragment in err and not out


def test_the_evidence_file_holds_typed_records_and_the_documents_word_them():
    """No sentence is stored: kinds and states are enum values, and every record renders."""
    from rwpca.documents import evidence_text
    from rwpca.numerics.verification.evidence import CheckKind, FindingKind, TableKind

    for entry_id, record in load_evidence().items():
        assert set(record) == {
            "id", "fingerprint", "check", "verdict", "settings", "data", "runs",
            "convergence", "tables", "findings",
        }  # fmt: skip
        CheckKind(record["check"]), status.CheckState(record["verdict"])
        assert evidence_text.detail(record) and evidence_text.meaning(record), entry_id
        for finding in record["findings"]:
            assert set(finding) == {"kind", "verdict", "data", "runs", "convergence"}
            FindingKind(finding["kind"])
            assert evidence_text.finding_title(finding), entry_id
        for table in record["tables"]:
            assert set(table) == {"kind", "data", "rows"}
            TableKind(table["kind"])
            assert len(evidence_text.table_columns(table)) == len(table["rows"][0])


def test_the_detail_follows_the_numbers():
    """Change the stored runs and the sentence changes with them (the renderer reads them)."""
    from rwpca.documents import evidence_text

    record = copy.deepcopy(load_evidence()["rw.eigenvector"])
    assert evidence_text.detail(record).startswith("281/281 checks certified to 30 digits")
    record["runs"][-1].update(refuted=3, first_refuted=7, certified=156)
    record["verdict"] = "refuted"
    assert evidence_text.detail(record).startswith("refuted at n = 160 (k = 7); 278/281")

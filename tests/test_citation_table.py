"""`rwpca cite` answers from the committed citation table, without SymPy, and the table is
what the SymPy-backed catalog gives (so it cannot go stale silently)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rwpca.commands import derive as derive_command
from rwpca.documents import citations, generate
from rwpca.proofs.catalog import CATALOG

#: Run the CLI in a fresh interpreter, then report the modules it imported.
_PROBE = """
import json, sys
from rwpca.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("sympy", "mpmath", "matplotlib", "numpy") if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def _cite(*argv: str) -> tuple[str, dict]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, "cite", *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return result.stdout, report


@pytest.mark.parametrize(
    "argv",
    [
        *(("rw.evr", "--format", fmt) for fmt in citations.FORMATS),
        ("rw.eigenvalue.exact",),  # an alias
        ("--list",),
        ("--list", "--format", "json"),
    ],
    ids=lambda argv: " ".join(argv),
)
def test_cite_does_not_import_sympy(argv):
    """Every format and --list is answered without SymPy, mpmath, matplotlib or NumPy."""
    _out, report = _cite(*argv)
    assert report == {"code": 0, "heavy": []}


def test_cite_prints_the_sympy_backed_citation():
    """What the process prints is :func:`citations.cite` of the catalog entry."""
    from rwpca.proofs.catalog import get

    for fmt in citations.FORMATS:
        out, _report = _cite("momentum.evr", "--format", fmt)
        assert out == citations.cite(get("momentum.evr"), fmt)


def test_list_is_the_catalog():
    from rwpca.documents.verification_report import status_of

    out, _report = _cite("--list", "--format", "json")
    expected = [{"id": e.id, "title": e.title, "status": str(status_of(e))} for e in CATALOG]
    assert json.loads(out) == expected


def test_committed_table_is_current():
    """Every format of every entry in the committed table equals the SymPy-backed one."""
    assert citations.TABLE.read_bytes() == citations.table_bytes()
    for entry in CATALOG:
        for fmt in citations.FORMATS:
            assert citations.cite_from_table(entry.id, fmt) == citations.cite(entry, fmt)
        for alias in entry.aliases:
            assert citations.cite_from_table(alias) == citations.cite(entry)


def _edited_table(tmp_path: Path, edit) -> Path:
    table = json.loads(citations.TABLE.read_bytes())
    edit(table)
    path = tmp_path / "citations.json"
    path.write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def test_derive_check_names_an_edited_or_missing_table(tmp_path, monkeypatch, capsys, generated):
    """`rwpca derive --check` of the checkout calls a stale citation table stale."""
    root = generate.default_root()

    def edit(table):
        table["entries"]["rw.evr"]["formats"]["latex"] += "% edited\n"

    path = _edited_table(tmp_path, edit)
    monkeypatch.setattr(citations, "TABLE", path)
    monkeypatch.setattr(generate, "generate", lambda progress=None, draw=True: dict(generated))
    args = ["derive", "--check", "--quiet", "--out", str(root)]
    from rwpca.cli import main

    assert main(args) == 1
    assert "citations.json" in capsys.readouterr().err
    path.unlink()
    assert main(args) == 1
    assert "citations.json" in capsys.readouterr().err
    # and `rwpca derive` writes it again, equal to the catalog's
    monkeypatch.setattr(generate, "write", lambda root, files: [])
    assert main(["derive", "--quiet", "--out", str(root)]) == 0
    assert path.read_bytes() == citations.table_bytes()
    assert derive_command.NAME == "derive"


def test_another_out_has_no_package_files(tmp_path):
    assert generate.package_files(tmp_path / "elsewhere") == {}
    assert set(generate.package_files(generate.default_root())) == {citations.TABLE}


def test_stale_or_unreadable_table_is_one_clear_error(tmp_path):
    old = _edited_table(tmp_path, lambda table: table.update(rwpca_version="0.0.1"))
    with pytest.raises(ValueError, match=r"from rwpca 0\.0\.1"):
        citations.cite_from_table("rw.evr", path=old)
    with pytest.raises(ValueError, match="cannot be read"):
        citations.cite_from_table("rw.evr", path=tmp_path / "missing.json")
    with pytest.raises(ValueError, match=r"unknown catalog ID .rw\.evx.; closest: rw\.evr"):
        citations.cite_from_table("rw.evx")
    with pytest.raises(ValueError, match="format 'xml' is not known"):
        citations.cite_from_table("rw.evr", "xml")


@pytest.mark.slow
def test_wheel_installs_the_table(tmp_path):
    """A wheel built from the checkout's sources carries the table as package data."""
    checkout = tmp_path / "source"  # a copy: the build writes its build/ and egg-info there
    origin = generate.default_root().parent
    checkout.mkdir()
    for name in ("pyproject.toml", "README.md", "rwpca", "proofs", "numerics"):
        if (origin / name).is_dir():
            shutil.copytree(
                origin / name, checkout / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(origin / name, checkout / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path / "wheel"),
            str(checkout),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "wheel").glob("rwpca-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("rwpca/data/citations.json") == citations.TABLE.read_bytes()

"""CLI behaviour: cite formats, errors in one line with exit 2, derive --check and atomicity."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pybtex.database import parse_string

from rwpca import treeio
from rwpca.cli import main
from rwpca.documents import generate
from rwpca.proofs.catalog import CATALOG

JSON_KEYS = {
    "id",
    "title",
    "latex",
    "sympy",
    "variables",
    "assumptions",
    "regime",
    "status",
    "source",
    "document",
    "bibtex",
}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["markdown", "latex", "bibtex", "json"])
def test_cite_formats(capsys, fmt):
    code, out, err = run(capsys, "cite", "rw.evr", "--format", fmt)
    assert code == 0 and not err
    assert "rw.evr" in out


def test_cite_default_is_markdown(capsys):
    assert (
        run(capsys, "cite", "rw.evr")[1] == run(capsys, "cite", "rw.evr", "--format", "markdown")[1]
    )


@pytest.mark.parametrize("entry", list(CATALOG), ids=lambda e: e.id)
def test_cite_json_keys_and_bibtex_parses(capsys, entry):
    code, out, _ = run(capsys, "cite", entry.id, "--format", "json")
    data = json.loads(out)
    assert code == 0 and JSON_KEYS <= set(data)
    assert data["id"] == entry.id and data["document"] == f"derivations/{entry.id}.md"
    parsed = parse_string(data["bibtex"], "bibtex")
    assert parsed.entries["antognini2018pca"].fields["year"] == "2018"
    _, bib, _ = run(capsys, "cite", entry.id, "--format", "bibtex")
    assert len(parse_string(bib, "bibtex").entries) == 2


def test_cite_list(capsys):
    code, out, _ = run(capsys, "cite", "--list")
    assert code == 0
    for entry in CATALOG:
        assert entry.id in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["cite", "rw.evx"], "unknown catalog ID 'rw.evx'; closest: rw.evr"),
        (["cite", "rw.evr", "--format", "xml"], "invalid choice: 'xml'"),
        (["cite"], "no catalog ID given"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["derive", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("rwpca: error: ")
    assert fragment in err
    assert "Traceback" not in err and not out


def test_console_script_bad_input_no_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "rwpca.cli", "cite", "nope.nothing"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert (
        result.stderr.startswith("rwpca: error: unknown catalog ID")
        and "Traceback" not in result.stderr
    )


def test_derive_check_names_stale_files(tmp_path, capsys, generated, monkeypatch):
    monkeypatch.setattr(generate, "generate", lambda progress=None, draw=True: dict(generated))
    out = tmp_path / "derivations"
    assert run(capsys, "derive", "--out", str(out), "--check")[0] == 1
    assert run(capsys, "derive", "--out", str(out))[0] == 0
    assert run(capsys, "derive", "--out", str(out), "--check")[0] == 0
    (out / "rw.evr.md").write_text("edited by hand\n")
    (out / "stray.md").write_text("not generated\n")  # the user's: no generated footer
    (out / "old.entry.md").write_bytes(generated["rw.trace.md"])  # a deleted entry's
    code, _, err = run(capsys, "derive", "--out", str(out), "--check")
    assert code == 1 and "rw.evr.md" in err and "old.entry.md" in err
    assert "stray.md" not in err and "rw.trace.md" not in err
    # writing agrees with --check: the generated stray goes, the user's file stays
    assert run(capsys, "derive", "--out", str(out))[0] == 0
    assert (out / "stray.md").read_text() == "not generated\n"
    assert not (out / "old.entry.md").exists()
    assert run(capsys, "derive", "--out", str(out), "--check")[0] == 0


def test_png_compared_by_fingerprint(generated):
    png = generated["figures/evr.png"]
    assert generate.same_content("figures/evr.png", png, png)
    assert not generate.same_content("figures/evr.png", png, generated["figures/spectrum.png"])
    assert not generate.same_content("figures/evr.png", b"not a png", png)


def test_interrupted_write_keeps_previous_tree(tmp_path, monkeypatch):
    root = tmp_path / "tree"
    treeio.write_tree(root, {"a.md": b"old\n", "sub/b.md": b"old b\n"})

    class Interrupted(Exception):
        pass

    real = Path.write_bytes
    calls = []

    def failing(self, data):
        calls.append(self)
        if len(calls) == 2:
            raise Interrupted
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    with pytest.raises(Interrupted):
        treeio.write_tree(root, {"a.md": b"new\n", "sub/b.md": b"new b\n", "c.md": b"c\n"})
    monkeypatch.undo()
    assert treeio.existing_files(root) == {"a.md": b"old\n", "sub/b.md": b"old b\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tree"]


def test_recover_after_half_swap(tmp_path):
    root = tmp_path / "tree"
    treeio.write_tree(root, {"a.md": b"old\n"})
    os.rename(root, tmp_path / ".tree.previous")  # crash between the two renames
    treeio.recover(root)
    assert treeio.existing_files(root) == {"a.md": b"old\n"}


@pytest.mark.slow
def test_derive_is_deterministic_across_processes(tmp_path, generated):
    """A separate process with another hash seed writes byte-identical documents."""
    out = tmp_path / "derivations"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-m", "rwpca.cli", "derive", "--quiet", "--out", str(out)],
        check=True,
        env=env,
        capture_output=True,
    )
    written = treeio.existing_files(out)
    assert sorted(written) == sorted(generated)
    for path, data in generated.items():
        if path.endswith(".png"):
            assert generate.same_content(path, written[path], data), path
        else:
            assert written[path] == data, path


def test_committed_derivations_are_current(generated):
    """The derivations/ of this checkout is what the code generates (what CI checks)."""
    root = generate.default_root()
    if not root.is_dir():
        pytest.skip("not running from a source checkout")
    assert generate.check(root, generated) == []

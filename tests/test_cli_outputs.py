"""Every command that writes checks its target before the work, in one line with exit 2.

Read-only folders are real (see tests/sandbox.py): as root they carry the immutable
attribute, so the kernel refuses the write, not a mock. The work itself is replaced by a
stub that fails the test if it is reached: a refusal must cost nothing.
"""

from __future__ import annotations

import json
import os
import stat

import pytest
from sandbox import make_read_only, sandbox_root, snapshot, user_folder

from rwpca.cli import main
from rwpca.commands import verify as verify_command
from rwpca.documents import generate
from rwpca.numerics import resources
from rwpca.numerics.verification.evidence import load_evidence


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def home(monkeypatch):
    """The user's folder: their files, a trajectory, a read-only folder, a file in the way."""
    with sandbox_root() as base:
        root = user_folder(base)
        (root / "pkg").mkdir()
        make_read_only(root / "pkg")
        monkeypatch.chdir(root)
        yield root


def _forbid(monkeypatch, target: object, name: str) -> None:
    def reached(*args, **kwargs):
        pytest.fail(f"{name} ran although the target was refused")

    monkeypatch.setattr(target, name, reached)


def _no_work(monkeypatch) -> None:
    """Every command's work, replaced by a stub that fails if reached.

    The commands import their work when they run, so it is replaced where it is defined.
    """
    from rwpca.documents import generate as generate_module
    from rwpca.numerics.trajectories import readers, training
    from rwpca.numerics.verification import entries
    from rwpca.numerics.walks import simulator

    _forbid(monkeypatch, simulator, "simulate")
    _forbid(monkeypatch, readers, "open_trajectory")
    _forbid(monkeypatch, training, "train")
    _forbid(monkeypatch, generate_module, "generate")
    _forbid(monkeypatch, entries, "verify_entry")


TARGET_COMMANDS = {
    "simulate --plot": ["simulate", "--n", "10", "--d", "100", "--plot"],
    "analyze --plot": ["analyze", "run.npy", "--plot"],
    "train --out": ["train", "--model", "linear", "--steps", "5", "--features", "3", "--out"],
    "verify --out": ["verify", "rw.trace", "--n", "3", "--out"],
}
SUFFIX = {"simulate --plot": ".png", "analyze --plot": ".png", "train --out": ".npy"}


@pytest.mark.parametrize("command", list(TARGET_COMMANDS))
@pytest.mark.parametrize(
    ("where", "fragment"),
    [
        ("ro/new", "not writable by you"),
        ("ro/deeper/new", "not writable by you"),
        ("afile/new", "is a file, not a folder"),
        ("folder.png", "is an existing folder"),
    ],
)
def test_a_bad_target_is_refused_before_any_work(home, capsys, monkeypatch, command, where,
                                                 fragment):  # fmt: skip
    _no_work(monkeypatch)
    target = where + SUFFIX.get(command, ".json") if where != "folder.png" else where
    before = snapshot(home)
    code, out, err = run(capsys, *TARGET_COMMANDS[command], target)
    assert code == 2 and not out, err
    assert err.startswith("rwpca: error: ") and err.count("\n") == 1, err
    assert fragment in err and target.split("/")[0] in err
    assert snapshot(home) == before


def test_verify_write_into_a_read_only_package_suggests_out(home, capsys, monkeypatch):
    _no_work(monkeypatch)
    monkeypatch.setattr(verify_command, "EVIDENCE_PATH", home / "pkg" / "verification.json")
    code, _, err = run(capsys, "verify", "rw.trace", "--n", "3", "--write")
    assert code == 2 and err.count("\n") == 1
    assert "not writable by you" in err and "give --out FILE" in err


def test_derive_refuses_read_only_and_foreign_folders_before_deriving(home, capsys, monkeypatch):
    _no_work(monkeypatch)
    before = snapshot(home)
    for target, fragment in [
        ("ro/tree", "not writable by you"),
        (".", "non-empty folder that rwpca did not generate"),
        ("notes.txt", "exists and is not a folder"),
        ("afile/tree", "is a file, not a folder"),
    ]:
        code, _, err = run(capsys, "derive", "--out", target)
        assert code == 2 and fragment in err and err.count("\n") == 1, err
    os.symlink("ro", home / "link")
    code, _, err = run(capsys, "derive", "--out", "link")
    assert code == 2 and "symbolic link" in err
    (home / "link").unlink()
    assert snapshot(home) == before


def test_derive_without_out_outside_a_checkout(home, capsys, monkeypatch):
    _no_work(monkeypatch)
    monkeypatch.setattr(generate, "__file__", str(home / "site" / "rwpca" / "documents" / "g.py"))
    code, _, err = run(capsys, "derive")
    assert code == 2 and "needs --out DIR here" in err and not (home / "derivations").exists()


def test_missing_parents_are_created_and_the_file_written(home, capsys):
    code, out, _ = run(capsys, "simulate", "--n", "10", "--d", "100", "--plot", "a/b/c.png")
    assert code == 0 and (home / "a" / "b" / "c.png").read_bytes().startswith(b"\x89PNG")
    assert "wrote a/b/c.png" in out


def test_verify_out_writes_a_new_file_and_never_a_users(home, capsys):
    code, _, _ = run(capsys, "verify", "rw.trace", "--n", "3", "--out", "ev/e.json", "--quiet")
    assert code == 0 and set(load_evidence(home / "ev" / "e.json")) == {"rw.trace"}
    code, _, _ = run(capsys, "verify", "rw.evr.exact", "--n", "3", "--out", "ev/e.json", "-q")
    assert code == 0 and set(load_evidence(home / "ev" / "e.json")) == {"rw.trace", "rw.evr.exact"}
    before = snapshot(home)
    for users in ("notes.txt", "run.npy"):
        code, _, err = run(capsys, "verify", "rw.trace", "--n", "3", "--out", users)
        assert code == 2 and "is not an rwpca evidence file" in err, err
    (home / "list.json").write_text(json.dumps([1, 2]))
    code, _, err = run(capsys, "verify", "rw.trace", "--n", "3", "--out", "list.json")
    assert code == 2 and "is not an rwpca evidence file" in err
    (home / "list.json").unlink()
    assert snapshot(home) == before


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_figures_get_the_umask_mode(home, capsys, mask):
    old = os.umask(mask)
    try:
        code, _, _ = run(capsys, "simulate", "--n", "6", "--d", "50", "--plot", "f.png", "-q")
    finally:
        os.umask(old)
    assert code == 0 and stat.S_IMODE((home / "f.png").stat().st_mode) == 0o666 & ~mask


def test_a_full_disk_is_refused_before_training(home, capsys, monkeypatch):
    _no_work(monkeypatch)
    monkeypatch.setattr(resources, "free_disk", lambda path: 10 * 2**20)
    code, _, err = run(capsys, "train", "--model", "linear", "--steps", "100000", "--out", "t.npy")
    assert code == 2 and "would write about 1.5 GiB" in err and "free there" in err
    assert not list(home.glob("*t.npy*"))


def test_derive_keeps_the_users_files_in_its_own_tree(home, capsys, monkeypatch):
    files = {
        "README.md": b"# index\n\n" + generate.GENERATED_MARK + b" (fake)*\n",
        "a.md": b"# a\n\n" + generate.GENERATED_MARK + b" (fake)*\n",
    }
    monkeypatch.setattr(generate, "generate", lambda progress=None, draw=True: dict(files))
    assert run(capsys, "derive", "--out", "tree")[0] == 0
    (home / "tree" / "important.txt").write_text("mine\n")
    (home / "tree" / "mynotes").mkdir()
    (home / "tree" / "mynotes" / "n.txt").write_text("notes\n")
    (home / "tree" / "gone.md").write_bytes(files["a.md"])  # a deleted entry's document

    def users(entries: dict) -> dict:
        return {k: v for k, v in entries.items() if not k.endswith(".md")}

    before = snapshot(home)
    code, out, _ = run(capsys, "derive", "--out", "tree")
    assert code == 0 and "kept 2 files of yours there" in out
    after = snapshot(home)
    assert users(after) == users(before)  # content, mode and mtime of every file of theirs
    assert sorted(k for k in after if k.startswith("tree/") and k.endswith(".md")) == [
        "tree/README.md",
        "tree/a.md",
    ]
    assert run(capsys, "derive", "--out", "tree", "--check")[0] == 0

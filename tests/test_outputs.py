"""Output safety: targets checked before work, user files kept, modes from the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from rwpca import outputs, treeio
from rwpca.numerics import resources


def _generated(path: str, data: bytes) -> bool:
    return data.startswith(b"GENERATED")


def _users(path: str, data: bytes) -> bool:
    return not _generated(path, data)


def test_user_files_survive_a_regeneration(tmp_path: Path) -> None:
    """A user's file and folder inside a generated tree are carried over byte for byte."""
    root = tmp_path / "out"
    treeio.write_tree(root, {"a.md": b"GENERATED a", "old.md": b"GENERATED old"})
    (root / "important.txt").write_bytes(b"mine")
    (root / "mynotes").mkdir()
    (root / "mynotes" / "n.txt").write_bytes(b"notes")
    os.utime(root / "important.txt", (1_000_000, 1_000_000))
    kept = treeio.write_tree(root, {"a.md": b"GENERATED a2"}, keep=_users)
    assert sorted(kept) == ["important.txt", "mynotes/n.txt"]
    assert treeio.existing_files(root) == {
        "a.md": b"GENERATED a2",
        "important.txt": b"mine",
        "mynotes/n.txt": b"notes",
    }
    assert (root / "important.txt").stat().st_mtime == 1_000_000
    # the stale generated file was removed; the user's files are not "stale"
    assert treeio.stale_files(root, {"a.md": b"GENERATED a2"}, keep=_users) == []
    assert treeio.stale_files(root, {"a.md": b"GENERATED a2"}) == ["important.txt", "mynotes/n.txt"]


def test_files_get_the_umask_mode(tmp_path: Path) -> None:
    """Atomic writes create files as open() would (0644 under umask 022), not 0600."""
    old = os.umask(0o022)
    try:
        treeio.write_file_atomic(tmp_path / "f.bin", b"x")
        treeio.write_tree(tmp_path / "tree", {"sub/g.md": b"y"})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "f.bin").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "tree").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "tree" / "sub" / "g.md").stat().st_mode) == 0o644


def test_file_targets_are_checked_first(tmp_path: Path) -> None:
    """Existing folders, wrong suffixes and files under a file are refused in one line."""
    with pytest.raises(ValueError, match="is an existing folder"):
        outputs.check_file_target(tmp_path, "--plot", suffix=None)
    with pytest.raises(ValueError, match=r"must end in \.png"):
        outputs.check_file_target(tmp_path / "x.jpg", "--plot", suffix=".png")
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        outputs.check_file_target(tmp_path / "file" / "x.png", "--plot", suffix=".png")
    outputs.check_file_target(tmp_path / "new" / "deeper" / "x.png", "--plot", suffix=".png")


def test_unwritable_folders_are_refused(tmp_path: Path, monkeypatch) -> None:
    """A folder without write permission is refused before any work (os.access decides)."""
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != tmp_path)
    with pytest.raises(ValueError, match="not writable by you"):
        outputs.check_file_target(tmp_path / "x.png", "--plot", suffix=".png")


def test_tree_targets_refuse_a_users_folder(tmp_path: Path) -> None:
    """derive --out refuses a non-empty folder it did not generate, accepts its own or an empty one."""
    users = tmp_path / "mine"
    users.mkdir()
    (users / "important.txt").write_text("keep me")
    with pytest.raises(ValueError, match="non-empty folder that rwpca did not generate"):
        outputs.check_tree_target(users, "--out", owned=lambda root: False)
    outputs.check_tree_target(users, "--out", owned=lambda root: True)
    (tmp_path / "empty").mkdir()
    outputs.check_tree_target(tmp_path / "empty", "--out", owned=lambda root: False)
    outputs.check_tree_target(tmp_path / "new", "--out", owned=lambda root: False)
    assert (users / "important.txt").read_text() == "keep me"


def test_resource_guards() -> None:
    """Requests beyond the machine are refused with the size and the limit named."""
    with pytest.raises(resources.ResourceError, match=r"needs about .* of memory, more than"):
        resources.require_memory(2**70, "a test request")
    resources.require_memory(1024, "a small request")
    with pytest.raises(resources.ResourceError, match="would write about"):
        resources.require_disk(Path("/"), 2**70, "a test write")
    assert isinstance(resources.ResourceError("x"), ValueError)

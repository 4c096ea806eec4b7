"""Output safety: targets checked before work, user files kept, modes from the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from rwpca import outputs, treeio
from rwpca.numerics import resources


def _generated(path: str, location: Path) -> bool:
    return location.read_bytes().startswith(b"GENERATED")


def _users(path: str, location: Path) -> bool:
    return not _generated(path, location)


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


# --- the tree: what is the user's survives, links and empty folders included ------------


def _users_tree(root: Path) -> None:
    (root / "important.txt").write_bytes(b"mine")
    (root / "mynotes" / "empty").mkdir(parents=True)
    (root / "mynotes" / "n.txt").write_bytes(b"notes")
    (root / "link").symlink_to("important.txt")
    (root / "mynotes").chmod(0o750)
    os.utime(root / "important.txt", (1_000_000, 1_000_000))


def test_user_links_folders_and_modes_survive(tmp_path: Path) -> None:
    """Kept entries are the same files (hard links): content, mode, mtime; folders too."""
    root = tmp_path / "out"
    treeio.write_tree(root, {"a.md": b"GENERATED a"})
    _users_tree(root)
    before = (root / "important.txt").stat()
    kept = treeio.write_tree(root, {"a.md": b"GENERATED a2"}, keep=_users)
    assert sorted(kept) == ["important.txt", "link", "mynotes/n.txt"]
    after = (root / "important.txt").stat()
    assert (after.st_ino, after.st_mtime, after.st_mode) == (
        before.st_ino,
        before.st_mtime,
        before.st_mode,
    )
    assert os.readlink(root / "link") == "important.txt"
    assert (root / "mynotes" / "empty").is_dir()
    assert stat.S_IMODE((root / "mynotes").stat().st_mode) == 0o750
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging left


def test_carry_copies_where_links_fail(tmp_path: Path, monkeypatch) -> None:
    """Without hard links (another file system) kept files are copied with their metadata."""
    root = tmp_path / "out"
    treeio.write_tree(root, {"a.md": b"GENERATED a"})
    _users_tree(root)

    def no_links(*args, **kwargs):
        raise OSError("no hard links here")

    monkeypatch.setattr(os, "link", no_links)
    treeio.write_tree(root, {"a.md": b"GENERATED a2"}, keep=_users)
    assert (root / "important.txt").read_bytes() == b"mine"
    assert (root / "important.txt").stat().st_mtime == 1_000_000
    assert os.readlink(root / "link") == "important.txt"


def test_a_users_entry_in_the_way_refuses_before_writing(tmp_path: Path) -> None:
    """A user's folder where a generated file goes (or a file where its folder goes)."""
    root = tmp_path / "out"
    treeio.write_tree(root, {"a.md": b"GENERATED a"})
    (root / "b.md").mkdir()
    (root / "b.md" / "mine.txt").write_bytes(b"mine")
    before = treeio.existing_files(root)
    with pytest.raises(ValueError, match="is in the way of the generated"):
        treeio.write_tree(root, {"a.md": b"GENERATED a2", "b.md": b"GENERATED b"}, keep=_users)
    (root / "figures").write_bytes(b"a file of mine")
    with pytest.raises(ValueError, match="is in the way of a file rwpca generates"):
        treeio.write_tree(root, {"figures/x.png": b"GENERATED x"}, keep=_users)
    assert treeio.existing_files(root) == {**before, "figures": b"a file of mine"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_read_only_user_folders_do_not_block_the_next_write(tmp_path: Path) -> None:
    """A kept folder without write permission is removed from the old tree all the same."""
    root = tmp_path / "out"
    treeio.write_tree(root, {"a.md": b"GENERATED a"})
    (root / "locked").mkdir()
    (root / "locked" / "f.txt").write_bytes(b"mine")
    (root / "locked").chmod(0o555)
    try:
        for version in (b"2", b"3"):
            treeio.write_tree(root, {"a.md": b"GENERATED " + version}, keep=_users)
        assert (root / "locked" / "f.txt").read_bytes() == b"mine"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    finally:
        (root / "locked").chmod(0o755)


def test_a_tree_that_does_not_fit_on_disk_is_refused_before_staging(tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "free_disk", lambda path: 1024)
    with pytest.raises(resources.ResourceError, match="would write about"):
        treeio.write_tree(tmp_path / "out", {"a.md": b"x" * 4096})
    assert list(tmp_path.iterdir()) == []


def test_an_unreadable_folder_is_an_error_not_a_loss(tmp_path: Path, monkeypatch) -> None:
    """What the walk cannot see could not be kept: it raises instead of skipping."""
    root = tmp_path / "out"
    treeio.write_tree(root, {"a.md": b"GENERATED a"})
    (root / "sub").mkdir()
    real = os.scandir

    def failing(path="."):
        if Path(path).name == "sub":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", failing)
    with pytest.raises(PermissionError):
        treeio.write_tree(root, {"a.md": b"GENERATED a2"}, keep=_users)
    monkeypatch.undo()
    assert treeio.existing_files(root) == {"a.md": b"GENERATED a"}


# --- the derivations tree: generated by place and content, decided once ----------------


def _png(fingerprint: str | None) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    text = chunk(b"tEXt", b"rwpca-fingerprint\0" + fingerprint.encode()) if fingerprint else b""
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + text + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("relative", "data", "generated"),
    [
        ("rw.evr.md", b"# x\n\n---\n\n*Generated by `rwpca derive` (rwpca 9) ...*\n", True),
        ("old.entry.md", b"text\n*Generated by `rwpca derive` (rwpca 0.1.0) x*\n", True),
        ("notes.md", b"my own notes\n", False),
        ("mynotes/copy.md", b"*Generated by `rwpca derive` (rwpca 0.1.0)*\n", False),
        ("figures/f.png", _png("abc"), True),
        ("figures/mine.png", _png(None), False),
        ("elsewhere/f.png", _png("abc"), False),
        ("catalog.json", b'[{"id": "a", "sympy": "x", "document": "a.md"}]', True),
        ("catalog.json", b'{"my": "catalog"}', False),
        ("catalog.json", b"not json", False),
        ("important.txt", b"*Generated by `rwpca derive`*", False),
    ],
)
def test_generated_files_are_told_by_place_and_content(tmp_path, relative, data, generated):
    from rwpca.documents import generate

    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    assert generate.is_generated_file(relative, path) is generated
    assert generate.is_users(relative, path) is not generated


def test_only_a_large_files_ends_are_read(tmp_path: Path, monkeypatch) -> None:
    """A user's big file is probed at its head and tail, never read whole."""
    from rwpca.documents import generate

    big = tmp_path / "big.md"
    with open(big, "wb") as stream:
        stream.truncate(1 << 30)  # sparse: 1 GiB of zeros, no disk used
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read whole"))
    assert not generate.is_generated_file("big.md", big)


def test_the_committed_tree_is_recognised_file_by_file() -> None:
    """Every file of the committed derivations/ is generated, and the tree is rwpca's."""
    from rwpca.documents import generate

    root = generate.default_root()
    assert generate.is_derivations_tree(root)
    assert not generate.is_derivations_tree(root.parent)
    entries, _folders = treeio.walk(root)
    assert [p for p in entries if not generate.is_generated_file(p, root / p)] == []


def test_every_generated_document_carries_the_mark(generated) -> None:
    """What the predicate relies on: generate() puts the footer on every document."""
    from rwpca.documents import generate

    documents = [p for p in generated if p.endswith(".md")]
    assert "verification.md" in documents and "README.md" in documents
    assert [p for p in documents if generate.GENERATED_MARK not in generated[p]] == []


def test_outside_a_checkout_derive_needs_out(monkeypatch, tmp_path: Path) -> None:
    from rwpca.documents import generate

    monkeypatch.setattr(generate, "__file__", str(tmp_path / "rwpca" / "documents" / "x.py"))
    with pytest.raises(ValueError, match="needs --out DIR here"):
        generate.default_root()


# --- atomic files ---------------------------------------------------------------------


def test_atomic_writes_leave_nothing_on_failure(tmp_path: Path, monkeypatch) -> None:
    from rwpca.numerics import atomic

    target = tmp_path / "f.bin"
    target.write_bytes(b"old")

    def failing(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_file_atomic(target, b"new")
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"] and target.read_bytes() == b"old"


def test_signals_are_held_and_delivered_after_the_block() -> None:
    import signal

    from rwpca.numerics import atomic

    # a process started in the background by a shell without job control ignores SIGINT;
    # the test is about the deferral, so Python's own handler is put in place for it
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            with atomic.signals_deferred():
                signal.raise_signal(signal.SIGINT)
                reached = True  # the signal waited for the block to end
    finally:
        signal.signal(signal.SIGINT, previous)
    assert reached


def test_umask_is_honoured_by_every_writer(tmp_path: Path) -> None:
    """Training output and recorder snapshots get the umask's mode, as open() would."""
    import numpy as np

    from rwpca.numerics.checkpoints.recorder import Recorder
    from rwpca.numerics.trajectories.training import RunConfig, train

    old = os.umask(0o002)
    try:
        train(RunConfig("linear", steps=3, features=4), tmp_path / "t.npy")
        with Recorder(tmp_path / "rec") as recorder:
            recorder.record({"w": np.zeros(3, dtype=np.float32)})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "t.npy").stat().st_mode) == 0o664
    snapshot = next((tmp_path / "rec").glob("step_*.safetensors"))
    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o664


def test_a_figure_with_unchanged_data_keeps_its_bytes(tmp_path: Path) -> None:
    """Regenerating a tree leaves an unchanged figure's committed PNG as it is; a figure whose
    data changed is replaced."""
    from rwpca.documents import generate
    from rwpca.plots import figures

    drawn = figures.render("evr")
    fingerprint = figures.png_fingerprint(drawn)
    assert fingerprint is not None
    index = b"# index\n\n" + generate.GENERATED_MARK + b"*\n"
    generate.write(tmp_path, {"README.md": index, "figures/evr.png": drawn})
    same_data = figures.fingerprint_png(fingerprint)  # other bytes, the same fingerprint
    assert same_data != drawn
    generate.write(tmp_path, {"README.md": index, "figures/evr.png": same_data})
    assert (tmp_path / "figures" / "evr.png").read_bytes() == drawn
    other = figures.fingerprint_png("0" * len(fingerprint))
    generate.write(tmp_path, {"README.md": index, "figures/evr.png": other})
    assert (tmp_path / "figures" / "evr.png").read_bytes() == other

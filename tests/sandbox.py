"""A user's folder for CLI tests: real read-only folders, snapshots of what the user has.

Read-only must be real. Root ignores permission bits, and the tests run as root in this
container, so ``chmod 0o555`` alone would prove nothing. As root, :func:`make_read_only`
sets the file system's *immutable* attribute instead (``chattr +i``, the ``FS_IOC_SETFLAGS``
ioctl). The kernel then refuses to create, rename or remove anything in the folder, for root
too: ``os.access(..., W_OK)`` answers False and a write raises ``PermissionError``. This
needs CAP_LINUX_IMMUTABLE and a file system that has the attribute (ext4, xfs, btrfs); where
they are missing, the tests that need a read-only folder skip and say why. Without root, a
plain ``0o555`` folder is read-only already.
"""

from __future__ import annotations

import array
import fcntl
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

_GET_FLAGS, _SET_FLAGS, _IMMUTABLE = 0x80086601, 0x40086602, 0x10


def is_root() -> bool:
    return os.geteuid() == 0


def _immutable(path: Path, on: bool) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        flags = array.array("i", [0])
        fcntl.ioctl(fd, _GET_FLAGS, flags, True)
        value = flags[0] | _IMMUTABLE if on else flags[0] & ~_IMMUTABLE
        fcntl.ioctl(fd, _SET_FLAGS, array.array("i", [value]))
    finally:
        os.close(fd)


def _entries(path: Path) -> list[Path]:
    found = [path]
    for current, dirnames, filenames in os.walk(path):
        found += [Path(current) / name for name in dirnames + filenames]
    return [p for p in found if not p.is_symlink()]


def make_read_only(path: Path) -> None:
    """Make a folder and what it holds read-only for this process, root or not."""
    if not is_root():
        for entry in reversed(_entries(path)):
            entry.chmod(0o555 if entry.is_dir() else 0o444)
        return
    try:
        for entry in reversed(_entries(path)):
            _immutable(entry, True)
    except OSError as error:
        release(path)
        pytest.skip(f"cannot make a folder read-only for root here ({error.strerror})")


def release(path: Path) -> None:
    """Undo :func:`make_read_only` (before a folder can be removed)."""
    for entry in _entries(path):
        if is_root():
            try:
                _immutable(entry, False)
            except OSError:
                pass
        else:
            entry.chmod(0o755 if entry.is_dir() else 0o644)


@contextmanager
def sandbox_root() -> Iterator[Path]:
    """A new folder, removed afterwards with everything in it (read-only parts included)."""
    base = Path(tempfile.mkdtemp(prefix="rwpca-sandbox-"))
    try:
        yield base
    finally:
        release(base)
        shutil.rmtree(base, ignore_errors=True)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry below ``root`` (not following links): kind, content hash, mode, mtime."""
    entries: dict[str, tuple] = {}
    for current, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(current) / name
            info = path.lstat()
            relative = path.relative_to(root).as_posix()
            if stat.S_ISLNK(info.st_mode):
                entries[relative] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                entries[relative] = ("folder", stat.S_IMODE(info.st_mode))
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                entries[relative] = (
                    "file",
                    digest,
                    stat.S_IMODE(info.st_mode),
                    info.st_mtime_ns,
                )
    return entries


def user_folder(base: Path) -> Path:
    """``base/home``, a user's folder for CLI tests: notes, a 20 x 400 trajectory ``run.npy``,
    a folder named like a file (``folder.png``), a file in the way of a folder (``afile``)
    and a real read-only folder ``ro`` holding ``keep.txt``."""
    import numpy as np

    root = base / "home"
    root.mkdir()
    (root / "notes.txt").write_text("my notes\n")
    rng = np.random.default_rng(0)
    np.save(root / "run.npy", np.cumsum(rng.standard_normal((20, 400)), axis=0))
    (root / "folder.png").mkdir()
    (root / "afile").write_text("a file, not a folder\n")
    (root / "ro").mkdir()
    (root / "ro" / "keep.txt").write_text("keep\n")
    make_read_only(root / "ro")
    return root

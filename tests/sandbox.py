"""A user's folder for CLI tests: real read-only folders, snapshots of what the user has.

Read-only must be real. Root ignores permission bits, and the tests run as root in this
container, so ``chmod 0o555`` alone would prove nothing. When the process is root,
:func:`as_user` switches the real and effective user and group to ``nobody`` for the block
and back afterwards. The switch is ``setresuid(nobody, nobody, 0)``, which keeps root as the
saved user ID, so it can be undone in the same process. Inside the block the kernel refuses
writes into root's 0755 folders exactly as it would for any user. The folders the user owns
are chowned to ``nobody``. Without root, the read-only folders are plain ``0o555`` ones.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NOBODY = 65534


def is_root() -> bool:
    return os.geteuid() == 0


@contextmanager
def as_user() -> Iterator[None]:
    """Run the block as an unprivileged user (``nobody`` when the process is root)."""
    if not is_root():
        yield
        return
    os.setresgid(NOBODY, NOBODY, 0)
    os.setresuid(NOBODY, NOBODY, 0)
    try:
        yield
    finally:
        os.setresuid(0, 0, 0)
        os.setresgid(0, 0, 0)


def give_to_user(path: Path) -> None:
    """Make ``path`` (and everything below it) the user's: owned by them, writable."""
    for current, dirnames, filenames in os.walk(path):
        for name in [current, *(os.path.join(current, n) for n in dirnames + filenames)]:
            if is_root():
                os.lchown(name, NOBODY, NOBODY)
    if not is_root():
        path.chmod(0o755)


def make_read_only(path: Path) -> None:
    """A folder the user can read and enter but not write (owned by root, or mode 0o555)."""
    if is_root():
        for current, dirnames, filenames in os.walk(path):
            for name in [current, *(os.path.join(current, n) for n in dirnames + filenames)]:
                os.lchown(name, 0, 0)
        path.chmod(0o755)
    else:
        path.chmod(0o555)


@contextmanager
def sandbox_root() -> Iterator[Path]:
    """A new folder that ``nobody`` can reach (pytest's tmp_path is root's 0700 folder)."""
    base = Path(tempfile.mkdtemp(prefix="rwpca-sandbox-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for current, dirnames, _files in os.walk(base):
            for name in [current, *(os.path.join(current, n) for n in dirnames)]:
                try:
                    os.chmod(name, 0o755)
                except OSError:
                    pass
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

"""Atomic writing and staleness checks of a generated directory tree.

:func:`write_tree` writes every file into a staging directory next to the target and then
swaps the two directories: with ``renameat2(RENAME_EXCHANGE)`` on Linux (one atomic
step), elsewhere with two renames and a recovery of the previous tree if the second one
never happened. An interrupted run leaves the previous tree intact.

A generated tree may share its folder with files the user put there: ``write_tree`` carries
every file that its ``keep`` predicate recognises as not generated into the new tree
unchanged (content, mode and modification time), and :func:`stale_files` does not count
them. Files are created with the permissions the user's umask allows, as ``open`` would.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

Comparator = Callable[[str, bytes, bytes], bool]


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False if unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _backup_path(root: Path) -> Path:
    return root.with_name(f".{root.name}.previous")


def recover(root: Path) -> None:
    """Restore the previous tree if an earlier two-rename swap was interrupted."""
    backup = _backup_path(root)
    if backup.exists():
        if not root.exists():
            os.rename(backup, root)
        else:
            shutil.rmtree(backup)


#: A predicate on (relative path, current bytes): True for a file the generator does not own.
Keep = Callable[[str, bytes], bool]


def _umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # no /proc: set and restore at once
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode ``open(path, "w")`` would give a new file under the current umask."""
    return 0o666 & ~_umask()


def directory_mode() -> int:
    """The mode ``mkdir`` would give a new directory under the current umask."""
    return 0o777 & ~_umask()


def kept_files(root: Path, files: Mapping[str, bytes], keep: Keep | None) -> list[str]:
    """Files below ``root`` that ``files`` does not hold and ``keep`` says are the user's."""
    if keep is None:
        return []
    return [
        path
        for path, data in existing_files(root).items()
        if path not in files and keep(path, data)
    ]


def write_tree(root: Path, files: Mapping[str, bytes], keep: Keep | None = None) -> list[str]:
    """Replace the generated files of ``root`` by ``files`` (relative path -> bytes), atomically.

    Files below ``root`` that are not in ``files`` are removed, except those for which
    ``keep(path, data)`` is True: they are copied into the new tree unchanged. Returns the
    relative paths that were kept.
    """
    root = Path(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    recover(root)
    kept = kept_files(root, files, keep)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=root.parent))
    try:
        for relative, data in sorted(files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        for relative in kept:
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / relative, path, follow_symlinks=False)
        if root.is_dir():
            shutil.copymode(root, staging)
        else:
            staging.chmod(directory_mode())
        if root.exists() and _exchange(staging, root):
            shutil.rmtree(staging)  # staging now holds the previous tree
            return kept
        if root.exists():
            os.rename(root, _backup_path(root))
        os.rename(staging, root)
        shutil.rmtree(_backup_path(root), ignore_errors=True)
        return kept
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        recover(root)
        raise


def existing_files(root: Path) -> dict[str, bytes]:
    """All files below ``root`` as relative POSIX path -> bytes."""
    root = Path(root)
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def stale_files(
    root: Path,
    files: Mapping[str, bytes],
    same: Comparator = lambda _path, a, b: a == b,
    keep: Keep | None = None,
) -> list[str]:
    """Relative paths that differ between ``root`` and ``files``: changed, missing or extra.

    An extra file for which ``keep`` is True is the user's, not stale.
    """
    current = existing_files(root)
    stale = [
        path
        for path, data in files.items()
        if path not in current or not same(path, current[path], data)
    ]
    stale += [
        path
        for path, data in current.items()
        if path not in files and not (keep is not None and keep(path, data))
    ]
    return sorted(stale)


def write_file_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename: all or nothing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        # mkstemp creates 0600; the file gets the mode a plain open() would give it
        os.fchmod(handle, file_mode())
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

"""Atomic writing and staleness checks of a generated directory tree.

:func:`write_tree` writes every file into a staging directory next to the target and then
swaps the two directories: with ``renameat2(RENAME_EXCHANGE)`` on Linux (one atomic
step), elsewhere with two renames and a recovery of the previous tree if the second one
never happened. An interrupted run leaves the previous tree intact.
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


def write_tree(root: Path, files: Mapping[str, bytes]) -> None:
    """Replace the directory ``root`` by exactly ``files`` (relative path -> bytes), atomically."""
    root = Path(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    recover(root)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=root.parent))
    try:
        for relative, data in sorted(files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        staging.chmod(0o755)
        if root.exists() and _exchange(staging, root):
            shutil.rmtree(staging)  # staging now holds the previous tree
            return
        if root.exists():
            os.rename(root, _backup_path(root))
        os.rename(staging, root)
        shutil.rmtree(_backup_path(root), ignore_errors=True)
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
    root: Path, files: Mapping[str, bytes], same: Comparator = lambda _path, a, b: a == b
) -> list[str]:
    """Relative paths that differ between ``root`` and ``files``: changed, missing or extra."""
    current = existing_files(root)
    stale = [
        path
        for path, data in files.items()
        if path not in current or not same(path, current[path], data)
    ]
    stale += [path for path in current if path not in files]
    return sorted(stale)


def write_file_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename: all or nothing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

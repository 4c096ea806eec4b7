"""Atomic writing and staleness checks of a generated directory tree.

:func:`write_tree` writes every file into a staging directory next to the target and then
swaps the two directories: with ``renameat2(RENAME_EXCHANGE)`` on Linux (one atomic
step), elsewhere with two renames and a recovery of the previous tree if the second one
never happened. An interrupted run leaves the previous tree intact and no staging folder
(the swap and its clean-up run with the stop signals held, :func:`signals_deferred`).

A generated tree may share its folder with the user's files: ``write_tree`` carries every
entry that its ``keep`` predicate recognises as not generated into the new tree unchanged
(hard-linked, so content, mode and modification time are those of the same file; copied
where the file system has no hard links), user folders with their modes, empty ones and
symbolic links included, and :func:`stale_files` does not count them. Nothing is read
beyond what ``keep`` reads. Files are created with the permissions the user's umask
allows, as ``open`` would (:mod:`rwpca.numerics.atomic`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from rwpca.numerics.atomic import (
    directory_mode,
    file_mode,
    signals_deferred,
    umask,
    write_file_atomic,
)
from rwpca.numerics.resources import require_disk

Comparator = Callable[[str, bytes, bytes], bool]
#: A predicate on (relative POSIX path, path on disk): True for an entry the generator does
#: not own (the user's), which is kept. It reads what it needs (never the whole tree).
Keep = Callable[[str, Path], bool]


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


def _raise(error: OSError) -> None:
    raise error


def walk(root: Path) -> tuple[list[str], list[str]]:
    """(entries, folders) below ``root``: relative POSIX paths, sorted, links not followed.

    Entries are everything that is not a folder (files, symbolic links, including links to
    folders). A folder that cannot be read raises ``OSError`` rather than being skipped:
    what is not seen could not be kept.
    """
    root = Path(root)
    entries: list[str] = []
    folders: list[str] = []
    if not root.is_dir():
        return entries, folders
    for current, dirnames, filenames in os.walk(root, onerror=_raise):
        here = Path(current)
        for name in dirnames:
            relative = (here / name).relative_to(root).as_posix()
            (entries if (here / name).is_symlink() else folders).append(relative)
        entries += [(here / name).relative_to(root).as_posix() for name in filenames]
    return sorted(entries), sorted(folders)


def kept_entries(
    root: Path, files: Mapping[str, bytes], keep: Keep | None
) -> tuple[list[str], list[str]]:
    """(entries, folders) of ``root`` to carry over: ``keep`` says they are the user's.

    A folder is carried over when it holds a kept entry or is empty (the generator writes
    files only, so an empty folder is the user's).
    """
    if keep is None:
        return [], []
    entries, folders = walk(root)
    root = Path(root)
    kept = [path for path in entries if path not in files and keep(path, root / path)]
    holders = {parent.as_posix() for path in kept for parent in Path(path).parents}
    empty = [f for f in folders if not any((root / f).iterdir())]
    return kept, sorted({*(f for f in folders if f in holders), *empty})


def _check_no_conflict(root: Path, files: Mapping[str, bytes], kept: list[str],
                       folders: list[str]) -> None:  # fmt: skip
    """A kept entry in the way of a generated file (or inside one's path) is an error."""
    generated_folders = {p.as_posix() for path in files for p in Path(path).parents}
    for path in [*kept, *folders]:
        if path in files or (path in kept and path in generated_folders):
            raise ValueError(
                f"{root / path} is in the way of a file rwpca generates there: move it "
                "elsewhere (nothing was written)"
            )
        for parent in Path(path).parents:
            if parent.as_posix() in files:
                raise ValueError(
                    f"{root / path} is in the way of the generated {root / parent}: move it "
                    "elsewhere (nothing was written)"
                )


def _carry(source: Path, target: Path) -> None:
    """Put ``source`` at ``target`` unchanged: a hard link, else a copy (links as links)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target, follow_symlinks=False)
        return
    except OSError:
        pass
    mode = source.lstat().st_mode
    if stat.S_ISLNK(mode):
        os.symlink(os.readlink(source), target)
    elif stat.S_ISREG(mode):
        shutil.copy2(source, target, follow_symlinks=False)
    else:
        raise ValueError(
            f"{source} is neither a file nor a link and cannot be carried over: move it "
            "elsewhere (nothing was written)"
        )


def write_tree(root: Path, files: Mapping[str, bytes], keep: Keep | None = None) -> list[str]:
    """Replace the generated files of ``root`` by ``files`` (relative path -> bytes), atomically.

    Entries below ``root`` that are not in ``files`` are removed, except those for which
    ``keep(path, location)`` is True: they are carried into the new tree unchanged, with
    their folders. Returns the relative paths that were kept. Raises ``ValueError`` before
    writing anything if a kept entry is in the way of a generated file, and
    :class:`~rwpca.numerics.resources.ResourceError` if the disk has no room for the tree.
    """
    root = Path(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    recover(root)
    kept, folders = kept_entries(root, files, keep)
    _check_no_conflict(root, files, kept, folders)
    require_disk(root.parent, sum(len(data) for data in files.values()), f"the tree {root}")
    staging: Path | None = None
    try:
        with signals_deferred():
            staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=root.parent))
        for relative, data in sorted(files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)  # a new file: open() gives it the umask's mode
        for relative in kept:
            _carry(root / relative, staging / relative)
        for relative in reversed(folders):  # deepest first: a parent's stat is set last
            (staging / relative).mkdir(parents=True, exist_ok=True)
            shutil.copystat(root / relative, staging / relative)
        if root.is_dir():
            shutil.copymode(root, staging)
        else:
            staging.chmod(directory_mode())
        with signals_deferred():
            if root.exists() and _exchange(staging, root):
                previous = staging  # staging now holds the previous tree
            else:
                if root.exists():
                    os.rename(root, _backup_path(root))
                os.rename(staging, root)
                previous = _backup_path(root)
            staging = None
            remove_tree(previous)
        return kept
    except BaseException:
        if staging is not None:
            with signals_deferred():
                remove_tree(staging)
                recover(root)
        raise


def remove_tree(path: Path) -> None:
    """Remove a folder and everything below it, read-only subfolders included.

    A carried-over user folder keeps its mode, which may deny writing; the entries it held
    are the new tree's (hard links), so the old copy is removed after adding write
    permission to the folder that holds it.
    """

    def retry(function, name, _error):
        parent = Path(name).parent
        try:
            parent.chmod(parent.stat().st_mode | stat.S_IWUSR | stat.S_IXUSR)
            function(name)
        except OSError:
            pass  # nothing more to do: the rest is removed, the new tree is in place

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=retry)
    else:
        shutil.rmtree(path, onerror=retry)


def existing_files(root: Path) -> dict[str, bytes]:
    """All regular files below ``root`` as relative POSIX path -> bytes (links not followed)."""
    root = Path(root)
    entries, _folders = walk(root)
    return {path: (root / path).read_bytes() for path in entries if _is_file(root / path)}


def _is_file(path: Path) -> bool:
    return stat.S_ISREG(path.lstat().st_mode)


def stale_files(
    root: Path,
    files: Mapping[str, bytes],
    same: Comparator = lambda _path, a, b: a == b,
    keep: Keep | None = None,
) -> list[str]:
    """Relative paths that differ between ``root`` and ``files``: changed, missing or extra.

    An extra entry for which ``keep`` is True is the user's, not stale. Only the files of
    ``files`` are read (and what ``keep`` reads).
    """
    root = Path(root)
    entries, _folders = walk(root)
    present = set(entries)
    stale = [
        path
        for path, data in files.items()
        if path not in present
        or not _is_file(root / path)
        or not same(path, (root / path).read_bytes(), data)
    ]
    stale += [
        path
        for path in entries
        if path not in files and not (keep is not None and keep(path, root / path))
    ]
    return sorted(stale)


__all__ = [
    "Comparator",
    "Keep",
    "directory_mode",
    "existing_files",
    "file_mode",
    "kept_entries",
    "recover",
    "remove_tree",
    "stale_files",
    "umask",
    "walk",
    "write_file_atomic",
    "write_tree",
]

"""Output targets checked before any work starts: a bad target costs nothing.

Every command that writes calls one of these first. Each raises ``ValueError`` with one line
naming the option, the path and what is allowed, so the CLI exits with status 2 before a
long computation, not after it (issue: ``derive --out`` into a read-only folder used to fail
after 209 s).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from rwpca.numerics.resources import require_disk


def _can(path: Path, mode: int) -> bool:
    """os.access with the effective user (the one that writes), where the system allows."""
    if os.access in os.supports_effective_ids:
        return os.access(path, mode, effective_ids=True)
    return os.access(path, mode)


def _nearest_existing(path: Path) -> Path:
    probe = path.absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def _require_writable_folder(folder: Path, option: str, path: Path) -> None:
    if not folder.is_dir():
        raise ValueError(f"{option} {path} is not allowed: {folder} is a file, not a folder")
    if not _can(folder, os.W_OK | os.X_OK):
        raise ValueError(
            f"{option} {path} is not allowed: the folder {folder} is not writable by you"
        )


def check_file_target(
    path: Path, option: str, *, suffix: str | None = None, size: float = 0
) -> None:
    """A file may be written at ``path``: not a folder, in a writable place, room on disk.

    Missing parent folders are allowed (they are created) if the nearest existing one is
    writable. ``suffix`` (for example ``".png"``) is the required extension.
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{option} {path} is not allowed: it is an existing folder")
    if suffix is not None and path.suffix.lower() != suffix:
        raise ValueError(f"{option} {path} is not allowed: the file must end in {suffix}")
    if path.exists() and not _can(path, os.W_OK):
        raise ValueError(f"{option} {path} is not allowed: the file is not writable by you")
    _require_writable_folder(_nearest_existing(path.parent), option, path)
    if size:
        require_disk(path, size, f"{option} {path}")


def check_tree_target(
    root: Path, option: str, owned: Callable[[Path], bool], *, size: float = 0
) -> None:
    """A generated tree may replace ``root``: new, empty, or a tree this generator made.

    ``owned(root)`` recognises a tree the generator wrote (for ``rwpca derive``, its index).
    A non-empty folder that is not owned is refused, so nothing of the user's is replaced.
    """
    root = Path(root)
    if root.is_symlink():
        raise ValueError(
            f"{option} {root} is not allowed: it is a symbolic link; give the folder itself"
        )
    if root.exists() and not root.is_dir():
        raise ValueError(f"{option} {root} is not allowed: it exists and is not a folder")
    if root.is_dir() and any(root.iterdir()) and not owned(root):
        raise ValueError(
            f"{option} {root} is not allowed: it is a non-empty folder that rwpca did not "
            "generate; choose a new or empty folder"
        )
    _require_writable_folder(_nearest_existing(root.parent), option, root)
    if root.is_dir() and not _can(root, os.W_OK | os.X_OK):
        raise ValueError(f"{option} {root} is not allowed: the folder is not writable by you")
    if size:
        require_disk(root, size, f"{option} {root}")

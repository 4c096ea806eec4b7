"""Files written all or nothing, with the permissions the user's umask gives.

Every writer of rwpca goes through here (``rwpca.treeio`` for whole trees): the data go to a
hidden temporary file beside the target, which is renamed over the target only when it is
complete, so an interrupted run (an error, Ctrl-C, SIGTERM: the CLI turns SIGTERM into an
exception) leaves the previous file and no temporary behind. ``tempfile.mkstemp`` creates
files with mode 0600 and a rename keeps that mode; the temporary file is given the mode a
plain ``open(path, "w")`` would have given it instead (0644 under umask 022).

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_file_atomic(folder / "a.txt", b"hello")
>>> (folder / "a.txt").read_bytes(), sorted(p.name for p in folder.iterdir())
(b'hello', ['a.txt'])
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: The signals that stop a run: held back while a temporary file is created or a rename and
#: its clean-up run, so that no temporary is left between two steps.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def umask() -> int:
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
    return 0o666 & ~umask()


def directory_mode() -> int:
    """The mode ``mkdir`` would give a new directory under the current umask."""
    return 0o777 & ~umask()


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP while the block runs; deliver the first one after it.

    Python runs signal handlers in the main thread between two bytecodes, so a handler that
    raises (KeyboardInterrupt, the CLI's SIGTERM exception) could fire between creating a
    temporary file and recording its name. The handlers are swapped for one that only
    records the signal (Python-level, so it works whichever thread the OS picks); outside
    the main thread, where handlers cannot be changed, the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {number: signal.signal(number, lambda sig, _frame: pending.append(sig))
                for number in STOP_SIGNALS}  # fmt: skip
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if pending:
            signal.raise_signal(pending[0])


@contextmanager
def temporary_beside(path: Path, suffix: str = "") -> Iterator[Path]:
    """A new hidden file next to ``path`` (mode as ``open`` gives), removed unless renamed.

    The caller writes the temporary file and renames it over ``path`` (``os.replace``)
    inside the ``with`` block; on any exception, including KeyboardInterrupt, the
    temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary: Path | None = None
    try:
        with signals_deferred():
            handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
            temporary = Path(name)
        try:
            os.fchmod(handle, file_mode())
        finally:
            os.close(handle)
        yield temporary
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)  # a no-op once renamed


def write_file_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename: all or nothing."""
    path = Path(path)
    with temporary_beside(path) as temporary:
        with open(temporary, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)


__all__ = [
    "STOP_SIGNALS",
    "directory_mode",
    "file_mode",
    "signals_deferred",
    "temporary_beside",
    "umask",
    "write_file_atomic",
]

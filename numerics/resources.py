"""What a computation will cost, checked before it starts: memory and disk.

A size a user types (``n``, ``d``, a number of steps) can ask for more memory or disk than the
machine has. The numeric functions estimate their peak before allocating and call
:func:`require_memory` / :func:`require_disk`, which raise :class:`ResourceError` (a
``ValueError``, so the CLI reports one line and exit status 2) naming the request, its cost
and the limit, instead of a ``MemoryError`` half-way or a full disk.

>>> format_bytes(3 * 2**30)
'3.0 GiB'
>>> require_memory(10**30, "a walk with n = 10^15 steps")
Traceback (most recent call last):
...
rwpca.numerics.resources.ResourceError: a walk with n = 10^15 steps needs about 9.1e+17 TiB of memory, more than the ... available
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: Fraction of the available memory a computation may plan to use: the rest is headroom for
#: the interpreter, libraries and other processes on a shared machine.
MEMORY_SHARE = 0.8
#: Bytes kept free on a disk after a write.
DISK_MARGIN = 64 * 2**20


class ResourceError(ValueError):
    """A request that would need more memory or disk than there is."""


def format_bytes(count: float) -> str:
    """A byte count in binary units, three significant figures."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB" if value < 1e4 else f"{value:.2g} TiB"


def available_memory() -> int:
    """Bytes of memory available to a new allocation (MemAvailable, cgroup limit, or total)."""
    limits = []
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
                    break
    except OSError:
        pass
    for name in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(name).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:
            limits.append(int(text))
    if not limits:
        try:
            limits.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
        except (ValueError, OSError, AttributeError):
            return 2**63
    return min(limits)


def require_memory(nbytes: float, what: str) -> None:
    """Raise :class:`ResourceError` if ``what`` needs more than its share of free memory."""
    limit = MEMORY_SHARE * available_memory()
    if nbytes > limit:
        raise ResourceError(
            f"{what} needs about {format_bytes(nbytes)} of memory, more than the "
            f"{format_bytes(limit)} available"
        )


def free_disk(path: Path) -> int:
    """Free bytes on the file system that would hold ``path`` (its nearest existing parent)."""
    probe = Path(path).absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def require_disk(path: Path, nbytes: float, what: str) -> None:
    """Raise :class:`ResourceError` if writing ``nbytes`` at ``path`` would fill its disk."""
    free = free_disk(path)
    if nbytes + DISK_MARGIN > free:
        raise ResourceError(
            f"{what} would write about {format_bytes(nbytes)} to {path}, more than the "
            f"{format_bytes(max(free - DISK_MARGIN, 0))} free there"
        )

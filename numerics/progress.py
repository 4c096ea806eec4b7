"""Progress of long computations: the one adapter between the numeric layer and a display.

Numeric functions take a ``progress`` argument and never draw bars themselves: they open a
:func:`task` and call ``update``. What the user sees is decided by the caller:

* ``None`` or ``"auto"`` (the default): a tqdm bar when stderr is a terminal, otherwise one
  plain line every :data:`LINE_INTERVAL` seconds (CI logs, ``nohup``, notebooks), also while
  a single item takes longer, so long work is never silent and short work prints nothing;
* ``"bar"``: always a tqdm bar; ``"lines"``: always plain lines;
* ``"none"`` or ``False``: nothing; ``True`` is ``"auto"``;
* a :class:`Reporter` with its own stream and interval.

>>> import io
>>> stream = io.StringIO()
>>> with task(Reporter(ProgressMode.LINES, stream=stream, interval=0), "demo", total=2) as t:
...     t.update()
...     t.update()
>>> stream.getvalue().splitlines()[-1].startswith("rwpca: demo: 2/2 it (100%)")
True
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TextIO, TypeVar

#: Seconds between two progress lines when stderr is not a terminal.
LINE_INTERVAL = 10.0

T = TypeVar("T")


class ProgressMode(StrEnum):
    """How progress is shown (the CLI's ``--progress``)."""

    AUTO = "auto"
    BAR = "bar"
    LINES = "lines"
    NONE = "none"


class Task(Protocol):
    """One unit of long work: ``update(k)`` says that k more items are done."""

    def update(self, amount: int = 1) -> None: ...


@dataclass(frozen=True)
class Reporter:
    """Where and how progress goes: a mode, a stream (stderr by default), a line interval."""

    mode: ProgressMode = ProgressMode.AUTO
    stream: TextIO | None = None
    interval: float = LINE_INTERVAL

    def resolved(self) -> ProgressMode:
        """The mode with ``auto`` decided by whether the stream is a terminal."""
        if self.mode is not ProgressMode.AUTO:
            return self.mode
        stream = self.target()
        isatty = getattr(stream, "isatty", None)
        return ProgressMode.BAR if isatty is not None and isatty() else ProgressMode.LINES

    def target(self) -> TextIO:
        return self.stream if self.stream is not None else sys.stderr


#: What a ``progress`` argument may be.
ProgressArg = Reporter | ProgressMode | str | bool | None


def reporter(progress: ProgressArg) -> Reporter:
    """The :class:`Reporter` a ``progress`` argument stands for (ValueError if it is none).

    >>> reporter(False).mode
    <ProgressMode.NONE: 'none'>
    >>> reporter("lines").mode
    <ProgressMode.LINES: 'lines'>
    >>> reporter("loud")
    Traceback (most recent call last):
    ...
    ValueError: progress = 'loud' is not allowed: use one of auto, bar, lines, none
    """
    if isinstance(progress, Reporter):
        return progress
    if progress is None or progress is True:
        return Reporter(ProgressMode.AUTO)
    if progress is False:
        return Reporter(ProgressMode.NONE)
    try:
        return Reporter(ProgressMode(progress))
    except ValueError:
        allowed = ", ".join(mode.value for mode in ProgressMode)
        raise ValueError(f"progress = {progress!r} is not allowed: use one of {allowed}") from None


def bar_flag(progress: ProgressArg) -> bool:
    """True when ``progress`` shows a bar: for callees that still take tqdm's boolean flag.

    Such a callee draws its own bar or nothing, so in ``lines`` (and ``none``) mode it is
    silenced and the caller's plain lines report the progress.

    >>> bar_flag("bar"), bar_flag("lines"), bar_flag(False)
    (True, False, False)
    """
    return reporter(progress).resolved() is ProgressMode.BAR


class _Silent:
    def update(self, amount: int = 1) -> None:
        pass


class _Lines:
    """Plain lines, one per interval, and a last line when work took a while.

    A line is printed by the update that comes an interval after the previous line, or,
    while one item takes longer than the interval, by a heartbeat thread: so long work
    prints at least one line per interval even between updates.
    """

    def __init__(self, stream: TextIO, desc: str, total: int | None, unit: str, interval: float):
        self.stream, self.desc, self.total, self.unit = stream, desc, total, unit
        self.interval = interval
        self.done = 0
        self.start = self.last = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._heart: threading.Thread | None = None
        if interval > 0:  # interval 0: every update prints, no heartbeat is needed
            self._heart = threading.Thread(target=self._beat, name="rwpca-progress", daemon=True)
            self._heart.start()

    def _beat(self) -> None:
        while True:
            with self._lock:
                wait = self.last + self.interval - time.monotonic()
            if self._stop.wait(max(wait, 0.0)):
                return
            with self._lock:
                now = time.monotonic()
                if now - self.last >= self.interval:
                    self.emit(now)

    def update(self, amount: int = 1) -> None:
        with self._lock:
            self.done += amount
            now = time.monotonic()
            if now - self.last >= self.interval:
                self.emit(now)

    def emit(self, now: float) -> None:
        self.last = now
        if self.total:
            count = f"{self.done}/{self.total} {self.unit} ({100 * self.done // self.total}%)"
        else:
            count = f"{self.done} {self.unit}"
        print(
            f"rwpca: {self.desc}: {count}, {now - self.start:.0f} s elapsed",
            file=self.stream,
            flush=True,
        )

    def close(self) -> None:
        self._stop.set()
        if self._heart is not None:
            self._heart.join()
        now = time.monotonic()
        if self.last > self.start or now - self.start >= self.interval:
            self.emit(now)


@contextmanager
def task(
    progress: ProgressArg, desc: str, total: int | None = None, unit: str = "it"
) -> Iterator[Task]:
    """Open a progress display for ``total`` items of ``unit`` described by ``desc``."""
    config = reporter(progress)
    mode = config.resolved()
    if mode is ProgressMode.NONE:
        yield _Silent()
    elif mode is ProgressMode.LINES:
        lines = _Lines(config.target(), desc, total, unit, config.interval)
        try:
            yield lines
        finally:
            lines.close()
    else:
        from tqdm import tqdm  # only when a bar is drawn

        bar: Any = tqdm(total=total, desc=desc, unit=unit, file=config.target(), leave=False)
        try:
            yield bar
        finally:
            bar.close()


def iterate(
    progress: ProgressArg,
    items: Iterable[T],
    desc: str,
    total: int | None = None,
    unit: str = "it",
) -> Iterator[T]:
    """Yield ``items``, showing progress one item at a time."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with task(progress, desc, total, unit) as t:
        for item in items:
            yield item
            t.update()

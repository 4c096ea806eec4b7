"""The progress adapter: bars on a terminal, plain lines elsewhere, nothing when asked."""

from __future__ import annotations

import io
import threading

import pytest

from rwpca.numerics.progress import ProgressMode, Reporter, bar_flag, iterate, reporter, task


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_is_a_bar_on_a_terminal_and_lines_elsewhere() -> None:
    """`auto` resolves by the stream: tqdm on a terminal, plain lines in a log."""
    assert Reporter(stream=_Terminal()).resolved() is ProgressMode.BAR
    assert Reporter(stream=io.StringIO()).resolved() is ProgressMode.LINES


def test_lines_are_rate_limited() -> None:
    """Short work under the interval prints nothing; with interval 0 every update prints."""
    quiet, loud = io.StringIO(), io.StringIO()
    list(iterate(Reporter(ProgressMode.LINES, quiet, interval=3600), range(5), "short"))
    assert quiet.getvalue() == ""
    list(iterate(Reporter(ProgressMode.LINES, loud, interval=0), range(5), "long", unit="cell"))
    lines = loud.getvalue().splitlines()
    assert len(lines) == 6  # five updates and the closing line
    assert lines[-1].startswith("rwpca: long: 5/5 cell (100%)")


def test_none_prints_nothing_and_a_bar_draws() -> None:
    """`none` is silent whatever the stream; `bar` writes a tqdm bar to its stream."""
    silent, terminal = _Terminal(), _Terminal()
    with task(Reporter(ProgressMode.NONE, silent), "x", total=3) as t:
        t.update(3)
    assert silent.getvalue() == ""
    with task(Reporter(ProgressMode.BAR, terminal), "drawn", total=3) as t:
        t.update(3)
    assert "drawn" in terminal.getvalue()


def test_progress_arguments() -> None:
    """Legacy booleans and mode names map to reporters; anything else is one clear error."""
    assert reporter(None).mode is ProgressMode.AUTO
    assert reporter(True).mode is ProgressMode.AUTO
    assert reporter(False).mode is ProgressMode.NONE
    assert reporter("bar").mode is ProgressMode.BAR
    with pytest.raises(ValueError, match="progress = 'sometimes' is not allowed"):
        reporter("sometimes")


class _Signalling(io.StringIO):
    """A log stream that says when a line arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()

    def write(self, text: str) -> int:
        if text.strip():
            self.arrived.set()
        return super().write(text)


def test_a_long_item_still_prints_a_line() -> None:
    """Between two updates the heartbeat prints: one item longer than the interval is not silent."""
    stream = _Signalling()
    with task(Reporter(ProgressMode.LINES, stream, interval=0.05), "one long item", total=1) as t:
        assert stream.arrived.wait(timeout=60)  # no update yet: the heartbeat wrote this line
        assert stream.getvalue().startswith("rwpca: one long item: 0/1 it (0%)")
        t.update()
    assert stream.getvalue().splitlines()[-1].startswith("rwpca: one long item: 1/1 it (100%)")


def test_bar_flag_maps_modes_for_boolean_callees() -> None:
    assert bar_flag(Reporter(ProgressMode.AUTO, _Terminal())) is True
    assert bar_flag(Reporter(ProgressMode.AUTO, io.StringIO())) is False
    assert (
        bar_flag("bar") is True and bar_flag("lines") is False and bar_flag(None) in (True, False)
    )

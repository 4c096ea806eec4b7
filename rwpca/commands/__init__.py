"""Subcommands of the `rwpca` CLI; each module has ``register(subparsers)``.

Long commands share the progress options: :func:`add_progress_options` adds
``--progress auto|bar|lines|none`` and ``--quiet`` (the same as ``--progress none``), and
:func:`progress_reporter` turns the parsed choice into the
:class:`~rwpca.numerics.progress.Reporter` that the numeric functions take.
"""

from __future__ import annotations

import argparse

from rwpca.numerics.progress import LINE_INTERVAL, ProgressMode, Reporter

#: Seconds between two progress lines when stderr is not a terminal (tests shorten it).
PROGRESS_INTERVAL = LINE_INTERVAL


def add_progress_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--progress MODE`` and ``--quiet`` (mutually exclusive) to a subcommand."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--progress",
        choices=[mode.value for mode in ProgressMode],
        help="how progress is shown on stderr: a bar on a terminal and a line every "
        f"{PROGRESS_INTERVAL:g} s elsewhere (auto, the default), always a bar, always lines, "
        "or nothing",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_const",
        const=ProgressMode.NONE.value,
        dest="progress",
        help="no progress output (the same as --progress none)",
    )
    parser.set_defaults(progress=ProgressMode.AUTO.value)


def progress_reporter(args: argparse.Namespace) -> Reporter:
    """The reporter of the parsed ``--progress``/``--quiet`` choice (stderr)."""
    return Reporter(ProgressMode(args.progress), interval=PROGRESS_INTERVAL)

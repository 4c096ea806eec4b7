"""The `rwpca` command line.

Bad input gives one line ``rwpca: error: ...`` on stderr and exit status 2, never a
traceback: argparse errors and the ``ValueError`` that library functions raise for bad
values are both turned into that line. Set ``RWPCA_DEBUG=1`` to see tracebacks.

Warnings raised while a command runs (NumPy's overflow or invalid-value warnings, for
instance) are collected and printed as one line each, ``rwpca: warning: ...``, when it ends;
when it fails they are dropped: the one error line says what went wrong. SIGTERM and SIGHUP stop a command like Ctrl-C: every writer removes its
temporary files on the way out (:mod:`rwpca.numerics.atomic`).

The CLI answers at once: the subcommand modules import their numeric code (NumPy, SymPy,
matplotlib) inside the functions that build their parser or run, and :func:`main` builds the
full parser of the one subcommand named on the command line only; the others get their
``--help`` line (each module's ``HELP``).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import warnings
from collections.abc import Sequence

from rwpca.commands import analyze, cite, derive, simulate, train, verify

#: Subcommand modules, in the order `rwpca --help` lists them.
COMMANDS = (derive, cite, verify, simulate, train, analyze)


class UsageError(Exception):
    """Bad command-line usage (reported in one line, exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


class _Version(argparse.Action):
    """``--version``: the installed version, read from the package metadata when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="show program's version number and exit",
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from rwpca import __version__

        print(f"rwpca {__version__}")
        parser.exit()


def _named_command(argv: Sequence[str]) -> str | None:
    """The subcommand of a command line (its first word that is not an option), if known."""
    names = {command.NAME for command in COMMANDS}
    for word in argv:
        if not word.startswith("-"):
            return word if word in names else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The CLI's parser: every subcommand's, or only that of the subcommand ``only``.

    With ``only``, the other subcommands are listed (their ``--help`` line) without their
    parsers, whose choices and defaults come from modules that load NumPy.
    """
    parser = _Parser(
        prog="rwpca",
        description="Symbolic-numeric verification toolkit for the PCA of high-dimensional "
        "random walks (Antognini & Sohl-Dickstein, NeurIPS 2018).",
    )
    parser.add_argument("--version", action=_Version)
    subparsers = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="COMMAND"
    )
    for command in COMMANDS:
        if only is None or command.NAME == only:
            command.register(subparsers)
        else:
            subparsers.add_parser(command.NAME, help=command.HELP)
    return parser


def _one_line(message: object) -> str:
    return " ".join(str(message).split())


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised like KeyboardInterrupt so that every ``finally`` cleans up."""

    @property
    def signal(self) -> int:
        return int(self.args[0])


def _terminate(signum: int, _frame: object) -> None:
    raise Terminated(signum)


#: The signals that stop a command the way Ctrl-C does (exit status 128 + the signal).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _print_warnings(caught: list[warnings.WarningMessage]) -> None:
    if sys.stderr is None or sys.stderr.closed:
        return
    shown: set[str] = set()
    for warning in caught:
        line = _one_line(warning.message)
        if line not in shown:
            shown.add(line)
            print(f"rwpca: warning: {line}", file=sys.stderr)


def _os_error_line(error: OSError) -> str:
    target = error.filename if error.filename is not None else ""
    reason = error.strerror or type(error).__name__
    return f"cannot use {target}: {reason}" if target else reason


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 done, 1 a check failed, 2 bad input or failure).

    Nothing reaches the user as a traceback: a ``ValueError`` (bad input), ``MemoryError`` or
    ``OSError`` becomes one line and status 2; Ctrl-C, SIGTERM and SIGHUP stop with status
    130, 143 and 129 after the atomic writers have removed their temporary files.
    """
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_named_command(words) or "")
    debug = bool(os.environ.get("RWPCA_DEBUG"))
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = (
        {number: signal.signal(number, _terminate) for number in STOP_SIGNALS}
        if in_main_thread
        else {}
    )
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            status = _run(parser, words, debug)
        if status in (0, 1):
            _print_warnings(caught)
        return status
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _run(parser: argparse.ArgumentParser, argv: Sequence[str] | None, debug: bool) -> int:
    try:
        args = parser.parse_args(argv)
        return int(args.run(args) or 0)
    except (UsageError, ValueError) as error:
        if debug:
            raise
        print(f"rwpca: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except MemoryError:
        if debug:
            raise
        print(
            "rwpca: error: out of memory: choose smaller sizes (the checks before the work "
            "estimated less than this needed)",
            file=sys.stderr,
        )
        return 2
    except BrokenPipeError:
        # the reader went away (for example `rwpca cite --list | head`)
        sys.stderr.close()
        return 0
    except OSError as error:
        if debug:
            raise
        print(f"rwpca: error: {_one_line(_os_error_line(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rwpca: interrupted", file=sys.stderr)
        return 130
    except Terminated as stop:
        print("rwpca: terminated", file=sys.stderr)
        return 128 + stop.signal


if __name__ == "__main__":
    sys.exit(main())

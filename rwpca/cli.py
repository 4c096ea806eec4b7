"""The `rwpca` command line.

Bad input gives one line ``rwpca: error: ...`` on stderr and exit status 2, never a
traceback: argparse errors and the ``ValueError`` that library functions raise for bad
values are both turned into that line. Set ``RWPCA_DEBUG=1`` to see tracebacks.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from rwpca import __version__
from rwpca.commands import analyze, cite, derive, simulate, train, verify

#: Subcommand modules, in the order `rwpca --help` lists them.
COMMANDS = (derive, cite, verify, simulate, train, analyze)


class UsageError(Exception):
    """Bad command-line usage (reported in one line, exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rwpca",
        description="Symbolic-numeric verification toolkit for the PCA of high-dimensional "
        "random walks (Antognini & Sohl-Dickstein, NeurIPS 2018).",
    )
    parser.add_argument("--version", action="version", version=f"rwpca {__version__}")
    subparsers = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="COMMAND"
    )
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def _one_line(message: object) -> str:
    return " ".join(str(message).split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return int(args.run(args) or 0)
    except (UsageError, ValueError) as error:
        if os.environ.get("RWPCA_DEBUG"):
            raise
        print(f"rwpca: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rwpca: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (for example `rwpca cite --list | head`)
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""`rwpca cite ID [--format markdown|latex|bibtex|json]` and `rwpca cite --list`."""

from __future__ import annotations

import argparse
import json

from rwpca.documents.citations import FORMATS

#: The subcommand, and its line in ``rwpca --help``.
NAME = "cite"
HELP = "cite a catalog formula"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME,
        help=HELP,
        description="Print the citation of a catalog entry, or list all entries.",
    )
    parser.add_argument("id", nargs="?", help="catalog ID, for example rw.evr")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: markdown); with --list only json is allowed",
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="list every catalog ID with its status and title (a text table, or --format json)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rwpca.documents import citations
    from rwpca.documents.verification_report import status_of
    from rwpca.proofs.catalog import CATALOG, get

    if args.list:
        if args.id is not None:
            raise ValueError(f"ID {args.id!r} is not allowed with --list: give one or the other")
        if args.format not in (None, "json"):
            raise ValueError(
                f"--format {args.format} is not allowed with --list: the list is a text "
                "table, or JSON with --format json (cite one ID for a citation in "
                f"{args.format})"
            )
        if args.format == "json":
            rows = [{"id": e.id, "title": e.title, "status": str(status_of(e))} for e in CATALOG]
            print(json.dumps(rows, indent=2))
            return 0
        width = max(len(e.id) for e in CATALOG)
        for entry in CATALOG:
            print(f"{entry.id:<{width}}  {status_of(entry)!s:<11}  {entry.title}")
        return 0
    if args.id is None:
        raise ValueError("no catalog ID given: name one (see 'rwpca cite --list')")
    print(citations.cite(get(args.id), args.format or "markdown"), end="")
    return 0

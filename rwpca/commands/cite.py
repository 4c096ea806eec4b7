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
    # the committed citation table holds what cite prints: no SymPy, catalog or evidence
    from rwpca.documents import citations

    if args.list:
        if args.id is not None:
            raise ValueError(f"ID {args.id!r} is not allowed with --list: give one or the other")
        if args.format not in (None, "json"):
            raise ValueError(
                f"--format {args.format} is not allowed with --list: the list is a text "
                "table, or JSON with --format json (cite one ID for a citation in "
                f"{args.format})"
            )
        rows = citations.list_from_table()
        if args.format == "json":
            print(json.dumps(rows, indent=2))
            return 0
        width = max(len(row["id"]) for row in rows)
        for row in rows:
            print(f"{row['id']:<{width}}  {row['status']:<11}  {row['title']}")
        return 0
    if args.id is None:
        raise ValueError("no catalog ID given: name one (see 'rwpca cite --list')")
    print(citations.cite_from_table(args.id, args.format or "markdown"), end="")
    return 0

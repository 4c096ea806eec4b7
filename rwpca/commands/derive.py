"""`rwpca derive [--out DIR] [--check]`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rwpca.commands import add_progress_options, progress_reporter
from rwpca.proofs.derivation import DerivationError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "derive",
        help="regenerate derivations/ from the SymPy derivations",
        description="Run every catalog derivation and regenerate derivations/ (documents, "
        "index, figures). Output is deterministic and written atomically.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output directory (default: derivations/ of the checkout)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and name the stale files if the output "
        "differs from what the code generates",
    )
    parser.add_argument(
        "--retrain",
        action="store_true",
        help="train the neural-network comparison runs again and refresh their cached "
        "summaries (numerics/data/nn_runs.json) before regenerating",
    )
    add_progress_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rwpca.documents import (
        generate as derive,  # matplotlib and every document hook: only when deriving
    )

    root = args.out if args.out is not None else derive.default_root()
    if root.exists() and not root.is_dir():
        raise ValueError(f"--out {root} is not allowed: it exists and is not a directory")
    progress = progress_reporter(args)
    if args.retrain:
        if args.check:
            raise ValueError("--retrain is not allowed with --check: --check writes nothing")
        from rwpca.documents import nn_comparison

        nn_comparison.retrain(progress)
    try:
        files = derive.generate(progress)
    except DerivationError as error:
        print(f"rwpca: derivation failed, nothing written: {error}", file=sys.stderr)
        return 1
    shown = os.path.relpath(root) if root.is_absolute() else str(root)
    if args.check:
        stale = derive.check(root, files)
        if stale:
            print(f"{shown} is stale; run 'rwpca derive' to regenerate:", file=sys.stderr)
            for path in stale:
                print(f"  {shown}/{path}", file=sys.stderr)
            return 1
        print(f"{shown} is up to date ({len(files)} files)")
        return 0
    derive.write(root, files)
    print(f"wrote {len(files)} files to {shown}")
    return 0

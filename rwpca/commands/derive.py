"""`rwpca derive [--out DIR] [--check]`.

The target is checked before any work: ``--out`` must be a new or empty folder, or a tree
``rwpca derive`` made (its index or catalog says so,
:func:`rwpca.documents.generate.is_derivations_tree`), in a writable place with room on
its disk. In its own tree only the generated files are replaced: the user's files and
folders there are kept unchanged and ``--check`` does not call them stale. Outside a source
checkout there is no default target (``--out`` is required): the folder the user happens to
stand in is no place to replace a tree without being asked.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rwpca import outputs
from rwpca.commands import add_progress_options, progress_reporter

#: Disk room asked for before deriving: the committed tree is about 2 MB, and the new tree
#: is staged beside the old one before the swap.
TREE_BYTES = 16 * 2**20
#: Room asked for the cache of the recorded runs (``--retrain``; about 0.3 MB).
CACHE_BYTES = 4 * 2**20


#: The subcommand, and its line in ``rwpca --help``.
NAME = "derive"
HELP = "regenerate derivations/ from the SymPy derivations"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME,
        help=HELP,
        description="Run every catalog derivation and regenerate derivations/ (documents, "
        "index, figures). Output is deterministic and written atomically.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder: new, empty or one rwpca derive made; files of yours in it are "
        "kept (default: derivations/ of the source checkout; required outside one)",
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
    from rwpca.proofs.derivation import DerivationError

    root = args.out if args.out is not None else derive.default_root()
    if args.retrain and args.check:
        raise ValueError("--retrain is not allowed with --check: --check writes nothing")
    # every target is checked before the work: a refusal costs nothing
    if args.check:
        if root.exists() and not root.is_dir():
            raise ValueError(f"--out {root} is not allowed: it exists and is not a folder")
    else:
        outputs.check_tree_target(root, "--out", derive.is_derivations_tree, size=TREE_BYTES)
    if args.retrain:
        from rwpca.documents import nn_comparison
        from rwpca.numerics.trajectories.recorded import CACHE

        outputs.check_file_target(CACHE, "--retrain (its cache)", size=CACHE_BYTES)
    progress = progress_reporter(args)
    if args.retrain:
        nn_comparison.retrain(progress)
    try:
        # figures are compared by their data fingerprint: --check draws none, and write
        # draws only those whose fingerprint differs from the file already there
        files = derive.generate(progress, draw=False)
        # the citation table `rwpca cite` reads, when root is the checkout's derivations/
        package = derive.package_files(root)
    except DerivationError as error:
        print(f"rwpca: derivation failed, nothing written: {error}", file=sys.stderr)
        return 1
    shown = os.path.relpath(root) if root.is_absolute() else str(root)
    if args.check:
        stale = [f"{shown}/{path}" for path in derive.check(root, files)]
        stale += [os.path.relpath(path) for path in derive.stale_package_files(package)]
        if stale:
            print(f"{shown} is stale; run 'rwpca derive' to regenerate:", file=sys.stderr)
            for path in stale:
                print(f"  {path}", file=sys.stderr)
            return 1
        print(f"{shown} is up to date ({len(files) + len(package)} files)")
        return 0
    derive.write_package_files(package)
    kept = derive.write(root, files)
    also = f"; kept {len(kept)} files of yours there" if kept else ""
    print(f"wrote {len(files)} files to {shown}{also}")
    return 0

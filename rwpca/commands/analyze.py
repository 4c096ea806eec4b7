"""`rwpca analyze PATH [--window START:STOP] [--components K] [--plot FILE.png] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from rwpca import treeio
from rwpca.numerics.trajectories.analysis import analyze_gram
from rwpca.numerics.trajectories.readers import open_trajectory, parse_window


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "analyze",
        help="PCA of a training trajectory against random-walk null models",
        description="Centred PCA of a trajectory (a .npy n x d file, a .npz with one array, "
        "or a folder of per-checkpoint .npy files) in one streaming pass, compared with "
        "(a) the plain random walk, (b) a walk with the trajectory's own step sizes and "
        "(c) a walk with drift; a randomisation test of the steps under each null gives "
        "the verdict.",
    )
    parser.add_argument("path", type=Path, help="the trajectory: .npy, .npz or a folder")
    parser.add_argument(
        "--window",
        metavar="START:STOP",
        help="analyse checkpoints START..STOP-1 only (the paper uses the middle of training)",
    )
    parser.add_argument(
        "--components",
        type=int,
        default=5,
        metavar="K",
        help="number of leading components tested and reported (default 5)",
    )
    parser.add_argument("--plot", type=Path, metavar="FILE.png", help="write a figure")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--replicates",
        type=int,
        default=199,
        metavar="B",
        help="reshuffled walks per null model (default 199)",
    )
    parser.add_argument(
        "--alpha", type=float, default=0.05, help="level of the test (default 0.05)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the reshuffling (default 0)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rwpca.documents import analysis_report
    from rwpca.plots import panels  # matplotlib: only when a trajectory is analysed

    # every check that needs no data comes first: a bad option never costs a pass
    if args.plot is not None and args.plot.suffix.lower() != ".png":
        raise ValueError(f"--plot {args.plot} is not allowed: the figure is written as a .png")
    if args.components < 1:
        raise ValueError(f"--components {args.components} is not allowed: need an integer >= 1")
    if args.replicates < 19:
        raise ValueError(f"--replicates {args.replicates} is not allowed: need at least 19")
    if not 0 < args.alpha < 1:
        raise ValueError(f"--alpha {args.alpha} is not allowed: need 0 < alpha < 1")
    trajectory = open_trajectory(args.path)
    window = (
        parse_window(args.window, trajectory.n, "--window")
        if args.window is not None
        else (0, trajectory.n)
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        G = trajectory.gram(window, progress=None)
    for warning in caught:
        print(f"rwpca: warning: {warning.message}", file=sys.stderr)
    analysis = analyze_gram(
        G,
        trajectory.d,
        components=args.components,
        window=window,
        replicates=args.replicates,
        alpha=args.alpha,
        seed=args.seed,
        progress=None,
    )
    if args.plot is not None:
        png = panels.to_png(analysis_report.figure(analysis, title=str(args.path)))
        treeio.write_file_atomic(args.plot, png)
    if args.json:
        data = {"path": str(args.path), **analysis.to_json()}
        print(json.dumps(data, indent=2, allow_nan=False))
    else:
        print(analysis_report.text_report(analysis, str(args.path), trajectory.n), end="")
        if args.plot is not None:
            print(f"wrote {args.plot}")
    return 0

"""`rwpca analyze` options for the nulls with the run's own dynamics, window sweeps and progress.

``--nulls a,c,d`` chooses the null models, ``--momentum GAMMA`` and ``--ou-rate ALPHA``
give the parameters of nulls (d) and (e) (estimated from the steps otherwise),
``--sweep SIZE`` analyses consecutive windows of SIZE checkpoints and draws them in one
figure, ``--progress auto|bar|lines|none`` says how long work is shown. Kept apart from
:mod:`rwpca.commands.analyze` so that its own options stay readable.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rwpca import treeio
from rwpca.commands import add_progress_options, progress_reporter
from rwpca.numerics.nulls.names import NULL_LETTERS, NULL_MODELS, parse_nulls
from rwpca.numerics.progress import Reporter
from rwpca.proofs.domains import ALPHA, GAMMA

if TYPE_CHECKING:  # the readers load NumPy: imported when a run starts
    from rwpca.numerics.trajectories.readers import Trajectory


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options of this module, in their own group of the help."""
    group = parser.add_argument_group("nulls with the run's dynamics, sweeps and progress")
    letters = ", ".join(f"{NULL_LETTERS[name]} ({name})" for name in NULL_MODELS)
    group.add_argument(
        "--nulls",
        metavar="LIST",
        help=f"the null models tested, by letter or name, comma-separated (default: all of "
        f"{letters})",
    )
    group.add_argument(
        "--momentum",
        metavar="GAMMA",
        help=f"gamma of null (d), the optimizer's momentum ({GAMMA.condition}); default: "
        "estimated from the steps",
    )
    group.add_argument(
        "--ou-rate",
        metavar="ALPHA",
        help=f"restoring rate alpha of null (e) per step ({ALPHA.condition}); default: "
        "estimated from the steps",
    )
    group.add_argument(
        "--sweep",
        type=int,
        metavar="SIZE",
        help="analyse consecutive windows of SIZE checkpoints (inside --window if given) and "
        "draw their first ratios, Lissajous scores and p-values against the training step "
        "(--plot writes that figure)",
    )
    add_progress_options(parser)


@dataclass(frozen=True)
class Dynamics:
    """The checked values of this module's options."""

    nulls: tuple[str, ...]
    momentum: float | None
    ou_rate: float | None
    sweep: int | None
    progress: Reporter


def _number(text: str | None, option: str, domain: Any) -> float | None:
    """A parameter typed on the command line, read as a number (Fraction) in its domain."""
    if text is None:
        return None
    try:
        return float(domain.parse(text))
    except ValueError:
        raise ValueError(
            f"{option} {text} is not allowed: need a number with {domain.condition}"
        ) from None


def check(args: argparse.Namespace) -> Dynamics:
    """Every check that needs no data; ValueError with one line otherwise."""
    nulls = parse_nulls(args.nulls) if args.nulls is not None else NULL_MODELS
    momentum = _number(args.momentum, "--momentum", GAMMA)
    ou_rate = _number(args.ou_rate, "--ou-rate", ALPHA)
    if args.sweep is not None:
        if args.sweep < 3:
            raise ValueError(f"--sweep {args.sweep} is not allowed: need an integer >= 3")
        if args.by_layer is not None:
            raise ValueError("--sweep is not allowed with --by-layer: choose one of them")
    return Dynamics(nulls, momentum, ou_rate, args.sweep, progress_reporter(args))


def analysis_options(dynamics: Dynamics) -> dict[str, Any]:
    """The keyword arguments of :func:`analyze_gram` these options set."""
    return {"nulls": dynamics.nulls, "momentum": dynamics.momentum, "ou_rate": dynamics.ou_rate}


def run_sweep(
    args: argparse.Namespace, dynamics: Dynamics, trajectory: Trajectory, window: tuple[int, int]
) -> int:
    """Analyse consecutive windows inside ``window``, print them, write the sweep figure."""
    from rwpca.documents import analysis_report
    from rwpca.numerics.studies.sweep import sweep

    size = dynamics.sweep
    assert size is not None
    result = sweep(
        trajectory, size, window, args.components, args.replicates, args.level, args.seed,
        dynamics.progress, dynamics.nulls, dynamics.momentum, dynamics.ou_rate,
    )  # fmt: skip
    data = result.to_json()
    windows = result.windows
    if args.plot is not None:
        from rwpca.plots import analysis_figures, panels

        figure = analysis_figures.sweep_figure(
            data, analysis_figures.sweep_title(data, str(args.path))
        )
        treeio.write_file_atomic(Path(args.plot), panels.to_png(figure))
    if args.json:
        print(json.dumps({"path": str(args.path), "sweep": data}, indent=2, allow_nan=False))
        return 0
    print(f"trajectory   {args.path}")
    print(
        f"sweep        {len(windows)} consecutive windows of {size} checkpoints, each analysed "
        f"alone ({args.replicates} reshuffled walks per null, level {args.level:g})"
    )
    print()
    print("\n".join(analysis_report.sweep_table(data)))
    if args.plot is not None:
        print(f"wrote {args.plot}")
    return 0

"""`rwpca analyze PATH [--window START:STOP|step=START:STOP] [--include RE] [--exclude RE]
[--glob PATTERN] [--by-layer [GROUPING]] [--components K] [--plot FILE.png] [--json]
[--level LEVEL] [--nulls LIST] [--momentum GAMMA] [--ou-rate ALPHA] [--sweep SIZE]
[--progress MODE]`.

The test level is ``--level`` (``--alpha`` would read as the OU restoring rate of
``rwpca simulate``; it is refused with a one-line hint). Every option, the ``--plot`` target
and the memory of the analysis are checked before the Gram pass reads any value.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rwpca import outputs, treeio
from rwpca.commands import analyze_dynamics

if TYPE_CHECKING:  # the numeric modules load NumPy and SymPy: imported when a run starts
    from rwpca.numerics.trajectories.analysis import Analysis
    from rwpca.numerics.trajectories.readers import Trajectory

#: Ratios shown per group in the --by-layer table.
_GROUP_RATIOS = 3
#: Disk room asked for a --plot figure (they are 0.1 to 0.5 MB).
PLOT_BYTES = 4 * 2**20


class _Renamed(argparse.Action):
    """An old option name: refused with a one-line hint naming the new one."""

    def __call__(self, parser, namespace, values, option_string=None):
        raise ValueError(
            f"{option_string} is not an option of rwpca analyze any more: the level of the "
            f"test is --level (for example --level {values}); alpha is the OU restoring "
            "rate in rwpca simulate"
        )


#: The subcommand, and its line in ``rwpca --help``.
NAME = "analyze"
HELP = "PCA of a training trajectory against random-walk null models"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME,
        help=HELP,
        description="Centred PCA of a trajectory in one streaming pass, compared with "
        "(a) the plain random walk, (b) a walk with the trajectory's own step sizes and "
        "(c) a walk with drift; a randomisation test of the steps under each null gives "
        "the verdict. PATH is a folder holding one run (PyTorch .pt/.pth/.bin state_dicts, "
        "safetensors files, Hugging Face Trainer checkpoint-N folders, what rwpca.Recorder "
        "wrote, or per-checkpoint .npy/.npz files), ordered by the step numbers in the "
        "names; or an n x d .npy, a .npz with one array, or a Zarr store. By default the "
        "floating-point parameters are analysed, not integer tensors nor BatchNorm "
        "statistics (running_mean, running_var, num_batches_tracked).",
    )
    parser.add_argument("path", type=Path, help="the run: a folder, .npy, .npz or Zarr store")
    parser.add_argument(
        "--window",
        metavar="START:STOP",
        help="analyse checkpoints START..STOP-1 only (positions from 0), or step=START:STOP "
        "for the checkpoints whose training step s has START <= s < STOP",
    )
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="REGEX",
        help="analyse exactly the tensors whose names match (repeatable; replaces the default)",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="REGEX",
        help="leave out the tensors whose names match (repeatable)",
    )
    parser.add_argument(
        "--glob",
        metavar="PATTERN",
        help="the checkpoints of the folder: names matching PATTERN (e.g. 'step_*.pt')",
    )
    parser.add_argument(
        "--by-layer",
        nargs="?",
        const="module",
        metavar="GROUPING",
        help="also analyse each group of tensors alone: module (the default: the name "
        "without its last component), tensor, or a number of leading name components",
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
        "--level",
        type=float,
        default=0.05,
        help="level of the randomisation test: a null model is rejected when p <= LEVEL "
        "(default 0.05)",
    )
    parser.add_argument("--alpha", action=_Renamed, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help="seed of the reshuffling (default 0)")
    analyze_dynamics.add_options(parser)  # --nulls, --momentum, --ou-rate, --sweep, --progress
    parser.set_defaults(run=run)


def _wrapped(head: str, text: str) -> list[str]:
    return textwrap.wrap(
        text, width=100, initial_indent=f"{head:<13}", subsequent_indent=" " * 13,
        break_on_hyphens=False,
    )  # fmt: skip


def source_lines(trajectory: Trajectory, window: tuple[int, int]) -> list[str]:
    """What was read: the run, its steps, the tensors analysed and left out, the sketch."""
    run, selection = trajectory.run, trajectory.selection
    if run is None:
        return []
    steps = trajectory.steps[window[0] : window[1]]
    lines = [f"source       {run.describe()}, steps {steps[0]}..{steps[-1]} analysed"]
    if selection is not None:
        shown = [
            s.describe() if len(selection.tensors) <= 20 else s.name for s in selection.tensors
        ]
        lines += _wrapped(
            "parameters",
            f"{len(selection.tensors)} tensors, d = {selection.d:,}: " + ", ".join(shown),
        )
        if selection.left_out:
            reasons: dict[str, list[str]] = {}
            for spec, why in selection.left_out:
                reasons.setdefault(why, []).append(spec.name)
            text = "; ".join(f"{', '.join(names)} ({why})" for why, names in reasons.items())
            lines += _wrapped("left out", f"{len(selection.left_out)} tensors: {text}")
    if run.sketch is not None:
        info = run.sketch
        lines.append(
            f"sketch       CountSketch to m = {info.m:,} (seed {info.seed}) of d = {info.d:,} "
            f"parameters in {info.tensors} tensors"
        )
    if run.ignored:
        count = len(run.ignored)
        lines += _wrapped(
            "not read", f"{count} {'entry' if count == 1 else 'entries'}: {', '.join(run.ignored)}"
        )
    return lines


def _source_json(trajectory: Trajectory) -> dict[str, Any] | None:
    from rwpca.numerics.checkpoints.sources import TITLES

    run, selection = trajectory.run, trajectory.selection
    if run is None:
        return None
    data: dict[str, Any] = {
        "format": TITLES[run.format],
        "pattern": run.pattern,
        "checkpoints": [c.label for c in run.checkpoints],
        "not_read": list(run.ignored),
    }
    if selection is not None:
        data["tensors"] = [
            {"name": s.name, "shape": list(s.shape), "dtype": s.dtype} for s in selection.tensors
        ]
        data["left_out"] = [{"name": s.name, "reason": why} for s, why in selection.left_out]
    if run.sketch is not None:
        info = run.sketch
        data["sketch"] = {"m": info.m, "seed": info.seed, "d": info.d, "tensors": info.tensors}
    return data


def _group_rows(args: argparse.Namespace, window: tuple[int, int], grams: list,
                names: list, options: dict[str, Any]) -> list[dict[str, Any]]:  # fmt: skip
    from rwpca.numerics.trajectories.analysis import analyze_gram

    rows = []
    for group, G in zip(names, grams, strict=True):
        row: dict[str, Any] = {"group": group.name, "tensors": list(group.tensors), "d": group.d}
        try:
            result = analyze_gram(G, group.d, args.components, window, args.replicates,
                                  args.level, args.seed, progress=False, **options)  # fmt: skip
        except ValueError as e:  # a frozen group does not move: say so in its row
            row["error"] = str(e)
        else:
            row["explained_variance_ratio"] = result.explained_variance_ratio[
                : args.components
            ].tolist()
            row["p_values"] = {name: test.p_value for name, test in result.nulls.items()}
        rows.append(row)
    return rows


def _group_table(grouping: str | int, rows: list[dict[str, Any]], n: int,
                 nulls: tuple[str, ...] | None = None) -> list[str]:  # fmt: skip
    from rwpca.numerics.nulls.names import NULL_LETTERS, NULL_MODELS

    nulls = NULL_MODELS if nulls is None else nulls
    title = f"first {grouping} name components" if isinstance(grouping, int) else grouping
    width = max(12, *(len(r["group"]) for r in rows))
    ratios = "".join(f"  ratio {k}" for k in range(1, _GROUP_RATIOS + 1))
    heads = "".join(f"  {'p (' + NULL_LETTERS[name] + ')':>6}" for name in nulls)
    lines = [
        "",
        f"by layer ({title}): each group analysed alone, n = {n}",
        f"{'group':<{width}}  {'tensors':>7} {'d':>10}{ratios}  {heads}",
    ]
    for row in rows:
        head = f"{row['group']:<{width}}  {len(row['tensors']):>7} {row['d']:>10}"
        if "error" in row:
            lines.append(f"{head}  {row['error']}")
            continue
        shown = row["explained_variance_ratio"][:_GROUP_RATIOS]
        values = "".join(f"  {r:7.4f}" for r in shown) + " " * 9 * (_GROUP_RATIOS - len(shown))
        p = "".join(f"  {row['p_values'][name]:6.3f}" for name in nulls)
        lines.append(f"{head}{values}  {p}")
    return lines


def _title(path: Path, trajectory: Trajectory, analysis: Analysis) -> str:
    if trajectory.run is None or analysis.steps is None:
        return str(path)
    title = f"{path}, steps {analysis.steps[0]}..{analysis.steps[-1]}"
    if trajectory.sketch is not None:
        title += f" (sketch, m = {trajectory.sketch.m})"
    return title


def run(args: argparse.Namespace) -> int:
    from rwpca.documents import analysis_report
    from rwpca.numerics.checkpoints.tensors import check_patterns, groups, parse_grouping
    from rwpca.numerics.trajectories.analysis import analyze_gram, check_resources
    from rwpca.numerics.trajectories.readers import open_trajectory, parse_window

    # every check that needs no data comes first: a bad option never costs a pass
    if args.components < 1:
        raise ValueError(f"--components {args.components} is not allowed: need an integer >= 1")
    if args.replicates < 19:
        raise ValueError(f"--replicates {args.replicates} is not allowed: need at least 19")
    if not 0 < args.level < 1:
        raise ValueError(f"--level {args.level} is not allowed: need 0 < LEVEL < 1")
    if args.seed < 0:
        raise ValueError(f"--seed {args.seed} is not allowed: the seed must be an integer >= 0")
    if args.plot is not None:
        outputs.check_file_target(args.plot, "--plot", suffix=".png", size=PLOT_BYTES)
    check_patterns(args.include, args.exclude)
    dynamics = analyze_dynamics.check(args)
    options = analyze_dynamics.analysis_options(dynamics)
    grouping = parse_grouping(args.by_layer) if args.by_layer is not None else None
    trajectory = open_trajectory(args.path, args.include, args.exclude, args.glob)
    if grouping is not None and trajectory.selection is None:
        raise ValueError(
            f"--by-layer is not allowed with {args.path}: it needs a folder of checkpoints "
            "with named tensors"
        )
    window = (
        parse_window(args.window, trajectory.n, "--window", trajectory.steps.tolist())
        if args.window is not None
        else (0, trajectory.n)
    )
    if dynamics.sweep is not None:
        return analyze_dynamics.run_sweep(args, dynamics, trajectory, window)
    named = []
    if grouping is not None:
        assert trajectory.selection is not None  # refused above
        named = groups(trajectory.selection, grouping)
    check_resources(window[1] - window[0], args.components, args.replicates, 1 + len(named))
    progress = dynamics.progress
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if grouping is None:
            G = trajectory.gram(window, progress=progress)
        else:
            grams = trajectory.grams([g.ranges for g in named], window, progress=progress)
            G = sum(grams[1:], grams[0].copy())
    for warning in caught:
        print(f"rwpca: warning: {warning.message}", file=sys.stderr)
    sketch = trajectory.sketch
    analysis = analyze_gram(
        G,
        trajectory.d,
        components=args.components,
        window=window,
        replicates=args.replicates,
        alpha=args.level,
        seed=args.seed,
        progress=progress,
        steps=trajectory.steps[window[0] : window[1]],
        sketch=sketch.m if sketch is not None else None,
        **options,
    )
    rows = _group_rows(args, window, grams, named, options) if grouping is not None else []
    if args.plot is not None:
        from rwpca.plots import panels  # matplotlib (a second of imports): only to draw

        label = str(args.path) + (f" (sketch, m = {sketch.m})" if sketch is not None else "")
        figure = analysis_report.figure(analysis, label)
        treeio.write_file_atomic(args.plot, panels.to_png(figure))
    if args.json:
        data = {"path": str(args.path), "source": _source_json(trajectory), **analysis.to_json()}
        # the sentences of the text report, from the same words (rwpca.documents)
        data["verdict_text"] = analysis_report.verdict_text(data)
        data["notes_text"] = [analysis_report.note_text(note) for note in data["notes"]]
        if grouping is not None:
            data["by_layer"] = {"grouping": grouping, "groups": rows}
        print(json.dumps(data, indent=2, allow_nan=False))
        return 0
    lines = source_lines(trajectory, window)
    if analysis.sketch_sd is not None:
        K = analysis.components
        errors = ", ".join(f"{e:.2g}" for e in analysis.sketch_sd[:K])
        lines.append(f"{'':13}the sketch's error (1 sd) on ratios 1..{K}: {errors}")
    print("\n".join([*lines, ""]) if lines else "", end="")
    label = _title(args.path, trajectory, analysis)
    print(analysis_report.text_report(analysis, label, trajectory.n), end="")
    if grouping is not None:
        print("\n".join(_group_table(grouping, rows, analysis.n, dynamics.nulls)))
    if args.plot is not None:
        print(f"wrote {args.plot}")
    return 0

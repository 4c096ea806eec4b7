"""`rwpca train --model NAME --steps N --out PATH [options]`: record a training trajectory."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rwpca import outputs
from rwpca.commands import add_progress_options, progress_reporter
from rwpca.proofs.domains import SGD_MOMENTUM

#: The subcommand, and its line in ``rwpca --help``.
NAME = "train"
HELP = "train a small model on NumPy and record its parameters at every step"


def register(subparsers: argparse._SubParsersAction) -> None:
    # the choices and defaults are declared beside the training code (NumPy): this parser is
    # built only when `rwpca train` is the command
    from rwpca.numerics.trajectories.training import MODELS, OPTIMIZERS, SCHEDULES, RunConfig

    parser = subparsers.add_parser(
        NAME,
        help=HELP,
        description="Train linear regression on synthetic Gaussian data (linear), softmax "
        "regression (softmax) or a one-hidden-layer ReLU network (mlp) on scikit-learn's "
        "bundled 8x8 digits, with SGD or SGD with momentum, and write the recorded "
        "checkpoints as an n x d .npy file that `rwpca analyze` reads.",
    )
    parser.add_argument("--model", required=True, choices=MODELS)
    parser.add_argument("--steps", required=True, type=int, help="number of SGD steps")
    parser.add_argument("--out", required=True, type=Path, help="output trajectory (.npy)")
    parser.add_argument(
        "--record",
        metavar="START:STOP",
        help="keep checkpoints START..STOP-1 (checkpoint t = after t steps; default: all "
        "of 0..steps)",
    )
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default="sgd")
    parser.add_argument("--lr", type=float, default=None, help="initial learning rate")
    parser.add_argument(
        "--momentum",
        type=float,
        default=RunConfig.momentum,
        help=f"{SGD_MOMENTUM.meaning}, {SGD_MOMENTUM.condition} (default {RunConfig.momentum:g})",
    )
    parser.add_argument("--schedule", choices=SCHEDULES, default="constant")
    parser.add_argument(
        "--decay-steps",
        type=float,
        default=None,
        help="tau of eta_t = eta_0 / (1 + t / tau) (default steps / 10)",
    )
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=128, help="mlp hidden width")
    parser.add_argument("--features", type=int, default=2000, help="linear input dimension")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    add_progress_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rwpca.numerics.trajectories.readers import MIN_DIMENSION_RATIO, parse_window
    from rwpca.numerics.trajectories.training import (
        RunConfig,
        check_resources,
        parameter_count,
        train,
        trajectory_bytes,
    )

    if args.seed < 0:
        raise ValueError(f"--seed {args.seed} is not allowed: the seed must be an integer >= 0")
    if args.steps < 2:
        raise ValueError(f"--steps {args.steps} is not allowed: need an integer >= 2")
    record = (
        parse_window(args.record, args.steps + 1, "--record") if args.record is not None else None
    )
    config = RunConfig(
        model=args.model,
        steps=args.steps,
        record=record,
        optimizer=args.optimizer,
        learning_rate=args.lr,
        momentum=args.momentum,
        schedule=args.schedule,
        decay_steps=args.decay_steps,
        batch_size=args.batch_size,
        hidden=args.hidden,
        features=args.features,
        seed=args.seed,
    ).checked()
    # the target, memory and disk are checked before the first step
    outputs.check_file_target(args.out, "--out", suffix=".npy", size=trajectory_bytes(config))
    check_resources(config, args.out)
    start, stop = config.record  # type: ignore[misc]
    d = parameter_count(config)
    if d < MIN_DIMENSION_RATIO * (stop - start):
        most = d // MIN_DIMENSION_RATIO
        hint = (
            f"use --record to keep at most {most}"
            if most >= 3
            else "a larger model (--features, --hidden) is needed for that"
        )
        print(
            f"rwpca: warning: recording n = {stop - start} checkpoints of d = {d} parameters: "
            f"the random-walk theory assumes d >> n ({hint})",
            file=sys.stderr,
        )
    result = train(config, args.out, progress=progress_reporter(args))
    metrics = ", ".join(
        f"{key} {result.initial[key]:.4g} -> {result.final[key]:.4g}" for key in result.final
    )
    print(
        f"trained {config.model} ({config.optimizer}, {config.schedule} learning rate "
        f"{config.learning_rate:g}) for {config.steps} steps, d = {result.d}: {metrics}"
    )
    print(f"wrote checkpoints {start}..{stop - 1} ({stop - start} x {result.d}) to {args.out}")
    return 0

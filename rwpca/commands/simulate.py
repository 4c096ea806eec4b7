"""`rwpca simulate`: Monte-Carlo PCA of a d-dimensional walk against the exact theory."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rwpca import outputs, treeio
from rwpca.commands import add_progress_options, progress_reporter
from rwpca.numerics.walks import FAMILY_TABLE
from rwpca.proofs.domains import DOMAINS
from rwpca.proofs.processes import PROCESSES, ProcessName

if TYPE_CHECKING:  # the simulator and the theory load SciPy and SymPy: imported in a run
    from rwpca.numerics.walks import simulator as walks

#: Catalog entry of the n -> infinity ratios, per process (printed beside the table).
LIMIT_ENTRIES: dict[str, str] = {ProcessName.PLAIN: "rw.evr", ProcessName.MOMENTUM: "momentum.evr"}
#: Above this n the finite-d spread (an extra n x n eigen-decomposition) is skipped.
SPREAD_MAX_N = 2000
#: Disk room asked for a --plot figure (they are 0.1 to 0.5 MB).
PLOT_BYTES = 4 * 2**20


def _noise_help() -> str:
    items = []
    for name, family in FAMILY_TABLE.items():
        params = ",".join(f"{k}={v:g}" for k, v in family.parameters.items())
        items.append(f"{name}" + (f" [{params}]" if params else ""))
    return "; ".join(items)


#: Each process parameter's option, and the process it belongs to.
_PARAMETERS = {
    domain.name: process.name for process in PROCESSES.values() for domain in process.domains
}


def _parameter_help(name: str, process: str) -> str:
    """``momentum coefficient, |gamma| < 1 (process momentum, default 0.5)``: from the domain."""
    domain = DOMAINS[name]
    default = float(PROCESSES[process].defaults[name])
    return f"{domain.meaning}, {domain.condition} (process {process}, default {default:g})"


#: The subcommand, and its line in ``rwpca --help``.
NAME = "simulate"
HELP = "simulate a high-dimensional walk and compare its PCA with the theory"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME,
        help=HELP,
        description="Simulate a d-dimensional walk of n steps under a chosen noise, without "
        "forming the n x d trajectory, and print its explained-variance ratios beside the "
        "exact finite-n theory. Gaussian noise costs the same for every d.",
    )
    parser.add_argument(
        "--process", choices=tuple(PROCESSES), default="plain", help="the walk (default plain)"
    )
    parser.add_argument("--n", type=int, required=True, help="number of steps (>= 2)")
    parser.add_argument("--d", type=int, required=True, help="dimension (>= 1)")
    parser.add_argument(
        "--noise",
        default="gaussian",
        metavar="NAME[:key=value,...]",
        help="noise family, with optional parameters, for example student_t:nu=3. "
        f"Families [defaults]: {_noise_help()}",
    )
    for name, process in _PARAMETERS.items():
        parser.add_argument(f"--{name}", type=float, help=_parameter_help(name, process))
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--components", type=int, default=10, help="rows of the table (default 10)")
    parser.add_argument(
        "--plot", type=Path, metavar="FILE.png", help="write Lissajous and spectrum panels"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_progress_options(parser)
    parser.set_defaults(run=run)


def _params(args: argparse.Namespace) -> dict[str, object] | None:
    """The process parameters given on the command line, checked against their domains."""
    for name, process in _PARAMETERS.items():
        if getattr(args, name) is not None and args.process != process:
            raise ValueError(
                f"--{name} is not allowed for process {args.process!r}: it applies to "
                f"--process {process}"
            )
    given = {
        domain.name: getattr(args, domain.name)
        for domain in PROCESSES[args.process].domains
        if getattr(args, domain.name) is not None
    }
    # checked here, before any work, by the same domains the library uses
    return PROCESSES[args.process].validate(given) if given else None


def run(args: argparse.Namespace) -> int:
    from rwpca.numerics.resources import require_memory
    from rwpca.numerics.walks import simulator as walks
    from rwpca.numerics.walks.families import get_noise
    from rwpca.proofs.validation import check_n

    params = _params(args)
    if args.components < 1:
        raise ValueError(f"--components {args.components} is not allowed: give an integer >= 1")
    if args.seed < 0:
        raise ValueError(f"--seed {args.seed} is not allowed: the seed must be an integer >= 0")
    check_n(args.n)
    check_n(args.d, minimum=1, name="d")
    noise = get_noise(args.noise)
    # every check before the work: the figure's target, then memory (the library checks it
    # too; here it is named by the options)
    if args.plot is not None:
        outputs.check_file_target(args.plot, "--plot", suffix=".png", size=PLOT_BYTES)
    components = min(4, args.n - 1) if args.plot else False
    require_memory(
        walks.peak_bytes(args.n, args.d, noise, projections=bool(components)),
        f"--n {args.n} --d {args.d}",
    )
    if args.d < args.n:
        print(
            f"rwpca: warning: d = {args.d} < n = {args.n}: the walk spans at most d "
            "dimensions, so at most d of its n - 1 ratios can be nonzero; the theory "
            "assumes d >> n",
            file=sys.stderr,
        )
    progress = progress_reporter(args)
    walk = walks.simulate(
        args.process,
        args.n,
        args.d,
        noise,
        params=params,
        seed=args.seed,
        projections=components,
        progress=progress,
    )
    report = _report(walk)
    if args.plot:
        treeio.write_file_atomic(args.plot, _figure(walk, report))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_table(walk, report, args.components)
        if args.plot:
            print(f"wrote {args.plot}")
    return 0


#: What the table and the JSON show: plain JSON values by name.
Report = dict[str, Any]


def _report(walk: walks.Walk) -> Report:
    """Everything the table and the JSON show, as plain Python values."""
    from rwpca.numerics.formulas import evaluate_eigenvalue_formula
    from rwpca.numerics.walks import finite_d
    from rwpca.proofs.catalog import get

    theory = walk.theory()
    observed = walk.explained_variance_ratio
    low, high = walk.ostrowski_bounds
    noise = walk.noise
    r_eff = noise.effective_rank(walk.d)
    report: Report = {
        "process": walk.process,
        "params": {k: float(v) for k, v in walk.params.items()},
        "n": walk.n,
        "d": walk.d,
        "noise": noise.label,
        "noise_description": getattr(noise, "description", ""),
        "variance": _finite_or_none(noise.variance),
        "excess_kurtosis": _finite_or_none(noise.excess_kurtosis),
        "effective_rank": r_eff,
        "finite_variance": noise.finite_variance,
        "seed": walk.seed,
        "method": walk.method,
        "observed": observed.tolist(),
        "theory": theory.tolist(),
        "relative_deviation": (observed / theory - 1).tolist(),
        "ostrowski_bounds": [low, high],
        "noise_deviation": walk.noise_deviation,
    }
    entry = LIMIT_ENTRIES.get(walk.process)
    if entry is not None:
        limit = evaluate_eigenvalue_formula(get(entry).rhs, walk.n)
        report["limit_entry"] = entry
        report["limit"] = limit.tolist()
    kurtosis = noise.excess_kurtosis
    if walk.n <= SPREAD_MAX_N and noise.finite_variance and math.isfinite(kurtosis):
        spread = finite_d.ratio_perturbation(walk.process, walk.n, r_eff, kurtosis, walk.params)
        report["expected_sd"] = spread.sd.tolist()
    return report


def _finite_or_none(value: float) -> float | str | None:
    if math.isnan(value):
        return None
    return value if math.isfinite(value) else "inf"


def _print_table(walk: walks.Walk, report: Report, rows: int) -> None:
    import numpy as np

    params = ", ".join(f"{k} = {v:g}" for k, v in report["params"].items())
    title = PROCESSES[walk.process].title + (f" ({params})" if params else "")
    print(f"{title}: n = {walk.n}, d = {walk.d}, noise {report['noise']}, seed {walk.seed}")
    how = {"wishart": "Gram matrix drawn as Wishart", "stream": "streamed over d"}.get(
        walk.method, "drawn whole"
    )
    print(f"  noise: {report['noise_description']} ({how})")
    facts = [f"effective rank {report['effective_rank']:.6g}"]
    if report["excess_kurtosis"] is not None:
        kurtosis = report["excess_kurtosis"]
        facts.append(
            f"excess kurtosis {kurtosis if kurtosis == 'inf' else format(kurtosis, '.4g')}"
        )
    print("  " + ", ".join(facts))
    low, high = report["ostrowski_bounds"]
    print(
        f"  ||R R^T / s - I||_2 = {report['noise_deviation']:.4g}: every lambda_hat_k / lambda_k "
        f"lies in [{low:.4g}, {high:.4g}] (Ostrowski)"
    )
    if walk.noise.finite_variance is False:
        print(
            "  warning: this noise has infinite variance; the theory does not apply "
            "(see rw.noise_independence)"
        )
    header = ["k", "observed", "exact finite n", "deviation"]
    if "expected_sd" in report:
        header.append("expected sd")
    if "limit" in report:
        header.append(f"n -> inf ({report['limit_entry']})")
    lines = [header]
    count = min(rows, walk.n - 1)
    for index in range(count):
        row = [
            str(index + 1),
            f"{report['observed'][index]:.6f}",
            f"{report['theory'][index]:.6f}",
            f"{100 * report['relative_deviation'][index]:+.2f}%",
        ]
        if "expected_sd" in report:
            row.append(f"{100 * report['expected_sd'][index]:.2f}%")
        if "limit" in report:
            row.append(f"{report['limit'][index]:.6f}")
        lines.append(row)
    observed_sum = float(np.sum(report["observed"][:count]))
    theory_sum = float(np.sum(report["theory"][:count]))
    lines.append(["sum", f"{observed_sum:.6f}", f"{theory_sum:.6f}", "", *[""] * (len(header) - 4)])
    widths = [max(len(line[c]) for line in lines) for c in range(len(header))]
    for line in lines:
        print("  " + "  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)))
    sys.stdout.flush()


def _figure(walk: walks.Walk, report: Report) -> bytes:
    import numpy as np

    from rwpca.numerics.walks import simulator as walks
    from rwpca.plots import panels

    projections = walk.projections
    if projections is None:  # the command asks for projections whenever it draws
        raise ValueError("the walk was simulated without projections: nothing to draw")
    components = projections.shape[1]
    pairs = panels.component_pairs(min(components, 3)) or [(1, 1)]
    fig = panels.figure(4 * (len(pairs) + 1), 4)
    axes = fig.subplots(1, len(pairs) + 1)
    reference = walks.exact_projections(walk.process, walk.n, components, walk.params)
    panels.lissajous_panels(axes[:-1], projections, pairs, reference)
    references = {"exact finite n": np.asarray(report["theory"])}
    if "limit" in report:
        references[report["limit_entry"]] = np.asarray(report["limit"])
    panels.spectrum_panel(axes[-1], walk.explained_variance_ratio, references, components=50)
    fig.suptitle(
        f"{PROCESSES[walk.process].title}, n = {walk.n}, d = {walk.d}, noise {report['noise']}, "
        f"seed {walk.seed}",
        fontsize=10,
    )
    return panels.to_png(fig)

"""How fast the CLI answers, and what `rwpca derive` costs (issue 12, items 3 and 4).

Runs, each in a fresh interpreter (a command line is what a user types):

* ``python -c pass``, the floor every command pays;
* ``rwpca --help`` and ``rwpca COMMAND --help`` for every subcommand, and ``rwpca cite ID``;
* ``python -X importtime -c "import rwpca.cli"``: the import time of the CLI module, the
  slowest modules it loads, and which heavy libraries (SymPy, mpmath, python-flint, NumPy,
  SciPy, matplotlib) ``rwpca --help`` and each subcommand's ``--help`` load;
* with ``--derive``: ``rwpca derive --check`` against the tree of the checkout, and
  ``rwpca derive --out`` into a temporary folder (the path that draws the figures).

CPU seconds (user + system of the child, from ``resource.getrusage``) are reported beside
wall seconds: on a shared machine the wall time measures the neighbours as much as rwpca.
BLAS runs with one thread (``OMP_NUM_THREADS`` and ``OPENBLAS_NUM_THREADS`` set in the
children's environment; ``rwpca derive`` does no large products). ``--python`` measures
another installation (for example a checkout of the previous commit) for a before/after
table in one run.

    python benchmarks/cli_speed.py                 # help latency, median of 5
    python benchmarks/cli_speed.py --derive        # and rwpca derive (about a minute)
    python benchmarks/cli_speed.py --python /tmp/base/.venv/bin/python --derive
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The libraries that make a command line slow to start.
HEAVY = ("sympy", "mpmath", "flint", "numpy", "scipy", "matplotlib")
COMMANDS = ("derive", "cite", "verify", "simulate", "train", "analyze")
#: The `rwpca cite` command lines measured (each format, and the list).
CITE_LINES = (
    ["cite", "rw.evr"],
    ["cite", "rw.evr", "--format", "json"],
    ["cite", "rw.evr", "--format", "bibtex"],
    ["cite", "--list"],
)
#: BLAS pinned to one thread in every child.
ENVIRONMENT = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: Children run in a neutral folder: ``python -m`` and ``-c`` put the current folder first on
#: sys.path, and a checkout there would shadow the installation measured.
NEUTRAL = Path(tempfile.gettempdir())


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit status) of one run of ``argv``."""
    wall, cpu, status, _peak = timed_with_peak(argv)
    return wall, cpu, status


def timed_with_peak(argv: list[str]) -> tuple[float, float, int, float]:
    """(wall s, CPU s, exit status, peak resident MB) of one run of ``argv`` (os.wait4)."""
    env = {**os.environ, **ENVIRONMENT}
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, env=env, cwd=NEUTRAL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, process.returncode, usage.ru_maxrss / 1024


def median_of(argv: list[str], repeats: int) -> tuple[float, float]:
    """Median wall and CPU seconds over ``repeats`` runs (each must exit 0)."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu, status = timed(argv)
        if status != 0:
            raise SystemExit(f"{' '.join(argv)} exited with status {status}")
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


_PROBE = """
import sys
from rwpca.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
sys.stdout = sys.__stdout__
print("\\n@@" + " ".join(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def heavy_modules(python: str, argv: list[str]) -> list[str]:
    """The heavy libraries a command line loads (run through ``rwpca.cli.main``)."""
    code = _PROBE.format(argv=argv, heavy=HEAVY)
    env = {**os.environ, **ENVIRONMENT}
    out = subprocess.run(
        [python, "-c", code], env=env, cwd=NEUTRAL, capture_output=True, text=True
    ).stdout
    return out.rsplit("@@", 1)[-1].split()


def import_times(python: str, module: str = "rwpca.cli", top: int = 8) -> dict[str, object]:
    """``python -X importtime -c "import MODULE"``: its cumulative time and the slowest
    modules it imports (cumulative microseconds, as Python reports them)."""
    env = {**os.environ, **ENVIRONMENT}
    err = subprocess.run(
        [python, "-X", "importtime", "-c", f"import {module}"],
        env=env,
        cwd=NEUTRAL,
        capture_output=True,
        text=True,
    ).stderr
    rows = []
    for line in err.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((int(match.group(2)), len(match.group(3)), match.group(4)))
    total = next((us for us, _, name in rows if name == module), 0)
    slowest = sorted((r for r in rows if r[2] != module), reverse=True)[:top]
    return {
        "module": module,
        "cumulative_ms": total / 1000,
        "slowest": [{"module": name, "cumulative_ms": us / 1000} for us, _, name in slowest],
    }


def help_table(python: str, repeats: int) -> dict[str, object]:
    """Median wall and CPU of every ``--help``, and of the floor ``python -c pass``."""
    floor = median_of([python, "-c", "pass"], repeats)
    rows = {}
    for command in ("", *COMMANDS):
        argv = [command, "--help"] if command else ["--help"]
        wall, cpu = median_of([python, "-m", "rwpca.cli", *argv], repeats)
        rows[f"rwpca {' '.join(argv)}"] = {
            "wall": wall,
            "cpu": cpu,
            "cpu_over_floor": cpu - floor[1],
            "heavy_modules": heavy_modules(python, argv),
        }
    for argv in CITE_LINES:
        wall, cpu = median_of([python, "-m", "rwpca.cli", *argv], repeats)
        rows[f"rwpca {' '.join(argv)}"] = {
            "wall": wall,
            "cpu": cpu,
            "cpu_over_floor": cpu - floor[1],
            "heavy_modules": heavy_modules(python, argv),
        }
    return {"floor": {"wall": floor[0], "cpu": floor[1]}, "commands": rows}


def derive_table(python: str, tree: Path | None = None) -> dict[str, object]:
    """``rwpca derive --check`` of the checkout's tree, ``rwpca derive`` over a copy of it
    (what regenerating an up-to-date checkout costs: no figure is drawn), and ``rwpca
    derive --out`` into an empty folder (every figure drawn). ``tree`` is the checkout's
    derivations/ (found by ``--check`` when omitted)."""
    import shutil

    base = [python, "-m", "rwpca.cli", "derive", "--quiet"]
    check = [*base, "--check"] if tree is None else [*base, "--check", "--out", str(tree)]
    rows: dict[str, object] = {}

    def row(name: str, argv: list[str]) -> None:
        wall, cpu, status, peak = timed_with_peak(argv)
        rows[name] = {"wall": wall, "cpu": cpu, "status": status, "peak_mb": peak}

    row("rwpca derive --check", check)
    with tempfile.TemporaryDirectory() as folder:
        if tree is not None:
            shutil.copytree(tree, Path(folder) / "copy")
            row("rwpca derive (tree up to date)", [*base, "--out", str(Path(folder) / "copy")])
        row("rwpca derive --out EMPTY", [*base, "--out", str(Path(folder) / "tree")])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--python",
        action="append",
        default=None,
        help="interpreter of an rwpca installation to measure (repeatable; default: this one)",
    )
    parser.add_argument("--repeats", type=int, default=5, help="runs per command (median)")
    parser.add_argument("--derive", action="store_true", help="also time rwpca derive")
    parser.add_argument(
        "--tree",
        action="append",
        type=Path,
        default=None,
        help="derivations/ of each --python's checkout (in order; default: this checkout's)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    pythons = args.python or [sys.executable]
    report: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "blas_threads": 1,
        "installations": {},
    }
    own = Path(__file__).resolve().parents[1] / "derivations"
    trees = args.tree or [own] * len(pythons)
    for python, tree in zip(pythons, trees, strict=True):
        entry: dict[str, object] = {
            "help": help_table(python, args.repeats),
            "import": import_times(python),
        }
        if args.derive:
            entry["derive"] = derive_table(python, tree)
        report["installations"][python] = entry  # type: ignore[index]
    report["machine"]["load_average_after"] = os.getloadavg()  # type: ignore[index]
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    machine = report["machine"]
    print(
        f"{machine['cpus']} CPUs, load average {machine['load_average'][0]:.1f} before and "  # type: ignore[index]
        f"{machine['load_average_after'][0]:.1f} after; BLAS threads 1; median of "  # type: ignore[index]
        f"{args.repeats}; CPU = user + system of the child"
    )
    for python, entry in report["installations"].items():  # type: ignore[attr-defined]
        print(f"\n{python}")
        floor = entry["help"]["floor"]
        print(f"  {'python -c pass':<28} wall {floor['wall']:6.3f} s  CPU {floor['cpu']:6.3f} s")
        for name, row in entry["help"]["commands"].items():
            heavy = ", ".join(row["heavy_modules"]) or "none"
            print(
                f"  {name:<28} wall {row['wall']:6.3f} s  CPU {row['cpu']:6.3f} s  "
                f"(+{row['cpu_over_floor']:.3f} s over the floor)  loads: {heavy}"
            )
        imports = entry["import"]
        slowest = ", ".join(
            f"{m['module']} {m['cumulative_ms']:.0f} ms" for m in imports["slowest"][:5]
        )
        print(f"  import rwpca.cli: {imports['cumulative_ms']:.0f} ms ({slowest})")
        for name, row in entry.get("derive", {}).items():
            print(
                f"  {name:<32} wall {row['wall']:6.1f} s  CPU {row['cpu']:6.1f} s  "
                f"peak {row['peak_mb']:5.0f} MB  exit {row['status']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Speed of certified spectra and formula checks, against the dense and float64 anchors.

Run ``python benchmarks/verify_speed.py`` (``--quick`` for n <= 1000, ``--json`` to write
benchmarks/results/verify_speed.json). Every case runs in a fresh subprocess with one
BLAS/OpenMP thread (``OMP_NUM_THREADS=1`` and threadpoolctl), so its CPU seconds, wall
seconds and peak resident memory (ru_maxrss of that process, which includes the
interpreter and the imports: the ``imports only`` row) are its own. On a shared machine
wall time includes waiting for a core; CPU seconds are the figure to compare.

Cases, all at 50 digits:

1. the whole certified spectrum (every eigenvalue of K in a rigorous ball of relative
   radius 1e-50, ``certified_eigenvalues``) of the plain, momentum (gamma = 1/2) and OU
   (alpha = 1/10) covariances at n = 250 .. 10,000, with the growth exponent of the CPU
   time over the largest sizes;
2. the anchors at the same n where they finish: float64 eigenvalues of Q from LAPACK's
   banded/tridiagonal solvers (``scipy.linalg.eigvalsh_tridiagonal`` for the band of the
   plain walk and of OU, ``eig_banded`` for momentum; no certificate, the speed floor),
   python-flint's dense ``arb_mat.eig`` (rigorous, O(n^3) in C) and dense
   ``mpmath.eigsy`` (high precision without error bounds, O(n^3) in Python), each with a
   time limit;
3. ``rwpca verify rw.eigenvalue --n N --dps 50`` end to end (``check_formula`` with
   exact=True on every k), at N = 1,000 and 10,000.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DIGITS = 50
SIZES = (250, 500, 1000, 2000, 5000, 10_000)
QUICK_SIZES = (250, 500, 1000)
#: The largest n at which each dense anchor is tried, by process (--quick: n = 250 only);
#: one point at n = 500 shows the O(n^3) growth without running the others for an hour.
DENSE_ANCHORS = {
    "flint arb_mat.eig": ("flint-eig", {"plain": 500, "momentum": 250, "ou": 250}),
    "mpmath.eigsy": ("eigsy", {"plain": 250, "momentum": 250, "ou": 250}),
}
PROCESSES = (("plain", {}), ("momentum", {"gamma": 0.5}), ("ou", {"alpha": 0.1}))
#: CPU seconds allowed to a dense anchor before it is stopped (--quick: 60). A CPU limit,
#: not a wall-clock one: on a shared machine wall time includes waiting for a core.
ANCHOR_LIMIT = 600
THREADS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

CASE_CODE = r"""
import json, resource, sys, time
from threadpoolctl import threadpool_limits
threadpool_limits(1)
case = json.loads(sys.argv[1])
if case.get("cpu_limit"):
    resource.setrlimit(resource.RLIMIT_CPU, (case["cpu_limit"], case["cpu_limit"] + 5))
kind, process, n, params, dps = (case[key] for key in ("kind", "process", "n", "params", "dps"))
import numpy as np
from rwpca.numerics.linalg.structure import centred_precision_structure
from rwpca.numerics.certified.enclosures import certified_eigenvalues
from rwpca.numerics.linalg.reference import eigenvalues_mpmath, precision_float
from flint import arb_mat, ctx
import scipy.linalg

def run():
    if kind == "imports":
        return True
    if kind == "enclose":
        balls = certified_eigenvalues(process, n, params, dps=dps)
        return len(balls) == n - 1
    if kind == "eigsy":
        return len(eigenvalues_mpmath(process, n, params, dps=dps)) == n - 1
    if kind == "flint-eig":
        q = centred_precision_structure(process, n, params)
        with ctx.workdps(dps + 20):
            dense = arb_mat([[arb_of(v) for v in row] for row in q.dense()])
            values = dense.eig()
        return len(values) == n
    if kind == "float-banded":
        q = centred_precision_structure(process, n, params)
        bands = [np.array([float(v) for v in band]) for band in q.bands]
        if q.bandwidth == 1:
            values = scipy.linalg.eigvalsh_tridiagonal(bands[0], bands[1][1:])
        else:
            lower = np.zeros((q.bandwidth + 1, n))
            for m, band in enumerate(bands):
                lower[m, : n - m] = band[m:]
            values = scipy.linalg.eig_banded(lower, lower=True, eigvals_only=True)
        return len(values) == n
    raise SystemExit("unknown case " + kind)

def arb_of(v):
    from flint import arb, fmpq
    return arb(fmpq(v.numerator, v.denominator))

usage = resource.getrusage(resource.RUSAGE_SELF)
cpu0 = usage.ru_utime + usage.ru_stime
start = time.perf_counter()
ok = run()
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime - cpu0,
                  "peak_mib": usage.ru_maxrss / 1024, "ok": bool(ok)}))
"""


def _environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **THREADS}


def run_case(case: dict, cpu_limit: int | None = None) -> dict:
    """One case in a fresh interpreter: wall and CPU seconds, peak MiB, ok.

    With ``cpu_limit`` the child is stopped (SIGXCPU) after that many CPU seconds.
    """
    out = subprocess.run(
        [sys.executable, "-c", CASE_CODE, json.dumps({**case, "cpu_limit": cpu_limit})],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=_environment(),
    )
    if out.returncode != 0:
        if cpu_limit is not None and out.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            return {"wall": None, "cpu": None, "peak_mib": None, "ok": False, "timeout": cpu_limit}
        raise RuntimeError(f"case {case} failed: {out.stderr.strip()[-500:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_cli(argv: list[str]) -> dict:
    """Wall and CPU seconds and peak memory of an ``rwpca`` command line (a child process)."""
    code = (
        "import resource, runpy, sys, time\n"
        "sys.argv = ['rwpca', *sys.argv[1:]]\n"
        "start = time.perf_counter()\n"
        "try:\n"
        "    runpy.run_module('rwpca.cli', run_name='__main__')\n"
        "except SystemExit as stop:\n"
        "    code = stop.code or 0\n"
        "else:\n"
        "    code = 0\n"
        "u = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print('BENCH', time.perf_counter() - start, u.ru_utime + u.ru_stime, "
        "u.ru_maxrss / 1024, code)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_environment(),
        check=False,
    )
    line = next(x for x in proc.stdout.splitlines() if x.startswith("BENCH"))
    _, wall, cpu, peak, status = line.split()
    return {"wall": float(wall), "cpu": float(cpu), "peak_mib": float(peak), "ok": status == "0"}


def growth_exponent(sizes: list[int], seconds: list[float]) -> float | None:
    """Least-squares slope of log(time) against log(n)."""
    pairs = [(math.log(n), math.log(t)) for n, t in zip(sizes, seconds, strict=True) if t]
    if len(pairs) < 2:
        return None
    mx = sum(x for x, _ in pairs) / len(pairs)
    my = sum(y for _, y in pairs) / len(pairs)
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    return sum((x - mx) * (y - my) for x, y in pairs) / sxx


def _cell(result: dict) -> str:
    if result.get("timeout"):
        return f"> {result['timeout']:.0f} s CPU (stopped)"
    if not result["ok"]:
        return "failed"
    return f"{result['cpu']:.2f} / {result['wall']:.2f} s, {result['peak_mib']:.0f} MiB"


def spectra(sizes, quick: bool) -> dict:
    """Sections 1 and 2: certified whole spectra and the anchors, by process and n."""
    table: dict[str, dict] = {}
    for process, params in PROCESSES:
        rows = {}
        for n in sizes:
            case = {"process": process, "n": n, "params": params, "dps": DIGITS}
            row = {"certified": run_case({**case, "kind": "enclose"})}
            row["float64 banded LAPACK"] = run_case({**case, "kind": "float-banded"})
            for name, (kind, largest) in DENSE_ANCHORS.items():
                if n <= (250 if quick else largest[process]):
                    limit = 60 if quick else ANCHOR_LIMIT
                    row[name] = run_case({**case, "kind": kind}, limit)
            rows[n] = row
            cells = "; ".join(f"{k} {_cell(v)}" for k, v in row.items())
            print(f"   {process:9s} n = {n:6d}: {cells}", flush=True)
        certified = [(n, rows[n]["certified"]) for n in sizes if rows[n]["certified"]["ok"]]
        top = certified[-3:]
        exponent = growth_exponent([n for n, _ in top], [r["cpu"] for _, r in top])
        table[process] = {"params": params, "rows": rows, "growth_exponent": exponent}
        if exponent is not None:
            span = f"n = {top[0][0]}..{top[-1][0]}"
            print(f"   {process}: CPU time grows like n^{exponent:.2f} over {span}", flush=True)
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="n <= 1000, dense anchors at n = 250 for 60 s"
    )
    parser.add_argument(
        "--json", action="store_true", help="write benchmarks/results/verify_speed.json"
    )
    args = parser.parse_args()
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at start (a shared machine: compare CPU s)"
    )
    print(f"machine: {machine}\nthreads: {THREADS}\n")
    results: dict[str, object] = {"machine": machine, "threads": THREADS, "digits": DIGITS}
    base = run_case({"kind": "imports", "process": "plain", "n": 2, "params": {}, "dps": 10})
    print(f"imports only: {_cell(base)}\n", flush=True)
    results["imports_only"] = base

    print(f"1-2. whole certified spectrum at {DIGITS} digits (CPU / wall s, peak) and anchors")
    sizes = QUICK_SIZES if args.quick else SIZES
    results["spectra"] = spectra(sizes, quick=args.quick)

    print(f"\n3. rwpca verify rw.eigenvalue --dps {DIGITS} (check_formula, exact=True)")
    cli = {}
    for n in (1000,) if args.quick else (1000, 10_000):
        argv = ["verify", "rw.eigenvalue", "--n", str(n), "--dps", str(DIGITS), "--quiet"]
        cli[n] = run_cli(argv)
        print(f"   n = {n}: {_cell(cli[n])}", flush=True)
    results["verify_rw_eigenvalue"] = cli

    if args.json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / "verify_speed.json"
        path.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nwrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    start = time.perf_counter()
    status = main()
    print(f"\n(benchmark took {time.perf_counter() - start:.0f} s of wall time)")
    sys.exit(status)

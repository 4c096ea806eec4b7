"""Speed of the certified eigenvalue verification against dense mpmath.eigsy.

Run ``python benchmarks/verify_speed.py`` (``--quick`` for a short run, ``--json`` to write
benchmarks/results/verify_speed.json). Every case runs in a fresh subprocess, so its wall
time and its peak resident memory (ru_maxrss of that process, which includes the
interpreter and the imports, about 100-150 MB) are its own.

Cases:

1. the baseline a user would otherwise run: build K in mpmath at 50 digits and call
   ``mpmath.eigsy`` (dense, O(n^3) multiprecision), against (a) ``check_formula``
   certifying all n - 1 eigenvalues of the plain walk to 50 digits around rw.eigenvalue
   (what ``rwpca verify rw.eigenvalue`` does; the goal is at least 100x at n = 160) and
   (b) ``certified_eigenvalues`` enclosing every eigenvalue of the plain, momentum and OU
   matrices in a rigorous 50-digit ball without any formula, at n = 80 and 160;
2. ``rwpca verify rw.eigenvalue --n 1000 --dps 50`` end to end (the command line);
3. the largest n whose whole spectrum is certified in under a minute for the plain walk,
   at 8 digits (float64 interval path) and at 50 digits (arb path), doubling n.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"

CASE_CODE = r"""
import json, resource, sys, time
import sympy as sp
from rwpca.numerics.linalg.enclosures import certified_eigenvalues
from rwpca.numerics.linalg.reference import eigenvalues_mpmath
from rwpca.numerics.verification.formula_check import check_formula
case = json.loads(sys.argv[1])
n_, k_ = sp.symbols("n k")
PLAIN = 1 / (2 * (1 - sp.cos(sp.pi * k_ / n_)))
check_formula("plain", PLAIN, n=(3,), dps=10)  # warm caches of the imports, not of the case
start = time.perf_counter()
if case["kind"] == "eigsy":
    values = eigenvalues_mpmath(case["process"], case["n"], case.get("params"), dps=case["dps"])
    ok = len(values) == case["n"] - 1
elif case["kind"] == "certify-formula":
    ok = check_formula("plain", PLAIN, n=(case["n"],), dps=case["dps"]).passed
elif case["kind"] == "enclose":
    values = certified_eigenvalues(case["process"], case["n"], case.get("params"), dps=case["dps"])
    ok = len(values) == case["n"] - 1
else:
    raise SystemExit("unknown case")
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mib": peak, "ok": bool(ok)}))
"""


def run_case(case: dict, timeout: float | None = None) -> dict:
    """Run one case in a fresh interpreter; returns seconds, peak MiB, ok."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        out = subprocess.run(
            [sys.executable, "-c", CASE_CODE, json.dumps(case)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": float("inf"), "peak_mib": None, "ok": False, "timeout": True}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_cli(argv: list[str]) -> dict:
    """Wall time and peak memory of an `rwpca` command line (a child process)."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(
        [sys.executable, "-m", "rwpca.cli", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    elapsed = time.perf_counter() - start
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return {"seconds": elapsed, "peak_mib": peak, "ok": proc.returncode == 0}


def fmt_row(cells: list[object], widths: list[int]) -> str:
    return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, no largest-n search")
    parser.add_argument(
        "--json", action="store_true", help="write benchmarks/results/verify_speed.json"
    )
    args = parser.parse_args()

    machine = f"{platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}"
    print(f"machine: {machine}\n")
    results: dict[str, object] = {"machine": machine}

    # 1. certified path against dense mpmath.eigsy
    sizes = (40, 80) if args.quick else (80, 160)
    rows = []
    widths = [34, 6, 10, 14, 10, 13, 5]
    print("1. all eigenvalues to 50 digits: dense mpmath.eigsy against the certified path")
    print(
        fmt_row(
            ["case", "n", "eigsy [s]", "certified [s]", "speed-up", "peak MiB e/c", "ok"], widths
        )
    )
    cases = [
        ("plain", {}, "certify-formula", "rw.eigenvalue certified"),
        ("plain", {}, "enclose", "spectrum enclosed"),
        ("momentum", {"gamma": 0.5}, "enclose", "spectrum enclosed"),
        ("ou", {"alpha": 0.1}, "enclose", "spectrum enclosed"),
    ]
    for process, params, kind, what in cases:
        for size in sizes:
            base = run_case(
                {"kind": "eigsy", "process": process, "n": size, "params": params, "dps": 50}
            )
            ours = run_case(
                {"kind": kind, "process": process, "n": size, "params": params, "dps": 50}
            )
            ratio = base["seconds"] / ours["seconds"]
            row = {
                "process": process,
                "what": what,
                "n": size,
                "eigsy_seconds": base["seconds"],
                "eigsy_peak_mib": base["peak_mib"],
                "certified_seconds": ours["seconds"],
                "certified_peak_mib": ours["peak_mib"],
                "speedup": ratio,
                "ok": base["ok"] and ours["ok"],
            }
            rows.append(row)
            print(
                fmt_row(
                    [
                        f"{process}: {what}",
                        size,
                        f"{base['seconds']:.2f}",
                        f"{ours['seconds']:.3f}",
                        f"{ratio:.0f}x",
                        f"{base['peak_mib']:.0f}/{ours['peak_mib']:.0f}",
                        row["ok"],
                    ],
                    widths,
                )
            )
    print(
        "   (eigsy: dense K in mpmath at 50 digits, mpmath.eigsy; certified: every eigenvalue "
        "in a rigorous ball of relative radius 1e-50 - around the formula for "
        "rw.eigenvalue, around refined values otherwise)\n"
    )
    results["against_eigsy"] = rows

    # 2. the command line
    argv = ["verify", "rw.eigenvalue", "--n", "1000", "--dps", "50", "--quiet"]
    cli = run_cli(argv)
    print(
        f"2. rwpca {' '.join(argv[:-1])}: {cli['seconds']:.1f} s, peak {cli['peak_mib']:.0f} MiB, ok = {cli['ok']}\n"
    )
    results["cli_n1000_dps50"] = {"argv": argv, **cli}

    # 3. largest n certified in under a minute (plain walk)
    if not args.quick:
        print("3. largest n whose whole spectrum is certified in under 60 s (plain walk)")
        search = {}
        for digits, start in ((8, 10_000), (50, 1_000)):
            size, best, history = start, None, []
            while True:
                got = run_case(
                    {"kind": "certify-formula", "process": "plain", "n": size, "dps": digits},
                    timeout=120,
                )
                history.append({"n": size, **got})
                print(
                    f"   {digits} digits, n = {size}: {got['seconds']:.1f} s, peak {got['peak_mib'] or 0:.0f} MiB, ok = {got['ok']}"
                )
                if got["seconds"] > 60 or not got["ok"]:
                    break
                best = size
                size *= 2
            search[f"{digits}_digits"] = {"largest_n_under_60s": best, "history": history}
            print(f"   -> {digits} digits: largest n tried under a minute: {best}")
        results["largest_n"] = search

    if args.json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / "verify_speed.json"
        path.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nwrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: rwpca's walk simulator against what users do today.

Baselines (measured in this script, same machine, same run): materialise the n x d
trajectory with ``cumsum`` and run PCA on it, either with NumPy (centre, then
``np.linalg.svd``) or with scikit-learn (``PCA().fit``). rwpca draws the n x n step Gram
matrix instead: directly as a Wishart matrix for Gaussian noise, or streamed block by
block over d for any other noise.

Each method runs in a fresh subprocess, so its peak memory is its own: the peak resident
set (VmHWM, reset through /proc/self/clear_refs) minus the resident set before the
computation (after imports). Time is wall-clock around the computation only.

Also measured: the Gaussian path's time as d grows (it should be flat), and the
throughput of the Gram accumulation B @ B^T against this machine's matrix-multiply peak.

    python benchmarks/simulate.py            # n = 1000, d = 100000 (needs ~4 GB for the baselines)
    python benchmarks/simulate.py --quick    # n = 300, d = 20000
    python benchmarks/simulate.py --json     # also write benchmarks/results/simulate.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))  # run from a checkout without installing
METHODS = ("numpy", "sklearn", "rwpca-wishart", "rwpca-stream", "rwpca-stream-laplace")


# --- measurements inside a child process ------------------------------------------------------


def _status(key: str) -> int:
    """A field of /proc/self/status in bytes (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{key} not in /proc/self/status")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def child(method: str, n: int, d: int, seed: int) -> dict[str, object]:
    from rwpca.numerics.walks import simulator

    if method == "sklearn":
        import sklearn.decomposition  # noqa: F401  (import cost outside the timing)
    simulator.simulate("plain", 4, 10, "gaussian")  # warm imports and caches
    _reset_peak()
    before = _status("VmRSS")
    # the baselines run once (minutes); rwpca's methods report the best of three runs
    elapsed = min(_timed(method, n, d, seed) for _ in range(1 if method in BASELINES else 3))
    peak = _status("VmHWM") - before
    return {
        "method": method,
        "seconds": elapsed,
        "peak_bytes": peak,
        "rho_1": float(_LAST[0]),
        "rho_2": float(_LAST[1]),
    }


BASELINES = ("numpy", "sklearn")
_LAST: list = []


def _timed(method: str, n: int, d: int, seed: int) -> float:
    """Wall-clock seconds of one run of ``method``; its ratios are left in _LAST."""
    import numpy as np

    from rwpca.numerics.walks import simulator
    from rwpca.numerics.walks.families import GaussianNoise

    start = time.perf_counter()
    if method in BASELINES:
        rng = np.random.default_rng(seed)
        X = np.cumsum(rng.standard_normal((n, d)), axis=0)  # the trajectory, n x d
        if method == "numpy":
            Xc = X - X.mean(axis=0)
            s = np.linalg.svd(Xc, compute_uv=False)
            ratios = s**2 / np.sum(s**2)
        else:
            from sklearn.decomposition import PCA  # imported before the timing (child)

            ratios = PCA().fit(X).explained_variance_ratio_
        del X
    else:
        noise = {
            "rwpca-wishart": "gaussian",
            "rwpca-stream": GaussianNoise(wishart=False),
            "rwpca-stream-laplace": "laplace",
        }[method]
        ratios = simulator.simulate("plain", n, d, noise, seed=seed).explained_variance_ratio
    elapsed = time.perf_counter() - start
    _LAST[:] = [ratios[0], ratios[1]]
    return elapsed


def _run_child(method: str, n: int, d: int, seed: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT.parent)}
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            method,
            "--n",
            str(n),
            "--d",
            str(d),
            "--seed",
            str(seed),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT.parent,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- measurements in this process ---------------------------------------------------------------


def matmul_peak(size: int = 3000, repeats: int = 3) -> float:
    """Best GFLOP/s of a size x size float64 matrix product (2 size^3 flops)."""
    import numpy as np

    A = np.random.default_rng(0).standard_normal((size, size))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        A @ A
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def gram_throughput(n: int, blocks: int = 20) -> dict[str, float]:
    """GFLOP/s of rwpca.numerics.trajectories.gram.accumulate on n x block blocks (n (n + 1) block flops each)."""
    import numpy as np

    from rwpca.numerics.trajectories import gram
    from rwpca.numerics.walks.families import default_block

    block = default_block(n)
    B = np.random.default_rng(1).standard_normal((n, block))
    gram.accumulate([B, B], n=n)  # warm up
    start = time.perf_counter()
    gram.accumulate((B for _ in range(blocks)), n=n)
    elapsed = time.perf_counter() - start
    return {"block": block, "gflops": n * (n + 1) * block * blocks / elapsed / 1e9}


def flat_in_d(n: int, dims: tuple[int, ...], repeats: int = 3) -> list[dict[str, float]]:
    """Best time of the Gaussian (Wishart) path for each d."""
    from rwpca.numerics.walks import simulator

    rows = []
    for d in dims:
        best = float("inf")
        for seed in range(repeats):
            start = time.perf_counter()
            simulator.simulate("plain", n, d, "gaussian", seed=seed)
            best = min(best, time.perf_counter() - start)
        rows.append({"d": d, "seconds": best})
    return rows


def machine() -> dict[str, object]:
    import numpy as np

    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            f"{p['internal_api']} {p['version']} ({p['num_threads']} threads)"
            for p in threadpool_info()
        ]
    except ImportError:
        pass
    return info


def _mib(value: float) -> str:
    return f"{value / 2**20:,.1f} MiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="rwpca simulate vs cumsum + PCA")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--d", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="n = 300, d = 20000")
    parser.add_argument(
        "--json", action="store_true", help="write benchmarks/results/simulate.json"
    )
    parser.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.n, args.d, args.seed)))
        return 0
    n, d = (300, 20_000) if args.quick else (args.n, args.d)

    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, NumPy {info['numpy']}"
    )
    for lib in info.get("blas", []):
        print(f"  BLAS: {lib}")
    print(f"\nPCA of a plain random walk, n = {n}, d = {d} (each method in a fresh process)")
    rows = [_run_child(method, n, d, args.seed) for method in METHODS]
    baseline = {r["method"]: r for r in rows}
    print(f"{'method':<22}{'time':>10}{'peak memory':>16}{'rho_1':>9}{'rho_2':>9}")
    for r in rows:
        print(
            f"{r['method']:<22}{r['seconds']:>9.2f}s{_mib(r['peak_bytes']):>16}{r['rho_1']:>9.4f}{r['rho_2']:>9.4f}"
        )
    ratios = []
    for ours in ("rwpca-wishart", "rwpca-stream", "rwpca-stream-laplace"):
        for base in ("numpy", "sklearn"):
            t = baseline[base]["seconds"] / baseline[ours]["seconds"]
            m = baseline[base]["peak_bytes"] / max(baseline[ours]["peak_bytes"], 1)
            ratios.append({"rwpca": ours, "baseline": base, "time_ratio": t, "memory_ratio": m})
    print("\nratios (baseline / rwpca; goals: time >= 10x, memory >= 50x)")
    for r in ratios:
        print(
            f"  {r['rwpca']:<22} vs {r['baseline']:<8} time {r['time_ratio']:>7.1f}x   memory {r['memory_ratio']:>7.1f}x"
        )

    dims = (10**3, 10**4, 10**5, 10**6, 10**9, 10**12)
    flat = flat_in_d(n, dims)
    print(f"\nGaussian (Wishart) path, n = {n}: time against d (best of 3)")
    for row in flat:
        print(f"  d = {row['d']:>16,}  {row['seconds']:.3f}s")

    peak = matmul_peak()
    throughput = gram_throughput(n)
    print(
        f"\nmatrix-multiply peak (3000 x 3000 float64): {peak:.1f} GFLOP/s\n"
        f"Gram accumulation B B^T, n = {n}, block = {throughput['block']}: "
        f"{throughput['gflops']:.1f} GFLOP/s = {100 * throughput['gflops'] / peak:.0f}% of peak"
    )
    if args.json:
        out = ROOT / "results" / "simulate.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "machine": info,
            "n": n,
            "d": d,
            "methods": rows,
            "ratios": ratios,
            "gaussian_time_vs_d": flat,
            "matmul_peak_gflops": peak,
            "gram_throughput": throughput,
        }
        out.write_text(json.dumps(record, indent=2) + "\n")
        print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Trajectory PCA: one streaming Gram pass against loading everything and scikit-learn PCA.

    python benchmarks/trajectory_pca.py                 # n = 500, d = 10^6 (2 GB of float32)
    python benchmarks/trajectory_pca.py --d 100000      # a quicker run
    python benchmarks/trajectory_pca.py --json benchmarks/results/trajectory_pca.json

The data: a random walk of n checkpoints of d float32 parameters, written as a folder of
per-checkpoint ``.npy`` files (how training code saves checkpoints) and as one n x d
``.npy``. Every path runs in its own subprocess, so its peak resident memory
(``ru_maxrss``, which counts memory-mapped pages that are resident) is its own; the time is
the work inside the subprocess (imports excluded), best of ``--repeat``; the peak memory is
the subprocess's ``VmHWM`` (its whole life, imports included). The page cache is
warmed by reading every file once before any timing, so all paths read from memory.

Paths:

* ``sklearn PCA()``: ``np.stack([np.load(f) for f in files])`` then ``PCA().fit`` (the
  default solver: a full SVD for this shape): the baseline a user would otherwise run.
* ``sklearn PCA(10, randomized)``: the same with ``n_components=10``, which a user who
  only wants the leading components might run (it still loads everything).
* ``rwpca Gram pass + PCA``: ``open_trajectory(...).gram()`` (one pass over d, column
  blocks) and the eigendecomposition of the centred n x n Gram matrix: every ratio and the
  projections' time courses, what ``PCA()`` gives (not the d-dimensional directions).
* ``rwpca analyze``: the same plus the three null models and their randomisation tests
  (3 x 199 reshuffled walks): the whole `rwpca analyze`.

Also measured in the same run: this machine's float64 matrix-multiply rate (GEMM,
4096^3, best of 3), the rate of the Gram kernel alone on in-memory blocks (``B @ B.T``,
which NumPy runs as a symmetric rank-k update, counted as ``n (n + 1) b`` flops), and the
end-to-end Gram pass in the same units.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rss_bytes() -> int:
    """Peak resident memory of this process's own address space.

    ``VmHWM`` of /proc/self/status belongs to the address space created at exec;
    ``ru_maxrss`` is not reset by exec on Linux and would include the parent's peak at the
    time of the fork, so it is only the fallback on systems without /proc.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


# --- the measured paths (run in a child process) -------------------------------------------


def _files(folder: Path) -> list[Path]:
    from rwpca.numerics.trajectories.readers import natural_key

    return sorted(folder.glob("*.npy"), key=lambda p: natural_key(p.name))


def child(method: str, data: Path) -> dict[str, float]:
    """Run one path on ``data``; report its time and peak memory."""
    if method.startswith("sklearn"):
        from sklearn.decomposition import PCA
    else:
        from rwpca.numerics.trajectories.gram import centred_gram, pca_from_gram
        from rwpca.numerics.trajectories.readers import open_trajectory

        if method == "rwpca-analyze":
            from rwpca.numerics.trajectories.analysis import analyze_gram
    idle = _rss_bytes()
    start = time.perf_counter()
    if method.startswith("sklearn"):
        X = np.stack([np.load(f, allow_pickle=False) for f in _files(data)])
        pca = (
            PCA() if method == "sklearn-full" else PCA(10, svd_solver="randomized", random_state=0)
        )
        pca.fit(X)
        first = float(pca.explained_variance_ratio_[0])
    else:
        trajectory = open_trajectory(data)
        G = trajectory.gram()
        if method == "rwpca-pca":
            values, _ = pca_from_gram(centred_gram(G))
            first = float(values[0] / values.sum())
        else:
            result = analyze_gram(G, trajectory.d)
            first = float(result.explained_variance_ratio[0])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_rss": _rss_bytes(), "idle_rss": idle, "rho_1": first}


def run_child(method: str, data: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", method, str(data)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


# --- data and machine rates -------------------------------------------------------------------


def make_data(root: Path, n: int, d: int, dtype: str) -> tuple[Path, Path]:
    """A float random walk as a folder of n checkpoint files and as one n x d .npy."""
    folder = root / "checkpoints"
    folder.mkdir()
    single = np.lib.format.open_memmap(root / "trajectory.npy", "w+", dtype=dtype, shape=(n, d))
    rng = np.random.default_rng(0)
    x = np.zeros(d)
    for t in range(n):
        x += rng.standard_normal(d) / np.sqrt(d)
        row = x.astype(dtype)
        np.save(folder / f"step_{t:05d}.npy", row)
        single[t] = row
    single.flush()
    del single
    return folder, root / "trajectory.npy"


def warm(paths: list[Path]) -> None:
    for path in paths:
        files = [path] if path.is_file() else sorted(path.iterdir())
        for file in files:
            with open(file, "rb") as stream:
                while stream.read(1 << 24):
                    pass


def gemm_rate(size: int = 4096, repeat: int = 3) -> float:
    """Float64 GEMM flops per second (2 size^3 per product), best of ``repeat``."""
    rng = np.random.default_rng(1)
    A, B = rng.standard_normal((size, size)), rng.standard_normal((size, size))
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        A @ B
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best


def gram_kernel_rate(n: int, block: int, repeat: int = 20) -> float:
    """Flops per second of B @ B.T on an in-memory n x block float64 block (syrk)."""
    B = np.random.default_rng(2).standard_normal((n, block))
    B @ B.T
    start = time.perf_counter()
    for _ in range(repeat):
        B @ B.T
    return n * (n + 1) * block * repeat / (time.perf_counter() - start)


# --- the report -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--d", type=int, default=1_000_000)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--repeat", type=int, default=1, help="runs per path (best time)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--data-dir", type=Path, help="where to write the data (default /tmp)")
    parser.add_argument("--child", nargs=2, metavar=("METHOD", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return 0

    from rwpca.numerics.trajectories.gram import DEFAULT_BLOCK

    root = Path(tempfile.mkdtemp(prefix="rwpca-bench-", dir=args.data_dir))
    try:
        print(f"writing a {args.n} x {args.d} {args.dtype} random walk to {root} ...", flush=True)
        folder, single = make_data(root, args.n, args.d, args.dtype)
        warm([folder, single])
        gemm = gemm_rate()
        kernel = gram_kernel_rate(args.n, DEFAULT_BLOCK)
        runs = [
            ("sklearn PCA() on the stacked checkpoints", "sklearn-full", folder),
            ("sklearn PCA(10, randomized), stacked", "sklearn-randomized", folder),
            ("rwpca Gram pass + PCA, checkpoint folder", "rwpca-pca", folder),
            ("rwpca Gram pass + PCA, one n x d .npy", "rwpca-pca", single),
            ("rwpca analyze (+ nulls, 3 x 199 walks), folder", "rwpca-analyze", folder),
        ]
        results = []
        for label, method, data in runs:
            best = None
            for _ in range(args.repeat):
                result = run_child(method, data)
                if best is None or result["seconds"] < best["seconds"]:
                    best = result
            assert best is not None
            results.append({"path": label, "method": method, **best})
            print(f"  {label}: {best['seconds']:.2f} s, peak {best['peak_rss'] / 2**20:.0f} MiB",
                  flush=True)  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)

    baseline = results[0]
    flops = args.n * (args.n + 1) * args.d
    print()
    print(
        f"n = {args.n}, d = {args.d}, {args.dtype}; {os.cpu_count()} cores; numpy {np.__version__}"
    )
    print(f"{'path':<50} {'time s':>8} {'peak MiB':>9} {'time ratio':>11} {'memory ratio':>13}")
    for row in results:
        row["time_ratio"] = baseline["seconds"] / row["seconds"]
        row["memory_ratio"] = baseline["peak_rss"] / row["peak_rss"]
        print(
            f"{row['path']:<50} {row['seconds']:8.2f} {row['peak_rss'] / 2**20:9.0f} "
            f"{row['time_ratio']:10.2f}x {row['memory_ratio']:12.1f}x"
        )
    print(f"(baseline = first row; the interpreter with NumPy imported is "
          f"~{results[2]['idle_rss'] / 2**20:.0f} MiB of every rwpca peak)")  # fmt: skip
    pass_rate = flops / next(r for r in results if r["method"] == "rwpca-pca")["seconds"]
    print()
    print(f"float64 GEMM peak (4096^3):              {gemm / 1e9:7.1f} GFLOP/s")
    print(f"Gram kernel B @ B.T, {args.n} x {DEFAULT_BLOCK} blocks: {kernel / 1e9:7.1f} GFLOP/s "
          f"({100 * kernel / gemm:.0f}% of GEMM peak)")  # fmt: skip
    print(f"Gram pass end to end (read + convert):   {pass_rate / 1e9:7.1f} GFLOP/s "
          f"({100 * pass_rate / gemm:.0f}% of GEMM peak; n (n + 1) d flops)")  # fmt: skip
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "n": args.n,
                    "d": args.d,
                    "dtype": args.dtype,
                    "cores": os.cpu_count(),
                    "gemm_flops": gemm,
                    "gram_kernel_flops": kernel,
                    "gram_pass_flops": pass_rate,
                    "results": results,
                },
                indent=2,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

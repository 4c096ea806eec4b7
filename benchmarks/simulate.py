"""Benchmark: rwpca's streamed walk simulator against the code a user writes instead.

For each noise family and each d (n = 1000 by default), in one run:

* ``rwpca``: :func:`rwpca.numerics.walks.simulator.simulate` (float32 draws from SFC64 bits,
  float32 block products summed in float64, drawing overlapped with the products in a
  second thread, one BLAS thread; Gaussian noise draws a Wishart matrix instead);
* ``numpy-svd``: the trajectory materialised in float64 (the family's NumPy draw,
  ``cumsum``), centred, and ``np.linalg.svd(compute_uv=False)``;
* ``float32-gram``: the ten lines a knowledgeable user writes: float32 draws (NumPy's float32
  samplers where they exist, else a float64 draw cast), ``cumsum`` in float32, the Gram
  matrix of the centred trajectory over float32 column blocks summed in float64, ``eigh``.

Each method runs in a fresh subprocess, so its peak memory is its own: the peak resident set
(VmHWM, reset through /proc/self/clear_refs) minus the resident set before the work. Time is
CPU seconds of the process (all threads) and wall-clock seconds, median of 3 runs (one run
when a run takes more than 10 s). BLAS threads are pinned with threadpoolctl: the baselines
run with ``--threads`` (default 1), rwpca with its own choice (one BLAS thread for the
products, one drawing thread), which the ``threads`` section measures against the others.

Also reported: where rwpca's time goes (CPU of the draws alone and of the block products
alone), the float32 GEMM limit of the machine, the raw speed of NumPy's bit generators and
rwpca's time under PCG64 instead of SFC64, and the Gaussian (Wishart) path's time as d grows.

    python benchmarks/simulate.py                 # n = 1000, d = 10^4, 10^5, 2 10^5 (~5 GB peak)
    python benchmarks/simulate.py --quick         # n = 300, d = 3000, 20000
    python benchmarks/simulate.py --families laplace,uniform --dims 100000 --json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))  # run from a checkout without installing

FAMILIES = (
    "gaussian",
    "gaussian-streamed",
    "uniform",
    "rademacher",
    "laplace",
    "exponential",
    "student_t:nu=3",
    "sparse:density=0.01",
    "mixture",
)
METHODS = ("rwpca", "numpy-svd", "float32-gram")
#: A run longer than this is not repeated (the baselines at large d take minutes).
REPEAT_BELOW = 10.0


# --- the baselines: what a user draws -----------------------------------------------------------


def numpy_steps(family: str, rng, shape: tuple[int, int]):
    """The family's steps as a NumPy user draws them (float64, unit variance)."""
    import numpy as np

    if family.startswith("gaussian"):
        return rng.standard_normal(shape)
    if family == "uniform":
        return rng.uniform(-math.sqrt(3), math.sqrt(3), shape)
    if family == "rademacher":
        return rng.integers(0, 2, shape).astype(np.float64) * 2 - 1
    if family == "laplace":
        return rng.laplace(0.0, 1 / math.sqrt(2), shape)
    if family == "exponential":
        return rng.standard_exponential(shape) - 1.0
    if family.startswith("student_t"):
        nu = float(family.partition("=")[2])
        return rng.standard_t(nu, shape) * math.sqrt((nu - 2) / nu)
    if family.startswith("sparse"):
        p = float(family.partition("=")[2])
        return rng.standard_normal(shape) * (rng.random(shape) < p) / math.sqrt(p)
    if family == "mixture":  # 0.9 N(0, 1) + 0.1 N(0, 25), unit variance
        norm = math.sqrt(0.9 + 0.1 * 25)
        return rng.standard_normal(shape) * np.where(rng.random(shape) < 0.1, 5.0, 1.0) / norm
    raise ValueError(family)


def float32_steps(family: str, rng, shape: tuple[int, int]):
    """The same steps in float32: NumPy's float32 samplers where they exist, else a cast."""
    import numpy as np

    f32 = np.float32
    if family.startswith("gaussian"):
        return rng.standard_normal(shape, dtype=f32)
    if family == "uniform":
        x = rng.random(shape, dtype=f32)
        x -= f32(0.5)
        x *= f32(2 * math.sqrt(3))
        return x
    if family == "rademacher":
        return rng.integers(0, 2, shape, dtype=np.int8).astype(f32) * f32(2) - f32(1)
    if family == "exponential":
        return rng.standard_exponential(shape, dtype=f32) - f32(1)
    if family.startswith("sparse"):
        p = float(family.partition("=")[2])
        x = rng.standard_normal(shape, dtype=f32)
        x *= rng.random(shape, dtype=f32) < p
        x *= f32(1 / math.sqrt(p))
        return x
    if family == "mixture":
        x = rng.standard_normal(shape, dtype=f32)
        x *= np.where(rng.random(shape, dtype=f32) < 0.1, f32(5), f32(1))
        x *= f32(1 / math.sqrt(0.9 + 0.1 * 25))
        return x
    return numpy_steps(family, rng, shape).astype(f32)  # laplace, student_t: no float32 sampler


def numpy_svd(family: str, n: int, d: int, seed: int):
    import numpy as np

    rng = np.random.default_rng(seed)
    X = np.cumsum(numpy_steps(family, rng, (n, d)), axis=0)  # the trajectory, n x d
    X -= X.mean(axis=0)
    s = np.linalg.svd(X, compute_uv=False)
    return s**2 / np.sum(s**2)


def float32_gram(family: str, n: int, d: int, seed: int, block: int = 4096):
    import numpy as np

    rng = np.random.default_rng(seed)
    X = np.cumsum(float32_steps(family, rng, (n, d)), axis=0, dtype=np.float32)
    X -= X.mean(axis=0)
    G = np.zeros((n, n))
    for start in range(0, d, block):
        B = X[:, start : start + block]
        G += B @ B.T
    values = np.linalg.eigh(G)[0][::-1]
    return values / values.sum()


def rwpca_walk(family: str, n: int, d: int, seed: int):
    from rwpca.numerics.walks import simulator
    from rwpca.numerics.walks.families import GaussianNoise

    noise = GaussianNoise(wishart=False) if family == "gaussian-streamed" else family
    return simulator.simulate("plain", n, d, noise, seed=seed).explained_variance_ratio


# --- measurements inside a child process ------------------------------------------------------


def _status(key: str) -> int:
    """A field of /proc/self/status in bytes (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{key} not in /proc/self/status")


def _timed(function, *args) -> tuple[float, float, object]:
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return time.perf_counter() - start, time.process_time() - cpu, result


def _median_runs(function, *args) -> dict[str, object]:
    wall, cpu, result = _timed(function, *args)
    walls, cpus = [wall], [cpu]
    if wall < REPEAT_BELOW:
        for _ in range(2):
            wall, cpu, result = _timed(function, *args)
            walls.append(wall)
            cpus.append(cpu)
    return {
        "wall": statistics.median(walls),
        "cpu": statistics.median(cpus),
        "runs": len(walls),
        "rho_1": float(result[0]),
        "rho_2": float(result[1]),
    }


def where_time_goes(family: str, n: int, d: int, seed: int) -> dict[str, float]:
    """CPU seconds of rwpca's draws alone and of its block products alone (same blocks)."""
    import numpy as np

    from rwpca.numerics.walks import samplers
    from rwpca.numerics.walks.families import GaussianNoise, default_block, get_noise

    noise = GaussianNoise(wishart=False) if family == "gaussian-streamed" else get_noise(family)
    block = default_block(n, 4 if noise.single else 8)
    start = time.process_time()
    first = None
    for B in noise.blocks(np.random.default_rng(seed), n, d, block):
        first = B if first is None else first
    draw = time.process_time() - start
    count = d / first.shape[1]
    start = time.process_time()
    with samplers.blas_threads():
        samplers.accumulate_steps(
            (first for _ in range(math.ceil(count))), n, single=samplers.single_precision(n, d)
        )
    product = time.process_time() - start
    return {"draw_cpu": draw, "product_cpu": product, "block": block}


def child(method: str, family: str, n: int, d: int, seed: int, threads: int) -> dict:
    from threadpoolctl import threadpool_limits

    from rwpca.numerics.walks import simulator

    simulator.simulate("plain", 4, 10, "laplace")  # warm imports and caches
    function = {"rwpca": rwpca_walk, "numpy-svd": numpy_svd, "float32-gram": float32_gram}[method]
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak resident set
    before = _status("VmRSS")
    if method == "rwpca":  # rwpca chooses its own threads (one BLAS thread, one drawing thread)
        record = _median_runs(function, family, n, d, seed)
    else:
        with threadpool_limits(limits=threads, user_api="blas"):
            record = _median_runs(function, family, n, d, seed)
    record["peak_bytes"] = _status("VmHWM") - before
    if method == "rwpca" and family != "gaussian":
        record.update(where_time_goes(family, n, d, seed))
    return {"method": method, "family": family, "n": n, "d": d, **record}


def _run_child(*args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT.parent)}
    result = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT.parent,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- measurements in this process ---------------------------------------------------------------


def sgemm_limit(n: int, block: int = 4096, repeats: int = 5) -> float:
    """Best GFLOP/s (n^2 block per product) of one n x block float32 B @ B.T on one thread."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    B = np.random.default_rng(0).standard_normal((n, block)).astype(np.float32)
    best = math.inf
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(repeats):
            start = time.process_time()
            B @ B.T
            best = min(best, time.process_time() - start)
    return n * n * block / best / 1e9


def bit_generators(count: int = 1 << 22, repeats: int = 7) -> dict[str, float]:
    """Best CPU nanoseconds per 64-bit word of NumPy's bit generators (integers, full range)."""
    import numpy as np

    rows = {}
    for name in ("PCG64", "PCG64DXSM", "SFC64", "Philox", "MT19937"):
        rng = np.random.Generator(getattr(np.random, name)(0))
        best = math.inf
        for _ in range(repeats):
            start = time.process_time()
            rng.integers(0, 2**64 - 1, size=count, dtype=np.uint64, endpoint=True)
            best = min(best, time.process_time() - start)
        rows[name] = best / count * 1e9
    return rows


def _variant_run(family: str, n: int, d: int, generator: str, mode: str) -> dict[str, float]:
    """rwpca with another bit generator or another threading of the products (this process)."""
    import numpy as np

    from rwpca.numerics.walks import samplers, simulator

    saved = (samplers.GENERATOR, samplers.PRODUCT_THREADS, samplers.prefetched)
    samplers.GENERATOR = getattr(np.random, generator)
    if mode != "overlap":
        samplers.PRODUCT_THREADS = 2 if mode == "2 BLAS threads" else 1
        samplers.prefetched = lambda blocks: blocks  # draw and multiply in turn
    try:
        runs = [_timed(simulator.simulate, "plain", n, d, family)[:2] for _ in range(3)]
    finally:
        samplers.GENERATOR, samplers.PRODUCT_THREADS, samplers.prefetched = saved
    return {
        "wall": statistics.median(r[0] for r in runs),
        "cpu": statistics.median(r[1] for r in runs),
    }


def wishart_flat_in_d(n: int, dims: tuple[int, ...]) -> list[dict[str, float]]:
    from rwpca.numerics.walks import simulator

    rows = []
    for d in dims:
        runs = [_timed(simulator.simulate, "plain", n, d, "gaussian")[:2] for _ in range(3)]
        rows.append({"d": d, "wall": statistics.median(r[0] for r in runs)})
    return rows


def machine() -> dict[str, object]:
    import numpy as np
    from threadpoolctl import threadpool_info

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": [
            f"{p['internal_api']} {p['version']} ({p['num_threads']} threads by default)"
            for p in threadpool_info()
        ],
    }


def _mib(value: float) -> str:
    return f"{value / 2**20:,.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="rwpca simulate vs cumsum + SVD / float32 Gram")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--dims", default="10000,100000,200000", help="comma-separated d")
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads of the baselines")
    parser.add_argument("--quick", action="store_true", help="n = 300, d = 3000, 20000")
    parser.add_argument(
        "--json", action="store_true", help="write benchmarks/results/simulate.json"
    )
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        method, family, n, d, seed, threads = args.child
        print(json.dumps(child(method, family, int(n), int(d), int(seed), int(threads))))
        return 0
    n = 300 if args.quick else args.n
    dims = (3000, 20_000) if args.quick else tuple(int(x) for x in args.dims.split(","))
    families = args.families.split(",")

    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores (shared), load {info['load_average']:.1f}"
    )
    print(f"  Python {info['python']}, NumPy {info['numpy']}, BLAS {'; '.join(info['blas'])}")
    print(f"  baselines pinned to {args.threads} BLAS thread(s); rwpca: 1 BLAS + 1 drawing thread")

    rows = []
    for d in dims:
        print(f"\nn = {n}, d = {d:,}: CPU s / wall s (median of 3 below {REPEAT_BELOW:g} s), peak")
        header = f"{'family':<22}" + "".join(f"{m:>28}" for m in METHODS)
        print(header + f"{'numpy/rwpca':>14}{'f32/rwpca':>11}{'draw':>7}{'GEMM':>7}")
        for family in families:
            row = {}
            for method in METHODS:
                row[method] = _run_child(
                    method, family, str(n), str(d), str(args.seed), str(args.threads)
                )
            ours = row["rwpca"]
            cells = "".join(
                f"{row[m]['cpu']:>10.2f} /{row[m]['wall']:>6.2f} {_mib(row[m]['peak_bytes']):>9}"
                for m in METHODS
            )
            split = (
                f"{ours['draw_cpu']:>7.2f}{ours['product_cpu']:>7.2f}" if "draw_cpu" in ours else ""
            )
            print(
                f"{family:<22}{cells}"
                f"{row['numpy-svd']['cpu'] / ours['cpu']:>13.1f}x"
                f"{row['float32-gram']['cpu'] / ours['cpu']:>10.1f}x{split}"
            )
            rows.append({"family": family, "d": d, **row})

    limit = sgemm_limit(n)
    print(f"\nfloat32 GEMM limit, one thread: {limit:.0f} GFLOP/s (n^2 b per n x b block product)")
    for d in dims:
        t = n * n * d / limit / 1e9
        print(f"  d = {d:,}: the Gram matrix of n x d float32 steps needs >= {t:.2f} CPU s")

    bits = bit_generators()
    print(
        "\nbit generators, CPU ns per 64-bit word: "
        + ", ".join(f"{k} {v:.2f}" for k, v in bits.items())
    )
    d_mid = dims[len(dims) // 2]
    variants = {}
    print(f"\nrwpca variants, n = {n}, d = {d_mid:,} (median of 3 in this process, CPU s / wall s)")
    for family in ("laplace", "uniform", "student_t:nu=3"):
        if family not in families:
            continue
        for generator, mode in (
            ("SFC64", "overlap"),
            ("PCG64", "overlap"),
            ("SFC64", "1 BLAS thread, in turn"),
            ("SFC64", "2 BLAS threads"),
        ):
            result = _variant_run(family, n, d_mid, generator, mode)
            variants[f"{family} | {generator} | {mode}"] = result
            print(
                f"  {family:<16} {generator:<6} {mode:<24} {result['cpu']:6.2f} / {result['wall']:6.2f}"
            )

    flat = wishart_flat_in_d(n, (10**3, 10**5, 10**9, 10**12))
    print(
        f"\nGaussian (Wishart) path, n = {n}: "
        + ", ".join(f"d = {r['d']:.0e} {r['wall']:.3f} s" for r in flat)
    )

    if args.json:
        out = ROOT / "results" / "simulate.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "machine": info,
            "n": n,
            "dims": list(dims),
            "baseline_threads": args.threads,
            "rows": rows,
            "sgemm_gflops": limit,
            "bit_generators_ns_per_word": bits,
            "variants": variants,
            "wishart_time_vs_d": flat,
        }
        out.write_text(json.dumps(record, indent=2) + "\n")
        print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The power study of `rwpca analyze`: rejection rates of every null under every alternative.

    python benchmarks/power_study.py --workers 2        # the committed design (hours of CPU)
    python benchmarks/power_study.py --trials 20 --shapes 100x20 --trained --out /tmp/q.json

Runs every cell of :func:`rwpca.numerics.studies.power.design_cells` (each synthetic
alternative at every ``--shapes`` n x d_eff, the trained momentum run at every n of
``--trained``) with ``--trials`` trajectories each, every trajectory analysed with
``--replicates`` reshuffled walks per null, and writes the summary (per cell and test,
the outcome of every trial) to ``--out``, by default the committed
``numerics/data/power_study.json`` from which `rwpca derive` renders
derivations/power-study.md. Finished cells are kept in ``--partial`` as they complete, so
an interrupted run resumes where it stopped. Cells run in ``--workers`` processes, each with
one BLAS thread (threadpoolctl): the randomisation's small products gain nothing from
more, and the machine is shared.

At the end it prints CPU and wall seconds per cell and in total.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rwpca import treeio  # noqa: E402
from rwpca.numerics import DATA  # noqa: E402
from rwpca.numerics.studies import power  # noqa: E402

#: The committed design: (n, d_eff) of the synthetic cells, n of the trained run.
SHAPES = ((100, 20), (100, 2000), (200, 20), (200, 200), (200, 2000), (400, 2000))
TRAINED_NS = (100, 200, 400)
TRIALS = 100
REPLICATES = 39
BASE_SEED = 0


def _key(alternative: str, n: int, d_eff: int | None) -> str:
    return f"{alternative}/{n}/{d_eff}"


def _shape(text: str) -> tuple[int, int]:
    n, _, d = text.partition("x")
    return int(n), int(d)


def _run(alternative_id: str, n: int, d_eff: int | None, trials: int, replicates: int):
    from threadpoolctl import threadpool_limits

    cpu, wall = time.process_time(), time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        cell = power.run_cell(power.BY_ID[alternative_id], n, d_eff, trials, replicates, BASE_SEED)
    return cell.to_json(), time.process_time() - cpu, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shapes", type=_shape, nargs="+", default=list(SHAPES),
                        metavar="NxD_EFF")  # fmt: skip
    parser.add_argument("--trained", type=int, nargs="*", default=list(TRAINED_NS), metavar="N")
    parser.add_argument("--trials", type=int, default=TRIALS)
    parser.add_argument("--replicates", type=int, default=REPLICATES)
    parser.add_argument("--alternatives", nargs="+", default=[a.id for a in power.ALTERNATIVES])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=DATA / "power_study.json")
    parser.add_argument(
        "--partial", type=Path, default=Path("benchmarks/results/power_partial.json")
    )
    args = parser.parse_args(argv)

    done: dict[str, dict] = {}
    if args.partial.is_file():
        done = json.loads(args.partial.read_text())
    design = power.design_cells(args.shapes, args.trained)
    todo = [
        (a, n, d)
        for a, n, d in design
        if a.id in args.alternatives
        and not (
            _key(a.id, n, d) in done
            and done[_key(a.id, n, d)]["trials"] == args.trials
            and done[_key(a.id, n, d)]["replicates"] == args.replicates
        )
    ]
    total_cpu, start = 0.0, time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = {
            pool.submit(_run, a.id, n, d, args.trials, args.replicates): _key(a.id, n, d)
            for a, n, d in todo
        }
        for future in as_completed(futures):
            key = futures[future]
            data, cpu, wall = future.result()
            total_cpu += cpu
            done[key] = data
            args.partial.parent.mkdir(parents=True, exist_ok=True)
            treeio.write_file_atomic(args.partial, json.dumps(done).encode())
            cell = power.Cell.from_json(data)
            rates = ", ".join(f"{v} {cell.rate(v):.3f}" for v in cell.rejections)
            print(f"{key}: {cpu:.0f} s CPU, {wall:.0f} s wall; {rates}", flush=True)

    # every finished cell with these replicates, from this run and earlier ones (so a study
    # can be run in parts with different --shapes, --alternatives and --trials)
    order = {a.id: i for i, a in enumerate(power.ALTERNATIVES)}
    ordered = sorted(
        (
            power.Cell.from_json(data)
            for data in done.values()
            if data["replicates"] == args.replicates
        ),
        key=lambda c: (order[c.alternative], c.n, c.d_eff or 0),
    )
    study = power.PowerStudy(
        tuple(ordered),
        power.LEVEL,
        {
            "shapes": sorted({(c.n, c.d_eff) for c in ordered if c.d_eff is not None}),
            "trained_ns": sorted({c.n for c in ordered if c.d_eff is None}),
            "trials": max((c.trials for c in ordered), default=args.trials),
            "replicates": args.replicates,
            "base_seed": BASE_SEED,
        },
    )
    text = json.dumps(study.to_json(), indent=1, sort_keys=True) + "\n"
    treeio.write_file_atomic(args.out, text.encode())
    wall = time.perf_counter() - start
    print(
        f"wrote {args.out}: {len(ordered)} cells; this run {total_cpu:.0f} s CPU in the "
        f"workers, {wall:.0f} s wall, {args.workers} worker(s) with one BLAS thread each, "
        "on a machine shared with other jobs"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`rwpca verify [ID ...] [--n N ...] [--dps D] [--json] [--write | --out FILE] [--progress MODE]`.

Everything is checked before the first entry is verified: the IDs, sizes and digits, the
memory each entry needs at its largest size
(:func:`rwpca.numerics.verification.entries.check_resources`) and, with ``--write`` or
``--out``, the evidence file: writable, room on its disk, and an evidence file already if it
exists (a file of the user's is never replaced). ``--write`` stores the evidence in the
package (``numerics/data/verification.json``, what ``rwpca derive`` renders); where that
folder is not writable (an installed copy), ``--out FILE`` stores it elsewhere.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from rwpca import outputs, treeio
from rwpca.commands import add_progress_options, progress_reporter
from rwpca.numerics import EVIDENCE_PATH

if TYPE_CHECKING:  # the catalog and the checks load SymPy: imported when a run starts
    from rwpca.numerics.verification.evidence import EntryEvidence
    from rwpca.proofs.catalog import Entry

#: Disk room asked for an evidence file: the whole catalog's is about 130 kB, plus a
#: generous share per (entry, size) of the run.
EVIDENCE_BYTES = 2**20
RUN_BYTES = 4096
#: An existing --out file larger than this is not an evidence file (and is not read).
MAX_EVIDENCE_BYTES = 64 * 2**20


#: The subcommand, and its line in ``rwpca --help``.
NAME = "verify"
HELP = "check catalog entries against the exact matrices (certified numerics)"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME,
        help=HELP,
        description="Check catalog entries against the exact finite matrices: exact entries "
        "by certified eigenvalue enclosures (or exact rational arithmetic), limits by their "
        "measured convergence and fitted order. Without an ID, the whole catalog. Exit "
        "status 0 when every check passes, 1 when one is refuted or undecided.",
    )
    parser.add_argument("ids", nargs="*", metavar="ID", help="catalog IDs (default: all)")
    parser.add_argument(
        "--n",
        type=int,
        nargs="+",
        metavar="N",
        help="sizes to check (default: each entry's plan; a limit needs at least 3)",
    )
    parser.add_argument(
        "--dps", type=int, default=None, help="digits of the certified comparison (3..1000)"
    )
    parser.add_argument("--json", action="store_true", help="print the records as JSON")
    store = parser.add_mutually_exclusive_group()
    store.add_argument(
        "--write",
        action="store_true",
        help=f"store the evidence in numerics/data/{EVIDENCE_PATH.name} "
        "(rendered by 'rwpca derive')",
    )
    store.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="store the evidence in FILE instead (a new file, or one --out or --write wrote: "
        "its other entries are kept)",
    )
    add_progress_options(parser)
    parser.set_defaults(run=run)


def _entries(ids: list[str]) -> list[Entry]:
    from rwpca.proofs.catalog import CATALOG, get

    if not ids:
        return list(CATALOG)
    chosen, seen = [], set()
    for name in ids:
        entry = get(name)
        if entry.id not in seen:
            seen.add(entry.id)
            chosen.append(entry)
    return chosen


def _print(entry: Entry, evidence: EntryEvidence) -> None:
    from rwpca.documents import evidence_text
    from rwpca.numerics.verification.status import effective_status

    record = evidence.to_json()
    status = effective_status(entry, evidence.verdict)
    print(
        f"{entry.id}  [{entry.regime.kind}]  {evidence.verdict}  -> status {status}  "
        f"({evidence.seconds:.1f} s)"
    )
    print(f"  {evidence_text.detail(record)}")
    if evidence.convergence:
        for conv in evidence.convergence:
            errors = ", ".join(
                f"{n}: {e:.2e}" for n, e in zip(conv.sizes, conv.leading, strict=True)
            )
            order = conv.leading_order
            print(
                f"  {conv.label}: leading error {errors}"
                + (f"; order {order:.2f}" if order is not None else "")
            )
    else:
        for run in evidence.runs:
            params = ", ".join(f"{k} = {v}" for k, v in run.params.items())
            extra = f", first refuted k = {run.first_refuted}" if run.first_refuted else ""
            digits = f", {run.digits} digits" if run.digits else ""
            print(
                f"  n = {run.n}{' (' + params + ')' if params else ''}: "
                f"{run.certified}/{run.checked} {run.state if run.checked else ''}"
                f"{digits}{extra} ({run.seconds:.2f} s)"
            )
    for finding in record["findings"]:  # type: ignore[attr-defined]
        print(f"  * {evidence_text.finding_title(finding)}: {finding['verdict']}")


def _validate(entries: list[Entry], sizes: list[int] | None, dps: int | None) -> None:
    """Reject bad options before any work (nothing is computed or written on bad input)."""
    from rwpca.numerics.linalg.reference import check_dps
    from rwpca.numerics.verification.entries import check_resources
    from rwpca.numerics.verification.formula.check import check_sizes
    from rwpca.numerics.verification.plans import plan_for
    from rwpca.proofs.catalog.core import RegimeKind

    if dps is not None:
        check_dps(dps)
    if sizes is not None:
        chosen = check_sizes(sizes)
        limits = [e.id for e in entries if e.regime.kind is RegimeKind.ASYMPTOTIC]
        if limits and len(chosen) < 3:
            raise ValueError(
                f"--n {' '.join(map(str, chosen))} is not allowed for {limits[0]} (a limit): "
                "give at least 3 sizes to fit an order"
            )
    for entry in entries:
        plan = plan_for(entry)
        chosen_sizes = plan.sizes if sizes is None else check_sizes(sizes)
        check_resources(entry, chosen_sizes, check_dps(plan.dps if dps is None else dps))


def _target(args: argparse.Namespace, entries: list[Entry], sizes: int) -> Path | None:
    """The evidence file to write, checked (writable, room on disk); None without one."""
    size = EVIDENCE_BYTES + RUN_BYTES * len(entries) * sizes
    if args.out is not None:
        outputs.check_file_target(args.out, "--out", size=size)
        return args.out
    if not args.write:
        return None
    try:
        outputs.check_file_target(EVIDENCE_PATH, "--write", size=size)
    except ValueError as error:
        raise ValueError(f"{error}; give --out FILE to store the evidence elsewhere") from None
    return EVIDENCE_PATH


def _stored_for_write(entries: list[Entry], target: Path) -> dict[str, dict[str, object]]:
    """The evidence to merge into (checked before any work).

    A file that is not an evidence file is never replaced; one of another format only by a
    run over the whole catalog.
    """
    from rwpca.numerics.verification.evidence import load_evidence
    from rwpca.proofs.catalog import CATALOG

    if target.is_file() and target.stat().st_size > MAX_EVIDENCE_BYTES:
        raise ValueError(f"{target} is not an rwpca evidence file: give a new file name")
    try:
        return load_evidence(target)
    except (ValueError, AttributeError, UnicodeDecodeError):
        pass
    try:
        data = json.loads(target.read_bytes())
    except (ValueError, UnicodeDecodeError):
        data = None
    if not (isinstance(data, dict) and "format" in data and "entries" in data):
        raise ValueError(f"{target} is not an rwpca evidence file: give a new file name")
    if {e.id for e in entries} >= {e.id for e in CATALOG}:
        return {}
    raise ValueError(
        f"{target} holds evidence of another format: run 'rwpca verify' without IDs to "
        "regenerate all of it"
    )


def run(args: argparse.Namespace) -> int:
    from rwpca.numerics.progress import iterate
    from rwpca.numerics.verification.entries import verify_entry
    from rwpca.numerics.verification.evidence import dump_evidence
    from rwpca.numerics.verification.status import effective_status

    entries = _entries(args.ids)
    _validate(entries, args.n, args.dps)
    target = _target(args, entries, len(args.n) if args.n else 16)
    stored = _stored_for_write(entries, target) if target is not None else {}
    progress = progress_reporter(args)
    results = []
    for entry in iterate(progress, entries, "verify", unit="entry"):
        evidence = verify_entry(entry, sizes=args.n, dps=args.dps, progress=progress)
        results.append((entry, evidence))
        if not args.json:
            _print(entry, evidence)
    if args.json:
        records = []
        for entry, evidence in results:
            record = evidence.to_json()
            record["status"] = str(effective_status(entry, evidence.verdict))
            record["seconds"] = round(evidence.seconds, 3)
            records.append(record)
        print(json.dumps(records, indent=2))
    if target is not None:
        for entry, evidence in results:
            stored[entry.id] = evidence.to_json()
        treeio.write_file_atomic(target, dump_evidence(stored))
        if not args.json:
            shown = target.name if target == EVIDENCE_PATH else target
            print(f"wrote the evidence of {len(results)} entries to {shown}")
    return 0 if all(evidence.passed for _, evidence in results) else 1

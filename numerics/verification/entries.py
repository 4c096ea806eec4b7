"""Verification of a catalog entry: :func:`verify_entry` picks the check by quantity.

Each kind of check lives in its own module (eigenvalues, vectors, exact arithmetic, ratios,
the OU secular equation, the momentum secular equation and error law); this module
validates the sizes and digits against the entry's plan
(:mod:`~rwpca.numerics.verification.plans`), runs the check and times it. The result is an
:class:`~rwpca.numerics.verification.evidence.EntryEvidence`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rwpca.numerics.descent.verify import verify_bound, verify_gram, verify_limit
from rwpca.numerics.linalg.reference import check_dps
from rwpca.numerics.progress import ProgressArg
from rwpca.numerics.resources import require_memory
from rwpca.numerics.verification.checks.eigenvalues import verify_eigenvalue
from rwpca.numerics.verification.checks.exact import verify_distance, verify_noise, verify_trace
from rwpca.numerics.verification.checks.laws import verify_law
from rwpca.numerics.verification.checks.momentum import verify_error_law, verify_momentum_secular
from rwpca.numerics.verification.checks.ratios import verify_cumulative, verify_ratio
from rwpca.numerics.verification.checks.secular import verify_secular
from rwpca.numerics.verification.checks.vectors import verify_lissajous, verify_vectors
from rwpca.numerics.verification.evidence import EntryEvidence
from rwpca.numerics.verification.formula.check import check_sizes
from rwpca.numerics.verification.plans import plan_for
from rwpca.proofs.catalog import Entry
from rwpca.proofs.catalog.core import RegimeKind

#: The check of each quantity: ``check(entry, sizes, dps, plan, progress) -> EntryEvidence``.
VERIFIERS: dict[str, Callable[..., EntryEvidence]] = {
    "eigenvalue": verify_eigenvalue,
    "eigenvector": verify_vectors,
    "projection": verify_vectors,
    "lissajous": verify_lissajous,
    "trace": verify_trace,
    "evr": verify_ratio,
    "cumulative": verify_cumulative,
    "secular": verify_secular,
    "secular-roots": verify_momentum_secular,
    "error-law": verify_error_law,
    "distance": verify_distance,
    "noise": verify_noise,
    "gram": verify_gram,
    "series-limit": verify_limit,
    "ratio-bound": verify_bound,
    "law": verify_law,
}


#: Bytes per eigenvalue of the certified checks: its arb ball and its share of the lists,
#: Sturm intervals and verdicts around it (measured 1.5 kB at 15 digits, 1.7 kB at 100),
#: and the bytes each further digit adds.
VALUE_BYTES = 2048
DIGIT_BYTES = 16
#: Bytes per n^2 of a dense float64 eigen-decomposition with vectors (the matrix, LAPACK's
#: copy, the vectors and workspace; measured 41 at n = 3200): the reference spectrum of a
#: limit, and the measured errors of a refuted exact check (n <= DENSE_MAX_N).
DENSE_BYTES = 48
DENSE_MAX_N = 2000
#: Bytes per n^2 of an exact rational series (trace, distance): the k-th term of T^-1's
#: first column has O(k) digits unless the walk is plain (measured 0.5 at n = 3000).
SERIES_BYTES = 2


def peak_bytes(entry: Entry, n: int, dps: int) -> int:
    """An upper estimate of the memory that verifying ``entry`` at size ``n`` needs, in bytes.

    >>> from rwpca.proofs.catalog import get
    >>> peak_bytes(get("rw.eigenvalue"), 10**9, 15) > 2 * 10**12
    True
    """
    if entry.quantity in ("noise", "law"):
        return (
            0 if entry.quantity == "noise" else 64 * 2**20
        )  # law: one 1000 x 1000 spectrum  # the enumeration is bounded by its own budget, whatever n
    if entry.quantity in ("trace", "distance"):
        plain = entry.quantity == "trace" and (entry.process or "plain") == "plain"
        return 256 * n if plain else SERIES_BYTES * n * n
    values = n * (VALUE_BYTES + DIGIT_BYTES * dps)
    limit = entry.regime.kind is RegimeKind.ASYMPTOTIC
    dense = n if limit else min(n, DENSE_MAX_N)
    return values + DENSE_BYTES * dense * dense


def check_resources(entry: Entry, sizes: tuple[int, ...], dps: int) -> None:
    """ResourceError (a ValueError) if a size of the run needs more memory than there is."""
    largest = max(sizes)
    require_memory(
        peak_bytes(entry, largest, dps), f"verifying {entry.id} at n = {largest} ({dps} digits)"
    )


def verify_entry(
    entry: Entry,
    *,
    sizes: object = None,
    dps: int | None = None,
    progress: ProgressArg = False,
) -> EntryEvidence:
    """Verify a catalog entry against the exact finite matrices.

    ``sizes`` (default: the entry's plan) and ``dps`` (digits of certified comparisons)
    are validated first (ValueError naming the bad value); a limit needs at least three
    sizes to fit an order. ``progress``: see :mod:`rwpca.numerics.progress`.
    """
    if entry.quantity not in VERIFIERS:
        raise ValueError(
            f"{entry.id}: no verification for quantity {entry.quantity!r} "
            f"(known: {', '.join(VERIFIERS)})"
        )
    plan = plan_for(entry)
    limit = entry.regime.kind is RegimeKind.ASYMPTOTIC
    chosen = check_sizes(plan.sizes if sizes is None else sizes)
    if limit and len(chosen) < 3:
        raise ValueError(
            f"n = {list(chosen)} is not allowed for {entry.id} (a limit): give at least 3 sizes "
            "to fit an order"
        )
    digits = check_dps(plan.dps if dps is None else dps)
    check_resources(entry, chosen, digits)
    start = time.perf_counter()
    evidence = VERIFIERS[entry.quantity](entry, chosen, digits, plan, progress)
    evidence.seconds = time.perf_counter() - start
    return evidence


__all__ = ["VERIFIERS", "check_resources", "peak_bytes", "verify_entry"]

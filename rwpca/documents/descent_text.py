"""The words of the descent entries' verification evidence (see :mod:`.evidence_text`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rwpca.numerics.verification.status import CheckState

Record = Mapping[str, Any]

NAMES = {
    "descent-gram": "exact gradient descent in rational arithmetic, every entry",
    "descent-limit": "exact partial sums and the limit comparison test (SymPy)",
    "descent-bound": "certified eigenvalue counts (ball arithmetic, inertia)",
}

MEANINGS = {
    "descent-gram": (
        "the statement, evaluated at exact rational instances (integer beta, rational eta and "
        "start), equals entry by entry the matrix computed from its definition by running "
        "gradient descent in exact rational arithmetic (the expectation by enumerating every "
        "outcome of a start law with E x^2 = 1)"
    ),
    "descent-limit": (
        "the partial sums of the series equal the exact expected centred Gram matrix at every "
        "d checked, and the series converges at every checked beta inside the stated domain "
        "and diverges at the checked beta below it (limit comparison with sum_i i^-2beta)"
    ),
    "descent-bound": (
        "lambda_k(CGC) <= B_{n,k} lambda_1(CGC) for every k = 2..n-1 of every instance, "
        "certified by counting eigenvalues above B_{n,k} L (L <= lambda_1 certified) with the "
        "inertia of an LDL^T factorisation in ball arithmetic"
    ),
}


def _sizes(record: Record) -> str:
    return ", ".join(str(s) for s in record["settings"]["sizes"])


def detail(record: Record) -> str:
    """The one-line detail of a descent verdict."""
    runs = record["runs"]
    checked = sum(r["checked"] for r in runs)
    refuted = [r for r in runs if r["refuted"]]
    kind = record["check"]
    if refuted:
        first = refuted[0]
        where = f"n = {first['n']}, " + ", ".join(f"{k} = {v}" for k, v in first["params"].items())
        note = f": {first['note']}" if first.get("note") else ""
        return f"{record['verdict']}; {sum(r['refuted'] for r in runs)} of {checked} fail ({where}{note})"
    if kind == "descent-bound":
        undecided = sum(r["undecided"] for r in runs)
        text = (
            f"{sum(r['certified'] for r in runs)} of {checked} inequalities certified on "
            f"{len(runs)} instances at n = {_sizes(record)}"
        )
        margin = record["data"].get("exponent_margin", {})
        if margin:
            text += (
                "; smallest log(ratio) / log(bound) where the bound is below 1e-3 (2 would mean "
                "the bound with twice its exponent is attained), per n: "
            ) + ", ".join(f"{k}: {v}" for k, v in margin.items())
        return text + (f"; {undecided} undecided" if undecided else "")
    if kind == "descent-limit":
        data = record["data"]
        return (
            f"{record['verdict']}: {checked} checks at n = {_sizes(record)} (partial sums at "
            f"d = {', '.join(str(d) for d in record['settings']['dims'])}; converges at beta = "
            f"{', '.join(data['inside'])}, diverges at beta = {', '.join(data['outside'])})"
        )
    state = "equal" if record["verdict"] == CheckState.EXACT else str(record["verdict"])
    return (
        f"{state} in exact rational arithmetic: {checked} entries at n = {_sizes(record)}, "
        f"d = {', '.join(str(d) for d in record['settings']['dims'])}, "
        + "; ".join(record["settings"]["params"])
    )


__all__ = ["MEANINGS", "NAMES", "detail"]

"""The words of the verification evidence, written from its typed records.

The evidence (:mod:`rwpca.numerics.verification.evidence`) holds numbers and kinds only;
everything a reader sees about it is written here, from the stored JSON records (or
``EntryEvidence.to_json()`` for a fresh run): what a check is and what passing it means,
the one-line detail of a verdict, the title and sentence of each finding, and the title,
columns and note of each extra table. ``rwpca verify``, the documents and ``rwpca cite``
all use these functions, so the same evidence is always told in the same words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from rwpca.documents import descent_text
from rwpca.numerics.verification.checks.momentum import LAW_MIN_ORDER
from rwpca.numerics.verification.evidence import CheckKind, FindingKind, TableKind
from rwpca.numerics.verification.status import CheckState

Record = Mapping[str, Any]

#: What each kind of check does, in a few words.
CHECK_NAMES: Mapping[CheckKind, str] = {
    CheckKind.EIGENVALUE_EXACT: "certified eigenvalues (Sturm counts)",
    CheckKind.EIGENVALUE_LIMIT: "convergence of the leading eigenvalues",
    CheckKind.EIGENVECTOR: "certified eigenvector angles (Davis-Kahan) and norms",
    CheckKind.PROJECTION: "certified eigenvector angles (Davis-Kahan) and norms",
    CheckKind.LISSAJOUS: "the implicit equation in ball arithmetic",
    CheckKind.TRACE: "exact rational arithmetic",
    CheckKind.EVR_EXACT: "certified lambda_k over exact trace",
    CheckKind.EVR_LIMIT: "convergence of exact ratios",
    CheckKind.CUMULATIVE: "convergence of the exact cumulative shares",
    CheckKind.SECULAR: "roots of the secular function at certified eigenvalues",
    CheckKind.SECULAR_ROOTS: "roots of the secular function, certified by Sturm counts",
    CheckKind.ERROR_LAW: "measured errors over the law (certified eigenvalues)",
    CheckKind.DISTANCE: "exact rational arithmetic",
    CheckKind.NOISE: "exhaustive enumeration in exact rational arithmetic",
    **{CheckKind(kind): name for kind, name in descent_text.NAMES.items()},
    CheckKind.LAW: "simulation within its standard error (fixed seeds)",
}

#: What passing each kind of check means ("verified here means: ...").
MEANINGS: Mapping[CheckKind, str] = {
    CheckKind.EIGENVALUE_EXACT: (
        "every lambda_k (k = 1..n-1) lies within relative 10^-dps of the formula, certified by "
        "Sturm counts in interval/ball arithmetic, at every n of the run"
    ),
    CheckKind.EIGENVALUE_LIMIT: (
        "the relative error of the leading eigenvalues (k <= 5, certified to 1e-20 relative, or the "
        "coarser radius recorded) "
        "decreases over the last three sizes with a fitted order above 0.5"
    ),
    CheckKind.EIGENVECTOR: (
        "the formula vector is the k-th eigenvector of K within a certified angle of 10^-dps "
        "(Davis-Kahan: residual over the certified spectral gap) and has unit norm, every k"
    ),
    CheckKind.PROJECTION: (
        "the formula is sqrt(lambda_k) times the k-th unit eigenvector: its direction within a "
        "certified angle of 10^-dps, its squared norm equal to the certified lambda_k"
    ),
    CheckKind.LISSAJOUS: (
        "the implicit equation holds in ball arithmetic to 10^-dps at every t = 1..n, for "
        "every pair 1 <= j < k <= 6, with the exact projections"
    ),
    CheckKind.TRACE: "the formula equals trace K computed in exact rational arithmetic, at every n",
    CheckKind.EVR_EXACT: (
        "every lambda_k / trace K lies within relative 10^-dps of the formula (certified "
        "lambda_k, exact rational trace)"
    ),
    CheckKind.EVR_LIMIT: (
        "the relative error of the exact ratios lambda_k / trace K (k <= 5) decreases with a "
        "fitted order above 0.5"
    ),
    CheckKind.SECULAR: (
        "for every nonzero eigenvalue of K, certified to relative 1e-10 or better, the "
        "secular function changes sign (certified in ball arithmetic) on the corresponding "
        "interval of angles theta, at every n and alpha of the run"
    ),
    CheckKind.SECULAR_ROOTS: (
        "every root of the secular function in (0, theta_max) found and refined to "
        "10^-(dps+2); at each n and gamma the interval of relative radius 10^-dps around "
        "1/f(theta_k) is shown by Sturm counts on the exact Q to contain lambda_k, the intervals "
        "are disjoint (one eigenvalue each), and all n - 1 are accounted for"
    ),
    CheckKind.ERROR_LAW: (
        "the measured relative error of the paper's formula at k = 1, 2, 3 (eigenvalues "
        "certified to 1e-20 by Sturm counts on the exact Q) divided by the stated law tends to "
        "1: the deviation from the law, |measured / law - 1| (largest over k = 1, 2, 3, in both "
        "error columns of the convergence tables below), decreases over the last three sizes "
        f"with a fitted order above {LAW_MIN_ORDER}, for every gamma in the regime"
    ),
    CheckKind.CUMULATIVE: (
        "the exact shares of the first m = 1..5 components converge to the formula with a "
        "fitted order above 0.5"
    ),
    CheckKind.DISTANCE: (
        "the formula equals sigma^2 (T^-1 T^-T)_tt, the exact second moment of the OU walk from "
        "its step operator, for every t = 1..n, in exact rational arithmetic"
    ),
    CheckKind.NOISE: (
        "the formula equals E||R R^T / (d sigma^2) - I||_F^2 computed by enumerating every "
        "outcome of R for finite laws of different kurtosis, in exact rational arithmetic"
    ),
    **{CheckKind(kind): text for kind, text in descent_text.MEANINGS.items()},
    CheckKind.LAW: (
        "the statement, read from the catalog, agrees with an independent computation (exact "
        "finite-n coefficients, quadrature) and with simulation within z = 4.5 standard errors "
        "plus a stated allowance for neglected orders (see numerics.verification.checks.laws)"
    ),
}

_NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def check_name(record: Record) -> str:
    """What the check of this evidence record is."""
    return CHECK_NAMES[CheckKind(record["check"])]


def meaning(record: Record) -> str:
    """What passing the check of this record means."""
    return MEANINGS[CheckKind(record["check"])]


def sizes_text(sizes: Sequence[int]) -> str:
    return ", ".join(str(s) for s in sizes)


def _certified_summary(record: Record) -> str:
    """ "k/m checks certified to D digits at n = ..." (and where it was refuted)."""
    runs = record["runs"]
    dps = record["settings"].get("dps")
    total = sum(r["checked"] for r in runs)
    done = sum(r["certified"] for r in runs)
    by_digits: dict[int | None, list[int]] = {}
    for run in runs:
        sizes = by_digits.setdefault(run["digits"] if run["digits"] is not None else dps, [])
        if run["n"] not in sizes:
            sizes.append(run["n"])
    parts = [
        f"to {digits} digits at n = {sizes_text(sorted(sizes))}"
        for digits, sizes in sorted(by_digits.items(), key=lambda item: -(item[0] or 0))
    ]
    text = f"{done}/{total} checks certified " + " and ".join(parts)
    first = next((r for r in runs if r["refuted"]), None)
    if record["verdict"] == CheckState.REFUTED and first is not None:
        text = f"refuted at n = {first['n']} (k = {first['first_refuted']}); " + text
    return text


def _eigenvalue_limit(record: Record) -> str:
    verdict = CheckState(record["verdict"])
    if verdict is CheckState.EXACT:
        return "the error is below the certification radius at every n (exact here)"
    if verdict is CheckState.CONVERGES:
        return "converges; fitted order " + ", ".join(
            str(c["leading_order"]) for c in record["convergence"]
        )
    return (
        f"the leading error does not decrease with an order above {record['data']['min_order']} "
        "over the last three sizes"
    )


def _limit(record: Record) -> str:
    parts = []
    for conv, error in zip(record["convergence"], record["data"]["final_errors"], strict=True):
        order = conv["leading_order"]
        parts.append(
            f"{conv['label']}: error {error:.2e} at n = {conv['sizes'][-1]}"
            + (f", fitted order {order}" if order is not None else "")
        )
    return f"{record['verdict']}; " + "; ".join(parts)


def _secular(record: Record) -> str:
    runs = record["runs"]
    total = sum(r["checked"] for r in runs)
    done = sum(r["certified"] for r in runs)
    settings = record["settings"]
    return (
        f"{done}/{total} eigenvalues certified to be 1/f(theta) at a root of D_n, at "
        f"n = {sizes_text(settings['sizes'])} for {', '.join(settings['params'])}"
    )


def _secular_roots(record: Record) -> str:
    runs, settings, data = record["runs"], record["settings"], record["data"]
    total = sum(r["checked"] for r in runs)
    done = sum(r["certified"] for r in runs)
    text = (
        f"{done}/{total} eigenvalues certified to be 1/f(theta_k) at the k-th root of F_n "
        f"(relative 10^-{settings['dps']}, one eigenvalue per root), at "
        f"n = {sizes_text(settings['sizes'])} for {', '.join(settings['params'])}"
    )
    first = next((r for r in runs if r["refuted"]), None)
    if record["verdict"] == CheckState.REFUTED and first is not None:
        where = ", ".join(f"{name} = {value}" for name, value in first["params"].items())
        at = f", k = {first['first_refuted']}" if first["first_refuted"] is not None else ""
        text = f"refuted at n = {first['n']} ({where}{at}); " + text
    for size, gamma, count in data.get("scan_excess", []):
        text += (
            f"; at n = {size}, gamma = {gamma} a sign scan found {count} roots in "
            "(0, theta_max), more than n - 1"
        )
    for size, gamma, labels in data.get("missing", []):
        text += (
            f"; at n = {size}, gamma = {gamma} no root was found near lambda_k for "
            f"k = {', '.join(map(str, labels))}"
        )
    return text


def _error_law(record: Record) -> str:
    parts = []
    for conv in record["convergence"]:
        order = conv["leading_order"]
        parts.append(
            f"{conv['label']}: deviation from the law {float(conv['leading_error'][-1]):.2e} at "
            f"n = {conv['sizes'][-1]}" + (f", fitted order {order}" if order is not None else "")
        )
    return f"{record['verdict']}; " + "; ".join(parts)


def _trace(record: Record) -> str:
    if record["verdict"] != CheckState.EXACT:
        return "differs from trace K"
    return (
        "equal to trace K in exact rational arithmetic at "
        f"n = {sizes_text(record['settings']['sizes'])}"
    )


def _distance(record: Record) -> str:
    if record["verdict"] != CheckState.EXACT:
        return "differs from sigma^2 (T^-1 T^-T)_tt"
    data = record["data"]
    return (
        "equal to sigma^2 (T^-1 T^-T)_tt for every t = 1..n at "
        f"n = {sizes_text(record['settings']['sizes'])}, alpha = {', '.join(data['alpha'])}, "
        f"sigma = {', '.join(data['sigma'])}"
    )


def _noise(record: Record) -> str:
    data, runs = record["data"], record["runs"]
    if not runs:
        return (
            f"nothing to enumerate at n = {sizes_text(record['settings']['sizes'])}: the check "
            f"enumerates at most {data['max_outcomes']} outcomes (n <= 4 for d = 3)"
        )
    pairs = sorted({(r["n"], int(r["params"]["d"])) for r in runs})
    relation = "equal to" if record["verdict"] == CheckState.EXACT else "differs from"
    text = (
        f"{relation} the exhaustive expectation over {len(record['settings']['laws'])} finite "
        f"laws (kurtosis {', '.join(data['kurtosis'])}) at (n, d) = "
        + ", ".join(f"({a}, {b})" for a, b in pairs)
    )
    if data["skipped"]:
        text += f"; {data['skipped']} larger (n, d) not enumerable"
    return text


def _law(record: Record) -> str:
    data = record["data"]
    relation = "agrees" if record["verdict"] == CheckState.AGREES else "differs"
    if "coefficient_stated" in data:
        return (
            f"{relation}: 1/d coefficients "
            + ", ".join(f"{x:.5f}" for x in data["coefficient_stated"])
            + " against the exact finite-n ones extrapolated from n = "
            + ", ".join(str(s) for s in data["coefficient_sizes"])
            + " ("
            + ", ".join(f"{x:.5f}" for x in data["coefficient_extrapolated"])
            + f"); Monte Carlo at d = {data['mc_d']} ({data['mc_draws']} draws)"
        )
    if "value" in data:
        return (
            f"{relation}: integrand equal at {len(data['points'])} points; value "
            f"{float(data['value']):.6f} against Monte Carlo {data['mc_simulated']:.4f} "
            f"+- {data['mc_standard_error']:.4f} ({data['mc_draws']} draws)"
        )
    if "distance" in data:
        return (
            f"{relation}: Kolmogorov distance {data['distance']:.4f} (tolerance "
            f"{data['tolerance']:.4f}) to one walk at n = d = {data['n']}"
        )
    return f"{relation}: {data}"


_DETAILS = {
    CheckKind.EIGENVALUE_EXACT: _certified_summary,
    CheckKind.EIGENVECTOR: _certified_summary,
    CheckKind.PROJECTION: _certified_summary,
    CheckKind.LISSAJOUS: _certified_summary,
    CheckKind.EVR_EXACT: _certified_summary,
    CheckKind.EIGENVALUE_LIMIT: _eigenvalue_limit,
    CheckKind.EVR_LIMIT: _limit,
    CheckKind.CUMULATIVE: _limit,
    CheckKind.SECULAR: _secular,
    CheckKind.SECULAR_ROOTS: _secular_roots,
    CheckKind.ERROR_LAW: _error_law,
    CheckKind.TRACE: _trace,
    CheckKind.DISTANCE: _distance,
    CheckKind.NOISE: _noise,
    CheckKind.DESCENT_GRAM: descent_text.detail,
    CheckKind.DESCENT_LIMIT: descent_text.detail,
    CheckKind.DESCENT_BOUND: descent_text.detail,
    CheckKind.LAW: _law,
}


#: How an eigenvalue statement was compared with the spectrum, by its declared reading.
COMPARED = {
    "labelled": "compared by label: the k-th value with the k-th largest eigenvalue",
    "multiset": "compared as a multiset: the sorted values with the spectrum",
}


def detail(record: Record) -> str:
    """The one-line detail of a verdict: what was certified, at which sizes, or where not,
    and for an eigenvalue statement how its values were compared with the spectrum."""
    text = _DETAILS[CheckKind(record["check"])](record)
    compared = (record.get("data") or {}).get("compared")
    return f"{text}; {COMPARED[compared]}" if compared else text


# --- findings ------------------------------------------------------------------------------


def finding_title(finding: Record) -> str:
    kind = FindingKind(finding["kind"])
    if kind is FindingKind.PAPER_ANGLES:
        return "The paper's angles as an exact statement"
    if kind in (FindingKind.AS_EXACT, FindingKind.RATIO_AS_EXACT):
        return "As an exact statement at finite n"
    if kind is FindingKind.PRINTED_EIGENVECTOR:
        return "The printed eigenvector cos(pi k t / n)"
    if kind is FindingKind.LABELLED:
        return "Read as 'the k-th value is the k-th largest eigenvalue'"
    data = finding["data"]
    return f"The printed {100 * data['target']:g}% for the first {_NUMBERS[data['m']]} components"


def _printed_share(data: Record) -> str:
    above = next((m for m, v in enumerate(data["limits"], start=1) if v > data["target"]), None)
    share = f"{100 * data['target']:g}%"
    return (
        f"The exact share of the first {_NUMBERS[data['m']]} components R_{data['m']}(n) tends "
        f"to {data['limit']:.6f}; its relative distance to the printed {data['target']:g} is "
        + ", ".join(f"{g:.4f}" for g in data["gaps"])
        + f" at n = {sizes_text(data['sizes'])}: it does not tend to 0, so {share} is not the "
        "limit" + (f" (R_{above} is the first share above it)." if above is not None else ".")
    )


def _paper_angles(verdict: CheckState, data: Record) -> str:
    if verdict is CheckState.REFUTED:
        return (
            "Read as exact (theta_k = pi k / n, the roots of sin(n theta)), the paper's formula "
            f"is refuted by the same check: at n = {data['n']} (gamma = {data['gamma']}), "
            f"lambda_{data['k']} is certified to differ from 1/f(pi k / n)."
        )
    return (
        f"Read as exact, the paper's angles are {verdict} at n = {sizes_text(data['sizes'])} "
        f"for gamma = {', '.join(data['gammas'])}."
    )


def _labelled(verdict: CheckState, data: Record) -> str:
    if not data["failing"]:
        return f"Read by label as well, the statement is {verdict} on the same plan."
    where = "; ".join(data["failing"])
    errors = data.get("errors")
    measured = (
        f" (leading error still {', '.join(f'{e:.3g}' for e in errors)} at n = {data['n']})"
        if errors
        else ""
    )
    verb = "does not converge" if verdict is CheckState.NOT_CONVERGING else f"is {verdict}"
    return (
        f"Read by label, the statement {verb} for {where}{measured}: there the k-th "
        "value is not the k-th largest eigenvalue, so the statement holds only as a multiset "
        "(the spectrum), which is how it is declared and verified."
    )


def finding_detail(finding: Record) -> str:
    """The sentence of a finding, from its numbers."""
    kind = FindingKind(finding["kind"])
    verdict = CheckState(finding["verdict"])
    data = finding["data"]
    if kind is FindingKind.PAPER_ANGLES:
        return _paper_angles(verdict, data)
    if kind is FindingKind.AS_EXACT:
        if verdict is not CheckState.REFUTED:
            return (
                f"As an exact equality the formula is {verdict} at n = {sizes_text(data['sizes'])}."
            )
        return (
            f"As an exact equality at finite n the formula is refuted ({data['params']}): at "
            f"n = {data['n']} already lambda_{data['k']} differs from it by more "
            f"than {10.0 ** -data['dps'] / 2:g} relative (measured error {data['error']:.2e}); "
            "it holds only in the limit."
        )
    if kind is FindingKind.RATIO_AS_EXACT:
        if verdict is not CheckState.REFUTED:
            return ""
        return (
            "Read as an exact equality at finite n (as printed, with '=' and no limit), the "
            f"ratio is refuted: at n = {data['n']}, rho_{data['k']} differs from "
            f"it (measured relative error {data['error']:.2e}); it holds only as "
            "n -> infinity."
        )
    if kind is FindingKind.LABELLED:
        return _labelled(verdict, data)
    if kind is FindingKind.PRINTED_EIGENVECTOR:
        order = finding["convergence"][0]["leading_order"]
        return (
            "The printed vector is not an eigenvector at any finite n (sine of its angle to the "
            "proven eigenvector, which is unique up to sign, is positive); the angle tends to 0 "
            f"for fixed k with order {order} in n, while for k near n it stays large: the "
            "printed form is a time index shifted by half a step."
        )
    return _printed_share(data)


# --- tables --------------------------------------------------------------------------------


_MOMENTUM_TITLES = {
    TableKind.MOMENTUM_LABELS: (
        "The paper's formula against the exact spectrum (roots of the secular equation)"
    ),
    TableKind.MOMENTUM_LAW: (
        "Measured error of the paper's formula against the law c(gamma) k^2 / n^3"
    ),
}


def _momentum_columns(table: Record) -> tuple[str, ...]:
    if TableKind(table["kind"]) is TableKind.MOMENTUM_LABELS:
        return (
            "gamma",
            "n",
            "f monotone",
            "k = 1",
            "worst over k (labels as printed)",
            "at k",
            "worst, values sorted",
            "k with lambda_{k+1} > lambda_k (paper)",
        )
    return (
        "gamma",
        "n",
        "measured, k = 1",
        "law, k = 1",
        *(f"n^3/k^2 x error (k = {k})" for k in table["data"]["k"]),
        "deviation from the law (max over k)",
    )


def _momentum_note(table: Record) -> str:
    if TableKind(table["kind"]) is TableKind.MOMENTUM_LABELS:
        return (
            "Relative errors |paper / exact - 1|. For gamma < 2 sqrt 2 - 3 (about -0.1716) the "
            "printed values are not decreasing in k: the count in the last column is positive "
            "and the k-th printed value is not the k-th largest; every exact angle lies below "
            "theta* < pi. Sorting the printed values repairs the labels but not the values in "
            "the band."
        )
    data = table["data"]
    largest = max(int(row[1]) for row in table["rows"])
    outside = [
        f"gamma = {g} has n (1 - gamma) <= {float(largest * (1 - Fraction(g))):g} here"
        for g in data["outside"]
    ]
    return (
        "c(gamma) = "
        + ", ".join(f"{value:+.3f} (gamma = {g})" for g, value in data["constants"])
        + ". The scaled errors settle on c(gamma); the ratio to the law tends to 1 like "
        "1/n^2 (the next term is of order k^4 / n^5). "
        + (", ".join(outside) + ", outside the regime. " if outside else "")
        + "Eigenvalues certified to 1e-20 relative."
    )


def table_title(table: Record) -> str:
    if TableKind(table["kind"]) in _MOMENTUM_TITLES:
        return _MOMENTUM_TITLES[TableKind(table["kind"])]
    if TableKind(table["kind"]) is TableKind.MOMENTUM_ERROR_LAW:
        return "Leading relative errors f_k / lambda_k - 1 and their scaling"
    return f"OU regimes at n = {table['data']['n']}: relative errors of the two circulant forms"


def table_columns(table: Record) -> tuple[str, ...]:
    if TableKind(table["kind"]) in _MOMENTUM_TITLES:
        return _momentum_columns(table)
    if TableKind(table["kind"]) is TableKind.MOMENTUM_ERROR_LAW:
        return ("gamma", "n", "k = 1", "k = 2", "k = 3", "n^3/k^2 x (k=1)", "(k=2)", "(k=3)")
    return (
        "n alpha",
        "lambda_1 (exact)",
        "periodic, k = 1",
        "mirror, k = 1",
        "periodic, k = 2",
        "mirror, k = 2",
        "1 - lambda_2/lambda_1 (exact)",
    )


def table_note(table: Record) -> str:
    if TableKind(table["kind"]) in _MOMENTUM_TITLES:
        return _momentum_note(table)
    if TableKind(table["kind"]) is TableKind.MOMENTUM_ERROR_LAW:
        return (
            "The last three columns settle to a constant c(gamma) as n grows: the error of the "
            "printed formula is about c(gamma) k^2 / n^3 at fixed k (order 3 in n, not 2), "
            "negative (the formula underestimates), and grows quickly as gamma -> 1. Reference "
            "eigenvalues certified to 1e-20 relative."
        )
    return (
        "The periodic form (the paper's, cos(2 pi k/n)) gives lambda_1 = lambda_2 (pairs k, "
        "n - k); the exact spectrum has no pairs: its relative gap 1 - lambda_2/lambda_1 is "
        "positive at every n alpha. Exact eigenvalues certified to 1e-20 relative."
    )


__all__ = [
    "CHECK_NAMES",
    "MEANINGS",
    "check_name",
    "detail",
    "finding_detail",
    "finding_title",
    "meaning",
    "table_columns",
    "table_note",
    "table_title",
]

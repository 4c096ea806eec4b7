"""The measured-decay section of the descent bound's document, from the committed study
(``numerics/data/descent_rates.json``, written by ``python -m rwpca.numerics.descent.rates``)."""

from __future__ import annotations

from rwpca.documents.markdown import table, text
from rwpca.numerics.descent import rates
from rwpca.proofs.catalog import Entry

ENTRY = "descent.ratio_bound"


def entry_section(entry: Entry) -> str | None:
    """The table of measured decay rates against the bound's rate (the bound's document only)."""
    if entry.id != ENTRY:
        return None
    data = rates.load()
    rows = []
    for row in data["rows"]:
        expected, seeded = row["expected"], row["seed0"]
        rows.append(
            [
                str(row["n"]),
                f"{row['beta']:g}",
                f"{row['eta']:g}",
                f"{expected['rate']:.3f} (k = {expected['fitted_k'][0]}..{expected['fitted_k'][1]})",
                f"{seeded['rate']:.3f}",
                f"{row['bound_rate']:.3f}",
                f"{expected['rate'] / row['bound_rate']:.1f}",
            ]
        )
    intro = text(
        "Numerical, not certified. For each (n, beta, eta) the ratios rho_k of the expected "
        f"centred Gram matrix (d = {data['dimension']}, weights x_0i^2 replaced by 1) and of one "
        f"random start (seed 0) were computed with mpmath at {data['dps']} digits and fitted "
        "by log rho_k = a - rate k over every ratio above 10^-50 beyond the first. The "
        "bound falls by log R_n per component. The measured rate grows with beta (fewer "
        "coordinates carry the motion), falls as eta grows (contractions spread towards -1) "
        "and falls slowly with n, like the bound's; it is within a few percent the same for "
        "the random start as for the expectation. Regenerate with "
        f"`{data['generated_by']}`."
    )
    columns = [
        "n",
        "beta",
        "eta",
        "measured rate, E over start",
        "measured rate, seed 0",
        "bound rate log R_n",
        "measured / bound",
    ]
    return "## Measured decay\n\n" + intro + "\n\n" + table(columns, rows)


__all__ = ["entry_section"]

"""The names of the null models, their letters, titles and symmetries (no NumPy: the CLI's
help reads them).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

#: Null-model names, in report order, and their titles: the paper's walks with
#: independent steps, then the walks with the run's own dynamics
#: (:mod:`rwpca.numerics.nulls.dynamics`).
INDEPENDENT_NULLS = ("random_walk", "step_schedule", "drift")
DYNAMIC_NULLS = ("momentum", "ou")
NULL_MODELS = INDEPENDENT_NULLS + DYNAMIC_NULLS
NULL_TITLES = {
    "random_walk": "(a) random walk",
    "step_schedule": "(b) random walk with the observed step sizes",
    "drift": "(c) random walk with drift",
    "momentum": "(d) random walk with momentum",
    "ou": "(e) Ornstein-Uhlenbeck walk",
}
#: The letter of each null (``rwpca analyze --nulls a,c,d``).
NULL_LETTERS = {name: title[1] for name, title in NULL_TITLES.items()}


class Symmetry(StrEnum):
    """What a null's randomisation changes, i.e. the symmetry of the walk it tests."""

    ORDER_AND_SIGNS = "order_and_signs"  # (a): i.i.d. symmetric steps
    SIGNS = "signs"  # (b): independent symmetric steps of any sizes
    ORDER = "order"  # (c): i.i.d. steps with any mean (the drift)
    INNOVATION_ORDER = "innovation_order"  # (d), (e): i.i.d. innovations of a linear filter


SYMMETRY = {
    "random_walk": Symmetry.ORDER_AND_SIGNS,
    "step_schedule": Symmetry.SIGNS,
    "drift": Symmetry.ORDER,
    "momentum": Symmetry.INNOVATION_ORDER,
    "ou": Symmetry.INNOVATION_ORDER,
}


def parse_nulls(nulls: str | Sequence[str] | None) -> tuple[str, ...]:
    """Null names from names or letters (``"a,c,d"``, ``["drift", "ou"]``), in report order.

    >>> parse_nulls("d, a")
    ('random_walk', 'momentum')
    >>> parse_nulls(None) == NULL_MODELS
    True
    >>> parse_nulls("a,x")
    Traceback (most recent call last):
    ...
    ValueError: null 'x' is not known: allowed are a (random_walk), b (step_schedule), c (drift), d (momentum), e (ou)
    """
    if nulls is None:
        return NULL_MODELS
    items = nulls.split(",") if isinstance(nulls, str) else list(nulls)
    by_letter = {letter: name for name, letter in NULL_LETTERS.items()}
    chosen = set()
    for item in items:
        key = str(item).strip()
        name = by_letter.get(key, key)
        if name not in NULL_TITLES:
            allowed = ", ".join(f"{NULL_LETTERS[n]} ({n})" for n in NULL_MODELS)
            raise ValueError(f"null {key!r} is not known: allowed are {allowed}")
        chosen.add(name)
    if not chosen:
        raise ValueError("nulls is empty: name at least one of a, b, c, d, e")
    return tuple(name for name in NULL_MODELS if name in chosen)

"""Catalog IDs without SymPy: the one message for an ID the catalog does not hold.

Used by the catalog (:meth:`rwpca.proofs.catalog.core.Catalog.get`) and by ``rwpca cite``,
which reads the committed citation table and never imports SymPy.

>>> unknown_id_message("rw.evx", ["rw.evr", "ou.distance"])
"unknown catalog ID 'rw.evx'; closest: rw.evr (see 'rwpca cite --list')"
"""

from __future__ import annotations

import difflib


def unknown_id_message(name: str, names: list[str]) -> str:
    """The error line for the unknown ID ``name``, naming the closest of ``names``."""
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f"; closest: {', '.join(close)}" if close else ""
    return f"unknown catalog ID {name!r}{hint} (see 'rwpca cite --list')"

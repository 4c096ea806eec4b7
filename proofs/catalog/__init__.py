"""The formula catalog: every formula of the toolkit as one declaration, keyed by a stable ID.

>>> from rwpca.proofs.catalog import CATALOG
>>> CATALOG.get("rw.evr").title
'Explained-variance ratio of the random walk (n -> infinity)'
>>> "rw.eigenvalue" in CATALOG
True

Entries are declared in the topic modules listed in ``_MODULES``; importing this package
imports them all, and a duplicate ID anywhere raises :class:`CatalogError` at import.
"""

from __future__ import annotations

import importlib

from rwpca.proofs.catalog.core import (
    PAPER,
    PAPER_KEY,
    Catalog,
    CatalogError,
    Entry,
    Quantity,
    Regime,
    RegimeKind,
    Source,
    Status,
    derive_entry,
)

CATALOG = Catalog()

# Topic modules, in the order their entries appear in the index.
_MODULES = ("plain", "momentum", "ou", "noise", "descent", "finite_d")

for _name in _MODULES:
    importlib.import_module(f"rwpca.proofs.catalog.{_name}")


def get(name: str) -> Entry:
    """The entry with this ID or alias (ValueError with the closest IDs otherwise)."""
    return CATALOG.get(name)


__all__ = [
    "CATALOG",
    "PAPER",
    "PAPER_KEY",
    "Catalog",
    "CatalogError",
    "Entry",
    "Quantity",
    "Regime",
    "RegimeKind",
    "Source",
    "Status",
    "derive_entry",
    "get",
]

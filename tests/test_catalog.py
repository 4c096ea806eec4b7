"""Catalog integrity: unique IDs, required IDs, complete declarations, renderable entries."""

from __future__ import annotations

import dataclasses

import pytest

from rwpca.documents.markdown import render_entry
from rwpca.proofs.catalog import CATALOG, Catalog, CatalogError, Status, get
from rwpca.proofs.catalog.core import RegimeKind
from rwpca.proofs.derivation import Kind
from rwpca.proofs.symbols import MEANING

REQUIRED = [
    "rw.eigenvalue",
    "rw.evr",
    "rw.eigenvector",
    "rw.lissajous",
    "momentum.eigenvalue",
    "ou.eigenvalue",
    "ou.eigenvalue.small_k",
]


@pytest.mark.parametrize("entry_id", REQUIRED)
def test_required_ids_exist(entry_id):
    assert get(entry_id).id == entry_id


def test_duplicate_ids_are_rejected():
    catalog = Catalog()
    entry = get("rw.evr")
    catalog.add(entry)
    with pytest.raises(CatalogError, match=r"duplicate catalog ID 'rw\.evr'"):
        catalog.add(dataclasses.replace(entry))
    with pytest.raises(CatalogError, match="duplicate"):
        catalog.add(dataclasses.replace(entry, id="rw.other", aliases=("rw.evr",)))


def test_unknown_id_names_the_closest():
    with pytest.raises(ValueError, match=r"closest: rw\.evr"):
        get("rw.evx")


@pytest.mark.parametrize("entry", list(CATALOG), ids=lambda e: e.id)
def test_entry_is_complete(entry):
    assert entry.title and entry.assumptions and entry.variables
    assert entry.regime.kind in RegimeKind and entry.regime.description
    assert entry.source.section
    assert entry.status in Status
    assert entry.comparison in Kind
    assert entry.derivation is not None
    names = {s.name for s in entry.rhs.free_symbols}
    allowed = set(MEANING) | {"lambda_k", "A_j", "A_k", "X_j", "X_k"}
    assert names <= allowed, names - allowed
    if entry.quantity == "eigenvalue":
        assert {"n", "k"} <= names
    if entry.comparison is not Kind.NOT_PRINTED and entry.id != "rw.lissajous":
        assert entry.source.printed is not None and entry.source.printed_latex


@pytest.mark.parametrize("entry", list(CATALOG), ids=lambda e: e.id)
def test_every_entry_renders(entry, derivations):
    text = render_entry(entry, derivations[entry.id])
    assert text.startswith(f"# `{entry.id}`")
    for heading in ("## Statement", "## Assumptions", "## Regime", "## Source", "## Derivation"):
        assert heading in text
    assert "$$" in text

"""Catalog integrity: unique IDs, required IDs, complete declarations, renderable entries."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp
from latex_subset import same_expression

from rwpca.documents.catalog_documents import render_entry
from rwpca.proofs.catalog import CATALOG, Catalog, CatalogError, Status, get
from rwpca.proofs.catalog.core import Quantity, RegimeKind
from rwpca.proofs.derivation import Kind
from rwpca.proofs.domains import MEANING
from rwpca.proofs.processes import ProcessName

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
    # x_0: the start vector of the descent entries, an indexed symbol x_0[i], not a parameter
    allowed = set(MEANING) | {"lambda_k", "A_j", "A_k", "X_j", "X_k", "x_0", "x_0[i]"}
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
    assert "```math\n" in text


# --- the printed forms: typed once, and their LaTeX denotes their SymPy form ---------------

#: Entries whose printed LaTeX is a sentence, not a formula (checked by hand, see the notes).
PROSE_PRINTED = {"rw.lissajous", "rw.evr.cumulative", "rw.noise_independence"}
FORMULA_PRINTED = [e for e in CATALOG if e.source.printed_latex and e.id not in PROSE_PRINTED]


def test_only_the_prose_entries_print_text():
    prose = {e.id for e in CATALOG if e.source.printed_latex and r"\text" in e.source.printed_latex}
    assert prose == PROSE_PRINTED


@pytest.mark.parametrize("entry", FORMULA_PRINTED, ids=lambda e: e.id)
def test_printed_latex_denotes_the_printed_form(entry):
    """The paper's typography (kept as printed) and the SymPy form are the same expression.

    The stored LaTeX is read by the small safe reader of tests/latex_subset.py; the reader is
    itself checked on ``sympy.latex`` of the same expression.
    """
    printed = entry.source.printed
    assert same_expression(sp.latex(printed), printed)
    assert same_expression(entry.source.printed_latex, printed)


@pytest.mark.parametrize(
    ("entry_id", "old", "new"),
    [
        ("rw.eigenvalue", r"\frac{\pi k}{n}", r"\frac{2\pi k}{n}"),
        ("rw.eigenvalue", "^{-1}", ""),
        ("momentum.eigenvalue", r"1+\gamma+", r"1-\gamma+"),
        ("ou.eigenvalue.small_k", r"(1-\alpha)", r"(1+\alpha)"),
        ("rw.evr", r"\pi^2 k^2", r"\pi k^2"),
        ("rw.eigenvector", r"\pi k t", r"\pi k (t-1)"),
    ],
)
def test_a_mistyped_printed_latex_is_caught(entry_id, old, new):
    """Mutations of the paper's typography no longer denote the printed form."""
    source = get(entry_id).source
    assert old in source.printed_latex
    assert not same_expression(source.printed_latex.replace(old, new, 1), source.printed)


def test_printed_forms_equal_to_the_statement_are_not_typed_again():
    """Where the paper prints the statement itself, the source refers to it (AS_STATED)."""
    for entry_id in ("rw.eigenvalue", "rw.evr", "momentum.eigenvalue", "momentum.evr"):
        entry = get(entry_id)
        assert entry.source.printed is entry.rhs
    assert get("momentum.evr").rhs is get("rw.evr").rhs
    assert get("ou.eigenvalue.mirror").source is get("ou.eigenvalue").source


def test_closed_sets_of_names_are_enums():
    for entry in CATALOG:
        assert entry.quantity is None or isinstance(entry.quantity, Quantity)
        assert entry.process is None or isinstance(entry.process, ProcessName)
    with pytest.raises(ValueError, match="eigenvalues"):
        dataclasses.replace(get("rw.evr"), quantity="eigenvalues")
    with pytest.raises(ValueError, match="brownian"):
        dataclasses.replace(get("rw.evr"), process="brownian")

"""The catalog's data model: one :class:`Entry` per formula, as data.

An entry states a formula (``lhs = rhs`` as SymPy objects) with its variables,
assumptions, regime, source in the paper and the function that derives it. The statement
is written once, here; the derivation function recomputes it from the matrices and
:func:`derive_entry` refuses a derivation whose result differs from the statement, or
whose comparison with the paper differs from the declared one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from typing import Any

import sympy as sp

from rwpca.proofs.derivation import Derivation, DerivationError, Kind, is_zero
from rwpca.proofs.domains import DOMAINS, Domain
from rwpca.proofs.ids import unknown_id_message
from rwpca.proofs.pointwise import differ_at_points
from rwpca.proofs.processes import ProcessName

PAPER_KEY = "antognini2018pca"
PAPER = {
    "authors": "Joseph Antognini and Jascha Sohl-Dickstein",
    "title": "PCA of High Dimensional Random Walks with Comparison to Neural Network Training",
    "booktitle": "Advances in Neural Information Processing Systems 31 (NeurIPS 2018)",
    "year": "2018",
    "short": "Antognini & Sohl-Dickstein (NeurIPS 2018)",
}


class Status(StrEnum):
    """How far a catalog statement is established."""

    PROVEN = "proven"  # machine-checked for every n (symbolic certificate)
    VERIFIED = "verified"  # confirmed by certified or high-precision numerics
    DERIVED = "derived"  # obtained by a SymPy derivation from the matrices
    STATED = "stated only"  # stated (in the paper or here) without derivation
    REFUTED = "refuted"  # contradicted by computation


class Quantity(StrEnum):
    """What a statement is about; it selects the kind of numeric check (the values are
    stored in the evidence JSON)."""

    EIGENVALUE = "eigenvalue"
    EIGENVECTOR = "eigenvector"
    PROJECTION = "projection"
    LISSAJOUS = "lissajous"
    TRACE = "trace"
    EVR = "evr"
    CUMULATIVE = "cumulative"
    SECULAR = "secular"
    SECULAR_ROOTS = "secular-roots"  # the spectrum as the roots of a secular function, found
    ERROR_LAW = "error-law"  # the leading error of an asymptotic formula
    NOISE = "noise"
    DISTANCE = "distance"
    GRAM = "gram"  # an exact identity of a Gram matrix, entry by entry
    SERIES_LIMIT = "series-limit"  # a d -> infinity limit as a series, with its condition
    RATIO_BOUND = "ratio-bound"  # an upper bound on explained-variance ratios
    LAW = "law"  # a fixed-d or proportional-limit law, checked by simulation


class RegimeKind(StrEnum):
    EXACT = "exact"
    ASYMPTOTIC = "asymptotic"


@dataclass(frozen=True)
class Regime:
    """Where a statement holds: exact at finite n, or asymptotic in a stated limit."""

    kind: RegimeKind
    description: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.description}"


EXACT_FINITE_N = Regime(RegimeKind.EXACT, "every finite n >= 2 (with R R^T = I)")


class _AsStated:
    """The type of :data:`AS_STATED`."""

    def __repr__(self) -> str:
        return "AS_STATED"


#: ``Source.printed`` when the paper prints the entry's own statement: the entry fills in
#: its right-hand side, so the formula is typed once.
AS_STATED = _AsStated()


@dataclass(frozen=True)
class Source:
    """Where the paper states the result and how it prints it.

    ``printed`` is the paper's form as a SymPy expression (None if the paper prints no
    formula, :data:`AS_STATED` if it prints the entry's statement itself), ``printed_latex``
    the LaTeX as printed (the paper's typography; tests/test_catalog.py checks that it denotes
    ``printed``), ``section`` the poster/paper section.
    """

    section: str
    printed_latex: str | None = None
    printed: sp.Basic | _AsStated | None = None
    note: str = ""


#: The readings of an eigenvalue statement (:attr:`Entry.reading`).
READINGS = ("labelled", "multiset")


@dataclass(frozen=True, eq=False)
class Entry:
    """One catalog formula. See the module docstring. Entries compare by identity."""

    id: str
    title: str
    lhs: sp.Basic
    rhs: sp.Basic
    variables: Mapping[str, str]
    assumptions: tuple[str, ...]
    regime: Regime
    source: Source
    derivation: Callable[[sp.Basic | None], Derivation] | None
    status: Status
    comparison: Kind
    process: ProcessName | None = None
    quantity: Quantity | None = None
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    index_range: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: Narrower domains than the parameters' declared ones (proofs/domains.py), where the
    #: statement holds only on part of the parameter range.
    domains: tuple[Domain, ...] = ()
    #: What an eigenvalue statement claims: "labelled", the k-th value is the k-th largest
    #: eigenvalue, or "multiset", the values over k = 1..n-1 are the spectrum (a circulant's
    #: frequencies, whose order is not the order of size); `rwpca verify` checks the claim
    #: in this reading and says which.
    reading: str = "labelled"

    def __post_init__(self) -> None:
        if self.reading not in READINGS:
            raise ValueError(f"{self.id}: reading {self.reading!r} is not one of {READINGS}")
        for domain in self.domains:
            if self.variables.get(domain.name) != domain.prose():
                raise CatalogError(
                    f"{self.id}: the variable {domain.name} must be described by its "
                    f"restricted domain ({domain.prose()!r})"
                )
        if self.source.printed is AS_STATED:
            # the paper prints the statement itself: refer to it instead of typing it again
            object.__setattr__(self, "source", replace(self.source, printed=self.rhs))
        if self.process is not None:
            object.__setattr__(self, "process", ProcessName(self.process))
        if self.quantity is not None:
            object.__setattr__(self, "quantity", Quantity(self.quantity))

    def domain(self, name: str) -> Domain:
        """The domain of the parameter ``name`` in this statement (restricted or declared)."""
        for domain in self.domains:
            if domain.name == name:
                return domain
        try:
            return DOMAINS[name]
        except KeyError:
            raise ValueError(f"{self.id}: {name!r} is not a parameter with a domain") from None

    @property
    def parameters(self) -> tuple[str, ...]:
        """Names of the statement's free symbols that have a declared domain, sorted."""
        names = {s.name for s in (self.lhs.free_symbols | self.rhs.free_symbols)}
        return tuple(sorted(name for name in names if name in DOMAINS))

    @property
    def formula(self) -> sp.Eq:
        """The statement lhs = rhs (unevaluated)."""
        return sp.Eq(self.lhs, self.rhs, evaluate=False)

    @property
    def latex(self) -> str:
        """LaTeX of the statement, with its index range when it has one."""
        body = f"{sp.latex(self.lhs)} = {sp.latex(self.rhs)}"
        return f"{body}, \\quad {self.index_range}" if self.index_range else body

    @property
    def document(self) -> str:
        """Path of the entry's derivation document, relative to the project root."""
        return f"derivations/{self.id}.md"


class CatalogError(ValueError):
    """The catalog is inconsistent (duplicate IDs, unknown references)."""


class Catalog:
    """An ordered registry of entries with unique IDs and aliases."""

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._aliases: dict[str, str] = {}

    def add(self, entry: Entry) -> Entry:
        for name in (entry.id, *entry.aliases):
            if name in self._entries or name in self._aliases:
                raise CatalogError(f"duplicate catalog ID {name!r}")
        self._entries[entry.id] = entry
        for alias in entry.aliases:
            self._aliases[alias] = entry.id
        return entry

    def __iter__(self):
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries or name in self._aliases

    def ids(self) -> list[str]:
        return list(self._entries)

    def names(self) -> list[str]:
        """IDs and aliases."""
        return [*self._entries, *self._aliases]

    def get(self, name: str) -> Entry:
        """The entry with this ID or alias; ValueError naming the closest IDs otherwise."""
        if name in self._aliases:
            name = self._aliases[name]
        try:
            return self._entries[name]
        except KeyError:
            raise ValueError(unknown_id_message(name, self.names())) from None


def make_entry(catalog: Catalog, **fields: Any) -> Entry:
    """Declare an entry and add it to ``catalog`` (duplicate IDs raise at import)."""
    return catalog.add(Entry(**fields))


@cache
def derive_entry(entry: Entry) -> Derivation:
    """Run the entry's derivation and check it against the declaration.

    Raises :class:`DerivationError` if a step's check fails, if the derived result differs
    from the stated formula, or if the computed comparison with the paper differs from the
    declared one.
    """
    if entry.derivation is None:
        raise DerivationError(f"{entry.id}: no derivation function")
    derivation = entry.derivation(entry.source.printed)
    derivation.require()
    stated = entry.formula if isinstance(derivation.result, sp.Eq) else entry.rhs
    if not statement_matches(stated, derivation.result):
        raise DerivationError(
            f"{entry.id}: the derivation gives {derivation.result}, not the stated {entry.rhs}"
        )
    if derivation.comparison.kind != entry.comparison:
        raise DerivationError(
            f"{entry.id}: the comparison with the paper is {derivation.comparison.kind!r}, "
            f"declared {entry.comparison!r}"
        )
    return derivation


def statement_matches(stated: sp.Basic, derived: sp.Basic) -> bool:
    """True when the derived result is the stated right-hand side (symbolically).

    Both forms are first compared at a few exact rational points of their parameters'
    domains (:func:`differ_at_points`): a difference there rejects the statement at once.
    Only forms that agree at every point (or cannot be evaluated there) go on to SymPy's
    simplification, which can take minutes to give up on a wrong trigonometric or
    Chebyshev form. The points only ever reject; acceptance needs the symbolic proof.
    """
    if isinstance(stated, sp.Eq) or isinstance(derived, sp.Eq):
        if not (isinstance(stated, sp.Eq) and isinstance(derived, sp.Eq)):
            return False
        left, right = stated.lhs - stated.rhs, derived.lhs - derived.rhs
        return not differ_at_points(left, right) and is_zero(left - right)
    if differ_at_points(stated, derived):
        return False
    return is_zero(stated - derived)

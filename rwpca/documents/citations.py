"""Citations of catalog entries: Markdown, LaTeX, BibTeX and JSON.

A citation names the stable catalog ID and the rwpca version it was derived in (as DLMF
does), and carries the BibTeX of the source paper. Every format shows the entry's one
status (:func:`rwpca.documents.verification_report.status_of`: the declared status as its
evidence upgrades or refutes it); the JSON adds the declared status beside it.

>>> print(bibtex_paper().splitlines()[0])
@inproceedings{antognini2018pca,
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import rwpca

if TYPE_CHECKING:
    from rwpca.proofs.catalog import Entry

#: The formats of :func:`cite` (the choices of ``rwpca cite --format``). The catalog, SymPy
#: and the evidence are imported by the functions that render, so the command line's help
#: reads this without loading them.
FORMATS = ("markdown", "latex", "bibtex", "json")
TOOLKIT_KEY = "rwpca"
TOOLKIT_YEAR = "2026"

#: The committed citation table (package data): what ``rwpca cite`` prints, every format of
#: every entry and the ``--list`` rows, generated from the catalog by :func:`table_bytes`
#: (``rwpca derive`` writes it, ``--check`` and the tests compare it), so that ``cite``
#: answers without importing SymPy, the catalog or the evidence.
TABLE = Path(__file__).resolve().parents[1] / "data" / "citations.json"

#: Functions adding fields to an entry's citation record, after the verification summary
#: (:func:`rwpca.documents.verification_report.record_fields`), which every record has.
RECORD_PROVIDERS: list[Callable[[Entry], dict[str, object]]] = []


def bibtex_paper() -> str:
    """BibTeX of the source paper."""
    from rwpca.proofs.catalog import PAPER, PAPER_KEY

    authors = " and ".join(
        f"{last}, {first}"
        for first, last in (("Joseph", "Antognini"), ("Jascha", "Sohl-Dickstein"))
    )
    return (
        f"@inproceedings{{{PAPER_KEY},\n"
        f"  author    = {{{authors}}},\n"
        "  title     = {{PCA} of High Dimensional Random Walks with Comparison to Neural "
        "Network Training},\n"
        f"  booktitle = {{{PAPER['booktitle']}}},\n"
        f"  year      = {{{PAPER['year']}}},\n"
        "}\n"
    )


def bibtex_toolkit(entry: Entry) -> str:
    """BibTeX of the toolkit, naming the cited entry and the version."""
    from rwpca.documents.verification_report import status_of

    return (
        f"@misc{{{TOOLKIT_KEY}:{entry.id},\n"
        "  author       = {{rwpca developers}},\n"
        f"  title        = {{rwpca: {entry.title} (catalog entry {entry.id})}},\n"
        f"  year         = {{{TOOLKIT_YEAR}}},\n"
        f"  note         = {{rwpca version {rwpca.__version__}; status: {status_of(entry)}; "
        f"regime: {entry.regime.kind}; derivation: {entry.document}}},\n"
        "}\n"
    )


def record(entry: Entry) -> dict[str, object]:
    """The machine-readable citation of an entry (the JSON format)."""
    import sympy as sp

    from rwpca.documents import verification_report
    from rwpca.documents.verification_report import status_of
    from rwpca.proofs.catalog import PAPER

    data: dict[str, object] = {
        "id": entry.id,
        "aliases": list(entry.aliases),
        "title": entry.title,
        "latex": entry.latex,
        "sympy": sp.srepr(entry.rhs),
        "lhs": sp.srepr(entry.lhs),
        "variables": dict(entry.variables),
        "assumptions": list(entry.assumptions),
        "regime": {"kind": str(entry.regime.kind), "description": entry.regime.description},
        "status": str(status_of(entry)),
        "declared_status": str(entry.status),
        "source": {
            "reference": PAPER["short"],
            "section": entry.source.section,
            "printed_latex": entry.source.printed_latex,
            "note": entry.source.note,
        },
        "comparison": str(entry.comparison),
        "process": entry.process,
        "document": entry.document,
        "related": list(entry.related),
        "rwpca_version": rwpca.__version__,
        "bibtex": bibtex_paper(),
    }
    for provider in (verification_report.record_fields, *RECORD_PROVIDERS):
        data.update(provider(entry))
    return data


def markdown(entry: Entry) -> str:
    from rwpca.documents.markdown import display_math, text
    from rwpca.documents.verification_report import status_of
    from rwpca.proofs.catalog import PAPER

    lines = [
        f"**`{entry.id}`** — {text(entry.title)}",
        "",
        display_math(entry.latex),
        f"- Regime: {entry.regime.kind} — {text(entry.regime.description)}",
        f"- Status: {status_of(entry)} (rwpca {rwpca.__version__})",
        f"- Source: {text(PAPER['short'])}, {text(entry.source.section)}; comparison with the "
        f"paper: {text(entry.comparison)}",
        f"- Derivation: `{entry.document}`",
    ]
    return "\n".join(lines) + "\n"


def latex(entry: Entry) -> str:
    from rwpca.documents.verification_report import status_of
    from rwpca.proofs.catalog import PAPER_KEY

    return (
        f"% rwpca {entry.id} (rwpca {rwpca.__version__}): status {status_of(entry)}; "
        f"regime {entry.regime.kind}: {entry.regime.description}\n"
        "\\begin{equation}\n"
        f"  {entry.latex}\n"
        f"  \\label{{rwpca:{entry.id}}}\n"
        "\\end{equation}\n"
        f"% Source: \\cite{{{PAPER_KEY}}}, {entry.source.section}; "
        f"derivation: {entry.document}\n"
    )


def bibtex(entry: Entry) -> str:
    return bibtex_paper() + "\n" + bibtex_toolkit(entry)


def as_json(entry: Entry) -> str:
    return json.dumps(record(entry), indent=2, ensure_ascii=False) + "\n"


def cite(entry: Entry, fmt: str = "markdown") -> str:
    """The citation of ``entry`` in one of :data:`FORMATS`."""
    renderers = {"markdown": markdown, "latex": latex, "bibtex": bibtex, "json": as_json}
    if fmt not in renderers:
        raise ValueError(f"format {fmt!r} is not known: allowed formats are {', '.join(FORMATS)}")
    return renderers[fmt](entry)


# --- the committed table: `rwpca cite` without SymPy -------------------------------------


def table_bytes() -> bytes:
    """The citation table as :data:`TABLE` holds it, computed from the catalog (SymPy).

    ``entries`` maps each ID to its title, status and every format of :func:`cite`, in
    catalog order (the order of ``--list``); ``aliases`` maps each alias to its ID.
    """
    from rwpca.documents.verification_report import status_of
    from rwpca.proofs.catalog import CATALOG

    entries = {
        entry.id: {
            "title": entry.title,
            "status": str(status_of(entry)),
            "formats": {fmt: cite(entry, fmt) for fmt in FORMATS},
        }
        for entry in CATALOG
    }
    aliases = {alias: entry.id for entry in CATALOG for alias in entry.aliases}
    table = {"rwpca_version": rwpca.__version__, "aliases": aliases, "entries": entries}
    return (json.dumps(table, indent=1, ensure_ascii=False) + "\n").encode()


def load_table(path: Path = TABLE) -> dict[str, Any]:
    """The committed citation table (see :data:`TABLE`); ValueError if it is missing or
    from another rwpca version (then ``rwpca derive`` regenerates it)."""
    try:
        table = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        raise ValueError(
            f"the citation table {path.name} cannot be read ({error}): reinstall rwpca, or "
            "run 'rwpca derive' in its source checkout"
        ) from None
    if table.get("rwpca_version") != rwpca.__version__:
        raise ValueError(
            f"the citation table {path.name} is from rwpca {table.get('rwpca_version')}, not "
            f"{rwpca.__version__}: run 'rwpca derive' in the source checkout to regenerate it"
        )
    return table


def cite_from_table(name: str, fmt: str = "markdown", path: Path = TABLE) -> str:
    """:func:`cite` of the entry with ID or alias ``name``, read from the committed table.

    >>> cite_from_table("rw.evr", "latex").startswith("% rwpca rw.evr")
    True
    """
    from rwpca.proofs.ids import unknown_id_message

    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not known: allowed formats are {', '.join(FORMATS)}")
    table = load_table(path)
    entries = table["entries"]
    key = table["aliases"].get(name, name)
    if key not in entries:
        raise ValueError(unknown_id_message(name, list(entries)))
    return entries[key]["formats"][fmt]


def list_from_table(path: Path = TABLE) -> list[dict[str, str]]:
    """The rows of ``rwpca cite --list`` (ID, title, status), in catalog order."""
    entries = load_table(path)["entries"]
    return [{"id": i, "title": e["title"], "status": e["status"]} for i, e in entries.items()]

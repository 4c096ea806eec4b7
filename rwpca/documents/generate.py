"""`rwpca derive`: regenerate derivations/ from the SymPy code.

:func:`generate` runs every catalog derivation, renders one Markdown document per entry,
the index, the figures and a machine-readable ``catalog.json``, all in memory;
:func:`write` swaps the result in atomically and :func:`check` lists the files that differ.
Figures are compared by their data fingerprint (see :mod:`rwpca.plots.figures`), every other
file byte for byte.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable
from pathlib import Path

from rwpca import __version__, treeio
from rwpca.documents import catalog_documents, citations, markdown
from rwpca.numerics.progress import ProgressArg, iterate
from rwpca.plots import figures
from rwpca.proofs.catalog import CATALOG, Entry, derive_entry
from rwpca.proofs.derivation import Derivation

#: Functions returning an extra Markdown section for an entry's document (or None).
ENTRY_SECTIONS: list[Callable[[Entry], str | None]] = []
#: Functions returning extra generated files: {relative path: bytes}, and index links.
EXTRA_DOCUMENTS: list[Callable[[], dict[str, bytes]]] = []
#: (relative path, title) of extra documents to list in the index.
EXTRA_INDEX_LINKS: list[tuple[str, str]] = []


def default_root() -> Path:
    """derivations/ of the source checkout rwpca runs from (ValueError outside a checkout).

    An installed copy has no derivations/ of its own, and the folder the user happens to
    stand in is no default for a tree that replaces what it finds: there ``--out`` is needed.
    """
    checkout = Path(__file__).resolve().parents[2]
    pyproject = checkout / "pyproject.toml"
    if pyproject.is_file() and 'name = "rwpca"' in pyproject.read_text(encoding="utf-8"):
        return checkout / "derivations"
    raise ValueError(
        "rwpca derive needs --out DIR here: rwpca is not run from its source checkout, so "
        "there is no derivations/ folder of its own to regenerate"
    )


# --- which files are generated: by path and content, decided here once ------------------

#: The text every generated Markdown document ends with (its footer), the index included.
GENERATED_MARK = markdown.GENERATED_BY.encode()
#: The paths the generator writes: documents at the top, figures, the catalog.
_GENERATED_PATH = re.compile(r"[^/]+\.md|figures/[^/]+\.png|catalog\.json")
#: How much of a file is read to decide (the footer is at the end, the PNG text chunk
#: near the start): a user's large file is never read whole.
_PROBE = 1 << 16


def _head_and_tail(path: Path) -> tuple[bytes, bytes]:
    with open(path, "rb") as stream:
        head = stream.read(_PROBE)
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(max(size - _PROBE, 0))
        return head, stream.read(_PROBE)


def _catalog_json(data: bytes) -> bool:
    try:
        records = json.loads(data)
    except ValueError:
        return False
    return (
        isinstance(records, list)
        and bool(records)
        and all(isinstance(r, dict) and {"id", "sympy", "document"} <= set(r) for r in records)
    )


def is_generated_file(relative: str, path: Path) -> bool:
    """Whether the file at ``path`` (``relative`` to the tree) is one ``rwpca derive`` writes.

    By its place (a top-level ``.md``, ``figures/*.png``, ``catalog.json``) and its content:
    a document ends with the generated footer (:data:`GENERATED_MARK`), a figure carries
    the data fingerprint chunk, the catalog is a list of catalog records. Anything else
    is the user's: ``rwpca derive`` keeps it and ``--check`` does not call it stale.
    """
    if not _GENERATED_PATH.fullmatch(relative) or path.is_symlink() or not path.is_file():
        return False
    head, tail = _head_and_tail(path)
    if relative.endswith(".md"):
        return GENERATED_MARK in tail
    if relative.endswith(".png"):
        try:
            return figures.png_fingerprint(head) is not None
        except zlib.error:  # a damaged compressed chunk: not ours
            return False
    return path.stat().st_size <= 1 << 24 and _catalog_json(path.read_bytes())


def is_users(relative: str, path: Path) -> bool:
    """The ``keep`` predicate of the tree: not generated (see :func:`is_generated_file`)."""
    return not is_generated_file(relative, path)


def is_derivations_tree(root: Path) -> bool:
    """Whether ``root`` is a tree ``rwpca derive`` made: its index or its catalog says so."""
    root = Path(root)
    return is_generated_file("README.md", root / "README.md") or is_generated_file(
        "catalog.json", root / "catalog.json"
    )


def derive_all(progress: ProgressArg = None) -> dict[str, Derivation]:
    """Run every catalog derivation (DerivationError if any check fails)."""
    return {
        entry.id: derive_entry(entry)
        for entry in iterate(progress, list(CATALOG), "deriving", unit="entry")
    }


def generate(
    progress: ProgressArg = None,
    draw: bool = True,
    derivations: dict[str, Derivation] | None = None,
) -> dict[str, bytes]:
    """Every file of derivations/ as relative path -> bytes.

    With ``draw=False`` each figure is the PNG of its data fingerprint alone, not drawn yet
    (:class:`rwpca.plots.figures.PendingFigure`): all that ``--check`` compares
    (:func:`same_content`), and :func:`write` draws only the figures that changed.
    ``derivations`` are those of :func:`derive_all`, when already computed.
    """
    if not draw:
        with figures.fingerprints_only():
            return generate(progress, derivations=derivations)
    if derivations is None:
        derivations = derive_all(progress)
    files: dict[str, bytes] = {}
    for entry in CATALOG:
        sections = [s for provider in ENTRY_SECTIONS if (s := provider(entry))]
        text = catalog_documents.render_entry(entry, derivations[entry.id], sections)
        files[f"{entry.id}.md"] = text.encode()
    names = list(figures.FIGURES)
    for name in iterate(progress, names, "figures", unit="fig"):
        files[f"figures/{name}.png"] = figures.render(name)
    for provider in EXTRA_DOCUMENTS:
        files.update(provider())
    for path, data in files.items():
        # every document carries the mark that tells a generated file from a user's one
        if "/" not in path and path.endswith(".md") and GENERATED_MARK not in data:
            footer = markdown.FOOTER.format(version=__version__)
            files[path] = data.rstrip(b"\n") + b"\n\n" + footer.encode()
    files["README.md"] = catalog_documents.render_index(
        list(CATALOG), derivations, EXTRA_INDEX_LINKS
    ).encode()
    catalog = [citations.record(entry) for entry in CATALOG]
    for item in catalog:
        item.pop("bibtex")
        item.pop("rwpca_version")
    files["catalog.json"] = (json.dumps(catalog, indent=2, ensure_ascii=False) + "\n").encode()
    return files


def same_content(path: str, old: bytes, new: bytes) -> bool:
    """Equality for --check: figures by fingerprint, everything else byte for byte."""
    if path.endswith(".png"):
        fingerprint = figures.png_fingerprint(new)
        return fingerprint is not None and figures.png_fingerprint(old) == fingerprint
    return old == new


def write(root: Path, files: dict[str, bytes]) -> list[str]:
    """Swap ``files`` in at ``root``; the user's files there are kept (returned).

    A figure whose data fingerprint is unchanged keeps the bytes it has: the PNG encoding of
    the same data can differ between runs and builds of matplotlib, and rewriting it would
    make a regenerated checkout differ from the committed tree where nothing changed. So
    only the figures that changed are drawn here, when ``files`` holds them undrawn
    (``generate(draw=False)``, :class:`rwpca.plots.figures.PendingFigure`).
    """
    files = dict(files)
    for path, data in files.items():
        if not path.endswith(".png"):
            continue
        location = root / path
        if location.is_file() and not location.is_symlink():
            existing = location.read_bytes()
            if same_content(path, existing, data):
                files[path] = existing
                continue
        files[path] = figures.draw(data)
    return treeio.write_tree(root, files, keep=is_users)


def check(root: Path, files: dict[str, bytes]) -> list[str]:
    """Paths (relative to root) that are stale: changed, missing, or generated but extra."""
    return treeio.stale_files(root, files, same_content, keep=is_users)


def package_files(root: Path) -> dict[Path, bytes]:
    """The package's own generated files, by absolute path: the citation table
    (:data:`rwpca.documents.citations.TABLE`, what ``rwpca cite`` prints).

    They belong to the source checkout, so they are regenerated and checked with its
    derivations/ only (``root`` is :func:`default_root`); none for another ``--out``.
    """
    try:
        own = default_root()
    except ValueError:
        return {}
    if Path(root).resolve() != own.resolve():
        return {}
    return {citations.TABLE: citations.table_bytes()}


def write_package_files(files: dict[Path, bytes]) -> None:
    """Write each of :func:`package_files` that differs (atomically)."""
    from rwpca.numerics.atomic import write_file_atomic

    for path, data in files.items():
        if not path.is_file() or path.read_bytes() != data:
            write_file_atomic(path, data)


def stale_package_files(files: dict[Path, bytes]) -> list[Path]:
    """Those of :func:`package_files` that are missing or differ."""
    return [p for p, data in files.items() if not p.is_file() or p.read_bytes() != data]


# --- documents contributed by feature modules (appended to the hook lists above) --------
# Imported last: they use rwpca.plots.figures and rwpca.documents.markdown, not this module.
from rwpca.documents import (  # noqa: E402
    descent_document,
    finite_d_documents,
    nn_comparison,
    noise_documents,
    power_document,
    reading_guide,
    verification_report,
)

# Verification evidence: read from the committed numerics/data/verification.json.
ENTRY_SECTIONS.append(verification_report.entry_section)
EXTRA_DOCUMENTS.append(verification_report.report_document)
EXTRA_INDEX_LINKS.append((verification_report.REPORT, verification_report.REPORT_TITLE))

ENTRY_SECTIONS.append(noise_documents.entry_section)
EXTRA_DOCUMENTS.append(noise_documents.documents)
EXTRA_INDEX_LINKS.append(noise_documents.INDEX_LINK)
ENTRY_SECTIONS.append(finite_d_documents.entry_section)
EXTRA_DOCUMENTS.append(finite_d_documents.documents)
EXTRA_DOCUMENTS.append(nn_comparison.documents)
EXTRA_INDEX_LINKS.append((nn_comparison.DOCUMENT, nn_comparison.TITLE))
EXTRA_DOCUMENTS.append(reading_guide.documents)
EXTRA_INDEX_LINKS.append((reading_guide.DOCUMENT, reading_guide.TITLE))
EXTRA_DOCUMENTS.append(power_document.documents)
EXTRA_INDEX_LINKS.append((power_document.DOCUMENT, power_document.TITLE))
ENTRY_SECTIONS.append(descent_document.entry_section)

"""`rwpca derive`: regenerate derivations/ from the SymPy code.

:func:`generate` runs every catalog derivation, renders one Markdown document per entry,
the index, the figures and a machine-readable ``catalog.json``, all in memory;
:func:`write` swaps the result in atomically and :func:`check` lists the files that differ.
Figures are compared by their data fingerprint (see :mod:`rwpca.plots.figures`), every other
file byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from rwpca import treeio
from rwpca.documents import citations, markdown
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
    """derivations/ of the source checkout rwpca runs from, else of the working directory."""
    checkout = Path(__file__).resolve().parents[2]
    pyproject = checkout / "pyproject.toml"
    if pyproject.is_file() and 'name = "rwpca"' in pyproject.read_text(encoding="utf-8"):
        return checkout / "derivations"
    return Path.cwd() / "derivations"


def derive_all(progress: ProgressArg = None) -> dict[str, Derivation]:
    """Run every catalog derivation (DerivationError if any check fails)."""
    return {
        entry.id: derive_entry(entry)
        for entry in iterate(progress, list(CATALOG), "deriving", unit="entry")
    }


def generate(progress: ProgressArg = None) -> dict[str, bytes]:
    """Every file of derivations/ as relative path -> bytes."""
    derivations = derive_all(progress)
    files: dict[str, bytes] = {}
    for entry in CATALOG:
        sections = [s for provider in ENTRY_SECTIONS if (s := provider(entry))]
        text = markdown.render_entry(entry, derivations[entry.id], sections)
        files[f"{entry.id}.md"] = text.encode()
    names = list(figures.FIGURES)
    for name in iterate(progress, names, "figures", unit="fig"):
        files[f"figures/{name}.png"] = figures.render(name)
    for provider in EXTRA_DOCUMENTS:
        files.update(provider())
    files["README.md"] = markdown.render_index(
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


def write(root: Path, files: dict[str, bytes]) -> None:
    treeio.write_tree(root, files)


def check(root: Path, files: dict[str, bytes]) -> list[str]:
    """Paths (relative to root) that are stale: changed, missing or not generated."""
    return treeio.stale_files(root, files, same_content)


# --- documents contributed by feature modules (appended to the hook lists above) --------
# Imported last: they use rwpca.plots.figures and rwpca.documents.markdown, not this module.
from rwpca.documents import (  # noqa: E402
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
EXTRA_DOCUMENTS.append(nn_comparison.documents)
EXTRA_INDEX_LINKS.append((nn_comparison.DOCUMENT, nn_comparison.TITLE))
EXTRA_DOCUMENTS.append(reading_guide.documents)
EXTRA_INDEX_LINKS.append((reading_guide.DOCUMENT, reading_guide.TITLE))
EXTRA_DOCUMENTS.append(power_document.documents)
EXTRA_INDEX_LINKS.append((power_document.DOCUMENT, power_document.TITLE))

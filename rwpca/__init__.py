"""rwpca: PCA of high-dimensional random walks, derived, verified and applied.

One import name holds three layers that import one way, ``rwpca`` -> ``rwpca.numerics`` ->
``rwpca.proofs``: :mod:`rwpca.proofs` holds the exact SymPy objects and the formula catalog,
:mod:`rwpca.numerics` the numeric checks and typed results, and the application modules here
(:mod:`rwpca.cli` with :mod:`rwpca.commands`, :mod:`rwpca.documents`, :mod:`rwpca.plots`)
the command line, the generated documents, citations and figures.

``rwpca.Recorder`` (:class:`rwpca.numerics.checkpoints.recorder.Recorder`) records a run
during training; ``rwpca.analyze`` and ``rwpca.sweep`` (:mod:`rwpca.api`) analyse one, as
`rwpca analyze` does, and return reports that display in notebooks. They are imported on
first use, so ``import rwpca`` stays light (as is ``__version__``, read from the package
metadata on first use).
"""

from __future__ import annotations

from typing import Any

#: Names exported lazily: attribute -> module that defines it.
_LAZY = {
    "Recorder": "rwpca.numerics.checkpoints.recorder",
    "analyze": "rwpca.api",
    "sweep": "rwpca.api",
}

__all__ = ["Recorder", "__version__", "analyze", "sweep"]


def _version() -> str:
    # importlib.metadata costs tens of milliseconds: read on first use of __version__
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rwpca")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value = _version()
        globals()["__version__"] = value
        return value
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rwpca' has no attribute {name!r}")

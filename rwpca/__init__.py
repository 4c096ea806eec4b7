"""rwpca: PCA of high-dimensional random walks, derived, verified and applied.

One import name holds three layers that import one way, ``rwpca`` -> ``rwpca.numerics`` ->
``rwpca.proofs``: :mod:`rwpca.proofs` holds the exact SymPy objects and the formula catalog,
:mod:`rwpca.numerics` the numeric checks and typed results, and the application modules here
(:mod:`rwpca.cli` with :mod:`rwpca.commands`, :mod:`rwpca.documents`, :mod:`rwpca.plots`)
the command line, the generated documents, citations and figures.

``rwpca.Recorder`` (:class:`rwpca.numerics.checkpoints.recorder.Recorder`) records a run
during training; ``rwpca.analyze`` and ``rwpca.sweep`` (:mod:`rwpca.api`) analyse one, as
`rwpca analyze` does, and return reports that display in notebooks. They are imported on
first use, so ``import rwpca`` stays light.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("rwpca")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

#: Names exported lazily: attribute -> module that defines it.
_LAZY = {
    "Recorder": "rwpca.numerics.checkpoints.recorder",
    "analyze": "rwpca.api",
    "sweep": "rwpca.api",
}

__all__ = ["Recorder", "__version__", "analyze", "sweep"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rwpca' has no attribute {name!r}")

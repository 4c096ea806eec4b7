"""rwpca: the application layer of the toolkit (CLI, rendering of derivations/, citations).

The layers import one way: ``rwpca`` -> ``numerics`` -> ``proofs``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rwpca")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

"""The package's own map: its import packages and their modules, read from the installed tree.

The product card's top-level folders ``proofs/`` and ``numerics/`` install as
:mod:`rwpca.proofs` and :mod:`rwpca.numerics` (``package-dir`` in ``pyproject.toml``), so
walking ``rwpca.__path__`` alone does not reach them; :data:`LAYERS` names the three roots.

>>> LAYERS
('rwpca.proofs', 'rwpca.numerics', 'rwpca')
>>> "rwpca.proofs.catalog" in installed_modules()
True
"""

from __future__ import annotations

import importlib
import pkgutil

#: The three layers, lowest first: a module may import only from its own layer or a lower one.
LAYERS = ("rwpca.proofs", "rwpca.numerics", "rwpca")


def installed_modules() -> list[str]:
    """Every importable module and package name of rwpca, sorted, each exactly once."""
    names: set[str] = set()
    for root in LAYERS:
        package = importlib.import_module(root)
        names.add(root)
        for info in pkgutil.walk_packages(package.__path__, root + "."):
            names.add(info.name)
    return sorted(names)


def layer_of(module: str) -> str:
    """The layer a module belongs to: the longest root of :data:`LAYERS` that prefixes it."""
    for root in LAYERS:
        if module == root or module.startswith(root + "."):
            return root
    raise ValueError(f"module {module!r} is not part of rwpca: allowed roots are {LAYERS}")

"""The house: one import name, every package installed, layers that import one way."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from rwpca.layout import LAYERS, installed_modules, layer_of

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {"rwpca": "rwpca", "rwpca.proofs": "proofs", "rwpca.numerics": "numerics"}


def _packages_on_disk() -> set[str]:
    found = set()
    for name, folder in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *relative)))
    return found


def test_every_package_folder_is_installed() -> None:
    """pyproject.toml lists exactly the package folders, under their rwpca.* names."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"] == FOLDERS
    assert set(config["packages"]) == _packages_on_disk()


@pytest.mark.parametrize("name", ["proofs", "numerics"])
def test_no_top_level_module_of_ours(name: str, tmp_path: Path) -> None:
    """Outside the checkout, `import proofs` and `import numerics` fail: we install neither."""
    result = subprocess.run(
        [sys.executable, "-c", f"import {name}; print({name}.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0, f"`import {name}` found {result.stdout.strip()}"
    assert importlib.util.find_spec(f"rwpca.{name}") is not None


def _imports(module: str) -> set[str]:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    package = module if spec.submodule_search_locations else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "rwpca" or name.startswith("rwpca.")}


def _allowed(importer: str, imported: str) -> bool:
    rank = {root: i for i, root in enumerate(LAYERS)}
    if imported == "rwpca":  # the root package: only its version string, for every layer
        return True
    if not any(imported.startswith(root) for root in LAYERS):
        return True
    return rank[layer_of(imported)] <= rank[layer_of(importer)]


@pytest.mark.parametrize("module", installed_modules())
def test_layers_import_one_way(module: str) -> None:
    """rwpca.proofs imports no numerics or application module; rwpca.numerics no application."""
    bad = sorted(name for name in _imports(module) if not _allowed(module, name))
    assert not bad, f"{module} ({layer_of(module)}) imports {bad[0]} from a higher layer"


def test_the_layer_check_can_fail() -> None:
    """The rule itself rejects an upward import."""
    assert not _allowed("rwpca.proofs.matrices", "rwpca.numerics.formulas")
    assert not _allowed("rwpca.numerics.formulas", "rwpca.documents.markdown")
    assert _allowed("rwpca.documents.markdown", "rwpca.proofs.catalog")


#: The rooms the numeric layer is split into (issue 9): each holds 3 to 7 modules.
ROOMS = (
    "rwpca.numerics.laws",
    "rwpca.numerics.linalg",
    "rwpca.numerics.certified",
    "rwpca.numerics.verification",
    "rwpca.numerics.verification.checks",
    "rwpca.numerics.verification.formula",
    "rwpca.numerics.walks",
    "rwpca.numerics.trajectories",
    "rwpca.numerics.nulls",
    "rwpca.numerics.studies",
    "rwpca.proofs.derive",
    "rwpca.proofs.derive.laws",
    "rwpca.proofs.derive.momentum",
    "rwpca.numerics.descent",
    "rwpca.proofs.derive.descent",
)


def _modules_of(package: str) -> list[str]:
    return [
        name
        for name in installed_modules()
        if name.rpartition(".")[0] == package and not _is_package(name)
    ]


def _is_package(name: str) -> bool:
    spec = importlib.util.find_spec(name)
    return spec is not None and spec.submodule_search_locations is not None


@pytest.mark.parametrize("room", ROOMS)
def test_rooms_hold_three_to_seven_modules(room: str) -> None:
    modules = _modules_of(room)
    assert 3 <= len(modules) <= 7, (room, modules)


def test_every_package_says_what_it_holds_in_one_sentence() -> None:
    """The first line of each package docstring is one sentence ending in a full stop."""
    for name in installed_modules():
        if not _is_package(name):
            continue
        doc = importlib.import_module(name).__doc__
        assert doc and doc.strip(), f"{name} has no docstring"
        first = doc.strip().splitlines()[0]
        assert first.endswith("."), (name, first)

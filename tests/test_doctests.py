"""The docstring examples of every module, run under the module's installed name.

pytest's ``--doctest-modules`` collects files by path, which would import ``proofs/x.py`` a
second time under a name that is not installed; here each module is imported as
``rwpca.proofs.x`` (or ``rwpca.numerics.x``, ``rwpca.x``) and its examples run there.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

from rwpca.layout import installed_modules

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def _modules_with_examples() -> list[str]:
    finder = doctest.DocTestFinder()
    return [
        name
        for name in installed_modules()
        if any(test.examples for test in finder.find(importlib.import_module(name)))
    ]


@pytest.mark.parametrize("name", _modules_with_examples())
def test_docstring_examples(name: str) -> None:
    """Every example in the module's docstrings prints what it shows."""
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_a_wrong_example_fails() -> None:
    """The runner above can fail: an example with a wrong output is counted as a failure."""
    import types

    module = types.ModuleType("rwpca_doctest_mutant")
    module.__doc__ = ">>> 1 + 1\n3\n"
    runner_result = doctest.testmod(module, optionflags=FLAGS, report=False)
    assert runner_result.failed == 1

"""A CLI that answers at once: what `rwpca --help` loads, and the cheap paths of derive.

Never timed here (timings live in benchmarks/cli_speed.py): the tests check the causes,
which libraries a command line imports, and that the cheap paths give the same answers as
the expensive ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from rwpca import cli
from rwpca.numerics import formulas
from rwpca.plots import figures
from rwpca.proofs import symbols
from rwpca.proofs.catalog import CATALOG
from rwpca.proofs.domains import DOMAINS, SGD_MOMENTUM, Bound, closed, open_

#: Libraries no `--help` may load (each costs tenths of a second to import).
NEVER = ("sympy", "mpmath", "flint", "matplotlib", "scipy")

_PROBE = """
import json, sys
from rwpca.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
sys.stdout = sys.__stdout__
print(json.dumps(sorted(m for m in {names!r} if m in sys.modules)))
"""


def _loaded(argv: list[str], names: tuple[str, ...] = (*NEVER, "numpy")) -> list[str]:
    """The libraries among ``names`` that ``rwpca ARGV`` has imported when it ends."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(argv=argv, names=names)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


def test_importing_the_cli_loads_no_numeric_library():
    code = "import sys, rwpca.cli; print(sorted(m for m in %r if m in sys.modules))"
    names = (*NEVER, "numpy")
    out = subprocess.run(
        [sys.executable, "-c", code % (names,)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "argv", ["--help", "--version", "derive --help", "cite --help", "verify --help"]
)
def test_help_loads_no_numeric_library(argv):
    assert _loaded(argv.split()) == []


def test_analyze_help_loads_no_numeric_library():
    assert _loaded(["analyze", "--help"]) == []


@pytest.mark.parametrize("command", ["simulate", "train"])
def test_help_of_the_numeric_commands_loads_numpy_only(command):
    # their choices are declared beside NumPy code (noise families, training models)
    assert _loaded([command, "--help"]) == ["numpy"]


def test_the_listing_of_one_command_is_the_full_listing():
    """`rwpca --help` built without the subcommands' parsers lists what the full one does."""
    full = cli.build_parser().format_help()
    for only in ("", *(command.NAME for command in cli.COMMANDS)):
        assert cli.build_parser(only).format_help() == full


def test_a_command_parser_is_the_same_built_alone(capsys):
    """Each subcommand's help is the same whether its parser is built alone or with all."""
    for command in cli.COMMANDS:
        alone = cli.build_parser(command.NAME)
        full = cli.build_parser()
        helps = []
        for parser in (alone, full):
            with pytest.raises(SystemExit):
                parser.parse_args([command.NAME, "--help"])
            helps.append(capsys.readouterr().out)
        assert helps[0] == helps[1] and command.HELP in cli.build_parser().format_help()


def test_version_is_read_when_asked(capsys):
    from importlib.metadata import version

    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"rwpca {version('rwpca')}\n"


# --- the declarations read without SymPy ---------------------------------------------------


def test_bound_text_is_what_sympy_prints():
    """Every declared end, and affine ends beyond them, print as SymPy prints their value."""
    ends = [
        bound
        for domain in (*DOMAINS.values(), SGD_MOMENTUM)
        for bound in (domain.lower, domain.upper)
        if bound is not None
    ]
    ends += [Bound(Fraction(p, q), True, a) for p in (-3, 0, 2) for q in (1, 2) for a in (-2, 1, 3)]
    for bound in ends:
        assert bound.text == str(bound.value)


def test_bounds_from_sympy_expressions():
    n = symbols.n
    assert closed(n - 1) == closed(-1, per_n=1) == Bound(Fraction(-1), True, 1)
    assert open_(sp.Rational(1, 2)) == Bound(Fraction(1, 2), False)
    assert closed(2 * n).at({"n": 5}) == 10
    assert closed(-1, per_n=1).at({"n": sp.Integer(7)}) == 6
    for bad in (n**2, n / 2 + symbols.k, "n - 1"):
        with pytest.raises(ValueError, match="is not allowed"):
            closed(bad)


# --- derive's cheap paths give the same answers --------------------------------------------


def test_fingerprint_png_is_what_check_compares(generated):
    drawn = figures.render("evr")
    with figures.fingerprints_only():
        data = figures.render("evr")
    assert data.startswith(b"\x89PNG") and len(data) < 200 < len(drawn)
    assert figures.png_fingerprint(data) == figures.png_fingerprint(drawn)
    from rwpca.documents import generate

    assert generate.same_content("figures/evr.png", drawn, data)
    assert not generate.same_content("figures/evr.png", drawn, figures.fingerprint_png("x"))
    assert not generate.same_content("figures/evr.png", drawn, generated["figures/spectrum.png"])


def _substituted(expr: sp.Basic, n: int, params: dict[str, object]) -> np.ndarray:
    """The formula's values by exact substitution of n and the parameters, then k."""
    bound = formulas.substitute_by_name(expr, {"n": n, **params})
    f = formulas.lambdify_by_name(bound, ("k",))
    k = np.arange(1, n, dtype=float)
    return np.broadcast_to(np.asarray(f(k), dtype=float), k.shape)


def test_compiled_eigenvalue_formulas_agree_with_exact_substitution():
    """Compiled once and fed floats, each eigenvalue formula gives what exact substitution
    gives, to the rounding of an ill-conditioned float64 evaluation."""
    values = {"gamma": Fraction(3, 10), "alpha": Fraction(1, 10)}
    checked = 0
    for entry in CATALOG:
        names = formulas.free_symbol_names(entry.rhs)
        if "k" not in names or not names - {"n", "k"} <= set(values):
            continue
        params = {name: values[name] for name in names - {"n", "k"}}
        for n in (2, 7, 60, 400):
            fast = formulas.evaluate_eigenvalue_formula(entry.rhs, n, params)
            exact = _substituted(entry.rhs, n, params)
            np.testing.assert_allclose(fast, exact, rtol=1e-9, atol=0)
        checked += 1
    assert checked >= 4


def test_compiled_formulas_refuse_what_they_refused():
    expr = 1 / (symbols.n + symbols.k + sp.Symbol("x"))
    with pytest.raises(ValueError, match="unbound symbol 'x'"):
        formulas.evaluate_eigenvalue_formula(expr, 5)
    with pytest.raises(ValueError):
        formulas.evaluate_eigenvalue_formula(expr, 5, {"x": "0.5"})
    # a symbolic value is substituted exactly, and the symbol it brings is refused
    with pytest.raises(ValueError, match="unbound symbol 'y'"):
        formulas.evaluate_eigenvalue_formula(expr, 5, {"x": sp.Symbol("y")})

"""A CLI that answers at once: what `rwpca --help` loads, and the cheap paths of derive.

Never timed here (timings live in benchmarks/cli_speed.py): the tests check the causes,
which libraries a command line imports, and that the cheap paths give the same answers as
the expensive ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from rwpca import cli
from rwpca.numerics.walks import FAMILY_TABLE
from rwpca.numerics.walks.families import FAMILIES
from rwpca.plots import figures, panels
from rwpca.proofs import symbols
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
        cwd=tempfile.gettempdir(),  # not the checkout: "-c" puts the current folder on sys.path
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


def test_importing_the_cli_loads_no_numeric_library():
    code = "import sys, rwpca.cli; print(sorted(m for m in %r if m in sys.modules))"
    names = (*NEVER, "numpy")
    out = subprocess.run(
        [sys.executable, "-c", code % (names,)],
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "argv", ["--help", "--version", "derive --help", "cite --help", "verify --help"]
)
def test_help_loads_no_numeric_library(argv):
    assert _loaded(argv.split()) == []


def test_analyze_help_loads_no_numeric_library():
    assert _loaded(["analyze", "--help"]) == []


def test_analyze_loads_matplotlib_only_to_draw(tmp_path):
    """A second of imports that a text or JSON report does not need."""
    walk = tmp_path / "walk.npy"
    np.save(walk, np.cumsum(np.random.default_rng(0).standard_normal((30, 50)), axis=0))
    assert "matplotlib" not in _loaded(
        ["analyze", str(walk), "--quiet", "--replicates", "19"], ("matplotlib",)
    )
    drawn = _loaded(
        ["analyze", str(walk), "-q", "--replicates", "19", "--plot", str(tmp_path / "w.png")]
    )
    assert "matplotlib" in drawn
    assert (tmp_path / "w.png").stat().st_size > 0


def test_simulate_help_loads_no_numeric_library(capsys):
    assert _loaded(["simulate", "--help"]) == []
    with pytest.raises(SystemExit):
        cli.main(["simulate", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    for name, family in FAMILIES.items():  # the table the help reads is the one simulated
        assert name in shown and family.parameters == FAMILY_TABLE[name].parameters
        assert all(f"{key}={value:g}" in shown for key, value in family.parameters.items())
    assert list(FAMILIES) == list(FAMILY_TABLE)


def test_train_help_loads_numpy_only():
    # its choices and defaults are declared beside the NumPy training code
    assert _loaded(["train", "--help"]) == ["numpy"]


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
        listing = " ".join(cli.build_parser().format_help().split())  # argparse wraps lines
        assert helps[0] == helps[1] and command.HELP in listing


def test_version_is_read_when_asked(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as stop:  # as argparse's version action exits
        cli.main(["--version"])
    assert stop.value.code in (0, None)
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


def test_write_draws_only_the_figures_that_changed(tmp_path, monkeypatch):
    """An unchanged fingerprint keeps the file's bytes undrawn; a changed one is drawn."""
    from rwpca.documents import generate

    with figures.fingerprints_only():
        evr, spectrum = figures.render("evr"), figures.render("spectrum")
    assert isinstance(evr, figures.PendingFigure)
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "evr.png").write_bytes(bytes(evr))  # the same fingerprint
    (tmp_path / "figures" / "spectrum.png").write_bytes(figures.fingerprint_png("stale"))
    drawn = []
    real = figures.PendingFigure.draw
    monkeypatch.setattr(
        figures.PendingFigure, "draw", lambda self: drawn.append(self) or real(self)
    )
    generate.write(tmp_path, {"figures/evr.png": evr, "figures/spectrum.png": spectrum})
    assert drawn == [spectrum]
    written = (tmp_path / "figures" / "spectrum.png").read_bytes()
    assert written == figures.render("spectrum") and written != bytes(spectrum)
    assert (tmp_path / "figures" / "evr.png").read_bytes() == bytes(evr)  # kept, not drawn


# --- figures fingerprinted on a null canvas ---------------------------------------------------


def test_a_null_canvas_shapes_axes_as_matplotlib_does_and_reads_nothing_back():
    from matplotlib.figure import Figure

    for shape in [(1, 1), (1, 3), (3, 1), (2, 3)]:
        real = Figure().subplots(*shape)
        with panels.null_canvas():
            null = panels.figure(4, 3).subplots(*shape)
        assert getattr(null, "shape", ()) == getattr(real, "shape", ())
    with panels.null_canvas():
        fig = panels.figure(4, 3)
        ax = fig.subplots()
        assert ax.plot([1, 2], [3, 4]) is None and fig.suptitle("t") is None
        with pytest.raises(AttributeError, match="plott"):
            ax.plott([1])
        with pytest.raises(TypeError, match="get_xlim"):
            ax.get_xlim()
    assert isinstance(panels.figure(4, 3), Figure)  # outside the context: a real figure


def test_a_figure_function_that_records_what_it_reads_from_axes_is_refused():
    @figures.figure_function
    def reads_back() -> bytes:
        fig = panels.figure(4, 3)
        ax = fig.subplots()
        ax.plot([1, 2], [1, 4])
        record = figures._Recorder("reads-back")
        record(ax.get_ylim())  # on a null canvas this would be no data at all
        return figures._save(fig, record)

    assert figures.png_fingerprint(reads_back())  # drawn eagerly, it works
    with figures.fingerprints_only(), pytest.raises(TypeError, match="get_ylim"):
        reads_back()


def test_a_pending_network_figure_draws_the_figure_it_fingerprinted():
    """The costliest figures (a recorded run's window): the null pass and the drawing agree."""
    from rwpca.documents import nn_comparison

    record = next(iter(nn_comparison.load_cache().runs.values()))
    with figures.fingerprints_only():
        pending = nn_comparison._figure(record)
    assert isinstance(pending, figures.PendingFigure) and len(pending) < 200
    drawn = pending.draw()
    assert b"IHDR" in drawn[:40] and len(drawn) > 10_000
    assert figures.png_fingerprint(drawn) == figures.png_fingerprint(pending)
    assert drawn == nn_comparison._figure(record)  # as an eager call draws it


def test_an_undeclared_figure_function_is_refused_when_fingerprinting():
    def undeclared() -> bytes:
        fig = panels.figure(4, 3)
        fig.subplots().plot([1, 2], [1, 4])
        return figures._save(fig, figures._Recorder("undeclared"))

    assert figures.png_fingerprint(undeclared())  # drawn eagerly, it works
    with figures.fingerprints_only(), pytest.raises(RuntimeError, match="figure_function"):
        undeclared()

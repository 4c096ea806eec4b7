"""A fuzz test of the CLI: argument lists and output targets drawn by Hypothesis.

Whatever a user types, `rwpca` ends with status 0, 1 or 2 and never a traceback; a status
2 is one ``rwpca: error:`` line and leaves nothing behind; no file or folder the user had
is changed or removed. The arguments mix valid values with the ones users get wrong:
negative, zero, huge and non-numeric sizes, NaN and infinity, a payload string, unknown
options, and output targets that are read-only folders (real ones: tests/sandbox.py),
existing directories, files in the way, missing parents and the user's own files.

Sizes are drawn where a valid value stays cheap (the fuzz is of the checks, not a
benchmark), and `rwpca derive`'s generation is replaced by a two-file tree so that its
target handling, which is what can harm a user's files, runs for real at every example.
The number of cases is the profile's ``max_examples`` per command (20 under ``ci``, 500
under ``thorough``).
"""

from __future__ import annotations

import contextlib
import io
import os

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sandbox import sandbox_root, snapshot, user_folder

from rwpca.cli import main
from rwpca.documents import generate

PAYLOAD = "__import__('os').system('touch PWNED')"
#: Output targets, relative to the user's folder (made in :func:`_home`).
TARGETS = [
    "out.png",
    "out.npy",
    "ro/out.png",
    "ro",
    "folder.png",
    "afile/x.png",
    "missing/deep/x.png",
    "notes.txt",
    "run.npy",
    ".",
    "",
]
SIZES = ["-1", "0", "1", "2", "3", "5", "8", "3.5", "1e400", "x", "nan", str(10**30), ""]
SMALL = ["-1", "0", "1", "2", "3", "3.5", "x", "nan", ""]
NUMBERS = ["0.5", "-0.5", "0", "1", "2", "1/3", "nan", "inf", "-inf", "1e-400", PAYLOAD, ""]
NOISES = ["gaussian", "uniform", "student_t:nu=3", "student_t:nu=-1", "cauchy", "nope", PAYLOAD]
IDS = ["rw.trace", "rw.eigenvalue", "ou.eigenvalue.small_k", "nope", PAYLOAD, ""]


def _pairs(options: dict[str, list[str]]) -> st.SearchStrategy[list[str]]:
    """Some of the options, each with a drawn value, in a drawn order."""
    pair = st.sampled_from(sorted(options)).flatmap(
        lambda name: st.sampled_from(options[name]).map(lambda value: [name, value])
    )
    return st.lists(pair, max_size=5).map(lambda pairs: [a for p in pairs for a in p])


def _flags(names: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(names), max_size=2, unique=True)


COMMANDS: dict[str, st.SearchStrategy[list[str]]] = {
    "simulate": st.tuples(
        _pairs(
            {
                "--n": SIZES,
                "--d": [*SMALL, "100", "1e2"],
                "--process": ["plain", "momentum", "ou", "nope"],
                "--gamma": NUMBERS,
                "--alpha": NUMBERS,
                "--noise": NOISES,
                "--seed": ["-1", "0", "7", "x", str(2**70)],
                "--components": SMALL,
                "--plot": TARGETS,
            }
        ),
        _flags(["--json", "--quiet", "--bogus"]),
    ).map(lambda t: ["simulate", *t[0], *t[1]]),
    "analyze": st.tuples(
        st.sampled_from(["run.npy", "notes.txt", "missing.npy", "ro", "afile", PAYLOAD]),
        _pairs(
            {
                "--window": ["0:10", "5:2", "x", "-3:", "0:10000", "step=1:5", ""],
                "--level": NUMBERS,
                "--replicates": [*SMALL, "19"],
                "--components": SMALL,
                "--plot": TARGETS,
                "--include": ["(", ".*", ""],
                "--alpha": ["0.1"],
            }
        ),
        _flags(["--json", "--quiet", "--by-layer"]),
    ).map(lambda t: ["analyze", t[0], *t[1], *t[2]]),
    "verify": st.tuples(
        st.lists(st.sampled_from(IDS), min_size=1, max_size=2),
        _pairs({"--n": [*SMALL, "4"], "--dps": [*SMALL, "20", "100000"], "--out": TARGETS}),
        _flags(["--json", "--quiet"]),  # not --write: it would write the checkout's evidence
    ).map(lambda t: ["verify", *t[0], *t[1], *t[2]]),
    "cite": st.tuples(
        st.lists(st.sampled_from(IDS), max_size=2),
        _pairs({"--format": ["text", "bibtex", "latex", "json", "nope", ""]}),
        _flags(["--list"]),
    ).map(lambda t: ["cite", *t[0], *t[1], *t[2]]),
    "train": st.tuples(
        _pairs(
            {
                "--model": ["linear", "nope", ""],
                "--steps": [*SMALL, "4"],
                "--features": SMALL,
                "--hidden": SMALL,
                "--lr": NUMBERS,
                "--momentum": NUMBERS,
                "--seed": ["-1", "0", "x"],
                "--out": TARGETS,
            }
        ),
        _flags(["--quiet"]),
    ).map(lambda t: ["train", *t[0], *t[1]]),
    # always with --out: without it, in a checkout, derive writes the checkout's derivations/
    "derive": st.tuples(
        st.sampled_from(TARGETS),
        _flags(["--check", "--quiet", "--force"]),
    ).map(lambda t: ["derive", "--out", t[0], *t[1]]),
}


@contextlib.contextmanager
def _home():
    """The user's folder: files, a trajectory, a read-only folder, a file in the way."""
    with sandbox_root() as base:
        root = user_folder(base)
        before = os.getcwd()
        os.chdir(root)
        try:
            yield root
        finally:
            os.chdir(before)


def _small_tree(progress=None, draw=True):
    """What `derive` writes, in two files: the target handling is what is fuzzed."""
    return {"README.md": b"# index\n\n" + generate.GENERATED_MARK + b"*\n", "a.md": b"a\n"}


def _check(argv: list[str]) -> None:
    """Run one argument list in a fresh user folder and check the promises above."""
    with _home() as root:
        before = snapshot(root)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as stop:  # --help and --version
                code = stop.code if isinstance(stop.code, int) else 2
        message = err.getvalue()
        assert code in (0, 1, 2), (argv, code, message)
        assert "Traceback" not in message, (argv, message)
        after = snapshot(root)
        for path, entry in before.items():
            assert after.get(path) == entry, (argv, path, "changed or removed")
        if code == 2:
            lines = [line for line in message.splitlines() if line.startswith("rwpca: error:")]
            assert len(lines) == 1, (argv, message)
            assert set(after) == set(before), (argv, "a refusal left files behind")
        assert not (root / "PWNED").exists(), argv


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_traceback_no_other_status_no_user_file_touched(command, monkeypatch):
    monkeypatch.setattr(generate, "generate", _small_tree)
    monkeypatch.delenv("RWPCA_DEBUG", raising=False)

    @given(argv=COMMANDS[command])
    def case(argv: list[str]) -> None:
        # a huge d is cheap only for Gaussian noise (a Wishart draw); elsewhere it is honest work
        assume(not (str(10**30) in argv and command == "simulate"))
        _check(argv)

    case()


# --- the checks catch broken CLIs ------------------------------------------------------


def test_a_cli_that_lets_errors_escape_is_caught(monkeypatch):
    """With RWPCA_DEBUG the CLI re-raises: the fuzz's first bad value then fails it."""
    monkeypatch.setenv("RWPCA_DEBUG", "1")
    with pytest.raises(ValueError):
        _check(["simulate", "--n", "-1", "--d", "10"])


def test_a_cli_that_skips_its_target_check_is_caught(monkeypatch):
    """Without the target check, --plot notes.txt overwrites the user's notes."""
    from rwpca import outputs

    monkeypatch.setattr(outputs, "check_file_target", lambda *args, **kwargs: None)
    with pytest.raises(AssertionError, match=r"changed or removed|left files behind"):
        _check(["simulate", "--n", "5", "--d", "10", "--plot", "notes.txt"])


def test_a_cli_with_a_second_status_for_errors_is_caught(monkeypatch):
    from rwpca import cli

    real = cli._run
    monkeypatch.setattr(cli, "_run", lambda *args: 3 if real(*args) == 2 else 0)
    with pytest.raises(AssertionError):
        _check(["cite", "nope"])

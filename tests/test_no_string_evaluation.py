"""No string a caller passes is ever evaluated: values are numbers, formulas SymPy objects.

1. A payload string that would create a file when evaluated (by ``sympify``, ``eval``, a
   SymPy function that sympifies its argument, ...) is passed to every public function that
   takes a value or a formula. Each must refuse it with a one-line ValueError, and the file
   must not exist afterwards. The payload is first shown to work: evaluated by ``sympify``
   it does create the file, so a function that evaluated it would be caught.
2. A lint test greps the package sources for ``sympify(``, ``eval(``, ``exec(``,
   ``parse_expr(``, ``S(`` and ``__import__``: each remaining call must be on the allow-list
   below with a reason; a call planted in a copy of the sources makes it fail.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sympy as sp

from rwpca.numerics import arbeval, formulas
from rwpca.numerics.certified import enclosures, momentum_roots
from rwpca.numerics.linalg import float_spectra, reference, structure
from rwpca.numerics.verification.checks import momentum as momentum_check
from rwpca.numerics.verification.formula.check import check_formula
from rwpca.numerics.walks import finite_d, simulator
from rwpca.proofs import circulant, derivation, domains, matrices, theorems, validation
from rwpca.proofs.catalog import CATALOG, get
from rwpca.proofs.processes import PROCESSES, get_process
from rwpca.proofs.symbols import k, n

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rwpca", "proofs", "numerics")


@pytest.fixture
def marker(tmp_path):
    return tmp_path / "payload-ran"


@pytest.fixture
def payload(marker):
    """Python that creates ``marker`` when evaluated, and is a number-like 0 afterwards."""
    return f"__import__('pathlib').Path({str(marker)!r}).write_text('ran') and 0"


def test_the_payload_runs_when_evaluated(payload, marker):
    """The witness: sympify (what the old code called) does run it."""
    sp.sympify(payload)
    assert marker.exists()


MOMENTUM = get("momentum.eigenvalue").rhs


def _calls(P: str) -> dict[str, Callable[[], object]]:
    """Every public function that takes a value or a formula, called with the payload."""
    calls: dict[str, Callable[[], object]] = {
        # numerics.formulas: the SymPy -> NumPy bridge
        "evaluate_eigenvalue_formula(params)": lambda: formulas.evaluate_eigenvalue_formula(
            MOMENTUM, 5, {"gamma": P}
        ),
        "evaluate_eigenvalue_formula(formula)": lambda: formulas.evaluate_eigenvalue_formula(P, 5),
        "evaluate_eigenvalue_formula(n)": lambda: formulas.evaluate_eigenvalue_formula(MOMENTUM, P),
        "substitute_by_name(values)": lambda: formulas.substitute_by_name(MOMENTUM, {"gamma": P}),
        "substitute_by_name(formula)": lambda: formulas.substitute_by_name(P, {"n": 3}),
        "lambdify_by_name(formula)": lambda: formulas.lambdify_by_name(P, ("k",)),
        "free_symbol_names": lambda: formulas.free_symbol_names(P),
        # numerics.verification
        "check_formula(params)": lambda: check_formula(
            "momentum", MOMENTUM, params={"gamma": P}, n=(3,)
        ),
        "check_formula(formula)": lambda: check_formula("plain", P, n=(3,)),
        "check_formula(process)": lambda: check_formula(P, MOMENTUM, n=(3,)),
        "check_formula(n)": lambda: check_formula("plain", MOMENTUM, n=P),
        "check_formula(dps)": lambda: check_formula("plain", MOMENTUM, n=(3,), dps=P),
        "check_formula(ks)": lambda: check_formula("plain", MOMENTUM, n=(3,), ks=P),
        "check_formula(path)": lambda: check_formula(
            "momentum", MOMENTUM, params=lambda size: {"gamma": P}, n=(3,)
        ),
        # arb evaluation
        "compile_arb": lambda: arbeval.compile_arb(P, ("n", "k")),
        "to_arb": lambda: arbeval.to_arb(P),
        # exact builders
        "difference_matrix": lambda: matrices.difference_matrix(P),
        "cumulative_sum_matrix": lambda: matrices.cumulative_sum_matrix(P),
        "centering_matrix": lambda: matrices.centering_matrix(P),
        "velocity_operator": lambda: matrices.velocity_operator(4, P),
        "momentum_operator": lambda: matrices.momentum_operator(4, P),
        "ou_operator": lambda: matrices.ou_operator(4, P),
        "lower_toeplitz": lambda: matrices.lower_toeplitz([1, P], 3),
        "circulant(entry)": lambda: matrices.circulant([1, P]),
        "circulant(column)": lambda: matrices.circulant(P),
        "lower_triangular_inverse": lambda: matrices.lower_triangular_inverse(P),
        "centred_covariance": lambda: matrices.centred_covariance(P),
        "precision_matrix": lambda: matrices.precision_matrix(P),
        "centred_precision": lambda: matrices.centred_precision(P),
        "is_lower_toeplitz": lambda: circulant.is_lower_toeplitz(P),
        "toeplitz_first_column": lambda: circulant.toeplitz_first_column(P),
        "lag_polynomial": lambda: circulant.lag_polynomial(P),
        "laurent_coefficients": lambda: circulant.laurent_coefficients(P),
        "symbol_from_coefficients": lambda: circulant.symbol_from_coefficients([P, 1]),
        "symbol_direct": lambda: circulant.symbol_direct(P),
        "circulant_from_coefficients": lambda: circulant.circulant_from_coefficients([P, 1], 4),
        "causal_circulant": lambda: circulant.causal_circulant(P, 4),
        "fourier_vector": lambda: circulant.fourier_vector(4, P),
        "dct_vector": lambda: circulant.dct_vector(4, P),
        # processes, domains and validation
        "get_process": lambda: get_process(P),
        "check_n": lambda: validation.check_n(P),
        "check_gamma": lambda: validation.check_gamma(P),
        "check_alpha": lambda: validation.check_alpha(P),
        "to_fraction": lambda: domains.to_fraction(P),
        "exact_expression": lambda: domains.exact_expression(P),
        "parse_number": lambda: domains.parse_number(P),
        # derivation helpers and certificates
        "is_zero": lambda: derivation.is_zero(P),
        "limit_at_infinity(expr)": lambda: derivation.limit_at_infinity(P, n),
        "limit_at_infinity(var)": lambda: derivation.limit_at_infinity(n, P),
        "eigenpair_theorem": lambda: theorems.eigenpair_theorem(eigenvalue=P),
        "eigenvalue_theorem_steps": lambda: theorems.eigenvalue_theorem_steps(P),
        "eigenvector_theorem_steps": lambda: theorems.eigenvector_theorem_steps(P),
        "trace_theorem": lambda: theorems.trace_theorem(P),
        "trace_sum_identity_step": lambda: theorems.trace_sum_identity_step(P, n),
        "evr_theorem": lambda: theorems.evr_theorem(P, k, n),
        "pseudo_inverse_theorem": lambda: theorems.pseudo_inverse_theorem(P),
        # float64, mpmath and certified spectra
        "float_spectra.first_column": lambda: float_spectra.first_column("momentum", {"gamma": P}),
        "structure.first_column": lambda: structure.first_column("momentum", {"gamma": P}),
        "exact_params": lambda: structure.exact_params("momentum", {"gamma": P}),
        "exact_params(mapping)": lambda: structure.exact_params("momentum", P),
        "centred_precision_structure": lambda: structure.centred_precision_structure(
            "momentum", 4, {"gamma": P}
        ),
        "exact_trace": lambda: structure.exact_trace("momentum", 4, {"gamma": P}),
        "covariance_mpmath": lambda: reference.covariance_mpmath("momentum", 4, {"gamma": P}),
        "eigenvalues_mpmath": lambda: reference.eigenvalues_mpmath("momentum", 4, {"gamma": P}),
        "eigenvalues_mpmath(dps)": lambda: reference.eigenvalues_mpmath("plain", 4, None, P),
        "precision_float": lambda: reference.precision_float("momentum", 4, {"gamma": P}),
        "eigenvalues_float": lambda: reference.eigenvalues_float("momentum", 4, {"gamma": P}),
        "certified_eigenvalues": lambda: enclosures.certified_eigenvalues(
            "momentum", 4, {"gamma": P}
        ),
        "certified_leading": lambda: enclosures.certified_leading("momentum", 4, {"gamma": P}, 1),
        # the exact momentum spectrum: roots of its secular equation
        "secular_roots(gamma)": lambda: momentum_roots.secular_roots(5, P),
        "secular_roots(n)": lambda: momentum_roots.secular_roots(P, 0.5),
        "secular_roots(dps)": lambda: momentum_roots.secular_roots(5, 0.5, P),
        "secular_roots(seeds)": lambda: momentum_roots.secular_roots(5, 0.5, seeds=P),
        "secular_roots(seed)": lambda: momentum_roots.secular_roots(5, 0.5, seeds=[0.5, P]),
        "secular_roots(function)": lambda: momentum_roots.secular_roots(5, 0.5, function=P),
        "certify_roots(result)": lambda: momentum_roots.certify_roots(P),
        "certify_roots(dps)": lambda: momentum_roots.certify_roots(
            momentum_roots.secular_roots(5, 0.5, 15), P
        ),
        "eigenvalue_angles(gamma)": lambda: momentum_roots.eigenvalue_angles(5, P, [1]),
        "eigenvalue_angles(n)": lambda: momentum_roots.eigenvalue_angles(P, 0.5, [1]),
        "eigenvalue_angles(ks)": lambda: momentum_roots.eigenvalue_angles(5, 0.5, P),
        "eigenvalue_angles(function)": lambda: momentum_roots.eigenvalue_angles(
            5, 0.5, [1], function=P
        ),
        "compile_secular": lambda: momentum_roots.compile_secular(P),
        "check_momentum": lambda: momentum_roots.check_momentum(P),
        "band_edge": lambda: momentum_roots.band_edge(P),
        "monotone": lambda: momentum_roots.monotone(P),
        "eigh_seeds": lambda: momentum_roots.eigh_seeds(5, P),
        "secular_outcome(statement)": lambda: momentum_check.secular_outcome(P, 5, 0.5, 15),
        "secular_outcome(gamma)": lambda: momentum_check.secular_outcome(
            momentum_check.PAPER_ANGLES, 5, P, 15
        ),
        "law_row(law)": lambda: momentum_check.law_row(P, 100, 0.5),
        "law_row(gamma)": lambda: momentum_check.law_row(MOMENTUM, 100, P),
        "labels_table(sizes)": lambda: momentum_check.labels_table(P),
        # walks
        "simulate(params)": lambda: simulator.simulate("momentum", 5, 10, params={"gamma": P}),
        "simulate(noise)": lambda: simulator.simulate("plain", 5, 10, P),
        "simulate(seed)": lambda: simulator.simulate("plain", 5, 10, seed=P),
        "simulate(n)": lambda: simulator.simulate("plain", P, 10),
        "exact_projections": lambda: simulator.exact_projections("momentum", 5, 2, {"gamma": P}),
        "ratio_perturbation(params)": lambda: finite_d.ratio_perturbation(
            "momentum", 5, 100.0, 0.0, {"gamma": P}
        ),
        "step_basis": lambda: finite_d.step_basis("momentum", 5, {"gamma": P}),
        "eigenvector_misalignment": lambda: finite_d.eigenvector_misalignment(
            "momentum", 5, 100.0, 0.0, {"gamma": P}
        ),
        "relative_spread_of_squared_norms": lambda: finite_d.relative_spread_of_squared_norms(
            "ou", 5, 100.0, 0.0, {"alpha": P}
        ),
    }
    for name in ("eigenvalues", "explained_variance_ratio", "centred_covariance", "step_operator"):
        function = getattr(float_spectra, name)
        calls[f"float_spectra.{name}"] = lambda f=function: f("momentum", 5, {"gamma": P})
        calls[f"float_spectra.{name}(n)"] = lambda f=function: f("plain", P)
    for process in PROCESSES.values():
        for domain in process.domains:
            calls[f"{process.name}.validate"] = lambda p=process, d=domain: p.validate({d.name: P})
            calls[f"{process.name}.step_operator"] = lambda p=process, d=domain: p.step_operator(
                4, {d.name: P}
            )
            calls[f"{process.name}.first_column"] = lambda p=process, d=domain: p.first_column(
                {d.name: P}
            )
        calls[f"{process.name}.step_operator(n)"] = lambda p=process: p.step_operator(P)
    for name, domain in domains.DOMAINS.items():
        calls[f"domain {name}.check"] = lambda d=domain: d.check(P)
        calls[f"domain {name}.exact"] = lambda d=domain: d.exact(P)
        calls[f"domain {name}.sympy"] = lambda d=domain: d.sympy(P)
        calls[f"domain {name}.parse"] = lambda d=domain: d.parse(P)
    for entry in CATALOG:
        calls[f"derivation of {entry.id}"] = lambda e=entry: e.derivation(P)
    return calls


CALLS = sorted(_calls("payload"))


@pytest.mark.parametrize("name", CALLS)
def test_the_payload_is_refused_and_never_runs(name, payload, marker):
    call = _calls(payload)[name]
    with pytest.raises(ValueError) as info:
        call()
    assert "\n" not in str(info.value)
    assert not marker.exists(), f"{name} evaluated the payload"


def test_a_converter_that_sympifies_is_caught(monkeypatch, payload, marker):
    """A mutation: with the old sympify conversion back, the payload runs (the test would fail)."""
    monkeypatch.setattr(formulas, "exact_expression", lambda value, name: sp.sympify(value))
    try:
        _calls(payload)["evaluate_eigenvalue_formula(params)"]()
    except (ValueError, TypeError):
        pass
    assert marker.exists()


def test_the_cli_refuses_the_payload(payload, marker, capsys):
    from rwpca.cli import main

    for argv in (
        ["simulate", "--process", "momentum", "--gamma", payload, "--n", "5", "--d", "10"],
        ["simulate", "--process", "ou", "--alpha", payload, "--n", "5", "--d", "10"],
        ["simulate", "--noise", payload, "--n", "5", "--d", "10"],
    ):
        assert main(argv) == 2
    assert not marker.exists()
    assert capsys.readouterr().err.count("rwpca: error:") == 3


# --- the lint: no evaluating call outside the allow-list ----------------------------------

#: Calls that can evaluate text, as regular expressions on one source line.
EVALUATING = {
    "sympify(": re.compile(r"\bsympify\("),
    "eval(": re.compile(r"(?<![\w.])eval\("),
    "exec(": re.compile(r"(?<![\w.])exec\("),
    "parse_expr(": re.compile(r"\bparse_expr\("),
    "S(": re.compile(r"\b(?:sp|sympy)\.S\("),
    "__import__": re.compile(r"__import__\("),
}

#: (file, text of the line) -> why the call cannot see user data.
ALLOWED = {
    (
        "rwpca/documents/noise_documents.py",
        'FOOTER.format(version=__import__("rwpca").__version__),',
    ): "imports the package itself by a constant name to print its version",
    (
        "proofs/values.py",
        '>>> parse_number("__import__(\'os\')", "gamma")',
    ): "a doctest showing that parse_number refuses such text",
    (
        "proofs/values.py",
        "ValueError: gamma = \"__import__('os')\" is not a number: give a decimal such as 0.5 or "
        "a fraction such as 1/3",
    ): "the doctest's expected message",
}


def evaluating_calls(root: Path) -> list[tuple[str, int, str, str]]:
    """(file, line number, line, pattern) of every evaluating call under ``root``'s packages."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for name, pattern in EVALUATING.items():
                    if pattern.search(line):
                        found.append((relative, number, line.strip(), name))
    return found


def unexplained(found: list[tuple[str, int, str, str]]) -> list[str]:
    return [
        f"{path}:{number}: {name} in {line!r}"
        for path, number, line, name in found
        if (path, line) not in ALLOWED
    ]


def test_no_evaluating_call_outside_the_allow_list():
    assert unexplained(evaluating_calls(ROOT)) == []


def test_every_allowed_call_still_exists():
    """The allow-list does not keep stale entries (which would hide a new call of that text)."""
    present = {(path, line) for path, _number, line, _name in evaluating_calls(ROOT)}
    assert set(ALLOWED) <= present


@pytest.mark.parametrize(
    "planted",
    [
        "value = sp.sympify(params['gamma'])",
        "value = sympy.sympify(text, strict=False)",
        "value = eval(text)",
        "exec(code)",
        "from sympy.parsing.sympy_parser import parse_expr; parse_expr(text)",
        "value = sp.S(text)",
    ],
)
def test_the_lint_finds_a_planted_call(tmp_path, planted):
    """A mutation: the same lint on a copy of the sources with one evaluating call planted."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "data")
        )
    target = tmp_path / "numerics" / "formulas.py"
    target.write_text(target.read_text(encoding="utf-8") + f"\n{planted}\n", encoding="utf-8")
    problems = unexplained(evaluating_calls(tmp_path))
    assert len(problems) == 1 and "numerics/formulas.py" in problems[0]

"""The parameter domains: one declaration drives validation, prose, sampling, strategies, CLI.

The hand-written predicates of ``WITNESS`` are a deliberate independent witness of the
declarations in rwpca.proofs.domains (typed from the paper's conventions, not derived from
them); a mutated declaration is shown to disagree with them.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from strategies import alphas, components, gammas, kurtoses, process_parameters, sigmas, times

from rwpca.numerics.linalg import float_spectra
from rwpca.numerics.verification.formula.check import DEFAULT_PARAMS
from rwpca.numerics.walks import simulator
from rwpca.proofs import domains, matrices, symbols
from rwpca.proofs.catalog import common
from rwpca.proofs.domains import (
    ALPHA,
    GAMMA,
    KAPPA,
    SIGMA,
    K,
    N,
    T,
    closed,
    exact_expression,
    parse_number,
    to_fraction,
)
from rwpca.proofs.processes import PROCESSES, ProcessName, get_process
from rwpca.proofs.symbols import gamma

#: Independent witness: what each parameter may be (at size n where it matters).
WITNESS = {
    "n": lambda v, n: v >= 2,
    "d": lambda v, n: v >= 1,
    "k": lambda v, n: 1 <= v <= n - 1,
    "j": lambda v, n: 1 <= v <= n - 1,
    "m": lambda v, n: v >= 1,
    "t": lambda v, n: 1 <= v <= n,
    "gamma": lambda v, n: -1 < v < 1,
    "alpha": lambda v, n: 0 < v < 2,
    "theta": lambda v, n: True,
    "sigma": lambda v, n: v > 0,
    "kappa": lambda v, n: v >= -2,
    "s": lambda v, n: 1 <= v <= n,
    "beta": lambda v, n: v > 0,
    "eta": lambda v, n: 0 < v < 2,
    "c": lambda v, n: v > 0,
}


def agrees_with_witness(domain: domains.Domain, n: int = 9) -> bool:
    """The domain accepts exactly what the witness accepts on probes around every end."""
    probes = {Fraction(p, 4) for p in range(-40, 80)} | set(domain.near_ends(n=n))
    probes |= set(domain.samples(20, seed=3, n=n))
    for value in probes:
        if domain.kind is domains.Kind.INTEGER and value.denominator != 1:
            continue
        candidate = int(value) if domain.kind is domains.Kind.INTEGER else value
        if domain.contains(candidate, n=n) != WITNESS[domain.name](value, n):
            return False
    return True


@pytest.mark.parametrize("domain", list(domains.DOMAINS.values()), ids=lambda d: d.name)
def test_each_domain_agrees_with_the_witness(domain):
    assert agrees_with_witness(domain)


@pytest.mark.parametrize(
    "mutated",
    [
        dataclasses.replace(GAMMA, upper=closed(1)),
        dataclasses.replace(ALPHA, lower=closed(0)),
        dataclasses.replace(K, upper=closed(symbols.n)),
        dataclasses.replace(N, lower=closed(1)),
        dataclasses.replace(KAPPA, lower=domains.open_(-2)),
    ],
    ids=["gamma closed", "alpha closed at 0", "k up to n", "n from 1", "kappa open"],
)
def test_a_mutated_domain_disagrees_with_the_witness(mutated):
    assert not agrees_with_witness(mutated)


def test_the_catalog_prose_is_generated_from_the_domains():
    """The variables tables read as before the domains were declared (the documents' text)."""
    assert common.N == {"n": "integer, n >= 2 (number of steps)"}
    assert common.K == {"k": "integer, 1 <= k <= n - 1 (component, 1 = largest)"}
    assert common.T == {"t": "integer, 1 <= t <= n (time)"}
    assert common.GAMMA == {"gamma": "real, |gamma| < 1 (momentum)"}
    assert common.ALPHA == {"alpha": "real, 0 < alpha < 2 (restoring rate)"}
    assert SIGMA.prose() == "real, sigma > 0 (standard deviation of one noise coordinate)"
    assert KAPPA.prose() == (
        "real, kappa >= -2 (excess kurtosis E xi^4 / sigma^4 - 3 of one coordinate)"
    )
    assert PROCESSES[ProcessName.MOMENTUM].parameter_ranges == {"gamma": "|gamma| < 1"}
    assert PROCESSES[ProcessName.OU].parameter_ranges == {"alpha": "0 < alpha < 2"}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: N.check(1), "n = 1 is not allowed: n must be an integer >= 2"),
        (lambda: N.check(2.0), "n = 2.0 is not allowed: n must be an integer >= 2"),
        (
            lambda: K.check(5, n=5),
            "k = 5 is not allowed at n = 5: k must be an integer with 1 <= k <= n - 1 = 4",
        ),
        (lambda: K.check(0), "k = 0 is not allowed: k must be an integer with 1 <= k <= n - 1"),
        (lambda: T.check(7, n=6), "t = 7 is not allowed at n = 6"),
        (lambda: GAMMA.check(-1), "the momentum coefficient must satisfy |gamma| < 1"),
        (lambda: ALPHA.check(Fraction(2)), "alpha = 2 is not allowed"),
        (lambda: SIGMA.check(0), "the noise standard deviation must satisfy sigma > 0"),
        (lambda: KAPPA.check(-2.5), "kappa = -2.5 is not allowed"),
        (lambda: GAMMA.check(float("inf")), "gamma = inf is not a finite real number"),
        (lambda: GAMMA.check(sp.sqrt(2)), "gamma = sqrt(2) is not allowed"),
        (lambda: GAMMA.check("0.5"), "gamma = '0.5' is not a real number"),
        (lambda: GAMMA.check(True), "gamma = True is not a real number"),
    ],
)
def test_refusals_are_one_line(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value) and "\n" not in str(info.value)


def test_accepted_values_and_ends():
    assert KAPPA.check(-2) == -2  # a closed end
    assert GAMMA.check(sp.sqrt(2) / 2) == sp.sqrt(2) / 2  # exact irrational numbers pass
    assert GAMMA.check(gamma) == gamma  # symbolic values pass unchecked
    assert K.check(np.int64(3), n=4) == 3
    assert GAMMA.exact(0.1) == Fraction(1, 10) and GAMMA.sympy(0.1) == sp.Rational(1, 10)
    assert GAMMA.near_ends() == (Fraction(-99, 100), Fraction(99, 100))
    assert K.near_ends(n=7) == (1, 6) and KAPPA.near_ends() == (Fraction(-2),)
    with pytest.raises(ValueError, match="depend on n"):
        K.samples(3)


@given(st.sampled_from(list(domains.DOMAINS.values())), st.integers(2, 40), st.integers(0, 99))
def test_samples_are_exact_distinct_points_of_the_domain(domain, n, seed):
    points = domain.samples(6, seed, n=n)
    assert points == domain.samples(6, seed, n=n)  # deterministic
    assert len(set(points)) == len(points) and list(points) == sorted(points)
    for value in (*points, *domain.near_ends(n=n)):
        assert isinstance(value, int if domain.kind is domains.Kind.INTEGER else Fraction)
        assert domain.contains(value, n=n) and WITNESS[domain.name](value, n)


def test_parse_reads_decimals_and_fractions_only():
    assert parse_number(" 0.5 ") == Fraction(1, 2)
    assert parse_number("-1/3") == Fraction(-1, 3)
    assert parse_number("2.5e-3") == Fraction(1, 400)
    assert ALPHA.parse("1.5") == Fraction(3, 2)
    for text in ("1+1", "nan", "inf", "0x10", "1e99999", "pi", "1/0", "9" * 200, "", "(1)"):
        with pytest.raises(ValueError, match="is not a number"):
            parse_number(text)
    with pytest.raises(ValueError, match="alpha = 5/2 is not allowed"):
        ALPHA.parse("5/2")


def test_the_converter_reads_numbers_exactly_and_refuses_the_rest():
    assert to_fraction(0.1) == Fraction(1, 10)
    assert to_fraction(np.float64(0.25)) == Fraction(1, 4)
    assert to_fraction(np.int32(-3)) == Fraction(-3)
    assert to_fraction(sp.Float(0.5)) == Fraction(1, 2)
    assert exact_expression(gamma + 1) == gamma + 1
    for bad, message in (
        (True, "not a real number"),
        ("1", "give a number"),
        (sp.sqrt(2), "give a rational number"),
        (float("nan"), "not a finite"),
        ([1], "give a number"),
    ):
        with pytest.raises(ValueError, match=message):
            to_fraction(bad)
    with pytest.raises(ValueError, match="not a finite real number"):
        exact_expression(sp.oo)


# --- strategies from the domains -------------------------------------------------------------


@given(gammas(), alphas(floats=True), sigmas(), kurtoses())
def test_strategies_draw_inside_the_domains(g, a, s, kappa):
    assert -1 < g < 1 and 0 < a < 2 and s > 0 and kappa >= -2
    assert GAMMA.contains(g) and ALPHA.contains(a)


@given(st.integers(2, 30).flatmap(lambda n: st.tuples(st.just(n), components(n), times(n))))
def test_index_strategies_follow_n(case):
    n, kk, tt = case
    assert 1 <= kk <= n - 1 and 1 <= tt <= n


def test_a_strategy_cannot_widen_its_domain():
    with pytest.raises(ValueError, match="not inside the domain"):
        gammas(max_value=1.5)
    with pytest.raises(ValueError, match="not inside the domain"):
        alphas(min_value=-0.1)


@given(
    st.sampled_from(list(ProcessName)).flatmap(
        lambda p: st.tuples(st.just(p), process_parameters(p))
    )
)
def test_drawn_parameters_are_accepted_by_the_process(case):
    process, params = case
    assert set(get_process(process).validate(params)) == set(params)


# --- processes: first column and defaults declared once ---------------------------------------


def test_the_step_operators_come_from_the_declared_columns():
    """The momentum column (1, -(1 + gamma), gamma) is the recursion's T = M S (a witness)."""
    for size in range(2, 7):
        assert (
            matrices.velocity_operator(size, gamma) * matrices.difference_matrix(size)
        ).applyfunc(sp.expand) == get_process("momentum").step_operator(size)
    assert get_process("ou").first_column({"alpha": 0.5}) == (1, sp.Rational(-1, 2))
    assert float_spectra.first_column("momentum", {"gamma": 0.5}).tolist() == [1, -1.5, 0.5]


def test_defaults_are_the_process_declarations():
    for name, process in PROCESSES.items():
        assert float_spectra.default_params(name) == dict(process.defaults)
        assert DEFAULT_PARAMS[name] == process.check_sets
        assert process.check_sets[0] == process.defaults
        walk = simulator.simulate(name, 4, 20)
        assert walk.params == {k: sp.Rational(v) for k, v in process.defaults.items()}


def test_the_cli_help_shows_the_domain_and_the_default(capsys):
    from rwpca.cli import main

    with pytest.raises(SystemExit):
        main(["simulate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "|gamma| < 1 (process momentum, default 0.5)" in text
    assert "0 < alpha < 2 (process ou, default 0.1)" in text
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    assert "0 <= gamma < 1 (default 0.9)" in " ".join(capsys.readouterr().out.split())

"""Exact second moments in rational arithmetic, for the catalog's noise entries.

Two checks that need no floating point at all:

* :func:`gram_deviation` computes E||R R^T / (d sigma^2) - I||_F^2 for an n x d step matrix R
  with i.i.d. entries from a finite law by brute-force enumeration of all m^(n d) outcomes.
  Nothing about independence across coordinates or the moment algebra is used, so it is an
  independent check of ``rw.noise_independence``'s identity n (n + 1 + kappa) / d.
* :func:`ou_mean_square` computes E||x_t||^2 / (d sigma^2), t = 1..n, as the diagonal of
  T^-1 T^-T, T^-1 obtained from the OU step operator's first column by power-series inversion
  (:func:`rwpca.numerics.linalg.structure.inverse_series`), not from the closed form of ``ou.distance``.

>>> law = LAWS["random signs"]
>>> gram_deviation(*law, n=2, d=2)  # n (n + 1 + kappa) / d with kappa = -2
Fraction(1, 1)
>>> ou_mean_square(Fraction(1, 2), 3)  # 1, 1 + 1/4, 1 + 1/4 + 1/16
[Fraction(1, 1), Fraction(5, 4), Fraction(21, 16)]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction

from rwpca.numerics.linalg.structure import first_column, inverse_series

F = Fraction

#: Finite laws (values, probabilities) with mean 0: symmetric, skewed, and skewed with a heavy
#: tail, so the excess kurtosis takes the values -2, -3/2 and 17/6 (the identity must follow it).
LAWS: dict[str, tuple[tuple[Fraction, ...], tuple[Fraction, ...]]] = {
    "random signs": ((F(-1), F(1)), (F(1, 2), F(1, 2))),
    "skewed two-point": ((F(2, 3), F(-1, 3)), (F(1, 3), F(2, 3))),
    "three-point": ((F(-1), F(0), F(3)), (F(3, 10), F(6, 10), F(1, 10))),
}

#: Largest number of outcomes m^(n d) enumerated (a few seconds in pure Python).
MAX_OUTCOMES = 2**13


def law_moments(
    values: Sequence[Fraction], weights: Sequence[Fraction]
) -> tuple[Fraction, Fraction, Fraction]:
    """(mean, variance, excess kurtosis) of a finite law, exactly."""
    if sum(weights) != 1 or any(w <= 0 for w in weights):
        raise ValueError(f"weights {list(map(str, weights))} are not a probability vector")
    mean = sum((w * v for v, w in zip(values, weights, strict=True)), F(0))
    var = sum((w * (v - mean) ** 2 for v, w in zip(values, weights, strict=True)), F(0))
    fourth = sum((w * (v - mean) ** 4 for v, w in zip(values, weights, strict=True)), F(0))
    return mean, var, fourth / var**2 - 3


def outcomes(law_size: int, n: int, d: int) -> int:
    """How many outcomes the enumeration of an n x d matrix over a law_size-point law visits."""
    return law_size ** (n * d)


def gram_deviation(
    values: Sequence[Fraction], weights: Sequence[Fraction], *, n: int, d: int
) -> Fraction:
    """E||R R^T / (d sigma^2) - I||_F^2 over all outcomes of an n x d matrix of i.i.d. entries.

    Exact for the finite law given; refuses more than :data:`MAX_OUTCOMES` outcomes.
    """
    if n < 1 or d < 1:
        raise ValueError(f"n = {n}, d = {d}: both must be >= 1")
    count = outcomes(len(values), n, d)
    if count > MAX_OUTCOMES:
        raise ValueError(
            f"n = {n}, d = {d} with a {len(values)}-point law needs {count} outcomes; "
            f"at most {MAX_OUTCOMES} are enumerated"
        )
    mean, var, _ = law_moments(values, weights)
    if mean != 0:
        raise ValueError(f"the law has mean {mean}, not 0")
    scale = d * var
    total = F(0)
    for draw in itertools.product(range(len(values)), repeat=n * d):
        probability = F(1)
        for index in draw:
            probability *= weights[index]
        rows = [[values[draw[i * d + j]] for j in range(d)] for i in range(n)]
        squared = F(0)
        for i in range(n):
            for j in range(n):
                g = sum((a * b for a, b in zip(rows[i], rows[j], strict=True)), F(0)) / scale
                squared += (g - (1 if i == j else 0)) ** 2
        total += probability * squared
    return total


def ou_mean_square(alpha: Fraction, n: int) -> list[Fraction]:
    """E||x_t||^2 / (d sigma^2) for t = 1..n: the diagonal of T^-1 T^-T of the OU operator.

    T^-1 is lower-triangular Toeplitz with first column h (its power series), so the t-th
    diagonal entry is h_0^2 + ... + h_{t-1}^2.
    """
    h = inverse_series(first_column("ou", {"alpha": alpha}), n)
    out, acc = [], F(0)
    for value in h:
        acc += value * value
        out.append(acc)
    return out

"""Validation of the parameters every builder and formula accepts: thin calls of the domains.

Each check raises :class:`ValueError` with one line naming the bad value and the allowed
range (the CLI turns that line into an exit status 2); the ranges themselves are declared
once, in :mod:`rwpca.proofs.domains`. Symbolic values (SymPy expressions with free symbols)
pass through unchecked, since the builders are also used with symbolic parameters.
"""

from __future__ import annotations

from rwpca.proofs.domains import ALPHA, GAMMA, N, integer_at_least
from rwpca.proofs.values import show

__all__ = ["check_alpha", "check_gamma", "check_n", "show"]


def check_n(n: object, *, minimum: int = 2, name: str = "n") -> int:
    """Return ``n`` as an int if it is an integer >= ``minimum``, else raise ValueError.

    With the default arguments this is the domain of n (:data:`rwpca.proofs.domains.N`);
    other names and minima check sizes such as ``d`` or ``block``.

    >>> check_n(5)
    5
    >>> check_n(1)
    Traceback (most recent call last):
    ...
    ValueError: n = 1 is not allowed: n must be an integer >= 2
    """
    domain = N if (minimum, name) == (2, "n") else integer_at_least(name, minimum)
    return domain.check(n)  # type: ignore[return-value]


def check_gamma(gamma: object) -> object:
    """Check the momentum coefficient: |gamma| < 1 (the walk's velocity is stable).

    >>> check_gamma(0.5)
    0.5
    >>> check_gamma(1)
    Traceback (most recent call last):
    ...
    ValueError: gamma = 1 is not allowed: the momentum coefficient must satisfy |gamma| < 1
    """
    return GAMMA.check(gamma)


def check_alpha(alpha: object) -> object:
    """Check the OU restoring rate: 0 < alpha < 2 (|1 - alpha| < 1, the stable range).

    >>> check_alpha(0.1)
    0.1
    >>> check_alpha(2)
    Traceback (most recent call last):
    ...
    ValueError: alpha = 2 is not allowed: the restoring rate must satisfy 0 < alpha < 2
    """
    return ALPHA.check(alpha)

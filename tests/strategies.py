"""Hypothesis strategies for the catalog's parameters, built from their declared domains.

Each strategy is named after what it draws and reads its range from
:mod:`rwpca.proofs.domains`, so a test cannot draw a value the library refuses. A test may
narrow a range (``gammas(max_value=0.9)``) but not widen it: a sub-range outside the domain
raises at collection time.
"""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import strategies as st

from rwpca.proofs import domains
from rwpca.proofs.domains import Domain, Kind
from rwpca.proofs.processes import PROCESSES, ProcessName

Number = int | float | Fraction


def _range(
    domain: Domain, min_value: Number | None, max_value: Number | None, context: dict
) -> tuple[Fraction, Fraction]:
    """The sampling interval: the domain's ends (or its span), narrowed by the arguments."""
    lo, hi = domain.sampling_range(**context)
    bounded_lo, bounded_hi = domain.ends(**context)
    low = lo if min_value is None else Fraction(str(min_value))
    high = hi if max_value is None else Fraction(str(max_value))
    if (bounded_lo is not None and low < bounded_lo) or (
        bounded_hi is not None and high > bounded_hi
    ):
        raise ValueError(
            f"[{low}, {high}] is not inside the domain {domain.condition} of {domain.name}"
        )
    if low > high:
        raise ValueError(f"empty range [{low}, {high}] for {domain.name}")
    return low, high


def values(
    domain: Domain,
    *,
    min_value: Number | None = None,
    max_value: Number | None = None,
    floats: bool = False,
    max_denominator: int = 100,
    **context: object,
) -> st.SearchStrategy:
    """Values of ``domain``: ints, exact Fractions, or (``floats=True``) Python floats.

    Open ends are excluded; unbounded sides are capped at the domain's sampling span.
    """
    low, high = _range(domain, min_value, max_value, context)
    if domain.kind is Kind.INTEGER:
        ints = st.integers(math.ceil(low), math.floor(high))
        return ints.filter(lambda v: domain.contains(v, **context))
    if floats:
        drawn = st.floats(float(low), float(high), allow_nan=False, allow_infinity=False)
    else:
        drawn = st.fractions(low, high, max_denominator=max_denominator)
    return drawn.filter(lambda v: domain.contains(v, **context))


def walk_sizes(min_value: int | None = None, max_value: int | None = None) -> st.SearchStrategy:
    """Numbers of steps n (integers >= 2)."""
    return values(domains.N, min_value=min_value, max_value=max_value)


def dimensions(min_value: int | None = None, max_value: int | None = None) -> st.SearchStrategy:
    """Dimensions d of the walk (integers >= 1)."""
    return values(domains.D, min_value=min_value, max_value=max_value)


def components(n: int) -> st.SearchStrategy:
    """Component indices 1 <= k <= n - 1 at size n."""
    return values(domains.K, n=n)


def times(n: int) -> st.SearchStrategy:
    """Time indices 1 <= t <= n at size n."""
    return values(domains.T, n=n)


def gammas(**kwargs: object) -> st.SearchStrategy:
    """Momentum coefficients, |gamma| < 1 (see :func:`values` for the options)."""
    return values(domains.GAMMA, **kwargs)  # type: ignore[arg-type]


def alphas(**kwargs: object) -> st.SearchStrategy:
    """Ornstein-Uhlenbeck restoring rates, 0 < alpha < 2."""
    return values(domains.ALPHA, **kwargs)  # type: ignore[arg-type]


def sigmas(**kwargs: object) -> st.SearchStrategy:
    """Noise standard deviations, sigma > 0."""
    return values(domains.SIGMA, **kwargs)  # type: ignore[arg-type]


def kurtoses(**kwargs: object) -> st.SearchStrategy:
    """Excess kurtoses, kappa >= -2."""
    return values(domains.KAPPA, **kwargs)  # type: ignore[arg-type]


def processes() -> st.SearchStrategy[ProcessName]:
    """The processes of the paper."""
    return st.sampled_from(list(ProcessName))


def process_parameters(
    process: str, ranges: dict[str, dict[str, object]] | None = None, **kwargs: object
) -> st.SearchStrategy[dict[str, object]]:
    """``{name: value}`` for every parameter of ``process``, each from its domain.

    ``ranges`` narrows a parameter (``{"gamma": {"max_value": 0.9}}``); other keyword
    arguments (``floats``, ``max_denominator``) apply to all of them.
    """
    ranges = ranges or {}
    return st.fixed_dictionaries(
        {
            domain.name: values(domain, **{**kwargs, **ranges.get(domain.name, {})})  # type: ignore[arg-type]
            for domain in PROCESSES[process].domains  # type: ignore[index]
        }
    )


def processes_with_parameters(
    ranges: dict[str, dict[str, object]] | None = None,
    only: tuple[str, ...] | None = None,
    **kwargs: object,
) -> st.SearchStrategy[tuple[ProcessName, dict[str, object]]]:
    """(process, parameters) pairs, over all processes or those named in ``only``."""
    names = [ProcessName(name) for name in only] if only else list(ProcessName)
    return st.one_of(
        *(
            process_parameters(name, ranges, **kwargs).map(lambda p, _name=name: (_name, p))
            for name in names
        )
    )

"""Parameter domains, declared once, and the one converter of user values into exact numbers.

Each parameter of the catalog (n, k, t, gamma, alpha, ...) has one :class:`Domain`: its kind
(integer or real), its bounds (open or closed, possibly depending on n) and its meaning.
Everything else is derived from that declaration:

* validation: :meth:`Domain.check` raises one-line :class:`ValueError` messages
  (:mod:`rwpca.proofs.validation` is a thin layer over it);
* prose: :meth:`Domain.prose` is the text of the catalog's variables tables;
* sampling: :meth:`Domain.samples` and :meth:`Domain.near_ends` return exact rational points
  (for verification parameters and Hypothesis strategies, ``tests/strategies.py``);
* parsing: :meth:`Domain.parse` reads a decimal or fraction typed on the command line.

>>> GAMMA.prose()
'real, |gamma| < 1 (momentum)'
>>> K.condition
'1 <= k <= n - 1'
>>> K.check(3, n=4)
3
>>> K.check(4, n=4)
Traceback (most recent call last):
...
ValueError: k = 4 is not allowed at n = 4: k must be an integer with 1 <= k <= n - 1 = 3
>>> GAMMA.near_ends()
(Fraction(-99, 100), Fraction(99, 100))
>>> ALPHA.parse("1/10")
Fraction(1, 10)

Values are converted by the one converter of :mod:`rwpca.proofs.values` (numbers only; a
string is refused, text from a command line is read by :func:`parse_number` with
:class:`fractions.Fraction`, never SymPy); its functions are re-exported here.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING

from rwpca.proofs.values import (
    NUMBER_TYPES,
    exact_expression,
    is_symbolic,
    loaded_sympy,
    parse_number,
    show,
    to_fraction,
)

if TYPE_CHECKING:
    import sympy as sp

__all__ = [
    "ALPHA",
    "ALPHA_BELOW_ONE",
    "BETA",
    "BETA_CONVERGENT",
    "DOMAINS",
    "ETA",
    "GAMMA",
    "KAPPA",
    "MEANING",
    "SGD_MOMENTUM",
    "SIGMA",
    "THETA",
    "Bound",
    "D",
    "Domain",
    "J",
    "K",
    "Kind",
    "M",
    "N",
    "S",
    "T",
    "closed",
    "exact_expression",
    "integer_at_least",
    "is_symbolic",
    "open_",
    "parse_number",
    "show",
    "to_fraction",
]


# --- domains -------------------------------------------------------------------------------


class Kind(StrEnum):
    """Whether a parameter is an integer or a real number."""

    INTEGER = "integer"
    REAL = "real"


@dataclass(frozen=True)
class Bound:
    """One end of a domain, ``offset + per_n * n``, included (closed) or not.

    Ends are exact numbers or affine in n (``n - 1``), held as a :class:`Fraction` and an
    integer multiple of n so that the declarations load without SymPy (the command line
    prints them in its help); :attr:`value` is the same end as a SymPy expression.
    """

    offset: Fraction
    closed: bool
    per_n: int = 0

    @property
    def value(self) -> sp.Expr:
        """The end as a SymPy expression in ``n`` (:data:`rwpca.proofs.symbols.n`)."""
        import sympy as sp

        from rwpca.proofs import symbols

        offset = sp.Rational(self.offset.numerator, self.offset.denominator)
        return self.per_n * symbols.n + offset

    @property
    def text(self) -> str:
        """The end as SymPy prints it (``-1``, ``1/2``, ``n - 1``)."""
        if not self.per_n:
            return str(self.offset)
        if self.per_n == 1 and self.offset.denominator == 1:
            sign = "+" if self.offset > 0 else "-"
            return f"n {sign} {abs(self.offset)}" if self.offset else "n"
        return str(self.value)

    @property
    def depends_on(self) -> frozenset[str]:
        return frozenset({"n"}) if self.per_n else frozenset()

    def at(self, context: Mapping[str, object]) -> Fraction | None:
        """The bound's value with the context (n = ...) substituted; None if it is missing."""
        if not self.per_n:
            return self.offset
        if "n" not in context:
            return None
        n = context["n"]
        if isinstance(n, (int, Fraction)) and not isinstance(n, bool):
            return self.offset + self.per_n * Fraction(n)
        from rwpca.proofs import symbols

        return to_fraction(self.value.xreplace({symbols.n: exact_expression(n, "n")}))


def _bound(value: object, closed: bool) -> Bound:
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        return Bound(Fraction(value), closed)
    sp = loaded_sympy()
    if sp is None or not isinstance(value, sp.Expr):
        raise ValueError(
            f"bound {show(value)} is not allowed: give a rational or an expression a*n + b"
        )
    from rwpca.proofs import symbols

    free = value.free_symbols - {symbols.n}
    poly = sp.Poly(value, symbols.n) if not free else None
    if poly is None or poly.degree() > 1 or not poly.coeff_monomial(symbols.n).is_Integer:
        raise ValueError(
            f"bound {show(value)} is not allowed: give a rational or an expression a*n + b "
            "with an integer a"
        )
    return Bound(to_fraction(poly.coeff_monomial(1)), closed, int(poly.coeff_monomial(symbols.n)))


def closed(value: object, per_n: int = 0) -> Bound:
    """An end that belongs to the domain (<=, >=): ``value + per_n * n``.

    ``value`` is a rational, or (with ``per_n = 0``) a SymPy expression affine in n.
    """
    return _bound(value, True) if not per_n else Bound(to_fraction(value), True, per_n)


def open_(value: object, per_n: int = 0) -> Bound:
    """An end that does not belong to the domain (<, >): ``value + per_n * n``."""
    return _bound(value, False) if not per_n else Bound(to_fraction(value), False, per_n)


@dataclass(frozen=True)
class Domain:
    """The allowed values of one parameter, as data.

    ``label`` is the short meaning printed in the catalog's variables tables, ``meaning``
    the longer one; ``noun`` names a real parameter in error messages ("the momentum
    coefficient must satisfy |gamma| < 1"). ``span`` is how far beyond its finite end an
    unbounded domain is sampled by :meth:`samples` (typical sizes, not a limit).
    """

    name: str
    kind: Kind
    meaning: str
    label: str
    lower: Bound | None = None
    upper: Bound | None = None
    noun: str = ""
    span: int = 10

    # -- prose -----------------------------------------------------------------------------

    @property
    def condition(self) -> str:
        """The bounds as a formula: ``n >= 2``, ``1 <= k <= n - 1``, ``|gamma| < 1``."""
        lo, hi, name = self.lower, self.upper, self.name
        if lo is not None and hi is not None:
            symmetric = not lo.per_n and not hi.per_n and lo.offset == -hi.offset
            if lo.closed == hi.closed and symmetric:
                return f"|{name}| {'<=' if hi.closed else '<'} {hi.text}"
            return f"{lo.text} {_le(lo)} {name} {_le(hi)} {hi.text}"
        if lo is not None:
            return f"{name} {'>=' if lo.closed else '>'} {lo.text}"
        if hi is not None:
            return f"{name} {_le(hi)} {hi.text}"
        return ""

    def prose(self, label: str | None = None) -> str:
        """The catalog's description, for example ``integer, n >= 2 (number of steps)``."""
        condition = f", {self.condition}" if self.condition else ""
        return f"{self.kind}{condition} ({self.label if label is None else label})"

    def variables(self, label: str | None = None) -> dict[str, str]:
        """``{name: prose}``, the form the catalog's ``variables`` mappings take."""
        return {self.name: self.prose(label)}

    @property
    def depends_on(self) -> frozenset[str]:
        """Names of the other parameters the bounds depend on (``{"n"}`` for k and t)."""
        ends = [b for b in (self.lower, self.upper) if b is not None]
        return frozenset().union(*(b.depends_on for b in ends))

    # -- validation ------------------------------------------------------------------------

    def _refusal(self, value: object, context: Mapping[str, object]) -> ValueError:
        given = sorted(self.depends_on & set(context))
        where = ", ".join(f"{name} = {show(context[name])}" for name in given)
        at = f" at {where}" if where else ""
        head = f"{self.name} = {show(value)} is not allowed{at}: "
        if self.kind is Kind.INTEGER:
            both = self.lower is not None and self.upper is not None
            if both:
                rule = f"{self.name} must be an integer with {self.condition}"
                hi = self.upper.at(context) if self.upper is not None else None
                if self.upper is not None and self.upper.depends_on and hi is not None:
                    rule += f" = {hi}"
            else:
                rule = f"{self.name} must be an integer " + self.condition.removeprefix(
                    self.name + " "
                )
            return ValueError(head + rule)
        subject = f"the {self.noun}" if self.noun else self.name
        return ValueError(head + f"{subject} must satisfy {self.condition}")

    def _inside(self, x: Fraction | sp.Expr, context: Mapping[str, object]) -> bool:
        for bound, below in ((self.lower, True), (self.upper, False)):
            if bound is None:
                continue
            end = bound.at(context)
            if end is None:
                continue
            if not isinstance(x, Fraction):  # an exact irrational SymPy number
                import sympy as sp

                end = sp.Rational(end.numerator, end.denominator)
            ok = (
                (x >= end if bound.closed else x > end)
                if below
                else (x <= end if bound.closed else x < end)
            )
            if not bool(ok):
                return False
        return True

    def check(self, value: object, **context: object) -> object:
        """The value if it lies in the domain (an ``int`` for integer domains), else ValueError.

        Real values are returned as given; a symbolic SymPy value of a real domain passes
        unchecked (the exact builders are used with symbolic parameters); an integer domain
        needs a concrete integer. ``context`` gives the parameters the
        bounds depend on (``n=...`` for k and t); a bound whose context is missing is not
        checked.
        """
        if self.kind is Kind.INTEGER:
            sp = loaded_sympy()
            integer_types = (numbers.Integral,) if sp is None else (numbers.Integral, sp.Integer)
            if isinstance(value, bool) or not isinstance(value, integer_types):
                raise self._refusal(value, context)
            if not self._inside(Fraction(int(value)), context):
                raise self._refusal(value, context)
            return int(value)
        if is_symbolic(value):
            return value
        x = self._real(value)
        if not self._inside(x, context):
            raise self._refusal(value, context)
        return value

    def _real(self, value: object) -> Fraction | sp.Expr:
        if isinstance(value, bool):
            raise ValueError(f"{self.name} = {show(value)} is not a real number")
        sp = loaded_sympy()
        if (
            sp is not None
            and isinstance(value, sp.Expr)
            and value.is_number
            and not value.is_Rational
        ):
            if not isinstance(value, sp.Float):
                return exact_expression(value, self.name)
        try:
            return to_fraction(value, self.name)
        except ValueError as error:
            if "finite" in str(error) or "rational" in str(error):
                raise
            raise ValueError(
                f"{self.name} = {show(value)} is not a real number: {NUMBER_TYPES}"
            ) from None

    def exact(self, value: object, **context: object) -> int | Fraction:
        """The value as an exact ``int`` (integer domains) or :class:`Fraction`, checked."""
        checked = self.check(value, **context)
        if is_symbolic(checked):
            raise ValueError(f"{self.name} = {show(value)} is not allowed: give a number")
        if isinstance(checked, int):
            return checked
        return to_fraction(checked, self.name)

    def sympy(self, value: object, **context: object) -> sp.Expr:
        """The value as an exact SymPy number (or a symbolic expression unchanged), checked."""
        return exact_expression(self.check(value, **context), self.name)

    def contains(self, value: object, **context: object) -> bool:
        """Whether :meth:`check` accepts the value."""
        try:
            self.check(value, **context)
        except ValueError:
            return False
        return True

    def parse(self, text: str, **context: object) -> int | Fraction:
        """A value typed as text (``0.5``, ``1/3``), parsed by :func:`parse_number`, checked."""
        return self.exact(parse_number(text, self.name), **context)

    # -- sampling --------------------------------------------------------------------------

    def ends(self, **context: object) -> tuple[Fraction | None, Fraction | None]:
        """(lower, upper) at the context, None for an unbounded side."""
        lo = None if self.lower is None else self.lower.at(context)
        hi = None if self.upper is None else self.upper.at(context)
        missing = [b for b in (self.lower, self.upper) if b is not None and b.at(context) is None]
        if missing:
            raise ValueError(
                f"the bounds of {self.name} depend on {', '.join(sorted(self.depends_on))}: "
                "give its value"
            )
        return lo, hi

    def sampling_range(self, **context: object) -> tuple[Fraction, Fraction]:
        """(lower, upper) ends to sample from: an unbounded side ends :attr:`span` away."""
        lo, hi = self.ends(**context)
        if lo is None and hi is None:
            return Fraction(-self.span), Fraction(self.span)
        if lo is None:
            assert hi is not None
            return hi - self.span, hi
        if hi is None:
            return lo, lo + self.span
        return lo, hi

    def _integer_range(self, context: Mapping[str, object]) -> tuple[int, int]:
        lo, hi = self.sampling_range(**context)
        low = math.ceil(lo) if self.lower is None or self.lower.closed else math.floor(lo) + 1
        high = math.floor(hi) if self.upper is None or self.upper.closed else math.ceil(hi) - 1
        if low > high:
            raise ValueError(f"the domain of {self.name} is empty at {dict(context)}")
        return low, high

    def samples(self, count: int, seed: int = 0, **context: object) -> tuple[int | Fraction, ...]:
        """``count`` distinct exact points of the domain, drawn with ``seed``, increasing.

        Real domains give interior rationals with denominator 1000 (scaled to the interval);
        integer domains give integers, all of them if the domain has fewer than ``count``.
        Unbounded sides are sampled up to :attr:`span` beyond the finite end.

        >>> GAMMA.samples(3, seed=1)
        (Fraction(-181, 250), Fraction(83, 500), Fraction(92, 125))
        """
        rng = random.Random(seed)
        if self.kind is Kind.INTEGER:
            low, high = self._integer_range(context)
            population = range(low, high + 1)
            return tuple(sorted(rng.sample(population, min(count, len(population)))))
        lo, hi = self.sampling_range(**context)
        grid = 1000
        steps = rng.sample(range(1, grid), min(count, grid - 1))
        return tuple(sorted(lo + (hi - lo) * Fraction(s, grid) for s in steps))

    def near_ends(
        self, distance: Fraction = Fraction(1, 100), **context: object
    ) -> tuple[int | Fraction, ...]:
        """Points at each finite end: the end itself if it is closed, else ``distance`` inside.

        Integer domains give the extreme integers. An unbounded side contributes nothing.

        >>> ALPHA.near_ends()
        (Fraction(1, 100), Fraction(199, 100))
        >>> T.near_ends(n=10)
        (1, 10)
        """
        if self.kind is Kind.INTEGER:
            low, high = self._integer_range(context)
            ends = [e for e, b in ((low, self.lower), (high, self.upper)) if b is not None]
            return tuple(dict.fromkeys(ends))
        lo, hi = self.ends(**context)
        if lo is not None and hi is not None and not distance < (hi - lo) / 2:
            raise ValueError(
                f"distance = {distance} is not allowed: it must be below half the width"
            )
        points: list[Fraction] = []
        if lo is not None and self.lower is not None:
            points.append(lo if self.lower.closed else lo + distance)
        if hi is not None and self.upper is not None:
            points.append(hi if self.upper.closed else hi - distance)
        return tuple(points)


def _le(bound: Bound) -> str:
    return "<=" if bound.closed else "<"


def integer_at_least(name: str, minimum: int, meaning: str = "") -> Domain:
    """An integer domain ``name >= minimum`` for sizes that are not catalog parameters."""
    return Domain(name, Kind.INTEGER, meaning or name, meaning or name, closed(minimum))


# --- the declarations ----------------------------------------------------------------------

N = Domain(
    "n",
    Kind.INTEGER,
    "number of steps (rows of the trajectory)",
    "number of steps",
    closed(2),
    span=62,
)
K = Domain(
    "k",
    Kind.INTEGER,
    "component index, 1 = largest",
    "component, 1 = largest",
    closed(1),
    closed(-1, per_n=1),
)
J = Domain(
    "j",
    Kind.INTEGER,
    "a second component index",
    "a second component",
    closed(1),
    closed(-1, per_n=1),
)
M = Domain(
    "m",
    Kind.INTEGER,
    "number of leading components",
    "number of leading components",
    closed(1),
)
T = Domain("t", Kind.INTEGER, "time index, 1..n", "time", closed(1), closed(0, per_n=1))
#: A second time index (entries G_st of a Gram matrix).
S = Domain(
    "s", Kind.INTEGER, "a second time index, 1..n", "second time", closed(1), closed(0, per_n=1)
)
D = Domain(
    "d", Kind.INTEGER, "dimension of the walk", "dimension of the walk", closed(1), span=1000
)
GAMMA = Domain(
    "gamma",
    Kind.REAL,
    "momentum coefficient",
    "momentum",
    open_(-1),
    open_(1),
    noun="momentum coefficient",
)
ALPHA = Domain(
    "alpha",
    Kind.REAL,
    "Ornstein-Uhlenbeck restoring rate",
    "restoring rate",
    open_(0),
    open_(2),
    noun="restoring rate",
)
SIGMA = Domain(
    "sigma",
    Kind.REAL,
    "standard deviation of one noise coordinate",
    "standard deviation of one noise coordinate",
    open_(0),
    noun="noise standard deviation",
)
KAPPA = Domain(
    "kappa",
    Kind.REAL,
    "excess kurtosis of one noise coordinate, E xi^4 / sigma^4 - 3",
    "excess kurtosis E xi^4 / sigma^4 - 3 of one coordinate",
    closed(-2),
    noun="excess kurtosis",
)
THETA = Domain("theta", Kind.REAL, "frequency of a circulant symbol", "frequency")
ASPECT = Domain(
    "c",
    Kind.REAL,
    "aspect ratio n/d of the proportional limit",
    "aspect ratio n/d",
    open_(0),
    noun="aspect ratio",
)
#: The restoring rates of the small-k OU form: for 1 <= alpha < 2 its expansion point is the
#: top of the symbol, not the bottom (proofs/derive/regimes.py derives it).
ALPHA_BELOW_ONE = Domain(
    "alpha",
    Kind.REAL,
    "Ornstein-Uhlenbeck restoring rate, below 1 (the walk does not oscillate)",
    "restoring rate",
    open_(0),
    open_(1),
    noun="restoring rate",
)

#: Gradient descent on f(x) = sum_i h_i x_i^2 / 2 with curvatures h_i = i^-beta (the
#: hyper-ribbon case, proofs/catalog/descent.py); max h = h_1 = 1, so eta < 2 is stability.
BETA = Domain(
    "beta",
    Kind.REAL,
    "decay exponent of the curvatures h_i = i^-beta",
    "curvature decay",
    open_(0),
    noun="curvature decay exponent",
)
ETA = Domain(
    "eta",
    Kind.REAL,
    "gradient-descent step size (stable for eta < 2 / max h = 2)",
    "step size",
    open_(0),
    open_(2),
    noun="step size",
)
#: The decay exponents at which the centred Gram matrix has a limit as d -> infinity:
#: sum_i h_i^2 converges (proofs/derive/descent.py derives the condition).
BETA_CONVERGENT = Domain(
    "beta",
    Kind.REAL,
    "decay exponent of the curvatures h_i = i^-beta, above 1/2 (sum_i h_i^2 converges)",
    "curvature decay",
    open_(Fraction(1, 2)),
    noun="curvature decay exponent",
)

#: The catalog's parameters by name.
DOMAINS: dict[str, Domain] = {
    domain.name: domain
    for domain in (N, D, K, J, M, T, S, GAMMA, ALPHA, THETA, SIGMA, KAPPA, BETA, ETA, ASPECT)
}

#: Symbol names a catalog formula may use, with their meaning.
MEANING: dict[str, str] = {name: domain.meaning for name, domain in DOMAINS.items()}

#: The momentum coefficient of SGD with momentum (``rwpca train``): v_t = gamma v_{t-1} -
#: eta_t g_t. Unlike the walk's gamma it is not negative (a negative momentum is not SGD).
SGD_MOMENTUM = Domain(
    "gamma",
    Kind.REAL,
    "momentum coefficient of SGD with momentum",
    "SGD momentum",
    closed(0),
    open_(1),
    noun="momentum coefficient",
)

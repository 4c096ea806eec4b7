"""Noise families for the walk simulator: the named laws, their registry and specifications.

A *noise* produces the n x d matrix R of walk increments and its n x n Gram matrix R R^T
(the classes and the streaming are in :mod:`rwpca.numerics.walks.steps`, re-exported
here). Three kinds exist:

* :class:`IidNoise`: every entry of R is an independent draw of one zero-mean law
  (Gaussian, uniform, Rademacher, Laplace, Student-t, centred exponential, sparse,
  mixtures, Cauchy) or of a user's ``sampler(rng, size) -> ndarray``. The Gram matrix is
  accumulated block by block over d (:func:`rwpca.numerics.walks.samplers.accumulate_steps`),
  so memory stays O(n^2 + n * block) whatever d is. The built-in finite-variance samplers
  draw float32 values from SFC64 bits (:mod:`rwpca.numerics.walks.samplers`, which says
  what that does to each law).
* :class:`GaussianNoise`: for d >= n, R R^T ~ Wishart(d, sigma^2 I_n), drawn directly by
  the Bartlett decomposition at a cost independent of d (:func:`wishart_bartlett`).
* :class:`CorrelatedNoise`: steps with covariance Sigma = U diag(lambda) U^T over the d
  coordinates, for any orthogonal U. Since R = Z diag(lambda)^(1/2) U^T gives
  R R^T = Z diag(lambda) Z^T exactly, whatever U is, the Gram matrix is accumulated from
  the latent coordinates z; its effective rank tr(Sigma)^2 / tr(Sigma^2) is the control.

Built-in i.i.d. families are standardised (mean 0, variance 1 where the variance is
finite); the explained-variance ratios are scale-free, so a user's sampler need not be.

>>> family = get_noise("student_t:nu=6")
>>> family.name, family.excess_kurtosis
('student_t', 3.0)
>>> rng = np.random.default_rng(0)
>>> family.sampler(rng, (2, 3)).shape
(2, 3)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from rwpca.numerics.walks import FAMILY_TABLE, samplers
from rwpca.numerics.walks.steps import (
    BLOCK_BYTES,
    CorrelatedNoise,
    GaussianNoise,
    IidNoise,
    Noise,
    Sampler,
    StepGram,
    default_block,
    format_number,
    wishart_bartlett,
)
from rwpca.proofs.validation import show

# --- built-in families ------------------------------------------------------------------------


def gaussian() -> GaussianNoise:
    """Standard normal entries (Gram matrix drawn as a Wishart matrix)."""
    return GaussianNoise()


def uniform() -> IidNoise:
    """Uniform on [-sqrt 3, sqrt 3]: variance 1, excess kurtosis -6/5."""
    a = math.sqrt(3.0)
    return IidNoise(
        "uniform",
        lambda rng, size: samplers.uniform(rng, size, a),
        moments=(1.0, 9 / 5),
        description="uniform on [-sqrt 3, sqrt 3]",
        single=True,
    )


def rademacher() -> IidNoise:
    """Random signs +-1: variance 1, excess kurtosis -2 (the smallest possible)."""
    return IidNoise(
        "rademacher",
        samplers.signs,
        moments=(1.0, 1.0),
        description="random signs +-1",
        single=True,
    )


def laplace() -> IidNoise:
    """Laplace with scale 1/sqrt 2: variance 1, excess kurtosis 3."""
    b = 1 / math.sqrt(2.0)
    return IidNoise(
        "laplace",
        lambda rng, size: samplers.laplace(rng, size, b),
        moments=(1.0, 24 * b**4),
        description="Laplace, scale 1/sqrt 2",
        single=True,
    )


def student_t(nu: float = 5.0) -> IidNoise:
    """Student-t with nu degrees of freedom, scaled to variance 1 when nu > 2.

    Excess kurtosis 6/(nu - 4) for nu > 4, infinite for 2 < nu <= 4 (finite variance, so
    the walk theory still applies, but more slowly); for nu <= 2 the variance is infinite
    and the noise-independence claim fails (rw.noise_independence).
    """
    if not (math.isfinite(nu) and nu > 0):
        raise ValueError(
            f"nu = {show(nu)} is not allowed: the degrees of freedom must be a real > 0"
        )
    if nu > 2:
        scale = math.sqrt((nu - 2) / nu)
        fourth = 3 * (nu - 2) / (nu - 4) if nu > 4 else math.inf
        moments = (1.0, fourth)

        def sampler(rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
            return samplers.student_t(rng, size, nu, scale)

    else:  # infinite variance: float64, whose squares cannot overflow
        moments = (math.inf, math.inf)

        def sampler(rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
            return rng.standard_t(nu, size)

    return IidNoise(
        "student_t",
        sampler,
        single=nu > 2,
        params={"nu": nu},
        moments=moments,
        zero_mean=nu > 1,
        description=f"Student-t, nu = {format_number(nu)}"
        + (", unit variance" if nu > 2 else ", infinite variance"),
    )


def cauchy() -> IidNoise:
    """Standard Cauchy (Student-t with nu = 1): no mean, infinite variance."""
    return IidNoise(
        "cauchy",
        lambda rng, size: rng.standard_cauchy(size),
        moments=(math.inf, math.inf),
        zero_mean=False,  # the mean does not exist (the law is symmetric about 0)
        description="standard Cauchy (infinite variance, no mean)",
    )


def exponential() -> IidNoise:
    """Centred exponential Exp(1) - 1: variance 1, skewness 2, excess kurtosis 6."""
    return IidNoise(
        "exponential",
        samplers.centred_exponential,
        moments=(1.0, 9.0),
        description="centred exponential Exp(1) - 1 (skewed)",
        single=True,
    )


def sparse(density: float = 0.1) -> IidNoise:
    """Bernoulli(density)-masked Gaussian / sqrt(density): variance 1, kurtosis 3/density - 3."""
    if not (math.isfinite(density) and 0 < density <= 1):
        raise ValueError(
            f"density = {show(density)} is not allowed: the density must satisfy 0 < density <= 1"
        )

    return IidNoise(
        "sparse",
        lambda rng, size: samplers.sparse_gaussian(rng, size, density),
        params={"density": density},
        moments=(1.0, 3.0 / density),
        description=f"Gaussian masked by Bernoulli({format_number(density)})",
        single=True,
    )


def mixture(components: Sequence[tuple[float, IidNoise]], name: str = "mixture") -> IidNoise:
    """Each entry from component i with probability w_i (weights normalised to sum 1).

    The components must be i.i.d. families with zero mean; the mixture's variance and
    fourth moment are the weighted averages of theirs.

    >>> m = mixture([(0.5, gaussian()), (0.5, rademacher())])
    >>> m.variance, m.excess_kurtosis
    (1.0, -1.0)
    """
    if not components:
        raise ValueError("components = [] is not allowed: a mixture needs at least one component")
    weights = np.array([float(w) for w, _ in components])
    if not (np.isfinite(weights).all() and (weights >= 0).all() and weights.sum() > 0):
        raise ValueError(
            f"weights = {weights.tolist()} are not allowed: mixture weights must be >= 0 with a "
            "positive sum"
        )
    weights = weights / weights.sum()
    families = [family for _, family in components]
    for family in families:
        if not isinstance(family, IidNoise):
            raise ValueError(
                f"component {family!r} is not allowed: mixture components must be i.i.d. families"
            )
    cumulative = np.cumsum(weights)[:-1]
    single = all(family.single for family in families)

    def sampler(rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
        choice = np.searchsorted(cumulative, rng.random(size), side="right")
        values = np.empty(size, dtype=np.float32 if single else np.float64)
        for index, family in enumerate(families):
            mask = choice == index
            count = int(mask.sum())
            if count:
                values[mask] = family.draw(rng, (count,))
        return values

    variance = float(sum(w * f.variance for w, f in zip(weights, families, strict=True)))
    fourth = float(sum(w * f.fourth_moment for w, f in zip(weights, families, strict=True)))
    zero_mean = all(f.zero_mean for f in families)
    return IidNoise(
        name,
        sampler,
        moments=(variance, fourth),
        zero_mean=zero_mean,
        single=single,
        description="mixture of "
        + ", ".join(f"{w:g} {f.label}" for w, f in zip(weights, families, strict=True)),
    )


def contaminated(weight: float = 0.1, scale: float = 5.0) -> IidNoise:
    """The contaminated normal (1 - w) N(0, 1) + w N(0, scale^2), rescaled to variance 1."""
    if not (math.isfinite(weight) and 0 <= weight <= 1):
        raise ValueError(
            f"weight = {show(weight)} is not allowed: the mixture weight must satisfy 0 <= w <= 1"
        )
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale = {show(scale)} is not allowed: the scale must be a real > 0")
    norm = math.sqrt((1 - weight) + weight * scale**2)
    wide = IidNoise(
        "gaussian",
        lambda rng, size: samplers.gaussian(rng, size, scale / norm),
        moments=((scale / norm) ** 2, 3 * (scale / norm) ** 4),
        single=True,
    )
    narrow = IidNoise(
        "gaussian",
        lambda rng, size: samplers.gaussian(rng, size, 1 / norm),
        moments=(1 / norm**2, 3 / norm**4),
        single=True,
    )
    family = mixture([(1 - weight, narrow), (weight, wide)])

    def sampler(rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
        # one Gaussian per entry times its component's scale: the same law, one pass
        return samplers.scale_mixture(rng, size, weight, 1 / norm, scale / norm)

    family.sampler = sampler
    family.params = {"weight": weight, "scale": scale}
    family.description = f"{1 - weight:g} N(0, 1) + {weight:g} N(0, {scale:g}^2), unit variance"
    return family


def user_sampler(sampler: object, name: str | None = None) -> IidNoise:
    """Wrap a user's ``sampler(rng, size) -> ndarray``; its draws are checked on every call."""
    if not callable(sampler):
        raise ValueError(
            f"noise = {show(sampler)} is not allowed: give a family name ({', '.join(FAMILIES)}) "
            "or a callable sampler(rng, size) -> ndarray"
        )
    label = str(name or getattr(sampler, "__name__", "sampler"))
    return IidNoise(label, sampler, zero_mean=None, trusted=False, description="user sampler")


@dataclass(frozen=True)
class Family:
    """A named built-in family: its constructor and its parameters with defaults (declared
    in :data:`~rwpca.numerics.walks.FAMILY_TABLE`)."""

    make: Callable[..., Noise]
    parameters: Mapping[str, float] = field(default_factory=dict)
    finite_variance: bool = True
    summary: str = ""


#: Each built-in family's constructor (what the family is: :data:`FAMILY_TABLE`).
_MAKERS: dict[str, Callable[..., Noise]] = {
    "gaussian": gaussian,
    "uniform": uniform,
    "rademacher": rademacher,
    "laplace": laplace,
    "student_t": student_t,
    "exponential": exponential,
    "sparse": sparse,
    "mixture": contaminated,
    "correlated": CorrelatedNoise,
    "cauchy": cauchy,
}
if set(_MAKERS) != set(FAMILY_TABLE):
    raise ImportError(
        f"the noise families {sorted(set(_MAKERS) ^ set(FAMILY_TABLE))} are declared in "
        "rwpca.numerics.walks (FAMILY_TABLE) or have a constructor here, not both"
    )

FAMILIES: dict[str, Family] = {
    name: Family(_MAKERS[name], info.parameters, info.finite_variance, info.summary)
    for name, info in FAMILY_TABLE.items()
}


def parse_spec(spec: str) -> tuple[str, dict[str, float]]:
    """Split ``"name:key=value,key=value"`` into the name and float parameters.

    Values are parsed as numbers (``float``), never evaluated.

    >>> parse_spec("student_t:nu=3.5")
    ('student_t', {'nu': 3.5})
    """
    name, _, rest = spec.strip().partition(":")
    params: dict[str, float] = {}
    if rest.strip():
        for item in rest.split(","):
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or not key:
                raise ValueError(
                    f"noise parameter {item.strip()!r} is not allowed: write key=value, for "
                    "example student_t:nu=5"
                )
            try:
                params[key] = float(value)
            except ValueError:
                raise ValueError(
                    f"noise parameter {key} = {value.strip()!r} is not a number"
                ) from None
    return name.strip(), params


def get_noise(noise: object, params: Mapping[str, float] | None = None) -> Noise:
    """A :class:`Noise` from a family name (``"sparse"``, ``"student_t:nu=3"``), a Noise
    object or a callable sampler. ValueError naming the allowed values otherwise."""
    if isinstance(noise, Noise):
        return noise
    if isinstance(noise, str):
        name, parsed = parse_spec(noise)
        parsed.update(params or {})
        family = FAMILIES.get(name)
        if family is None:
            raise ValueError(
                f"noise family {name!r} is not known: allowed families are {', '.join(FAMILIES)}"
            )
        unknown = sorted(set(parsed) - set(family.parameters))
        if unknown:
            allowed = ", ".join(family.parameters) or "none"
            raise ValueError(
                f"noise parameter {unknown[0]!r} is not allowed for {name!r}: allowed "
                f"parameters are {allowed}"
            )
        for key, value in parsed.items():
            if not math.isfinite(value):
                raise ValueError(f"noise parameter {key} = {show(value)} is not a finite number")
        return family.make(**{**family.parameters, **parsed})
    return user_sampler(noise)  # raises for anything that is not callable


#: The named laws, and the classes of :mod:`rwpca.numerics.walks.steps` they are built on.
__all__ = [
    "BLOCK_BYTES",
    "FAMILIES",
    "CorrelatedNoise",
    "Family",
    "GaussianNoise",
    "IidNoise",
    "Noise",
    "Sampler",
    "StepGram",
    "cauchy",
    "contaminated",
    "default_block",
    "exponential",
    "gaussian",
    "get_noise",
    "laplace",
    "mixture",
    "parse_spec",
    "rademacher",
    "sparse",
    "student_t",
    "uniform",
    "user_sampler",
    "wishart_bartlett",
]

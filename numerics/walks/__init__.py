"""Random walks under any noise: the noise laws and their samplers, the streamed simulator, and the finite-d and noise-independence studies.

The built-in noise families are declared here as data (names, parameters with their
defaults, summaries), without NumPy, so that ``rwpca simulate --help`` lists them at once;
:mod:`rwpca.numerics.walks.families` attaches each family's constructor
(:data:`~rwpca.numerics.walks.families.FAMILIES`) and refuses to load if a name lacks one.

>>> FAMILY_TABLE["student_t"].parameters
{'nu': 5.0}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FamilyInfo:
    """What a built-in family is: its parameters with defaults, and a one-line summary."""

    parameters: Mapping[str, float] = field(default_factory=dict)
    finite_variance: bool = True
    summary: str = ""


#: The built-in families by name, in the order the help lists them.
FAMILY_TABLE: dict[str, FamilyInfo] = {
    "gaussian": FamilyInfo(summary="N(0, 1); Gram matrix drawn as Wishart"),
    "uniform": FamilyInfo(summary="uniform on [-sqrt 3, sqrt 3]"),
    "rademacher": FamilyInfo(summary="random signs"),
    "laplace": FamilyInfo(summary="Laplace (double exponential)"),
    "student_t": FamilyInfo({"nu": 5.0}, summary="Student-t, unit variance for nu > 2"),
    "exponential": FamilyInfo(summary="centred Exp(1) - 1 (skewed)"),
    "sparse": FamilyInfo({"density": 0.1}, summary="Bernoulli-masked Gaussian"),
    "mixture": FamilyInfo({"weight": 0.1, "scale": 5.0}, summary="contaminated normal mixture"),
    "correlated": FamilyInfo(
        {"rank": 0.0, "decay": 1.0},
        summary="Gaussian with covariance of eigenvalues i^-decay, i <= rank",
    ),
    "cauchy": FamilyInfo(finite_variance=False, summary="Cauchy: infinite variance"),
}

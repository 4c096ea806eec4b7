"""Gradient descent on a quadratic with decaying curvatures: its trajectory, its Gram matrix, the rigorous bound on its explained-variance ratios and their measured decay.

The setting (issue 14, the "hyper-ribbon" case of Mao et al.): x_{t+1} = x_t - eta grad f(x_t)
on f(x) = sum_i h_i x_i^2 / 2 with h_i = i^-beta, i = 1..d, from x_0 ~ N(0, I_d). Each
coordinate is a geometric sequence x_{t,i} = q_i^t x_{0,i}, q_i = 1 - eta h_i, so the Gram
matrix of the n checkpoints is the positive semidefinite Hankel matrix of the moments of the
measure sum_i x_{0,i}^2 delta_{q_i} (catalog entries ``descent.*``).

>>> import numpy as np
>>> X = descent_trajectory(5, 3, beta=1.0, eta=0.5, seed=1)
>>> bool(np.allclose(X @ X.T, descent_gram(5, 3, beta=1.0, eta=0.5, seed=1)))
True
>>> float(descent_ratio_bound(200, 1))
1.0
"""

from __future__ import annotations

from rwpca.numerics.descent.bound import descent_ratio_bound, hankel_rate
from rwpca.numerics.descent.spectra import DecayFit, centred_spectrum, decay_fit
from rwpca.numerics.descent.trajectory import (
    contractions,
    curvatures,
    descent_gram,
    descent_trajectory,
    peak_bytes,
)

__all__ = [
    "DecayFit",
    "centred_spectrum",
    "contractions",
    "curvatures",
    "decay_fit",
    "descent_gram",
    "descent_ratio_bound",
    "descent_trajectory",
    "hankel_rate",
    "peak_bytes",
]

"""Shared pieces of catalog declarations: variable domains and standing assumptions.

The variables' descriptions are generated from :mod:`rwpca.proofs.domains`, where each
parameter's range is declared once.
"""

from __future__ import annotations

from rwpca.proofs import domains

D_GG_N = "d >> n: the noise Gram matrix R R^T is replaced by its limit I (unit-variance steps)"
START_AT_ZERO = "the walk starts at x_0 = 0 (and v_0 = 0 with momentum)"
CENTRED = "PCA of the centred trajectory, K = C T^-1 T^-T C (mean over time removed)"

STANDARD = (START_AT_ZERO, D_GG_N, CENTRED)

N = domains.N.variables()
K = domains.K.variables()
T = domains.T.variables()
GAMMA = domains.GAMMA.variables()
ALPHA = domains.ALPHA.variables()
#: gamma where the momentum secular equation is stated: its partner cosine divides by gamma.
GAMMA_NONZERO = domains.GAMMA.variables(
    "momentum; gamma != 0: gamma = 0 is the plain walk, rw.eigenvalue"
)

POSTER = "poster"

"""Shared pieces of catalog declarations: variable domains and standing assumptions."""

from __future__ import annotations

D_GG_N = "d >> n: the noise Gram matrix R R^T is replaced by its limit I (unit-variance steps)"
START_AT_ZERO = "the walk starts at x_0 = 0 (and v_0 = 0 with momentum)"
CENTRED = "PCA of the centred trajectory, K = C T^-1 T^-T C (mean over time removed)"

STANDARD = (START_AT_ZERO, D_GG_N, CENTRED)

N = {"n": "integer, n >= 2 (number of steps)"}
K = {"k": "integer, 1 <= k <= n - 1 (component, 1 = largest)"}
T = {"t": "integer, 1 <= t <= n (time)"}
GAMMA = {"gamma": "real, |gamma| < 1 (momentum)"}
ALPHA = {"alpha": "real, 0 < alpha < 2 (restoring rate)"}

POSTER = "poster"

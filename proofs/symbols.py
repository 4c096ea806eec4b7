"""The SymPy symbols shared by every derivation and catalog entry.

The names follow the project conventions: ``n`` steps, ``k`` (and ``j``) component
indices with 1 the largest, ``t`` the time index 1..n, ``gamma`` the momentum
coefficient and ``alpha`` the Ornstein-Uhlenbeck restoring rate. Users may pass
expressions built from plain ``Symbol("n")``; the numeric layer matches symbols by
*name*, so these assumptions only help SymPy simplify. What values each symbol may take, and what it
means, is declared in :mod:`rwpca.proofs.domains` (``DOMAINS``, ``MEANING``).
"""

from __future__ import annotations

import sympy as sp

n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
j = sp.Symbol("j", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
t = sp.Symbol("t", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
gamma = sp.Symbol("gamma", real=True)
alpha = sp.Symbol("alpha", positive=True)
theta = sp.Symbol("theta", real=True)
sigma = sp.Symbol("sigma", positive=True)
kappa = sp.Symbol("kappa", real=True)
z = sp.Symbol("z")

# Left-hand sides of catalog statements.
lam_k = sp.Symbol("lambda_k", positive=True)
rho_k = sp.Symbol("rho_k", positive=True)
u_k = sp.Function("u_k")
X_k = sp.Function("X_k")
X_j = sp.Function("X_j")

"""Derivations for gradient descent on a quadratic with curvatures i^-beta: the Hankel Gram matrix, its centred form and d -> infinity limit, and the bound on its explained-variance ratios.

The statements themselves are declared once in :mod:`.formulas` (SymPy only); :mod:`.gram`
derives the exact finite-n structure, :mod:`.limit` the d -> infinity limit and its
condition 2 beta > 1, :mod:`.bound` the bound on rho_k / rho_1 from Beckermann & Townsend's
theorem on positive semidefinite Hankel matrices and Cauchy interlacing.
"""

"""The laws a spectrum is held against beyond d_eff >> n: finite d, descent, which fits.

The random walk at fixed d (the continuum limit) and in the proportional
(Marchenko-Pastur) bulk, gradient descent's fast decay (hyper-ribbons, in
:mod:`rwpca.numerics.descent`), and which of the two laws a trajectory window follows.
"""

"""The laws a spectrum is held against beyond d_eff >> n: finite d, descent, which fits.

The random walk at finite d, deterministic descent (hyper-ribbons), and which of them a
trajectory window follows.
"""

"""Numeric layer: spectra of the exact finite matrices, evaluation of catalog formulas,
and the streaming Gram-matrix machinery shared by the simulator and the trajectory reader.

Imports run one way: ``numerics`` may import ``proofs``, never the application ``rwpca``.
"""

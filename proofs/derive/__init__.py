"""Symbolic derivations in SymPy: eigenvalues, eigenvectors, variance ratios, noise moments and the secular equations of OU and momentum, for symbolic n."""

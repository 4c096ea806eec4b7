"""The checks of catalog entries, one module per kind: eigenvalue formulas, eigenvectors, exact identities, variance ratios, the OU secular equation and the momentum spectrum."""

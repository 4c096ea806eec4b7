"""The walk with momentum at finite n: Chebyshev-pair identities, the exact secular equation, its derivation and the error law of the paper's formula."""

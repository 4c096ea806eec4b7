"""Derivations of the laws of the spectrum when d is not >> n: the fixed-d expansion, d = 2, and the proportional bulk."""

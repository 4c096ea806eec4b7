"""Exact and certified linear algebra of the walk matrices: structures, float and mpmath spectra, Sturm counts, certified enclosures."""

"""Exact and certified linear algebra of the walk matrices: structures, first-order filters, float and mpmath spectra, Sturm counts, certified enclosures."""

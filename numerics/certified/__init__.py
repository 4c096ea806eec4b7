"""Certified spectra: Sturm counts in float64 intervals and arb balls, determinant signs and the accounting of all n eigenvalues, enclosures, and the roots of the momentum secular equation."""

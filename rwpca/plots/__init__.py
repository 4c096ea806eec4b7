"""Figures (matplotlib, PNG): Lissajous projections and spectra against theory, with a fingerprint of the plotted data in each file."""

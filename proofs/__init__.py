"""rwpca.proofs: exact objects and catalog data in SymPy (no floats, no I/O, no CLI words).

The rooms: :mod:`~rwpca.proofs.matrices`, :mod:`~rwpca.proofs.processes` and
:mod:`~rwpca.proofs.circulant` build the S, C and step matrices; :mod:`~rwpca.proofs.derive`
derives spectra, eigenvectors and ratios for symbolic n; :mod:`~rwpca.proofs.theorems`
holds the exact finite-n theorems and their certificates; :mod:`~rwpca.proofs.domains`
declares every parameter domain once; :mod:`~rwpca.proofs.catalog` is the formula catalog.
"""

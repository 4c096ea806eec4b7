"""rwpca.numerics: numbers in, typed results out.

The rooms: :mod:`~rwpca.numerics.formulas` and :mod:`~rwpca.numerics.arbeval` are the
bridge from SymPy to NumPy and to arb balls; :mod:`~rwpca.numerics.linalg` holds the exact
linear algebra of K and Q (structures, determinants, float and mpmath spectra),
:mod:`~rwpca.numerics.certified` their certified spectra;
:mod:`~rwpca.numerics.verification` checks catalog entries and keeps their evidence; :mod:`~rwpca.numerics.walks` simulates walks under any
noise; :mod:`~rwpca.numerics.trajectories` reads training trajectories and tests them
against the random-walk nulls.

Imports run one way: ``rwpca.numerics`` may import ``rwpca.proofs``, never the application
modules of ``rwpca`` (CLI, documents, plots).
"""

from __future__ import annotations

from pathlib import Path

#: Committed data of the numeric layer: verification evidence, noise-study summaries and
#: the recorded neural-network runs.
DATA = Path(__file__).resolve().parent / "data"
#: The verification evidence of the catalog (what ``rwpca verify --write`` stores and
#: ``rwpca derive`` renders; :mod:`rwpca.numerics.verification.evidence` reads and writes it).
EVIDENCE_PATH = DATA / "verification.json"

"""PCA of a trajectory against random-walk null models, with a calibrated verdict.

Everything is computed from the n x n Gram matrix ``G`` of the checkpoints' displacements
from the first checkpoint of the window (see :mod:`rwpca.numerics.trajectories.readers`):

* **Centred PCA.** ``C G C`` (``C = I - 1 1^T / n``) has eigenvalues ``lambda_k`` (the PCA
  variances times n) and unit eigenvectors ``u_k``, the time courses of the projections:
  the trajectory's coordinate on component k at time t is ``sqrt(lambda_k) u_k(t)``. The
  explained-variance ratios are ``rho_k = lambda_k / trace(C G C)``.
* **Steps.** With ``Delta`` the difference operator, ``M = Delta G Delta^T`` is the Gram
  matrix of the ``N = n - 1`` steps ``s_t = x_t - x_{t-1}`` inside the window; its diagonal
  holds the squared step norms ``||s_t||^2 = G_tt + G_{t-1,t-1} - 2 G_{t,t-1}``. The
  trajectory need not start at a known origin: x_1 (and whatever steps led to it) is a
  constant common to every row and centring removes it exactly, so the analysis uses the
  N increments from the window's first checkpoint, ``C X = C L0 R`` with ``L0`` the n x N
  cumulative sum whose first row is zero and ``R`` the N x d steps.

Null models (each predicts ``C L0 E[R R^T] L0^T C``, exact at finite n, in the limit
d_eff >> n where ``R R^T`` equals its expectation):

* **(a) random walk** (``random_walk``): ``E[R R^T] = sigma^2 d I``; the ratios are the exact
  finite-n ratios of catalog entry ``rw.evr.exact``, ``3 / (2 (n^2 - 1) sin^2(pi k / (2n)))``.
* **(b) step schedule** (``step_schedule``): ``E[R R^T] = D = diag(||s_t||^2)``, the
  trajectory's own step sizes (a decaying learning rate gives decaying steps).
* **(c) drift** (``drift``): ``x_t = x_{t-1} + mu + xi_t`` gives
  ``E[R R^T] = sigma^2 d I + ||mu||^2 1 1^T``. The naive drift estimate ``||(x_n - x_1)/N||^2``
  has expectation ``||mu||^2 + sigma^2 d / N`` (the noise does not average out completely);
  with the mean squared step ``q = mean ||s_t||^2`` (expectation ``||mu||^2 + sigma^2 d``)
  the unbiased estimates are ``||mu||^2 = (N ||m||^2 - q) / (N - 1)`` (clipped at 0) and
  ``sigma^2 d = q - ||mu||^2``. Since ``C L0 1`` is the centred ramp, drift adds a rank-one
  term along an almost-cosine direction and inflates the first component.

**Lissajous score** of component k: ``|u_k . e_k|``, the correlation of the projection with
the exact random-walk eigenvector ``e_k(t) ~ cos(pi k (t - 1/2) / n)`` (catalog entry
``rw.eigenvector``; both have mean zero over t).

**Threshold (why randomisation tests).** At finite d the step Gram matrix is
``D^(1/2) (I + E) D^(1/2)`` with a random ``E``. By Ostrowski's theorem (in its form for a
full-column-rank rectangular ``A = C L0 D^(1/2)``) every eigenvalue of the observed
``A (I + E) A^T`` is the matching eigenvalue of the null ``A A^T`` times a factor in
``[lambda_min(I + E), lambda_max(I + E)]``; that envelope is computed exactly from the data
(:attr:`Analysis.ostrowski`), but it is a worst case: for isotropic Gaussian steps in d_eff
dimensions it is ``(1 +- sqrt(N / d_eff))^2``, the Marchenko-Pastur edges. The typical
error is smaller: to first order ``log(rho_k / rho_k^null)`` is ``tr(P_k E)`` with
``P_k = w_k w_k^T - A^T A / tr(A A^T)``, of standard deviation
``sqrt(2 (1 - 2 rho_k + sum_j rho_j^2) / d_eff)`` for Gaussian steps, valid only while that
is small against the relative eigenvalue gaps. A parametric bootstrap (simulated Gaussian
steps with the measured d_eff) removes the first-order restriction but not the noise
model: NN-like noise concentrated in few directions is not an isotropic Gaussian walk in
d_eff dimensions, and once d_eff is not >> n their spectra fluctuate differently.

So the verdict uses the symmetry that defines each null and needs no noise model: the
trajectory's own steps are reshuffled, which only needs the step Gram matrix ``M``
(``M -> P S M S P^T``, P a permutation, S a diagonal of random signs), and every statistic
is recomputed from the reshuffled walk (all replicates at once, without forming their
matrices: :mod:`rwpca.numerics.nulls.randomisation`).

* (a) independent, identically distributed, symmetric steps: random order and signs;
* (b) independent symmetric steps of any sizes: random signs (the step sizes stay);
* (c) independent identically distributed steps with a mean: random order (the drift
  stays; the drift and noise estimates are unchanged by construction).

Under its null, the reshuffled walks have exactly the distribution of the trajectory
(whatever the noise distribution, its anisotropy or d_eff, as the paper's results are), so
the test is exact at finite n and d (a randomisation test). The statistic is
``T = max_k |z_k|`` over the standardised log-quotients of the first K ratios and the
(one-sided, Fisher-transformed) Lissajous scores, standardised by the mean and standard
deviation of the data and the B replicates together (so that all B + 1 walks are treated
alike); ``p = (1 + #{T_b >= T}) / (B + 1)``. A component is flagged when its
own |z| exceeds the (1 - alpha) quantile of the replicates' T (a simultaneous band). The
verdict does not depend on the closed-form null ratios (data and replicates are divided
by the same ones; those formulas are verified separately against the exact matrices):
the reported quotients do.

``d_eff`` (:func:`effective_dimension`), the effective number of independent directions
of the steps, ``tr(Sigma)^2 / tr(Sigma^2)``, is reported because the random-walk limit
``R R^T -> I`` needs d_eff >> n, not only d >> n. It is measured on the innovations
``s_t - gamma s_{t-1}`` of the fitted momentum (:func:`~rwpca.numerics.nulls.dynamics.
fit_momentum`; ~0 for independent steps), because a momentum walk's consecutive
steps share their direction, which the estimator would read as few directions, while
their covariance ``Sigma / (1 - gamma^2)`` has the innovations' d_eff.

Nulls (d) momentum and (e) Ornstein-Uhlenbeck, with their own exact predictions and
randomisations (reordered innovations, re-integrated), are in
:mod:`rwpca.numerics.nulls.dynamics`. Every null's statistic also includes the
lag-1 cosine of the steps (:mod:`rwpca.numerics.nulls.autocorrelation`),
so the nulls with independent steps have power against momentum, which barely changes
the spectrum; the lag cosines at lags 1..5, tested by reordering alone, are the step
autocorrelation diagnostic reported beside every verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from rwpca.numerics.checkpoints.sketch import ratio_sd
from rwpca.numerics.laws import fixed_d
from rwpca.numerics.laws.decay import FIT_LAST, describe_laws, round_off_floor
from rwpca.numerics.nulls import randomisation
from rwpca.numerics.nulls.autocorrelation import (
    LAGS,
    StepAutocorrelation,
    lag_cosines,
    step_autocorrelation,
)
from rwpca.numerics.nulls.calibration import STATISTIC_LAGS, calibrate, statistics
from rwpca.numerics.nulls.dynamics import check_dynamics, fit_momentum, momentum_innovations
from rwpca.numerics.nulls.null_models import (
    DriftFit,
    cosine_basis,
    drift_covariance,
    effective_dimension,
    fit_drift,
    lissajous,
    make_null,
    normalised_overlaps,
    random_walk_ratios,
    schedule_factor,
)
from rwpca.numerics.nulls.results import (
    DYNAMIC_NULLS,
    INDEPENDENT_NULLS,
    NULL_LETTERS,
    NULL_MODELS,
    NULL_TITLES,
    SYMMETRY,
    Analysis,
    Note,
    NoteKind,
    NullTest,
    Symmetry,
    Verdict,
    parse_nulls,
)
from rwpca.numerics.progress import ProgressArg, task
from rwpca.numerics.resources import require_memory
from rwpca.numerics.trajectories.gram import centred_gram, pca_from_gram, with_blas_threads

# --- the analysis -----------------------------------------------------------------------


def walk_gram(step_gram: np.ndarray) -> np.ndarray:
    """Centred Gram matrix C L0 M L0^T C of the walk whose steps have Gram matrix M.

    >>> M = np.eye(2)  # two orthogonal unit steps: x = (0, e1, e1 + e2)
    >>> np.round(walk_gram(M) * 9, 10)
    array([[ 5., -1., -4.],
           [-1.,  2., -1.],
           [-4., -1.,  5.]])
    """
    N = step_gram.shape[0]
    G = np.zeros((N + 1, N + 1))
    G[1:, 1:] = np.cumsum(np.cumsum(step_gram, axis=0), axis=1)
    return centred_gram(G)


#: n x n float64 arrays alive at the peak of :func:`analyze_gram`, the Gram matrix itself
#: included: its centred copy and eigenvectors, the step Gram matrix and its normalised
#: copy, the plain covariance the nulls share, with headroom for the Gram pass before it
#: (the randomisation's own buffers are :func:`randomisation.peak_bytes`).
ANALYSIS_SQUARES = 10


def peak_bytes(
    n: int,
    components: int = 5,
    replicates: int = 199,
    grams: int = 1,
    dimension: int | None = None,
) -> int:
    """An upper estimate of the memory of analysing n checkpoints, in bytes.

    ``grams`` Gram matrices are kept (one per group of ``--by-layer``); the randomisation
    test runs its replicates in batches (:mod:`rwpca.numerics.nulls.randomisation`), and
    then the finite-d null draws ``replicates`` walks in ``dimension`` dimensions
    (:func:`rwpca.numerics.laws.fixed_d.peak_bytes`; the worst dimension when None, as
    before d_eff is measured).
    """
    count = min(max(components, 1), max(n - 1, 1))
    squares = 8 * (ANALYSIS_SQUARES + grams - 1) * n * n
    last = max(count, min(FIT_LAST, n - 1))
    weights = random_walk_ratios(n) if dimension is not None else None
    laws = fixed_d.peak_bytes(n - 1, dimension or n, last, replicates, weights)
    return squares + max(randomisation.peak_bytes(n, replicates, count), laws)


def check_resources(n: int, components: int = 5, replicates: int = 199, grams: int = 1) -> None:
    """ResourceError (a ValueError) if the analysis of n checkpoints does not fit in memory."""
    require_memory(
        peak_bytes(n, components, replicates, grams),
        f"analysing n = {n} checkpoints with {replicates} replicates",
    )


@with_blas_threads("analysis")
def analyze_gram(
    G: np.ndarray,
    d: int,
    components: int = 5,
    window: tuple[int, int] | None = None,
    replicates: int = 199,
    alpha: float = 0.05,
    seed: int = 0,
    progress: ProgressArg = False,
    steps: np.ndarray | None = None,
    sketch: int | None = None,
    nulls: str | Sequence[str] | None = None,
    momentum: float | None = None,
    ou_rate: float | None = None,
) -> Analysis:
    """Analyse a trajectory window from the Gram matrix of its checkpoints.

    ``G`` is n x n (any common shift of the checkpoints is allowed: only centred
    quantities and differences are used), ``d`` the number of parameters. ``components``
    K: how many leading components are tested and reported. ``replicates`` and ``alpha``:
    the number of reshuffled walks and the test level (see the module docstring);
    ``seed`` fixes the reshuffling, so the result is deterministic on a given machine.
    ``steps``: the training step of each checkpoint (carried into the result); ``sketch``:
    the dimension m when G is the Gram matrix of CountSketches, whose error on each ratio
    is then reported (:func:`rwpca.numerics.checkpoints.sketch.ratio_sd`). ``nulls``: the
    null models tested (names or letters, :func:`parse_nulls`; all by default);
    ``momentum`` (gamma of null (d)) and ``ou_rate`` (alpha of null (e)): given values,
    estimated from the steps when None (:mod:`rwpca.numerics.nulls.dynamics`).
    Each null and the step autocorrelation draw from their own stream of ``seed``, so a
    null's result does not depend on which other nulls are tested.
    """
    chosen = parse_nulls(nulls)
    check_dynamics(momentum, ou_rate)
    G = np.asarray(G, dtype=np.float64)
    if G.ndim != 2 or G.shape[0] != G.shape[1]:
        raise ValueError(f"G has shape {G.shape}: expected a square n x n Gram matrix")
    n = G.shape[0]
    if n < 3:
        raise ValueError(f"n = {n} checkpoints is not allowed: at least 3 are needed")
    if not np.isfinite(G).all():
        raise ValueError("the Gram matrix contains NaN or infinity: values must be finite")
    if components < 1:
        raise ValueError(f"components = {components} is not allowed: need an integer >= 1")
    if replicates < 19:
        raise ValueError(f"replicates = {replicates} is not allowed: need at least 19")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha = {alpha} is not allowed: need 0 < alpha < 1")
    check_resources(n, components, replicates)
    window = (0, n) if window is None else (int(window[0]), int(window[1]))
    N = n - 1
    K = min(components, N)

    Gc = centred_gram(G)
    total = float(np.trace(Gc))
    if not total > 0:
        raise ValueError("the trajectory does not move (zero variance): nothing to analyse")
    values, vectors = pca_from_gram(Gc)
    eigenvalues = np.maximum(values[:N], 0.0)
    ratios = eigenvalues / total
    signs = np.sign(np.einsum("ij,ij->j", vectors[:, :K], cosine_basis(n, K)))
    top = vectors[:, :K] * np.where(signs == 0, 1.0, signs)[None, :]
    projections = top * np.sqrt(eigenvalues[:K])[None, :]
    scores = lissajous(top)

    M = np.diff(np.diff(G, axis=0), axis=1)
    q = np.maximum(np.diag(M).copy(), 0.0)
    # d_eff of the innovations of the fitted momentum filter: consecutive steps that share
    # a direction would otherwise read as few directions (for independent steps the
    # fitted gamma is ~0 and the innovations are the steps)
    innovations = momentum_innovations(M, fit_momentum(M))[1:, 1:]
    d_hat = min(effective_dimension(innovations if N >= 5 else M), float(d))
    fit = fit_drift(q, _span(G))

    keep = q > 1e-300
    extremes = np.linalg.eigvalsh(normalised_overlaps(M))
    ostrowski = (float(max(extremes[0], 0.0)), float(extremes[-1]))
    # its own stream (as every null below): choosing other nulls changes no result
    autocorrelation = step_autocorrelation(
        M, replicates, alpha, np.random.default_rng([seed, len(NULL_MODELS)])
    )

    notes = []
    if d_hat < 10 * n:
        low = {"effective_dimension": d_hat, "n": n}
        notes.append(Note(NoteKind.LOW_EFFECTIVE_DIMENSION, low))
    if autocorrelation.rejects_independence:
        lag_one, independent = autocorrelation.values[0], autocorrelation.independent_mean[0]
        kind = NoteKind.CORRELATED_STEPS if lag_one > independent else NoteKind.ANTICORRELATED_STEPS
        numbers = {
            "lag_one_cosine": float(lag_one),
            "independent_cosine": float(independent),
            "p_value": autocorrelation.p_value,
        }
        notes.append(Note(kind, numbers))
    if not keep.all():
        notes.append(Note(NoteKind.ZERO_LENGTH_STEPS, {"count": int((~keep).sum()), "steps": N}))

    observed_lags = lag_cosines(M, STATISTIC_LAGS)
    tests: dict[str, NullTest] = {}
    # the randomisation runs thousands of small (n x n) x (n x b) products: BLAS threads
    # gain nothing there and, on a busy machine, their synchronisation makes each product
    # several times slower
    with (
        task(progress, "randomisation", replicates * len(chosen), unit="walk") as bar,
        threadpool_limits(limits=1, user_api="blas"),
    ):
        for name in chosen:
            null = make_null(name, n, q, fit, M, momentum, ou_rate)
            rng = np.random.default_rng([seed, NULL_MODELS.index(name)])
            null_ratios = null.ratios()
            observed = statistics(ratios[:K], null_ratios[:K], top)
            test = calibrate(
                null, M, null_ratios[:K], observed, K, replicates, alpha, rng, bar, observed_lags
            )
            z, crit = test.z, test.critical_value
            deviating = tuple(
                int(k + 1) for k in range(K) if abs(z[k, 0]) > crit or -z[k, 1] > crit
            )
            tests[name] = NullTest(
                name=name,
                title=NULL_TITLES[name],
                ratios=null_ratios,
                parameters=null.parameters(),
                quotient=ratios[:K] / null_ratios[:K],
                band=test.band,
                lissajous_null=test.lissajous_mean,
                z=z,
                statistic=test.statistic,
                critical_value=crit,
                p_value=test.p_value,
                consistent=test.p_value > alpha,
                deviating=deviating,
                symmetry=SYMMETRY[name],
                autocorrelation_mean=test.lags.mean,
                autocorrelation_z=test.lags.z,
                deviating_lags=tuple(
                    int(j + 1) for j in np.flatnonzero(np.abs(test.lags.z) > crit)
                ),
                fitted=getattr(null, "fitted", ()),
            )
    # its own stream too: null (a) at the measured d_eff and the decay-law comparison
    finite_d, laws = describe_laws(
        ratios, random_walk_ratios(n), d, d_hat, K, replicates, alpha,
        [seed, len(NULL_MODELS) + 1], round_off_floor(G, total),
    )  # fmt: skip
    return Analysis(
        n=n,
        d=int(d),
        window=window,
        components=K,
        eigenvalues=eigenvalues,
        explained_variance_ratio=ratios,
        projections=projections,
        lissajous=scores,
        step_norms_squared=q,
        effective_dimension=d_hat,
        ostrowski=ostrowski,
        autocorrelation=autocorrelation,
        nulls=tests,
        alpha=alpha,
        replicates=replicates,
        notes=tuple(notes),
        steps=None if steps is None else np.asarray(steps, dtype=np.int64),
        sketch_sd=None if sketch is None else ratio_sd(ratios, sketch),
        step_gram=M,
        finite_d=finite_d,
        laws=laws,
    )


def _span(G: np.ndarray) -> float:
    """||x_n - x_1||^2 from the Gram matrix."""
    return float(G[-1, -1] + G[0, 0] - 2 * G[0, -1])


def analyze(
    source: Any,
    window: tuple[int, int] | None = None,
    components: int = 5,
    replicates: int = 199,
    alpha: float = 0.05,
    seed: int = 0,
    block: int | None = None,
    progress: ProgressArg = False,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    glob: str | None = None,
    nulls: str | Sequence[str] | None = None,
    momentum: float | None = None,
    ou_rate: float | None = None,
) -> Analysis:
    """Open, validate and analyse a trajectory (any source of
    :func:`~rwpca.numerics.trajectories.sources.open_source`).

    One streaming pass over d computes the Gram matrix of the window's checkpoints; the
    rest works on n x n matrices (see :func:`analyze_gram`). ``include``, ``exclude`` and
    ``glob`` choose the tensors and checkpoints of a folder
    (:func:`rwpca.numerics.trajectories.readers.open_trajectory`). The documented entry
    point for notebooks is :func:`rwpca.analyze`, which also takes slices and training
    steps as windows and returns a displayable report.
    """
    from rwpca.numerics.trajectories.gram import DEFAULT_BLOCK
    from rwpca.numerics.trajectories.readers import check_window
    from rwpca.numerics.trajectories.sources import open_source

    parse_nulls(nulls)
    check_dynamics(momentum, ou_rate)
    trajectory = open_source(source, include, exclude, glob)
    window = check_window(window, trajectory.n)
    check_resources(window[1] - window[0], components, replicates)
    G = trajectory.gram(window, block=block or DEFAULT_BLOCK, progress=progress)
    sketch = trajectory.sketch.m if trajectory.sketch is not None else None
    steps = trajectory.steps[window[0] : window[1]]
    return analyze_gram(
        G, trajectory.d, components, window, replicates, alpha, seed, progress, steps, sketch,
        nulls, momentum, ou_rate,
    )  # fmt: skip


#: The public names (the result types and null names are defined in
#: :mod:`rwpca.numerics.nulls.results` and re-exported here).
__all__ = [
    "DYNAMIC_NULLS",
    "INDEPENDENT_NULLS",
    "LAGS",
    "NULL_LETTERS",
    "NULL_MODELS",
    "NULL_TITLES",
    "SYMMETRY",
    "Analysis",
    "DriftFit",
    "Note",
    "NoteKind",
    "NullTest",
    "StepAutocorrelation",
    "Symmetry",
    "Verdict",
    "analyze",
    "analyze_gram",
    "cosine_basis",
    "drift_covariance",
    "effective_dimension",
    "fit_drift",
    "normalised_overlaps",
    "parse_nulls",
    "random_walk_ratios",
    "schedule_factor",
    "walk_gram",
]

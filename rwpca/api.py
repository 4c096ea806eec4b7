"""The Python entry points for notebooks and scripts: ``rwpca.analyze`` and ``rwpca.sweep``.

>>> import numpy as np, rwpca
>>> walk = np.cumsum(np.random.default_rng(0).standard_normal((60, 2000)), axis=0)
>>> report = rwpca.analyze(walk, window=slice(10, 50), replicates=39)
>>> report                                         # doctest: +ELLIPSIS
<rwpca analysis of the array, steps 10..49 (n = 40, d = 2,000): consistent: (a) p = ...>
>>> report.explained_variance_ratio[:2].round(2)   # the numbers of the Analysis
array([0.62, 0.15])

``analyze`` returns a :class:`Report`: its repr is one line, in a notebook it displays as a
compact table with the verdict (``_repr_html_``), ``print(report)`` gives the full text
report of `rwpca analyze`, ``report.plot()`` the window figure, ``report.to_json()`` the
JSON of ``rwpca analyze --json`` and ``report.to_frame()`` a pandas DataFrame (one row per
component) when pandas is installed. Every attribute of the underlying
:class:`~rwpca.numerics.nulls.results.Analysis` is available on the report
(``report.nulls["momentum"].p_value``, ``report.autocorrelation``). ``sweep`` analyses
consecutive windows and returns a :class:`SweepReport` with the same methods.

Sources: a path (folder of checkpoints, ``.npy``, ``.npz``, Zarr store), an n x d NumPy
array, a list of checkpoint arrays or PyTorch tensors, an n x d tensor, a Dask or Zarr
array. Windows: ``slice(start, stop)`` or ``(start, stop)`` of checkpoint positions
(negative positions count from the end), the CLI's text ``"START:STOP"`` or
``"step=START:STOP"``, or ``steps=(first, stop)``: the checkpoints whose training step s
has ``first <= s < stop``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rwpca.numerics.nulls.results import NULL_LETTERS, Analysis
from rwpca.numerics.progress import ProgressArg
from rwpca.numerics.trajectories.readers import Trajectory, check_window, parse_window

__all__ = ["Report", "SweepReport", "analyze", "resolve_window", "sweep"]

WindowArg = slice | tuple[int, int] | Sequence[int] | str | None


def resolve_window(
    window: WindowArg, trajectory: Trajectory, steps: Sequence[int] | None = None
) -> tuple[int, int]:
    """Checkpoint positions (start, stop) from any window argument (see the module).

    >>> from rwpca.numerics.trajectories.readers import open_trajectory
    >>> t = open_trajectory(np.zeros((10, 4)))
    >>> resolve_window(slice(2, -1), t), resolve_window((0, 5), t), resolve_window("3:", t)
    ((2, 9), (0, 5), (3, 10))
    >>> resolve_window(None, t, steps=(4, 8))
    (4, 8)
    """
    n = trajectory.n
    if steps is not None:
        if window is not None:
            raise ValueError("window and steps are both given: choose one of them")
        if isinstance(steps, (str, bytes)) or len(steps) != 2:
            raise ValueError(f"steps = {steps!r} is not allowed: give (first, stop) training steps")
        first, stop = (int(s) for s in steps)
        return parse_window(f"step={first}:{stop}", n, "steps", trajectory.steps.tolist())
    if window is None:
        return 0, n
    if isinstance(window, slice):
        if window.step not in (None, 1):
            raise ValueError(f"window {window} is not allowed: a window is contiguous (step 1)")
        start, stop, _ = window.indices(n)
        return check_window((start, stop), n)
    if isinstance(window, str):
        return parse_window(window, n, "window", trajectory.steps.tolist())
    if isinstance(window, (tuple, list)) and len(window) == 2:
        values = []
        for value in window:
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ValueError(
                    f"window {tuple(window)!r} is not allowed: positions must be integers"
                )
            values.append(int(value) + n if value < 0 else int(value))
        return check_window((values[0], values[1]), n)
    raise ValueError(
        f"window {window!r} is not allowed: give a slice, a (start, stop) pair, "
        "'START:STOP' or 'step=START:STOP', or steps=(first, stop)"
    )


def _laws_html(data: dict[str, Any]) -> str:
    """The finite-d null's first ratio and the decay-law sentence, as HTML paragraphs."""
    from rwpca.documents import analysis_report

    out = ""
    null = data.get("finite_d_null")
    if null is not None:
        low, high = null["band"][0]
        out += (
            f"<p>Finite d: a random walk in d = {null['dimension']} dimensions (d_eff) has "
            f"first ratio {null['mean'][0]:.3f} [{low:.3f}, {high:.3f}]; components outside "
            f"its band: {', '.join(map(str, null['deviating_components'])) or 'none'}.</p>"
        )
    laws = data.get("decay_laws")
    if laws is not None:
        dimension = None if null is None else null["dimension"]
        text = analysis_report.law_text(laws, dimension)
        out += f"<p>Decay law: {html.escape(text)}.</p>"
    return out


def _label(source: Any) -> str:
    if isinstance(source, (str, Path)):
        return str(source)
    if isinstance(source, (list, tuple)):
        return "the list of checkpoints"
    if type(source).__module__.split(".")[0] == "torch":
        return "the tensor"
    return "the array"


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ValueError("to_frame() needs pandas: pip install pandas") from None
    return pandas


@dataclass(frozen=True, repr=False)
class Report:
    """An analysis with its display: the result of :func:`analyze`."""

    analysis: Analysis
    label: str
    total_checkpoints: int

    def __getattr__(self, name: str) -> Any:
        # the Analysis's numbers, results and properties, as if they were the report's
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.analysis, name)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of `rwpca analyze --json` (without the source description)."""
        return {"label": self.label, **self.analysis.to_json()}

    def text(self) -> str:
        """The full text report of `rwpca analyze`."""
        from rwpca.documents import analysis_report

        return analysis_report.text_report(self.analysis, self.label, self.total_checkpoints)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        from rwpca.documents import analysis_report

        data = self.analysis.to_json()
        first, last = self.analysis.window_steps
        where = "steps" if self.analysis.steps is not None else "checkpoints"
        return (
            f"<rwpca analysis of {self.label}, {where} {first}..{last} (n = {self.analysis.n}, "
            f"d = {self.analysis.d:,}): {analysis_report.short_verdict(data)}>"
        )

    def _repr_html_(self) -> str:
        from rwpca.documents import analysis_report

        data = self.analysis.to_json()
        names = list(data["tests"])
        head = "".join(f"<th>{html.escape(analysis_report.SHORT[n])}</th>" for n in names)
        rows = []
        for k in range(1, data["components_tested"] + 1):
            cells = "".join(
                f"<td>{data['tests'][n]['quotient'][k - 1]:.3f}"
                f"{'*' if k in data['tests'][n]['deviating_components'] else ''}</td>"
                for n in names
            )
            rows.append(
                f"<tr><td>{k}</td><td>{data['explained_variance_ratio'][k - 1]:.4f}</td>"
                f"{cells}<td>{data['lissajous'][k - 1]:.3f}</td></tr>"
            )
        p = "".join(f"<td>{data['tests'][n]['p_value']:.3g}</td>" for n in names)
        auto = data["step_autocorrelation"]
        first, last = self.analysis.window_steps
        return (
            f"<div><b>{html.escape(self.label)}</b>, steps {first}&ndash;{last}, "
            f"n = {data['n']}, d = {data['d']:,}, d_eff = "
            f"{html.escape(str(data['effective_dimension'] and round(data['effective_dimension'], 1)))}"
            "<table><thead><tr><th>k</th><th>ratio</th>"
            f"{head}<th>Lissajous</th></tr></thead><tbody>{''.join(rows)}"
            f"<tr><td colspan=2>p-value</td>{p}<td></td></tr></tbody></table>"
            f"<p>Quotients observed / null; * outside the null's band. Step autocorrelation "
            f"(lags 1&ndash;5): {', '.join(f'{v:.2f}' for v in auto['mean_cosine'])}, "
            f"independence test p = {auto['p_value']:.3g}.</p>"
            f"{_laws_html(data)}"
            f"<p><b>Verdict.</b> {html.escape(analysis_report.verdict_text(data))}</p>"
            f"<p><small>Terms: {html.escape(analysis_report.GUIDE)}</small></p></div>"
        )

    def plot(self, path: str | Path | None = None, band: int = 99) -> Any:
        """The window figure (matplotlib Figure); written as PNG when ``path`` is given.

        ``band``: reshuffled walks for null (a)'s band around the Lissajous curve (0: none).
        """
        from rwpca import treeio
        from rwpca.documents import analysis_report
        from rwpca.plots import panels

        figure = analysis_report.figure(self.analysis, self.label, band)
        if path is not None:
            if Path(path).suffix.lower() != ".png":
                raise ValueError(f"path {path} is not allowed: the figure is written as a .png")
            treeio.write_file_atomic(Path(path), panels.to_png(figure))
        return figure

    def to_frame(self) -> Any:
        """One row per tested component: ratio, each null's ratio, quotient, band, Lissajous."""
        pandas = _pandas()
        data = self.analysis.to_json()
        rows = []
        for k in range(1, data["components_tested"] + 1):
            row: dict[str, Any] = {
                "component": k,
                "ratio": data["explained_variance_ratio"][k - 1],
                "lissajous": data["lissajous"][k - 1],
            }
            for name, test in data["tests"].items():
                letter = NULL_LETTERS[name]
                row[f"null_ratio_{letter}"] = data["null_ratios"][name][k - 1]
                row[f"quotient_{letter}"] = test["quotient"][k - 1]
                row[f"band_low_{letter}"], row[f"band_high_{letter}"] = test["quotient_band"][k - 1]
            rows.append(row)
        return pandas.DataFrame(rows).set_index("component")


@dataclass(frozen=True, repr=False)
class SweepReport:
    """A window sweep with its display: the result of :func:`sweep`."""

    sweep: Any  # rwpca.numerics.studies.sweep.Sweep
    label: str

    @property
    def windows(self) -> tuple[Report, ...]:
        """Each window's report."""
        return tuple(Report(a, self.label, a.window[1]) for a in self.sweep.windows)

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, **self.sweep.to_json()}

    def __repr__(self) -> str:
        data = self.sweep.to_json()
        windows = data["windows"]
        counts = ", ".join(
            f"({NULL_LETTERS[n]}) {sum(n in w['verdict']['consistent'] for w in windows)}"
            for n in data["nulls"]
        )
        return (
            f"<rwpca sweep of {self.label}: {len(windows)} windows of {data['size']} "
            f"checkpoints, steps {windows[0]['first_step']}..{windows[-1]['last_step']}; "
            f"windows consistent with each null: {counts}>"
        )

    def text(self) -> str:
        from rwpca.documents.analysis_report import sweep_table

        return "\n".join(sweep_table(self.sweep.to_json())) + "\n"

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(repr(self))}\n\n{html.escape(self.text())}</pre>"

    def plot(self, path: str | Path | None = None) -> Any:
        """The sweep figure; written as PNG when ``path`` is given."""
        from rwpca import treeio
        from rwpca.plots import analysis_figures, panels

        data = self.sweep.to_json()
        figure = analysis_figures.sweep_figure(data, analysis_figures.sweep_title(data, self.label))
        if path is not None:
            if Path(path).suffix.lower() != ".png":
                raise ValueError(f"path {path} is not allowed: the figure is written as a .png")
            treeio.write_file_atomic(Path(path), panels.to_png(figure))
        return figure

    def to_frame(self) -> Any:
        """One row per window: steps, first ratios, Lissajous scores, p-values."""
        pandas = _pandas()
        rows = []
        for w in self.sweep.to_json()["windows"]:
            row: dict[str, Any] = {"first_step": w["first_step"], "last_step": w["last_step"]}
            for k, value in enumerate(w["explained_variance_ratio"], start=1):
                row[f"ratio_{k}"] = value
            for k, value in enumerate(w["lissajous"], start=1):
                row[f"lissajous_{k}"] = value
            for name, p in w["p_values"].items():
                row[f"p_{NULL_LETTERS[name]}"] = p
            row["step_cosine_lag_1"] = w["step_autocorrelation_lag_one"]
            row["p_independent"] = w["step_autocorrelation_p_value"]
            rows.append(row)
        return pandas.DataFrame(rows)


def analyze(
    source: Any,
    window: WindowArg = None,
    *,
    steps: Sequence[int] | None = None,
    nulls: str | Sequence[str] | None = None,
    momentum: float | None = None,
    ou_rate: float | None = None,
    components: int = 5,
    replicates: int = 199,
    alpha: float = 0.05,
    seed: int = 0,
    progress: ProgressArg = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    glob: str | None = None,
) -> Report:
    """PCA of a training trajectory against the random-walk nulls, as `rwpca analyze`.

    ``nulls``: the null models, by name or letter (``"a,c,d"``; all five by default);
    ``momentum`` (gamma of null (d), e.g. the optimizer's 0.9) and ``ou_rate`` (alpha of
    null (e)): estimated from the steps when None. ``progress``: ``"auto"`` (a bar on a
    terminal, a line every 10 s otherwise), ``"bar"``, ``"lines"`` or ``"none"``. See the
    module docstring for sources and windows.
    """
    from rwpca.numerics.nulls.dynamics import check_dynamics
    from rwpca.numerics.trajectories.analysis import analyze_gram, parse_nulls
    from rwpca.numerics.trajectories.sources import open_source

    parse_nulls(nulls)
    check_dynamics(momentum, ou_rate)
    trajectory = open_source(source, include, exclude, glob)
    start, stop = resolve_window(window, trajectory, steps)
    G = trajectory.gram((start, stop), progress=progress)
    sketch = trajectory.sketch.m if trajectory.sketch is not None else None
    result = analyze_gram(
        G, trajectory.d, components, (start, stop), replicates, alpha, seed, progress,
        trajectory.steps[start:stop], sketch, nulls, momentum, ou_rate,
    )  # fmt: skip
    return Report(result, _label(source), trajectory.n)


def sweep(
    source: Any,
    size: int,
    window: WindowArg = None,
    *,
    steps: Sequence[int] | None = None,
    nulls: str | Sequence[str] | None = None,
    momentum: float | None = None,
    ou_rate: float | None = None,
    components: int = 5,
    replicates: int = 199,
    alpha: float = 0.05,
    seed: int = 0,
    progress: ProgressArg = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    glob: str | None = None,
) -> SweepReport:
    """Consecutive windows of ``size`` checkpoints (inside ``window``), each analysed alone."""
    from rwpca.numerics.nulls.dynamics import check_dynamics
    from rwpca.numerics.studies import sweep as sweeps
    from rwpca.numerics.trajectories.analysis import parse_nulls
    from rwpca.numerics.trajectories.sources import open_source

    parse_nulls(nulls)
    check_dynamics(momentum, ou_rate)
    trajectory = open_source(source, include, exclude, glob)
    part = resolve_window(window, trajectory, steps)
    result = sweeps.sweep(
        trajectory, size, part, components, replicates, alpha, seed, progress, nulls,
        momentum, ou_rate,
    )  # fmt: skip
    return SweepReport(result, _label(source))

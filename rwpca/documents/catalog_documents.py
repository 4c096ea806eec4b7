"""The Markdown documents of the catalog: one per entry (its derivation) and the index.

Written with the tables and math of :mod:`rwpca.documents.markdown`. The proofs layer hands
over LaTeX strings and SymPy objects (:class:`~rwpca.proofs.derivation.Display` parts and
:class:`~rwpca.proofs.derivation.Check` statements) and plain prose; only this module decides
how they appear in Markdown: LaTeX as math, prose through :func:`~rwpca.documents.markdown.text`
(shown as written, whatever underscores or stars its ASCII formulas hold).
"""

from __future__ import annotations

from collections.abc import Iterable

from rwpca import __version__
from rwpca.documents.markdown import (
    FOOTER,
    bullets,
    code_block,
    display_math,
    inline_math,
    latex,
    table,
    text,
)
from rwpca.documents.verification_report import REPORT, status_of
from rwpca.plots.figures import FIGURE_CAPTIONS
from rwpca.proofs.catalog import PAPER, Entry, Status
from rwpca.proofs.derivation import Derivation, Display, Step
from rwpca.proofs.processes import PROCESSES

#: What each status means, for the index legend (which lists the statuses its rows use).
STATUS_MEANINGS = {
    Status.PROVEN: "machine-checked for every n",
    Status.VERIFIED: (
        "obtained by a SymPy computation from the matrices (or stated) and confirmed by the "
        f"certified or exact-arithmetic checks of the [verification report]({REPORT})"
    ),
    Status.DERIVED: "obtained by a SymPy computation from the matrices, not yet verified",
    Status.STATED: "stated without derivation, not yet verified",
    Status.REFUTED: f"contradicted by the checks of the [verification report]({REPORT})",
}


def status_legend(statuses: Iterable[Status]) -> str:
    """ "Status: **a** (meaning), ...": the statuses given, in the order of :class:`Status`."""
    used = set(statuses)
    parts = [f"**{status}** ({STATUS_MEANINGS[status]})" for status in Status if status in used]
    return "Status: " + ", ".join(parts) + "."


def render_display(display: Display) -> str:
    """A displayed chain ``a = b = ...`` as display math, with its lead and note."""
    parts: list[str] = []
    for part in display.parts:
        tex = latex(part)
        if not parts or parts[-1] != tex:  # "1 - z = 1 - z" says nothing
            parts.append(tex)
    out = (text(display.lead) + "\n\n" if display.lead else "") + display_math(" = ".join(parts))
    if display.note:
        out += f"\n*({text(display.note)})*\n"
    return out


def render_step(number: int, step: Step) -> str:
    """One derivation step: its prose, displays and checks (each check's LaTeX inline)."""
    out = [f"### Step {number}. {text(step.title)}\n"]
    if step.text:
        out.append(text(step.text) + "\n")
    for display in step.displays:
        out.append(render_display(display))
    for check in step.checks:
        mark = "holds" if check.holds else "FAILS"
        how = text(check.how)
        out.append(f"- **Checked** {inline_math(check.statement)}: {how} — **{mark}**.\n")
    return "\n".join(out)


def _header_table(entry: Entry) -> str:
    process = text(PROCESSES[entry.process].title) if entry.process else "—"
    rows: list[tuple[str, object]] = [
        ("**Status**", status_of(entry)),
        ("**Regime**", f"{entry.regime.kind} — {text(entry.regime.description)}"),
        ("**Comparison with the paper**", text(entry.comparison)),
        ("**Process**", process),
    ]
    if entry.aliases:
        rows.append(("**Also cited as**", ", ".join(f"`{a}`" for a in entry.aliases)))
    return table(("", ""), rows)


def proof_record(entry: Entry, derivation: Derivation) -> str:
    """The proof record of a proven entry: every identity checked, in order, what closed it,
    and the Python that re-runs them all."""
    rows = [
        (
            str(number),
            inline_math(check.statement),
            text(check.how),
            "holds" if check.holds else "FAILS",
        )
        for number, check in enumerate(derivation.checks, start=1)
    ]
    # Python as ruff formats it: ruff also formats the code blocks of Markdown files
    rerun = (
        "from rwpca.proofs.catalog import get\n"
        "from rwpca.proofs.catalog.core import derive_entry\n\n"
        f'for check in derive_entry(get("{entry.id}")).checks:\n'
        '    print(check.holds, check.statement, "--", check.how)'
    )
    return "\n".join(
        [
            "## Proof record\n",
            text(
                "The identities the proof checks, in the order of the derivation, each with "
                "the computation that closes it (a failing one makes the derivation, and "
                "'rwpca derive', fail). To re-run them:"
            )
            + "\n",
            code_block(rerun, "python"),
            table(("#", "identity", "closed by", "result"), rows),
        ]
    )


def _figure(name: str) -> str:
    caption = text(FIGURE_CAPTIONS[name])
    return f"![{caption}](figures/{name}.png)\n\n*{caption}*\n"


def render_entry(entry: Entry, derivation: Derivation, extra_sections: Iterable[str] = ()) -> str:
    """The full Markdown document of one catalog entry."""
    out = [
        f"# `{entry.id}` — {text(entry.title)}\n",
        _header_table(entry),
        "## Statement\n",
        display_math(entry.latex),
        "## Variables\n",
        table(
            ("symbol", "domain"),
            [(f"`{name}`", text(domain)) for name, domain in entry.variables.items()],
        ),
        "## Assumptions\n",
        bullets(text(item) for item in entry.assumptions),
        "## Regime\n",
        f"**{entry.regime.kind}**: {text(entry.regime.description)}.\n",
        "## Source and comparison with the paper\n",
        f"**Source:** {text(PAPER['short'])}, {text(entry.source.section)}.\n",
    ]
    if entry.source.printed_latex:
        out.append("**As printed:**\n")
        out.append(display_math(entry.source.printed_latex))
    if entry.source.note:
        out.append(f"*{text(entry.source.note)}.*\n")
    comparison = derivation.comparison
    out.append(f"**Comparison:** {text(comparison.kind)}. {text(comparison.detail)}\n")
    findings = [*derivation.findings, *entry.notes]
    if findings:
        out.append("## Findings\n")
        out.append(bullets(text(item) for item in findings))
    out.append("## Derivation\n")
    for number, step in enumerate(derivation.steps, start=1):
        out.append(render_step(number, step))
    if entry.status is Status.PROVEN:
        out.append(proof_record(entry, derivation))
    if derivation.figures:
        out.append("## Figures\n")
        for name in derivation.figures:
            out.append(_figure(name))
    for section in extra_sections:
        out.append(section.rstrip() + "\n")
    if entry.related:
        out.append("## Related entries\n")
        out.append(bullets(f"[`{rid}`]({rid}.md)" for rid in entry.related))
    out.append("## Cite\n")
    out.append(f"```\nrwpca cite {entry.id} --format markdown|latex|bibtex|json\n```\n")
    out.append(FOOTER.format(version=__version__))
    return "\n".join(out)


def render_index(
    entries: list[Entry],
    derivations: dict[str, Derivation],
    extra_documents: Iterable[tuple[str, str]] = (),
) -> str:
    """derivations/README.md: a table of all entries, the findings and the figures."""
    rows = [
        (
            f"[`{entry.id}`]({entry.id}.md)",
            text(entry.title),
            f"{entry.regime.kind}: {text(entry.regime.description)}",
            status_of(entry),
            text(entry.comparison),
        )
        for entry in entries
    ]
    out = [
        "# rwpca derivations\n",
        "Every formula of the rwpca catalog with its derivation, regenerated by `rwpca derive` "
        f"from the SymPy code. Source paper: {text(PAPER['authors'])}, *{text(PAPER['title'])}*, "
        f"{text(PAPER['booktitle'])}.\n",
        status_legend(status_of(entry) for entry in entries)
        + " Regime: **exact** at finite n, or **asymptotic** in the stated limit.\n",
        table(("ID", "title", "regime", "status", "comparison with the paper"), rows),
        "## Where the paper and the derivations differ\n",
    ]
    for entry in entries:
        derivation = derivations[entry.id]
        if derivation.comparison.kind.value in ("equal",) and not derivation.findings:
            continue
        items = [
            f"{derivation.comparison.kind}: {derivation.comparison.detail}",
            *derivation.findings,
        ]
        items = [text(item) for item in items]
        out.append(f"**[`{entry.id}`]({entry.id}.md)**\n")
        out.append(bullets(items))
    extra = list(extra_documents)
    if extra:
        out.append("## Further documents\n")
        out.append(bullets(f"[{title}]({path})" for path, title in extra))
    out.append("## Figures\n")
    for name in FIGURE_CAPTIONS:
        out.append(_figure(name))
    out.append(FOOTER.format(version=__version__))
    return "\n".join(out)

"""Every generated document renders on GitHub: tables keep their columns, math arrives intact.

Rendered with cmark-gfm (``cmarkgfm``: GitHub's own GitHub Flavored Markdown renderer, with
its table extension), asking for source positions, so each rendered table row and cell is
tied to its line and columns in the Markdown:

* a table row keeps its columns when it has the header's number of cells and nothing of its
  line is left after its last cell (cmark-gfm silently drops the cells beyond the header's);
* no table is shown as raw pipe text: every line that starts with ``|`` lies inside a
  rendered table (a header whose cells do not match the delimiter row is no table at all);
* every math span reaches the HTML intact: the LaTeX of every ``$`...`$`` and every fenced
  ``math`` block of the source (with GFM's ``\\|`` unescaped in table rows) is, as a multiset,
  the HTML-unescaped text of the math code spans and math blocks of the output, and there is
  no other ``$`` outside code (``$...$`` and ``$$...$$`` are mangled by Markdown's escapes);
* no underscore or tilde of the prose (``(T^-1)_{ts} ... x_{tc}``, ``q ~ 1/n``) turns into
  emphasis or strikethrough: the documents emphasise with ``*`` only, so rendering again with
  every such ``_`` and ``~`` replaced by a letter leaves the emphasis unchanged; and the prose
  of every derivation is shown as written.

Then KaTeX (npm ``katex``, in one Node process) parses every expression GitHub receives and
every ``rwpca cite --format latex`` equation with ``throwOnError``. The KaTeX tests skip when
Node or katex is missing, unless ``RWPCA_KATEX`` names where katex was installed (as
``.ci/run`` does), where a missing katex fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from rwpca.documents import catalog_documents, citations, markdown
from rwpca.documents import generate as generate_module
from rwpca.proofs.catalog import CATALOG, Status, get

OPTIONS = Options.CMARK_OPT_SOURCEPOS | Options.CMARK_OPT_GITHUB_PRE_LANG
KATEX_SCRIPT = Path(__file__).with_name("katex_parse.js")


def render(text: str) -> str:
    """HTML of GitHub Flavored Markdown (tables, autolinks, strikethrough, tag filter)."""
    return cmarkgfm.github_flavored_markdown_to_html(text, options=OPTIONS)


# --- reading the rendered HTML ------------------------------------------------------------


def _position(attrs: list[tuple[str, str | None]]) -> tuple[int, int, int, int] | None:
    """``data-sourcepos="l1:c1-l2:c2"`` as (l1, c1, l2, c2), or None."""
    value = dict(attrs).get("data-sourcepos")
    if not value:
        return None
    match = re.fullmatch(r"(\d+):(\d+)-(\d+):(\d+)", value)
    assert match, value
    a, b, c, d = (int(g) for g in match.groups())
    return a, b, c, d


@dataclass
class Row:
    position: tuple[int, int, int, int]
    cells: list[tuple[tuple[int, int, int, int] | None, str]] = field(default_factory=list)


@dataclass
class Table:
    position: tuple[int, int, int, int]
    rows: list[Row] = field(default_factory=list)


class _Reader(HTMLParser):
    """Tables (rows, cells, source positions) and math (inline and display) of cmark's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.math: list[tuple[str, bool]] = []  # (LaTeX, display)
        self.plain: list[str] = []  # the text a reader sees, in order
        self._cell: list[str] | None = None
        self._code: list[str] | None = None
        self._code_inline = False
        self._math_block = False
        self._before = ""  # the text just before the current inline code span
        self._pending: str | None = None  # an inline code span after a "$", awaiting a "$"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._settle("")
        if tag == "table":
            self.tables.append(Table(_position(attrs)))
        elif tag == "tr":
            self.tables[-1].rows.append(Row(_position(attrs)))
        elif tag in ("td", "th"):
            self._cell = []
            self.tables[-1].rows[-1].cells.append((_position(attrs), ""))
        elif tag == "pre":
            self._math_block = dict(attrs).get("lang") == "math"
        elif tag == "code":
            self._code = []
            self._code_inline = not self._math_block
        if tag != "code":
            self._before = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "code" and self._code is not None:
            text = "".join(self._code)
            if self._math_block:
                self.math.append((text.removesuffix("\n"), True))
            elif self._before.endswith("$"):
                self._pending = text
            self._code = None
            self._code_inline = False
            if self._cell is not None:
                self._cell.append(text)
            return
        self._settle("")
        if tag in ("td", "th") and self._cell is not None:
            row = self.tables[-1].rows[-1]
            row.cells[-1] = (row.cells[-1][0], "".join(self._cell))
            self._cell = None
        elif tag == "pre":
            self._math_block = False
        self._before = ""

    def handle_data(self, data: str) -> None:
        self.plain.append(data)
        if self._code is not None:
            self._code.append(data)
            return
        self._settle(data)
        self._before = data
        if self._cell is not None:
            self._cell.append(data)

    def _settle(self, after: str) -> None:
        """An inline code span is math when a "$" stands right before and right after it."""
        if self._pending is not None:
            if after.startswith("$"):
                self.math.append((self._pending, False))
            self._pending = None


def read_html(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


# --- the checks -----------------------------------------------------------------------------


def _source_math(
    lines: list[str], table_lines: set[int]
) -> tuple[list[tuple[str, bool]], list[str]]:
    """(LaTeX, display) of every math span of the source, and the lines with stray dollars."""
    found, stray = [], []
    fence: str | None = None  # the info string of the open fenced block, if any
    block: list[str] = []  # the lines of the open math block
    for number, line in enumerate(lines, start=1):
        if fence is not None:
            if line.strip() == "```":
                if fence == "math":
                    found.append(("\n".join(block), True))
                fence = None
            elif fence == "math":
                block.append(line)
            continue
        if line.startswith("```"):
            fence, block = line[3:].strip(), []
            continue
        text = line.replace("\\|", "|") if number in table_lines else line
        found += [(tex, False) for tex in re.findall(r"\$`([^`]*)`\$", text)]
        rest = re.sub(r"`[^`]*`", "", re.sub(r"\$`[^`]*`\$", "", text))
        if "$" in rest:
            stray.append(f"line {number}: math outside $`...`$ and ```math blocks: {line!r}")
    return found, stray


#: Where the prose's "_" and "~" are not: math, code spans, link targets, HTML tags.
_NOT_PROSE = re.compile(r"(\$`[^`]*`\$|`[^`]*`|\]\([^)]*\)|<[^>]*>)")
_EMPHASIS = re.compile(r"<(em|strong|del)>(.*?)</\1>", re.S)


def _without_underscores(text: str) -> str:
    """The Markdown with every "_" and "~" of its prose replaced by a letter."""
    out, fence = [], False
    for line in text.split("\n"):
        if line.startswith("```"):
            fence = not fence
        elif not fence:
            parts = _NOT_PROSE.split(line)
            line = "".join(
                part if odd else part.replace("\\_", "U").replace("_", "U").replace("~", "W")
                for odd, part in zip([i % 2 for i in range(len(parts))], parts, strict=True)
            )
        out.append(line)
    return "\n".join(out)


def _stray_emphasis(text: str, html: str) -> list[str]:
    """Emphasis or strikethrough that only "_" or "~" of the prose made."""

    def key(tag: str, inner: str) -> tuple[str, str]:
        return tag, inner.replace("_", "U").replace("~", "W")

    kept = Counter(key(*m) for m in _EMPHASIS.findall(render(_without_underscores(text))))
    found = []
    for tag, inner in _EMPHASIS.findall(html):
        if kept[key(tag, inner)]:
            kept[key(tag, inner)] -= 1
        else:
            found.append(f"an underscore or tilde of the prose makes <{tag}>: {inner[:80]!r}")
    return found


def problems(text: str) -> list[str]:
    """What GitHub would show wrongly of this Markdown (an empty list: nothing)."""
    lines = text.split("\n")
    html = render(text)
    reader = read_html(html)
    found: list[str] = []
    table_lines: set[int] = set()
    for table in reader.tables:
        table_lines.update(range(table.position[0], table.position[2] + 1))
        width = len(table.rows[0].cells)
        for row in table.rows:
            number = row.position[0]
            source = lines[number - 1]
            if len(row.cells) != width or any(pos is None for pos, _ in row.cells):
                found.append(f"line {number}: {len(row.cells)} cells, the header {width}")
                continue
            left = source[row.cells[-1][0][3] :]
            if left.strip() not in ("", "|"):
                found.append(
                    f"line {number}: cells beyond the header's {width} are dropped: {left!r}"
                )
    fence = False
    for number, line in enumerate(lines, start=1):
        if line.startswith("```"):
            fence = not fence
        elif not fence and line.lstrip().startswith("|") and number not in table_lines:
            found.append(f"line {number}: shown as raw pipe text, not in a table: {line!r}")
    written, stray = _source_math(lines, table_lines)
    found += stray
    missing = Counter(written) - Counter(reader.math)
    extra = Counter(reader.math) - Counter(written)
    found += [f"math lost or changed on the way to the HTML: {tex!r}" for tex, _ in missing]
    found += [f"math in the HTML that the source does not hold: {tex!r}" for tex, _ in extra]
    return found + _stray_emphasis(text, html)


def markdown_documents(generated: dict[str, bytes]) -> dict[str, str]:
    """Every generated Markdown document, and the Markdown citation of every entry."""
    documents = {path: data.decode() for path, data in generated.items() if path.endswith(".md")}
    for entry in CATALOG:
        documents[f"cite {entry.id} --format markdown"] = citations.cite(entry, "markdown")
    return documents


def test_every_document_renders(generated):
    documents = markdown_documents(generated)
    assert len(documents) > 2 * len(CATALOG)
    found = {path: p for path, text in documents.items() if (p := problems(text))}
    assert found == {}


def test_every_table_and_formula_is_seen(generated):
    """The checks above look at something: the index row of every entry, every formula."""
    index = read_html(render(generated["README.md"].decode()))
    assert len(index.tables) == 1 and len(index.tables[0].rows) == len(CATALOG) + 1
    for entry, row in zip(CATALOG, index.tables[0].rows[1:], strict=True):
        cells = [text for _, text in row.cells]  # ID, title, regime, status, comparison
        assert cells[0] == entry.id and cells[3] in {str(s) for s in Status}, cells
        assert cells[2] == f"{entry.regime.kind}: {entry.regime.description}"
    ou = generated["ou.distance.md"].decode()
    reader = read_html(render(ou))
    regime = dict((cells[0][1], cells[1][1]) for cells in (r.cells for r in reader.tables[0].rows))
    assert "||x_t||^2 / d concentrates" in regime["Regime"]
    assert (get("ou.distance").latex, True) in reader.math  # the statement, with its \|x_t\|
    momentum = read_html(render(generated["momentum.eigenvalue.md"].decode()))
    (variables,) = (
        t for t in momentum.tables if [c for _, c in t.rows[0].cells] == ["symbol", "domain"]
    )
    domains = {r.cells[0][1]: r.cells[1][1] for r in variables.rows}
    assert domains["gamma"] == "real, |gamma| < 1 (momentum)"


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_prose_is_shown_as_written(generated, derivations):
    """Every sentence of every derivation appears on the page as the proofs layer wrote it."""
    for entry in CATALOG:
        shown = _words("".join(read_html(render(generated[f"{entry.id}.md"].decode())).plain))
        derivation = derivations[entry.id]
        prose = [*entry.assumptions, *entry.variables.values(), *derivation.findings]
        prose += [derivation.comparison.detail, entry.regime.description, entry.title]
        for step in derivation.steps:
            prose += [step.title, step.text, *(check.how for check in step.checks)]
            prose += [d.lead for d in step.displays] + [d.note for d in step.displays]
        missing = [item for item in prose if _words(item) not in shown]
        assert missing == [], entry.id


# --- mutations: the checks fail on what broke the documents before -------------------------


def test_an_underscore_emphasis_is_caught(derivations, monkeypatch):
    assert problems("Then (T^-1)_{ts} = x_{tc} holds.\n") == [
        "an underscore or tilde of the prose makes <em>: '{ts} = x'"
    ]
    assert problems("q ~ 1/n and ~r~ here\n") == [
        "an underscore or tilde of the prose makes <del>: 'r'"
    ]
    monkeypatch.setattr(catalog_documents, "text", str)  # prose no longer escaped
    entry = get("momentum.evr")
    found = problems(catalog_documents.render_entry(entry, derivations[entry.id]))
    assert any("makes <em>: '{ts} = w(t - s + 1)" in p for p in found), found


def test_an_unescaped_pipe_is_caught():
    rows = [("`gamma`", "real, |gamma| < 1"), ("`t`", "integer")]
    good = markdown.table(("symbol", "domain"), rows)
    assert problems(good) == []
    bad = good.replace("\\|", "|")
    assert problems(bad) == [
        "line 3: cells beyond the header's 2 are dropped: '|gamma| < 1 |'"  # "real, " is kept
    ]
    header = "| t | simulated ||x_t||^2 / d | formula |\n|---|---|---|\n| 1 | 2 | 3 |\n"
    found = problems(header)
    assert len(found) == 3 and all("shown as raw pipe text" in p for p in found)


def test_tables_without_escaping_fail(derivations, monkeypatch):
    """Switch the cell escaping off: the documents that broke on GitHub fail the check."""
    monkeypatch.setattr(markdown, "cell", lambda value: "" if value is None else str(value))
    sections = [
        s for provider in generate_module.ENTRY_SECTIONS if (s := provider(get("ou.distance")))
    ]
    ou = catalog_documents.render_entry(get("ou.distance"), derivations["ou.distance"], sections)
    found = problems(ou)
    assert any("dropped" in p and "concentrates" in p for p in found)  # the header row
    assert any("raw pipe text" in p and "simulated ||x_t||^2" in p for p in found)  # evidence
    index = catalog_documents.render_index(list(CATALOG), derivations)
    assert any("dropped" in p for p in problems(index))
    momentum = get("momentum.eigenvalue")
    text = catalog_documents.render_entry(momentum, derivations[momentum.id])
    assert any("dropped" in p and "gamma" in p for p in problems(text))


@pytest.mark.parametrize(
    "text",
    [
        "The set $\\{x \\mid x > 0\\}$ is open.\n",
        "$$\n\\left\\{ a \\,\\middle|\\, b \\right\\}\n$$\n",
    ],
    ids=["dollar", "double dollar"],
)
def test_math_outside_the_safe_forms_is_caught(text):
    found = problems(text)
    assert found and all("math outside" in p for p in found)


def test_dollar_math_in_the_documents_fails(derivations, monkeypatch):
    """Write the documents' math with plain dollars, as before: every formula is flagged."""
    monkeypatch.setattr(catalog_documents, "inline_math", lambda tex: f"${tex}$")
    monkeypatch.setattr(catalog_documents, "display_math", lambda tex: f"$$\n{tex}\n$$\n")
    entry = get("ou.distance")
    found = problems(catalog_documents.render_entry(entry, derivations[entry.id]))
    steps = derivations[entry.id].steps
    checks = sum(len(step.checks) for step in steps)
    blocks = sum(len(step.displays) for step in steps) + 1 + bool(entry.source.printed_latex)
    # one line per check, the opening and closing "$$" of every display and the statement
    assert len([p for p in found if "math outside" in p]) == checks + 2 * blocks


def test_math_written_by_the_writer_arrives_intact():
    """Braces, norms, thin spaces, stars, underscores and row breaks: all survive."""
    inline = r"\left\{ \|x\|^2 \,\middle|\, x_1 * y_2 * z \right\}"
    display = inline + r" \\ a_{b}"
    cell = r"\|x\| + |y|"
    text = (
        f"Inline {markdown.inline_math(inline)}.\n\n"
        + markdown.display_math(display)
        + "\n"
        + markdown.table(("formula",), [(markdown.inline_math(cell),)])
    )
    assert problems(text) == []
    assert read_html(render(text)).math == [(inline, False), (display, True), (cell, False)]


def test_a_changed_formula_is_caught():
    """A formula that the HTML does not hold as written (here: a code span lost its "$")."""
    text = "See $`\\{x\\}`$ and $`y`.\n"
    assert problems(text) == ["line 1: math outside $`...`$ and ```math blocks: " + repr(text[:-1])]
    indented = "A formula:\n\n    $`\\{x\\}`$\n"  # an indented code block: shown as code, not math
    assert problems(indented) == ["math lost or changed on the way to the HTML: '\\\\{x\\\\}'"]
    assert problems("| a |\n|---|\n| $`\\|x\\|`$ |\n") == []  # a norm in a cell, escaped
    assert problems("| a |\n|---|\n| $`|x|`$ |\n") == [  # not escaped: the cell is cut
        "line 3: cells beyond the header's 1 are dropped: '|x|`$ |'",
        "math lost or changed on the way to the HTML: '|x|'",
    ]


# --- KaTeX ----------------------------------------------------------------------------------


def katex_errors(expressions: list[tuple[str, bool]]) -> dict[str, str]:
    """KaTeX's error for each expression it cannot parse (``throwOnError``), in one process."""
    node = shutil.which("node")
    configured = os.environ.get("RWPCA_KATEX")
    if node is None:
        if configured:
            pytest.fail(f"RWPCA_KATEX={configured} is set but Node.js (node) is not on PATH")
        pytest.skip("Node.js is not installed: the KaTeX check needs `node` and npm `katex`")
    result = subprocess.run(
        [node, str(KATEX_SCRIPT)],
        input=json.dumps(expressions),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode == 3:
        reason = result.stderr.strip().splitlines()[0]  # "katex not found: Cannot find ..."
        message = f"{reason}: install it with `npm install --prefix DIR katex`"
        if configured:
            pytest.fail(f"RWPCA_KATEX={configured}: {message}")
        pytest.skip(message + " and set RWPCA_KATEX=DIR")
    assert result.returncode == 0, result.stderr
    errors = json.loads(result.stdout)["errors"]
    assert len(errors) == len(expressions)
    return {tex: error for (tex, _), error in zip(expressions, errors, strict=True) if error}


def _latex_citation(entry_id: str) -> str:
    """The equation environment of ``rwpca cite ID --format latex``, without its label."""
    text = citations.cite(get(entry_id), "latex")
    match = re.search(r"\\begin\{equation\}.*?\\end\{equation\}", text, re.S)
    assert match, text
    # \label is a cross-reference of the LaTeX document, not math: KaTeX has none
    return re.sub(r"\n\s*\\label\{[^}]*\}", "", match[0])


def document_expressions(generated: dict[str, bytes]) -> list[tuple[str, bool]]:
    """Every formula GitHub receives (display or inline), and every LaTeX citation."""
    expressions: dict[tuple[str, bool], None] = {}
    for text in markdown_documents(generated).values():
        expressions.update(dict.fromkeys(read_html(render(text)).math))
    for entry in CATALOG:
        expressions[(_latex_citation(entry.id), True)] = None
    return list(expressions)


def test_katex_parses_every_formula(generated):
    expressions = document_expressions(generated)
    assert sum(display for _, display in expressions) > len(CATALOG)
    assert sum(not display for _, display in expressions) > len(CATALOG)
    assert katex_errors(expressions) == {}


def test_katex_rejects_what_it_cannot_typeset(generated):
    """The KaTeX check can fail: a broken expression among the documents' is reported."""
    sample = document_expressions(generated)[:5]
    broken = [r"\frac{1}{", r"\left( x", r"\sum_{j\nek}"]
    errors = katex_errors([*sample, *((tex, False) for tex in broken)])
    assert sorted(errors) == sorted(broken)
    mangled = (
        r"\left{ x \right."  # what $$ \left\{ x \right. $$ turns into under Markdown's escapes
    )
    assert list(katex_errors([(mangled, True)])) == [mangled]

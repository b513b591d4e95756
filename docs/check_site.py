"""Check a built copy of the documentation site for what a reader would find broken.

Usage: ``python docs/check_site.py SITE_DIR`` after ``mkdocs build --site-dir SITE_DIR``;
it prints one line per problem and exits with status 1 if there is any.

What it looks for, in every HTML page:

- a Sphinx role left as text (``:class:``, ``:func:``, ``:meth:``, ``:data:``, ``:mod:``,
  ``:attr:``, ``:exc:``, ``:obj:``), a reST ``::`` literal marker at the end of a line of
  prose, a doctest ``<BLANKLINE>``, or a cross-reference left as ``<autoref>`` markup;
- a doctest highlighted as Python: a code block whose ``>>>`` lines are not marked as
  prompts, so that the output below them is coloured as if it were code;
- an API reference page that documents a private object (an anchor such as
  ``convshape.layers.convolutional._Conv``) or names one as a base class, or an object
  documented twice;
- a code block wider than the content column. The column shows ``MAX_COLUMNS`` code
  characters at the design width (a 1280-pixel window, both sidebars shown); a block
  with a longer line must either wrap (class ``cs-wrap``, for prose-like text) or scroll
  with a visible scroll bar (class ``cs-scroll``, for tables and diagrams, whose
  alignment wrapping would break), and the site's stylesheet must define both. A block
  that wraps must not hold box-drawing characters.

>>> problems_in_page("api/x.html", "<p>Raises :class:<code>Error</code>.</p>", "")
['api/x.html: unrendered Sphinx role :class: in "Raises :class:…."']
"""

from __future__ import annotations

import html
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

#: Code characters the content column shows without a scroll bar at the design width, a
#: 1280-pixel window (measured in Chromium with the site's stylesheet: 701 pixels of code
#: at 8.18 pixels per character of 13.6-pixel Roboto Mono). docs/assets/convshape.css
#: widens the page on wider screens: 105 characters at 1440 pixels.
MAX_COLUMNS = 85

#: The stylesheet that makes long code blocks wrap or scroll, and the rules it must hold.
STYLESHEET = "assets/convshape.css"
STYLESHEET_RULES = (
    (".cs-wrap", "white-space: pre-wrap"),
    (".cs-scroll", "overflow-x: scroll"),
)

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|data|mod|attr|exc|obj):")
PRIVATE_ANCHOR = re.compile(r'id="(convshape(?:\.\w+)*\._(?!_)\w*)')
BASES = re.compile(r"Bases:(.*?)</p>", re.DOTALL)
PRIVATE_NAME = re.compile(r">(_[A-Za-z]\w*)<")
BOX_DRAWING = re.compile("[\u2500-\u257f]")
HEADING = re.compile(r'<h[1-6] id="(convshape[\w.]*)" class="doc doc-heading"')
PROMPT = '<span class="gp">&gt;&gt;&gt;'

_BLOCK_TAGS = frozenset(
    {"p", "li", "dd", "dt", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "div", "br"}
)


class _Page(HTMLParser):
    """The prose of a page (code left out, one line per block element) and its code
    blocks (the text, the raw HTML and the classes of the ``<pre>``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.prose: list[str] = []
        self.blocks: list[tuple[str, str]] = []
        self._code_depth = 0
        self._pre: list[str] | None = None
        self._pre_classes = ""
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "pre":
            self._pre = []
            self._pre_classes = dict(attrs).get("class") or ""
        elif tag == "code":
            self._code_depth += 1
        elif tag in _BLOCK_TAGS:
            self.prose.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag == "pre" and self._pre is not None:
            self.blocks.append(("".join(self._pre), self._pre_classes))
            self._pre = None
        elif tag == "code":
            self._code_depth -= 1
        elif tag in _BLOCK_TAGS:
            self.prose.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre is not None:
            self._pre.append(data)
        elif self._code_depth:
            self.prose.append("\N{HORIZONTAL ELLIPSIS}")  # code spans hold no prose markers
        else:
            self.prose.append(data)


def _quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def problems_in_page(name: str, source: str, stylesheet: str) -> list[str]:
    """Every problem found in one page (``name`` for the messages, ``source`` its HTML,
    ``stylesheet`` the text of the site's stylesheet, empty when the site has none)."""
    page = _Page()
    page.feed(source)
    page.close()
    problems: list[str] = []
    text = html.unescape(re.sub(r"<[^>]+>", "", source))
    prose = "".join(page.prose)
    for line in (prose + "\n" + "\n".join(block for block, _ in page.blocks)).splitlines():
        problems.extend(
            f'{name}: unrendered Sphinx role {match.group()} in "{_quote(line)}"'
            for match in ROLE.finditer(line)
        )
    for line in prose.splitlines():
        if re.search(r"(?<!:)::\s*$", line):
            problems.append(f'{name}: reST "::" at the end of "{_quote(line)}"')
    if "<BLANKLINE>" in text:
        problems.append(f"{name}: a doctest <BLANKLINE> is shown")
    if "<autoref" in text:
        problems.append(f"{name}: a cross-reference is shown as raw <autoref> markup")
    problems.extend(_code_problems(name, source))
    if "/api/" in f"/{name}":
        problems.extend(
            f"{name}: documents the private object {anchor}"
            for anchor in sorted(set(PRIVATE_ANCHOR.findall(source)))
        )
        problems.extend(
            f"{name}: names the private base class {base}"
            for bases in BASES.findall(source)
            for base in PRIVATE_NAME.findall(bases)
        )
    wide = [block for block, _ in page.blocks if _longest(block) > MAX_COLUMNS]
    if wide and not _styles_long_blocks(stylesheet, source):
        problems.append(
            f"{name}: has code lines over {MAX_COLUMNS} characters but does not link "
            f"{STYLESHEET} with rules for .cs-wrap and .cs-scroll"
        )
    for block, classes in page.blocks:
        width = _longest(block)
        shown = " ".join(classes.split())
        first = _quote(max(block.splitlines(), key=len))
        if width > MAX_COLUMNS and not {"cs-wrap", "cs-scroll"} & set(classes.split()):
            problems.append(
                f"{name}: a code block {width} characters wide (the column shows "
                f'{MAX_COLUMNS}) neither wraps nor scrolls visibly: "{first}"'
            )
        if "cs-wrap" in shown.split() and BOX_DRAWING.search(block):
            problems.append(f'{name}: a table or diagram is wrapped, breaking it: "{first}"')
    return problems


def _longest(block: str) -> int:
    return max((len(line) for line in block.splitlines()), default=0)


def _styles_long_blocks(stylesheet: str, source: str) -> bool:
    if STYLESHEET.rsplit("/", 1)[-1] not in source:
        return False
    compact = " ".join(stylesheet.split())
    return all(
        re.search(re.escape(selector) + r"[^{]*\{[^}]*" + re.escape(rule), compact)
        for selector, rule in STYLESHEET_RULES
    )


def _code_problems(name: str, source: str) -> list[str]:
    """Doctests whose prompts are not highlighted as prompts (highlighted as Python)."""
    problems = []
    for raw in re.findall(r"<pre[^>]*>(.*?)</pre>", source, re.DOTALL):
        lines = html.unescape(re.sub(r"<[^>]+>", "", raw)).splitlines()
        prompts = sum(line.startswith(">>>") for line in lines)
        if prompts > raw.count(PROMPT):
            example = next(line for line in lines if line.startswith(">>>"))
            problems.append(
                f'{name}: a doctest is highlighted as Python, output included: "{_quote(example)}"'
            )
    return problems


def check_site(site: Path) -> list[str]:
    """Every problem found in the HTML pages under ``site``."""
    if not (site / "index.html").is_file():
        return [f"{site}: no index.html; build the site first (mkdocs build --site-dir {site})"]
    css_path = site / STYLESHEET
    stylesheet = css_path.read_text(encoding="utf-8") if css_path.is_file() else ""
    problems: list[str] = []
    documented: dict[str, str] = {}
    for path in sorted(site.rglob("*.html")):
        name = path.relative_to(site).as_posix()
        source = path.read_text(encoding="utf-8")
        problems.extend(problems_in_page(name, source, stylesheet))
        for anchor in HEADING.findall(source):
            if anchor in documented:
                problems.append(
                    f"{name}: {anchor} is documented again (also in {documented[anchor]})"
                )
            documented[anchor] = name
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python docs/check_site.py SITE_DIR", file=sys.stderr)
        return 2
    problems = check_site(Path(argv[0]))
    for problem in problems:
        print(problem)
    pages = len(list(Path(argv[0]).rglob("*.html")))
    verdict = f"{len(problems)} problem(s)" if problems else "no problems"
    print(f"check_site: {pages} pages, {verdict}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

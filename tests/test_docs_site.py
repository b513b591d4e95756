"""The documentation site: docs/check_site.py finds what a reader would find broken, the
render-time fixes (docs/_hooks.py, docs/_griffe/) leave nothing for it to find, and every
public module has an API reference page.

Building the site needs MkDocs, which the ``test`` extra installs (as the ``docs`` extra
does); like an oracle, a missing MkDocs skips the build test locally and fails it with
``CONVSHAPE_REQUIRE_ORACLES=1``, so CI always builds the site and checks it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

import convshape as cs
from convshape._svg import figure_svg
from tests.oracles import oracle

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_site = _load(DOCS / "check_site.py")
hooks = _load(DOCS / "_hooks.py")
STYLESHEET = (DOCS / "assets" / "convshape.css").read_text(encoding="utf-8")
LINK = '<link rel="stylesheet" href="../assets/convshape.css">'
WIDE = "x" * (check_site.MAX_COLUMNS + 1)
TABLE = "│ " + "x" * check_site.MAX_COLUMNS + " │"

# (id, page name, HTML, a fragment of the problem expected; None: no problem)
PAGES = [
    ("clean", "api/a.html", "<p>Returns <code>Pad</code>.</p>", None),
    ("class-role", "api/a.html", "<p>Raises :class:<code>Error</code>.</p>", "role :class:"),
    ("func-role", "a.html", "<p>See :func:<code>f</code>.</p>", "role :func:"),
    ("meth-role", "a.html", "<li>see :meth:<code>f</code></li>", "role :meth:"),
    ("data-role", "a.html", "<p>past :data:<code>MAX</code></p>", "role :data:"),
    ("mod-role", "a.html", "<p>in :mod:<code>m</code></p>", "role :mod:"),
    ("attr-role", "a.html", "<p>the :attr:<code>a</code></p>", "role :attr:"),
    ("role-in-code-block", "a.html", "<pre><code>:class:`X`</code></pre>", "role :class:"),
    ("rest-literal", "a.html", "<p>the formula::</p><pre><code>O = I</code></pre>", '"::"'),
    ("rest-literal-after-code", "a.html", "<p>size <code>k</code>::</p>", '"::"'),
    ("double-colon-in-code", "a.html", "<p>slice <code>a[::2]</code> here</p>", None),
    ("blankline", "a.html", "<pre><code>&lt;BLANKLINE&gt;</code></pre>", "<BLANKLINE>"),
    ("raw-autoref", "a.html", '<p>&lt;autoref identifier="x"&gt;x</p>', "<autoref>"),
    (
        "doctest-as-python",
        "a.html",
        '<pre><code><span class="o">&gt;&gt;&gt;</span> f()\n1</code></pre>',
        "highlighted as Python",
    ),
    (
        "doctest-as-console",
        "a.html",
        '<pre><code><span class="gp">&gt;&gt;&gt; </span>f()\n'
        '<span class="go">1</span></code></pre>',
        None,
    ),
    ("private-anchor", "api/a.html", '<h2 id="convshape.layers.pooling._Pooling">', "private"),
    ("private-anchor-off-api", "a.html", '<h2 id="convshape.x._Y">', None),
    ("dunder-anchor", "api/a.html", '<h3 id="convshape.models.model.Model.__call__">', None),
    ("private-base", "api/a.html", "<p>Bases: <code><span>_Conv</span></code></p>", "_Conv"),
    ("public-base", "api/a.html", "<p>Bases: <code><a>Layer</a></code></p>", None),
    ("wide-unmarked", "a.html", f"{LINK}<pre><code>{WIDE}</code></pre>", "neither wraps"),
    ("wide-no-stylesheet", "a.html", f'<pre class="cs-wrap"><code>{WIDE}</code></pre>', "link"),
    ("wide-wrapped", "a.html", f'{LINK}<pre class="cs-wrap"><code>{WIDE}</code></pre>', None),
    ("table-scrolls", "a.html", f'{LINK}<pre class="cs-scroll"><code>{TABLE}</code></pre>', None),
    ("table-wrapped", "a.html", f'{LINK}<pre class="cs-wrap"><code>{TABLE}</code></pre>', "table"),
    ("narrow", "a.html", f"<pre><code>{'x' * check_site.MAX_COLUMNS}</code></pre>", None),
]


@pytest.mark.parametrize(
    ("name", "source", "expected"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES]
)
def test_check_finds_each_problem(name: str, source: str, expected: str | None) -> None:
    problems: list[str] = check_site.problems_in_page(name, source, STYLESHEET)
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1, problems
        assert expected in problems[0]
        assert problems[0].startswith(f"{name}: ")


def test_check_needs_the_stylesheet_rules() -> None:
    page = f'{LINK}<pre class="cs-wrap"><code>{WIDE}</code></pre>'
    problems: list[str] = check_site.problems_in_page("a.html", page, ".cs-wrap { color: red }")
    assert len(problems) == 1
    assert ".cs-wrap and .cs-scroll" in problems[0]


def test_check_reports_a_missing_site(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(DOCS / "check_site.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "no index.html; build the site first" in result.stdout


def test_doctest_fences_become_console_sessions() -> None:
    markdown = "```python\n>>> f()  # doctest: +ELLIPSIS\n<BLANKLINE>\n...\n```\n```bash\nls\n```"
    assert hooks.console_fences(markdown).splitlines() == [
        "```pycon",
        ">>> f()",
        "",
        "...",
        "```",
        "```bash",
        "ls",
        "```",
    ]


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("x" * check_site.MAX_COLUMNS, None),
        (WIDE, "cs-wrap"),
        (">>> f(" + "1, " * 40 + ")\n...     2)", "cs-wrap"),
        (TABLE, "cs-scroll cs-box"),
        ("input   0   1\n" + WIDE, "cs-scroll"),
        ("│ x │", "cs-box"),
    ],
    ids=["narrow", "prose", "python", "table", "columns", "narrow-table"],
)
def test_wide_blocks_are_marked(text: str, mark: str | None) -> None:
    marked: str = hooks.mark_wide_blocks(f"<pre><code>{text}</code></pre>")
    if mark is None:
        assert marked.startswith("<pre><code>")
    else:
        assert marked.startswith(f'<pre class="{mark}')


def _documented() -> set[str]:
    return {
        match
        for page in (DOCS / "api").rglob("*.md")
        for match in re.findall(r"^::: (\S+)", page.read_text(encoding="utf-8"), re.MULTILINE)
    }


# Public modules without a page of their own, and where they are documented.
UNDOCUMENTED = {
    "convshape": "the API reference's index page lists what `import convshape as cs` gives",
    "convshape.cli": "the command line page (docs/cli.md)",
    "convshape.layers": "one page per layer module",
    "convshape.models": "the models page, per module",
    "convshape.sequential": "kept for old imports: convshape.models.sequential",
}


def test_every_public_module_has_an_api_page() -> None:
    source = ROOT / "src"
    modules = set()
    for path in (source / "convshape").rglob("*.py"):
        parts = list(path.relative_to(source).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if any(part.startswith("_") for part in parts):
            continue
        modules.add(".".join(parts))
    missing = sorted(modules - _documented() - set(UNDOCUMENTED))
    assert not missing, f"public modules with no ::: directive under docs/api: {missing}"


def test_every_api_page_is_in_the_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = sorted(path.relative_to(DOCS).as_posix() for path in (DOCS / "api").rglob("*.md"))
    assert [page for page in pages if page not in nav] == []


def test_built_site_passes_the_check(tmp_path: Path) -> None:
    for module in ("mkdocs", "material", "mkdocstrings"):
        oracle(module)  # skips, or fails when CI requires every oracle
    site = tmp_path / "site"
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert build.returncode == 0, build.stderr[-3000:]
    problems: list[str] = check_site.check_site(site)
    assert problems == []
    conv = (site / "api" / "layers" / "convolutional" / "index.html").read_text(encoding="utf-8")
    signature = conv[conv.index('id="convshape.layers.convolutional.Conv2DTranspose"') :]
    signature = signature[: signature.index("</pre>")]
    for parameter in ("filters", "kernel_size", "strides", "output_padding", "name"):
        assert f">{parameter}<" in signature or f"{parameter}=" in signature, parameter


def test_check_finds_an_object_documented_twice(tmp_path: Path) -> None:
    heading = '<h2 id="convshape.arithmetic.Pad" class="doc doc-heading">Pad</h2>'
    for page in ("index.html", "api/a/index.html", "api/b/index.html"):
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / page).write_text("" if page == "index.html" else heading, encoding="utf-8")
    problems: list[str] = check_site.check_site(tmp_path)
    assert problems == [
        "api/b/index.html: convshape.arithmetic.Pad is documented again (also in api/a/index.html)"
    ]


def test_figures_in_the_docs_are_drawn_by_convshape() -> None:
    """Every ``<!-- figure: ... -->`` in the docs becomes the SVG of that explanation, a
    valid SVG whose input cells are the ones the explanation draws."""
    calls = [
        match["call"]
        for page in sorted(DOCS.rglob("*.md"))
        for match in hooks.FIGURE.finditer(page.read_text(encoding="utf-8"))
    ]
    assert len(calls) >= 3
    for call in calls:
        drawn = hooks.figures(f"before\n\n<!-- figure: {call} -->\n\nafter")
        assert "<!-- figure" not in drawn
        svg = drawn.split('<figure class="cs-figure">', 1)[1].rsplit("</figure>", 1)[0]
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg")
    figure = cs.explain_conv(10, 2, stride=3).figure
    assert figure is not None
    page = hooks.figures("<!-- figure: explain_conv(10, 2, stride=3) -->")
    assert page == f'<figure class="cs-figure">{figure_svg(figure)}</figure>'
    with pytest.raises(ValueError, match="explain_conv, explain_conv_transpose or explain_pool"):
        hooks.figures("<!-- figure: __import__('os').system('true') -->")

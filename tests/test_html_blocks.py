"""The HTML reprs' inline styles, read from the HTML itself (no browser): what keeps them
monospace, left-aligned and unbroken under JupyterLab's and nbconvert's CSS. The rendered
result is measured in Chromium by tests/test_html_render.py."""

from __future__ import annotations

import html.parser

import pytest

from convshape import ConvShapeError
from convshape._html import MONOSPACE, _hang, cell, code, table, text_block
from tests import html_render


class _Elements(html.parser.HTMLParser):
    """Each element's tag, inline style and the text directly inside it; all the text."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        style = dict(attrs).get("style") or ""
        self.elements.append((tag, style))
        if tag not in ("br",):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    return parser


TEXT = "Title of a long line\n  1. a step\n  - a <note> & more\n\n[code] layer: message"


def test_a_text_block_without_its_styles_is_still_the_text() -> None:
    """Each line ends with its newline: a page that drops styles shows the same lines, and
    copying the block copies the text."""
    parsed = _parse(text_block(TEXT))
    assert "".join(parsed.text) == TEXT + "\n"
    assert [tag for tag, _ in parsed.elements][:2] == ["pre", "span"]


@pytest.mark.parametrize("kind", ["text", "code", "rows"])
def test_every_line_carries_its_font_alignment_and_wrapping(kind: str) -> None:
    parsed = _parse(text_block(TEXT, kind=kind))
    block = parsed.elements[1][1]
    assert f"font-family:{MONOSPACE}" in block
    assert "text-align:left" in block
    lines = parsed.elements[2:]
    assert len(lines) == TEXT.count("\n") + 1
    for _, style in lines:
        assert "word-break:normal" in style  # JupyterLab's break-all cuts words otherwise
        assert ("white-space:pre;" if kind == "rows" else "white-space:pre-wrap;") in style


@pytest.mark.parametrize(
    ("line", "kind", "hang"),
    [
        ("  - a note", "text", 4),
        ("  1. a step", "text", 5),
        ("  12. a step", "text", 6),
        ("[size-mismatch] concatenate: message", "text", 16),
        ("Title", "text", 2),
        ("  input 0: x", "text", 4),
        ("", "text", 2),
        ("    return y", "code", 8),
        ("layer = f(x)", "code", 4),
        ("  | 0 1 2 |", "rows", 0),
    ],
)
def test_wrapped_lines_hang_past_their_marker(line: str, kind: str, hang: int) -> None:
    assert _hang(line, kind) == hang


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(
        ConvShapeError, match=r"`kind` must be one of 'text', 'code', 'rows'.*prose"
    ):
        text_block("x", kind="prose")


def test_text_code_and_cells_are_escaped() -> None:
    for page in (text_block("<script>x</script>"), code("<b>"), cell("&lt;i&gt;")):
        assert "<script>" not in page
        assert "<b>" not in page
    assert "&lt;i&gt;" in cell("&lt;i&gt;")


def test_a_table_is_placed_left_and_scrolls_rather_than_squeezes() -> None:
    page = table([cell("a", header=True)], [[cell("1", align="right")]])
    tags = _parse(page).elements
    wrapper, grid = tags[0][1], tags[1][1]
    assert "overflow-x:auto" in wrapper
    for rule in ("margin:0", "table-layout:auto", "text-align:left"):
        assert rule in grid


@pytest.mark.parametrize("case", list(html_render.CASES))
def test_every_repr_styles_its_text_and_cells_inline(case: str) -> None:
    """No bare <pre> (nbconvert's lab template makes it proportional, JupyterLab wraps it
    inside words) and no cell without its own alignment (both right-align cells)."""
    page = html_render.CASES[case]()._repr_html_()
    elements = _parse(page).elements
    for index, (tag, style) in enumerate(elements):
        if tag == "pre":
            styled = index + 1 < len(elements) and "font-family" in elements[index + 1][1]
            assert styled, f"a bare <pre> in {case}"
        if tag in ("td", "th"):
            assert "text-align:" in style, f"a cell without text-align in {case}"
            assert "white-space:" in style, f"a cell without white-space in {case}"
        if tag == "code":
            assert "font-family" in style, f"a <code> without its font in {case}"

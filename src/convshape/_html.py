"""HTML building blocks for the notebook reprs, styled inline so that no page CSS undoes them.

JupyterLab and nbconvert's ``lab`` template style HTML outputs for pandas-like tables and
prose: nbconvert turns an output's ``<pre>`` proportional (``font-family: inherit``),
JupyterLab wraps it anywhere (``white-space: pre-wrap; word-break: break-all``), and both
right-align every table cell, centre tables, drop cell borders and let cells wrap. Every
element built here carries the style it needs in its ``style`` attribute, which outranks
those class rules, so a repr looks the same in JupyterLab, an nbconvert export, VS Code and
a plain page. No scripts, no external resources, every text escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from .errors import ConvShapeError

__all__ = ["KINDS", "MONOSPACE", "cell", "code", "table", "text_block"]

#: JupyterLab's code font when the page defines it, else a monospace font stack. A named
#: font comes first: the generic ``monospace`` alone shrinks the font in Chromium.
MONOSPACE = (
    "var(--jp-code-font-family,Menlo,Consolas,'DejaVu Sans Mono','Liberation Mono',monospace)"
)

_BLOCK = (
    f"font-family:{MONOSPACE};font-size:var(--jp-code-font-size,13px);line-height:1.35;"
    "text-align:left;margin:0;padding:0;border:0;background:none;overflow-x:auto;"
    "max-width:100%"
)
#: Lines that may wrap do so at spaces only (never inside a word or a number); ``rows``
#: never wrap: a diagram or a table drawn in text scrolls sideways instead.
_WRAP = "white-space:pre-wrap;word-break:normal;overflow-wrap:break-word"
_NOWRAP = "white-space:pre;word-break:normal;overflow-wrap:normal"
_MARKER = re.compile(r" *(?:(?:[-*]|\d+\.|\[[^\]\s]*\]) )?")
KINDS = ("text", "code", "rows")


def _hang(line: str, kind: str) -> int:
    """How far a wrapped line's continuation is indented: past the line's indent and its
    marker (``  - ``, ``  1. ``, ``[code] ``) for text, two past the indent of a text line
    without a marker (so that a continuation never looks like a line of its own), four past
    it for code."""
    indent = len(line) - len(line.lstrip(" "))
    if kind == "code":
        return indent + 4
    if kind == "text":
        marker = len(_MARKER.match(line).group())  # type: ignore[union-attr]
        return marker if marker > indent else indent + 2
    return 0


def text_block(text: str, *, kind: str = "text", gap: bool = False, name: str = "text") -> str:
    """``text`` as a monospace, left-aligned ``<pre>``, each line a block of its own.

    Every line keeps its spaces. A ``"text"`` or ``"code"`` line longer than the output
    wraps at spaces with a hanging indent (``padding-left: hang ch; text-indent: -hang ch``);
    ``"rows"`` never wrap. ``gap`` leaves an empty line above the block. Each line ends
    with its newline, so a page that drops the styles still shows the text line by line.

    >>> page = text_block("Title\\n  - a <b> note", name="x")
    >>> page[:40]
    '<pre><span class="convshape-x" style="di'
    >>> page.count("</span>")  # one per line, one for the block
    3
    >>> "padding-left:4ch;text-indent:-4ch" in page  # wraps under "a", past "  - "
    True
    >>> "a &lt;b&gt; note" in page
    True
    """
    if kind not in KINDS:
        raise ConvShapeError(
            f"`kind` must be one of {', '.join(map(repr, KINDS))}",
            argument="kind",
            received={"kind": kind},
        )
    rows = []
    for line in text.split("\n"):
        hang = _hang(line, kind)
        indent = f";padding-left:{hang}ch;text-indent:-{hang}ch" if hang else ""
        rows.append(
            f'<span style="display:block;{_NOWRAP if kind == "rows" else _WRAP}{indent}">'
            f"{html.escape(line)}\n</span>"
        )
    top = ";margin-top:1.35em" if gap else ""
    return (
        f'<pre><span class="convshape-{name}" style="display:block;{_BLOCK}{top}">'
        f"{''.join(rows)}</span></pre>"
    )


def code(text: str) -> str:
    """An inline monospace span of ``text`` (no background or padding from the page).

    >>> code("(None, 7)")
    '<code style="font-family:...">(None, 7)</code>'
    """
    return (
        f'<code style="font-family:{MONOSPACE};font-size:inherit;background:none;padding:0;'
        f'white-space:pre;color:inherit">{html.escape(text)}</code>'
    )


def cell(
    content: str, *, align: str = "left", header: bool = False, wrap: bool = False, style: str = ""
) -> str:
    """A table cell holding ``content`` (HTML, already escaped), aligned as asked; it
    never wraps, or with ``wrap`` wraps at spaces only (never inside a name or a number).

    >>> cell("7", align="right")[:46]
    '<td style="text-align:right;white-space:nowrap'
    """
    tag = "th" if header else "td"
    space = "normal;word-break:normal;overflow-wrap:normal" if wrap else "nowrap"
    return (
        f'<{tag} style="text-align:{align};white-space:{space};vertical-align:top;'
        f'padding:2px 10px 2px 0;border:0;max-width:none;line-height:1.35;{style}">'
        f"{content}</{tag}>"
    )


def table(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, row_style: str = "", name: str = ""
) -> str:
    """A left-placed table: ``header`` cells then ``rows`` of cells (from :func:`cell`),
    in a box that scrolls sideways rather than squeezing the table.

    >>> table([cell("a", header=True)], [[cell("1")]]).count("<tr")
    2
    """
    head = (
        f'<thead><tr style="border:0;border-bottom:1px solid #999">{"".join(header)}</tr></thead>'
    )
    body = "".join(f'<tr style="background:none;{row_style}">{"".join(row)}</tr>' for row in rows)
    klass = f' class="convshape-{name}"' if name else ""
    return (
        f'<div{klass} style="overflow-x:auto;max-width:100%;text-align:left;margin:0 0 4px 0">'
        '<table style="border-collapse:collapse;border-spacing:0;border:0;margin:0;'
        'table-layout:auto;width:auto;text-align:left;font-size:inherit;color:inherit">'
        f"{head}<tbody>{body}</tbody></table></div>"
    )

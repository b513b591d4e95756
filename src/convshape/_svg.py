"""An explanation's diagram as SVG, for notebooks and documentation: the same figure as the
terminal's text (``convshape._diagram``), drawn with coloured cells and a legend.

Pure string building. Every cell, window tap and legend entry carries a ``class`` (and
cells a ``data-position``), so what is drawn can be counted by parsing the XML.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from ._diagram import Figure, drawable, shown, trimmed, what_bars_are, with_gap

#: The monospace fonts every text of the drawing uses, first found first.
FONT = (
    "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', "
    "monospace"
)
#: At most this many positions per row (both ends of a longer axis), and bars.
MAX_CELLS = 33
#: The drawing's width stays within this many pixels (unless its numbers alone are wider).
MAX_WIDTH = 1200
#: The legend wraps within this width (or the drawing's, if wider).
LEGEND_WIDTH = 760.0
MAX_BARS = 12

CELL_HEIGHT = 24
BAR_HEIGHT = 16
CHAR = 7.8  # the width of a character at font-size 13

#: Fill, stroke, dash of each kind of cell; and what the legend calls it.
STYLES = {
    "input": ("#dbeafe", "#2563eb", ""),
    "output": ("#dcfce7", "#16a34a", ""),
    "full": ("#f1f5f9", "#64748b", ""),
    "pad": ("#f8fafc", "#94a3b8", "4 3"),
    "past": ("#e2e8f0", "#64748b", "2 2"),
    "crop": ("#fee2e2", "#dc2626", ""),
    "zero": ("#fef9c3", "#ca8a04", "4 3"),
}
UNREAD = "#b91c1c"
BAR = "#7c3aed"


def figure_svg(figure: Figure) -> str:
    """The figure as an ``<svg>`` element."""
    rows: list[tuple[str, str, Callable[[int], tuple[str, str]]]]
    if figure.transposed:
        rows = [
            ("full output", "full", lambda x: (_full_kind(figure, x), figure.label(x))),
            ("output", "output", lambda x: (figure.kind(x), _output_text(figure, x))),
        ]
        bar_name, marked_row = "input", "output"
    else:
        rows = [("input", "input", lambda x: (figure.kind(x), _input_text(figure, x)))]
        bar_name, marked_row = "output", "input"
    digits = max(len(str(max(figure.stop, -figure.start))), 2)
    cell = max(28.0, digits * CHAR + 10)
    gap = 40.0
    names = [name for name, _, _ in rows] + [f"{bar_name} {max(figure.bars, 1)}"]
    left = max(map(len, names)) * CHAR + 24
    fits = int((MAX_WIDTH - left - gap) // cell) + 1
    cells = shown(figure.start, figure.stop, max(min(MAX_CELLS, fits), 3))
    columns, elision, x_at = _columns(cells, left, cell, gap)
    width = max(x_at + 12, len(_caption(figure)) * CHAR * 1.1 + 24, 420.0)
    body: list[str] = []
    y = 34.0
    body.append(_text(12, 20, _caption(figure), "caption", font_weight="bold"))
    unread = 0
    for name, row, describe in rows:
        body.append(_text(12, y + 16, name, "row-label"))
        for x in cells:
            if x is None:
                body.append(_text(elision, y + 16, "…", "elision", text_anchor="middle"))
                continue
            kind, text = describe(x)
            marked = row == marked_row and figure.unread(x)
            unread += marked
            body.append(_cell(columns[x], y, cell, (row, kind, text), x, marked))
        y += CELL_HEIGHT + 6
    y += 4
    drawn = trimmed(drawable(figure, cells), MAX_BARS)
    one, many = what_bars_are(figure)
    for bar in with_gap(drawn, figure.bars):
        if bar is None:
            left_out = figure.bars - sum(b is not None for b in drawn)
            text = f"… {left_out} more {one if left_out == 1 else many} not drawn"
            body.append(_text(left, y + 12, text, "bar-elision", fill="#475569"))
        else:
            body.append(_bar(figure, bar, columns, cell, y, f"{bar_name} {bar + 1}"))
        y += BAR_HEIGHT + 4
    y += 8
    legend, y, used = _legend(
        figure, cells, unread > 0, any(b is not None for b in drawn), y, max(width, LEGEND_WIDTH)
    )
    width = max(width, used)
    body.append(legend)
    height = y + 8
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="convshape-diagram" '
        f'width="{width:g}" height="{height:g}" viewBox="0 0 {width:g} {height:g}" '
        f'font-family="{escape(FONT)}" font-size="13" role="img" '
        f'aria-label="{escape(_caption(figure))}">' + "".join(body) + "</svg>"
    )


def _columns(
    cells: list[int | None], left: float, cell: float, gap: float
) -> tuple[dict[int, float], float, float]:
    """Where each shown position's cell starts, the middle of the elision, and the end."""
    columns: dict[int, float] = {}
    x_at, elision = left, left
    for x in cells:
        if x is None:
            elision = x_at + gap / 2
            x_at += gap
        else:
            columns[x] = x_at
            x_at += cell
    return columns, elision, x_at


def _full_kind(figure: Figure, x: int) -> str:
    return "full" if 0 <= x < figure.full else "zero"


def _input_text(figure: Figure, x: int) -> str:
    kind = figure.kind(x)
    if kind == "pad":
        return "p" if figure.pool else "0"
    if kind == "past":
        return "-"
    return str(x + 1)


def _output_text(figure: Figure, x: int) -> str:
    return "\N{MULTIPLICATION SIGN}" if figure.kind(x) == "crop" else str(x - figure.before + 1)


def _text(x: float, y: float, text: str, kind: str, **style: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in style.items())
    return f'<text class="{kind}" x="{x:g}" y="{y:g}"{extra}>{escape(text)}</text>'


def _cell(
    x: float, y: float, width: float, what: tuple[str, str, str], position: int, marked: bool
) -> str:
    """One position of a row: ``what`` is the row's name, the cell's kind and its text."""
    row, kind, text = what
    fill, stroke, dash = STYLES[kind]
    classes = f"cell {kind}" + (" unread" if marked else "")
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    parts = [
        f'<g class="{classes}" data-row="{row}" data-position="{position}">',
        f'<rect x="{x + 1:g}" y="{y:g}" width="{width - 2:g}" height="{CELL_HEIGHT}" rx="3" '
        f'fill="{fill}" stroke="{UNREAD if marked else stroke}"'
        f'{dashes} stroke-width="{2 if marked else 1}"/>',
    ]
    if kind == "crop":
        parts.append(
            f'<line x1="{x + 3:g}" y1="{y + CELL_HEIGHT - 3:g}" x2="{x + width - 3:g}" '
            f'y2="{y + 3:g}" stroke="{stroke}" stroke-opacity="0.35"/>'
        )
    if text:
        parts.append(
            f'<text x="{x + width / 2:g}" y="{y + 16:g}" text-anchor="middle">{escape(text)}</text>'
        )
    if marked:
        parts.append(
            f'<path d="M{x + width / 2 - 4:g},{y + CELL_HEIGHT + 6:g} l4,-5 l4,5 z" '
            f'fill="{UNREAD}"/>'
        )
    parts.append("</g>")
    return "".join(parts)


def _bar(
    figure: Figure, bar: int, columns: dict[int, float], cell: float, y: float, name: str
) -> str:
    first = figure.first_tap(bar)
    last = first + figure.k_eff - 1
    kind = "copy" if figure.transposed else "window"
    start, end = columns[first], columns[last] + cell
    parts = [
        f'<g class="{kind}" data-index="{bar + 1}">',
        _text(12, y + 12, name, "bar-label", fill="#475569"),
        f'<path d="M{start + 2:g},{y:g} h{end - start - 4:g} v{BAR_HEIGHT:g} '
        f'h{start - end + 4:g} z" fill="{BAR}" fill-opacity="0.08" stroke="{BAR}" '
        'stroke-opacity="0.35"/>',
        f'<line x1="{start + 4:g}" y1="{y + BAR_HEIGHT / 2:g}" x2="{end - 4:g}" '
        f'y2="{y + BAR_HEIGHT / 2:g}" stroke="{BAR}" stroke-width="1"/>',
    ]
    for x in range(first, last + 1, figure.dilation):
        parts.append(
            f'<rect class="tap" data-position="{x}" x="{columns[x] + 4:g}" y="{y + 2:g}" '
            f'width="{cell - 8:g}" height="{BAR_HEIGHT - 4}" rx="2" fill="{BAR}" '
            'fill-opacity="0.75"/>'
        )
    parts.append("</g>")
    return "".join(parts)


def _caption(figure: Figure) -> str:
    if figure.transposed:
        return "Where each input's kernel copy lands, and which positions the output keeps"
    return "The window of each output position over the input"


def _legend(
    figure: Figure, cells: list[int | None], unread: bool, bars: bool, y: float, width: float
) -> tuple[str, float, float]:
    """The legend's entries from ``y`` on, wrapped within ``width``; its bottom and the
    width it uses."""
    kinds = {figure.kind(x) for x in cells if x is not None}
    entries: list[tuple[str, str]] = []
    if figure.transposed:
        entries.append(("full", "full output position"))
        entries.append(("output", "output position"))
    else:
        entries.append(("input", "input position"))
    if "pad" in kinds:
        entries.append(("pad", "padding" if figure.pool else "zero padding"))
    if "past" in kinds:
        entries.append(("past", "past the end (ceil_mode)"))
    if "crop" in kinds:
        entries.append(("crop", "cropped" if figure.transposed else "removed (negative padding)"))
    if any(x is not None and figure.added(x) for x in cells):
        entries.append(("zero", "zero added"))
    if bars:
        what = "kernel copy of one input" if figure.transposed else "what one window reads"
        skipped = " (gaps: skipped by dilation)" if figure.dilation > 1 else ""
        entries.append(("tap", what + skipped))
    if unread:
        entries.append(("unread", "no input lands here" if figure.transposed else "never read"))
    if None in cells:
        entries.append(("elision", "positions left out"))
    parts = ['<g class="legend">']
    x, used = 12.0, 0.0
    for kind, text in entries:
        span = 26 + len(text) * CHAR + 18
        if x + span > width and x > 12:
            x, y = 12.0, y + 22
        parts.append(f'<g class="legend-entry {kind}">{_swatch(kind, x, y)}')
        parts.append(_text(x + 24, y + 13, text, "legend-text") + "</g>")
        x += span
        used = max(used, x)
    parts.append("</g>")
    return "".join(parts), y + 22, used


def _swatch(kind: str, x: float, y: float) -> str:
    if kind in STYLES:
        fill, stroke, dash = STYLES[kind]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        return (
            f'<rect x="{x:g}" y="{y + 1:g}" width="18" height="16" rx="3" fill="{fill}" '
            f'stroke="{stroke}"{dashes}/>'
        )
    if kind == "tap":
        return (
            f'<rect x="{x:g}" y="{y + 4:g}" width="18" height="10" rx="2" fill="{BAR}" '
            'fill-opacity="0.75"/>'
        )
    if kind == "unread":
        return (
            f'<rect x="{x:g}" y="{y + 1:g}" width="18" height="16" rx="3" fill="#ffffff" '
            f'stroke="{UNREAD}" stroke-width="2"/>'
        )
    return f'<text x="{x + 4:g}" y="{y + 13:g}">…</text>'

"""A frozen copy of ``convshape/_render.py`` before the fast text table (issue 13).

The reference ``benchmarks/bench_render.py`` measures against, in the same run. Not
imported by the library.

Rendering a Summary: Keras's text table (character for character) and HTML.

Keras 3 draws its summary with rich: three fixed-width columns sized from
``positions`` and ``line_length``, shrunk to fit the borders, cells word-wrapped.
This module reproduces that layout with the standard library.
"""

from __future__ import annotations

import functools
import html
import re
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from convshape.summary import Summary, SummaryRow

__all__ = ["default_line_length", "readable_memory_size", "render_summary", "summary_html"]

_WORD = re.compile(r"\s*\S+\s*")


def default_line_length(show_trainable: bool = False, connections: bool = False) -> int:
    """Keras's default: 88 columns (108 with "Connected to"; 12 more with the Trainable
    column), capped by the terminal."""
    length = (108 if connections else 88) + (12 if show_trainable else 0)
    return min(length, shutil.get_terminal_size().columns - 4)


def readable_memory_size(size: float) -> str:
    """Bytes as Keras prints them.

    >>> readable_memory_size(2330944 * 4)
    '8.89 MB'
    >>> readable_memory_size(25472 * 4)
    '99.50 KB'
    """
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def format_shape(shape: object) -> str:
    """A shape as Keras's summary writes it; "?" when unknown; several outputs as Keras
    writes their structure.

    >>> format_shape((None, 7, 7, 256))
    '(None, 7, 7, 256)'
    >>> format_shape([(None, 3), (None, 4)])
    '[(None, 3), (None, 4)]'
    """
    if shape is None:
        return "?"
    if isinstance(shape, tuple):
        return f"({', '.join(str(dim) for dim in shape)})"
    texts = _shape_texts(shape)
    if not isinstance(texts, str) and len(_leaves(texts)) == 1:
        return str(_leaves(texts)[0])
    return str(texts).replace("'", "")


def _shape_texts(shapes: object) -> object:
    if isinstance(shapes, dict):
        return {key: _shape_texts(value) for key, value in shapes.items()}
    if isinstance(shapes, list):
        return [_shape_texts(value) for value in shapes]
    return format_shape(shapes)


def _leaves(texts: object) -> list[object]:
    if isinstance(texts, dict):
        return [leaf for key in sorted(texts) for leaf in _leaves(texts[key])]
    if isinstance(texts, list):
        return [leaf for value in texts for leaf in _leaves(value)]
    return [texts]


def _ratio_reduce(total: int, values: list[int]) -> list[int]:
    """rich's ratio_reduce with equal ratios: take ``total`` off the values evenly."""
    result = []
    remaining, ratio = total, len(values)
    for value in values:
        taken = min(value, round(remaining / ratio))
        result.append(value - taken)
        remaining -= taken
        ratio -= 1
    return result


def _column_widths(line_length: int, positions: Sequence[float]) -> list[int]:
    """Widths of the cells (padding included, borders not), as rich lays them out."""
    requested, current = [], 0
    for position in positions:
        width = int(position * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        requested.append(width)
        current += width
    available = line_length - (len(requested) + 1)
    widths = [min(width + 2, available) for width in requested]
    if sum(widths) > available:
        widths = [
            min(width, reduced)
            for width, reduced in zip(
                widths, _ratio_reduce(sum(widths) - available, widths), strict=True
            )
        ]
    return widths


@functools.lru_cache(maxsize=4096)
def _wrap(text: str, width: int) -> tuple[str, ...]:
    """Word-wrap like rich with its default "ellipsis" overflow: words keep their trailing
    spaces; a word longer than the width gets a line of its own, cut with "…".

    Cached: shapes, counts and class names repeat down a large model's table.
    """
    if len(text) <= width:
        return (text.rstrip(),)
    lines: list[str] = []
    line = ""
    for word in _WORD.findall(text):
        if not line or len(line) + len(word.rstrip()) <= width:
            line += word
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return tuple(_truncate(item.rstrip(), width) for item in lines)


def _truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _justify(text: str, width: int, how: str) -> str:
    if how == "right":
        return text.rjust(width)
    if how == "center":
        left = (width - len(text)) // 2
        return (" " * left + text).ljust(width)
    return text.ljust(width)


@functools.lru_cache(maxsize=4096)
def _cell_lines(cell: str, width: int, align: str) -> tuple[str, ...]:
    """A cell's lines, wrapped, justified and padded to the column's width."""
    return tuple(" " + _justify(line, width - 2, align) + " " for line in _wrap(cell, width - 2))


def _row_lines(
    cells: Sequence[str], widths: Sequence[int], aligns: Sequence[str], bar: str
) -> list[str]:
    columns = [
        _cell_lines(cell, width, align)
        for cell, width, align in zip(cells, widths, aligns, strict=True)
    ]
    height = max(len(lines) for lines in columns)
    if height == 1:
        return [bar + bar.join(lines[0] for lines in columns) + bar]
    blanks = [" " * width for width in widths]
    return [
        bar
        + bar.join(
            lines[index] if index < len(lines) else blank
            for lines, blank in zip(columns, blanks, strict=True)
        )
        + bar
        for index in range(height)
    ]


def _rule(widths: Sequence[int], left: str, fill: str, middle: str, right: str) -> str:
    return left + middle.join(fill * width for width in widths) + right


def _params_cell(row: SummaryRow) -> str:
    if not row.built:
        return "0 (unbuilt)"
    return f"{row.params:,}"


def _trainable_cell(row: SummaryRow) -> str:
    if not row.has_weights:
        return "-"
    return "Y" if row.trainable else "N"


#: Headers of the optional summary columns.
EXTRA_HEADERS = {
    "macs": "MACs",
    "flops": "FLOPs",
    "output_bytes": "Output bytes",
    "receptive_field": "Receptive field",
}


def _extra_cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _extra_totals(summary: Summary) -> list[str]:
    """Totals lines of the optional columns, torchinfo's memory lines among them."""
    totals = dict(summary.totals)
    lines = []
    if "macs" in totals:
        lines.append(f" Total MACs: {totals['macs']:,}")
    if "flops" in totals:
        lines.append(f" Total FLOPs: {totals['flops']:,}")
    for key, label in (
        ("input_bytes", "Input size"),
        ("forward_bytes", "Forward pass size"),
        ("params_bytes", "Params size"),
        ("total_bytes", "Estimated total size"),
    ):
        if key in totals:
            lines.append(f" {label}: {readable_memory_size(totals[key])}")
    return lines


def extra_width(summary: Summary, rows: Sequence[SummaryRow] | None = None) -> int:
    """Columns the optional columns need: their widest cell or header, plus borders."""
    shown = summary.rows if rows is None else rows
    total = 0
    for column in summary.columns:
        texts = [_extra_cell(dict(row.extras).get(column)) for row in shown]
        total += max(len(text) for text in [*texts, EXTRA_HEADERS[column]]) + 4
    return total


def _layout(
    summary: Summary,
    positions: Sequence[float] | None,
    show_trainable: bool,
    line_length: int,
) -> tuple[list[str], list[str], list[float]]:
    """Keras's columns (and the optional ones after them): headers, alignments, positions."""
    header = ["Layer (type)", "Output Shape", "Param #"]
    aligns = ["left", "left", "right"]
    default_positions = [0.45, 0.80, 1.0]
    if summary.connections:
        header.append("Connected to")
        aligns.append("left")
        default_positions = [0.3, 0.56, 0.74, 1.0]
    chosen = list(positions or default_positions)
    if show_trainable:
        chosen = [p * 0.90 for p in chosen] + [1.0]
        header.append("Trainable")
        aligns.append("center")
    extra = summary.columns
    if extra:
        # Optional columns after Keras's, each as wide as its widest cell; Keras's columns
        # keep their proportions in the rest of the line.
        widths = []
        for key in extra:
            texts = [_extra_cell(dict(row.extras).get(key)) for row in summary.rows]
            widths.append(max(len(text) for text in [*texts, EXTRA_HEADERS[key]]) + 4)
        rest = max(line_length - sum(widths), 1) / line_length
        chosen = [p * rest for p in chosen]
        for width in widths:
            chosen.append(chosen[-1] + width / line_length)
        chosen[-1] = 1.0
        header += [EXTRA_HEADERS[key] for key in extra]
        aligns += ["right" if key != "receptive_field" else "left" for key in extra]
    return header, aligns, chosen


def render_summary(
    summary: Summary,
    line_length: int | None = None,
    positions: Sequence[float] | None = None,
    show_trainable: bool = False,
    rows: Sequence[SummaryRow] | None = None,
    console_width: int | None = None,
) -> str:
    """The text Keras 3's ``model.summary()`` prints for this summary.

    ``line_length`` defaults to 88 (100 with ``show_trainable``), Keras's width on a
    wide terminal; ``rows`` selects the rows shown (the totals always cover the model).
    With ``console_width``, lines are fitted to a console that narrow as rich fits
    them: table lines are cut, text lines wrapped.
    """
    connections = summary.connections
    line_length = line_length or (88 if not connections else 108) + (12 if show_trainable else 0)
    if summary.columns and line_length == (108 if connections else 88) + (
        12 if show_trainable else 0
    ):
        line_length += extra_width(summary, rows)
    header, aligns, positions = _layout(summary, positions, show_trainable, line_length)
    extra = summary.columns
    widths = _column_widths(line_length, positions)
    lines = [_rule(widths, "┏", "━", "┳", "┓")]
    lines += _row_lines(header, widths, aligns, "┃")
    lines.append(_rule(widths, "┡", "━", "╇", "┩"))
    shown = summary.rows if rows is None else rows
    between = _rule(widths, "├", "─", "┼", "┤")
    for index, row in enumerate(shown):
        if index:
            lines.append(between)
        prefix = "   " * row.depth + "└ " if row.depth else ""
        cells = [
            f"{prefix}{row.name} ({row.class_name})",
            format_shape(row.output_shape),
            _params_cell(row),
        ]
        if connections:
            cells.append(row.connected_to or "-")
        if show_trainable:
            cells.append(_trainable_cell(row))
        if extra:
            values = dict(row.extras)
            cells += [_extra_cell(values.get(key)) for key in extra]
        lines += _row_lines(cells, widths, aligns, "│")
    lines.append(_rule(widths, "└", "─", "┴", "┘"))
    title = f'Model: "{summary.name}"'
    totals = [
        f" Total params: {summary.total_params:,} ({readable_memory_size(summary.total_bytes)})",
        f" Trainable params: {summary.trainable_params:,} "
        f"({readable_memory_size(summary.trainable_bytes)})",
        f" Non-trainable params: {summary.non_trainable_params:,} "
        f"({readable_memory_size(summary.non_trainable_bytes)})",
        *_extra_totals(summary),
    ]
    if console_width is not None:
        fit = console_width
        lines = [line[:fit] for line in lines]
        wrapped_title = list(_wrap(title, fit))
        totals = [part for line in totals for part in _wrap(line, fit)]
    else:
        wrapped_title = [title]
    return "\n".join([*wrapped_title, *lines, *totals]) + "\n"


def summary_html(summary: Summary) -> str:
    """The summary as a self-contained HTML table (escaped, no scripts, no external
    resources); a functional model's table has Keras's "Connected to" column."""
    esc = html.escape

    def cells(row: SummaryRow) -> str:
        indent = (
            f'<span style="color:#999">{"&nbsp;" * 3 * row.depth}└ </span>' if row.depth else ""
        )
        text = (
            f"<td>{indent}{esc(row.name)} "
            f'<span style="color:#666">({esc(row.class_name)})</span></td>'
            f"<td><code>{esc(format_shape(row.output_shape))}</code></td>"
            f'<td style="text-align:right">{esc(_params_cell(row))}</td>'
        )
        if summary.connections:
            links = "<br>".join(esc(part) for part in (row.connected_to or "-").split(", "))
            text += f'<td style="color:#444"><code>{links}</code></td>'
        values = dict(row.extras)
        for key in summary.columns:
            align = "left" if key == "receptive_field" else "right"
            text += f'<td style="text-align:{align}">{esc(_extra_cell(values.get(key)))}</td>'
        return text

    body = "".join(
        f'<tr style="border-top:1px solid #ddd;vertical-align:top">{cells(row)}</tr>'
        for row in summary.rows
    )
    totals = "".join(
        f"<div><b>{label}:</b> {count:,} ({esc(readable_memory_size(size))})</div>"
        for label, count, size in (
            ("Total params", summary.total_params, summary.total_bytes),
            ("Trainable params", summary.trainable_params, summary.trainable_bytes),
            ("Non-trainable params", summary.non_trainable_params, summary.non_trainable_bytes),
        )
    )
    totals += "".join(
        f"<div><b>{esc(label.strip())}:</b>{esc(rest)}</div>"
        for label, rest in (line.split(":", 1) for line in _extra_totals(summary))
    )
    connected = '<th style="text-align:left">Connected to</th>' if summary.connections else ""
    connected += "".join(
        f'<th style="text-align:right">{esc(EXTRA_HEADERS[key])}</th>' for key in summary.columns
    )
    return (
        '<div class="convshape-summary">'
        f"<div><b>Model: &quot;{esc(summary.name)}&quot;</b></div>"
        '<table style="border-collapse:collapse" cellpadding="3">'
        '<thead><tr><th style="text-align:left">Layer (type)</th>'
        '<th style="text-align:left">Output Shape</th>'
        f'<th style="text-align:right">Param #</th>{connected}</tr></thead>'
        f"<tbody>{body}</tbody></table>{totals}</div>"
    )

"""Rendering a Summary: Keras's text table (character for character) and HTML.

Keras 3 draws its summary with rich: three fixed-width columns sized from
``positions`` and ``line_length``, shrunk to fit the borders, cells word-wrapped.
This module reproduces that layout with the standard library.

Fast without changing a character: the frame of a table (widths, rules, header and a
``"│ %-35s │ %-27s │ %15s │"`` row template) is made once per layout; a row whose
cells fit their columns (most rows) is one ``%`` on that template, and only the cells
that do not fit go through the word wrapper, which slices the text at its spaces (no
regular expression) and is cached by text and width. The module imports only the
built-in ``itertools``: a session's first summary does not load ``re``, ``functools``,
``shutil`` or ``html``.
"""

from __future__ import annotations

from itertools import zip_longest

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Sequence
    from typing import Any

    from .summary import Summary, SummaryRow

__all__ = [
    "counted",
    "default_line_length",
    "readable_memory_size",
    "render_summary",
    "summary_html",
]


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, the noun in the plural unless the count is 1.

    >>> counted(1, "layer"), counted(3, "layer"), counted(0, "zero", "zeros")
    ('1 layer', '3 layers', '0 zeros')
    """
    return f"{count} {noun if count == 1 else (plural or noun + 's')}"


def default_line_length(show_trainable: bool = False, connections: bool = False) -> int:
    """Keras's default: 88 columns (108 with "Connected to"; 12 more with the Trainable
    column), capped by the terminal."""
    # shutil.get_terminal_size's columns, without importing shutil.
    from .models.summarize import terminal_columns  # noqa: PLC0415

    length = (108 if connections else 88) + (12 if show_trainable else 0)
    return min(length, terminal_columns() - 4)


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


def _column_widths(line_length: int, positions: Sequence[float]) -> list[int]:
    """Widths of the cells (padding included, borders not), as rich lays them out."""
    widths, current = [], 0
    for position in positions:
        width = int(position * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    available = line_length - (len(widths) + 1)
    widths = [min(width + 2, available) for width in widths]
    excess = sum(widths) - available
    if excess > 0:
        # rich's ratio_reduce with equal ratios: the excess taken off the widths evenly.
        ratio = len(widths)
        for index, width in enumerate(widths):
            taken = min(width, round(excess / ratio))
            widths[index] = width - taken
            excess -= taken
            ratio -= 1
    return widths


class _Memo:
    """A bounded cache of a function of hashable arguments, with ``functools.lru_cache``'s
    ``cache_clear`` (without importing functools); emptied when full, which is safe with
    threads.

    ``derived`` are caches of values made from this one's; clearing it clears them.
    """

    __slots__ = ("__wrapped__", "cache", "derived", "maxsize")

    def __init__(
        self,
        function: Callable[..., tuple[str, ...]],
        maxsize: int,
        derived: tuple[dict[Any, Any], ...] = (),
    ) -> None:
        self.__wrapped__ = function
        self.cache: dict[tuple[Hashable, ...], tuple[str, ...]] = {}
        self.maxsize = maxsize
        self.derived = derived

    def __call__(self, *args: Hashable) -> tuple[str, ...]:
        cache = self.cache
        value = cache.get(args)
        if value is None:
            value = self.__wrapped__(*args)
            if len(cache) >= self.maxsize:
                cache.clear()
            cache[args] = value
        return value

    def cache_clear(self) -> None:
        """Forget every cached value (and the values made from them)."""
        self.cache.clear()
        for cache in self.derived:
            cache.clear()


def _wrap_text(text: str, width: int) -> tuple[str, ...]:
    """Word-wrap like rich with its default "ellipsis" overflow: words keep their trailing
    spaces; a word longer than the width gets a line of its own, cut with "…".

    A line ends before the first word that would take it past the width (the spaces
    before that word are dropped); the lines are slices of the text, found with
    ``str.split`` (no regular expression).
    """
    if len(text) <= width:
        return (text.rstrip(),)
    if text.isprintable():  # only the ASCII space is printable whitespace
        if " " not in text:  # one word, cut
            return (text[: width - 1] + "…",)
        spaced = text
    else:  # any whitespace separates words
        spaced = "".join([" " if c.isspace() else c for c in text])
    lines = []
    start = position = 0
    first = True  # the first word goes on the first line with the spaces before it
    for word in spaced.split(" "):
        if word:
            if first:
                first = False
            elif position + len(word) - start > width:
                lines.append(text[start:position].rstrip())
                start = position
            position += len(word)
        position += 1
    lines.append(text[start:].rstrip())
    if max(map(len, lines)) > width:  # a word longer than the width, cut
        return tuple([line if len(line) <= width else line[: width - 1] + "…" for line in lines])
    return tuple(lines)


#: Frames of Keras's tables by (line length, positions, show_trainable, connections);
#: made from ``_cell_lines``, cleared with it.
_frames: dict[tuple[object, ...], _Frame] = {}

#: Wrapped lines by (text, width). Cached: shapes, counts and class names repeat down a
#: large model's table.
_wrap = _Memo(_wrap_text, maxsize=8192)


def _justify(text: str, width: int, how: str) -> str:
    if how == "right":
        return text.rjust(width)
    if how == "center":
        left = (width - len(text)) // 2
        return (" " * left + text).ljust(width)
    return text.ljust(width)


def _pad_cell(cell: str, width: int, align: str) -> tuple[str, ...]:
    """A cell's lines, wrapped, justified and padded to the column's width."""
    return tuple(" " + _justify(line, width - 2, align) + " " for line in _wrap(cell, width - 2))


#: A cell's lines by (text, column width, alignment).
_cell_lines = _Memo(_pad_cell, maxsize=8192, derived=(_frames,))


def _row_lines(
    cells: Sequence[str],
    widths: Sequence[int],
    aligns: Sequence[str],
    bar: str,
    bottom: bool = False,
) -> list[str]:
    """The lines of a row, its cells wrapped and side by side: blank under short cells,
    or above them with ``bottom`` (rich aligns a header's cells to the bottom)."""
    columns = [
        _cell_lines(cell, width, align)
        for cell, width, align in zip(cells, widths, aligns, strict=True)
    ]
    height = max(map(len, columns))
    if height == 1:
        return [bar + bar.join([lines[0] for lines in columns]) + bar]
    columns = [
        lines
        if len(lines) == height
        else (" " * width,) * (height - len(lines)) + lines
        if bottom
        else lines + (" " * width,) * (height - len(lines))
        for lines, width in zip(columns, widths, strict=True)
    ]
    return [bar + bar.join(parts) + bar for parts in zip(*columns, strict=True)]


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
    if "buffers" in totals:  # PyTorch's buffers: running statistics, not parameters
        lines.append(f" Buffers: {totals['buffers']:,}")
    for key, label in (
        ("input_bytes", "Input size"),
        ("forward_bytes", "Forward pass size"),
        ("params_bytes", "Params size"),
        ("total_bytes", "Estimated total size"),
    ):
        if key in totals:
            lines.append(f" {label}: {readable_memory_size(totals[key])}")
    return lines


def _extra_widths(summary: Summary, rows: Sequence[SummaryRow]) -> list[int]:
    """Each optional column's width: its widest cell or header, plus borders."""
    widths = []
    for column in summary.columns:
        texts = [_extra_cell(dict(row.extras).get(column)) for row in rows]
        widths.append(max(len(text) for text in [*texts, EXTRA_HEADERS[column]]) + 4)
    return widths


def extra_width(summary: Summary, rows: Sequence[SummaryRow] | None = None) -> int:
    """Columns the optional columns need: their widest cell or header, plus borders."""
    return sum(_extra_widths(summary, summary.rows if rows is None else rows))


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
        widths = _extra_widths(summary, summary.rows)
        rest = max(line_length - sum(widths), 1) / line_length
        chosen = [p * rest for p in chosen]
        for width in widths:
            chosen.append(chosen[-1] + width / line_length)
        chosen[-1] = 1.0
        header += [EXTRA_HEADERS[key] for key in extra]
        aligns += ["right" if key != "receptive_field" else "left" for key in extra]
    return header, aligns, chosen


class _Frame:
    """What a table's rows are drawn in: column widths, the lines above the rows, the
    rules, and the template of a row line (``"│ %-35s │ %-27s │ %15s │"``)."""

    __slots__ = ("aligns", "between", "bottom", "center", "inner", "template", "top", "widths")

    def __init__(self, header: list[str], aligns: list[str], widths: list[int]) -> None:
        self.widths = widths
        self.aligns = aligns
        self.inner = inner = [width - 2 for width in widths]
        # Each cell's text, padded and justified; a blank cell is "". Not with a column
        # too narrow for its padding (rich's own justification is used then).
        cells = [
            f" %-{size}s " if align == "left" else f" %{size}s " if align == "right" else " %s "
            for align, size in zip(aligns, inner, strict=True)
        ]
        self.template = "│" + "│".join(cells) + "│" if min(inner) >= 1 else ""
        #: Columns centred (rich's centring: the odd space on the right, "%s" in the template).
        self.center = [index for index, align in enumerate(aligns) if align == "center"]
        if self.template and all(map(int.__le__, map(len, header), inner)):
            # Keras's headers end with no space and fit: one line, the template's.
            texts = list(header)
            for index in self.center:
                texts[index] = _justify(texts[index], inner[index], "center")
            heading = [("┃" + "┃".join(cells) + "┃") % tuple(texts)]
        else:
            heading = _row_lines(header, widths, aligns, "┃", bottom=True)
        heavy = ["━" * width for width in widths]
        light = ["─" * width for width in widths]
        self.top = ["┏" + "┳".join(heavy) + "┓", *heading, "┡" + "╇".join(heavy) + "┩"]
        self.between = "├" + "┼".join(light) + "┤"
        self.bottom = "└" + "┴".join(light) + "┘"


def _frame(
    summary: Summary,
    positions: Sequence[float] | None,
    show_trainable: bool,
    line_length: int,
) -> _Frame:
    """The table's frame; cached for Keras's columns (the optional columns' widths depend
    on the rows)."""
    if summary.columns:
        header, aligns, chosen = _layout(summary, positions, show_trainable, line_length)
        return _Frame(header, aligns, _column_widths(line_length, chosen))
    key = (
        line_length,
        None if positions is None else tuple(positions),
        show_trainable,
        summary.connections,
    )
    frame = _frames.get(key)
    if frame is None:
        header, aligns, chosen = _layout(summary, positions, show_trainable, line_length)
        frame = _Frame(header, aligns, _column_widths(line_length, chosen))
        if len(_frames) >= 64:
            _frames.clear()
        _frames[key] = frame
    return frame


def _optional_cells(row: SummaryRow, show_trainable: bool, extra: Sequence[str]) -> list[str]:
    """The Trainable and optional cells of a row (after "Connected to")."""
    cells = [_trainable_cell(row)] if show_trainable else []
    if extra:
        values = dict(row.extras)
        cells += [_extra_cell(values.get(key)).rstrip() for key in extra]
    return cells


#: A shape as format_shape writes it, by rank: "(%s, %s)" (str of each dimension).
_SHAPES = ["(" + ", ".join(["%s"] * rank) + ")" for rank in range(9)]


def _add_rows(
    lines: list[str],
    rows: Sequence[SummaryRow],
    frame: _Frame,
    summary: Summary,
    show_trainable: bool,
) -> None:
    """Append the rows' lines (a rule between rows) to ``lines``.

    A cell wraps as its text without trailing whitespace does, so the cells that could
    end with whitespace ("Connected to", the optional columns) are stripped first;
    names, shapes and counts never end with whitespace.
    """
    if not frame.template:  # columns too narrow for their padding
        _add_rows_justified(lines, rows, frame, summary, show_trainable)
        return
    connections = summary.connections
    extra = summary.columns
    optional = show_trainable or bool(extra)
    inner = frame.inner
    name_room, shape_room, params_room = inner[0], inner[1], inner[2]
    connected_room = inner[3] if connections else 0
    template = frame.template
    fill = template.__mod__
    between = frame.between
    wrapped_get = _wrap.cache.get
    first = len(lines)
    connected = ""
    for row in rows:
        lines.append(between)
        depth = row.depth
        name = (
            f"{'   ' * depth}└ {row.name} ({row.class_name})"
            if depth
            else f"{row.name} ({row.class_name})"
        )
        shape = row.output_shape
        shape_text = (
            _SHAPES[len(shape)] % shape
            if type(shape) is tuple and len(shape) < 9
            else format_shape(shape)
        )
        params = f"{row.params:,}" if row.built else "0 (unbuilt)"
        if connections:
            connected = (row.connected_to or "-").rstrip()
        if optional:
            cells = (
                [name, shape_text, params, connected] if connections else [name, shape_text, params]
            )
            lines += _optional_row(cells + _optional_cells(row, show_trainable, extra), frame)
            continue
        if (
            len(name) <= name_room
            and len(shape_text) <= shape_room
            and len(params) <= params_room
            and len(connected) <= connected_room
        ):
            lines.append(
                template % (name, shape_text, params, connected)
                if connections
                else template % (name, shape_text, params)
            )
            continue
        # Cells that fit are one line as they are; the others wrap, a blank under them.
        wrapped = [
            (name,)
            if len(name) <= name_room
            else wrapped_get((name, name_room)) or _wrap(name, name_room),
            (shape_text,)
            if len(shape_text) <= shape_room
            else wrapped_get((shape_text, shape_room)) or _wrap(shape_text, shape_room),
            (params,)
            if len(params) <= params_room
            else wrapped_get((params, params_room)) or _wrap(params, params_room),
        ]
        if connections:
            wrapped.append(
                (connected,)
                if len(connected) <= connected_room
                else wrapped_get((connected, connected_room)) or _wrap(connected, connected_room)
            )
        lines += map(fill, zip_longest(*wrapped, fillvalue=""))
    if len(lines) > first:
        del lines[first]  # no rule before the first row: the header's rule is there


def _optional_row(cells: list[str], frame: _Frame) -> list[str]:
    """The lines of a row with Trainable or optional cells (each stripped already)."""
    wrapped = [_wrap(cell, room) for cell, room in zip(cells, frame.inner, strict=True)]
    height = max(map(len, wrapped))
    wrapped = [part + ("",) * (height - len(part)) for part in wrapped]
    for index in frame.center:
        wrapped[index] = tuple(
            [_justify(line, frame.inner[index], "center") for line in wrapped[index]]
        )
    return [frame.template % parts for parts in zip(*wrapped, strict=True)]


def _add_rows_justified(
    lines: list[str],
    rows: Sequence[SummaryRow],
    frame: _Frame,
    summary: Summary,
    show_trainable: bool,
) -> None:
    """``_add_rows`` for columns too narrow for a template: each cell justified as rich
    does it."""
    for index, row in enumerate(rows):
        if index:
            lines.append(frame.between)
        cells = [f"{row.name} ({row.class_name})", format_shape(row.output_shape)]
        if row.depth:
            cells[0] = "   " * row.depth + "└ " + cells[0]
        cells.append(_params_cell(row))
        if summary.connections:
            cells.append(row.connected_to or "-")
        cells += _optional_cells(row, show_trainable, summary.columns)
        lines += _row_lines(cells, frame.widths, frame.aligns, "│")


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
    default_length = (108 if summary.connections else 88) + (12 if show_trainable else 0)
    line_length = line_length or default_length
    if summary.columns and line_length == default_length:
        line_length += extra_width(summary, rows)
    frame = _frame(summary, positions, show_trainable, line_length)
    lines = list(frame.top)
    _add_rows(lines, summary.rows if rows is None else rows, frame, summary, show_trainable)
    lines.append(frame.bottom)
    title = f'Model: "{summary.name}"'
    # Each total read once (the total is the sum of the two, as Summary defines it).
    trainable, non_trainable = summary.trainable_params, summary.non_trainable_params
    trainable_bytes, non_trainable_bytes = summary.trainable_bytes, summary.non_trainable_bytes
    totals = [
        f" Total params: {trainable + non_trainable:,} "
        f"({readable_memory_size(trainable_bytes + non_trainable_bytes)})",
        f" Trainable params: {trainable:,} ({readable_memory_size(trainable_bytes)})",
        f" Non-trainable params: {non_trainable:,} ({readable_memory_size(non_trainable_bytes)})",
    ]
    if summary.totals:
        totals += _extra_totals(summary)
    if console_width is not None:
        fit = console_width
        if fit < max(map(len, lines)):
            lines = [line[:fit] for line in lines]
        # The title and totals end with no space: those that fit are unchanged.
        if fit < max(len(title), *map(len, totals)):
            return "\n".join([*_wrap(title, fit), *lines, *_fitted(totals, fit)]) + "\n"
    return "\n".join([title, *lines, *totals]) + "\n"


def _fitted(texts: list[str], fit: int) -> list[str]:
    return [part for text in texts for part in _wrap(text, fit)]


def summary_html(summary: Summary) -> str:
    """The summary as a self-contained HTML table (escaped, no scripts, no external
    resources); a functional model's table has Keras's "Connected to" column.

    Every cell is styled inline (see ``convshape._html``): text columns left, numbers right,
    shapes in monospace, the table placed left whatever the page's CSS; only the layer
    column may wrap, at the space before its class name, as Keras's text table does.
    """
    import html  # noqa: PLC0415  (only the HTML rendering needs it)

    from ._html import cell, code, table  # noqa: PLC0415

    esc = html.escape
    muted = '<span style="color:#777">'
    numbers = "font-variant-numeric:tabular-nums"

    def cells(row: SummaryRow) -> list[str]:
        indent = f"{muted}{'&nbsp;' * 3 * row.depth}└ </span>" if row.depth else ""
        text = [
            cell(f"{indent}{esc(row.name)} {muted}({esc(row.class_name)})</span>", wrap=True),
            cell(code(format_shape(row.output_shape))),
            cell(esc(_params_cell(row)), align="right", style=numbers),
        ]
        if summary.connections:
            links = "<br>".join(code(part) for part in (row.connected_to or "-").split(", "))
            text.append(cell(links))
        values = dict(row.extras)
        for key in summary.columns:
            align = "left" if key == "receptive_field" else "right"
            text.append(cell(esc(_extra_cell(values.get(key))), align=align, style=numbers))
        return text

    header = [
        cell("Layer (type)", header=True),
        cell("Output Shape", header=True),
        cell("Param #", header=True, align="right"),
    ]
    if summary.connections:
        header.append(cell("Connected to", header=True))
    header += [
        cell(
            esc(EXTRA_HEADERS[key]),
            header=True,
            align="left" if key == "receptive_field" else "right",
        )
        for key in summary.columns
    ]
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
    rows = table(header, map(cells, summary.rows), row_style="border-top:1px solid #ddd")
    return (
        '<div class="convshape-summary" style="text-align:left">'
        f"<div><b>Model: &quot;{esc(summary.name)}&quot;</b></div>"
        f"{rows}{totals}</div>"
    )

"""A Summary as a self-contained HTML table, styled inline (see ``convshape._html``).

Part of the renderers (:mod:`convshape._render`); the cells' texts are the text table's
(``convshape._summary_cells``).
"""

from __future__ import annotations

from ._summary_cells import EXTRA_HEADERS, _extra_cell, _extra_totals, _params_cell
from ._words import format_shape, readable_memory_size

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from .summary import Summary, SummaryRow


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

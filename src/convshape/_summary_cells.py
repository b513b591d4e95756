"""The texts of a summary's cells and totals that every rendering shares: parameter
counts, the Trainable mark, the optional columns (MACs, FLOPs, output bytes, receptive
field) with their headers and totals lines.

Part of the renderers: the text table (:mod:`convshape._render`) and the HTML
(:mod:`convshape._summary_html`) write the same cells.
"""

from __future__ import annotations

from ._words import readable_memory_size

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from .summary import Summary, SummaryRow


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

"""A model's summary as data, read off its graph as Keras's ``summary_utils`` reads it.

The rows are the model's layers in Keras's order; a functional model that is not a
plain chain gets Keras's "Connected to" column. The table is rendered as Keras prints it.
"""

from __future__ import annotations

import gc
import sys
from _collections_abc import Callable, Sequence
from math import prod

# `import X as X`: the explicit re-export mypy --strict reads (_render and tests use them here).
from .._console import console_columns as console_columns  # noqa: PLC0414
from .._console import terminal_columns as terminal_columns  # noqa: PLC0414
from .._render import default_line_length, extra_width, render_summary
from .._validate import as_int, check_bool, check_callable, check_number
from ..errors import ConvShapeError, _short_repr
from ..summary import Summary, SummaryRow
from .graph import Node, SymbolicTensor, map_structure

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any

if TYPE_CHECKING:
    from ..layers._base import Weight
    from .model import Model

__all__ = ["print_summary", "summarize_model"]


def class_name(operation: Any) -> str:
    """The class name Keras prints: ``Functional`` for a ``Model(inputs, outputs)``."""
    return getattr(operation, "class_name", None) or type(operation).__name__


def sequential_like(model: Model) -> bool:
    """Keras's test for the 3-column layout: one node per depth, each with one input,
    and no layer called twice."""
    if not hasattr(model, "_map"):
        return True
    nodes: list[Node] = []
    for depth_nodes in model._map.nodes_by_depth.values():
        if len(depth_nodes) > 1 or (
            len(depth_nodes) == 1 and len(depth_nodes[0].input_tensors) > 1
        ):
            return False
        nodes += depth_nodes
    ids = {id(node) for node in nodes}
    return all(sum(id(node) in ids for node in layer._inbound_nodes) <= 1 for layer in model.layers)


def _format_shapes(operation: Any) -> Any:
    """The output shape(s) of the operation's last call (Keras's format_layer_shape)."""
    nodes: list[Node] = operation._inbound_nodes
    if not nodes:
        return None
    outputs = nodes[-1].outputs
    if type(outputs) is SymbolicTensor:
        return outputs.shape
    return map_structure(lambda tensor: tensor.shape, outputs)


def _connections(operation: Any, relevant: set[int]) -> str:
    parts = []
    for node in operation._inbound_nodes:
        if relevant and id(node) not in relevant:
            continue
        for tensor in node.input_tensors:
            history = tensor._history
            parts.append(f"{history.operation.name}[{history.node_index}][{history.tensor_index}]")
    return ", ".join(parts) or "-"


def _row(
    operation: Any, depth: int, connections: bool, relevant: set[int], override: bool | None
) -> SummaryRow:
    nodes: list[Node] = operation._inbound_nodes
    built = bool(nodes) or getattr(operation, "_built_at_init", False) or operation.is_keras_op
    if not built:
        weights: tuple[Weight, ...] = ()
    elif operation._is_model:
        weights = tuple(operation.weights)
    else:
        weights = nodes[0].weights if nodes else ()
    # A model's `trainable = False` reaches every layer inside it, as in Keras.
    layer_trainable = operation.trainable is not False and override is not False
    trained = frozen = trained_bytes = frozen_bytes = 0
    for weight in weights:
        size = prod(weight[1])
        if weight[2] and layer_trainable:
            trained += size
            trained_bytes += size * (weight[3] or 4)
        else:
            frozen += size
            frozen_bytes += size * (weight[3] or 4)
    outputs = nodes[-1].outputs if nodes else None
    return SummaryRow(
        operation.name,
        operation.class_name or type(operation).__name__,
        None
        if outputs is None
        else outputs.shape
        if type(outputs) is SymbolicTensor
        else map_structure(_tensor_shape, outputs),
        trained + frozen,
        trained,
        frozen,
        layer_trainable,
        bool(weights),
        trained_bytes,
        frozen_bytes,
        built,
        _connections(operation, relevant) if connections else None,
        depth,
    )


def _tensor_shape(tensor: SymbolicTensor) -> Any:
    return tensor.shape


#: The optional columns a summary can add after Keras's.
OPTIONAL_COLUMNS = ("macs", "flops", "output_bytes", "receptive_field")


def check_columns(columns: Any) -> tuple[str, ...]:
    """Validate the optional summary columns."""
    if columns is None:
        return ()
    if (
        isinstance(columns, str)
        or not isinstance(columns, (list, tuple))
        or not all(isinstance(c, str) for c in columns)
    ):
        raise TypeError(
            "`columns` must be a list or tuple of column names. "
            f"Received: columns={_short_repr(columns)}"
        )
    for column in columns:
        if column not in OPTIONAL_COLUMNS:
            raise ConvShapeError(
                f"`columns` may hold {', '.join(map(repr, OPTIONAL_COLUMNS))} (Keras's columns "
                "always come first)",
                argument="columns",
                received={"columns": columns},
            )
    return tuple(columns)


def _extras(model: Model, columns: tuple[str, ...], batch_size: int) -> tuple[Any, Any]:
    """Per layer name, the optional columns' values; and their totals."""
    from ..costs import cost  # noqa: PLC0415  (costs and fields build on this module)
    from ..receptive import receptive_fields  # noqa: PLC0415

    values: dict[str, dict[str, Any]] = {}
    totals: list[tuple[str, int]] = []
    if any(column != "receptive_field" for column in columns):
        report = cost(model, batch_size=batch_size)
        for row in report.layers:
            if row.depth:
                continue
            found = values.setdefault(row.name, {})
            for key in ("macs", "flops", "output_bytes"):
                found[key] = found.get(key, 0) + getattr(row, key)
        memory = report.memory
        totals = [
            ("macs", report.macs),
            ("flops", report.flops),
            ("input_bytes", memory.input_bytes),
            ("forward_bytes", memory.forward_bytes),
            ("params_bytes", memory.params_bytes),
            ("total_bytes", memory.total_bytes),
        ]
    if "receptive_field" in columns:
        for fields in receptive_fields(model):
            values.setdefault(fields.name, {})["receptive_field"] = _field_text(fields)
    return values, tuple(totals)


def _field_text(fields: Any) -> str | None:
    """A receptive field in a table cell: its size and jump per axis (``3x3, jump 1/2``)."""
    axes = fields.fields
    if not axes:
        return None
    if all(axis.whole for axis in axes):
        return "whole input"
    sizes = "x".join("?" if axis.size is None else str(axis.size) for axis in axes)
    jumps = {str(axis.jump) for axis in axes}
    jump = jumps.pop() if len(jumps) == 1 else "x".join(str(axis.jump) for axis in axes)
    return f"{sizes}, jump {jump}"


def summarize_model(
    model: Model,
    expand_nested: bool = False,
    columns: Any = None,
    batch_size: int = 1,
) -> Summary:
    """The rows (nested models' layers too with ``expand_nested``) and the totals; with
    ``columns``, the optional columns' values and totals."""
    chosen = check_columns(columns)
    connections = not sequential_like(model)
    relevant: set[int] = set()
    if connections:
        relevant = {id(node) for nodes in model._map.nodes_by_depth.values() for node in nodes}
    # A functional model's rows are its operations (inputs and ops too); a Sequential's
    # its layers.
    layers = model.operations if model.class_name == "Functional" else model.layers
    rows: list[SummaryRow] = []

    def add(operation: Any, depth: int, override: bool | None) -> None:
        rows.append(_row(operation, depth, connections, relevant, override))
        if expand_nested and getattr(operation, "_is_model", False) and operation.layers:
            inner_override = override if override is not None else operation._layers_trainable
            for inner in operation.layers:
                add(inner, depth + 1, inner_override)

    collecting = gc.isenabled()
    gc.disable()  # a row per layer, none of them garbage
    try:
        override = model._layers_trainable
        if expand_nested:
            for operation in layers:
                add(operation, 0, override)
        else:
            rows.extend([_row(op, 0, connections, relevant, override) for op in layers])
    finally:
        if collecting:
            gc.enable()
    inputs = [tensor.shape for tensor in model._inputs]
    input_shape = None if not inputs else inputs[0] if len(inputs) == 1 else inputs
    weights = model._all_weights()
    totals: tuple[tuple[str, int], ...] = ()
    if chosen:
        values, totals = _extras(model, chosen, batch_size)
        rows = [
            row._replace(
                extras=tuple((key, values.get(row.name, {}).get(key)) for key in chosen),
            )
            if row.depth == 0
            else row
            for row in rows
        ]
    return Summary(
        model.name,
        tuple(rows),
        input_shape,
        model.trainable,
        connections=connections,
        weights=tuple(weights),
        columns=chosen,
        totals=tuple((key, value) for key, value in totals if _shown(key, chosen)),
    )


def _shown(total: str, columns: tuple[str, ...]) -> bool:
    if total in ("macs", "flops"):
        return total in columns
    return "output_bytes" in columns


#: The widest table printed: wider than any screen, and a bound on the text built.
MAX_LINE_LENGTH = 10_000


def print_summary(
    model: Model,
    line_length: int | None,
    positions: Sequence[float] | None,
    print_fn: Callable[..., Any] | None,
    expand_nested: bool,
    show_trainable: bool,
    layer_range: Sequence[str] | None,
    columns: Any = None,
    batch_size: int = 1,
) -> None:
    """Print (or pass to ``print_fn``) the text Keras's ``model.summary()`` prints, with
    the optional ``columns`` after Keras's."""
    if line_length is not None:
        line_length = as_int(line_length, "line_length")
        if not 1 <= line_length <= MAX_LINE_LENGTH:
            raise ConvShapeError(
                f"`line_length` must be between 1 and {MAX_LINE_LENGTH:,} characters",
                argument="line_length",
                received={"line_length": line_length},
            )
    show_trainable = check_bool(show_trainable, "show_trainable")
    expand_nested = check_bool(expand_nested, "expand_nested")
    if positions is not None:
        positions = _check_positions(positions)
    if print_fn is not None:
        check_callable(print_fn, "print_fn")
    summary = summarize_model(
        model, expand_nested=expand_nested, columns=columns, batch_size=batch_size
    )
    rows: Sequence[SummaryRow] = summary.rows
    if layer_range is not None:
        rows = _select_rows(rows, layer_range)
    extra = extra_width(summary, rows)
    try:
        text = render_summary(
            summary,
            line_length or default_line_length(show_trainable, summary.connections) + extra,
            positions,
            show_trainable,
            rows,
            # Keras's table is cut to rich's console as rich cuts it; one with more
            # columns than Keras's is printed whole.
            console_width=None if summary.columns else console_columns(print_fn is None),
        )
    except ValueError as error:  # the renderer's, as Keras's: a column too narrow or missing
        rule = (
            "Insufficient console width to print summary: `line_length` and `positions` "
            "leave a column narrower than 4 characters"
            if "Insufficient" in str(error)
            else "`positions` must give one end position per column"
        )
        raise ConvShapeError(
            rule,
            argument="positions",
            received={"line_length": line_length, "positions": positions},
        ) from None
    if print_fn is None:
        sys.stdout.write(text)
    else:
        print_fn(text)


def _check_positions(positions: object) -> tuple[float, ...]:
    """Keras's ``positions``: where each column ends, as fractions of ``line_length``."""
    if not isinstance(positions, (list, tuple)):
        raise TypeError(
            "`positions` must be a list of the columns' end positions (fractions of "
            f"`line_length`), not {type(positions).__name__}. "
            f"Received: positions={_short_repr(positions)}"
        )
    chosen = tuple(check_number(position, "positions") for position in positions)
    if not all(0 < position <= 1 for position in chosen):  # NaN fails too
        raise ConvShapeError(
            "`positions` must be fractions of `line_length` in (0, 1]",
            argument="positions",
            received={"positions": positions},
        )
    return chosen


def _select_rows(rows: Sequence[SummaryRow], layer_range: Sequence[str]) -> tuple[SummaryRow, ...]:
    """Keras's layer_range: from the first top-level layer matching the start to the last
    matching the end, each with its nested rows."""
    if (
        not isinstance(layer_range, (list, tuple))
        or len(layer_range) != 2
        or not all(isinstance(item, str) for item in layer_range)
    ):
        raise ConvShapeError(
            "`layer_range` must be two layer names (or patterns)",
            argument="layer_range",
            received={"layer_range": layer_range},
        )
    import re  # noqa: PLC0415  (costs milliseconds; only layer_range needs it)

    try:  # patterns, as Keras reads them
        starts, ends = re.compile(layer_range[0]), re.compile(layer_range[1])
    except re.error as error:
        raise ConvShapeError(
            f"`layer_range` must hold layer names or regular expressions ({error})",
            argument="layer_range",
            received={"layer_range": layer_range},
        ) from None
    top = [i for i, row in enumerate(rows) if row.depth == 0]
    lower = [n for n, i in enumerate(top) if starts.match(rows[i].name)]
    upper = [n for n, i in enumerate(top) if ends.match(rows[i].name)]
    if not lower or not upper:
        raise ConvShapeError(
            "`layer_range` does not match the names of the layers in the model",
            argument="layer_range",
            received={"layer_range": layer_range},
        )
    first, last = (min(upper), max(lower)) if min(lower) > max(upper) else (min(lower), max(upper))
    end = top[last + 1] if last + 1 < len(top) else len(rows)
    return tuple(rows[top[first] : end])

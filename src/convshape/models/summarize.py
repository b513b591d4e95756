"""A model's summary as data, read off its graph as Keras's ``summary_utils`` reads it.

The rows are the model's layers in Keras's order; a functional model that is not a
plain chain gets Keras's "Connected to" column. Rendering is ``convshape._render``'s.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .._render import default_line_length, render_summary
from ..errors import ConvShapeError
from ..summary import Summary, SummaryRow
from .graph import Node, SymbolicTensor, map_structure, operation_weights

if TYPE_CHECKING:
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
    is_op = getattr(operation, "is_keras_op", False)
    built = bool(nodes) or getattr(operation, "_built_at_init", False) or is_op
    weights = operation_weights(operation) if built else ()
    # A model's `trainable = False` reaches every layer inside it, as in Keras.
    layer_trainable = bool(getattr(operation, "trainable", True)) and override is not False
    counts = [0, 0]  # scalars: non-trainable, trainable
    sizes = [0, 0]  # bytes
    for weight in weights:
        trains = int(weight.trainable and layer_trainable)
        size = weight.size
        counts[trains] += size
        sizes[trains] += size * (weight.itemsize or 4)
    return SummaryRow(
        operation.name,
        class_name(operation),
        _format_shapes(operation),
        counts[0] + counts[1],
        counts[1],
        counts[0],
        trainable=layer_trainable,
        has_weights=bool(weights),
        trainable_bytes=sizes[1],
        non_trainable_bytes=sizes[0],
        built=built,
        connected_to=_connections(operation, relevant) if connections else None,
        depth=depth,
    )


def summarize_model(model: Model, expand_nested: bool = False) -> Summary:
    """The rows (nested models' layers too with ``expand_nested``) and the totals."""
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

    for operation in layers:
        add(operation, 0, model._layers_trainable)
    inputs = [tensor.shape for tensor in model._inputs]
    input_shape = None if not inputs else inputs[0] if len(inputs) == 1 else inputs
    pairs = model._layer_weights()
    weights = [weight for _, found in pairs for weight in found]
    return Summary(
        model.name,
        tuple(rows),
        input_shape,
        model.trainable,
        connections=connections,
        weights=tuple(weights),
    )


def print_summary(
    model: Model,
    line_length: int | None,
    positions: Sequence[float] | None,
    print_fn: Callable[..., Any] | None,
    expand_nested: bool,
    show_trainable: bool,
    layer_range: Sequence[str] | None,
) -> None:
    """Print (or pass to ``print_fn``) the text Keras's ``model.summary()`` prints."""
    summary = summarize_model(model, expand_nested=expand_nested)
    rows: Sequence[SummaryRow] = summary.rows
    if layer_range is not None:
        rows = _select_rows(rows, layer_range)
    text = render_summary(
        summary,
        line_length or default_line_length(show_trainable, summary.connections),
        positions,
        show_trainable,
        rows,
        console_width=shutil.get_terminal_size().columns,
    )
    if print_fn is None:
        sys.stdout.write(text)
    else:
        print_fn(text)


def _select_rows(rows: Sequence[SummaryRow], layer_range: Sequence[str]) -> tuple[SummaryRow, ...]:
    """Keras's layer_range: from the first top-level layer matching the start to the last
    matching the end, each with its nested rows."""
    if len(layer_range) != 2 or not all(isinstance(item, str) for item in layer_range):
        raise ConvShapeError(
            "`layer_range` must be two layer names (or patterns)",
            argument="layer_range",
            received={"layer_range": layer_range},
        )
    top = [i for i, row in enumerate(rows) if row.depth == 0]
    lower = [n for n, i in enumerate(top) if re.match(layer_range[0], rows[i].name)]
    upper = [n for n, i in enumerate(top) if re.match(layer_range[1], rows[i].name)]
    if not lower or not upper:
        raise ConvShapeError(
            "`layer_range` does not match the names of the layers in the model",
            argument="layer_range",
            received={"layer_range": layer_range},
        )
    first, last = (min(upper), max(lower)) if min(lower) > max(upper) else (min(lower), max(upper))
    end = top[last + 1] if last + 1 < len(top) else len(rows)
    return tuple(rows[top[first] : end])

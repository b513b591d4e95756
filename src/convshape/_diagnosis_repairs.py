"""The repairs :func:`~convshape.diagnose` tries on a model whose merge inputs differ, each
applied at every failing merge in turn and kept when the whole model then runs:

- ``crop``: a ``Cropping*D`` on the longer inputs, down to the shortest;
- ``pad``: a ``ZeroPadding*D`` on the shorter inputs, up to the longest;
- ``output-padding``: a transposed convolution's ``output_padding`` (and ``padding``) that
  reaches the other input's length;
- ``same-padding``: ``padding="same"`` on the strided layers that floor a length their
  stride does not divide.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence

from ._core import split
from ._diagnosis_graph import Edit, Trace, ancestors, chain_nodes, differing_axes, is_merge, run
from ._geometry import AxisWindow, windowed
from ._types import Pad
from ._validate import Shape
from .arithmetic import conv_transpose_output_length
from .errors import ConvShapeError, ConvShapeWarning
from .layers import reshaping
from .layers._base import Layer
from .models.graph import Node
from .models.model import Model

__all__ = ["REPAIRS", "Repair", "repair"]

#: A repair at one failing merge: (model, the merge's node, the run, the differing axes, the
#: edits made so far) -> the edits it adds (none: it cannot repair this merge).
Repair = Callable[[Model, Node, Trace, tuple[int, ...], list[Edit]], list[Edit]]


def repair(model: Model, shapes: list[Shape], strategy: Repair) -> list[Edit] | None:
    """Apply ``strategy`` at each failing merge in turn until the model accepts the
    input (then return the edits), or give up."""
    edits: list[Edit] = []
    for _ in range(len(model.operations) + 1):
        trace = run(model, shapes, edits)
        if trace.failed is None:
            return edits
        node = trace.failed
        axes = differing_axes(node.operation, trace.inputs) if is_merge(node.operation) else ()
        if not axes:
            return None
        found = strategy(model, node, trace, axes, edits)
        if not found:
            return None
        edits.extend(found)
    return None


# -- crop or pad before the merge --------------------------------------------------


def _targets(
    shapes: list[Shape], axes: tuple[int, ...], pick: Callable[[Iterable[int]], int]
) -> dict[int, int]:
    return {
        axis: pick(n for shape in shapes if (n := shape[axis]) is not None and n != 1)
        for axis in axes
    }


def _spatial_layer(family: str, rank: int, amounts: list[tuple[int, int]]) -> Layer:
    cls = getattr(reshaping, f"{family}{rank}D")
    value: tuple[int, int] | tuple[tuple[int, int], ...] = (
        amounts[0] if rank == 1 else tuple(amounts)
    )
    layer: Layer = cls(value)
    return layer


def _resize(
    node: Node, trace: Trace, axes: tuple[int, ...], target: dict[int, int], family: str
) -> list[Edit]:
    edits = []
    for position, shape in enumerate(trace.inputs):
        rank = len(shape) - 2
        amounts = []
        for axis in range(1, rank + 1):
            difference = 0
            length = shape[axis]
            if axis in axes and length is not None and length != 1:
                difference = length - target[axis]
                if family == "ZeroPadding":
                    difference = -difference
            half = split(difference)  # the odd one after, as "same" does
            amounts.append((half.before, half.after))
        if any(a or b for a, b in amounts):
            if any(a < 0 or b < 0 for a, b in amounts):
                return []
            layer = _spatial_layer(family, rank, amounts)
            edits.append(
                Edit(
                    f"{type(layer).__name__}({_amounts(amounts)}) on input {position} of "
                    f"{node.operation.name}",
                    node.operation.name,
                    layer,
                    position,
                    id(node),
                )
            )
    return edits


def _amounts(amounts: list[tuple[int, int]]) -> str:
    return str(amounts[0]) if len(amounts) == 1 else str(tuple(amounts))


def _crop(
    model: Model, node: Node, trace: Trace, axes: tuple[int, ...], edits: list[Edit]
) -> list[Edit]:
    return _resize(node, trace, axes, _targets(trace.inputs, axes, min), "Cropping")


def _pad(
    model: Model, node: Node, trace: Trace, axes: tuple[int, ...], edits: list[Edit]
) -> list[Edit]:
    return _resize(node, trace, axes, _targets(trace.inputs, axes, max), "ZeroPadding")


# -- output_padding of a transposed convolution ------------------------------------


def _transposed_windows(operation: object) -> Sequence[AxisWindow]:
    """The windows of a Keras transposed convolution; empty for anything else."""
    windows = windowed(operation) if isinstance(operation, Layer) else None
    if windows is None or not windows.geometry[0].transposed:
        return ()
    return windows.geometry


def _output_padding(
    model: Model, node: Node, trace: Trace, axes: tuple[int, ...], edits: list[Edit]
) -> list[Edit]:
    """Give the transposed convolution on each mismatched input the output_padding (and
    padding) that reaches the length of the input without one."""
    ancestry = [ancestors(tensor) for tensor in node.input_tensors]
    replaced = {edit.replace[0] for edit in edits if edit.replace}
    for position, tensor in enumerate(node.input_tensors):
        others = set().union(*(a for i, a in enumerate(ancestry) if i != position))
        transposed = [
            n
            for n in chain_nodes(tensor, others)
            if _transposed_windows(n.operation) and id(n.operation) not in replaced
        ]
        if not transposed:
            continue
        target_shape = next(
            (s for i, s in enumerate(trace.inputs) if i != position), trace.inputs[position]
        )
        layer_node = transposed[0]
        new = _retuned(layer_node, trace, target_shape, axes)
        if new is None:
            continue
        windows = _transposed_windows(new)
        ops = tuple(window.output_padding for window in windows)
        edit = Edit(
            f"{layer_node.operation.name} ({type(layer_node.operation).__name__}): "
            f"padding={windows[0].padding!r}, output_padding={ops}",
            layer_node.operation.name,
            new,
            key=id(layer_node.operation),
        )
        if run(model, _first_shapes(model, trace), [*edits, edit]).failed is not node:
            return [edit]
    return []


def _first_shapes(model: Model, trace: Trace) -> list[Shape]:
    return [trace.shapes[id(tensor)] for tensor in model._inputs]


def _retuned(node: Node, trace: Trace, target: Shape, axes: tuple[int, ...]) -> Layer | None:
    """The transposed convolution of ``node`` with the padding (its own first, then "same"
    and "valid") and the output_padding per axis that give the lengths of ``target`` along
    ``axes`` and its own elsewhere; None when none does."""
    layer: Layer = node.operation
    geometry = _transposed_windows(layer)
    source = trace.shapes.get(id(node.input_tensors[0]))
    output = trace.shapes.get(id(node.output_tensors[0]))
    if source is None or output is None:
        return None
    for padding in dict.fromkeys((geometry[0].padding, "same", "valid")):
        ops = []
        for window in geometry:
            axis = window.axis
            want = target[axis] if axis in axes else output[axis]
            choice = next(
                (
                    op
                    for op in range(window.stride)
                    if _length(source[axis], window, padding, op) == want
                ),
                None,
            )
            if choice is None:
                break
            ops.append(choice)
        else:
            try:
                return layer._replace(padding=padding, output_padding=tuple(ops))
            except ConvShapeError:
                continue
    return None


def _length(size: int | None, window: AxisWindow, padding: str | Pad, op: int) -> int | None:
    if size is None:
        return None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            length = conv_transpose_output_length(
                size, window.kernel, window.stride, padding, op, window.dilation
            )
        except ConvShapeError:
            return None
    # A length Keras predicts but TensorFlow refuses to run is no fix.
    if any(issubclass(w.category, ConvShapeWarning) for w in caught):
        return None
    return length


# -- padding="same" on the layers that floor ---------------------------------------


def _same_padding(
    model: Model, node: Node, trace: Trace, axes: tuple[int, ...], edits: list[Edit]
) -> list[Edit]:
    """``padding="same"`` on the strided layers that floor an odd size."""
    found = []
    replaced = {edit.replace[0] for edit in edits if edit.replace}
    for tensor in node.input_tensors:
        for upstream in chain_nodes(tensor, set()):
            layer = upstream.operation
            if not isinstance(layer, Layer) or id(layer) in replaced:
                continue
            windows = windowed(layer)
            if windows is None:
                continue
            geometry = windows.geometry
            if geometry[0].transposed or geometry[0].padding != "valid":
                continue
            source = trace.shapes.get(id(upstream.input_tensors[0]))
            if source is None or all(
                g.stride == 1 or (source[g.axis] or 0) % g.stride == 0 for g in geometry
            ):
                continue
            new: Layer = layer._replace(padding="same")
            replaced.add(id(layer))
            found.append(
                Edit(
                    f"{layer.name} ({type(layer).__name__}): padding='same'",
                    str(layer.name),
                    new,
                    key=id(layer),
                )
            )
    return found


#: The repairs in the order their fixes are listed, by the fix's kind.
REPAIRS: tuple[tuple[str, Repair], ...] = (
    ("crop", _crop),
    ("pad", _pad),
    ("output-padding", _output_padding),
    ("same-padding", _same_padding),
)

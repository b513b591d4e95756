"""Why a model fails on an input size, and what would fix it.

:func:`diagnose` runs the model's graph on the given input shape(s) and stops at the
first layer that rejects its input, usually a merge whose inputs do not line up (the
U-Net's ``88 vs 89``). It reports the shapes that meet there, the chain of layers on
each side with their lengths, and fixes, each checked by recomputing the whole model
with it: the nearest input sizes the model accepts, a crop or a zero padding before
each failing merge, the transposed convolutions' ``output_padding``, or
``padding="same"`` on the layers that floor an odd size.

>>> from convshape import Input, Model, clear_session, diagnose, layers
>>> clear_session()
>>> x = Input((None, None, 1))
>>> down = layers.MaxPooling2D()(x)
>>> up = layers.Conv2DTranspose(1, 2, strides=2)(down)
>>> model = Model(x, layers.Concatenate()([x, up]))
>>> found = diagnose(model, (None, 9, 8, 1))
>>> found.layer, found.shapes
('concatenate', [(None, 9, 8, 1), (None, 8, 8, 1)])
>>> [fix.kind for fix in found.fixes]
['input-size', 'crop', 'pad', 'output-padding']
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ._core import split
from ._render import counted
from ._validate import check_shape
from .arithmetic import conv_transpose_output_length
from .errors import ConvShapeError, ConvShapeWarning, _short_repr
from .layers import reshaping
from .layers._base import Layer
from .layers.merging import Concatenate, _Elementwise
from .models.graph import Node, SymbolicTensor, flatten, operation_weights
from .models.model import Model
from .sizes import _rebind

__all__ = ["Chain", "Diagnosis", "Fix", "diagnose"]


@dataclass(frozen=True)
class Edit:
    """One change to a model: the layer named ``target`` replaced by ``layer``, or, with a
    ``position``, ``layer`` inserted on that input of the merge named ``target``."""

    description: str
    target: str
    layer: Layer
    position: int | None = None
    #: What the graph knows the change by (the replaced layer, or the merge's node).
    key: int = field(default=0, repr=False, compare=False)

    @property
    def replace(self) -> tuple[int, Layer] | None:
        return None if self.position is not None else (self.key, self.layer)

    @property
    def before(self) -> tuple[int, int, Layer] | None:
        return None if self.position is None else (self.key, self.position, self.layer)


@dataclass(frozen=True)
class Fix:
    """A change that makes the model accept the input, checked by recomputing it."""

    kind: str
    description: str
    edits: tuple[Edit, ...] = ()
    #: For ``input-size``: the input shapes to use instead.
    input_shapes: tuple[tuple[int | None, ...], ...] = ()

    def __str__(self) -> str:
        return self.description


@dataclass(frozen=True)
class Chain:
    """The layers one input of the failing layer came through, with their lengths along
    the axes that differ (from the last layer both inputs share)."""

    position: int
    steps: tuple[tuple[str, str, tuple[int | None, ...]], ...]

    def __str__(self) -> str:
        parts = [f"{name} ({cls}) {_lengths(lengths)}" for name, cls, lengths in self.steps]
        return f"input {self.position}: " + " -> ".join(parts)


@dataclass(frozen=True)
class Diagnosis:
    """The first layer that rejects the input, what meets there, why, and fixes."""

    layer: str
    class_name: str
    shapes: list[Any]
    message: str
    axes: tuple[int, ...] = ()
    chains: tuple[Chain, ...] = ()
    fixes: tuple[Fix, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of the diagnosis and its fixes."""
        return {
            "layer": self.layer,
            "class_name": self.class_name,
            "shapes": [list(shape) for shape in self.shapes],
            "message": self.message,
            "axes": list(self.axes),
            "chains": [str(chain) for chain in self.chains],
            "fixes": [{"kind": fix.kind, "description": fix.description} for fix in self.fixes],
        }

    def __str__(self) -> str:
        lines = [f"{self.layer} ({self.class_name}): {self.message}"]
        lines += [f"  {chain}" for chain in self.chains]
        if self.fixes:
            lines.append("Fixes (each checked by recomputing the model):")
            lines += [f"  - {fix}" for fix in self.fixes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from ._html import text_block  # noqa: PLC0415  (only for notebooks)

        return text_block(str(self), name="diagnosis")


# -- running the graph on concrete shapes ----------------------------------------


@dataclass
class _Trace:
    shapes: dict[int, Any]
    failed: Node | None = None
    inputs: list[Any] = field(default_factory=list)
    error: str = ""


def _run(model: Model, input_shapes: Sequence[Any], edits: Sequence[Edit] = ()) -> _Trace:
    """The model's graph on these input shapes, with ``edits`` applied, up to the first
    layer that rejects its input."""
    replaced = {key: layer for edit in edits if edit.replace for key, layer in [edit.replace]}
    inserted = {
        (node_id, position): layer
        for edit in edits
        if edit.before
        for node_id, position, layer in [edit.before]
    }
    shapes: dict[int, Any] = {
        id(tensor): shape for tensor, shape in zip(model._inputs, input_shapes, strict=True)
    }
    trace = _Trace(shapes)
    for node in model._nodes():
        if node.is_input:
            continue
        operation = replaced.get(id(node.operation), node.operation)
        given = [shapes[id(tensor)] for tensor in node.input_tensors]
        for position in range(len(given)):
            layer = inserted.get((id(node), position))
            if layer is not None:
                try:
                    given[position] = layer.compute_output_shape(given[position])
                except ConvShapeError as error:
                    trace.failed, trace.inputs, trace.error = node, given, str(error)
                    return trace
        args, kwargs = _rebind(node, given)
        try:
            output = operation.output_spec(*args, **kwargs)
            weights = operation.build_weights(*args, **kwargs)
        except ConvShapeError as error:
            trace.failed, trace.inputs, trace.error = node, given, str(error)
            return trace
        built = [w.shape for w in operation_weights(node.operation)]
        if built and operation is node.operation and [w.shape for w in weights] != built:
            trace.failed, trace.inputs = node, given
            trace.error = (
                f"its weights were built for other input shapes ({built}); these would need "
                f"{[w.shape for w in weights]}"
            )
            return trace
        for tensor, shape in zip(node.output_tensors, flatten(output), strict=True):
            shapes[id(tensor)] = shape
    return trace


# -- the diagnosis ----------------------------------------------------------------


def diagnose(model: Model, input_shape: Any) -> Diagnosis | None:
    """Why ``model`` fails on ``input_shape`` (a shape, batch included, or a list of them
    for several inputs), with fixes; None when the model accepts it."""
    if not isinstance(model, Model):
        raise TypeError(
            f"diagnose() takes a convshape model, not {type(model).__name__}. "
            f"Received: model={_short_repr(model)}"
        )
    shapes = _input_shapes(model, input_shape)
    trace = _run(model, shapes)
    if trace.failed is None:
        return None
    node = trace.failed
    operation = node.operation
    axes = _differing_axes(operation, trace.inputs) if _is_merge(operation) else ()
    if axes:
        detail = ("axes " if len(axes) > 1 else "axis ") + " and ".join(map(str, axes))
        lengths = ", ".join(
            " vs ".join(str(shape[axis]) for shape in trace.inputs) for axis in axes
        )
        message = (
            f"its inputs {', '.join(map(str, trace.inputs))} differ along {detail} "
            f"({lengths}); a {type(operation).__name__} needs them to match"
        )
    else:
        message = trace.error
    chains = _chains(model, node, trace, axes) if axes else ()
    why = _why(node, trace, axes) if axes else ""
    if why:
        message += f". {why}"
    fixes = _fixes(model, shapes, axes) if axes else _size_fixes(model, shapes)
    return Diagnosis(
        operation.name,
        type(operation).__name__,
        list(trace.inputs),
        message,
        axes,
        chains,
        tuple(fixes),
    )


def _input_shapes(model: Model, input_shape: Any) -> list[tuple[int | None, ...]]:
    given = (
        [input_shape]
        if len(model._inputs) == 1 and not isinstance(input_shape, list)
        else input_shape
    )
    if not isinstance(given, (list, tuple)) or len(given) != len(model._inputs):
        raise ConvShapeError(
            f"model {model.name!r} has {counted(len(model._inputs), 'input')}; "
            "give one shape for each",
            argument="input_shape",
            received={"input_shape": input_shape},
        )
    shapes = [check_shape(shape, "input_shape") for shape in given]
    for index, (shape, tensor) in enumerate(zip(shapes, model._inputs, strict=True)):
        if len(shape) != len(tensor.shape):
            raise ConvShapeError(
                f"input {index} of model {model.name!r} has rank {len(tensor.shape)} "
                f"(shape {_short_repr(tensor.shape)}, batch included); a shape of rank "
                f"{len(shape)} was given",
                argument="input_shape",
                received={"input_shape": input_shape},
            )
    return shapes


def _is_merge(operation: Any) -> bool:
    return isinstance(operation, (_Elementwise, Concatenate))


def _differing_axes(operation: Any, shapes: list[Any]) -> tuple[int, ...]:
    rank = len(shapes[0])
    if any(len(shape) != rank for shape in shapes):
        return ()
    concat = operation.axis % rank if isinstance(operation, Concatenate) else None
    found = []
    for axis in range(1, rank):
        if axis == concat:
            continue
        sizes = {shape[axis] for shape in shapes if shape[axis] is not None}
        if concat is None:
            sizes.discard(1)
        if len(sizes) > 1:
            found.append(axis)
    return tuple(found)


def _lengths(lengths: tuple[int | None, ...]) -> str:
    return str(lengths[0]) if len(lengths) == 1 else "x".join(map(str, lengths))


def _chains(model: Model, node: Node, trace: _Trace, axes: tuple[int, ...]) -> tuple[Chain, ...]:
    """Each input's way back to the last tensor the inputs share."""
    ancestry = [_ancestors(tensor) for tensor in node.input_tensors]
    chains = []
    for position, tensor in enumerate(node.input_tensors):
        others: set[int] = set()
        for index, found in enumerate(ancestry):
            if index != position:
                others |= found
        steps = []
        current: SymbolicTensor | None = tensor
        while current is not None and current._history is not None:
            producer = current._history.operation
            shape = trace.shapes.get(id(current))
            lengths = tuple(shape[axis] for axis in axes) if shape else ()
            steps.append((producer.name, type(producer).__name__, lengths))
            if id(current) in others:
                break
            parent = producer._inbound_nodes[current._history.node_index]
            current = parent.input_tensors[0] if parent.input_tensors else None
        chains.append(Chain(position, tuple(reversed(steps))))
    del model
    return tuple(chains)


def _why(node: Node, trace: _Trace, axes: tuple[int, ...]) -> str:
    """The strided layer that lost an element: it floors a length its stride does not
    divide, so doubling back cannot restore it."""
    ancestry = [_ancestors(tensor) for tensor in node.input_tensors]
    for position, tensor in enumerate(node.input_tensors):
        others = set().union(*(a for i, a in enumerate(ancestry) if i != position))
        for upstream in _chain_nodes(tensor, others):
            layer = upstream.operation
            geometry = getattr(layer, "geometry", ())
            if not geometry or geometry[0].transposed:
                continue
            source = trace.shapes.get(id(upstream.input_tensors[0]))
            result = trace.shapes.get(id(upstream.output_tensors[0]))
            for g in geometry:
                if g.axis not in axes or g.stride == 1 or source is None or result is None:
                    continue
                length = source[g.axis]
                if length is not None and length % g.stride:
                    return (
                        f"{layer.name} ({type(layer).__name__}) turns {length} into "
                        f"{result[g.axis]} with stride {g.stride}; scaling back by "
                        f"{g.stride} gives {result[g.axis] * g.stride}, not {length}"
                    )
    return ""


def _ancestors(tensor: SymbolicTensor) -> set[int]:
    found: set[int] = set()
    stack = [tensor]
    while stack:
        current = stack.pop()
        if id(current) in found:
            continue
        found.add(id(current))
        if current._history is not None:
            node = current._history.operation._inbound_nodes[current._history.node_index]
            stack.extend(node.input_tensors)
    return found


# -- fixes ------------------------------------------------------------------------


def _fixes(model: Model, shapes: list[Any], axes: tuple[int, ...]) -> list[Fix]:
    fixes = _size_fixes(model, shapes)
    for kind, strategy in (
        ("crop", _crop),
        ("pad", _pad),
        ("output-padding", _output_padding),
        ("same-padding", _same_padding),
    ):
        edits = _repair(model, shapes, strategy)
        if edits:
            description = "; ".join(edit.description for edit in edits)
            fixes.append(Fix(kind, description, tuple(edits)))
    del axes
    return fixes


def _size_fixes(model: Model, shapes: list[Any]) -> list[Fix]:
    """The nearest sizes the model accepts, for each spatial axis of each input."""
    from .sizes import input_sizes  # noqa: PLC0415  (sizes builds on the same graph)

    largest = max((dim for shape in shapes for dim in shape[1:] if dim), default=1)
    try:
        found = input_sizes(model, range(1, 2 * largest + 64))
    except ConvShapeError:
        return []
    fixes = []
    suggestions: list[list[tuple[int | None, ...]]] = [[], []]
    for item in found.inputs:
        for side in (0, 1):
            shape = list(shapes[item.index])
            for axis_sizes in item.axes:
                length = shape[axis_sizes.axis]
                if length is None or length in axis_sizes:
                    continue
                nearest = axis_sizes.nearest(length)[side]
                if nearest is None:
                    break
                shape[axis_sizes.axis] = nearest
            suggestions[side].append(tuple(shape))
    for candidate in suggestions:
        if len(candidate) != len(shapes) or candidate == [tuple(s) for s in shapes]:
            continue
        if _run(model, candidate).failed is None:
            text = " and ".join(str(shape) for shape in candidate)
            fixes.append(
                Fix("input-size", f"use the input shape {text}", input_shapes=tuple(candidate))
            )
    if len(fixes) == 2:
        merged = (
            f"{fixes[0].description} or {fixes[1].description.removeprefix('use the input shape ')}"
        )
        return [
            Fix(
                "input-size",
                merged + " (the nearest sizes the model accepts)",
                input_shapes=fixes[0].input_shapes + fixes[1].input_shapes,
            )
        ]
    return fixes


def _repair(model: Model, shapes: list[Any], strategy: Any) -> list[Edit] | None:
    """Apply ``strategy`` at each failing merge in turn until the model accepts the
    input (then return the edits), or give up."""
    edits: list[Edit] = []
    for _ in range(len(model.operations) + 1):
        trace = _run(model, shapes, edits)
        if trace.failed is None:
            return edits
        node = trace.failed
        axes = _differing_axes(node.operation, trace.inputs) if _is_merge(node.operation) else ()
        if not axes:
            return None
        found = strategy(model, node, trace, axes, edits)
        if not found:
            return None
        edits.extend(found)
    return None


def _targets(shapes: list[Any], axes: tuple[int, ...], pick: Any) -> dict[int, int]:
    return {
        axis: pick(shape[axis] for shape in shapes if shape[axis] not in (None, 1)) for axis in axes
    }


def _spatial_layer(family: str, rank: int, amounts: list[tuple[int, int]]) -> Layer:
    cls = getattr(reshaping, f"{family}{rank}D")
    value: Any = amounts[0] if rank == 1 else tuple(amounts)
    layer: Layer = cls(value)
    return layer


def _resize(
    node: Node, trace: _Trace, axes: tuple[int, ...], target: dict[int, int], family: str
) -> list[Edit]:
    edits = []
    for position, shape in enumerate(trace.inputs):
        rank = len(shape) - 2
        amounts = []
        for axis in range(1, rank + 1):
            difference = 0
            if axis in axes and shape[axis] not in (None, 1):
                difference = shape[axis] - target[axis]
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


def _crop(model: Model, node: Node, trace: _Trace, axes: tuple[int, ...], edits: Any) -> list[Edit]:
    return _resize(node, trace, axes, _targets(trace.inputs, axes, min), "Cropping")


def _pad(model: Model, node: Node, trace: _Trace, axes: tuple[int, ...], edits: Any) -> list[Edit]:
    return _resize(node, trace, axes, _targets(trace.inputs, axes, max), "ZeroPadding")


def _chain_nodes(tensor: SymbolicTensor, stop: set[int]) -> list[Node]:
    """The nodes from ``tensor`` back to (not into) the tensors in ``stop``."""
    found = []
    current: SymbolicTensor | None = tensor
    while current is not None and current._history is not None and id(current) not in stop:
        node = current._history.operation._inbound_nodes[current._history.node_index]
        found.append(node)
        current = node.input_tensors[0] if node.input_tensors else None
    return found


def _output_padding(
    model: Model, node: Node, trace: _Trace, axes: tuple[int, ...], edits: list[Edit]
) -> list[Edit]:
    """Give the transposed convolution on each mismatched input the output_padding (and
    padding) that reaches the length of the input without one."""
    ancestry = [_ancestors(tensor) for tensor in node.input_tensors]
    replaced = {edit.replace[0] for edit in edits if edit.replace}
    for position, tensor in enumerate(node.input_tensors):
        others = set().union(*(a for i, a in enumerate(ancestry) if i != position))
        transposed = [
            n
            for n in _chain_nodes(tensor, others)
            if isinstance(n.operation, Layer)
            and n.operation.geometry
            and n.operation.geometry[0].transposed
            and id(n.operation) not in replaced
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
        edit = Edit(
            f"{layer_node.operation.name} ({type(layer_node.operation).__name__}): "
            f"padding={new.padding!r}, output_padding={new.output_padding}",  # type: ignore[attr-defined]
            layer_node.operation.name,
            new,
            key=id(layer_node.operation),
        )
        if _run(model, _first_shapes(model, trace), [*edits, edit]).failed is not node:
            return [edit]
    return []


def _first_shapes(model: Model, trace: _Trace) -> list[Any]:
    return [trace.shapes[id(tensor)] for tensor in model._inputs]


def _retuned(node: Node, trace: _Trace, target: Any, axes: tuple[int, ...]) -> Layer | None:
    layer: Any = node.operation
    source = trace.shapes.get(id(node.input_tensors[0]))
    output = trace.shapes.get(id(node.output_tensors[0]))
    if source is None or output is None:
        return None
    for padding in dict.fromkeys((layer.padding, "same", "valid")):
        ops = []
        for geometry in layer.geometry:
            axis = geometry.axis
            want = target[axis] if axis in axes else output[axis]
            choice = next(
                (
                    op
                    for op in range(geometry.stride)
                    if _length(source[axis], geometry, padding, op) == want
                ),
                None,
            )
            if choice is None:
                break
            ops.append(choice)
        else:
            try:
                return layer._replace(padding=padding, output_padding=tuple(ops))  # type: ignore[no-any-return]
            except ConvShapeError:
                continue
    return None


def _length(size: int | None, geometry: Any, padding: str, op: int) -> int | None:
    if size is None:
        return None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            length = conv_transpose_output_length(
                size, geometry.kernel, geometry.stride, padding, op, geometry.dilation
            )
        except ConvShapeError:
            return None
    # A length Keras predicts but TensorFlow refuses to run is no fix.
    if any(issubclass(w.category, ConvShapeWarning) for w in caught):
        return None
    return length


def _same_padding(
    model: Model, node: Node, trace: _Trace, axes: tuple[int, ...], edits: list[Edit]
) -> list[Edit]:
    """``padding="same"`` on the strided layers that floor an odd size."""
    found = []
    replaced = {edit.replace[0] for edit in edits if edit.replace}
    for tensor in node.input_tensors:
        for upstream in _chain_nodes(tensor, set()):
            layer = upstream.operation
            if not isinstance(layer, Layer) or id(layer) in replaced:
                continue
            geometry = layer.geometry
            if not geometry or geometry[0].transposed or geometry[0].padding != "valid":
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

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

from collections.abc import Sequence
from dataclasses import dataclass, field

from ._diagnosis_graph import (
    Edit,
    Trace,
    ancestors,
    chain_nodes,
    differing_axes,
    is_merge,
    run,
)
from ._diagnosis_repairs import REPAIRS, repair
from ._geometry import windowed
from ._render import counted
from ._validate import Shape, check_shape
from .errors import ConvShapeError, _short_repr
from .models.graph import Node, SymbolicTensor
from .models.model import Model

__all__ = ["Chain", "Diagnosis", "Fix", "diagnose"]

#: The run of the graph, by the name ``pitfalls`` imports it under.
_run = run

#: What ``diagnose`` takes: one shape (batch included), or a list of them for several inputs.
ShapeArg = Sequence[int | None] | Sequence[Sequence[int | None]]


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
    shapes: list[Shape]
    message: str
    axes: tuple[int, ...] = ()
    chains: tuple[Chain, ...] = ()
    fixes: tuple[Fix, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
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


# -- the diagnosis ----------------------------------------------------------------


def diagnose(model: Model, input_shape: ShapeArg) -> Diagnosis | None:
    """Why ``model`` fails on ``input_shape`` (a shape, batch included, or a list of them
    for several inputs), with fixes; None when the model accepts it."""
    if not isinstance(model, Model):
        raise TypeError(
            f"diagnose() takes a convshape model, not {type(model).__name__}. "
            f"Received: model={_short_repr(model)}"
        )
    shapes = _input_shapes(model, input_shape)
    trace = run(model, shapes)
    if trace.failed is None:
        return None
    node = trace.failed
    operation = node.operation
    axes = differing_axes(operation, trace.inputs) if is_merge(operation) else ()
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


def _input_shapes(model: Model, input_shape: ShapeArg) -> list[Shape]:
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


def _lengths(lengths: tuple[int | None, ...]) -> str:
    return str(lengths[0]) if len(lengths) == 1 else "x".join(map(str, lengths))


def _chains(model: Model, node: Node, trace: Trace, axes: tuple[int, ...]) -> tuple[Chain, ...]:
    """Each input's way back to the last tensor the inputs share."""
    ancestry = [ancestors(tensor) for tensor in node.input_tensors]
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


def _why(node: Node, trace: Trace, axes: tuple[int, ...]) -> str:
    """The strided layer that lost an element: it floors a length its stride does not
    divide, so doubling back cannot restore it."""
    ancestry = [ancestors(tensor) for tensor in node.input_tensors]
    for position, tensor in enumerate(node.input_tensors):
        others = set().union(*(a for i, a in enumerate(ancestry) if i != position))
        for upstream in chain_nodes(tensor, others):
            layer = upstream.operation
            windows = windowed(layer)
            if windows is None or windows.geometry[0].transposed:
                continue
            geometry = windows.geometry
            source = trace.shapes.get(id(upstream.input_tensors[0]))
            result = trace.shapes.get(id(upstream.output_tensors[0]))
            for g in geometry:
                if g.axis not in axes or g.stride == 1 or source is None or result is None:
                    continue
                length, floored = source[g.axis], result[g.axis]
                if length is not None and length % g.stride and floored is not None:
                    return (
                        f"{layer.name} ({type(layer).__name__}) turns {length} into "
                        f"{floored} with stride {g.stride}; scaling back by "
                        f"{g.stride} gives {floored * g.stride}, not {length}"
                    )
    return ""


# -- fixes ------------------------------------------------------------------------


def _fixes(model: Model, shapes: list[Shape], axes: tuple[int, ...]) -> list[Fix]:
    fixes = _size_fixes(model, shapes)
    for kind, strategy in REPAIRS:
        edits = repair(model, shapes, strategy)
        if edits:
            description = "; ".join(edit.description for edit in edits)
            fixes.append(Fix(kind, description, tuple(edits)))
    del axes
    return fixes


def _size_fixes(model: Model, shapes: list[Shape]) -> list[Fix]:
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
        if run(model, candidate).failed is None:
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

"""A model's graph run on concrete input shapes, and walked back: what :func:`~convshape.diagnose`
and its fixes read.

:func:`run` computes every tensor's shape, with :class:`Edit` changes applied (a layer
replaced, or one inserted on a merge's input), up to the first layer that rejects its
input; the other functions find the merges whose inputs differ and the layers each input
came through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ._validate import Shape
from .errors import ConvShapeError
from .layers._base import Layer
from .layers.merging import Concatenate, _Elementwise
from .models.graph import Node, SymbolicTensor, flatten, operation_weights
from .models.model import Model
from .sizes import _rebind

__all__ = ["Edit", "Trace", "ancestors", "chain_nodes", "differing_axes", "is_merge", "run"]


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


@dataclass
class Trace:
    """The shapes a run computed (by tensor id), and the node that failed, its inputs and
    why."""

    shapes: dict[int, Shape]
    failed: Node | None = None
    inputs: list[Shape] = field(default_factory=list)
    error: str = ""


def run(model: Model, input_shapes: Sequence[Shape], edits: Sequence[Edit] = ()) -> Trace:
    """The model's graph on these input shapes, with ``edits`` applied, up to the first
    layer that rejects its input."""
    replaced = {key: layer for edit in edits if edit.replace for key, layer in [edit.replace]}
    inserted = {
        (node_id, position): layer
        for edit in edits
        if edit.before
        for node_id, position, layer in [edit.before]
    }
    shapes: dict[int, Shape] = {
        id(tensor): shape for tensor, shape in zip(model._inputs, input_shapes, strict=True)
    }
    trace = Trace(shapes)
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
        args, kwargs = _rebind(node, [*given])
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


def is_merge(operation: object) -> bool:
    """Whether ``operation`` needs its inputs to match (an elementwise merge or a
    concatenation)."""
    return isinstance(operation, (_Elementwise, Concatenate))


def differing_axes(operation: object, shapes: list[Shape]) -> tuple[int, ...]:
    """The axes (batch excluded) along which a merge's input shapes differ: a concatenation's
    own axis does not count, and an elementwise merge broadcasts a length of 1."""
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


def ancestors(tensor: SymbolicTensor) -> set[int]:
    """The ids of ``tensor`` and of every tensor it was computed from."""
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


def chain_nodes(tensor: SymbolicTensor, stop: set[int]) -> list[Node]:
    """The nodes from ``tensor`` back to (not into) the tensors in ``stop``."""
    found = []
    current: SymbolicTensor | None = tensor
    while current is not None and current._history is not None and id(current) not in stop:
        node = current._history.operation._inbound_nodes[current._history.node_index]
        found.append(node)
        current = node.input_tensors[0] if node.input_tensors else None
    return found

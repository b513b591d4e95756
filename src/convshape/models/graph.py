"""The model graph: symbolic tensors, one node per call of a layer, and Keras's order.

As in Keras (``keras/src/ops/node.py`` and ``function.py``), calling a layer on
symbolic tensors records a :class:`Node` on the layer: the layer itself (by
identity), the tensors it was called on, and the tensors it returned, each of
which remembers ``(layer, node_index, tensor_index)``. A model walks those
records back from its outputs (:func:`map_graph`) into one topological order,
and every analysis (shapes, weights, summaries, explanations) reads that order.
"""

from __future__ import annotations

from _collections_abc import Mapping  # collections.abc without importing collections

from .._validate import Shape
from ..errors import _THREAD_SCOPES, ConvShapeError, _short_repr, locate, scopes

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any, NamedTuple

    from ..layers._base import Weight

__all__ = [
    "History",
    "Node",
    "SymbolicTensor",
    "call_operation",
    "flatten",
    "is_shape",
    "map_graph",
    "map_structure",
    "operation_weights",
]


if TYPE_CHECKING:

    class History(NamedTuple):
        operation: Any
        node_index: int
        tensor_index: int

else:
    from .._types import TupleRecord, field_getter

    class History(TupleRecord):
        """Where a tensor comes from: the layer, which of its calls, which of its outputs."""

        __slots__ = ()
        _fields = ("operation", "node_index", "tensor_index")

        def __new__(cls, operation, node_index, tensor_index):
            return tuple.__new__(cls, (operation, node_index, tensor_index))

        operation = field_getter(0, "The layer, input or model called.")
        node_index = field_getter(1, "Which of its calls.")
        tensor_index = field_getter(2, "Which of that call's outputs.")


class SymbolicTensor:
    """A tensor known only by its shape, as ``Input(...)`` and layer calls return it.

    >>> from convshape import Input, layers
    >>> x = Input((28, 28, 1))
    >>> y = layers.Conv2D(8, 3)(x)
    >>> y.shape, y.layer.name
    ((None, 26, 26, 8), 'conv2d')
    """

    __slots__ = ("_history", "dtype", "name", "shape")

    def __init__(
        self,
        shape: Shape,
        dtype: Any = None,
        name: str | None = None,
        history: History | None = None,
    ) -> None:
        self.shape = shape
        self.dtype = dtype
        self.name = name
        self._history = history

    @property
    def layer(self) -> Any:
        """The layer (or input, or model) whose call produced this tensor."""
        return None if self._history is None else self._history.operation

    @property
    def ndim(self) -> int:
        """The rank, batch dimension included."""
        return len(self.shape)

    def __repr__(self) -> str:
        name = self.name if isinstance(self.name, str) else _short_repr(self.name)
        return f"<SymbolicTensor shape={_short_repr(self.shape)}, name={name}>"

    # Arithmetic records a Keras op node, as ``x + y`` on Keras tensors does.
    def __add__(self, other: object) -> Any:
        return _op("Add", self, other)

    def __radd__(self, other: object) -> Any:
        return _op("Add", other, self)

    def __sub__(self, other: object) -> Any:
        return _op("Subtract", self, other)

    def __rsub__(self, other: object) -> Any:
        return _op("Subtract", other, self)

    def __mul__(self, other: object) -> Any:
        return _op("Multiply", self, other)

    def __rmul__(self, other: object) -> Any:
        return _op("Multiply", other, self)

    def __truediv__(self, other: object) -> Any:
        return _op("TrueDivide", self, other)

    def __rtruediv__(self, other: object) -> Any:
        return _op("TrueDivide", other, self)

    def __neg__(self) -> Any:
        return _op("Negative", self)


def _op(class_name: str, *args: object) -> Any:
    # ops.py builds on this module; it is needed only once a tensor meets an operator.
    from .ops import KerasOp  # noqa: PLC0415

    return KerasOp(class_name)(*args)


def is_shape(value: object) -> bool:
    """A shape (a tuple of ints and Nones), as opposed to a structure of shapes."""
    return isinstance(value, tuple) and all(dim is None or type(dim) is int for dim in value)


def flatten(structure: Any) -> list[Any]:
    """The leaves of nested lists, tuples and dicts (dict keys sorted), as Keras's tree."""
    if type(structure) is SymbolicTensor:
        return [structure]
    leaves: list[Any] = []
    _flatten_into(structure, leaves)
    return leaves


#: More levels than any model's inputs or outputs nest; the bound keeps a deeply nested
#: argument from exhausting the stack.
_MAX_NESTING = 64


def _flatten_into(structure: Any, leaves: list[Any], depth: int = 0) -> None:
    if type(structure) is list or (isinstance(structure, tuple) and not is_shape(structure)):
        if depth >= _MAX_NESTING:
            raise ConvShapeError(
                f"tensors must be nested at most {_MAX_NESTING} levels deep in lists, "
                "tuples and dicts",
                argument="inputs",
                received={"inputs": structure},
            )
        for item in structure:
            _flatten_into(item, leaves, depth + 1)
    elif isinstance(structure, Mapping):
        try:
            keys = sorted(structure)
        except TypeError:  # keys Keras's tree cannot sort either
            raise TypeError(
                "a dict of tensors must have keys of one sortable type. "
                f"Received: {_short_repr(structure)}"
            ) from None
        for key in keys:
            _flatten_into(structure[key], leaves, depth + 1)
    else:
        leaves.append(structure)


def map_structure(function: Callable[[Any], Any], structure: Any) -> Any:
    """``structure`` with every leaf replaced by ``function(leaf)``; shapes are leaves."""
    if isinstance(structure, (list, tuple)) and not is_shape(structure):
        return type(structure)(map_structure(function, item) for item in structure)
    if isinstance(structure, Mapping):
        return {key: map_structure(function, value) for key, value in structure.items()}
    return function(structure)


#: The keyword arguments of a call without any (shared: nodes never change theirs).
_NO_KWARGS: dict[str, Any] = {}


class Node:
    """One call of a layer: its arguments, its outputs and, for the first call, its weights."""

    __slots__ = ("args", "input_tensors", "is_input", "kwargs", "operation", "outputs", "weights")

    def __init__(
        self,
        operation: Any,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        outputs: Any,
        weights: tuple[Weight, ...] = (),
        input_tensors: list[SymbolicTensor] | None = None,
    ) -> None:
        self.operation = operation
        self.args = args if type(args) is tuple else tuple(args)
        self.kwargs = dict(kwargs) if kwargs else _NO_KWARGS
        self.outputs = outputs
        self.weights = weights
        if input_tensors is None:
            input_tensors = [
                leaf
                for leaf in flatten([list(self.args), self.kwargs])
                if isinstance(leaf, SymbolicTensor)
            ]
        self.input_tensors: list[SymbolicTensor] = input_tensors
        self.is_input = not self.input_tensors
        nodes: list[Node] = operation._inbound_nodes
        nodes.append(self)
        node_index = len(nodes) - 1
        if type(outputs) is SymbolicTensor:
            outputs._history = tuple.__new__(History, (operation, node_index, 0))
            return
        for index, tensor in enumerate(flatten(outputs)):
            tensor._history = History(operation, node_index, index)

    @property
    def output_tensors(self) -> list[SymbolicTensor]:
        """The outputs, flattened."""
        return flatten(self.outputs)

    @property
    def parent_nodes(self) -> list[Node]:
        """The nodes whose outputs this node was called on."""
        parents = []
        for tensor in self.input_tensors:
            history = tensor._history
            if history is not None:
                parents.append(history.operation._inbound_nodes[history.node_index])
        return parents

    def __repr__(self) -> str:
        return f"<Node operation={self.operation.name}>"


def call_operation(operation: Any, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    """Call a layer (or model) on symbolic tensors: compute its output shapes, build its
    weights on the first call, record the node and return the output tensors."""
    simple = (
        len(args) == 1
        and type(args[0]) is SymbolicTensor
        and all(value is None or type(value) is bool for value in kwargs.values())
    )
    if simple:  # one tensor, flags: the common call, without walking structures
        tensors = [args[0]]
    else:
        tensors = [
            leaf for leaf in flatten([list(args), dict(kwargs)]) if isinstance(leaf, SymbolicTensor)
        ]
    if not tensors:
        received = args[0] if args else kwargs
        raise TypeError(
            f"{type(operation).__name__} can only be called on convshape symbolic tensors "
            f"(from convshape.Input or another layer's call), not {type(received).__name__}. "
            f"Received: {_short_repr(received)}"
        )

    def shape_of(value: Any) -> Any:
        return value.shape if isinstance(value, SymbolicTensor) else value

    if simple:
        shape_args: list[Any] = [args[0].shape]
        shape_kwargs = dict(kwargs)
    else:
        shape_args = [map_structure(shape_of, arg) for arg in args]
        shape_kwargs = {key: map_structure(shape_of, value) for key, value in kwargs.items()}
    output_shapes, weights = _node_specs(operation, shape_args, shape_kwargs, tensors)
    dtype = tensors[0].dtype
    if type(output_shapes) is tuple and (not output_shapes or type(output_shapes[0]) is not tuple):
        outputs: Any = SymbolicTensor(output_shapes, dtype=dtype, name=operation.name)
    else:
        outputs = map_structure(
            lambda shape: SymbolicTensor(shape, dtype=dtype, name=operation.name), output_shapes
        )
    Node(operation, args, kwargs, outputs, weights, tensors)
    return outputs


def _node_specs(
    operation: Any,
    shape_args: list[Any],
    shape_kwargs: dict[str, Any],
    tensors: list[SymbolicTensor],
) -> tuple[Any, tuple[Weight, ...]]:
    """The output shapes and weights of a call; its errors and warnings name the layer
    (and its index and model, when a model is calling it)."""
    stack = scopes()
    pushed = not stack or stack[-1][0] is not operation
    if pushed:
        stack.append((operation, None, None, tensors))
    try:
        spec = getattr(operation, "node_spec", None)
        if spec is not None:
            output_shapes, weights = spec(*shape_args, **shape_kwargs)
        else:
            output_shapes = operation.output_spec(*shape_args, **shape_kwargs)
            weights = operation.build_weights(*shape_args, **shape_kwargs)
        nodes: list[Node] = operation._inbound_nodes
        if nodes and not nodes[0].is_input:
            weights = _shared_weights(operation, nodes[0].weights, weights, shape_args)
    except (ConvShapeError, TypeError) as error:
        locate(error)
        raise
    finally:
        if pushed:
            stack.pop()
    return output_shapes, weights


def call_single(layer: Any, tensor: SymbolicTensor) -> Any:
    """:func:`call_operation` for the common call, one tensor and no keyword arguments,
    of a layer with the base class's one-input hooks (``Layer.node_spec``)."""
    stack = _THREAD_SCOPES.stack  # scopes(), without the call: every layer call reads it
    pushed = not stack or stack[-1][0] is not layer
    if pushed:
        stack.append((layer, None, None, tensor))
    try:
        shape = layer._check_input(tensor.shape)
        if layer._plain_shape:  # the base class's compute_output_shape: the input is checked
            output_shapes = layer._output_shape(shape)
        else:
            output_shapes = layer.compute_output_shape(shape)
        if layer._final_weights:
            weights = layer._weights(shape)
        else:
            weights = layer._checked_weight_specs(shape)
        nodes: list[Node] = layer._inbound_nodes
        if nodes and not nodes[0].is_input:
            weights = _shared_weights(layer, nodes[0].weights, weights, [tensor.shape])
    except (ConvShapeError, TypeError) as error:
        locate(error)
        raise
    finally:
        if pushed:
            stack.pop()
    if type(output_shapes) is tuple and (not output_shapes or type(output_shapes[0]) is not tuple):
        outputs: Any = SymbolicTensor(output_shapes, tensor.dtype, layer.name)
    else:
        dtype = tensor.dtype
        outputs = map_structure(
            lambda shape: SymbolicTensor(shape, dtype=dtype, name=layer.name), output_shapes
        )
    Node(layer, (tensor,), _NO_KWARGS, outputs, weights, [tensor])
    return outputs


def _shared_weights(
    operation: Any,
    built: tuple[Weight, ...],
    weights: tuple[Weight, ...],
    shape_args: Sequence[Any],
) -> tuple[Weight, ...]:
    """A shared layer keeps the weights of its first call; another call must need the same."""
    if [w.shape for w in built] != [w.shape for w in weights]:
        raise ConvShapeError(
            "a shared layer has one set of weights, built on its first call with shapes "
            f"{[w.shape for w in built]}; this call would need {[w.shape for w in weights]}",
            argument="inputs",
            received={"input_shape": _shape_text(shape_args)},
        )
    return built


def _shape_text(shapes: Sequence[Any]) -> Any:
    return shapes[0] if len(shapes) == 1 else list(shapes)


if TYPE_CHECKING:

    class GraphMap(NamedTuple):
        nodes: list[Node]
        nodes_by_depth: dict[int, list[Node]]
        operations: list[Any]

else:

    class GraphMap(TupleRecord):
        """What :func:`map_graph` finds: the nodes of the model, by depth, and the operations
        in Keras's order (deepest first, ties in traversal order)."""

        __slots__ = ()
        _fields = ("nodes", "nodes_by_depth", "operations")

        def __new__(cls, nodes, nodes_by_depth, operations):
            return tuple.__new__(cls, (nodes, nodes_by_depth, operations))

        nodes = field_getter(0, "The nodes between the inputs and the outputs.")
        nodes_by_depth = field_getter(1, "The nodes by depth.")
        operations = field_getter(2, "The operations in Keras's order.")


def map_graph(inputs: Sequence[SymbolicTensor], outputs: Sequence[SymbolicTensor]) -> GraphMap:
    """Keras's ``map_graph``: the nodes between ``inputs`` and ``outputs`` and the order of
    the operations, so that rows, names and connections come out in Keras's order."""
    ordered, operation_indices = _build_map(inputs, outputs)
    in_graph = set(map(id, ordered))
    node_depths: dict[int, int] = {}
    operation_depths: dict[int, int] = {}
    operations_by_id: dict[int, Any] = {}
    node_by_id = {id(node): node for node in ordered}
    for node in reversed(ordered):
        depth = node_depths.setdefault(id(node), 0)
        depth = max(depth, operation_depths.get(id(node.operation), 0))
        operation_depths[id(node.operation)] = depth
        operations_by_id[id(node.operation)] = node.operation
        node_depths[id(node)] = depth
        for tensor in node.input_tensors:
            history = tensor._history
            if history is None:
                continue
            parent = history.operation._inbound_nodes[history.node_index]
            if id(parent) in in_graph:
                previous = node_depths.get(id(parent), 0)
                node_depths[id(parent)] = depth + 1 if depth + 1 > previous else previous
    for tensor in inputs:
        history = tensor._history
        if history is None:
            continue
        operation = history.operation
        if id(operation) not in operation_depths:
            node = operation._inbound_nodes[history.node_index]
            if node.is_input:
                operation_depths[id(operation)] = 0
                operations_by_id[id(operation)] = operation
                operation_indices[id(operation)] = -1
                node_depths[id(node)] = 0
                node_by_id[id(node)] = node

    nodes_by_depth: dict[int, list[Node]] = {}
    for node_id, depth in node_depths.items():
        nodes_by_depth.setdefault(depth, []).append(node_by_id[node_id])
    operations_by_depth: dict[int, list[Any]] = {}
    for operation_id, depth in operation_depths.items():
        operations_by_depth.setdefault(depth, []).append(operations_by_id[operation_id])
    operations: list[Any] = []
    for depth in sorted(operations_by_depth, reverse=True):
        operations.extend(
            sorted(operations_by_depth[depth], key=lambda op: operation_indices[id(op)])
        )

    _check_computable(inputs, nodes_by_depth)
    _check_unique_names(operations)
    return GraphMap(list(node_by_id.values()), nodes_by_depth, operations)


def _check_computable(
    inputs: Sequence[SymbolicTensor], nodes_by_depth: dict[int, list[Node]]
) -> None:
    computable = {id(tensor) for tensor in inputs}
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            for tensor in node.input_tensors:
                if id(tensor) not in computable:
                    raise ConvShapeError(
                        "graph disconnected: the outputs are not connected to `inputs`; layer "
                        f"{node.operation.name!r} needs a tensor "
                        f"({tensor.shape}, from {getattr(tensor.layer, 'name', None)!r}) "
                        "that the model's inputs do not produce",
                        argument="inputs",
                        received={"inputs": [t.name for t in inputs]},
                    )
            if not node.is_input:  # another Input's tensor is not one of the model's
                computable.update(id(tensor) for tensor in node.output_tensors)


def _check_unique_names(operations: list[Any]) -> None:
    names = [operation.name for operation in operations]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConvShapeError(
                f"the name {name!r} is used {names.count(name)} times in the model; "
                "all layer names must be unique",
                argument="name",
                received={"name": name},
            )
        seen.add(name)


def _build_map(
    inputs: Sequence[SymbolicTensor], outputs: Iterable[SymbolicTensor]
) -> tuple[list[Node], dict[int, int]]:
    finished: set[int] = set()
    in_progress: set[int] = set()
    ordered: list[Node] = []
    operation_indices: dict[int, int] = {}
    input_ids = {id(tensor) for tensor in inputs}

    def enter(tensor: SymbolicTensor) -> Node | None:
        """The node to expand for this tensor, or None where the walk stops."""
        history = tensor._history
        if history is None:
            return None
        operation = history.operation
        node: Node = operation._inbound_nodes[history.node_index]
        if id(node) in finished:
            return None
        if not node.is_input and id(tensor) in input_ids:
            finished.add(id(node))
            return None
        if id(node) in in_progress:
            raise ConvShapeError(
                f"the tensor from layer {operation.name!r} is part of a cycle",
                argument="outputs",
                received={},
            )
        operation_indices.setdefault(id(operation), len(operation_indices))
        in_progress.add(id(node))
        return node

    # Keras's recursive depth-first walk, with an explicit stack: models are deeper
    # than Python's recursion limit.
    for output in outputs:
        first = enter(output)
        if first is None:
            continue
        stack = [(first, iter(() if first.is_input else first.input_tensors))]
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                child = enter(parent)
                if child is not None:
                    stack.append((child, iter(() if child.is_input else child.input_tensors)))
                    break
            else:
                stack.pop()
                finished.add(id(node))
                in_progress.discard(id(node))
                ordered.append(node)
    return ordered, operation_indices


def operation_weights(operation: Any) -> tuple[Weight, ...]:
    """The weights an operation built on its first call (none before it is called); a
    model's are all its layers' weights."""
    if getattr(operation, "_is_model", False):
        return tuple(operation.weights)
    nodes: list[Node] = operation._inbound_nodes
    return nodes[0].weights if nodes else ()

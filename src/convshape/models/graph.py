"""The model graph: symbolic tensors, one node per call of a layer, and Keras's order.

As in Keras (``keras/src/ops/node.py`` and ``function.py``), calling a layer on
symbolic tensors records a :class:`Node` on the layer: the layer itself (by
identity), the tensors it was called on, and the tensors it returned, each of
which remembers ``(layer, node_index, tensor_index)``. A model walks those
records back from its outputs (:func:`map_graph`) into one topological order,
and every analysis (shapes, weights, summaries, explanations) reads that order.
"""

from __future__ import annotations

from .._validate import Shape
from ..errors import _THREAD_SCOPES, ConvShapeError, _short_repr, locate
from ._graph_map import graph_order
from ._structure import flatten_into, is_shape, map_structure

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
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


def _operator(class_name: str, reflected: bool = False) -> Callable[[Any, object], Any]:
    """A binary operator of :class:`SymbolicTensor`: the Keras op ``class_name`` on the
    tensor and the other operand (``reflected``: the other operand first)."""
    if reflected:

        def method(self: Any, other: object) -> Any:
            return _op(class_name, other, self)

    else:

        def method(self: Any, other: object) -> Any:
            return _op(class_name, self, other)

    return method


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
    __add__ = _operator("Add")
    __radd__ = _operator("Add", reflected=True)
    __sub__ = _operator("Subtract")
    __rsub__ = _operator("Subtract", reflected=True)
    __mul__ = _operator("Multiply")
    __rmul__ = _operator("Multiply", reflected=True)
    __truediv__ = _operator("TrueDivide")
    __rtruediv__ = _operator("TrueDivide", reflected=True)

    def __neg__(self) -> Any:
        return _op("Negative", self)


def _op(class_name: str, *args: object) -> Any:
    # ops.py builds on this module; it is needed only once a tensor meets an operator.
    from .ops import KerasOp  # noqa: PLC0415

    return KerasOp(class_name)(*args)


def flatten(structure: Any) -> list[Any]:
    """The leaves of nested lists, tuples and dicts (dict keys sorted), as Keras's tree."""
    if type(structure) is SymbolicTensor:
        return [structure]
    leaves: list[Any] = []
    flatten_into(structure, leaves)
    return leaves


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
    output_shapes, weights = _in_scope(operation, tensors, _node_specs, shape_args, shape_kwargs)
    outputs = _output_tensors(operation, output_shapes, tensors[0].dtype)
    Node(operation, args, kwargs, outputs, weights, tensors)
    return outputs


def call_single(layer: Any, tensor: SymbolicTensor) -> Any:
    """:func:`call_operation` for the common call, one tensor and no keyword arguments,
    of a layer with the base class's one-input hooks (``Layer.node_spec``)."""
    output_shapes, weights = _in_scope(layer, tensor, _single_specs, tensor.shape)
    outputs = _output_tensors(layer, output_shapes, tensor.dtype)
    Node(layer, (tensor,), _NO_KWARGS, outputs, weights, [tensor])
    return outputs


def _in_scope(
    operation: Any, inputs: Any, specs: Callable[..., tuple[Any, tuple[Weight, ...]]], *args: Any
) -> tuple[Any, tuple[Weight, ...]]:
    """``specs(operation, *args)``, the output shapes and weights of a call made on
    ``inputs``; its errors and warnings name the layer (and its index and model, when a
    model is calling it)."""
    stack = _THREAD_SCOPES.stack  # scopes(), without the call: every layer call reads it
    pushed = not stack or stack[-1][0] is not operation
    if pushed:
        stack.append((operation, None, None, inputs))
    try:
        return specs(operation, *args)
    except (ConvShapeError, TypeError) as error:
        locate(error)
        raise
    finally:
        if pushed:
            stack.pop()


def _node_specs(
    operation: Any, shape_args: list[Any], shape_kwargs: dict[str, Any]
) -> tuple[Any, tuple[Weight, ...]]:
    """The output shapes and weights of a call, from the operation's hooks."""
    spec = getattr(operation, "node_spec", None)
    if spec is not None:
        output_shapes, weights = spec(*shape_args, **shape_kwargs)
    else:
        output_shapes = operation.output_spec(*shape_args, **shape_kwargs)
        weights = operation.build_weights(*shape_args, **shape_kwargs)
    return output_shapes, _shared_weights(operation, weights, shape_args)


def _single_specs(layer: Any, shape: Any) -> tuple[Any, tuple[Weight, ...]]:
    """:func:`_node_specs` of a layer with the base class's one-input hooks."""
    checked = layer._check_input(shape)
    if layer._plain_shape:  # the base class's compute_output_shape: the input is checked
        output_shapes = layer._output_shape(checked)
    else:
        output_shapes = layer.compute_output_shape(checked)
    if layer._final_weights:
        weights = layer._weights(checked)
    else:
        weights = layer._checked_weight_specs(checked)
    return output_shapes, _shared_weights(layer, weights, (shape,))


def _output_tensors(operation: Any, output_shapes: Any, dtype: Any) -> Any:
    """The tensors a call returns: one for a shape, the same structure for a structure."""
    name = operation.name
    if type(output_shapes) is tuple and (not output_shapes or type(output_shapes[0]) is not tuple):
        return SymbolicTensor(output_shapes, dtype, name)
    return map_structure(lambda shape: SymbolicTensor(shape, dtype, name), output_shapes)


def _shared_weights(
    operation: Any, weights: tuple[Weight, ...], shape_args: Sequence[Any]
) -> tuple[Weight, ...]:
    """A shared layer keeps the weights of its first call; another call must need the same."""
    nodes: list[Node] = operation._inbound_nodes
    if not nodes or nodes[0].is_input:
        return weights
    built = nodes[0].weights
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
    return GraphMap(*graph_order(inputs, outputs))


def operation_weights(operation: Any) -> tuple[Weight, ...]:
    """The weights an operation built on its first call (none before it is called); a
    model's are all its layers' weights."""
    if getattr(operation, "_is_model", False):
        return tuple(operation.weights)
    nodes: list[Node] = operation._inbound_nodes
    return nodes[0].weights if nodes else ()

"""The functional ``Model``: a graph of layer calls from ``Input`` tensors to outputs.

``Model(inputs, outputs)`` walks the nodes recorded on the layers back from the
outputs (:func:`~convshape.models.graph.map_graph`), in Keras's order. A model is
itself callable, so it nests inside other models like a layer; ``Sequential`` is a
``Model`` whose graph is a chain.
"""

from __future__ import annotations

from _collections_abc import Callable, Iterator, Sequence

from .._naming import auto_name
from .._validate import Shape, check_bool, check_shape, check_str
from ..errors import ConvShapeError, _short_repr, locate, scopes
from ..layers._base import call_inputs
from .graph import (
    GraphMap,
    Node,
    SymbolicTensor,
    call_operation,
    flatten,
    map_graph,
    map_structure,
    operation_weights,
)
from .summarize import print_summary, summarize_model

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any

if TYPE_CHECKING:
    from ..explain import Explanation
    from ..layers._base import Weight
    from ..summary import Summary

__all__ = ["Functional", "Model"]


class Model:
    """A functional model, as ``keras.Model(inputs, outputs)`` builds it.

    ``inputs`` and ``outputs`` are symbolic tensors, or lists or dicts of them. Layers
    keep their identity (``model.layers[i] is layer``); a layer called several times
    is shared; a model is callable and nests inside another model.

    >>> from convshape import Input, Model, clear_session, layers
    >>> clear_session()
    >>> inputs = Input((32, 32, 3))
    >>> x = layers.Conv2D(16, 3, padding="same")(inputs)
    >>> y = layers.Conv2D(16, 3, padding="same")(x)
    >>> outputs = layers.Add()([x, y])
    >>> model = Model(inputs, outputs)
    >>> model.output_shape, [layer.name for layer in model.layers]
    ((None, 32, 32, 16), ['input_layer', 'conv2d', 'conv2d_1', 'add'])
    """

    #: The class name Keras gives a model built with ``Model(inputs, outputs)``.
    class_name = "Functional"
    _is_model = True
    is_keras_op = False

    def __init__(
        self,
        inputs: Any = None,
        outputs: Any = None,
        name: str | None = None,
        trainable: bool = True,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            raise TypeError(f"Model() got an unexpected keyword argument {sorted(kwargs)[0]!r}")
        self._init_operation(name, "Functional", trainable)
        if inputs is None or outputs is None:
            raise ConvShapeError(
                "convshape builds functional models: pass `inputs` and `outputs` "
                "(symbolic tensors from convshape.Input and layer calls)",
                argument="inputs" if inputs is None else "outputs",
                received={"inputs": inputs, "outputs": outputs},
            )
        self._set_graph(inputs, outputs)

    def _init_operation(self, name: str | None, class_name: str, trainable: object) -> None:
        if name is not None:
            check_str(name, "name")
        self.name: str = name or auto_name(class_name)
        self._trainable = check_bool(trainable, "trainable")
        #: Set by assigning ``trainable``: Keras then sets every layer inside to the value
        #: (a constructor argument leaves the layers' own flags alone).
        self._layers_trainable: bool | None = None
        self._inbound_nodes: list[Node] = []

    def _set_graph(self, inputs: Any, outputs: Any) -> None:
        flat_inputs, flat_outputs = flatten(inputs), flatten(outputs)
        for argument, flat, given in (
            ("inputs", flat_inputs, inputs),
            ("outputs", flat_outputs, outputs),
        ):
            if not flat:
                raise ConvShapeError(
                    f"`{argument}` cannot be empty", argument=argument, received={argument: given}
                )
            for tensor in flat:
                if not isinstance(tensor, SymbolicTensor):
                    raise TypeError(
                        f"all `{argument}` must be convshape symbolic tensors, not "
                        f"{type(tensor).__name__}. Received: {argument}={_short_repr(given)}"
                    )
        for tensor in flat_inputs:
            history = tensor._history
            if history is None or not history.operation._inbound_nodes[history.node_index].is_input:
                raise ConvShapeError(
                    "the inputs of a Model must come from convshape.Input (sub-models from "
                    "intermediate tensors are not supported)",
                    argument="inputs",
                    received={"inputs": tensor},
                )
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._inputs: list[SymbolicTensor] = flat_inputs
        self._outputs: list[SymbolicTensor] = flat_outputs
        self._map: GraphMap = map_graph(flat_inputs, flat_outputs)

    # -- the graph ------------------------------------------------------------

    @property
    def trainable(self) -> bool:
        """Whether the model's weights train; False freezes every layer in it."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = self._layers_trainable = check_bool(value, "trainable")

    @property
    def operations(self) -> list[Any]:
        """Every operation of the graph (inputs and layers) in Keras's order."""
        return list(self._map.operations)

    @property
    def layers(self) -> list[Any]:
        """The layers in Keras's order: the graph's inputs first, then by depth."""
        return [op for op in self._map.operations if _is_layer(op)]

    def _nodes(self) -> Iterator[Node]:
        """The model's nodes from the inputs to the outputs, in Keras's execution order."""
        by_depth = self._map.nodes_by_depth
        for depth in sorted(by_depth, reverse=True):
            yield from by_depth[depth]

    def get_layer(self, name: str | None = None, index: int | None = None) -> Any:
        """A layer by name (or by position in ``layers``).

        >>> from convshape import Input, Model, layers
        >>> x = Input((4,))
        >>> model = Model(x, layers.Dense(2, name="head")(x))
        >>> model.get_layer("head").units
        2
        """
        if index is not None:
            if type(index) is not int:
                raise TypeError(
                    f"`index` must be an int, not {type(index).__name__}. "
                    f"Received: index={_short_repr(index)}"
                )
            layers = self.layers
            if not -len(layers) <= index < len(layers):
                raise ConvShapeError(
                    f"the model has {len(layers)} layers",
                    argument="index",
                    received={"index": index},
                )
            return layers[index]
        if name is None:
            raise ConvShapeError(
                "provide either a layer name or a layer index",
                argument="name",
                received={"name": None, "index": None},
            )
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ConvShapeError(
            f"no such layer: {name}. Existing layers are: {[layer.name for layer in self.layers]}",
            argument="name",
            received={"name": name},
        )

    @property
    def inputs(self) -> list[SymbolicTensor]:
        """The input tensors, flattened."""
        return list(self._inputs)

    @property
    def outputs(self) -> list[SymbolicTensor]:
        """The output tensors, flattened."""
        return list(self._outputs)

    @property
    def input_shape(self) -> Any:
        """The input shape, or a list of them for several inputs (as Keras gives it)."""
        return _one_or_list([tensor.shape for tensor in self._inputs])

    @property
    def output_shape(self) -> Any:
        """The output shape, or a list of them for several outputs (as Keras gives it)."""
        return _one_or_list([tensor.shape for tensor in self._outputs])

    # -- weights --------------------------------------------------------------

    def _layer_weights(self) -> list[tuple[Any, tuple[Weight, ...]]]:
        """Each layer with weights once (shared layers, nested models), with the weights'
        trainable flags as this model's flag leaves them."""
        seen: set[int] = set()
        found: list[tuple[Any, tuple[Weight, ...]]] = []
        trainable = self.trainable
        for layer in self.layers:
            if not isinstance(layer, Model):
                nodes = layer._inbound_nodes
                weights = nodes[0].weights if nodes else ()
                if weights and id(layer) not in seen:
                    seen.add(id(layer))
                    found.append((layer, weights if trainable else frozen(weights)))
                continue
            for inner, weights in layer._layer_weights():
                if id(inner) in seen or not weights:
                    continue
                seen.add(id(inner))
                found.append((inner, weights if trainable else frozen(weights)))
        return found

    def _all_weights(self) -> list[Weight]:
        """Every weight of :meth:`_layer_weights`, in one list."""
        return [weight for _, weights in self._layer_weights() for weight in weights]

    @property
    def weights(self) -> list[Weight]:
        """Every weight of every layer once, trainable flags as the model leaves them."""
        return [weight for _, weights in self._layer_weights() for weight in weights]

    def count_params(self) -> int:
        """Every scalar of every weight, shared layers once, as Keras's ``count_params()``.

        >>> from convshape import Input, Model, layers
        >>> x = Input((100,))
        >>> Model(x, layers.Dense(10)(x)).count_params()
        1010
        """
        return sum(weight.size for weight in self.weights)

    # -- calling the model as a layer -------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the model on symbolic tensors: it becomes one layer of another model."""
        return call_operation(self, args, kwargs)

    def output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """The output shapes of the model called on these input shapes (the graph run
        through again where they differ from the model's own)."""
        inputs = _call_input(self, args, kwargs)
        flat = flatten(inputs)
        if len(flat) != len(self._inputs):
            raise ConvShapeError(
                f"model {self.name!r} expects {len(self._inputs)} input(s), got {len(flat)}",
                argument="inputs",
                received={"input_shape": inputs},
            )
        shapes: dict[int, Any] = {}
        for tensor, shape in zip(self._inputs, flat, strict=True):
            shapes[id(tensor)] = _compatible(self, tensor.shape, shape)
        if all(shapes[id(tensor)] == tensor.shape for tensor in self._inputs):
            return map_structure(lambda tensor: tensor.shape, _unwrap(self._outputs_struct))
        stack = scopes()
        for node in self._nodes():
            if node.is_input:
                continue

            def shape_of(value: Any) -> Any:
                return shapes[id(value)] if isinstance(value, SymbolicTensor) else value

            args_ = [map_structure(shape_of, arg) for arg in node.args]
            kwargs_ = {key: map_structure(shape_of, value) for key, value in node.kwargs.items()}
            # The layer's errors and warnings name it, its index and this model.
            stack.append((node.operation, None, self, node.input_tensors))
            try:
                output = node.operation.output_spec(*args_, **kwargs_)
                weights = node.operation.build_weights(*args_, **kwargs_)
                built = operation_weights(node.operation)
                if [w.shape for w in weights] != [w.shape for w in built]:
                    raise ConvShapeError(
                        f"it was built with weights of shapes {[w.shape for w in built]}; "
                        f"these inputs would need {[w.shape for w in weights]}",
                        argument="inputs",
                        received={"input_shape": inputs},
                    )
            except (ConvShapeError, TypeError) as error:
                locate(error)
                raise
            finally:
                stack.pop()
            for tensor, shape in zip(node.output_tensors, flatten(output), strict=True):
                shapes[id(tensor)] = shape
        return map_structure(lambda tensor: shapes[id(tensor)], _unwrap(self._outputs_struct))

    def build_weights(self, *args: Any, **kwargs: Any) -> tuple[Weight, ...]:
        """The model's weights (it is built already; calling it builds nothing new)."""
        return tuple(self.weights)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape(s) for input shape(s), the graph run through on them.

        >>> from convshape import Input, Model, layers
        >>> x = Input((None, None, 3))
        >>> model = Model(x, layers.Conv2D(8, 3, strides=2)(x))
        >>> model.compute_output_shape((None, 65, 64, 3))
        (None, 32, 31, 8)
        """
        return self.output_spec(input_shape)

    # -- summaries and explanations -------------------------------------------

    def summarize(
        self, expand_nested: bool = False, columns: Any = None, batch_size: int = 1
    ) -> Summary:
        """The summary as data: one row per layer (Keras's order), connections, totals.

        ``columns`` adds optional columns after Keras's: ``"macs"``, ``"flops"``,
        ``"output_bytes"`` (with torchinfo's memory totals) and ``"receptive_field"``;
        ``batch_size`` fills an unknown batch for the costs.
        """
        return summarize_model(
            self, expand_nested=expand_nested, columns=columns, batch_size=batch_size
        )

    def summary(
        self,
        line_length: int | None = None,
        positions: Sequence[float] | None = None,
        print_fn: Callable[..., Any] | None = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Sequence[str] | None = None,
        columns: Sequence[str] | None = None,
        batch_size: int = 1,
    ) -> None:
        """Print the summary table exactly as Keras 3's ``model.summary()`` prints it.

        ``print_fn`` receives the whole text at once, as Keras passes it. ``columns`` adds
        optional columns after Keras's (see :meth:`summarize`); without them the text is
        Keras's own.
        """
        print_summary(
            self,
            line_length,
            positions,
            print_fn,
            expand_nested,
            show_trainable,
            layer_range,
            columns,
            batch_size,
        )

    def explain(self) -> Explanation:
        """Every layer call in turn, with its shapes; convolutions and poolings worked
        through dimension by dimension."""
        from ..explain import explain_nodes  # noqa: PLC0415  (imported when first needed)

        return explain_nodes(
            self.name, list(self._nodes()), [tensor.shape for tensor in self._outputs]
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} layers={len(self.layers)}>"

    def _repr_html_(self) -> str:
        return self.summarize()._repr_html_()


#: Keras's name for the class of a functional model.
Functional = Model


def _is_layer(operation: Any) -> bool:
    """Layers, inputs and models, as opposed to Keras ops nodes (``keras.ops.add``)."""
    return not getattr(operation, "is_keras_op", False)


def frozen(weights: tuple[Weight, ...]) -> tuple[Weight, ...]:
    """The weights made non-trainable (a frozen model freezes all its layers)."""
    return tuple(weight._replace(trainable=False) for weight in weights)


def _one_or_list(shapes: list[Shape]) -> Any:
    return shapes[0] if len(shapes) == 1 else shapes


def _unwrap(structure: Any) -> Any:
    """Keras returns a single output, not a list of one."""
    if isinstance(structure, list) and len(structure) == 1:
        return structure[0]
    return structure


def _call_input(operation: Any, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    given = call_inputs(operation, args, kwargs)
    if len(given) != 1:
        raise TypeError(
            f"model {operation.name!r} takes its inputs as one argument (a tensor, a list or "
            f"a dict), got {len(given)} arguments"
        )
    return given[0]


def _compatible(model: Model, expected: Shape, received: Any) -> Shape:
    shape = check_shape(received, "input_shape")
    if len(shape) != len(expected) or any(
        want is not None and got is not None and want != got
        for want, got in zip(expected, shape, strict=False)
    ):
        raise ConvShapeError(
            f"input of model {model.name!r} is incompatible: "
            f"expected shape={_short_repr(expected)}, found shape={_short_repr(shape)}",
            argument="input_shape",
            received={"input_shape": received},
        )
    return shape

"""Sequential: a chain of layer calls, the simplest model graph, like ``keras.Sequential``."""

from __future__ import annotations

import gc
from _collections_abc import Iterable, Iterator

from .._naming import auto_name
from .._validate import Shape, check_shape
from ..errors import _THREAD_SCOPES, ConvShapeError, _short_repr
from ..layers._base import Layer
from ..layers.core import InputLayer
from .graph import Node, SymbolicTensor, call_single
from .model import Model, _call_input

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Sequential"]


class Sequential(Model):
    """A linear stack of layers with Keras's naming, shapes, parameter counts and summary.

    The input comes from an ``Input(shape)`` (or ``InputLayer``) first, or from
    ``input_shape=``/``input_dim=`` (and ``batch_size=``) on the first layer.
    Shapes are computed as layers are added, so a layer that cannot follow the
    previous one is rejected by ``add``, as Keras rejects it when it builds.

    >>> from convshape import Input, Sequential, clear_session, layers
    >>> clear_session()
    >>> model = Sequential([Input((28, 28, 1)), layers.Conv2D(8, 3), layers.Flatten()])
    >>> model.output_shape
    (None, 5408)
    >>> [layer.name for layer in model.layers]
    ['conv2d', 'flatten']
    """

    class_name = "Sequential"

    def __init__(
        self,
        layers: Iterable[Any] | None = None,
        trainable: bool = True,
        name: str | None = None,
    ) -> None:
        if layers is not None and not isinstance(layers, (list, tuple)):
            try:  # Keras takes any iterable of layers
                layers = list(layers)
            except TypeError:
                raise TypeError(
                    "`layers` must be a list (or another iterable) of layers, not "
                    f"{type(layers).__name__}. Received: layers={_short_repr(layers)}"
                ) from None
        self._init_operation(name, "Sequential", trainable)
        self._input: InputLayer | None = None
        self._layers: list[Any] = []
        #: Each name in ``_layers``: the layer and how many times it appears.
        self._names: dict[str | None, tuple[Any, int]] = {}
        self._tensors: list[SymbolicTensor] = []
        collecting = gc.isenabled()
        gc.disable()  # a long list of layers links many objects, none of them garbage
        try:
            for layer in layers or ():
                self._add(layer)
        finally:
            if collecting:
                gc.enable()
        self._rebuilt()

    # -- building -------------------------------------------------------------

    def add(self, layer: Any) -> None:
        """Append a layer (or set the input with ``Input``/``InputLayer``) and compute its shape.

        >>> from convshape import Sequential, layers
        >>> model = Sequential()
        >>> model.add(layers.Dense(4, input_shape=(3,)))
        >>> model.output_shape
        (None, 4)
        """
        self._add(layer)
        self._rebuilt()

    def _rebuilt(self) -> None:
        # Each time Keras rebuilds a Sequential it makes a new Functional, which takes the
        # next "functional" name; later models' names depend on it.
        if self._input is not None and self._layers:
            auto_name("Functional")

    def _add(self, layer: Any) -> None:
        if not (isinstance(layer, Layer) and self._input is not None):  # else the common case
            layer = self._admit(layer)
            if layer is None:
                return
        found = self._names.get(layer.name)
        if found is not None and found[0] is not layer:
            raise ConvShapeError(
                "all layers of a Sequential model must have unique names; "
                f"{layer.name!r} is already the name of a layer in this model",
                argument="name",
                received={"name": layer.name},
            )
        if self._input is not None:
            previous = self._tensors[-1] if self._tensors else self._input.output
            # A layer with the base class's hooks is called as Layer.__call__ would.
            plain = getattr(layer, "_plain_hooks", False)
            # The call's errors and warnings name the layer, its index and this model.
            stack = _THREAD_SCOPES.stack  # scopes(), without the call
            stack.append((layer, len(self._layers), self, None))
            try:
                self._tensors.append(call_single(layer, previous) if plain else layer(previous))
            finally:
                stack.pop()
        self._layers.append(layer)
        self._names[layer.name] = (layer, 1 if found is None else found[1] + 1)

    def _all_weights(self) -> list[Any]:
        """Every weight once; a stack of distinct layers (no models, none twice) reads
        them off its layers' first calls directly."""
        layers = self._layers
        if not self.trainable or len(self._names) != len(layers):
            return super()._all_weights()
        weights: list[Any] = []
        for layer in layers:
            if isinstance(layer, Model):
                return super()._all_weights()
            nodes = layer._inbound_nodes
            if nodes:
                weights += nodes[0].weights
        return weights

    def _admit(self, layer: Any) -> Any:
        """Check what is added; an input sets the model's input (and None is returned),
        a first layer with ``input_shape`` creates it."""
        if isinstance(layer, SymbolicTensor):
            if not isinstance(layer.layer, InputLayer):
                raise TypeError(
                    "only a tensor from convshape.Input can start a Sequential model; "
                    "use the layers themselves"
                )
            layer = layer.layer
        if isinstance(layer, InputLayer):
            self._set_input(layer)
            return None
        if not isinstance(layer, (Layer, Model)):
            raise TypeError(
                "only convshape layers can be added to a Sequential model. "
                f"Received: {_short_repr(layer)} (of type {type(layer).__name__})"
            )
        if (
            not self._layers
            and self._input is None
            and isinstance(layer, Layer)
            and layer.input_shape is not None
        ):
            self._input = InputLayer(shape=layer.input_shape, batch_size=layer.batch_size)
        return layer

    def _set_input(self, input_layer: InputLayer) -> None:
        if self._input is not None:
            raise ConvShapeError(
                f"Sequential model {self.name!r} already has the input shape "
                f"{self._input.batch_shape}; it cannot take another input",
                argument="layer",
                received={"input_shape": input_layer.batch_shape},
            )
        if self._layers:
            raise ConvShapeError(
                "the input of a Sequential model must come before its layers",
                argument="layer",
                received={"input_shape": input_layer.batch_shape},
            )
        self._input = input_layer

    def build(self, input_shape: Any) -> None:
        """Give an unbuilt model its input shape (batch included), as Keras's ``build``.

        >>> from convshape import Sequential, layers
        >>> model = Sequential([layers.Dense(4)])
        >>> model.build((None, 3))
        >>> model.output_shape
        (None, 4)
        """
        shape = check_shape(input_shape, "input_shape")
        if self._input is not None:
            if self._input.batch_shape != shape:
                raise ConvShapeError(
                    f"Sequential model {self.name!r} has already been configured to use input "
                    f"shape {self._input.batch_shape}; it cannot be built with another",
                    argument="input_shape",
                    received={"input_shape": input_shape},
                )
            return
        layers = self._layers
        self._layers = []
        self._names = {}
        self._input = InputLayer(batch_shape=shape)
        for layer in layers:
            self._add(layer)
        self._rebuilt()

    def pop(self) -> Any:
        """Remove and return the last layer.

        >>> from convshape import Input, Sequential, clear_session, layers
        >>> clear_session()
        >>> model = Sequential([Input((3,)), layers.Dense(4), layers.Dense(2)])
        >>> model.pop().name, model.output_shape
        ('dense_1', (None, 4))
        """
        if not self._layers:
            raise ConvShapeError(
                "there are no layers in the model to pop", argument="layers", received={}
            )
        layer = self._layers.pop()
        count = self._names[layer.name][1]
        if count == 1:
            del self._names[layer.name]
        else:
            self._names[layer.name] = (layer, count - 1)
        if self._tensors:
            tensor = self._tensors.pop()
            nodes: list[Node] = layer._inbound_nodes
            if (
                tensor._history is not None
                and nodes
                and nodes[-1] is nodes[tensor._history.node_index]
            ):
                nodes.pop()
        self._rebuilt()
        return layer

    # -- the graph, a chain -------------------------------------------------------

    @property
    def operations(self) -> list[Any]:
        """The input (when there is one) and the layers."""
        return ([self._input] if self._input is not None else []) + list(self._layers)

    @property
    def layers(self) -> list[Any]:
        """The layers, in order (the input excluded, as in Keras)."""
        return list(self._layers)

    def _nodes(self) -> Iterator[Node]:
        if self._input is None:
            return
        yield self._input._inbound_nodes[0]
        for tensor in self._tensors:
            assert tensor._history is not None
            yield tensor._history.operation._inbound_nodes[tensor._history.node_index]

    @property
    def built(self) -> bool:
        """Whether the input shape is known (and so every layer's shapes and weights)."""
        return self._input is not None

    @property
    def _inputs(self) -> list[SymbolicTensor]:  # type: ignore[override]
        return [] if self._input is None else [self._input.output]

    @property
    def _outputs(self) -> list[SymbolicTensor]:  # type: ignore[override]
        if self._input is None:
            return []
        return [self._tensors[-1] if self._tensors else self._input.output]

    @property
    def _outputs_struct(self) -> Any:
        return self._outputs[0]

    @property
    def inputs(self) -> list[SymbolicTensor]:
        """The input tensor, in a list."""
        self._require_input("inputs")
        return self._inputs

    @property
    def outputs(self) -> list[SymbolicTensor]:
        """The output tensor, in a list."""
        self._require_input("outputs")
        return self._outputs

    @property
    def input_shape(self) -> Shape:
        """The input shape, batch dimension included."""
        if self._input is None:
            raise AttributeError(f"Sequential model {self.name!r} has no defined input yet.")
        shape: Shape = self._input.batch_shape
        return shape

    @property
    def output_shape(self) -> Shape:
        """The output shape of the last layer.

        >>> from convshape import Sequential, layers
        >>> Sequential([layers.Conv1D(4, 3, input_shape=(10, 2))]).output_shape
        (None, 8, 4)
        """
        if self._input is None:
            raise AttributeError(f"Sequential model {self.name!r} has no defined outputs yet.")
        shape: Shape = self._outputs[0].shape
        return shape

    def _require_input(self, what: str) -> None:
        if self._input is None:
            raise AttributeError(f"Sequential model {self.name!r} has no defined {what} yet.")

    def _require_built(self, what: str) -> Shape:
        if self._input is None:
            raise ConvShapeError(
                f"cannot {what} Sequential model {self.name!r}: it has no input shape yet. "
                "Start it with Input(shape) or pass input_shape= to its first layer",
                argument="input_shape",
                received={"input_shape": None},
            )
        shape: Shape = self._input.batch_shape
        return shape

    def count_params(self) -> int:
        """Every scalar of every weight, as Keras's ``model.count_params()``.

        >>> from convshape import Input, Sequential, layers
        >>> Sequential([Input((100,)), layers.Dense(10)]).count_params()
        1010
        """
        self._require_built("count the parameters of")
        return super().count_params()

    def output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """The output shape of the stack called on this input shape; an unbuilt model is
        built on it first, as Keras builds it on its first call."""
        if self._input is None:
            self.build(_call_input(self, args, kwargs))
        return super().output_spec(*args, **kwargs)

    def explain(self) -> Any:
        """Every layer in turn: its shapes, and for convolutions and poolings each spatial
        dimension worked through.

        >>> from convshape import Input, Sequential, clear_session, layers
        >>> clear_session()
        >>> model = Sequential([Input((7, 7, 8)), layers.Conv2DTranspose(4, 5, 2, "same")])
        >>> print(model.explain().steps[0])
        conv2d_transpose (Conv2DTranspose): (None, 7, 7, 8) -> (None, 14, 14, 4)
        """
        self._require_built("explain")
        return super().explain()

    def __repr__(self) -> str:
        return f"<Sequential name={self.name!r} layers={len(self._layers)}>"

"""Sequential: a stack of layers folded over an input shape, like ``keras.Sequential``."""

from __future__ import annotations

import re
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ._render import default_line_length, render_summary
from ._validate import Shape, check_bool
from .errors import ConvShapeError
from .explain import Explanation, explain_model
from .layers._base import Layer, SymbolicTensor, Weight, snake_case, with_name
from .layers.core import InputLayer
from .summary import Summary, SummaryRow

__all__ = ["Sequential"]

LayerLike = Layer | InputLayer | SymbolicTensor


class Sequential:
    """A linear stack of layers with Keras's naming, shapes, parameter counts and summary.

    The input comes from an ``Input(shape)`` (or ``InputLayer``) first, or from
    ``input_shape=``/``input_dim=`` (and ``batch_size=``) on the first layer.
    Shapes are computed as layers are added, so a layer that cannot follow the
    previous one is rejected by ``add``, as Keras rejects it when it builds.

    >>> from convshape import Input, Sequential, layers
    >>> model = Sequential([Input((28, 28, 1)), layers.Conv2D(8, 3), layers.Flatten()])
    >>> model.output_shape
    (None, 5408)
    >>> [layer.name for layer in model.layers]
    ['conv2d', 'flatten']
    """

    def __init__(
        self,
        layers: Iterable[LayerLike] | None = None,
        trainable: bool = True,
        name: str | None = None,
    ) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(
                f"`name` must be a str, not {type(name).__name__}. Received: name={name!r}"
            )
        self.name = name or "sequential"
        self.trainable = check_bool(trainable, "trainable")
        self._input: InputLayer | None = None
        self._layers: list[Layer] = []
        self._shapes: list[Shape] = []
        self._weights: list[tuple[Weight, ...]] = []
        self._auto_names: Counter[str] = Counter()
        for layer in layers or ():
            self.add(layer)

    # -- building -------------------------------------------------------------

    def add(self, layer: LayerLike) -> None:
        """Append a layer (or set the input with ``Input``/``InputLayer``) and compute its shape.

        >>> from convshape import Sequential, layers
        >>> model = Sequential()
        >>> model.add(layers.Dense(4, input_shape=(3,)))
        >>> model.output_shape
        (None, 4)
        """
        if isinstance(layer, SymbolicTensor):
            if not isinstance(layer.layer, InputLayer):
                raise TypeError(
                    "only a tensor from convshape.Input can start a Sequential model; "
                    "use the layers themselves"
                )
            layer = layer.layer
        if isinstance(layer, InputLayer):
            self._set_input(layer)
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                "only convshape layers can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer).__name__})"
            )
        if not self._layers and self._input is None and layer.input_shape is not None:
            self._input = InputLayer(shape=layer.input_shape, batch_size=layer.batch_size)
        named = self._named(layer)
        if self._input is not None:
            previous = self._shapes[-1] if self._shapes else self._input.batch_shape
            shape = named.compute_output_shape(previous)
            # Building may fail too (unknown channels, groups that do not divide them).
            weights = named._checked_weight_specs(previous)
            self._shapes.append(shape)
            self._weights.append(weights)
        self._layers.append(named)

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

    def _named(self, layer: Layer) -> Layer:
        """The layer with Keras's automatic name when it has none; names must be unique."""
        if layer.name is None:
            prefix = snake_case(type(layer).__name__)
            count = self._auto_names[prefix]
            self._auto_names[prefix] += 1
            layer = with_name(layer, prefix if count == 0 else f"{prefix}_{count}")
        if any(existing.name == layer.name for existing in self._layers):
            raise ConvShapeError(
                "all layers of a Sequential model must have unique names; "
                f"{layer.name!r} is already the name of a layer in this model",
                argument="name",
                received={"name": layer.name},
            )
        return layer

    def pop(self) -> Layer:
        """Remove and return the last layer.

        >>> from convshape import Input, Sequential, layers
        >>> model = Sequential([Input((3,)), layers.Dense(4), layers.Dense(2)])
        >>> model.pop().name, model.output_shape
        ('dense_1', (None, 4))
        """
        if not self._layers:
            raise ConvShapeError(
                "there are no layers in the model to pop", argument="layers", received={}
            )
        if self._shapes:
            self._shapes.pop()
            self._weights.pop()
        return self._layers.pop()

    # -- inspection -------------------------------------------------------------

    @property
    def layers(self) -> list[Layer]:
        """The layers, named as Keras names them within one model (the input excluded)."""
        return list(self._layers)

    @property
    def built(self) -> bool:
        """Whether the input shape is known (and so every layer's shapes and weights)."""
        return self._input is not None

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
        shape: Shape = self._shapes[-1] if self._shapes else self._input.batch_shape
        return shape

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
        return self.summarize().total_params

    def summarize(self) -> Summary:
        """The summary as data: rows per layer and totals (see :class:`Summary`)."""
        rows = []
        if self._input is None:
            for layer in self._layers:
                rows.append(
                    SummaryRow(
                        layer.name or "",
                        type(layer).__name__,
                        None,
                        0,
                        0,
                        0,
                        trainable=layer.trainable,
                        built=layer._built_at_init,
                    )
                )
            return Summary(self.name, tuple(rows), trainable=self.trainable)
        for layer, weights, output in zip(self._layers, self._weights, self._shapes, strict=True):
            trainable = [w for w in weights if w.trainable]
            frozen = [w for w in weights if not w.trainable]
            rows.append(
                SummaryRow(
                    layer.name or "",
                    type(layer).__name__,
                    output,
                    sum(w.size for w in weights),
                    sum(w.size for w in trainable),
                    sum(w.size for w in frozen),
                    trainable=layer.trainable,
                    has_weights=bool(weights),
                    trainable_bytes=sum(w.size * (w.itemsize or 4) for w in trainable),
                    non_trainable_bytes=sum(w.size * (w.itemsize or 4) for w in frozen),
                )
            )
        return Summary(self.name, tuple(rows), self._input.batch_shape, self.trainable)

    def summary(
        self,
        line_length: int | None = None,
        positions: Sequence[float] | None = None,
        print_fn: Callable[..., Any] | None = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Sequence[str] | None = None,
    ) -> None:
        """Print the summary table exactly as Keras 3's ``model.summary()`` prints it.

        ``print_fn`` receives the whole text at once, as Keras passes it.
        """
        del expand_nested  # a Sequential of plain layers has nothing nested
        summary = self.summarize()
        rows = summary.rows
        if layer_range is not None:
            rows = _select_rows(rows, layer_range)
        text = render_summary(
            summary,
            line_length or default_line_length(show_trainable),
            positions,
            show_trainable,
            rows,
            console_width=shutil.get_terminal_size().columns,
        )
        if print_fn is None:
            sys.stdout.write(text)
        else:
            print_fn(text)

    def explain(self) -> Explanation:
        """Every layer in turn: its shapes, and for convolutions and poolings each spatial
        dimension worked through.

        >>> from convshape import Input, Sequential, layers
        >>> model = Sequential([Input((7, 7, 8)), layers.Conv2DTranspose(4, 5, 2, "same")])
        >>> print(model.explain().steps[0])
        conv2d_transpose (Conv2DTranspose): (None, 7, 7, 8) -> (None, 14, 14, 4)
        """
        return explain_model(self.name, self._layers, self._require_built("explain"))

    def __repr__(self) -> str:
        return f"<Sequential name={self.name!r} layers={len(self._layers)}>"

    def _repr_html_(self) -> str:
        return self.summarize()._repr_html_()


def _select_rows(rows: Sequence[SummaryRow], layer_range: Sequence[str]) -> tuple[SummaryRow, ...]:
    """Keras's layer_range: from the first row matching the start to the last matching the end."""
    if len(layer_range) != 2 or not all(isinstance(item, str) for item in layer_range):
        raise ConvShapeError(
            "`layer_range` must be two layer names (or patterns)",
            argument="layer_range",
            received={"layer_range": layer_range},
        )
    lower = [i for i, row in enumerate(rows) if re.match(layer_range[0], row.name)]
    upper = [i for i, row in enumerate(rows) if re.match(layer_range[1], row.name)]
    if not lower or not upper:
        raise ConvShapeError(
            "`layer_range` does not match the names of the layers in the model",
            argument="layer_range",
            received={"layer_range": layer_range},
        )
    if min(lower) > max(upper):
        return tuple(rows[min(upper) : max(lower) + 1])
    return tuple(rows[min(lower) : max(upper) + 1])

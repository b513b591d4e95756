"""Layers that wrap a layer: Bidirectional (a recurrent layer both ways) and
TimeDistributed (a layer on every step of a sequence)."""

from __future__ import annotations

from _collections_abc import Mapping, Sequence

from .._record import field
from .._validate import Shape, check_shape
from ..errors import ConvShapeError, _short_repr
from ._base import Layer, Weight
from ._registry import layer_class, plain_config
from .rnn import GRU, LSTM, SimpleRNN, _is_shape, _Recurrent  # the classes: field types

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeAlias

    from .._fields import Arg, Opaque

    #: Bidirectional's ``layer``: a recurrent layer or Keras's serialised form of one.
    BidirectionalLayer: TypeAlias = Arg[
        SimpleRNN | LSTM | GRU | Mapping[str, object], SimpleRNN | LSTM | GRU
    ]
    #: Bidirectional's ``backward_layer``: the same or None, held as the backward layer
    #: (a copy of ``layer`` with ``go_backwards=True`` when None).
    BackwardLayer: TypeAlias = Arg[
        SimpleRNN | LSTM | GRU | Mapping[str, object] | None, SimpleRNN | LSTM | GRU
    ]
    #: TimeDistributed's ``layer``: a layer or Keras's serialised form of one.
    TimeDistributedLayer: TypeAlias = Arg[Layer | Mapping[str, object], Layer]

__all__ = ["Bidirectional", "TimeDistributed", "resolve_layer"]

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def resolve_layer(value: object, argument: str = "layer") -> Layer:
    """A convshape layer, or one built from Keras's serialised form of a layer.

    Keras's configs hold a wrapped layer as ``{"class_name": ..., "config": {...}}``;
    the class is looked up among ``convshape.layers`` and built from the config (dtype
    policies become their names).

    >>> resolve_layer({"class_name": "Dense", "config": {"units": 4, "name": "head"}})
    Dense(name='head', units=4)
    >>> resolve_layer({"class_name": "ConvLSTM2D", "config": {}})
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: unknown layer class 'ConvLSTM2D'...
    """
    if isinstance(value, Layer):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(
            f"`{argument}` must be a convshape layer or a Keras layer config "
            f"({{'class_name': ..., 'config': {{...}}}}), not {type(value).__name__}. "
            f"Received: {argument}={_short_repr(value)}"
        )
    class_name = value.get("class_name")
    cls = layer_class(class_name)
    if cls is None:
        raise ConvShapeError(
            f"unknown layer class {_short_repr(class_name)} in `{argument}`: it is not a layer of "
            "convshape.layers",
            argument=argument,
            received={"class_name": class_name},
        )
    config = value.get("config") or {}
    layer: Layer = cls(**plain_config(config))
    return layer


def _prefixed(layer: Layer, weights: tuple[Weight, ...]) -> tuple[Weight, ...]:
    """Weights of an inner layer named by their Keras path below the wrapper."""
    return tuple(
        Weight(f"{layer.name}/{w.name}", w.shape, w.trainable, w.itemsize) for w in weights
    )


def _recurrent(value: object, argument: str) -> _Recurrent:
    """A resolved recurrent layer (SimpleRNN, LSTM or GRU), or TypeError."""
    layer = resolve_layer(value, argument)
    if not isinstance(layer, _Recurrent):
        raise TypeError(
            f"`{argument}` of Bidirectional must be a recurrent layer (SimpleRNN, LSTM or "
            f"GRU), not {type(layer).__name__}. Received: {argument}={_short_repr(layer)}"
        )
    return layer


def _split(result: Shape | list[Shape]) -> tuple[Shape, list[Shape]]:
    """A recurrent layer's output shape and its state shapes (with ``return_state``)."""
    if isinstance(result, list):
        return result[0], result[1:]
    return result, []


class Bidirectional(Layer):
    """A recurrent layer run forwards and backwards over ``(batch, timesteps, features)``.

    The forward layer is a copy of ``layer`` named ``forward_<name>``; the backward one is
    ``backward_layer`` or a copy with ``go_backwards=True`` named ``backward_<name>``.
    ``merge_mode="concat"`` gives ``forward.units + backward.units`` features; ``"sum"``,
    ``"mul"`` and ``"ave"`` need equal outputs and keep their shape; ``None`` returns
    ``[forward, backward]``. With ``return_state`` the output(s) are followed by the
    forward states, then the backward ones. ``params = forward's + backward's``.

    >>> from convshape import clear_session
    >>> from convshape.layers import GRU, LSTM
    >>> Bidirectional(LSTM(8, return_sequences=True)).compute_output_shape((None, 10, 3))
    (None, 10, 16)
    >>> Bidirectional(GRU(4, return_state=True), merge_mode=None).compute_output_shape(
    ...     (None, 10, 3))
    [(None, 4), (None, 4), (None, 4), (None, 4)]
    >>> clear_session()
    >>> layer = Bidirectional(LSTM(8))
    >>> layer.count_params((None, 10, 3)), layer.weight_specs((None, 10, 3))[0].name
    (768, 'forward_lstm/lstm_cell/kernel')
    """

    ndim: ClassVar[int | None] = 3

    layer: BidirectionalLayer
    merge_mode: str | None = "concat"
    weights: Opaque = None
    backward_layer: BackwardLayer = field(default=None, repr=False)
    #: The copy of ``layer`` that reads the sequence forwards (Keras's ``forward_layer``).
    forward_layer: SimpleRNN | LSTM | GRU = field(
        default=None, init=False, repr=False, compare=False
    )

    def _validate(self) -> None:
        layer = _recurrent(self.layer, "layer")
        given: object = self.backward_layer  # as passed: None, a layer or a config
        backward = None if given is None else _recurrent(given, "backward_layer")
        if self.merge_mode not in _MERGE_MODES:
            raise ConvShapeError(
                "`merge_mode` must be one of 'sum', 'mul', 'ave', 'concat' or None",
                argument="merge_mode",
                received={"merge_mode": self.merge_mode},
            )
        name = layer.name or ""
        forward = layer._replace(name=f"forward_{name.removeprefix('forward_')}")
        if backward is None:
            # Keras 3 sets go_backwards=True (a backwards `layer` is then rejected below).
            changes: dict[str, object] = {
                "name": f"backward_{name.removeprefix('backward_')}",
                "go_backwards": True,
            }
            backward = layer._replace(**changes)
        if bool(forward.go_backwards) == bool(backward.go_backwards):
            raise ConvShapeError(
                "the forward and backward layers must have different `go_backwards` values",
                argument="backward_layer" if given is not None else "layer",
                received={"go_backwards": (forward.go_backwards, backward.go_backwards)},
            )
        for attribute in ("stateful", "return_sequences", "return_state"):
            values = (getattr(forward, attribute), getattr(backward, attribute))
            if values[0] != values[1]:
                raise ConvShapeError(
                    f"the forward and backward layers must have the same `{attribute}`",
                    argument="backward_layer",
                    received={attribute: values},
                )
        self._set("layer", layer)
        self._set("forward_layer", forward)
        self._set("backward_layer", backward)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Any:
        """The merged output shape, followed by the states with ``return_state``.

        >>> from convshape.layers import LSTM
        >>> Bidirectional(LSTM(3, return_state=True)).compute_output_shape((2, 5, 4))
        [(2, 6), (2, 3), (2, 3), (2, 3), (2, 3)]
        """
        return self._output_shape(self._check_input(input_shape))

    def _output_shape(self, shape: Shape) -> Any:
        forward, forward_states = _split(self.forward_layer.compute_output_shape(shape))
        backward, backward_states = _split(self.backward_layer.compute_output_shape(shape))
        outputs: list[Shape]
        if self.merge_mode is None:
            outputs = [forward, backward]
        elif self.merge_mode == "concat":
            units, other = forward[-1], backward[-1]
            last = None if units is None or other is None else units + other
            outputs = [(*forward[:-1], last)]
        elif forward != backward:
            raise ConvShapeError(
                f"merge_mode={self.merge_mode!r} needs forward and backward outputs of the "
                f"same shape, got {forward} and {backward}",
                argument="backward_layer",
                received={"forward": forward, "backward": backward},
            )
        else:
            outputs = [forward]
        if self.forward_layer.return_state:
            return [*outputs, *forward_states, *backward_states]
        return outputs if self.merge_mode is None else outputs[0]

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        forward, backward = self.forward_layer, self.backward_layer
        return _prefixed(forward, forward._checked_weight_specs(shape)) + _prefixed(
            backward, backward._checked_weight_specs(shape)
        )

    def _halves(self, initial_state: object) -> tuple[object, object]:
        """Keras passes the first half of ``initial_state`` forwards, the rest backwards."""
        if initial_state is None:
            return None, None
        states = [initial_state] if _is_shape(initial_state) else initial_state
        if not isinstance(states, (list, tuple)):
            raise TypeError(
                "`initial_state` must be a tensor or a list of tensors, not "
                f"{type(initial_state).__name__}. "
                f"Received: initial_state={_short_repr(initial_state)}"
            )
        half = len(states) // 2
        return list(states[:half]), list(states[half:])

    def output_spec(
        self, sequences: Any, initial_state: Any = None, mask: Any = None, training: Any = None
    ) -> Any:
        """The output shape(s) of a call, as :meth:`compute_output_shape`."""
        forward, backward = self._halves(initial_state)
        self.forward_layer._check_initial_state(forward)
        self.backward_layer._check_initial_state(backward)
        return self.compute_output_shape(sequences)

    def build_weights(
        self, sequences: Any, initial_state: Any = None, mask: Any = None, training: Any = None
    ) -> tuple[Weight, ...]:
        """The forward layer's weights, then the backward layer's."""
        return self.weight_specs(sequences)


class TimeDistributed(Layer):
    """A layer applied to every step of ``(batch, timesteps, *features)``.

    ``output_shape = (batch, timesteps, *inner[1:])`` where ``inner`` is the wrapped
    layer's output on ``(batch, *features)``; ``params`` are the wrapped layer's (one set
    shared by every step).

    >>> from convshape import clear_session
    >>> from convshape.layers import Conv2D, Dense
    >>> TimeDistributed(Conv2D(64, 3)).compute_output_shape((32, 10, 128, 128, 3))
    (32, 10, 126, 126, 64)
    >>> clear_session()
    >>> [(w.name, w.shape) for w in TimeDistributed(Dense(4)).weight_specs((None, 5, 3))]
    [('dense/kernel', (3, 4)), ('dense/bias', (4,))]
    """

    min_ndim: ClassVar[int] = 3

    layer: TimeDistributedLayer

    def _validate(self) -> None:
        self._set("layer", resolve_layer(self.layer))

    def _output_shape(self, shape: Shape) -> Shape:
        inner = self.layer.compute_output_shape((shape[0], *shape[2:]))
        if not _is_shape(inner):
            raise ConvShapeError(
                f"TimeDistributed wraps a layer with one output; {type(self.layer).__name__} "
                f"gives {inner}",
                argument="layer",
                received={"layer": self.layer, "output_shape": inner},
            )
        return (inner[0], shape[1], *inner[1:])

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        layer = self.layer
        return _prefixed(layer, layer.weight_specs((shape[0], *shape[2:])))

    def output_spec(
        self, inputs: Any, training: Any = None, mask: Any = None, **kwargs: Any
    ) -> Any:
        """The output shape of a call; a ``mask`` must start with the input's batch and
        timesteps (where both are known), as Keras checks."""
        shape = self._check_input(self._single_input((inputs,), kwargs))
        if mask is not None:
            _check_steps_mask(self, shape, mask)
        return self._output_shape(shape)


def _check_steps_mask(layer: Layer, shape: Shape, mask: object) -> None:
    mask_shape = check_shape(mask, "mask")
    if len(mask_shape) < 2:
        raise ConvShapeError(
            f"The `mask` of {type(layer).__name__} must be at least 2D (batch, timesteps)",
            argument="mask",
            received={"mask_shape": mask_shape},
        )
    for axis in (0, 1):
        if shape[axis] is not None and mask_shape[axis] not in (None, shape[axis]):
            raise ConvShapeError(
                f"The `mask` of {type(layer).__name__} must match the input's batch size and "
                f"timesteps; mask axis {axis} has {mask_shape[axis]}, the input {shape[axis]}",
                argument="mask",
                received={"mask_shape": mask_shape, "input_shape": shape},
            )

"""Recurrent layers: SimpleRNN, LSTM, GRU (their wrappers are in ``wrappers``).

Field order is Keras's positional order; arguments after ``activity_regularizer`` in
Keras's signatures are keyword-only here. A weight's name is its Keras path below the
layer (``lstm_cell/kernel``), so that the wrappers can tell their inner layers apart.
"""

from __future__ import annotations

from _collections_abc import Sequence

from .._record import KW_ONLY
from .._validate import Shape, check_count, check_shape
from ..errors import ConvShapeError, _short_repr, warn
from ._base import Layer, Weight, known

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any, ClassVar

    from .._fields import Activation, Opaque

__all__ = ["GRU", "LSTM", "SimpleRNN"]


def _is_shape(value: object) -> bool:
    return isinstance(value, (tuple, list)) and all(
        dim is None or (isinstance(dim, int) and not isinstance(dim, bool)) for dim in value
    )


def _clip_rate(value: object, name: str) -> float:
    """Keras clips recurrent dropout rates into [0, 1] rather than rejecting them."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"`{name}` must be a number, not {type(value).__name__}. "
            f"Received: {name}={_short_repr(value)}"
        )
    return float(min(1.0, max(0.0, value)))  # compared first: 10**400 clips, float() overflows


class _RecurrentFields:
    """The fields SimpleRNN, LSTM and GRU share, as ``_Recurrent`` reads them.

    Declared here rather than in ``_Recurrent``, a record class, where a type checker
    would take them for fields of their own and put ``use_bias`` second in every
    constructor (a subclass's field keeps its base's place); each class declares its
    fields in Keras's order."""

    __slots__ = ()

    if TYPE_CHECKING:
        units: int
        use_bias: bool
        dropout: float
        recurrent_dropout: float
        return_sequences: bool
        return_state: bool
        go_backwards: bool
        stateful: bool
        unroll: bool


class _Recurrent(_RecurrentFields, Layer):
    """What SimpleRNN, LSTM and GRU share: Keras's ``RNN`` over one cell."""

    __slots__ = ()

    ndim: ClassVar[int | None] = 3
    #: Keras's cell name, the first part of each weight's path.
    _cell: ClassVar[str]
    #: How many blocks of ``units`` the kernels hold (gates and candidate).
    _blocks: ClassVar[int]
    #: How many state tensors the layer carries (and returns with ``return_state``).
    _states: ClassVar[int] = 1

    def _validate(self) -> None:
        self._set("units", check_count(self.units, "units"))
        self._set("dropout", _clip_rate(self.dropout, "dropout"))
        self._set("recurrent_dropout", _clip_rate(self.recurrent_dropout, "recurrent_dropout"))
        use_cudnn = getattr(self, "use_cudnn", "auto")
        if not (isinstance(use_cudnn, bool) or use_cudnn == "auto"):
            raise ConvShapeError(
                "`use_cudnn` must be 'auto', True or False",
                argument="use_cudnn",
                received={"use_cudnn": use_cudnn},
            )

    def _output_shape(self, shape: Shape) -> Shape:
        batch, steps = shape[0], shape[1]
        if steps == 0:
            raise ConvShapeError(
                f"{type(self).__name__} needs at least one timestep (axis 1)",
                argument="input_shape",
                received={"input_shape": shape},
            )
        if self.stateful and batch is None:
            raise ConvShapeError(
                "with `stateful=True` the batch size must be known",
                argument="input_shape",
                received={"input_shape": shape, "stateful": self.stateful},
            )
        if self.unroll and steps is None:
            warn(
                f"{type(self).__name__}(unroll=True) on an unknown number of timesteps: Keras "
                "builds the model, but its call refuses to unroll an undefined time "
                "dimension; give the Input a fixed length",
                layer=self,
            )
        if self.return_sequences:
            return (batch, steps, self.units)
        return (batch, self.units)

    def _state_shapes(self, shape: Shape) -> list[Shape]:
        return [(shape[0], self.units)] * self._states

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Any:
        """The output shape, and with ``return_state`` the list [output, *states].

        >>> LSTM(8, return_state=True).compute_output_shape((None, 10, 3))
        [(None, 8), (None, 8), (None, 8)]
        """
        output = Layer.compute_output_shape(self, input_shape)
        if not self.return_state:
            return output
        return [output, *self._state_shapes(self._check_input(input_shape))]

    def _bias_shape(self) -> tuple[int, ...]:
        return (self._blocks * self.units,)

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        features = known(shape, -1, self, "feature dimension")
        width = self._blocks * self.units
        weights = [
            Weight(f"{self._cell}/kernel", (features, width), True),
            Weight(f"{self._cell}/recurrent_kernel", (self.units, width), True),
        ]
        if self.use_bias:
            weights.append(Weight(f"{self._cell}/bias", self._bias_shape(), True))
        return tuple(weights)

    def _check_initial_state(self, initial_state: object) -> None:
        if initial_state is None:
            return
        states = [initial_state] if _is_shape(initial_state) else initial_state
        if not isinstance(states, (list, tuple)):
            raise TypeError(
                "`initial_state` must be a tensor or a list of tensors, not "
                f"{type(initial_state).__name__}. "
                f"Received: initial_state={_short_repr(initial_state)}"
            )
        # Keras's GRU reads only the first state it is given.
        if len(states) != self._states and not (isinstance(self, GRU) and states):
            raise ConvShapeError(
                f"{type(self).__name__} takes {self._states} initial state(s), got {len(states)}",
                argument="initial_state",
                received={"initial_state": initial_state},
            )
        for state in states:
            dims = check_shape(state, "initial_state")
            if len(dims) != 2 or dims[-1] not in (None, self.units):
                raise ConvShapeError(
                    f"each initial state of {type(self).__name__} must have the shape "
                    f"(batch, units={self.units})",
                    argument="initial_state",
                    received={"initial_state": initial_state},
                )

    def output_spec(
        self,
        sequences: Any,
        initial_state: Any = None,
        mask: Any = None,
        training: Any = None,
    ) -> Any:
        """The output shape, or [output, *states] with ``return_state``, of a call."""
        self._check_initial_state(initial_state)
        return self.compute_output_shape(sequences)

    def build_weights(
        self,
        sequences: Any,
        initial_state: Any = None,
        mask: Any = None,
        training: Any = None,
    ) -> tuple[Weight, ...]:
        """The weights a call on ``sequences`` builds (:meth:`output_spec` has checked the
        call, and warned once about it)."""
        return self._checked_weight_specs(self._check_input(sequences))


class SimpleRNN(_Recurrent):
    """A fully connected recurrent layer over ``(batch, timesteps, features)``.

    ``output_shape = (batch, units)``, or ``(batch, timesteps, units)`` with
    ``return_sequences``; ``params = (features + units + 1) * units``.

    >>> SimpleRNN(16).count_params((None, 10, 8))
    400
    >>> SimpleRNN(16, return_sequences=True, return_state=True).compute_output_shape((4, 10, 8))
    [(4, 10, 16), (4, 16)]
    """

    _cell: ClassVar[str] = "simple_rnn_cell"
    _blocks: ClassVar[int] = 1

    units: int
    activation: Activation = "tanh"
    use_bias: bool = True
    kernel_initializer: Opaque = "glorot_uniform"
    recurrent_initializer: Opaque = "orthogonal"
    bias_initializer: Opaque = "zeros"
    kernel_regularizer: Opaque = None
    recurrent_regularizer: Opaque = None
    bias_regularizer: Opaque = None
    _: KW_ONLY
    kernel_constraint: Opaque = None
    recurrent_constraint: Opaque = None
    bias_constraint: Opaque = None
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    return_sequences: bool = False
    return_state: bool = False
    go_backwards: bool = False
    stateful: bool = False
    unroll: bool = False
    seed: int | None = None
    zero_output_for_mask: bool = False


class LSTM(_Recurrent):
    """Long short-term memory: four gates, two states (``h`` and ``c``).

    ``output_shape = (batch, units)`` (``(batch, timesteps, units)`` with
    ``return_sequences``); ``params = 4 * ((features + units + 1) * units)``.

    >>> LSTM(32).count_params((None, 10, 8))
    5248
    >>> LSTM(32, return_sequences=True).compute_output_shape((None, None, 8))
    (None, None, 32)
    """

    _cell: ClassVar[str] = "lstm_cell"
    _blocks: ClassVar[int] = 4
    _states: ClassVar[int] = 2

    units: int
    activation: Activation = "tanh"
    recurrent_activation: Activation = "sigmoid"
    use_bias: bool = True
    kernel_initializer: Opaque = "glorot_uniform"
    recurrent_initializer: Opaque = "orthogonal"
    bias_initializer: Opaque = "zeros"
    unit_forget_bias: bool = True
    kernel_regularizer: Opaque = None
    recurrent_regularizer: Opaque = None
    bias_regularizer: Opaque = None
    _: KW_ONLY
    kernel_constraint: Opaque = None
    recurrent_constraint: Opaque = None
    bias_constraint: Opaque = None
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    seed: int | None = None
    return_sequences: bool = False
    return_state: bool = False
    go_backwards: bool = False
    stateful: bool = False
    unroll: bool = False
    use_cudnn: bool | str = "auto"
    zero_output_for_mask: bool = False
    implementation: int = 2


class GRU(_Recurrent):
    """Gated recurrent unit: three blocks, one state.

    ``params = 3 * (features + units) * units`` plus the bias: ``2 * 3 * units`` with
    ``reset_after=True`` (Keras's default, a bias of shape ``(2, 3 * units)``), else
    ``3 * units``.

    >>> GRU(32).count_params((None, 10, 8))
    4032
    >>> GRU(32, reset_after=False).count_params((None, 10, 8))
    3936
    """

    _cell: ClassVar[str] = "gru_cell"
    _blocks: ClassVar[int] = 3

    units: int
    activation: Activation = "tanh"
    recurrent_activation: Activation = "sigmoid"
    use_bias: bool = True
    kernel_initializer: Opaque = "glorot_uniform"
    recurrent_initializer: Opaque = "orthogonal"
    bias_initializer: Opaque = "zeros"
    kernel_regularizer: Opaque = None
    recurrent_regularizer: Opaque = None
    bias_regularizer: Opaque = None
    _: KW_ONLY
    kernel_constraint: Opaque = None
    recurrent_constraint: Opaque = None
    bias_constraint: Opaque = None
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    seed: int | None = None
    return_sequences: bool = False
    return_state: bool = False
    go_backwards: bool = False
    stateful: bool = False
    unroll: bool = False
    reset_after: bool = True
    use_cudnn: bool | str = "auto"
    zero_output_for_mask: bool = False
    implementation: int = 2

    def _bias_shape(self) -> tuple[int, ...]:
        # Separate input and recurrent biases, a different shape from CuDNNGRU's on purpose.
        if self.reset_after:
            return (2, 3 * self.units)
        return (3 * self.units,)

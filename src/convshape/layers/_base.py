"""The layer base class: Keras's common constructor arguments, shapes and weights.

A layer is a frozen record (``convshape._record``, a dataclass without the import
cost): its fields are Keras's constructor arguments,
normalised once in ``__post_init__``. Everything else is computed from an
input shape on demand, so a layer can be reused and called on symbolic
tensors.
"""

from __future__ import annotations

from .._naming import auto_name, snake_case
from .._record import KW_ONLY, MISSING, Record, field, fields
from .._validate import (
    Shape,
    check_axis,
    check_bool,
    check_count,
    check_rate,
    check_shape,
    check_str,
    choice_error,
)
from ..errors import ConvShapeError, _short_repr
from ..models.graph import Node, SymbolicTensor, call_operation, call_single

# What the layer modules (and the costs, receptive fields and sizes) import from here:
# the weight records and the axis helpers live in their own modules.
from ._axes import channel_axis, known, spatial_axes
from ._weight import _DTYPE_BYTES as _DTYPE_BYTES  # noqa: PLC0414  (re-exported: _cost_base reads it here)
from ._weight import Weight, check_lora, lora_weights

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, ClassVar, TypeVar

    from .._fields import Opaque
    from ..explain import Explanation

    L = TypeVar("L", bound="Layer")

__all__ = [
    "Layer",
    "SymbolicTensor",
    "Weight",
    "call_inputs",
    "channel_axis",
    "check_axis",
    "check_lora",
    "check_rate",
    "known",
    "lora_weights",
    "snake_case",
    "spatial_axes",
    "with_name",
]


def with_name(layer: L, name: str) -> L:
    """A copy of a (validated) layer under another name, without validating it again."""
    copy = object.__new__(type(layer))
    state = copy.__dict__
    state.update(layer.__dict__)
    state["name"] = name
    state["_inbound_nodes"] = []
    for key in ("_asked", "compute_output_shape"):  # bound to ``layer``
        state.pop(key, None)
    return copy


def _is_default(value: object, default: object) -> bool:
    """Equal to the default once normalised: 1 and (1, 1), None and "channels_last"."""
    if value == default:
        return True
    if isinstance(value, tuple) and not isinstance(default, tuple):
        return all(item == default for item in value)
    return default is None and value == "channels_last"


#: Marks a ``compute_output_shape`` that returns ``_output_shape(_check_input(shape))``.
PLAIN_SHAPE = "_plain_shape"


class Layer(Record):
    """Base class of every layer: Keras's common keyword arguments.

    ``input_shape``/``input_dim`` and ``batch_size`` declare the input of the
    first layer of a ``Sequential`` (the Keras 2 style). Every layer answers
    ``compute_output_shape(input_shape)``, ``count_params(input_shape)`` and
    ``weight_specs(input_shape)`` without building anything, and can be called on a
    symbolic tensor (``layers.Input``) to build a functional ``Model``.

    >>> from convshape import layers
    >>> layers.Dense(4, input_shape=(3,)).input_shape
    (3,)
    """

    _: KW_ONLY
    name: str | None = None
    trainable: bool = True
    dtype: object = None
    autocast: bool = True
    activity_regularizer: Opaque = None
    input_shape: Sequence[int | None] | None = None
    input_dim: int | None = None
    batch_size: int | None = None
    #: One record per call on symbolic tensors, in call order (Keras's ``_inbound_nodes``).
    _inbound_nodes: list[Node] = field(default_factory=list, init=False, repr=False, compare=False)

    #: The exact rank (batch included) Keras's InputSpec requires; None for any.
    ndim: ClassVar[int | None] = None
    #: The smallest rank accepted when ``ndim`` is None.
    min_ndim: ClassVar[int] = 1
    #: Base keyword arguments this class's Keras constructor does not take.
    _rejected_base: ClassVar[frozenset[str]] = frozenset()
    #: Whether Keras builds the layer in its constructor (a summary without an input
    #: shows "0" for it rather than "0 (unbuilt)").
    _built_at_init: ClassVar[bool] = False
    #: Whether the output keeps every axis of the input but the last (activations,
    #: normalisations, dropout, Dense): size analyses pass lengths through such layers.
    _keeps_spatial: ClassVar[bool] = False
    #: Whether ``input_dim`` declares the input shape (Embedding uses it for its vocabulary).
    _input_dim_is_shape: ClassVar[bool] = True
    #: What models, inputs and Keras op nodes say about themselves (read for every row).
    _is_model: ClassVar[bool] = False
    is_keras_op: ClassVar[bool] = False
    #: The class name a summary prints, when not the Python class's.
    class_name: ClassVar[str | None] = None
    #: Whether ``compute_output_shape`` is ``_output_shape`` of the checked input (set per
    #: class): the graph, which checks the input once, then calls ``_output_shape``.
    _plain_shape: ClassVar[bool] = True

    #: Whether ``_weights`` builds every weight with :meth:`_weight` (trainable flag and
    #: bytes per scalar applied), so that they need no second pass.
    _final_weights: ClassVar[bool] = False
    #: Whether the class keeps the base class's one-input graph hooks (set per class).
    _plain_hooks: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._plain_shape = bool(getattr(cls.compute_output_shape, PLAIN_SHAPE, False))
        cls._plain_hooks = (
            cls.output_spec is Layer.output_spec and cls.build_weights is Layer.build_weights
        )

    def __post_init__(self) -> None:
        for spec in fields(Layer) if self._rejected_base else ():
            if spec.name in self._rejected_base and getattr(self, spec.name) != spec.default:
                raise TypeError(
                    f"{type(self).__name__}() got an unexpected keyword argument {spec.name!r}"
                )
        if self.name is None:
            # Keras names a layer when it is created, from counters the session shares.
            self.__dict__["name"] = auto_name(type(self).__name__)
        else:
            check_str(self.name, "name")
        if self.trainable is not True:
            check_bool(self.trainable, "trainable")
        if self.autocast is not True:
            check_bool(self.autocast, "autocast")
        if self.input_dim is not None and self._input_dim_is_shape:
            # Re-validation (dataclasses.replace) sees the input_shape derived from input_dim.
            if self.input_shape is not None and check_shape(self.input_shape, "input_shape") != (
                check_count(self.input_dim, "input_dim"),
            ):
                raise ConvShapeError(
                    "pass `input_shape` or `input_dim`, not both",
                    argument="input_dim",
                    received={"input_shape": self.input_shape, "input_dim": self.input_dim},
                )
            self._set("input_shape", (check_count(self.input_dim, "input_dim"),))
        elif self.input_shape is not None:
            self._set("input_shape", check_shape(self.input_shape, "input_shape"))
        if self.batch_size is not None:
            self._set("batch_size", check_count(self.batch_size, "batch_size"))
        if self.dtype is not None:
            if type(self.dtype) is dict:  # a serialised DTypePolicy, as Keras's configs hold
                from ._registry import plain  # noqa: PLC0415  (the registry imports this module)

                self._set("dtype", plain(self.dtype))
            self._bytes_per_param()
        self._validate()

    def __repr__(self) -> str:
        """The class and the arguments that differ from Keras's defaults."""
        shown = []
        for spec in fields(self):
            if not spec.repr:
                continue
            value = getattr(self, spec.name)
            if spec.default is MISSING or not _is_default(value, spec.default):
                shown.append(f"{spec.name}={_short_repr(value)}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def _set(self, name: str, value: object) -> None:
        """Store a normalised argument on the frozen instance."""
        self.__dict__[name] = value

    def _validate(self) -> None:
        """Check and normalise the class's own arguments (overridden)."""

    # -- shapes -------------------------------------------------------------

    def _check_input(self, input_shape: object) -> Shape:
        shape: Shape
        if type(input_shape) is tuple:  # check_shape's common case, without the call
            for dim in input_shape:
                if dim is not None and (type(dim) is not int or dim < 0):
                    shape = check_shape(input_shape)
                    break
            else:
                shape = input_shape
        else:
            shape = check_shape(input_shape)
        rank = len(shape)
        ndim = self.ndim
        if ndim is not None and rank != ndim:
            raise ConvShapeError(
                f"{type(self).__name__} expects an input of rank {self.ndim} "
                f"(batch included), got rank {rank}",
                argument="input_shape",
                received={"input_shape": input_shape},
            )
        if ndim is None and rank < self.min_ndim:
            raise ConvShapeError(
                f"{type(self).__name__} expects an input of rank >= {self.min_ndim} "
                f"(batch included), got rank {rank}",
                argument="input_shape",
                received={"input_shape": input_shape},
            )
        return shape

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        """The output shape for an input shape (batch dimension included).

        >>> from convshape import layers
        >>> layers.Conv2DTranspose(128, 5, strides=2, padding="same").compute_output_shape(
        ...     (None, 7, 7, 256))
        (None, 14, 14, 128)
        """
        return self._output_shape(self._check_input(input_shape))

    setattr(compute_output_shape, "_plain_shape", True)  # noqa: B010  (see PLAIN_SHAPE)

    def _checked_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        """:meth:`compute_output_shape` on the validating path."""
        return self._output_shape(self._check_input(input_shape))

    @property
    def geometry(self) -> tuple[Any, ...]:
        """Per spatial axis, what the layer's window does (``AxisGeometry``); empty for
        layers without a sliding window (convolutions and poolings have one)."""
        return ()

    def _output_shape(self, shape: Shape) -> Shape:
        return shape

    def weight_specs(self, input_shape: Sequence[int | None]) -> tuple[Weight, ...]:
        """The variables the layer creates when built on ``input_shape``.

        >>> from convshape import layers
        >>> [w.shape for w in layers.Dense(4).weight_specs((None, 3))]
        [(3, 4), (4,)]
        """
        shape = self._check_input(input_shape)
        self._output_shape(shape)
        return self._checked_weight_specs(shape)

    def _checked_weight_specs(self, shape: Shape) -> tuple[Weight, ...]:
        """weight_specs for a shape already validated (and shown to have an output)."""
        if self._final_weights:  # built with _weight: flags and sizes applied
            return self._weights(shape)
        itemsize = 4 if self.dtype is None else self._bytes_per_param()
        trainable = self.trainable
        new = tuple.__new__
        return tuple(
            [
                w
                if w[3] is not None and (trainable or not w[2])
                else new(Weight, (w[0], w[1], w[2] and trainable, w[3] or itemsize))
                for w in self._weights(shape)
            ]
        )

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        return ()

    def _weight(self, name: str, shape: tuple[int, ...], trainable: bool = True) -> Weight:
        """A weight of this layer, its ``trainable`` flag and bytes per scalar applied (what
        :meth:`_checked_weight_specs` would otherwise add to each weight)."""
        itemsize = 4 if self.dtype is None else self._bytes_per_param()
        return tuple.__new__(Weight, (name, shape, trainable and self.trainable, itemsize))

    def count_params(self, input_shape: Sequence[int | None]) -> int:
        """Every scalar in the layer's weights, as Keras's ``count_params()``.

        >>> from convshape import layers
        >>> layers.Conv2DTranspose(128, (5, 5), use_bias=False).count_params((None, 7, 7, 256))
        819200
        """
        return sum(w.size for w in self.weight_specs(input_shape))

    def count_trainable_params(self, input_shape: Sequence[int | None]) -> int:
        """Scalars in trainable weights (none when ``trainable=False``).

        >>> from convshape import layers
        >>> layers.BatchNormalization().count_trainable_params((None, 64))
        128
        """
        return sum(w.size for w in self.weight_specs(input_shape) if w.trainable)

    def count_non_trainable_params(self, input_shape: Sequence[int | None]) -> int:
        """Scalars in non-trainable weights (BatchNormalization's moving statistics).

        >>> from convshape import layers
        >>> layers.BatchNormalization().count_non_trainable_params((None, 64))
        128
        """
        return sum(w.size for w in self.weight_specs(input_shape) if not w.trainable)

    def _bytes_per_param(self) -> int:
        """Bytes per weight scalar, from ``dtype`` (float32 by default)."""
        dtype = self.dtype
        if dtype is None:
            return 4
        if type(dtype) is str:  # the common case: a name Keras stores as it is
            found = _DTYPE_BYTES.get(dtype)
            if found is not None:
                return found
        key = dtype if isinstance(dtype, str) else getattr(dtype, "name", None)
        if not isinstance(key, str) or key.lower() not in _DTYPE_BYTES:
            raise choice_error(dtype, "dtype", sorted(_DTYPE_BYTES), optional=True)
        return _DTYPE_BYTES[key.lower()]

    def explain(self, input_shape: Sequence[int | None]) -> Explanation:
        """The output shape, and for convolutions and poolings every spatial dimension
        worked through with its numbers and a diagram.

        >>> from convshape import layers
        >>> layer = layers.Conv2DTranspose(64, 5, strides=2, padding="same")
        >>> print(layer.explain((None, 7, 7, 128)).parts[0].steps[3])  # doctest: +ELLIPSIS
        Crop: 17 - 14 = 3 elements; 'same' removes 3 // 2 = 1 before and 3 - 1 = 2 after...
        """
        from ..explain import explain_layer  # noqa: PLC0415  (imported when first needed)

        return explain_layer(self, input_shape)

    # -- calling on symbolic tensors ------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Apply the layer to symbolic tensors, as in Keras's functional API.

        Each call is recorded as a node of the graph; calling a layer again shares it
        (one set of weights).

        >>> from convshape import Input, layers
        >>> layers.Dense(10)(Input((784,))).shape
        (None, 10)
        """
        if not kwargs and len(args) == 1 and type(args[0]) is SymbolicTensor and self._plain_hooks:
            return call_single(self, args[0])
        return call_operation(self, args, kwargs)

    def output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """The output shape (or structure of shapes) of a call on these input shapes.

        The graph calls it with the shapes in place of the tensors; most layers take one
        input, and ``training`` and ``mask`` as Keras's ``call`` does.
        """
        return self.compute_output_shape(self._single_input(args, kwargs))

    def build_weights(self, *args: Any, **kwargs: Any) -> tuple[Weight, ...]:
        """The weights a call on these input shapes builds (see :meth:`output_spec`)."""
        return self._checked_weight_specs(self._check_input(self._single_input(args, kwargs)))

    def node_spec(self, *args: Any, **kwargs: Any) -> tuple[Any, tuple[Weight, ...]]:
        """:meth:`output_spec` and :meth:`build_weights` at once (the input checked once)."""
        if not self._plain_hooks:
            return self.output_spec(*args, **kwargs), self.build_weights(*args, **kwargs)
        shape = self._check_input(self._single_input(args, kwargs))
        output = (
            self._output_shape(shape) if self._plain_shape else self.compute_output_shape(shape)
        )
        return output, self._checked_weight_specs(shape)

    def _single_input(self, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
        """The one input of a call; ``training`` and ``mask`` are accepted and ignored."""
        inputs = call_inputs(self, args, kwargs)
        if len(inputs) != 1:
            raise TypeError(
                f"{type(self).__name__} takes exactly one input tensor, got {len(inputs)}"
            )
        return inputs[0]


def call_inputs(owner: object, args: Sequence[Any], kwargs: dict[str, Any]) -> list[Any]:
    """The inputs of a call of ``owner`` (a layer or a model), ``inputs=`` first;
    ``training`` and ``mask`` are accepted and ignored, any other keyword is a TypeError."""
    extra = set(kwargs) - {"inputs", "training", "mask"}
    if extra:
        raise TypeError(
            f"{type(owner).__name__}.call() got an unexpected keyword argument {sorted(extra)[0]!r}"
        )
    inputs = list(args)
    if "inputs" in kwargs:
        inputs.insert(0, kwargs["inputs"])
    return inputs

"""Core layers: InputLayer and Input, Dense, Embedding, Identity."""

from __future__ import annotations

from .._naming import auto_name
from .._record import KW_ONLY, Record, field
from .._validate import Shape, check_count, check_shape
from ..errors import ConvShapeError, _short_repr
from ..models.graph import Node, SymbolicTensor
from ._base import Layer, Weight, check_lora, known, lora_weights

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import ClassVar, TypeAlias

    from .._fields import Activation, Arg, Opaque

    #: ``InputLayer``'s ``shape`` and ``batch_shape``: a tuple or list of sizes (ints or
    #: None), held as a tuple once the layer has made both from whichever was given.
    InputLayerShape: TypeAlias = Arg[Sequence[int | None] | None, tuple[int | None, ...]]
    #: ``InputLayer``'s ``name``: None (the default) names it "input_layer", "input_layer_1"...
    InputLayerName: TypeAlias = Arg[str | None, str]

__all__ = ["Dense", "Embedding", "Identity", "Input", "InputLayer"]


class InputLayer(Record):
    """The input of a model: its shape without (``shape``) or with (``batch_shape``) the batch.

    A row of a functional model's summary and ``layers``, not of a ``Sequential``'s, as
    in Keras. Creating it creates its tensor, ``output``.

    >>> InputLayer((28, 28, 1)).batch_shape
    (None, 28, 28, 1)
    >>> InputLayer(batch_shape=(32, 100)).batch_shape
    (32, 100)
    """

    shape: InputLayerShape = field(default=None)
    batch_size: int | None = None
    dtype: object = None
    sparse: bool | None = None
    ragged: bool | None = None
    batch_shape: InputLayerShape = field(default=None)
    input_tensor: SymbolicTensor | None = None
    optional: bool = False
    name: InputLayerName = field(default=None)
    _: KW_ONLY
    input_shape: Sequence[int | None] | None = None
    batch_input_shape: Sequence[int | None] | None = None
    _inbound_nodes: list[Node] = field(default_factory=list, init=False, repr=False, compare=False)
    trainable: ClassVar[bool] = True
    _is_model: ClassVar[bool] = False
    is_keras_op: ClassVar[bool] = False
    class_name: ClassVar[str | None] = None
    _built_at_init: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if self.name is None:
            object.__setattr__(self, "name", auto_name("InputLayer"))
        elif not isinstance(self.name, str):
            raise TypeError(
                f"`name` must be a str, not {type(self.name).__name__}. "
                f"Received: name={_short_repr(self.name)}"
            )
        # The arguments as given: the fields hold them normalised once this returns.
        shape: object = self.shape
        batch_shape: object = self.batch_shape
        if self.input_shape is not None:
            shape = self.input_shape
        if self.batch_input_shape is not None:
            batch_shape = self.batch_input_shape
        if self.input_tensor is not None:
            if not isinstance(self.input_tensor, SymbolicTensor):
                raise TypeError(
                    "`input_tensor` must be a convshape symbolic tensor (from convshape.Input), "
                    f"not {type(self.input_tensor).__name__}"
                )
            batch_shape = self.input_tensor.shape
        elif shape is not None and batch_shape is not None:
            raise ConvShapeError(
                "pass `shape` or `batch_shape`, not both",
                argument="shape",
                received={"shape": shape, "batch_shape": batch_shape},
            )
        elif shape is None and batch_shape is None:
            raise ConvShapeError("`shape` is required", argument="shape", received={"shape": None})
        if batch_shape is not None:
            if self.batch_size is not None:
                raise ConvShapeError(
                    "pass `batch_size` or `batch_shape`, not both",
                    argument="batch_size",
                    received={"batch_size": self.batch_size, "batch_shape": batch_shape},
                )
            full = check_shape(batch_shape, "batch_shape")
        else:
            batch = None if self.batch_size is None else check_count(self.batch_size, "batch_size")
            full = (batch, *check_shape(shape, "shape"))
        object.__setattr__(self, "batch_shape", full)
        object.__setattr__(self, "shape", full[1:])
        tensor = SymbolicTensor(full, dtype=self.dtype or "float32", name=self.name)
        Node(self, (), {}, tensor)

    @property
    def output(self) -> SymbolicTensor:
        """The symbolic tensor this input feeds to the first layer.

        >>> InputLayer((3,), name="features").output
        <SymbolicTensor shape=(None, 3), name=features>
        """
        tensor: SymbolicTensor = self._inbound_nodes[0].outputs
        return tensor

    def count_params(self) -> int:
        """An input has no weights."""
        return 0


def Input(
    shape: Sequence[int | None] | None = None,
    batch_size: int | None = None,
    dtype: object = None,
    sparse: bool | None = None,
    ragged: bool | None = None,
    batch_shape: Sequence[int | None] | None = None,
    name: str | None = None,
    tensor: SymbolicTensor | None = None,
    optional: bool = False,
) -> SymbolicTensor:
    """A symbolic input tensor, to start a ``Sequential`` or a functional graph.

    >>> Input((100,)).shape
    (None, 100)
    >>> Input((28, 28, 1), batch_size=16).shape
    (16, 28, 28, 1)
    """
    return InputLayer(
        shape, batch_size, dtype, sparse, ragged, batch_shape, tensor, optional, name
    ).output


class Dense(Layer):
    """A fully connected layer on the last axis (any rank >= 2, as in Keras).

    ``output_shape = input_shape[:-1] + (units,)``; ``params = in * units + units``.

    >>> Dense(7 * 7 * 256, use_bias=False).count_params((None, 100))
    1254400
    >>> Dense(8).compute_output_shape((None, 5, 3))
    (None, 5, 8)
    """

    _final_weights: ClassVar[bool] = True

    _keeps_spatial: ClassVar[bool] = True

    min_ndim: ClassVar[int] = 2
    units: int
    activation: Activation = None
    use_bias: bool = True
    kernel_initializer: Opaque = "glorot_uniform"
    bias_initializer: Opaque = "zeros"
    kernel_regularizer: Opaque = None
    bias_regularizer: Opaque = None
    _: KW_ONLY
    kernel_constraint: Opaque = None
    bias_constraint: Opaque = None
    lora_rank: int | None = None
    lora_alpha: float | None = None
    quantization_config: Opaque = None

    def _validate(self) -> None:
        state = self.__dict__
        units = state["units"]
        if type(units) is not int or units < 1:
            state["units"] = check_count(units, "units")
        if self.lora_rank is not None:
            state["lora_rank"] = check_lora(self.lora_rank, self.kernel_constraint)

    def _output_shape(self, shape: Shape) -> Shape:
        return (*shape[:-1], self.units)

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        features = shape[-1]
        if features is None:
            features = known(shape, -1, self, "last dimension")
        units = self.units
        if self.lora_rank or self.dtype is not None or not self.trainable:
            kernel = self._weight("kernel", (features, units))
            kernels = lora_weights(self, kernel, self.lora_rank, units)
            return (*kernels, self._weight("bias", (units,))) if self.use_bias else kernels
        # The common case, without a call per weight: float32, trainable, no LoRA.
        new = tuple.__new__
        kernel = new(Weight, ("kernel", (features, units), True, 4))
        return (kernel, new(Weight, ("bias", (units,), True, 4))) if self.use_bias else (kernel,)


class Embedding(Layer):
    """Integer indices to vectors: ``output_shape = input_shape + (output_dim,)``.

    >>> Embedding(1000, 64).compute_output_shape((None, 20))
    (None, 20, 64)
    >>> Embedding(1000, 64).count_params((None, 20))
    64000
    """

    _final_weights: ClassVar[bool] = True

    _input_dim_is_shape: ClassVar[bool] = False
    input_dim: int
    output_dim: int
    embeddings_initializer: Opaque = "uniform"
    embeddings_regularizer: Opaque = None
    embeddings_constraint: Opaque = None
    mask_zero: bool = False
    weights: Opaque = None
    _: KW_ONLY
    lora_rank: int | None = None
    lora_alpha: float | None = None
    quantization_config: Opaque = None
    input_length: int | None = None

    def _validate(self) -> None:
        self._set("input_dim", check_count(self.input_dim, "input_dim"))
        self._set("output_dim", check_count(self.output_dim, "output_dim"))
        self._set("lora_rank", check_lora(self.lora_rank, self.embeddings_constraint))

    def _output_shape(self, shape: Shape) -> Shape:
        return (*shape, self.output_dim)

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        table = self._weight("embeddings", (self.input_dim, self.output_dim))
        return lora_weights(self, table, self.lora_rank, self.output_dim)


class Identity(Layer):
    """Returns its input unchanged.

    >>> Identity().compute_output_shape((None, 3))
    (None, 3)
    """

    _keeps_spatial: ClassVar[bool] = True

    __slots__ = ()

    _built_at_init: ClassVar[bool] = True

"""Convolution layers with Keras 3's names, arguments, defaults and rules.

Conv1D/2D/3D, Conv1DTranspose/2D/3D, SeparableConv1D/2D, DepthwiseConv1D/2D.
Field order is Keras's positional order; arguments after ``activity_regularizer``
in Keras's signatures are keyword-only here.
"""

from __future__ import annotations

from .._record import KW_ONLY, field
from .._validate import Shape, check_count, check_data_format, standardize_tuple
from ..errors import ConvShapeError, _short_repr
from ._axes import SpatialRank
from ._base import Layer, Weight, channel_axis, check_lora, known, lora_weights
from ._spatial import (
    AxisGeometry,
    FastShape,
    axis_geometry,
    fast_shape,
    forward_shape,
    transpose_shape,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar

    from .._fields import Activation, DataFormat, IntTuple, Opaque, OptionalIntTuple

__all__ = [
    "Conv1D",
    "Conv1DTranspose",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
]


def _keras_padding(layer: object, value: object, *, allow_causal: bool) -> str:
    if not isinstance(value, str):
        raise TypeError(
            f"`padding` of {type(layer).__name__} must be a str, not {type(value).__name__}. "
            f"Received: padding={_short_repr(value)}"
        )
    padding = value.lower()
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if padding not in allowed:
        rule = f"`padding` of {type(layer).__name__} must be one of {', '.join(map(repr, allowed))}"
        if padding == "causal":
            rule += "; 'causal' is only supported by Conv1D"
        raise ConvShapeError(rule, argument="padding", received={"padding": value})
    return padding


class _ConvOps(FastShape, SpatialRank):
    """Validation and shape logic shared by the convolution classes (fields live there)."""

    __slots__ = ()

    if TYPE_CHECKING:
        kernel_size: tuple[int, ...]
        strides: tuple[int, ...]
        padding: str
        data_format: str
        dilation_rate: tuple[int, ...]
        use_bias: bool

        def _set(self, name: str, value: object) -> None: ...
        def _weight(self, name: str, shape: tuple[int, ...], trainable: bool = True) -> Weight: ...

    def _set_geometry(self) -> None:
        rank = self.rank
        self._set("kernel_size", standardize_tuple(self.kernel_size, rank, "kernel_size"))
        self._set("strides", standardize_tuple(self.strides, rank, "strides"))
        self._set("dilation_rate", standardize_tuple(self.dilation_rate, rank, "dilation_rate"))
        allow_causal = type(self).__name__ == "Conv1D"
        self._set("padding", _keras_padding(self, self.padding, allow_causal=allow_causal))
        self._set("data_format", check_data_format(self.data_format))

    def _reject_strided_dilation(self) -> None:
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ConvShapeError(
                "`strides` > 1 is not supported together with `dilation_rate` > 1",
                argument="strides",
                received={"strides": self.strides, "dilation_rate": self.dilation_rate},
            )

    def _geometry(self) -> dict[str, object]:
        return {
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "dilation_rate": self.dilation_rate,
        }

    @property
    def geometry(self) -> tuple[AxisGeometry, ...]:
        """Kernel, stride, dilation and padding per spatial axis (see ``AxisGeometry``)."""
        return axis_geometry(
            self.data_format,
            self.kernel_size,
            self.strides,
            self.padding,
            self.dilation_rate,
            self._output_paddings(),
            transposed=self._transposed,
        )

    #: Whether the layer is a transposed convolution (crops a full output).
    _transposed: ClassVar[bool] = False

    def _output_paddings(self) -> tuple[int, ...] | None:
        return None

    def _fast_shape(self) -> Callable[[Any], Shape] | None:
        filters: int | None = getattr(self, "filters", None)  # depthwise: no filters
        multiplier: int = getattr(self, "depth_multiplier", 1)
        return fast_shape(self, self.geometry, self.data_format, filters, multiplier)

    def _in_channels(self, shape: Shape) -> int:
        return known(shape, channel_axis(self.data_format), self, "channel dimension")

    def _bias(self, size: int) -> tuple[Weight, ...]:
        """The bias of ``size`` output channels, when the layer has one."""
        return (self._weight("bias", (size,)),) if self.use_bias else ()

    def _spatial(self, shape: Shape, channels: int | None) -> Shape:
        out = forward_shape(
            self,
            shape,
            self.data_format,
            self.kernel_size,
            self.strides,
            self.padding,
            self.dilation_rate,
            self._geometry,
        )
        out[channel_axis(self.data_format)] = channels
        return tuple(out)


# -- Conv1D/2D/3D -------------------------------------------------------------


class _Conv(_ConvOps, Layer):
    _final_weights: ClassVar[bool] = True
    filters: int
    kernel_size: IntTuple
    strides: IntTuple = field(default=1)
    padding: str = "valid"
    data_format: DataFormat = field(default=None)
    dilation_rate: IntTuple = field(default=1)
    groups: int = 1
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

    def _validate(self) -> None:
        self._set("filters", check_count(self.filters, "filters"))
        self._set_geometry()
        self._set("groups", check_count(self.groups, "groups"))
        if self.filters % self.groups:
            raise ConvShapeError(
                "`filters` must be divisible by `groups`",
                argument="filters",
                received={"filters": self.filters, "groups": self.groups},
            )
        self._reject_strided_dilation()
        self._set("lora_rank", check_lora(self.lora_rank, self.kernel_constraint))

    def _output_shape(self, shape: Shape) -> Shape:
        return self._spatial(shape, self.filters)

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        channels = self._in_channels(shape)
        if channels % self.groups:
            raise ConvShapeError(
                f"{type(self).__name__}: the input channels must be divisible by `groups`",
                argument="input_shape",
                received={"input_shape": shape, "groups": self.groups},
            )
        kernel = self._weight("kernel", (*self.kernel_size, channels // self.groups, self.filters))
        return (
            *lora_weights(self, kernel, self.lora_rank, self.filters),
            *self._bias(self.filters),
        )


class Conv1D(_Conv):
    """1D convolution (``"causal"`` padding allowed).

    ``O = conv_output_length(I, kernel_size, strides, padding, dilation_rate)``.

    >>> Conv1D(32, 3, padding="causal", dilation_rate=2).compute_output_shape((None, 100, 8))
    (None, 100, 32)
    """

    __slots__ = ()

    rank: ClassVar[int] = 1


class Conv2D(_Conv):
    """2D convolution.

    >>> Conv2D(64, 3, strides=2, padding="same").compute_output_shape((None, 28, 28, 1))
    (None, 14, 14, 64)
    """

    __slots__ = ()

    rank: ClassVar[int] = 2


class Conv3D(_Conv):
    """3D convolution.

    >>> Conv3D(8, (3, 3, 3)).compute_output_shape((None, 16, 16, 16, 1))
    (None, 14, 14, 14, 8)
    """

    __slots__ = ()

    rank: ClassVar[int] = 3


# -- Conv1DTranspose/2D/3D ------------------------------------------------------


class _ConvTransposeOps(_ConvOps):
    _final_weights: ClassVar[bool] = True
    __slots__ = ()
    _transposed: ClassVar[bool] = True

    def _output_paddings(self) -> tuple[int, ...] | None:
        return self.output_padding

    if TYPE_CHECKING:
        filters: int
        output_padding: tuple[int, ...] | None

    def _validate(self) -> None:
        self._set("filters", check_count(self.filters, "filters"))
        self._set_geometry()
        output_padding = self.output_padding
        if output_padding is not None:
            output_padding = standardize_tuple(
                output_padding, self.rank, "output_padding", allow_zero=True
            )
            self._set("output_padding", output_padding)
            for dim, (op, s) in enumerate(zip(output_padding, self.strides, strict=True)):
                if op >= s:
                    raise ConvShapeError(
                        "`output_padding` must be smaller than `strides` in every dimension; "
                        f"dimension {dim} has output_padding={op}, strides={s}",
                        argument="output_padding",
                        received={"output_padding": output_padding, "strides": self.strides},
                    )
        self._reject_strided_dilation()

    def _output_shape(self, shape: Shape) -> Shape:
        op = self.output_padding
        out = transpose_shape(
            self,
            shape,
            self.data_format,
            self.kernel_size,
            self.strides,
            self.padding,
            op,
            self.dilation_rate,
            lambda: {**self._geometry(), "output_padding": op},
        )
        out[channel_axis(self.data_format)] = self.filters
        return tuple(out)

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        channels = self._in_channels(shape)
        kernel = self._weight("kernel", (*self.kernel_size, self.filters, channels))
        return (kernel, *self._bias(self.filters))


class _ConvTranspose12(_ConvTransposeOps, Layer):
    filters: int
    kernel_size: IntTuple
    strides: IntTuple = field(default=1)
    padding: str = "valid"
    output_padding: OptionalIntTuple = field(default=None)
    data_format: DataFormat = field(default=None)
    dilation_rate: IntTuple = field(default=1)
    activation: Activation = None
    use_bias: bool = True
    kernel_initializer: Opaque = "glorot_uniform"
    bias_initializer: Opaque = "zeros"
    kernel_regularizer: Opaque = None
    bias_regularizer: Opaque = None
    _: KW_ONLY
    kernel_constraint: Opaque = None
    bias_constraint: Opaque = None


class Conv1DTranspose(_ConvTranspose12):
    """1D transposed convolution.

    ``O = conv_transpose_output_length(I, kernel_size, strides, padding, output_padding, d)``.

    >>> Conv1DTranspose(16, 4, strides=2, padding="same").compute_output_shape((None, 50, 8))
    (None, 100, 16)
    """

    __slots__ = ()

    rank: ClassVar[int] = 1


class Conv2DTranspose(_ConvTranspose12):
    """2D transposed convolution; "same" crops the odd extra at the bottom/right.

    >>> layer = Conv2DTranspose(128, (5, 5), strides=(2, 2), padding="same", use_bias=False)
    >>> layer.compute_output_shape((None, 7, 7, 256))
    (None, 14, 14, 128)
    >>> layer.count_params((None, 7, 7, 256))
    819200
    """

    __slots__ = ()

    rank: ClassVar[int] = 2


class Conv3DTranspose(_ConvTransposeOps, Layer):
    """3D transposed convolution (Keras puts ``data_format`` before ``output_padding`` here).

    >>> Conv3DTranspose(4, 3, strides=2, padding="same").compute_output_shape((None, 4, 4, 4, 2))
    (None, 8, 8, 8, 4)
    """

    rank: ClassVar[int] = 3
    filters: int
    kernel_size: IntTuple
    strides: IntTuple = field(default=1)
    padding: str = "valid"
    data_format: DataFormat = field(default=None)
    output_padding: OptionalIntTuple = field(default=None)
    dilation_rate: IntTuple = field(default=1)
    activation: Activation = None
    use_bias: bool = True
    kernel_initializer: Opaque = "glorot_uniform"
    bias_initializer: Opaque = "zeros"
    kernel_regularizer: Opaque = None
    bias_regularizer: Opaque = None
    _: KW_ONLY
    kernel_constraint: Opaque = None
    bias_constraint: Opaque = None


# -- Separable and depthwise ------------------------------------------------------


class _SeparableConv(_ConvOps, Layer):
    _final_weights: ClassVar[bool] = True
    filters: int
    kernel_size: IntTuple
    strides: IntTuple = field(default=1)
    padding: str = "valid"
    data_format: DataFormat = field(default=None)
    dilation_rate: IntTuple = field(default=1)
    depth_multiplier: int = 1
    activation: Activation = None
    use_bias: bool = True
    depthwise_initializer: Opaque = "glorot_uniform"
    pointwise_initializer: Opaque = "glorot_uniform"
    bias_initializer: Opaque = "zeros"
    depthwise_regularizer: Opaque = None
    pointwise_regularizer: Opaque = None
    bias_regularizer: Opaque = None
    _: KW_ONLY
    depthwise_constraint: Opaque = None
    pointwise_constraint: Opaque = None
    bias_constraint: Opaque = None

    def _validate(self) -> None:
        self._set("filters", check_count(self.filters, "filters"))
        self._set("depth_multiplier", check_count(self.depth_multiplier, "depth_multiplier"))
        self._set_geometry()

    def _output_shape(self, shape: Shape) -> Shape:
        return self._spatial(shape, self.filters)

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        channels = self._in_channels(shape)
        depth = self.depth_multiplier
        return (
            self._weight("depthwise_kernel", (*self.kernel_size, channels, depth)),
            self._weight("pointwise_kernel", (*(1,) * self.rank, channels * depth, self.filters)),
            *self._bias(self.filters),
        )


class SeparableConv1D(_SeparableConv):
    """Depthwise then pointwise 1D convolution.

    >>> SeparableConv1D(32, 5, depth_multiplier=2).count_params((None, 64, 8))
    624
    """

    __slots__ = ()

    rank: ClassVar[int] = 1


class SeparableConv2D(_SeparableConv):
    """Depthwise then pointwise 2D convolution.

    >>> SeparableConv2D(64, 3, padding="same").compute_output_shape((None, 32, 32, 16))
    (None, 32, 32, 64)
    """

    __slots__ = ()

    rank: ClassVar[int] = 2


class _DepthwiseConv(_ConvOps, Layer):
    _final_weights: ClassVar[bool] = True
    kernel_size: IntTuple
    strides: IntTuple = field(default=1)
    padding: str = "valid"
    depth_multiplier: int = 1
    data_format: DataFormat = field(default=None)
    dilation_rate: IntTuple = field(default=1)
    activation: Activation = None
    use_bias: bool = True
    depthwise_initializer: Opaque = "glorot_uniform"
    bias_initializer: Opaque = "zeros"
    depthwise_regularizer: Opaque = None
    bias_regularizer: Opaque = None
    _: KW_ONLY
    depthwise_constraint: Opaque = None
    bias_constraint: Opaque = None

    def _validate(self) -> None:
        self._set("depth_multiplier", check_count(self.depth_multiplier, "depth_multiplier"))
        self._set_geometry()

    def _output_shape(self, shape: Shape) -> Shape:
        channels = shape[channel_axis(self.data_format)]
        return self._spatial(shape, None if channels is None else channels * self.depth_multiplier)

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        channels = self._in_channels(shape)
        depth = self.depth_multiplier
        return (
            self._weight("kernel", (*self.kernel_size, channels, depth)),
            *self._bias(channels * depth),
        )


class DepthwiseConv1D(_DepthwiseConv):
    """One 1D filter per input channel (times ``depth_multiplier``).

    >>> DepthwiseConv1D(3, depth_multiplier=2).compute_output_shape((None, 10, 4))
    (None, 8, 8)
    """

    __slots__ = ()

    rank: ClassVar[int] = 1


class DepthwiseConv2D(_DepthwiseConv):
    """One 2D filter per input channel (times ``depth_multiplier``).

    >>> DepthwiseConv2D(3, padding="same").count_params((None, 32, 32, 16))
    160
    """

    __slots__ = ()

    rank: ClassVar[int] = 2

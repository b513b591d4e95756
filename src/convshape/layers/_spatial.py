"""Per-dimension shape arithmetic for N-d layers, on arguments the layer validated, and
the typed per-axis geometry that analyses read."""

from __future__ import annotations

from _collections_abc import Callable, Sequence

from .._core import effective_kernel, full_transposed_length
from .._types import Pad
from .._validate import Shape
from ..arithmetic import (
    _forward_is_empty,
    _forward_length,
    _forward_pad,
    _transpose_crop,
    _transpose_is_empty,
    _transpose_length,
    _warn_if_tensorflow_rejects,
)
from ..errors import EmptyOutputError
from ._base import spatial_axes

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds

_AXIS_DOC = """What a convolution or pooling does along one spatial axis, computed once from its
    arguments: the analyses (explanations, checks, sizes) read this, not the attributes.

    Fields: ``axis`` (the axis's index in the input shape, batch included), ``kernel``,
    ``stride``, ``dilation``, ``padding`` (Keras's mode: "valid", "same" or "causal"),
    ``output_padding`` (None or an int) and ``transposed``.

    >>> from convshape import layers
    >>> axis = layers.Conv2DTranspose(8, 5, strides=2, padding="same").geometry[0]
    >>> axis.axis, axis.kernel, axis.stride, axis.padding, axis.transposed
    (1, 5, 2, 'same', True)
    """

if TYPE_CHECKING:
    from typing import Any, NamedTuple

    class AxisGeometry(NamedTuple):
        axis: int
        kernel: int
        stride: int
        dilation: int
        padding: str
        output_padding: int | None
        transposed: bool

        @property
        def effective_kernel(self) -> int: ...

else:
    from .._types import TupleRecord, field_getter

    class AxisGeometry(TupleRecord):
        __slots__ = ()
        __doc__ = _AXIS_DOC
        _fields = (
            "axis",
            "kernel",
            "stride",
            "dilation",
            "padding",
            "output_padding",
            "transposed",
        )

        def __new__(cls, axis, kernel, stride, dilation, padding, output_padding, transposed):
            values = (axis, kernel, stride, dilation, padding, output_padding, transposed)
            return tuple.__new__(cls, values)

        axis = field_getter(0, "The axis's index in the input shape, batch included.")
        kernel = field_getter(1, "The kernel (or pool) size.")
        stride = field_getter(2, "The stride.")
        dilation = field_getter(3, "The dilation rate.")
        padding = field_getter(4, "Keras's padding mode.")
        output_padding = field_getter(5, "The output_padding, or None.")
        transposed = field_getter(6, "Whether the layer is a transposed convolution.")

        @property
        def effective_kernel(self):
            """``(kernel - 1) * dilation + 1``."""
            return effective_kernel(self.kernel, self.dilation)  # the core's, not this property


def axis_geometry(
    data_format: str,
    kernel_size: tuple[int, ...],
    strides: tuple[int, ...],
    padding: str,
    dilation_rate: tuple[int, ...] | None = None,
    output_padding: tuple[int, ...] | None = None,
    *,
    transposed: bool = False,
) -> tuple[AxisGeometry, ...]:
    """One :class:`AxisGeometry` per spatial axis."""
    rank = len(kernel_size)
    dilations = dilation_rate or (1,) * rank
    ops: Sequence[int | None] = output_padding or (None,) * rank
    return tuple(
        AxisGeometry(axis, k, s, d, padding, op, transposed)
        for axis, k, s, d, op in zip(
            spatial_axes(rank, data_format), kernel_size, strides, dilations, ops, strict=True
        )
    )


def _with_spatial(shape: Shape, axes: range, sizes: Sequence[int | None]) -> list[int | None]:
    out = list(shape)
    for axis, size in zip(axes, sizes, strict=True):
        out[axis] = size
    return out


def forward_shape(
    layer: object,
    shape: Shape,
    data_format: str,
    kernel_size: tuple[int, ...],
    strides: tuple[int, ...],
    padding: str,
    dilation_rate: tuple[int, ...],
    received: Callable[[], dict[str, object]],
) -> list[int | None]:
    """The input shape with each spatial size replaced by the forward output length.

    ``received`` gives the layer's arguments for an error message, only when one is needed.
    """
    axes = spatial_axes(len(kernel_size), data_format)
    sizes: list[int | None] = []
    for dim, (axis, k, s, d) in enumerate(
        zip(axes, kernel_size, strides, dilation_rate, strict=True)
    ):
        size = shape[axis]
        if size is None:
            sizes.append(None)
            continue
        k_eff = effective_kernel(k, d)
        pad = _forward_pad(size, k_eff, s, padding)
        assert pad is not None  # the size is known
        length = _forward_length(size, k_eff, s, pad)
        if _forward_is_empty(size, length, padding):
            raise EmptyOutputError(
                f"{type(layer).__name__}: in spatial dimension {dim} the effective kernel "
                f"({k_eff}) is longer than the padded input ({size + pad.before + pad.after} "
                f"= size {size} + padding {pad.before} + {pad.after}), so the output would be "
                "empty",
                argument="input_shape",
                received={"input_shape": shape, **received()},
            )
        sizes.append(length)
    return _with_spatial(shape, axes, sizes)


def transpose_shape(
    layer: object,
    shape: Shape,
    data_format: str,
    kernel_size: tuple[int, ...],
    strides: tuple[int, ...],
    padding: str,
    output_padding: tuple[int, ...] | None,
    dilation_rate: tuple[int, ...],
    received: Callable[[], dict[str, object]],
) -> list[int | None]:
    """The input shape with each spatial size replaced by the transposed output length.

    Warns (ConvShapeWarning) where Keras predicts a length TensorFlow refuses to run.
    """
    axes = spatial_axes(len(kernel_size), data_format)
    ops: Sequence[int | None] = output_padding or (None,) * len(kernel_size)
    sizes: list[int | None] = []
    warned = set()  # one warning for axes alike (a square kernel on a square input)
    for dim, (axis, k, s, op, d) in enumerate(
        zip(axes, kernel_size, strides, ops, dilation_rate, strict=True)
    ):
        size = shape[axis]
        if size is None:
            sizes.append(None)
            continue
        k_eff = effective_kernel(k, d)
        crop: Pad = _transpose_crop(k_eff, s, padding, op)
        length = _transpose_length(size, k_eff, s, crop)
        if _transpose_is_empty(size, length):
            full = full_transposed_length(size, k_eff, s)
            raise EmptyOutputError(
                f"{type(layer).__name__}: in spatial dimension {dim} the full transposed output "
                f"({full}) minus the crop ({crop.before} + {crop.after}) "
                f"leaves {length} elements; the output would be empty",
                argument="input_shape",
                received={"input_shape": shape, **received()},
            )
        if op is not None and (size, k_eff, s, length) not in warned:
            # without output_padding, Keras's length is always one TF runs
            warned.add((size, k_eff, s, length))
            context = {"input_shape": shape, **received()}
            _warn_if_tensorflow_rejects(size, k_eff, s, padding, length, context, layer)
        sizes.append(length)
    return _with_spatial(shape, axes, sizes)


class FastShape:
    """Mixin of the sliding-window layers: from the second ``compute_output_shape`` call on,
    a function with the layer's coefficients worked out (see :func:`fast_shape`) answers.

    The first call takes the validating path: a layer built once in a model is asked
    once, and working the coefficients out would cost more than it saves.
    """

    __slots__ = ()

    if TYPE_CHECKING:
        __dict__: dict[str, Any]

        def _check_input(self, input_shape: object) -> Shape: ...
        def _output_shape(self, shape: Shape) -> Shape: ...
        def _checked_output_shape(self, input_shape: Any) -> Shape: ...

    def _fast_shape(self) -> Callable[[Any], Shape] | None:
        return None

    def compute_output_shape(self, input_shape: Any) -> Shape:
        """The output shape for an input shape (batch dimension included).

        >>> from convshape import layers
        >>> layers.Conv2DTranspose(128, 5, strides=2, padding="same").compute_output_shape(
        ...     (None, 7, 7, 256))
        (None, 14, 14, 128)
        """
        state = self.__dict__
        if "_asked" in state:
            function = self._fast_shape()
            if function is not None:
                state["compute_output_shape"] = function
                return function(input_shape)
            state["compute_output_shape"] = self._checked_output_shape
        else:
            state["_asked"] = True
        # Called here, not through another function: a warning names the caller's line.
        return self._output_shape(self._check_input(input_shape))

    setattr(compute_output_shape, "_plain_shape", True)  # noqa: B010  (see _base.PLAIN_SHAPE)


def fast_shape(
    layer: Any,
    geometry: Sequence[AxisGeometry],
    data_format: str,
    filters: int | None,
    multiplier: int = 1,
) -> Callable[[Any], Shape] | None:
    """A ``compute_output_shape`` for a sliding-window layer with every coefficient worked
    out once: each known spatial size maps to ``(I * m + a) // d``, valid from ``I >= lo``:

    - forward "valid": ``(I - k_eff) // s + 1`` = ``(I + s - k_eff) // s``, from ``I >= k_eff``;
    - forward "same" and "causal": ``ceil(I / s)`` = ``(I + s - 1) // s``, from ``I >= 0``;
    - transposed "valid" without output_padding: ``I * s + max(k_eff - s, 0)``;
    - transposed "same" without output_padding: ``I * s``.

    Anything else (an unknown or too short size, another rank, a type to reject, an
    output_padding, which may warn) goes to the layer's validating path, which gives the
    same answers and raises the errors; None when the layer has no such formula.
    The output channels are ``filters``, or the input's times ``multiplier``.
    """
    # The core's forward and transposed lengths, rewritten as (I * m + a) // d so that a
    # call does one multiplication and one division per axis with no function call:
    # tests/test_fast_shape.py holds every answer equal to the validating path's, which
    # calls the core.
    coefficients: list[int] = []
    for axis in geometry:
        k_eff, s = axis.effective_kernel, axis.stride
        if axis.output_padding is not None:
            return None
        if axis.transposed:
            add = max(k_eff - s, 0) if axis.padding == "valid" else 0
            coefficients += (s, add, 1, 0)
        elif axis.padding == "valid":
            coefficients += (1, s - k_eff, s, k_eff)
        else:
            coefficients += (1, s - 1, s, 0)
    slow = layer._checked_output_shape
    last = data_format == "channels_last"
    rank = len(geometry)
    if rank == 1:
        return _fast1(last, slow, filters, multiplier, *coefficients)
    if rank == 2:
        return _fast2(last, slow, filters, multiplier, *coefficients)
    return _fast3(last, slow, filters, multiplier, *coefficients)


def _fast1(
    last: bool, slow: Any, filters: int | None, mul: int, m0: int, a0: int, d0: int, lo0: int
) -> Callable[[Any], Shape]:
    def compute_output_shape(input_shape: Any) -> Shape:
        if type(input_shape) is tuple and len(input_shape) == 3:
            if last:
                b, x0, c = input_shape
            else:
                b, c, x0 = input_shape
            if (
                type(x0) is int
                and x0 >= lo0
                and (b is None or (type(b) is int and b >= 0))
                and (c is None or (type(c) is int and c >= 0))
            ):
                out = filters if filters is not None else None if c is None else c * mul
                y0 = (x0 * m0 + a0) // d0
                return (b, y0, out) if last else (b, out, y0)
        result: Shape = slow(input_shape)
        return result

    return compute_output_shape


def _fast2(
    last: bool,
    slow: Any,
    filters: int | None,
    mul: int,
    m0: int,
    a0: int,
    d0: int,
    lo0: int,
    m1: int,
    a1: int,
    d1: int,
    lo1: int,
) -> Callable[[Any], Shape]:
    def compute_output_shape(input_shape: Any) -> Shape:
        if type(input_shape) is tuple and len(input_shape) == 4:
            if last:
                b, x0, x1, c = input_shape
            else:
                b, c, x0, x1 = input_shape
            if (
                type(x0) is int
                and type(x1) is int
                and x0 >= lo0
                and x1 >= lo1
                and (b is None or (type(b) is int and b >= 0))
                and (c is None or (type(c) is int and c >= 0))
            ):
                out = filters if filters is not None else None if c is None else c * mul
                y0 = (x0 * m0 + a0) // d0
                y1 = (x1 * m1 + a1) // d1
                return (b, y0, y1, out) if last else (b, out, y0, y1)
        result: Shape = slow(input_shape)
        return result

    return compute_output_shape


def _fast3(
    last: bool,
    slow: Any,
    filters: int | None,
    mul: int,
    m0: int,
    a0: int,
    d0: int,
    lo0: int,
    m1: int,
    a1: int,
    d1: int,
    lo1: int,
    m2: int,
    a2: int,
    d2: int,
    lo2: int,
) -> Callable[[Any], Shape]:
    def compute_output_shape(input_shape: Any) -> Shape:
        if type(input_shape) is tuple and len(input_shape) == 5:
            if last:
                b, x0, x1, x2, c = input_shape
            else:
                b, c, x0, x1, x2 = input_shape
            if (
                type(x0) is int
                and type(x1) is int
                and type(x2) is int
                and x0 >= lo0
                and x1 >= lo1
                and x2 >= lo2
                and (b is None or (type(b) is int and b >= 0))
                and (c is None or (type(c) is int and c >= 0))
            ):
                out = filters if filters is not None else None if c is None else c * mul
                y0 = (x0 * m0 + a0) // d0
                y1 = (x1 * m1 + a1) // d1
                y2 = (x2 * m2 + a2) // d2
                return (b, y0, y1, y2, out) if last else (b, out, y0, y1, y2)
        result: Shape = slow(input_shape)
        return result

    return compute_output_shape

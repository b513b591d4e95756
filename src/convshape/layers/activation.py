"""Layers that keep the shape: activations, dropout and noise (PReLU alone has weights)."""

from __future__ import annotations

from .._record import KW_ONLY, field
from .._validate import (
    Shape,
    as_axes,
    as_int,
    check_data_format,
    check_non_negative,
    check_rate,
    check_shape,
)
from ..errors import ConvShapeError, _short_repr, warn
from ._base import Layer, Weight, known

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, ClassVar, TypeAlias

    from .._fields import Arg, DataFormat, Opaque, OptionalIntTuple

    #: LeakyReLU's deprecated ``alpha``: a float that replaces ``negative_slope``; the
    #: layer then holds the "not passed" marker again.
    LeakyReLUAlpha: TypeAlias = Arg[float, "_Unset"]
    #: Dropout's ``noise_shape``: a sequence of sizes (ints >= 1, or None for the input's
    #: size), held as a tuple.
    NoiseShape: TypeAlias = Arg[Sequence[int | None] | None, tuple[int | None, ...] | None]

__all__ = [
    "ELU",
    "Activation",
    "Dropout",
    "GaussianNoise",
    "LeakyReLU",
    "PReLU",
    "ReLU",
    "Softmax",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
]


class Activation(Layer):
    """Applies an activation function; the shape is unchanged.

    >>> Activation("relu").compute_output_shape((None, 3))
    (None, 3)
    """

    _keeps_spatial: ClassVar[bool] = True

    _built_at_init: ClassVar[bool] = True

    activation: str | Callable[..., Any] | None


class ReLU(Layer):
    """Rectified linear unit with optional cap, slope and threshold.

    >>> ReLU(max_value=6.0).compute_output_shape((None, 8, 8, 3))
    (None, 8, 8, 3)
    """

    _keeps_spatial: ClassVar[bool] = True

    _built_at_init: ClassVar[bool] = True

    max_value: float | None = None
    negative_slope: float = 0.0
    threshold: float = 0.0

    def _validate(self) -> None:
        check_non_negative(self.max_value, "max_value", optional=True)
        check_non_negative(self.negative_slope, "negative_slope")
        check_non_negative(self.threshold, "threshold")


class _Unset:
    """The default of a deprecated argument: distinguishes "not passed" from None."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"


_UNSET = _Unset()


class LeakyReLU(Layer):
    """Leaky ReLU (``negative_slope`` >= 0).

    Keras 3 still takes the Keras 2 name ``alpha`` (keyword only): it replaces
    ``negative_slope``, with a warning.

    >>> LeakyReLU().count_params((None, 12544))
    0
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     layer = LeakyReLU(alpha=0.2)
    >>> layer.negative_slope, str(caught[0].message)
    (0.2, 'Argument `alpha` is deprecated. Use `negative_slope` instead.')
    """

    _keeps_spatial: ClassVar[bool] = True

    _built_at_init: ClassVar[bool] = True

    negative_slope: float = 0.3
    _: KW_ONLY
    alpha: LeakyReLUAlpha = field(default=_UNSET, repr=False, compare=False)

    def _validate(self) -> None:
        if self.alpha is not _UNSET:
            warn("Argument `alpha` is deprecated. Use `negative_slope` instead.", UserWarning, self)
            self._set("negative_slope", self.alpha)
            # Stored once, as Keras does: copies of the layer do not warn again.
            self._set("alpha", _UNSET)
        check_non_negative(self.negative_slope, "negative_slope")


class PReLU(Layer):
    """Leaky ReLU with a learned slope per element, shared along ``shared_axes``.

    >>> PReLU().count_params((None, 10, 10, 3))
    300
    >>> PReLU(shared_axes=[1, 2]).count_params((None, 10, 10, 3))
    3
    """

    _keeps_spatial: ClassVar[bool] = True

    alpha_initializer: Opaque = "Zeros"
    alpha_regularizer: Opaque = None
    alpha_constraint: Opaque = None
    shared_axes: OptionalIntTuple = field(default=None)

    def _validate(self) -> None:
        if self.shared_axes is None:
            return
        axes = as_axes(self.shared_axes, "shared_axes")
        self._set("shared_axes", axes if isinstance(axes, tuple) else (axes,))

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        shared = self.shared_axes or ()
        for axis in shared:
            if not 1 <= axis < len(shape):
                raise ConvShapeError(
                    "`shared_axes` must name non-batch axes of the input (1..rank-1)",
                    argument="shared_axes",
                    received={"shared_axes": self.shared_axes, "input_shape": shape},
                )
        size = tuple(
            1 if axis in shared else known(shape, axis, self, "size on every unshared axis")
            for axis in range(1, len(shape))
        )
        return (Weight("alpha", size, True),)


class ELU(Layer):
    """Exponential linear unit.

    >>> ELU(alpha=0.5).compute_output_shape((None, 4))
    (None, 4)
    """

    _keeps_spatial: ClassVar[bool] = True

    _built_at_init: ClassVar[bool] = True

    alpha: float = 1.0


class Softmax(Layer):
    """Softmax along ``axis``.

    >>> Softmax().compute_output_shape((None, 10))
    (None, 10)
    """

    _keeps_spatial: ClassVar[bool] = True

    _built_at_init: ClassVar[bool] = True

    axis: int | tuple[int, ...] | list[int] = -1

    def output_spec(self, inputs: Any, mask: Any = None, **kwargs: Any) -> Any:
        """The output shape of a call; a ``mask`` must broadcast to the input without
        more dimensions, as Keras checks."""
        shape = self._check_input(self._single_input((inputs,), kwargs))
        if mask is not None:
            mask_shape = check_shape(mask, "mask")
            mismatch = len(mask_shape) > len(shape) or any(
                m not in (None, 1) and i is not None and m != i
                for m, i in zip(reversed(mask_shape), reversed(shape), strict=False)
            )
            if mismatch:
                raise ConvShapeError(
                    "The `mask` of Softmax must broadcast to the input and must not have "
                    "more dimensions (each mask dimension 1 or the input's)",
                    argument="mask",
                    received={"mask_shape": mask_shape, "input_shape": shape},
                )
        return self._output_shape(shape)


class Dropout(Layer):
    """Random zeroing while training; ``rate`` in [0, 1].

    >>> Dropout(0.3).compute_output_shape((None, 128))
    (None, 128)
    """

    _keeps_spatial: ClassVar[bool] = True

    _built_at_init: ClassVar[bool] = True

    rate: float
    noise_shape: NoiseShape = field(default=None)
    seed: int | None = None

    def _validate(self) -> None:
        check_rate(self.rate, "rate")
        if self.noise_shape is not None:
            self._set("noise_shape", _noise_shape(self.noise_shape))


def _noise_shape(value: Any) -> tuple[int | None, ...]:
    """Keras's ``noise_shape``: an iterable (not a string) of ints >= 1 or None, as a tuple."""
    if isinstance(value, str):
        raise ConvShapeError(
            "`noise_shape` must be a tuple or list of integers, not a string",
            argument="noise_shape",
            received={"noise_shape": value},
        )
    try:
        items = tuple(value)  # any iterable, as in Keras
    except TypeError:
        raise TypeError(
            f"`noise_shape` must be an iterable of integers, not {type(value).__name__}. "
            f"Received: noise_shape={_short_repr(value)}"
        ) from None
    dims = tuple(None if dim is None else as_int(dim, "noise_shape") for dim in items)
    if any(dim is not None and dim < 1 for dim in dims):
        raise ConvShapeError(
            "`noise_shape` must hold integers >= 1 or None",
            argument="noise_shape",
            received={"noise_shape": value},
        )
    return dims


class GaussianNoise(Layer):
    """Additive Gaussian noise while training; Keras requires ``stddev`` in [0, 1].

    >>> GaussianNoise(0.1).compute_output_shape((None, 16))
    (None, 16)
    """

    _keeps_spatial: ClassVar[bool] = True

    _built_at_init: ClassVar[bool] = True

    stddev: float
    seed: int | None = None

    def _validate(self) -> None:
        check_rate(self.stddev, "stddev")


class _SpatialDropoutOps:
    _keeps_spatial: ClassVar[bool] = True
    __slots__ = ()
    # Keras's SpatialDropout constructors take only rate, (data_format,) seed, name, dtype.
    _rejected_base: ClassVar[frozenset[str]] = frozenset(
        {"trainable", "autocast", "activity_regularizer", "input_shape", "input_dim", "batch_size"}
    )


class SpatialDropout1D(_SpatialDropoutOps, Layer):
    """Drops whole 1D feature maps.

    >>> SpatialDropout1D(0.2).compute_output_shape((None, 10, 4))
    (None, 10, 4)
    """

    _built_at_init: ClassVar[bool] = True

    ndim: ClassVar[int | None] = 3
    rate: float
    seed: int | None = None

    def _validate(self) -> None:
        check_rate(self.rate, "rate")


class _SpatialDropoutND(_SpatialDropoutOps, Layer):
    rate: float
    data_format: DataFormat = field(default=None)
    seed: int | None = None

    def _validate(self) -> None:
        check_rate(self.rate, "rate")
        self._set("data_format", check_data_format(self.data_format))


class SpatialDropout2D(_SpatialDropoutND):
    """Drops whole 2D feature maps.

    >>> SpatialDropout2D(0.2).compute_output_shape((None, 8, 8, 4))
    (None, 8, 8, 4)
    """

    __slots__ = ()

    _built_at_init: ClassVar[bool] = True

    ndim: ClassVar[int | None] = 4


class SpatialDropout3D(_SpatialDropoutND):
    """Drops whole 3D feature maps.

    >>> SpatialDropout3D(0.2).compute_output_shape((None, 4, 4, 4, 2))
    (None, 4, 4, 4, 2)
    """

    __slots__ = ()

    _built_at_init: ClassVar[bool] = True

    ndim: ClassVar[int | None] = 5

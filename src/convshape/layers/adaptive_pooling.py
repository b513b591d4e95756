"""Adaptive pooling layers: AdaptiveAveragePooling and AdaptiveMaxPooling 1-3D.

An adaptive pool picks its windows from the input's size so that every spatial axis comes
out at ``output_size``, whatever the input: the output shape is the batch, the channels
and ``output_size``. Their arguments are ``output_size`` (an int or one int per spatial
axis) and ``data_format``.
"""

from __future__ import annotations

from .._record import field
from .._validate import Shape, standardize_tuple
from ..errors import ConvShapeError, _short_repr
from ._axes import SpatialRank
from ._base import Layer, channel_axis, spatial_axes

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import ClassVar

    from .._fields import DataFormat, IntTuple

__all__ = [
    "AdaptiveAveragePooling1D",
    "AdaptiveAveragePooling2D",
    "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D",
    "AdaptiveMaxPooling2D",
    "AdaptiveMaxPooling3D",
]


def _output_size(value: object, rank: int) -> tuple[int, ...]:
    """Keras's ``output_size``: an int, or a tuple or list of ``rank`` ints, each >= 1.

    A bare value must be a Python int, as Keras requires (a NumPy integer alone is
    refused there; inside a tuple it is accepted).
    """
    if isinstance(value, bool) or not isinstance(value, (int, tuple, list)):
        raise TypeError(
            f"`output_size` must be an int or a tuple of {rank} ints, not "
            f"{type(value).__name__}. Received: output_size={_short_repr(value)}"
        )
    return standardize_tuple(value, rank, "output_size")


def _data_format(value: object) -> str:
    """Keras's adaptive pools compare ``data_format`` as given: no lower-casing, and a
    missing or empty value means the default, "channels_last"."""
    if value is None or value == "":
        return "channels_last"
    if not isinstance(value, str):
        raise TypeError(
            f"`data_format` must be a str, not {type(value).__name__}. "
            f"Received: data_format={_short_repr(value)}"
        )
    if value not in ("channels_last", "channels_first"):
        raise ConvShapeError(
            "`data_format` must be 'channels_last' or 'channels_first' (lower case)",
            argument="data_format",
            received={"data_format": value},
        )
    return value


class _AdaptivePooling(SpatialRank, Layer):
    output_size: IntTuple
    data_format: DataFormat = field(default=None)

    def _validate(self) -> None:
        self._set("output_size", _output_size(self.output_size, self.rank))
        self._set("data_format", _data_format(self.data_format))

    def _output_shape(self, shape: Shape) -> Shape:
        axes = spatial_axes(self.rank, self.data_format)
        for dim, axis in enumerate(axes):
            if shape[axis] == 0:
                # Every backend refuses: TensorFlow's windows would be empty, PyTorch's
                # kernels require non-empty spatial axes.
                raise ConvShapeError(
                    f"{type(self).__name__} cannot pool an empty input: spatial dimension "
                    f"{dim} (axis {axis}) has size 0",
                    argument="input_shape",
                    received={"input_shape": shape, "output_size": self.output_size},
                )
        channels = shape[channel_axis(self.data_format)]
        if self.data_format == "channels_last":
            return (shape[0], *self.output_size, channels)
        return (shape[0], channels, *self.output_size)


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """Mean over windows chosen so that the steps axis comes out at ``output_size``.

    >>> AdaptiveAveragePooling1D(4).compute_output_shape((None, 9, 3))
    (None, 4, 3)
    """

    __slots__ = ()

    rank: ClassVar[int] = 1


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """2D adaptive average pooling: any height and width in, ``output_size`` out.

    >>> AdaptiveAveragePooling2D((2, 3)).compute_output_shape((None, 17, None, 8))
    (None, 2, 3, 8)
    """

    __slots__ = ()

    rank: ClassVar[int] = 2


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """3D adaptive average pooling.

    >>> AdaptiveAveragePooling3D(2, data_format="channels_first").compute_output_shape(
    ...     (None, 4, 5, 6, 7))
    (None, 4, 2, 2, 2)
    """

    __slots__ = ()

    rank: ClassVar[int] = 3


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """Max over windows chosen so that the steps axis comes out at ``output_size``.

    >>> AdaptiveMaxPooling1D((16,)).compute_output_shape((None, 64, 3))
    (None, 16, 3)
    """

    __slots__ = ()

    rank: ClassVar[int] = 1


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """2D adaptive max pooling (an output larger than the input repeats elements).

    >>> AdaptiveMaxPooling2D(7).compute_output_shape((None, 5, 5, 2))
    (None, 7, 7, 2)
    """

    __slots__ = ()

    rank: ClassVar[int] = 2


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """3D adaptive max pooling.

    >>> AdaptiveMaxPooling3D((1, 2, 3)).compute_output_shape((2, 8, 8, 8, 4))
    (2, 1, 2, 3, 4)
    """

    __slots__ = ()

    rank: ClassVar[int] = 3

"""Pooling layers: MaxPooling/AveragePooling 1-3D and the global poolings."""

from __future__ import annotations

from .._record import field
from .._validate import Shape, check_bool, check_data_format, standardize_tuple
from ..errors import ConvShapeError
from ._axes import SpatialRank
from ._base import Layer, channel_axis
from ._spatial import AxisGeometry, FastShape, axis_geometry, fast_shape, forward_shape

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar, TypeAlias

    from .._fields import Arg, DataFormat, IntTuple

    #: A pooling's ``strides``: as ``pool_size``, or None for the pool size; held as one
    #: int per axis.
    PoolStrides: TypeAlias = Arg[int | tuple[int, ...] | list[int] | None, tuple[int, ...]]

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAveragePooling3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
]


class _PoolOps(SpatialRank):
    __slots__ = ()
    _built_at_init: ClassVar[bool] = True


class _Pooling(FastShape, _PoolOps, Layer):
    pool_size: IntTuple
    strides: PoolStrides = field(default=None)
    padding: str = "valid"
    data_format: DataFormat = field(default=None)

    def _validate(self) -> None:
        pool_size = standardize_tuple(self.pool_size, self.rank, "pool_size")
        self._set("pool_size", pool_size)
        given: object = self.strides  # as given: None stands for pool_size
        strides = pool_size if given is None else given
        self._set("strides", standardize_tuple(strides, self.rank, "strides"))
        # Keras compares the padding as given: "SAME" fails when the layer is built.
        if self.padding not in ("valid", "same"):
            raise ConvShapeError(
                f"`padding` of {type(self).__name__} must be 'valid' or 'same'",
                argument="padding",
                received={"padding": self.padding},
            )
        self._set("data_format", check_data_format(self.data_format))

    @property
    def geometry(self) -> tuple[AxisGeometry, ...]:
        """Window, stride and padding per spatial axis (see ``AxisGeometry``)."""
        return axis_geometry(self.data_format, self.pool_size, self.strides, self.padding)

    def _fast_shape(self) -> Callable[[Any], Shape] | None:
        return fast_shape(self, self.geometry, self.data_format, None)

    def _output_shape(self, shape: Shape) -> Shape:
        ones = (1,) * self.rank
        return tuple(
            forward_shape(
                self,
                shape,
                self.data_format,
                self.pool_size,
                self.strides,
                self.padding,
                ones,
                lambda: {
                    "pool_size": self.pool_size,
                    "strides": self.strides,
                    "padding": self.padding,
                },
            )
        )


class MaxPooling1D(_Pooling):
    """Max over windows of ``pool_size`` (strides default to ``pool_size``).

    >>> MaxPooling1D().compute_output_shape((None, 9, 4))
    (None, 4, 4)
    """

    rank: ClassVar[int] = 1
    pool_size: IntTuple = field(default=2)


class MaxPooling2D(_Pooling):
    """2D max pooling.

    >>> MaxPooling2D(padding="same").compute_output_shape((None, 7, 7, 3))
    (None, 4, 4, 3)
    """

    rank: ClassVar[int] = 2
    pool_size: IntTuple = field(default=(2, 2))


class MaxPooling3D(_Pooling):
    """3D max pooling.

    >>> MaxPooling3D().compute_output_shape((None, 8, 8, 8, 1))
    (None, 4, 4, 4, 1)
    """

    rank: ClassVar[int] = 3
    pool_size: IntTuple = field(default=(2, 2, 2))


class AveragePooling1D(_Pooling):
    """1D average pooling (``pool_size`` is required, as in Keras).

    >>> AveragePooling1D(3, strides=1).compute_output_shape((None, 9, 4))
    (None, 7, 4)
    """

    __slots__ = ()

    rank: ClassVar[int] = 1


class AveragePooling2D(_Pooling):
    """2D average pooling.

    >>> AveragePooling2D((2, 3)).compute_output_shape((None, 8, 9, 1))
    (None, 4, 3, 1)
    """

    __slots__ = ()

    rank: ClassVar[int] = 2


class AveragePooling3D(_Pooling):
    """3D average pooling.

    >>> AveragePooling3D(2, padding="same").compute_output_shape((None, 5, 5, 5, 2))
    (None, 3, 3, 3, 2)
    """

    __slots__ = ()

    rank: ClassVar[int] = 3


class _GlobalPooling(_PoolOps, Layer):
    data_format: DataFormat = field(default=None)
    keepdims: bool = False

    def _validate(self) -> None:
        self._set("data_format", check_data_format(self.data_format))
        check_bool(self.keepdims, "keepdims")

    def _output_shape(self, shape: Shape) -> Shape:
        channels = shape[channel_axis(self.data_format)]
        if self.keepdims:
            ones = (1,) * self.rank
            if self.data_format == "channels_last":
                return (shape[0], *ones, channels)
            return (shape[0], channels, *ones)
        return (shape[0], channels)


class GlobalMaxPooling1D(_GlobalPooling):
    """Max over the steps axis.

    >>> GlobalMaxPooling1D(keepdims=True).compute_output_shape((None, 10, 4))
    (None, 1, 4)
    """

    __slots__ = ()

    rank: ClassVar[int] = 1


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over both spatial axes.

    >>> GlobalMaxPooling2D().compute_output_shape((None, 7, 7, 32))
    (None, 32)
    """

    __slots__ = ()

    rank: ClassVar[int] = 2


class GlobalMaxPooling3D(_GlobalPooling):
    """Max over the three spatial axes.

    >>> GlobalMaxPooling3D(data_format="channels_first").compute_output_shape((None, 3, 4, 4, 4))
    (None, 3)
    """

    __slots__ = ()

    rank: ClassVar[int] = 3


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the steps axis.

    >>> GlobalAveragePooling1D().compute_output_shape((None, 10, 4))
    (None, 4)
    """

    __slots__ = ()

    rank: ClassVar[int] = 1


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over both spatial axes.

    >>> GlobalAveragePooling2D(keepdims=True).compute_output_shape((None, 7, 7, 32))
    (None, 1, 1, 32)
    """

    __slots__ = ()

    rank: ClassVar[int] = 2


class GlobalAveragePooling3D(_GlobalPooling):
    """Mean over the three spatial axes.

    >>> GlobalAveragePooling3D().compute_output_shape((None, 4, 4, 4, 8))
    (None, 8)
    """

    __slots__ = ()

    rank: ClassVar[int] = 3

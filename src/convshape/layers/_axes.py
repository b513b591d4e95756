"""Where a layer reads its input: the input rank of the layers over spatial axes, the
channel and spatial axes of a data format, and the dimensions that must be known to
create the weights."""

from __future__ import annotations

from ..errors import ConvShapeError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any, ClassVar

    from .._validate import Shape

__all__ = ["SpatialRank", "channel_axis", "known", "spatial_axes"]


class SpatialRank:
    """Mixin of the layers over ``rank`` spatial axes (convolutions, poolings, resampling):
    Keras's InputSpec wants ``ndim = rank + 2`` dimensions, the batch and channels added."""

    __slots__ = ()
    rank: ClassVar[int] = 2
    ndim: ClassVar[int | None] = 4

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.ndim = cls.rank + 2


def spatial_axes(rank: int, data_format: str) -> range:
    """Indices of the spatial dimensions in a shape of ``rank + 2`` dimensions."""
    return range(1, rank + 1) if data_format == "channels_last" else range(2, rank + 2)


def channel_axis(data_format: str) -> int:
    return -1 if data_format == "channels_last" else 1


def known(shape: Shape, axis: int, layer: object, what: str) -> int:
    """A dimension that must be known to build the layer's weights."""
    dim = shape[axis]
    if dim is None:
        raise ConvShapeError(
            f"{type(layer).__name__} needs a known {what} (axis {axis}) to create its weights",
            argument="input_shape",
            received={"input_shape": shape},
        )
    return dim

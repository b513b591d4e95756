"""Resampling and reshaping layers: UpSampling, ZeroPadding, Cropping, Flatten,
Reshape, Permute, RepeatVector."""

from __future__ import annotations

import math

from .._record import field
from .._validate import Shape, as_int, check_count, check_data_format, standardize_tuple
from ..errors import ConvShapeError, _short_repr
from ._axes import SpatialRank
from ._base import Layer, spatial_axes

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import ClassVar, TypeAlias

    from .._fields import Arg, DataFormat, IntTuple

    #: ZeroPadding1D's ``padding`` and Cropping1D's ``cropping``: an int for both ends of
    #: the steps axis or (before, after), held as (before, after).
    PadCropPair: TypeAlias = Arg[int | tuple[int, int] | list[int], tuple[int, int]]
    #: The same for 2 or 3 spatial axes: an int for every end, one int per axis, or one
    #: (before, after) pair per axis, held as one (before, after) pair per axis.
    PadCropPairs: TypeAlias = Arg[
        int
        | tuple[int | tuple[int, int] | list[int], ...]
        | list[int]
        | list[tuple[int, int]]
        | list[list[int]],
        tuple[tuple[int, int], ...],
    ]
    #: ``padding`` of the ZeroPadding base: what every rank accepts (an int) and holds
    #: (either form above); ZeroPadding1D/2D/3D declare their own.
    ZeroPaddingAnyRank: TypeAlias = Arg[int, tuple[int, int] | tuple[tuple[int, int], ...]]
    #: Reshape's ``target_shape`` and Permute's ``dims``: a tuple or list of ints, held as
    #: a tuple.
    ReshapeDims: TypeAlias = Arg[tuple[int, ...] | list[int], tuple[int, ...]]

__all__ = [
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "Flatten",
    "Permute",
    "RepeatVector",
    "Reshape",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
]


def _pairs(value: object, rank: int, name: str) -> tuple[int, ...] | tuple[tuple[int, int], ...]:
    """Keras's normal form: (before, after) for 1D; for 2D/3D ``rank`` pairs from an int,
    ``rank`` ints or ``rank`` (before, after) pairs."""
    if rank == 1:
        return standardize_tuple(value, 2, name, allow_zero=True)
    if isinstance(value, (tuple, list)):
        if len(value) != rank:
            raise ConvShapeError(
                f"`{name}` must be an int, a tuple of {rank} ints "
                f"or of {rank} (before, after) pairs",
                argument=name,
                received={name: value},
            )
        pairs = [standardize_tuple(item, 2, name, allow_zero=True) for item in value]
        return tuple((before, after) for before, after in pairs)
    each = standardize_tuple(value, 1, name, allow_zero=True)[0]
    return ((each, each),) * rank


def _as_pairs(
    value: tuple[int, int] | tuple[tuple[int, int], ...], rank: int
) -> tuple[tuple[int, int], ...]:
    """(before, after) per spatial axis, from what a padding or cropping layer of ``rank``
    holds: a 1D layer holds its one pair as it is, (before, after)."""
    if isinstance(value[0], int):  # rank 1
        return (value,)
    return value


def _with_sizes(shape: Shape, axes: range, sizes: list[int | None]) -> Shape:
    out = list(shape)
    for axis, size in zip(axes, sizes, strict=True):
        out[axis] = size
    return tuple(out)


class _UpSampling(SpatialRank, Layer):
    size: IntTuple = field(default=2)
    data_format: DataFormat = field(default=None)

    def _validate(self) -> None:
        self._set("size", standardize_tuple(self.size, self.rank, "size"))
        self._set("data_format", check_data_format(self.data_format))

    def _output_shape(self, shape: Shape) -> Shape:
        axes = spatial_axes(self.rank, self.data_format)
        sizes = [
            None if (dim := shape[a]) is None else dim * f
            for a, f in zip(axes, self.size, strict=True)
        ]
        return _with_sizes(shape, axes, sizes)


class UpSampling1D(SpatialRank, Layer):
    """Repeat each step ``size`` times.

    >>> UpSampling1D(3).compute_output_shape((None, 5, 2))
    (None, 15, 2)
    """

    rank: ClassVar[int] = 1
    size: int = 2

    def _validate(self) -> None:
        self._set("size", check_count(self.size, "size"))

    def _output_shape(self, shape: Shape) -> Shape:
        return (shape[0], None if shape[1] is None else shape[1] * self.size, shape[2])


class UpSampling2D(_UpSampling):
    """Repeat rows and columns (``interpolation`` does not change the shape).

    >>> UpSampling2D((2, 3)).compute_output_shape((None, 4, 4, 1))
    (None, 8, 12, 1)
    """

    rank: ClassVar[int] = 2
    size: IntTuple = field(default=(2, 2))
    data_format: DataFormat = field(default=None)
    interpolation: str = "nearest"

    def _validate(self) -> None:
        _UpSampling._validate(self)
        if not isinstance(self.interpolation, str):
            raise TypeError(
                "`interpolation` must be a str, not "
                f"{type(self.interpolation).__name__}. "
                f"Received: interpolation={_short_repr(self.interpolation)}"
            )


class UpSampling3D(_UpSampling):
    """Repeat along the three spatial axes.

    >>> UpSampling3D().compute_output_shape((None, 2, 3, 4, 1))
    (None, 4, 6, 8, 1)
    """

    rank: ClassVar[int] = 3
    size: IntTuple = field(default=(2, 2, 2))


class _ZeroPadding(SpatialRank, Layer):
    padding: ZeroPaddingAnyRank = field(default=1)
    data_format: DataFormat = field(default=None)

    def _validate(self) -> None:
        self._set("padding", _pairs(self.padding, self.rank, "padding"))
        self._set("data_format", check_data_format(self.data_format))

    def _output_shape(self, shape: Shape) -> Shape:
        axes = spatial_axes(self.rank, self.data_format)
        sizes: list[int | None] = []
        for axis, (before, after) in zip(axes, _as_pairs(self.padding, self.rank), strict=True):
            size = shape[axis]
            sizes.append(None if size is None else size + before + after)
        return _with_sizes(shape, axes, sizes)


class ZeroPadding1D(_ZeroPadding):
    """Zeros before and after the steps axis.

    >>> ZeroPadding1D((1, 2)).compute_output_shape((None, 5, 3))
    (None, 8, 3)
    """

    __slots__ = ()

    rank: ClassVar[int] = 1
    padding: PadCropPair = field(default=1)


class ZeroPadding2D(_ZeroPadding):
    """Zeros around rows and columns.

    >>> ZeroPadding2D(((1, 0), (2, 2))).compute_output_shape((None, 5, 5, 3))
    (None, 6, 9, 3)
    """

    rank: ClassVar[int] = 2
    padding: PadCropPairs = field(default=(1, 1))


class ZeroPadding3D(_ZeroPadding):
    """Zeros around the three spatial axes.

    >>> ZeroPadding3D().compute_output_shape((None, 2, 2, 2, 1))
    (None, 4, 4, 4, 1)
    """

    rank: ClassVar[int] = 3
    padding: PadCropPairs = field(default=((1, 1), (1, 1), (1, 1)))


class _CroppingOps(SpatialRank):
    __slots__ = ()

    if TYPE_CHECKING:
        cropping: tuple[int, int] | tuple[tuple[int, int], ...]

        def _set(self, name: str, value: object) -> None: ...

    def _data_format(self) -> str:
        # Cropping1D has no data_format argument in Keras: it is always channels_last.
        return str(getattr(self, "data_format", "channels_last"))

    def _validate(self) -> None:
        self._set("cropping", _pairs(self.cropping, self.rank, "cropping"))
        if self.rank > 1:
            self._set("data_format", check_data_format(getattr(self, "data_format", None)))

    def _output_shape(self, shape: Shape) -> Shape:
        axes = spatial_axes(self.rank, self._data_format())
        sizes: list[int | None] = []
        for axis, (before, after) in zip(axes, _as_pairs(self.cropping, self.rank), strict=True):
            size = shape[axis]
            if size is not None and before + after >= size:
                raise ConvShapeError(
                    f"`cropping` of {type(self).__name__} must be smaller than the input "
                    f"size in every spatial dimension; axis {axis} has size {size}",
                    argument="cropping",
                    received={"input_shape": shape, "cropping": self.cropping},
                )
            sizes.append(None if size is None else size - before - after)
        return _with_sizes(shape, axes, sizes)


class Cropping1D(_CroppingOps, Layer):
    """Remove steps at the start and the end (no ``data_format``, as in Keras).

    >>> Cropping1D((2, 1)).compute_output_shape((None, 10, 3))
    (None, 7, 3)
    """

    rank: ClassVar[int] = 1
    cropping: PadCropPair = field(default=(1, 1))


class Cropping2D(_CroppingOps, Layer):
    """Remove rows and columns.

    >>> Cropping2D(((1, 1), (2, 0))).compute_output_shape((None, 28, 28, 1))
    (None, 26, 26, 1)
    """

    rank: ClassVar[int] = 2
    cropping: PadCropPairs = field(default=((0, 0), (0, 0)))
    data_format: DataFormat = field(default=None)


class Cropping3D(_CroppingOps, Layer):
    """Remove slices along the three spatial axes.

    >>> Cropping3D().compute_output_shape((None, 5, 5, 5, 1))
    (None, 3, 3, 3, 1)
    """

    rank: ClassVar[int] = 3
    cropping: PadCropPairs = field(default=((1, 1), (1, 1), (1, 1)))
    data_format: DataFormat = field(default=None)


class Flatten(Layer):
    """Everything but the batch axis into one axis (unknown if any size is unknown).

    >>> Flatten().compute_output_shape((None, 7, 7, 64))
    (None, 3136)
    """

    data_format: DataFormat = field(default=None)

    def _validate(self) -> None:
        self._set("data_format", check_data_format(self.data_format))

    def _output_shape(self, shape: Shape) -> Shape:
        rest = shape[1:]
        if any(dim is None for dim in rest):
            return (shape[0], None)
        return (shape[0], math.prod(rest))  # type: ignore[arg-type]


class Reshape(Layer):
    """A new shape for everything but the batch axis; one ``-1`` is inferred.

    >>> Reshape((7, 7, 256)).compute_output_shape((None, 12544))
    (None, 7, 7, 256)
    >>> Reshape((-1, 4)).compute_output_shape((None, 6, 2))
    (None, 3, 4)
    """

    _built_at_init: ClassVar[bool] = True

    target_shape: ReshapeDims

    def _validate(self) -> None:
        if not isinstance(self.target_shape, (tuple, list)):
            raise TypeError(
                "`target_shape` must be a tuple or list of ints, not "
                f"{type(self.target_shape).__name__}. "
                f"Received: target_shape={_short_repr(self.target_shape)}"
            )
        target = tuple(as_int(dim, "target_shape") for dim in self.target_shape)
        if any(dim < -1 for dim in target) or target.count(-1) > 1:
            raise ConvShapeError(
                "`target_shape` must hold sizes >= 0 and at most one -1",
                argument="target_shape",
                received={"target_shape": self.target_shape},
            )
        self._set("target_shape", target)

    def _output_shape(self, shape: Shape) -> Shape:
        rest = shape[1:]
        target = self.target_shape
        if any(dim is None for dim in rest):
            return (shape[0], *(None if dim == -1 else dim for dim in target))
        size = math.prod(rest)  # type: ignore[arg-type]
        known = math.prod(dim for dim in target if dim != -1)
        if -1 not in target:
            if known != size:
                raise ConvShapeError(
                    "Reshape must keep the total size: the input holds "
                    f"{size} elements, `target_shape` {known}",
                    argument="target_shape",
                    received={"input_shape": shape, "target_shape": target},
                )
            return (shape[0], *target)
        if known == 0 or size % known:
            raise ConvShapeError(
                f"Reshape cannot infer the -1: {size} elements do not divide into parts of {known}",
                argument="target_shape",
                received={"input_shape": shape, "target_shape": target},
            )
        return (shape[0], *(size // known if dim == -1 else dim for dim in target))


class Permute(Layer):
    """Reorder the non-batch axes; ``dims`` counts from 1.

    >>> Permute((2, 1)).compute_output_shape((None, 10, 64))
    (None, 64, 10)
    """

    dims: ReshapeDims

    def _validate(self) -> None:
        if not isinstance(self.dims, (tuple, list)):
            raise TypeError(
                f"`dims` must be a tuple of ints, not {type(self.dims).__name__}. "
                f"Received: dims={_short_repr(self.dims)}"
            )
        dims = tuple(as_int(dim, "dims") for dim in self.dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ConvShapeError(
                "`dims` must be a permutation of 1..n (the batch axis is not included)",
                argument="dims",
                received={"dims": self.dims},
            )
        self._set("dims", dims)

    def _check_input(self, input_shape: object) -> Shape:
        shape = Layer._check_input(self, input_shape)
        if len(shape) != len(self.dims) + 1:
            raise ConvShapeError(
                f"Permute with dims={self.dims} expects an input of rank {len(self.dims) + 1}",
                argument="input_shape",
                received={"input_shape": input_shape},
            )
        return shape

    def _output_shape(self, shape: Shape) -> Shape:
        return (shape[0], *(shape[dim] for dim in self.dims))


class RepeatVector(Layer):
    """Repeat a vector ``n`` times: ``(batch, features)`` to ``(batch, n, features)``.

    >>> RepeatVector(3).compute_output_shape((None, 32))
    (None, 3, 32)
    """

    ndim: ClassVar[int | None] = 2
    n: int

    def _validate(self) -> None:
        self._set("n", check_count(self.n, "n"))

    def _output_shape(self, shape: Shape) -> Shape:
        return (shape[0], self.n, shape[1])

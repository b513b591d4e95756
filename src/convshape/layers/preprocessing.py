"""Preprocessing layers: Rescaling, Normalization, Resizing, CenterCrop.

Rescaling and Normalization keep the shape; Resizing and CenterCrop set the
height and width of a single image (rank 3) or a batch of images (rank 4).
Only Normalization has weights: its mean, variance and sample count, all
non-trainable, and only when it is to be adapted (no ``mean``/``variance``
given). None of them is built when created.
"""

from __future__ import annotations

import math

from .._record import KW_ONLY, field
from .._validate import Shape, array_shape, as_int, check_count, check_data_format, check_shape
from ..errors import ConvShapeError, _short_repr
from ._base import Layer, Weight
from .merging import broadcast_shapes

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import ClassVar, TypeAlias

    from .._fields import Arg, DataFormat

    #: A number or an array of numbers, kept as given (Rescaling's ``scale`` and
    #: ``offset``, Normalization's ``mean`` and ``variance``): a float, nested lists or
    #: tuples of floats (up to three dimensions), or an array as Keras serialises it
    #: (``{"class_name": "__numpy__", "config": {"value": ...}}``).
    PreprocessingArray: TypeAlias = (
        float
        | Sequence[float]
        | Sequence[Sequence[float]]
        | Sequence[Sequence[Sequence[float]]]
        | Mapping[str, object]
    )
    #: Normalization's ``axis``: the axes kept (one int or several), or None for one scalar
    #: mean and variance; held as a tuple of ints or None.
    NormalizationAxis: TypeAlias = Arg[
        int | tuple[int, ...] | list[int] | None, tuple[int, ...] | None
    ]

__all__ = ["CenterCrop", "Normalization", "Rescaling", "Resizing"]

#: The interpolations Keras's TensorFlow backend resizes with.
RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")

#: Keras stores Normalization's sample count as an int64 whatever the layer's dtype.
_COUNT_ITEMSIZE = 8


class Rescaling(Layer):
    """``output = input * scale + offset``; the shape is unchanged.

    ``scale`` and ``offset`` are numbers or arrays that broadcast to the input's shape
    (Keras declares the input's shape even where they would enlarge it; convshape
    rejects that).

    >>> Rescaling(1 / 255).compute_output_shape((None, 28, 28, 1))
    (None, 28, 28, 1)
    >>> Rescaling([0.5, 0.25, 0.125]).compute_output_shape((None, 4, 4, 2))
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `scale` of shape (3,) does not broadcast to the input's...
    """

    _keeps_spatial: ClassVar[bool] = True

    min_ndim: ClassVar[int] = 0
    scale: PreprocessingArray
    offset: PreprocessingArray = 0.0

    def _validate(self) -> None:
        array_shape(self.scale, "scale")
        array_shape(self.offset, "offset")

    def _output_shape(self, shape: Shape) -> Shape:
        for name in ("scale", "offset"):
            value_shape = array_shape(getattr(self, name), name)
            output = broadcast_shapes(shape, value_shape)
            # Keras declares the input's shape; a value that would enlarge it is an error
            # here rather than a shape that differs from the one the model computes.
            if (
                output is None
                or len(output) != len(shape)
                or any(
                    size is not None and size != out
                    for size, out in zip(shape, output, strict=True)
                )
            ):
                raise ConvShapeError(
                    f"`{name}` of shape {value_shape} does not broadcast to the input's shape "
                    f"(layer {self.name!r})",
                    argument=name,
                    received={name: getattr(self, name), "input_shape": shape},
                )
        return shape


def _axes(value: object) -> tuple[int, ...] | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return tuple(as_int(axis, "axis") for axis in value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            "`axis` must be None, an int or a tuple of ints, not "
            f"{type(value).__name__}. Received: axis={_short_repr(value)}"
        )
    return (value,)


class Normalization(Layer):
    """``(input - mean) / sqrt(variance)`` per index of the kept ``axis`` (None: one scalar).

    Without ``mean``/``variance`` (to be adapted) it creates three non-trainable weights:
    ``mean`` and ``variance`` of the kept axes' sizes and an int64 ``count`` of shape ().

    >>> Normalization().count_non_trainable_params((None, 8, 8, 3))
    7
    >>> Normalization(axis=None).count_params((None, 8))
    3
    >>> Normalization(mean=0.5, variance=0.25).count_params((None, 8))
    0
    """

    _keeps_spatial: ClassVar[bool] = True

    min_ndim: ClassVar[int] = 0
    axis: NormalizationAxis = field(default=-1)
    mean: PreprocessingArray | None = None
    variance: PreprocessingArray | None = None
    invert: bool = False

    def _validate(self) -> None:
        self._set("axis", _axes(self.axis))
        if (self.mean is None) != (self.variance is None):
            raise ConvShapeError(
                "When setting values directly, both `mean` and `variance` must be set",
                argument="mean",
                received={"mean": self.mean, "variance": self.variance},
            )
        if self.mean is None:
            return
        mean_shape = array_shape(self.mean, "mean")
        variance_shape = array_shape(self.variance, "variance")
        if mean_shape != variance_shape:
            raise ConvShapeError(
                "When setting values directly, `mean` and `variance` must have the same "
                f"shape; mean has shape {mean_shape} and variance {variance_shape}",
                argument="variance",
                received={"mean": self.mean, "variance": self.variance},
            )
        axes = self.axis or ()
        if len(mean_shape) > len(axes):
            raise ConvShapeError(
                f"The rank of `mean` must be less than or equal to the number of axes "
                f"({len(axes)}); mean has shape {mean_shape}",
                argument="mean",
                received={"mean": self.mean, "axis": self.axis},
            )

    def _kept_axes(self, shape: Shape) -> tuple[int, ...]:
        rank = len(shape)
        axes = self.axis or ()
        if any(not -rank <= axis < rank for axis in axes):
            raise ConvShapeError(
                f"All `axis` values must be in the range [-ndim, ndim); the input has "
                f"ndim={rank} (layer {self.name!r})",
                argument="axis",
                received={"axis": self.axis, "input_shape": shape},
            )
        kept = tuple(sorted(axis % rank for axis in axes))
        for axis in kept:
            if shape[axis] is None:
                raise ConvShapeError(
                    "All `axis` values to be kept must have a known shape; axis "
                    f"{axis} of the input is unknown (layer {self.name!r})",
                    argument="axis",
                    received={"axis": self.axis, "input_shape": shape},
                )
        return kept

    def _output_shape(self, shape: Shape) -> Shape:
        kept = self._kept_axes(shape)
        if self.mean is None and len(set(kept)) < len(kept):
            # Keras's adapted mean would hold more values than the axes it reshapes to.
            twice = next(axis for axis in kept if kept.count(axis) > 1)
            raise ConvShapeError(
                f"`axis` names the input axis {twice} twice; the kept axes must be "
                f"distinct (layer {self.name!r})",
                argument="axis",
                received={"axis": self.axis, "input_shape": shape},
            )
        if self.mean is not None:
            mean_shape = array_shape(self.mean, "mean")
            # Keras reshapes the mean onto the kept axes, aligned from the right, then
            # broadcasts it to the input's sizes there.
            expanded = [1] * len(shape)
            for axis, size in zip(reversed(kept), reversed(mean_shape), strict=False):
                expanded[axis] = size
            if math.prod(expanded) != math.prod(mean_shape) or any(
                expanded[axis] not in (1, shape[axis]) for axis in kept
            ):
                raise ConvShapeError(
                    f"`mean` of shape {mean_shape} does not broadcast to the kept axes "
                    f"{kept} of the input (layer {self.name!r})",
                    argument="mean",
                    received={"mean": self.mean, "axis": self.axis, "input_shape": shape},
                )
        return shape

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        if self.mean is not None:
            return ()
        size: tuple[int, ...] = tuple(shape[axis] or 0 for axis in self._kept_axes(shape))
        return (
            Weight("mean", size, False),
            Weight("variance", size, False),
            Weight("count", (), False, _COUNT_ITEMSIZE),
        )


class _ImageOps:
    """Shapes of an image (rank 3) or a batch of images (rank 4) with a new height and width."""

    __slots__ = ()

    if TYPE_CHECKING:
        name: str | None
        height: int
        width: int
        data_format: str
        factor: None

    def _check_input(self, input_shape: object) -> Shape:
        shape = check_shape(input_shape)
        if len(shape) not in (3, 4):
            raise ConvShapeError(
                f"{type(self).__name__} expects an image of rank 3 (single image) or 4 "
                f"(batch of images), got rank {len(shape)} (layer {self.name!r})",
                argument="input_shape",
                received={"input_shape": input_shape},
            )
        return shape

    def _image_axes(self, shape: Shape) -> tuple[int, int]:
        first = len(shape) - 3 + (self.data_format == "channels_first")
        return first, first + 1

    def _resized(self, shape: Shape) -> Shape:
        out = list(shape)
        rows, cols = self._image_axes(shape)
        out[rows], out[cols] = self.height, self.width
        return tuple(out)

    def _check_factor(self) -> None:
        if self.factor is not None:
            raise ConvShapeError(
                f"Layer {type(self).__name__} does not take a `factor` argument",
                argument="factor",
                received={"factor": self.factor},
            )


class Resizing(_ImageOps, Layer):
    """Resizes images to ``(height, width)``; the batch and channels are unchanged.

    ``(batch, H, W, C) -> (batch, height, width, C)`` (channels_last), also for a single
    image ``(H, W, C)``; the aspect-ratio options change the values, not the shape.

    >>> Resizing(224, 224).compute_output_shape((None, 480, 640, 3))
    (None, 224, 224, 3)
    >>> Resizing(64, 32, data_format="channels_first").compute_output_shape((3, 100, 100))
    (3, 64, 32)
    """

    height: int
    width: int
    interpolation: str = "bilinear"
    crop_to_aspect_ratio: bool = False
    pad_to_aspect_ratio: bool = False
    fill_mode: str = "constant"
    fill_value: float = 0.0
    antialias: bool = False
    data_format: DataFormat = field(default=None)
    _: KW_ONLY
    factor: None = None
    bounding_box_format: str | None = None

    def _validate(self) -> None:
        self._set("height", check_count(self.height, "height"))
        self._set("width", check_count(self.width, "width"))
        self._set("data_format", check_data_format(self.data_format))
        self._check_factor()
        if self.interpolation not in RESIZE_INTERPOLATIONS:
            raise ConvShapeError(
                "Invalid value for argument `interpolation`; expected one of "
                f"{', '.join(map(repr, RESIZE_INTERPOLATIONS))}",
                argument="interpolation",
                received={"interpolation": self.interpolation},
            )
        if self.fill_mode != "constant":
            raise ConvShapeError(
                "Invalid value for argument `fill_mode`; only 'constant' is supported",
                argument="fill_mode",
                received={"fill_mode": self.fill_mode},
            )
        if self.pad_to_aspect_ratio and self.crop_to_aspect_ratio:
            raise ConvShapeError(
                "Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be True",
                argument="pad_to_aspect_ratio",
                received={
                    "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                    "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
                },
            )

    def _output_shape(self, shape: Shape) -> Shape:
        rows, cols = self._image_axes(shape)
        if shape[rows] == 0 or shape[cols] == 0:
            raise ConvShapeError(
                f"Resizing needs a non-empty image; the input is {shape} (layer {self.name!r})",
                argument="input_shape",
                received={"input_shape": shape},
            )
        return self._resized(shape)


class CenterCrop(_ImageOps, Layer):
    """Crops the centre ``(height, width)`` of images (resizing those that are smaller).

    ``(batch, H, W, C) -> (batch, height, width, C)`` (channels_last), also for a single
    image ``(H, W, C)``.

    >>> CenterCrop(24, 24).compute_output_shape((None, 32, 32, 3))
    (None, 24, 24, 3)
    >>> CenterCrop(24, 24).compute_output_shape((32, 32, 3))
    (24, 24, 3)
    """

    height: int
    width: int
    data_format: DataFormat = field(default=None)
    _: KW_ONLY
    factor: None = None
    bounding_box_format: str | None = None

    def _validate(self) -> None:
        self._set("height", check_count(self.height, "height", minimum=0))
        self._set("width", check_count(self.width, "width", minimum=0))
        self._set("data_format", check_data_format(self.data_format))
        self._check_factor()

    def _output_shape(self, shape: Shape) -> Shape:
        rows, cols = self._image_axes(shape)
        size_h, size_w = shape[rows], shape[cols]
        smaller = (size_h is not None and size_h < self.height) or (
            size_w is not None and size_w < self.width
        )
        # An image smaller than the crop is resized, which needs both sizes non-zero.
        if smaller and 0 in (size_h, size_w, self.height, self.width):
            raise ConvShapeError(
                f"CenterCrop resizes an image smaller than ({self.height}, {self.width}), "
                f"which needs a non-empty image and target; the input is {shape} "
                f"(layer {self.name!r})",
                argument="input_shape",
                received={"input_shape": shape, "height": self.height, "width": self.width},
            )
        return self._resized(shape)

"""PyTorch's ``nn.Upsample``: a size, or the input lengths times a scale factor, in one
of its interpolation modes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .._validate import check_choice
from ..errors import ConvShapeError, _short_repr
from ._checks import count, nonzero, number, optional_flag
from ._checks import input_shape as input_shape_of
from ._module import _INT64_MAX, Module, Shape
from ._spec import field, spec

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import TypeAlias

    from .._fields import Arg

    #: ``nn.Upsample``'s ``size``: an int for every spatial dimension, one per dimension,
    #: or None (then ``scale_factor`` is given); an int is kept, a sequence held as a tuple.
    TorchUpsampleSize: TypeAlias = Arg[
        int | tuple[int, ...] | list[int] | None, int | tuple[int, ...] | None
    ]

__all__ = ["Upsample"]


_UPSAMPLE_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_INTERPOLATING = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _scale_factor(value: object) -> float | tuple[float, ...] | None:
    """None, a factor or a tuple of factors, each finite and > 0. A zero (not in a tuple)
    means no factor, as ``nn.Upsample`` reads ``float(scale_factor) if scale_factor``."""
    if value is None:
        return None
    if isinstance(value, list):
        raise TypeError(
            "`scale_factor` must be a number or a tuple of numbers, not list (PyTorch's "
            f"Upsample converts only a tuple). Received: scale_factor={_short_repr(value)}"
        )
    factors = tuple(value) if isinstance(value, tuple) else (value,)
    converted = tuple(number(factor, "scale_factor") for factor in factors)
    if not isinstance(value, tuple) and converted[0] == 0:
        return None
    if not all(0 < factor < math.inf for factor in converted):
        raise ConvShapeError(
            "`scale_factor` must hold finite numbers > 0",
            argument="scale_factor",
            received={"scale_factor": value},
        )
    return converted if isinstance(value, tuple) else converted[0]


@spec
class Upsample(Module):
    """``nn.Upsample``: ``size``, or ``floor(I * scale_factor)`` per spatial dimension.

    >>> Upsample(scale_factor=2).compute_output_shape((None, 3, 7, 7))
    (None, 3, 14, 14)
    >>> Upsample(scale_factor=1.5).compute_output_shape((None, 3, 7))
    (None, 3, 10)
    """

    size: TorchUpsampleSize = field(default=None)
    scale_factor: float | tuple[float, ...] | None = None
    mode: str = "nearest"
    align_corners: bool | None = None
    recompute_scale_factor: bool | None = None

    def __post_init__(self) -> None:
        check_choice(self.mode, "mode", _UPSAMPLE_MODES)
        align_corners = optional_flag(self.align_corners, "align_corners")
        if align_corners is not None and self.mode not in _INTERPOLATING:
            raise ConvShapeError(
                "`align_corners` can only be set with the interpolating modes: linear | "
                "bilinear | bicubic | trilinear",
                argument="align_corners",
                received={"align_corners": align_corners, "mode": self.mode},
            )
        recompute = optional_flag(self.recompute_scale_factor, "recompute_scale_factor")
        scale = _scale_factor(self.scale_factor)
        size = self.size
        if (size is None) == (scale is None):
            raise ConvShapeError(
                "Upsample takes either `size` or `scale_factor`",
                argument="size",
                received={"size": self.size, "scale_factor": self.scale_factor},
            )
        if size is not None:
            if isinstance(size, (tuple, list)):
                size = tuple(count(item, "size", 0) for item in size)
            else:
                size = count(size, "size", 0)
            if recompute:
                raise ConvShapeError(
                    "`recompute_scale_factor` is not meaningful with an explicit `size`",
                    argument="recompute_scale_factor",
                    received={"recompute_scale_factor": recompute, "size": self.size},
                )
        object.__setattr__(self, "size", size)
        object.__setattr__(self, "scale_factor", scale)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = input_shape_of(self, input_shape, (3, 4, 5), "(N, C, 1 to 3 spatial dimensions)")
        rank = len(shape) - 2
        wanted_rank = _INTERPOLATING.get(self.mode, rank)
        if wanted_rank != rank:
            raise ConvShapeError(
                f"Upsample mode {self.mode!r} needs {wanted_rank + 2}-dimensional input",
                argument="input_shape",
                received={"input_shape": input_shape, "mode": self.mode},
            )
        spatial = self._lengths(shape[2:], input_shape)
        area = self.mode == "area"  # adaptive average pooling: empty outputs are fine
        nonzero(self, shape, range(-rank if area and rank < 3 else -rank - 1, 0))
        if any(length is not None and length < (0 if area else 1) for length in spatial):
            raise ConvShapeError(
                "Upsample's output lengths must be greater than 0"
                + (" (area mode: at least 0)" if area else ""),
                argument="input_shape",
                received={
                    "input_shape": input_shape,
                    "size": self.size,
                    "scale_factor": self.scale_factor,
                },
            )
        return (*shape[:2], *spatial)

    def _lengths(self, sizes: Sequence[int | None], input_shape: object) -> list[int | None]:
        rank = len(sizes)
        wanted, scale = self.size, self.scale_factor
        name, value = ("size", wanted) if wanted is not None else ("scale_factor", scale)
        if isinstance(value, tuple) and len(value) != rank:
            raise ConvShapeError(
                f"`{name}` must have one value per spatial dimension of the input ({rank})",
                argument=name,
                received={name: value, "input_shape": input_shape},
            )
        if scale is None:  # then ``size`` is given: Upsample takes one of them
            return list(wanted) if isinstance(wanted, tuple) else [wanted] * rank
        factors = scale if isinstance(scale, tuple) else (scale,) * rank
        lengths: list[int | None] = []
        for size, factor in zip(sizes, factors, strict=True):
            if size is None:
                lengths.append(None)
                continue
            try:
                product = size * factor
                length = math.floor(product)
            except OverflowError:
                raise ConvShapeError(
                    "the up-sampled length overflows (PyTorch: value cannot be converted to "
                    "type int64_t without overflow)",
                    argument="scale_factor",
                    received={"scale_factor": self.scale_factor, "input_shape": input_shape},
                ) from None
            if length > _INT64_MAX:
                raise ConvShapeError(
                    "the up-sampled length does not fit PyTorch's int64 sizes",
                    argument="scale_factor",
                    received={"scale_factor": self.scale_factor, "input_shape": input_shape},
                )
            lengths.append(length)
        return lengths

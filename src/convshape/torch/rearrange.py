"""PyTorch's modules that rearrange elements between the channels and the spatial
dimensions: ``nn.PixelShuffle``/``nn.PixelUnshuffle`` and ``nn.Unfold``/``nn.Fold``
(sliding blocks to columns and back).

>>> from convshape import torch as pt
>>> pt.Unfold(2, stride=2).compute_output_shape((None, 3, 8, 8))
(None, 12, 16)
>>> pt.Fold((8, 8), 2, stride=2).compute_output_shape((None, 12, 16))
(None, 3, 8, 8)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .._validate import check_shape
from ..errors import ConvShapeError
from ._checks import count, spatial_tuple
from ._checks import input_shape as input_shape_of
from ._module import Module, Shape
from ._spec import field, spec

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import TypeAlias

    from .._fields import Arg

    #: ``nn.Unfold``'s and ``nn.Fold``'s sizes: an int for both dimensions or one per
    #: dimension (two; a one-element tuple is not expanded), held as a pair.
    FoldPair: TypeAlias = Arg[int | tuple[int, ...] | list[int], tuple[int, int]]

__all__ = ["Fold", "PixelShuffle", "PixelUnshuffle", "Unfold"]


def _at_least_3d(module: object, input_shape: Sequence[int | None]) -> Shape:
    shape = check_shape(input_shape)
    if len(shape) < 3:
        raise ConvShapeError(
            f"{type(module).__name__} expects (*, C, H, W), at least 3 dimensions",
            argument="input_shape",
            received={"input_shape": input_shape},
        )
    return shape


@spec
class PixelShuffle(Module):
    """``nn.PixelShuffle(upscale_factor)``: (*, C r², H, W) to (*, C, H r, W r).

    >>> PixelShuffle(3).compute_output_shape((None, 9, 4, 4))
    (None, 1, 12, 12)
    """

    upscale_factor: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "upscale_factor", count(self.upscale_factor, "upscale_factor", 1))

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = _at_least_3d(self, input_shape)
        r = self.upscale_factor
        channels, height, width = shape[-3:]
        if channels is not None and channels % (r * r):
            raise ConvShapeError(
                f"PixelShuffle expects channels divisible by upscale_factor ** 2 = {r * r}",
                argument="input_shape",
                received={"input_shape": input_shape, "upscale_factor": r},
            )
        return (
            *shape[:-3],
            None if channels is None else channels // (r * r),
            None if height is None else height * r,
            None if width is None else width * r,
        )


@spec
class PixelUnshuffle(Module):
    """``nn.PixelUnshuffle(downscale_factor)``: (*, C, H r, W r) to (*, C r², H, W); an
    empty input keeps its shape, as in PyTorch.

    >>> PixelUnshuffle(2).compute_output_shape((None, 1, 28, 28))
    (None, 4, 14, 14)
    """

    downscale_factor: int

    def __post_init__(self) -> None:
        factor = count(self.downscale_factor, "downscale_factor", 1)
        object.__setattr__(self, "downscale_factor", factor)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = _at_least_3d(self, input_shape)
        r = self.downscale_factor
        channels, height, width = shape[-3:]
        if any(size is not None and size % r for size in (height, width)):
            raise ConvShapeError(
                f"PixelUnshuffle expects the height and width divisible by downscale_factor={r}",
                argument="input_shape",
                received={"input_shape": input_shape, "downscale_factor": r},
            )
        if 0 in shape:  # PyTorch returns an empty input as it is
            return shape
        return (
            *shape[:-3],
            None if channels is None else channels * r * r,
            None if height is None else height // r,
            None if width is None else width // r,
        )


def _pair(value: object, name: str, minimum: int) -> tuple[int, int]:
    """An int or exactly two (PyTorch does not expand a one-element tuple here)."""
    first, second = spatial_tuple(value, 2, name, minimum=minimum, broadcast=False)
    return first, second


def _blocks(
    sizes: Sequence[int | None], module: Unfold | Fold, input_shape: object
) -> list[int | None]:
    """The number of sliding blocks per dimension: ``floor((I + 2p - d (k - 1) - 1) / s) + 1``,
    each at least 1."""
    blocks: list[int | None] = []
    for size, k, d, p, s in zip(
        sizes, module.kernel_size, module.dilation, module.padding, module.stride, strict=True
    ):
        if size is None:
            blocks.append(None)
            continue
        number = (size + 2 * p - d * (k - 1) - 1) // s + 1
        if number < 1:
            raise ConvShapeError(
                f"{type(module).__name__}: the sliding blocks do not fit, {number} along a "
                f"dimension of {size} (PyTorch: the calculated shape of the array of sliding "
                "blocks must be at least one)",
                argument="input_shape",
                received={
                    "input_shape": input_shape,
                    "kernel_size": module.kernel_size,
                    "dilation": module.dilation,
                    "padding": module.padding,
                    "stride": module.stride,
                },
            )
        blocks.append(number)
    return blocks


def _window_arguments(module: Unfold | Fold) -> None:
    set_ = object.__setattr__
    set_(module, "kernel_size", _pair(module.kernel_size, "kernel_size", 1))
    set_(module, "dilation", _pair(module.dilation, "dilation", 1))
    set_(module, "padding", _pair(module.padding, "padding", 0))
    set_(module, "stride", _pair(module.stride, "stride", 1))


def _product(sizes: Sequence[int | None]) -> int | None:
    return None if None in sizes else math.prod(sizes)  # type: ignore[arg-type]


@spec
class Unfold(Module):
    """``nn.Unfold(kernel_size, dilation=1, padding=0, stride=1)``: (N, C, H, W) to
    (N, C kh kw, L), L the number of blocks, ``prod(floor((I + 2p - d (k - 1) - 1) / s) + 1)``.

    >>> Unfold((2, 3)).compute_output_shape((2, 5, 3, 4))
    (2, 30, 4)
    """

    kernel_size: FoldPair
    dilation: FoldPair = field(default=1)
    padding: FoldPair = field(default=0)
    stride: FoldPair = field(default=1)

    def __post_init__(self) -> None:
        _window_arguments(self)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        """(N, C kh kw, L), or (C kh kw, L) for an unbatched (C, H, W)."""
        shape = input_shape_of(self, input_shape, (3, 4), "(N, C, H, W) or (C, H, W)")
        if 0 in shape[-3:]:
            raise ConvShapeError(
                "Unfold expects non-empty dimensions apart from the batch",
                argument="input_shape",
                received={"input_shape": input_shape},
            )
        blocks = _blocks(shape[-2:], self, input_shape)
        channels = shape[-3]
        columns = None if channels is None else channels * math.prod(self.kernel_size)
        return (*shape[:-3], columns, _product(blocks))


@spec
class Fold(Module):
    """``nn.Fold(output_size, kernel_size, dilation=1, padding=0, stride=1)``:
    (N, C kh kw, L) to (N, C, *output_size); L must be the number of blocks,
    ``prod(floor((O + 2p - d (k - 1) - 1) / s) + 1)``.

    >>> Fold((4, 5), (2, 2)).compute_output_shape((1, 12, 12))
    (1, 3, 4, 5)
    """

    output_size: FoldPair
    kernel_size: FoldPair
    dilation: FoldPair = field(default=1)
    padding: FoldPair = field(default=0)
    stride: FoldPair = field(default=1)

    def __post_init__(self) -> None:
        object.__setattr__(self, "output_size", _pair(self.output_size, "output_size", 1))
        _window_arguments(self)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        """(N, C, *output_size), or (C, *output_size) for an unbatched (C kh kw, L)."""
        shape = input_shape_of(self, input_shape, (2, 3), "(N, C, L) or (C, L)")
        if 0 in shape[-2:]:
            raise ConvShapeError(
                "Fold expects non-empty dimensions apart from the batch",
                argument="input_shape",
                received={"input_shape": input_shape},
            )
        columns, length = shape[-2:]
        kernel = math.prod(self.kernel_size)
        if columns is not None and columns % kernel:
            raise ConvShapeError(
                f"Fold expects the channels divisible by the kernel's {kernel} elements",
                argument="input_shape",
                received={"input_shape": input_shape, "kernel_size": self.kernel_size},
            )
        blocks = _product(_blocks(self.output_size, self, input_shape))
        if length is not None and length != blocks:
            raise ConvShapeError(
                f"Fold expects {blocks} blocks (the last dimension) for output_size="
                f"{self.output_size}",
                argument="input_shape",
                received={"input_shape": input_shape, "output_size": self.output_size},
            )
        return (
            *shape[:-2],
            None if columns is None else columns // kernel,
            *self.output_size,
        )

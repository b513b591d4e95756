"""PyTorch's pooling modules: max and average pooling (``nn.MaxPool*d``,
``nn.AvgPool*d``), power-average pooling (``nn.LPPool*d``) and adaptive pooling
(``nn.AdaptiveMaxPool*d``, ``nn.AdaptiveAvgPool*d``).

>>> from convshape import torch as pt
>>> pt.LPPool2d(2, 3, stride=2).compute_output_shape((None, 16, 50, 32))
(None, 16, 24, 15)
>>> pt.AdaptiveAvgPool2d((1, None)).compute_output_shape((None, 8, 5, 7))
(None, 8, 1, 7)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar

from .._validate import as_int, check_shape
from ..errors import ConvShapeError, _short_repr
from ._checks import flag, int_or_tuple, nonzero, number, spatial_tuple
from ._module import Module, Shape, _rank_check
from ._spec import field, spec
from .functional import pool_output_length

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import TypeAlias

    from .._fields import Arg

    #: A pooling window's ``kernel_size``, ``padding`` or ``dilation``: an int for every
    #: spatial dimension, or one per dimension; an int is kept, a sequence held as a tuple.
    TorchPoolWindow: TypeAlias = Arg[int | tuple[int, ...] | list[int], int | tuple[int, ...]]
    #: A pooling ``stride``: the same, or None (or an empty tuple or list) for the kernel
    #: size, held as None.
    TorchPoolStride: TypeAlias = Arg[
        int | tuple[int, ...] | list[int] | None, int | tuple[int, ...] | None
    ]
    #: Adaptive pooling's ``output_size``: an int, or one size per spatial dimension where
    #: None keeps the input's length; an int is kept, a sequence held as a tuple.
    TorchAdaptiveSize: TypeAlias = Arg[
        int | tuple[int | None, ...] | list[int | None], int | tuple[int | None, ...]
    ]

__all__ = [
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
]


def _spatial(value: object, rank: int, name: str) -> tuple[int, ...]:
    """An int or ``rank`` ints (a one-element tuple broadcast), as ``rank`` ints."""
    return spatial_tuple(value, rank, name, minimum=None)


def _pooled(
    module: _Pool | _AvgPool | _LPPool,
    input_shape: Sequence[int | None],
    dilation: int | tuple[int, ...],
) -> Shape:
    """Max or average pooling: :func:`pool_output_length` per spatial dimension."""
    rank = module.rank
    shape = _rank_check(module, input_shape, rank)
    nonzero(module, shape, (-rank - 1,))
    kernel = _spatial(module.kernel_size, rank, "kernel_size")
    stride = kernel if module.stride is None else _spatial(module.stride, rank, "stride")
    padding = _spatial(module.padding, rank, "padding")
    spatial = [
        pool_output_length(size, k, s, p, d, module.ceil_mode)
        for size, k, s, p, d in zip(
            shape[-rank:],
            kernel,
            stride,
            padding,
            _spatial(dilation, rank, "dilation"),
            strict=True,
        )
    ]
    return (*shape[:-rank], *spatial)


def _pool_stride(module: _Pool | _AvgPool | _LPPool) -> None:
    """Convert and check ``stride``: None (the kernel size) or, as PyTorch reads an empty
    one, ``()`` or ``[]``; else an int or ``rank`` ints >= 1."""
    stride = module.stride
    if isinstance(stride, (tuple, list)) and not stride:
        stride = None
    if stride is not None:
        stride = int_or_tuple(stride, module.rank, "stride", minimum=1)
    object.__setattr__(module, "stride", stride)


def _pool_arguments(module: _Pool | _AvgPool) -> None:
    """Convert and check the window arguments; an empty ``stride`` is PyTorch's default."""
    rank = module.rank
    set_ = object.__setattr__
    set_(module, "kernel_size", int_or_tuple(module.kernel_size, rank, "kernel_size", minimum=1))
    _pool_stride(module)
    set_(module, "padding", int_or_tuple(module.padding, rank, "padding", minimum=0))
    set_(module, "ceil_mode", flag(module.ceil_mode, "ceil_mode"))


def _kernel_fits(
    module: _AvgPool | _LPPool, input_shape: Sequence[int | None], message: str
) -> None:
    """PyTorch's 3-D average pooling (AvgPool3d, and LPPool3d through it) refuses an input
    length shorter than the kernel, whatever the padding."""
    sizes = check_shape(input_shape)[-3:]
    kernel = _spatial(module.kernel_size, 3, "kernel_size")
    if any(size is not None and size < k for size, k in zip(sizes, kernel, strict=True)):
        raise ConvShapeError(
            message,
            argument="input_shape",
            received={"input_shape": input_shape, "kernel_size": module.kernel_size},
        )


@spec
class _Pool(Module):
    kernel_size: TorchPoolWindow
    stride: TorchPoolStride = field(default=None)
    padding: TorchPoolWindow = field(default=0)
    dilation: TorchPoolWindow = field(default=1)
    return_indices: bool = False
    ceil_mode: bool = False
    rank: ClassVar[int] = 2

    def __post_init__(self) -> None:
        _pool_arguments(self)
        dilation = int_or_tuple(self.dilation, self.rank, "dilation", minimum=1)
        object.__setattr__(self, "dilation", dilation)
        object.__setattr__(self, "return_indices", flag(self.return_indices, "return_indices"))

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        return _pooled(self, input_shape, self.dilation)


@spec
class _AvgPool(Module):
    kernel_size: TorchPoolWindow
    stride: TorchPoolStride = field(default=None)
    padding: TorchPoolWindow = field(default=0)
    ceil_mode: bool = False
    count_include_pad: bool = True
    divisor_override: int | None = None
    rank: ClassVar[int] = 2

    def __post_init__(self) -> None:
        _pool_arguments(self)
        flag(self.count_include_pad, "count_include_pad")
        divisor = self.divisor_override
        if divisor is not None:
            if self.rank == 1:
                raise TypeError(
                    "AvgPool1d takes no `divisor_override` (PyTorch's AvgPool2d and AvgPool3d "
                    f"do). Received: divisor_override={_short_repr(divisor)}"
                )
            divisor = as_int(divisor, "divisor_override")
            if divisor == 0:
                raise ConvShapeError(
                    "`divisor_override` must not be zero (PyTorch: divisor must be not zero)",
                    argument="divisor_override",
                    received={"divisor_override": self.divisor_override},
                )
            object.__setattr__(self, "divisor_override", divisor)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = _pooled(self, input_shape, 1)
        if self.rank == 3:
            _kernel_fits(
                self,
                input_shape,
                "AvgPool3d needs every input length at least the kernel size, padding aside "
                "(PyTorch: input image smaller than kernel size)",
            )
        return shape


class MaxPool1d(_Pool):
    """``nn.MaxPool1d``.

    >>> MaxPool1d(2).compute_output_shape((None, 3, 9))
    (None, 3, 4)
    """

    rank = 1


class MaxPool2d(_Pool):
    """``nn.MaxPool2d``.

    >>> MaxPool2d(3, stride=2, padding=1, ceil_mode=True).compute_output_shape((None, 8, 10, 10))
    (None, 8, 6, 6)
    """

    rank = 2


class MaxPool3d(_Pool):
    """``nn.MaxPool3d``."""

    rank = 3


class AvgPool1d(_AvgPool):
    """``nn.AvgPool1d``."""

    rank = 1


class AvgPool2d(_AvgPool):
    """``nn.AvgPool2d``.

    >>> AvgPool2d(2).compute_output_shape((None, 4, 7, 7))
    (None, 4, 3, 3)
    """

    rank = 2


class AvgPool3d(_AvgPool):
    """``nn.AvgPool3d``."""

    rank = 3


@spec
class _LPPool(Module):
    norm_type: float
    kernel_size: TorchPoolWindow
    stride: TorchPoolStride = field(default=None)
    ceil_mode: bool = False
    rank: ClassVar[int] = 2
    #: The windows are never padded.
    padding: ClassVar[int] = 0

    def __post_init__(self) -> None:
        norm = number(self.norm_type, "norm_type")
        if norm == 0:
            raise ConvShapeError(
                "`norm_type` must not be 0 (PyTorch takes the 1/norm_type-th root: float "
                "division by zero)",
                argument="norm_type",
                received={"norm_type": self.norm_type},
            )
        object.__setattr__(self, "norm_type", norm)
        kernel = self.kernel_size
        # F.lp_pool1d multiplies by the kernel size as a number, F.lp_pool2d/3d unpack
        # exactly two or three; an infinite norm takes max pooling first, in 1-D only.
        if self.rank == 1 and isinstance(kernel, (tuple, list)) and not math.isinf(norm):
            raise TypeError(
                "`kernel_size` of LPPool1d must be an int (PyTorch multiplies by it). "
                f"Received: kernel_size={_short_repr(kernel)}"
            )
        if isinstance(kernel, (tuple, list)):
            kernel = spatial_tuple(kernel, self.rank, "kernel_size", minimum=1, broadcast=False)
        else:
            kernel = spatial_tuple(kernel, 1, "kernel_size", minimum=1)[0]
        object.__setattr__(self, "kernel_size", kernel)
        _pool_stride(self)
        object.__setattr__(self, "ceil_mode", flag(self.ceil_mode, "ceil_mode"))

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        """Average pooling's lengths without padding (max pooling's for an infinite
        ``norm_type``), per spatial dimension."""
        shape = _pooled(self, input_shape, 1)
        if self.rank == 3 and not math.isinf(self.norm_type):
            _kernel_fits(
                self,
                input_shape,
                "LPPool3d needs every input length at least the kernel size (PyTorch's "
                "avg_pool3d: input image smaller than kernel size)",
            )
        return shape


class LPPool1d(_LPPool):
    """``nn.LPPool1d(norm_type, kernel_size, stride=None, ceil_mode=False)``:
    ``floor((L - k) / s) + 1`` (``ceil`` with ceil_mode), the stride defaulting to k.

    >>> LPPool1d(2, 3, stride=2).compute_output_shape((20, 16, 50))
    (20, 16, 24)
    """

    rank = 1


class LPPool2d(_LPPool):
    """``nn.LPPool2d(norm_type, kernel_size, stride=None, ceil_mode=False)``:
    ``floor((I - k) / s) + 1`` per spatial dimension (``ceil`` with ceil_mode).

    >>> LPPool2d(1.2, (3, 2), stride=(2, 1)).compute_output_shape((20, 16, 50, 32))
    (20, 16, 24, 31)
    """

    rank = 2


class LPPool3d(_LPPool):
    """``nn.LPPool3d(norm_type, kernel_size, stride=None, ceil_mode=False)``:
    ``floor((I - k) / s) + 1`` per spatial dimension; every length at least the kernel.

    >>> LPPool3d(2, 3, stride=2).compute_output_shape((None, 16, 50, 44, 31))
    (None, 16, 24, 21, 15)
    """

    rank = 3


def _adaptive_size(module: _AdaptivePool | _AdaptiveAvgPool) -> int | tuple[int | None, ...]:
    """``output_size``: an int >= 0, or ``rank`` of them where None keeps the input length
    (PyTorch's one-dimensional modules take no None)."""
    rank, value = module.rank, module.output_size
    single: int | None = None  # an int output_size
    if isinstance(value, (tuple, list)):
        if len(value) != rank:
            raise ConvShapeError(
                f"`output_size` must be an int or {rank} values",
                argument="output_size",
                received={"output_size": value},
            )
        sizes = tuple(
            None if size is None and rank > 1 else as_int(size, "output_size") for size in value
        )
    else:
        single = as_int(value, "output_size")
        sizes = (single,)
    if any(size is not None and size < 0 for size in sizes):
        raise ConvShapeError(
            "`output_size` must hold sizes >= 0 (PyTorch: elements of output_size must be "
            "greater than or equal to 0)",
            argument="output_size",
            received={"output_size": value},
        )
    return sizes if single is None else single


def _adaptive(
    module: _AdaptivePool | _AdaptiveAvgPool,
    input_shape: Sequence[int | None],
    output_size: int | tuple[int | None, ...],
) -> Shape:
    rank = module.rank
    shape = _rank_check(module, input_shape, rank)
    # Batched, only AdaptiveAvgPool1d/2d run on zero channels.
    channels_may_be_empty = len(shape) == rank + 1 or (module.empty_channels and rank < 3)
    nonzero(module, shape, range(-rank, 0) if channels_may_be_empty else range(-rank - 1, 0))
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * rank
    spatial = [size if out is None else out for size, out in zip(shape[-rank:], sizes, strict=True)]
    return (*shape[:-rank], *spatial)


@spec
class _AdaptivePool(Module):
    output_size: TorchAdaptiveSize
    return_indices: bool = False
    rank: ClassVar[int] = 2
    empty_channels: ClassVar[bool] = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "output_size", _adaptive_size(self))
        object.__setattr__(self, "return_indices", flag(self.return_indices, "return_indices"))

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        return _adaptive(self, input_shape, self.output_size)


@spec
class _AdaptiveAvgPool(Module):
    output_size: TorchAdaptiveSize
    rank: ClassVar[int] = 2
    empty_channels: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "output_size", _adaptive_size(self))

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        return _adaptive(self, input_shape, self.output_size)


class AdaptiveAvgPool1d(_AdaptiveAvgPool):
    """``nn.AdaptiveAvgPool1d``."""

    rank = 1


class AdaptiveAvgPool2d(_AdaptiveAvgPool):
    """``nn.AdaptiveAvgPool2d``.

    >>> AdaptiveAvgPool2d((1, None)).compute_output_shape((None, 8, 5, 7))
    (None, 8, 1, 7)
    """

    rank = 2


class AdaptiveAvgPool3d(_AdaptiveAvgPool):
    """``nn.AdaptiveAvgPool3d``."""

    rank = 3


class AdaptiveMaxPool1d(_AdaptivePool):
    """``nn.AdaptiveMaxPool1d``."""

    rank = 1


class AdaptiveMaxPool2d(_AdaptivePool):
    """``nn.AdaptiveMaxPool2d``."""

    rank = 2


class AdaptiveMaxPool3d(_AdaptivePool):
    """``nn.AdaptiveMaxPool3d``."""

    rank = 3

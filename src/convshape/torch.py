"""PyTorch's conventions, one dimension at a time: what ``nn.Conv*``, ``nn.ConvTranspose*``
and ``nn.MaxPool*``/``nn.AvgPool*`` compute, rejecting what PyTorch rejects.

The formulas are the core's with PyTorch's own padding: an int p on both sides
(``"same"`` for stride 1, with the odd extra on the right), output_padding added at
the end. PyTorch also refuses empty spatial dimensions.

>>> from convshape import torch as pt
>>> pt.conv_transpose_output_length(7, 5, stride=2, padding=2, output_padding=1)
14
>>> pt.pool_output_length(5, 2, ceil_mode=True)
3
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ._types import Pad
from ._validate import as_int, check_positive, check_size
from .arithmetic import (
    _forward_is_empty,
    _forward_length,
    _forward_pad,
    _transpose_crop,
    _transpose_is_empty,
    _transpose_length,
)
from .errors import ConvShapeError, EmptyOutputError

__all__ = [
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "conv_output_length",
    "conv_transpose_output_length",
    "pool_output_length",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import overload


def _size(size: object) -> int | None:
    checked = check_size(size)
    if checked == 0:
        raise ConvShapeError(
            "`size` must be >= 1: PyTorch does not run empty spatial dimensions",
            argument="size",
            received={"size": size},
        )
    return checked


def _int_padding(padding: object) -> int:
    value = as_int(padding, "padding")
    if value < 0:
        raise ConvShapeError(
            "`padding` must be >= 0 (PyTorch: negative padding is not supported)",
            argument="padding",
            received={"padding": padding},
        )
    return value


def _forward_mode(padding: object, stride: int) -> Pad | str:
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ConvShapeError(
                "`padding` must be an int, 'same' or 'valid' (PyTorch's padding strings are "
                "lower case)",
                argument="padding",
                received={"padding": padding},
            )
        if padding == "same" and stride != 1:
            raise ConvShapeError(
                "padding='same' is not supported for strided convolutions in PyTorch",
                argument="padding",
                received={"padding": padding, "stride": stride},
            )
        return padding
    each = _int_padding(padding)
    return Pad(each, each)


if TYPE_CHECKING:

    @overload
    def conv_output_length(
        size: int, kernel_size: int, stride: int = 1, padding: int | str = 0, dilation: int = 1
    ) -> int: ...
    @overload
    def conv_output_length(
        size: None, kernel_size: int, stride: int = 1, padding: int | str = 0, dilation: int = 1
    ) -> None: ...


def conv_output_length(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
) -> int | None:
    """Output length of ``nn.Conv*d``: ``floor((I + 2p - d (k - 1) - 1) / s) + 1``.

    ``padding`` is an int (each side), ``"valid"`` (0) or ``"same"`` (stride 1 only;
    ``d (k - 1)`` zeros, the odd one on the right).

    >>> conv_output_length(28, 5, stride=2, padding=2)
    14
    >>> conv_output_length(10, 4, padding="same")
    10
    """
    checked = _size(size)
    k = check_positive(kernel_size, "kernel_size")
    s = check_positive(stride, "stride")
    d = check_positive(dilation, "dilation")
    mode = _forward_mode(padding, s)
    if checked is None:
        return None
    k_eff = (k - 1) * d + 1
    pad = _forward_pad(checked, k_eff, s, mode)
    assert pad is not None
    length = _forward_length(checked, k_eff, s, pad)
    if _forward_is_empty(checked, length, "valid"):
        raise EmptyOutputError(
            f"the effective kernel ({k_eff}) is longer than the padded input "
            f"({checked + pad.before + pad.after}); PyTorch: kernel size can't be greater than "
            "actual input size",
            argument="size",
            received={
                "size": size,
                "kernel_size": kernel_size,
                "stride": stride,
                "padding": padding,
                "dilation": dilation,
            },
        )
    return length


if TYPE_CHECKING:

    @overload
    def conv_transpose_output_length(
        size: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        output_padding: int = 0,
        dilation: int = 1,
    ) -> int: ...
    @overload
    def conv_transpose_output_length(
        size: None,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        output_padding: int = 0,
        dilation: int = 1,
    ) -> None: ...


def conv_transpose_output_length(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int | None:
    """Output length of ``nn.ConvTranspose*d``:
    ``(I - 1) s - 2p + d (k - 1) + output_padding + 1``.

    output_padding must be smaller than the stride or the dilation, as PyTorch requires.

    >>> conv_transpose_output_length(7, 3, stride=2, padding=1, output_padding=1)
    14
    """
    checked = _size(size)
    k = check_positive(kernel_size, "kernel_size")
    s = check_positive(stride, "stride")
    d = check_positive(dilation, "dilation")
    p = _int_padding(padding)
    op = as_int(output_padding, "output_padding")
    if not 0 <= op < max(s, d):
        raise ConvShapeError(
            "`output_padding` must be >= 0 and smaller than either `stride` or `dilation`",
            argument="output_padding",
            received={"output_padding": output_padding, "stride": stride, "dilation": dilation},
        )
    if checked is None:
        return None
    k_eff = (k - 1) * d + 1
    crop = _transpose_crop(k_eff, s, Pad(p, p), op)
    length = _transpose_length(checked, k_eff, s, crop)
    if _transpose_is_empty(checked, length):
        raise EmptyOutputError(
            f"the output would have {length} elements; PyTorch: output size is too small",
            argument="size",
            received={
                "size": size,
                "kernel_size": kernel_size,
                "stride": stride,
                "padding": padding,
                "output_padding": output_padding,
                "dilation": dilation,
            },
        )
    return length


def pool_output_length(
    size: int | None,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int | None:
    """Output length of ``nn.MaxPool*d``/``nn.AvgPool*d`` (``dilation`` for MaxPool only).

    ``floor`` (or ``ceil`` with ``ceil_mode``) of ``(I + 2p - d (k - 1) - 1) / s``, plus 1;
    with ceil_mode a last window that would start in the right padding is dropped.
    The stride defaults to the kernel size; the padding is at most half the kernel.

    >>> pool_output_length(5, 2, ceil_mode=True)
    3
    >>> pool_output_length(6, 2, stride=2, padding=1, ceil_mode=True)
    4
    """
    checked = _size(size)
    k = check_positive(kernel_size, "kernel_size")
    s = k if stride is None else check_positive(stride, "stride")
    d = check_positive(dilation, "dilation")
    p = _int_padding(padding)
    if not isinstance(ceil_mode, bool):
        raise TypeError(f"`ceil_mode` must be a bool. Received: ceil_mode={ceil_mode!r}")
    if 2 * p > k:
        raise ConvShapeError(
            "`padding` must be at most half of `kernel_size` (PyTorch pooling)",
            argument="padding",
            received={"padding": padding, "kernel_size": kernel_size},
        )
    if checked is None:
        return None
    span = checked + 2 * p - (k - 1) * d - 1
    length = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (length - 1) * s >= checked + p:
        length -= 1
    if length <= 0:
        raise EmptyOutputError(
            f"the pooled output would have {length} elements; PyTorch: invalid computed "
            "output size",
            argument="size",
            received={
                "size": size,
                "kernel_size": kernel_size,
                "stride": stride,
                "padding": padding,
                "dilation": dilation,
                "ceil_mode": ceil_mode,
            },
        )
    return length


# -- Layer specifications: PyTorch's names and arguments, NCHW ---------------------------------


def _tuple(value: Any, rank: int, name: str) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        if len(value) != rank:
            raise ConvShapeError(
                f"`{name}` must be an int or a tuple of {rank} ints",
                argument=name,
                received={name: value},
            )
        return tuple(as_int(item, name) for item in value)
    return (as_int(value, name),) * rank


class _ConvNd:
    """Shared by the PyTorch convolution specs; ``rank`` spatial dimensions, NC + spatial.
    The subclasses declare the fields in PyTorch's positional order."""

    rank: ClassVar[int] = 2
    in_channels: int
    out_channels: int
    kernel_size: Any
    stride: Any
    padding: Any
    dilation: Any
    groups: int
    bias: bool

    def __post_init__(self) -> None:
        rank = self.rank
        for name in ("kernel_size", "stride", "dilation"):
            values = _tuple(getattr(self, name), rank, name)
            for value in values:
                check_positive(value, name)
            object.__setattr__(self, name, values)
        if not isinstance(self.padding, str):
            object.__setattr__(self, "padding", _tuple(self.padding, rank, "padding"))
        for name in ("in_channels", "out_channels", "groups"):
            check_positive(getattr(self, name), name)
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ConvShapeError(
                "`in_channels` and `out_channels` must be divisible by `groups`",
                argument="groups",
                received={
                    "in_channels": self.in_channels,
                    "out_channels": self.out_channels,
                    "groups": self.groups,
                },
            )

    def _check_input(self, input_shape: Sequence[int | None]) -> tuple[int | None, ...]:
        shape = tuple(input_shape)
        if len(shape) != self.rank + 2 or shape[1] != self.in_channels:
            raise ConvShapeError(
                f"{type(self).__name__} expects (N, {self.in_channels}, spatial x {self.rank})",
                argument="input_shape",
                received={"input_shape": input_shape},
            )
        return shape

    def parameter_count(self) -> int:
        """Weights and bias, as ``sum(p.numel() for p in module.parameters())``."""
        weight = self.in_channels * self.out_channels // self.groups * math.prod(self.kernel_size)
        return int(weight) + (self.out_channels if self.bias else 0)


@dataclass(frozen=True)
class _Conv(_ConvNd):
    in_channels: int
    out_channels: int
    kernel_size: Any
    stride: Any = 1
    padding: Any = 0
    dilation: Any = 1
    groups: int = 1
    bias: bool = True
    padding_mode: str = "zeros"

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> tuple[int | None, ...]:
        """(N, out_channels, *lengths) with :func:`conv_output_length` per dimension."""
        shape = self._check_input(input_shape)
        pads = [self.padding] * self.rank if isinstance(self.padding, str) else self.padding
        lengths = [
            conv_output_length(size, k, s, p, d)
            for size, k, s, p, d in zip(
                shape[2:], self.kernel_size, self.stride, pads, self.dilation, strict=True
            )
        ]
        return (shape[0], self.out_channels, *lengths)


@dataclass(frozen=True)
class Conv1d(_Conv):
    """``torch.nn.Conv1d``: (N, C, L).

    >>> Conv1d(4, 8, 3, padding=1).compute_output_shape((None, 4, 10))
    (None, 8, 10)
    """

    rank: ClassVar[int] = 1


@dataclass(frozen=True)
class Conv2d(_Conv):
    """``torch.nn.Conv2d``: (N, C, H, W).

    >>> Conv2d(1, 32, 5, stride=2, padding=2).compute_output_shape((None, 1, 28, 28))
    (None, 32, 14, 14)
    """

    rank: ClassVar[int] = 2


@dataclass(frozen=True)
class Conv3d(_Conv):
    """``torch.nn.Conv3d``: (N, C, D, H, W)."""

    rank: ClassVar[int] = 3


@dataclass(frozen=True)
class _ConvTranspose(_ConvNd):
    in_channels: int
    out_channels: int
    kernel_size: Any
    stride: Any = 1
    padding: Any = 0
    output_padding: Any = 0
    groups: int = 1
    bias: bool = True
    dilation: Any = 1
    padding_mode: str = "zeros"

    def __post_init__(self) -> None:
        _ConvNd.__post_init__(self)
        object.__setattr__(
            self, "output_padding", _tuple(self.output_padding, self.rank, "output_padding")
        )
        if isinstance(self.padding, str):
            raise ConvShapeError(
                "ConvTranspose takes an int padding (PyTorch has no 'same' for it)",
                argument="padding",
                received={"padding": self.padding},
            )

    def compute_output_shape(
        self, input_shape: Sequence[int | None], output_size: Sequence[int] | None = None
    ) -> tuple[int | None, ...]:
        """(N, out_channels, *lengths); ``output_size`` (as in ``forward``) picks a length in
        ``[O, O + stride - 1]``, PyTorch's accepted range, per dimension."""
        shape = self._check_input(input_shape)
        lengths: list[int | None] = []
        for dim, (size, k, s, p, op, d) in enumerate(
            zip(
                shape[2:],
                self.kernel_size,
                self.stride,
                self.padding,
                self.output_padding,
                self.dilation,
                strict=True,
            )
        ):
            lowest = conv_transpose_output_length(size, k, s, p, 0 if output_size else op, d)
            if output_size is not None and lowest is not None:
                wanted = output_size[-self.rank + dim]
                if not lowest <= wanted < lowest + s:
                    raise ConvShapeError(
                        f"requested an output size of {wanted} in dimension {dim}, but PyTorch "
                        f"accepts {lowest}..{lowest + s - 1}",
                        argument="output_size",
                        received={"output_size": output_size},
                    )
                lengths.append(wanted)
            else:
                lengths.append(lowest)
        return (shape[0], self.out_channels, *lengths)


@dataclass(frozen=True)
class ConvTranspose1d(_ConvTranspose):
    """``torch.nn.ConvTranspose1d``: (N, C, L).

    >>> ConvTranspose1d(8, 4, 4, stride=2, padding=1).compute_output_shape((None, 8, 7))
    (None, 4, 14)
    """

    rank: ClassVar[int] = 1


@dataclass(frozen=True)
class ConvTranspose2d(_ConvTranspose):
    """``torch.nn.ConvTranspose2d``: (N, C, H, W).

    >>> ConvTranspose2d(256, 128, 5, stride=2, padding=2, output_padding=1).compute_output_shape(
    ...     (None, 256, 7, 7))
    (None, 128, 14, 14)
    """

    rank: ClassVar[int] = 2


@dataclass(frozen=True)
class ConvTranspose3d(_ConvTranspose):
    """``torch.nn.ConvTranspose3d``: (N, C, D, H, W)."""

    rank: ClassVar[int] = 3

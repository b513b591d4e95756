"""PyTorch module specifications: ``torch.nn``'s names and arguments, NCHW layout.

Each computes its output shape from an input shape (batch included) and counts its
parameters and buffers as PyTorch does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from .._validate import as_int, check_positive
from ..errors import ConvShapeError
from .functional import conv_output_length, conv_transpose_output_length

__all__ = [
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
]


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

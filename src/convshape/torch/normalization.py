"""PyTorch's normalization modules: ``nn.BatchNorm*d``, ``nn.InstanceNorm*d``,
``nn.GroupNorm`` and ``nn.LayerNorm``, with their parameters (weight and bias) and buffers
(running statistics).

Parameter and buffer counts are what ``sum(p.numel() for p in m.parameters())`` and
``sum(b.numel() for b in m.buffers())`` give.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import KW_ONLY, InitVar
from typing import ClassVar

from .._validate import check_non_negative, check_positive, check_shape
from ..errors import ConvShapeError
from ._checks import count, flag, number
from ._checks import input_shape as input_shape_of
from ._module import Module, Shape
from ._spec import spec

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from .._fields import IntTuple

__all__ = [
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "GroupNorm",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LayerNorm",
]


def _eps(value: object) -> float:
    return number(value, "eps")


@spec
class _Norm(Module):
    num_features: int
    eps: float = 1e-5
    momentum: float | None = 0.1
    affine: bool = True
    track_running_stats: bool = True
    # PyTorch's factory arguments, taken and not kept: they change no shape or count.
    device: InitVar[object] = None
    dtype: InitVar[object] = None
    _: KW_ONLY
    bias: bool = True
    rank: ClassVar[int] = 2

    #: Whether an input one dimension short is unbatched (InstanceNorm) or (N, C) (BatchNorm).
    unbatched_short: ClassVar[bool] = False

    def __post_init__(self, device: object, dtype: object) -> None:
        # InstanceNorm without weights or statistics never reads num_features; PyTorch takes 0.
        lowest = 0 if self.unbatched_short else 1
        object.__setattr__(self, "num_features", count(self.num_features, "num_features", lowest))
        eps = _eps(self.eps)
        if not self.unbatched_short:
            check_non_negative(eps, "eps")
        if self.momentum is not None:
            number(self.momentum, "momentum")
        for name in ("affine", "track_running_stats", "bias"):
            object.__setattr__(self, name, flag(getattr(self, name), name))
        if self._batch_statistics() and eps == 0:
            raise ConvShapeError(
                "`eps` must be > 0 when BatchNorm normalises with the batch's statistics, "
                "as without running statistics it always does (PyTorch: batch_norm eps must "
                "be positive during training)",
                argument="eps",
                received={"eps": self.eps, "track_running_stats": self.track_running_stats},
            )

    def _batch_statistics(self) -> bool:
        """BatchNorm without running statistics uses the batch's, in eval mode too (the
        specs model a module in eval mode)."""
        return not self.unbatched_short and not self.track_running_stats

    def _ranks(self) -> tuple[int, ...]:
        if self.unbatched_short:
            return (self.rank + 1, self.rank + 2)
        return (2, 3) if self.rank == 1 else (self.rank + 2,)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        ranks = self._ranks()
        shape = input_shape_of(
            self, input_shape, ranks, f"{' or '.join(map(str, ranks))}-dimensional input"
        )
        channel = 0 if self.unbatched_short and len(shape) == self.rank + 1 else 1
        strict = not self.unbatched_short or self.affine or self.track_running_stats
        if strict and shape[channel] not in (None, self.num_features):
            raise ConvShapeError(
                f"{type(self).__name__} expects {self.num_features} channels",
                argument="input_shape",
                received={"input_shape": shape},
            )
        if self._batch_statistics():
            values = (shape[0], *shape[2:])
            if None not in values and math.prod(values) == 1:  # type: ignore[arg-type]
                raise ConvShapeError(
                    f"{type(self).__name__} without running statistics needs more than 1 value "
                    "per channel (PyTorch: expected more than 1 value per channel when training)",
                    argument="input_shape",
                    received={"input_shape": shape},
                )
        if self.unbatched_short and not self.track_running_stats:
            spatial = shape[channel + 1 :]
            if None not in spatial and math.prod(spatial) == 1:  # type: ignore[arg-type]
                raise ConvShapeError(
                    f"{type(self).__name__} needs more than 1 spatial element (PyTorch: "
                    "expected more than 1 spatial element when training)",
                    argument="input_shape",
                    received={"input_shape": shape},
                )
        return shape

    def parameter_count(self) -> int:
        return self.num_features * (1 + self.bias) if self.affine else 0

    def buffer_count(self) -> int:
        return 2 * self.num_features + 1 if self.track_running_stats else 0


class BatchNorm1d(_Norm):
    """``nn.BatchNorm1d``: weight and bias; running mean and variance and a counter as buffers.

    >>> BatchNorm1d(12544).parameter_count(), BatchNorm1d(12544).buffer_count()
    (25088, 25089)
    """

    rank = 1


class BatchNorm2d(_Norm):
    """``nn.BatchNorm2d``."""

    rank = 2


class BatchNorm3d(_Norm):
    """``nn.BatchNorm3d``."""

    rank = 3


@spec
class _InstanceNorm(_Norm):
    affine: bool = False
    track_running_stats: bool = False
    unbatched_short: ClassVar[bool] = True


class InstanceNorm1d(_InstanceNorm):
    """``nn.InstanceNorm1d`` (no parameters or buffers by default)."""

    rank = 1


class InstanceNorm2d(_InstanceNorm):
    """``nn.InstanceNorm2d``."""

    rank = 2


class InstanceNorm3d(_InstanceNorm):
    """``nn.InstanceNorm3d``."""

    rank = 3


@spec
class GroupNorm(Module):
    """``nn.GroupNorm(num_groups, num_channels)``.

    >>> GroupNorm(4, 16).parameter_count()
    32
    """

    num_groups: int
    num_channels: int
    eps: float = 1e-5
    affine: bool = True
    # PyTorch's factory arguments, taken and not kept: they change no shape or count.
    device: InitVar[object] = None
    dtype: InitVar[object] = None
    _: KW_ONLY
    bias: bool = True

    def __post_init__(self, device: object, dtype: object) -> None:
        groups = check_positive(self.num_groups, "num_groups")
        channels = count(self.num_channels, "num_channels", 0)
        object.__setattr__(self, "num_groups", groups)
        object.__setattr__(self, "num_channels", channels)
        _eps(self.eps)
        object.__setattr__(self, "affine", flag(self.affine, "affine"))
        object.__setattr__(self, "bias", flag(self.bias, "bias"))
        if channels % groups:
            raise ConvShapeError(
                "`num_channels` must be divisible by `num_groups`",
                argument="num_groups",
                received={"num_groups": self.num_groups, "num_channels": self.num_channels},
            )

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = input_shape_of(self, input_shape, range(2, 64), "(N, C, *) input")
        channels = shape[1]
        if channels is not None and (
            channels % self.num_groups or (self.affine and channels != self.num_channels)
        ):
            raise ConvShapeError(
                f"GroupNorm expects {self.num_channels} channels"
                + ("" if self.affine else f" (or a multiple of {self.num_groups} groups)"),
                argument="input_shape",
                received={"input_shape": shape},
            )
        return shape

    def parameter_count(self) -> int:
        return self.num_channels * (1 + self.bias) if self.affine else 0


@spec
class LayerNorm(Module):
    """``nn.LayerNorm(normalized_shape)`` over the last dimensions.

    >>> LayerNorm((8, 8)).parameter_count()
    128
    """

    normalized_shape: IntTuple
    eps: float = 1e-5
    elementwise_affine: bool = True
    bias: bool = True
    # PyTorch's factory arguments, taken and not kept: they change no shape or count.
    device: InitVar[object] = None
    dtype: InitVar[object] = None

    def __post_init__(self, device: object, dtype: object) -> None:
        value: object = self.normalized_shape  # as given, not yet normalised
        values = value if isinstance(value, (tuple, list)) else (value,)
        shape = tuple(count(size, "normalized_shape", 0) for size in values)
        if not shape:
            raise ConvShapeError(
                "`normalized_shape` must hold at least one size",
                argument="normalized_shape",
                received={"normalized_shape": value},
            )
        object.__setattr__(self, "normalized_shape", shape)
        _eps(self.eps)
        for name in ("elementwise_affine", "bias"):
            object.__setattr__(self, name, flag(getattr(self, name), name))

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = check_shape(input_shape)
        normalized = self.normalized_shape
        last = shape[len(shape) - len(normalized) :]
        if len(last) != len(normalized) or any(
            size not in (None, wanted) for size, wanted in zip(last, normalized, strict=True)
        ):
            raise ConvShapeError(
                "the last dimensions of the input must be `normalized_shape`",
                argument="input_shape",
                received={"input_shape": shape, "normalized_shape": self.normalized_shape},
            )
        return shape

    def parameter_count(self) -> int:
        if not self.elementwise_affine:
            return 0
        return math.prod(self.normalized_shape) * (2 if self.bias else 1)

"""PyTorch module specifications beyond convolution: pooling, resampling, linear and
reshaping, normalisation, dropout and activations, and ``Sequential`` with a summary.

Parameter and buffer counts are what ``sum(p.numel() for p in m.parameters())`` and
``sum(b.numel() for b in m.buffers())`` give.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .._validate import as_int, check_positive
from ..errors import ConvShapeError
from .functional import pool_output_length
from .modules import _ConvNd

__all__ = [
    "ELU",
    "GELU",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "Dropout",
    "Flatten",
    "GroupNorm",
    "Identity",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "PReLU",
    "ReLU",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "Unflatten",
    "Upsample",
]

Shape = tuple[int | None, ...]


class Module:
    """What every specification offers; subclasses override the three methods."""

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        return tuple(input_shape)

    def parameter_count(self) -> int:
        return 0

    def buffer_count(self) -> int:
        return 0


def _spatial(value: Any, rank: int, name: str) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        if len(value) != rank:
            raise ConvShapeError(
                f"`{name}` must be an int or {rank} ints", argument=name, received={name: value}
            )
        return tuple(as_int(item, name) for item in value)
    return (as_int(value, name),) * rank


def _rank_check(module: Any, shape: Sequence[int | None], rank: int) -> Shape:
    shape = tuple(shape)
    if len(shape) not in (rank + 1, rank + 2):
        raise ConvShapeError(
            f"{type(module).__name__} expects (N, C, {rank} spatial) or (C, {rank} spatial)",
            argument="input_shape",
            received={"input_shape": shape},
        )
    return shape


def _pooled(module: Any, input_shape: Sequence[int | None], dilation: Any) -> Shape:
    """Max or average pooling: :func:`pool_output_length` per spatial dimension."""
    rank = module.rank
    shape = _rank_check(module, input_shape, rank)
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


@dataclass(frozen=True)
class _Pool(Module):
    kernel_size: Any
    stride: Any = None
    padding: Any = 0
    dilation: Any = 1
    return_indices: bool = False
    ceil_mode: bool = False
    rank: ClassVar[int] = 2

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        return _pooled(self, input_shape, self.dilation)


@dataclass(frozen=True)
class _AvgPool(Module):
    kernel_size: Any
    stride: Any = None
    padding: Any = 0
    ceil_mode: bool = False
    count_include_pad: bool = True
    divisor_override: Any = None
    rank: ClassVar[int] = 2

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        return _pooled(self, input_shape, 1)


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


def _adaptive(module: Any, input_shape: Sequence[int | None], output_size: Any) -> Shape:
    rank = module.rank
    shape = _rank_check(module, input_shape, rank)
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * rank
    if len(sizes) != rank:
        raise ConvShapeError(
            f"`output_size` must be an int or {rank} values",
            argument="output_size",
            received={"output_size": output_size},
        )
    spatial = [
        size if out is None else as_int(out, "output_size")
        for size, out in zip(shape[-rank:], sizes, strict=True)
    ]
    return (*shape[:-rank], *spatial)


@dataclass(frozen=True)
class _AdaptivePool(Module):
    output_size: Any
    return_indices: bool = False
    rank: ClassVar[int] = 2

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        return _adaptive(self, input_shape, self.output_size)


@dataclass(frozen=True)
class _AdaptiveAvgPool(Module):
    output_size: Any
    rank: ClassVar[int] = 2

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


@dataclass(frozen=True)
class Upsample(Module):
    """``nn.Upsample``: ``size``, or ``floor(I * scale_factor)`` per spatial dimension.

    >>> Upsample(scale_factor=2).compute_output_shape((None, 3, 7, 7))
    (None, 3, 14, 14)
    >>> Upsample(scale_factor=1.5).compute_output_shape((None, 3, 7))
    (None, 3, 10)
    """

    size: Any = None
    scale_factor: Any = None
    mode: str = "nearest"
    align_corners: Any = None
    recompute_scale_factor: Any = None

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = tuple(input_shape)
        rank = len(shape) - 2
        if (self.size is None) == (self.scale_factor is None):
            raise ConvShapeError(
                "Upsample takes either `size` or `scale_factor`",
                argument="size",
                received={"size": self.size, "scale_factor": self.scale_factor},
            )
        spatial: list[int | None]
        if self.size is not None:
            spatial = list(_spatial(self.size, rank, "size"))
        else:
            factors = (
                self.scale_factor
                if isinstance(self.scale_factor, (tuple, list))
                else (self.scale_factor,) * rank
            )
            spatial = [
                None if size is None else math.floor(size * float(f))
                for size, f in zip(shape[2:], factors, strict=True)
            ]
        return (*shape[:2], *spatial)


@dataclass(frozen=True)
class Linear(Module):
    """``nn.Linear`` on the last dimension.

    >>> Linear(100, 12544, bias=False).parameter_count()
    1254400
    """

    in_features: int
    out_features: int
    bias: bool = True

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = tuple(input_shape)
        if not shape or shape[-1] not in (None, self.in_features):
            raise ConvShapeError(
                f"Linear expects a last dimension of {self.in_features}",
                argument="input_shape",
                received={"input_shape": shape},
            )
        return (*shape[:-1], self.out_features)

    def parameter_count(self) -> int:
        return self.in_features * self.out_features + (self.out_features if self.bias else 0)


@dataclass(frozen=True)
class Flatten(Module):
    """``nn.Flatten(start_dim=1, end_dim=-1)``.

    >>> Flatten().compute_output_shape((None, 64, 7, 7))
    (None, 3136)
    """

    start_dim: int = 1
    end_dim: int = -1

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = tuple(input_shape)
        start, end = self.start_dim % len(shape), self.end_dim % len(shape)
        merged = shape[start : end + 1]
        size = None if None in merged else math.prod(merged)  # type: ignore[arg-type]
        return (*shape[:start], size, *shape[end + 1 :])


@dataclass(frozen=True)
class Unflatten(Module):
    """``nn.Unflatten(dim, unflattened_size)``.

    >>> Unflatten(1, (256, 7, 7)).compute_output_shape((None, 12544))
    (None, 256, 7, 7)
    """

    dim: int
    unflattened_size: Any

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = tuple(input_shape)
        dim = self.dim % len(shape)
        sizes = tuple(as_int(size, "unflattened_size") for size in self.unflattened_size)
        if shape[dim] is not None and math.prod(sizes) != shape[dim]:
            raise ConvShapeError(
                "`unflattened_size` must multiply to the size of `dim`",
                argument="unflattened_size",
                received={"input_shape": shape, "unflattened_size": self.unflattened_size},
            )
        return (*shape[:dim], *sizes, *shape[dim + 1 :])


@dataclass(frozen=True)
class _Norm(Module):
    num_features: int
    eps: float = 1e-5
    momentum: Any = 0.1
    affine: bool = True
    track_running_stats: bool = True
    rank: ClassVar[int] = 2

    #: Whether an input one dimension short is unbatched (InstanceNorm) or (N, C) (BatchNorm).
    unbatched_short: ClassVar[bool] = False

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = tuple(input_shape)
        channel = 0 if self.unbatched_short and len(shape) == self.rank + 1 else 1
        if shape[channel] not in (None, self.num_features):
            raise ConvShapeError(
                f"{type(self).__name__} expects {self.num_features} channels",
                argument="input_shape",
                received={"input_shape": shape},
            )
        return shape

    def parameter_count(self) -> int:
        return 2 * self.num_features if self.affine else 0

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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class GroupNorm(Module):
    """``nn.GroupNorm(num_groups, num_channels)``.

    >>> GroupNorm(4, 16).parameter_count()
    32
    """

    num_groups: int
    num_channels: int
    eps: float = 1e-5
    affine: bool = True

    def __post_init__(self) -> None:
        if self.num_channels % check_positive(self.num_groups, "num_groups"):
            raise ConvShapeError(
                "`num_channels` must be divisible by `num_groups`",
                argument="num_groups",
                received={"num_groups": self.num_groups, "num_channels": self.num_channels},
            )

    def parameter_count(self) -> int:
        return 2 * self.num_channels if self.affine else 0


@dataclass(frozen=True)
class LayerNorm(Module):
    """``nn.LayerNorm(normalized_shape)`` over the last dimensions.

    >>> LayerNorm((8, 8)).parameter_count()
    128
    """

    normalized_shape: Any
    eps: float = 1e-5
    elementwise_affine: bool = True
    bias: bool = True

    def _shape(self) -> tuple[int, ...]:
        shape = self.normalized_shape
        return (
            tuple(shape)
            if isinstance(shape, (tuple, list))
            else (as_int(shape, "normalized_shape"),)
        )

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = tuple(input_shape)
        normalized = self._shape()
        if tuple(shape[-len(normalized) :]) != normalized:
            raise ConvShapeError(
                "the last dimensions of the input must be `normalized_shape`",
                argument="input_shape",
                received={"input_shape": shape, "normalized_shape": self.normalized_shape},
            )
        return shape

    def parameter_count(self) -> int:
        if not self.elementwise_affine:
            return 0
        return math.prod(self._shape()) * (2 if self.bias else 1)


@dataclass(frozen=True)
class Dropout(Module):
    """``nn.Dropout``."""

    p: float = 0.5
    inplace: bool = False


@dataclass(frozen=True)
class ReLU(Module):
    """``nn.ReLU``."""

    inplace: bool = False


@dataclass(frozen=True)
class LeakyReLU(Module):
    """``nn.LeakyReLU``."""

    negative_slope: float = 0.01
    inplace: bool = False


@dataclass(frozen=True)
class ELU(Module):
    """``nn.ELU``."""

    alpha: float = 1.0
    inplace: bool = False


@dataclass(frozen=True)
class GELU(Module):
    """``nn.GELU``."""

    approximate: str = "none"


@dataclass(frozen=True)
class SiLU(Module):
    """``nn.SiLU``."""

    inplace: bool = False


@dataclass(frozen=True)
class Tanh(Module):
    """``nn.Tanh``."""


@dataclass(frozen=True)
class Sigmoid(Module):
    """``nn.Sigmoid``."""


@dataclass(frozen=True)
class Identity(Module):
    """``nn.Identity``."""


@dataclass(frozen=True)
class Softmax(Module):
    """``nn.Softmax(dim)``."""

    dim: Any = None


@dataclass(frozen=True)
class PReLU(Module):
    """``nn.PReLU(num_parameters=1)``."""

    num_parameters: int = 1
    init: float = 0.25

    def parameter_count(self) -> int:
        return self.num_parameters


@dataclass(frozen=True)
class SequentialRow:
    """One module of a PyTorch summary."""

    index: str
    class_name: str
    output_shape: Shape
    parameters: int
    buffers: int


@dataclass
class Sequential:
    """``nn.Sequential`` of specifications, folded over an input shape.

    >>> from convshape import torch as pt
    >>> model = pt.Sequential(pt.Linear(100, 12544, bias=False), pt.BatchNorm1d(12544),
    ...     pt.LeakyReLU(), pt.Unflatten(1, (256, 7, 7)),
    ...     pt.ConvTranspose2d(256, 128, 5, stride=2, padding=2, output_padding=1, bias=False))
    >>> rows = model.summarize((None, 100))
    >>> rows[-1].output_shape, sum(row.parameters for row in rows), sum(row.buffers for row in rows)
    ((None, 128, 14, 14), 2098688, 25089)
    """

    modules: tuple[Any, ...] = field(default=())

    def __init__(self, *modules: Any) -> None:
        for module in modules:
            if not isinstance(module, (Module, _ConvNd)):
                raise TypeError(
                    f"Sequential takes convshape.torch modules, not {type(module).__name__}"
                )
        self.modules = modules

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = tuple(input_shape)
        for module in self.modules:
            shape = module.compute_output_shape(shape)
        return shape

    def summarize(self, input_shape: Sequence[int | None]) -> list[SequentialRow]:
        """One row per module: its index, class, output shape, parameters and buffers."""
        rows, shape = [], tuple(input_shape)
        for index, module in enumerate(self.modules):
            shape = module.compute_output_shape(shape)
            buffers = module.buffer_count() if isinstance(module, Module) else 0
            rows.append(
                SequentialRow(
                    str(index), type(module).__name__, shape, module.parameter_count(), buffers
                )
            )
        return rows

    def summary(self, input_shape: Sequence[int | None]) -> str:
        """The summary as a text table with the totals (parameters and buffers apart)."""
        rows = self.summarize(input_shape)
        lines = [
            f"{'Layer (type)':<32}{'Output Shape':<28}{'Param #':>12}{'Buffers':>10}",
            "=" * 82,
        ]
        for row in rows:
            name = f"{row.index} ({row.class_name})"
            lines.append(
                f"{name:<32}{row.output_shape!s:<28}{row.parameters:>12,}{row.buffers:>10,}"
            )
        lines.append("=" * 82)
        lines.append(f"Total params: {sum(row.parameters for row in rows):,}")
        lines.append(f"Total buffers: {sum(row.buffers for row in rows):,}")
        return "\n".join(lines) + "\n"

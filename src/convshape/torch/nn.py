"""PyTorch module specifications beyond convolution: pooling, resampling, linear and
reshaping, normalisation, dropout and activations, and ``Sequential`` with a summary.

Parameter and buffer counts are what ``sum(p.numel() for p in m.parameters())`` and
``sum(b.numel() for b in m.buffers())`` give.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, InitVar, dataclass, field
from typing import Any, ClassVar

from .._validate import (
    as_int,
    check_axis,
    check_callable,
    check_choice,
    check_non_negative,
    check_positive,
    check_rate,
    check_shape,
)
from ..errors import ConvShapeError, _short_repr, put_in_front
from ._checks import (
    count,
    flag,
    int_or_tuple,
    new_spec,
    nonzero,
    number,
    optional_flag,
    spatial_tuple,
)
from ._checks import input_shape as input_shape_of
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

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return new_spec(cls, kwargs)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        return check_shape(input_shape)

    def parameter_count(self) -> int:
        return 0

    def buffer_count(self) -> int:
        return 0


def _spatial(value: Any, rank: int, name: str) -> tuple[int, ...]:
    """An int or ``rank`` ints (a one-element tuple broadcast), as ``rank`` ints."""
    return spatial_tuple(value, rank, name, minimum=None)


def _rank_check(module: Any, shape: Sequence[int | None], rank: int) -> Shape:
    return input_shape_of(
        module, shape, (rank + 1, rank + 2), f"(N, C, {rank} spatial) or (C, {rank} spatial)"
    )


def _pooled(module: Any, input_shape: Sequence[int | None], dilation: Any) -> Shape:
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


def _pool_arguments(module: Any) -> None:
    """Convert and check the window arguments; an empty ``stride`` is PyTorch's default."""
    rank = module.rank
    set_ = object.__setattr__
    set_(module, "kernel_size", int_or_tuple(module.kernel_size, rank, "kernel_size", minimum=1))
    stride = module.stride
    if isinstance(stride, (tuple, list)) and not stride:
        stride = None
    set_(
        module,
        "stride",
        None if stride is None else int_or_tuple(stride, rank, "stride", minimum=1),
    )
    set_(module, "padding", int_or_tuple(module.padding, rank, "padding", minimum=0))
    set_(module, "ceil_mode", flag(module.ceil_mode, "ceil_mode"))


@dataclass(frozen=True)
class _Pool(Module):
    kernel_size: Any
    stride: Any = None
    padding: Any = 0
    dilation: Any = 1
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


@dataclass(frozen=True)
class _AvgPool(Module):
    kernel_size: Any
    stride: Any = None
    padding: Any = 0
    ceil_mode: bool = False
    count_include_pad: bool = True
    divisor_override: Any = None
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
            sizes = check_shape(input_shape)[-3:]
            kernel = _spatial(self.kernel_size, 3, "kernel_size")
            if any(size is not None and size < k for size, k in zip(sizes, kernel, strict=True)):
                raise ConvShapeError(
                    "AvgPool3d needs every input length at least the kernel size, padding "
                    "aside (PyTorch: input image smaller than kernel size)",
                    argument="input_shape",
                    received={"input_shape": input_shape, "kernel_size": self.kernel_size},
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


def _adaptive_size(module: Any) -> int | tuple[int | None, ...]:
    """``output_size``: an int >= 0, or ``rank`` of them where None keeps the input length
    (PyTorch's one-dimensional modules take no None)."""
    rank, value = module.rank, module.output_size
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
        sizes = (as_int(value, "output_size"),)
    if any(size is not None and size < 0 for size in sizes):
        raise ConvShapeError(
            "`output_size` must hold sizes >= 0 (PyTorch: elements of output_size must be "
            "greater than or equal to 0)",
            argument="output_size",
            received={"output_size": value},
        )
    return sizes if isinstance(value, (tuple, list)) else sizes[0]  # type: ignore[return-value]


def _adaptive(module: Any, input_shape: Sequence[int | None], output_size: Any) -> Shape:
    rank = module.rank
    shape = _rank_check(module, input_shape, rank)
    # Batched, only AdaptiveAvgPool1d/2d run on zero channels.
    channels_may_be_empty = len(shape) == rank + 1 or (module.empty_channels and rank < 3)
    nonzero(module, shape, range(-rank, 0) if channels_may_be_empty else range(-rank - 1, 0))
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * rank
    spatial = [size if out is None else out for size, out in zip(shape[-rank:], sizes, strict=True)]
    return (*shape[:-rank], *spatial)


@dataclass(frozen=True)
class _AdaptivePool(Module):
    output_size: Any
    return_indices: bool = False
    rank: ClassVar[int] = 2
    empty_channels: ClassVar[bool] = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "output_size", _adaptive_size(self))
        object.__setattr__(self, "return_indices", flag(self.return_indices, "return_indices"))

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        return _adaptive(self, input_shape, self.output_size)


@dataclass(frozen=True)
class _AdaptiveAvgPool(Module):
    output_size: Any
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


_INT64_MAX = 2**63 - 1
_UPSAMPLE_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_INTERPOLATING = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _scale_factor(value: Any) -> float | tuple[float, ...] | None:
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
        name, value = (
            ("size", self.size) if self.size is not None else ("scale_factor", self.scale_factor)
        )
        values = value if isinstance(value, tuple) else (value,) * rank
        if len(values) != rank:
            raise ConvShapeError(
                f"`{name}` must have one value per spatial dimension of the input ({rank})",
                argument=name,
                received={name: value, "input_shape": input_shape},
            )
        if self.size is not None:
            return list(values)
        lengths: list[int | None] = []
        for size, factor in zip(sizes, values, strict=True):
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


@dataclass(frozen=True)
class Linear(Module):
    """``nn.Linear`` on the last dimension.

    >>> Linear(100, 12544, bias=False).parameter_count()
    1254400
    """

    in_features: int
    out_features: int
    bias: bool = True
    # PyTorch's factory arguments, taken and not kept: they change no shape or count.
    device: InitVar[Any] = None
    dtype: InitVar[Any] = None

    def __post_init__(self, device: Any, dtype: Any) -> None:
        object.__setattr__(self, "in_features", count(self.in_features, "in_features", 0))
        object.__setattr__(self, "out_features", count(self.out_features, "out_features", 0))
        object.__setattr__(self, "bias", flag(self.bias, "bias"))

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = check_shape(input_shape)
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "start_dim", as_int(self.start_dim, "start_dim"))
        object.__setattr__(self, "end_dim", as_int(self.end_dim, "end_dim"))

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = check_shape(input_shape) or (1,)  # a scalar flattens to one element
        start = check_axis(self.start_dim, len(shape), "start_dim")
        end = check_axis(self.end_dim, len(shape), "end_dim")
        if start > end:
            raise ConvShapeError(
                "`start_dim` cannot come after `end_dim`",
                argument="start_dim",
                received={"start_dim": self.start_dim, "end_dim": self.end_dim},
            )
        merged = shape[start : end + 1]
        size = None if None in merged else _numel(merged, input_shape)  # type: ignore[arg-type]
        return (*shape[:start], size, *shape[end + 1 :])


def _numel(sizes: Sequence[int], input_shape: object) -> int:
    """The product of ``sizes``, which a PyTorch tensor holds in an int64 (stopping as soon
    as it cannot, however many sizes there are)."""
    if 0 in sizes:
        return 0
    product = 1
    for size in sizes:
        product *= size
        if product > _INT64_MAX:
            raise ConvShapeError(
                "the flattened size does not fit PyTorch's int64 sizes (no tensor has that shape)",
                argument="input_shape",
                received={"input_shape": input_shape},
            )
    return product


@dataclass(frozen=True)
class Unflatten(Module):
    """``nn.Unflatten(dim, unflattened_size)``; one size may be -1, inferred.

    >>> Unflatten(1, (256, 7, 7)).compute_output_shape((None, 12544))
    (None, 256, 7, 7)
    """

    dim: int
    unflattened_size: Any

    def __post_init__(self) -> None:
        object.__setattr__(self, "dim", as_int(self.dim, "dim"))
        value = self.unflattened_size
        if not isinstance(value, (tuple, list)):
            raise TypeError(
                "`unflattened_size` must be a tuple of ints, not "
                f"{type(value).__name__}. Received: unflattened_size={_short_repr(value)}"
            )
        sizes = tuple(as_int(size, "unflattened_size") for size in value)
        if not sizes or sizes.count(-1) > 1 or any(size < -1 for size in sizes):
            raise ConvShapeError(
                "`unflattened_size` must be non-empty sizes >= 0, with at most one -1 (inferred)",
                argument="unflattened_size",
                received={"unflattened_size": value},
            )
        object.__setattr__(self, "unflattened_size", sizes)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = check_shape(input_shape)
        if not shape:
            raise ConvShapeError(
                "Unflatten needs an input of at least one dimension",
                argument="input_shape",
                received={"input_shape": input_shape},
            )
        dim = check_axis(self.dim, len(shape), "dim")
        fixed: tuple[int, ...] = self.unflattened_size
        sizes: tuple[int | None, ...] = fixed
        known = math.prod(size for size in fixed if size != -1)
        length = shape[dim]
        if -1 in sizes:
            if length is not None and (known == 0 or length % known):
                self._mismatch(shape)
            inferred = None if length is None else length // known
            sizes = tuple(inferred if size == -1 else size for size in sizes)
        elif length is not None and known != length:
            self._mismatch(shape)
        return (*shape[:dim], *sizes, *shape[dim + 1 :])

    def _mismatch(self, shape: Shape) -> None:
        raise ConvShapeError(
            "`unflattened_size` must multiply to the size of `dim`",
            argument="unflattened_size",
            received={"input_shape": shape, "unflattened_size": self.unflattened_size},
        )


def _eps(value: Any) -> float:
    return number(value, "eps")


@dataclass(frozen=True)
class _Norm(Module):
    num_features: int
    eps: float = 1e-5
    momentum: Any = 0.1
    affine: bool = True
    track_running_stats: bool = True
    # PyTorch's factory arguments, taken and not kept: they change no shape or count.
    device: InitVar[Any] = None
    dtype: InitVar[Any] = None
    _: KW_ONLY
    bias: bool = True
    rank: ClassVar[int] = 2

    #: Whether an input one dimension short is unbatched (InstanceNorm) or (N, C) (BatchNorm).
    unbatched_short: ClassVar[bool] = False

    def __post_init__(self, device: Any, dtype: Any) -> None:
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
    # PyTorch's factory arguments, taken and not kept: they change no shape or count.
    device: InitVar[Any] = None
    dtype: InitVar[Any] = None
    _: KW_ONLY
    bias: bool = True

    def __post_init__(self, device: Any, dtype: Any) -> None:
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
    # PyTorch's factory arguments, taken and not kept: they change no shape or count.
    device: InitVar[Any] = None
    dtype: InitVar[Any] = None

    def __post_init__(self, device: Any, dtype: Any) -> None:
        value = self.normalized_shape
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

    def _shape(self) -> tuple[int, ...]:
        shape: tuple[int, ...] = self.normalized_shape
        return shape

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = check_shape(input_shape)
        normalized = self._shape()
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
        return math.prod(self._shape()) * (2 if self.bias else 1)


@dataclass(frozen=True)
class Dropout(Module):
    """``nn.Dropout``."""

    p: float = 0.5
    inplace: bool = False

    def __post_init__(self) -> None:
        # NumPy numbers are converted (PyTorch takes them); the others are shown as given.
        check_rate(self.p if type(self.p) in (int, float) else number(self.p, "p"), "p")
        flag(self.inplace, "inplace")


@dataclass(frozen=True)
class ReLU(Module):
    """``nn.ReLU``."""

    inplace: bool = False

    def __post_init__(self) -> None:
        flag(self.inplace, "inplace")


@dataclass(frozen=True)
class LeakyReLU(Module):
    """``nn.LeakyReLU``."""

    negative_slope: float = 0.01
    inplace: bool = False

    def __post_init__(self) -> None:
        number(self.negative_slope, "negative_slope")
        flag(self.inplace, "inplace")


@dataclass(frozen=True)
class ELU(Module):
    """``nn.ELU``."""

    alpha: float = 1.0
    inplace: bool = False

    def __post_init__(self) -> None:
        number(self.alpha, "alpha")
        flag(self.inplace, "inplace")


@dataclass(frozen=True)
class GELU(Module):
    """``nn.GELU``."""

    approximate: str = "none"

    def __post_init__(self) -> None:
        check_choice(self.approximate, "approximate", ("none", "tanh"))


@dataclass(frozen=True)
class SiLU(Module):
    """``nn.SiLU``."""

    inplace: bool = False

    def __post_init__(self) -> None:
        flag(self.inplace, "inplace")


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

    def __post_init__(self) -> None:
        if self.dim is not None:
            object.__setattr__(self, "dim", as_int(self.dim, "dim"))

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = check_shape(input_shape)
        if self.dim is not None:
            check_axis(self.dim, len(shape), "dim")
        return shape


@dataclass(frozen=True)
class PReLU(Module):
    """``nn.PReLU(num_parameters=1)``: one slope, or one per channel (dimension 1)."""

    num_parameters: int = 1
    init: float = 0.25
    # PyTorch's factory arguments, taken and not kept: they change no shape or count.
    device: InitVar[Any] = None
    dtype: InitVar[Any] = None

    def __post_init__(self, device: Any, dtype: Any) -> None:
        object.__setattr__(self, "num_parameters", count(self.num_parameters, "num_parameters", 0))
        object.__setattr__(self, "init", float(number(self.init, "init")))

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = check_shape(input_shape)
        if self.num_parameters != 1:
            channels = shape[1] if len(shape) > 1 else 1
            if not shape or channels not in (None, self.num_parameters):
                raise ConvShapeError(
                    f"PReLU with {self.num_parameters} parameters expects as many channels "
                    "(dimension 1)",
                    argument="input_shape",
                    received={"input_shape": shape},
                )
        return shape

    def parameter_count(self) -> int:
        return self.num_parameters


# The Keras side's summary data and rendering, reused: one table for both frameworks.
from collections.abc import Iterator  # noqa: E402  (kept with the part that uses it)

from ..summary import Summary, SummaryRow  # noqa: E402  (kept with the part that uses it)


class SequentialRow(SummaryRow):
    """One module of a PyTorch summary: a :class:`convshape.SummaryRow` whose ``name`` is
    the module's index in ``nn.Sequential`` ("0", "1"...), every parameter trainable (as
    ``requires_grad`` defaults), and its buffers (running statistics) apart."""

    buffers: int = 0

    @property
    def index(self) -> str:
        """The module's name in ``nn.Sequential``: its index."""
        return self.name

    @property
    def parameters(self) -> int:
        """``sum(p.numel() for p in module.parameters())``."""
        return self.params

    def to_dict(self) -> dict[str, Any]:
        """The row's mapping, with its buffers."""
        return {**super().to_dict(), "buffers": self.buffers}


class SequentialSummary(Summary):
    """A :class:`convshape.Summary` of a PyTorch ``Sequential``: totals, ``to_dict()``,
    HTML, and ``str()`` in Keras's layout; iterating it gives its rows.

    The totals count parameters as torchinfo does (buffers are not parameters); the
    buffers' total is the ``buffers`` entry of ``totals``.
    """

    @property
    def total_buffers(self) -> int:
        """Scalars in the buffers (running means and variances, batch counters)."""
        return int(dict(self.totals).get("buffers", 0))

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[SummaryRow]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> SummaryRow:
        return self.rows[index]


@dataclass
class Sequential:
    """``nn.Sequential`` of specifications, folded over an input shape.

    >>> from convshape import torch as pt
    >>> model = pt.Sequential(pt.Linear(100, 12544, bias=False), pt.BatchNorm1d(12544),
    ...     pt.LeakyReLU(), pt.Unflatten(1, (256, 7, 7)),
    ...     pt.ConvTranspose2d(256, 128, 5, stride=2, padding=2, output_padding=1, bias=False))
    >>> summary = model.summarize((None, 100))
    >>> summary.rows[-1].output_shape, summary.total_params, summary.total_buffers
    ((None, 128, 14, 14), 2098688, 25089)
    >>> model.summary((None, 100), line_length=64)
    Model: "Sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┓
    ┃ Layer (type)              ┃ Output Shape        ┃    Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━┩
    │ 0 (Linear)                │ (None, 12544)       │  1,254,400 │
    ├───────────────────────────┼─────────────────────┼────────────┤
    │ 1 (BatchNorm1d)           │ (None, 12544)       │     25,088 │
    ├───────────────────────────┼─────────────────────┼────────────┤
    │ 2 (LeakyReLU)             │ (None, 12544)       │          0 │
    ├───────────────────────────┼─────────────────────┼────────────┤
    │ 3 (Unflatten)             │ (None, 256, 7, 7)   │          0 │
    ├───────────────────────────┼─────────────────────┼────────────┤
    │ 4 (ConvTranspose2d)       │ (None, 128, 14, 14) │    819,200 │
    └───────────────────────────┴─────────────────────┴────────────┘
     Total params: 2,098,688 (8.01 MB)
     Trainable params: 2,098,688 (8.01 MB)
     Non-trainable params: 0 (0.00 B)
     Buffers: 25,089
    <BLANKLINE>
    """

    modules: tuple[Any, ...] = field(default=())

    def __init__(self, *modules: Any) -> None:
        for module in modules:
            if not isinstance(module, (Module, _ConvNd)):
                raise TypeError(
                    f"Sequential takes convshape.torch modules, not {type(module).__name__}. "
                    f"Received: modules={_short_repr(modules)}"
                )
        self.modules = modules

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        """The output shape of the modules in turn; an error names the module refusing.

        >>> from convshape import torch as pt
        >>> pt.Sequential(pt.Conv2d(3, 8, 3), pt.Flatten()).compute_output_shape((1, 3, 5, 5))
        (1, 72)
        """
        shape = check_shape(input_shape)
        for index, module in enumerate(self.modules):
            shape = _module_output_shape(index, module, shape)
        return shape

    def summarize(self, input_shape: Sequence[int | None]) -> SequentialSummary:
        """The summary: one row per module (its index in ``nn.Sequential``, class, output
        shape, parameters and buffers) and the totals, as ``convshape.Summary`` holds them.

        Parameters are float32 (4 bytes each) and trainable, PyTorch's defaults.
        """
        rows, shape = [], check_shape(input_shape)
        for index, module in enumerate(self.modules):
            shape = _module_output_shape(index, module, shape)
            buffers = module.buffer_count() if isinstance(module, Module) else 0
            parameters = int(module.parameter_count())
            rows.append(
                SequentialRow(
                    str(index),
                    type(module).__name__,
                    shape,
                    parameters,
                    parameters,
                    0,
                    has_weights=bool(parameters),
                    trainable_bytes=4 * parameters,
                    buffers=buffers,
                )
            )
        return SequentialSummary(
            "Sequential",
            tuple(rows),
            input_shape=check_shape(input_shape),
            totals=(("buffers", sum(row.buffers for row in rows)),),
        )

    def summary(
        self,
        input_shape: Sequence[int | None],
        line_length: int | None = None,
        positions: Sequence[float] | None = None,
        print_fn: Callable[[str], Any] | None = None,
    ) -> None:
        """Print the summary as Keras's ``model.summary()`` prints its table (``line_length``
        88 by default, columns ending at ``positions``), with the totals and the buffers'
        total; ``print_fn`` receives the text instead (``str(model.summarize(shape))`` is
        the same text)."""
        from .._render import render_summary  # noqa: PLC0415  (only the text needs it)

        if print_fn is not None:
            check_callable(print_fn, "print_fn")
        text = render_summary(self.summarize(input_shape), line_length, positions)
        (print if print_fn is None else print_fn)(text)


def _module_output_shape(index: int, module: Any, shape: Shape) -> Shape:
    """One module's output shape in a ``Sequential``; its errors start with the module's
    index (its name in ``nn.Sequential``) and class."""
    try:
        output: Shape = module.compute_output_shape(shape)
    except (ConvShapeError, TypeError) as error:
        put_in_front(error, f"Sequential module {index} ({type(module).__name__})")
        raise
    return output

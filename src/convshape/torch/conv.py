"""PyTorch's convolutions, ``nn.Conv*d`` and ``nn.ConvTranspose*d``: ``torch.nn``'s names
and arguments, NCHW layout.

Each computes its output shape from an input shape (batch included) and counts its
parameters as PyTorch does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import InitVar
from typing import ClassVar

from .._core import effective_kernel, split
from .._validate import as_int, check_choice, check_positive
from ..errors import ConvShapeError, _short_repr
from ._checks import flag, spatial_tuple
from ._checks import input_shape as input_shape_of
from ._crop import largest_output_padding
from ._module import Module
from ._spec import field, spec
from .functional import (
    conv_output_length,
    conv_transpose_output_length,
    conv_transpose_output_range,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import TypeAlias

    from .._fields import Arg, IntTuple

    #: PyTorch's ``padding`` of a convolution: an int for every spatial dimension, one per
    #: dimension, or "same" / "valid"; held as one int per dimension, or the name.
    TorchConvPadding: TypeAlias = Arg[
        int | tuple[int, ...] | list[int] | str, tuple[int, ...] | str
    ]

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]


_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """Shared by the PyTorch convolution specs; ``rank`` spatial dimensions, NC + spatial
    (or C + spatial, unbatched). The subclasses declare the fields in PyTorch's positional
    order; construction converts every argument to plain ints and rejects what PyTorch
    rejects."""

    rank: ClassVar[int] = 2
    in_channels: int
    out_channels: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...] | str
    dilation: tuple[int, ...]
    groups: int
    bias: bool
    padding_mode: str

    def __post_init__(self) -> None:
        rank = self.rank
        for name in ("in_channels", "out_channels", "groups"):
            object.__setattr__(self, name, check_positive(getattr(self, name), name))
        # PyTorch expands a one-element stride, padding or dilation, not a kernel size.
        kernel = spatial_tuple(self.kernel_size, rank, "kernel_size", minimum=1, broadcast=False)
        object.__setattr__(self, "kernel_size", kernel)
        for name in ("stride", "dilation"):
            object.__setattr__(
                self, name, spatial_tuple(getattr(self, name), rank, name, minimum=1)
            )
        if not isinstance(self.padding, str):
            padding = spatial_tuple(self.padding, rank, "padding", minimum=0)
            object.__setattr__(self, "padding", padding)
        object.__setattr__(self, "bias", flag(self.bias, "bias"))
        check_choice(self.padding_mode, "padding_mode", _PADDING_MODES)
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
        """(N, C, *spatial) or, unbatched, (C, *spatial), with C = ``in_channels``."""
        rank = self.rank
        shape = input_shape_of(
            self,
            input_shape,
            (rank + 1, rank + 2),
            f"(N, {self.in_channels}, spatial x {rank}) or ({self.in_channels}, spatial x {rank})",
        )
        if shape[-rank - 1] not in (None, self.in_channels):
            raise ConvShapeError(
                f"{type(self).__name__} expects (N, {self.in_channels}, spatial x {rank}) "
                f"or ({self.in_channels}, spatial x {rank})",
                argument="input_shape",
                received={"input_shape": input_shape},
            )
        return shape

    def parameter_count(self) -> int:
        """Weights and bias, as ``sum(p.numel() for p in module.parameters())``."""
        weight = self.in_channels * self.out_channels // self.groups * math.prod(self.kernel_size)
        return int(weight) + (self.out_channels if self.bias else 0)


@spec
class _Conv(_ConvNd):
    in_channels: int
    out_channels: int
    kernel_size: IntTuple
    stride: IntTuple = field(default=1)
    padding: TorchConvPadding = field(default=0)
    dilation: IntTuple = field(default=1)
    groups: int = 1
    bias: bool = True
    padding_mode: str = "zeros"
    # PyTorch's factory arguments, taken and not kept: they change no shape or count.
    device: InitVar[object] = None
    dtype: InitVar[object] = None

    def __post_init__(self, device: object, dtype: object) -> None:
        _ConvNd.__post_init__(self)
        if isinstance(self.padding, str):
            check_choice(self.padding, "padding", ("same", "valid"))
            if self.padding == "same" and max(self.stride) > 1:
                raise ConvShapeError(
                    "padding='same' is not supported for strided convolutions in PyTorch",
                    argument="padding",
                    received={"padding": self.padding, "stride": self.stride},
                )

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> tuple[int | None, ...]:
        """(N, out_channels, *lengths) with :func:`conv_output_length` per dimension;
        unbatched (C, *spatial) gives (out_channels, *lengths)."""
        shape = self._check_input(input_shape)
        rank = self.rank
        pads: Sequence[int | str] = (
            [self.padding] * rank if isinstance(self.padding, str) else self.padding
        )
        if self.padding_mode != "zeros":
            self._check_padding_mode(shape[-rank:], input_shape)
        lengths = [
            conv_output_length(size, k, s, p, d)
            for size, k, s, p, d in zip(
                shape[-rank:], self.kernel_size, self.stride, pads, self.dilation, strict=True
            )
        ]
        return (*shape[: -rank - 1], self.out_channels, *lengths)

    def _check_padding_mode(self, sizes: Sequence[int | None], input_shape: object) -> None:
        """Reflection pads less than the length, circular padding at most the length."""
        reflect = self.padding_mode == "reflect"
        if self.padding_mode == "replicate":
            return
        for dim, (size, k, d) in enumerate(
            zip(sizes, self.kernel_size, self.dilation, strict=True)
        ):
            if size is None:
                continue
            if self.padding == "same":  # stride 1: k_eff - 1 in all, the odd one after
                widest = max(split(effective_kernel(k, d) - 1))
            else:
                widest = 0 if isinstance(self.padding, str) else self.padding[dim]  # "valid": 0
            if widest > size - reflect:
                rule = "smaller than" if reflect else "at most"
                raise ConvShapeError(
                    f"padding_mode={self.padding_mode!r} needs padding {rule} the input length "
                    f"(dimension {dim}: padding {widest}, length {size})",
                    argument="padding",
                    received={"padding": self.padding, "input_shape": input_shape},
                )


@spec
class Conv1d(_Conv):
    """``torch.nn.Conv1d``: (N, C, L).

    >>> Conv1d(4, 8, 3, padding=1).compute_output_shape((None, 4, 10))
    (None, 8, 10)
    """

    rank: ClassVar[int] = 1


@spec
class Conv2d(_Conv):
    """``torch.nn.Conv2d``: (N, C, H, W).

    >>> Conv2d(1, 32, 5, stride=2, padding=2).compute_output_shape((None, 1, 28, 28))
    (None, 32, 14, 14)
    """

    rank: ClassVar[int] = 2


@spec
class Conv3d(_Conv):
    """``torch.nn.Conv3d``: (N, C, D, H, W)."""

    rank: ClassVar[int] = 3


@spec
class _ConvTranspose(_ConvNd):
    in_channels: int
    out_channels: int
    kernel_size: IntTuple
    stride: IntTuple = field(default=1)
    padding: IntTuple = field(default=0)
    output_padding: IntTuple = field(default=0)
    groups: int = 1
    bias: bool = True
    dilation: IntTuple = field(default=1)
    padding_mode: str = "zeros"
    # PyTorch's factory arguments, taken and not kept: they change no shape or count.
    device: InitVar[object] = None
    dtype: InitVar[object] = None

    def __post_init__(self, device: object, dtype: object) -> None:
        given_padding: object = self.__dict__["padding"]  # as given: the field holds ints
        if isinstance(given_padding, str):
            raise ConvShapeError(
                "ConvTranspose takes an int padding (PyTorch has no 'same' for it)",
                argument="padding",
                received={"padding": given_padding},
            )
        _ConvNd.__post_init__(self)
        if self.padding_mode != "zeros":
            raise ConvShapeError(
                f'Only "zeros" padding mode is supported for {type(self).__name__} (PyTorch)',
                argument="padding_mode",
                received={"padding_mode": self.padding_mode},
            )
        output_padding = spatial_tuple(self.output_padding, self.rank, "output_padding", minimum=0)
        object.__setattr__(self, "output_padding", output_padding)
        for op, s, d in zip(output_padding, self.stride, self.dilation, strict=True):
            if op > largest_output_padding(s, d):
                raise ConvShapeError(
                    "`output_padding` must be smaller than either `stride` or `dilation`",
                    argument="output_padding",
                    received={
                        "output_padding": self.output_padding,
                        "stride": self.stride,
                        "dilation": self.dilation,
                    },
                )

    def compute_output_shape(
        self, input_shape: Sequence[int | None], output_size: Sequence[int] | None = None
    ) -> tuple[int | None, ...]:
        """(N, out_channels, *lengths), unbatched (out_channels, *lengths); ``output_size``
        (as in ``forward``: the spatial lengths, or the whole shape) picks a length in
        ``[O, O + stride - 1]``, PyTorch's accepted range, per dimension."""
        shape = self._check_input(input_shape)
        rank = self.rank
        wanted = None if output_size is None else self._output_size(output_size, len(shape))
        lengths: list[int | None] = []
        for dim, (size, k, s, p, op, d) in enumerate(
            zip(
                shape[-rank:],
                self.kernel_size,
                self.stride,
                self.padding,
                self.output_padding,
                self.dilation,
                strict=True,
            )
        ):
            lowest = conv_transpose_output_length(size, k, s, p, 0 if wanted else op, d)
            if wanted is None:
                lengths.append(lowest)
                continue
            accepted = None if size is None else conv_transpose_output_range(size, k, s, p, d)
            if accepted is not None and wanted[dim] not in accepted:
                raise ConvShapeError(
                    f"requested an output size of {_short_repr(wanted[dim])} in dimension {dim}, "
                    f"but PyTorch accepts {accepted.start}..{accepted.stop - 1}",
                    argument="output_size",
                    received={"output_size": output_size},
                )
            lengths.append(wanted[dim])
        return (*shape[: -rank - 1], self.out_channels, *lengths)

    def _output_size(self, output_size: object, dims: int) -> tuple[int, ...]:
        """The spatial lengths of ``output_size``: ``rank`` ints, or one per input dimension."""
        rank = self.rank
        if not isinstance(output_size, (tuple, list)):
            raise TypeError(
                f"`output_size` must be a tuple or list of ints, not {type(output_size).__name__}"
                f". Received: output_size={_short_repr(output_size)}"
            )
        if len(output_size) not in (rank, dims):
            raise ConvShapeError(
                f"for {dims}-dimensional input, `output_size` must have {rank} or {dims} elements",
                argument="output_size",
                received={"output_size": output_size},
            )
        return tuple(as_int(size, "output_size") for size in output_size[-rank:])


@spec
class ConvTranspose1d(_ConvTranspose):
    """``torch.nn.ConvTranspose1d``: (N, C, L).

    >>> ConvTranspose1d(8, 4, 4, stride=2, padding=1).compute_output_shape((None, 8, 7))
    (None, 4, 14)
    """

    rank: ClassVar[int] = 1


@spec
class ConvTranspose2d(_ConvTranspose):
    """``torch.nn.ConvTranspose2d``: (N, C, H, W).

    >>> ConvTranspose2d(256, 128, 5, stride=2, padding=2, output_padding=1).compute_output_shape(
    ...     (None, 256, 7, 7))
    (None, 128, 14, 14)
    """

    rank: ClassVar[int] = 2


@spec
class ConvTranspose3d(_ConvTranspose):
    """``torch.nn.ConvTranspose3d``: (N, C, D, H, W)."""

    rank: ClassVar[int] = 3

"""PyTorch's lazy convolutions, ``nn.LazyConv*d`` and ``nn.LazyConvTranspose*d``:
``in_channels`` comes from the first input.

As in PyTorch, the first input a spec sees materializes it: from then on it is the
convolution with that many input channels (``materialized``), counts that
convolution's parameters and refuses inputs with other channels. Before any input,
``in_channels`` is None and ``parameter_count()`` is 0, as torchinfo counts a lazy
module before its forward pass (it skips uninitialized parameters; PyTorch's own
``numel`` refuses them). ``Sequential.summarize`` computes each module's output shape
first, so its rows hold the materialized counts, as a torchinfo summary does after its
forward pass.

Arguments are checked at construction, as the convolution checks them; what PyTorch's lazy
module only refuses at its first forward pass (``out_channels`` not divisible by
``groups``) is refused then too. A transposed one without a bias runs, as in PyTorch, with
``out_channels // groups * groups`` output channels (its weight has ``out_channels //
groups`` per group).

>>> from convshape import torch as pt
>>> conv = pt.LazyConv2d(32, 3, padding=1)
>>> conv.in_channels, conv.parameter_count()
(None, 0)
>>> conv.compute_output_shape((None, 3, 28, 28))
(None, 32, 28, 28)
>>> conv.in_channels, conv.parameter_count()
(3, 896)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import InitVar, fields
from typing import Any, ClassVar

from .._validate import check_positive
from ..errors import ConvShapeError
from ._checks import count, flag
from ._checks import input_shape as input_shape_of
from ._module import Module, Shape
from ._spec import field, spec
from .conv import (
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    ConvTranspose3d,
    _Conv,
    _ConvTranspose,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from .._fields import IntTuple
    from .conv import TorchConvPadding

__all__ = [
    "LazyConv1d",
    "LazyConv2d",
    "LazyConv3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
]


class _Lazy(Module):
    """What the lazy convolutions share: the arguments of the convolution they become,
    except ``in_channels``, checked by building that convolution at construction."""

    rank: ClassVar[int] = 2
    becomes: ClassVar[type[_Conv] | type[_ConvTranspose]] = Conv2d
    out_channels: int
    groups: int
    bias: bool
    materialized: _Conv | _ConvTranspose | None

    def __post_init__(self, device: object, dtype: object) -> None:
        self._validate()

    def _arguments(self) -> dict[str, Any]:
        """The convolution's arguments after ``in_channels`` and ``out_channels``: this
        spec's other fields, in PyTorch's order."""
        this: Any = self  # each subclass is a dataclass
        names = [f.name for f in fields(this) if f.init and f.name != "out_channels"]
        return {name: getattr(self, name) for name in names}

    def _out_channels(self) -> int:
        return self.out_channels

    def _validate(self) -> None:
        set_ = object.__setattr__
        set_(self, "out_channels", count(self.out_channels, "out_channels", 1))
        set_(self, "groups", check_positive(self.groups, "groups"))
        set_(self, "bias", flag(self.bias, "bias"))
        self._check_groups()
        # Every other argument as the convolution checks and converts it (plain ints and
        # tuples), with in_channels = groups.
        probe = self._build(self.groups)
        for name in self._arguments():
            set_(self, name, getattr(probe, name))

    def _check_groups(self) -> None:
        if self.out_channels % self.groups:
            raise ConvShapeError(
                "`out_channels` must be divisible by `groups` (PyTorch: expected weight to be "
                "divisible by groups at dimension 0)",
                argument="groups",
                received={"out_channels": self.out_channels, "groups": self.groups},
            )

    def _build(self, in_channels: int) -> _Conv | _ConvTranspose:
        return self.becomes(in_channels, self._out_channels(), **self._arguments())

    @property
    def in_channels(self) -> int | None:
        """The input channels, once an input has materialized the spec; None before."""
        return None if self.materialized is None else int(self.materialized.in_channels)

    def _materialize(self, input_shape: Sequence[int | None]) -> _Conv | _ConvTranspose:
        """The convolution the first input makes of this spec (kept, as PyTorch keeps it)."""
        rank = self.rank
        shape = input_shape_of(
            self,
            input_shape,
            (rank + 1, rank + 2),
            f"{rank + 1}D (unbatched) or {rank + 2}D (batched) input",
        )
        channels = shape[-rank - 1]
        if self.materialized is not None:
            if channels not in (None, self.in_channels):
                raise ConvShapeError(
                    f"{type(self).__name__} took in_channels={self.in_channels} from its first "
                    f"input and is a {self.becomes.__name__} with that many input channels now "
                    "(as in PyTorch)",
                    argument="input_shape",
                    received={"input_shape": input_shape},
                )
            return self.materialized
        if not channels:
            raise ConvShapeError(
                f"{type(self).__name__} infers in_channels from the input's channel dimension, "
                "which must be known and non-zero",
                argument="input_shape",
                received={"input_shape": input_shape},
            )
        if channels % self.groups:
            raise ConvShapeError(
                "the input's channels (in_channels) must be divisible by `groups` (PyTorch: "
                "in_channels must be divisible by groups)",
                argument="input_shape",
                received={"input_shape": input_shape, "groups": self.groups},
            )
        spec = self._build(channels)
        object.__setattr__(self, "materialized", spec)
        return spec

    def parameter_count(self) -> int:
        """The materialized convolution's weights and bias; 0 before any input (see the
        module docstring)."""
        return 0 if self.materialized is None else int(self.materialized.parameter_count())


@spec
class _LazyConv(_Lazy):
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
    materialized: _Conv | None = field(default=None, init=False, repr=False, compare=False)

    if TYPE_CHECKING:
        becomes: ClassVar[type[_Conv]]

        def _materialize(self, input_shape: Sequence[int | None]) -> _Conv: ...

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        """The materialized convolution's output shape (in_channels from this input, or
        from the first one)."""
        conv = self._materialize(input_shape)
        return conv.compute_output_shape(input_shape)


@spec
class _LazyConvTranspose(_Lazy):
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
    materialized: _ConvTranspose | None = field(default=None, init=False, repr=False, compare=False)
    becomes: ClassVar[type[_ConvTranspose]] = ConvTranspose2d

    if TYPE_CHECKING:

        def _materialize(self, input_shape: Sequence[int | None]) -> _ConvTranspose: ...

    def _check_groups(self) -> None:
        # The weight is (in, out // groups, *k): without a bias PyTorch runs with
        # out // groups * groups output channels; a bias of out_channels does not fit them.
        if self.out_channels % self.groups and (self.bias or self.out_channels < self.groups):
            raise ConvShapeError(
                "`out_channels` must be divisible by `groups` (PyTorch: expected bias to have "
                "out_channels // groups * groups elements, or a non-empty weight)",
                argument="groups",
                received={
                    "out_channels": self.out_channels,
                    "groups": self.groups,
                    "bias": self.bias,
                },
            )

    def _out_channels(self) -> int:
        return self.out_channels // self.groups * self.groups

    def compute_output_shape(
        self, input_shape: Sequence[int | None], output_size: Sequence[int] | None = None
    ) -> Shape:
        """The materialized transposed convolution's output shape; ``output_size`` as
        there."""
        conv = self._materialize(input_shape)
        return conv.compute_output_shape(input_shape, output_size)


class LazyConv1d(_LazyConv):
    """``nn.LazyConv1d(out_channels, kernel_size, ...)``: ``Conv1d`` with in_channels from
    the input, ``floor((L + 2p - d (k - 1) - 1) / s) + 1``.

    >>> LazyConv1d(8, 3).compute_output_shape((None, 4, 10))
    (None, 8, 8)
    """

    rank = 1
    becomes = Conv1d


class LazyConv2d(_LazyConv):
    """``nn.LazyConv2d(out_channels, kernel_size, ...)``: ``Conv2d`` with in_channels from
    the input, ``floor((I + 2p - d (k - 1) - 1) / s) + 1`` per spatial dimension.

    >>> conv = LazyConv2d(16, 3, stride=2)
    >>> conv.compute_output_shape((4, 3, 9, 9)), conv.parameter_count()
    ((4, 16, 4, 4), 448)
    """

    rank = 2
    becomes = Conv2d


class LazyConv3d(_LazyConv):
    """``nn.LazyConv3d(out_channels, kernel_size, ...)``: ``Conv3d`` with in_channels from
    the input.

    >>> LazyConv3d(2, 3, padding=1).compute_output_shape((1, 5, 4, 4, 4))
    (1, 2, 4, 4, 4)
    """

    rank = 3
    becomes = Conv3d


class LazyConvTranspose1d(_LazyConvTranspose):
    """``nn.LazyConvTranspose1d(out_channels, kernel_size, ...)``: ``ConvTranspose1d`` with
    in_channels from the input, ``(L - 1) s - 2p + d (k - 1) + output_padding + 1``.

    >>> LazyConvTranspose1d(4, 4, stride=2, padding=1).compute_output_shape((None, 8, 7))
    (None, 4, 14)
    """

    rank = 1
    becomes = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTranspose):
    """``nn.LazyConvTranspose2d(out_channels, kernel_size, ...)``: ``ConvTranspose2d`` with
    in_channels from the input, ``(I - 1) s - 2p + d (k - 1) + output_padding + 1``.

    >>> up = LazyConvTranspose2d(128, 5, stride=2, padding=2, output_padding=1, bias=False)
    >>> up.compute_output_shape((None, 256, 7, 7)), up.parameter_count()
    ((None, 128, 14, 14), 819200)
    """

    rank = 2
    becomes = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTranspose):
    """``nn.LazyConvTranspose3d(out_channels, kernel_size, ...)``: ``ConvTranspose3d`` with
    in_channels from the input.

    >>> LazyConvTranspose3d(2, 2, stride=2).compute_output_shape((1, 4, 3, 3, 3))
    (1, 2, 6, 6, 6)
    """

    rank = 3
    becomes = ConvTranspose3d

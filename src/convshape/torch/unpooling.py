"""PyTorch's max unpooling, ``nn.MaxUnpool*d``: max pooling's indices spread back over
the input's lengths.

>>> from convshape import torch as pt
>>> pt.MaxUnpool2d(2).compute_output_shape((None, 16, 24, 15))
(None, 16, 48, 30)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from .._validate import as_int, check_shape
from ..errors import ConvShapeError, _short_repr
from ._checks import nonzero
from ._module import Module, Shape, _rank_check
from ._spec import field, spec

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import TypeAlias

    from .._fields import Arg, IntTuple

    #: Max unpooling's ``stride``: an int for every spatial dimension, one per dimension,
    #: or None for the kernel size; held as one int per dimension.
    TorchUnpoolStride: TypeAlias = Arg[int | tuple[int, ...] | list[int] | None, tuple[int, ...]]

__all__ = ["MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]


def _unpool_tuple(value: object, rank: int, name: str, *, exact: bool) -> tuple[int, ...]:
    """An int, or a tuple PyTorch indexes by dimension: exactly ``rank`` ints, or (where
    not ``exact``) at least ``rank``, the rest unread."""
    if not isinstance(value, (tuple, list)):
        return (as_int(value, name),) * rank
    if len(value) < rank or (exact and len(value) != rank):
        raise ConvShapeError(
            f"`{name}` must be an int or a tuple of {rank} ints",
            argument=name,
            received={name: value},
        )
    return tuple(as_int(item, name) for item in value[:rank])


@spec
class _MaxUnpool(Module):
    kernel_size: IntTuple
    stride: TorchUnpoolStride = field(default=None)
    padding: IntTuple = field(default=0)
    rank: ClassVar[int] = 2

    def __post_init__(self) -> None:
        rank = self.rank
        kernel = _unpool_tuple(self.kernel_size, rank, "kernel_size", exact=True)
        given_stride: object = self.__dict__["stride"]  # as given: None is the kernel size
        stride = (
            kernel
            if given_stride is None
            else _unpool_tuple(given_stride, rank, "stride", exact=rank == 3)
        )
        # Only the 3-D kernel reads the stride and padding itself (exactly three each) and
        # checks the stride; the others take any int, and only the first ``rank`` values.
        if rank == 3 and min(stride) < 1:
            raise ConvShapeError(
                "`stride` must hold integers >= 1 (PyTorch: strides should be greater than zero)",
                argument="stride",
                received={"stride": self.stride, "kernel_size": self.kernel_size},
            )
        object.__setattr__(self, "kernel_size", kernel)
        object.__setattr__(self, "stride", stride)
        object.__setattr__(
            self, "padding", _unpool_tuple(self.padding, rank, "padding", exact=rank == 3)
        )

    def compute_output_shape(
        self,
        input_shape: Sequence[int | None],
        output_size: Sequence[int] | None = None,
        *,
        indices_shape: Sequence[int | None] | None = None,
    ) -> Shape:
        """``(I - 1) * s + k - 2p`` per spatial dimension, or ``output_size`` (as in
        ``forward``: ``rank`` lengths, or ``rank + 2`` whose first two are unread), which
        PyTorch takes strictly between that length minus and plus the stride. The indices
        (``forward``'s second input) have the input's shape, or ``indices_shape``."""
        rank = self.rank
        if indices_shape is not None and check_shape(indices_shape) != check_shape(input_shape):
            raise ConvShapeError(
                "the indices must have the input's shape (PyTorch: Expected shape of indices "
                "to be same as that of the input tensor)",
                argument="indices_shape",
                received={"indices_shape": indices_shape, "input_shape": input_shape},
            )
        shape = _rank_check(self, input_shape, rank)
        # The kernels see (N, C, *spatial) or an unbatched (C, *spatial) and check every
        # dimension but the first.
        nonzero(self, shape, range(1, len(shape)))
        wanted = None if output_size is None else self._output_size(output_size)
        lengths: list[int | None] = []
        for dim, (size, k, s, p) in enumerate(
            zip(shape[-rank:], self.kernel_size, self.stride, self.padding, strict=True)
        ):
            default = None if size is None else (size - 1) * s + k - 2 * p
            length: int | None = default
            if wanted is not None:
                length = wanted[dim]
                if default is not None and not default - s < length < default + s:
                    raise ConvShapeError(
                        f"`output_size` must lie strictly between {default - s} and "
                        f"{default + s} in dimension {dim} (PyTorch: invalid output_size)",
                        argument="output_size",
                        received={"output_size": output_size, "input_shape": input_shape},
                    )
            if length is not None and length < 0:
                raise ConvShapeError(
                    f"the unpooled length would be {length} in dimension {dim} (PyTorch: "
                    "output_size must contain non-negative spatial dimensions)",
                    argument="input_shape",
                    received={"input_shape": input_shape, "output_size": output_size},
                )
            lengths.append(length)
        return (*shape[:-rank], *lengths)

    def _output_size(self, output_size: object) -> tuple[int, ...]:
        rank = self.rank
        if not isinstance(output_size, (tuple, list)):
            raise TypeError(
                f"`output_size` must be a tuple or list of ints, not {type(output_size).__name__}"
                f". Received: output_size={_short_repr(output_size)}"
            )
        if len(output_size) not in (rank, rank + 2):
            raise ConvShapeError(
                f"`output_size` must have {rank} or {rank + 2} elements",
                argument="output_size",
                received={"output_size": output_size},
            )
        return tuple(as_int(size, "output_size") for size in output_size[-rank:])


class MaxUnpool1d(_MaxUnpool):
    """``nn.MaxUnpool1d(kernel_size, stride=None, padding=0)``: ``(L - 1) * s + k - 2p``,
    or ``output_size=`` at call time.

    >>> MaxUnpool1d(2, stride=2).compute_output_shape((1, 1, 4))
    (1, 1, 8)
    >>> MaxUnpool1d(2, stride=2).compute_output_shape((1, 1, 4), output_size=(9,))
    (1, 1, 9)
    """

    rank = 1


class MaxUnpool2d(_MaxUnpool):
    """``nn.MaxUnpool2d(kernel_size, stride=None, padding=0)``: ``(I - 1) * s + k - 2p``
    per spatial dimension, or ``output_size=`` at call time.

    >>> MaxUnpool2d(2, stride=2).compute_output_shape((1, 1, 2, 2), output_size=(1, 1, 5, 5))
    (1, 1, 5, 5)
    """

    rank = 2


class MaxUnpool3d(_MaxUnpool):
    """``nn.MaxUnpool3d(kernel_size, stride=None, padding=0)``: ``(I - 1) * s + k - 2p``
    per spatial dimension, or ``output_size=`` at call time; the stride at least 1.

    >>> MaxUnpool3d(3, stride=2).compute_output_shape((None, 16, 25, 25, 25))
    (None, 16, 51, 51, 51)
    """

    rank = 3

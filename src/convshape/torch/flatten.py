"""PyTorch's ``nn.Flatten`` and ``nn.Unflatten``: dimensions merged into one, and one
dimension split into several.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .._validate import as_int, check_axis, check_shape
from ..errors import ConvShapeError, _short_repr
from ._module import _INT64_MAX, Module, Shape
from ._spec import spec

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import TypeAlias

    from .._fields import Arg

    #: ``nn.Unflatten``'s sizes: a tuple or list of ints (a ``torch.Size`` is a tuple),
    #: held as a tuple.
    UnflattenSizes: TypeAlias = Arg[tuple[int, ...] | list[int], tuple[int, ...]]

__all__ = ["Flatten", "Unflatten"]


@spec
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


@spec
class Unflatten(Module):
    """``nn.Unflatten(dim, unflattened_size)``; one size may be -1, inferred.

    >>> Unflatten(1, (256, 7, 7)).compute_output_shape((None, 12544))
    (None, 256, 7, 7)
    """

    dim: int
    unflattened_size: UnflattenSizes

    def __post_init__(self) -> None:
        object.__setattr__(self, "dim", as_int(self.dim, "dim"))
        value: object = self.unflattened_size  # as given, not yet normalised
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
        fixed = self.unflattened_size
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

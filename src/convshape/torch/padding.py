"""PyTorch's padding modules: ``nn.ZeroPad*``, ``nn.ConstantPad*``, ``nn.ReflectionPad*``,
``nn.ReplicationPad*`` and ``nn.CircularPad*``, each ``F.pad(input, padding, mode)``.

``padding`` is an int (every side of the last 1, 2 or 3 dimensions) or a flat tuple read
from the last dimension backwards, ``(left, right, top, bottom, front, back)``; a negative
value crops. A tuple of another length pads that many dimensions, as ``F.pad`` does, and
the module then follows ``F.pad``'s rules for that length.

>>> from convshape import torch as pt
>>> pt.ZeroPad2d((1, 2, 0, -1)).compute_output_shape((None, 3, 8, 8))
(None, 3, 7, 11)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from .._validate import as_int, check_shape
from ..errors import ConvShapeError
from ._checks import number
from ._circular import circular_fits
from ._module import Module, Shape
from ._spec import field, spec

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from .._fields import IntTuple

__all__ = [
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]


def _pads(value: object, rank: int) -> tuple[int, ...]:
    """An int for every side of ``rank`` dimensions, or a flat tuple of (before, after)
    pairs, last dimension first."""
    if isinstance(value, (tuple, list)):
        pads = tuple(as_int(item, "padding") for item in value)
    else:
        pads = (as_int(value, "padding"),) * (2 * rank)
    if len(pads) % 2:
        raise ConvShapeError(
            "`padding` must hold (before, after) pairs, an even number of values "
            "(PyTorch: Padding length must be divisible by 2)",
            argument="padding",
            received={"padding": value},
        )
    return pads


@spec
class _Pad(Module):
    padding: IntTuple
    rank: ClassVar[int] = 1
    mode: ClassVar[str] = "constant"

    def __post_init__(self) -> None:
        object.__setattr__(self, "padding", _pads(self.padding, self.rank))

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = check_shape(input_shape)
        pads: tuple[int, ...] = self.padding
        dims = len(pads) // 2
        if self.mode == "circular" and len(shape) not in (self.rank + 1, self.rank + 2):
            self._refuse(f"expects {self.rank + 1}D or {self.rank + 2}D input", input_shape)
        if dims > len(shape):
            self._refuse(
                f"pads {dims} dimensions, more than the input has (PyTorch: Padding length "
                "should be less than or equal to two times the input dimension)",
                input_shape,
            )
        if self.mode != "constant":
            self._check_non_constant(shape, dims, input_shape)
        spatial = shape[len(shape) - dims :]
        # The pairs are given last dimension first.
        befores, afters = pads[-2::-2], pads[::-2]
        lengths: list[int | None] = [
            None if size is None else size + before + after
            for size, before, after in zip(spatial, befores, afters, strict=True)
        ]
        # Constant padding (of any number of dimensions) only fails by cropping too much.
        if self.mode == "constant" and min(pads, default=0) >= 0:
            return (*shape[: len(shape) - dims], *lengths)
        for index, (size, before, after) in enumerate(zip(spatial, befores, afters, strict=True)):
            if size is None:
                continue
            if self.mode != "constant" or size + min(before, 0) + min(after, 0) < 0:
                self._check_dimension(size, before, after, len(shape) - dims + index, input_shape)
        if self.mode == "circular":
            self._check_wrapped_ends(shape, lengths, input_shape)
        if self.mode in ("reflect", "replicate"):
            known = [length for length in lengths if length is not None]
            if len(known) == len(lengths) and known and max(known) < 1:
                self._refuse(
                    "crops every padded dimension to nothing (PyTorch: input is too small)",
                    input_shape,
                )
        return (*shape[: len(shape) - dims], *lengths)

    def _check_non_constant(self, shape: Shape, dims: int, input_shape: object) -> None:
        """``F.pad``'s non-constant modes: the last 1, 2 or 3 dimensions of an input with one
        or two more (the batch optional); reflection and replication need non-empty
        dimensions apart from the batch."""
        if dims not in (1, 2, 3) or len(shape) not in (dims + 1, dims + 2):
            self._refuse(
                f"with {self.mode!r} padding, {2 * dims} padding values pad the last {dims} "
                f"dimensions of a {dims + 1}D or {dims + 2}D input only (PyTorch: padding "
                "size is not supported for this input)",
                input_shape,
            )
        if self.mode != "circular":
            rest = shape[1:] if len(shape) == dims + 2 else shape
            if 0 in rest:
                self._refuse(
                    "expects non-empty dimensions apart from the batch (PyTorch: Expected "
                    "tensor with possibly 0 batch size and other non-zero dimensions)",
                    input_shape,
                )

    def _check_dimension(
        self, size: int, before: int, after: int, dim: int, input_shape: object
    ) -> None:
        out = size + before + after
        at = f"dimension {dim}: length {size}, padding ({before}, {after})"
        if self.mode == "constant":
            # PyTorch crops (narrows) before it pads.
            if size + min(before, 0) + min(after, 0) < 0:
                self._refuse(f"crops more than the input length ({at})", input_shape)
        elif self.mode == "reflect" and max(before, after) >= size:
            self._refuse(
                f"reflects by less than the input length only ({at}; PyTorch: Padding size "
                "should be less than the corresponding input dimension)",
                input_shape,
            )
        elif self.mode == "circular":
            if max(before, after) > size:
                self._refuse(
                    f"wraps around at most once, padding at most the input length ({at}; "
                    "PyTorch: Padding value causes wrapping around more than once)",
                    input_shape,
                )
            if out < 0 or not circular_fits(size, before, after, dense=False):
                self._refuse(f"crops more than PyTorch's circular padding can ({at})", input_shape)
        if out < 0:
            self._refuse(f"gives a negative length ({at})", input_shape)

    def _check_wrapped_ends(
        self, shape: Shape, lengths: list[int | None], input_shape: object
    ) -> None:
        """PyTorch copies each wrapped end from the padded output into itself; where the
        slices are contiguous in memory (every dimension before the padded one has one
        element, the batch of unbatched input too) and not empty, a copy reading part of
        what it writes fails (PyTorch: unsupported operation, some elements of the input
        tensor and the written-to tensor refer to a single memory location)."""
        dims = len(lengths)
        out = (1,) * (dims + 2 - len(shape)) + shape[: len(shape) - dims] + tuple(lengths)
        if None in out or 0 in out:
            return
        pads: tuple[int, ...] = self.padding
        for index in range(dims):
            position = 2 * (dims - 1 - index)
            before, after = pads[position], pads[position + 1]
            size = shape[len(shape) - dims + index]
            dense = all(length == 1 for length in out[: 2 + index])
            if size is not None and dense and not circular_fits(size, before, after, dense):
                self._refuse(
                    f"copies a wrapped end over itself in dimension {len(shape) - dims + index} "
                    f"(length {size}, padding ({before}, {after}); PyTorch: some elements of the "
                    "input tensor and the written-to tensor refer to a single memory location)",
                    input_shape,
                )

    def _refuse(self, rule: str, input_shape: object) -> None:
        raise ConvShapeError(
            f"{type(self).__name__} {rule}",
            argument="padding",
            received={"padding": self.padding, "input_shape": input_shape},
        )


@spec
class _ConstantPad(_Pad):
    value: float | None

    def __post_init__(self) -> None:
        _Pad.__post_init__(self)
        if self.value is not None:
            object.__setattr__(self, "value", number(self.value, "value"))


@spec
class ConstantPad1d(_ConstantPad):
    """``nn.ConstantPad1d(padding, value)``: ``L + left + right`` (negative crops).

    >>> ConstantPad1d((2, -1), 3.5).compute_output_shape((None, 4, 10))
    (None, 4, 11)
    """

    rank: ClassVar[int] = 1


@spec
class ConstantPad2d(_ConstantPad):
    """``nn.ConstantPad2d(padding, value)``: ``H + top + bottom``, ``W + left + right``.

    >>> ConstantPad2d(1, 0.0).compute_output_shape((None, 4, 7, 7))
    (None, 4, 9, 9)
    """

    rank: ClassVar[int] = 2


@spec
class ConstantPad3d(_ConstantPad):
    """``nn.ConstantPad3d(padding, value)``: each of D, H, W plus its two sides.

    >>> ConstantPad3d((1, 1, 0, 0, 2, 0), 1).compute_output_shape((2, 1, 4, 4, 4))
    (2, 1, 6, 4, 6)
    """

    rank: ClassVar[int] = 3


@spec
class ZeroPad1d(_ConstantPad):
    """``nn.ZeroPad1d(padding)``: ``L + left + right`` (negative crops).

    >>> ZeroPad1d(2).compute_output_shape((3, 10))
    (3, 14)
    """

    value: float = field(default=0.0, init=False, repr=False)
    rank: ClassVar[int] = 1


@spec
class ZeroPad2d(_ConstantPad):
    """``nn.ZeroPad2d(padding)``: ``H + top + bottom``, ``W + left + right``.

    >>> ZeroPad2d((1, 1, 2, 0)).compute_output_shape((None, 3, 28, 28))
    (None, 3, 30, 30)
    """

    value: float = field(default=0.0, init=False, repr=False)
    rank: ClassVar[int] = 2


@spec
class ZeroPad3d(_ConstantPad):
    """``nn.ZeroPad3d(padding)``: each of D, H, W plus its two sides.

    >>> ZeroPad3d(-1).compute_output_shape((1, 2, 5, 5, 5))
    (1, 2, 3, 3, 3)
    """

    value: float = field(default=0.0, init=False, repr=False)
    rank: ClassVar[int] = 3


class ReflectionPad1d(_Pad):
    """``nn.ReflectionPad1d(padding)``: ``L + left + right``; each side less than ``L``.

    >>> ReflectionPad1d(3).compute_output_shape((None, 2, 4))
    (None, 2, 10)
    """

    rank = 1
    mode = "reflect"


class ReflectionPad2d(_Pad):
    """``nn.ReflectionPad2d(padding)``: ``H + top + bottom``, ``W + left + right``; each
    side less than its length.

    >>> ReflectionPad2d((1, 1, 2, 2)).compute_output_shape((None, 3, 5, 5))
    (None, 3, 9, 7)
    """

    rank = 2
    mode = "reflect"


class ReflectionPad3d(_Pad):
    """``nn.ReflectionPad3d(padding)``: D, H, W each plus its two sides, each side less
    than its length.

    >>> ReflectionPad3d(1).compute_output_shape((2, 3, 3, 3))
    (2, 5, 5, 5)
    """

    rank = 3
    mode = "reflect"


class ReplicationPad1d(_Pad):
    """``nn.ReplicationPad1d(padding)``: ``L + left + right``, any amount.

    >>> ReplicationPad1d((5, 0)).compute_output_shape((None, 2, 3))
    (None, 2, 8)
    """

    rank = 1
    mode = "replicate"


class ReplicationPad2d(_Pad):
    """``nn.ReplicationPad2d(padding)``: ``H + top + bottom``, ``W + left + right``.

    >>> ReplicationPad2d(2).compute_output_shape((None, 3, 1, 1))
    (None, 3, 5, 5)
    """

    rank = 2
    mode = "replicate"


class ReplicationPad3d(_Pad):
    """``nn.ReplicationPad3d(padding)``: D, H, W each plus its two sides.

    >>> ReplicationPad3d((1, 0, 1, 0, 1, 0)).compute_output_shape((1, 1, 2, 2, 2))
    (1, 1, 3, 3, 3)
    """

    rank = 3
    mode = "replicate"


class CircularPad1d(_Pad):
    """``nn.CircularPad1d(padding)``: ``L + left + right``; each side at most ``L`` (the
    input wraps around once at most).

    >>> CircularPad1d(3).compute_output_shape((None, 2, 3))
    (None, 2, 9)
    """

    rank = 1
    mode = "circular"


class CircularPad2d(_Pad):
    """``nn.CircularPad2d(padding)``: ``H + top + bottom``, ``W + left + right``; each side
    at most its length.

    >>> CircularPad2d((1, 1, 0, 0)).compute_output_shape((None, 3, 4, 4))
    (None, 3, 4, 6)
    """

    rank = 2
    mode = "circular"


class CircularPad3d(_Pad):
    """``nn.CircularPad3d(padding)``: D, H, W each plus its two sides, each side at most
    its length.

    >>> CircularPad3d(1).compute_output_shape((1, 2, 1, 1, 1))
    (1, 2, 3, 3, 3)
    """

    rank = 3
    mode = "circular"

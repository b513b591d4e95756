"""The base of PyTorch's module specifications (``Module``; the convolutions build on it
through ``conv._ConvNd``) and what several modules share.

Parameter and buffer counts are what ``sum(p.numel() for p in m.parameters())`` and
``sum(b.numel() for b in m.buffers())`` give.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._validate import check_shape
from ..errors import ConvShapeError, _short_repr
from ._checks import input_shape as input_shape_of
from ._checks import new_spec

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import TypeVar

    M = TypeVar("M", bound="Module")

Shape = tuple[int | None, ...]


class Module:
    """The base of every specification, as ``torch.nn.Module`` is of every module: its
    output shape for an input shape, and its parameter and buffer counts (subclasses
    override the three methods). ``Sequential`` holds modules.

    >>> from convshape import torch as pt
    >>> all(isinstance(spec, pt.Module) for spec in (pt.Conv2d(3, 8, 3), pt.ReLU()))
    True
    """

    def __new__(cls: type[M], *args: object, **kwargs: object) -> M:
        if args and cls.__init__ is object.__init__:
            raise TypeError(
                f"{cls.__name__}() takes no arguments. Received: args={_short_repr(args)}"
            )
        return new_spec(cls, kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        """The output shape for ``input_shape`` (batch included; None for a size not known).

        The base itself has none, as ``torch.nn.Module`` has no ``forward``; a subclass
        that keeps its input's shape (an activation, BatchNorm, dropout) inherits this.
        """
        if type(self) is Module:
            raise ConvShapeError(
                "convshape.torch.Module is the base of the specifications and has no output "
                "shape (torch.nn.Module has no forward)",
                argument="input_shape",
                received={"input_shape": input_shape},
            )
        return check_shape(input_shape)

    def parameter_count(self) -> int:
        """``sum(p.numel() for p in module.parameters())``."""
        return 0

    def buffer_count(self) -> int:
        """``sum(b.numel() for b in module.buffers())``."""
        return 0


def _rank_check(module: object, shape: Sequence[int | None], rank: int) -> Shape:
    return input_shape_of(
        module, shape, (rank + 1, rank + 2), f"(N, C, {rank} spatial) or (C, {rank} spatial)"
    )


#: PyTorch's sizes are int64.
_INT64_MAX = 2**63 - 1

"""The base of PyTorch's module specifications (``Module``; the convolutions have their
own, ``conv._ConvNd``) and what several modules share.

Parameter and buffer counts are what ``sum(p.numel() for p in m.parameters())`` and
``sum(b.numel() for b in m.buffers())`` give.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._validate import check_shape
from ._checks import input_shape as input_shape_of
from ._checks import new_spec

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import TypeVar

    M = TypeVar("M", bound="Module")

Shape = tuple[int | None, ...]


class Module:
    """What every specification offers; subclasses override the three methods."""

    def __new__(cls: type[M], *args: object, **kwargs: object) -> M:
        return new_spec(cls, kwargs)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        return check_shape(input_shape)

    def parameter_count(self) -> int:
        return 0

    def buffer_count(self) -> int:
        return 0


def _rank_check(module: object, shape: Sequence[int | None], rank: int) -> Shape:
    return input_shape_of(
        module, shape, (rank + 1, rank + 2), f"(N, C, {rank} spatial) or (C, {rank} spatial)"
    )


#: PyTorch's sizes are int64.
_INT64_MAX = 2**63 - 1

"""PyTorch's ``nn.Linear``, on the last dimension."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import InitVar

from .._validate import check_shape
from ..errors import ConvShapeError
from ._checks import count, flag
from ._module import Module, Shape
from ._spec import spec

__all__ = ["Linear"]


@spec
class Linear(Module):
    """``nn.Linear`` on the last dimension.

    >>> Linear(100, 12544, bias=False).parameter_count()
    1254400
    """

    in_features: int
    out_features: int
    bias: bool = True
    # PyTorch's factory arguments, taken and not kept: they change no shape or count.
    device: InitVar[object] = None
    dtype: InitVar[object] = None

    def __post_init__(self, device: object, dtype: object) -> None:
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

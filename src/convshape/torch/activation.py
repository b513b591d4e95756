"""PyTorch's modules that keep their input's shape: the activations (``nn.ReLU``,
``nn.Softmax``, ``nn.PReLU``...), ``nn.Dropout`` and ``nn.Identity``. Only ``PReLU`` has
parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import InitVar

from .._validate import as_int, check_axis, check_choice, check_rate, check_shape
from ..errors import ConvShapeError
from ._checks import count, flag, number
from ._module import Module, Shape
from ._spec import spec

__all__ = [
    "ELU",
    "GELU",
    "Dropout",
    "Identity",
    "LeakyReLU",
    "PReLU",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
]


@spec
class Dropout(Module):
    """``nn.Dropout``."""

    p: float = 0.5
    inplace: bool = False

    def __post_init__(self) -> None:
        # NumPy numbers are converted (PyTorch takes them); the others are shown as given.
        check_rate(self.p if type(self.p) in (int, float) else number(self.p, "p"), "p")
        flag(self.inplace, "inplace")


@spec
class ReLU(Module):
    """``nn.ReLU``."""

    inplace: bool = False

    def __post_init__(self) -> None:
        flag(self.inplace, "inplace")


@spec
class LeakyReLU(Module):
    """``nn.LeakyReLU``."""

    negative_slope: float = 0.01
    inplace: bool = False

    def __post_init__(self) -> None:
        number(self.negative_slope, "negative_slope")
        flag(self.inplace, "inplace")


@spec
class ELU(Module):
    """``nn.ELU``."""

    alpha: float = 1.0
    inplace: bool = False

    def __post_init__(self) -> None:
        number(self.alpha, "alpha")
        flag(self.inplace, "inplace")


@spec
class GELU(Module):
    """``nn.GELU``."""

    approximate: str = "none"

    def __post_init__(self) -> None:
        check_choice(self.approximate, "approximate", ("none", "tanh"))


@spec
class SiLU(Module):
    """``nn.SiLU``."""

    inplace: bool = False

    def __post_init__(self) -> None:
        flag(self.inplace, "inplace")


@spec
class Tanh(Module):
    """``nn.Tanh``."""


@spec
class Sigmoid(Module):
    """``nn.Sigmoid``."""


@spec
class Identity(Module):
    """``nn.Identity``."""


@spec
class Softmax(Module):
    """``nn.Softmax(dim)``."""

    dim: int | None = None

    def __post_init__(self) -> None:
        if self.dim is not None:
            object.__setattr__(self, "dim", as_int(self.dim, "dim"))

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        shape = check_shape(input_shape)
        if self.dim is not None:
            check_axis(self.dim, len(shape), "dim")
        return shape


@spec
class PReLU(Module):
    """``nn.PReLU(num_parameters=1)``: one slope, or one per channel (dimension 1)."""

    num_parameters: int = 1
    init: float = 0.25
    # PyTorch's factory arguments, taken and not kept: they change no shape or count.
    device: InitVar[object] = None
    dtype: InitVar[object] = None

    def __post_init__(self, device: object, dtype: object) -> None:
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

"""Each framework's one-dimension rules under one set of names: look a framework up in
:data:`FRAMEWORKS` instead of branching on its name.

Every entry's functions take the same positional arguments, each in the framework's own
terms, and return the same types::

    conv_output_length(size, kernel_size, stride, padding, dilation) -> int | None
    conv_padding(size, kernel_size, stride, padding, dilation) -> Pad        # zeros added
    conv_transpose_output_length(size, kernel_size, stride, padding, output_padding,
                                 dilation) -> int | None
    conv_transpose_crop(size, kernel_size, stride, padding, output_padding,
                        dilation) -> Pad    # removed from the full output (I - 1) * s + k_eff
    conv_transpose_output_range(size, kernel_size, stride, padding, dilation) -> range
    pool_output_length(size, kernel_size, stride, padding, dilation, ceil_mode) -> int | None

``padding`` is the framework's own: Keras a mode, an int or a pair; PyTorch an int (and
"valid", or "same" at stride 1, forward); JAX "SAME", "SAME_LOWER", "VALID" or a (low,
high) pair; ONNX an ``auto_pad`` name or a (begin, end) pair of ``pads``.
``output_padding=None`` and a pooling's ``stride=None`` are the framework's defaults.
Each function is the framework module's public function (``convshape.arithmetic``,
``convshape.torch``, ``convshape.jax``, ``convshape.onnx``) or a thin adapter to it that
only reorders arguments; what a framework lacks raises :class:`ConvShapeError`, and
``conv_transpose_output_range`` is None where the framework takes no output length
(JAX's ``lax.conv_transpose``).

>>> keras, torch = FRAMEWORKS["keras"], FRAMEWORKS["torch"]
>>> keras.conv_transpose_crop(7, 5, 2, "same", None, 1), torch.conv_transpose_crop(7, 5, 2, 2, 1, 1)
(Pad(before=1, after=2), Pad(before=2, after=1))
>>> [framework(name).conv_output_length(28, 5, 2, pad, 1)
...  for name, pad in [("keras", "same"), ("torch", 2), ("jax", "SAME"), ("onnx", "SAME_UPPER")]]
[14, 14, 14, 14]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from . import arithmetic
from . import jax as jx
from . import onnx as ox
from ._types import Pad
from ._validate import choice_error
from .errors import ConvShapeError
from .torch import functional as pt

__all__ = ["FRAMEWORKS", "Framework", "framework"]


class ForwardLength(Protocol):
    def __call__(
        self, size: int | None, kernel_size: int, stride: int, padding: Any, dilation: int, /
    ) -> int | None: ...


class ForwardPadding(Protocol):
    def __call__(
        self, size: int | None, kernel_size: int, stride: int, padding: Any, dilation: int, /
    ) -> Pad: ...


class TransposeLength(Protocol):
    def __call__(
        self,
        size: int | None,
        kernel_size: int,
        stride: int,
        padding: Any,
        output_padding: int | None,
        dilation: int,
        /,
    ) -> int | None: ...


class TransposeCrop(Protocol):
    def __call__(
        self,
        size: int | None,
        kernel_size: int,
        stride: int,
        padding: Any,
        output_padding: int | None,
        dilation: int,
        /,
    ) -> Pad: ...


class OutputRange(Protocol):
    def __call__(
        self, size: int, kernel_size: int, stride: int, padding: Any, dilation: int, /
    ) -> range: ...


class PoolLength(Protocol):
    def __call__(
        self,
        size: int | None,
        kernel_size: int,
        stride: int | None,
        padding: Any,
        dilation: int,
        ceil_mode: bool,
        /,
    ) -> int | None: ...


@dataclass(frozen=True)
class Framework:
    """One framework's rules under the shared names (see the module's docstring)."""

    name: str
    title: str
    conv_output_length: ForwardLength
    conv_padding: ForwardPadding
    conv_transpose_output_length: TransposeLength
    conv_transpose_crop: TransposeCrop
    conv_transpose_output_range: OutputRange | None
    pool_output_length: PoolLength


def _refuse(title: str, argument: str, value: object, why: str) -> ConvShapeError:
    return ConvShapeError(
        f"`{argument}` is not taken by {title}: {why}",
        argument=argument,
        received={argument: value},
    )


# Keras ------------------------------------------------------------------------------


def _keras_pool(
    size: int | None,
    kernel_size: int,
    stride: int | None,
    padding: Any,
    dilation: int,
    ceil_mode: bool,
    /,
) -> int | None:
    if dilation != 1:
        raise _refuse("Keras", "dilation", dilation, "its poolings have no dilation")
    if ceil_mode is not False:
        raise _refuse("Keras", "ceil_mode", ceil_mode, "its poolings have no ceil_mode")
    return arithmetic.pool_output_length(size, kernel_size, stride, padding)


# PyTorch ----------------------------------------------------------------------------


def _torch_transpose_length(
    size: int | None,
    kernel_size: int,
    stride: int,
    padding: Any,
    output_padding: int | None,
    dilation: int,
    /,
) -> int | None:
    op = 0 if output_padding is None else output_padding
    return pt.conv_transpose_output_length(size, kernel_size, stride, padding, op, dilation)


def _torch_transpose_crop(
    size: int | None,
    kernel_size: int,
    stride: int,
    padding: Any,
    output_padding: int | None,
    dilation: int,
    /,
) -> Pad:
    op = 0 if output_padding is None else output_padding
    return pt.conv_transpose_crop(size, kernel_size, stride, padding, op, dilation)


def _torch_pool(
    size: int | None,
    kernel_size: int,
    stride: int | None,
    padding: Any,
    dilation: int,
    ceil_mode: bool,
    /,
) -> int | None:
    return pt.pool_output_length(size, kernel_size, stride, padding, dilation, ceil_mode)


# JAX --------------------------------------------------------------------------------


def _jax_length(
    size: int | None, kernel_size: int, stride: int, padding: Any, dilation: int, /
) -> int | None:
    return jx.conv_output_length(size, kernel_size, stride, padding, 1, dilation)


def _jax_no_output_padding(output_padding: object) -> None:
    if output_padding is not None:
        raise _refuse(
            "JAX",
            "output_padding",
            output_padding,
            "lax.conv_transpose has none; give a (low, high) padding pair instead",
        )


def _jax_transpose_length(
    size: int | None,
    kernel_size: int,
    stride: int,
    padding: Any,
    output_padding: int | None,
    dilation: int,
    /,
) -> int | None:
    _jax_no_output_padding(output_padding)
    return jx.conv_transpose_output_length(size, kernel_size, stride, padding, dilation)


def _jax_transpose_crop(
    size: int | None,
    kernel_size: int,
    stride: int,
    padding: Any,
    output_padding: int | None,
    dilation: int,
    /,
) -> Pad:
    _jax_no_output_padding(output_padding)
    return jx.conv_transpose_crop(size, kernel_size, stride, padding, dilation)


def _jax_pool(
    size: int | None,
    kernel_size: int,
    stride: int | None,
    padding: Any,
    dilation: int,
    ceil_mode: bool,
    /,
) -> int | None:
    if ceil_mode is not False:
        raise _refuse("JAX", "ceil_mode", ceil_mode, "lax.reduce_window has no ceil_mode")
    return jx.pool_output_length(
        size, kernel_size, 1 if stride is None else stride, padding, dilation
    )


# ONNX -------------------------------------------------------------------------------
# ONNX's functions take a known size (their annotation says int); None reaches their
# check, which refuses it by name: hence the ignores on ``size`` below.


def _onnx_padding(padding: Any) -> tuple[Any, Any]:
    """ONNX's (auto_pad, pads) from one padding: a name is the auto_pad, else the pads."""
    return (padding, (0, 0)) if isinstance(padding, str) else ("NOTSET", padding)


def _onnx_length(
    size: int | None, kernel_size: int, stride: int, padding: Any, dilation: int, /
) -> int:
    auto_pad, pads = _onnx_padding(padding)
    return ox.conv_output_length(size, kernel_size, stride, auto_pad, pads, dilation)  # type: ignore[arg-type]


def _onnx_padding_of(
    size: int | None, kernel_size: int, stride: int, padding: Any, dilation: int, /
) -> Pad:
    auto_pad, pads = _onnx_padding(padding)
    return ox.conv_padding(size, kernel_size, stride, auto_pad, pads, dilation)  # type: ignore[arg-type]


def _onnx_transpose_length(
    size: int | None,
    kernel_size: int,
    stride: int,
    padding: Any,
    output_padding: int | None,
    dilation: int,
    /,
) -> int:
    auto_pad, pads = _onnx_padding(padding)
    op = 0 if output_padding is None else output_padding
    return ox.conv_transpose_output_length(
        size,  # type: ignore[arg-type]
        kernel_size,
        stride,
        auto_pad,
        pads,
        op,
        dilation,
    )


def _onnx_transpose_crop(
    size: int | None,
    kernel_size: int,
    stride: int,
    padding: Any,
    output_padding: int | None,
    dilation: int,
    /,
) -> Pad:
    auto_pad, pads = _onnx_padding(padding)
    op = 0 if output_padding is None else output_padding
    return ox.conv_transpose_crop(
        size,  # type: ignore[arg-type]
        kernel_size,
        stride,
        auto_pad,
        pads,
        op,
        dilation,
    )


def _onnx_range(size: int, kernel_size: int, stride: int, padding: Any, dilation: int, /) -> range:
    auto_pad, pads = _onnx_padding(padding)
    return ox.conv_transpose_output_range(size, kernel_size, stride, auto_pad, pads, dilation)


def _onnx_pool(
    size: int | None,
    kernel_size: int,
    stride: int | None,
    padding: Any,
    dilation: int,
    ceil_mode: bool,
    /,
) -> int:
    auto_pad, pads = _onnx_padding(padding)
    return ox.pool_output_length(
        size,  # type: ignore[arg-type]
        kernel_size,
        1 if stride is None else stride,
        auto_pad,
        pads,
        dilation,
        ceil_mode,
    )


#: The frameworks by the name the CLI and ``translate`` use.
FRAMEWORKS: dict[str, Framework] = {
    "keras": Framework(
        name="keras",
        title="Keras",
        conv_output_length=arithmetic.conv_output_length,
        conv_padding=arithmetic.conv_padding,
        conv_transpose_output_length=arithmetic.conv_transpose_output_length,
        conv_transpose_crop=arithmetic.conv_transpose_crop,
        conv_transpose_output_range=arithmetic.conv_transpose_output_range,
        pool_output_length=_keras_pool,
    ),
    "torch": Framework(
        name="torch",
        title="PyTorch",
        conv_output_length=pt.conv_output_length,
        conv_padding=pt.conv_padding,
        conv_transpose_output_length=_torch_transpose_length,
        conv_transpose_crop=_torch_transpose_crop,
        conv_transpose_output_range=pt.conv_transpose_output_range,
        pool_output_length=_torch_pool,
    ),
    "jax": Framework(
        name="jax",
        title="JAX",
        conv_output_length=_jax_length,
        conv_padding=jx.conv_padding,
        conv_transpose_output_length=_jax_transpose_length,
        conv_transpose_crop=_jax_transpose_crop,
        conv_transpose_output_range=None,
        pool_output_length=_jax_pool,
    ),
    "onnx": Framework(
        name="onnx",
        title="ONNX",
        conv_output_length=_onnx_length,
        conv_padding=_onnx_padding_of,
        conv_transpose_output_length=_onnx_transpose_length,
        conv_transpose_crop=_onnx_transpose_crop,
        conv_transpose_output_range=_onnx_range,
        pool_output_length=_onnx_pool,
    ),
}


def framework(name: object) -> Framework:
    """The entry of :data:`FRAMEWORKS` named ``name``, or a ConvShapeError naming the choices.

    >>> framework("jax").title
    'JAX'
    """
    if not isinstance(name, str) or name not in FRAMEWORKS:
        raise choice_error(name, "framework", tuple(FRAMEWORKS))
    return FRAMEWORKS[name]

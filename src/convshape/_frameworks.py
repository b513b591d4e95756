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
``convshape.torch``, ``convshape.jax``, ``convshape.onnx``) or that function behind an
adapter that only passes the arguments on in its order: ONNX's padding split into
(auto_pad, pads), an ``output_padding`` or pooling ``stride`` of None read as the
framework's default; what a framework lacks raises :class:`ConvShapeError`, and
``conv_transpose_output_range`` is None where the framework takes no output length
(JAX's ``lax.conv_transpose``). ``solver`` is how the solvers (``convshape.solve``)
search the framework's layers, None for the frameworks they do not take. The other fields
are facts, read by the CLI, which takes one vocabulary for every framework: its name for
"same", whether its modes are capitals or its padding one symmetric int, and which
arguments it takes (causal mode, strided dilation, output_padding and its bound, a
pooling's ceil_mode and explicit padding).

>>> keras, torch = FRAMEWORKS["keras"], FRAMEWORKS["torch"]
>>> keras.conv_transpose_crop(7, 5, 2, "same", None, 1), torch.conv_transpose_crop(7, 5, 2, 2, 1, 1)
(Pad(before=1, after=2), Pad(before=2, after=1))
>>> [framework(name).conv_output_length(28, 5, 2, pad, 1)
...  for name, pad in [("keras", "same"), ("torch", 2), ("jax", "SAME"), ("onnx", "SAME_UPPER")]]
[14, 14, 14, 14]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from . import arithmetic
from . import jax as jx
from . import onnx as ox
from ._solve_keras import KERAS
from ._solve_space import Search
from ._solve_torch import TORCH
from ._types import Pad
from ._validate import choice_error
from .errors import ConvShapeError
from .torch import functional as pt

__all__ = ["FRAMEWORKS", "Framework", "framework"]


#: What a function returns: a length (None for an unknown one), a Pad, a range.
Result_co = TypeVar("Result_co", covariant=True)


class Forward(Protocol[Result_co]):
    """A forward convolution's rule: (size, kernel_size, stride, padding, dilation)."""

    def __call__(
        self, size: int | None, kernel_size: int, stride: int, padding: Any, dilation: int, /
    ) -> Result_co: ...


class Transposed(Protocol[Result_co]):
    """A transposed convolution's rule: (size, kernel_size, stride, padding,
    output_padding, dilation)."""

    def __call__(
        self,
        size: int | None,
        kernel_size: int,
        stride: int,
        padding: Any,
        output_padding: int | None,
        dilation: int,
        /,
    ) -> Result_co: ...


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
    """One framework's rules under the shared names (see the module's docstring), and,
    beside the rules they concern, facts: what it takes and how it spells a padding."""

    name: str
    title: str
    conv_output_length: Forward[int | None]
    conv_padding: Forward[Pad]
    #: Its name for the padding TensorFlow calls "same" (ONNX's SAME_UPPER).
    same: str
    #: Its padding modes are written in capitals (lax's, ONNX's ``auto_pad``).
    modes_in_capitals: bool
    #: Its explicit padding is one int for both sides (PyTorch's), not a (before, after) pair.
    symmetric_padding: bool
    #: It has a causal padding mode (Keras's Conv1D).
    causal: bool
    #: Its convolutions take a stride > 1 together with a dilation > 1 (its solver's own
    #: ``strided_dilation`` where it has a solver).
    strided_dilation: bool
    conv_transpose_output_length: Transposed[int | None]
    #: Its transposed convolutions take ``output_padding``.
    output_padding: bool
    #: Its ``output_padding`` must be smaller than the stride, however large the dilation
    #: (PyTorch's and ONNX's may instead be smaller than the dilation).
    output_padding_below_stride: bool
    conv_transpose_crop: Transposed[Pad]
    conv_transpose_output_range: OutputRange | None
    pool_output_length: PoolLength
    #: Its poolings take ``ceil_mode``.
    pool_ceil_mode: bool
    #: Its poolings take an explicit padding, not only modes.
    pool_explicit_padding: bool
    #: How ``solve_conv`` and ``solve_conv_transpose`` search its layers (None: they do not).
    solver: Search | None


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


# Adapters shared by several frameworks ------------------------------------------------


def _zero_output_padding(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with ``output_padding=None`` (its second argument from the end, before
    ``dilation``) read as 0, the default of PyTorch's and ONNX's transposed convolutions."""

    def adapter(*args: Any) -> Any:
        *head, output_padding, dilation = args
        return function(*head, 0 if output_padding is None else output_padding, dilation)

    return adapter


def _unit_stride(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with a pooling's ``stride=None`` (its third argument) read as 1, the
    default of JAX's and ONNX's poolings."""

    def adapter(size: int | None, kernel_size: int, stride: int | None, *rest: Any) -> Any:
        return function(size, kernel_size, 1 if stride is None else stride, *rest)

    return adapter


# JAX --------------------------------------------------------------------------------


def _jax_length(
    size: int | None, kernel_size: int, stride: int, padding: Any, dilation: int, /
) -> int | None:
    return jx.conv_output_length(size, kernel_size, stride, padding, 1, dilation)


def _jax_transposed(function: Callable[..., Any]) -> Callable[..., Any]:
    """JAX's transposed ``function``, which takes no ``output_padding``: None passes, any
    other value is refused by name."""

    def adapter(*args: Any) -> Any:
        *head, output_padding, dilation = args
        if output_padding is not None:
            raise _refuse(
                "JAX",
                "output_padding",
                output_padding,
                "lax.conv_transpose has none; give a (low, high) padding pair instead",
            )
        return function(*head, dilation)

    return adapter


def _jax_pool(
    size: int | None,
    kernel_size: int,
    stride: int,
    padding: Any,
    dilation: int,
    ceil_mode: bool,
    /,
) -> int | None:
    if ceil_mode is not False:
        raise _refuse("JAX", "ceil_mode", ceil_mode, "lax.reduce_window has no ceil_mode")
    return jx.pool_output_length(size, kernel_size, stride, padding, dilation)


# ONNX -------------------------------------------------------------------------------
# ONNX's functions take a known size (their annotation says int); None reaches their
# check, which refuses it by name.


def _onnx(function: Callable[..., Any]) -> Callable[..., Any]:
    """ONNX's ``function`` under the shared arguments: the one padding, the fourth
    argument, is ONNX's (auto_pad, pads): a name is the auto_pad, else the pads."""

    def adapter(size: int | None, kernel_size: int, stride: int, padding: Any, *rest: Any) -> Any:
        auto_pad, pads = (padding, (0, 0)) if isinstance(padding, str) else ("NOTSET", padding)
        return function(size, kernel_size, stride, auto_pad, pads, *rest)

    return adapter


#: The frameworks by the name the CLI and ``translate`` use.
FRAMEWORKS: dict[str, Framework] = {
    "keras": Framework(
        name="keras",
        title="Keras",
        conv_output_length=arithmetic.conv_output_length,
        conv_padding=arithmetic.conv_padding,
        same="same",
        modes_in_capitals=False,
        symmetric_padding=False,
        causal=True,
        strided_dilation=KERAS.strided_dilation,
        conv_transpose_output_length=arithmetic.conv_transpose_output_length,
        output_padding=True,
        output_padding_below_stride=True,
        conv_transpose_crop=arithmetic.conv_transpose_crop,
        conv_transpose_output_range=arithmetic.conv_transpose_output_range,
        pool_output_length=_keras_pool,
        pool_ceil_mode=False,
        pool_explicit_padding=False,
        solver=KERAS,
    ),
    "torch": Framework(
        name="torch",
        title="PyTorch",
        conv_output_length=pt.conv_output_length,
        conv_padding=pt.conv_padding,
        same="same",
        modes_in_capitals=False,
        symmetric_padding=True,
        causal=False,
        strided_dilation=TORCH.strided_dilation,
        conv_transpose_output_length=_zero_output_padding(pt.conv_transpose_output_length),
        output_padding=True,
        output_padding_below_stride=False,
        conv_transpose_crop=_zero_output_padding(pt.conv_transpose_crop),
        conv_transpose_output_range=pt.conv_transpose_output_range,
        pool_output_length=pt.pool_output_length,
        pool_ceil_mode=True,
        pool_explicit_padding=True,
        solver=TORCH,
    ),
    "jax": Framework(
        name="jax",
        title="JAX",
        conv_output_length=_jax_length,
        conv_padding=jx.conv_padding,
        same="SAME",
        modes_in_capitals=True,
        symmetric_padding=False,
        causal=False,
        strided_dilation=True,
        conv_transpose_output_length=_jax_transposed(jx.conv_transpose_output_length),
        output_padding=False,
        output_padding_below_stride=False,
        conv_transpose_crop=_jax_transposed(jx.conv_transpose_crop),
        conv_transpose_output_range=None,
        pool_output_length=_unit_stride(_jax_pool),
        pool_ceil_mode=False,
        pool_explicit_padding=True,
        solver=None,
    ),
    "onnx": Framework(
        name="onnx",
        title="ONNX",
        conv_output_length=_onnx(ox.conv_output_length),
        conv_padding=_onnx(ox.conv_padding),
        same="SAME_UPPER",
        modes_in_capitals=True,
        symmetric_padding=False,
        causal=False,
        strided_dilation=True,
        conv_transpose_output_length=_onnx(_zero_output_padding(ox.conv_transpose_output_length)),
        output_padding=True,
        output_padding_below_stride=False,
        conv_transpose_crop=_onnx(_zero_output_padding(ox.conv_transpose_crop)),
        conv_transpose_output_range=_onnx(ox.conv_transpose_output_range),
        pool_output_length=_unit_stride(_onnx(ox.pool_output_length)),
        pool_ceil_mode=True,
        pool_explicit_padding=True,
        solver=None,
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

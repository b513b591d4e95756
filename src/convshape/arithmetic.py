"""The arithmetic of one spatial dimension of a convolution, Keras/TensorFlow semantics.

Everything rests on two formulas. A forward convolution adds ``before`` and
``after`` zeros, then slides a window of effective size
``k_eff = (k - 1) * d + 1``::

    O = floor((I + before + after - k_eff) / s) + 1

A transposed convolution produces the full output of length
``(I - 1) * s + k_eff``, then removes ``before`` and ``after`` elements
(a negative count appends zeros)::

    O = (I - 1) * s + k_eff - before - after

Each padding mode is a resolver from the caller's arguments to that pair.
Sizes may be None (unknown); a None size passes through as None.

>>> conv_transpose_output_length(7, 5, stride=2, padding="same")
14
>>> conv_transpose_crop(7, 5, stride=2, padding="same")
Pad(before=1, after=2)
"""

# ruff: noqa: PLC0414  (`import X as X` is the explicit re-export mypy --strict reads)

from __future__ import annotations

from ._core import SMALL_SPLITS, split
from ._keras_rules import (
    _conv_padding_checked,
    _conv_transpose_crop_checked,
    _conv_transpose_output_range_checked,
    _effective_kernel_size_checked,
    _forward,
    _transpose,
)

# The resolvers the analyses (plans, solvers, sizes, layers) import from here.
from ._keras_rules import _forward_is_empty as _forward_is_empty
from ._keras_rules import _forward_length as _forward_length
from ._keras_rules import _forward_pad as _forward_pad
from ._keras_rules import _output_range as _output_range
from ._keras_rules import _transpose_crop as _transpose_crop
from ._keras_rules import _transpose_is_empty as _transpose_is_empty
from ._keras_rules import _transpose_length as _transpose_length
from ._keras_rules import _warn_if_tensorflow_rejects as _warn_if_tensorflow_rejects
from ._types import Pad, PaddingArg
from ._validate import LARGEST_INT, check_positive
from .errors import ConvShapeError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import overload

__all__ = [
    "Pad",
    "PaddingArg",
    "conv_output_length",
    "conv_padding",
    "conv_transpose_crop",
    "conv_transpose_output_length",
    "conv_transpose_output_range",
    "effective_kernel_size",
    "pool_output_length",
]


def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """The span of a dilated kernel: ``k_eff = (k - 1) * d + 1``.

    >>> effective_kernel_size(3, dilation=2)
    5
    """
    if (
        type(kernel_size) is int
        and type(dilation) is int
        and 0 < kernel_size <= LARGEST_INT
        and 0 < dilation <= LARGEST_INT
    ):
        return (kernel_size - 1) * dilation + 1
    return _effective_kernel_size_checked(kernel_size, dilation)


# ---------------------------------------------------------------------------
# Public functions.
#
# Each answers the common calls itself: plain ints (``type(x) is int``: no bool,
# no NumPy int), a lower-case "valid" or "same" (or "causal", forward), and a
# result that neither raises nor warns. Every other call, every error and every warning goes
# through the validating path, its ``_..._checked`` function (convshape._keras_rules), so
# both paths give the same results, errors and warnings (tests/test_fast_path.py
# compares them on a grid). The fast paths write the formulas of convshape._core
# out inline, because a call costs a third of a fast call; the validating path calls
# the core, so that comparison holds each inlined formula to the core's.


# Building a Pad costs more than the rest of a fast call: the usual ones are built once,
# _SPLITS[total] is split(total) for -8 <= total <= 24.
_SPLITS = SMALL_SPLITS


if TYPE_CHECKING:

    @overload
    def conv_output_length(
        size: int,
        kernel_size: int,
        stride: int = 1,
        padding: PaddingArg = "valid",
        dilation: int = 1,
    ) -> int: ...
    @overload
    def conv_output_length(
        size: None,
        kernel_size: int,
        stride: int = 1,
        padding: PaddingArg = "valid",
        dilation: int = 1,
    ) -> None: ...


def conv_output_length(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: PaddingArg = "valid",
    dilation: int = 1,
) -> int | None:
    """Output length of a forward convolution or pooling window.

    ``O = floor((I + before + after - k_eff) / s) + 1`` with
    ``k_eff = (k - 1) * d + 1`` and ``(before, after) = conv_padding(...)``;
    "same" and "causal" give ``ceil(I / s)``. An empty output from a
    non-empty input raises :class:`~convshape.EmptyOutputError`.

    >>> conv_output_length(28, 5, stride=2)
    12
    >>> conv_output_length(28, 5, stride=2, padding="same")
    14
    >>> conv_output_length(10, 3, padding="causal", dilation=4)
    10
    >>> conv_output_length(None, 3) is None
    True
    """
    if (
        type(size) is int
        and type(kernel_size) is int
        and type(stride) is int
        and type(dilation) is int
        and type(padding) is str
        and 0 <= size <= LARGEST_INT
        and 0 < kernel_size <= LARGEST_INT
        and 0 < stride <= LARGEST_INT
        and 0 < dilation <= LARGEST_INT
    ):
        if padding == "valid":
            length = (size - (kernel_size - 1) * dilation - 1) // stride + 1
            if length > 0:
                return length
        elif padding in {"same", "causal"}:
            return -(-size // stride)
    return _forward(size, kernel_size, stride, padding, dilation)[0]


def conv_padding(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: PaddingArg = "valid",
    dilation: int = 1,
) -> Pad:
    """Zeros a forward convolution adds before and after the input.

    valid ``(0, 0)``; causal ``(k_eff - 1, 0)``; full ``(k_eff - 1, k_eff - 1)``;
    same ``total = max((ceil(I / s) - 1) * s + k_eff - I, 0)``, split
    ``(total // 2, total - total // 2)``: the odd extra goes after, as in
    TensorFlow. "same" needs a known size unless the stride is 1.

    >>> conv_padding(13, 6, stride=5, padding="same")
    Pad(before=1, after=2)
    >>> conv_padding(None, 4, padding="same")
    Pad(before=1, after=2)
    """
    if (
        type(size) is int
        and type(kernel_size) is int
        and type(stride) is int
        and type(dilation) is int
        and type(padding) is str
        and 0 <= size <= LARGEST_INT
        and 0 < kernel_size <= LARGEST_INT
        and 0 < stride <= LARGEST_INT
        and 0 < dilation <= LARGEST_INT
    ):
        k_eff = (kernel_size - 1) * dilation + 1
        if padding == "valid":
            if size >= k_eff:  # at least one window
                return _SPLITS[0]
        elif padding == "same":
            # (ceil(I / s) - 1) * s + k_eff - I, from the remainder of I / s
            total = k_eff - (size % stride or stride)
            if total <= 0:
                return _SPLITS[0]
            return _SPLITS[total] if total <= 24 else split(total)
    return _conv_padding_checked(size, kernel_size, stride, padding, dilation)


if TYPE_CHECKING:

    @overload
    def conv_transpose_output_length(
        size: int,
        kernel_size: int,
        stride: int = 1,
        padding: PaddingArg = "valid",
        output_padding: int | None = None,
        dilation: int = 1,
    ) -> int: ...
    @overload
    def conv_transpose_output_length(
        size: None,
        kernel_size: int,
        stride: int = 1,
        padding: PaddingArg = "valid",
        output_padding: int | None = None,
        dilation: int = 1,
    ) -> None: ...


def conv_transpose_output_length(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: PaddingArg = "valid",
    output_padding: int | None = None,
    dilation: int = 1,
) -> int | None:
    """Output length of a transposed convolution, as Keras computes it.

    ``O = (I - 1) * s + k_eff - before - after`` with
    ``(before, after) = conv_transpose_crop(...)``. In Keras's terms:
    valid ``(I - 1) * s + k_eff + op`` (op defaults to ``max(k_eff, s) - k_eff``);
    same ``I * s``, or ``(I - 1) * s + k_eff % 2 + op`` when op is given;
    full ``(I - 1) * s - k_eff + 2 + op``; an int p or a pair crops like
    PyTorch's and ONNX's padding, op added at the end.

    When the result is a length TensorFlow rejects at run time (Keras's
    "same" with an even kernel and ``output_padding=0``) a
    :class:`~convshape.ConvShapeWarning` says so and names the lengths
    TensorFlow accepts.

    >>> conv_transpose_output_length(7, 5, stride=2, padding="same")
    14
    >>> conv_transpose_output_length(7, 5, stride=2, padding="valid")
    17
    >>> conv_transpose_output_length(7, 3, stride=2, padding=1, output_padding=1)
    14
    >>> conv_transpose_output_length(None, 3, stride=2) is None
    True
    """
    if (
        type(size) is int
        and type(kernel_size) is int
        and type(stride) is int
        and type(dilation) is int
        and type(padding) is str
        and 0 < size <= LARGEST_INT
        and 0 < kernel_size <= LARGEST_INT
        and 0 < stride <= LARGEST_INT
        and 0 < dilation <= LARGEST_INT
    ):
        # Every length below is one TensorFlow accepts, >= 1: no error, no warning.
        if output_padding is None:
            if padding == "same":
                return size * stride
            if padding == "valid":
                k_eff = (kernel_size - 1) * dilation + 1
                return (size - 1) * stride + (k_eff if k_eff > stride else stride)
        elif type(output_padding) is int and 0 <= output_padding < stride:
            k_eff = (kernel_size - 1) * dilation + 1
            if padding == "same":
                extra = k_eff % 2 + output_padding
                if extra > 0:  # 0 (even kernel, op 0) is the length TensorFlow rejects
                    return (size - 1) * stride + extra
            elif padding == "valid":
                return (size - 1) * stride + k_eff + output_padding
    # Not through a _checked function: the warning points at the caller's line.
    return _transpose(size, kernel_size, stride, padding, output_padding, dilation, warn=True)[0]


def conv_transpose_crop(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: PaddingArg = "valid",
    output_padding: int | None = None,
    dilation: int = 1,
) -> Pad:
    """Elements removed from the full transposed output ``(I - 1) * s + k_eff``.

    ``total = (I - 1) * s + k_eff - O``; for "same" ``before = max(total, 0) // 2``
    and ``after = total - before``: the odd extra is removed at the end, and
    when ``k_eff < s`` the negative ``after`` means zeros appended. "valid"
    crops ``(0, -op)``; an int p or a pair crops ``(p_before, p_after - op)``.

    >>> conv_transpose_crop(7, 5, stride=2, padding="same")
    Pad(before=1, after=2)
    >>> conv_transpose_crop(7, 1, stride=3, padding="same")
    Pad(before=0, after=-2)
    >>> conv_transpose_crop(None, 4, stride=2, padding="same", output_padding=1)
    Pad(before=1, after=2)
    """
    if (
        (size is None or (type(size) is int and 0 <= size <= LARGEST_INT))
        and type(kernel_size) is int
        and type(stride) is int
        and type(dilation) is int
        and type(padding) is str
        and output_padding is None
        and 0 < kernel_size <= LARGEST_INT
        and 0 < stride <= LARGEST_INT
        and 0 < dilation <= LARGEST_INT
        and padding in {"same", "valid"}
    ):
        # same: O = I * s; valid: O = (I - 1) * s + max(k_eff, s). Both >= 0, and > 0 for I > 0.
        total = (kernel_size - 1) * dilation + 1 - stride
        if total > 0 and padding == "valid":
            total = 0
        return _SPLITS[total] if -8 <= total <= 24 else split(total)
    return _conv_transpose_crop_checked(
        size, kernel_size, stride, padding, output_padding, dilation
    )


def conv_transpose_output_range(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: PaddingArg = "valid",
    dilation: int = 1,
) -> range:
    """Every output length that the forward convolution maps back to ``size``.

    These are exactly the ``output_shape`` values ``tf.nn.conv_transpose``
    accepts, and the ambiguity ``output_padding`` resolves:
    same ``[(I - 1) * s + 1, I * s]``;
    otherwise ``[(I - 1) * s + k_eff - before - after, ... + s - 1]`` with
    the forward padding ``(before, after)`` (valid ``(0, 0)``, full
    ``(k_eff - 1, k_eff - 1)``, an int or a pair as given). Only lengths >= 1
    count for ``size >= 1``; for ``size == 0`` the range is ``range(0, 1)``
    (TensorFlow skips the check for empty tensors and accepts any length).

    >>> conv_transpose_output_range(7, 5, stride=2, padding="same")
    range(13, 15)
    >>> list(conv_transpose_output_range(7, 5, stride=2, padding="valid"))
    [17, 18]
    """
    if (
        type(size) is int
        and type(kernel_size) is int
        and type(stride) is int
        and type(dilation) is int
        and type(padding) is str
        and 0 < size <= LARGEST_INT
        and 0 < kernel_size <= LARGEST_INT
        and 0 < stride <= LARGEST_INT
        and 0 < dilation <= LARGEST_INT
    ):
        if padding == "same":
            return range((size - 1) * stride + 1, size * stride + 1)
        if padding == "valid":
            lowest = (size - 1) * stride + (kernel_size - 1) * dilation + 1
            return range(lowest, lowest + stride)
    return _conv_transpose_output_range_checked(size, kernel_size, stride, padding, dilation)


def pool_output_length(
    size: int | None,
    pool_size: int,
    strides: int | None = None,
    padding: str = "valid",
) -> int | None:
    """Output length of a Keras pooling layer (``MaxPooling*D``, ``AveragePooling*D``):
    :func:`conv_output_length` with the window as the kernel, ``strides`` defaulting to
    ``pool_size``; "valid" ``floor((I - k) / s) + 1``, "same" ``ceil(I / s)``. Keras
    pools take "valid" and "same" only, in lower case, and have no ``ceil_mode``.

    >>> pool_output_length(9, 2)
    4
    >>> pool_output_length(7, 3, strides=2, padding="same")
    4
    """
    received: object = padding  # typed str, checked at run time: callers pass anything
    if not isinstance(received, str) or received not in ("valid", "same"):
        raise ConvShapeError(
            "`padding` of a Keras pooling must be 'valid' or 'same'",
            argument="padding",
            received={"padding": padding},
        )
    k = check_positive(pool_size, "pool_size")
    s = k if strides is None else check_positive(strides, "strides")
    return conv_output_length(size, k, s, padding)

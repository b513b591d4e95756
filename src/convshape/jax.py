"""JAX's conventions, one dimension at a time: the shapes ``jax.lax.conv_general_dilated``
and ``jax.lax.conv_transpose`` produce.

JAX pads with (low, high) pairs that may be negative (they crop), resolves "SAME"
with the odd extra high and "SAME_LOWER" with it low, clamps an empty result to
length 0 instead of failing, and computes a transposed convolution as a convolution
over the stride-dilated input.

>>> from convshape import jax as jx
>>> jx.conv_transpose_output_length(7, 5, stride=2, padding="SAME")
14
>>> jx.conv_transpose_output_length(7, 5, stride=2, padding=(1, 2), use_consistent_padding=True)
14
"""

from __future__ import annotations

from collections.abc import Sequence

from ._core import (
    causal_padding,
    effective_kernel,
    forward_length,
    full_transposed_length,
    same_crop,
    same_padding,
    split,
    valid_crop,
)
from ._types import Pad
from ._validate import as_int, check_flag, check_positive, check_size
from .errors import ConvShapeError, _short_repr

__all__ = [
    "conv_output_length",
    "conv_padding",
    "conv_transpose_crop",
    "conv_transpose_output_length",
    "flax_conv_output_length",
    "flax_conv_transpose_output_length",
    "pool_output_length",
]

_MODES = ("SAME", "SAME_LOWER", "VALID")


def _pair(padding: object, name: str = "padding") -> tuple[int, int]:
    if not isinstance(padding, (tuple, list)) or len(padding) != 2:
        raise ConvShapeError(
            f"`{name}` must be 'SAME', 'SAME_LOWER', 'VALID' or a (low, high) pair of ints",
            argument=name,
            received={name: padding},
        )
    return as_int(padding[0], name), as_int(padding[1], name)


def _dilated(size: int, dilation: int) -> int:
    """The input with ``dilation - 1`` zeros between its elements: the full transposed
    output of a kernel of one."""
    return 0 if size == 0 else full_transposed_length(size, 1, dilation)


def conv_padding(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: str | tuple[int, int] | list[int] = "VALID",
    rhs_dilation: int = 1,
) -> Pad:
    """The (low, high) padding ``lax.padtype_to_pads`` resolves: "SAME" pads
    ``max((ceil(I / s) - 1) * s + k_eff - I, 0)`` with the odd extra high, "SAME_LOWER"
    low; a pair is returned as given.

    >>> conv_padding(13, 6, stride=5, padding="SAME"), conv_padding(13, 6, 5, "SAME_LOWER")
    (Pad(before=1, after=2), Pad(before=2, after=1))
    """
    checked = check_size(size)
    k = check_positive(kernel_size, "kernel_size")
    s = check_positive(stride, "stride")
    d = check_positive(rhs_dilation, "rhs_dilation")
    if not isinstance(padding, str):
        return Pad(*_pair(padding))
    mode = padding.upper()
    if mode not in _MODES:
        raise ConvShapeError(
            "`padding` must be 'SAME', 'SAME_LOWER', 'VALID' or a (low, high) pair of ints",
            argument="padding",
            received={"padding": padding},
        )
    if mode == "VALID" or checked is None:
        if checked is None and mode != "VALID":
            raise ConvShapeError(
                "`size` must be known for 'SAME' padding", argument="size", received={"size": size}
            )
        return Pad(0, 0)
    return same_padding(checked, effective_kernel(k, d), s, "after" if mode == "SAME" else "before")


def conv_output_length(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: str | tuple[int, int] | list[int] = "VALID",
    lhs_dilation: int = 1,
    rhs_dilation: int = 1,
) -> int | None:
    """Output length of ``lax.conv_general_dilated`` along one dimension:
    ``max(floor((I_d + low + high - k_eff) / s) + 1, 0)`` with the dilated input
    ``I_d = (I - 1) * lhs_dilation + 1`` and ``k_eff = (k - 1) * rhs_dilation + 1``.

    >>> conv_output_length(28, 5, stride=2, padding="SAME")
    14
    >>> conv_output_length(3, 5)
    0
    """
    return _output_length(size, kernel_size, stride, padding, lhs_dilation, rhs_dilation, True)


def _output_length(
    size: object,
    kernel_size: object,
    stride: object,
    padding: str | tuple[int, int] | list[int],
    lhs_dilation: object,
    rhs_dilation: object,
    refuse_overcrop: bool,
) -> int | None:
    """The windows' length; ``refuse_overcrop``: a negative padding that removes more than
    the input is refused (conv_general_dilated) rather than an empty output (reduce_window)."""
    checked = check_size(size)
    k = check_positive(kernel_size, "kernel_size")
    s = check_positive(stride, "stride")
    lhs = check_positive(lhs_dilation, "lhs_dilation")
    rhs = check_positive(rhs_dilation, "rhs_dilation")
    if isinstance(padding, str) and lhs != 1:
        raise ConvShapeError(
            "JAX takes string padding only without lhs_dilation (it is not implemented for "
            "transposed convolution with conv_general_dilated)",
            argument="padding",
            received={"padding": padding, "lhs_dilation": lhs_dilation},
        )
    if checked is None:
        if not isinstance(padding, str) or padding.upper() == "VALID":
            conv_padding(1, k, s, padding, rhs)
            return None
        raise ConvShapeError(
            "`size` must be known for 'SAME' padding", argument="size", received={"size": size}
        )
    low, high = conv_padding(checked, k, s, padding, rhs)
    k_eff = effective_kernel(k, rhs)
    return _length(_dilated(checked, lhs), k_eff, s, low, high, padding, refuse_overcrop)


def _length(
    dilated: int,
    k_eff: int,
    stride: int,
    low: int,
    high: int,
    padding: object,
    refuse_overcrop: bool = True,
) -> int:
    if refuse_overcrop and low + high < -dilated:
        raise ConvShapeError(
            "negative padding removes more than the (dilated) input holds "
            f"({-(low + high)} > {dilated})",
            argument="padding",
            received={"padding": padding},
        )
    return max(forward_length(dilated, k_eff, stride, low, high), 0)


def pool_output_length(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: str | tuple[int, int] | list[int] = "VALID",
    dilation: int = 1,
) -> int | None:
    """Output length of ``lax.reduce_window`` (Flax's ``max_pool``/``avg_pool``) along one
    dimension, the window as the kernel: ``max(floor((I + low + high - k_eff) / s) + 1, 0)``,
    "SAME" and "SAME_LOWER" resolved as :func:`conv_padding` does (``window_dilation`` is
    ``dilation``). A negative padding that removes the whole input leaves an empty output,
    where ``conv_general_dilated`` refuses it.

    >>> pool_output_length(7, 2, stride=2), pool_output_length(7, 2, stride=2, padding="SAME")
    (3, 4)
    >>> pool_output_length(1, 1, padding=(-1, -1))
    0
    """
    d = check_positive(dilation, "dilation")
    return _output_length(size, kernel_size, stride, padding, 1, d, False)


def _transpose(
    size: object,
    kernel_size: object,
    stride: object,
    padding: object,
    dilation: object,
    use_consistent_padding: object,
) -> tuple[int | None, int, tuple[int, int]]:
    """Validate ``lax.conv_transpose``'s arguments; return (length, k_eff, the padding of
    the stride-dilated input). Its crop of the full output is that padding mirrored."""
    checked = check_size(size)
    k = check_positive(kernel_size, "kernel_size")
    s = check_positive(stride, "stride")
    d = check_positive(dilation, "dilation")
    check_flag(use_consistent_padding, "use_consistent_padding")
    k_eff = effective_kernel(k, d)
    if isinstance(padding, str):
        mode = padding.upper()
        if mode not in ("SAME", "VALID") or padding != mode:
            raise ConvShapeError(
                "`padding` of lax.conv_transpose must be 'SAME', 'VALID' or a (low, high) pair",
                argument="padding",
                received={"padding": padding},
            )
        pads = _transpose_padding(k_eff, s, mode)
    elif use_consistent_padding:
        pads = _mirror(k_eff, _pair(padding))
    else:
        pads = _pair(padding)
    if checked is None:
        return None, k_eff, pads
    return _length(_dilated(checked, s), k_eff, 1, pads[0], pads[1], padding), k_eff, pads


def conv_transpose_output_length(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: str | tuple[int, int] | list[int] = "SAME",
    dilation: int = 1,
    use_consistent_padding: bool = False,
) -> int | None:
    """Output length of ``lax.conv_transpose`` along one dimension.

    "SAME" gives ``I * s`` and "VALID" ``(I - 1) * s + max(k_eff, s)``; a pair is the
    padding of the stride-dilated input (``O = (I - 1) * s + 1 + low + high - k_eff + 1``),
    or, with ``use_consistent_padding=True``, the forward convolution's padding, which
    crops like PyTorch (``O = (I - 1) * s + k_eff - low - high``).

    >>> conv_transpose_output_length(7, 5, stride=2, padding="VALID")
    17
    >>> conv_transpose_output_length(7, 5, stride=2, padding=(3, 3))
    15
    """
    return _transpose(size, kernel_size, stride, padding, dilation, use_consistent_padding)[0]


def conv_transpose_crop(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: str | tuple[int, int] | list[int] = "SAME",
    dilation: int = 1,
    use_consistent_padding: bool = False,
) -> Pad:
    """What ``lax.conv_transpose`` removes from the full output ``(I - 1) * s + k_eff``
    (negative: zeros appended): ``k_eff - 1`` minus the padding of the dilated input.

    >>> conv_transpose_crop(7, 5, stride=2, padding="SAME")
    Pad(before=1, after=2)
    """
    _, k_eff, pads = _transpose(
        size, kernel_size, stride, padding, dilation, use_consistent_padding
    )
    return _mirror(k_eff, pads)


def _mirror(k_eff: int, pair: tuple[int, int]) -> Pad:
    """A crop of the full transposed output as the padding of the stride-dilated input
    ``lax.conv_transpose`` convolves, or that padding as a crop: ``k_eff - 1 - x`` each side.

    JAX's ``use_consistent_padding=True`` takes the crop, as PyTorch's padding is one.
    """
    return Pad(k_eff - 1 - pair[0], k_eff - 1 - pair[1])


def transpose_padding_for_crop(k_eff: int, crop: Pad) -> Pad:
    """The ``padding`` of ``lax.conv_transpose`` (without ``use_consistent_padding``) whose
    output is the full transposed output less ``crop``: ``(k_eff - 1 - before, k_eff - 1 - after)``.

    >>> transpose_padding_for_crop(5, Pad(1, 2))
    Pad(before=3, after=2)
    """
    return _mirror(k_eff, crop)


def _transpose_padding(k_eff: int, stride: int, mode: str) -> tuple[int, int]:
    """jax's _conv_transpose_padding for "SAME" and "VALID": the padding whose crop is
    Keras's with no output_padding (``I * s`` and ``(I - 1) * s + max(k_eff, s)``)."""
    crop = same_crop(k_eff, stride) if mode == "SAME" else valid_crop(k_eff, stride)
    return _mirror(k_eff, crop)


def _flax_padding(padding: object, *, nested: bool = False) -> str | tuple[int, int]:
    """Flax's canonical form: strings as they are, an int p as (p, p).

    A sequence of one int or pair (one per spatial dimension) is read one level deep, as
    Flax's ``canonicalize_padding`` does: ``[[3]]`` is refused, not unwrapped again.
    """
    if isinstance(padding, str) and not nested:
        return padding
    if isinstance(padding, bool) or not isinstance(padding, (int, tuple, list)):
        raise TypeError(
            f"`padding` must be a str, an int or a pair. Received: padding={_short_repr(padding)}"
        )
    if isinstance(padding, int):
        return (padding, padding)
    if len(padding) == 1 and not nested:  # one spatial dimension: one int or pair
        return _flax_padding(padding[0], nested=True)
    return _pair(padding)


def flax_conv_output_length(
    size: int | None,
    kernel_size: int,
    strides: int = 1,
    padding: str | int | Sequence[int | tuple[int, int]] = "SAME",
    input_dilation: int = 1,
    kernel_dilation: int = 1,
) -> int | None:
    """Output length of ``flax.linen.Conv`` along one dimension.

    "CIRCULAR" and "REFLECT" pad ``((k_eff - 1) // 2, k_eff // 2)`` with wrapped or
    reflected values, "CAUSAL" pads ``k_eff - 1`` zeros before (1D only); then a VALID
    convolution. Other paddings go to ``lax.conv_general_dilated`` as they are.

    >>> flax_conv_output_length(10, 4, strides=3, padding="CIRCULAR")
    4
    >>> flax_conv_output_length(10, 3, padding="CAUSAL", kernel_dilation=2)
    10
    """
    mode = _flax_padding(padding)
    if mode in ("CIRCULAR", "REFLECT", "CAUSAL"):
        k_eff = effective_kernel(
            check_positive(kernel_size, "kernel_size"),
            check_positive(kernel_dilation, "kernel_dilation"),
        )
        pads = causal_padding(k_eff) if mode == "CAUSAL" else split(k_eff - 1)
        checked = check_size(size)
        if checked is None:
            return None
        padded = checked + pads[0] + pads[1]
        return conv_output_length(
            padded, kernel_size, strides, "VALID", input_dilation, kernel_dilation
        )
    return conv_output_length(size, kernel_size, strides, mode, input_dilation, kernel_dilation)


def flax_conv_transpose_output_length(
    size: int | None,
    kernel_size: int,
    strides: int = 1,
    padding: str | int | Sequence[int | tuple[int, int]] = "SAME",
    kernel_dilation: int = 1,
) -> int | None:
    """Output length of ``flax.linen.ConvTranspose`` along one dimension: "CIRCULAR" wraps
    the VALID output onto ``I * s``; other paddings are ``lax.conv_transpose``'s.

    >>> flax_conv_transpose_output_length(7, 6, strides=2, padding="CIRCULAR")
    14
    """
    mode = _flax_padding(padding)
    if mode == "CIRCULAR":
        check_positive(kernel_size, "kernel_size")
        stride = check_positive(strides, "strides")
        checked = check_size(size)
        return None if checked is None else checked * stride
    return conv_transpose_output_length(size, kernel_size, strides, mode, kernel_dilation)
